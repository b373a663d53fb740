"""``mobilise assets quality`` shows the ORUK feed's data quality too (issue 21, item 4)."""

from __future__ import annotations

import json

from mobilise import open_workspace
from mobilise.cli.main import run

from .integration.test_feed_quality import make_feed


def test_quality_shows_the_feed_and_lists_failing_services(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")  # rich wraps at the terminal's width
    path = tmp_path / "ws.sqlite"
    with open_workspace(path, actor="tester") as ws:
        make_feed(ws)
    assert run(["-w", str(path), "assets", "quality", "--failing", "active"]) == 0
    out = capsys.readouterr().out
    assert "Open Referral UK feed: 4 services, checked as consumers do" in out
    usable = next(line for line in out.splitlines() if "│ Usable" in line)
    assert [cell.strip() for cell in usable.split("│")][1:4] == ["Usable", "2", "50%"]
    assert "1 services failing 'Active'" in out and "Closed Library" in out

    assert run(["-w", str(path), "assets", "quality", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "places" in report  # the register's report, as before
    feed = report["feed"]
    assert feed["total"] == 4 and feed["failing"]["total"] == 3
    assert {c["name"]: c["passing"] for c in feed["checks"]}["usable"] == 2


def test_an_unknown_check_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    assert run(["-w", str(tmp_path / "ws.sqlite"), "init"]) == 0  # reading needs a workspace
    code = run(["-w", str(tmp_path / "ws.sqlite"), "assets", "quality", "--failing", "colour"])
    captured = capsys.readouterr()
    assert code == 2
    assert "'colour' is not a check" in captured.err
    assert "Traceback" not in captured.err + captured.out

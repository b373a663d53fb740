"""``mobilise pack``: build a pack to a PDF and a page, list, show, share, withdraw; bad input
exits non-zero with one line naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobilise import open_workspace
from mobilise.cli.main import run

from ._reach import PLACE, build_place


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.sqlite"
    with open_workspace(path) as ws:
        build_place(ws, tmp_path)
    return path


def _json(capsys) -> object:
    return json.loads(capsys.readouterr().out)


def test_build_list_share_and_withdraw(small, tmp_path, capsys):
    ws = ["-w", str(small)]
    pdf = tmp_path / "pack.pdf"
    args = ["pack", "build", "--place", PLACE, "--audience", "community", "-o", str(pdf)]
    assert run([*ws, *args, "--json"]) == 0
    made = _json(capsys)
    assert made["status"] == "done" and made["audience"] == "community"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert run([*ws, "pack", "save", made["id"], str(tmp_path / "pack.html")]) == 0
    assert "data:font/woff2" in (tmp_path / "pack.html").read_text("utf-8")
    capsys.readouterr()
    assert run([*ws, "pack", "list", "--json"]) == 0
    assert [p["id"] for p in _json(capsys)] == [made["id"]]
    assert run([*ws, "pack", "show", made["id"], "--json"]) == 0
    assert _json(capsys)["manifest"]["place"] == PLACE
    assert run([*ws, "pack", "share", made["id"], "--json"]) == 0
    assert _json(capsys)["path"].startswith("/p/")
    assert run([*ws, "pack", "unshare", made["id"]]) == 0
    assert run([*ws, "pack", "withdraw", made["id"]]) == 0
    capsys.readouterr()
    assert run([*ws, "pack", "list", "--json"]) == 0
    assert _json(capsys) == []


def test_bad_input_is_one_line_and_a_non_zero_exit(small, capsys):
    ws = ["-w", str(small)]
    code = run([*ws, "pack", "build", "--place", PLACE, "--audience", "boss"])
    assert code != 0
    err = capsys.readouterr().err
    assert "audience" in err and "board, community, funder" in err and "Traceback" not in err
    assert run([*ws, "pack", "show", "no-such-pack"]) != 0
    assert "No evidence pack" in capsys.readouterr().err

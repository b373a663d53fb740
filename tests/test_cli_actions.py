"""The actions commands (issue 16, item 5): add, update with a version, done with evidence,
feedback, the closure figures and the overdue list; errors exit non-zero with one line naming
the field."""

from __future__ import annotations

import json

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from ._you_said import add_theme


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_actions_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    act = ["-w", str(path), "actions"]
    with open_workspace(path) as workspace:
        workspace.places.create("testtown", "Testtown")
        theme = add_theme(workspace, "Green space")
    assert run([*act, "add", "Benches", "--place", "testtown", "--theme", theme, "--json"]) == 0
    made = _json(capsys)
    assert made["themes"] == [theme] and made["status"] == "planned" and made["public"]
    late = ["--place", "testtown", "--due-on", "2020-01-01", "--status", "in_progress"]
    assert run([*act, "add", "Lights", *late]) == 0
    capsys.readouterr()
    assert run([*act, "list", "--overdue", "--json"]) == 0
    assert [a["title"] for a in _json(capsys)] == ["Lights"]
    assert run([*act, "update", made["id"], "--version", "1", "--due-on", "2030-01-01"]) == 0
    assert "version 2" in capsys.readouterr().out
    assert run([*act, "update", made["id"], "--version", "1", "--title", "Stale"]) != 0
    assert "Reload it" in capsys.readouterr().err
    assert (
        run([*act, "done", made["id"], "--evidence", "Six benches", "--done-on", "2026-05-01"]) == 0
    )
    capsys.readouterr()
    feedback = ["--channel", "newsletter", "--action", made["id"], "--shared-on", "2026-05-11"]
    assert run([*act, "feedback", "Benches are in", *feedback]) == 0
    capsys.readouterr()
    assert run([*act, "closure", "testtown", "--json"]) == 0
    figures = _json(capsys)
    assert (figures["actions"], figures["actions_done"], figures["overdue"]) == (2, 1, 1)
    assert (figures["themes"], figures["themes_with_action"]) == (1, 1)
    assert run([*act, "closure", "testtown"]) == 0
    assert "1 of 2" in capsys.readouterr().out
    assert run([*act, "add", "Bad", "--place", "testtown", "--status", "finished"]) != 0
    error = capsys.readouterr().err
    assert "status" in error
    assert run([*act, "feedback", "x", "--channel", "pigeon", "--place", "testtown"]) != 0
    assert "channel" in capsys.readouterr().err

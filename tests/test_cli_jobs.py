"""``mobilise jobs``: list, show and retry jobs, and a worker without the web app."""

from __future__ import annotations

import json

from mobilise import open_workspace
from mobilise.cli.main import run

GOOD = b"id,name,sector\np1,Alpha Trust,vcse\n"
BAD = b"id,name,sector\np1,Alpha Trust,nowhere\n"


def test_jobs_are_listed_run_shown_and_retried(tmp_path, capsys):
    location = tmp_path / "ws.sqlite"
    with open_workspace(location, actor="web-user") as ws:
        good = ws.jobs.submit("partners.import", file=GOOD, name="good.csv")
        bad = ws.jobs.submit("partners.import", file=BAD, name="bad.csv")
    workspace = ["-w", str(location)]
    assert run([*workspace, "jobs", "list"]) == 0
    listed = capsys.readouterr().out
    assert good.id in listed and bad.id in listed
    assert run([*workspace, "jobs", "work", "--until-idle"]) == 0
    assert "Ran 2 jobs" in capsys.readouterr().out
    assert run([*workspace, "jobs", "show", good.id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["result"]["created"]) == ("done", 1)
    assert run([*workspace, "jobs", "show", bad.id]) == 0
    words = capsys.readouterr().out
    assert "failed" in words and "bad.csv" in words and "row 1" in words
    assert run([*workspace, "jobs", "list", "--status", "failed", "--json"]) == 0
    assert [j["id"] for j in json.loads(capsys.readouterr().out)] == [bad.id]
    assert run([*workspace, "jobs", "retry", bad.id]) == 0
    assert "queued again" in capsys.readouterr().out
    assert run([*workspace, "jobs", "retry", good.id]) == 4  # only a failed job: a conflict
    assert "only a failed job" in capsys.readouterr().err
    assert run([*workspace, "jobs", "show", "nope"]) == 3

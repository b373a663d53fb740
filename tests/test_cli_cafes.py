"""The cafes commands (issue 16, item 1): a café's questions and tables with the hosts' links,
notes kept once per key, the harvest and its export."""

from __future__ import annotations

import csv
import json

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from ._coproduction import add_event


def test_set_up_a_cafe_harvest_and_export(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MOBILISE_SECRET_KEY", "a-long-random-test-secret-0123456789")
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as workspace:
        event = add_event(workspace)
    cafes = ["-w", str(path), "cafes"]
    assert run([*cafes, "add-question", event, "What keeps you well?", "--round", "1"]) == 0
    assert run([*cafes, "add-question", event, "What first?"]) == 0
    assert run([*cafes, "add-table", event, "Table 1", "--host", "Sam"]) == 0
    capsys.readouterr()
    assert run([*cafes, "show", event, "--json", "--base-url", "https://m.example"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [q["round_number"] for q in shown["questions"]] == [1, None]
    link = shown["tables"][0]["host_link"]
    assert link.startswith(f"https://m.example/harvest/{shown['tables'][0]['id']}/")
    note = [*cafes, "add-note", event, "=SUM(1)", "--table", "Table 1", "--round", "1"]
    assert run([*note, "--client-key", "cli-12345678"]) == 0
    assert "Added" in capsys.readouterr().out
    assert run([*note, "--client-key", "cli-12345678"]) == 0
    assert "Already stored" in capsys.readouterr().out
    assert run([*cafes, "add-note", event, "Start with the park"]) == 0  # the plenary's
    capsys.readouterr()
    assert run([*cafes, "harvest", event, "--json"]) == 0
    notes = json.loads(capsys.readouterr().out)["notes"]
    assert [(n["harvest"], n["table"]) for n in notes] == [
        ("table", "Table 1"),
        ("plenary", "Plenary"),
    ]
    target = tmp_path / "harvest.csv"
    assert run([*cafes, "export", event, str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows[0]["text"] == "'=SUM(1)" and rows[0]["question"] == "What keeps you well?"
    assert run([*cafes, "add-note", event, "x", "--table", "Table 1", "--round", "99"]) != 0
    assert "round_number" in capsys.readouterr().err
    assert run([*cafes, "export", event, str(target), "--format", "xlsx"]) != 0

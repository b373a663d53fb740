"""The themes commands (issue 16, item 4): the codebook, coding, agreement, counts,
suggestions, and a .qdpx export that re-imports to the same codings."""

from __future__ import annotations

import json

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from ._coproduction import add_event


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_codebook_coding_agreement_counts_and_qdpx(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    ws = ["-w", str(path)]
    with open_workspace(path) as workspace:
        event = add_event(workspace)
        adds = workspace.event_contributions.add
        notes = [
            adds(event, kind="note", text=text, group_label=f"Table {i}").id
            for i, text in enumerate(
                ["The park needs benches", "Bus fares are too high", "Trees and the green"]
            )
        ]
    themes = [*ws, "themes"]
    assert run([*themes, "add", "Green space", "--definition", "Parks, trees"]) == 0
    assert run([*themes, "add", "Cost", "--colour", "#aa3300"]) == 0
    assert run([*themes, "add", "Benches", "--parent", "Green space"]) == 0
    capsys.readouterr()
    assert run([*themes, "codebook", "--json"]) == 0
    assert [t["name"] for t in _json(capsys)] == ["Green space", "Benches", "Cost"]
    for coder in ("ana", "bo"):
        assert run([*themes, "code", notes[0], "Green space", "--coder", coder]) == 0
        assert run([*themes, "code", notes[1], "Cost", "--coder", coder]) == 0
    assert run([*themes, "code", notes[2], "Green space", "--coder", "ana", "--start", "0",
                "--end", "5", "--memo", "trees"]) == 0  # fmt: skip
    assert run([*themes, "code", notes[2], "Cost", "--coder", "bo"]) == 0
    capsys.readouterr()
    assert run([*themes, "agreement", "--event", event, "--json"]) == 0
    found = _json(capsys)
    assert found["coders"] == ["ana", "bo"] and found["units"] == 3
    assert run([*themes, "agreement", "--event", event]) == 0
    assert "Krippendorff" not in capsys.readouterr().err
    assert run([*themes, "counts", "--by", "event_kind", "--json"]) == 0
    rows = {r["name"]: r for r in _json(capsys)["rows"]}
    assert rows["Cost"]["contributions"] == 2 and rows["Cost"]["event_kind"] == "world_cafe"
    assert run([*themes, "counts", "--by", "shoe_size"]) != 0
    assert "by" in capsys.readouterr().err
    assert run([*themes, "code", notes[0], "Cost", "--coder", "x", "--start", "1"]) != 0
    assert run([*themes, "suggest", "--event", event, "--json"]) == 0
    assert _json(capsys)["uncoded"] == 0
    target = tmp_path / "themes.qdpx"
    assert run([*themes, "export-qdpx", str(target), "--event", event]) == 0
    assert "3 sources" in capsys.readouterr().out
    assert run([*themes, "import-qdpx", str(target), "--json"]) == 0
    assert _json(capsys) == {
        "themes": 0, "codings": 0, "skipped_sources": 0, "skipped_codings": 6,
    }  # fmt: skip
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"not a zip")
    assert run([*themes, "import-qdpx", str(bad)]) != 0
    assert "bad.qdpx" in capsys.readouterr().err

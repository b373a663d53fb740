"""Who may see maps and rounds, and restoring what was deleted, from the command line (issue 14,
findings 10 and 11)."""

from __future__ import annotations

import datetime as dt
import json

from mobilise import open_workspace
from mobilise.cli.main import run


def _json(capsys):
    return json.loads(capsys.readouterr().out)


def test_visibility_deleted_and_restore(tmp_path, capsys):
    path = tmp_path / "ws.sqlite"
    ws = open_workspace(path, actor="tester")
    made = ws.maps.create("Estate")
    a = ws.maps.add_factor(made.id, {"label": "Damp"})["id"]
    b = ws.maps.add_factor(made.id, {"label": "Cold"})["id"]
    link = ws.maps.add_link(made.id, {"source_id": a, "target_id": b})["id"]
    ws.maps.delete_factor(made.id, b)
    ws.users.create("vic", "a viewer's long secret", role="viewer")
    ws.surveys.create_round("2027", date=dt.date(2027, 1, 1))
    ws.close()
    w = ["-w", str(path)]

    assert run([*w, "maps", "set-visibility", made.id, "group", "--json"]) == 0
    assert _json(capsys)["visibility"] == "group"
    assert run([*w, "maps", "list", "--as", "vic", "--json"]) == 0
    assert _json(capsys) == []
    assert run([*w, "maps", "list"]) == 0
    assert "group" in capsys.readouterr().out
    assert run([*w, "maps", "set-visibility", made.id, "everyone"]) == 2
    assert "visibility" in capsys.readouterr().err

    assert run([*w, "maps", "deleted", made.id, "--json"]) == 0
    found = _json(capsys)
    assert ([f["id"] for f in found["factors"]], [k["id"] for k in found["links"]]) == ([b], [link])
    assert run([*w, "maps", "restore", made.id, "--link", link]) != 0
    assert "restore the factor first" in " ".join(capsys.readouterr().err.lower().split())
    assert run([*w, "maps", "restore", made.id, "--factor", b]) == 0
    assert "1 links deleted with it" in capsys.readouterr().out

    open_workspace(path).maps.delete(made.id)
    assert run([*w, "maps", "deleted", "--json"]) == 0
    assert [m["id"] for m in _json(capsys)] == [made.id]
    assert run([*w, "maps", "restore", made.id]) == 0
    assert run([*w, "maps", "list", "--json"]) == 0
    capsys.readouterr()

    assert run([*w, "network", "set-visibility", "2027", "group"]) == 0
    capsys.readouterr()
    assert run([*w, "network", "rounds", "--as", "vic", "--json"]) == 0
    assert _json(capsys) == []
    assert run([*w, "network", "set-visibility", "2027", "link", "--json"]) == 0
    assert _json(capsys)["share_path"].startswith("/network/shared/")
    assert run([*w, "network", "rounds", "--as", "vic", "--json"]) == 0
    assert [r["visibility"] for r in _json(capsys)] == ["link"]

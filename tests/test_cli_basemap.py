"""The base map commands (issue 17, item 2): where the street tiles come from, the shipped
offline streets, and a view's neighbourhood outlines as GeoJSON."""

from __future__ import annotations

import json

from mobilise.cli.main import run
from mobilise.workspace import open_workspace

from .conftest import FIXTURES


def test_show_and_outlines(tmp_path, capsys, monkeypatch):
    path = tmp_path / "ws.sqlite"
    with open_workspace(path) as workspace:
        workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws = ["-w", str(path), "basemap"]
    assert run([*ws, "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["tiles"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert [s["id"] for s in shown["streets"]] == ["camden_streets_2021-07"]
    monkeypatch.setenv("MOBILISE_TILE_URL", "none")
    assert run([*ws, "show"]) == 0
    assert "Street tiles: none" in capsys.readouterr().out
    out = tmp_path / "outlines.geojson"
    assert run([*ws, "outlines", "--bbox", "-1,51,1,52", "-o", str(out)]) == 0
    assert "3 lsoa11 outlines" in " ".join(capsys.readouterr().out.split())
    names = [f["properties"]["name"] for f in json.loads(out.read_text())["features"]]
    assert names[0] == "Testtown 001A"


def test_a_bad_view_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    assert run(["-w", str(tmp_path / "ws.sqlite"), "basemap", "outlines", "--bbox", "1,2"]) != 0
    err = capsys.readouterr().err
    assert "give four numbers: west,south,east,north" in err and "Traceback" not in err

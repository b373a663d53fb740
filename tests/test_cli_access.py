"""The access and inequality commands: runs on the demo, analysis on plain files, errors."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from mobilise.cli.main import run


@pytest.fixture
def demo_copy(demo_workspace, tmp_path) -> Path:
    """A copy of the demo workspace the commands may add runs to."""
    copy = tmp_path / "demo-copy.sqlite"
    source = sqlite3.connect(demo_workspace.engine.url.database)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


def _json(capsys) -> object:
    return json.loads(capsys.readouterr().out)


def test_access_run_show_rerun_and_export(demo_copy, tmp_path, capsys):
    ws = ["-w", str(demo_copy)]
    args = ["access", "run", "--place", "northamptonshire", "-c", "libraries"]
    code = run([*ws, *args, "--catchment", "1600,3200", "--permutations", "99", "--json"])
    assert code == 0
    made = _json(capsys)
    assert made["status"] == "done"
    assert made["parameters"]["categories"] == ["library"]  # "libraries" is an alias
    scenarios = made["summary"]["scenarios"]
    assert [(s["catchment_m"], s["decay"]) for s in scenarios] == [(1600, "step"), (3200, "step")]
    assert scenarios[0]["areas"] == 422
    # A bigger catchment leaves fewer areas with nothing in reach.
    assert scenarios[1]["areas_with_nothing_in_reach"] < scenarios[0]["areas_with_nothing_in_reach"]

    assert run([*ws, "access", "runs", "--place", "northamptonshire", "--json"]) == 0
    listed = _json(capsys)
    assert listed[0]["id"] == made["id"]

    assert run([*ws, "access", "show", made["id"]]) == 0
    shown = capsys.readouterr().out
    assert "Northamptonshire" in shown and "SII" in shown

    assert run([*ws, "access", "rerun", made["id"], "--json"]) == 0
    again = _json(capsys)
    assert again["rerun_of"] == made["id"] and again["status"] == "done"
    assert again["summary"]["scenarios"][0]["mean"] == pytest.approx(scenarios[0]["mean"])

    csv, gpkg = tmp_path / "out" / "access.csv", tmp_path / "out" / "access.gpkg"
    assert run([*ws, "access", "export", made["id"], str(csv)]) == 0
    assert run([*ws, "access", "export", made["id"], str(gpkg)]) == 0
    capsys.readouterr()
    table = pd.read_csv(csv)
    assert len(table) == 2 * 422 and table["value"].notna().all()
    layer = gpd.read_file(gpkg)
    assert len(layer) == 2 * 422 and layer.geometry.notna().all()


@pytest.mark.parametrize(
    ("extra", "exit_code", "words"),
    [
        (["--place", "nowhere", "-c", "library"], 3, "No place 'nowhere'"),
        (["--place", "northamptonshire", "-c", "bingo"], 2, "unknown category 'bingo'"),
        (["--place", "northamptonshire", "-c", "library", "--catchment", "10"], 2, "catchment"),
        (["--place", "northamptonshire", "-c", "library", "--method", "magic"], 2, "method"),
    ],
)
def test_access_run_errors(demo_copy, capsys, extra, exit_code, words):
    assert run(["-w", str(demo_copy), "access", "run", *extra]) == exit_code
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err


def _files(tmp_path: Path) -> tuple[Path, Path]:
    demand = tmp_path / "demand.csv"
    supply = tmp_path / "supply.csv"
    # Two areas 100 and 300 residents near one asset (capacity 4), one area far from everything.
    demand.write_text("id,population,x,y\na,100,0,0\nb,300,500,0\nc,50,90000,0\n")
    supply.write_text("id,capacity,x,y\nlib,4,250,0\n")
    return demand, supply


def test_access_compute_on_points_by_hand(tmp_path, capsys):
    demand, supply = _files(tmp_path)
    out = tmp_path / "access.csv"
    args = ["access", "compute", "--demand", str(demand), "--supply", str(supply)]
    code = run([*args, "-o", str(out), "--method", "2sfca", "--catchment", "1000", "--json"])
    assert code == 0
    report = _json(capsys)
    assert report["origins"] == 3
    result = pd.read_csv(out, index_col="id")
    # 4 places shared by the 400 residents within reach: 0.01 each; area c reaches nothing.
    assert result["2sfca_1000"].to_dict() == pytest.approx({"a": 0.01, "b": 0.01, "c": 0.0})
    assert result["in_reach_1000"].to_dict() == {"a": 1, "b": 1, "c": 0}


def test_access_compute_on_a_cost_table_matches_points(tmp_path, capsys):
    demand, supply = _files(tmp_path)
    costs = tmp_path / "costs.csv"
    costs.write_text("origin,dest,cost\na,lib,250\nb,lib,250\nc,lib,89750\n")
    out = tmp_path / "access.csv"
    args = ["access", "compute", "--demand", str(demand), "--supply", str(supply)]
    code = run([*args, "--costs", str(costs), "-o", str(out), "--method", "nearest"])
    assert code == 0
    capsys.readouterr()
    result = pd.read_csv(out, index_col="id")
    assert result.loc["a", "nearest_1600"] == 250
    assert pd.isna(result.loc["c", "nearest_1600"])  # nothing within 1,600 m: no distance


def test_access_compute_names_the_bad_row(tmp_path, capsys):
    demand, supply = _files(tmp_path)
    demand.write_text("id,population,x,y\na,100,0,0\nb,lots,500,0\n")
    code = run(
        ["access", "compute", "--demand", str(demand), "--supply", str(supply), "-o", "x.csv"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "demand.csv, row 2, field 'population': is not a number ('lots')" in err


def test_inequality_sii_by_hand(tmp_path, capsys):
    table = tmp_path / "deciles.csv"
    rows = "\n".join(f"{q},{10 * q},1000,0.5" for q in range(1, 6))
    table.write_text("quantile,value,population,se\n" + rows + "\n")
    code = run(["inequality", "sii", str(table), "--se", "se", "--seed", "7", "--json"])
    assert code == 0
    result = _json(capsys)
    # A straight line from 10 to 50 over equal fifths: the fitted ends are 5 and 55.
    assert result["sii"] == pytest.approx(50)
    assert result["rii"] == pytest.approx(11)
    assert result["sii_lower"] < 50 < result["sii_upper"]


def test_inequality_sii_from_areas(tmp_path, capsys):
    table = tmp_path / "areas.csv"
    lines = ["code,access,pop,decile"]
    for decile in range(1, 11):
        for k in range(3):  # three areas per decile, spread around 2 * decile
            lines.append(f"E{decile}{k},{2 * decile + (k - 1) * 0.5},1000,{decile}")
    table.write_text("\n".join(lines) + "\n")
    args = ["inequality", "sii", str(table), "--areas", "--value", "access"]
    assert run([*args, "--population", "pop", "--quantile", "decile", "--json"]) == 0
    result = _json(capsys)
    assert result["groups"] == 10
    assert result["sii"] == pytest.approx(20)  # 2 per decile over ten equal deciles
    assert result["sii_lower"] is not None


def test_inequality_sii_from_areas_takes_no_standard_errors(tmp_path, capsys):
    table = tmp_path / "areas.csv"
    table.write_text("code,value,population,quantile,se\nE1,1,10,1,0.1\n")
    assert run(["inequality", "sii", str(table), "--areas", "--se", "se"]) == 2
    err = capsys.readouterr().err
    assert "standard errors come from the spread" in err and "field 'se'" in err


def test_inequality_sii_missing_column(tmp_path, capsys):
    table = tmp_path / "deciles.csv"
    table.write_text("quantile,value,population\n1,1,10\n")
    assert run(["inequality", "sii", str(table), "--value", "rate"]) == 2
    assert "no column 'rate'" in capsys.readouterr().err

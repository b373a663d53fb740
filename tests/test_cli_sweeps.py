"""``mobilise sweeps``: start a sweep in chunks, its status chunk by chunk, results and export;
a failed chunk resumes; bad input exits non-zero with one line naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mobilise import open_workspace
from mobilise.cli.main import run

from .integration.test_access_runs import build_gridton


@pytest.fixture
def gridton(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("MOBILISE_DASK_SCHEDULER", "in-process")
    path = tmp_path / "gridton.sqlite"
    with open_workspace(path) as ws:
        build_gridton(ws)
    return path


def test_start_status_results_export_and_resume(gridton, tmp_path, capsys):
    ws = ["-w", str(gridton)]
    args = ["sweeps", "start", "--places", "gridton", "-c", "library", "--method", "2sfca"]
    assert run([*ws, *args, "--decays", "none", "--chunk-size", "2", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["status"] == "done" and made["chunks"]["done"] == 3
    assert run([*ws, "sweeps", "status", made["id"]]) == 0
    assert "3 done" in capsys.readouterr().out
    assert run([*ws, "sweeps", "results", made["id"], "--limit", "3"]) == 0
    assert "12 results." in capsys.readouterr().out
    target = tmp_path / "out" / "sweep.csv"
    assert run([*ws, "sweeps", "export", made["id"], str(target)]) == 0
    assert target.read_text().count("\n") == 13
    assert run([*ws, "sweeps", "list"]) == 0
    assert made["id"][:8] in capsys.readouterr().out
    assert run([*ws, "sweeps", "resume", made["id"], "--json"]) == 0  # done: nothing to do
    assert json.loads(capsys.readouterr().out)["summary"]["runs"][-1]["pass2_chunks"] == [0, 1, 2]


def test_bad_input_exits_with_one_line(gridton, capsys):
    ws = ["-w", str(gridton)]
    code = run(
        [*ws, "sweeps", "start", "--places", "gridton", "-c", "library", "--profiles", "walk"]
    )
    assert code != 0
    assert "street network" in capsys.readouterr().err
    assert run([*ws, "sweeps", "status", "nope"]) == 3  # not found

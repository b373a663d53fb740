"""Access sweeps through the workspace, on SQLite and PostgreSQL: chunked results equal to the
access runs, streamed per chunk, a failed chunk named and resumed without recomputing the rest.

Gridton (see test_access_runs) has hand-checkable 2SFCA values: at 800 m, A1 and A2 get 2.5
libraries per 1,000 residents, A5 5.0, the rest 0; at 1,600 m A1-A3 get 1.0 and A4-A6 2.0.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from mobilise import Conflict, ValidationError
from mobilise.analysis.sweep import Fault
from mobilise.store.tables import access_sweep_chunks

from .test_access_runs import build_gridton, plan


@pytest.fixture(autouse=True)
def _in_process(monkeypatch):
    """Chunks run here unless a test names a cluster (a local cluster takes seconds to start)."""
    monkeypatch.setenv("MOBILISE_DASK_SCHEDULER", "in-process")


@pytest.fixture
def gridton(workspace):
    return build_gridton(workspace)


def _values(frame, catchment):
    rows = frame[frame["catchment"] == catchment].sort_values("area_code")
    return rows["value"].round(9).tolist()


def test_a_sweep_gives_the_hand_checked_2sfca_in_chunks(gridton):
    sweep = gridton.sweeps.start(
        "gridton", categories="library", method="2sfca", decays="none", chunk_size=2
    )
    assert (sweep.status, sweep.chunks_total, sweep.chunks["pending"]) == ("queued", 3, 3)
    steps = []
    done = gridton.sweeps.execute(sweep.id, lambda step, d, t: steps.append((d, t)))
    assert done.status == "done" and done.chunks["done"] == 3
    assert steps[-1] == (6, 6)  # 3 chunks x 2 passes
    frame = gridton.sweeps.results(sweep.id)
    assert _values(frame, 800.0) == [2.5, 2.5, 0.0, 0.0, 5.0, 0.0]
    assert _values(frame, 1600.0) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]
    assert set(frame["unit"]) == {"m"} and set(frame["place"]) == {"gridton"}
    assert done.summary["runs"][0]["where"] == "in this process"


@pytest.mark.parametrize("method", ["e2sfca", "3sfca", "gravity"])
def test_a_sweep_equals_the_access_run_of_the_same_plan(gridton, method):
    decays = "gaussian,step" if method != "e2sfca" else "step"
    run = gridton.access.run(
        "gridton", plan(method=method, decays=decays, categories="library,parks")
    )
    expected = gridton.access.results(run.id)
    sweep = gridton.sweeps.start(
        "gridton", categories="library,parks", method=method, decays=decays, chunk_size=4
    )
    frame = gridton.sweeps.results(gridton.sweeps.execute(sweep.id).id)
    merged = expected.merge(
        frame.rename(columns={"catchment": "catchment_m"}),
        on=["category", "catchment_m", "decay", "area_code"],
        suffixes=("_run", "_sweep"),
    )
    assert len(merged) == len(expected) == len(frame)
    np.testing.assert_allclose(merged["value_sweep"], merged["value_run"], rtol=1e-9, atol=1e-12)
    assert (merged["in_reach_sweep"] == merged["in_reach_run"]).all()


def test_a_failed_chunk_fails_the_sweep_by_name_and_resume_computes_only_it(gridton):
    sweep = gridton.sweeps.start(
        "gridton", categories="library", method="2sfca", decays="none", chunk_size=2
    )
    gridton.sweeps.fault = Fault(chunk=1, stage="pass2")
    with pytest.raises(Exception, match="chunk 1"):
        gridton.sweeps.execute(sweep.id)
    failed = gridton.sweeps.get(sweep.id)
    assert failed.status == "failed" and "chunk 1: ChunkFault" in failed.error
    assert failed.chunks == {"pending": 0, "partials": 0, "done": 2, "failed": 1}
    streamed = gridton.sweeps.results(sweep.id)  # the finished chunks' results are stored
    assert sorted(set(streamed["area_code"])) == [
        "E01000101",
        "E01000102",
        "E01000105",
        "E01000106",
    ]
    gridton.sweeps.fault = None
    done = gridton.sweeps.execute(sweep.id)
    assert done.status == "done" and done.error == ""
    last = done.summary["runs"][-1]
    assert (last["pass1_chunks"], last["pass2_chunks"]) == ([], [1])  # only the unfinished one
    with gridton.read() as connection:
        attempts = dict(
            connection.execute(
                select(access_sweep_chunks.c.number, access_sweep_chunks.c.attempts).where(
                    access_sweep_chunks.c.sweep_id == sweep.id
                )
            ).all()
        )
    assert attempts == {0: 2, 1: 3, 2: 2}  # chunk 1: pass 1, failed pass 2, pass 2 again
    frame = gridton.sweeps.results(sweep.id)
    assert _values(frame, 800.0) == [2.5, 2.5, 0.0, 0.0, 5.0, 0.0]


def test_a_sweep_runs_as_a_job_on_a_dask_cluster(gridton, monkeypatch):
    distributed = pytest.importorskip("distributed")
    sweep = gridton.sweeps.submit(
        "gridton", categories="library", method="2sfca", decays="none", chunk_size=2
    )
    assert sweep.job_id and sweep.status == "queued"
    with (
        distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
        ) as cluster,
    ):
        monkeypatch.setenv("MOBILISE_DASK_SCHEDULER", cluster.scheduler_address)
        assert gridton.jobs.work(until_idle=True) == 1
    job = gridton.jobs.get(sweep.job_id)
    assert job.status == "done", job.error
    done = gridton.sweeps.get(sweep.id)
    assert done.summary["runs"][0]["where"].startswith("the Dask scheduler at ")
    assert _values(gridton.sweeps.results(sweep.id), 1600.0) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0]


def test_cancel_stops_a_queued_sweep_and_resume_queues_it_again(gridton):
    sweep = gridton.sweeps.submit("gridton", categories="library", method="count")
    cancelled = gridton.sweeps.cancel(sweep.id)
    assert cancelled.status == "cancelled"
    gridton.jobs.work(until_idle=True)  # the job finds it cancelled and runs nothing
    assert gridton.sweeps.get(sweep.id).chunks["done"] == 0
    with pytest.raises(Conflict):
        gridton.sweeps.cancel(sweep.id)
    again = gridton.sweeps.resume(sweep.id)
    assert again.status == "queued" and again.job_id != sweep.job_id
    gridton.jobs.work(until_idle=True)
    assert gridton.sweeps.get(sweep.id).status == "done"
    with pytest.raises(Conflict, match="only a failed or cancelled"):
        gridton.sweeps.resume(sweep.id)


def test_a_bad_plan_is_refused_with_every_problem(gridton):
    with pytest.raises(ValidationError) as refused:
        gridton.sweeps.start(
            "gridton,nowhere",
            categories="library,unicorns",
            profiles="straight-line,walk,hover",
            catchments_min="0",
        )
    fields = {p.field for p in refused.value.problems}
    assert {"places", "category", "profiles", "catchments_min"} <= fields
    with pytest.raises(ValidationError, match="street network"):
        gridton.sweeps.start("gridton", categories="library", profiles="walk")


def test_the_export_is_csv_with_every_result(gridton):
    sweep = gridton.sweeps.start("gridton", categories="library", method="count", chunk_size=6)
    gridton.sweeps.execute(sweep.id)
    buffer = io.BytesIO()
    assert gridton.sweeps.export(sweep.id, buffer) == 12
    frame = pd.read_csv(io.BytesIO(buffer.getvalue()))
    assert list(frame.columns[:4]) == ["profile", "category", "catchment", "unit"]
    assert len(frame) == 12 and [c["state"] for c in gridton.sweeps.chunks(sweep.id)] == ["done"]

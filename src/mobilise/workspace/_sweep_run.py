"""Running an access sweep (private to :mod:`mobilise.workspace.sweeps`): its inputs from the
workspace, where its chunks run (Dask), and what each chunk stores as it finishes.

Each chunk's pass-1 sums, then its results, are written in one short transaction each (with the
chunk's state and the sweep's progress), so results stream in while the rest runs and a failed
or cancelled sweep keeps everything its finished chunks made.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select, update

from mobilise.analysis.sweep import (
    STRAIGHT_LINE,
    Chunk,
    ChunkFailed,
    ChunkPartials,
    Fault,
    Scenario,
    SweepInput,
    run_sweep,
)
from mobilise.errors import ConfigurationError, MobiliseError
from mobilise.model.access_plan import AccessPlan
from mobilise.store.records import new_id, now, record_values
from mobilise.store.tables import access_sweep_chunks, access_sweep_results, access_sweeps
from mobilise.workspace._common import Progress, chunked
from mobilise.workspace.access_measures import make_decay

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.sweeps import Sweep

__all__ = ["METRES_PER_MINUTE", "execute"]

# How far a network profile can go in a minute, generously (for which assets a place's chunks
# pair with): walking 4.8 km/h and cycling 15 km/h, plus a quarter, plus the snap legs.
METRES_PER_MINUTE = {"walk": 100.0, "step-free": 100.0, "cycle": 312.5}
SNAP_ALLOWANCE_M = 1000.0
_MAX_REACH_M = 50_000.0
_log = logging.getLogger(__name__)


class _Cancelled(Exception):
    """The sweep was cancelled while it ran."""


@dataclass
class _Stored:
    """The chunks as stored: their origins, states and pass-1 sums."""

    chunks: list[Chunk]
    partials: dict[int, ChunkPartials]
    finished: set[int]


def execute(
    workspace: Workspace, sweep: Sweep, progress: Progress, *, client: Any, fault: Fault | None
) -> None:
    """Compute (or resume) ``sweep``; its outcome is stored with it (see the module docstring)."""
    params = sweep.parameters
    _set(workspace, sweep.id, status="running", step="Reading data", error="", started_at=now())
    progress("Reading data", 0, 1)
    try:
        data, notes = _inputs(workspace, sweep)
        stored = _stored(workspace, sweep.id, set(data.origins.index))
        passes = 2 if data.method in ("2sfca", "e2sfca", "3sfca", "bfca") else 1
        total = passes * len(stored.chunks)
        units = len(stored.finished) * passes + len(set(stored.partials) - stored.finished)
        counter = {"done": units}

        def advance(chunk: Chunk, text: str) -> None:
            counter["done"] += 1
            step = f"Chunk {chunk.number + 1} of {len(stored.chunks)}: {text}"
            progress(step, counter["done"], total)

        def on_partials(chunk: Chunk, sums: ChunkPartials, seconds: float) -> None:
            _keep_partials(workspace, sweep.id, chunk, sums, seconds, counter["done"] + 1, total)
            advance(chunk, "demand summed (pass 1)")

        def on_results(chunk: Chunk, frame: pd.DataFrame, seconds: float) -> None:
            frame["value"] = frame["value"] * float(params["scale"])
            _keep_results(workspace, sweep.id, chunk, frame, seconds, counter["done"] + 1, total)
            advance(chunk, f"{len(frame):,} results stored")

        with _dask(client, len(stored.chunks) - len(stored.finished)) as (dask_client, where):
            _set(workspace, sweep.id, step=f"Running {total - units} passes ({where})")
            outcome = run_sweep(
                data,
                stored.chunks,
                client=dask_client,
                partials=stored.partials,
                finished=stored.finished,
                on_partials=on_partials,
                on_results=on_results,
                fault=fault,
            )
    except _Cancelled:
        return
    except ChunkFailed as failed:
        _fail_chunks(workspace, sweep.id, failed.failures)
        _set(
            workspace,
            sweep.id,
            status="failed",
            step="Failed",
            error=str(failed),
            finished_at=now(),
        )
        raise
    except Exception as error:
        if not isinstance(error, MobiliseError):
            _log.exception("Access sweep %s failed", sweep.id)
        message = (
            str(error)
            if isinstance(error, MobiliseError)
            else (
                f"The sweep stopped on an unexpected error ({type(error).__name__}: {error}). "
                "The details are in the server log; what its chunks stored is kept."
            )
        )
        _set(workspace, sweep.id, status="failed", step="Failed", error=message, finished_at=now())
        raise
    runs = [*sweep.summary.get("runs", []), {
        "where": where,
        "pass1_chunks": sorted(outcome.pass1_chunks),
        "pass2_chunks": sorted(outcome.pass2_chunks),
        "seconds": round(outcome.seconds, 3),
    }]  # fmt: skip
    summary = {
        "origins": len(data.origins),
        "destinations": len(data.destinations),
        "notes": notes,
        "warnings": outcome.warnings[:100],
        "runs": runs,
    }
    _set(
        workspace,
        sweep.id,
        status="done",
        step="Done",
        progress=1.0,
        summary=summary,
        finished_at=now(),
    )
    progress("Done", total, total)


# -- inputs ---------------------------------------------------------------------------------------
def _inputs(workspace: Workspace, sweep: Sweep) -> tuple[SweepInput, list[str]]:
    """The origins and destinations of every place (each area and asset once), the scenarios of
    every profile, and the street networks the network profiles need."""
    from mobilise.workspace.access_inputs import read_inputs

    params = sweep.parameters
    profiles = list(params["profiles"])
    reach = max(
        [
            max(params["catchments_m"], default=0.0),
            *(
                max(params["catchments_min"]) * METRES_PER_MINUTE[p] + SNAP_ALLOWANCE_M
                for p in profiles
                if p != STRAIGHT_LINE
            ),
        ]
    )
    plan = AccessPlan.build(
        categories=params["categories"],
        method=params["method"],
        catchments_m=[min(max(reach, 50.0), _MAX_REACH_M)],
        decays=params["decays"],
        supply=params["supply"],
    )
    origins, destinations, notes = [], [], []
    place_destinations: dict[str, list[str]] = {}
    for place in sweep.places:
        inputs, _versions = read_inputs(workspace, place, plan)
        origins.append(inputs.origins[["x", "y", "population"]])
        destinations.append(inputs.destinations[["category", "x", "y", "supply"]])
        place_destinations[place] = list(inputs.destinations.index)
        notes += [f"{place}: {note}" for note in inputs.report.get("notes", [])]
    all_origins = pd.concat(origins)
    all_destinations = pd.concat(destinations)
    scenarios = {
        profile: [
            Scenario(category, float(catchment), decay, make_decay(decay, float(catchment)))
            for category in params["categories"]
            for catchment in params[
                "catchments_m" if profile == STRAIGHT_LINE else "catchments_min"
            ]
            for decay in params["decays"]
        ]
        for profile in profiles
    }
    networks = {
        (place, profile): workspace.networks.load(place, profile)
        for place in sweep.places
        for profile in profiles
        if profile != STRAIGHT_LINE
    }
    data = SweepInput(
        origins=all_origins[~all_origins.index.duplicated()],
        destinations=all_destinations[~all_destinations.index.duplicated()],
        method=params["method"],
        scenarios=scenarios,
        place_destinations=place_destinations,
        networks=networks,
    )
    return data, notes


def _stored(workspace: Workspace, sweep_id: str, located: set[str]) -> _Stored:
    """The chunks as stored (failed ones back to what they had finished), with only the origins
    that have a position; a chunk with none is finished at once."""
    c = access_sweep_chunks.c
    with workspace.write() as connection:
        connection.execute(
            update(access_sweep_chunks)
            .where(c.sweep_id == sweep_id, c.state == "failed")
            .values(state="pending", error="")
        )
        connection.execute(
            update(access_sweep_chunks)
            .where(c.sweep_id == sweep_id, c.state == "pending", c.partials.is_not(None))
            .values(state="partials")
        )
        rows = connection.execute(
            select(c.number, c.place_slug, c.profile, c.origins, c.state, c.partials)
            .where(c.sweep_id == sweep_id)
            .order_by(c.number)
        ).all()
    stored = _Stored([], {}, set())
    for row in rows:
        codes = tuple(code for code in row.origins if code in located)
        stored.chunks.append(Chunk(row.number, row.place_slug, row.profile, codes))
        if row.partials is not None:
            stored.partials[row.number] = ChunkPartials.from_bytes(bytes(row.partials))
        if row.state == "done" or not codes:
            stored.finished.add(row.number)
    empty = [r.number for r in rows if r.state != "done" and r.number in stored.finished]
    if empty:
        with workspace.write() as connection:
            connection.execute(
                update(access_sweep_chunks)
                .where(c.sweep_id == sweep_id, c.number.in_(empty))
                .values(state="done", error="no origin with a position")
            )
    stored.chunks = [chunk for chunk in stored.chunks if chunk.origin_ids]
    return stored


# -- where the chunks run -------------------------------------------------------------------------
@contextmanager
def _dask(client: Any, chunks_left: int) -> Iterator[tuple[Any, str]]:
    """The Dask client to run on, and where that is in words."""
    if client is not None:
        yield client, "the Dask cluster given"
        return
    from mobilise.settings import load_settings

    address = load_settings().dask_scheduler.strip()
    if address.lower() == "in-process" or (not address and chunks_left <= 1):
        yield None, "in this process"
        return
    from distributed import Client, LocalCluster

    if address:
        try:
            remote = Client(address, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise ConfigurationError(
                f"Cannot reach the Dask scheduler {address!r} (MOBILISE_DASK_SCHEDULER): {error}."
            ) from error
        with remote:
            yield remote, f"the Dask scheduler at {address}"
        return
    workers = max(1, min(os.cpu_count() or 1, 4, chunks_left))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as local,
    ):
        yield local, f"a local Dask cluster of {workers} worker processes"


# -- storing as chunks finish ---------------------------------------------------------------------
def _check_running(connection: Any, sweep_id: str) -> None:
    status = connection.execute(
        select(access_sweeps.c.status).where(access_sweeps.c.id == sweep_id)
    ).scalar_one()
    if status == "cancelled":
        raise _Cancelled(sweep_id)


def _keep_partials(
    workspace: Workspace,
    sweep_id: str,
    chunk: Chunk,
    sums: ChunkPartials,
    seconds: float,
    done: int,
    total: int,
) -> None:
    c = access_sweep_chunks.c
    with workspace.write() as connection:
        _check_running(connection, sweep_id)
        connection.execute(
            update(access_sweep_chunks)
            .where(c.sweep_id == sweep_id, c.number == chunk.number)
            .values(
                state="partials",
                partials=sums.to_bytes(),
                pass1_seconds=round(seconds, 4),
                attempts=c.attempts + 1,
                updated_at=now(),
            )
        )
        _progress(connection, sweep_id, done, total)


def _keep_results(
    workspace: Workspace,
    sweep_id: str,
    chunk: Chunk,
    frame: pd.DataFrame,
    seconds: float,
    done: int,
    total: int,
) -> None:
    values = frame["value"].to_numpy(dtype=float)
    if not np.isfinite(values).all():  # never store a silent NaN
        raise MobiliseError(f"Chunk {chunk.number} gave a missing access value; not stored.")
    stamp = record_values(workspace.actor)
    nearest = frame["nearest"].astype(object).where(frame["nearest"].notna(), None)
    rows = [
        {
            "id": new_id(),
            "sweep_id": sweep_id,
            "chunk": chunk.number,
            "area_code": area,
            "place_slug": chunk.place,
            "category": category,
            "catchment": float(catchment),
            "decay": decay,
            "profile": chunk.profile,
            "value": float(value),
            "in_reach": int(in_reach),
            "nearest": None if near is None else float(near),
            **stamp,
        }
        for area, category, catchment, decay, value, in_reach, near in zip(
            frame["area_code"], frame["category"], frame["catchment"], frame["decay"],
            values, frame["in_reach"], nearest, strict=True,
        )
    ]  # fmt: skip
    c = access_sweep_chunks.c
    with workspace.write() as connection:
        _check_running(connection, sweep_id)
        for part in chunked(rows, 5000):
            connection.execute(insert(access_sweep_results), list(part))
        connection.execute(
            update(access_sweep_chunks)
            .where(c.sweep_id == sweep_id, c.number == chunk.number)
            .values(
                state="done",
                pass2_seconds=round(seconds, 4),
                attempts=c.attempts + 1,
                updated_at=now(),
            )
        )
        _progress(connection, sweep_id, done, total)


def _progress(connection: Any, sweep_id: str, done: int, total: int) -> None:
    share = min(done / total, 0.999) if total else 0.0
    connection.execute(
        update(access_sweeps)
        .where(access_sweeps.c.id == sweep_id)
        .values(progress=round(share, 4), step=f"{done:,} of {total:,} chunk passes done")
    )


def _fail_chunks(workspace: Workspace, sweep_id: str, failures: dict[int, str]) -> None:
    c = access_sweep_chunks.c
    with workspace.write() as connection:
        for number, text in failures.items():
            connection.execute(
                update(access_sweep_chunks)
                .where(c.sweep_id == sweep_id, c.number == number)
                .values(state="failed", error=text[:2000], attempts=c.attempts + 1)
            )


def _set(workspace: Workspace, sweep_id: str, **values: Any) -> None:
    if "summary" in values:
        values["summary"] = _jsonable(values["summary"])
    with workspace.write() as connection:
        connection.execute(
            update(access_sweeps).where(access_sweeps.c.id == sweep_id).values(**values)
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value

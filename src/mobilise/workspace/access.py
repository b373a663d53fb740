"""Access analysis runs: who can reach which assets, and how access follows deprivation.

A run is saved with its plan (categories, method, catchments, decays, need rules), the versions
of the data it read and, once done, its results per area and a summary. It can be shown again,
downloaded and re-run on newer data. The web app starts runs in the background and shows their
progress; the CLI runs them in the foreground with a progress bar.
"""

from __future__ import annotations

import builtins
import logging
import math
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, and_, insert, or_, select, update
from sqlalchemy.exc import OperationalError

from mobilise.errors import MobiliseError, NotFound, Problem, ValidationError
from mobilise.model.access_plan import METHODS, AccessPlan, canonical_category
from mobilise.store.records import audit, insert_record, new_id, now, record_values
from mobilise.store.tables import analysis_results, analysis_runs, areas, places
from mobilise.workspace._common import Progress, chunked, no_progress
from mobilise.workspace._files import FileTarget, source_name

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.workspace.access_compute import AccessInputs
    from mobilise.workspace.core import Workspace

__all__ = ["EXPORT_SUFFIXES", "RESULT_COLUMNS", "AccessRun", "AccessService"]

EXPORT_SUFFIXES = (".csv", ".gpkg")

ENTITY = "analysis_run"
# A run that has not reported progress for this long was cut off (the server stopped).
STALE_AFTER = timedelta(minutes=10)
RESULT_COLUMNS = [
    "category",
    "catchment_m",
    "decay",
    "area_code",
    "population",
    "imd_decile",
    "value",
    "in_reach",
    "nearest_m",
    "cluster",
    "priority",
    "reasons",
]
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessRun:
    """A saved access analysis run."""

    id: str
    place: str
    place_name: str
    status: str  # queued, running, done, failed
    progress: float
    step: str
    error: str
    plan: AccessPlan
    data_versions: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    rerun_of: str | None
    version: int
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    job_id: str | None = None  # the job computing it, when submitted to the workers

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def scenario(
        self, category: str, catchment_m: float | None = None, decay: str | None = None
    ) -> dict[str, Any]:
        """The summary of one scenario (the first catchment and decay when not named)."""
        category = canonical_category(category)
        for item in self.scenarios:
            if (
                item["category"] == category
                and (catchment_m is None or float(item["catchment_m"]) == float(catchment_m))
                and (decay is None or item["decay"] == decay)
            ):
                return item
        raise NotFound(
            f"Run {self.id} has no results for {category!r}"
            + (f" at {catchment_m:g} m" if catchment_m is not None else "")
            + (f" with {decay!r} decay" if decay else "")
            + "."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "place": self.place,
            "place_name": self.place_name,
            "status": self.status,
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
            "parameters": self.plan.to_dict(),
            "method_label": METHODS[self.plan.method].label,
            "data_versions": self.data_versions,
            "summary": self.summary,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "rerun_of": self.rerun_of,
            "version": self.version,
            **({"job_id": self.job_id} if self.job_id else {}),
        }


class AccessService:
    """Plan, run, re-run and read access analyses (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- running -------------------------------------------------------------------------------
    def start(self, place: str, plan: AccessPlan, *, rerun_of: str | None = None) -> AccessRun:
        """Save a queued run; :meth:`execute` computes it (now, or in the background)."""
        self._check_inputs_exist(place, plan)
        with self._ws.write() as connection:
            place_id = self._place_id(connection, place)
            row = insert_record(
                connection,
                analysis_runs,
                {
                    "kind": "access",
                    "place_id": place_id,
                    "parameters": plan.to_dict(),
                    "data_versions": {},
                    "status": "queued",
                    "progress": 0.0,
                    "step": "Waiting to start",
                    "error": "",
                    "summary": {},
                    "rerun_of": rerun_of,
                },
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
        return self.get(row["id"])

    def submit(self, place: str, plan: AccessPlan, *, rerun_of: str | None = None) -> AccessRun:
        """Save a queued run and queue the job that computes it, together (a background
        worker runs it: see :mod:`mobilise.workspace.jobs`). The run's ``job_id`` names the job."""
        self._check_inputs_exist(place, plan)
        with self._ws.write():
            run = self.start(place, plan, rerun_of=rerun_of)
            job = self._ws.jobs.submit("access.run", {"run_id": run.id, "place": place})
        return replace(run, job_id=job.id)

    def execute(
        self, run_id: str, progress: Progress = no_progress, *, resume: bool = False
    ) -> AccessRun:
        """Compute a queued run and store its results (all or nothing).

        A failure is stored with the run (status ``failed`` and the reason in words) and raised.
        ``resume``: the run's job was taken over from a worker that stopped, so a run left
        ``running`` by it is computed again (a run already done is returned as it is).
        """
        if resume:
            finished = self._resume(run_id)
            if finished is not None:
                return finished
        run = self.get(run_id)
        plan = run.plan
        # Reading, neighbours, pairs per category, each scenario, saving.
        total = 2 + len(plan.categories) + len(plan.scenarios) + 1
        done = 0

        def tick(text: str) -> None:
            nonlocal done
            done = min(done + 1, total - 1)
            self._progress(run_id, done / total, text)
            progress(text, done, total)

        from mobilise.workspace.access_compute import compute

        self._claim(run)
        progress("Reading data", 0, total)
        try:
            inputs, versions = self.inputs(run.place, plan)
            results, summary = compute(plan, inputs, step=tick)
            self._progress(run_id, (total - 1) / total, "Saving results")
            progress("Saving results", total - 1, total)
            self._save(run_id, results, summary, versions)
        except Exception as error:
            if isinstance(error, MobiliseError):
                message = str(error)
            else:
                _log.exception("Access run %s failed", run_id)
                message = (
                    f"The run stopped on an unexpected error ({type(error).__name__}: {error}). "
                    "The details are in the server log."
                )
            self._mark(run_id, status="failed", error=message, finished_at=now(), step="Failed")
            raise
        progress("Done", total, total)
        return self.get(run_id)

    def run(self, place: str, plan: AccessPlan, progress: Progress = no_progress) -> AccessRun:
        """Start and compute a run in this thread."""
        return self.execute(self.start(place, plan).id, progress)

    def rerun(self, run_id: str) -> AccessRun:
        """A new queued run with the same place and plan, to compute on today's data."""
        old = self.get(run_id)
        return self.start(old.place, old.plan, rerun_of=old.id)

    # -- reading -------------------------------------------------------------------------------
    def get(self, run_id: str) -> AccessRun:
        with self._ws.read() as connection:
            row = connection.execute(
                select(analysis_runs, places.c.slug, places.c.name.label("place_name"))
                .join(places, places.c.id == analysis_runs.c.place_id)
                .where(
                    analysis_runs.c.id == run_id,
                    analysis_runs.c.deleted_at.is_(None),
                    analysis_runs.c.kind == "access",  # (a drivers run is not one)
                )
            ).first()
        if row is None:
            raise NotFound(f"No access run {run_id!r}. See `mobilise access runs` for the runs.")
        return _run(row)

    def list(self, place: str | None = None, *, limit: int = 50) -> builtins.list[AccessRun]:
        """Runs, newest first (of one place when named)."""
        query = (
            select(analysis_runs, places.c.slug, places.c.name.label("place_name"))
            .join(places, places.c.id == analysis_runs.c.place_id)
            .where(analysis_runs.c.deleted_at.is_(None), analysis_runs.c.kind == "access")
            .order_by(analysis_runs.c.created_at.desc())
            .limit(limit)
        )
        if place is not None:
            query = query.where(places.c.slug == place)
        with self._ws.read() as connection:
            if place is not None:
                self._place_id(connection, place)
            return [_run(row) for row in connection.execute(query)]

    def latest(self, place: str) -> AccessRun | None:
        """The newest finished run of a place, if any."""
        return next((r for r in self.list(place) if r.status == "done"), None)

    def results(
        self,
        run_id: str,
        *,
        category: str | None = None,
        catchment_m: float | None = None,
        decay: str | None = None,
    ) -> pd.DataFrame:
        """A run's results per area (one row per scenario and area), with area names."""
        run = self.get(run_id)
        _require_done(run)
        if category is not None:
            category = canonical_category(category)
        query = select(*(analysis_results.c[c] for c in RESULT_COLUMNS), areas.c.name).join(
            areas, areas.c.code == analysis_results.c.area_code
        )
        query = query.where(analysis_results.c.run_id == run_id)
        if category is not None:
            query = query.where(analysis_results.c.category == category)
        if catchment_m is not None:
            query = query.where(analysis_results.c.catchment_m == float(catchment_m))
        if decay is not None:
            query = query.where(analysis_results.c.decay == decay)
        query = query.order_by(
            analysis_results.c.category,
            analysis_results.c.catchment_m,
            analysis_results.c.decay,
            analysis_results.c.area_code,
        )
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        import pandas as pd

        frame = pd.DataFrame([tuple(r) for r in rows], columns=[*RESULT_COLUMNS, "area_name"])
        frame["imd_decile"] = frame["imd_decile"].astype("Int64")  # whole deciles, <NA> if none
        if frame.empty and (category or catchment_m or decay):
            run.scenario(category or "", catchment_m, decay)  # NotFound naming what is missing
        return frame

    def geojson(
        self,
        run_id: str,
        *,
        category: str,
        catchment_m: float | None = None,
        decay: str | None = None,
    ) -> str:
        """One scenario's results as GeoJSON text: each area's boundary with its access, what it
        can reach, its LISA cluster, whether it is a priority and why, its IMD decile and
        residents. The stored boundary text is spliced in unparsed (fast for thousands)."""
        from mobilise.workspace.access_export import scenario_geojson

        run = self.get(run_id)
        _require_done(run)
        chosen = run.scenario(category, catchment_m, decay)
        frame = self.results(
            run_id, category=category, catchment_m=chosen["catchment_m"], decay=chosen["decay"]
        )
        compared = chosen.get("comparison") or {}
        extra = {a["area_code"]: a for a in compared.get("areas", [])}
        return scenario_geojson(self._ws, frame, extra)

    def export(self, run_id: str, target: FileTarget, *, format: str | None = None) -> int:
        """Write a run's results to ``target`` (a path, or a binary stream such as a web
        response): ``csv``, or ``gpkg`` (a GeoPackage with the areas' boundaries). ``format``
        defaults to the suffix of the path (or of the stream's name). A path is replaced only
        once the file is complete. Returns the rows written."""
        from mobilise.workspace.access_export import write_results

        chosen = _export_format(target, format)
        run = self.get(run_id)
        frame = self.results(run_id)
        if isinstance(target, str | os.PathLike):  # the folder the user named may be new
            Path(target).parent.mkdir(parents=True, exist_ok=True)
        return write_results(self._ws, run, frame, target, chosen)

    def delete(self, run_id: str) -> None:
        """Soft-delete a run (its results stay, restorable)."""
        from mobilise.store.records import soft_delete_record

        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                analysis_runs,
                run_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type=ENTITY,
            )

    # -- inputs --------------------------------------------------------------------------------
    def inputs(self, place: str, plan: AccessPlan) -> tuple[AccessInputs, dict[str, Any]]:
        """The origins, destinations and boundaries a run of ``plan`` reads, with data versions
        (see :func:`mobilise.workspace.access_inputs.read_inputs`)."""
        from mobilise.workspace.access_inputs import read_inputs

        return read_inputs(self._ws, place, plan)

    # -- storing -------------------------------------------------------------------------------
    def _save(
        self,
        run_id: str,
        results: pd.DataFrame,
        summary: dict[str, Any],
        versions: dict[str, Any],
    ) -> None:
        import pandas as pd

        stamp = record_values(self._ws.actor)
        rows = [
            {
                "id": new_id(),
                "run_id": run_id,
                "category": r.category,
                "catchment_m": float(r.catchment_m),
                "decay": r.decay,
                "area_code": r.area_code,
                "population": float(r.population),
                "imd_decile": None if pd.isna(r.imd_decile) else int(r.imd_decile),
                "value": float(r.value),
                "in_reach": int(r.in_reach),
                "nearest_m": None if pd.isna(r.nearest_m) else float(r.nearest_m),
                "cluster": r.cluster,
                "priority": bool(r.priority),
                "reasons": list(r.reasons),
                **stamp,
            }
            for r in cast(Any, results).itertuples(index=False)
        ]
        if any(not math.isfinite(row["value"]) for row in rows):  # never store a silent NaN
            raise MobiliseError("An access value came out missing; nothing was stored.")
        with self._ws.write() as connection:
            for chunk in chunked(rows, 2000):
                connection.execute(insert(analysis_results), list(chunk))
            finished = now()
            connection.execute(
                update(analysis_runs)
                .where(analysis_runs.c.id == run_id)
                .values(
                    status="done",
                    progress=1.0,
                    step="Done",
                    error="",
                    summary=summary,
                    data_versions=versions,
                    finished_at=finished,
                    updated_at=finished,
                    updated_by=self._ws.actor,
                    version=analysis_runs.c.version + 1,
                )
            )
            self._audit(
                connection,
                run_id,
                {"status": "done", "results": len(rows), "data_versions": versions},
                f"Access run finished: {len(rows):,} results stored.",
            )

    def _claim(self, run: AccessRun) -> None:
        """Mark a run running, unless another worker has it: only a queued or failed run (or one
        that stopped reporting progress) can be claimed, in one statement."""
        stale = now() - STALE_AFTER
        claimable = or_(
            analysis_runs.c.status.in_(("queued", "failed")),
            and_(analysis_runs.c.status == "running", analysis_runs.c.updated_at < stale),
        )
        stamp = now()
        with self._ws.write() as connection:
            claimed = connection.execute(
                update(analysis_runs)
                .where(
                    analysis_runs.c.id == run.id,
                    analysis_runs.c.deleted_at.is_(None),
                    claimable,
                )
                .values(
                    status="running",
                    started_at=stamp,
                    finished_at=None,
                    progress=0.0,
                    step="Reading data",
                    error="",
                    updated_at=stamp,
                    updated_by=self._ws.actor,
                    version=analysis_runs.c.version + 1,
                )
            ).rowcount
            if claimed == 1:
                self._audit(connection, run.id, {"status": "running"}, "Access run running.")
        if claimed != 1:
            status = self.get(run.id).status
            raise ValidationError(f"Run {run.id} is {status}; start a new run instead.")

    def _resume(self, run_id: str) -> AccessRun | None:
        """Make a run its stopped worker left ``running`` claimable again; the run if done."""
        run = self.get(run_id)
        if run.status == "done":
            return run
        with self._ws.write() as connection:
            connection.execute(
                update(analysis_runs)
                .where(analysis_runs.c.id == run_id, analysis_runs.c.status == "running")
                .values(
                    status="queued",
                    step="Starting again",
                    updated_at=now(),
                    version=analysis_runs.c.version + 1,
                )
            )
        return None

    def _progress(self, run_id: str, fraction: float, step: str) -> None:
        """Report progress; best effort: a busy database delays the report, never the run."""
        try:
            with self._ws.write() as connection:
                connection.execute(
                    update(analysis_runs)
                    .where(analysis_runs.c.id == run_id)
                    .values(progress=round(fraction, 4), step=step[:300], updated_at=now())
                )
        except OperationalError:
            _log.warning("Could not report the progress of access run %s", run_id, exc_info=True)

    def _mark(self, run_id: str, **values: Any) -> None:
        with self._ws.write() as connection:
            connection.execute(
                update(analysis_runs)
                .where(analysis_runs.c.id == run_id)
                .values(
                    **values,
                    updated_at=now(),
                    updated_by=self._ws.actor,
                    version=analysis_runs.c.version + 1,
                )
            )
            if values.get("status") == "failed":
                self._audit(
                    connection,
                    run_id,
                    {k: v for k, v in values.items() if isinstance(v, str | float)},
                    f"Access run {values['status']}.",
                )

    # -- helpers -------------------------------------------------------------------------------
    def _audit(
        self, connection: Connection, run_id: str, after: dict[str, Any], summary: str
    ) -> None:
        audit(
            connection,
            actor=self._ws.actor,
            entity_type=ENTITY,
            entity_id=run_id,
            action="update",
            after=after,
            summary=summary,
        )

    def _place_id(self, connection: Connection, place: str) -> str:
        place_id = connection.execute(
            select(places.c.id).where(places.c.slug == place, places.c.deleted_at.is_(None))
        ).scalar_one_or_none()
        if place_id is None:
            raise NotFound(f"No place {place!r}. See `mobilise places list` for the places.")
        return str(place_id)

    def _check_inputs_exist(self, place: str, plan: AccessPlan) -> None:
        """The place, the health indicator and (for travel on streets) the network exist."""
        from mobilise.workspace._access_checks import check_inputs

        with self._ws.read() as connection:
            self._place_id(connection, place)
            check_inputs(self._ws, connection, place, plan)


def _export_format(target: FileTarget, format: str | None) -> str:
    """``csv`` or ``gpkg``: as given, else the suffix of the target's name."""
    named = source_name(target)
    chosen = format if format is not None else os.path.splitext(named)[1]
    if f".{chosen.lower().lstrip('.')}" not in EXPORT_SUFFIXES:
        raise ValidationError(
            f"Cannot write {named}: use a .csv or .gpkg file.",
            problems=[
                Problem("use a .csv or .gpkg file", field="output" if format is None else "format")
            ],
        )
    return chosen.lower().lstrip(".")


def _require_done(run: AccessRun) -> None:
    if run.status != "done":
        raise ValidationError(f"Run {run.id} is {run.status}; it has no results yet.")


def _run(row: Any) -> AccessRun:
    status, step, error = row.status, row.step, row.error
    if status in ("queued", "running") and now() - row.updated_at > STALE_AFTER:
        status, error = (
            "failed",
            (
                f"The run stopped reporting progress at {row.updated_at:%Y-%m-%d %H:%M} UTC (the "
                "server was probably stopped while it ran). Run it again."
            ),
        )
    summary = dict(row.summary or {})
    return AccessRun(
        id=row.id,
        place=row.slug,
        place_name=row.place_name,
        status=status,
        progress=float(row.progress),
        step=step,
        error=error,
        plan=AccessPlan.from_dict(row.parameters),
        data_versions=dict(row.data_versions or {}),
        summary=summary,
        created_at=row.created_at,
        created_by=row.created_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rerun_of=row.rerun_of,
        version=row.version,
        scenarios=list(summary.get("scenarios", [])),
    )

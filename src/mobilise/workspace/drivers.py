"""Drivers of disparities runs: which area characteristics go with a health outcome, and where.

A run is an ``analysis_runs`` row of kind ``drivers``: its plan (outcome, variables, models,
bandwidth search), the versions of the data and of the libraries it used and, once done, a
summary (every model's coefficients, diagnostics and words) and its results by area
(``driver_results``: least squares' predictions and residuals, the local models' coefficients).
It can be shown again and re-run on newer data. The web app submits runs as background jobs
(kind ``drivers.run``) and shows their progress; the CLI runs them in the foreground.

The evidence packs read :meth:`DriversService.latest` and :meth:`DriversRun.to_dict`.
"""

from __future__ import annotations

import builtins
import logging
import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from mobilise.errors import MobiliseError, NotFound, ValidationError
from mobilise.model.drivers_plan import DriversPlan
from mobilise.store.records import audit, insert_record, new_id, now, record_values
from mobilise.store.tables import analysis_runs, areas, driver_results, places
from mobilise.workspace._common import Progress, chunked, no_progress

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.analysis.drivers import DriversResult
    from mobilise.workspace.core import Workspace

__all__ = ["KIND", "DriversRun", "DriversService"]

KIND = "drivers"
ENTITY = "analysis_run"
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DriversRun:
    """A saved drivers run."""

    id: str
    place: str
    place_name: str
    status: str  # queued, running, done, failed
    progress: float
    step: str
    error: str
    plan: DriversPlan
    data_versions: dict[str, Any]
    summary: dict[str, Any]
    created_at: datetime
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    rerun_of: str | None
    version: int
    job_id: str | None = None  # the job computing it, when submitted to the workers

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def local_models(self) -> list[str]:
        """The local models with results by area ("gwr", "mgwr")."""
        return [m["kind"] for m in self.summary.get("local", [])]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": KIND,
            "place": self.place,
            "place_name": self.place_name,
            "status": self.status,
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
            "parameters": self.plan.to_dict(),
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


class DriversService:
    """Plan, run, re-run and read drivers analyses (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- running -------------------------------------------------------------------------------
    def start(self, place: str, plan: DriversPlan, *, rerun_of: str | None = None) -> DriversRun:
        """Save a queued run; :meth:`execute` computes it (now, or in the background)."""
        from mobilise.workspace._drivers_inputs import check_exists

        check_exists(self._ws, plan)
        with self._ws.write() as connection:
            place_id = self._place_id(connection, place)
            row = insert_record(
                connection,
                analysis_runs,
                {
                    "kind": KIND,
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

    def submit(self, place: str, plan: DriversPlan, *, rerun_of: str | None = None) -> DriversRun:
        """Save a queued run and queue the job that computes it, together."""
        with self._ws.write():
            run = self.start(place, plan, rerun_of=rerun_of)
            job = self._ws.jobs.submit("drivers.run", {"run_id": run.id, "place": place})
        return replace(run, job_id=job.id)

    def execute(
        self, run_id: str, progress: Progress = no_progress, *, resume: bool = False
    ) -> DriversRun:
        """Compute a queued run and store its results (all or nothing); a failure is stored
        with the run, in words, and raised. ``resume``: the run's job was taken over from a
        worker that stopped; a run already done is returned as it is."""
        run = self.get(run_id)
        if run.status == "done" or (run.status == "running" and not resume):
            if run.status == "done":
                return run
            raise ValidationError(f"Run {run.id} is already running; start a new run instead.")
        total = 3 + len(run.plan.models)
        done = 0

        def tick(text: str) -> None:
            nonlocal done
            done = min(done + 1, total - 1)
            self._set(run_id, progress=round(done / total, 4), step=text[:300])
            progress(text, done, total)

        started = now()
        self._set(run_id, status="running", started_at=started, step="Reading data", error="")
        progress("Reading data", 0, total)
        try:
            from mobilise.analysis.drivers import fit_drivers
            from mobilise.workspace._drivers_inputs import read_inputs

            inputs = read_inputs(self._ws, run.place, run.plan)
            plan = run.plan
            result = fit_drivers(
                inputs.frame,
                outcome=plan.outcome,
                variables=list(plan.variables),
                labels=inputs.labels,
                models=list(plan.models),
                neighbours=plan.neighbours,
                kernel=plan.kernel,
                fixed=plan.fixed,
                search=plan.search,
                bandwidth_min=plan.bandwidth_min,
                bandwidth_max=plan.bandwidth_max,
                interval=plan.interval,
                step=tick,
            )
            self._set(run_id, progress=round((total - 1) / total, 4), step="Saving results")
            progress("Saving results", total - 1, total)
            self._save(run_id, result, inputs.versions)
        except Exception as error:
            message = _failure(run_id, error)
            self._set(
                run_id, status="failed", error=message, step="Failed", finished_at=now(), audit=True
            )
            raise
        progress("Done", total, total)
        return self.get(run_id)

    def run(self, place: str, plan: DriversPlan, progress: Progress = no_progress) -> DriversRun:
        """Start and compute a run in this thread."""
        return self.execute(self.start(place, plan).id, progress)

    def rerun(self, run_id: str) -> DriversRun:
        """A new queued run with the same place and plan, to compute on today's data."""
        old = self.get(run_id)
        return self.start(old.place, old.plan, rerun_of=old.id)

    # -- reading -------------------------------------------------------------------------------
    def get(self, run_id: str) -> DriversRun:
        with self._ws.read() as connection:
            row = connection.execute(
                _runs().where(analysis_runs.c.id == run_id, analysis_runs.c.deleted_at.is_(None))
            ).first()
        if row is None:
            raise NotFound(f"No drivers run {run_id!r}. See `mobilise drivers list` for the runs.")
        return _run(row)

    def list(self, place: str | None = None, *, limit: int = 50) -> builtins.list[DriversRun]:
        """Runs, newest first (of one place when named)."""
        query = (
            _runs()
            .where(analysis_runs.c.deleted_at.is_(None))
            .order_by(analysis_runs.c.created_at.desc())
            .limit(limit)
        )
        if place is not None:
            query = query.where(places.c.slug == place)
        with self._ws.read() as connection:
            if place is not None:
                self._place_id(connection, place)
            return [_run(row) for row in connection.execute(query)]

    def latest(self, place: str) -> DriversRun | None:
        """The newest finished run of a place, if any (for the evidence packs)."""
        return next((r for r in self.list(place) if r.status == "done"), None)

    def variables(self, place: str) -> builtins.list[dict[str, str]]:
        """The explanatory variables a run of ``place`` can use, with their names in words."""
        from mobilise.workspace._drivers_inputs import known_variables

        self._ws.places.get(place)
        return known_variables(self._ws, place)

    def results(self, run_id: str, *, model: str = "ols") -> pd.DataFrame:
        """A run's results by area for one model (``ols``, ``gwr`` or ``mgwr``): area code and
        name, outcome, predicted, residual, local R² and, for a local model, each term's
        ``<term>:estimate``, ``:se``, ``:t`` and ``:significant``."""
        import pandas as pd

        run = self.get(run_id)
        _require_done(run)
        if model not in ("ols", *run.local_models):
            shown = ", ".join(["ols", *run.local_models])
            raise NotFound(f"Run {run_id} has no {model!r} results; it has {shown}.")
        query = (
            select(driver_results, areas.c.name.label("area_name"))
            .join(areas, areas.c.code == driver_results.c.area_code)
            .where(driver_results.c.run_id == run_id, driver_results.c.model == model)
            .order_by(driver_results.c.area_code)
        )
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        records = []
        for r in rows:
            record = {
                "area_code": r.area_code,
                "area_name": r.area_name,
                "outcome": r.outcome,
                "predicted": r.predicted,
                "residual": r.residual,
                "local_r2": r.local_r2,
            }
            for term, (estimate, se, t, significant) in (r.terms or {}).items():
                record.update(
                    {
                        f"{term}:estimate": estimate,
                        f"{term}:se": se,
                        f"{term}:t": t,
                        f"{term}:significant": bool(significant),
                    }
                )
            records.append(record)
        return pd.DataFrame.from_records(records)

    def geojson(self, run_id: str, *, model: str = "gwr", term: str | None = None) -> str:
        """One model's results by area with the areas' boundaries (GeoJSON text, for maps):
        ``value`` is the term's local estimate (or, without a term, the residual)."""
        from mobilise.workspace.areas import feature_collection

        frame = self.results(run_id, model=model)
        if term is not None and f"{term}:estimate" not in frame.columns:
            raise NotFound(f"Run {run_id} has no term {term!r} in its {model} results.")
        rows = {r["area_code"]: r for r in frame.to_dict("records")}
        features = []
        for code, name, geometry in self._ws.areas.geojson_features(sorted(rows)):
            r = rows[code]
            properties = {
                "code": code,
                "name": name,
                "outcome": r["outcome"],
                "residual": r["residual"],
                "local_r2": None if _missing(r["local_r2"]) else r["local_r2"],
                "value": r[f"{term}:estimate"] if term else r["residual"],
                "t": r[f"{term}:t"] if term else None,
                "significant": bool(r[f"{term}:significant"]) if term else None,
            }
            features.append((code, properties, geometry))
        return feature_collection(features)

    def delete(self, run_id: str) -> None:
        """Soft-delete a run (its results stay, restorable)."""
        from mobilise.store.records import soft_delete_record

        self.get(run_id)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                analysis_runs,
                run_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type=ENTITY,
            )

    # -- storing -------------------------------------------------------------------------------
    def _save(self, run_id: str, result: DriversResult, versions: dict[str, Any]) -> None:
        from mobilise.workspace._drivers_store import result_rows

        rows = result_rows(result, run_id, record_values(self._ws.actor), new_id)
        summary = result.to_dict()
        with self._ws.write() as connection:
            for chunk in chunked(rows, 2000):
                connection.execute(insert(driver_results), list(chunk))
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
            audit(
                connection,
                actor=self._ws.actor,
                entity_type=ENTITY,
                entity_id=run_id,
                action="update",
                after={"status": "done", "results": len(rows), "data_versions": versions},
                summary=f"Drivers run finished: {len(rows):,} results by area stored.",
            )

    def _set(self, run_id: str, *, audit: bool = False, **values: Any) -> None:
        """Update the run's state (progress is best effort: never stops the run)."""
        from sqlalchemy.exc import OperationalError

        from mobilise.store.records import audit as audit_entry

        stamp = now()
        try:
            with self._ws.write() as connection:
                connection.execute(
                    update(analysis_runs)
                    .where(analysis_runs.c.id == run_id)
                    .values(**values, updated_at=stamp, updated_by=self._ws.actor)
                )
                if audit:
                    audit_entry(
                        connection,
                        actor=self._ws.actor,
                        entity_type=ENTITY,
                        entity_id=run_id,
                        action="update",
                        after={k: v for k, v in values.items() if isinstance(v, str)},
                        summary=f"Drivers run {values.get('status', 'updated')}.",
                    )
        except OperationalError:
            if "status" in values:
                raise
            _log.warning("Could not report the progress of drivers run %s", run_id)

    def _place_id(self, connection: Any, place: str) -> str:
        place_id = connection.execute(
            select(places.c.id).where(places.c.slug == place, places.c.deleted_at.is_(None))
        ).scalar_one_or_none()
        if place_id is None:
            raise NotFound(f"No place {place!r}. See `mobilise places list` for the places.")
        return str(place_id)


def _runs() -> Any:
    return (
        select(analysis_runs, places.c.slug, places.c.name.label("place_name"))
        .join(places, places.c.id == analysis_runs.c.place_id)
        .where(analysis_runs.c.kind == KIND)
    )


def _failure(run_id: str, error: Exception) -> str:
    if isinstance(error, MobiliseError):
        problems = "; ".join(str(p) for p in getattr(error, "problems", []))
        return f"{error.message} {problems}".strip() if problems else str(error.message)
    _log.exception("Drivers run %s failed", run_id)
    return (
        f"The run stopped on an unexpected error ({type(error).__name__}: {error}). "
        "The details are in the server log."
    )


def _require_done(run: DriversRun) -> None:
    if run.status != "done":
        raise ValidationError(f"Run {run.id} is {run.status}; it has no results yet.")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _run(row: Any) -> DriversRun:
    return DriversRun(
        id=row.id,
        place=row.slug,
        place_name=row.place_name,
        status=row.status,
        progress=float(row.progress),
        step=row.step,
        error=row.error,
        plan=DriversPlan.from_dict(row.parameters),
        data_versions=dict(row.data_versions or {}),
        summary=dict(row.summary or {}),
        created_at=row.created_at,
        created_by=row.created_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        rerun_of=row.rerun_of,
        version=row.version,
    )

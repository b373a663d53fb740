"""Access sweeps: access measures over many places x categories x catchments x decays x travel
profiles, chunk by chunk on Dask, with results streaming into the workspace.

A sweep is planned and saved with its chunks (:meth:`SweepService.start`: each place's areas cut
into runs of ``chunk_size`` origins, for every profile), then computed (:meth:`execute`, or a
background job from :meth:`submit`) by :func:`mobilise.analysis.sweep.run_sweep`: each chunk's
pass-1 sums and then its results are stored as the chunk finishes, so a sweep that fails (a
chunk named in its error) or is cancelled resumes (:meth:`resume`) without computing again what
a chunk already stored. Where the chunks run is the setting ``MOBILISE_DASK_SCHEDULER`` (a local
Dask cluster by default; see ``docs/sweeps.md``).

Profiles: ``straight-line`` (catchments in metres) and the street networks ``walk``, ``cycle``
and ``step-free`` (catchments in minutes), which need the place's network imported
(``mobilise networks import``). Values are in the method's unit (per 1,000 residents for the
floating catchments), as an access run's.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select, update

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.model.access_plan import METHODS, AccessPlan
from mobilise.model.access_plan import _split as _split  # one reading of loose lists
from mobilise.store.records import insert_record, new_id, now, record_values
from mobilise.store.tables import access_sweep_chunks, access_sweep_results, access_sweeps
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace._files import FileTarget, write_bytes

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.workspace._job_kinds import JobContext, Prepared
    from mobilise.workspace.core import Workspace

__all__ = ["NETWORK_PROFILES", "PROFILES", "RESULT_COLUMNS", "Sweep", "SweepService"]

ENTITY = "access sweep"
STRAIGHT_LINE = "straight-line"  # mobilise.analysis.sweep.STRAIGHT_LINE
NETWORK_PROFILES = ("walk", "cycle", "step-free")  # mobilise.analysis.street_network.PROFILES
PROFILES = (STRAIGHT_LINE, *NETWORK_PROFILES)
MAX_CHUNK_SIZE = 5000
MAX_SCENARIOS = 2000
RESULT_COLUMNS = [
    "profile",
    "category",
    "catchment",
    "unit",
    "decay",
    "place",
    "area_code",
    "value",
    "in_reach",
    "nearest",
]


@dataclass(frozen=True)
class Sweep:
    """A sweep as listed: what it asks, its state, and its chunks by state."""

    id: str
    title: str
    places: list[str]
    parameters: dict[str, Any]
    status: str  # queued, running, done, failed, cancelled
    progress: float
    step: str
    error: str
    summary: dict[str, Any]
    chunks_total: int
    chunks: dict[str, int]  # state -> count (pending, partials, done, failed)
    job_id: str | None
    created_at: datetime
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    version: int

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "places": self.places,
            "parameters": self.parameters,
            "method_label": METHODS[self.parameters["method"]].label,
            "unit": self.parameters.get("unit", ""),
            "status": self.status,
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
            "summary": self.summary,
            "chunks_total": self.chunks_total,
            "chunks": self.chunks,
            "job_id": self.job_id,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "version": self.version,
        }


class SweepService:
    """Plan, run, follow, resume, cancel and read access sweeps (see the module docstring).

    ``fault`` is a test hook: a :class:`mobilise.analysis.sweep.Fault` set here makes that chunk
    fail in the next :meth:`execute` on this service (it travels with the chunk's task to any
    worker).
    """

    fault: Any = None

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- planning ------------------------------------------------------------------------------
    def start(
        self,
        places: Sequence[str] | str,
        *,
        categories: Sequence[str] | str,
        method: str = "e2sfca",
        catchments_m: Sequence[float] | str | float = (800.0, 1600.0),
        catchments_min: Sequence[float] | str | float = (10.0, 20.0),
        decays: Sequence[str] | str | None = None,
        profiles: Sequence[str] | str = (STRAIGHT_LINE,),
        supply: str = "count",
        chunk_size: int = 500,
        title: str | None = None,
    ) -> Sweep:
        """Save a queued sweep and its chunks (checked in full first); :meth:`execute`
        computes it."""
        slugs, chosen, parameters = self._plan(
            places, categories, method, catchments_m, catchments_min, decays, profiles, supply
        )
        size = _whole(chunk_size)
        if not 1 <= size <= MAX_CHUNK_SIZE:
            raise ValidationError(
                f"chunk_size must be 1 to {MAX_CHUNK_SIZE:,} origins.",
                problems=[Problem("out of range", field="chunk_size")],
            )
        from mobilise.analysis.sweep import make_chunks

        chunks = make_chunks(
            {slug: self._ws.places.area_codes(slug) for slug in slugs}, chosen, size
        )
        if not chunks:
            raise ValidationError("The places have no areas to sweep; add areas first.")
        names = self._ws.places.names()
        parameters["chunk_size"] = size
        title = (title or "").strip()[:300] or _title(names, slugs, parameters)
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                access_sweeps,
                {
                    "title": title,
                    "places": slugs,
                    "parameters": parameters,
                    "status": "queued",
                    "progress": 0.0,
                    "step": "Waiting to start",
                    "error": "",
                    "summary": {},
                    "chunks_total": len(chunks),
                },
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
            stamp = record_values(self._ws.actor)
            connection.execute(
                insert(access_sweep_chunks),
                [
                    {
                        "id": new_id(),
                        "sweep_id": row["id"],
                        "number": c.number,
                        "place_slug": c.place,
                        "profile": c.profile,
                        "origins": list(c.origin_ids),
                        "state": "pending",
                        "attempts": 0,
                        "error": "",
                        **stamp,
                    }
                    for c in chunks
                ],
            )
        return self.get(row["id"])

    def submit(self, places: Sequence[str] | str, **options: Any) -> Sweep:
        """Save a queued sweep and the job that computes it, together."""
        with self._ws.write():
            sweep = self.start(places, **options)
            self._queue(sweep.id)
        return self.get(sweep.id)

    def _queue(self, sweep_id: str) -> None:
        with self._ws.write() as connection:
            job = self._ws.jobs.submit("sweeps.run", {"sweep_id": sweep_id})
            connection.execute(
                update(access_sweeps)
                .where(access_sweeps.c.id == sweep_id)
                .values(job_id=job.id, status="queued", step="Waiting for a worker", error="")
            )

    def _plan(
        self,
        places: Sequence[str] | str,
        categories: Sequence[str] | str,
        method: str,
        catchments_m: Sequence[float] | str | float,
        catchments_min: Sequence[float] | str | float,
        decays: Sequence[str] | str | None,
        profiles: Sequence[str] | str,
        supply: str,
    ) -> tuple[list[str], list[str], dict[str, Any]]:
        problems: list[Problem] = []
        slugs = list(dict.fromkeys(_split(places)))
        known = self._ws.places.names()
        problems += [Problem(f"no place {s!r}", field="places") for s in slugs if s not in known]
        if not slugs:
            problems.append(Problem("name at least one place", field="places"))
        chosen = list(dict.fromkeys(p.lower() for p in _split(profiles)))
        problems += [
            Problem(f"unknown profile {p!r}; use {', '.join(PROFILES)}", field="profiles")
            for p in chosen
            if p not in PROFILES
        ]
        if not chosen:
            problems.append(Problem("name at least one travel profile", field="profiles"))
        minutes = _minutes(catchments_min, problems) if set(chosen) - {STRAIGHT_LINE} else []
        plan: AccessPlan | None = None
        try:
            plan = AccessPlan.build(
                categories=categories,
                method=method,
                catchments_m=catchments_m if STRAIGHT_LINE in chosen else (800.0,),
                decays=decays,
                supply=supply,
            )
        except ValidationError as error:
            problems += error.problems
        if plan is not None:
            count = len(plan.categories) * len(plan.decays)
            count *= sum(
                len(minutes) if p != STRAIGHT_LINE else len(plan.catchments_m) for p in chosen
            )
            if count > MAX_SCENARIOS:
                problems.append(
                    Problem(f"{count:,} scenarios: at most {MAX_SCENARIOS:,}", field="categories")
                )
        if not problems:
            problems += self._missing_networks(slugs, chosen)
        if problems or plan is None:
            raise ValidationError(
                f"Cannot plan the sweep: {len(problems)} "
                f"{'problem' if len(problems) == 1 else 'problems'}.",
                problems=problems,
            )
        parameters = {
            "categories": list(plan.categories),
            "method": plan.method,
            "catchments_m": list(plan.catchments_m) if STRAIGHT_LINE in chosen else [],
            "catchments_min": minutes,
            "decays": list(plan.decays),
            "profiles": chosen,
            "supply": plan.supply,
            "unit": plan.unit,
            "scale": plan.scale,
        }
        return slugs, chosen, parameters

    def _missing_networks(self, slugs: list[str], profiles: list[str]) -> list[Problem]:
        """A problem for each place and network profile with no street network stored."""
        wanted = [p for p in profiles if p != STRAIGHT_LINE]
        if not wanted:
            return []
        problems = []
        for slug in slugs:
            have = {n.profile for n in self._ws.networks.list(slug)}
            problems += [
                Problem(
                    f"place {slug!r} has no {profile} street network; import one with "
                    f"`mobilise networks import {slug} EXTRACT.osm.pbf`",
                    field="profiles",
                )
                for profile in wanted
                if profile not in have
            ]
        return problems

    # -- running -------------------------------------------------------------------------------
    def job(self, context: JobContext) -> Prepared:
        """What the ``sweeps.run`` job runs: the sweep stores itself chunk by chunk."""
        from mobilise.workspace._job_kinds import _Done

        sweep = self.get(context.params["sweep_id"])
        if sweep.status != "cancelled":  # cancelled while it waited: nothing to run
            sweep = self.execute(sweep.id, context.progress)
        return _Done(sweep.to_dict())

    def execute(
        self, sweep_id: str, progress: Progress = no_progress, *, client: Any = None
    ) -> Sweep:
        """Compute a sweep now, in this thread, with its chunks on Dask (``client``, else the
        setting ``MOBILISE_DASK_SCHEDULER``); a sweep that failed or was cancelled resumes: only
        what its chunks have not stored is computed. A failure is stored (status ``failed``, the
        chunks named) and raised."""
        from mobilise.workspace._sweep_run import execute

        sweep = self.get(sweep_id)
        if sweep.status == "done":
            return sweep
        execute(self._ws, sweep, progress, client=client, fault=self.fault)
        return self.get(sweep_id)

    def resume(self, sweep_id: str) -> Sweep:
        """Queue a failed or cancelled sweep again (a job); its finished chunks are kept."""
        sweep = self.get(sweep_id)
        if sweep.status not in ("failed", "cancelled"):
            raise Conflict(
                f"Sweep {sweep_id} is {sweep.status}; only a failed or cancelled sweep resumes."
            )
        self._queue(sweep_id)
        return self.get(sweep_id)

    def cancel(self, sweep_id: str) -> Sweep:
        """Stop a queued or running sweep: the chunk running when it is asked finishes, nothing
        more starts; what is stored stays, and :meth:`resume` goes on from there."""
        sweep = self.get(sweep_id)
        if sweep.finished:
            raise Conflict(f"Sweep {sweep_id} is {sweep.status} already.")
        with self._ws.write() as connection:
            connection.execute(
                update(access_sweeps)
                .where(access_sweeps.c.id == sweep_id)
                .values(
                    status="cancelled",
                    step="Cancelled",
                    finished_at=now(),
                    updated_at=now(),
                    updated_by=self._ws.actor,
                    version=access_sweeps.c.version + 1,
                )
            )
        return self.get(sweep_id)

    # -- reading -------------------------------------------------------------------------------
    def get(self, sweep_id: str) -> Sweep:
        with self._ws.read() as connection:
            row = connection.execute(
                select(access_sweeps).where(
                    access_sweeps.c.id == sweep_id, access_sweeps.c.deleted_at.is_(None)
                )
            ).first()
            if row is None:
                raise NotFound(f"No access sweep {sweep_id!r}. See `mobilise sweeps list`.")
            counts: dict[Any, Any] = dict(
                connection.execute(
                    select(access_sweep_chunks.c.state, func.count())
                    .where(access_sweep_chunks.c.sweep_id == sweep_id)
                    .group_by(access_sweep_chunks.c.state)
                ).all()
            )
        return _sweep(row, {str(k): int(v) for k, v in counts.items()})

    def list(self, *, limit: int = 50) -> builtins.list[Sweep]:
        """Sweeps, newest first."""
        with self._ws.read() as connection:
            ids = connection.execute(
                select(access_sweeps.c.id)
                .where(access_sweeps.c.deleted_at.is_(None))
                .order_by(access_sweeps.c.created_at.desc())
                .limit(max(1, min(limit, 500)))
            ).scalars()
            return [self.get(i) for i in ids]

    def chunks(self, sweep_id: str) -> builtins.list[dict[str, Any]]:
        """A sweep's chunks: number, place, profile, origins, state, attempts, seconds, error."""
        self.get(sweep_id)
        columns = [c for c in access_sweep_chunks.c if c.name not in ("partials", "origins")]
        with self._ws.read() as connection:
            rows = connection.execute(
                select(*columns, func.json_array_length(access_sweep_chunks.c.origins))
                .where(access_sweep_chunks.c.sweep_id == sweep_id)
                .order_by(access_sweep_chunks.c.number)
            ).all()
        return [
            {
                "number": r.number,
                "place": r.place_slug,
                "profile": r.profile,
                "origins": int(r[-1] or 0),
                "state": r.state,
                "attempts": r.attempts,
                "pass1_seconds": r.pass1_seconds,
                "pass2_seconds": r.pass2_seconds,
                "error": r.error,
            }
            for r in rows
        ]

    def results(
        self,
        sweep_id: str,
        *,
        profile: str | None = None,
        category: str | None = None,
        place: str | None = None,
    ) -> pd.DataFrame:
        """The results stored so far (all once the sweep is done): one row per scenario and
        area, ``catchment`` and ``nearest`` in the profile's ``unit`` (m or min)."""
        import pandas as pd

        self.get(sweep_id)
        t = access_sweep_results.c
        query = select(
            t.profile, t.category, t.catchment, t.decay, t.place_slug, t.area_code,
            t.value, t.in_reach, t.nearest,
        ).where(t.sweep_id == sweep_id)  # fmt: skip
        for column, value in ((t.profile, profile), (t.category, category), (t.place_slug, place)):
            if value is not None:
                query = query.where(column == value)
        query = query.order_by(t.profile, t.category, t.catchment, t.decay, t.area_code)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        columns = [c for c in RESULT_COLUMNS if c != "unit"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        frame.insert(3, "unit", ["m" if p == STRAIGHT_LINE else "min" for p in frame["profile"]])
        return frame

    def export(self, sweep_id: str, target: FileTarget) -> int:
        """Write a sweep's results as CSV (formula-safe cells) to ``target`` (a path or a binary
        stream; a path is replaced only once the file is complete). Returns the rows written."""
        from mobilise.formats.safe_cells import guard_frame

        frame = self.results(sweep_id)
        data = guard_frame(frame).to_csv(index=False).encode("utf-8")
        write_bytes(target, data, name=f"sweep-{sweep_id}.csv")
        return len(frame)


def _sweep(row: Any, chunks: dict[str, int]) -> Sweep:
    return Sweep(
        id=row.id,
        title=row.title,
        places=list(row.places or []),
        parameters=dict(row.parameters or {}),
        status=row.status,
        progress=float(row.progress),
        step=row.step,
        error=row.error,
        summary=dict(row.summary or {}),
        chunks_total=int(row.chunks_total),
        chunks={s: chunks.get(s, 0) for s in ("pending", "partials", "done", "failed")},
        job_id=row.job_id,
        created_at=row.created_at,
        created_by=row.created_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        version=row.version,
    )


def _title(names: dict[str, str], slugs: list[str], parameters: dict[str, Any]) -> str:
    where = ", ".join(names[s] for s in slugs[:3]) + (
        f" and {len(slugs) - 3} more" if len(slugs) > 3 else ""
    )
    return f"{METHODS[parameters['method']].label}: {where}, {' and '.join(parameters['profiles'])}"


def _whole(value: object) -> int:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1
    return int(number) if math.isfinite(number) and number == int(number) else -1


def _minutes(value: Sequence[float] | str | float, problems: list[Problem]) -> list[float]:
    found: list[float] = []
    for text in _split(value):
        try:
            minutes = float(text)
        except ValueError:
            minutes = math.nan
        if not (math.isfinite(minutes) and 1 <= minutes <= 120):
            problems.append(
                Problem(f"catchment {text!r} must be 1 to 120 minutes", field="catchments_min")
            )
        elif minutes not in found:
            found.append(minutes)
    if not found and not problems:
        problems.append(
            Problem(
                "give at least one catchment in minutes for the network profiles",
                field="catchments_min",
            )
        )
    return sorted(found)

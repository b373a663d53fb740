"""The kinds of job and how each runs (private to :mod:`mobilise.workspace.jobs`).

Each kind reads and checks its input without the write lock and returns a :class:`Prepared`
whose ``write`` the job runner calls inside the one transaction that also marks the job done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection

from mobilise.workspace._common import ImportSummary

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.jobs import Job

__all__ = ["KINDS", "JobContext", "JobLost", "Prepared", "run_kind"]


class JobLost(Exception):
    """This worker's claim on a job was taken over (it was thought stopped): stop quietly."""


class Prepared(Protocol):
    """Work read and checked, ready to write."""

    def write(self, connection: Connection) -> dict[str, Any]: ...

    def discard(self) -> None: ...


@dataclass(frozen=True)
class Kind:
    """A kind of job: what it is called in words, how it runs, and the HTTP status of its
    outcome (201 when it made something)."""

    label: str
    run: Callable[[JobContext], Prepared]
    status_code: int = 201


class JobContext:
    """What a running job is given: its workspace (acting as the user who submitted it), its
    parameters and file, and a progress report that is also its heartbeat."""

    def __init__(self, workspace: Workspace, job: Job, worker: str) -> None:
        self.workspace = workspace
        self.job = job
        self.worker = worker
        self._lost: BaseException | None = None
        # nothing is reported in a job's first half second: a short job is just done
        self._started = self._last_report = time.monotonic()

    @property
    def params(self) -> dict[str, Any]:
        return self.job.params

    @property
    def staging_token(self) -> str:
        """What names the rows this attempt stages: ``<job id>/<attempt>``, so an attempt
        thought dead that goes on staging never mixes its rows with the next attempt's."""
        return f"{self.job.id}/{self.job.attempts}"

    def file(self) -> tuple[str, bytes]:
        return self.workspace.jobs.file(self.job.id)

    def progress(self, step: str, done: int, total: int) -> None:
        """Report progress (at most every half second, the last of a step always, none in the
        job's first half second: each report is a write, which waits its turn behind the other
        writers). Raises :class:`JobLost` if another worker has taken the job."""
        if self._lost is not None:
            raise self._lost
        at = time.monotonic()
        if at - self._last_report < 0.5 and (done < total or at - self._started < 0.5):
            return
        self._last_report = at
        self.workspace.jobs.beat(
            self.job.id, self.worker, progress=done / total if total else 0.0, step=step
        )

    @contextmanager
    def heartbeat(self) -> Iterator[None]:
        """Stamp the heartbeat every few seconds while the block runs (a parse or a computation
        may report no progress for a while)."""
        stop = threading.Event()
        every = max(1.0, min(30.0, self.workspace.jobs.stale_after.total_seconds() / 4))

        def beat() -> None:
            while not stop.wait(every):
                try:
                    self.workspace.jobs.beat(self.job.id, self.worker)
                except JobLost as lost:
                    self._lost = lost
                    return
                except Exception:  # a busy database delays a heartbeat, never the job
                    continue

        thread = threading.Thread(target=beat, name=f"heartbeat-{self.job.id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


@dataclass
class _Written:
    """A prepared import whose summary is the job's result."""

    prepared: Any  # PartnerImport, RelationshipImport or MapImport

    def write(self, connection: Connection) -> dict[str, Any]:
        outcome = self.prepared.write(connection)
        if isinstance(outcome, ImportSummary):
            return outcome.to_dict()
        return dict(outcome)

    def discard(self) -> None:
        self.prepared.discard()


@dataclass
class _Done:
    """Work that stored itself as it ran (an access run): its result only."""

    result: dict[str, Any]

    def write(self, connection: Connection) -> dict[str, Any]:
        return self.result

    def discard(self) -> None:
        return None


def _partners(context: JobContext) -> Prepared:
    name, data = context.file()
    return _Written(
        context.workspace.partners.prepare_import(
            data,
            name=name,
            default_sector=context.params.get("default_sector"),
            token=context.staging_token,
            progress=context.progress,
        )
    )


def _relationships(context: JobContext) -> Prepared:
    name, data = context.file()
    return _Written(
        context.workspace.surveys.prepare_import(
            data,
            name=name,
            round_=context.params.get("round"),
            default_sector=context.params.get("default_sector"),
            repeats=context.params.get("repeats", "refuse"),
            progress=context.progress,
        )
    )


def _map(context: JobContext) -> Prepared:
    name, data = context.file()
    context.progress("Reading the map file", 0, 3)
    causal_map = context.workspace.map_analysis.causal_map(
        data, name=name, format=context.params.get("format")
    )
    return _Written(
        context.workspace.maps.prepare_import(
            causal_map,
            place=context.params.get("place"),
            title=context.params.get("title"),
            stakeholder_group=context.params.get("stakeholder_group", ""),
            token=context.staging_token,
            progress=context.progress,
        )
    )


def _access(context: JobContext) -> Prepared:
    run = context.workspace.access.execute(
        context.params["run_id"], context.progress, resume=context.job.attempts > 1
    )
    return _Done(run.to_dict())


def _drivers(context: JobContext) -> Prepared:
    run = context.workspace.drivers.execute(
        context.params["run_id"], context.progress, resume=context.job.attempts > 1
    )
    return _Done(run.to_dict())


KINDS: dict[str, Kind] = {
    "partners.import": Kind("Partner import", _partners),
    "relationships.import": Kind("Relationship import", _relationships),
    "maps.import": Kind("Map import", _map),
    "access.run": Kind("Access run", _access, status_code=200),
    "drivers.run": Kind("Drivers run", _drivers, status_code=200),
    "packs.build": Kind("Evidence pack", lambda context: context.workspace.packs.job(context)),
    "networks.import": Kind(
        "Street network import", lambda context: context.workspace.networks.job(context)
    ),
    "sweeps.run": Kind("Access sweep", lambda context: context.workspace.sweeps.job(context)),
}


def run_kind(context: JobContext) -> Prepared:
    return KINDS[context.job.kind].run(context)

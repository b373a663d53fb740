"""Background jobs: long work (imports, access runs) queued in the database and run off the
request, with progress and an outcome the client can follow.

A small queue on the ``jobs`` and ``job_files`` tables, the same on SQLite and PostgreSQL:

* **Submit.** :meth:`JobService.submit` stores the job (``queued``) and any uploaded file (kept
  in ``job_files`` until the job is done), in one short transaction.
* **Claim.** A worker takes the oldest job it can by a conditional UPDATE on the job's id and
  ``version`` (which every update changes), so two workers never both take one job.
* **Heartbeat.** While a job runs, its worker stamps ``heartbeat_at`` every few seconds (and
  with every progress report). A job whose heartbeat is older than ``job_stale_minutes`` (or
  whose worker process on this machine is gone) is taken again, until ``max_attempts``; then it
  is marked failed with the reason.
* **Write once.** A job reads and checks its input without the write lock, then writes in one
  short transaction that also marks the job done; that transaction first checks the job is still
  this worker's, so a job taken over from a worker thought dead is never written twice (a big
  import stages its rows ahead, hidden, see :mod:`mobilise.workspace._staging`; a retry discards
  what a dead attempt staged).
* **Outcome.** ``done`` with the result (an import's summary), or ``failed`` with the error in
  words (and, for errors in the input, the problems by file, row and field). A failed job can be
  retried.

Workers are threads: ``job_workers`` of them in each ``mobilise serve`` process, or the
``mobilise jobs work`` command. The CLI's own imports run in the command itself.
"""

from __future__ import annotations

import builtins
import logging
import os
import socket
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from mobilise.errors import Conflict, MobiliseError, NotFound, Problem, ValidationError
from mobilise.settings import MB
from mobilise.store.records import insert_record, new_id, now, record_values
from mobilise.store.tables import job_files, jobs
from mobilise.workspace._files import FileSource, read_bytes, source_name
from mobilise.workspace._job_kinds import KINDS, JobContext, JobLost, run_kind
from mobilise.workspace._staging import discard_staged, staged_marker

if TYPE_CHECKING:
    from mobilise.workspace._job_kinds import Prepared
    from mobilise.workspace.core import Workspace

__all__ = ["STATUSES", "Job", "JobLost", "JobService", "JobWorkers"]

STATUSES = ("queued", "running", "done", "failed")
ENTITY = "job"
ON_DEMAND_IDLE_SECONDS = 60.0
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A queued, running or finished job."""

    id: str
    kind: str
    status: str
    params: dict[str, Any]
    progress: float
    step: str
    result: dict[str, Any]
    error: str
    attempts: int
    max_attempts: int
    claimed_by: str | None
    created_at: datetime
    created_by: str
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    version: int

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def label(self) -> str:
        """What the job does, in words ("Partner import")."""
        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def outcome_status(self) -> int:
        """The HTTP status of the job's outcome: 202 while it runs; when done, that of the
        request it stands for (201 for an import); when failed, that of its error."""
        if self.status == "done":
            return KINDS[self.kind].status_code if self.kind in KINDS else 200
        if self.status == "failed":
            return int(self.result.get("status_code", 500))
        return 202

    def to_dict(self) -> dict[str, Any]:
        def stamp(at: datetime | None) -> str | None:
            return at.isoformat() if at else None

        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "params": self.params,
            "progress": self.progress,
            "step": self.step,
            "result": self.result,
            "error": self.error,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "created_at": stamp(self.created_at),
            "created_by": self.created_by,
            "started_at": stamp(self.started_at),
            "heartbeat_at": stamp(self.heartbeat_at),
            "finished_at": stamp(self.finished_at),
            "version": self.version,
        }


def _job(row: Any) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        status=row.status,
        params=dict(row.params or {}),
        progress=float(row.progress),
        step=row.step,
        result=dict(row.result or {}),
        error=row.error,
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        claimed_by=row.claimed_by,
        created_at=row.created_at,
        created_by=row.created_by,
        started_at=row.started_at,
        heartbeat_at=row.heartbeat_at,
        finished_at=row.finished_at,
        version=row.version,
    )


def worker_name(label: str = "") -> str:
    """``host:pid:thread``: who holds a claim (a worker on this host whose process is gone has
    its jobs taken again at once)."""
    thread = label or threading.current_thread().name
    return f"{socket.gethostname()}:{os.getpid()}:{thread}"[:120]


def _process_gone(claimed_by: str | None) -> bool:
    """Whether a claim was made by a process of this host that no longer exists."""
    host, _, rest = (claimed_by or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobService:
    """Submit, follow, list and retry jobs; claim and run them (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    @property
    def stale_after(self) -> timedelta:
        from mobilise.settings import load_settings

        return timedelta(minutes=load_settings().job_stale_minutes)

    # -- submitting and reading ------------------------------------------------------------------
    def submit(
        self,
        kind: str,
        params: Mapping[str, Any] | None = None,
        *,
        file: FileSource | None = None,
        name: str | None = None,
        max_attempts: int = 3,
        max_bytes: int | None = None,
    ) -> Job:
        """Queue a job of ``kind`` (see :data:`mobilise.workspace._job_kinds.KINDS`) with its
        parameters and, for an import, its file (kept until the job is done). ``max_bytes``: a
        file kind with its own limit (a street network's extract: ``max_osm_bytes``) instead of
        ``max_upload_mb``."""
        if kind not in KINDS:
            raise ValidationError(
                f"No kind of job {kind!r}; the kinds are {', '.join(KINDS)}.",
                problems=[Problem(f"unknown kind {kind!r}", field="kind")],
            )
        limits = self._ws.limits
        if max_bytes is not None:
            limits = replace(limits, max_upload_mb=max(limits.max_upload_mb, -(-max_bytes // MB)))
        data = read_bytes(file, name=name, limits=limits) if file is not None else None
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                jobs,
                {
                    "kind": kind,
                    "status": "queued",
                    "params": dict(params or {}),
                    "progress": 0.0,
                    "step": "Waiting for a worker",
                    "result": {},
                    "error": "",
                    "attempts": 0,
                    "max_attempts": max_attempts,
                },
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
            if data is not None:
                connection.execute(
                    insert(job_files).values(
                        id=new_id(),
                        job_id=row["id"],
                        name=source_name(file, name)[:300],  # type: ignore[arg-type]
                        size=len(data),
                        data=data,
                        **record_values(self._ws.actor),
                    )
                )
        return self.get(row["id"])

    def get(self, job_id: str, *, owner: str | None = None) -> Job:
        """A job; with ``owner``, only one that user submitted (else it is not found)."""
        query = select(jobs).where(jobs.c.id == job_id, jobs.c.deleted_at.is_(None))
        if owner is not None:
            query = query.where(jobs.c.created_by == owner)
        with self._ws.read() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFound(f"No job {job_id!r}. See `mobilise jobs list`.")
        return _job(row)

    def list(
        self, *, owner: str | None = None, status: str | None = None, limit: int = 50
    ) -> builtins.list[Job]:
        """Jobs, newest first (one user's, or of one status, when named)."""
        if status is not None and status not in STATUSES:
            raise ValidationError(
                f"No job status {status!r}; use one of {', '.join(STATUSES)}.",
                problems=[Problem(f"unknown status {status!r}", field="status")],
            )
        query = (
            select(jobs)
            .where(jobs.c.deleted_at.is_(None))
            .order_by(jobs.c.created_at.desc())
            .limit(max(1, min(limit, 1000)))
        )
        if owner is not None:
            query = query.where(jobs.c.created_by == owner)
        if status is not None:
            query = query.where(jobs.c.status == status)
        with self._ws.read() as connection:
            return [_job(row) for row in connection.execute(query)]

    def retry(self, job_id: str, *, owner: str | None = None) -> Job:
        """Queue a failed job again, with all its attempts (its file was kept)."""
        job = self.get(job_id, owner=owner)
        if job.status != "failed":
            raise Conflict(f"Job {job_id} is {job.status}; only a failed job can be retried.")
        self._set(
            job,
            status="queued",
            attempts=0,
            error="",
            result={},
            progress=0.0,
            step="Waiting for a worker (retried)",
            claimed_by=None,
            finished_at=None,
        )
        return self.get(job_id)

    def file(self, job_id: str) -> tuple[str, bytes]:
        """The name and bytes of a job's file."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(job_files.c.name, job_files.c.data).where(job_files.c.job_id == job_id)
            ).first()
        if row is None:
            raise NotFound(f"Job {job_id} has no file (it was removed once the job was done).")
        return str(row.name), bytes(row.data)

    # -- claiming ----------------------------------------------------------------------------------
    def claim(self, worker: str | None = None) -> Job | None:
        """Take the oldest queued job (or one whose worker stopped); None when there is none.

        A stopped job that has had all its attempts is marked failed instead of taken."""
        worker = worker or worker_name()
        stale = now() - self.stale_after
        running = jobs.c.status == "running"
        host = socket.gethostname()
        query = (
            select(jobs)
            .where(
                jobs.c.deleted_at.is_(None),
                or_(
                    jobs.c.status == "queued",
                    and_(running, jobs.c.heartbeat_at < stale),
                    and_(running, jobs.c.claimed_by.like(f"{host}:%")),
                ),
            )
            .order_by(jobs.c.created_at)
            .limit(20)
        )
        with self._ws.read() as connection:
            candidates = [_job(row) for row in connection.execute(query)]
        for job in candidates:
            if job.status == "running":
                old = job.heartbeat_at is not None and job.heartbeat_at < stale
                if not (old or _process_gone(job.claimed_by)):
                    continue
                if job.attempts >= job.max_attempts:
                    self._give_up(job)
                    continue
            taken = self._set(
                job,
                status="running",
                claimed_by=worker,
                attempts=job.attempts + 1,
                started_at=now(),
                heartbeat_at=now(),
                progress=0.0,
                step="Starting",
                error="",
            )
            if taken:
                return self.get(job.id)
        return None

    def _give_up(self, job: Job) -> None:
        stopped = job.heartbeat_at or job.started_at or job.created_at
        reason = (
            f"The job stopped answering at {stopped:%Y-%m-%d %H:%M} UTC (its worker was "
            f"probably stopped) after {job.attempts} attempts; nothing of it was saved. "
            "Retry it, or submit it again."
        )
        if self._set(job, status="failed", error=reason, finished_at=now(), step="Failed"):
            discard_staged(self._ws, staged_marker(job.id))

    def _set(self, job: Job, **values: Any) -> bool:
        """Update a job if it is still at the version read; True when it was."""
        with self._ws.write() as connection:
            changed = connection.execute(
                update(jobs)
                .where(jobs.c.id == job.id, jobs.c.version == job.version)
                .values(
                    **values,
                    updated_at=now(),
                    updated_by=self._ws.actor,
                    version=job.version + 1,
                )
            ).rowcount
        return changed == 1

    # -- running -----------------------------------------------------------------------------------
    def beat(
        self, job_id: str, worker: str, *, progress: float | None = None, step: str | None = None
    ) -> None:
        """Stamp a running job's heartbeat (and progress). Raises :class:`JobLost` when the job
        is no longer this worker's."""
        values: dict[str, Any] = {"heartbeat_at": now(), "version": jobs.c.version + 1}
        if progress is not None:
            values["progress"] = round(min(max(progress, 0.0), 1.0), 4)
        if step is not None:
            values["step"] = step[:300]
        with self._ws.write() as connection:
            changed = connection.execute(
                update(jobs).where(*_held(job_id, worker)).values(**values)
            ).rowcount
        if changed != 1:
            raise JobLost(job_id)

    def run(self, job: Job, worker: str) -> Job:
        """Run a claimed job to its end: done with its result, failed with the reason, or
        queued again after an unexpected error while it has attempts left."""
        owner = self._ws.as_actor(job.created_by)
        context = JobContext(owner, job, worker)
        with context.heartbeat():
            try:
                if job.attempts > 1:  # an earlier attempt may have staged rows, then died
                    context.progress("Clearing an earlier attempt", 0, 1)
                    discard_staged(owner, staged_marker(job.id))
                prepared = run_kind(context)
                self._write(owner, job, worker, prepared)
            except JobLost:
                _log.warning("Job %s was taken over by another worker; left to it", job.id)
            except MobiliseError as error:  # in the input: trying again will not help
                self._fail(job, worker, error)
            except Exception as error:
                _log.exception("Job %s stopped on an unexpected error", job.id)
                self._fail(job, worker, error, again=job.attempts < job.max_attempts)
        return self.get(job.id)

    def _write(self, owner: Workspace, job: Job, worker: str, prepared: Prepared) -> None:
        """The job's one write: its data and its outcome together, if the job is still ours."""
        try:
            with owner.write() as connection:
                self._fence(connection, job.id, worker)
                result = prepared.write(connection)
                _finish(connection, job.id, worker, owner.actor, status="done", result=result)
                connection.execute(delete(job_files).where(job_files.c.job_id == job.id))
        except BaseException:
            prepared.discard()
            raise

    def _fence(self, connection: Connection, job_id: str, worker: str) -> None:
        held = connection.execute(
            update(jobs).where(*_held(job_id, worker)).values(heartbeat_at=now())
        ).rowcount
        if held != 1:
            raise JobLost(job_id)

    def _fail(self, job: Job, worker: str, error: Exception, *, again: bool = False) -> None:
        if isinstance(error, MobiliseError):
            message = str(error)
            result = {"status_code": error.status_code, **error.to_dict()}
        else:
            message = (
                f"The job stopped on an unexpected error ({type(error).__name__}: {error}); "
                "nothing of it was saved. The details are in the server log."
            )
            result = {"status_code": 500, "error": {"code": "error", "message": message}}
            result["error"]["problems"] = []
        with self._ws.write() as connection:
            _finish(
                connection,
                job.id,
                worker,
                self._ws.actor,
                status="queued" if again else "failed",
                result={} if again else result,
                error=message,
            )

    def work(
        self, *, worker: str | None = None, stop: threading.Event | None = None, until_idle: bool
    ) -> int:
        """Claim and run jobs in this thread until ``stop`` is set (or, with ``until_idle``,
        until none is waiting); returns how many were run."""
        worker = worker or worker_name()
        ran = 0
        while stop is None or not stop.is_set():
            job = self.claim(worker)
            if job is None:
                if until_idle:
                    break
                (stop or threading.Event()).wait(1.0)
                continue
            self.run(job, worker)
            ran += 1
        return ran

    def workers(self, count: int) -> JobWorkers:
        """``count`` worker threads for this workspace (not started)."""
        return JobWorkers(self, count)


def _held(job_id: str, worker: str) -> tuple[Any, ...]:
    """The conditions of a job that is still running under ``worker``'s claim."""
    return (jobs.c.id == job_id, jobs.c.status == "running", jobs.c.claimed_by == worker)


def _finish(
    connection: Connection,
    job_id: str,
    worker: str,
    actor: str,
    *,
    status: str,
    result: dict[str, Any],
    error: str = "",
) -> None:
    finished = now()
    values: dict[str, Any] = {
        "status": status,
        "result": result,
        "error": error,
        "updated_at": finished,
        "updated_by": actor,
        "version": jobs.c.version + 1,
    }
    if status == "queued":
        values.update(claimed_by=None, step="Waiting for a worker (trying again)", progress=0.0)
    else:
        values.update(finished_at=finished, step="Done" if status == "done" else "Failed")
        if status == "done":
            values["progress"] = 1.0
    connection.execute(update(jobs).where(*_held(job_id, worker)).values(**values))


SWITCH_INTERVAL_S = 0.001
"""How often a busy thread of a process running jobs hands the interpreter on (Python's
default is 5 ms)."""


def share_the_interpreter() -> None:
    """Let the threads answering requests in and out while a job thread is busy in Python.

    A job reading a big file keeps the interpreter (the GIL) busy for seconds; a request thread
    of the same process then waits up to the switch interval each time it comes back from the
    database, many times per write. Measured with ``benchmarks/imports.py``'s 20 writers during
    a 50,000-link map import: their p95 wait was 1.43 s at Python's 5 ms, 0.48 s at 1 ms (the
    import 10% slower). Set for the whole process, never raised."""
    if sys.getswitchinterval() > SWITCH_INTERVAL_S:
        sys.setswitchinterval(SWITCH_INTERVAL_S)


class JobWorkers:
    """Threads that run jobs: started with the web app, stopped at its shutdown.

    :meth:`wake` makes an idle worker look for a job at once (a job submitted in this process);
    otherwise workers look every two seconds (jobs submitted elsewhere, stopped jobs).
    """

    def __init__(self, service: JobService, count: int) -> None:
        self._service = service
        self.count = max(0, count)
        self._idle_exit: float | None = ON_DEMAND_IDLE_SECONDS
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: builtins.list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> JobWorkers:
        """Start the worker threads, to run until :meth:`stop` (the web app's start-up)."""
        self._idle_exit = None
        return self._start()

    def wake(self) -> None:
        """Look for a job now. Workers not started by :meth:`start` are started on demand and
        stop after a minute without work (an app whose start-up did not run, as in tests)."""
        self._start()
        self._wake.set()

    def _start(self) -> JobWorkers:
        share_the_interpreter()
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._stop.clear()
            for n in range(len(self._threads), self.count):
                thread = threading.Thread(
                    target=self._loop, name=f"mobilise-job-{n + 1}", daemon=True
                )
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the jobs running now (a job still running at ``timeout`` is left to be
        taken again later)."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def _loop(self) -> None:
        worker = worker_name()
        idle_since = now()
        while not self._stop.is_set():
            try:
                job = self._service.claim(worker)
            except Exception:
                if self._idle_exit is not None:  # started on demand: the next job starts it
                    return
                _log.exception("Could not look for jobs; trying again shortly")
                job = None
            if job is not None:
                try:
                    self._service.run(job, worker)
                except Exception:  # the database went away: the job is taken again later
                    _log.exception("Job %s could not be run to its end", job.id)
                idle_since = now()
                continue
            if self._idle_exit is not None and (now() - idle_since).total_seconds() > (
                self._idle_exit
            ):
                return
            self._wake.wait(2.0)
            self._wake.clear()

"""Background jobs in the JSON API: follow a job, read its outcome, retry it; and the workers.

Long work (partner, relationship and map imports, access runs) is not done in the request: the
endpoint answers **202 Accepted** with the job and its ``status_url`` at once, and a worker of
the server runs it. ``GET status_url`` gives its progress; ``GET outcome_url`` answers 202 while
it runs, then exactly what the endpoint would have answered had it waited (201 with an import's
summary, or the 4xx error naming file, row and field). Users see their own jobs; admins every
job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from mobilise.web.deps import UserDep, WorkspaceDep, is_admin
from mobilise.web.routes.api import ERRORS

if TYPE_CHECKING:
    from mobilise.workspace.jobs import Job, JobWorkers
    from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["jobs"])


class JobPublic(BaseModel):
    """A job: what it is, where it is, and once finished its result or its error in words."""

    id: str
    kind: str = Field(description="partners.import, relationships.import, maps.import, access.run")
    label: str = Field(description="What it does, in words.")
    status: str = Field(description="queued, running, done or failed.")
    progress: float = Field(description="From 0 to 1.")
    step: str = Field(description="What it is doing now, in words.")
    result: dict[str, Any] = Field(description="When done: e.g. an import's summary.")
    error: str = Field(description="When failed: why, in words.")
    attempts: int
    max_attempts: int
    created_at: str
    created_by: str
    started_at: str | None
    heartbeat_at: str | None
    finished_at: str | None
    version: int
    status_url: str = Field(description="Where to follow it.")
    outcome_url: str = Field(description="Its outcome once finished (202 until then).")


ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"model": JobPublic, "description": "Accepted: the job; follow its status_url."},
    **ERRORS,
}


def install(app: FastAPI) -> None:
    """Give the app its job workers (``job_workers`` threads): started with the app, stopped at
    its shutdown (and started on demand when a job is submitted before start-up ran)."""
    workers = app.state.workspace.jobs.workers(app.state.settings.job_workers)
    app.state.job_workers = workers
    before = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        workers.start()
        try:
            async with before(served) as state:
                yield state
        finally:
            await run_in_threadpool(workers.stop)

    app.router.lifespan_context = lifespan


def wake_workers(request: Request) -> None:
    """Tell the workers a job was just submitted (they start on demand if need be)."""
    workers: JobWorkers = request.app.state.job_workers
    workers.wake()


def job_links(request: Request, job_id: str) -> dict[str, str]:
    """Where to follow a job, and where its outcome will be."""
    return {
        "status_url": str(request.url_for("get_job", job_id=job_id)),
        "outcome_url": str(request.url_for("job_outcome", job_id=job_id)),
    }


def accepted(request: Request, job: Job) -> JSONResponse:
    """The 202 answer for a job just submitted; the workers are told at once."""
    wake_workers(request)
    shown = _shown(request, job)
    return JSONResponse(shown, status_code=202, headers={"Location": shown["status_url"]})


def _shown(request: Request, job: Job) -> dict[str, Any]:
    return {**job.to_dict(), **job_links(request, job.id)}


def _owner(user: User) -> str | None:
    """Whose jobs the user sees: their own, or (admins) everyone's."""
    return None if is_admin(user) else user.username


@api.get("/jobs", responses=ERRORS)
def list_jobs(
    request: Request,
    workspace: WorkspaceDep,
    user: UserDep,
    status: Annotated[str | None, Query(description="queued, running, done or failed.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[JobPublic]:
    """Your jobs (an admin's: everyone's), newest first."""
    found = workspace.jobs.list(owner=_owner(user), status=status, limit=limit)
    return [JobPublic(**_shown(request, job)) for job in found]


@api.get("/jobs/{job_id}", responses=ERRORS)
def get_job(request: Request, job_id: str, workspace: WorkspaceDep, user: UserDep) -> JobPublic:
    """A job's status and progress; once finished, its result or its error in words."""
    return JobPublic(**_shown(request, workspace.jobs.get(job_id, owner=_owner(user))))


@api.get(
    "/jobs/{job_id}/outcome",
    responses={
        200: {"description": "Done: what the job's request answers (an access run)."},
        201: {"description": "Done: what the job's request answers (an import's summary)."},
        202: {"model": JobPublic, "description": "Still queued or running: the job."},
        **ERRORS,
    },
)
def job_outcome(request: Request, job_id: str, workspace: WorkspaceDep, user: UserDep) -> Any:
    """What the job's request answers once it has run: the result with its status (201 for an
    import), or the error (the one JSON error shape, e.g. a 422 naming file, row and field);
    202 with the job while it is queued or running."""
    job = workspace.jobs.get(job_id, owner=_owner(user))
    if not job.finished:
        return JSONResponse(_shown(request, job), status_code=202)
    if job.status == "done":
        return JSONResponse(job.result, status_code=job.outcome_status)
    error = job.result.get("error") or {"code": "error", "message": job.error, "problems": []}
    return JSONResponse({"error": error}, status_code=job.outcome_status)


@api.post("/jobs/{job_id}/retry", status_code=202, responses=ACCEPTED)
def retry_job(request: Request, job_id: str, workspace: WorkspaceDep, user: UserDep) -> Any:
    """Queue a failed job again (its file was kept); 409 if it did not fail."""
    return accepted(request, workspace.jobs.retry(job_id, owner=_owner(user)))

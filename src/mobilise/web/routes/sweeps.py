"""Access sweeps: the pages (``/sweeps``, a sweep's page with its chunks) and the JSON API under
``/api/v1/sweeps`` (list, start as a job, follow, results, CSV, resume, cancel).

Signed-in users read sweeps; editors (facilitators, analysts, admins) start, resume and cancel
them. A sweep holds access figures per area only (no person), like an access run.
"""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import NotFound, ValidationError
from mobilise.web.deps import EditorDep, TemplatesDep, UserDep, WorkspaceDep, is_editor
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import job_links, wake_workers

api = APIRouter(prefix="/api/v1", tags=["sweeps"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The API and the pages, for the app to include at once."""

SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
PROFILE = r"^(straight-line|walk|cycle|step-free)$"
MAX_ROWS = 10_000


class SweepCreate(BaseModel):
    """What to sweep; see ``mobilise sweeps start --help`` for the same options."""

    model_config = ConfigDict(extra="forbid")

    places: list[Annotated[str, Field(max_length=80, pattern=SLUG)]] = Field(
        min_length=1, max_length=500, description="The places' slugs."
    )
    categories: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1, max_length=20, description="Asset categories (ids or aliases)."
    )
    method: str = Field("e2sfca", max_length=20, description="count, supply, gravity, 2sfca, ...")
    catchments_m: list[Annotated[float, Field(ge=50, le=50_000)]] = Field(
        default=[800.0, 1600.0], max_length=10, description="Straight-line catchments (metres)."
    )
    catchments_min: list[Annotated[float, Field(ge=1, le=120)]] = Field(
        default=[10.0, 20.0], max_length=10, description="Network catchments (minutes)."
    )
    decays: list[Annotated[str, Field(max_length=20)]] | None = Field(
        None, max_length=6, description="Decays (default: the method's)."
    )
    profiles: list[Annotated[str, Field(pattern=PROFILE)]] = Field(
        default=["straight-line"], min_length=1, max_length=4, description="Travel profiles."
    )
    supply: str = Field("count", max_length=20, description="count or capacity.")
    chunk_size: int = Field(500, ge=1, le=5000, description="Areas per chunk.")


def _with_job(request: Request, sweep: Any) -> dict[str, Any]:
    wake_workers(request)
    job = {"id": sweep.job_id, **job_links(request, sweep.job_id)} if sweep.job_id else None
    return {**sweep.to_dict(), "job": job}


# -- JSON API -------------------------------------------------------------------------------------
@api.get("/sweeps", responses=ERRORS)
def list_sweeps(workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """The access sweeps, newest first, with their chunks by state."""
    return [s.to_dict() for s in workspace.sweeps.list()]


@api.post("/sweeps", status_code=202, responses=ERRORS)
def start_sweep(
    request: Request, body: SweepCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Plan a sweep and queue the job that runs it; follow ``GET /sweeps/{id}``."""
    sweep = workspace.sweeps.submit(body.places, **body.model_dump(exclude={"places"}))
    return _with_job(request, sweep)


@api.get("/sweeps/{sweep_id}", responses=ERRORS)
def get_sweep(sweep_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """One sweep: its state, progress and each chunk's state, passes run and seconds."""
    sweep = workspace.sweeps.get(sweep_id)
    return {**sweep.to_dict(), "chunk_list": workspace.sweeps.chunks(sweep_id)}


@api.get("/sweeps/{sweep_id}/results", responses=ERRORS)
def sweep_results(
    sweep_id: str,
    workspace: WorkspaceDep,
    profile: Annotated[str | None, Query(pattern=PROFILE)] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    place: Annotated[str | None, Query(pattern=SLUG, max_length=80)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 1000,
    offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
) -> dict[str, Any]:
    """The results stored so far, one row per scenario and area (``catchment`` and ``nearest``
    in ``unit``: m on a straight line, min on a network), a page at a time."""
    frame = workspace.sweeps.results(sweep_id, profile=profile, category=category, place=place)
    page = frame.iloc[offset : offset + limit]
    rows = page.astype(object).where(page.notna(), None).to_dict(orient="records")
    return {"total": len(frame), "offset": offset, "limit": limit, "results": rows}


@api.get(
    "/sweeps/{sweep_id}/results.csv",
    responses={200: {"content": {"text/csv": {}}}, **ERRORS},
    response_class=Response,
)
def sweep_csv(sweep_id: str, workspace: WorkspaceDep) -> Response:
    """Every result of the sweep as CSV."""
    buffer = io.BytesIO()
    workspace.sweeps.export(sweep_id, buffer)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="sweep-{sweep_id[:8]}.csv"'},
    )


@api.post("/sweeps/{sweep_id}/resume", status_code=202, responses=ERRORS)
def resume_sweep(
    request: Request, sweep_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Queue a failed or cancelled sweep again: only what its chunks have not stored runs."""
    return _with_job(request, workspace.sweeps.resume(sweep_id))


@api.post("/sweeps/{sweep_id}/cancel", responses=ERRORS)
def cancel_sweep(sweep_id: str, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Stop a queued or running sweep (what its chunks stored stays)."""
    return workspace.sweeps.cancel(sweep_id).to_dict()


# -- pages ----------------------------------------------------------------------------------------
@pages.get("/sweeps", response_class=HTMLResponse)
def sweeps_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    return _list_page(request, workspace, templates, user)


def _list_page(
    request: Request,
    workspace: Any,
    templates: Any,
    user: Any,
    *,
    form: dict[str, Any] | None = None,
    problems: list[str] | None = None,
) -> Response:
    from mobilise.model.asset_vocab import CATEGORIES

    return templates.TemplateResponse(
        request,
        "sweeps.html",
        {
            "user": user,
            "sweeps": workspace.sweeps.list(),
            "names": workspace.places.names(),
            "can_edit": is_editor(user),
            "categories": CATEGORIES,
            "form": form or _FORM,
            "form_problems": problems or [],
        },
        status_code=422 if problems else 200,
    )


_FORM: dict[str, Any] = {
    "places": [],
    "categories": [],
    "profiles": ["straight-line"],
    "catchments_m": "800,1600",
    "catchments_min": "10,20",
}


@pages.post("/sweeps")
def start_from_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    places: Annotated[list[str] | None, Form()] = None,
    categories: Annotated[list[str] | None, Form()] = None,
    profiles: Annotated[list[str] | None, Form()] = None,
    catchments_m: Annotated[str, Form(max_length=200)] = "800,1600",
    catchments_min: Annotated[str, Form(max_length=200)] = "10,20",
) -> Response:
    """Start a sweep from the page's form; a bad form comes back filled in, saying what is
    wrong."""
    form = {
        "places": places or [],
        "categories": categories or [],
        "profiles": profiles or [],
        "catchments_m": catchments_m,
        "catchments_min": catchments_min,
    }
    try:
        if not places:
            raise ValidationError("Choose at least one place.")
        sweep = workspace.sweeps.submit(
            places,
            categories=categories or [],
            profiles=profiles or ["straight-line"],
            catchments_m=catchments_m,
            catchments_min=catchments_min,
        )
    except (ValidationError, NotFound) as error:
        found = [p.message for p in getattr(error, "problems", [])] or [error.message]
        return _list_page(request, workspace, templates, user, form=form, problems=found)
    wake_workers(request)
    return RedirectResponse(f"/sweeps/{sweep.id}", status_code=303)


@pages.get("/sweeps/{sweep_id}", response_class=HTMLResponse)
def sweep_page(
    request: Request, sweep_id: str, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    sweep = workspace.sweeps.get(sweep_id)
    return templates.TemplateResponse(
        request,
        "sweep.html",
        {
            "user": user,
            "sweep": sweep,
            "chunks": workspace.sweeps.chunks(sweep_id),
            "names": workspace.places.names(),
            "can_edit": is_editor(user),
        },
    )


@pages.post("/sweeps/{sweep_id}/resume")
def resume_from_form(
    request: Request, sweep_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    workspace.sweeps.resume(sweep_id)
    wake_workers(request)
    return RedirectResponse(f"/sweeps/{sweep_id}", status_code=303)


@pages.post("/sweeps/{sweep_id}/cancel")
def cancel_from_form(sweep_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.sweeps.cancel(sweep_id)
    return RedirectResponse(f"/sweeps/{sweep_id}", status_code=303)


router.include_router(api)
router.include_router(pages)

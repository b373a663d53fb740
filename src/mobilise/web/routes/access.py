"""Access and disparities: the page per place, and the JSON API of access runs.

Runs are computed in the background (after the response is sent); the page and API clients
follow a run's progress through ``GET /api/v1/access/runs/{id}``.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.errors import NotFound, ValidationError
from mobilise.model.access_plan import DECAYS, METHODS, TRAVELS, AccessPlan
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.presentation import gradient_words
from mobilise.web.deps import (
    EditorDep,
    SettingsDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes._access_compare import comparison_rows
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import job_links, wake_workers
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.access import AccessRun

api = APIRouter(prefix="/api/v1", tags=["access"])
pages = APIRouter(include_in_schema=False)

DEFAULT_CATEGORIES = ("arts_culture", "community_space", "library")
DEFAULT_HEALTH = "cidr2019"
_DOWNLOADS = {"csv": "text/csv; charset=utf-8", "gpkg": "application/geopackage+sqlite3"}
_DEFAULT_FORM: dict[str, Any] = {
    "categories": list(DEFAULT_CATEGORIES),
    "method": "e2sfca",
    "catchments": "800,1600",
    "decay": "",
    "health_indicator": DEFAULT_HEALTH,
    "travel": "straight-line",
}
_DEFAULT_CATCHMENTS = {"straight-line": [800.0, 1600.0], "network": [10.0, 20.0]}


class AccessRunCreate(BaseModel):
    """What to compute; see ``mobilise access run --help`` for the same options."""

    categories: list[str] = Field(description="Asset categories, e.g. ['library', 'green_space'].")
    method: str = Field("e2sfca", description=f"One of {', '.join(METHODS)}.")
    catchments_m: list[float] | None = Field(
        None,
        description="Catchment sizes: metres in a straight line (default 800 and 1,600), or "
        "minutes when travel is on streets (default 10 and 20).",
    )
    travel: str = Field(
        "straight-line",
        description=f"How reach is measured: {', '.join(TRAVELS)}. On streets the catchments "
        "and the results' catchment_m and nearest_m are minutes; the place needs a stored "
        "street network of that profile (POST /places/{slug}/networks).",
    )
    decays: list[str] = Field(
        default_factory=list, description=f"Decays ({', '.join(DECAYS)}); default the method's."
    )
    supply: str = Field("count", description="count (1 per asset) or capacity.")
    core20: bool = True
    health_indicator: str | None = Field(None, description="e.g. cidr2019")
    permutations: int = 999


def _queued(request: Request, run: AccessRun) -> dict[str, Any]:
    """A run just submitted (its job told to the workers), with where to follow its job."""
    wake_workers(request)
    job = {"id": run.job_id, **job_links(request, run.job_id)} if run.job_id else None
    return {**run.to_dict(), "job": job}


# -- JSON API -------------------------------------------------------------------------------------
@api.post("/places/{slug}/access/runs", status_code=202, responses=ERRORS)
def start_run(
    request: Request,
    slug: str,
    body: AccessRunCreate,
    workspace: WorkspaceDep,
    _user: EditorDep,
) -> dict[str, Any]:
    """Start an access run; a background job computes it. Follow ``GET /access/runs/{id}``
    (or the job's ``status_url``)."""
    default = _DEFAULT_CATCHMENTS["straight-line" if body.travel == "straight-line" else "network"]
    plan = AccessPlan.build(
        categories=body.categories,
        method=body.method,
        catchments_m=body.catchments_m if body.catchments_m is not None else default,
        travel=body.travel,
        decays=body.decays or None,
        supply=body.supply,
        core20=body.core20,
        health_indicator=body.health_indicator,
        permutations=body.permutations,
    )
    return _queued(request, workspace.access.submit(slug, plan))


@api.get("/places/{slug}/access/runs", responses=ERRORS)
def list_runs(slug: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """A place's access runs, newest first."""
    return [r.to_dict() for r in workspace.access.list(slug)]


@api.get("/access/runs/{run_id}", responses=ERRORS)
def get_run(run_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """One run: status and progress while it runs; its plan, data versions and summary."""
    return workspace.access.get(run_id).to_dict()


@api.post("/access/runs/{run_id}/rerun", status_code=202, responses=ERRORS)
def rerun(
    request: Request, run_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Run a saved run's plan again on the current data (a new run, as a background job)."""
    old = workspace.access.get(run_id)
    return _queued(request, workspace.access.submit(old.place, old.plan, rerun_of=old.id))


@api.get("/access/runs/{run_id}/results", responses=ERRORS)
def results(
    run_id: str,
    workspace: WorkspaceDep,
    category: Annotated[str | None, Query()] = None,
    catchment_m: Annotated[float | None, Query()] = None,
    decay: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    """A run's results per area (filter by scenario)."""
    frame = workspace.access.results(
        run_id, category=category, catchment_m=catchment_m, decay=decay
    )
    frame = frame.astype(object).where(frame.notna(), None)
    return cast(list[dict[str, Any]], frame.to_dict("records"))


@api.get(
    "/access/runs/{run_id}/areas.geojson",
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
    response_class=Response,
)
def run_geojson(
    run_id: str,
    workspace: WorkspaceDep,
    category: Annotated[str, Query()],
    catchment_m: Annotated[float | None, Query()] = None,
    decay: Annotated[str | None, Query()] = None,
) -> Response:
    """One scenario's results with the areas' boundaries, for maps."""
    text = workspace.access.geojson(run_id, category=category, catchment_m=catchment_m, decay=decay)
    return Response(text, media_type="application/geo+json")


@api.get(
    "/access/runs/{run_id}/results.{file_format}",
    responses={200: {"content": {t: {} for t in _DOWNLOADS.values()}}, **ERRORS},
    response_class=Response,
)
def download(run_id: str, file_format: str, workspace: WorkspaceDep) -> Response:
    """Every result of a run as CSV, or as a GeoPackage with the areas' boundaries."""
    if file_format not in _DOWNLOADS:
        raise NotFound(f"No download as {file_format!r}: use results.csv or results.gpkg.")
    content = io.BytesIO()
    workspace.access.export(run_id, content, format=file_format)
    return Response(
        content.getvalue(),
        media_type=_DOWNLOADS[file_format],
        headers={"Content-Disposition": f'attachment; filename="access-{run_id}.{file_format}"'},
    )


# -- the page -------------------------------------------------------------------------------------
@pages.get("/places/{slug}/access", response_class=HTMLResponse)
def access_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: UserDep,
    run: Annotated[str | None, Query()] = None,
    category: Annotated[str | None, Query()] = None,
    catchment_m: Annotated[float | None, Query()] = None,
    decay: Annotated[str | None, Query()] = None,
) -> Response:
    return _page(
        request,
        slug,
        workspace,
        templates,
        settings,
        user,
        run=run,
        category=category,
        catchment_m=catchment_m,
        decay=decay,
    )


def _page(
    request: Request,
    slug: str,
    workspace: Workspace,
    templates: Any,
    settings: Any,
    user: Any,
    *,
    run: str | None = None,
    category: str | None = None,
    catchment_m: float | None = None,
    decay: str | None = None,
    form: dict[str, Any] | None = None,
    form_problems: list[str] | None = None,
) -> Response:
    place = workspace.places.get(slug)
    runs = workspace.access.list(slug)
    chosen = _chosen_run(workspace, runs, run, slug, place.name)
    scenario = None
    if chosen is not None and chosen.status == "done" and chosen.scenarios:
        scenario = chosen.scenario(
            category if category in chosen.plan.categories else chosen.plan.categories[0],
            catchment_m if catchment_m in chosen.plan.catchments_m else None,
            decay if decay in chosen.plan.decays else None,
        )
    priority_rows = (
        _priority_rows(workspace, chosen.id, scenario)
        if scenario is not None and chosen is not None
        else []
    )
    indicators = workspace.indicators.list(place=slug)
    networks = {n.profile: n for n in workspace.networks.list(slug)}
    return templates.TemplateResponse(
        request,
        "access.html",
        {
            "place": place,
            "runs": runs,
            "run": chosen,
            "scenario": scenario,
            "priority_rows": priority_rows,
            "comparison_rows": (
                comparison_rows(workspace, chosen.id, scenario)
                if scenario is not None and chosen is not None and chosen.plan.on_network
                else []
            ),
            "networks": networks,
            "travels": TRAVELS,
            "gradient_words": (
                gradient_words(scenario, f"{CATEGORIES[scenario['category']].lower()} assets")
                if scenario
                else ""
            ),
            "categories": CATEGORIES,
            "default_categories": DEFAULT_CATEGORIES,
            "methods": METHODS,
            "decays": DECAYS,
            "health_indicators": [
                i for i in indicators if i.polarity in ("higher_is_worse", "higher_is_better")
            ],
            "default_health": DEFAULT_HEALTH,
            "can_run": is_editor(user),
            "form": form or _DEFAULT_FORM,
            "form_problems": form_problems or [],
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
        status_code=422 if form_problems else 200,
    )


def _chosen_run(
    workspace: Workspace, runs: list[AccessRun], run: str | None, slug: str, place_name: str
) -> AccessRun | None:
    """The run asked for (it must be of this place), else the newest finished one, else the
    newest."""
    if run:
        chosen = workspace.access.get(run)
        if chosen.place != slug:
            raise NotFound(f"Run {run} belongs to {chosen.place_name}, not {place_name}.")
        return chosen
    return next((r for r in runs if r.status == "done"), None) or (runs[0] if runs else None)


def _priority_rows(
    workspace: Workspace, run_id: str, scenario: dict[str, Any]
) -> list[dict[str, Any]]:
    """The scenario's priority areas, most deprived and lowest access first."""
    frame = workspace.access.results(
        run_id,
        category=scenario["category"],
        catchment_m=scenario["catchment_m"],
        decay=scenario["decay"],
    )
    flagged = frame[frame["priority"]].sort_values(["imd_decile", "value", "area_code"])
    return cast(
        list[dict[str, Any]],
        flagged.astype(object).where(flagged.notna(), None).to_dict("records"),
    )


@pages.post("/places/{slug}/access/runs")
def start_from_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: EditorDep,
    categories: Annotated[list[str] | None, Form()] = None,
    method: Annotated[str, Form()] = "e2sfca",
    catchments: Annotated[str, Form()] = "800,1600",
    decay: Annotated[str, Form()] = "",
    health_indicator: Annotated[str, Form()] = "",
    travel: Annotated[str, Form()] = "straight-line",
) -> Response:
    """Start a run from the page's form; a bad form comes back filled in, saying what is wrong."""
    try:
        plan = AccessPlan.build(
            categories=categories or [],
            method=method,
            catchments_m=catchments,
            decays=decay or None,
            health_indicator=health_indicator or None,
            travel=travel,
        )
        run = workspace.access.submit(slug, plan)
    except (ValidationError, NotFound) as error:
        if isinstance(error, NotFound):
            workspace.places.get(slug)  # an unknown place is still a 404; else the indicator
        form = {
            "categories": categories or [],
            "method": method,
            "catchments": catchments,
            "decay": decay,
            "health_indicator": health_indicator,
            "travel": travel,
        }
        problems = [p.message for p in error.problems] or [error.message]
        return _page(
            request, slug, workspace, templates, settings, user, form=form, form_problems=problems
        )
    wake_workers(request)
    return RedirectResponse(f"/places/{slug}/access?run={run.id}", status_code=303)

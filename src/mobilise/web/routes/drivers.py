"""Drivers of disparities: the pages (a place's runs and form, one run with its maps) and the
JSON API of drivers runs. Runs are computed by the job workers; the pages and API clients follow
a run through ``GET /api/v1/drivers/runs/{id}``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.errors import NotFound, ValidationError
from mobilise.model.drivers_plan import KERNELS, MAX_VARIABLES, MODELS, SEARCHES, DriversPlan
from mobilise.web.deps import EditorDep, SettingsDep, TemplatesDep, UserDep, WorkspaceDep, is_editor
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import job_links, wake_workers
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.drivers import DriversRun

router = APIRouter()

DEFAULT_OUTCOME = "cidr2019"
DEFAULT_VARIABLES = ("indicator:income2019_score", "assets:community_space", "rural")
_MODEL_NAMES = ("ols", "gwr", "mgwr")
_TERM_CHARS = 140


class DriversRunCreate(BaseModel):
    """What to fit; see ``mobilise drivers run --help`` for the same options."""

    outcome: str = Field(description="The outcome indicator, e.g. cidr2019.", max_length=120)
    variables: list[str] = Field(
        description="Explanatory variables: indicator:<id>, access:<category>, "
        "assets:<category>, census:<dimension>:<group>, rural.",
        max_length=MAX_VARIABLES,
    )
    models: list[str] = Field(
        default_factory=lambda: ["ols", "spatial", "gwr"],
        description=f"Any of {', '.join(MODELS)}.",
        max_length=len(MODELS),
    )
    neighbours: int = Field(6, description="Nearest areas counted as neighbours.")
    kernel: str = Field("bisquare", description=f"One of {', '.join(KERNELS)}.")
    fixed: bool = False
    search: str = Field("golden_section", description=f"One of {', '.join(SEARCHES)}.")
    bandwidth_min: float | None = None
    bandwidth_max: float | None = None
    interval: float | None = None
    access_run: str | None = Field(None, max_length=64)


def _queued(request: Request, run: DriversRun) -> dict[str, Any]:
    wake_workers(request)
    job = {"id": run.job_id, **job_links(request, run.job_id)} if run.job_id else None
    return {**run.to_dict(), "job": job}


# -- JSON API -------------------------------------------------------------------------------------
@router.post(
    "/api/v1/places/{slug}/drivers/runs", status_code=202, responses=ERRORS, tags=["drivers"]
)
def start_run(
    request: Request, slug: str, body: DriversRunCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Start a drivers run; a background job computes it. Follow ``GET /drivers/runs/{id}``."""
    plan = DriversPlan.build(**body.model_dump())
    return _queued(request, workspace.drivers.submit(slug, plan))


@router.get("/api/v1/places/{slug}/drivers/runs", responses=ERRORS, tags=["drivers"])
def list_runs(slug: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """A place's drivers runs, newest first."""
    return [r.to_dict() for r in workspace.drivers.list(slug)]


@router.get("/api/v1/places/{slug}/drivers/variables", responses=ERRORS, tags=["drivers"])
def variables(slug: str, workspace: WorkspaceDep) -> list[dict[str, str]]:
    """The explanatory variables a run of the place can use, with their names."""
    return workspace.drivers.variables(slug)


@router.get("/api/v1/drivers/runs/{run_id}", responses=ERRORS, tags=["drivers"])
def get_run(run_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """One run: status and progress while it runs; its plan, data versions and summary."""
    return workspace.drivers.get(run_id).to_dict()


@router.post(
    "/api/v1/drivers/runs/{run_id}/rerun", status_code=202, responses=ERRORS, tags=["drivers"]
)
def rerun(
    request: Request, run_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Run a saved run's plan again on the current data (a new run, as a background job)."""
    old = workspace.drivers.get(run_id)
    return _queued(request, workspace.drivers.submit(old.place, old.plan, rerun_of=old.id))


@router.get("/api/v1/drivers/runs/{run_id}/results", responses=ERRORS, tags=["drivers"])
def results(
    run_id: str,
    workspace: WorkspaceDep,
    model: Annotated[str, Query(max_length=10, description="ols, gwr or mgwr")] = "ols",
) -> list[dict[str, Any]]:
    """A run's results by area for one model."""
    _check_model(model)
    frame = workspace.drivers.results(run_id, model=model)
    frame = frame.astype(object).where(frame.notna(), None)
    return cast(list[dict[str, Any]], frame.to_dict("records"))


@router.get(
    "/api/v1/drivers/runs/{run_id}/areas.geojson",
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
    response_class=Response,
    tags=["drivers"],
)
def run_geojson(
    run_id: str,
    workspace: WorkspaceDep,
    model: Annotated[str, Query(max_length=10, description="ols, gwr or mgwr")] = "gwr",
    term: Annotated[str | None, Query(max_length=_TERM_CHARS)] = None,
) -> Response:
    """One model's results with the areas' boundaries, for maps (``term``: its local effect)."""
    _check_model(model)
    text = workspace.drivers.geojson(run_id, model=model, term=term)
    return Response(text, media_type="application/geo+json")


def _check_model(model: str) -> None:
    if model not in _MODEL_NAMES:
        raise ValidationError(f"model must be one of {', '.join(_MODEL_NAMES)}, not {model!r}.")


# -- the pages ------------------------------------------------------------------------------------
@router.get("/places/{slug}/drivers", response_class=HTMLResponse, include_in_schema=False)
def drivers_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
) -> Response:
    return _place_page(request, slug, workspace, templates, user)


def _place_page(
    request: Request,
    slug: str,
    workspace: Workspace,
    templates: Any,
    user: Any,
    *,
    form: dict[str, Any] | None = None,
    problems: list[str] | None = None,
) -> Response:
    place = workspace.places.get(slug)
    found = workspace.drivers.variables(slug)
    outcomes = [v for v in found if v["kind"] == "indicator"]
    return templates.TemplateResponse(
        request,
        "drivers.html",
        {
            "place": place,
            "runs": workspace.drivers.list(slug),
            "outcomes": outcomes,
            "variables": found,
            "models": MODELS,
            "kernels": KERNELS,
            "searches": SEARCHES,
            "can_run": is_editor(user),
            "form": form
            or {
                "outcome": DEFAULT_OUTCOME,
                "variables": list(DEFAULT_VARIABLES),
                "models": ["ols", "spatial", "gwr"],
                "search": "golden_section",
            },
            "problems": problems or [],
            "user": user,
        },
        status_code=422 if problems else 200,
    )


@router.post("/places/{slug}/drivers/runs", include_in_schema=False)
def start_from_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    outcome: Annotated[str, Form(max_length=120)] = "",
    variables: Annotated[list[str] | None, Form()] = None,
    models: Annotated[list[str] | None, Form()] = None,
    search: Annotated[str, Form(max_length=20)] = "golden_section",
) -> Response:
    """Start a run from the page's form; a bad form comes back filled in, saying what is wrong."""
    chosen = {
        "outcome": outcome,
        "variables": variables or [],
        "models": models or ["ols"],
        "search": search,
    }
    try:
        plan = DriversPlan.build(
            outcome=outcome, variables=variables or [], models=models or ["ols"], search=search
        )
        run = workspace.drivers.submit(slug, plan)
    except (ValidationError, NotFound) as error:
        if isinstance(error, NotFound):
            workspace.places.get(slug)  # an unknown place is still a 404
        problems = [p.message for p in error.problems] or [error.message]
        return _place_page(
            request, slug, workspace, templates, user, form=chosen, problems=problems
        )
    wake_workers(request)
    return RedirectResponse(f"/drivers/{run.id}", status_code=303)


@router.get("/drivers/{run_id}", response_class=HTMLResponse, include_in_schema=False)
def run_page(
    request: Request,
    run_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: UserDep,
) -> Response:
    run = workspace.drivers.get(run_id)
    summary = run.summary
    local = summary.get("local", [])
    return templates.TemplateResponse(
        request,
        "driver_run.html",
        {
            "run": run,
            "place": workspace.places.get(run.place),
            "summary": summary,
            "local": local,
            "map_data": {
                "run": run.id,
                "models": [
                    {
                        "kind": m["kind"],
                        "label": m["label"],
                        "terms": [
                            {"name": t["name"], "label": t["label"], "words": t.get("words", "")}
                            for t in m["terms"]
                        ],
                    }
                    for m in local
                ],
            },
            "can_run": is_editor(user),
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
    )


@router.post("/drivers/{run_id}/rerun", include_in_schema=False)
def rerun_from_page(
    request: Request, run_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    old = workspace.drivers.get(run_id)
    run = workspace.drivers.submit(old.place, old.plan, rerun_of=old.id)
    wake_workers(request)
    return RedirectResponse(f"/drivers/{run.id}", status_code=303)

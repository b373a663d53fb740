"""Public-health statistics on the web: compute an indicator from counts (API), a funnel plot
per indicator and place, and an area's profile against the benchmark as a spine chart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import Problem, ValidationError
from mobilise.model.indicators import POLARITIES
from mobilise.model.presentation import number
from mobilise.model.rate_methods import COMPARISONS, METHODS
from mobilise.web.deps import EditorDep, TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes._indicator_charts import (
    SIGNIFICANCE_WORDS,
    funnel_drawing,
    spine_drawing,
)
from mobilise.web.routes.api import ERRORS

router = APIRouter()

IndicatorId = Annotated[str, Path(max_length=120, pattern=r"^[a-z0-9_]+$")]
PlaceSlug = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]+$")]


def _choice(value: str, allowed: Any, field: str) -> str:
    if value not in allowed:
        raise ValidationError(
            f"{value!r} is not a {field}: use one of {', '.join(allowed)}.",
            problems=[Problem(f"not one of {', '.join(allowed)}", field=field)],
        )
    return value


@router.post("/api/v1/indicators/compute", status_code=201, responses=ERRORS, tags=["api"])
def compute_indicator(
    workspace: WorkspaceDep,
    _user: EditorDep,
    file: Annotated[
        UploadFile, File(description="Counts: area_code, [age_band,] count, population")
    ],
    indicator_id: Annotated[str, Form(max_length=120, pattern=r"^[a-z0-9_]+$")],
    method: Annotated[str, Form(description=", ".join(METHODS))],
    standard: Annotated[str, Form(max_length=40)] = "esp2013",
    confidence: Annotated[float, Form(ge=90, lt=100)] = 95.0,
    multiplier: Annotated[float | None, Form(gt=0, le=1e9)] = None,
    name: Annotated[str | None, Form(max_length=300)] = None,
    polarity: Annotated[str, Form()] = "higher_is_worse",
    period: Annotated[str, Form(max_length=40)] = "",
    benchmark_label: Annotated[str | None, Form(max_length=120)] = None,
) -> dict[str, Any]:
    """Compute an indicator from a count table by OHID's methods (crude rate, proportion, DSR
    against the European Standard Population 2013, ISR against all areas of the file, life
    expectancy) and store it with its intervals; a 422 names every bad row and field."""
    if standard != "esp2013":
        raise ValidationError(
            "Only the bundled standard esp2013 can be named here; use the CLI for your own.",
            problems=[Problem("unknown standard", field="standard")],
        )
    summary = workspace.indicators.compute(
        file.file,
        name=file.filename or "counts.csv",
        indicator_id=indicator_id,
        method=_choice(method, METHODS, "method"),
        standard=standard,
        confidence=confidence,
        multiplier=multiplier,
        indicator_name=name,
        polarity=_choice(polarity, POLARITIES, "polarity"),
        period=period,
        benchmark_label=benchmark_label,
    )
    return {**summary.to_dict(), "indicator": workspace.indicators.get(indicator_id).to_dict()}


@router.get("/api/v1/indicators/{indicator_id}/funnel", responses=ERRORS, tags=["api"])
def indicator_funnel(
    indicator_id: IndicatorId, workspace: WorkspaceDep, place: PlaceSlug = None
) -> dict[str, Any]:
    """A computed indicator's funnel plot: control limits at 95% and 99.8% around the average
    of every stored area, and which areas (of ``place``) fall outside them."""
    return workspace.indicators.funnel(indicator_id, place=place)


@router.get("/api/v1/areas/{code}/spine", responses=ERRORS, tags=["api"])
def area_spine(
    code: Annotated[str, Path(max_length=12)], workspace: WorkspaceDep
) -> list[dict[str, Any]]:
    """An area's indicators against their benchmark (England where known), as a spine chart:
    the value and its interval, the benchmark, worst, 25th, 75th percentile and best."""
    workspace.areas.get(code)
    return workspace.indicators.spine(code)


@router.get("/places/{slug}/funnel", response_class=HTMLResponse, include_in_schema=False)
def funnel_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    indicator: Annotated[str | None, Query(max_length=120)] = None,
) -> Response:
    place = workspace.places.get(slug)
    computed = [
        i
        for i in workspace.indicators.list(place=slug)
        if i.method in METHODS and METHODS[i.method].funnel
    ]
    chosen = next((i for i in computed if i.id == indicator), computed[0] if computed else None)
    funnel = workspace.indicators.funnel(chosen.id, place=slug) if chosen else None
    return templates.TemplateResponse(
        request,
        "indicator_funnel.html",
        {
            "place": place,
            "indicators": computed,
            "chosen": chosen,
            "funnel": funnel,
            "drawing": funnel_drawing(funnel) if funnel and funnel["areas"] else None,
            "significance_words": SIGNIFICANCE_WORDS,
            "number": number,
            "user": user,
        },
    )


@router.get("/areas/{code}/profile", response_class=HTMLResponse, include_in_schema=False)
def profile_page(
    request: Request,
    code: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
) -> Response:
    area = workspace.areas.get(code)
    rows = workspace.indicators.spine(code)
    return templates.TemplateResponse(
        request,
        "area_profile.html",
        {
            "area": area,
            "rows": [(row, spine_drawing(row)) for row in rows],
            "comparisons": COMPARISONS,
            "number": number,
            "user": user,
        },
    )

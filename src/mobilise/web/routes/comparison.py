"""Place comparison on the web: ``GET /api/v1/places/compare?places=a,b`` and the page
``/places/compare?places=a,b`` (charts drawn on the server as SVG).

Every signed-in user may compare places; the figures are aggregates, and anyone but an admin
gets the engagement counts disclosure-controlled and only the maps and rounds they may see (see
:mod:`mobilise.workspace.place_comparison`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.model.presentation import number
from mobilise.web.deps import TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS

if TYPE_CHECKING:
    from mobilise.workspace.place_comparison import Comparison

router = APIRouter()

PlacesQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=500,
        pattern=r"^[a-z0-9,-]+$",
        description="Two or more place slugs, separated by commas (at most 6).",
    ),
]
IndicatorQuery = Annotated[
    list[Annotated[str, Query(max_length=120, pattern=r"^[a-z0-9_]+$")]] | None,
    Query(
        max_length=20,
        description="Indicators of the health and gradient sections (repeat; default: every "
        "computed indicator and the health ones).",
    ),
]
ConfidenceQuery = Annotated[
    float, Query(ge=0.8, lt=1, description="Level of every interval (0.8 to 0.999).")
]
_WIDTH, _ROW, _LEFT, _RIGHT = 320.0, 26.0, 8.0, 8.0


@router.get("/api/v1/places/compare", responses=ERRORS, tags=["api"])
def compare_places(
    workspace: WorkspaceDep,
    user: UserDep,
    places: PlacesQuery,
    indicator: IndicatorQuery = None,
    confidence: ConfidenceQuery = 0.95,
) -> dict[str, Any]:
    """Two or more places side by side: population, deprivation, health indicators against
    England, the deprivation gradient (SII/RII), access and priority neighbourhoods, assets per
    1,000 residents, the partnership, engagement reach and what could transfer. Each section
    has its source, date, licence and method, the differences' intervals and words saying which
    are not distinguishable from chance. 404 for an unknown place, 422 for one place only or a
    place without areas."""
    found = workspace.comparison.compare(
        places, indicators=indicator, confidence=confidence, viewer=user
    )
    return found.to_dict()


def interval_chart(found: Comparison, indicator_id: str) -> dict[str, Any] | None:
    """One indicator's places as dots with their interval lines, in the SVG's units."""
    section = found.section("health")
    figures = [
        (found.names[slug], section.places[slug]["indicators"].get(indicator_id) or {})
        for slug in found.slugs
    ]
    ends = [
        v
        for _name, f in figures
        for v in (f.get("lower"), f.get("value"), f.get("upper"))
        if v is not None
    ]
    if not ends:
        return None
    low, high = min(ends), max(ends)
    span = (high - low) or abs(high) or 1.0
    low, high = low - span * 0.05, high + span * 0.05

    def x(value: float | None) -> float | None:
        if value is None:
            return None
        return round(_LEFT + (value - low) / (high - low) * (_WIDTH - _LEFT - _RIGHT), 1)

    rows = [
        {
            "name": name,
            "y": round(_ROW * (i + 0.5) + 14, 1),
            "x": x(f.get("value")),
            "x_low": x(f.get("lower")),
            "x_high": x(f.get("upper")),
            "words": f"{number(f.get('value'))}"
            + (
                f" ({number(f.get('lower'))} to {number(f.get('upper'))})"
                if f.get("lower") is not None
                else ""
            ),
        }
        for i, (name, f) in enumerate(figures)
    ]
    return {"width": _WIDTH, "height": _ROW * len(rows) + 18, "rows": rows}


def age_chart(found: Comparison) -> dict[str, Any] | None:
    """The places' age profiles as grouped bars (share of residents per band)."""
    section = found.section("population")
    profiles = {slug: (section.places[slug].get("age") or {}) for slug in found.slugs}
    bands = next((p["groups"] for p in profiles.values() if p), None)
    if not bands:
        return None
    top = max(g["share"] or 0 for p in profiles.values() for g in p.get("groups", [])) or 1
    group_width = (_WIDTH - 20) / len(bands)
    bar = group_width * 0.8 / len(found.slugs)
    bars = []
    for b, band in enumerate(bands):
        for s, slug in enumerate(found.slugs):
            groups = {g["group"]: g for g in profiles[slug].get("groups", [])}
            share = (groups.get(band["group"]) or {}).get("share") or 0
            height = round(share / top * 110, 1)
            bars.append(
                {
                    "x": round(10 + b * group_width + s * bar, 1),
                    "y": round(125 - height, 1),
                    "width": round(bar - 1, 1),
                    "height": height,
                    "series": s,
                    "title": f"{found.names[slug]}, {band['label']}: {share:.0%}",
                }
            )
    labels = [
        {"x": round(10 + (b + 0.4) * group_width, 1), "text": band["label"]}
        for b, band in enumerate(bands)
    ]
    return {"width": _WIDTH, "height": 160, "bars": bars, "labels": labels}


@router.get("/places/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    places: Annotated[str | None, Query(max_length=500, pattern=r"^[a-z0-9,-]*$")] = None,
    chosen: Annotated[
        list[Annotated[str, Query(max_length=80)]] | None, Query(max_length=6)
    ] = None,
) -> Response:
    all_places = workspace.places.names()
    wanted = list(dict.fromkeys(w for w in [*(places or "").split(","), *(chosen or [])] if w))
    found = None
    if len(wanted) > 1:  # one place ticked: the form again, with a hint (the API says 422)
        found = workspace.comparison.compare(wanted, viewer=user)
    health = found.section("health") if found else None
    indicators = (
        list(health.places[found.slugs[0]]["indicators"].items()) if found and health else []
    )
    return templates.TemplateResponse(
        request,
        "place_compare.html",
        {
            "all_places": all_places,
            "wanted": wanted,
            "found": found,
            "indicators": [
                (indicator_id, figure, interval_chart(found, indicator_id))
                for indicator_id, figure in indicators
            ]
            if found
            else [],
            "age_chart": age_chart(found) if found else None,
            "number": number,
            "user": user,
        },
    )

"""Who was reached: the JSON API and the page of a place's representation figures.

Every signed-in user may ask; what they get is counts, never rows, and anyone but an admin gets
them disclosure-controlled (counts of 1 to k-1 read "fewer than k", with what derives from them
blank: see :mod:`mobilise.workspace.engagement`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import Problem, ValidationError
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.reach_words import DIMENSIONS
from mobilise.web.deps import TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS

if TYPE_CHECKING:
    from mobilise.workspace.engagement import Reach, ReachDimension

api = APIRouter(prefix="/api/v1", tags=["engagement"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The API and the page, for the app to include at once (built at the end of this module)."""

ByQuery = Annotated[
    list[str] | None,
    Query(description="Dimensions to compare (repeat; default all): " + ", ".join(DIMENSIONS)),
]
SinceQuery = Annotated[date | None, Query(description="Only events starting on or after.")]
UntilQuery = Annotated[date | None, Query(description="Only events starting on or before.")]
KindQuery = Annotated[
    str | None, Query(max_length=40, description="One kind of event: " + ", ".join(EVENT_KINDS))
]
PopulationQuery = Annotated[
    str,
    Query(
        max_length=40,
        description="Compare with every resident of the place (place) or the residents of the "
        "areas the participants came from (participants_areas).",
    ),
]
_CHART_WIDTH = 300.0  # the SVG's own units; it is drawn at the width of the page


@api.get("/places/{slug}/reach", responses=ERRORS)
def reach(
    slug: str,
    workspace: WorkspaceDep,
    user: UserDep,
    by: ByQuery = None,
    since: SinceQuery = None,
    until: UntilQuery = None,
    event_kind: KindQuery = None,
    population_of: PopulationQuery = "place",
) -> dict[str, Any]:
    """Who the place's engagement events reached against its residents: per dimension and group
    the count, share, residents' share, representation ratio with its 95% Wilson interval and
    flag; the dissimilarity index; retention; partners' reach (counts only). Disclosure-
    controlled for everyone but admins (``k`` says the smallest count shown)."""
    found = workspace.engagement.reach(
        slug,
        by=by or tuple(DIMENSIONS),
        since=since,
        until=until,
        event_kind=event_kind,
        population_of=population_of,
        viewer=user,
    )
    return found.to_dict()


def _bars(dimension: ReachDimension) -> list[dict[str, Any]]:
    """Each group's bars in the chart's units: participants' share with its interval, and the
    residents' share, on one scale."""
    groups = [g for g in dimension.groups if g["kind"] == "group"]
    tops = [
        value
        for g in groups
        for value in (g["share_high"], g["share"], g["population_share"])
        if value is not None
    ]
    scale = _CHART_WIDTH / max([0.05, *tops])

    def width(value: float | None) -> float | None:
        return None if value is None else round(value * scale, 1)

    bars = []
    for group in groups:
        bars.append(
            {
                **group,
                "share_x": width(group["share"]),
                "low_x": width(group["share_low"]),
                "high_x": width(group["share_high"]),
                "population_x": width(group["population_share"]),
            }
        )
    return bars


def _day(text: str | None, field: str) -> date | None:
    """A day from the page's form: empty means none (a GET form sends empty fields)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            "Cannot work out who was reached.",
            problems=[Problem(f"{text!r} is not a date (YYYY-MM-DD)", field=field)],
        ) from None


DayText = Annotated[str | None, Query(max_length=10)]


@pages.get("/places/{slug}/reach", response_class=HTMLResponse)
def reach_page(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    since: DayText = None,
    until: DayText = None,
    event_kind: KindQuery = None,
    population_of: PopulationQuery = "place",
) -> Response:
    found: Reach = workspace.engagement.reach(
        slug,
        since=_day(since, "since"),
        until=_day(until, "until"),
        event_kind=event_kind or None,
        population_of=population_of,
        viewer=user,
    )
    return templates.TemplateResponse(
        request,
        "reach.html",
        {
            "reach": found,
            "charts": {d.dimension: _bars(d) for d in found.dimensions if d.available},
            "chart_width": _CHART_WIDTH,
            "event_kinds": EVENT_KINDS,
            "first": found.dimensions[0] if found.dimensions else None,
            "user": user,
        },
    )


router.include_router(api)
router.include_router(pages)

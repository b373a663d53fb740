"""The HTML pages: home, place, area profile, data sources.

In a shared deployment they are public (issue 17): what they show is open data (boundaries,
statistics, the data sources and their licences) and public assets; what is the consortium's
(systems maps, who was reached, access runs) is for signed-in users only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import MobiliseError
from mobilise.model.presentation import THEMES, decile_words, number, theme_of
from mobilise.web.deps import (
    ANONYMOUS,
    OptionalUserDep,
    PublicWorkspaceDep,
    SettingsDep,
    TemplatesDep,
)

router = APIRouter(include_in_schema=False)

DEFAULT_INDICATOR = "imd2019_score"
NEARBY_SHOWN = 8  # the nearest assets the postcode search shows; the directory lists the rest


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    return templates.TemplateResponse(
        request, "home.html", {"places": workspace.places.list(), "user": user}
    )


@router.get("/find", response_class=HTMLResponse)
def find(
    request: Request,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
    postcode: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Postcode search for residents: what is near first (the nearest assets, with distance
    and open now), the area's statistics a link away."""
    from mobilise.model.asset_vocab import CATEGORIES

    context: dict[str, Any] = {
        "places": workspace.places.list(),
        "user": user,
        "postcode": postcode,
        "categories": CATEGORIES,
    }
    try:
        context["nearby"] = workspace.asset_profiles.near(postcode, limit=NEARBY_SHOWN)
    except MobiliseError as error:
        context["search_error"] = error.message
        return templates.TemplateResponse(
            request, "home.html", context, status_code=error.status_code
        )
    return templates.TemplateResponse(request, "home.html", context)


def _grouped(items: list[Any], key: Any) -> list[tuple[str, list[Any]]]:
    groups = []
    for theme, label in THEMES:
        members = sorted(
            (i for i in items if theme_of(key(i)) == theme),
            key=lambda i: (not key(i).startswith("imd2019"), key(i)),
        )
        if members:
            groups.append((label, members))
    return groups


@router.get("/places/{slug}", response_class=HTMLResponse)
def place(
    request: Request,
    slug: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: OptionalUserDep,
    indicator: Annotated[str | None, Query()] = None,
) -> Response:
    found = workspace.places.get(slug)
    indicators = workspace.indicators.list(place=slug)
    ids = [i.id for i in indicators]
    chosen = (
        indicator
        if indicator in ids
        else DEFAULT_INDICATOR
        if DEFAULT_INDICATOR in ids
        else (ids[0] if ids else None)
    )
    return templates.TemplateResponse(
        request,
        "place.html",
        {
            "place": found,
            # systems maps are for the consortium: those this user may see, none for visitors
            "maps": [] if user is ANONYMOUS else workspace.maps.list(place=slug, viewer=user),
            "signed_in": user is not ANONYMOUS,
            "groups": _grouped(indicators, lambda i: i.id),
            "indicators": {i.id: i.to_dict() for i in indicators},
            "chosen": chosen,
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
    )


@router.get("/areas/{code}", response_class=HTMLResponse)
def area(
    request: Request,
    code: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: OptionalUserDep,
    postcode: Annotated[str | None, Query()] = None,
) -> Response:
    found = workspace.areas.get(code)
    values = workspace.indicators.for_area(code)
    return templates.TemplateResponse(
        request,
        "area.html",
        {
            "area": found,
            "groups": _grouped(values, lambda v: v.indicator.id),
            "geometry": workspace.areas.geometry(code),
            "lad": found.parent("lad"),
            "msoa": found.parent("msoa"),
            "rural_urban": next(
                (link for link in found.links if link.relation == "classification"), None
            ),
            "successors": [link for link in found.links if link.relation == "successor"],
            "postcode": postcode,
            "number": number,
            "decile_words": decile_words,
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
    )


@router.get("/sources", response_class=HTMLResponse)
def sources(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    datasets = workspace.datasets.list()
    return templates.TemplateResponse(
        request,
        "sources.html",
        {
            "datasets": datasets,
            "licences": workspace.demo.licences(),
            "user": user,
        },
    )

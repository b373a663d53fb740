"""The HTML pages: home, place, area profile, data sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.errors import MobiliseError
from mobilise.model.presentation import THEMES, decile_words, number, theme_of
from mobilise.web.deps import SettingsDep, TemplatesDep, UserDep, WorkspaceDep

router = APIRouter(include_in_schema=False)

DEFAULT_INDICATOR = "imd2019_score"


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    return templates.TemplateResponse(
        request, "home.html", {"places": workspace.places.list(), "user": user}
    )


@router.get("/find", response_class=HTMLResponse)
def find(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
    postcode: Annotated[str, Query()] = "",
) -> Response:
    """Postcode search for residents: straight to the profile of their area."""
    try:
        found = workspace.postcodes.geocode(postcode)
    except MobiliseError as error:
        return templates.TemplateResponse(
            request,
            "home.html",
            {
                "places": workspace.places.list(),
                "user": user,
                "search_error": error.message,
                "postcode": postcode,
            },
            status_code=error.status_code,
        )
    if found.lsoa11_code is None:
        return templates.TemplateResponse(
            request,
            "home.html",
            {
                "places": workspace.places.list(),
                "user": user,
                "postcode": postcode,
                "search_error": f"{found.postcode} has no small area in the lookup.",
            },
            status_code=404,
        )
    return RedirectResponse(
        f"/areas/{found.lsoa11_code}?postcode={found.postcode}", status_code=303
    )


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
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: UserDep,
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
            "maps": workspace.maps.list(place=slug),
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
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: UserDep,
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
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
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

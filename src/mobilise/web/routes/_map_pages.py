"""The pages of systems maps: the list (with the deleted maps editors can restore), the editor,
and the read-only shared view (the router :data:`pages` of :mod:`mobilise.web.routes.maps`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.causal_map import FACTOR_KINDS, MAP_STATUSES, STRENGTHS
from mobilise.model.visibility import MAP_VISIBILITIES
from mobilise.web.deps import PublicWorkspaceDep, TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes._map_access import VisibleMapDep, can_edit_maps

__all__ = ["pages"]

pages = APIRouter(include_in_schema=False)


@pages.get("/maps", response_class=HTMLResponse)
def maps_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    can_edit = can_edit_maps(user)
    return templates.TemplateResponse(
        request,
        "maps.html",
        {
            "maps": workspace.maps.list(viewer=user),
            "deleted": workspace.maps.deleted(viewer=user) if can_edit else [],
            "places": workspace.places.list(),
            "can_edit": can_edit,
            "visibilities": MAP_VISIBILITIES,
            "user": user,
        },
    )


@pages.get("/maps/{map_id}", response_class=HTMLResponse)
def map_page(
    request: Request,
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
) -> Response:
    choices = {
        "indicators": [[i.id, i.name] for i in workspace.indicators.list()],
        "categories": [[key, label] for key, label in CATEGORIES.items()],
        "statuses": list(MAP_STATUSES),
        "visibilities": [[key, f"{key}: {words}"] for key, words in MAP_VISIBILITIES.items()],
    }
    context = {"can_edit": can_edit_maps(user), "user": user, "shared": False}
    return _editor(request, templates, info, f"/api/v1/maps/{info.id}", choices, context)


@pages.get("/maps/shared/{token}", response_class=HTMLResponse, name="shared_map_page")
def shared_map_page(
    request: Request, token: str, workspace: PublicWorkspaceDep, templates: TemplatesDep
) -> Response:
    info = workspace.maps.by_share_token(token)
    choices: dict[str, Any] = {
        "indicators": [],
        "categories": [],
        "statuses": [],
        "visibilities": [],
    }
    context = {"can_edit": False, "user": None, "shared": True}
    return _editor(request, templates, info, f"/api/v1/shared-maps/{token}", choices, context)


def _editor(
    request: Request,
    templates: TemplatesDep,
    info: Any,
    api_base: str,
    choices: dict[str, Any],
    context: dict[str, Any],
) -> Response:
    return templates.TemplateResponse(
        request,
        "map_editor.html",
        {
            "info": info,
            "kinds": FACTOR_KINDS,
            "strengths": STRENGTHS,
            "api_base": api_base,
            "choices": choices,
            **context,
        },
    )

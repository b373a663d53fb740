"""Galleries of what people made at events, per event and per place; the exhibition (a
full-screen slideshow for a screen at a community event); the public files; and what people
said about an asset or an area, as JSON.

Everything here is public in the sense of :mod:`mobilise.workspace.media`: only contributions
staff marked public (media with alt text), only while the person's consent (``take_part`` and
the kind's scope) allows it, never a pseudonym; anonymous visitors see only public events'.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from mobilise.web.deps import (
    OptionalUserDep,
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
)
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.event_api import SLUG, is_anonymous
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["gallery"])
pages = APIRouter(include_in_schema=False)
SlugPath = Annotated[str, Path(pattern=SLUG)]
PUBLIC_FILE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
# no-store: a withdrawal takes a file away at once, so no cache may keep it.


def _event_gallery(workspace: Workspace, event_id: str, user: User) -> tuple[str, list[Any]]:
    event = workspace.events.get(event_id, public_only=is_anonymous(user))
    shown = workspace.media.gallery(event=event.id, public_events_only=is_anonymous(user))
    return event.title, shown


def _place_gallery(workspace: Workspace, slug: str, user: User) -> tuple[str, list[Any]]:
    place = workspace.places.get(slug)
    shown = workspace.media.gallery(place=slug, public_events_only=is_anonymous(user))
    return place.name, shown


# -- API -----------------------------------------------------------------------------------------
@api.get("/events/{event_id}/gallery", responses=ERRORS)
def event_gallery(
    event_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> list[dict[str, Any]]:
    """The event's public media (alt text, caption, the maker's words; no pseudonyms)."""
    return [item.to_dict() for item in _event_gallery(workspace, event_id, user)[1]]


@api.get("/places/{slug}/gallery", responses=ERRORS)
def place_gallery(
    slug: SlugPath, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> list[dict[str, Any]]:
    """The public media of the place's events."""
    return [item.to_dict() for item in _place_gallery(workspace, slug, user)[1]]


@api.get("/assets/{asset_id}/event-contributions", responses=ERRORS)
def said_about_asset(
    asset_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> list[dict[str, Any]]:
    """What people said and made about the asset, in public."""
    workspace.assets.get(asset_id, include_private=not is_anonymous(user))
    found = workspace.media.said_about("asset", asset_id, public_events_only=is_anonymous(user))
    return [item.to_dict() for item in found]


@api.get("/areas/{code}/event-contributions", responses=ERRORS)
def said_about_area(code: str, workspace: WorkspaceDep, _user: UserDep) -> list[dict[str, Any]]:
    """What people said and made about the area (and the assets in it), in public."""
    workspace.areas.get(code)
    return [item.to_dict() for item in workspace.media.said_about("area", code)]


# -- files ---------------------------------------------------------------------------------------
def file_response(found: FilePath | bytes, media_type: str, headers: dict[str, str]) -> Response:
    """A media file from disk (byte ranges, never read whole into memory), or bytes kept in the
    database (files stored before the media folder)."""
    if isinstance(found, FilePath):
        return FileResponse(found, media_type=media_type, headers=headers)
    return Response(found, media_type=media_type, headers=headers)


@pages.get("/media/{event_contribution_id}")
def public_media(
    event_contribution_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> Response:
    """A public contribution's file (404 once it is not public, or consent is withdrawn)."""
    found, media_type = workspace.media.public_source(
        event_contribution_id, public_events_only=is_anonymous(user)
    )
    return file_response(found, media_type, PUBLIC_FILE)


@pages.get("/media/{event_contribution_id}/thumbnail")
def public_thumbnail(
    event_contribution_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> Response:
    data, media_type = workspace.media.public_file(
        event_contribution_id, thumbnail=True, public_events_only=is_anonymous(user)
    )
    return Response(data, media_type=media_type, headers=PUBLIC_FILE)


# -- pages ---------------------------------------------------------------------------------------
def _page(
    request: Request,
    templates: Any,
    template: str,
    user: User,
    found: tuple[str, list[Any]],
    back: str,
) -> Response:
    title, items = found
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": None if is_anonymous(user) else user,
            "title": title,
            "items": items,
            "back": back,
            # what the exhibition fetches again each time round: the same gallery, as JSON
            "feed": "/api/v1" + request.url.path.rsplit("/", 1)[0] + "/gallery",
        },
    )


VIEWS = {"gallery": "gallery.html", "exhibition": "exhibition.html"}
"""The two views of the same media: the gallery page, and the exhibition (a slideshow)."""


def _view(request: Request) -> tuple[str, str]:
    """The template of the view a path asks for, and where its "back" link goes."""
    back, view = request.url.path.rsplit("/", 1)
    if view == "exhibition":
        return VIEWS[view], f"{back}/gallery"
    if back.startswith("/places/"):  # a place's page is for signed-in users: its calendar
        return VIEWS[view], f"/events?place={back.removeprefix('/places/')}"
    return VIEWS[view], back


@pages.get("/events/{event_id}/gallery", response_class=HTMLResponse)
@pages.get("/events/{event_id}/exhibition", response_class=HTMLResponse)
def event_media_page(
    request: Request,
    event_id: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
) -> Response:
    """The event's gallery (thumbnails, alt text, captions, the makers' words), or its
    exhibition: a full-screen slideshow of its public pictures for a screen at an event."""
    template, back = _view(request)
    found = _event_gallery(workspace, event_id, user)
    return _page(request, templates, template, user, found, back)


@pages.get("/places/{slug}/gallery", response_class=HTMLResponse)
@pages.get("/places/{slug}/exhibition", response_class=HTMLResponse)
def place_media_page(
    request: Request,
    slug: SlugPath,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
) -> Response:
    """The gallery, or the exhibition, of what people made at a place's events."""
    template, back = _view(request)
    found = _place_gallery(workspace, slug, user)
    return _page(request, templates, template, user, found, back)


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)

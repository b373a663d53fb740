"""Who is asking about a systems map (private to :mod:`mobilise.web.routes.maps`).

- :data:`VisibleMapDep`: the map of the path's ``map_id``, if the signed-in user may see it (a
  map they may not see is a 404, as if it did not exist).
- :data:`IdentityDep`: who a change is attributed to, decided here and never by the client:
  the signed-in user or, in local single-user mode (where every browser is the one local user),
  the browser, by its own random pseudonym token kept in an HttpOnly cookie.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from mobilise.web.deps import PublicWorkspaceDep, UserDep, WorkspaceDep, require_role
from mobilise.workspace.users import User

if TYPE_CHECKING:
    from mobilise.web.map_push import MapBroker
    from mobilise.workspace.maps import MapInfo

__all__ = [
    "BROWSER_COOKIE",
    "MAP_EDITOR_ROLES",
    "IdentityDep",
    "MapEditorDep",
    "SharedMapDep",
    "VisibleMapDep",
    "broker",
    "can_edit_maps",
    "change",
    "joining_identity",
    "participant",
    "unsigned",
]

MAP_EDITOR_ROLES = ("analyst", "facilitator", "partner")
MapEditorDep = Annotated[User, Depends(require_role(*MAP_EDITOR_ROLES))]
BROWSER_COOKIE = "mobilise_map_browser"
_YEAR_S = 365 * 24 * 3600


def can_edit_maps(user: User) -> bool:
    return user.role == "admin" or user.role in MAP_EDITOR_ROLES


def visible_map(map_id: str, workspace: WorkspaceDep, user: UserDep) -> MapInfo:
    """The live map ``map_id``, if the user may see it (else NotFound)."""
    return workspace.maps.get(map_id, viewer=user)


async def identity(request: Request, user: UserDep) -> dict[str, str | None]:
    """Who is making a change: ``username`` (signed in) or ``browser`` (local mode's token)."""
    if request.app.state.settings.local_mode:
        return {"username": None, "browser": request.cookies.get(BROWSER_COOKIE) or None}
    return {"username": user.username, "browser": None}


def shared_map(token: str, workspace: PublicWorkspaceDep) -> MapInfo:
    """The map a share link opens (else NotFound), before anything else of the request."""
    return workspace.maps.by_share_token(token)


VisibleMapDep = Annotated[Any, Depends(visible_map)]  # a MapInfo
SharedMapDep = Annotated[Any, Depends(shared_map)]  # a MapInfo
IdentityDep = Annotated[dict[str, str | None], Depends(identity)]


def joining_identity(
    request: Request, response: Response, who: dict[str, str | None]
) -> dict[str, str | None]:
    """The identity to join a map as: in local mode a browser without a token is given one
    (an HttpOnly cookie, sent only to this site)."""
    if who["username"] is not None or who["browser"] is not None:
        return who
    token = secrets.token_urlsafe(32)
    response.set_cookie(
        BROWSER_COOKIE,
        token,
        max_age=_YEAR_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return {"username": None, "browser": token}


def participant(workspace: Any, map_id: str, who: dict[str, str | None]) -> str | None:
    """The id of the participant the change is attributed to (None before joining)."""
    found = workspace.maps.participant_of(map_id, **who)
    return str(found["id"]) if found is not None else None


def broker(request: Request) -> MapBroker:
    found: MapBroker = request.app.state.map_broker
    return found


async def change(request: Request, map_id: str, work: Any, *args: Any, **kwargs: Any) -> Any:
    """Store a change (in a worker thread), then wake the map's streams."""
    result = await run_in_threadpool(work, *args, **kwargs)
    broker(request).notify(map_id)
    return result


def unsigned(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as viewers see it: no participant id, no user names."""
    private = ("participant_id", "created_by", "updated_by", "deleted_by")
    return {k: v for k, v in record.items() if k not in private}

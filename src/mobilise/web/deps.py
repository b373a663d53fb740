"""Typed dependencies of the routes: the workspace, settings and the signed-in user.

Those that only look at the request are ``async`` so FastAPI calls them on the event loop: a
plain function dependency is handed to a worker thread and back on every request, which costs
more than these short look-ups. :func:`get_user` reads the database and stays a plain function.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from mobilise.errors import AuthenticationRequired, PermissionDenied
from mobilise.model.roles import EDITOR_ROLES, ROLES
from mobilise.settings import Settings
from mobilise.workspace import Workspace
from mobilise.workspace.sign_in_attempts import SignInPolicy
from mobilise.workspace.users import User

LOCAL_USER_ID = "local"
SESSION_KEY = "token"  # the session cookie's one entry: the token of a server-side session
# Roles that edit the register and see private assets and pending contributions.


def is_editor(user: User) -> bool:
    return user.role in EDITOR_ROLES


def is_admin(user: User) -> bool:
    return user.role == "admin"


def sent_fields(body: BaseModel, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a client sent in a body (``null`` included: it clears a field)."""
    return {k: v for k, v in body.model_dump(exclude_unset=True).items() if k not in drop}


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_address(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn takes it from X-Forwarded-For for the
    proxies in ``FORWARDED_ALLOW_IPS``)."""
    return request.client.host if request.client else ""


def sign_in_policy(settings: Settings) -> SignInPolicy:
    return SignInPolicy.from_settings(settings)


def _user(request: Request) -> User:
    """The user of the request's session, looked up once per request."""
    settings: Settings = request.app.state.settings
    if settings.local_mode:
        return User(LOCAL_USER_ID, settings.user, settings.user, "admin")
    found: User | None = getattr(request.state, "mobilise_user", None)
    if found is None:
        token = request.session.get(SESSION_KEY)
        found = request.app.state.workspace.sessions.user(token) if token else None
        if found is None:
            raise AuthenticationRequired("Sign in to use mobilise.")
        request.state.mobilise_user = found
    return found


def get_user(request: Request) -> User:
    """The signed-in user; in local single-user mode, the local user (an admin).

    A plain function, so FastAPI runs it in a worker thread: with users it reads the database,
    which must not hold up the event loop (or wait there for a pooled connection)."""
    return _user(request)


ANONYMOUS = User("anonymous", "anonymous", "Visitor", "viewer")


async def get_optional_user(request: Request) -> User:
    """The signed-in user, or an anonymous viewer: for the public directory and the ORUK feed.

    A request without a session (most of the feed's) is answered on the event loop; one with a
    session looks it up in a worker thread."""
    settings: Settings = request.app.state.settings
    if settings.local_mode:
        return _user(request)  # the local user: nothing to look up
    if not request.session.get(SESSION_KEY):
        return ANONYMOUS
    try:
        return await run_in_threadpool(_user, request)
    except AuthenticationRequired:
        return ANONYMOUS


async def get_public_workspace(
    request: Request, user: Annotated[User, Depends(get_optional_user)]
) -> Workspace:
    """The workspace for pages anyone may read (public assets only are shown there)."""
    workspace: Workspace = request.app.state.workspace
    return workspace.as_actor(user.username)


async def get_workspace(request: Request, user: Annotated[User, Depends(get_user)]) -> Workspace:
    """The workspace, recording changes as made by the signed-in user."""
    workspace: Workspace = request.app.state.workspace
    return workspace.as_actor(user.username)


async def get_templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def require_role(*allowed: str):  # type: ignore[no-untyped-def]
    """A dependency that lets only users with one of ``allowed`` roles through (admins always)."""
    unknown = set(allowed) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    async def check(user: Annotated[User, Depends(get_user)]) -> User:
        if user.role != "admin" and user.role not in allowed:
            raise PermissionDenied(
                f"Your role ({user.role}) cannot do this; it needs {' or '.join(allowed)}."
            )
        return user

    return check


SettingsDep = Annotated[Settings, Depends(get_settings)]
UserDep = Annotated[User, Depends(get_user)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
PublicWorkspaceDep = Annotated[Workspace, Depends(get_public_workspace)]
OptionalUserDep = Annotated[User, Depends(get_optional_user)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
EditorDep = Annotated[User, Depends(require_role(*EDITOR_ROLES[1:]))]
AdminDep = Annotated[User, Depends(require_role("admin"))]

"""Users of a shared deployment, for admins: the page ``/admin/users`` and ``/api/v1/users``.

The same verbs as ``mobilise users``: add, change role, disable, enable, set a password, give a
one-time password link, remove. Each is audited (never a password, its hash or a link) and, but
for adding, enabling and giving a link, ends the user's sessions; the last active admin cannot be
demoted, disabled or removed (409).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.errors import MobiliseError, NotFound
from mobilise.model.roles import ROLES, Role
from mobilise.settings import Settings
from mobilise.web.deps import AdminDep, SettingsDep, TemplatesDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import MAX_PASSWORD, ResetLink, User

api = APIRouter(prefix="/api/v1", tags=["users"])
pages = APIRouter(include_in_schema=False)

Action = Literal["role", "disable", "enable", "password", "remove"]


class UserCreate(BaseModel):
    username: str = Field(max_length=120)
    password: str = Field(max_length=MAX_PASSWORD)
    role: Role = "viewer"
    display_name: str = Field("", max_length=200)


class UserUpdate(BaseModel):
    version: int | None = Field(
        None, description="The version you read; a stale version is a 409 Conflict."
    )
    role: Role | None = None
    disabled: bool | None = Field(None, description="true disables the user, false enables.")


class PasswordSet(BaseModel):
    password: str = Field(max_length=MAX_PASSWORD)
    version: int | None = None


def _listing(workspace: Workspace) -> list[dict[str, Any]]:
    sessions = workspace.sessions.summary()
    found = []
    for user in workspace.users.list():
        summary = sessions.get(user.id)
        last = summary.last_seen_at if summary else None
        found.append(
            {
                **user.to_dict(),
                "open_sessions": summary.open if summary else 0,
                "last_seen_at": last.isoformat() if last else None,
            }
        )
    return found


def apply(
    workspace: Workspace,
    user_id: str,
    action: Action,
    *,
    role: str = "",
    password: str = "",
    version: int | None = None,
) -> User | None:
    """One admin action on a user (the page's and the API's common verb)."""
    users = workspace.users
    if action == "role":
        return users.set_role(user_id, role, expected_version=version)
    if action == "disable":
        return users.disable(user_id, expected_version=version)
    if action == "enable":
        return users.enable(user_id, expected_version=version)
    if action == "password":
        return users.set_password(user_id, password, expected_version=version)
    users.remove(user_id, expected_version=version)
    return None


@api.get("/users", responses=ERRORS)
def list_users(workspace: WorkspaceDep, _admin: AdminDep) -> list[dict[str, Any]]:
    """Every user (not removed) with role, whether disabled, open sessions and last use
    (admins)."""
    return _listing(workspace)


@api.post("/users", status_code=201, responses=ERRORS)
def create_user(body: UserCreate, workspace: WorkspaceDep, _admin: AdminDep) -> dict[str, Any]:
    """Add a user (admins)."""
    user = workspace.users.create(
        body.username, body.password, role=body.role, display_name=body.display_name
    )
    return user.to_dict()


@api.patch("/users/{user_id}", responses=ERRORS)
def update_user(
    user_id: str, body: UserUpdate, workspace: WorkspaceDep, _admin: AdminDep
) -> dict[str, Any]:
    """Change a user's role, or disable or enable them (admins); ends their sessions."""
    user = workspace.users.get(user_id)
    if user is None:
        raise NotFound(f"No user {user_id!r}.")
    if body.role is not None:
        user = apply(workspace, user_id, "role", role=body.role, version=body.version)
    if body.disabled is not None:
        version = None if body.role is not None else body.version
        action: Action = "disable" if body.disabled else "enable"
        user = apply(workspace, user_id, action, version=version)
    assert user is not None
    return user.to_dict()


@api.put("/users/{user_id}/password", responses=ERRORS)
def set_password(
    user_id: str, body: PasswordSet, workspace: WorkspaceDep, _admin: AdminDep
) -> dict[str, Any]:
    """Set a user's password (admins); ends their sessions."""
    user = apply(workspace, user_id, "password", password=body.password, version=body.version)
    assert user is not None
    return user.to_dict()


class ResetLinkOut(BaseModel):
    username: str
    url: str = Field(description="The link to give the user (this server's address).")
    path: str
    expires_at: str = Field(description="When the link stops working (UTC, ISO 8601).")


def _issue(workspace: Workspace, settings: Settings, user_id: str) -> ResetLink:
    return workspace.users.reset_link(
        user_id, key=settings.secret_key, hours=settings.reset_link_hours
    )


def _link_out(request: Request, link: ResetLink) -> ResetLinkOut:
    return ResetLinkOut(
        username=link.user.username,
        url=link.url(str(request.base_url)),
        path=link.path,
        expires_at=link.expires_at.isoformat(),
    )


@api.post("/users/{user_id}/reset-link", status_code=201, responses=ERRORS)
def issue_reset_link(
    user_id: str,
    request: Request,
    workspace: WorkspaceDep,
    settings: SettingsDep,
    _admin: AdminDep,
) -> ResetLinkOut:
    """A one-time link with which the user sets a new password (admins): give it to them
    yourself. It works once, for ``MOBILISE_RESET_LINK_HOURS``; their sessions go on until
    they use it."""
    return _link_out(request, _issue(workspace, settings, user_id))


@api.delete("/users/{user_id}", status_code=204, responses=ERRORS)
def remove_user(
    user_id: str,
    workspace: WorkspaceDep,
    _admin: AdminDep,
    version: Annotated[int | None, Query()] = None,
) -> Response:
    """Remove a user (a soft deletion; admins); ends their sessions."""
    apply(workspace, user_id, "remove", version=version)
    return Response(status_code=204)


def _page(
    request: Request,
    templates: TemplatesDep,
    workspace: Workspace,
    admin: User,
    *,
    error: MobiliseError | None = None,
    issued: ResetLinkOut | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        "users.html",
        {
            "user": admin,
            "users": _listing(workspace),
            "roles": ROLES,
            "error": error,
            "issued": issued,
        },
        status_code=error.status_code if error else 200,
    )


@pages.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, templates: TemplatesDep, workspace: WorkspaceDep, admin: AdminDep
) -> Response:
    """Every user with the actions an admin can take on them."""
    return _page(request, templates, workspace, admin)


Field1000 = Annotated[str, Form(max_length=MAX_PASSWORD)]


@pages.post("/admin/users", response_class=HTMLResponse)
def add_user_form(
    request: Request,
    templates: TemplatesDep,
    workspace: WorkspaceDep,
    admin: AdminDep,
    username: Annotated[str, Form(max_length=120)],
    password: Field1000,
    role: Annotated[str, Form(max_length=20)] = "viewer",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        workspace.users.create(username, password, role=role, display_name=display_name)
    except MobiliseError as error:
        return _page(request, templates, workspace, admin, error=error)
    return RedirectResponse("/admin/users", status_code=303)


@pages.post("/admin/users/{user_id}", response_class=HTMLResponse)
def change_user_form(
    request: Request,
    templates: TemplatesDep,
    workspace: WorkspaceDep,
    admin: AdminDep,
    user_id: str,
    action: Annotated[Action, Form()],
    version: Annotated[int | None, Form()] = None,
    role: Annotated[str, Form(max_length=20)] = "",
    password: Field1000 = "",
) -> Response:
    try:
        apply(workspace, user_id, action, role=role, password=password, version=version)
    except MobiliseError as error:
        return _page(request, templates, workspace, admin, error=error)
    return RedirectResponse("/admin/users", status_code=303)


@pages.post("/admin/users/{user_id}/reset-link", response_class=HTMLResponse)
def reset_link_form(
    request: Request,
    templates: TemplatesDep,
    workspace: WorkspaceDep,
    settings: SettingsDep,
    admin: AdminDep,
    user_id: str,
) -> Response:
    """Give a user a one-time password link: the page shows it once, to copy and send."""
    try:
        link = _issue(workspace, settings, user_id)
    except MobiliseError as error:
        return _page(request, templates, workspace, admin, error=error)
    return _page(request, templates, workspace, admin, issued=_link_out(request, link))

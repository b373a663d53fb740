"""Signing in and out, changing one's own password, and setting a new one with an admin's
one-time link (shared deployments only: local mode has no login).

The session cookie (signed by Starlette's SessionMiddleware) holds one thing, the token of a
server-side session (:mod:`mobilise.workspace.sessions`), so signing out, a new password or role,
or disabling the user ends it on the server, whatever copies of the cookie exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.errors import (
    AuthenticationRequired,
    MobiliseError,
    NotFound,
    RateLimited,
    ValidationError,
)
from mobilise.web.deps import (
    SESSION_KEY,
    SettingsDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    client_address,
    sign_in_policy,
)
from mobilise.workspace.sessions import SignIn
from mobilise.workspace.users import User

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=1000)]


def _safe_next(target: str) -> str:
    # Only local paths: never redirect off-site after sign-in.
    return target if target.startswith("/") and not target.startswith("//") else "/"


def begin_session(request: Request, signed: SignIn) -> None:
    """Put a new session's token in the cookie (a fresh cookie: never one chosen beforehand)."""
    request.session.clear()
    request.session[SESSION_KEY] = signed.token


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, templates: TemplatesDep, settings: SettingsDep, next: str = "/"
) -> Response:
    if settings.local_mode:
        return RedirectResponse(_safe_next(next), status_code=303)
    reset = request.query_params.get("reset") == "1"
    return templates.TemplateResponse(
        request, "login.html", {"next": _safe_next(next), "user": None, "reset": reset}
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    templates: TemplatesDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=200)],
    password: Text,
    next: Text = "/",
) -> Response:
    """Sign in: 303 to ``next``; 401 for a wrong username or password (one message for both);
    429 with Retry-After once the account or the address has too many failures."""
    if settings.local_mode:
        return RedirectResponse(_safe_next(next), status_code=303)
    sessions = request.app.state.workspace.sessions
    try:
        signed = sessions.sign_in(
            username, password, address=client_address(request), policy=sign_in_policy(settings)
        )
    except (AuthenticationRequired, RateLimited) as error:
        wait = error.retry_after if isinstance(error, RateLimited) else None
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": error.message, "username": username, "user": None},
            status_code=error.status_code,
            headers={"Retry-After": str(wait)} if wait else None,
        )
    begin_session(request, signed)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """Sign out: the session ends on the server (the cookie, or any copy of it, no longer works)."""
    token = request.session.get(SESSION_KEY)
    request.session.clear()
    if token:
        workspace = request.app.state.workspace
        user = workspace.sessions.user(token)
        if user is not None:
            workspace.as_actor(user.username).sessions.end(token)
    return RedirectResponse("/login", status_code=303)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(
    request: Request, templates: TemplatesDep, settings: SettingsDep, user: UserDep
) -> Response:
    """The form to change one's own password."""
    _no_local(settings.local_mode)
    changed = request.query_params.get("changed") == "1"
    return templates.TemplateResponse(
        request, "account_password.html", {"user": user, "changed": changed, "error": None}
    )


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    templates: TemplatesDep,
    settings: SettingsDep,
    workspace: WorkspaceDep,
    user: UserDep,
    password: Text,
    new_password: Text,
    confirm_password: Text,
) -> Response:
    """Change one's own password: every session of the user ends, and this browser gets a new
    one (it stays signed in; every other browser is signed out)."""
    _no_local(settings.local_mode)
    try:
        if new_password != confirm_password:
            raise ValidationError("The two new passwords are not the same.")
        signed = workspace.sessions.change_password(
            user,
            password,
            new_password,
            address=client_address(request),
            policy=sign_in_policy(settings),
        )
    except (ValidationError, RateLimited) as error:
        wait = error.retry_after if isinstance(error, RateLimited) else None
        return templates.TemplateResponse(
            request,
            "account_password.html",
            {"user": user, "changed": False, "error": error},
            status_code=error.status_code,
            headers={"Retry-After": str(wait)} if wait else None,
        )
    begin_session(request, signed)
    return RedirectResponse("/account/password?changed=1", status_code=303)


def _no_local(local_mode: bool) -> None:
    if local_mode:
        raise NotFound("Local single-user mode has no sign-in and no passwords.")


# -- a one-time password link (issued by an admin: routes/users.py, `mobilise users reset-link`) --
def _reset_page(
    request: Request,
    templates: TemplatesDep,
    *,
    token: str,
    for_user: User | None = None,
    error: MobiliseError | None = None,
) -> Response:
    wait = error.retry_after if isinstance(error, RateLimited) else None
    return templates.TemplateResponse(
        request,
        "reset_password.html",
        {"token": token, "for_user": for_user, "error": error, "user": None},
        status_code=error.status_code if error else 200,
        headers={"Retry-After": str(wait)} if wait else None,
    )


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(
    request: Request, token: str, templates: TemplatesDep, settings: SettingsDep
) -> Response:
    """The page of a one-time password link: a form for the new password, or why the link no
    longer works (404) or is refused for now (429)."""
    _no_local(settings.local_mode)
    sessions = request.app.state.workspace.sessions
    try:
        user = sessions.open_reset_link(
            token,
            key=settings.secret_key,
            address=client_address(request),
            policy=sign_in_policy(settings),
        )
    except (NotFound, RateLimited) as error:
        return _reset_page(request, templates, token=token, error=error)
    return _reset_page(request, templates, token=token, for_user=user)


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset_password(
    request: Request,
    token: str,
    templates: TemplatesDep,
    settings: SettingsDep,
    password: Text,
    confirm_password: Text,
) -> Response:
    """Set the new password: the link is spent, every session of the user ends, and the
    browser goes to the sign-in page."""
    _no_local(settings.local_mode)
    sessions = request.app.state.workspace.sessions
    key, address, policy = settings.secret_key, client_address(request), sign_in_policy(settings)
    try:
        user = sessions.open_reset_link(token, key=key, address=address, policy=policy)
    except (NotFound, RateLimited) as error:
        return _reset_page(request, templates, token=token, error=error)
    try:
        if password != confirm_password:
            raise ValidationError("Your password was not set: the two passwords are not the same.")
        sessions.reset_password(token, password, key=key, address=address, policy=policy)
    except (ValidationError, NotFound, RateLimited) as error:
        keep = user if isinstance(error, ValidationError) else None
        return _reset_page(request, templates, token=token, for_user=keep, error=error)
    return RedirectResponse("/login?reset=1", status_code=303)

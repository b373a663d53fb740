"""Signing in and out (shared deployments only; local mode has no login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.errors import AuthenticationRequired
from mobilise.web.deps import SettingsDep, TemplatesDep

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    # Only local paths: never redirect off-site after sign-in.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, templates: TemplatesDep, settings: SettingsDep, next: str = "/"
) -> Response:
    if settings.local_mode:
        return RedirectResponse(_safe_next(next), status_code=303)
    return templates.TemplateResponse(
        request, "login.html", {"next": _safe_next(next), "user": None}
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    templates: TemplatesDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = request.app.state.workspace.users.authenticate(username, password)
    except AuthenticationRequired as error:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": error.message, "username": username, "user": None},
            status_code=401,
        )
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)

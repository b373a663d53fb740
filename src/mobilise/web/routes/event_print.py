"""Facilitator tools for an event: the printable sign-in sheet and consent form (print-styled
HTML; the consent form also in an easy-read version), the QR code of the registration link
(an SVG made with segno), and the one-page summary after the event."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import NotFound
from mobilise.model.engagement_vocab import QUOTE_LEVELS
from mobilise.web.deps import EditorDep, TemplatesDep, UserDep, WorkspaceDep
from mobilise.web.routes.event_door import EASY_SCOPES, MY_SCOPES

pages = APIRouter(include_in_schema=False)

BLANK_ROWS = 12  # lines for walk-ins at the end of the sign-in sheet


def join_url(request: Request, token: str) -> str:
    return str(request.url_for("join_page", registration_token=token))


@pages.get("/events/{event_id}/qr.svg")
def qr_code(request: Request, event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """The QR code of the event's registration link, as an SVG image (404 while closed)."""
    import segno

    event = workspace.events.get(event_id)
    if not event.registration_token:
        raise NotFound("Registration is closed: open it to get the QR code.")
    code = segno.make(join_url(request, event.registration_token), error="m")
    image = io.BytesIO()
    code.save(image, kind="svg", scale=8, title=f"Register for {event.title}")
    return Response(
        image.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@pages.get("/events/{event_id}/sign-in-sheet", response_class=HTMLResponse)
def sign_in_sheet(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
) -> Response:
    """A sheet to print for the door: those registered by pseudonym code only (a sheet left at
    the door must not pair names with codes), then blank lines for walk-ins."""
    event = workspace.events.get(event_id)
    people = workspace.events.registrations(event.id, status="registered")
    return templates.TemplateResponse(
        request,
        "event_sign_in_sheet.html",
        {
            "user": user,
            "event": event,
            "people": people,
            "blank": range(BLANK_ROWS),
        },
    )


@pages.get("/events/{event_id}/consent-form", response_class=HTMLResponse)
def consent_form(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    version: Annotated[Literal["standard", "easy-read"], Query()] = "standard",
) -> Response:
    """The paper consent form, one box per scope, against the current information sheet;
    ``version=easy-read``: short sentences, one idea per line, big type."""
    event = workspace.events.get(event_id)
    sheet = workspace.events.current_sheet()
    return templates.TemplateResponse(
        request,
        "event_consent_form.html",
        {
            "user": user,
            "event": event,
            "sheet": sheet,
            "easy": version == "easy-read",
            "scopes": EASY_SCOPES if version == "easy-read" else MY_SCOPES,
            "quote_levels": QUOTE_LEVELS,
        },
    )


@pages.get("/events/{event_id}/summary", response_class=HTMLResponse)
def summary_page(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: UserDep,
) -> Response:
    """The one-page summary after the event (counts under disclosure control)."""
    summary = workspace.events.summary(event_id, viewer=user)
    return templates.TemplateResponse(
        request,
        "event_summary.html",
        {"user": user, "event": workspace.events.get(event_id), "summary": summary},
    )

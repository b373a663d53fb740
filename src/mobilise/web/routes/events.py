"""Engagement events: the calendar of a place, the event page, and the staff's pages to add,
change and cancel an event and to open or close its registration link.

The door (sign-in on the day) and the public registration page are in
:mod:`~mobilise.web.routes.event_door`; the printable sheets, QR code and summary in
:mod:`~mobilise.web.routes.event_print`; the JSON API in :mod:`~mobilise.web.routes.event_api`.
:data:`router` brings them all together for the app. Every page works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mobilise.errors import Conflict, MobiliseError, ValidationError
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.roles import EDITOR_ROLES
from mobilise.web.deps import (
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    TemplatesDep,
    WorkspaceDep,
)
from mobilise.web.routes import event_api, event_door, event_print
from mobilise.web.routes.event_api import SLUG, event_answer, is_anonymous, is_staff
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

pages = APIRouter(include_in_schema=False)
PER_PAGE = 50


def shown_user(user: User) -> User | None:
    return None if is_anonymous(user) else user


@pages.get("/events", response_class=HTMLResponse)
def events_page(
    request: Request,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
    place: Annotated[str | None, Query(pattern=SLUG)] = None,
    when: Annotated[Literal["upcoming", "past", "all"], Query()] = "upcoming",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The calendar: events of a place (or all), upcoming or past, a page at a time."""
    found = workspace.events.list(
        place=place or None,
        when=None if when == "all" else when,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
        public_only=is_anonymous(user),
    )
    return templates.TemplateResponse(
        request,
        "events.html",
        {
            "user": shown_user(user),
            "events": found.items,
            "total": found.total,
            "page": page,
            "pages": max(1, -(-found.total // PER_PAGE)),
            "place": place or "",
            "when": when,
            "places": workspace.places.list() if not is_anonymous(user) else [],
            "can_edit": user.role in EDITOR_ROLES and not is_anonymous(user),
        },
    )


@pages.get("/events/new", response_class=HTMLResponse)
def new_event_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: EditorDep
) -> Response:
    return _form(request, workspace, templates, user, None, {})


@pages.post("/events/new", response_class=HTMLResponse)
async def add_event(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: EditorDep
) -> Response:
    form = await _sent(request)
    return await run_in_threadpool(_save, request, workspace, templates, user, None, form)


@pages.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request,
    event_id: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
) -> Response:
    """An event: its facts (the public ones for visitors), partners, map, registration counts
    and, for staff, who registered and came by pseudonym (names only for identity roles)."""
    event = workspace.events.get(event_id, public_only=is_anonymous(user))
    people = workspace.events.registrations(event.id) if is_staff(user) else []
    names = workspace.events.names(people, viewer=user)
    return templates.TemplateResponse(
        request,
        "event.html",
        {
            "user": shown_user(user),
            "event": event,
            "facts": event_answer(workspace, event, user),
            "people": people,
            "names": names,
            "staff": is_staff(user),
            "can_edit": user.role in EDITOR_ROLES and not is_anonymous(user),
            "join_url": _join_url(request, event.registration_token),
        },
    )


@pages.get("/events/{event_id}/edit", response_class=HTMLResponse)
def edit_event_page(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
) -> Response:
    event = workspace.events.get(event_id)
    return _form(request, workspace, templates, user, event, _values_of(event))


@pages.post("/events/{event_id}/edit", response_class=HTMLResponse)
async def save_event(
    request: Request,
    event_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
) -> Response:
    form = await _sent(request)
    return await run_in_threadpool(_save, request, workspace, templates, user, event_id, form)


@pages.post("/events/{event_id}/cancel")
def cancel_event(event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.events.cancel(event_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@pages.post("/events/{event_id}/registration-link")
def registration_link(
    event_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    action: Annotated[str, Form(max_length=10)] = "open",
) -> Response:
    """Open (``action=open``) or close the online registration link."""
    if action == "close":
        workspace.events.close_registration(event_id)
    else:
        workspace.events.open_registration(event_id)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


# -- the form ---------------------------------------------------------------------------------


def _values_of(event: Any) -> dict[str, str]:
    from mobilise.workspace.events import EVENT_FIELDS

    return {
        **{name: getattr(event, name, None) or "" for name in EVENT_FIELDS},
        "starts_at": event.local(event.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.local(event.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "facilitators": "\n".join(event.facilitators),
        "partners": [p["id"] for p in event.partners],
        "capacity": str(event.capacity or ""),
        "online": "yes" if event.online else "",
        "public": "yes" if event.public else "",
        "version": str(event.version),
    }


def _form(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    event: Any,
    values: dict[str, Any],
    error: MobiliseError | None = None,
) -> Response:
    return templates.TemplateResponse(
        request,
        "event_form.html",
        {
            "user": user,
            "event": event,
            "values": values,
            "kinds": EVENT_KINDS,
            "places": workspace.places.list(),
            "partners": workspace.partners.list(),
            "maps": workspace.maps.list(viewer=user),
            "error": error,
            "errors": {p.field or "": p.message for p in (error.problems if error else [])},
        },
        status_code=error.status_code if error else 200,
    )


def _parsed(form: dict[str, Any]) -> dict[str, Any]:
    """An event's fields from the form (the service checks them)."""
    capacity = str(form.get("capacity", "")).strip()
    fields: dict[str, Any] = {
        name: str(form.get(name, "")).strip()
        for name in ("kind", "title", "purpose", "venue_address", "accessibility")
    }
    fields.update(
        place=str(form.get("place", "")).strip() or None,
        starts_at=str(form.get("starts_at", "")),
        ends_at=str(form.get("ends_at", "")),
        venue_asset_id=str(form.get("venue_asset_id", "")).strip() or None,
        map_id=str(form.get("map_id", "")).strip() or None,
        online=form.get("online") == "yes",
        public=form.get("public") == "yes",
        facilitators=[n for n in str(form.get("facilitators", "")).splitlines() if n.strip()],
        capacity=int(capacity) if capacity.isdigit() else (capacity or None),
    )
    return fields


async def _sent(request: Request) -> dict[str, Any]:
    """The form as sent: one value per field, and the chosen partners as a list."""
    sent = await request.form(max_fields=500)
    values: dict[str, Any] = {k: v for k, v in sent.items() if isinstance(v, str)}
    values["partners"] = [v for v in sent.getlist("partners") if isinstance(v, str) and v][:100]
    return values


def _save(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    event_id: str | None,
    form: dict[str, Any],
) -> Response:
    """Add or change the event; with problems, the form again with each next to its field."""
    event = workspace.events.get(event_id) if event_id else None
    fields = _parsed(form)
    try:
        if event is None:
            made = workspace.events.create(partners=form["partners"], **fields)
        else:
            version = str(form.get("version", ""))
            made = workspace.events.update(
                event.id,
                {**fields, "partners": form["partners"]},
                version=int(version) if version.isdigit() else None,
            )
    except (ValidationError, Conflict) as error:
        return _form(request, workspace, templates, user, event, form, error)
    return RedirectResponse(f"/events/{made.id}", status_code=303)


def _join_url(request: Request, token: str | None) -> str | None:
    return str(request.url_for("join_page", registration_token=token)) if token else None


router = APIRouter()
router.include_router(event_api.api)
router.include_router(event_door.pages)
router.include_router(event_print.pages)
router.include_router(pages)
__all__ = ["router"]

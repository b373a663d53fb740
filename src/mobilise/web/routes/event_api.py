"""The JSON API of engagement events under /api/v1/events.

Anyone may list and read public events (their public facts only); signed-in users read every
event; editors (facilitators, analysts, admins) create, change and cancel events, register
people and sign them in; the registrations and attendance (by pseudonym) are for staff (editors
and the data controller); the summary (counts under disclosure control) for anyone signed in.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import PermissionDenied
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.roles import EDITOR_ROLES, IDENTITY_ROLES
from mobilise.web.deps import (
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    UserDep,
    WorkspaceDep,
    get_user,
    sent_fields,
)
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["events"])

STAFF_ROLES = (*EDITOR_ROLES, *IDENTITY_ROLES)
"""Who sees who registered and came (by pseudonym): editors and the data controller."""
SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
TIME_WORDS = "ISO 8601 date and time; without a zone, UK local time (Europe/London)."


def is_anonymous(user: User) -> bool:
    return user.id == "anonymous"


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


async def staff(user: Annotated[User, Depends(get_user)]) -> User:
    if not is_staff(user):
        raise PermissionDenied(
            f"Your role ({user.role}) cannot see who registered; it needs an editor role or "
            "the data controller."
        )
    return user


StaffDep = Annotated[User, Depends(staff)]


def event_json(event: Any, user: User, shown: dict[str, str] | None = None) -> dict[str, Any]:
    """An event as this user may see it: the public facts for an anonymous visitor; for a
    signed-in user who is not staff, the counts only as ``counts_shown`` (under disclosure
    control, ``shown``); the registration token only for editors."""
    if is_anonymous(user):
        return dict(event.to_dict(public=True))
    out = dict(event.to_dict())
    if user.role not in EDITOR_ROLES:
        out["registration_token"] = None
    if not is_staff(user):
        for name in ("registered", "waiting", "attended", "places_left"):
            out[name] = None
    out["counts_shown"] = shown
    return out


def event_answer(workspace: Workspace, event: Any, user: User) -> dict[str, Any]:
    """:func:`event_json` with the counts as shown to ``user``."""
    shown = None if is_anonymous(user) else workspace.events.shown_counts(event, viewer=user)
    return event_json(event, user, shown)


class EventFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(None, max_length=40, description=", ".join(EVENT_KINDS))
    title: str | None = Field(None, max_length=300)
    purpose: str | None = Field(None, max_length=10_000)
    place: str | None = Field(None, max_length=80)
    venue_asset_id: str | None = Field(None, max_length=36, description="An asset's id.")
    venue_address: str | None = Field(None, max_length=1000)
    starts_at: str | None = Field(None, max_length=40, description=TIME_WORDS)
    ends_at: str | None = Field(None, max_length=40, description=TIME_WORDS)
    online: bool | None = None
    facilitators: list[Annotated[str, Field(max_length=200)]] | None = Field(None, max_length=30)
    partners: list[Annotated[str, Field(max_length=120)]] | None = Field(
        None, max_length=100, description="Partner ids or keys from the partnership register."
    )
    map_id: str | None = Field(None, max_length=36, description="A systems map's id.")
    accessibility: str | None = Field(None, max_length=5000)
    capacity: int | None = Field(None, ge=1, le=100_000, description="None: no cap.")
    public: bool | None = None


class EventCreate(EventFields):
    kind: str = Field(max_length=40, description=", ".join(EVENT_KINDS))
    title: str = Field(max_length=300)
    starts_at: str = Field(max_length=40, description=TIME_WORDS)
    ends_at: str = Field(max_length=40, description=TIME_WORDS)


class EventUpdate(EventFields):
    version: int = Field(ge=1, le=2**31, description="The version you read; stale: 409.")
    status: Literal["planned", "held"] | None = None


class RegistrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str = Field(max_length=36, description="A participant's id or pseudonym code.")
    brought_by: str | None = Field(None, max_length=36, description="The partner who brought them.")


class AttendanceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participant: str = Field(max_length=36, description="A participant's id or pseudonym code.")


@api.get("/events", responses=ERRORS)
def list_events(
    workspace: PublicWorkspaceDep,
    user: OptionalUserDep,
    place: Annotated[str | None, Query(pattern=SLUG)] = None,
    when: Annotated[Literal["upcoming", "past"] | None, Query()] = None,
    start: Annotated[date | None, Query(description="Starting on or after this day.")] = None,
    end: Annotated[date | None, Query(description="Starting before this day.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> dict[str, Any]:
    """Events, by place, upcoming or past, and between days (UK time); one page and the
    total. Anonymous visitors get public events and their public facts only."""
    found = workspace.events.list(
        place=place,
        when=when,
        start=start,
        end=end,
        limit=limit,
        offset=offset,
        public_only=is_anonymous(user),
    )
    out = found.to_dict(public=is_anonymous(user))
    k = None if is_anonymous(user) else int(workspace.project_settings.get("disclosure_k"))
    out["items"] = [
        event_json(
            event,
            user,
            None if k is None else workspace.events.shown_counts(event, viewer=user, k=k),
        )
        for event in found.items
    ]
    return out


@api.post("/events", status_code=201, responses=ERRORS)
def create_event(body: EventCreate, workspace: WorkspaceDep, user: EditorDep) -> JSONResponse:
    """Add a planned event (editors)."""
    fields = sent_fields(body, drop=("kind", "title", "starts_at", "ends_at", "place", "partners"))
    made = workspace.events.create(
        kind=body.kind,
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        place=body.place,
        partners=body.partners or [],
        **{k: v for k, v in fields.items() if v is not None or k == "capacity"},
    )
    return JSONResponse(event_answer(workspace, made, user), status_code=201)


@api.get("/events/{event_id}", responses=ERRORS)
def get_event(event_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep) -> dict:
    """One event (anonymous visitors: a public event's public facts; a private one is 404)."""
    event = workspace.events.get(event_id, public_only=is_anonymous(user))
    return event_answer(workspace, event, user)


@api.patch("/events/{event_id}", responses=ERRORS)
def update_event(
    event_id: str, body: EventUpdate, workspace: WorkspaceDep, user: EditorDep
) -> dict[str, Any]:
    """Change an event (editors); ``status`` may become ``held``. A stale version is a 409."""
    changes = sent_fields(body, drop=("version",))
    return event_answer(
        workspace, workspace.events.update(event_id, changes, version=body.version), user
    )


@api.post("/events/{event_id}/cancel", responses=ERRORS)
def cancel_event(event_id: str, workspace: WorkspaceDep, user: EditorDep) -> dict[str, Any]:
    """Cancel an event: no more registration or attendance; its registration link closes."""
    return event_answer(workspace, workspace.events.cancel(event_id), user)


@api.post("/events/{event_id}/registration-link", responses=ERRORS)
def open_registration(event_id: str, workspace: WorkspaceDep, user: EditorDep) -> dict:
    """Open online registration: the event gets its registration link (``/join/<token>``)."""
    return event_answer(workspace, workspace.events.open_registration(event_id), user)


@api.delete("/events/{event_id}/registration-link", responses=ERRORS)
def close_registration(event_id: str, workspace: WorkspaceDep, user: EditorDep) -> dict:
    """Close online registration: the link stops working."""
    return event_answer(workspace, workspace.events.close_registration(event_id), user)


@api.get("/events/{event_id}/registrations", responses=ERRORS)
def list_registrations(
    event_id: str,
    workspace: WorkspaceDep,
    _user: StaffDep,
    status: Annotated[Literal["registered", "waiting", "cancelled"] | None, Query()] = None,
) -> dict[str, Any]:
    """Who registered, by pseudonym code, in the waiting list's order (staff)."""
    found = workspace.events.registrations(event_id, status=status)
    return {"total": len(found), "items": [r.to_dict() for r in found]}


@api.post("/events/{event_id}/registrations", status_code=201, responses=ERRORS)
def add_registration(
    event_id: str, body: RegistrationCreate, workspace: WorkspaceDep, _user: EditorDep
) -> JSONResponse:
    """Register a participant: ``registered``, or ``waiting`` beyond the capacity."""
    made = workspace.events.register(event_id, body.participant, brought_by=body.brought_by)
    return JSONResponse(made.to_dict(), status_code=201)


@api.delete("/events/{event_id}/registrations/{participant}", responses=ERRORS)
def cancel_registration(
    event_id: str, participant: str, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Cancel a registration; the first person waiting moves up."""
    return workspace.events.cancel_registration(event_id, participant).to_dict()


@api.get("/events/{event_id}/attendance", responses=ERRORS)
def list_attendance(event_id: str, workspace: WorkspaceDep, _user: StaffDep) -> dict[str, Any]:
    """Who signed in, by pseudonym code (staff)."""
    came = [r for r in workspace.events.registrations(event_id) if r.attended]
    return {"total": len(came), "items": [r.to_dict() for r in came]}


@api.post("/events/{event_id}/attendance", status_code=201, responses=ERRORS)
def add_attendance(
    event_id: str, body: AttendanceCreate, workspace: WorkspaceDep, _user: EditorDep
) -> JSONResponse:
    """Sign a participant in (registering them if they were not). A cancelled event: 422."""
    return JSONResponse(workspace.events.attend(event_id, body.participant).to_dict(), 201)


@api.get("/events/{event_id}/summary", responses=ERRORS)
def event_summary(event_id: str, workspace: WorkspaceDep, user: UserDep) -> dict[str, Any]:
    """The after-event summary: attendance by group, partners present, consent coverage;
    counts under disclosure control ("fewer than k") for everyone but admins."""
    summary = workspace.events.summary(event_id, viewer=user)
    summary["event"] = event_answer(workspace, workspace.events.get(event_id), user)
    return summary

"""A table's harvest page, for its host on a phone: the staff's ``/events/{id}/harvest/{table}``
and the host link's ``/harvest/{table}/{token}`` (no account: the token is the table's own).

The page is a plain form that posts one note at a time and works without JavaScript (each form
carries a fresh ``client_key``, so even a re-posted form is kept once). With JavaScript,
``harvest.js`` keeps the draft and every unsent note in the phone's ``localStorage``, sends each
note with its own key (asking for JSON: 201 stored, 200 already stored), retries when the phone
is back online, and shows what is sent and what is waiting.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from mobilise.errors import MobiliseError, PermissionDenied, RateLimited
from mobilise.web.deps import EditorDep, SettingsDep, TemplatesDep, WorkspaceDep
from mobilise.workspace import Workspace
from mobilise.workspace.cafes import CafeTable

__all__ = ["HOST_ACTOR", "HOST_NOTES_PER_HOUR", "HOST_PHOTOS_PER_HOUR", "HostLimit", "pages"]

pages = APIRouter(include_in_schema=False)

HOST_NOTES_PER_HOUR = 600
"""What one table's host link may send in an hour: notes."""
HOST_PHOTOS_PER_HOUR = 60
"""... and photos (each up to the upload limit: fewer than notes)."""
HOST_ACTOR = "table host link"
SENT = {"note": "The note is sent.", "photo": "The photo is attached."}
PLENARY = "plenary"


class HostLimit:
    """Sends per table and kind (note or photo) per hour, counted in this process."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], deque[float]] = {}

    def check(self, table: str, kind: str = "note") -> None:
        now = time.monotonic()
        most = HOST_PHOTOS_PER_HOUR if kind == "photo" else HOST_NOTES_PER_HOUR
        recent = self.sent.setdefault((table, kind), deque())
        while recent and recent[0] < now - 3600:
            recent.popleft()
        if len(recent) >= most:
            raise RateLimited(
                f"This table has sent {most} {kind}s in the last hour, the most a host link "
                "may send; ask the facilitator to add the rest.",
                retry_after=int(3600 - (now - recent[0])) + 1,
            )
        recent.append(now)
        if len(self.sent) > 10_000:  # forget the oldest tables rather than grow for ever
            self.sent.pop(next(iter(self.sent)))


def _host_limit(request: Request) -> HostLimit:
    found: HostLimit | None = getattr(request.app.state, "cafe_host_limit", None)
    if found is None:
        found = HostLimit()
        request.app.state.cafe_host_limit = found
    return found


HostLimitDep = Annotated[HostLimit, Depends(_host_limit)]


def _host_workspace(request: Request) -> Workspace:
    """The workspace for a host link: no sign-in (the table's token opens it)."""
    workspace: Workspace = request.app.state.workspace
    return workspace.as_actor(HOST_ACTOR)


HostWorkspaceDep = Annotated[Workspace, Depends(_host_workspace)]
ROUND = r"^([0-9]{1,2}|plenary)?$"  # ASCII digits only: "²".isdigit() is True, int() fails
RoundQuery = Annotated[str, Query(max_length=10, pattern=ROUND)]
TextForm = Annotated[str, Form(max_length=2_000)]
RoundForm = Annotated[str, Form(max_length=10, pattern=ROUND)]
KeyForm = Annotated[str, Form(max_length=64)]


def round_number(chosen: str) -> int | None:
    """A round's number from a form or query (``None``: none, or the plenary)."""
    return int(chosen) if chosen.isdecimal() and chosen.isascii() else None


def _rounds(workspace: Workspace, event_id: str) -> list[int]:
    numbers = [q.round_number for q in workspace.cafes.questions(event_id) if q.round_number]
    return list(range(1, max(numbers, default=3) + 1))


def _page(
    request: Request,
    templates: Any,
    workspace: Workspace,
    table: CafeTable,
    *,
    base: str,
    staff: bool,
    chosen: str,
    user: Any = None,
    sent: str = "",
    text: str = "",
    error: MobiliseError | None = None,
) -> Response:
    """The harvest page of one table: the form, and the notes kept so far."""
    from mobilise.workspace.media import PUBLIC_READER

    # a host link reads as the public does: never an identity
    harvest = workspace.cafes.harvest(table.event_id, viewer=user if staff else PUBLIC_READER)
    rounds = _rounds(workspace, table.event_id)
    if round_number(chosen) is None and (chosen != PLENARY or not staff):
        chosen = str(rounds[0])
    kept = (
        harvest.plenary
        if chosen == PLENARY
        else harvest.rounds.get(round_number(chosen) or 0, {}).get(table.label, [])
    )
    return templates.TemplateResponse(
        request,
        "harvest_table.html",
        {
            "user": user,
            "table": table,
            "title": workspace.event_contributions.event_title(table.event_id),
            "questions": harvest.questions,
            "rounds": rounds,
            "chosen": chosen,
            "staff": staff,
            "base": base,
            "kept": kept,
            "sent": SENT.get(sent, ""),
            "text": text,
            "client_key": str(uuid.uuid4()),
            "error": error,
        },
        status_code=error.status_code if error else 200,
    )


def _note(
    request: Request,
    templates: Any,
    workspace: Workspace,
    table: CafeTable,
    *,
    base: str,
    staff: bool,
    values: tuple[str, str, str],
    user: Any = None,
) -> Response:
    """Keep one note (plain form: back to the page; ``harvest.js``: JSON)."""
    text, chosen, client_key = values
    wants_json = "application/json" in request.headers.get("accept", "")
    plenary = chosen == PLENARY
    try:
        if plenary and not staff:
            raise PermissionDenied("A host link sends its own table's notes, not the plenary's.")
        sent = workspace.cafes.add_note(
            table.event_id,
            text,
            table=None if plenary else table.id,
            round_number=None if plenary else round_number(chosen),
            client_key=client_key or None,
        )
    except MobiliseError as error:
        if wants_json:
            raise
        return _page(
            request,
            templates,
            workspace,
            table,
            base=base,
            staff=staff,
            chosen=chosen,
            text=text,
            error=error,
            user=user,
        )
    if wants_json:
        return JSONResponse(sent.to_dict(), status_code=201 if sent.stored else 200)
    return RedirectResponse(f"{base}?round={chosen}&sent=note#notes", status_code=303)


def _photo(
    workspace: Workspace, table: CafeTable, base: str, chosen: str, media: UploadFile, caption: str
) -> Response:
    data = media.file.read(workspace.limits.upload_bytes + 1) if media.filename else b""
    workspace.cafes.add_photo(
        table.event_id,
        data,
        table=table.id,
        round_number=round_number(chosen),
        caption=caption,
    )
    return RedirectResponse(f"{base}?round={chosen}&sent=photo#notes", status_code=303)


# -- staff ---------------------------------------------------------------------------------------
def _staff_table(workspace: Workspace, event_id: str, table_id: str) -> tuple[CafeTable, str]:
    table = workspace.cafes.table(event_id, table_id)
    return table, f"/events/{event_id}/harvest/{table.id}"


@pages.get("/events/{event_id}/harvest/{table_id}", response_class=HTMLResponse)
def staff_harvest_page(
    event_id: str,
    table_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    round: RoundQuery = "",
    sent: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """A table's harvest page, for staff (who may also write the plenary's notes)."""
    table, base = _staff_table(workspace, event_id, table_id)
    return _page(
        request,
        templates,
        workspace,
        table,
        base=base,
        staff=True,
        chosen=round,
        sent=sent,
        user=user,
    )


@pages.post("/events/{event_id}/harvest/{table_id}", response_class=HTMLResponse)
def staff_note(
    event_id: str,
    table_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    text: TextForm = "",
    round: RoundForm = "",
    client_key: KeyForm = "",
) -> Response:
    table, base = _staff_table(workspace, event_id, table_id)
    return _note(
        request,
        templates,
        workspace,
        table,
        base=base,
        staff=True,
        values=(text, round, client_key),
        user=user,
    )


@pages.post("/events/{event_id}/harvest/{table_id}/photo", response_class=HTMLResponse)
def staff_photo(
    event_id: str,
    table_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    media: Annotated[UploadFile, File()],
    round: RoundForm = "",
    caption: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    table, base = _staff_table(workspace, event_id, table_id)
    return _photo(workspace, table, base, round, media, caption)


# -- hosts, through the table's link -------------------------------------------------------------
def _host_table(
    workspace: Workspace, settings: Any, table_id: str, token: str
) -> tuple[CafeTable, str]:
    table = workspace.cafes.table_by_token(
        table_id, token, key=settings.secret_key, valid_hours=settings.host_link_hours
    )
    return table, f"/harvest/{table.id}/{token}"


@pages.get("/harvest/{table_id}/{host_token}", response_class=HTMLResponse)
def host_harvest_page(
    table_id: str,
    host_token: str,
    request: Request,
    workspace: HostWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    round: RoundQuery = "",
    sent: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """A table's harvest page through its host link: no account needed."""
    table, base = _host_table(workspace, settings, table_id, host_token)
    return _page(
        request, templates, workspace, table, base=base, staff=False, chosen=round, sent=sent
    )


@pages.post("/harvest/{table_id}/{host_token}", response_class=HTMLResponse)
def host_note(
    table_id: str,
    host_token: str,
    request: Request,
    workspace: HostWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    limit: HostLimitDep,
    text: TextForm = "",
    round: RoundForm = "",
    client_key: KeyForm = "",
) -> Response:
    table, base = _host_table(workspace, settings, table_id, host_token)
    limit.check(table.id)
    return _note(
        request,
        templates,
        workspace,
        table,
        base=base,
        staff=False,
        values=(text, round, client_key),
    )


@pages.post("/harvest/{table_id}/{host_token}/photo", response_class=HTMLResponse)
def host_photo(
    table_id: str,
    host_token: str,
    workspace: HostWorkspaceDep,
    settings: SettingsDep,
    limit: HostLimitDep,
    media: Annotated[UploadFile, File()],
    round: RoundForm = "",
    caption: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    table, base = _host_table(workspace, settings, table_id, host_token)
    limit.check(table.id, "photo")
    return _photo(workspace, table, base, round, media, caption)

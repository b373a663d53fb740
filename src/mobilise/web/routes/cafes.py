"""World Cafés and whole-system workshops: the café's set-up page (questions, tables, host
links), the table host's harvest page (phone-first, a plain form that works without JavaScript;
``harvest.js`` keeps drafts and unsent notes in the phone's storage and sends each note once, by
its ``client_key``), the whole harvest by round and table then the plenary, a workshop's agenda,
and the JSON API under ``/api/v1/events/{id}/cafe``.

**Table hosts without an account** open ``/harvest/{table_id}/{token}``: the token is the
table's own (an HMAC of the table keyed with ``MOBILISE_SECRET_KEY``, see
:mod:`mobilise.workspace.cafes`), so a link opens one table of one café, and only for writing
that table's notes and photos and reading them back. Changes are taken only from this site's own
pages (the app-wide Origin check), and a table takes at most
:data:`~mobilise.web.routes._cafe_host.HOST_NOTES_PER_HOUR` sends an hour. Staff (editors)
use ``/events/{id}/harvest/{table_id}`` and may also write the plenary's.
"""

from __future__ import annotations

from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.model.roles import EDITOR_ROLES
from mobilise.web.deps import (
    EditorDep,
    SettingsDep,
    TemplatesDep,
    WorkspaceDep,
    require_role,
)
from mobilise.web.routes import _cafe_host
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["cafes"])
pages = APIRouter(include_in_schema=False)

ReaderDep = Annotated[User, Depends(require_role(*EDITOR_ROLES[1:], "data_controller"))]
ID = Annotated[str, Field(max_length=36)]
DONE = {
    "question": "The question is added.",
    "table": "The table is added.",
    "agenda": "The agenda item is added.",
    "note": "The note is sent.",
    "photo": "The photo is attached.",
}


# -- API -----------------------------------------------------------------------------------------
class QuestionCreate(BaseModel):
    text: str = Field(max_length=1_000)
    round_number: int | None = Field(default=None, ge=1, le=12, description="None: the plenary.")
    position: int = Field(default=1, ge=1, le=1_000)


class TableCreate(BaseModel):
    label: str = Field(max_length=120)
    host: str = Field(default="", max_length=200)
    position: int = Field(default=1, ge=1, le=1_000)


class NoteCreate(BaseModel):
    text: str = Field(max_length=2_000)
    table: str | None = Field(default=None, max_length=120, description="None: the plenary.")
    round_number: int | None = Field(default=None, ge=1, le=12)
    question_id: ID | None = None
    client_key: str | None = Field(
        default=None,
        max_length=64,
        description="The sender's own key (a UUID): sent twice, kept once.",
    )


class AgendaItemCreate(BaseModel):
    title: str = Field(max_length=300)
    notes: str = Field(default="", max_length=10_000)


@api.get("/events/{event_id}/cafe", responses=ERRORS)
def cafe(event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """The café's questions and tables."""
    return {
        "questions": [q.to_dict() for q in workspace.cafes.questions(event_id)],
        "tables": [t.to_dict() for t in workspace.cafes.tables(event_id)],
    }


@api.get("/events/{event_id}/cafe/questions", responses=ERRORS)
def questions(event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> list[dict[str, Any]]:
    return [q.to_dict() for q in workspace.cafes.questions(event_id)]


@api.post("/events/{event_id}/cafe/questions", status_code=201, responses=ERRORS)
def add_question(
    event_id: str, body: QuestionCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Add a question to a round, or the plenary's (no round)."""
    return workspace.cafes.add_question(
        event_id, body.text, round_number=body.round_number, position=body.position
    ).to_dict()


@api.get("/events/{event_id}/cafe/tables", responses=ERRORS)
def tables(event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> list[dict[str, Any]]:
    return [t.to_dict() for t in workspace.cafes.tables(event_id)]


@api.post("/events/{event_id}/cafe/tables", status_code=201, responses=ERRORS)
def add_table(
    event_id: str, body: TableCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Add a table with its host."""
    return workspace.cafes.add_table(
        event_id, body.label, host=body.host, position=body.position
    ).to_dict()


@api.get("/events/{event_id}/cafe/notes", responses=ERRORS)
def notes(event_id: str, workspace: WorkspaceDep, user: ReaderDep) -> dict[str, Any]:
    """The harvest as consent lets it be shown: questions, tables and every note."""
    return workspace.cafes.harvest(event_id, viewer=user).to_dict()


@api.post("/events/{event_id}/cafe/notes", status_code=201, responses=ERRORS)
def add_note(
    event_id: str, body: NoteCreate, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    """Add a table's note for a round (or the plenary's: no table). A ``client_key`` already
    stored is answered 200 with ``stored`` false: the note was kept the first time."""
    sent = workspace.cafes.add_note(
        event_id,
        body.text,
        table=body.table,
        round_number=body.round_number,
        question=body.question_id,
        client_key=body.client_key,
    )
    return JSONResponse(sent.to_dict(), status_code=201 if sent.stored else 200)


@api.get("/events/{event_id}/cafe/export.{file_format}", responses=ERRORS)
def export(event_id: str, file_format: str, workspace: WorkspaceDep, _user: ReaderDep) -> Response:
    """The harvest as CSV (formula-safe) or JSON: tables' notes, and people's only as their
    consent allows now; no names."""
    out = BytesIO()
    workspace.cafes.export_harvest(out, event_id, file_format=file_format)
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else "application/json"
    return Response(
        out.getvalue(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="harvest.{file_format}"'},
    )


@api.get("/events/{event_id}/agenda", responses=ERRORS)
def agenda(event_id: str, workspace: WorkspaceDep, _user: EditorDep) -> list[dict[str, Any]]:
    """A workshop's agenda items with their notes, in order."""
    return [a.to_dict() for a in workspace.cafes.agenda(event_id)]


@api.post("/events/{event_id}/agenda", status_code=201, responses=ERRORS)
def add_agenda_item(
    event_id: str, body: AgendaItemCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    return workspace.cafes.add_agenda_item(event_id, body.title, notes=body.notes).to_dict()


# -- the set-up, harvest and agenda pages --------------------------------------------------------
def _title(workspace: Workspace, event_id: str) -> str:
    return workspace.event_contributions.event_title(event_id)


@pages.get("/events/{event_id}/cafe", response_class=HTMLResponse)
def cafe_page(
    event_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: EditorDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The café's set-up: questions per round and the plenary's, tables with their hosts and
    each host's link."""
    title = _title(workspace, event_id)
    found = workspace.cafes.tables(event_id)
    links = {t.id: workspace.cafes.host_token(t.id, key=settings.secret_key) for t in found}
    return templates.TemplateResponse(
        request,
        "cafe.html",
        {
            "user": user,
            "event_id": event_id,
            "title": title,
            "questions": workspace.cafes.questions(event_id),
            "tables": found,
            "links": links,
            "base_url": str(request.base_url).rstrip("/"),
            "done": DONE.get(done, ""),
        },
    )


@pages.get("/events/{event_id}/cafe/tables/{table_id}/qr.svg")
def host_link_qr(
    event_id: str,
    table_id: str,
    request: Request,
    workspace: WorkspaceDep,
    settings: SettingsDep,
    _user: EditorDep,
) -> Response:
    """The QR code of a table's host link, as an SVG image, for the host to scan at the table."""
    import segno

    table = workspace.cafes.table(event_id, table_id)
    token = workspace.cafes.host_token(table.id, key=settings.secret_key)
    link = f"{str(request.base_url).rstrip('/')}/harvest/{table.id}/{token}"
    image = BytesIO()
    segno.make(link, error="m").save(image, kind="svg", scale=5, title=f"{table.label}: host link")
    return Response(
        image.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


@pages.post("/events/{event_id}/cafe/questions", response_class=HTMLResponse)
def add_question_form(
    event_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    text: Annotated[str, Form(max_length=1_000)] = "",
    round_number: Annotated[str, Form(max_length=10, pattern=r"^[0-9]{0,2}$")] = "",
) -> Response:
    number = int(round_number) if round_number.isdecimal() and round_number.isascii() else None
    workspace.cafes.add_question(event_id, text, round_number=number, position=1)
    return RedirectResponse(f"/events/{event_id}/cafe?done=question", status_code=303)


@pages.post("/events/{event_id}/cafe/tables", response_class=HTMLResponse)
def add_table_form(
    event_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    label: Annotated[str, Form(max_length=120)] = "",
    host: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    position = len(workspace.cafes.tables(event_id)) + 1
    workspace.cafes.add_table(event_id, label, host=host, position=position)
    return RedirectResponse(f"/events/{event_id}/cafe?done=table", status_code=303)


@pages.get("/events/{event_id}/harvest", response_class=HTMLResponse)
def harvest_page(
    event_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: ReaderDep,
) -> Response:
    """The whole harvest: each round's notes by table, then the plenary's."""
    return templates.TemplateResponse(
        request,
        "harvest.html",
        {
            "user": user,
            "event_id": event_id,
            "title": _title(workspace, event_id),
            "harvest": workspace.cafes.harvest(event_id, viewer=user),
            "can_edit": user.role in EDITOR_ROLES,
        },
    )


@pages.get("/events/{event_id}/agenda", response_class=HTMLResponse)
def agenda_page(
    event_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A workshop's agenda with its notes, the systems map made there and the actions it
    agreed (kept as "you said, we did" actions), and a form to add an item."""
    event = workspace.events.get(event_id)
    agreed = [a for a in workspace.actions.list(place=event.place) if a.event == event_id]
    return templates.TemplateResponse(
        request,
        "agenda.html",
        {
            "user": user,
            "event_id": event_id,
            "title": event.title,
            "event": event,
            "items": workspace.cafes.agenda(event_id),
            "actions": agreed,
            "done": DONE.get(done, ""),
        },
    )


@pages.post("/events/{event_id}/agenda", response_class=HTMLResponse)
def add_agenda_form(
    event_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    title: Annotated[str, Form(max_length=300)] = "",
    notes: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    workspace.cafes.add_agenda_item(event_id, title, notes=notes)
    return RedirectResponse(f"/events/{event_id}/agenda?done=agenda", status_code=303)


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)
router.include_router(_cafe_host.pages)

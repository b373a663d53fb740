"""An event's contributions (notes, quotes, stories, photos, drawings, audio, video, walks):
the staff page ``/events/{event_id}/contributions``, the JSON API and the CSV/JSON export.

Every read goes through :class:`~mobilise.workspace.event_contributions.EventContributionService`,
which keeps only what the people's consent allows now: a withdrawn quote or photo is a 404 here,
and absent from every list and export. Contributions are rows about people, so only editors
(facilitators, analysts; admins always) read them. Names of people quoted by name are shown only
to admins and the data controller; everyone else sees the pseudonym code.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.model.engagement_vocab import CONTRIBUTION_KINDS, CONTRIBUTION_SCOPE
from mobilise.model.roles import EDITOR_ROLES
from mobilise.web.deps import EditorDep, TemplatesDep, WorkspaceDep, require_role
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["event contributions"])
pages = APIRouter(include_in_schema=False)

# Reading: the editors and the data controller (who reads the names of people quoted by name).
ReaderDep = Annotated[User, Depends(require_role(*EDITOR_ROLES[1:], "data_controller"))]
KindQuery = Annotated[
    str | None, Query(max_length=20, description=f"One of {', '.join(CONTRIBUTION_KINDS)}.")
]
DONE = {"added": "The contribution is added.", "removed": "The contribution is taken away."}


def _read_media(media: UploadFile | None, workspace: Workspace) -> bytes | None:
    """The uploaded file, read to at most the upload limit and one byte more, so that a bigger
    file is refused by the service (naming the limit) without being held whole."""
    if media is None or not media.filename:
        return None
    return media.file.read(workspace.limits.upload_bytes + 1) or None


@dataclass(frozen=True)
class Sent:
    """A contribution as a form sends it (the API's multipart body and the page's form)."""

    kind: str
    text: str
    participant: str
    group_label: str
    media: UploadFile | None


def _sent(
    kind: Annotated[str, Form(max_length=20, description=", ".join(CONTRIBUTION_KINDS))] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    participant: Annotated[str, Form(max_length=40, description="A pseudonym code.")] = "",
    group_label: Annotated[str, Form(max_length=120, description="A table or group.")] = "",
    media: Annotated[UploadFile | None, File()] = None,
) -> Sent:
    return Sent(kind, text, participant, group_label, media)


SentDep = Annotated[Sent, Depends(_sent)]


def _add(workspace: Workspace, event_id: str, sent: Sent) -> Any:
    return workspace.event_contributions.add(
        event_id,
        kind=sent.kind,
        text=sent.text,
        participant=sent.participant.strip() or None,
        group_label=sent.group_label,
        media=_read_media(sent.media, workspace),
    )


# -- API -----------------------------------------------------------------------------------------
@api.get("/events/{event_id}/contributions", responses=ERRORS)
def list_contributions(
    event_id: str, workspace: WorkspaceDep, user: ReaderDep, kind: KindQuery = None
) -> list[dict[str, Any]]:
    """The event's contributions that consent lets be shown, oldest first."""
    workspace.event_contributions.event_title(event_id)
    found = workspace.event_contributions.list(event_id, viewer=user, kind=kind)
    return [c.to_dict() for c in found]


@api.post("/events/{event_id}/contributions", status_code=201, responses=ERRORS)
def add_contribution(
    event_id: str, sent: SentDep, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Add a contribution by a participant (pseudonym code) or a group (table label); media as
    a file (its type read from its bytes)."""
    added = _add(workspace, event_id, sent)
    return dict(added.to_dict())


@api.get("/event-contributions/export.{file_format}", responses=ERRORS)
def export_contributions(
    file_format: str,
    workspace: WorkspaceDep,
    _user: ReaderDep,
    event: Annotated[str | None, Query(max_length=36)] = None,
) -> Response:
    """The contributions consent lets be shown (of one event, or all) as CSV (formula-safe) or
    JSON: pseudonym codes, never names, never the files (their size only)."""
    out = BytesIO()
    workspace.event_contributions.export(out, event=event, file_format=file_format)
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else "application/json"
    return Response(
        out.getvalue(),
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="event-contributions.{file_format}"'
        },
    )


@api.get("/event-contributions/{event_contribution_id}", responses=ERRORS)
def get_contribution(
    event_contribution_id: str, workspace: WorkspaceDep, user: ReaderDep
) -> dict[str, Any]:
    """One contribution (404 when consent no longer lets it be shown)."""
    return workspace.event_contributions.get(event_contribution_id, viewer=user).to_dict()


@api.get("/event-contributions/{event_contribution_id}/media", responses=ERRORS)
def contribution_media(
    event_contribution_id: str, workspace: WorkspaceDep, _user: ReaderDep
) -> Response:
    """A contribution's file (404 when consent no longer lets it be shown)."""
    data, media_type = workspace.event_contributions.media(event_contribution_id)
    return Response(data, media_type=media_type, headers={"Cache-Control": "private, no-store"})


@api.delete("/event-contributions/{event_contribution_id}", status_code=204, responses=ERRORS)
def remove_contribution(
    event_contribution_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    workspace.event_contributions.remove(event_contribution_id)
    return Response(status_code=204)


# -- pages ---------------------------------------------------------------------------------------
@pages.get("/events/{event_id}/contributions", response_class=HTMLResponse)
def contributions_page(
    event_id: str,
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: ReaderDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """What people gave at the event, as their consent allows, and a form to add more."""
    return templates.TemplateResponse(
        request,
        "event_contributions.html",
        {
            "user": user,
            "event_id": event_id,
            "title": workspace.event_contributions.event_title(event_id),
            "contributions": workspace.event_contributions.list(event_id, viewer=user),
            "kinds": CONTRIBUTION_KINDS,
            "scopes": CONTRIBUTION_SCOPE,
            "done": DONE.get(done, ""),
        },
    )


@pages.post("/events/{event_id}/contributions", response_class=HTMLResponse)
def add_contribution_form(
    event_id: str, sent: SentDep, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    _add(workspace, event_id, sent)
    return RedirectResponse(f"/events/{event_id}/contributions?done=added", status_code=303)


@pages.post(
    "/events/{event_id}/contributions/{event_contribution_id}/remove", response_class=HTMLResponse
)
def remove_contribution_form(
    event_id: str, event_contribution_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> Response:
    workspace.event_contributions.remove(event_contribution_id)
    return RedirectResponse(f"/events/{event_id}/contributions?done=removed", status_code=303)


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)

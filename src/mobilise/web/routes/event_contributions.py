"""An event's contributions (notes, quotes, stories, photos, drawings, audio, video, walks):
the staff page ``/events/{event_id}/contributions``, the JSON API and the CSV/JSON export.

Every read goes through :class:`~mobilise.workspace.event_contributions.EventContributionService`,
which keeps only what the people's consent allows now: a withdrawn quote or photo is a 404 here,
and absent from every list and export. Contributions are rows about people, so only editors
(facilitators, analysts; admins always) read them. Names of people quoted by name are shown only
to admins and the data controller; everyone else sees the pseudonym code.

Staff describe media here (alt text, caption, the maker's own words, public or not) and say what
a contribution is about (assets, areas, map factors, partners). The public galleries and the
exhibition are in :mod:`~mobilise.web.routes.gallery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.model.coproduction_vocab import LINK_TARGETS
from mobilise.model.engagement_vocab import CONTRIBUTION_KINDS, CONTRIBUTION_SCOPE
from mobilise.model.roles import EDITOR_ROLES
from mobilise.web.deps import EditorDep, TemplatesDep, WorkspaceDep, require_role, sent_fields
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.gallery import file_response
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["event contributions"])
pages = APIRouter(include_in_schema=False)

# Reading: the editors and the data controller (who reads the names of people quoted by name).
ReaderDep = Annotated[User, Depends(require_role(*EDITOR_ROLES[1:], "data_controller"))]
KindQuery = Annotated[
    str | None, Query(max_length=20, description=f"One of {', '.join(CONTRIBUTION_KINDS)}.")
]
DONE = {
    "added": "The contribution is added.",
    "removed": "The contribution is taken away.",
    "described": "The description is saved.",
    "linked": "The link is added.",
    "unlinked": "The link is taken away.",
}


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
    alt_text: str = ""
    caption: str = ""
    maker_words: str = ""
    public: bool = False


def _sent(
    kind: Annotated[str, Form(max_length=20, description=", ".join(CONTRIBUTION_KINDS))] = "",
    text: Annotated[str, Form(max_length=10_000)] = "",
    participant: Annotated[str, Form(max_length=40, description="A pseudonym code.")] = "",
    group_label: Annotated[str, Form(max_length=120, description="A table or group.")] = "",
    media: Annotated[UploadFile | None, File()] = None,
    alt_text: Annotated[str, Form(max_length=1_000, description="What the file shows.")] = "",
    caption: Annotated[str, Form(max_length=2_000)] = "",
    maker_words: Annotated[str, Form(max_length=10_000, description="The maker's words.")] = "",
    public: Annotated[bool, Form(description="Shown in public (needs alt text).")] = False,
) -> Sent:
    return Sent(kind, text, participant, group_label, media, alt_text, caption, maker_words, public)


SentDep = Annotated[Sent, Depends(_sent)]


def _add(workspace: Workspace, event_id: str, sent: Sent) -> Any:
    return workspace.event_contributions.add(
        event_id,
        kind=sent.kind,
        text=sent.text,
        participant=sent.participant.strip() or None,
        group_label=sent.group_label,
        media=_read_media(sent.media, workspace),
        file_name=sent.media.filename if sent.media else None,
        alt_text=sent.alt_text,
        caption=sent.caption,
        maker_words=sent.maker_words,
        public=sent.public,
    )


class Description(BaseModel):
    """A contribution's description; a field left out stays as it is."""

    alt_text: str | None = Field(None, max_length=1_000)
    caption: str | None = Field(None, max_length=2_000)
    maker_words: str | None = Field(None, max_length=10_000)
    public: bool | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1)


class LinkBody(BaseModel):
    """What a contribution is about."""

    target_type: str = Field(max_length=20, description=", ".join(LINK_TARGETS))
    target_id: str = Field(min_length=1, max_length=36)


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
    found, media_type = workspace.event_contributions.media_source(event_contribution_id)
    return file_response(found, media_type, {"Cache-Control": "private, no-store"})


@api.get("/event-contributions/{event_contribution_id}/thumbnail", responses=ERRORS)
def contribution_thumbnail(
    event_contribution_id: str, workspace: WorkspaceDep, _user: ReaderDep
) -> Response:
    """A picture's thumbnail, a JPEG (404 when consent no longer lets it be shown)."""
    data = workspace.event_contributions.thumbnail(event_contribution_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@api.patch("/event-contributions/{event_contribution_id}", responses=ERRORS)
def describe_contribution(
    event_contribution_id: str, body: Description, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Set alt text, caption, the maker's words and whether it is public (public media need
    alt text: a 422 naming ``alt_text``)."""
    fields = sent_fields(body)
    described = workspace.media.describe(event_contribution_id, **fields)
    return described.to_dict()


@api.get("/event-contributions/{event_contribution_id}/links", responses=ERRORS)
def contribution_links(
    event_contribution_id: str, workspace: WorkspaceDep, _user: ReaderDep
) -> list[dict[str, Any]]:
    """What the contribution is about: assets, areas, map factors, partners."""
    return [link.to_dict() for link in workspace.event_contributions.links(event_contribution_id)]


@api.post("/event-contributions/{event_contribution_id}/links", status_code=201, responses=ERRORS)
def add_contribution_link(
    event_contribution_id: str, body: LinkBody, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Say the contribution is about an asset, an area (its code), a map factor or a partner."""
    link = workspace.event_contributions.link(
        event_contribution_id, body.target_type, body.target_id
    )
    return link.to_dict()


@api.delete(
    "/event-contributions/{event_contribution_id}/links/{contribution_link_id}",
    status_code=204,
    responses=ERRORS,
)
def remove_contribution_link(
    event_contribution_id: str,
    contribution_link_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
) -> Response:
    workspace.event_contributions.unlink(event_contribution_id, contribution_link_id)
    return Response(status_code=204)


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
    shown = workspace.event_contributions.list(event_id, viewer=user)
    return templates.TemplateResponse(
        request,
        "event_contributions.html",
        {
            "user": user,
            "event_id": event_id,
            "title": workspace.event_contributions.event_title(event_id),
            "contributions": shown,
            "links": workspace.event_contributions.links_of_all(shown),
            "targets": LINK_TARGETS,
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
    """Take a contribution away: only one of this event (a 404 otherwise)."""
    workspace.event_contributions.remove(event_contribution_id, event=event_id)
    return RedirectResponse(f"/events/{event_id}/contributions?done=removed", status_code=303)


def _of_event(workspace: Workspace, event_id: str, event_contribution_id: str) -> None:
    """404 unless the contribution is one of this event's (and consent lets it be shown)."""
    from mobilise.errors import NotFound

    if workspace.event_contributions.get(event_contribution_id).event_id != event_id:
        raise NotFound(f"No contribution {event_contribution_id!r} at event {event_id!r}.")


def _done(event_id: str, what: str) -> Response:
    return RedirectResponse(f"/events/{event_id}/contributions?done={what}", status_code=303)


@pages.post(
    "/events/{event_id}/contributions/{event_contribution_id}/describe",
    response_class=HTMLResponse,
)
def describe_contribution_form(
    event_id: str,
    event_contribution_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    alt_text: Annotated[str, Form(max_length=1_000)] = "",
    caption: Annotated[str, Form(max_length=2_000)] = "",
    maker_words: Annotated[str, Form(max_length=10_000)] = "",
    public: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Save a contribution's alt text, caption, maker's words and whether it is public."""
    _of_event(workspace, event_id, event_contribution_id)
    workspace.media.describe(
        event_contribution_id,
        alt_text=alt_text,
        caption=caption,
        maker_words=maker_words,
        public=public == "yes",
    )
    return _done(event_id, "described")


@pages.post(
    "/events/{event_id}/contributions/{event_contribution_id}/links", response_class=HTMLResponse
)
def add_link_form(
    event_id: str,
    event_contribution_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    target_type: Annotated[str, Form(max_length=20)] = "",
    target_id: Annotated[str, Form(max_length=36)] = "",
) -> Response:
    """Say what the contribution is about."""
    _of_event(workspace, event_id, event_contribution_id)
    workspace.event_contributions.link(event_contribution_id, target_type, target_id)
    return _done(event_id, "linked")


@pages.post(
    "/events/{event_id}/contributions/{event_contribution_id}/links/{contribution_link_id}/remove",
    response_class=HTMLResponse,
)
def remove_link_form(
    event_id: str,
    event_contribution_id: str,
    contribution_link_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
) -> Response:
    _of_event(workspace, event_id, event_contribution_id)
    workspace.event_contributions.unlink(event_contribution_id, contribution_link_id)
    return _done(event_id, "unlinked")


router = APIRouter()
"""The API and the pages, as one router for the app."""
router.include_router(api)
router.include_router(pages)

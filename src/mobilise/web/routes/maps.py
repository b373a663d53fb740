"""Participatory systems maps: the JSON API, the live stream of changes, and the pages.

Edits are made by analysts, facilitators and community partners; anyone signed in can read a
map; a share link opens a read-only view (for a workshop screen) without signing in.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from mobilise.errors import NotFound
from mobilise.formats.map_formats import MAP_FORMATS
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.causal_map import FACTOR_KINDS, MAP_STATUSES, STRENGTHS
from mobilise.web.deps import (
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    require_role,
    sent_fields,
)
from mobilise.web.map_push import PAGE, MapBroker, event_stream
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["maps"])
pages = APIRouter(include_in_schema=False)

MAP_EDITOR_ROLES = ("analyst", "facilitator", "partner")
MapEditorDep = Annotated[User, Depends(require_role(*MAP_EDITOR_ROLES))]


def can_edit_maps(user: User) -> bool:
    return user.role == "admin" or user.role in MAP_EDITOR_ROLES


# -- bodies ---------------------------------------------------------------------------------------
class MapCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    place: str | None = Field(None, description="The place's slug, if the map is about one.")
    question: str = ""
    description: str = ""
    status: str = "draft"


class MapUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")
    title: str | None = None
    question: str | None = None
    description: str | None = None
    status: str | None = None


class Join(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pseudonym: str = Field(description="The name the participant chose (not their real name).")
    stakeholder_group: str = ""


class FactorFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = None
    kind: str | None = Field(None, description=f"One of {', '.join(FACTOR_KINDS)}.")
    description: str | None = None
    theme: str | None = None
    populations: list[str] | None = None
    indicator_id: str | None = None
    asset_category: str | None = None
    x: float | None = None
    y: float | None = None
    attributes: dict[str, Any] | None = None


class FactorCreate(FactorFields):
    label: str
    participant_id: str | None = None


class FactorUpdate(FactorFields):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")


class LinkFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source_id: str | None = None
    target_id: str | None = None
    polarity: str | None = Field(None, description="+, - or ?")
    strength: str | None = Field(None, description=f"One of {', '.join(STRENGTHS)}.")
    weight: float | None = Field(None, description="-1 to 1; its sign is the polarity.")
    delay: bool | None = None
    confidence: float | None = Field(None, description="0 to 1.")
    evidence: str | None = None
    stakeholder_group: str | None = None
    contested: bool | None = None
    label: str | None = None
    attributes: dict[str, Any] | None = None


class LinkCreate(LinkFields):
    source_id: str
    target_id: str
    participant_id: str | None = None


class LinkUpdate(LinkFields):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(description="factor or link")
    target_id: str
    text: str
    participant_id: str | None = None


class VoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_type: str = Field(description="factor or link")
    target_id: str
    participant_id: str
    value: int = Field(description="+1 agree, -1 disagree, 0 take the vote back")


class SnapshotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = ""


def _broker(request: Request) -> MapBroker:
    broker: MapBroker = request.app.state.map_broker
    return broker


async def _change(request: Request, map_id: str, work: Any, *args: Any, **kwargs: Any) -> Any:
    """Store a change (in a worker thread), then wake the map's streams."""
    result = await run_in_threadpool(work, *args, **kwargs)
    _broker(request).notify(map_id)
    return result


# -- maps -----------------------------------------------------------------------------------------
@api.get("/maps", responses=ERRORS)
def list_maps(
    workspace: WorkspaceDep, place: Annotated[str | None, Query()] = None
) -> list[dict[str, Any]]:
    """The systems maps, most recently changed first."""
    return [m.to_dict() for m in workspace.maps.list(place=place)]


@api.post("/maps", status_code=201, responses=ERRORS)
def create_map(body: MapCreate, workspace: WorkspaceDep, _user: MapEditorDep) -> dict[str, Any]:
    """A new, empty map."""
    return workspace.maps.create(
        body.title,
        place=body.place,
        question=body.question,
        description=body.description,
        status=body.status,
    ).to_dict()


@api.get("/maps/compare", responses=ERRORS)
def compare_maps(
    workspace: WorkspaceDep,
    maps: Annotated[list[str], Query(alias="map", description="Two or more map ids.")],
    min_share: Annotated[float, Query(gt=0, le=1)] = 0.5,
) -> dict[str, Any]:
    """What several groups' maps share: matched factors, consensus links (with who drew them
    and whether they agree on the sign) and, for two maps, their difference."""
    return workspace.map_analysis.compare(list(maps), min_share=min_share)


@api.get("/maps/{map_id}/contributions", responses=ERRORS)
def contributions(map_id: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """How much of the map each stakeholder group contributed."""
    return workspace.map_analysis.contributions(map_id)


@api.get("/maps/{map_id}", responses=ERRORS)
def get_map(map_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """The map with its factors, links, participants and votes, at one revision."""
    return _content(workspace, map_id)


@api.patch("/maps/{map_id}", responses=ERRORS)
async def update_map(
    request: Request, map_id: str, body: MapUpdate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    info = await _change(
        request,
        map_id,
        workspace.maps.update,
        map_id,
        sent_fields(body, drop=("version",)),
        expected_version=body.version,
    )
    return info.to_dict()


@api.delete("/maps/{map_id}", status_code=204, responses=ERRORS)
async def delete_map(
    request: Request,
    map_id: str,
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    version: Annotated[int | None, Query()] = None,
) -> Response:
    """Delete a map (restorable by an admin); everyone with it open is told."""
    await _change(request, map_id, workspace.maps.delete, map_id, expected_version=version)
    return Response(status_code=204)


@api.post("/maps/{map_id}/participants", responses=ERRORS)
async def join_map(
    request: Request, map_id: str, body: Join, workspace: WorkspaceDep, _user: MapEditorDep
) -> dict[str, Any]:
    """Join a map under a chosen name: contributions are attributed to it."""
    return await _change(
        request, map_id, workspace.maps.join, map_id, body.pseudonym, body.stakeholder_group
    )


# -- factors and links ----------------------------------------------------------------------------
@api.post("/maps/{map_id}/factors", status_code=201, responses=ERRORS)
async def add_factor(
    request: Request, map_id: str, body: FactorCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.maps.add_factor,
        map_id,
        sent_fields(body, drop=("participant_id",)),
        participant_id=body.participant_id,
    )


@api.patch("/maps/{map_id}/factors/{factor_id}", responses=ERRORS)
async def update_factor(
    request: Request,
    map_id: str,
    factor_id: str,
    body: FactorUpdate,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.maps.update_factor,
        map_id,
        factor_id,
        sent_fields(body, drop=("version",)),
        expected_version=body.version,
    )


@api.delete("/maps/{map_id}/factors/{factor_id}", responses=ERRORS)
async def delete_factor(
    request: Request,
    map_id: str,
    factor_id: str,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
    version: Annotated[int | None, Query()] = None,
) -> dict[str, Any]:
    """Delete a factor and its links."""
    return await _change(
        request, map_id, workspace.maps.delete_factor, map_id, factor_id, expected_version=version
    )


@api.post("/maps/{map_id}/links", status_code=201, responses=ERRORS)
async def add_link(
    request: Request, map_id: str, body: LinkCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.maps.add_link,
        map_id,
        sent_fields(body, drop=("participant_id",)),
        participant_id=body.participant_id,
    )


@api.patch("/maps/{map_id}/links/{link_id}", responses=ERRORS)
async def update_link(
    request: Request,
    map_id: str,
    link_id: str,
    body: LinkUpdate,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.maps.update_link,
        map_id,
        link_id,
        sent_fields(body, drop=("version",)),
        expected_version=body.version,
    )


@api.delete("/maps/{map_id}/links/{link_id}", responses=ERRORS)
async def delete_link(
    request: Request,
    map_id: str,
    link_id: str,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
    version: Annotated[int | None, Query()] = None,
) -> dict[str, Any]:
    return await _change(
        request, map_id, workspace.maps.delete_link, map_id, link_id, expected_version=version
    )


# -- comments, votes, snapshots -------------------------------------------------------------------
@api.get("/maps/{map_id}/comments", responses=ERRORS)
def list_comments(
    map_id: str,
    workspace: WorkspaceDep,
    target_type: Annotated[str | None, Query()] = None,
    target_id: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    return workspace.map_talk.comments(map_id, target_type=target_type, target_id=target_id)


@api.post("/maps/{map_id}/comments", status_code=201, responses=ERRORS)
async def comment(
    request: Request, map_id: str, body: CommentCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.map_talk.comment,
        map_id,
        body.target_type,
        body.target_id,
        body.text,
        participant_id=body.participant_id,
    )


@api.post("/maps/{map_id}/votes", responses=ERRORS)
async def vote(
    request: Request, map_id: str, body: VoteCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    return await _change(
        request,
        map_id,
        workspace.map_talk.vote,
        map_id,
        body.target_type,
        body.target_id,
        body.participant_id,
        body.value,
    )


@api.get("/maps/{map_id}/snapshots", responses=ERRORS)
def list_snapshots(map_id: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    return workspace.map_talk.snapshots(map_id)


@api.post("/maps/{map_id}/snapshots", status_code=201, responses=ERRORS)
def save_snapshot(
    map_id: str, body: SnapshotCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    """Save the whole map as it is now."""
    return workspace.map_talk.snapshot(map_id, body.label)


@api.get(
    "/maps/{map_id}/snapshots/{snapshot_id}",
    responses={200: {"content": {"application/json": {}}}, **ERRORS},
    response_class=Response,
)
def download_snapshot(map_id: str, snapshot_id: str, workspace: WorkspaceDep) -> Response:
    """A saved version of the map as a mobilise map file."""
    data, name, media_type = workspace.map_analysis.export(
        workspace.map_talk.snapshot_map(snapshot_id, map_id=map_id), "mobilise"
    )
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": _attachment(name)},
    )


# -- following changes ----------------------------------------------------------------------------
@api.get("/maps/{map_id}/events", responses=ERRORS)
def list_events(
    map_id: str, workspace: WorkspaceDep, after: Annotated[int, Query(ge=0)] = 0
) -> list[dict[str, Any]]:
    """The changes after revision ``after``, oldest first (at most 1,000)."""
    return workspace.maps.events(map_id, after=after)


@api.get(
    "/maps/{map_id}/stream",
    responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
    response_class=StreamingResponse,
)
def stream(
    request: Request,
    map_id: str,
    workspace: WorkspaceDep,
    after: Annotated[int | None, Query(ge=0)] = None,
) -> StreamingResponse:
    """Server-sent events, one ``change`` per stored change, from revision ``after`` (or the
    ``Last-Event-ID`` a reconnecting browser sends) onwards."""
    return _stream(request, workspace, workspace.maps.get(map_id).id, after)


# -- analyses and files ---------------------------------------------------------------------------
@api.get("/maps/{map_id}/analysis", responses=ERRORS)
def analysis(request: Request, map_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """Feedback loops (reinforcing or balancing), leverage and centrality, communities, and the
    paths from interventions to outcomes with their net signs. Loops and paths are time-boxed;
    ``truncated`` says when a list was cut."""
    return _analysis(request, workspace, map_id)


_ANALYSES_KEPT = 32
_ANALYSES_LOCK = threading.Lock()


def _analysis(request: Request, workspace: Workspace, map_id: str) -> dict[str, Any]:
    """The summary of a map at its current revision, computed once for everyone asking."""
    kept: dict[tuple[str, int], dict[str, Any]] = request.app.state.map_analyses
    key = (map_id, workspace.maps.revision(map_id))
    found = kept.get(key)
    if found is None:
        found = workspace.map_analysis.summary(map_id)
        with _ANALYSES_LOCK:  # requests run in several threads
            kept[key] = found
            while len(kept) > _ANALYSES_KEPT:
                kept.pop(next(iter(kept)))
    return found


@api.get("/maps/{map_id}/submap", responses=ERRORS)
def submap(
    map_id: str,
    workspace: WorkspaceDep,
    focus: Annotated[list[str], Query(description="Factor ids or labels.")],
    direction: Annotated[str, Query(description="upstream, downstream or both")] = "downstream",
    steps: Annotated[int | None, Query(ge=1, le=50)] = None,
) -> dict[str, Any]:
    """The factors and links up or downstream of the focus factors, within ``steps`` links."""
    return workspace.map_analysis.submap(map_id, focus, direction=direction, steps=steps)


class ScenarioBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clamps: dict[str, float] = Field(description="Factor id or label -> value held (-1 to 1).")
    rule: str = "kosko"
    transfer: str = "sigmoid"


@api.post("/maps/{map_id}/scenario", responses=ERRORS)
def what_if(map_id: str, body: ScenarioBody, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """A what-if scenario (fuzzy cognitive map): hold some factors, see how the others settle
    compared with the baseline."""
    frame = workspace.map_analysis.scenario(
        map_id, body.clamps, rule=body.rule, transfer=body.transfer
    )
    return [{"id": str(k), **row} for k, row in frame.iterrows()]


@api.get(
    "/maps/{map_id}/export",
    responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS},
    response_class=Response,
)
def export(
    map_id: str,
    workspace: WorkspaceDep,
    format: Annotated[str, Query(description=f"One of {', '.join(MAP_FORMATS)}.")] = "mobilise",
) -> Response:
    """The map as a file for another tool (PRSM, Kumu, Mental Modeler, LOOPY, GraphML, CSV)."""
    data, name, media_type = workspace.map_analysis.export(map_id, format)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": _attachment(name)},
    )


@api.post("/maps/import", status_code=201, responses=ERRORS)
async def import_map(
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    file: Annotated[UploadFile, File(description="A map file from PRSM, Kumu, Mental Modeler…")],
    format: Annotated[str | None, Form()] = None,
    place: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Import a map file as a new map (its format is recognised from its name and content)."""
    data = await file.read()
    info = await run_in_threadpool(
        workspace.map_analysis.import_bytes,
        data,
        name=file.filename or "map",
        format=format or None,
        place=place or None,
    )
    return info.to_dict()


@api.post("/maps/{map_id}/share", responses=ERRORS)
def share(map_id: str, request: Request, workspace: WorkspaceDep, _u: MapEditorDep) -> dict:
    """A read-only link to the map (for a workshop screen): anyone with it can watch."""
    token = workspace.maps.share(map_id)
    return {"token": token, "url": str(request.url_for("shared_map_page", token=token))}


@api.delete("/maps/{map_id}/share", status_code=204, responses=ERRORS)
async def unshare(
    request: Request, map_id: str, workspace: WorkspaceDep, _u: MapEditorDep
) -> Response:
    """Withdraw the read-only link: screens showing it stop at once."""
    await _change(request, map_id, workspace.maps.unshare, map_id)
    return Response(status_code=204)


@api.get("/shared-maps/{token}", responses=ERRORS)
def shared_map(token: str, workspace: PublicWorkspaceDep) -> dict[str, Any]:
    """A shared map, read-only, without signing in."""
    return _content(workspace, workspace.maps.by_share_token(token).id, public=True)


@api.get("/shared-maps/{token}/stream", response_class=StreamingResponse)
def shared_stream(
    request: Request,
    token: str,
    workspace: PublicWorkspaceDep,
    after: Annotated[int | None, Query(ge=0)] = None,
) -> StreamingResponse:
    """The shared map's changes, without who made them; ends when the link is withdrawn."""
    map_id = workspace.maps.by_share_token(token).id

    def still_shared() -> bool:
        try:
            return workspace.maps.by_share_token(token).id == map_id
        except NotFound:
            return False

    return _stream(request, workspace, map_id, after, still_shared=still_shared)


@api.get("/shared-maps/{token}/analysis", responses=ERRORS)
def shared_analysis(request: Request, token: str, workspace: PublicWorkspaceDep) -> dict:
    """The shared map's loops, leverage and paths (as the editor's side panel shows them)."""
    return _analysis(request, workspace, workspace.maps.by_share_token(token).id)


def _stream(
    request: Request,
    workspace: Workspace,
    map_id: str,
    after: int | None,
    *,
    still_shared: Any = None,
) -> StreamingResponse:
    last_seen = request.headers.get("last-event-id", "")
    start = int(last_seen) if last_seen.isdigit() else (after or 0)
    events = event_stream(
        _broker(request),
        map_id,
        lambda last: workspace.maps.events(map_id, after=last, limit=PAGE),
        lambda: workspace.maps.revision(map_id),
        after=start,
        still_shared=still_shared,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _attachment(name: str) -> str:
    return f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


def _content(workspace: Workspace, map_id: str, *, public: bool = False) -> dict[str, Any]:
    content = workspace.maps.content(map_id)
    content["votes"] = workspace.map_talk.votes(map_id)
    if public:  # a workshop screen shows the map, not who is taking part
        content["participants"] = []
        content["map"].pop("created_by", None)
        for item in (*content["factors"], *content["links"]):
            for private in ("participant_id", "created_by", "updated_by"):
                item.pop(private, None)
    return content


# -- pages ----------------------------------------------------------------------------------------
@pages.get("/maps", response_class=HTMLResponse)
def maps_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    return templates.TemplateResponse(
        request,
        "maps.html",
        {
            "maps": workspace.maps.list(),
            "places": workspace.places.list(),
            "can_edit": can_edit_maps(user),
            "user": user,
        },
    )


@pages.get("/maps/{map_id}", response_class=HTMLResponse)
def map_page(
    request: Request, map_id: str, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    info = workspace.maps.get(map_id)
    choices = {
        "indicators": [[i.id, i.name] for i in workspace.indicators.list()],
        "categories": [[key, label] for key, label in CATEGORIES.items()],
        "statuses": list(MAP_STATUSES),
    }
    return templates.TemplateResponse(
        request,
        "map_editor.html",
        {
            "info": info,
            "kinds": FACTOR_KINDS,
            "strengths": STRENGTHS,
            "can_edit": can_edit_maps(user),
            "api_base": f"/api/v1/maps/{info.id}",
            "user": user,
            "shared": False,
            "choices": choices,
        },
    )


@pages.get("/maps/shared/{token}", response_class=HTMLResponse, name="shared_map_page")
def shared_map_page(
    request: Request, token: str, workspace: PublicWorkspaceDep, templates: TemplatesDep
) -> Response:
    info = workspace.maps.by_share_token(token)
    return templates.TemplateResponse(
        request,
        "map_editor.html",
        {
            "info": info,
            "kinds": FACTOR_KINDS,
            "strengths": STRENGTHS,
            "can_edit": False,
            "api_base": f"/api/v1/shared-maps/{token}",
            "user": None,
            "shared": True,
            "choices": {"indicators": [], "categories": [], "statuses": []},
        },
    )

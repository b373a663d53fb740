"""Participatory systems maps: the JSON API, the live stream of changes, and the pages.

Edits are made by analysts, facilitators and community partners; anyone signed in can read a
map; a share link opens a read-only view (for a workshop screen) without signing in.
"""

from __future__ import annotations

import threading
from io import BytesIO
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from mobilise.errors import NotFound
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.causal_map import FACTOR_KINDS, MAP_STATUSES, STRENGTHS
from mobilise.model.map_files import MAP_FILE_FORMATS
from mobilise.web.deps import (
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    require_role,
    sent_fields,
)
from mobilise.web.map_push import PAGE, MapBroker, event_stream
from mobilise.web.routes._map_bodies import (
    CommentCreate,
    FactorCreate,
    FactorUpdate,
    Join,
    LinkCreate,
    LinkUpdate,
    MapCreate,
    MapUpdate,
    ScenarioBody,
    SnapshotCreate,
    VoteCreate,
)
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace
from mobilise.workspace.users import User

api = APIRouter(prefix="/api/v1", tags=["maps"])
pages = APIRouter(include_in_schema=False)

MAP_EDITOR_ROLES = ("analyst", "facilitator", "partner")
MapEditorDep = Annotated[User, Depends(require_role(*MAP_EDITOR_ROLES))]


def can_edit_maps(user: User) -> bool:
    return user.role == "admin" or user.role in MAP_EDITOR_ROLES


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
def _part_routes(part: str, create: type[BaseModel], change: type[BaseModel], gone: str) -> None:
    """The add, change and delete routes of one kind of part of a map, ``factor`` or ``link``:
    the same three verbs, each a change that wakes the map's streams.

    FastAPI reads the body's model and the path parameter's name from an endpoint's
    annotations: the endpoints are written once here and given each part's model and
    ``<part>_id`` before they are added."""
    maps_path = f"/maps/{{map_id}}/{part}s"
    part_path = f"{maps_path}/{{{part}_id}}"

    async def add(
        request: Request, map_id: str, body: BaseModel, workspace: WorkspaceDep, _u: MapEditorDep
    ) -> dict[str, Any]:
        fields = sent_fields(body, drop=("participant_id",))
        add_part = getattr(workspace.maps, f"add_{part}")
        who = getattr(body, "participant_id", None)
        return await _change(request, map_id, add_part, map_id, fields, participant_id=who)

    async def update(
        request: Request,
        map_id: str,
        part_id: str,
        body: BaseModel,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
    ) -> dict[str, Any]:
        fields = sent_fields(body, drop=("version",))
        update_part = getattr(workspace.maps, f"update_{part}")
        version = getattr(body, "version", None)
        return await _change(
            request, map_id, update_part, map_id, part_id, fields, expected_version=version
        )

    async def delete(
        request: Request,
        map_id: str,
        part_id: str,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
        version: Annotated[int | None, Query()] = None,
    ) -> dict[str, Any]:
        delete_part = getattr(workspace.maps, f"delete_{part}")
        return await _change(
            request, map_id, delete_part, map_id, part_id, expected_version=version
        )

    part_id = Annotated[str, Path(alias=f"{part}_id")]
    add.__annotations__["body"] = create
    update.__annotations__.update(body=change, part_id=part_id)
    delete.__annotations__["part_id"] = part_id
    for path, endpoint, method, status, description in (
        (maps_path, add, "POST", 201, None),
        (part_path, update, "PATCH", 200, None),
        (part_path, delete, "DELETE", 200, gone),
    ):
        api.add_api_route(
            path,
            endpoint,
            methods=[method],
            status_code=status,
            responses=ERRORS,
            name=f"{endpoint.__name__}_{part}",
            description=description,
        )


_part_routes("factor", FactorCreate, FactorUpdate, "Delete a factor and its links.")
_part_routes("link", LinkCreate, LinkUpdate, "")


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
    said = (map_id, body.target_type, body.target_id, body.text)
    who = body.participant_id
    return await _change(request, map_id, workspace.map_talk.comment, *said, participant_id=who)


@api.post("/maps/{map_id}/votes", responses=ERRORS)
async def vote(
    request: Request, map_id: str, body: VoteCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    ballot = (map_id, body.target_type, body.target_id, body.participant_id, body.value)
    return await _change(request, map_id, workspace.map_talk.vote, *ballot)


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
    return _download(workspace, workspace.map_talk.snapshot_map(snapshot_id, map_id=map_id))


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
    format: Annotated[
        str, Query(description=f"One of {', '.join(MAP_FILE_FORMATS)}.")
    ] = "mobilise",
) -> Response:
    """The map as a file for another tool (PRSM, Kumu, Mental Modeler, LOOPY, GraphML, CSV)."""
    return _download(workspace, map_id, format)


@api.post("/maps/import", status_code=201, responses=ERRORS)
async def import_map(
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    file: Annotated[UploadFile, File(description="A map file from PRSM, Kumu, Mental Modeler…")],
    format: Annotated[str | None, Form()] = None,
    place: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """Import a map file as a new map (its format is recognised from its name and content)."""
    info = await run_in_threadpool(
        workspace.map_analysis.import_file,
        file.file,
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


def _download(workspace: Workspace, source: Any, format: str = "mobilise") -> Response:
    """A map (a stored map's id, or a map) as a file to download."""
    buffer = BytesIO()
    written = workspace.map_analysis.export(source, buffer, format=format)
    name = written.file_name
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    headers = {"Content-Disposition": disposition}
    return Response(buffer.getvalue(), media_type=written.media_type, headers=headers)


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

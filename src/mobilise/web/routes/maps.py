"""Participatory systems maps: the JSON API, the live stream of changes, and the pages.

Edits are made by analysts, facilitators and community partners; who may read a map is its
visibility's (:mod:`mobilise.model.visibility`): a map someone may not see answers 404 on every
route, as if it did not exist. A share link opens a read-only view (for a workshop screen)
without signing in. What a change is attributed to is decided here, never by the client: the
signed-in user's participant on the map (the browser's, in local mode); viewers see people by
pseudonym and stakeholder group only.
"""

from __future__ import annotations

import threading
from io import BytesIO
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from mobilise.errors import NotFound
from mobilise.model.map_files import MAP_FILE_FORMATS
from mobilise.web.deps import (
    EditorDep,
    PublicWorkspaceDep,
    UserDep,
    WorkspaceDep,
    sent_fields,
)
from mobilise.web.map_push import PAGE, event_stream
from mobilise.web.routes._map_access import (
    IdentityDep,
    MapEditorDep,
    SharedMapDep,
    VisibleMapDep,
    broker,
    change,
    joining_identity,
    participant,
    unsigned,
)
from mobilise.web.routes._map_bodies import (
    CommentCreate,
    FactorCreate,
    FactorUpdate,
    Join,
    LinkCreate,
    LinkUpdate,
    MapCreate,
    MapUpdate,
    PersonLink,
    ScenarioBody,
    SnapshotCreate,
    VoteCreate,
)
from mobilise.web.routes._map_pages import pages
from mobilise.web.routes._map_parts import add_part_routes
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import ACCEPTED, accepted
from mobilise.workspace import Workspace

api = APIRouter(prefix="/api/v1", tags=["maps"])
__all__ = ["api", "pages"]


# -- maps -----------------------------------------------------------------------------------------
@api.get("/maps", responses=ERRORS)
def list_maps(
    workspace: WorkspaceDep, user: UserDep, place: Annotated[str | None, Query()] = None
) -> list[dict[str, Any]]:
    """The systems maps you may see, most recently changed first."""
    return [unsigned(m.to_dict()) for m in workspace.maps.list(place=place, viewer=user)]


@api.post("/maps", status_code=201, responses=ERRORS)
def create_map(body: MapCreate, workspace: WorkspaceDep, _user: MapEditorDep) -> dict[str, Any]:
    """A new, empty map."""
    made = workspace.maps.create(
        body.title,
        place=body.place,
        question=body.question,
        description=body.description,
        status=body.status,
        visibility=body.visibility,
    )
    return unsigned(made.to_dict())


@api.get("/maps/compare", responses=ERRORS)
def compare_maps(
    workspace: WorkspaceDep,
    user: UserDep,
    maps: Annotated[list[str], Query(alias="map", description="Two or more map ids.")],
    min_share: Annotated[float, Query(gt=0, le=1)] = 0.5,
) -> dict[str, Any]:
    """What several groups' maps share: matched factors, consensus links (with who drew them
    and whether they agree on the sign) and, for two maps, their difference."""
    seen = [workspace.maps.get(map_id, viewer=user).id for map_id in maps]
    return workspace.map_analysis.compare(list(seen), min_share=min_share)


@api.get("/maps/deleted", responses=ERRORS)
def deleted_maps(workspace: WorkspaceDep, user: MapEditorDep) -> list[dict[str, Any]]:
    """The deleted maps you could see, most recently deleted first (to restore one)."""
    return [unsigned(m) for m in workspace.maps.deleted(viewer=user)]


@api.post("/maps/{map_id}/restore", responses=ERRORS)
async def restore_map(
    request: Request, map_id: str, workspace: WorkspaceDep, user: MapEditorDep
) -> dict[str, Any]:
    """Bring back a deleted map (one you could see), with everything it had."""
    await change(request, map_id, workspace.maps.restore, map_id, viewer=user)
    restored = await run_in_threadpool(workspace.maps.get, map_id)  # (off the event loop)
    return unsigned(restored.to_dict())


@api.get("/maps/{map_id}/contributions", responses=ERRORS)
def contributions(info: VisibleMapDep, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """How much of the map each stakeholder group contributed."""
    return workspace.map_analysis.contributions(info.id)


@api.get("/maps/{map_id}", responses=ERRORS)
def get_map(
    info: VisibleMapDep, workspace: WorkspaceDep, user: UserDep, who: IdentityDep
) -> dict[str, Any]:
    """The map with its factors, links, participants (by pseudonym and group) and votes, at one
    revision; ``me`` is who you take part as, once you joined."""
    content = workspace.maps.view(info.id, viewer=user, **who)
    return content | {"votes": workspace.map_talk.votes(info.id)}


@api.patch("/maps/{map_id}", responses=ERRORS)
async def update_map(
    request: Request,
    info: VisibleMapDep,
    body: MapUpdate,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
) -> dict[str, Any]:
    """Change a map's title, question, status or visibility (``link`` makes a share link;
    leaving it withdraws the link)."""
    changed = await change(
        request,
        info.id,
        workspace.maps.update,
        info.id,
        sent_fields(body, drop=("version",)),
        expected_version=body.version,
    )
    return unsigned(changed.to_dict())


@api.delete("/maps/{map_id}", status_code=204, responses=ERRORS)
async def delete_map(
    request: Request,
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    version: Annotated[int | None, Query()] = None,
) -> Response:
    """Delete a map (an editor can restore it); everyone with it open is told."""
    await change(request, info.id, workspace.maps.delete, info.id, expected_version=version)
    return Response(status_code=204)


@api.post("/maps/{map_id}/participants", responses=ERRORS)
async def join_map(
    request: Request,
    response: Response,
    info: VisibleMapDep,
    body: Join,
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    who: IdentityDep,
) -> dict[str, Any]:
    """Join the map under a chosen name (or change it): what you add, say and vote is
    attributed to it. A name someone else on the map goes by is a 409."""
    me = joining_identity(request, response, who)
    joined = await change(
        request, info.id, workspace.maps.join, info.id, body.pseudonym, body.stakeholder_group, **me
    )
    return {k: joined[k] for k in ("pseudonym", "stakeholder_group")}


@api.put("/maps/{map_id}/participants/{map_participant}/person", responses=ERRORS)
def link_person(
    map_participant: str,
    body: PersonLink,
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    _u: EditorDep,
) -> dict[str, Any]:
    """Link a map participant (id or pseudonym) to a person of the participants register, so
    that their withdrawal reaches the map (staff: it joins two registers of people)."""
    return workspace.maps.link_person(info.id, map_participant, body.person)


# -- factors and links ----------------------------------------------------------------------------
add_part_routes(api, "factor", FactorCreate, FactorUpdate, "Delete a factor and its links.")
add_part_routes(api, "link", LinkCreate, LinkUpdate, "")


@api.get("/maps/{map_id}/deleted", responses=ERRORS)
def deleted_parts(
    info: VisibleMapDep, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, list[dict[str, Any]]]:
    """The map's deleted factors and links, most recently deleted first (to restore them)."""
    found = workspace.maps.deleted_parts(info.id)
    return {kind: [unsigned(p) for p in parts] for kind, parts in found.items()}


# -- comments, votes, snapshots -------------------------------------------------------------------
@api.get("/maps/{map_id}/comments", responses=ERRORS)
def list_comments(
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    target_type: Annotated[str | None, Query()] = None,
    target_id: Annotated[str | None, Query()] = None,
) -> list[dict[str, Any]]:
    """The map's comments, by pseudonym and group."""
    on = {"target_type": target_type, "target_id": target_id}
    return workspace.map_talk.comments(info.id, **on, shown=True)


@api.post("/maps/{map_id}/comments", status_code=201, responses=ERRORS)
async def comment(
    request: Request,
    info: VisibleMapDep,
    body: CommentCreate,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
    who: IdentityDep,
) -> dict[str, Any]:
    """Comment on a factor or link, as the participant you joined as (if you did)."""
    said = (info.id, body.target_type, body.target_id, body.text)
    by = await run_in_threadpool(participant, workspace, info.id, who)
    stored = await change(request, info.id, workspace.map_talk.comment, *said, participant_id=by)
    return unsigned(stored)


@api.post("/maps/{map_id}/votes", responses=ERRORS)
async def vote(
    request: Request,
    info: VisibleMapDep,
    body: VoteCreate,
    workspace: WorkspaceDep,
    _u: MapEditorDep,
    who: IdentityDep,
) -> dict[str, Any]:
    """Agree or disagree with a factor or link, as the participant you joined as (a 422 until
    you join)."""
    by = await run_in_threadpool(participant, workspace, info.id, who)
    ballot = (info.id, body.target_type, body.target_id, by, body.value)
    return await change(request, info.id, workspace.map_talk.vote, *ballot)


@api.get("/maps/{map_id}/snapshots", responses=ERRORS)
def list_snapshots(info: VisibleMapDep, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """The map's saved versions, newest first."""
    return [unsigned(s) for s in workspace.map_talk.snapshots(info.id)]


@api.post("/maps/{map_id}/snapshots", status_code=201, responses=ERRORS)
def save_snapshot(
    info: VisibleMapDep, body: SnapshotCreate, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    """Save the whole map as it is now."""
    return unsigned(workspace.map_talk.snapshot(info.id, body.label))


@api.get(
    "/maps/{map_id}/snapshots/{snapshot_id}",
    responses={200: {"content": {"application/json": {}}}, **ERRORS},
    response_class=Response,
)
def download_snapshot(info: VisibleMapDep, snapshot_id: str, workspace: WorkspaceDep) -> Response:
    """A saved version of the map as a mobilise map file."""
    return _download(workspace, workspace.map_talk.snapshot_map(snapshot_id, map_id=info.id))


# -- following changes ----------------------------------------------------------------------------
AfterQuery = Annotated[int, Query(ge=0, le=2**62, description="A revision of the map.")]


@api.get("/maps/{map_id}/events", responses=ERRORS)
def list_events(
    info: VisibleMapDep, workspace: WorkspaceDep, after: AfterQuery = 0
) -> list[dict[str, Any]]:
    """The changes after revision ``after``, oldest first (at most 1,000), without who made
    them."""
    return workspace.maps.events(info.id, after=after, shown=True)


@api.get(
    "/maps/{map_id}/stream",
    responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
    response_class=StreamingResponse,
)
def stream(
    request: Request,
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    user: UserDep,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> StreamingResponse:
    """Server-sent events, one ``change`` per stored change, from revision ``after`` (or the
    ``Last-Event-ID`` a reconnecting browser sends) onwards; ``closed`` when you may no longer
    see the map."""

    def still_visible() -> bool:
        try:
            return workspace.maps.get(info.id, viewer=user).id == info.id
        except NotFound:
            return False

    return _stream(request, workspace, info.id, after, still_allowed=still_visible)


# -- analyses and files ---------------------------------------------------------------------------
@api.get("/maps/{map_id}/analysis", responses=ERRORS)
def analysis(request: Request, info: VisibleMapDep, workspace: WorkspaceDep) -> dict[str, Any]:
    """Feedback loops (reinforcing or balancing), leverage and centrality, communities, and the
    paths from interventions to outcomes with their net signs. Loops and paths are time-boxed;
    ``truncated`` says when a list was cut."""
    return _analysis(request, workspace, info.id)


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
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    focus: Annotated[list[str], Query(description="Factor ids or labels.")],
    direction: Annotated[str, Query(description="upstream, downstream or both")] = "downstream",
    steps: Annotated[int | None, Query(ge=1, le=50)] = None,
) -> dict[str, Any]:
    """The factors and links up or downstream of the focus factors, within ``steps`` links."""
    return workspace.map_analysis.submap(info.id, focus, direction=direction, steps=steps)


@api.post("/maps/{map_id}/scenario", responses=ERRORS)
def what_if(
    info: VisibleMapDep, body: ScenarioBody, workspace: WorkspaceDep
) -> list[dict[str, Any]]:
    """A what-if scenario (fuzzy cognitive map): hold some factors, see how the others settle
    compared with the baseline."""
    frame = workspace.map_analysis.scenario(
        info.id, body.clamps, rule=body.rule, transfer=body.transfer
    )
    return [{"id": str(k), **row} for k, row in frame.iterrows()]


@api.get(
    "/maps/{map_id}/export",
    responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS},
    response_class=Response,
)
def export(
    info: VisibleMapDep,
    workspace: WorkspaceDep,
    format: Annotated[
        str, Query(description=f"One of {', '.join(MAP_FILE_FORMATS)}.")
    ] = "mobilise",
    compressed: Annotated[
        bool, Query(description="PRSM only: the compressed form PRSM itself saves.")
    ] = False,
) -> Response:
    """The map as a file for another tool (PRSM, Kumu, Mental Modeler, LOOPY, GraphML, CSV).
    What the tool will change (PRSM cuts a title past 50 characters) is said in the
    ``X-Mobilise-Warning`` header."""
    return _download(workspace, info.id, format, compressed=compressed)


@api.post("/maps/import", status_code=202, responses=ACCEPTED)
def import_map(
    request: Request,
    workspace: WorkspaceDep,
    _user: MapEditorDep,
    file: Annotated[UploadFile, File(description="A map file from PRSM, Kumu, Mental Modeler…")],
    format: Annotated[str | None, Form()] = None,
    place: Annotated[str | None, Form()] = None,
) -> JSONResponse:
    """Import a map file as a new map (its format is recognised from its name and content), as
    a background job: answers 202 with the job at once; its ``outcome_url`` gives the new map
    (201) or a 422 naming the file, row and field (nothing imported)."""
    job = workspace.jobs.submit(
        "maps.import",
        {"format": format or None, "place": place or None},
        file=file.file,
        name=file.filename or "map",
    )
    return accepted(request, job)


@api.post("/maps/{map_id}/share", responses=ERRORS)
async def share(
    request: Request, info: VisibleMapDep, workspace: WorkspaceDep, _u: MapEditorDep
) -> dict[str, Any]:
    """A read-only link to the map (for a workshop screen): anyone with it can watch. The map's
    visibility becomes ``link``."""
    token = await change(request, info.id, workspace.maps.share, info.id)
    return {"token": token, "url": str(request.url_for("shared_map_page", token=token))}


@api.delete("/maps/{map_id}/share", status_code=204, responses=ERRORS)
async def unshare(
    request: Request, info: VisibleMapDep, workspace: WorkspaceDep, _u: MapEditorDep
) -> Response:
    """Withdraw the read-only link: screens showing it stop at once (the map is then seen by
    the consortium)."""
    await change(request, info.id, workspace.maps.unshare, info.id)
    return Response(status_code=204)


@api.get("/shared-maps/{token}", responses=ERRORS)
def shared_map(info: SharedMapDep, workspace: PublicWorkspaceDep) -> dict[str, Any]:
    """A shared map, read-only, without signing in."""
    map_id = info.id
    content = workspace.maps.view(map_id, viewer=None)
    # a workshop screen shows the map, not who is taking part
    content["participants"] = []
    content["map"].pop("created_by", None)
    for item in (*content["factors"], *content["links"]):
        item.pop("contributor", None)
        item.pop("contributor_group", None)
    return content | {"votes": workspace.map_talk.votes(map_id)}


@api.get("/shared-maps/{token}/stream", response_class=StreamingResponse)
def shared_stream(
    request: Request,
    token: str,
    info: SharedMapDep,
    workspace: PublicWorkspaceDep,
    after: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> StreamingResponse:
    """The shared map's changes, without who made them; ends when the link is withdrawn."""
    map_id = info.id

    def still_shared() -> bool:
        try:
            return workspace.maps.by_share_token(token).id == map_id
        except NotFound:
            return False

    return _stream(request, workspace, map_id, after, still_allowed=still_shared, public=True)


@api.get("/shared-maps/{token}/analysis", responses=ERRORS)
def shared_analysis(request: Request, info: SharedMapDep, workspace: PublicWorkspaceDep) -> dict:
    """The shared map's loops, leverage and paths (as the editor's side panel shows them)."""
    return _analysis(request, workspace, info.id)


def _stream(
    request: Request,
    workspace: Workspace,
    map_id: str,
    after: int | None,
    *,
    still_allowed: Any,
    public: bool = False,
) -> StreamingResponse:
    last_seen = request.headers.get("last-event-id", "")
    start = int(last_seen) if last_seen.isdigit() and len(last_seen) < 19 else (after or 0)
    events = event_stream(
        broker(request),
        map_id,
        lambda last: workspace.maps.events(map_id, after=last, limit=PAGE, shown=True),
        lambda: workspace.maps.revision(map_id),
        after=start,
        still_allowed=still_allowed,
        public=public,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _download(
    workspace: Workspace, source: Any, format: str = "mobilise", *, compressed: bool = False
) -> Response:
    """A map (a stored map's id, or a map) as a file to download."""
    buffer = BytesIO()
    written = workspace.map_analysis.export(source, buffer, format=format, compressed=compressed)
    name = written.file_name
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    headers = {"Content-Disposition": disposition}
    if written.warnings:
        headers["X-Mobilise-Warning"] = quote("; ".join(written.warnings), safe=" ;,'")
    return Response(buffer.getvalue(), media_type=written.media_type, headers=headers)

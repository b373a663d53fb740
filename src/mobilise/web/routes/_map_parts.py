"""The add, change, delete and restore routes of a map's factors and links (private to
:mod:`mobilise.web.routes.maps`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from mobilise.web.deps import WorkspaceDep, sent_fields
from mobilise.web.routes._map_access import (
    IdentityDep,
    MapEditorDep,
    VisibleMapDep,
    change,
    participant,
    unsigned,
)
from mobilise.web.routes.api import ERRORS

__all__ = ["add_part_routes"]


def add_part_routes(
    api: APIRouter, part: str, create: type[BaseModel], edit: type[BaseModel], gone: str
) -> None:
    """The add, change, delete and restore routes of one kind of part of a map, ``factor`` or
    ``link``: the same verbs, each a change that wakes the map's streams.

    FastAPI reads the body's model and the path parameter's name from an endpoint's
    annotations: the endpoints are written once here and given each part's model and
    ``<part>_id`` before they are added."""
    maps_path = f"/maps/{{map_id}}/{part}s"
    part_path = f"{maps_path}/{{{part}_id}}"

    async def add(
        request: Request,
        info: VisibleMapDep,
        body: BaseModel,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
        who: IdentityDep,
    ) -> dict[str, Any]:
        add_part = getattr(workspace.maps, f"add_{part}")
        by = await run_in_threadpool(participant, workspace, info.id, who)
        stored = await change(
            request, info.id, add_part, info.id, sent_fields(body), participant_id=by
        )
        return unsigned(stored)

    async def update(
        request: Request,
        info: VisibleMapDep,
        part_id: str,
        body: BaseModel,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
    ) -> dict[str, Any]:
        fields = sent_fields(body, drop=("version",))
        update_part = getattr(workspace.maps, f"update_{part}")
        version = getattr(body, "version", None)
        stored = await change(
            request, info.id, update_part, info.id, part_id, fields, expected_version=version
        )
        return unsigned(stored)

    async def delete(
        request: Request,
        info: VisibleMapDep,
        part_id: str,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
        version: Annotated[int | None, Query()] = None,
    ) -> dict[str, Any]:
        delete_part = getattr(workspace.maps, f"delete_{part}")
        return await change(
            request, info.id, delete_part, info.id, part_id, expected_version=version
        )

    async def restore(
        request: Request,
        info: VisibleMapDep,
        part_id: str,
        workspace: WorkspaceDep,
        _u: MapEditorDep,
    ) -> dict[str, Any]:
        restore_part = getattr(workspace.maps, f"restore_{part}")
        return unsigned(await change(request, info.id, restore_part, info.id, part_id))

    part_id = Annotated[str, Path(alias=f"{part}_id")]
    add.__annotations__["body"] = create
    update.__annotations__.update(body=edit, part_id=part_id)
    delete.__annotations__["part_id"] = part_id
    restore.__annotations__["part_id"] = part_id
    back = f"Restore a deleted {part}." + (
        " The links deleted with it come back too."
        if part == "factor"
        else " Refused (409) while one of its factors is deleted: restore that first."
    )
    for path, endpoint, method, status, description in (
        (maps_path, add, "POST", 201, None),
        (part_path, update, "PATCH", 200, None),
        (part_path, delete, "DELETE", 200, gone),
        (f"{part_path}/restore", restore, "POST", 200, back),
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

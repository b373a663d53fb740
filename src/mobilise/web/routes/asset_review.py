"""Reviewing duplicate assets: the page /assets/duplicates and the JSON API beside it.

Both routers must be included before :mod:`mobilise.web.routes.assets`, whose ``/assets/{asset_id}``
would otherwise take "duplicates" for an asset id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from mobilise.errors import MobiliseError
from mobilise.web.deps import EditorDep, TemplatesDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.asset_duplicates import DuplicateService

api = APIRouter(prefix="/api/v1", tags=["assets"])
pages = APIRouter(include_in_schema=False)

PER_PAGE = 20  # pairs a page: each is two cards side by side, so a page stays short
# What the page says after a decision (a fixed text per code: a link cannot make it say anything).
DONE = {
    "merged": "Merged. The merged asset has left search and the feeds; its history is kept.",
    "kept_apart": "Kept apart: that pair will not be suggested again.",
}


def _duplicates(workspace: Workspace) -> DuplicateService:
    return workspace.duplicates


# -- JSON API ------------------------------------------------------------------------------------
@api.get("/assets/duplicates", responses=ERRORS)
def list_duplicates(
    workspace: WorkspaceDep,
    _user: EditorDep,
    place: Annotated[str | None, Query(description="Only assets in this place (its slug).")] = None,
    include_decided: Annotated[
        bool, Query(description="Also the pairs already kept apart, with their decision.")
    ] = False,
) -> dict[str, Any]:
    """Candidate duplicate pairs of live assets, most likely first (analysts, facilitators)."""
    service = _duplicates(workspace)
    pairs = service.candidates(place=place or None, include_decided=include_decided)
    return {"total": len(pairs), "items": [p.to_dict() for p in pairs]}


class MergeRequest(BaseModel):
    keep_id: str = Field(description="The asset to keep.")
    merge_id: str = Field(description="The asset merged into it (it leaves search and feeds).")
    note: str = ""
    keep_version: int | None = Field(
        None, description="The kept asset's version you read; a stale one is a 409 Conflict."
    )
    merge_version: int | None = Field(
        None, description="The merged asset's version you read; a stale one is a 409 Conflict."
    )


class KeepApartRequest(BaseModel):
    asset_a: str
    asset_b: str
    note: str = ""


@api.post("/assets/duplicates/merge", responses=ERRORS)
def merge_pair(body: MergeRequest, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Merge one asset into another; returns the kept asset."""
    kept = _duplicates(workspace).merge(
        body.keep_id,
        body.merge_id,
        note=body.note,
        keep_version=body.keep_version,
        merge_version=body.merge_version,
    )
    return kept.to_dict()


@api.post("/assets/duplicates/keep-apart", responses=ERRORS)
def keep_pair_apart(
    body: KeepApartRequest, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Record that two assets are different venues; the pair is not suggested again."""
    return _duplicates(workspace).keep_apart(body.asset_a, body.asset_b, note=body.note).to_dict()


# -- pages ---------------------------------------------------------------------------------------
def _review_page(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: Any,
    *,
    place: str | None,
    page: int,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    service = _duplicates(workspace)
    page = max(page, 1)
    pairs, total = service.review_page(place=place, page=page, per_page=PER_PAGE)
    pages_total = max(1, -(-total // PER_PAGE))
    if page > pages_total:  # past the end (pairs were decided meanwhile): the last page
        page = pages_total
        pairs, total = service.review_page(place=place, page=page, per_page=PER_PAGE)
    return templates.TemplateResponse(
        request,
        "asset_duplicates.html",
        {
            "pairs": pairs,
            "total": total,
            "page": page,
            "pages_total": pages_total,
            "place": place or "",
            "places": workspace.places.list(),
            "done": DONE.get(done, ""),
            "error": error,
            "user": user,
        },
        status_code=status_code,
    )


@pages.get("/assets/duplicates", response_class=HTMLResponse)
def review(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    place: str = "",
    page: Annotated[int, Query(ge=1)] = 1,
    done: str = "",
) -> Response:
    """Candidate duplicates side by side, to merge or keep apart."""
    return _review_page(
        request, workspace, templates, user, place=place or None, page=page, done=done
    )


def _decide(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: Any,
    decision: Callable[[DuplicateService], object],
    *,
    place: str,
    page: int,
    done: str,
) -> Response:
    """Take a decision from the review page and go back to it saying so; a decision that
    cannot be taken (stale, already merged) re-shows the page and why."""
    try:
        decision(_duplicates(workspace))
    except MobiliseError as error:
        return _review_page(
            request,
            workspace,
            templates,
            user,
            place=place or None,
            page=page,
            error=error.message,
            status_code=error.status_code,
        )
    query = urlencode({k: v for k, v in (("place", place), ("page", page), ("done", done)) if v})
    return RedirectResponse(f"/assets/duplicates{'?' + query if query else ''}", status_code=303)


@pages.post("/assets/duplicates/merge", response_class=HTMLResponse)
def merge_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    keep: Annotated[str, Form()],
    merge: Annotated[str, Form()],
    keep_version: Annotated[int | None, Form()] = None,
    merge_version: Annotated[int | None, Form()] = None,
    note: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    page: Annotated[int, Form()] = 1,
) -> Response:
    """Merge from the review page; a stale or already merged pair re-shows the page and why."""
    return _decide(
        request,
        workspace,
        templates,
        user,
        lambda service: service.merge(
            keep, merge, note=note, keep_version=keep_version, merge_version=merge_version
        ),
        place=place,
        page=page,
        done="merged",
    )


@pages.post("/assets/duplicates/keep-apart", response_class=HTMLResponse)
def keep_apart_form(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    asset_a: Annotated[str, Form()],
    asset_b: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    page: Annotated[int, Form()] = 1,
) -> Response:
    return _decide(
        request,
        workspace,
        templates,
        user,
        lambda service: service.keep_apart(asset_a, asset_b, note=note),
        place=place,
        page=page,
        done="kept_apart",
    )

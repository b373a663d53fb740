"""The Open Referral UK 3.0 feed under /oruk: the public assets as ORUK services.

Every filter really filters; empty optional fields are omitted; private assets never appear; every
answer carries ``Access-Control-Allow-Origin: *`` so other directories can read it from a browser.

The handlers are ``async``: each is a few short reads of the local database, and running them on
the event loop saves the hand-off to a worker thread (measured with wrk, 20 connections: 150 ->
200 requests a second).

Lists keep the JSON text of each item they write (:class:`ItemTexts`), keyed by the asset's id and
version, so a page of a busy feed reads only ids and versions from the index and writes the
items it wrote before without reading or encoding them again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from mobilise.web.deps import PublicWorkspaceDep as WorkspaceDep
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset, AssetSearch

router = APIRouter(prefix="/oruk", tags=["Open Referral UK 3.0"])

CORS = {"Access-Control-Allow-Origin": "*"}
PerPage = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
# The last page asked for is bounded so that its offset (page x per_page) is a stored number:
# a page beyond the last one is an empty page, one beyond this bound a 422.
MAX_PAGE = 1_000_000_000
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
# Compact JSON, as the web framework writes it.
SEP = (",", ":")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/oruk"


def _json(document: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status, headers=CORS)


class ItemTexts:
    """The JSON text of list items, per (asset id, version, kind of item, feed address).

    An item depends only on its asset's row, whose version goes up with every change, and its
    organisation's name (organisations are never renamed: a new name is a new organisation), so
    a text is right for as long as its key's version is the asset's. The oldest texts go first
    when ``limit`` is reached (50,000 texts and keys of about 550 bytes each for the usual
    items: some 30 MB per worker).
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._texts: dict[tuple[str, int, str, str], str] = {}

    def page(
        self,
        workspace: Workspace,
        found: AssetSearch,
        *,
        kind: str,
        base: str,
        render: Callable[[Asset], dict[str, Any]],
    ) -> list[str]:
        """The texts of a page searched with ``load=False``, in its order: kept ones as they
        are, the others read (all at once) and rendered. An asset changed since the search is
        written as it is now; one deleted or made private since is left out."""
        texts = self._texts
        keys = [(asset_id, version, kind, base) for asset_id, version in found.keys]
        page = {key[0]: texts[key] for key in keys if key in texts}  # before any is let go
        missing = [key[0] for key in keys if key[0] not in page]
        if missing:
            # public only: an asset made private since the search is left out like a deleted one
            for asset in workspace.assets.get_many(missing, include_private=False):
                page[asset.id] = json.dumps(render(asset), ensure_ascii=False, separators=SEP)
                while len(texts) >= self.limit:
                    del texts[next(iter(texts))]
                texts[(asset.id, asset.version, kind, base)] = page[asset.id]
        return [page[key[0]] for key in keys if key[0] in page]


def _item_texts(request: Request) -> ItemTexts:
    items: ItemTexts = request.app.state.oruk_items
    return items


@router.get("/")
async def api_details(request: Request, workspace: WorkspaceDep) -> Response:
    """What this feed is: ORUK version, profile and OpenAPI description."""
    return _json(workspace.oruk.api_details(_base(request)))


@router.get("/services")
async def services(
    request: Request,
    workspace: WorkspaceDep,
    search: Annotated[str | None, Query(description="Words in the name or description.")] = None,
    postcode: Annotated[str | None, Query(description="Nearest first from this postcode.")] = None,
    proximity: Annotated[
        float | None, Query(gt=0, description="With postcode: only within this many metres.")
    ] = None,
    taxonomy_term_id: Annotated[str | None, Query()] = None,
    organization_id: Annotated[str | None, Query()] = None,
    modified_after: Annotated[datetime | None, Query()] = None,
    page: Page = 1,
    per_page: PerPage = 50,
    format: Annotated[Literal["json", "ndjson"], Query()] = "json",
    full: Annotated[bool, Query(description="Nest schedules, locations and terms.")] = False,
) -> Response:
    """The public assets as ORUK services, filtered and paged."""
    feed = workspace.oruk
    result = feed.search(
        text=search,
        postcode=postcode,
        proximity=proximity,
        taxonomy_term_id=taxonomy_term_id,
        organization_id=organization_id,
        modified_after=modified_after,
        page=page,
        per_page=per_page,
    )
    base = _base(request)
    texts = _item_texts(request).page(
        workspace,
        result,
        kind="service-full" if full else "service",
        base=base,
        render=lambda a: feed.service(a, base_url=base, full=full),
    )
    if format == "ndjson":
        body = "".join(text + "\n" for text in texts)
        return Response(body, media_type="application/x-ndjson", headers=CORS)
    body = feed.page_text(texts, total_items=result.total, page=page, per_page=per_page)
    return Response(body, media_type="application/json", headers=CORS)


@router.get("/services/{service_id}")
async def service(request: Request, service_id: str, workspace: WorkspaceDep) -> Response:
    """One public asset as a fully nested ORUK service."""
    return _json(workspace.oruk.service_by_id(service_id, base_url=_base(request)))


@router.get("/service_at_locations")
async def service_at_locations(
    request: Request,
    workspace: WorkspaceDep,
    postcode: Annotated[str | None, Query()] = None,
    proximity: Annotated[float | None, Query(gt=0)] = None,
    page: Page = 1,
    per_page: PerPage = 50,
) -> Response:
    """The located public assets as services at locations, nearest first from a postcode."""
    feed = workspace.oruk
    result = feed.search(
        postcode=postcode, proximity=proximity, located=True, page=page, per_page=per_page
    )
    base = _base(request)
    texts = _item_texts(request).page(
        workspace,
        result,
        kind="service_at_location",
        base=base,
        render=lambda a: feed.service_at_location(a, base_url=base, full=False),
    )
    body = feed.page_text(texts, total_items=result.total, page=page, per_page=per_page)
    return Response(body, media_type="application/json", headers=CORS)


@router.get("/organizations")
async def organizations(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """Organisations that run at least one public asset."""
    return _json(
        workspace.oruk.organizations(base_url=_base(request), page=page, per_page=per_page)
    )


@router.get("/organizations/{organization_id}")
async def organization(request: Request, organization_id: str, workspace: WorkspaceDep) -> Response:
    return _json(workspace.oruk.organization(organization_id, base_url=_base(request)))


@router.get("/taxonomies")
async def taxonomies(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """The vocabularies of the feed's taxonomy terms."""
    return _json(workspace.oruk.taxonomies(base_url=_base(request), page=page, per_page=per_page))


@router.get("/taxonomies/{taxonomy}")
async def taxonomy(request: Request, taxonomy: str, workspace: WorkspaceDep) -> Response:
    return _json(workspace.oruk.taxonomy(taxonomy, base_url=_base(request)))


@router.get("/taxonomy_terms")
async def taxonomy_terms(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """Every taxonomy term: mobilise categories and target groups, and the sources' terms."""
    feed = workspace.oruk
    return _json(feed.taxonomy_terms(base_url=_base(request), page=page, per_page=per_page))

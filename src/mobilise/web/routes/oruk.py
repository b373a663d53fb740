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
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats.oruk_feed import (
    CATEGORY_VOCABULARY,
    SEP,
    TARGET_GROUP_VOCABULARY,
    api_details_json,
    organization_json,
    page_wrapper,
    page_wrapper_text,
    service_at_location_json,
    service_json,
    taxonomy_id,
    taxonomy_json,
)
from mobilise.web.deps import PublicWorkspaceDep as WorkspaceDep
from mobilise.workspace import Workspace
from mobilise.workspace.assets import Asset, AssetSearch

router = APIRouter(prefix="/oruk", tags=["Open Referral UK 3.0"])

CORS = {"Access-Control-Allow-Origin": "*"}
PerPage = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
Page = Annotated[int, Query(ge=1, description="Page number, from 1.")]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/oruk"


def _json(document: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status, headers=CORS)


def _near(
    workspace: Workspace, postcode: str | None, proximity: float | None
) -> tuple[float, float] | None:
    """The point to search around, from the ``postcode`` and ``proximity`` parameters."""
    if proximity is not None and not postcode:
        raise ValidationError(
            "proximity needs a postcode to measure from.",
            problems=[Problem("give a postcode with proximity", field="proximity")],
        )
    return workspace.postcodes.point(postcode) if postcode else None


def _asset(asset: Asset) -> dict[str, Any]:
    return asset.as_mapping()


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
async def api_details(request: Request) -> Response:
    """What this feed is: ORUK version, profile and OpenAPI description."""
    return _json(api_details_json(_base(request)))


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
    near = _near(workspace, postcode, proximity)
    category = term = group = None
    if taxonomy_term_id:
        chosen = workspace.assets.feed_term(taxonomy_term_id)
        vocabulary, _, code = chosen.partition(":")
        if vocabulary == CATEGORY_VOCABULARY:
            category = code
        elif vocabulary == TARGET_GROUP_VOCABULARY:
            group = code
        else:
            term = chosen
    result = workspace.assets.search(
        text=search,
        near=near,
        radius_m=proximity,
        category=category,
        taxonomy_term=term,
        target_group=group,
        organisation_id=organization_id,
        modified_after=modified_after,
        page=page,
        per_page=per_page,
        load=False,
    )
    base = _base(request)
    texts = _item_texts(request).page(
        workspace,
        result,
        kind="service-full" if full else "service",
        base=base,
        render=lambda a: service_json(_asset(a), base_url=base, full=full),
    )
    if format == "ndjson":
        body = "".join(text + "\n" for text in texts)
        return Response(body, media_type="application/x-ndjson", headers=CORS)
    body = page_wrapper_text(texts, total_items=result.total, page=page, per_page=per_page)
    return Response(body, media_type="application/json", headers=CORS)


@router.get("/services/{service_id}")
async def service(request: Request, service_id: str, workspace: WorkspaceDep) -> Response:
    """One public asset as a fully nested ORUK service."""
    asset = workspace.assets.get(service_id, include_private=False)
    return _json(service_json(_asset(asset), base_url=_base(request), full=True))


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
    near = _near(workspace, postcode, proximity)
    result = workspace.assets.search(
        near=near, radius_m=proximity, located=True, page=page, per_page=per_page, load=False
    )
    base = _base(request)
    texts = _item_texts(request).page(
        workspace,
        result,
        kind="service_at_location",
        base=base,
        render=lambda a: service_at_location_json(_asset(a), base_url=base, full=False),
    )
    body = page_wrapper_text(texts, total_items=result.total, page=page, per_page=per_page)
    return Response(body, media_type="application/json", headers=CORS)


@router.get("/organizations")
async def organizations(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """Organisations that run at least one public asset."""
    found = workspace.assets.organisations()
    start = (page - 1) * per_page
    base = _base(request)
    items = [
        organization_json(o, base_url=base, full=False) for o in found[start : start + per_page]
    ]
    return _json(page_wrapper(items, total_items=len(found), page=page, per_page=per_page))


@router.get("/organizations/{organization_id}")
async def organization(request: Request, organization_id: str, workspace: WorkspaceDep) -> Response:
    for found in workspace.assets.organisations():
        if found["id"] == organization_id:
            services = workspace.assets.search(organisation_id=organization_id, per_page=500)
            return _json(
                organization_json(
                    found, base_url=_base(request), services=[_asset(a) for a in services.items]
                )
            )
    raise NotFound(f"No organization {organization_id!r} in this feed.")


@router.get("/taxonomies")
async def taxonomies(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """The vocabularies of the feed's taxonomy terms."""
    by_vocabulary: dict[str, list[str]] = {}
    for term in workspace.assets.feed_terms():
        vocabulary, _, _ = term.partition(":")
        by_vocabulary.setdefault(vocabulary, []).append(term)
    names = sorted(by_vocabulary)
    start = (page - 1) * per_page
    base = _base(request)
    items = [
        taxonomy_json(v, base_url=base, terms=by_vocabulary[v], full=False)
        for v in names[start : start + per_page]
    ]
    return _json(page_wrapper(items, total_items=len(names), page=page, per_page=per_page))


@router.get("/taxonomies/{taxonomy}")
async def taxonomy(request: Request, taxonomy: str, workspace: WorkspaceDep) -> Response:
    terms = workspace.assets.feed_terms()
    for vocabulary in sorted({t.partition(":")[0] for t in terms}):
        if taxonomy_id(vocabulary) == taxonomy:
            mine = [t for t in terms if t.partition(":")[0] == vocabulary]
            return _json(taxonomy_json(vocabulary, base_url=_base(request), terms=mine))
    raise NotFound(f"No taxonomy {taxonomy!r} in this feed.")


@router.get("/taxonomy_terms")
async def taxonomy_terms(
    request: Request, workspace: WorkspaceDep, page: Page = 1, per_page: PerPage = 50
) -> Response:
    """Every taxonomy term: mobilise categories and target groups, and the sources' terms."""
    from mobilise.formats.oruk_feed import taxonomy_term_json

    terms = workspace.assets.feed_terms()
    start = (page - 1) * per_page
    base = _base(request)
    items = [taxonomy_term_json(t, base_url=base) for t in terms[start : start + per_page]]
    return _json(page_wrapper(items, total_items=len(terms), page=page, per_page=per_page))

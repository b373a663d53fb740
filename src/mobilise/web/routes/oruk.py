"""The Open Referral UK 3.0 feed under /oruk: the public assets as ORUK services.

Every endpoint of the ORUK 3.0 OpenAPI description answers, for every id its lists give, with
every filter the description defines for it (``docs/oruk.md`` lists them); empty optional fields
are omitted; private assets never appear; every answer carries ``Access-Control-Allow-Origin: *``
so other directories can read it from a browser. A query parameter an endpoint does not define
is answered 400 naming it (:func:`known_parameters`): a client that misspells a filter is told,
rather than given the whole list as if it were the filtered one.

The handlers are plain functions, which FastAPI runs in its thread pool: each reads the database,
and a read on the event loop would hold up every other request of the worker while it runs (a
110 ms search by words made the whole feed wait: p95 3.2-4.4 s at 20 clients). Only the
dependencies that look at the request alone are ``async``. ``tests/web/test_async_handlers.py``
fails on any ``async`` route handler that uses the workspace on the loop.

Lists keep the JSON text of each item they write (:class:`ItemTexts`), keyed by the asset's id and
version, so a page of a busy feed reads only ids and versions from the index and writes the
items it wrote before without reading or encoding them again, and the searched lists keep whole
answers while the data holds (:class:`KeptAnswers`): a question asked again is answered without
solving its parameters, searching or writing anything.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from mobilise.errors import MobiliseError, Problem, ValidationError
from mobilise.web.deps import PublicWorkspaceDep as WorkspaceDep
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset, AssetSearch
    from mobilise.workspace.oruk_feed import OrukFeedService


class UnknownParameter(MobiliseError):
    """A query parameter the endpoint does not define (400)."""

    status_code = 400
    code = "unknown_parameter"


def query_parameters(dependant: Dependant) -> set[str]:
    """The query parameters a route (or one of its dependencies) takes, by name."""
    own = {parameter.alias for parameter in dependant.query_params}
    return own.union(*(query_parameters(d) for d in dependant.dependencies))


def _known(route: APIRoute) -> frozenset[str]:
    """The query parameters of a route, worked out once and kept on it (routes live as long
    as the app)."""
    known: frozenset[str] | None = getattr(route, "_mobilise_query_names", None)
    if known is None:
        known = frozenset(query_parameters(route.dependant))
        route._mobilise_query_names = known  # type: ignore[attr-defined]
    return known


async def known_parameters(request: Request) -> None:
    """Refuse, with a 400 naming them, the query parameters the route does not define."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _known(route)
    unknown = [name[:80] for name in dict.fromkeys(request.query_params) if name not in known]
    if unknown:
        takes = f"it takes {', '.join(sorted(known))}" if known else "it takes none"
        raise UnknownParameter(
            f"{route.path} does not know the query parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(unknown[:20])}; {takes}.",
            problems=[Problem(f"not a parameter of {route.path}", field=n) for n in unknown[:20]],
        )


class KeptAnswers:
    """Whole answers of the searched lists, kept while the database's data version holds.

    A busy feed is asked the same questions again and again (a directory's usual words, the
    postcodes of one place). An answer (200 only) is kept under its address as asked (path,
    query string and the feed's own address) and the data version read before it was made
    (``OrukFeedService.data_version``), and given again while that version holds. Any commit,
    by this worker or another process (an asset changed, made private, merged or deleted, an
    import), changes the version, so no kept answer outlives a change. PostgreSQL and in-memory
    databases have no data version: nothing is kept there. The answers asked least recently go
    first past ``limit`` bytes (a page of 50 services is about 30 kB).
    """

    def __init__(self, limit: int = 32_000_000) -> None:
        self.limit = limit
        self._answers: OrderedDict[tuple[str, str, str], tuple[int, bytes, str]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, address: tuple[str, str, str], version: int | None) -> tuple[bytes, str] | None:
        """The body and media type kept for ``address`` at ``version``, if any."""
        if version is None:
            return None
        with self._lock:
            kept = self._answers.get(address)
            if kept is None or kept[0] != version:
                return None
            self._answers.move_to_end(address)
            return kept[1], kept[2]

    def put(
        self, address: tuple[str, str, str], version: int | None, body: bytes, media_type: str
    ) -> None:
        """Keep an answer made after ``version`` was read."""
        if version is None or len(body) > self.limit // 10:
            return
        with self._lock:
            replaced = self._answers.pop(address, None)
            self._size -= len(replaced[1]) if replaced is not None else 0
            while self._answers and self._size + len(body) > self.limit:
                _, (_, gone, _) = self._answers.popitem(last=False)
                self._size -= len(gone)
            self._answers[address] = (version, body, media_type)
            self._size += len(body)


KEPT_LISTS = frozenset({"/oruk/services", "/oruk/service_at_locations"})
"""The lists whose whole answers are kept (:class:`KeptAnswers`)."""


def _kept_answers(request: Request) -> KeptAnswers:
    state = request.app.state
    answers: KeptAnswers | None = getattr(state, "oruk_answers", None)
    if answers is None:  # made once, on the event loop
        answers = state.oruk_answers = KeptAnswers()
    return answers


class FeedRoute(APIRoute):
    """A route of the feed; those of :data:`KEPT_LISTS` answer from :class:`KeptAnswers` when
    they can (the parameters, the dependencies and the answer are otherwise as FastAPI makes
    them: an address answered once with 200 is valid, so it is again)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.path not in KEPT_LISTS:
            return handler

        async def kept_or_made(request: Request) -> Response:
            answers = _kept_answers(request)
            address = (
                request.scope["path"],
                request.scope.get("query_string", b"").decode("latin-1"),
                _base(request),
            )
            feed = request.app.state.workspace.oruk
            version = await run_in_threadpool(feed.data_version)  # a database call: off the loop
            kept = answers.get(address, version)
            if kept is not None:
                return Response(kept[0], media_type=kept[1], headers=CORS)
            response = await handler(request)
            body = getattr(response, "body", None)  # every list is a whole body, never a stream
            if response.status_code == 200 and response.media_type and isinstance(body, bytes):
                answers.put(address, version, body, response.media_type)
            return response

        return kept_or_made


router = APIRouter(
    prefix="/oruk",
    tags=["Open Referral UK 3.0"],
    dependencies=[Depends(known_parameters)],
    route_class=FeedRoute,
)

CORS = {"Access-Control-Allow-Origin": "*"}
DEFAULT_PER_PAGE = 50
# The last page asked for is bounded so that its offset (page x per_page) is a stored number:
# a page beyond the last one is an empty page, one beyond this bound a 422.
MAX_PAGE = 1_000_000_000
# Without page or per_page, format=ndjson and minimal=true answer every item ("without
# pagination" / "all services within one call", as the ORUK OpenAPI description asks).
Page = Annotated[int | None, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]
PerPage = Annotated[
    int | None, Query(ge=1, le=500, description=f"Items per page (default {DEFAULT_PER_PAGE}).")
]
Format = Annotated[
    Literal["json", "ndjson"],
    Query(description="ndjson: one item a line, every item unless page or per_page is given."),
]
Search = Annotated[
    str | None, Query(max_length=300, description="Words in the name or description.")
]
WordSearch = Annotated[
    str | None,
    Query(
        max_length=300,
        description="Words in the name or description, best matches first (English stemming: "
        "'libraries' finds 'Library'; the last word may be the start of a longer one).",
    ),
]
Id = Annotated[str | None, Query(max_length=200)]
Postcode = Annotated[str | None, Query(max_length=20, description="Nearest first from here.")]
# Half the Earth's circumference: every point is within it.
Proximity = Annotated[
    float | None,
    Query(gt=0, le=20_000_000, description="With postcode: only within this many metres."),
]
ModifiedAfter = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Changed on or after this moment (ISO 8601; a time without a zone is UTC).",
    ),
]
# Compact JSON, as the web framework writes it.
SEP = (",", ":")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/oruk"


def _json(document: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status, headers=CORS)


def _moment(text: str | None) -> datetime | None:
    """``modified_after`` read: an ISO 8601 date or date and time, UTC unless it says."""
    if not text or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValidationError(
            f"modified_after {text!r} is not a date and time.",
            problems=[
                Problem("give an ISO 8601 date or date and time, e.g. 2025-01-31T09:00:00Z",
                        field="modified_after")
            ],
        ) from None  # fmt: skip


@dataclass(frozen=True)
class Paging:
    """The page a list is asked for, and in which format."""

    page: int | None
    per_page: int | None
    format: str

    def bounds(self, *, every: bool = False) -> tuple[int, int]:
        """The page and its size; every item at once when ``every`` (or ndjson) is asked for
        without a page or a page size."""
        from mobilise.workspace.oruk_feed import EVERY

        if (every or self.format == "ndjson") and self.page is None and self.per_page is None:
            return 1, EVERY
        return self.page or 1, self.per_page or DEFAULT_PER_PAGE


async def list_paging(
    page: Page = None, per_page: PerPage = None, format: Format = "json"
) -> Paging:
    return Paging(page, per_page, format)


PagingDep = Annotated[Paging, Depends(list_paging)]


@dataclass(frozen=True)
class AssetFilters:
    """The filters of ``/services`` and ``/service_at_locations``."""

    search: str | None
    postcode: str | None
    proximity: float | None
    taxonomy_term_id: str | None
    taxonomy_id: str | None
    organization_id: str | None
    modified_after: datetime | None

    def found(
        self, feed: OrukFeedService, bounds: tuple[int, int], *, located: bool = False
    ) -> AssetSearch:
        return feed.search(
            text=self.search,
            postcode=self.postcode,
            proximity=self.proximity,
            taxonomy_term_id=self.taxonomy_term_id,
            taxonomy_id=self.taxonomy_id,
            organization_id=self.organization_id,
            modified_after=self.modified_after,
            located=located,
            page=bounds[0],
            per_page=bounds[1],
        )


async def asset_filters(
    search: WordSearch = None,
    postcode: Postcode = None,
    proximity: Proximity = None,
    taxonomy_term_id: Id = None,
    taxonomy_id: Id = None,
    organization_id: Id = None,
    modified_after: ModifiedAfter = None,
) -> AssetFilters:
    return AssetFilters(
        search,
        postcode,
        proximity,
        taxonomy_term_id,
        taxonomy_id,
        organization_id,
        _moment(modified_after),
    )


AssetFiltersDep = Annotated[AssetFilters, Depends(asset_filters)]


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


def _asset_list(
    request: Request,
    workspace: Workspace,
    found: AssetSearch,
    *,
    kind: str,
    render: Callable[[Asset], dict[str, Any]],
    format: str,
    bare: bool = False,
) -> Response:
    """A list of assets' items as ``format`` asks: a page (or, ``bare``, a JSON array) or
    newline-delimited JSON."""
    base = _base(request)
    texts = _item_texts(request).page(workspace, found, kind=kind, base=base, render=render)
    if format == "ndjson":
        body = "".join(text + "\n" for text in texts)
        return Response(body, media_type="application/x-ndjson", headers=CORS)
    if bare:
        body = f"[{','.join(texts)}]"
    else:
        body = workspace.oruk.page_text(
            texts, total_items=found.total, page=found.page, per_page=found.per_page
        )
    return Response(body, media_type="application/json", headers=CORS)


def _written_list(
    request: Request, write: Callable[..., dict[str, Any]], paging: Paging, **filters: Any
) -> Response:
    """A list the feed writes whole (organisations, taxonomies, terms): a page, or its items
    as newline-delimited JSON."""
    number, size = paging.bounds()
    document = write(base_url=_base(request), page=number, per_page=size, **filters)
    if paging.format == "ndjson":
        lines = (
            json.dumps(item, ensure_ascii=False, separators=SEP) for item in document["contents"]
        )
        body = "".join(f"{line}\n" for line in lines)
        return Response(body, media_type="application/x-ndjson", headers=CORS)
    return _json(document)


@router.get("/")
def api_details(request: Request, workspace: WorkspaceDep) -> Response:
    """What this feed is: ORUK version, profile and OpenAPI description."""
    return _json(workspace.oruk.api_details(_base(request)))


@router.get("/services")
def services(
    request: Request,
    workspace: WorkspaceDep,
    filters: AssetFiltersDep,
    paging: PagingDep,
    full: Annotated[bool, Query(description="Nest schedules, locations and terms.")] = False,
    minimal: Annotated[
        bool, Query(description="Only each service's id and last_modified, as one array.")
    ] = False,
) -> Response:
    """The public assets as ORUK services, filtered and paged."""
    if minimal and full:
        problem = "ask for one of minimal and full"
        raise ValidationError(
            "minimal and full cannot be asked for together.",
            problems=[Problem(problem, field=name) for name in ("minimal", "full")],
        )
    feed = workspace.oruk
    found = filters.found(feed, paging.bounds(every=minimal))
    base = _base(request)
    render: Callable[[Asset], dict[str, Any]]
    if minimal:
        kind, render = "service-minimal", partial(feed.service_minimal, base_url=base)
    else:
        kind = "service-full" if full else "service"
        render = partial(feed.service, base_url=base, full=full)
    return _asset_list(
        request, workspace, found, kind=kind, render=render, format=paging.format, bare=minimal
    )


@router.get("/services/{service_id}")
def service(request: Request, service_id: str, workspace: WorkspaceDep) -> Response:
    """One public asset as a fully nested ORUK service."""
    return _json(workspace.oruk.service_by_id(service_id, base_url=_base(request)))


@router.get("/service_at_locations")
def service_at_locations(
    request: Request,
    workspace: WorkspaceDep,
    filters: AssetFiltersDep,
    paging: PagingDep,
    full: Annotated[bool, Query(description="With the location's address and access.")] = False,
) -> Response:
    """The located public assets as services at locations, nearest first from a postcode."""
    feed = workspace.oruk
    found = filters.found(feed, paging.bounds(), located=True)
    base = _base(request)
    return _asset_list(
        request,
        workspace,
        found,
        kind="service_at_location-full" if full else "service_at_location",
        render=partial(feed.service_at_location, base_url=base, full=full),
        format=paging.format,
    )


@router.get("/service_at_locations/{service_at_location_id}")
def service_at_location(
    request: Request, service_at_location_id: str, workspace: WorkspaceDep
) -> Response:
    """One located public asset's service at its place, fully nested."""
    feed = workspace.oruk
    return _json(feed.service_at_location_by_id(service_at_location_id, base_url=_base(request)))


@router.get("/organizations")
def organizations(
    request: Request,
    workspace: WorkspaceDep,
    paging: PagingDep,
    search: Search = None,
    full: Annotated[bool, Query(description="With their services' one-to-one fields.")] = False,
    full_service: Annotated[bool, Query(description="With their services fully nested.")] = False,
) -> Response:
    """Organisations that run at least one public asset."""
    write = workspace.oruk.organizations
    return _written_list(request, write, paging, text=search, full=full, full_service=full_service)


@router.get("/organizations/{organization_id}")
def organization(
    request: Request,
    organization_id: str,
    workspace: WorkspaceDep,
    full_service: Annotated[bool, Query(description="Its services fully nested.")] = False,
) -> Response:
    """One organisation with its public services (their one-to-one fields unless
    ``full_service``)."""
    feed = workspace.oruk
    return _json(
        feed.organization(organization_id, base_url=_base(request), full_service=full_service)
    )


@router.get("/taxonomies")
def taxonomies(
    request: Request, workspace: WorkspaceDep, paging: PagingDep, search: Search = None
) -> Response:
    """The vocabularies of the feed's taxonomy terms."""
    return _written_list(request, workspace.oruk.taxonomies, paging, text=search)


@router.get("/taxonomies/{taxonomy}")
def taxonomy(request: Request, taxonomy: str, workspace: WorkspaceDep) -> Response:
    """One vocabulary with its terms."""
    return _json(workspace.oruk.taxonomy(taxonomy, base_url=_base(request)))


@router.get("/taxonomy_terms")
def taxonomy_terms(
    request: Request,
    workspace: WorkspaceDep,
    paging: PagingDep,
    search: Search = None,
    taxonomy_id: Id = None,
    top_only: Annotated[bool, Query(description="Only top-level terms (all: none nests).")] = False,
    parent_id: Annotated[
        str | None, Query(max_length=200, description="The children of this term (none nests).")
    ] = None,
) -> Response:
    """Every taxonomy term: mobilise categories and target groups, and the sources' terms."""
    return _written_list(
        request,
        workspace.oruk.taxonomy_terms,
        paging,
        text=search,
        taxonomy_id=taxonomy_id,
        top_only=top_only,
        parent_id=parent_id,
    )


@router.get("/taxonomy_terms/{taxonomy_term_id}")
def taxonomy_term(request: Request, taxonomy_term_id: str, workspace: WorkspaceDep) -> Response:
    """One taxonomy term (what every term's ``term_uri`` points at)."""
    return _json(workspace.oruk.taxonomy_term(taxonomy_term_id, base_url=_base(request)))

"""mobilise's own Open Referral UK 3.0 feed: the public assets as ORUK documents.

The web app's ``/oruk`` routes answer with what this service gives them: the feed's searches (the
ORUK filters read as asset filters) and its documents, written by :mod:`mobilise.formats.oruk_feed`
(every one valid against the ORUK 3.0 schemas; private assets are never published).

Every endpoint of the ORUK 3.0 OpenAPI description has its verb here, with every filter the
description gives it (``docs/oruk.md`` lists them): the lists, one item of each kind by the id the
lists give, and the filters of each list. The feed's vocabularies are flat: no term has a parent,
so every term is a top-level term and none is the parent of another.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats import oruk_feed as documents
from mobilise.workspace.asset_search import search_assets
from mobilise.workspace.asset_search_cache import search_cache

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mobilise.workspace.asset_records import Asset, AssetSearch
    from mobilise.workspace.core import Workspace

__all__ = ["EVERY", "OrukFeedService"]

T = TypeVar("T")
M = TypeVar("M", bound=Mapping[str, Any])

EVERY = 1_000_000_000
"""A page size that holds every item of a list (``format=ndjson`` and ``minimal`` answer all)."""


class OrukFeedService:
    """The documents and searches of the workspace's ORUK 3.0 feed.

    ``base_url`` is always the feed's own address (``https://host/oruk``), for the links in its
    documents; ``page`` counts from 1.
    """

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def api_details(self, base_url: str) -> dict[str, Any]:
        """The answer of ``GET /``: ORUK version, profile and OpenAPI description."""
        return documents.api_details_json(base_url)

    # -- services ----------------------------------------------------------------------------
    def search(
        self,
        *,
        text: str | None = None,
        postcode: str | None = None,
        proximity: float | None = None,
        taxonomy_term_id: str | None = None,
        taxonomy_id: str | None = None,
        organization_id: str | None = None,
        modified_after: datetime | None = None,
        located: bool = False,
        page: int = 1,
        per_page: int = 50,
    ) -> AssetSearch:
        """The public assets matching the feed's filters: one page of ids and versions
        (``keys``), nearest first from ``postcode`` (within ``proximity`` metres when given).

        A ``taxonomy_term_id`` of a mobilise category or target group filters on it; any other
        term on the asset's taxonomy terms. ``taxonomy_id``: assets with any term of that
        taxonomy (every asset has a mobilise category). ``modified_after``: changed on or after
        this moment (timezone-aware). ``located``: only assets with a place. An id the feed does
        not give is a NotFound naming it.
        """
        if proximity is not None and not postcode:
            raise ValidationError(
                "proximity needs a postcode to measure from.",
                problems=[Problem("give a postcode with proximity", field="proximity")],
            )
        criteria: dict[str, Any] = {
            "text": text,
            "postcode": postcode,
            "proximity": proximity,
            "taxonomy_term_id": taxonomy_term_id,
            "taxonomy_id": taxonomy_id,
            "organization_id": organization_id,
            "modified_after": modified_after,
            "located": located,
            "page": page,
            "per_page": per_page,
        }
        # The same question is answered again while the database has not changed (see
        # asset_search_cache), without taking a connection; never inside an open write of this
        # workspace, which sees what is not committed.
        question = tuple(criteria.values())
        cache = search_cache(self._ws.engine)
        version = self.data_version()  # before the search's first statement takes its snapshot
        found = cache.get(question, version)
        if found is None:
            with self._ws.read() as connection:  # public assets only, ids and versions
                found = self._search(connection, **criteria)
            cache.put(question, version, found)
        return found

    def data_version(self) -> int | None:
        """The database's data version now (see :mod:`.asset_search_cache`): it changes with
        every commit by any connection. None when answers cannot be kept under it: PostgreSQL,
        an in-memory database, or inside an open write of this workspace (which sees what is
        not committed)."""
        if self._ws.writing:
            return None
        return search_cache(self._ws.engine).version()

    def _search(
        self,
        connection: Connection,
        *,
        text: str | None,
        postcode: str | None,
        proximity: float | None,
        taxonomy_term_id: str | None,
        taxonomy_id: str | None,
        organization_id: str | None,
        modified_after: datetime | None,
        located: bool,
        page: int,
        per_page: int,
    ) -> AssetSearch:
        near = self._ws.postcodes.point(postcode) if postcode else None
        filters = {
            "text": text,
            "organisation_id": organization_id,
            "modified_after": _on_or_after(modified_after),
            "located": located,
            **(self._term_filter(taxonomy_term_id) if taxonomy_term_id else {}),
            **(self._taxonomy_filter(taxonomy_id) if taxonomy_id else {}),
        }
        return search_assets(
            connection,
            filters=filters,
            near=near,
            radius_m=proximity,
            page=page,
            per_page=per_page,
            load=False,
        )

    def _term_filter(self, taxonomy_term_id: str) -> dict[str, str]:
        try:
            chosen = self._ws.assets.feed_term(taxonomy_term_id)
        except NotFound as error:
            raise NotFound(error.message, problems=[_not_given("taxonomy_term_id")]) from None
        vocabulary, _, code = chosen.partition(":")
        if vocabulary == documents.CATEGORY_VOCABULARY:
            return {"category": code}
        if vocabulary == documents.TARGET_GROUP_VOCABULARY:
            return {"target_group": code}
        return {"taxonomy_term": chosen}

    def _taxonomy_filter(self, taxonomy_id: str) -> dict[str, Any]:
        vocabulary, _ = self._vocabulary(taxonomy_id, field="taxonomy_id")
        if vocabulary == documents.CATEGORY_VOCABULARY:
            return {}  # every asset has a category
        if vocabulary == documents.TARGET_GROUP_VOCABULARY:
            return {"any_target_group": True}
        return {"vocabulary": vocabulary}

    def service(self, asset: Asset, *, base_url: str, full: bool = True) -> dict[str, Any]:
        """A public asset as an ORUK service; ``full`` nests schedules, location and terms."""
        return documents.service_json(asset.as_mapping(), base_url=base_url, full=full)

    def service_minimal(self, asset: Asset, *, base_url: str) -> dict[str, Any]:
        """A public asset as ``minimal=true`` lists it: its id and when it last changed
        (``last_modified``, the service field that holds it)."""
        service = self.service(asset, base_url=base_url, full=False)
        return {key: service[key] for key in ("id", "last_modified") if key in service}

    def service_by_id(self, service_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /services/{id}``: a public asset as a fully nested service (NotFound else)."""
        asset = self._ws.assets.get(service_id, include_private=False)
        return self.service(asset, base_url=base_url, full=True)

    def service_at_location(
        self, asset: Asset, *, base_url: str, full: bool = True
    ) -> dict[str, Any]:
        """A public asset's service at its place."""
        return documents.service_at_location_json(asset.as_mapping(), base_url=base_url, full=full)

    def service_at_location_by_id(self, sal_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /service_at_locations/{id}``: a public asset's service at its place, with the
        location's address and accessibility (NotFound for an id the feed does not give)."""
        places = _PLACE_IDS.setdefault(self._ws.engine, _PlaceIds())
        asset_id = places.asset_id(sal_id, self._located) if _is_uuid(sal_id) else None
        if asset_id is not None:
            for asset in self._ws.assets.get_many([asset_id], include_private=False):
                document = self.service_at_location(asset, base_url=base_url, full=True)
                if document["id"] == sal_id and "location" in document:
                    return document
        raise NotFound(f"No service at location {sal_id!r} in this feed.")

    def _located(self) -> list[str]:
        """The ids of the located public assets."""
        return [asset_id for asset_id, _ in self.search(located=True, per_page=EVERY).keys]

    def page_text(
        self, item_texts: Sequence[str], *, total_items: int, page: int, per_page: int
    ) -> str:
        """One page of a list as JSON text, around items that are JSON text already."""
        return documents.page_wrapper_text(
            item_texts, total_items=total_items, page=page, per_page=per_page
        )

    # -- organisations -----------------------------------------------------------------------
    def organizations(
        self,
        *,
        base_url: str,
        text: str | None = None,
        full: bool = False,
        full_service: bool = False,
        page: int = 1,
        per_page: int = 50,
    ) -> dict[str, Any]:
        """One page of the organisations that run at least one public asset, with ``text`` in
        their name or description. ``full``: with their services (one-to-one fields);
        ``full_service``: with their services fully nested."""
        found = _matching(self._ws.assets.organisations(), text, ("name", "description"))
        nest = full or full_service
        return _page(
            found,
            lambda organisation: self._organization(
                organisation, base_url, services=nest, full_service=full_service
            ),
            page=page,
            per_page=per_page,
        )

    def organization(
        self, organization_id: str, *, base_url: str, full_service: bool = False
    ) -> dict[str, Any]:
        """One organisation with its public services: their one-to-one fields, or fully nested
        with ``full_service`` (NotFound when it runs none)."""
        for found in self._ws.assets.organisations():
            if found["id"] == organization_id:
                return self._organization(found, base_url, services=True, full_service=full_service)
        raise NotFound(f"No organization {organization_id!r} in this feed.")

    def _organization(
        self, organisation: dict[str, Any], base_url: str, *, services: bool, full_service: bool
    ) -> dict[str, Any]:
        document = documents.organization_json(organisation, base_url=base_url, full=False)
        if services:
            written = (
                self.service(asset, base_url=base_url, full=full_service)
                for asset in self._services_of(organisation["id"])
            )
            # each without its organisation: it is the document around them
            document["services"] = [
                {key: value for key, value in service.items() if key != "organization"}
                for service in written
            ]
        return document

    def _services_of(self, organisation_id: str) -> Iterable[Asset]:
        page = 1
        while True:
            found = self._ws.assets.search(organisation_id=organisation_id, page=page, per_page=500)
            yield from found.items
            if page >= found.total_pages:
                return
            page += 1

    # -- taxonomies --------------------------------------------------------------------------
    def taxonomies(
        self, *, base_url: str, text: str | None = None, page: int = 1, per_page: int = 50
    ) -> dict[str, Any]:
        """One page of the vocabularies of the feed's taxonomy terms, with ``text`` in their
        name or description."""
        written = [
            documents.taxonomy_json(vocabulary, base_url=base_url, terms=terms, full=False)
            for vocabulary, terms in sorted(self._vocabularies().items())
        ]
        return _page(
            _matching(written, text, ("name", "description")),
            lambda taxonomy: taxonomy,
            page=page,
            per_page=per_page,
        )

    def taxonomy(self, taxonomy_id: str, *, base_url: str) -> dict[str, Any]:
        """One vocabulary with its terms, by its ORUK id (NotFound when none has it)."""
        vocabulary, terms = self._vocabulary(taxonomy_id)
        return documents.taxonomy_json(vocabulary, base_url=base_url, terms=terms)

    def taxonomy_terms(
        self,
        *,
        base_url: str,
        text: str | None = None,
        taxonomy_id: str | None = None,
        top_only: bool = False,
        parent_id: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> dict[str, Any]:
        """One page of the feed's taxonomy terms: mobilise's categories and target groups, and
        the sources' terms.

        ``text``: in the term's name, description or code; ``taxonomy_id``: of that taxonomy;
        ``parent_id``: the children of that term (none: the vocabularies are flat);
        ``top_only``: the top-level terms (all of them). An id the feed does not give is a
        NotFound naming it.
        """
        if taxonomy_id:
            _, terms = self._vocabulary(taxonomy_id, field="taxonomy_id")
        else:
            terms = self._ws.assets.feed_terms()
        if parent_id:
            try:
                self._ws.assets.feed_term(parent_id)
            except NotFound as error:
                raise NotFound(error.message, problems=[_not_given("parent_id")]) from None
            terms = []  # no term has a parent
        written = [documents.taxonomy_term_json(term, base_url=base_url) for term in terms]
        return _page(
            _matching(written, text, ("name", "description", "term")),
            lambda term: term,
            page=page,
            per_page=per_page,
        )

    def taxonomy_term(self, term_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /taxonomy_terms/{id}``: one term by its ORUK id (NotFound when none has it)."""
        return documents.taxonomy_term_json(self._ws.assets.feed_term(term_id), base_url=base_url)

    def _vocabulary(self, taxonomy_id: str, *, field: str | None = None) -> tuple[str, list[str]]:
        """The vocabulary whose ORUK id is ``taxonomy_id``, and its terms."""
        for vocabulary, terms in self._vocabularies().items():
            if documents.taxonomy_id(vocabulary) == taxonomy_id:
                return vocabulary, terms
        problems = [_not_given(field)] if field else []
        raise NotFound(f"No taxonomy {taxonomy_id!r} in this feed.", problems=problems)

    def _vocabularies(self) -> dict[str, list[str]]:
        by_vocabulary: dict[str, list[str]] = {}
        for term in self._ws.assets.feed_terms():
            by_vocabulary.setdefault(term.partition(":")[0], []).append(term)
        return by_vocabulary


class _PlaceIds:
    """Which asset a service-at-location id is of (one per database: :data:`_PLACE_IDS`).

    The id is derived from the asset's id one way (a uuid5), so it is looked up: an id not
    known yet reads the ids of the located public assets (ids only, no documents) and derives
    those of the assets not seen before. The ids found stay known; the asset is read, and its
    answer checked, each time.
    """

    def __init__(self) -> None:
        self._assets: dict[str, str] = {}
        self._derived: set[str] = set()
        self._lock = threading.Lock()

    def asset_id(self, sal_id: str, located: Callable[[], list[str]]) -> str | None:
        """The asset whose service at location has ``sal_id``, or ``None``."""
        if sal_id not in self._assets:
            with self._lock:
                for asset_id in located():
                    if asset_id not in self._derived:
                        self._derived.add(asset_id)
                        derived = documents.service_at_location_id({"id": asset_id})
                        self._assets[derived] = asset_id
        return self._assets.get(sal_id)


_PLACE_IDS: weakref.WeakKeyDictionary[Any, _PlaceIds] = weakref.WeakKeyDictionary()
"""The service-at-location ids of each database (keyed by its engine: a workspace object lives
for one request, its engine for as long as the app)."""


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _not_given(field: str) -> Problem:
    return Problem("not an id this feed gives: take one from its lists", field=field)


def _on_or_after(moment: datetime | None) -> datetime | None:
    """The asset filter's bound for "changed on or after ``moment``": the filter keeps what
    changed after its bound, and stored times are whole microseconds."""
    if moment is None:
        return None
    try:
        return moment - timedelta(microseconds=1)
    except OverflowError:  # the first moment there is: everything changed after it
        return None


def _matching(items: Sequence[M], text: str | None, fields: Sequence[str]) -> Sequence[M]:
    """The items with ``text`` in one of ``fields``, ignoring case; all of them without it."""
    wanted = (text or "").strip().casefold()
    if not wanted:
        return items
    return [
        item
        for item in items
        if any(wanted in str(item.get(field) or "").casefold() for field in fields)
    ]


def _page(
    items: Sequence[T], write: Callable[[T], dict[str, Any]], *, page: int, per_page: int
) -> dict[str, Any]:
    """One page of a list: only the page's items are written."""
    start = (page - 1) * per_page
    return documents.page_wrapper(
        [write(item) for item in items[start : start + per_page]],
        total_items=len(items),
        page=page,
        per_page=per_page,
    )

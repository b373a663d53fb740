"""mobilise's own Open Referral UK 3.0 feed: the public assets as ORUK documents.

The web app's ``/oruk`` routes answer with what this service gives them: the feed's searches (the
ORUK filters read as asset filters) and its documents, written by :mod:`mobilise.formats.oruk_feed`
(every one valid against the ORUK 3.0 schemas; private assets are never published).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats import oruk_feed as documents

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset, AssetSearch
    from mobilise.workspace.core import Workspace

__all__ = ["OrukFeedService"]

T = TypeVar("T")


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
        organization_id: str | None = None,
        modified_after: datetime | None = None,
        located: bool = False,
        page: int = 1,
        per_page: int = 50,
    ) -> AssetSearch:
        """The public assets matching the feed's filters: one page of ids and versions
        (``keys``), nearest first from ``postcode`` (within ``proximity`` metres when given).

        A ``taxonomy_term_id`` of a mobilise category or target group filters on it; any other
        term on the asset's taxonomy terms. ``located``: only assets with a place.
        """
        if proximity is not None and not postcode:
            raise ValidationError(
                "proximity needs a postcode to measure from.",
                problems=[Problem("give a postcode with proximity", field="proximity")],
            )
        near = self._ws.postcodes.point(postcode) if postcode else None
        category = term = group = None
        if taxonomy_term_id:
            chosen = self._ws.assets.feed_term(taxonomy_term_id)
            vocabulary, _, code = chosen.partition(":")
            if vocabulary == documents.CATEGORY_VOCABULARY:
                category = code
            elif vocabulary == documents.TARGET_GROUP_VOCABULARY:
                group = code
            else:
                term = chosen
        return self._ws.assets.search(
            text=text,
            near=near,
            radius_m=proximity,
            category=category,
            taxonomy_term=term,
            target_group=group,
            organisation_id=organization_id,
            modified_after=modified_after,
            located=located,
            page=page,
            per_page=per_page,
            load=False,
        )

    def service(self, asset: Asset, *, base_url: str, full: bool = True) -> dict[str, Any]:
        """A public asset as an ORUK service; ``full`` nests schedules, location and terms."""
        return documents.service_json(asset.as_mapping(), base_url=base_url, full=full)

    def service_by_id(self, service_id: str, *, base_url: str) -> dict[str, Any]:
        """``GET /services/{id}``: a public asset as a fully nested service (NotFound else)."""
        asset = self._ws.assets.get(service_id, include_private=False)
        return self.service(asset, base_url=base_url, full=True)

    def service_at_location(
        self, asset: Asset, *, base_url: str, full: bool = True
    ) -> dict[str, Any]:
        """A public asset's service at its place."""
        return documents.service_at_location_json(asset.as_mapping(), base_url=base_url, full=full)

    def page_text(
        self, item_texts: Sequence[str], *, total_items: int, page: int, per_page: int
    ) -> str:
        """One page of a list as JSON text, around items that are JSON text already."""
        return documents.page_wrapper_text(
            item_texts, total_items=total_items, page=page, per_page=per_page
        )

    # -- organisations and taxonomies --------------------------------------------------------
    def organizations(self, *, base_url: str, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """One page of the organisations that run at least one public asset."""
        return _page(
            self._ws.assets.organisations(),
            lambda found: documents.organization_json(found, base_url=base_url, full=False),
            page=page,
            per_page=per_page,
        )

    def organization(self, organization_id: str, *, base_url: str) -> dict[str, Any]:
        """One organisation with its public services (NotFound when it runs none)."""
        for found in self._ws.assets.organisations():
            if found["id"] == organization_id:
                services = self._ws.assets.search(organisation_id=organization_id, per_page=500)
                return documents.organization_json(
                    found, base_url=base_url, services=[a.as_mapping() for a in services.items]
                )
        raise NotFound(f"No organization {organization_id!r} in this feed.")

    def taxonomies(self, *, base_url: str, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """One page of the vocabularies of the feed's taxonomy terms."""
        return _page(
            sorted(self._vocabularies().items()),
            lambda found: documents.taxonomy_json(
                found[0], base_url=base_url, terms=found[1], full=False
            ),
            page=page,
            per_page=per_page,
        )

    def taxonomy(self, taxonomy_id: str, *, base_url: str) -> dict[str, Any]:
        """One vocabulary with its terms, by its ORUK id (NotFound when none has it)."""
        for vocabulary, terms in sorted(self._vocabularies().items()):
            if documents.taxonomy_id(vocabulary) == taxonomy_id:
                return documents.taxonomy_json(vocabulary, base_url=base_url, terms=terms)
        raise NotFound(f"No taxonomy {taxonomy_id!r} in this feed.")

    def taxonomy_terms(self, *, base_url: str, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        """One page of every taxonomy term: mobilise's categories and target groups, and the
        sources' terms."""
        return _page(
            self._ws.assets.feed_terms(),
            lambda term: documents.taxonomy_term_json(term, base_url=base_url),
            page=page,
            per_page=per_page,
        )

    def _vocabularies(self) -> dict[str, list[str]]:
        by_vocabulary: dict[str, list[str]] = {}
        for term in self._ws.assets.feed_terms():
            by_vocabulary.setdefault(term.partition(":")[0], []).append(term)
        return by_vocabulary


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

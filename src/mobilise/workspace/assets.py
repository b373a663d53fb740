"""The community asset register: import, geocode, read, edit, search and export assets.

Assets are HSDS 3 / ORUK 3.0 services, places (parks, halls, libraries) and groups in one register.
The service is the one door to it; its parts live beside it:

- :mod:`~mobilise.workspace.asset_records`: :class:`Asset`, :class:`AssetSearch`,
  :class:`AssetImportReport` (light records the faces may name);
- :mod:`~mobilise.workspace.asset_imports`: reading files and feeds, planning and applying imports;
- :mod:`~mobilise.workspace.asset_search`: filters, distance order and pages in SQL;
- :mod:`~mobilise.workspace.asset_export`: every asset a search finds, written to a file;
- :mod:`~mobilise.workspace.asset_quality`: freshness and completeness, and the feed's quality.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

from sqlalchemy import Connection, func, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.geo import grid_cell, is_postcode, normalise_postcode
from mobilise.model.assets import AssetFile
from mobilise.store.records import soft_delete_record, update_record
from mobilise.store.tables import assets, organisations, postcodes
from mobilise.workspace._asset_store import (
    EDITABLE,
    LOCATION_FIELDS,
    RECORD_FIELDS,
    areas_of,
    asset_from_row,
    distance_m,
    live_assets,
    place_codes,
    select_assets,
)
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace.asset_records import (
    DAYS,
    Asset,
    AssetImportReport,
    AssetSearch,
    DeletedAssets,
    SearchFilters,
    is_open,
)
from mobilise.workspace.asset_search import assets_by_id, search_assets

if TYPE_CHECKING:
    import httpx

    from mobilise.workspace._files import FileSource, FileTarget
    from mobilise.workspace.asset_quality import FeedQualityReport, QualityReport
    from mobilise.workspace.core import Workspace

__all__ = [
    "DAYS",
    "EDITABLE",
    "LOCATION_FIELDS",
    "RECORD_FIELDS",
    "Asset",
    "AssetImportReport",
    "AssetSearch",
    "AssetService",
    "SearchFilters",
    "asset_from_row",
    "distance_m",
    "download_osm_box",
    "is_open",
    "live_assets",
    "select_assets",
]


class AssetService:
    """Import, read, edit, search and export community assets."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- import ------------------------------------------------------------------------------
    def import_file(
        self,
        file: FileSource | AssetFile,
        *,
        name: str | None = None,
        format: str | None = None,
        column_map: Mapping[str, str] | None = None,
        source: str | None = None,
        licence: str = "",
        layer: str | None = None,
        place: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress = no_progress,
    ) -> AssetImportReport:
        """Read, geocode and store the assets of a file.

        Assets are matched to stored ones by ``(source, source_id)``: a re-import updates them
        instead of adding duplicates. The import is one transaction: nothing is stored when it
        fails.

        Parameters
        ----------
        file
            The file: a path, its bytes or a binary stream (an upload), read by
            :func:`mobilise.formats.assets.read_assets` (CSV, XLSX, GeoJSON, GeoPackage,
            OpenStreetMap); or an :class:`~mobilise.model.assets.AssetFile` read already.
        name
            The file's name, for bytes and streams: its suffix says the format, messages name it.
        format, column_map, source, licence, layer
            How to read the file (see :func:`~mobilise.formats.assets.read_assets`); not used
            for an ``AssetFile``.
        place
            Keep only the assets located inside this place's areas (the others are counted).
        dry_run
            Plan the import and report it; store nothing.
        skip_invalid
            Import the valid rows; the report holds the invalid ones
            (:meth:`AssetImportReport.save_invalid_rows`). Otherwise invalid rows stop it.
        progress
            Called as ``progress(step, done, total)`` while storing.

        Raises
        ------
        mobilise.errors.ValidationError
            When the file cannot be read, or has invalid rows (without ``skip_invalid``), naming
            the file, row and field of each problem.
        """
        from mobilise.workspace.asset_imports import import_records

        if isinstance(file, AssetFile):
            data = file
        else:
            from mobilise.formats.assets import read_assets
            from mobilise.workspace._files import reading_path

            with reading_path(file, name=name, limits=self._ws.limits) as path:
                data = read_assets(
                    path,
                    limits=self._ws.limits,
                    format=format,
                    column_map=column_map,
                    source=source,
                    licence=licence,
                    layer=layer,
                )
        return import_records(
            self._ws,
            data,
            place=place,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )

    def import_oruk(
        self,
        url: str,
        *,
        per_page: int = 100,
        licence: str = "",
        client: httpx.Client | None = None,
        place: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress = no_progress,
    ) -> AssetImportReport:
        """Import the services of an Open Referral UK 3.0 feed, following every page.

        ``url`` is the feed's base address; its services get the source ``oruk:<url>``, so
        importing the feed again updates them. ``per_page`` is asked of the feed, ``licence`` is
        given to every service (feeds do not state it) and ``client`` is the HTTP client to use
        (by default a new one). ``place``, ``dry_run``, ``skip_invalid`` and ``progress`` are
        those of :meth:`import_file`.

        Raises
        ------
        mobilise.errors.ValidationError
            When the feed cannot be read (see :func:`mobilise.formats.oruk.fetch_oruk_feed`) or
            has invalid services (without ``skip_invalid``).
        """
        from mobilise.workspace.asset_imports import read_oruk_feed

        data = read_oruk_feed(
            url,
            per_page=per_page,
            licence=licence,
            client=client,
            progress=progress,
            limits=self._ws.limits,
        )
        return self.import_file(
            data, place=place, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress
        )

    def download_osm(
        self,
        target: FileTarget,
        *,
        place: str | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        url: str | None = None,
        client: httpx.Client | None = None,
    ) -> int:
        """Save the OpenStreetMap community assets around a place, or in ``bbox`` (west, south,
        east, north in WGS84 degrees), as Overpass JSON to ``target`` (a path or a binary
        stream); import the file afterwards with ``format="overpass"``. ``url`` is the Overpass
        API's address (by default the public one). Needs the internet. Returns how many
        OpenStreetMap elements were saved.
        """
        if (place is None) == (bbox is None):
            raise ValidationError(
                "Give either a place or a bounding box.",
                problems=[Problem("one of place or bbox is needed", field="place")],
            )
        box = self._ws.places.bbox(place) if place is not None else bbox
        assert box is not None
        return download_osm_box(target, box, url=url, client=client)

    # -- export ------------------------------------------------------------------------------
    def export(
        self,
        target: FileTarget,
        *,
        format: str,
        include_private: bool = False,
        base_url: str | None = None,
        **filters: Unpack[SearchFilters],
    ) -> int:
        """Write every asset a search finds to ``target`` (a path or a writable binary stream).

        Parameters
        ----------
        target
            Where to write. A path gets the file only once it is complete (its folder is made
            if needed); for ``hsds`` a path is a folder, or a ``.zip`` file when it ends so, and
            a stream gets the ``.zip``.
        format
            One of :data:`mobilise.model.asset_vocab.EXPORT_FORMATS`: ``csv``, ``geojson``,
            ``gpkg`` (GeoPackage) or ``hsds`` (an HSDS 3.0 data package).
        include_private
            Also the private assets (an analyst's own copy; never in ``hsds``).
        base_url
            The address of the workspace's ORUK feed, for the links of an HSDS package.
        filters
            The filters of :meth:`search` (``place``, ``near`` and ``radius_m``, ``category``,
            ``text``, ``free``, ``step_free``, ``age``, ``open_at``, ...); every page is read.

        Returns
        -------
        int
            How many assets were written.
        """
        from mobilise.workspace.asset_export import export_assets

        def search(page: int, per_page: int) -> AssetSearch:
            return self.search(
                include_private=include_private, page=page, per_page=per_page, **filters
            )

        return export_assets(
            search, target, file_format=format, include_private=include_private, base_url=base_url
        )

    # -- reading -----------------------------------------------------------------------------
    def get(self, asset_id: str, *, include_private: bool = True) -> Asset:
        with self._ws.read() as connection:
            row = connection.execute(select_assets().where(assets.c.id == asset_id)).first()
        if (
            row is None
            or row.deleted_at is not None
            or (not include_private and row.visibility != "public")
        ):
            raise NotFound(f"No asset {asset_id!r}.")
        if row.merged_into is not None:
            raise NotFound(
                f"Asset {asset_id!r} was merged into {row.merged_into}: see that asset instead."
            )
        return asset_from_row(row)

    def count(self, *, place: str | None = None) -> int:
        query = select(func.count()).select_from(assets).where(*live_assets())
        with self._ws.read() as connection:
            if place:
                query = query.where(assets.c.lsoa11_code.in_(place_codes(connection, place)))
            return int(connection.execute(query).scalar_one())

    def search(
        self,
        *,
        include_private: bool = False,
        page: int = 1,
        per_page: int = 50,
        load: bool = True,
        fold: bool = False,
        **filters: Unpack[SearchFilters],
    ) -> AssetSearch:
        """Assets matching every filter given, nearest first when ``near`` (lon, lat) is given,
        the best matches first when ``text`` is (words, looked up in the word index).

        Filtering, distance ordering and paging happen in the database (distances with
        :func:`distance_m`'s formula), so a page costs the same however many assets match;
        only ``open_at`` is checked in Python. See :class:`SearchFilters` for every filter.

        Parameters
        ----------
        near, radius_m
            Only assets within ``radius_m`` metres of the point (WGS84 lon, lat).
        text
            Words in the name or description (English stemming: "libraries" finds "Library";
            the last word also as the start of a longer one).
        free, step_free, accessible_toilet, hearing_loop, age, language, open_at
            Positive filters: only assets that record the fact and have it (``age``: whose age
            range includes it; ``open_at``: open at this UK local time, bank holidays counted),
            unless the filter is named in ``include_unknown``, which keeps those that do not
            record it too. The result's ``not_recorded`` says how many do not, per filter.
        load
            False: only the page's ids and versions (``keys``), for callers that keep what they
            make of each asset version (the ORUK feed) and :meth:`get_many` the rest.
        fold
            One card per real place: records of the same place (same name, within 100 m) are
            folded into the first, the others listed in ``also_listed``
            (:mod:`~mobilise.workspace.asset_folding`).
        """
        from mobilise.workspace.asset_search import POSITIVE_FILTERS

        problems = [
            Problem("must be 1 or more", field=name)
            for name, value in (("page", page), ("per_page", per_page))
            if value < 1
        ]
        problems += [
            Problem(
                f"{name!r} is not one of {', '.join(POSITIVE_FILTERS)}", field="include_unknown"
            )
            for name in filters.get("include_unknown") or ()
            if name not in POSITIVE_FILTERS
        ]
        if problems:
            raise ValidationError("Those search options cannot be used.", problems=problems)
        place, near = filters.pop("place", None), filters.pop("near", None)
        radius_m, open_at = filters.pop("radius_m", None), filters.pop("open_at", None)
        with self._ws.read() as connection:
            return search_assets(
                connection,
                filters=dict(filters),
                near=near,
                radius_m=radius_m,
                place_codes=place_codes(connection, place) if place else None,
                open_at=open_at,
                include_private=include_private,
                page=page,
                per_page=per_page,
                load=load,
                fold=fold,
            )

    def get_many(
        self,
        ids: Sequence[str],
        *,
        near: tuple[float, float] | None = None,
        include_private: bool = True,
    ) -> builtins.list[Asset]:
        """The live assets with these ids, in the order given (ids of deleted, merged or unknown
        assets, and of private ones unless ``include_private``, are left out); ``near`` sets
        their ``distance_m``."""
        with self._ws.read() as connection:
            return assets_by_id(connection, ids, near, include_private=include_private)

    def taxonomy_terms(self) -> builtins.list[tuple[str, int]]:
        """Every taxonomy term on a public asset, with how many assets carry it."""
        counts: dict[str, int] = {}
        with self._ws.read() as connection:
            for terms in connection.execute(
                select(assets.c.taxonomy_terms).where(
                    *live_assets(), assets.c.visibility == "public"
                )
            ).scalars():
                for term in terms or []:
                    counts[term] = counts.get(term, 0) + 1
        return sorted(counts.items())

    def feed_terms(self) -> builtins.list[str]:
        """Every taxonomy term an Open Referral feed offers: the stored terms, mobilise's
        categories and its target groups, each as ``"vocabulary:term"``."""
        from mobilise.formats.oruk_feed import CATEGORY_VOCABULARY, TARGET_GROUP_VOCABULARY
        from mobilise.model.asset_vocab import CATEGORIES, TARGET_GROUPS

        stored = {term for term, _ in self.taxonomy_terms()}
        categories = {f"{CATEGORY_VOCABULARY}:{c}" for c in CATEGORIES}
        groups = {f"{TARGET_GROUP_VOCABULARY}:{g}" for g in TARGET_GROUPS}
        return sorted(stored | categories | groups)

    def feed_term(self, term_id: str) -> str:
        """The feed term whose ORUK id is ``term_id``."""
        from mobilise.formats.oruk_feed import taxonomy_term_id

        for term in self.feed_terms():
            if taxonomy_term_id(term) == term_id:
                return term
        raise NotFound(f"No taxonomy term {term_id!r} in this feed.")

    def organisations(self) -> builtins.list[dict[str, Any]]:
        """Organisations with at least one public asset."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(organisations, func.count(assets.c.id).label("n_assets"))
                .join(assets, assets.c.organisation_id == organisations.c.id)
                .where(
                    *live_assets(),
                    assets.c.visibility == "public",
                    organisations.c.deleted_at.is_(None),
                )
                .group_by(*organisations.c)
                .order_by(organisations.c.name)
            ).all()
        return [dict(r._mapping) for r in rows]

    def where(self, text: str) -> tuple[tuple[float, float] | None, str | None, str]:
        """Read what a resident typed as "where": a postcode (its point) or a place name or slug.

        Returns ``(near, place_slug, label)``; raises NotFound with a hint when neither fits.
        """
        text = text.strip()
        if is_postcode(text):
            return self._ws.postcodes.point(text), None, normalise_postcode(text)
        wanted = text.lower()
        for place in self._ws.places.list():
            if wanted in (place.slug, place.name.lower()) or wanted in place.name.lower():
                return None, place.slug, place.name
        raise NotFound(
            f"{text!r} is neither a postcode we know nor a place here. Try a full postcode such "
            "as E8 1DY, or one of: " + ", ".join(p.name for p in self._ws.places.list()) + "."
        )

    def quality(self, *, place: str | None = None, stale_months: int = 12) -> QualityReport:
        """Freshness, completeness and geocode precision per place and per source."""
        from mobilise.workspace.asset_quality import asset_quality

        if place is not None:
            self._ws.places.get(place)  # NotFound with the list of places
        return asset_quality(self._ws, place=place, stale_months=stale_months)

    def feed_quality(
        self,
        *,
        place: str | None = None,
        check: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> FeedQualityReport:
        """The ORUK feed's services scored as its consumers score them, and one page of those
        failing ``check`` (any), worst first: see :func:`~.asset_quality.feed_quality`."""
        from mobilise.workspace.asset_quality import feed_quality

        return feed_quality(self._ws, place=place, check=check, page=page, per_page=per_page)

    # -- editing -----------------------------------------------------------------------------
    def update(self, asset_id: str, *, version: int, changes: Mapping[str, Any]) -> Asset:
        """Change an asset's fields; ``version`` is the version you read (a stale one is a
        Conflict naming who changed it and when)."""
        _check_changes(changes)
        with self._ws.write() as connection:
            update_record(
                connection,
                assets,
                asset_id,
                {**changes, **_relocated(connection, changes)},
                expected_version=version,
                actor=self._ws.actor,
                entity_type="asset",
            )
        return self.get(asset_id)

    def delete(self, asset_id: str, *, version: int | None = None) -> None:
        """Delete an asset softly: it leaves search and the feeds, and :meth:`restore` brings
        it back (``version``: the one you read; a stale one is a Conflict)."""
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                assets,
                asset_id,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="asset",
            )

    def deleted(self, *, page: int = 1, per_page: int = 50) -> DeletedAssets:
        """The deleted assets (private ones too), the most recently deleted first, one page."""
        from mobilise.workspace.asset_restore import deleted_assets

        with self._ws.read() as connection:
            return deleted_assets(connection, page=page, per_page=per_page)

    def restore(self, asset_id: str, *, version: int | None = None) -> Asset:
        """Bring a deleted asset back (audited as ``restore``); the asset as it is now. A
        duplicate merged into another is not restored: see :mod:`.asset_restore`."""
        from mobilise.workspace.asset_restore import restore_asset

        with self._ws.write() as connection:
            restore_asset(connection, asset_id, version=version, actor=self._ws.actor)
        return self.get(asset_id)


def _check_changes(changes: Mapping[str, Any]) -> None:
    """Refuse fields that cannot be edited and values outside their vocabulary."""
    from mobilise.model.asset_vocab import CATEGORIES, COSTS, STATUSES, VISIBILITIES

    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationError(
            "Those fields cannot be changed here.",
            problems=[Problem("not an editable field", field=f) for f in unknown],
        )
    allowed = {
        "category": CATEGORIES,
        "status": STATUSES,
        "visibility": VISIBILITIES,
        "cost": (*COSTS, None),
    }
    bad = [
        Problem(f"{changes[f]!r} is not one of {', '.join(map(str, allowed[f]))}", field=f)
        for f in allowed
        if f in changes and changes[f] not in allowed[f]
    ]
    if bad:
        raise ValidationError("Those values cannot be used.", problems=bad)
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationError(
            "An asset needs a name.", problems=[Problem("a name is required", field="name")]
        )


def _relocated(connection: Connection, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The location columns that follow from changed coordinates or postcode."""
    if "lon" in changes or "lat" in changes:
        lon, lat = changes.get("lon"), changes.get("lat")
        if lon is None or lat is None:
            return {
                "lon": None,
                "lat": None,
                "geocode_precision": "none",
                "lsoa11_code": None,
                "cell": None,
            }
        [area] = areas_of(connection, [(float(lon), float(lat))])
        return {
            "geocode_precision": "point",
            "lsoa11_code": area,
            "cell": grid_cell(float(lon), float(lat)),
        }
    if changes.get("postcode"):
        postcode = normalise_postcode(str(changes["postcode"]))
        row = connection.execute(
            select(postcodes.c.lon, postcodes.c.lat, postcodes.c.lsoa11_code).where(
                postcodes.c.postcode == postcode
            )
        ).first()
        moved: dict[str, Any] = {"postcode": postcode}
        if row is not None and row.lon is not None:
            moved.update(
                lon=row.lon,
                lat=row.lat,
                geocode_precision="postcode",
                lsoa11_code=row.lsoa11_code,
                cell=grid_cell(row.lon, row.lat),
            )
        return moved
    return {}


def download_osm_box(
    target: FileTarget,
    bbox: tuple[float, float, float, float],
    *,
    url: str | None = None,
    client: httpx.Client | None = None,
) -> int:
    """Save the OpenStreetMap community assets in ``bbox`` (west, south, east, north in WGS84
    degrees) as Overpass JSON to ``target``, without a workspace; returns how many elements were
    saved (see :meth:`AssetService.download_osm`)."""
    from mobilise.formats.assets import OVERPASS_URL, download_overpass
    from mobilise.workspace._files import write_bytes

    data = download_overpass(bbox, url=url or OVERPASS_URL, client=client)
    write_bytes(target, json.dumps(data).encode("utf-8"), name="osm.json")
    return len(data.get("elements", []))

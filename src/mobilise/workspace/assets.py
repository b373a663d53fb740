"""The community asset register: import, geocode, read, edit and search assets.

Assets are HSDS 3 / ORUK 3.0 services, places (parks, halls, libraries) and groups in one register.
Imports are planned first (what would be created, updated, left alone, skipped) and then applied in
one transaction, so a dry run shows exactly what a real run would do.
"""

from __future__ import annotations

import builtins
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    Text,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.geo import METRES_PER_DEGREE, box_around, grid_cell, grid_cells_around
from mobilise.store.records import (
    audit,
    insert_record,
    new_id,
    record_values,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import areas, assets, organisations, place_areas, places, postcodes
from mobilise.workspace._common import Progress, chunked, no_progress, none_if_missing

if TYPE_CHECKING:
    from mobilise.model.assets import AssetFile, AssetRecord
    from mobilise.workspace.asset_quality import QualityReport
    from mobilise.workspace.core import Workspace

__all__ = ["Asset", "AssetImportReport", "AssetSearch", "AssetService"]

# The AssetRecord fields stored as they are (the rest are derived: location, organisation).
RECORD_FIELDS = (
    "name",
    "description",
    "kind",
    "category",
    "status",
    "taxonomy_terms",
    "address",
    "postcode",
    "email",
    "phone",
    "url",
    "schedule",
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "languages",
    "cost",
    "age_min",
    "age_max",
    "target_groups",
    "capacity",
    "capacity_unit",
    "licence",
    "assured_date",
    "visibility",
    "extra",
)
# The columns that follow an asset's position (``cell`` is its mobilise.geo.grid_cell).
LOCATION_FIELDS = ("lon", "lat", "geometry", "geocode_precision", "lsoa11_code", "cell")
EDITABLE = frozenset(RECORD_FIELDS) | {"lon", "lat"}
_BATCH = 2000


@dataclass(frozen=True)
class Asset:
    """One asset as stored, with its organisation's name and, in searches, its distance."""

    id: str
    name: str
    description: str
    kind: str
    category: str
    status: str
    taxonomy_terms: list[str]
    lon: float | None
    lat: float | None
    geometry: dict[str, Any] | None
    geocode_precision: str
    address: str
    postcode: str | None
    lsoa11_code: str | None
    organisation_id: str | None
    organisation: str
    email: str
    phone: str
    url: str
    schedule: list[dict[str, Any]]
    step_free: bool | None
    accessible_toilet: bool | None
    hearing_loop: bool | None
    languages: list[str]
    cost: str | None
    age_min: int | None
    age_max: int | None
    target_groups: list[str]
    capacity: float | None
    capacity_unit: str
    source: str
    source_id: str
    licence: str
    provenance: list[dict[str, Any]]
    assured_date: date | None
    visibility: str
    extra: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str
    distance_m: float | None = None

    def as_mapping(self) -> dict[str, Any]:
        """The fields as a dict, values as they are (shallow: cheap for feeds of many assets)."""
        return dict(self.__dict__)

    def public_dict(self) -> dict[str, Any]:
        """What anyone may see: no editors' names, provenance notes or unmapped source fields."""
        data = self.to_dict()
        for private in ("extra", "updated_by", "provenance"):
            data.pop(private, None)
        return data

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates as ISO 8601 text)."""
        data = self.as_mapping()
        for key in ("assured_date", "created_at", "updated_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


@dataclass
class AssetImportReport:
    """What an asset import did (or, in a dry run, would do)."""

    file: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    outside_place: int = 0
    not_geocoded: int = 0
    geocoded_by_postcode: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # action, source_id, name

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.to_dict() for p in self.problems]
        data["changes"] = [{"action": a, "source_id": s, "name": n} for a, s, n in self.changes]
        return data


@dataclass(frozen=True)
class AssetSearch:
    """One page of search results and how many matched in all.

    ``keys`` are the page's (id, version) pairs in order; ``items`` the assets themselves, unless
    the search was made with ``load=False``.
    """

    items: list[Asset]
    total: int
    page: int
    per_page: int
    keys: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1


_PLAIN_TYPES = (str, list, dict, bool, int, type(None), date)


def _plain(value: Any) -> Any:
    """A record value as stored: plain Python values as they are, NaN and numpy scalars fixed."""
    kind = type(value)
    if kind in _PLAIN_TYPES:  # the common case, checked without isinstance chains
        return value
    if kind is float:
        return None if value != value else value
    return none_if_missing(value)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres on a local flat projection around the first point (equirectangular).

    Within 0.1% of the great-circle distance up to tens of kilometres, and simple enough for the
    database to compute, so searches order and cut by distance in SQL with the same formula.
    """
    scale = math.cos(math.radians(lat1))
    return METRES_PER_DEGREE * math.hypot((lon2 - lon1) * scale, lat2 - lat1)


class AssetService:
    """Import, read, edit and search community assets."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- import ------------------------------------------------------------------------------
    def import_file(
        self,
        data: AssetFile,
        *,
        place: str | None = None,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress = no_progress,
    ) -> AssetImportReport:
        """Geocode and store the assets read from a file or feed.

        Assets are matched to stored ones by ``(source, source_id)``: a re-import updates them
        instead of adding duplicates. With ``place``, assets located outside the place's areas are
        skipped (and counted). Invalid rows stop the import unless ``skip_invalid``.
        """
        if data.problems and not skip_invalid:
            error = ValidationError.collect(data.problems, what=f"Asset file {data.file}")
            assert error is not None
            raise error
        report = AssetImportReport(
            data.file,
            dry_run=dry_run,
            invalid=len(data.invalid_rows),
            dropped=dict(data.dropped),
            problems=list(data.problems),
        )
        with self._ws.write() as connection:
            place_codes = self._place_codes(connection, place) if place else None
            located = self._locate(connection, data.records, place_codes, report)
            plan = self._plan(connection, located, report)
            if not dry_run:
                self._apply(connection, plan, progress)
                audit(
                    connection,
                    actor=self._ws.actor,
                    entity_type="assets",
                    entity_id=data.file,
                    action="import",
                    summary=f"{data.file}: {report.created} created, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {report.invalid} invalid skipped",
                )
        return report

    def _place_codes(self, connection: Connection, slug: str) -> set[str]:
        place_id = connection.execute(
            select(places.c.id).where(places.c.slug == slug, places.c.deleted_at.is_(None))
        ).scalar_one_or_none()
        if place_id is None:
            raise NotFound(f"No place {slug!r}.")
        return set(
            connection.execute(
                select(place_areas.c.area_code).where(
                    place_areas.c.place_id == place_id, place_areas.c.deleted_at.is_(None)
                )
            ).scalars()
        )

    def _locate(
        self,
        connection: Connection,
        records: Sequence[AssetRecord],
        place_codes: set[str] | None,
        report: AssetImportReport,
    ) -> list[tuple[AssetRecord, dict[str, Any]]]:
        """Each record with its location: coordinates (given, or from its postcode), LSOA 2011
        (the stored area the point falls in, else the postcode's) and how precise that is."""
        wanted = sorted({r.postcode for r in records if r.postcode})
        by_postcode: dict[str, tuple[float | None, float | None, str | None]] = {}
        for chunk in chunked(wanted):
            for row in connection.execute(
                select(
                    postcodes.c.postcode, postcodes.c.lon, postcodes.c.lat, postcodes.c.lsoa11_code
                ).where(postcodes.c.postcode.in_(chunk))
            ):
                by_postcode[row.postcode] = (row.lon, row.lat, row.lsoa11_code)
        points: list[tuple[float | None, float | None, str]] = []
        for record in records:
            if record.lon is not None and record.lat is not None:
                points.append((record.lon, record.lat, "point"))
            elif record.postcode and by_postcode.get(record.postcode, (None,))[0] is not None:
                lon, lat, _ = by_postcode[record.postcode]
                points.append((lon, lat, "postcode"))
            else:
                points.append((None, None, "none"))
        in_area = self._areas_of(connection, points, place_codes)
        located = []
        for record, (lon, lat, precision), area_code in zip(records, points, in_area, strict=True):
            if area_code is None and record.postcode in by_postcode:
                area_code = by_postcode[record.postcode][2]
            if precision == "none":
                report.not_geocoded += 1
            elif precision == "postcode":
                report.geocoded_by_postcode += 1
            if place_codes is not None and precision != "none" and area_code not in place_codes:
                report.outside_place += 1
                continue
            located.append(
                (
                    record,
                    {
                        "lon": lon,
                        "lat": lat,
                        "geometry": json.dumps(record.geometry) if record.geometry else None,
                        "geocode_precision": precision,
                        "lsoa11_code": area_code,
                        "cell": grid_cell(lon, lat),
                    },
                )
            )
        return located

    def _areas_of(
        self,
        connection: Connection,
        points: Sequence[tuple[float | None, float | None, str]],
        place_codes: set[str] | None,
    ) -> list[str | None]:
        """The stored LSOA 2011 each point falls in (point in polygon), or None."""
        query = select(areas.c.code, areas.c.geometry).where(
            areas.c.area_type == "lsoa11",
            areas.c.geometry.is_not(None),
            areas.c.deleted_at.is_(None),
        )
        located = [(i, lon, lat) for i, (lon, lat, _) in enumerate(points) if lon is not None]
        found: list[str | None] = [None] * len(points)
        if not located:
            return found
        lons = np.array([p[1] for p in located])
        lats = np.array([p[2] for p in located])
        box = (lons.min(), lats.min(), lons.max(), lats.max())
        query = query.where(
            areas.c.max_lon >= box[0],
            areas.c.min_lon <= box[2],
            areas.c.max_lat >= box[1],
            areas.c.min_lat <= box[3],
        )
        rows = connection.execute(query).all()
        if not rows:
            return found
        codes = [r.code for r in rows]
        polygons = shapely.from_geojson([r.geometry for r in rows])
        tree = shapely.STRtree(polygons)
        point_index, area_index = tree.query(shapely.points(lons, lats), predicate="intersects")
        for p, a in zip(point_index.tolist(), area_index.tolist(), strict=True):
            slot = located[p][0]
            if found[slot] is None:
                found[slot] = codes[a]
        return found

    def _plan(
        self,
        connection: Connection,
        located: Sequence[tuple[AssetRecord, dict[str, Any]]],
        report: AssetImportReport,
    ) -> dict[str, list[Any]]:
        sources = sorted({r.source for r, _ in located})
        existing: dict[tuple[str, str], Any] = {}
        for source in sources:
            ids = [r.source_id for r, _ in located if r.source == source]
            for chunk in chunked(ids):
                for row in connection.execute(
                    select(assets).where(assets.c.source == source, assets.c.source_id.in_(chunk))
                ):
                    existing[(row.source, row.source_id)] = row
        organisation_names = dict(
            connection.execute(select(organisations.c.id, organisations.c.name)).all()
        )
        organisations_wanted = sorted(
            {(r.source, r.organisation) for r, _ in located if r.organisation}
        )
        plan: dict[str, list[Any]] = {
            "create": [],
            "update": [],
            "organisations": organisations_wanted,
        }
        seen: set[tuple[str, str]] = set()
        for record, location in located:
            key = (record.source, record.source_id)
            if key in seen:
                report.problems.append(
                    Problem(
                        f"source id {record.source_id!r} appears twice in the file; the later row "
                        "was skipped",
                        row=record.source_row,
                        field="source_id",
                    )
                )
                report.invalid += 1
                continue
            seen.add(key)
            values = {f: _plain(getattr(record, f)) for f in RECORD_FIELDS}
            values.update(location)
            current = existing.get(key)
            if current is None:
                plan["create"].append((record, values))
                report.created += 1
                report.changes.append(("create", record.source_id, record.name))
                continue
            changed = {
                k: v
                for k, v in values.items()
                if _comparable(getattr(current, k)) != _comparable(v)
            }
            if record.organisation != organisation_names.get(current.organisation_id, ""):
                changed["organisation"] = record.organisation
            if current.deleted_at is not None or current.merged_into is not None:
                # Deleted or merged by a person: a source re-import does not bring it back.
                report.unchanged += 1
                continue
            # Visibility is the consortium's decision, not the source's.
            values["visibility"] = current.visibility
            changed.pop("visibility", None)
            if changed:
                plan["update"].append((record, values, current, changed))
                report.updated += 1
                report.changes.append(("update", record.source_id, record.name))
            else:
                report.unchanged += 1
        return plan

    def _apply(
        self, connection: Connection, plan: dict[str, list[Any]], progress: Progress
    ) -> None:
        organisation_ids = self._organisations(connection, plan["organisations"])
        stamp = record_values(self._ws.actor)
        creates = [
            {
                "id": new_id(),
                **values,
                "source": record.source,
                "source_id": record.source_id,
                "organisation_id": organisation_ids.get((record.source, record.organisation)),
                "provenance": [
                    {
                        "source": record.source,
                        "source_id": record.source_id,
                        "licence": record.licence,
                    }
                ],
                "merged_into": None,
                **stamp,
            }
            for record, values in plan["create"]
        ]
        total = len(creates) + len(plan["update"])
        for start, batch in enumerate(chunked(creates, _BATCH)):
            connection.execute(insert(assets), list(batch))
            progress("Storing assets", min((start + 1) * _BATCH, len(creates)), total)
        updates = [
            {
                **values,
                "organisation_id": organisation_ids.get((record.source, record.organisation)),
                "b_id": row.id,
            }
            for record, values, row, _changed in plan["update"]
        ]
        for _record, _values, row, changed in plan["update"]:
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="asset",
                entity_id=row.id,
                action="update",
                before={k: _jsonable(getattr(row, k, None)) for k in changed},
                after={k: _jsonable(v) for k, v in changed.items()},
                summary="updated by a re-import of its source",
            )
        if updates:
            columns: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "b_id"}
            for batch in chunked(updates, _BATCH):
                connection.execute(
                    update(assets)
                    .where(assets.c.id == bindparam("b_id"))
                    .values(
                        **columns,
                        version=assets.c.version + 1,
                        updated_at=stamp["updated_at"],
                        updated_by=self._ws.actor,
                    ),
                    list(batch),
                )
        progress("Storing assets", total, total)

    def _organisations(
        self, connection: Connection, wanted: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for source, name in wanted:
            existing = connection.execute(
                select(organisations.c.id).where(
                    organisations.c.source == source, organisations.c.name == name
                )
            ).scalar_one_or_none()
            if existing is None:
                existing = insert_record(
                    connection,
                    organisations,
                    {"name": name, "source": source, "description": "", "url": "", "email": ""},
                    actor=self._ws.actor,
                    entity_type="organisation",
                )["id"]
            found[(source, name)] = existing
        return found

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
                query = query.where(assets.c.lsoa11_code.in_(self._place_codes(connection, place)))
            return int(connection.execute(query).scalar_one())

    def search(
        self,
        *,
        place: str | None = None,
        near: tuple[float, float] | None = None,
        radius_m: float | None = None,
        category: str | None = None,
        text: str | None = None,
        free: bool = False,
        step_free: bool = False,
        age: int | None = None,
        open_at: datetime | None = None,
        organisation_id: str | None = None,
        taxonomy_term: str | None = None,
        target_group: str | None = None,
        modified_after: datetime | None = None,
        located: bool = False,
        include_private: bool = False,
        page: int = 1,
        per_page: int = 50,
        load: bool = True,
    ) -> AssetSearch:
        """Assets matching every filter given, nearest first when ``near`` (lon, lat) is given.

        Filtering, distance ordering and paging happen in the database (distances with
        :func:`distance_m`'s formula), so a page costs the same however many assets match;
        only ``open_at`` is checked in Python.

        Parameters
        ----------
        load
            False: only the page's ids and versions (``keys``), for callers that keep what they
            make of each asset version (the ORUK feed) and :meth:`get_many` the rest.
        near, radius_m
            Only assets within ``radius_m`` metres of the point (WGS84 lon, lat).
        open_at
            Only assets whose weekly schedule has them open at this local time.
        age
            Only assets whose age range includes this age (assets without one count as for all).
        """
        if page < 1 or per_page < 1:
            raise ValidationError(
                "Pages start at 1 and hold at least one item.",
                problems=[Problem("must be 1 or more", field="page" if page < 1 else "per_page")],
            )
        # Which filters are given (the statements for that combination are built once) and
        # their values, bound by name when the statements run.
        shape: list[str] = []
        values: dict[str, Any] = {"limit": per_page, "offset": (page - 1) * per_page}
        given = {
            "public": not include_private,
            "category": category or None,
            "text": f"%{text.strip().lower()}%" if text else None,
            "free": free,
            "step_free": step_free,
            "age": age,
            "organisation_id": organisation_id or None,
            "modified_after": modified_after,
            "located": located,
            # JSON lists hold each entry as a quoted string: match it whole, quotes included.
            "taxonomy_term": _json_item(taxonomy_term) if taxonomy_term else None,
            "target_group": _json_item(target_group) if target_group else None,
        }
        for name, value in given.items():
            if value is not None and value is not False:
                shape.append(name)
                values[name] = value
        if near is not None:
            lon, lat = near
            shape.append("near")
            values.update(near_lon=lon, near_lat=lat, near_scale=math.cos(math.radians(lat)))
            if radius_m is not None:
                reach = radius_m / METRES_PER_DEGREE
                values["reach2"] = reach * reach
                cells = grid_cells_around(lon, lat, radius_m)
                if cells is not None:
                    shape.append("cells")
                    values["cells"] = cells
                else:  # a wide circle: the box around it
                    west, south, east, north = box_around(lon, lat, radius_m)
                    shape.append("box")
                    values.update(
                        first_cell=grid_cell(west, south),
                        last_cell=grid_cell(east, north),
                        west=west,
                        east=east,
                    )
        with self._ws.read() as connection:
            if place:
                shape.append("place")
                values["place_codes"] = sorted(self._place_codes(connection, place))
            keys_of_page, count, rows_in_order = _search_statements(tuple(shape))
            if open_at is not None:  # schedules are checked in Python: read every match
                every = [
                    asset_from_row(r, near=near) for r in connection.execute(rows_in_order, values)
                ]
                matching = [a for a in every if is_open(a.schedule, open_at)]
                shown = matching[(page - 1) * per_page : page * per_page]
                return AssetSearch(
                    shown if load else [],
                    len(matching),
                    page,
                    per_page,
                    [(a.id, a.version) for a in shown],
                )
            # First the page's ids and versions (for a search around a point, from the covering
            # index alone; SQLite keeps only the page while sorting), then how many match in
            # all (a count reads no more than it must), then only the page's rows in full.
            ranked = connection.execute(keys_of_page, values).all()
            if ranked and len(ranked) < per_page:  # the last page: the count follows
                total = (page - 1) * per_page + len(ranked)
            elif not ranked and page == 1:
                total = 0
            else:
                total = connection.execute(count, values).scalar_one()
            keys = [(row.id, row.version) for row in ranked]
            found = (
                self._many(connection, [k for k, _ in keys], near, include_private=include_private)
                if load
                else []
            )
        return AssetSearch(found, int(total), page, per_page, keys)

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
            return self._many(connection, ids, near, include_private=include_private)

    def _many(
        self,
        connection: Connection,
        ids: Sequence[str],
        near: tuple[float, float] | None,
        *,
        include_private: bool = True,
    ) -> builtins.list[Asset]:
        position = {asset_id: number for number, asset_id in enumerate(ids)}
        found: builtins.list[Any] = []
        public = () if include_private else (assets.c.visibility == "public",)
        for chunk in chunked(list(position)):
            found += connection.execute(
                select_assets().where(assets.c.id.in_(chunk), *live_assets(), *public)
            ).all()
        return sorted((asset_from_row(r, near=near) for r in found), key=lambda a: position[a.id])

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
        from mobilise.geo import is_postcode, normalise_postcode

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
        from mobilise.workspace.asset_quality import asset_quality  # it builds on this module

        if place is not None:
            self._ws.places.get(place)  # NotFound with the list of places
        return asset_quality(self._ws, place=place, stale_months=stale_months)

    # -- editing -----------------------------------------------------------------------------
    def update(self, asset_id: str, *, version: int, changes: Mapping[str, Any]) -> Asset:
        """Change an asset's fields; ``version`` is the version you read (a stale one is a
        Conflict naming who changed it and when)."""
        unknown = sorted(set(changes) - EDITABLE)
        if unknown:
            raise ValidationError(
                "Those fields cannot be changed here.",
                problems=[Problem("not an editable field", field=f) for f in unknown],
            )
        from mobilise.model.asset_vocab import CATEGORIES, COSTS, STATUSES, VISIBILITIES

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
        with self._ws.write() as connection:
            update_record(
                connection,
                assets,
                asset_id,
                {**changes, **self._relocated(connection, changes)},
                expected_version=version,
                actor=self._ws.actor,
                entity_type="asset",
            )
        return self.get(asset_id)

    def _relocated(self, connection: Connection, changes: Mapping[str, Any]) -> dict[str, Any]:
        """The location columns that follow from changed coordinates or postcode."""
        from mobilise.geo import normalise_postcode

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
            [area] = self._areas_of(connection, [(float(lon), float(lat), "point")], None)
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

    def delete(self, asset_id: str, *, version: int | None = None) -> None:
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                assets,
                asset_id,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="asset",
            )


_EAST = (assets.c.lon - bindparam("near_lon", type_=Float)) * bindparam("near_scale", type_=Float)
_NORTH = assets.c.lat - bindparam("near_lat", type_=Float)
_SQUARED = _EAST * _EAST + _NORTH * _NORTH
"""The squared distance from the search point, in degrees of latitude (see distance_m)."""


def _filter(name: str) -> list[Any]:
    """The conditions of one search filter, its values bound by name (see AssetService.search)."""
    c = assets.c
    within = _SQUARED <= bindparam("reach2", type_=Float)  # noqa: SIM300
    text = bindparam("text", type_=String)
    conditions: dict[str, list[Any]] = {
        "public": [c.visibility == "public"],
        "category": [c.category == bindparam("category")],
        "text": [or_(func.lower(c.name).like(text), func.lower(c.description).like(text))],
        "free": [c.cost == "free"],
        "step_free": [c.step_free.is_(True)],
        "age": [
            or_(c.age_min.is_(None), c.age_min <= bindparam("age")),
            or_(c.age_max.is_(None), c.age_max >= bindparam("age")),
        ],
        "organisation_id": [c.organisation_id == bindparam("organisation_id")],
        "modified_after": [c.updated_at > bindparam("modified_after")],
        "located": [or_(c.lon.is_not(None), c.address != "")],  # a position or an address
        "taxonomy_term": [
            c.taxonomy_terms.cast(Text()).like(bindparam("taxonomy_term"), escape="\\")
        ],
        "target_group": [c.target_groups.cast(Text()).like(bindparam("target_group"), escape="\\")],
        "near": [c.lon.is_not(None), c.lat.is_not(None)],
        # the grid cells a circle touches: the covering cell index finds and ranks them
        "cells": [c.cell.in_(bindparam("cells", expanding=True)), within],
        # a wide circle: the cells from its south-west to its north-east corner (a band of
        # latitude) and its longitudes, both read from the same index
        "box": [
            c.cell.between(bindparam("first_cell"), bindparam("last_cell")),
            c.lon.between(bindparam("west"), bindparam("east")),
            within,
        ],
        "place": [c.lsoa11_code.in_(bindparam("place_codes", expanding=True))],
    }
    return conditions[name]


@lru_cache(maxsize=256)
def _search_statements(shape: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """For one combination of search filters: the statements of a page's ids and versions, of
    the count, and of every matching row in order. Built once and reused, so a search spends
    its time in the database rather than building SQL."""
    where = [*live_assets(), *(condition for name in shape for condition in _filter(name))]
    order = (
        [_SQUARED, assets.c.name, assets.c.id] if "near" in shape else [assets.c.name, assets.c.id]
    )
    keys = (
        select(assets.c.id, assets.c.version)
        .where(*where)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    count = select(func.count()).select_from(assets).where(*where)
    return keys, count, select_assets().where(*where).order_by(*order)


def live_assets() -> tuple[Any, ...]:
    """Conditions of assets that count: not deleted, not merged into another."""
    return (assets.c.deleted_at.is_(None), assets.c.merged_into.is_(None))


def select_assets() -> Any:
    """SELECT of assets with their organisation's name (read with :func:`asset_from_row`)."""
    return select(assets, organisations.c.name.label("organisation_name")).outerjoin(
        organisations, organisations.c.id == assets.c.organisation_id
    )


def _comparable(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 7)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and value.startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def asset_from_row(row: Any, *, near: tuple[float, float] | None = None) -> Asset:
    """An :class:`Asset` from a row of :func:`select_assets`."""
    m = row._mapping
    return Asset(
        id=m["id"],
        name=m["name"],
        description=m["description"],
        kind=m["kind"],
        category=m["category"],
        status=m["status"],
        taxonomy_terms=list(m["taxonomy_terms"] or []),
        lon=m["lon"],
        lat=m["lat"],
        geometry=json.loads(m["geometry"]) if m["geometry"] else None,
        geocode_precision=m["geocode_precision"],
        address=m["address"],
        postcode=m["postcode"],
        lsoa11_code=m["lsoa11_code"],
        organisation_id=m["organisation_id"],
        organisation=m["organisation_name"] or "",
        email=m["email"],
        phone=m["phone"],
        url=m["url"],
        schedule=list(m["schedule"] or []),
        step_free=m["step_free"],
        accessible_toilet=m["accessible_toilet"],
        hearing_loop=m["hearing_loop"],
        languages=list(m["languages"] or []),
        cost=m["cost"],
        age_min=m["age_min"],
        age_max=m["age_max"],
        target_groups=list(m["target_groups"] or []),
        capacity=m["capacity"],
        capacity_unit=m["capacity_unit"],
        source=m["source"],
        source_id=m["source_id"],
        licence=m["licence"],
        provenance=list(m["provenance"] or []),
        assured_date=m["assured_date"],
        visibility=m["visibility"],
        extra=dict(m["extra"] or {}),
        version=m["version"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        updated_by=m["updated_by"],
        distance_m=(
            round(distance_m(near[0], near[1], m["lon"], m["lat"]), 1)
            if near is not None and m["lon"] is not None and m["lat"] is not None
            else None
        ),
    )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _json_item(value: str) -> str:
    """A LIKE pattern matching ``value`` as one whole string inside a JSON list."""
    quoted = json.dumps(value)
    return "%" + quoted.replace("%", "\\%").replace("_", "\\_") + "%"


DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def is_open(schedule: Sequence[Mapping[str, Any]], when: datetime) -> bool:
    """Whether a weekly HSDS-style schedule (``byday`` "MO,TU", ``opens_at``/``closes_at``
    "HH:MM") has the asset open at ``when`` (local time)."""
    day = DAYS[when.weekday()]
    minute = when.hour * 60 + when.minute
    for slot in schedule:
        days = {d.strip().upper()[:2] for d in str(slot.get("byday") or "").split(",") if d.strip()}
        if days and day not in days:
            continue
        opens, closes = _minutes(slot.get("opens_at")), _minutes(slot.get("closes_at"))
        if opens is None or closes is None:
            continue
        if opens <= minute < closes or (closes <= opens and (minute >= opens or minute < closes)):
            return True
    return False


def _minutes(text: Any) -> int | None:
    try:
        hours, minutes = str(text).split(":")[:2]
        return int(hours) * 60 + int(minutes)
    except (ValueError, TypeError):
        return None

"""How assets sit in the database: their columns, the live ones, reading a row as an
:class:`~mobilise.workspace.asset_records.Asset`, the areas a point falls in.

Shared by the register's services (imports, search, edits, duplicates, quality, access), so none
of them has to import another.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from mobilise.errors import NotFound
from mobilise.geo import METRES_PER_DEGREE
from mobilise.store.tables import areas, assets, organisations, place_areas, places
from mobilise.workspace._common import none_if_missing
from mobilise.workspace.asset_records import Asset

__all__ = [
    "EDITABLE",
    "LOCATION_FIELDS",
    "RECORD_FIELDS",
    "areas_of",
    "asset_from_row",
    "distance_m",
    "live_assets",
    "place_codes",
    "select_assets",
]

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

_PLAIN_TYPES = (str, list, dict, bool, int, type(None), date)


def plain(value: Any) -> Any:
    """A record value as stored: plain Python values as they are, NaN and numpy scalars fixed."""
    kind = type(value)
    if kind in _PLAIN_TYPES:  # the common case, checked without isinstance chains
        return value
    if kind is float:
        return None if value != value else value
    return none_if_missing(value)


def comparable(value: Any) -> Any:
    """A stored or read value in the form in which two of them compare (dates, JSON text)."""
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


def jsonable(value: Any) -> Any:
    """A value fit for the audit trail's JSON (dates as ISO 8601 text)."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres on a local flat projection around the first point (equirectangular).

    Within 0.1% of the great-circle distance up to tens of kilometres, and simple enough for the
    database to compute, so searches order and cut by distance in SQL with the same formula.
    """
    scale = math.cos(math.radians(lat1))
    return METRES_PER_DEGREE * math.hypot((lon2 - lon1) * scale, lat2 - lat1)


def live_assets() -> tuple[Any, ...]:
    """Conditions of assets that count: not deleted, not merged into another."""
    return (assets.c.deleted_at.is_(None), assets.c.merged_into.is_(None))


def select_assets() -> Any:
    """SELECT of assets with their organisation's name (read with :func:`asset_from_row`)."""
    return select(assets, organisations.c.name.label("organisation_name")).outerjoin(
        organisations, organisations.c.id == assets.c.organisation_id
    )


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


def place_codes(connection: Connection, slug: str) -> set[str]:
    """The area codes of the place ``slug`` (NotFound when there is no such place)."""
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


def areas_of(
    connection: Connection, points: Sequence[tuple[float | None, float | None]]
) -> list[str | None]:
    """The stored LSOA 2011 each (lon, lat) point falls in (point in polygon), or None."""
    import numpy as np
    import shapely

    located = [(i, lon, lat) for i, (lon, lat) in enumerate(points) if lon is not None]
    found: list[str | None] = [None] * len(points)
    if not located:
        return found
    lons = np.array([p[1] for p in located])
    lats = np.array([p[2] for p in located])
    rows = connection.execute(
        select(areas.c.code, areas.c.geometry).where(
            areas.c.area_type == "lsoa11",
            areas.c.geometry.is_not(None),
            areas.c.deleted_at.is_(None),
            areas.c.max_lon >= lons.min(),
            areas.c.min_lon <= lons.max(),
            areas.c.max_lat >= lats.min(),
            areas.c.min_lat <= lats.max(),
        )
    ).all()
    if not rows:
        return found
    codes = [r.code for r in rows]
    tree = shapely.STRtree(shapely.from_geojson([r.geometry for r in rows]))
    point_index, area_index = tree.query(shapely.points(lons, lats), predicate="intersects")
    for p, a in zip(point_index.tolist(), area_index.tolist(), strict=True):
        slot = located[p][0]
        if found[slot] is None:
            found[slot] = codes[a]
    return found

"""Writing area rows: boundaries (created or updated by code) and the links between areas.

Private helpers of :mod:`mobilise.workspace.area_imports`; each takes the open connection of the
import's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, insert, update

from mobilise.store.records import new_id, record_values
from mobilise.store.tables import area_links, areas
from mobilise.workspace._common import Progress, chunked, none_if_missing, stored_area_codes

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "area_records",
    "int_or_none",
    "parent_columns",
    "parent_links",
    "replace_links",
    "store_areas",
]

_PARENT_PREFIXES = ("LAD", "MSOA", "WD", "CCG", "ICB", "SICBL", "RGN", "CTY", "UTLA", "LTLA")
_BATCH = 2000  # rows per executemany batch
# The columns an update of a known area sets from the file.
_UPDATED = ("name", "area_type", "geometry", "min_lon", "min_lat", "max_lon", "max_lat")


def area_records(
    frame: gpd.GeoDataFrame, kind: str, dataset_id: str | None
) -> list[dict[str, Any]]:
    """One row per area of a boundary file: code, name, GeoJSON text, bounding box, and the
    polygon's representative point (``_point``, the centroid of a new area)."""
    import shapely

    geometries = frame.geometry.values
    texts = shapely.to_geojson(geometries)
    bounds = shapely.bounds(geometries)
    points = shapely.get_coordinates(shapely.point_on_surface(geometries))
    return [
        {
            "code": str(code),
            "name": str(name) if isinstance(name, str) and name else str(code),
            "area_type": kind,
            "geometry": text,
            "min_lon": float(b[0]),
            "min_lat": float(b[1]),
            "max_lon": float(b[2]),
            "max_lat": float(b[3]),
            "dataset_id": dataset_id,
            "_point": (float(p[0]), float(p[1])),
        }
        for code, name, text, b, p in zip(
            frame["code"], frame["name"], texts, bounds, points, strict=True
        )
    ]


def store_areas(
    connection: Connection, records: Sequence[dict[str, Any]], actor: str, progress: Progress
) -> tuple[int, int]:
    """Create the areas whose codes are new and update the known ones (a deleted area comes
    back); returns (created, updated)."""
    existing = stored_area_codes(connection, [r["code"] for r in records], include_deleted=True)
    stamp = record_values(actor)
    created = updated = 0
    total = len(records)
    for start in range(0, total, _BATCH):
        chunk = records[start : start + _BATCH]
        new = [r for r in chunk if r["code"] not in existing]
        old = [r for r in chunk if r["code"] in existing]
        if new:
            connection.execute(insert(areas), [_new_area(r, stamp) for r in new])
        if old:
            _update_areas(connection, old, stamp)
        created += len(new)
        updated += len(old)
        progress("Storing areas", min(start + _BATCH, total), total)
    return created, updated


def _new_area(record: dict[str, Any], stamp: dict[str, Any]) -> dict[str, Any]:
    lon, lat = record["_point"]
    values = {k: v for k, v in record.items() if k != "_point"}
    return {
        **values,
        "id": new_id(),
        "centroid_lon": lon,
        "centroid_lat": lat,
        "centroid_method": "polygon_point",
        **stamp,
    }


def _update_areas(
    connection: Connection, records: Sequence[dict[str, Any]], stamp: dict[str, Any]
) -> None:
    connection.execute(
        update(areas)
        .where(areas.c.code == bindparam("b_code"))
        .values(
            **{column: bindparam(column) for column in (*_UPDATED, "dataset_id")},
            deleted_at=None,
            deleted_by=None,
            updated_at=bindparam("updated_at"),
            updated_by=bindparam("updated_by"),
            version=areas.c.version + 1,
        ),
        [
            {
                **{k: r[k] for k in (*_UPDATED, "dataset_id")},
                "b_code": r["code"],
                "updated_at": stamp["updated_at"],
                "updated_by": stamp["updated_by"],
            }
            for r in records
        ],
    )


def parent_columns(columns: Sequence[str]) -> list[tuple[str, str | None, str]]:
    """(code column, name column, related type) of parent geographies among file columns."""
    upper = {c.upper(): c for c in columns}
    found = []
    for name in columns:
        key = name.upper()
        if not key.endswith("CD") or key in ("CODE",):
            continue
        stem = key[:-2]
        prefix = stem.rstrip("0123456789")
        year = stem[len(prefix) :]
        if prefix in _PARENT_PREFIXES and len(year) == 2:
            found.append((name, upper.get(stem + "NM"), f"{prefix.lower()}{year}"))
    return found


def parent_links(
    frame: gpd.GeoDataFrame, code_column: str, name_column: str | None
) -> list[tuple[str, str, str]]:
    """(area code, parent code, parent name) of the areas that name a parent in ``code_column``."""
    return [
        (str(code), str(parent), str(parent_name) if name_column else "")
        for code, parent, parent_name in zip(
            frame["code"],
            frame[code_column],
            frame[name_column] if name_column else frame[code_column],
            strict=True,
        )
        if isinstance(parent, str) and parent
    ]


def replace_links(
    connection: Connection,
    rows: Sequence[tuple[str, ...]],
    *,
    relation: str,
    related_type: str,
    dataset_id: str | None,
    actor: str,
) -> int:
    """Replace the links of one related type for the areas in ``rows`` (code, related, name[, detail])."""
    for chunk in chunked(sorted({r[0] for r in rows})):
        connection.execute(
            delete(area_links).where(
                area_links.c.related_type == related_type, area_links.c.area_code.in_(chunk)
            )
        )
    if not rows:
        return 0
    stamp = record_values(actor)
    unique = {(r[0], r[1]): r for r in rows}
    connection.execute(
        insert(area_links),
        [
            {
                "id": new_id(),
                "area_code": r[0],
                "relation": relation,
                "related_type": related_type,
                "related_code": r[1],
                "related_name": r[2] if len(r) > 2 else "",
                "detail": r[3] if len(r) > 3 else "",
                "dataset_id": dataset_id,
                **stamp,
            }
            for r in unique.values()
        ],
    )
    return len(unique)


def int_or_none(value: Any) -> int | None:
    value = none_if_missing(value)
    return None if value is None else int(value)

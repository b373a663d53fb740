"""Importing areas: boundaries, lookups (parents, successors, classifications), centroids and
population. :class:`mobilise.workspace.areas.AreaService` carries these methods.

Boundaries and indicators are strict: every row must be good or nothing is stored. Lookups,
centroids and population usually come as national files, so their rows for areas the workspace
does not hold are skipped and counted in the summary's notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely
from sqlalchemy import Connection, bindparam, delete, insert, update

from mobilise.errors import Problem, ValidationError
from mobilise.model.areas import LOOKUP_KINDS
from mobilise.store.records import audit, new_id, now, record_values
from mobilise.store.tables import area_links, areas, population
from mobilise.workspace._common import (
    ImportSummary,
    Progress,
    chunked,
    no_progress,
    none_if_missing,
    stored_area_codes,
)

if TYPE_CHECKING:
    from mobilise.model.areas import BoundaryData
    from mobilise.workspace.core import Workspace

__all__ = ["AreaImports"]

_PARENT_PREFIXES = ("LAD", "MSOA", "WD", "CCG", "ICB", "SICBL", "RGN", "CTY", "UTLA", "LTLA")
_BATCH = 2000  # rows per executemany batch


class AreaImports:
    """The import half of the area service."""

    _ws: Workspace

    def import_boundaries(
        self,
        data: BoundaryData,
        *,
        area_type: str | None = None,
        dataset_id: str | None = None,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """Store the areas of a boundary file (new codes are created, known ones updated).

        Columns of the file named like ``LAD22CD``/``MSOA11CD`` (with ``..NM`` names) become the
        areas' parents. Each area gets its polygon's representative point as centroid until a
        population-weighted centroid is imported.
        """
        kind = area_type or data.area_type
        if not kind:
            raise ValidationError(
                f"{data.file}: cannot tell which kind of area this is from its code column; "
                "give the area type (e.g. --area-type lsoa11)."
            )
        frame = data.areas
        geometries = frame.geometry.values
        texts = shapely.to_geojson(geometries)
        bounds = shapely.bounds(geometries)
        points = shapely.get_coordinates(shapely.point_on_surface(geometries))
        records = [
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
        parents = _parent_columns(list(frame.columns))
        stamp = record_values(self._ws.actor)
        created = updated = 0
        links = 0
        with self._ws.write() as connection:
            existing = stored_area_codes(
                connection, [r["code"] for r in records], include_deleted=True
            )
            total = len(records)
            for start in range(0, total, _BATCH):
                chunk = records[start : start + _BATCH]
                new = [r for r in chunk if r["code"] not in existing]
                old = [r for r in chunk if r["code"] in existing]
                if new:
                    connection.execute(
                        insert(areas),
                        [
                            {
                                **{k: v for k, v in r.items() if k != "_point"},
                                "id": new_id(),
                                "centroid_lon": r["_point"][0],
                                "centroid_lat": r["_point"][1],
                                "centroid_method": "polygon_point",
                                **stamp,
                            }
                            for r in new
                        ],
                    )
                if old:
                    connection.execute(
                        update(areas)
                        .where(areas.c.code == bindparam("b_code"))
                        .values(
                            name=bindparam("name"),
                            area_type=bindparam("area_type"),
                            geometry=bindparam("geometry"),
                            min_lon=bindparam("min_lon"),
                            min_lat=bindparam("min_lat"),
                            max_lon=bindparam("max_lon"),
                            max_lat=bindparam("max_lat"),
                            dataset_id=bindparam("dataset_id"),
                            deleted_at=None,
                            deleted_by=None,
                            updated_at=bindparam("updated_at"),
                            updated_by=bindparam("updated_by"),
                            version=areas.c.version + 1,
                        ),
                        [
                            {
                                **{k: v for k, v in r.items() if k not in ("_point", "code")},
                                "b_code": r["code"],
                                "updated_at": stamp["updated_at"],
                                "updated_by": stamp["updated_by"],
                            }
                            for r in old
                        ],
                    )
                created += len(new)
                updated += len(old)
                progress("Storing areas", min(start + _BATCH, total), total)
            for code_column, name_column, related_type in parents:
                link_rows = [
                    (str(code), str(parent), str(pname) if name_column else "")
                    for code, parent, pname in zip(
                        frame["code"],
                        frame[code_column],
                        frame[name_column] if name_column else frame[code_column],
                        strict=True,
                    )
                    if isinstance(parent, str) and parent
                ]
                links += _replace_links(
                    connection,
                    link_rows,
                    relation="parent",
                    related_type=related_type,
                    dataset_id=dataset_id,
                    actor=self._ws.actor,
                )
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="areas",
                entity_id=dataset_id or data.file,
                action="import",
                summary=f"{data.file}: {created} {kind} areas created, {updated} updated, "
                f"{links} parent links",
            )
        return ImportSummary(data.file, created=created, updated=updated, links=links)

    def import_lookup(
        self, path: str | Path, *, kind: str, dataset_id: str | None = None
    ) -> ImportSummary:
        """Read a lookup file of one of the :data:`LOOKUP_KINDS` and store it for stored areas."""
        from mobilise.formats import lookups

        file = Path(path).name
        if kind == "msoa11":
            return self.import_links(
                lookups.read_lsoa_msoa(path),
                relation="parent",
                related_type="msoa11",
                file=file,
                code_column="lsoa11_code",
                related_code_column="msoa11_code",
                related_name_column="msoa11_name",
                dataset_id=dataset_id,
            )
        if kind == "lsoa21":
            table = lookups.read_lsoa11_lsoa21_lad22(path)
            with self._ws.write():  # both link kinds or neither
                parents = self._lsoa21_parents(table, file, dataset_id)
                successors = self._lsoa21_successors(table, file, dataset_id)
            return ImportSummary(
                file, links=parents.links + successors.links, notes=successors.notes
            )
        if kind == "rural-urban":
            return self.import_links(
                lookups.read_rural_urban(path),
                relation="classification",
                related_type="ruc11",
                file=file,
                related_code_column="ruc11_code",
                related_name_column="ruc11_name",
                dataset_id=dataset_id,
            )
        if kind == "centroids":
            centroids = lookups.read_centroids(path)
            method = "method" if "method" in centroids.columns else None
            return self.import_centroids(centroids, file=file, method_column=method)
        raise ValidationError(
            f"Unknown lookup kind {kind!r}: use one of {', '.join(LOOKUP_KINDS)}.",
            problems=[Problem(f"unknown kind {kind!r}", field="kind")],
        )

    def _lsoa21_parents(
        self, table: pd.DataFrame, file: str, dataset_id: str | None
    ) -> ImportSummary:
        return self.import_links(
            table,
            relation="parent",
            related_type="lad22",
            file=file,
            code_column="lsoa11_code",
            related_code_column="lad22_code",
            related_name_column="lad22_name",
            dataset_id=dataset_id,
        )

    def _lsoa21_successors(
        self, table: pd.DataFrame, file: str, dataset_id: str | None
    ) -> ImportSummary:
        return self.import_links(
            table,
            relation="successor",
            related_type="lsoa21",
            file=file,
            code_column="lsoa11_code",
            related_code_column="lsoa21_code",
            related_name_column="lsoa21_name",
            detail_column="change",
            dataset_id=dataset_id,
        )

    def import_links(
        self,
        links: pd.DataFrame,
        *,
        relation: str,
        related_type: str,
        file: str,
        code_column: str = "area_code",
        related_code_column: str = "related_code",
        related_name_column: str | None = None,
        detail_column: str | None = None,
        dataset_id: str | None = None,
    ) -> ImportSummary:
        """Store lookups of stored areas: parents (e.g. MSOA 2011), successors (LSOA 2021) or
        classifications (rural-urban). Rows for areas not in the workspace are skipped and counted.
        """
        with self._ws.write() as connection:
            known = stored_area_codes(connection, links[code_column].astype(str).tolist())
            rows = []
            for record in links.to_dict("records"):
                code = str(record[code_column])
                related = record[related_code_column]
                if code not in known or not isinstance(related, str) or not related:
                    continue
                name = record[related_name_column] if related_name_column else ""
                detail = record[detail_column] if detail_column else ""
                rows.append(
                    (
                        code,
                        related,
                        name if isinstance(name, str) else "",
                        detail if isinstance(detail, str) else "",
                    )
                )
            count = _replace_links(
                connection,
                rows,
                relation=relation,
                related_type=related_type,
                dataset_id=dataset_id,
                actor=self._ws.actor,
            )
            skipped = len(links) - len(rows)
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="area_links",
                entity_id=dataset_id or file,
                action="import",
                summary=f"{file}: {count} {relation} links to {related_type}",
            )
        notes = [f"{skipped} rows for areas not in the workspace were skipped"] if skipped else []
        return ImportSummary(file, links=count, notes=notes)

    def import_centroids(
        self,
        centroids: pd.DataFrame,
        *,
        file: str,
        method_column: str | None = None,
        method: str = "population_weighted",
    ) -> ImportSummary:
        """Set the centroids of stored areas from ``area_code, lon, lat`` (WGS84, as
        :func:`mobilise.formats.lookups.read_centroids` returns them, already checked)."""
        with self._ws.write() as connection:
            known = stored_area_codes(connection, centroids["area_code"].astype(str).tolist())
            updates = [
                {
                    "b_code": record["area_code"],
                    "centroid_lon": float(record["lon"]),
                    "centroid_lat": float(record["lat"]),
                    "centroid_method": str(record[method_column]) if method_column else method,
                }
                for record in centroids.to_dict("records")
                if record["area_code"] in known
            ]
            if updates:
                connection.execute(
                    update(areas)
                    .where(areas.c.code == bindparam("b_code"))
                    .values(
                        centroid_lon=bindparam("centroid_lon"),
                        centroid_lat=bindparam("centroid_lat"),
                        centroid_method=bindparam("centroid_method"),
                        updated_at=now(),
                        updated_by=self._ws.actor,
                        version=areas.c.version + 1,
                    ),
                    updates,
                )
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="areas",
                entity_id=file,
                action="import",
                summary=f"{file}: centroids of {len(updates)} areas",
            )
        return ImportSummary(file, updated=len(updates), unchanged=len(centroids) - len(updates))

    def import_population(
        self,
        table: pd.DataFrame,
        *,
        file: str,
        period: str,
        dataset_id: str | None = None,
    ) -> ImportSummary:
        """Store population counts (``area_code, total`` and optional age bands) for ``period``.

        Rows for areas not stored in the workspace are skipped and counted in the summary notes.
        """
        columns = ["total", "age_0_15", "age_16_59", "age_60_plus", "working_age"]
        stamp = record_values(self._ws.actor)
        with self._ws.write() as connection:
            known = stored_area_codes(connection, table["area_code"].astype(str).tolist())
            rows = []
            for record in table.to_dict("records"):
                if record["area_code"] not in known:
                    continue
                rows.append(
                    {
                        "id": new_id(),
                        "area_code": record["area_code"],
                        "period": period,
                        "dataset_id": dataset_id,
                        **{c: _int_or_none(record.get(c)) for c in columns},
                        **stamp,
                    }
                )
            for chunk in chunked([r["area_code"] for r in rows]):
                connection.execute(
                    delete(population).where(
                        population.c.period == period, population.c.area_code.in_(chunk)
                    )
                )
            if rows:
                connection.execute(insert(population), rows)
            audit(
                connection,
                actor=self._ws.actor,
                entity_type="population",
                entity_id=dataset_id or file,
                action="import",
                summary=f"{file}: population {period} of {len(rows)} areas",
            )
        notes = []
        if len(rows) < len(table):
            notes.append(f"{len(table) - len(rows)} rows for areas not in the workspace skipped")
        return ImportSummary(file, created=len(rows), notes=notes)

    # -- reading -----------------------------------------------------------------------------


def _parent_columns(columns: Sequence[str]) -> list[tuple[str, str | None, str]]:
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


def _replace_links(
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


def _int_or_none(value: Any) -> int | None:
    value = none_if_missing(value)
    return None if value is None else int(value)

"""Importing areas: boundaries, lookups (parents, successors, classifications), centroids and
population. :class:`mobilise.workspace.areas.AreaService` carries these methods.

Each verb takes the file itself — a path, its bytes or a binary stream (``name=`` names bytes and
streams in messages) — and reads it here through :mod:`mobilise.formats`; a notebook user may hand
over what a reader returned instead (a :class:`~mobilise.model.areas.BoundaryData`, a table).

Boundaries and indicators are strict: every row must be good or nothing is stored. Lookups,
centroids and population usually come as national files, so their rows for areas the workspace
does not hold are skipped and counted in the summary's notes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import bindparam, delete, insert, update

from mobilise.errors import Problem, ValidationError
from mobilise.model.areas import LOOKUP_KINDS, BoundaryData
from mobilise.store.records import new_id, now, record_values
from mobilise.store.tables import areas, population
from mobilise.workspace._area_rows import (
    area_records,
    int_or_none,
    parent_columns,
    parent_links,
    replace_links,
    store_areas,
)
from mobilise.workspace._common import (
    ImportSummary,
    Progress,
    chunked,
    no_progress,
    stored_area_codes,
)
from mobilise.workspace._files import FileSource, reading_path, source_name
from mobilise.workspace._imports import audit_import, table_of
from mobilise.workspace.datasets import file_dataset

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["AreaImports"]

_POPULATION_COLUMNS = ("total", "age_0_15", "age_16_59", "age_60_plus", "working_age")


@dataclass(frozen=True)
class _Links:
    """One kind of link a lookup file gives: the arguments of :meth:`AreaImports.import_links`."""

    relation: str
    related_type: str
    related_code_column: str
    related_name_column: str | None
    code_column: str = "lsoa11_code"
    detail_column: str | None = None


# lookup kind -> (reader in mobilise.formats.lookups, the links its table gives)
_LOOKUPS: dict[str, tuple[str, tuple[_Links, ...]]] = {
    "msoa11": ("read_lsoa_msoa", (_Links("parent", "msoa11", "msoa11_code", "msoa11_name"),)),
    "lsoa21": (
        "read_lsoa11_lsoa21_lad22",
        (
            _Links("parent", "lad22", "lad22_code", "lad22_name"),
            _Links("successor", "lsoa21", "lsoa21_code", "lsoa21_name", detail_column="change"),
        ),
    ),
    "rural-urban": (
        "read_rural_urban",
        (_Links("classification", "ruc11", "ruc11_code", "ruc11_name", code_column="area_code"),),
    ),
}


class AreaImports:
    """The import half of the area service."""

    _ws: Workspace

    def import_boundaries(
        self,
        source: FileSource | BoundaryData,
        *,
        name: str | None = None,
        area_type: str | None = None,
        code_field: str | None = None,
        name_field: str | None = None,
        layer: str | None = None,
        fix_invalid: bool = False,
        dataset_id: str | None = None,
        source_title: str | None = None,
        source_licence: str | None = None,
        place: str | None = None,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """Store the areas of a boundary file (new codes are created, known ones updated).

        Columns of the file named like ``LAD22CD``/``MSOA11CD`` (with ``..NM`` names) become the
        areas' parents. Each area gets its polygon's representative point as centroid until a
        population-weighted centroid is imported.

        Parameters
        ----------
        source
            A GeoJSON, GeoPackage or (zipped) shapefile: its path, bytes or a binary stream; or
            the :class:`BoundaryData` :func:`mobilise.formats.ons.read_boundaries` returned.
        name
            The file's name, for bytes and streams (its suffix says the format).
        area_type
            Kind and vintage of the areas (e.g. ``lsoa11``); by default the code field's.
        code_field, name_field, layer, fix_invalid
            How to read the file (see :func:`~mobilise.formats.ons.read_boundaries`).
        source_title, source_licence
            The file's source, when the user names it: registered as the areas' dataset in the
            same transaction (see :meth:`DatasetService.register_file`).
        place
            Also add the areas to this place (in the same transaction).

        The file is read and checked before the transaction starts: other writers wait only
        while the areas are stored.
        """
        if isinstance(source, BoundaryData):
            data = source
        else:
            from mobilise.formats.ons import read_boundaries

            with reading_path(source, name=name, limits=self._ws.limits) as path:
                data = read_boundaries(
                    path,
                    limits=self._ws.limits,
                    code_field=code_field,
                    name_field=name_field,
                    layer=layer,
                    fix_invalid=fix_invalid,
                )
        kind = area_type or data.area_type
        if not kind:
            raise ValidationError(
                f"{data.file}: cannot tell which kind of area this is from its code column; "
                "give the area type (e.g. --area-type lsoa11).",
                problems=[Problem("the area type is unknown", file=data.file, field="area_type")],
            )
        described = file_dataset(data.file, title=source_title, licence=source_licence)
        if dataset_id is None and described is not None:
            dataset_id = str(described["id"])
        records = area_records(data.areas, kind, dataset_id)
        with self._ws.write() as connection:
            if described is not None:
                self._ws.datasets.register(described)
            created, updated = store_areas(connection, records, self._ws.actor, progress)
            links = sum(
                replace_links(
                    connection,
                    parent_links(data.areas, code_column, name_column),
                    relation="parent",
                    related_type=related_type,
                    dataset_id=dataset_id,
                    actor=self._ws.actor,
                )
                for code_column, name_column, related_type in parent_columns(
                    list(data.areas.columns)
                )
            )
            audit_import(
                connection,
                self._ws.actor,
                entity_type="areas",
                entity_id=dataset_id or data.file,
                summary=f"{data.file}: {created} {kind} areas created, {updated} updated, "
                f"{links} parent links",
            )
            if place:
                self._ws.places.add_areas(place, area_codes=[r["code"] for r in records])
        return ImportSummary(data.file, created=created, updated=updated, links=links)

    def import_lookup(
        self,
        source: FileSource,
        *,
        kind: str,
        name: str | None = None,
        dataset_id: str | None = None,
        source_title: str | None = None,
        source_licence: str | None = None,
    ) -> ImportSummary:
        """Read a lookup file of one of the :data:`LOOKUP_KINDS` and store it for stored areas.

        ``source`` is the file's path, bytes or a binary stream (``name`` names bytes and
        streams). Parents, successors and classifications of one file are stored together or not
        at all, with the file's dataset when the user names its ``source_title`` or
        ``source_licence``; the file is read before the transaction starts.
        """
        if kind not in LOOKUP_KINDS:
            raise ValidationError(
                f"Unknown lookup kind {kind!r}: use one of {', '.join(LOOKUP_KINDS)}.",
                problems=[Problem(f"unknown kind {kind!r}", field="kind")],
            )
        from mobilise.formats import lookups

        described = file_dataset(
            source_name(source, name), title=source_title, licence=source_licence
        )
        if dataset_id is None and described is not None:
            dataset_id = str(described["id"])
        if kind == "centroids":
            with reading_path(source, name=name, limits=self._ws.limits) as path:
                centroids = lookups.read_centroids(path, limits=self._ws.limits)
            method = "method" if "method" in centroids.columns else None
            with self._ws.write():
                if described is not None:
                    self._ws.datasets.register(described)
                return self.import_centroids(centroids, file=path.name, method_column=method)
        reader, kinds = _LOOKUPS[kind]
        with reading_path(source, name=name, limits=self._ws.limits) as path:
            table = getattr(lookups, reader)(path, limits=self._ws.limits)
        with self._ws.write():  # every link kind of the file, or none
            if described is not None:
                self._ws.datasets.register(described)
            done = [
                self.import_links(table, file=path.name, dataset_id=dataset_id, **asdict(links))
                for links in kinds
            ]
        # Every link kind reads the same rows, so they skip the same ones: one note says it.
        return ImportSummary(path.name, links=sum(s.links for s in done), notes=done[-1].notes)

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
            count = replace_links(
                connection,
                rows,
                relation=relation,
                related_type=related_type,
                dataset_id=dataset_id,
                actor=self._ws.actor,
            )
            skipped = len(links) - len(rows)
            audit_import(
                connection,
                self._ws.actor,
                entity_type="area_links",
                entity_id=dataset_id or file,
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
        :func:`mobilise.formats.lookups.read_centroids` returns them, already checked).

        A centroid file is imported with ``import_lookup(source, kind="centroids")``.
        """
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
            audit_import(
                connection,
                self._ws.actor,
                entity_type="areas",
                entity_id=file,
                summary=f"{file}: centroids of {len(updates)} areas",
            )
        return ImportSummary(file, updated=len(updates), unchanged=len(centroids) - len(updates))

    def import_population(
        self,
        source: FileSource | pd.DataFrame,
        *,
        period: str,
        name: str | None = None,
        file: str | None = None,
        dataset_id: str | None = None,
    ) -> ImportSummary:
        """Store population counts of stored areas for ``period``.

        Rows for areas not stored in the workspace are skipped and counted in the summary notes.

        Parameters
        ----------
        source
            IoD 2019 File 6 (population denominators; see
            :func:`mobilise.formats.imd.read_iod_population`) as a path, bytes or binary stream;
            or a table of ``area_code, total`` and optional age bands.
        period
            The period the counts describe, e.g. ``mid-2015``.
        name
            The file's name, for bytes and streams.
        file
            The name of a table, for messages and the audit trail.
        """
        from mobilise.formats.imd import read_iod_population

        table, file = table_of(
            source,
            partial(read_iod_population, limits=self._ws.limits),
            name=name,
            file=file,
            default="population",
            limits=self._ws.limits,
        )
        stamp = record_values(self._ws.actor)
        with self._ws.write() as connection:
            known = stored_area_codes(connection, table["area_code"].astype(str).tolist())
            rows = [
                {
                    "id": new_id(),
                    "area_code": record["area_code"],
                    "period": period,
                    "dataset_id": dataset_id,
                    **{c: int_or_none(record.get(c)) for c in _POPULATION_COLUMNS},
                    **stamp,
                }
                for record in table.to_dict("records")
                if record["area_code"] in known
            ]
            for chunk in chunked([r["area_code"] for r in rows]):
                connection.execute(
                    delete(population).where(
                        population.c.period == period, population.c.area_code.in_(chunk)
                    )
                )
            if rows:
                connection.execute(insert(population), rows)
            audit_import(
                connection,
                self._ws.actor,
                entity_type="population",
                entity_id=dataset_id or file,
                summary=f"{file}: population {period} of {len(rows)} areas",
            )
        notes = []
        if len(rows) < len(table):
            notes.append(f"{len(table) - len(rows)} rows for areas not in the workspace skipped")
        return ImportSummary(file, created=len(rows), notes=notes)

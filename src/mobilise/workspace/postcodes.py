"""Postcodes: offline postcode -> LSOA and coordinates from a stored lookup (OS Code-Point Open)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import delete, func, insert, select

from mobilise.errors import NotFound
from mobilise.formats.postcodes import POSTCODE_COLUMNS, read_postcode_lookup
from mobilise.geo import normalise_postcode
from mobilise.store.records import record_values
from mobilise.store.tables import areas, place_areas, places, postcodes
from mobilise.workspace._common import ImportSummary, Progress, chunked, no_progress
from mobilise.workspace._files import FileSource
from mobilise.workspace._imports import audit_import, table_of

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["GeocodeResult", "PostcodeService"]

_BATCH = 5000  # rows per executemany batch


@dataclass(frozen=True)
class GeocodeResult:
    postcode: str
    lon: float | None  # None: the lookup has no coordinates for it (Code-Point quality 90)
    lat: float | None
    easting: float | None
    northing: float | None
    lsoa11_code: str | None
    area_name: str | None
    lad_code: str | None
    quality: int | None
    places: list[str]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class PostcodeService:
    """Store a postcode lookup and geocode postcodes with it, offline."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def import_lookup(
        self,
        source: FileSource | pd.DataFrame,
        *,
        name: str | None = None,
        file: str | None = None,
        dataset_id: str | None = None,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """Replace stored postcodes with those of a postcode lookup.

        Parameters
        ----------
        source
            A postcode lookup file (see :func:`mobilise.formats.postcodes.read_postcode_lookup`)
            as a path, bytes or binary stream; or a table of its columns
            (:data:`~mobilise.formats.postcodes.POSTCODE_COLUMNS`).
        name
            The file's name, for bytes and streams.
        file
            The name of a table, for messages and the audit trail.
        """
        lookup, file = table_of(
            source,
            partial(read_postcode_lookup, limits=self._ws.limits),
            name=name,
            file=file,
            default="postcodes",
            limits=self._ws.limits,
        )
        stamp = record_values(self._ws.actor)
        columns = lookup[POSTCODE_COLUMNS]
        frame = columns.astype(object).where(columns.notna(), None)
        records = [
            {**dict(zip(POSTCODE_COLUMNS, row, strict=True)), "dataset_id": dataset_id, **stamp}
            for row in frame.itertuples(index=False, name=None)
        ]
        with self._ws.write() as connection:
            codes = [r["postcode"] for r in records]
            for chunk in chunked(codes):
                connection.execute(delete(postcodes).where(postcodes.c.postcode.in_(chunk)))
            for start in range(0, len(records), _BATCH):
                connection.execute(insert(postcodes), records[start : start + _BATCH])
                progress("Storing postcodes", min(start + _BATCH, len(records)), len(records))
            audit_import(
                connection,
                self._ws.actor,
                entity_type="postcodes",
                entity_id=dataset_id or file,
                summary=f"{file}: {len(records)} postcodes",
            )
        return ImportSummary(file, created=len(records))

    def count(self) -> int:
        with self._ws.read() as connection:
            return int(connection.execute(select(func.count()).select_from(postcodes)).scalar_one())

    def point(self, text: str) -> tuple[float, float]:
        """(lon, lat) of a postcode, to search around; NotFound when it has no location."""
        postcode = normalise_postcode(text)
        with self._ws.read() as connection:  # one indexed read: feeds call this per request
            row = connection.execute(
                select(postcodes.c.lon, postcodes.c.lat).where(postcodes.c.postcode == postcode)
            ).first()
        if row is None:
            self.geocode(postcode)  # raises NotFound, saying why
        if row is None or row.lon is None or row.lat is None:
            raise NotFound(f"Postcode {postcode} has no location in the lookup.")
        return row.lon, row.lat

    def geocode(self, text: str) -> GeocodeResult:
        """Coordinates, LSOA 2011 and places of a postcode.

        Raises
        ------
        ValidationError
            When ``text`` is not shaped like a UK postcode.
        NotFound
            When the postcode is not in the stored lookup.
        """
        postcode = normalise_postcode(text)
        with self._ws.read() as connection:
            row = connection.execute(
                select(postcodes, areas.c.name.label("area_name"))
                .outerjoin(areas, areas.c.code == postcodes.c.lsoa11_code)
                .where(postcodes.c.postcode == postcode)
            ).first()
            if row is None:
                stored = connection.execute(
                    select(func.count()).select_from(postcodes)
                ).scalar_one()
                hint = (
                    "the workspace has no postcode lookup yet (run `mobilise demo` or import one)"
                    if not stored
                    else f"it is not among the {stored:,} postcodes of the stored lookup"
                )
                raise NotFound(f"Postcode {postcode} not found: {hint}.")
            slugs = (
                list(
                    connection.execute(
                        select(places.c.slug)
                        .join(place_areas, place_areas.c.place_id == places.c.id)
                        .where(
                            place_areas.c.area_code == row.lsoa11_code,
                            places.c.deleted_at.is_(None),
                        )
                    ).scalars()
                )
                if row.lsoa11_code
                else []
            )
        return GeocodeResult(
            postcode=row.postcode,
            lon=row.lon,
            lat=row.lat,
            easting=row.easting,
            northing=row.northing,
            lsoa11_code=row.lsoa11_code,
            area_name=row.area_name,
            lad_code=row.lad_code,
            quality=row.quality,
            places=slugs,
        )

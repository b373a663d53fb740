"""Community asset files: the :class:`AssetRecord` every reader returns and the readers.

:func:`read_assets` reads CSV (any delimiter, BOM, gzip), Excel ``.xlsx``, GeoJSON (also
gzipped), GeoPackage (and other OGR files), Overpass JSON and ``.osm`` XML into an
:class:`AssetFile`: the valid records plus every problem of every invalid row. Readers raise
:class:`~mobilise.errors.ValidationError` only when the file as a whole cannot be read.

Columns are matched to asset fields by name (:data:`~.asset_vocab.FIELD_ALIASES`; ``column_map``
adds or overrides). Positions come from, in order: the feature geometry (polygons give their
representative point and keep the shape), ``lon``/``lat`` columns, then British National Grid
``easting``/``northing``. Day columns (``monday`` ... ``sunday``) fill the schedule when there is
no opening-hours column.

Websites become absolute http(s) URLs (``www.x.org`` -> ``https://www.x.org``; an email address
in the website column becomes the email when there is none), each change noted in the record's
``extra["mobilise:normalised"]``. Rows of the sources mobilise knows (the public libraries
dataset, Mapping Museums, the GLA Cultural Infrastructure Map, OpenStreetMap) that have no
description get one written from their own facts, and an organisation where the source names it
only indirectly (a library's council), marked in ``extra["mobilise:derived"]``.

Each record's ``source_id`` is the mapped id column, else the GeoJSON feature ``id``, else a
stable hash: ``"h:"`` and 16 hex digits of SHA-1 over the case-folded name with the longitude
and latitude rounded to 5 decimals (about 1 m), or the postcode or address when there are no
coordinates, so re-reading an unchanged file gives the same ids. Two rows with the same hash get
``~2``, ``~3`` ... in file order; two rows with the same given id are a problem.
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mobilise.errors import ConfigurationError, Problem, ValidationError
from mobilise.formats._asset_rows import (
    DAY_COLUMNS,
    TARGETS,
    Cells,
    Row,
    build_record,
    parse_opening_hours,
    place,
    python_value,
)
from mobilise.formats._limits import GZIP_MAGIC, check_rows, check_zip, inflate_gzip, load_json
from mobilise.formats._osm import (
    OVERPASS_URL,
    OsmElement,
    download_overpass,
    elements_from_features,
    elements_from_overpass,
    elements_from_xml,
    looks_like_osm,
    osm_cells,
    overpass_query,
)
from mobilise.formats._tables import PathLike, file_name, missing_column, read_table
from mobilise.formats.collector import collector_paused
from mobilise.model.asset_vocab import FIELD_ALIASES
from mobilise.model.assets import AssetFile, AssetRecord
from mobilise.settings import Limits

__all__ = [
    "FORMATS",
    "OVERPASS_URL",
    "assets_from_overpass",
    "download_overpass",
    "overpass_query",
    "parse_opening_hours",
    "read_assets",
]

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "overpass", "osm")
"""Values of ``read_assets(format=...)``."""

_EXTENSIONS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".shp": "gpkg", ".fgb": "gpkg",
    ".osm": "osm", ".xml": "osm",
}  # fmt: skip


def _unreadable(name: str, message: str, *, field: str | None = None) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as assets.",
        problems=[Problem(message, file=name, field=field)],
    )


def _format_of(path: Path, format: str | None) -> str:
    if format is not None:
        if format not in FORMATS:
            message = f"{format!r} is not a format; use one of {', '.join(FORMATS)}"
            raise _unreadable(path.name, message, field="format")
        return format
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    found = _EXTENSIONS.get(suffixes[-1] if suffixes else "")
    if found is None:
        raise _unreadable(
            path.name,
            "unknown file type; use .csv, .xlsx, .geojson, .json, .gpkg or .osm, or pass "
            f"format= (one of {', '.join(FORMATS)})",
        )
    return found


def _bytes(path: Path, limits: Limits | None) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path.name, f"cannot read the file: {exc.strerror or exc}") from exc
    if data[:2] == GZIP_MAGIC:
        data = inflate_gzip(data, name=path.name, limits=limits)
    return data


def read_assets(
    path: PathLike,
    *,
    format: str | None = None,
    column_map: Mapping[str, str] | None = None,
    source: str | None = None,
    licence: str = "",
    layer: str | None = None,
    limits: Limits | None = None,
) -> AssetFile:
    """Read community assets from a file.

    Parameters
    ----------
    path
        A ``.csv`` / ``.tsv`` (optionally ``.gz``), ``.xlsx``, ``.geojson`` / ``.json``
        (optionally ``.gz``; Overpass JSON is recognised by its ``elements``, and GeoJSON
        exported from overpass-turbo by its ``@id`` / OSM tag properties), ``.gpkg`` (or
        ``.shp``, ``.fgb``) or ``.osm`` file.
    format
        One of :data:`FORMATS`, to override the file extension.
    column_map
        File column -> asset field (an :class:`AssetRecord` field, or ``easting``,
        ``northing``, ``source_category``, ``closed``; ``""`` ignores the column). Fields not
        named here are still matched by column name. Not used for OSM data.
    source
        The source of every record; by default the file's ``source`` column (known publishers
        get a short key such as ``gla_cim``), else the file name.
    licence
        The licence of every record; by default a ``licence`` column, else the known
        publisher's licence.
    layer
        The GeoPackage layer or Excel sheet; needed when a GeoPackage has several layers.
    limits
        What the file may hold (rows, inflated size, nesting); by default the settings'
        defaults.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file cannot be read at all: unknown type, not JSON, no name or category
        column, a column of ``column_map`` missing. Bad rows are returned as ``problems``.
    mobilise.errors.ConfigurationError
        When reading ``.xlsx`` and openpyxl is not installed.
    """
    with collector_paused():  # a large file makes millions of objects that live on
        return _read_assets(
            Path(os.fspath(path)),
            format=format,
            column_map=column_map,
            source=source,
            licence=licence,
            layer=layer,
            limits=limits,
        )


def _read_assets(
    location: Path,
    *,
    format: str | None,
    column_map: Mapping[str, str] | None,
    source: str | None,
    licence: str,
    layer: str | None,
    limits: Limits | None,
) -> AssetFile:
    name = file_name(location)
    kind = _format_of(location, format)
    if kind in ("geojson", "overpass"):
        data = _json(location, limits)
        if kind == "overpass" or (isinstance(data, Mapping) and "elements" in data):
            return assets_from_overpass(data, source=source, licence=licence, file=name)
        rows = _geojson_rows(data, name)
        if column_map is None and looks_like_osm(rows):
            elements = elements_from_features(rows)
            check_rows(len(elements), name=name, limits=limits, what="features")
            return _from_osm(elements, file=name, source=source, licence=licence)
    elif kind == "osm":
        elements = elements_from_xml(_bytes(location, limits), file=name, limits=limits)
        check_rows(len(elements), name=name, limits=limits, what="elements")
        return _from_osm(elements, file=name, source=source, licence=licence)
    elif kind == "csv":
        try:
            table = read_table(location, limits=limits)
        except csv.Error as exc:  # e.g. a bare carriage return inside a field
            raise _unreadable(name, f"cannot parse the file as a table: {exc}") from exc
        columns = [str(c) for c in table.frame.columns]
        rows = [
            Row(int(index), dict(zip(columns, values, strict=True)))
            for index, values in zip(
                table.frame.index, table.frame.itertuples(index=False, name=None), strict=True
            )
        ]
    elif kind == "xlsx":
        check_zip(location, name=name, limits=limits)
        rows = _xlsx_rows(location, layer)
    else:
        rows = _vector_rows(location, layer)
    check_rows(len(rows), name=name, limits=limits)
    return _from_rows(rows, file=name, column_map=column_map, source=source, licence=licence)


def assets_from_overpass(
    data: Mapping[str, Any],
    *,
    source: str | None = None,
    licence: str = "",
    file: str = "overpass.json",
) -> AssetFile:
    """Assets from an Overpass JSON answer (e.g. from :func:`download_overpass`).

    Elements whose tags map to no category are skipped and counted in ``dropped`` under
    ``osm:unmapped``; elements without a name under ``osm:unnamed``. Source ids are
    ``node/123``, ``way/456``; the source is ``osm`` and the licence ``ODbL-1.0`` by default.
    """
    return _from_osm(
        elements_from_overpass(data, file=file), file=file, source=source, licence=licence
    )


def _json(path: Path, limits: Limits | None) -> Any:
    data = _bytes(path, limits)
    return load_json(
        data,
        name=path.name,
        limits=limits,
        unreadable=lambda error: _unreadable(path.name, f"the file is not JSON ({error})"),
    )


def _geojson_rows(data: Any, name: str) -> list[Row]:
    if isinstance(data, Mapping) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    features = data.get("features") if isinstance(data, Mapping) else None
    if not isinstance(features, list):
        raise _unreadable(name, 'not GeoJSON: expected a FeatureCollection with a "features" list')
    crs = _declared_crs(data, name)
    rows = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, Mapping):
            rows.append(Row(number, {}, error="this feature is not a JSON object"))
            continue
        properties = feature.get("properties")
        props = dict(properties) if isinstance(properties, Mapping) else {}
        feature_id = feature.get("id")
        rows.append(
            Row(
                number,
                props,
                geometry=feature.get("geometry"),
                crs=crs,
                feature_id=None if feature_id is None else str(feature_id),
            )
        )
    return rows


def _declared_crs(data: Mapping[str, Any], name: str) -> str | None:
    """A non-WGS84 CRS named by an old-style GeoJSON ``crs`` member, else None."""
    crs = data.get("crs")
    props = crs.get("properties") if isinstance(crs, Mapping) else None
    text = str(props.get("name", "")) if isinstance(props, Mapping) else ""
    if not text or text.upper().endswith(("CRS84", "EPSG::4326", "EPSG:4326")):
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text).to_string()
    except CRSError as exc:
        raise _unreadable(
            name, f"unknown coordinate reference system {text!r}", field="crs"
        ) from exc


def _xlsx_rows(path: Path, sheet: str | None) -> list[Row]:
    import pandas as pd

    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise ConfigurationError(
            "Reading Excel workbooks needs openpyxl: pip install 'mobilise[xlsx]'"
        ) from exc
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, engine="openpyxl", dtype=object)
    except (ValueError, KeyError, OSError) as exc:
        raise _unreadable(path.name, f"cannot read the workbook: {exc}") from exc
    except Exception as exc:  # openpyxl raises its own errors for damaged workbooks
        raise _unreadable(path.name, f"cannot read the workbook ({type(exc).__name__})") from exc
    columns = [str(c).strip() for c in frame.columns]
    return [
        Row(number, {c: python_value(v) for c, v in zip(columns, values, strict=True)})
        for number, values in enumerate(frame.itertuples(index=False, name=None), start=1)
    ]


def _vector_rows(path: Path, layer: str | None) -> list[Row]:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        layers = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
        if layer is None and len(layers) > 1:
            raise _unreadable(
                path.name, f"the file has layers {', '.join(layers)}; choose one with layer="
            )
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise _unreadable(path.name, f"cannot read the file: {exc}") from exc
    if frame.crs is None:
        raise _unreadable(path.name, "the layer has no coordinate reference system", field="crs")
    frame = frame.to_crs("EPSG:4326")
    columns = [c for c in frame.columns if c != frame.geometry.name]
    return [
        Row(number, {c: python_value(v) for c, v in zip(columns, values, strict=True)}, geometry=g)
        for number, (values, g) in enumerate(
            zip(frame[columns].itertuples(index=False, name=None), frame.geometry, strict=True),
            start=1,
        )
    ]


def _assign(columns: list[str], column_map: Mapping[str, str] | None, name: str) -> dict[str, str]:
    """File column -> field for every column used; checks ``column_map`` and required fields."""
    given = dict(column_map or {})
    problems = [missing_column(name, c, columns) for c in given if c not in columns]
    problems += [
        Problem(
            f"{target!r} is not an asset field; use one of {', '.join(sorted(TARGETS))}",
            file=name,
            field=column,
        )
        for column, target in given.items()
        if target and target not in TARGETS
    ]
    if problems:
        raise ValidationError(f"File {name}: the column map does not fit.", problems=problems)
    assigned = {c: t for c, t in given.items() if t}
    taken = set(given)
    free = [c for c in columns if c not in taken]
    normal = {c: c.strip().casefold().replace(" ", "_").replace("-", "_") for c in free}
    for target, aliases in FIELD_ALIASES.items():
        if target in assigned.values():
            continue
        matches = [c for a in aliases for c in free if normal[c] == a and c not in assigned]
        for column in matches if target == "address" else matches[:1]:
            assigned[column] = target
    if "status" in assigned.values():
        assigned = {c: t for c, t in assigned.items() if t != "closed"}
    if "schedule" not in assigned.values():
        for column in free:
            if column not in assigned and normal[column] in DAY_COLUMNS:
                assigned[column] = f"day:{DAY_COLUMNS[normal[column]]}"
    targets = set(assigned.values())
    hint = "name it with column_map={'Your column': '%s'}"
    if "name" not in targets:
        problems.append(missing_column(name, "name", columns, hint=hint % "name"))
    if not targets & {"category", "source_category", "taxonomy_terms"}:
        problems.append(missing_column(name, "category", columns, hint=hint % "category"))
    if problems:
        raise ValidationError(f"File {name} cannot be read as assets.", problems=problems)
    return assigned


def _from_rows(
    rows: list[Row],
    *,
    file: str,
    column_map: Mapping[str, str] | None,
    source: str | None,
    licence: str,
) -> AssetFile:
    columns = list(dict.fromkeys(c for row in rows for c in row.values))
    assigned = _assign(columns, column_map, file)
    found = _Rows(file)
    dropped: Counter[str] = Counter()
    for row in rows:
        if row.error is not None:
            problem = Problem(row.error, file=file, row=row.number)
            found.add(row.number, None, None, [problem], {"feature": row.number})
            continue
        cells: Cells = {}
        extra: dict[str, Any] = {}
        for column, value in row.values.items():
            target = assigned.get(column)
            if target is not None:
                cells.setdefault(target, []).append((column, value))
            elif not _blank(value):
                extra[column] = value
                dropped[column] += 1
        if row.feature_id is not None:
            cells.setdefault("source_id", []).append(("id", row.feature_id))
        problems: list[Problem] = []
        geometry = None
        if row.geometry is not None:
            lon, lat, geometry, error = place(row.geometry, row.crs)
            if error is not None:
                problems.append(Problem(error, file=file, row=row.number, field="geometry"))
            elif lon is not None:
                cells["lon"], cells["lat"] = [("geometry", lon)], [("geometry", lat)]
        values, more = build_record(
            cells, row=row.number, file=file, source=source, licence=licence, extra=extra
        )
        found.add(row.number, values, geometry, problems + more, row.values)
    return found.result(dropped)


def _blank(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or (isinstance(value, str) and not value.strip())


class _Rows:
    """Rows in file order, each a record or its problems; the AssetFile once ids are checked."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.rows: list[tuple[int, AssetRecord | None, list[Problem], dict[str, Any]]] = []

    def add(
        self,
        number: int,
        values: dict[str, Any] | None,
        geometry: dict[str, Any] | None,
        problems: list[Problem],
        raw: dict[str, Any],
    ) -> None:
        ok = values is not None and not problems
        record = AssetRecord(**values, geometry=geometry) if ok and values else None
        self.rows.append((number, record, problems, raw))

    def result(self, dropped: Counter[str]) -> AssetFile:
        """Hashed ids that repeat get ``~2``, ``~3``; a repeated given id is a problem."""
        first: dict[tuple[str, str], int] = {}
        hashed: Counter[tuple[str, str]] = Counter()
        result = AssetFile(file=self.file, dropped=dict(dropped))
        for number, record, problems, raw in self.rows:
            if record is not None:
                key = (record.source, record.source_id)
                if record.source_id.startswith("h:"):
                    hashed[key] += 1
                    if hashed[key] > 1:
                        record.source_id = f"{record.source_id}~{hashed[key]}"
                elif key in first:
                    message = (
                        f"source id {record.source_id!r} repeats row {first[key]}; ids must be "
                        "unique within a source"
                    )
                    problems = [Problem(message, file=self.file, row=number, field="source_id")]
                    record = None
                else:
                    first[key] = number
            if record is None:
                result.problems += problems
                result.invalid_rows.append(raw)
            else:
                result.records.append(record)
        return result


def _from_osm(
    elements: list[OsmElement], *, file: str, source: str | None, licence: str
) -> AssetFile:
    found = _Rows(file)
    dropped: Counter[str] = Counter()
    for element in elements:
        cells, extra, reason = osm_cells(element)
        if cells is None:
            dropped[reason] += 1
            continue
        dropped.update(extra.keys())
        values, problems = build_record(
            cells,
            row=element.index,
            file=file,
            source=source or "osm",
            licence=licence,
            extra=extra,
        )
        found.add(element.index, values, element.geometry, problems, element.raw)
    return found.result(dropped)

"""ONS boundary files (LSOA, MSOA, ward, local authority, ICB ...) as GeoDataFrames.

:func:`read_boundaries` reads GeoJSON (also gzipped), GeoPackage and shapefiles (also zipped) with
pyogrio, reprojects to WGS84, checks every feature and reports all problems at once. The code field
is found from ONS naming (``LSOA11CD``, ``LAD22CD``, ...) and gives the area type (``lsoa11``,
``lad22``, ...); the name field is its ``...NM`` partner.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import shape
from shapely.validation import explain_validity

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import check_rows, check_zip, inflate_gzip, load_json
from mobilise.formats._tables import (
    PathLike,
    area_type_from_field,
    check_codes,
    check_duplicates,
    clean_codes,
    file_name,
    find_column,
    missing_column,
    raise_problems,
    row_of,
)
from mobilise.geo import WGS84, looks_like_lonlat
from mobilise.model.areas import BoundaryData
from mobilise.settings import Limits

__all__ = ["read_boundaries"]

_CODE_PATTERN = r"[A-Z]{2,5}\d{2}CD"
_POLYGONAL = ("Polygon", "MultiPolygon")
_RESERVED = ("code", "name", "source_row", "geometry")


def read_boundaries(
    path: PathLike,
    *,
    code_field: str | None = None,
    name_field: str | None = None,
    layer: str | None = None,
    fix_invalid: bool = False,
    limits: Limits | None = None,
) -> BoundaryData:
    """Read a boundary file of areas identified by GSS codes.

    Parameters
    ----------
    path
        ``.geojson`` / ``.json`` (optionally ``.gz``), ``.gpkg``, ``.shp`` or a ``.zip`` of a
        shapefile. Files in another CRS (e.g. British National Grid) are reprojected; a file with
        no CRS is taken as longitude/latitude only if its coordinates look like degrees.
    code_field
        Property holding the area code; detected when None (``LSOA11CD``-style names, or ``code``).
    name_field
        Property holding the area name; by default the code field's ``...NM`` partner.
    layer
        Layer of a GeoPackage holding several.
    fix_invalid
        Repair invalid polygons with ``shapely.make_valid`` (keeping their polygonal parts)
        instead of reporting them.
    limits
        What the file may hold (features, inflated size of a ``.gz`` or ``.zip``, nesting);
        by default the settings' defaults.

    Raises
    ------
    mobilise.errors.ValidationError
        With every problem found; each names the feature (``row``) and field.
    """
    name = file_name(path)
    what = f"Boundary file {name}"
    with _inflated(path, name, limits) as readable:
        frame, problems, broken = _read(readable, name, layer, limits)
    raise_problems(problems, what=what)
    check_rows(len(frame), name=name, limits=limits, what="features")
    columns = [c for c in frame.columns if c != frame.geometry.name]
    code = code_field or find_column(columns, pattern=_CODE_PATTERN) or find_column(columns, "code")
    if code is None or code not in columns:
        problems.append(missing_column(name, code or "code", columns, hint="pass code_field="))
    label = name_field or _name_field(code, columns)
    if name_field is not None and name_field not in columns:
        problems.append(missing_column(name, name_field, columns))
    problems += _check_crs(frame, name)
    raise_problems(problems, what=what)
    assert code is not None

    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    codes = clean_codes(frame[code].astype(object).where(frame[code].notna(), ""))
    problems += _check_codes(codes, name, code)
    geometry, geometry_problems = _check_geometry(frame, name, broken, fix_invalid=fix_invalid)
    problems += geometry_problems
    raise_problems(problems, what=what)

    others = [c for c in columns if c not in (code, label)]
    data: dict[str, Any] = {
        "code": codes.astype(object),
        "name": frame[label].astype(object) if label else None,
        "geometry": geometry,
        "source_row": frame.index.astype("int64"),
    }
    for column in others:
        data[f"{column}_original" if column in _RESERVED else column] = frame[column]
    areas = gpd.GeoDataFrame(data, geometry="geometry", crs=WGS84).reset_index(drop=True)
    return BoundaryData(areas=areas, area_type=area_type_from_field(code), file=name)


def _is_geojson(path: str) -> bool:
    return re.search(r"\.(geo)?json(\.gz)?$", path, re.IGNORECASE) is not None


@contextmanager
def _inflated(path: PathLike, name: str, limits: Limits | None) -> Iterator[str]:
    """A path GDAL may read without inflating past the limits: a ``.gz`` file inflated (within
    them) into a private folder, a ``.zip`` checked member by member, any other file itself."""
    text_path = os.fspath(path)
    if text_path.lower().endswith(".zip") and Path(text_path).is_file():
        check_zip(text_path, name=name, limits=limits, verify=True)
    if not text_path.lower().endswith(".gz") or not Path(text_path).is_file():
        yield text_path
        return
    with tempfile.TemporaryDirectory(prefix="mobilise-") as folder:
        inflated = Path(folder) / (Path(text_path).stem or "boundaries")
        with inflated.open("wb") as target:
            inflate_gzip(Path(text_path).read_bytes(), name=name, limits=limits, target=target)
        yield str(inflated)


def _read(
    path: PathLike, name: str, layer: str | None, limits: Limits | None
) -> tuple[gpd.GeoDataFrame, list[Problem], dict[int, Problem]]:
    """The features, file-level problems, and problems of features whose geometry is unreadable."""
    text_path = os.fspath(path)
    source = text_path
    if not text_path.startswith("/vsi") and not Path(text_path).exists():
        return gpd.GeoDataFrame(), [Problem("the file does not exist", file=name)], {}
    try:
        if layer is None:
            layers = [str(row[0]) for row in pyogrio.list_layers(source)]
            if len(layers) > 1:
                listed = ", ".join(repr(x) for x in layers)
                message = f"the file has {len(layers)} layers ({listed}); choose one with layer="
                return gpd.GeoDataFrame(), [Problem(message, file=name)], {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(source, layer=layer, on_invalid="ignore")
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        if _is_geojson(text_path):
            return _read_geojson(text_path, name, limits)
        return gpd.GeoDataFrame(), [Problem(f"cannot read the file: {exc}", file=name)], {}
    broken: dict[int, Problem] = {}
    missing = frame.geometry.isna().to_numpy()
    if _is_geojson(text_path) and missing.any():
        # GDAL drops geometries it cannot parse; re-read those features to say why.
        parsed, problems, broken = _read_geojson(text_path, name, limits)
        if not problems and len(parsed) == len(frame):
            frame = frame.set_geometry(
                np.where(missing, parsed.geometry.to_numpy(), frame.geometry.to_numpy()),
                crs=frame.crs,
            )
    return frame, [], broken


class _NotJson(ValidationError):
    """A GeoJSON file that is not JSON (reported as a problem of the file)."""


def _read_geojson(
    path: str, name: str, limits: Limits | None
) -> tuple[gpd.GeoDataFrame, list[Problem], dict[int, Problem]]:
    """Parse a GeoJSON file feature by feature, recording each geometry that cannot be parsed."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        return gpd.GeoDataFrame(), [Problem(f"not a readable GeoJSON file: {exc}", file=name)], {}
    try:
        document = load_json(content, name=name, limits=limits, unreadable=_NotJson)
    except _NotJson as error:
        message = f"not a readable GeoJSON file: {error.message}"
        return gpd.GeoDataFrame(), [Problem(message, file=name)], {}
    if not isinstance(document, dict):
        document = {}
    features = document.get("features", [document] if document.get("type") == "Feature" else None)
    if not isinstance(features, list):
        message = "not a GeoJSON FeatureCollection: there is no 'features' list"
        return gpd.GeoDataFrame(), [Problem(message, file=name)], {}
    properties, geometries, broken = [], [], {}
    for row, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        properties.append(feature.get("properties") or {})
        raw = feature.get("geometry")
        geometry = None
        if raw is not None:
            try:
                geometry = shape(raw)
            except Exception as exc:  # shapely raises many types for malformed coordinates
                message = f"the geometry cannot be read ({exc}); fix or redraw this feature"
                broken[row] = Problem(message, file=name, row=row, field="geometry")
        geometries.append(geometry)
    crs: Any = WGS84
    declared = (document.get("crs") or {}).get("properties", {}).get("name")
    if declared:
        try:
            crs = CRS.from_user_input(declared)
        except Exception:  # an unknown CRS name is reported by the generic CRS check
            crs = None
    frame = gpd.GeoDataFrame(pd.DataFrame(properties), geometry=geometries, crs=crs)
    return frame, [], broken


def _name_field(code: str | None, columns: list[str]) -> str | None:
    if code is None:
        return None
    if code.casefold() == "code":
        return find_column(columns, "name")
    if code.upper().endswith("CD"):
        return find_column(columns, code[:-2] + "NM")
    return None


def _check_crs(frame: gpd.GeoDataFrame, name: str) -> list[Problem]:
    if len(frame) == 0:
        return [Problem("the file has no features", file=name)]
    bounds = frame.geometry.dropna().total_bounds
    if frame.crs is None:
        if len(bounds) == 4 and looks_like_lonlat(bounds[[0, 2]], bounds[[1, 3]]):
            frame.set_crs(WGS84, inplace=True)
            return []
        example = f" (e.g. x={bounds[0]:.0f}, y={bounds[1]:.0f})" if len(bounds) == 4 else ""
        return [
            Problem(
                f"the file has no coordinate reference system and its coordinates{example} are "
                "not longitude/latitude; save it with its CRS (for a shapefile, include the .prj; "
                "British National Grid is EPSG:27700)",
                file=name,
                field="geometry",
            )
        ]
    return []


def _check_codes(codes: pd.Series, name: str, field: str) -> list[Problem]:
    problems = check_codes(codes, file=name, field=field)
    present = codes[codes != ""]
    return problems + check_duplicates(present.to_frame("code"), file=name, field=field)


def _polygonal(geometry: Any) -> Any:
    """The polygonal part of a geometry (e.g. of a GeometryCollection from make_valid), or None."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in _POLYGONAL]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in _POLYGONAL and not merged.is_empty else None


def _check_geometry(
    frame: gpd.GeoDataFrame, name: str, broken: dict[int, Problem], *, fix_invalid: bool
) -> tuple[gpd.GeoSeries, list[Problem]]:
    """Checked geometries in WGS84, rounded to 6 decimals, and the problems found."""
    rows = frame.index.to_numpy()
    geoms = shapely.force_2d(np.asarray(frame.geometry.to_numpy(), dtype=object))
    problems = list(broken.values())
    ok = ~np.isin(rows, list(broken))
    missing = ok & (shapely.is_missing(geoms) | shapely.is_empty(geoms))
    problems += [
        Problem("the feature has no geometry", file=name, row=row_of(r), field="geometry")
        for r in rows[missing]
    ]
    ok &= ~missing
    wrong = ok & ~np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    problems += [
        Problem(
            f"the geometry is a {g.geom_type}, not a Polygon or MultiPolygon; areas need polygons",
            file=name,
            row=row_of(r),
            field="geometry",
        )
        for r, g in zip(rows[wrong], geoms[wrong], strict=True)
    ]
    ok &= ~wrong
    invalid = ok & ~shapely.is_valid(geoms)
    for index in np.flatnonzero(invalid):
        if fix_invalid:
            fixed = _polygonal(shapely.make_valid(geoms[index]))
            if fixed is not None:
                geoms[index] = fixed
                continue
            reason = "repairing it left no polygon"
        else:
            reason = f"{explain_validity(geoms[index])}; pass fix_invalid=True to repair it"
        problems.append(
            Problem(
                f"the polygon is invalid: {reason}",
                file=name,
                row=int(rows[index]),
                field="geometry",
            )
        )
    series = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    if not series.crs.equals(CRS.from_user_input(WGS84), ignore_axis_order=True):
        series = series.to_crs(WGS84)
    series = series.set_crs(WGS84, allow_override=True)
    return _round(series), problems


def _round(series: gpd.GeoSeries) -> gpd.GeoSeries:
    """Round coordinates to 6 decimals; snap with set_precision where rounding breaks validity."""
    geoms = series.to_numpy()
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, 6))
    present = ~shapely.is_missing(geoms)
    broke = present & shapely.is_valid(geoms) & ~shapely.is_valid(rounded)
    if broke.any():
        rounded[broke] = shapely.set_precision(geoms[broke], 1e-6)
    return gpd.GeoSeries(rounded, index=series.index, crs=series.crs)

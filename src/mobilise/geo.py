"""Coordinate reference systems and postcodes for Great Britain.

Importing this module is light (the grid cells and postcode checks of a search need no numpy);
numpy and pyproj load when coordinates are converted.

Geometries are stored in WGS84 longitude/latitude (:data:`WGS84`); distances and areas are computed
in British National Grid (:data:`BNG`), whose units are metres. Never measure in degrees.

Postcodes are kept in the canonical form ``"OUTWARD INWARD"``: upper case, one space, e.g.
``"NN1 1DE"``. :func:`normalise_postcode` turns any spacing and case into that form and rejects
text that does not have the shape of a UK postcode (it does not check that the postcode exists).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:  # numpy, pandas and pyproj load when a conversion runs, not on import
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from numpy.typing import ArrayLike, NDArray
    from pyproj import Transformer

__all__ = [
    "BNG",
    "GB_BOUNDS",
    "WGS84",
    "bng_to_wgs84",
    "box_around",
    "grid_cell",
    "grid_cells_around",
    "is_postcode",
    "looks_like_lonlat",
    "normalise_postcode",
    "normalise_postcodes",
    "to_bng",
    "to_wgs84",
    "wgs84_to_bng",
]

WGS84 = "EPSG:4326"
"""World Geodetic System 1984, longitude/latitude in degrees: how geometries are stored."""

BNG = "EPSG:27700"
"""OSGB36 / British National Grid, easting/northing in metres: where distances are computed."""

GB_BOUNDS = (-9.0, 49.0, 2.5, 61.5)
"""(west, south, east, north) in degrees of longitude/latitude: a box around Great Britain,
Northern Ireland and the islands, for telling positions in the UK from misplaced or swapped ones."""

GRID_DEGREES = 0.005
"""Side of the cells of :func:`grid_cell`, in degrees (about 555 m north-south, 350 m east-west in
England): small enough that a search of 1 km reads little more than its circle."""
_GRID_ROW = 100_000  # more cells than a row of longitude has (360 / GRID_DEGREES = 72,000)
METRES_PER_DEGREE = 111_320.0
"""Metres in one degree of latitude (and of longitude at the equator)."""


def _row(lat: float) -> int:
    return math.floor((lat + 90.0) / GRID_DEGREES)


def _column(lon: float) -> int:
    return math.floor((lon + 180.0) / GRID_DEGREES)


def grid_cell(lon: float | None, lat: float | None) -> int | None:
    """The number of the grid cell holding a WGS84 point, for finding points near another with an
    ordinary index (see :func:`grid_cells_around`); None without a position."""
    if lon is None or lat is None or lon != lon or lat != lat:
        return None
    return _row(lat) * _GRID_ROW + _column(lon)


def box_around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the box around a circle of ``radius_m`` metres,
    measured as :func:`mobilise.workspace.assets.distance_m` measures (flat, around the point)."""
    reach = radius_m / METRES_PER_DEGREE
    wide = reach / max(math.cos(math.radians(lat)), 0.01)
    return lon - wide, lat - reach, lon + wide, lat + reach


def grid_cells_around(
    lon: float, lat: float, radius_m: float, *, limit: int = 400
) -> list[int] | None:
    """Every grid cell that a circle of ``radius_m`` metres around a point touches, or None when
    that is more than ``limit`` cells (a wide search is better served by a latitude band)."""
    west, south, east, north = box_around(lon, lat, radius_m)
    rows = range(_row(south), _row(north) + 1)
    columns = range(_column(west), _column(east) + 1)
    if len(rows) * len(columns) > limit:
        return None
    return [row * _GRID_ROW + column for row in rows for column in columns]


# Outward code: A9, A99, AA9, AA99, A9A or AA9A; inward code: digit and two letters. "GIR 0AA" is
# the one historic exception still in use.
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
_COMPACT_RE = re.compile(rf"^(?:({_OUTWARD})({_INWARD})|(GIR)(0AA))$")
_CANONICAL_PATTERN = rf"(?:{_OUTWARD} {_INWARD}|GIR 0AA)"
_COMPACT_PATTERN = rf"(?:({_OUTWARD})({_INWARD})|(GIR)(0AA))"
_SPACE_RE = re.compile(r"\s+")
_SHAPE_HINT = (
    "a UK postcode has an outward code of 2-4 characters starting with a letter (e.g. NN1, "
    "EC1A) and an inward code of a digit and two letters (e.g. 1DE), as in 'NN1 1DE'"
)

FrameT = TypeVar("FrameT", bound="gpd.GeoDataFrame | gpd.GeoSeries")


def normalise_postcode(text: str) -> str:
    """Return ``text`` as a canonical UK postcode: upper case with one space before the inward code.

    Parameters
    ----------
    text
        A postcode in any case and spacing, e.g. ``" nn11de "`` or ``"ec1a 1bb"``.

    Returns
    -------
    str
        The canonical form, e.g. ``"NN1 1DE"`` or ``"EC1A 1BB"``.

    Raises
    ------
    mobilise.errors.ValidationError
        With one problem on field ``postcode`` when ``text`` does not have the shape of a UK
        postcode.
    """
    compact = _SPACE_RE.sub("", str(text)).upper()
    match = _COMPACT_RE.match(compact)
    if match is None:
        raise ValidationError(
            f"Not a UK postcode: {text!r}.",
            problems=[Problem(f"{text!r} is not a UK postcode; {_SHAPE_HINT}.", field="postcode")],
        )
    outward, inward = (match.group(1), match.group(2)) if match.group(1) else ("GIR", "0AA")
    return f"{outward} {inward}"


def is_postcode(text: str) -> bool:
    """Whether ``text`` has the shape of a UK postcode in any case and spacing."""
    return _COMPACT_RE.match(_SPACE_RE.sub("", str(text)).upper()) is not None


def normalise_postcodes(values: pd.Series) -> pd.Series:
    """Normalise a column of postcodes at once, like :func:`normalise_postcode`.

    Parameters
    ----------
    values
        Postcodes as text, in any case and spacing.

    Returns
    -------
    pandas.Series
        Canonical postcodes on the same index; missing (``isna()``) where a value is blank or not
        shaped like a postcode. Values already canonical take a fast path.
    """
    text = values.astype(object).fillna("").map(str)
    canonical = text.str.fullmatch(_CANONICAL_PATTERN).astype(bool)
    result = text.where(canonical, None)
    todo = ~canonical
    if bool(todo.any()):
        compact = text[todo].str.replace(r"\s+", "", regex=True).str.upper()
        parts = compact.str.extract(f"^{_COMPACT_PATTERN}$")
        outward = parts[0].fillna(parts[2])
        inward = parts[1].fillna(parts[3])
        result[todo] = (outward + " " + inward).astype(object)
    return result.where(result.notna(), None)


@lru_cache(maxsize=4)
def _transformer(source: str, target: str) -> Transformer:
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def bng_to_wgs84(
    easting: ArrayLike, northing: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert British National Grid eastings and northings (metres) to longitude and latitude.

    Returns
    -------
    tuple of numpy.ndarray
        Longitude and latitude in degrees (WGS84); ``NaN`` where an input is missing.
    """
    import numpy as np

    lon, lat = _transformer(BNG, WGS84).transform(
        np.asarray(easting, dtype=float), np.asarray(northing, dtype=float)
    )
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_bng(lon: ArrayLike, lat: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Convert longitude and latitude (degrees, WGS84) to British National Grid metres.

    Returns
    -------
    tuple of numpy.ndarray
        Easting and northing in metres; ``NaN`` where an input is missing.
    """
    import numpy as np

    easting, northing = _transformer(WGS84, BNG).transform(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    return np.asarray(easting, dtype=float), np.asarray(northing, dtype=float)


def looks_like_lonlat(x: ArrayLike, y: ArrayLike) -> bool:
    """Whether coordinates could be longitude/latitude degrees rather than projected metres.

    True when every non-missing ``x`` lies in [-180, 180] and every ``y`` in [-90, 90]. British
    National Grid coordinates of real places in Great Britain are far outside that range.
    """
    import numpy as np

    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    xs, ys = xs[~np.isnan(xs)], ys[~np.isnan(ys)]
    return bool(np.all(np.abs(xs) <= 180) and np.all(np.abs(ys) <= 90))


def _require_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> None:
    if getattr(frame, "crs", None) is None:
        raise ValidationError(
            "The geometries have no coordinate reference system.",
            problems=[
                Problem(
                    "no CRS is set; set it first, e.g. gdf.set_crs('EPSG:4326') for longitude/"
                    "latitude or gdf.set_crs('EPSG:27700') for British National Grid metres",
                    field="crs",
                )
            ],
        )


def to_bng(gdf: FrameT) -> FrameT:
    """Reproject a GeoDataFrame or GeoSeries to British National Grid (metres) for measuring.

    Raises
    ------
    mobilise.errors.ValidationError
        When ``gdf`` has no CRS, since guessing one would give silently wrong distances.
    """
    _require_crs(gdf)
    return gdf.to_crs(BNG)


def to_wgs84(gdf: FrameT) -> FrameT:
    """Reproject a GeoDataFrame or GeoSeries to WGS84 longitude/latitude for storing and maps.

    Raises
    ------
    mobilise.errors.ValidationError
        When ``gdf`` has no CRS.
    """
    _require_crs(gdf)
    return gdf.to_crs(WGS84)

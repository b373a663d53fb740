"""Postcode lookups: postcode -> LSOA 2011, local authority and coordinates.

Made for OS Code-Point Open joined to the ONS postcode-to-LSOA lookup (``postcode``,
``positional_quality``, ``easting``, ``northing``, ``admin_district_code``, ``lsoa11cd``, ``lon``,
``lat``), and accepts the usual ONS column names (``pcds``, ``ladcd``, ``oseast1m`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobilise.errors import Problem
from mobilise.formats._tables import (
    Coordinates,
    PathLike,
    check_codes,
    check_duplicates,
    clean_codes,
    find_column,
    find_coordinates,
    missing_column,
    parse_numbers,
    raise_problems,
    read_table,
    row_of,
)
from mobilise.geo import bng_to_wgs84, normalise_postcodes, wgs84_to_bng
from mobilise.settings import Limits

__all__ = ["POSTCODE_COLUMNS", "read_postcode_lookup"]

POSTCODE_COLUMNS = [
    "postcode",
    "lsoa11_code",
    "lon",
    "lat",
    "easting",
    "northing",
    "lad_code",
    "quality",
]
"""The columns :func:`read_postcode_lookup` returns, in order."""

# Code-Point Open positional quality 90: "no coordinates available" (given as 0, 0).
_NO_COORDINATES = 90


@dataclass(frozen=True)
class _Columns:
    """Where a lookup keeps what :func:`read_postcode_lookup` returns."""

    postcode: str
    lsoa: str
    lad: str
    quality: str | None
    position: Coordinates


def read_postcode_lookup(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read a postcode lookup with LSOA 2011 codes and coordinates.

    Parameters
    ----------
    path
        A CSV (or ``.csv.gz``) with a postcode column (``postcode``, ``pcds``, ``pcd``, ``pcd7``,
        ``pcd8``), ``lsoa11cd``, a local authority column (``admin_district_code``, ``ladcd``,
        ``LADyyCD``), and coordinates as ``lon``/``lat`` degrees and/or British National Grid
        ``easting``/``northing`` metres (the missing pair is computed).
        ``positional_quality`` is optional.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POSTCODE_COLUMNS`: ``postcode`` canonical (``"NN1 1DE"``), ``lsoa11_code``
        and ``lad_code`` (None when blank, e.g. for postcodes newer than the LSOA lookup),
        ``lon``, ``lat`` (degrees), ``easting``, ``northing`` (metres; all NaN when the source has
        no coordinates for a postcode, Code-Point quality 90), ``quality`` (Code-Point
        positional quality, 10 best; None when absent).

    Raises
    ------
    mobilise.errors.ValidationError
        With every problem: missing columns, malformed or repeated postcodes, non-GSS codes,
        non-numeric coordinates.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    what = f"Postcode lookup {name}"
    columns = _columns(name, list(frame.columns), what=what)
    postcodes, problems = _postcodes(frame[columns.postcode], name)
    codes: dict[str, pd.Series] = {}
    for output, column in (("lsoa11_code", columns.lsoa), ("lad_code", columns.lad)):
        cleaned = clean_codes(frame[column])
        problems += check_codes(cleaned, file=name, field=column, allow_blank=True)
        codes[output] = cleaned.astype(object).where(cleaned != "", None)
    numbers, found = _numbers(frame, name, columns)
    problems += found
    raise_problems(problems, what=what)
    position = _position(frame.index, numbers, columns)
    result = pd.DataFrame(
        {
            "postcode": postcodes,
            "lsoa11_code": codes["lsoa11_code"],
            **position,
            "lad_code": codes["lad_code"],
            "quality": numbers["quality"]
            .astype("Int64")
            .astype(object)
            .where(numbers["quality"].notna(), None),
        },
        index=frame.index,
    )
    return result.reset_index(drop=True)


def _columns(name: str, columns: list[str], *, what: str) -> _Columns:
    """The lookup's columns; every one that is missing is raised at once."""
    postcode = find_column(columns, "postcode", "pcds", "pcd", "pcd7", "pcd8", "pcd2")
    lsoa = find_column(columns, "lsoa11cd", "lsoa11_code", "lsoa11")
    lad = find_column(columns, "admin_district_code", "ladcd", "lad_code", pattern=r"lad\d{2}cd")
    problems = [
        missing_column(name, field, columns)
        for column, field in (
            (postcode, "postcode"),
            (lsoa, "lsoa11cd"),
            (lad, "admin_district_code"),
        )
        if column is None
    ]
    position, found = find_coordinates(
        name,
        columns,
        east=("easting", "oseast1m", "bng_easting", "x"),
        north=("northing", "osnrth1m", "bng_northing", "y"),
    )
    raise_problems(problems + found, what=what)
    assert postcode is not None and lsoa is not None and lad is not None
    quality = find_column(columns, "positional_quality", "quality", "pqi")
    return _Columns(postcode, lsoa, lad, quality, position)


def _postcodes(raw: pd.Series, name: str) -> tuple[pd.Series, list[Problem]]:
    """Canonical postcodes, and the problems of malformed and repeated ones."""
    field = str(raw.name)
    postcodes = normalise_postcodes(raw)
    bad = postcodes.isna()
    problems = [
        Problem(
            f"{value!r} is not a UK postcode; write it like 'NN1 1DE'",
            file=name,
            row=row_of(row),
            field=field,
        )
        for row, value in raw[bad].items()
    ]
    problems += check_duplicates(
        postcodes[~bad].to_frame("postcode"), file=name, field=field, what="postcode"
    )
    return postcodes, problems


def _numbers(
    frame: pd.DataFrame, name: str, columns: _Columns
) -> tuple[dict[str, pd.Series], list[Problem]]:
    """The numeric columns present (``lon``, ``lat``, ``east``, ``north``, ``quality``; NaN when
    absent or blank), and the problems of their cells."""
    position = columns.position
    wanted = {
        "lon": position.lon,
        "lat": position.lat,
        "east": position.east,
        "north": position.north,
        "quality": columns.quality,
    }
    numbers: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for key, column in wanted.items():
        if column is None:
            numbers[key] = pd.Series(np.nan, index=frame.index)
            continue
        numbers[key], found = parse_numbers(frame[column], file=name, field=column)
        problems += found
    if columns.quality is not None:
        quality = numbers["quality"]
        fractional = ((quality % 1 != 0) | (quality.abs() >= 2**63)) & quality.notna()
        problems += [
            Problem(
                f"{v:g} is not a whole-number quality",
                file=name,
                row=row_of(r),
                field=columns.quality,
            )
            for r, v in quality[fractional].items()
        ]
    return numbers, problems


def _position(
    index: pd.Index, numbers: dict[str, pd.Series], columns: _Columns
) -> dict[str, pd.Series]:
    """``lon``, ``lat``, ``easting``, ``northing``: the pair the file lacks is computed from the
    other, and all are NaN where the file has no position (quality 90, or grid 0, 0)."""
    no_position = numbers["quality"] == _NO_COORDINATES
    eastings, northings = numbers["east"], numbers["north"]
    if columns.position.grid:
        no_position |= (eastings == 0) & (northings == 0)
    if columns.position.degrees:
        lons, lats = numbers["lon"], numbers["lat"]
    else:
        converted = bng_to_wgs84(eastings.to_numpy(), northings.to_numpy())
        lons, lats = pd.Series(converted[0], index=index), pd.Series(converted[1], index=index)
    if not columns.position.grid:
        converted = wgs84_to_bng(lons.to_numpy(), lats.to_numpy())
        eastings = pd.Series(converted[0], index=index)
        northings = pd.Series(converted[1], index=index)
    return {
        "lon": lons.where(~no_position),
        "lat": lats.where(~no_position),
        "easting": eastings.where(~no_position),
        "northing": northings.where(~no_position),
    }

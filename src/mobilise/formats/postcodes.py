"""Postcode lookups: postcode -> LSOA 2011, local authority and coordinates.

Made for OS Code-Point Open joined to the ONS postcode-to-LSOA lookup (``postcode``,
``positional_quality``, ``easting``, ``northing``, ``admin_district_code``, ``lsoa11cd``, ``lon``,
``lat``), and accepts the usual ONS column names (``pcds``, ``ladcd``, ``oseast1m`` ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobilise.errors import Problem
from mobilise.formats._tables import (
    PathLike,
    check_codes,
    check_duplicates,
    clean_codes,
    find_column,
    missing_column,
    parse_numbers,
    raise_problems,
    read_table,
    row_of,
)
from mobilise.geo import bng_to_wgs84, normalise_postcodes, wgs84_to_bng

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


def read_postcode_lookup(path: PathLike) -> pd.DataFrame:
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
    table = read_table(path)
    name, frame = table.name, table.frame
    what = f"Postcode lookup {name}"
    columns = list(frame.columns)
    postcode = find_column(columns, "postcode", "pcds", "pcd", "pcd7", "pcd8", "pcd2")
    lsoa = find_column(columns, "lsoa11cd", "lsoa11_code", "lsoa11")
    lad = find_column(columns, "admin_district_code", "ladcd", "lad_code", pattern=r"lad\d{2}cd")
    quality = find_column(columns, "positional_quality", "quality", "pqi")
    lon = find_column(columns, "lon", "long", "longitude", "lng")
    lat = find_column(columns, "lat", "latitude")
    east = find_column(columns, "easting", "oseast1m", "bng_easting", "x")
    north = find_column(columns, "northing", "osnrth1m", "bng_northing", "y")
    problems: list[Problem] = []
    for column, field in ((postcode, "postcode"), (lsoa, "lsoa11cd"), (lad, "admin_district_code")):
        if column is None:
            problems.append(missing_column(name, field, columns))
    if (lon is None or lat is None) and (east is None or north is None):
        problems.append(
            missing_column(name, "lon", columns, hint="give lon/lat or easting/northing")
        )
    raise_problems(problems, what=what)
    assert postcode is not None and lsoa is not None and lad is not None

    raw = frame[postcode]
    postcodes = normalise_postcodes(raw)
    bad = postcodes.isna()
    problems += [
        Problem(
            f"{value!r} is not a UK postcode; write it like 'NN1 1DE'",
            file=name,
            row=row_of(row),
            field=postcode,
        )
        for row, value in raw[bad].items()
    ]
    problems += check_duplicates(
        postcodes[~bad].to_frame("postcode"), file=name, field=postcode, what="postcode"
    )
    codes = {}
    for output, column in (("lsoa11_code", lsoa), ("lad_code", lad)):
        cleaned = clean_codes(frame[column])
        problems += check_codes(cleaned, file=name, field=column, allow_blank=True)
        codes[output] = cleaned.astype(object).where(cleaned != "", None)
    numbers = {}
    for column in (lon, lat, east, north, quality):
        if column is not None:
            numbers[column], found = parse_numbers(frame[column], file=name, field=column)
            problems += found
    if quality is not None:
        fractional = numbers[quality] % 1 != 0
        problems += [
            Problem(f"{v:g} is not a whole-number quality", file=name, row=row_of(r), field=quality)
            for r, v in numbers[quality][fractional & numbers[quality].notna()].items()
        ]
    raise_problems(problems, what=what)

    index = frame.index
    quality_values = numbers[quality] if quality else pd.Series(np.nan, index=index)
    no_position = quality_values == _NO_COORDINATES
    if east is not None and north is not None:
        eastings, northings = numbers[east], numbers[north]
        no_position |= (eastings == 0) & (northings == 0)
    if lon is not None and lat is not None:
        lons, lats = numbers[lon], numbers[lat]
    else:
        converted = bng_to_wgs84(eastings.to_numpy(), northings.to_numpy())
        lons, lats = pd.Series(converted[0], index=index), pd.Series(converted[1], index=index)
    if east is None or north is None:
        converted = wgs84_to_bng(lons.to_numpy(), lats.to_numpy())
        eastings = pd.Series(converted[0], index=index)
        northings = pd.Series(converted[1], index=index)
    result = pd.DataFrame(
        {
            "postcode": postcodes,
            "lsoa11_code": codes["lsoa11_code"],
            "lon": lons.where(~no_position),
            "lat": lats.where(~no_position),
            "easting": eastings.where(~no_position),
            "northing": northings.where(~no_position),
            "lad_code": codes["lad_code"],
            "quality": quality_values.astype("Int64")
            .astype(object)
            .where(quality_values.notna(), None),
        },
        index=index,
    )
    return result.reset_index(drop=True)

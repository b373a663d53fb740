"""ONS lookups between geographies, the rural-urban classification, and area centroids.

Column names are matched case-insensitively (``LSOA11CD`` or ``lsoa11cd``), a UTF-8 BOM and any
common delimiter are accepted, and every code is checked to be GSS-shaped. All problems in a file
are reported together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from mobilise.errors import Problem
from mobilise.formats._tables import (
    PathLike,
    Table,
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
from mobilise.geo import bng_to_wgs84, looks_like_lonlat
from mobilise.settings import Limits

__all__ = [
    "read_centroids",
    "read_lsoa11_lsoa21_lad22",
    "read_lsoa_msoa",
    "read_rural_urban",
]

_CHANGE_CODES = {"U": "unchanged", "S": "split", "M": "merged", "X": "complex change"}
_BNG_RANGE = ((0.0, 700_000.0), (0.0, 1_300_000.0))
_AREA_CODE_NAMES = ("area_code", "LSOA21CD", "LSOA11CD", "MSOA21CD", "MSOA11CD", "code", "areacd")


@dataclass(frozen=True)
class _Field:
    """One output column: where to find it and what it holds."""

    output: str
    names: tuple[str, ...]
    kind: Literal["code", "text"] = "text"
    required: bool = True
    pattern: str | None = None


def _select(
    table: Table, fields: Sequence[_Field], *, what: str, key: Sequence[str]
) -> tuple[pd.DataFrame, list[Problem]]:
    """The ``fields`` of ``table`` (index = source row) and the problems in their cells.

    Missing required columns are raised at once: nothing else can be checked without them.
    """
    name, frame = table.name, table.frame
    columns = list(frame.columns)
    found: dict[str, str | None] = {}
    problems: list[Problem] = []
    for field in fields:
        column = find_column(columns, *field.names, pattern=field.pattern)
        if column is None and field.required:
            problems.append(missing_column(name, field.names[0], columns))
        found[field.output] = column
    raise_problems(problems, what=what)
    result = pd.DataFrame(index=frame.index)
    for field in fields:
        column = found[field.output]
        if column is None:
            result[field.output] = None
        elif field.kind == "code":
            codes = clean_codes(frame[column])
            problems += check_codes(codes, file=name, field=column, allow_blank=not field.required)
            result[field.output] = codes.astype(object).where(codes != "", None)
        else:
            text = frame[column].str.strip()
            result[field.output] = text.astype(object).where(text != "", None)
    keys = result[list(key)].fillna("")
    label = found[key[0]] or key[0]
    problems += check_duplicates(keys, file=name, field=label, what=" and ".join(key))
    return result, problems


def read_lsoa11_lsoa21_lad22(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read the ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup.

    Parameters
    ----------
    path
        A CSV with ``LSOA11CD`` (or ``F_LSOA11CD``), ``LSOA21CD``, ``LAD22CD`` and optionally the
        ``...NM`` names and ``CHGIND`` (U unchanged, S split, M merged, X complex). The best-fit
        version without ``CHGIND`` is accepted too.

    Returns
    -------
    pandas.DataFrame
        ``lsoa11_code``, ``lsoa11_name``, ``lsoa21_code``, ``lsoa21_name``, ``change``,
        ``lad22_code``, ``lad22_name``; one row per (LSOA 2011, LSOA 2021) pair. Names and
        ``change`` are None when the file lacks them.
    """
    table = read_table(path, limits=limits)
    what = f"LSOA 2011-2021 lookup {table.name}"
    fields = [
        _Field("lsoa11_code", ("LSOA11CD", "F_LSOA11CD"), "code"),
        _Field("lsoa11_name", ("LSOA11NM", "F_LSOA11NM"), required=False),
        _Field("lsoa21_code", ("LSOA21CD",), "code"),
        _Field("lsoa21_name", ("LSOA21NM",), required=False),
        _Field("change", ("CHGIND",), required=False),
        _Field("lad22_code", ("LAD22CD",), "code"),
        _Field("lad22_name", ("LAD22NM",), required=False),
    ]
    result, problems = _select(table, fields, what=what, key=("lsoa11_code", "lsoa21_code"))
    change = result["change"]
    bad = change.notna() & ~change.isin(list(_CHANGE_CODES))
    column = find_column(table.frame.columns, "CHGIND") or "CHGIND"
    allowed = ", ".join(f"{c} ({m})" for c, m in _CHANGE_CODES.items())
    problems += [
        Problem(
            f"{v!r} is not a change code; use {allowed}",
            file=table.name,
            row=row_of(r),
            field=column,
        )
        for r, v in change[bad].items()
    ]
    raise_problems(problems, what=what)
    return result.reset_index(drop=True)


def read_lsoa_msoa(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read an LSOA (2011) to MSOA (2011) to local authority lookup.

    Returns
    -------
    pandas.DataFrame
        ``lsoa11_code``, ``lsoa11_name``, ``msoa11_code``, ``msoa11_name``, ``lad_code`` (the
        ``ladcd`` / ``LADyyCD`` column; its vintage is whatever the file used); one row per LSOA.
    """
    table = read_table(path, limits=limits)
    fields = [
        _Field("lsoa11_code", ("LSOA11CD",), "code"),
        _Field("lsoa11_name", ("LSOA11NM",), required=False),
        _Field("msoa11_code", ("MSOA11CD",), "code"),
        _Field("msoa11_name", ("MSOA11NM",), required=False),
        _Field("lad_code", ("ladcd", "lad_code"), "code", pattern=r"lad\d{2}cd"),
    ]
    what = f"LSOA-MSOA lookup {table.name}"
    result, problems = _select(table, fields, what=what, key=("lsoa11_code",))
    raise_problems(problems, what=what)
    return result.reset_index(drop=True)


def read_rural_urban(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read the 2011 Rural-Urban Classification of small areas (e.g. of LSOAs).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``ruc11_code`` (A1 urban major conurbation ... E2 rural village and
        dispersed in a sparse setting), ``ruc11_name``; one row per area.
    """
    table = read_table(path, limits=limits)
    fields = [
        _Field("area_code", _AREA_CODE_NAMES, "code", pattern=r"[a-z]{2,5}\d{2}cd"),
        _Field("ruc11_code", ("RUC11CD",)),
        _Field("ruc11_name", ("RUC11", "RUC11NM"), required=False),
    ]
    what = f"Rural-urban file {table.name}"
    result, problems = _select(table, fields, what=what, key=("area_code",))
    column = find_column(table.frame.columns, "RUC11CD") or "RUC11CD"
    problems += [
        Problem("the classification code is blank", file=table.name, row=row_of(r), field=column)
        for r in result.index[result["ruc11_code"].isna()]
    ]
    raise_problems(problems, what=what)
    return result.reset_index(drop=True)


def read_centroids(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read area centroids (e.g. ONS population-weighted centroids of LSOAs).

    Parameters
    ----------
    path
        A CSV with an area code column (``LSOA21CD``, ``LSOA11CD``, ``code`` ...) and either
        ``lon``/``lat`` (also ``longitude``/``latitude``) in degrees, or British National Grid
        ``bng_easting``/``bng_northing`` (also ``easting``/``northing``, ``x``/``y``) in metres,
        which are converted. ``x``/``y`` already in degrees are taken as longitude/latitude.

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``lon``, ``lat`` (WGS84 degrees); one row per area; and ``method`` (how
        each centroid was derived) when the file has that column.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    what = f"Centroid file {name}"
    columns = list(frame.columns)
    area = find_column(columns, *_AREA_CODE_NAMES, pattern=r"[a-z]{2,5}\d{2}cd")
    problems: list[Problem] = []
    if area is None:
        problems.append(missing_column(name, "area_code", columns))
    position, found = find_coordinates(
        name,
        columns,
        east=("bng_easting", "easting", "bng_e", "x"),
        north=("bng_northing", "northing", "bng_n", "y"),
    )
    raise_problems(problems + found, what=what)
    assert area is not None
    codes = clean_codes(frame[area])
    problems += check_codes(codes, file=name, field=area)
    problems += check_duplicates(codes.to_frame("area"), file=name, field=area)
    x_column, y_column = (
        (position.lon, position.lat) if position.degrees else (position.east, position.north)
    )
    assert x_column is not None and y_column is not None
    x, found = parse_numbers(frame[x_column], file=name, field=x_column)
    problems += found
    y, found = parse_numbers(frame[y_column], file=name, field=y_column)
    problems += found
    for column, values in ((x_column, x), (y_column, y)):
        problems += [
            Problem("the coordinate is blank", file=name, row=row_of(r), field=column)
            for r in values.index[values.isna() & (frame[column].str.strip() == "")]
        ]
    degrees = position.degrees or looks_like_lonlat(x, y)
    # British National Grid covers Great Britain within 0..700 km east and 0..1300 km north.
    x_range, y_range = ((-180.0, 180.0), (-90.0, 90.0)) if degrees else _BNG_RANGE
    unit = "degrees" if degrees else "metres of British National Grid"
    for column, values, (low, high) in ((x_column, x, x_range), (y_column, y, y_range)):
        outside = (values < low) | (values > high)
        problems += [
            Problem(
                f"{v:g} is outside {low:g}..{high:g} {unit}", file=name, row=row_of(r), field=column
            )
            for r, v in values[outside].items()
        ]
    raise_problems(problems, what=what)
    if degrees:
        lons, lats = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
    else:
        lons, lats = bng_to_wgs84(x.to_numpy(dtype=float), y.to_numpy(dtype=float))
    result = pd.DataFrame({"area_code": codes.astype(object).to_numpy(), "lon": lons, "lat": lats})
    method = find_column(columns, "method", "centroid_method")
    if method is not None:
        result["method"] = frame[method].to_numpy()
    return result

"""Small-area indicator files: the :class:`IndicatorMeta` / :class:`IndicatorData` types and a
generic CSV reader.

An indicator is one measure over areas (e.g. IMD 2019 rank by LSOA 2011). Files come in two
layouts:

``wide``
    one row per area, one column per indicator (``area_code,imd_rank,ypll``).
``long``
    one row per area and indicator (``area_code,indicator_id,value[,lower_ci,upper_ci,...]``).

Both read into the same long :class:`IndicatorData.values` frame. Checking that area codes exist
is left to the caller (the workspace knows its areas); ``source_row`` lets it name the row.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from mobilise.errors import Problem, ValidationError
from mobilise.formats._tables import (
    PathLike,
    area_type_from_field,
    check_codes,
    check_duplicates,
    clean_codes,
    find_column,
    missing_column,
    numeric_share,
    parse_numbers,
    raise_problems,
    read_table,
    row_of,
    slugify,
)
from mobilise.model.indicators import (
    INDICATOR_ID,
    VALUE_COLUMNS,
    IndicatorData,
    IndicatorMeta,
)
from mobilise.settings import Limits

__all__ = [
    "national_breaks",
    "read_indicator_csv",
]


AREA_COLUMNS = (
    "area_code",
    "lsoa11cd",
    "LSOA code (2011)",
    "lsoa21cd",
    "LSOA code (2021)",
    "lsoa_code",
    "msoa11cd",
    "msoa21cd",
    "areacd",
    "area code",
    "code",
)
_AREA_PATTERN = r"[a-z]{2,5}\d{2}_?(?:cd|code)"
# Row-identifier columns that are numeric but never indicators.
_NOT_INDICATORS = re.compile(r"^(fid|objectid|id|index|unnamed: \d+|source_row)$", re.IGNORECASE)
_EXTRAS = ("lower_ci", "upper_ci", "numerator", "denominator")


def national_breaks(values: pd.Series) -> tuple[float, ...]:
    """The 10th, 20th, ..., 90th percentiles of an indicator (linear interpolation, NaN ignored).

    Parameters
    ----------
    values
        The indicator's values over all areas of the reference (e.g. the 32,844 LSOAs in England),
        in the indicator's unit.

    Returns
    -------
    tuple of float
        Nine break points, in the indicator's unit, ascending.
    """
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    if numbers.empty:
        raise ValidationError(
            "Cannot compute national breaks.",
            problems=[Problem("there are no numeric values", field="values")],
        )
    quantiles = numbers.quantile([k / 10 for k in range(1, 10)])
    return tuple(float(q) for q in quantiles)


def read_indicator_csv(
    path: PathLike,
    *,
    layout: Literal["long", "wide"] = "wide",
    area_column: str | None = None,
    indicator_column: str = "indicator_id",
    value_column: str = "value",
    lower_ci_column: str | None = None,
    upper_ci_column: str | None = None,
    numerator_column: str | None = None,
    denominator_column: str | None = None,
    columns: Mapping[str, str] | None = None,
    meta: Mapping[str, IndicatorMeta] | None = None,
    default_meta: dict[str, Any] | None = None,
    limits: Limits | None = None,
) -> IndicatorData:
    """Read indicator values by area from a CSV file (delimiter, BOM, gzip detected).

    Parameters
    ----------
    path
        A ``.csv`` or ``.csv.gz`` file; any of ``, ; tab |`` as delimiter.
    layout
        ``"wide"``: one column per indicator. ``"long"``: one row per area and indicator.
    area_column
        The column of GSS area codes; detected when None (``area_code``, ``lsoa11cd``,
        ``LSOA code (2011)``, ``lsoa21cd``, ``code``, ... case-insensitive).
    indicator_column, value_column
        Long layout: the columns holding the indicator id (slugified) and its value.
    lower_ci_column, upper_ci_column, numerator_column, denominator_column
        Optional columns of confidence limits and counts. In the long layout, columns named
        ``lower_ci``, ``upper_ci``, ``numerator``, ``denominator`` are used when these are None.
        In the wide layout they need exactly one indicator column (columns with those standard
        names are used too when ``columns`` is None).
    columns
        Wide layout: source column -> indicator id for the columns to read. When None, every
        column whose cells are mostly numbers is an indicator, with an id slugified from its
        name (cells in it that are not numbers are problems), and text columns are ignored.
    meta
        Catalogue of known indicators by id.
    default_meta
        Field values (``unit``, ``polarity``, ``source``, ``licence``, ``period``, ...) for
        indicators not in ``meta``. Defaults: name = column name, unit ``""``, polarity
        ``"neutral"``, source = the file name, licence ``"unknown"``, period ``""``.

    Raises
    ------
    mobilise.errors.ValidationError
        With every problem found: missing columns, non-numeric values, non-GSS area codes,
        repeated (area, indicator) pairs.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    found = list(frame.columns)
    what = f"Indicator file {name}"
    area: str | None
    if area_column is not None:
        area = find_column(found, area_column) or area_column
    else:
        area = find_column(found, *AREA_COLUMNS, pattern=_AREA_PATTERN)
    if area is None or area not in found:
        hint = "name the column of area codes with area_column="
        raise_problems([missing_column(name, area or "area_code", found, hint=hint)], what=what)
    assert area is not None
    given = {
        "lower_ci": lower_ci_column,
        "upper_ci": upper_ci_column,
        "numerator": numerator_column,
        "denominator": denominator_column,
    }
    if layout == "wide":
        values, labels, problems = _wide(frame, name, area, columns, given)
    elif layout == "long":
        values, labels, problems = _long(frame, name, area, indicator_column, value_column, given)
    else:
        problem = Problem(
            f"unknown layout {layout!r}: use 'wide' (one column per indicator) or 'long' (one "
            "row per area and indicator)",
            file=name,
            field="layout",
        )
        raise ValidationError(f"{what}: unknown layout.", problems=[problem])
    metas, meta_problems = build_meta(
        labels, meta=meta, default_meta=default_meta, file=name, area_column=area
    )
    raise_problems(problems + meta_problems, what=what)
    return IndicatorData(indicators=metas, values=values, file=name)


def wide_values(
    frame: pd.DataFrame,
    *,
    file: str,
    area_column: str,
    columns: Mapping[str, str],
    extras: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Long values from a wide text frame (index = source row) for ``columns`` (column -> id).

    ``extras`` maps ``lower_ci`` / ``upper_ci`` / ``numerator`` / ``denominator`` to columns whose
    values go with every indicator read (callers pass them with one indicator only).
    """
    codes = clean_codes(frame[area_column])
    problems = check_codes(codes, file=file, field=area_column)
    problems += check_duplicates(codes.to_frame("area"), file=file, field=area_column)
    extra_values: dict[str, pd.Series] = {}
    for key, column in (extras or {}).items():
        extra_values[key], found = parse_numbers(frame[column], file=file, field=column)
        problems += found
    parts = []
    for column, indicator_id in columns.items():
        numbers, found = parse_numbers(frame[column], file=file, field=column)
        problems += found
        present = numbers.notna()
        part = pd.DataFrame(
            {
                "area_code": codes[present],
                "indicator_id": indicator_id,
                "value": numbers[present],
                **{k: v[present] for k, v in extra_values.items()},
            }
        )
        part["source_row"] = part.index
        parts.append(part)
    return _tidy(parts), problems


def _tidy(parts: list[pd.DataFrame]) -> pd.DataFrame:
    values = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    for column in VALUE_COLUMNS:
        if column not in values:
            values[column] = np.nan
    values = values[VALUE_COLUMNS]
    for column in ("value", *_EXTRAS):
        values[column] = values[column].astype(float)
    values["source_row"] = values["source_row"].astype("int64")
    values["area_code"] = values["area_code"].astype(object)
    values["indicator_id"] = values["indicator_id"].astype(object)
    return values.reset_index(drop=True)


def _wide(
    frame: pd.DataFrame,
    name: str,
    area: str,
    columns: Mapping[str, str] | None,
    given: Mapping[str, str | None],
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    found = list(frame.columns)
    problems = [missing_column(name, c, found) for c in given.values() if c and c not in found]
    extras = {k: c for k, c in given.items() if c and c in found}
    if columns is None:
        # Columns named lower_ci, upper_ci, numerator, denominator go with the one indicator.
        for key, column in given.items():
            standard = find_column(found, key) if column is None else None
            if standard is not None:
                extras[key] = standard
        candidates = [c for c in found if c != area and c not in extras.values()]
        chosen = {
            c: slugify(c)
            for c in candidates
            if not _NOT_INDICATORS.match(c) and numeric_share(frame[c]) > 0.5
        }
    else:
        problems += [missing_column(name, c, found) for c in columns if c not in found]
        chosen = {c: i for c, i in columns.items() if c in found}
        problems += [
            Problem(
                f"{i!r} is not an indicator id; use lower-case letters, digits and _",
                file=name,
                field=c,
            )
            for c, i in chosen.items()
            if not INDICATOR_ID.match(i)
        ]
    if not chosen and not problems:
        problems.append(
            Problem(f"no numeric indicator columns besides {area!r}", file=name, field=None)
        )
    if extras and len(chosen) != 1:
        problems.append(
            Problem(
                f"confidence-limit and count columns need exactly one indicator column in a wide "
                f"file, found {len(chosen)}: {', '.join(chosen) or 'none'}; use layout='long' or "
                "columns=",
                file=name,
            )
        )
    repeated = pd.Series(list(chosen.values())).duplicated()
    problems += [
        Problem(f"two columns give indicator id {i!r}; name them with columns=", file=name)
        for i in pd.Series(list(chosen.values()))[repeated]
    ]
    if problems:
        return _tidy([]), {}, problems
    values, problems = wide_values(
        frame, file=name, area_column=area, columns=chosen, extras=extras
    )
    return values, {i: c for c, i in chosen.items()}, problems


def _long(
    frame: pd.DataFrame,
    name: str,
    area: str,
    indicator_column: str,
    value_column: str,
    given: Mapping[str, str | None],
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    found = list(frame.columns)
    indicator = find_column(found, indicator_column)
    value = find_column(found, value_column)
    problems = []
    if indicator is None:
        problems.append(missing_column(name, indicator_column, found))
    if value is None:
        problems.append(missing_column(name, value_column, found))
    extras: dict[str, str] = {}
    for key, column in given.items():
        match = find_column(found, column or key)
        if match is not None:
            extras[key] = match
        elif column is not None:
            problems.append(missing_column(name, column, found))
    if problems or indicator is None or value is None:
        return _tidy([]), {}, problems
    codes = clean_codes(frame[area])
    problems += check_codes(codes, file=name, field=area)
    labels = frame[indicator].str.strip()
    problems += [
        Problem("the indicator is blank", file=name, row=row_of(row), field=indicator)
        for row in labels.index[labels == ""]
    ]
    unique_labels = pd.unique(labels[labels != ""])
    slug_of = {label: slugify(label) for label in unique_labels}
    ids = labels.map(slug_of)
    numbers, found_problems = parse_numbers(frame[value], file=name, field=value)
    problems += found_problems
    data: dict[str, Any] = {"area_code": codes, "indicator_id": ids, "value": numbers}
    for key, column in extras.items():
        data[key], found_problems = parse_numbers(frame[column], file=name, field=column)
        problems += found_problems
    keys = pd.DataFrame({"area": codes, "indicator": ids})[labels != ""]
    problems += check_duplicates(keys, file=name, field=indicator, what="area and indicator")
    long = pd.DataFrame(data)
    long = long[long["value"].notna() & (labels != "")]
    long["source_row"] = long.index
    return _tidy([long]), {slug: label for label, slug in slug_of.items()}, problems


def build_meta(
    labels: Mapping[str, str],
    *,
    meta: Mapping[str, IndicatorMeta] | None,
    default_meta: Mapping[str, Any] | None,
    file: str,
    area_column: str | None = None,
) -> tuple[list[IndicatorMeta], list[Problem]]:
    """Metadata for each indicator id in ``labels`` (id -> original label), in order.

    Known ids come from ``meta``; the others are built from ``default_meta`` and defaults.
    """
    allowed = {f.name for f in dataclasses.fields(IndicatorMeta)} - {"id"}
    defaults = dict(default_meta or {})
    problems = [
        Problem(f"{key!r} is not an indicator field; use one of {', '.join(sorted(allowed))}")
        for key in defaults
        if key not in allowed
    ]
    if problems:
        return [], problems
    area_type = (area_type_from_field(area_column) if area_column else None) or "lsoa11"
    metas = []
    for indicator_id, label in labels.items():
        if meta is not None and indicator_id in meta:
            metas.append(meta[indicator_id])
            continue
        fields: dict[str, Any] = {
            "name": label,
            "unit": "",
            "polarity": "neutral",
            "source": file,
            "licence": "unknown",
            "period": "",
            "area_type": area_type,
            **defaults,
        }
        try:
            metas.append(IndicatorMeta(id=indicator_id, **fields))
        except ValidationError as exc:
            problems += [dataclasses.replace(p, file=file) for p in exc.problems]
    return metas, problems

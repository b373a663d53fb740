"""Census 2021 (England and Wales) population counts by small area, in tidy form.

:func:`read_census2021` reads one table of usual residents per area and turns it into one row
per area and group, with the group codes of the participants' equality-monitoring answers
(:mod:`mobilise.model.engagement_vocab`), so that the two can be set side by side:

================ ============================================ ===================================
dimension        Census 2021 table                            groups
================ ============================================ ===================================
``age_band``     Age (6 categories)                           ``0_15`` ... ``65_plus``
``sex``          TS008 Sex                                    ``female``, ``male``
``ethnic_group`` TS021 Ethnic group, the 5 high-level groups  ``asian``, ``black``, ``mixed``,
                                                              ``white``, ``other``
``disability``   TS038 Disability (Equality Act, 2 groups)    ``disabled``, ``not_disabled``
================ ============================================ ===================================

A file is recognised by its columns: the area code (``lsoa21cd``, ``LSOA21CD``, Nomis's
``geography code`` ...) and one column per group, named as the ONS publishes them (``Aged 16
to 24 years``, ``Sex: Female; measures: Value``, ``Ethnic group: White``, ``Disabled under the
Equality Act``) or in snake case (``white``, ``disabled_under_equality_act``). Other columns
(names, the local authority, the detailed groups of a Nomis bulk file) are ignored. When the
file has a total column (``total_usual_residents``, ``Total``, ``... All usual residents``) the
groups must add up to it in every row, as they do in every published table.

Every problem in a file (a missing group column, a count that is blank, negative or not a
whole number, an area code that is not GSS-shaped or repeats, a row that does not add up) is
reported at once, naming the file, the row and the field.
"""

from __future__ import annotations

import re

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
    slugify,
)
from mobilise.settings import Limits

__all__ = ["CENSUS_DIMENSIONS", "read_census2021"]

CENSUS_DIMENSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "age_band": {
        "0_15": ("Aged 15 years and under",),
        "16_24": ("Aged 16 to 24 years",),
        "25_34": ("Aged 25 to 34 years",),
        "35_49": ("Aged 35 to 49 years",),
        "50_64": ("Aged 50 to 64 years",),
        "65_plus": ("Aged 65 years and over",),
    },
    "sex": {"female": ("Female",), "male": ("Male",)},
    "ethnic_group": {
        "asian": ("Asian, Asian British or Asian Welsh",),
        "black": ("Black, Black British, Black Welsh, Caribbean or African",),
        "mixed": ("Mixed or Multiple ethnic groups",),
        "white": ("White",),
        "other": ("Other ethnic group",),
    },
    "disability": {
        "disabled": ("Disabled under the Equality Act", "Disabled under Equality Act"),
        "not_disabled": (
            "Not disabled under the Equality Act",
            "Not disabled under Equality Act",
        ),
    },
}
"""Each dimension's groups (in the order shown) and the column names the ONS gives them."""

_AREA_COLUMNS = ("lsoa21cd", "lsoa21_code", "geography code", "area_code", "lsoa_code")
_TOTALS = ("total_usual_residents", "total", "all_usual_residents", "all_persons")
# The dimension's name the ONS puts before each group ("Ethnic group: White") and the
# measure Nomis puts after it ("; measures: Value").
_PREFIX = re.compile(r"^(age \(6 categories\)|age|sex|ethnic group|disability)\s*:\s*", re.I)
_MEASURE = re.compile(r";\s*measures\s*:\s*value\s*$", re.I)


def _key(column: str) -> str:
    return slugify(_PREFIX.sub("", _MEASURE.sub("", column.strip())))


def _group_columns(columns: list[str]) -> dict[str, dict[str, str | None]]:
    """For every dimension with at least one of its group columns, each group's column."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    found: dict[str, dict[str, str | None]] = {}
    for dimension, groups in CENSUS_DIMENSIONS.items():
        columns_of = {
            group: next((by_key[k] for k in (group, *map(_key, names)) if k in by_key), None)
            for group, names in groups.items()
        }
        if any(columns_of.values()):
            found[dimension] = columns_of
    return found


def _total_column(columns: list[str]) -> str | None:
    for column in columns:
        key = _key(column)
        if key in _TOTALS or key.removeprefix("total_") in _TOTALS:
            return column
    return None


def _whole_counts(
    frame: pd.DataFrame, column: str, name: str, problems: list[Problem]
) -> pd.Series:
    numbers, found = parse_numbers(frame[column], file=name, field=column)
    problems += found
    refused = {p.row for p in found}
    problems += [
        Problem("the count is missing; give a whole number", file=name, row=row_of(r), field=column)
        for r in numbers.index[numbers.isna()]
        if row_of(r) not in refused
    ]
    bad = numbers.notna() & ((numbers < 0) | (numbers % 1 != 0))
    problems += [
        Problem(
            f"{v:g} is not a count of people (a whole number >= 0)",
            file=name,
            row=row_of(r),
            field=column,
        )
        for r, v in numbers[bad].items()
    ]
    return numbers.where(~bad)


def read_census2021(path: PathLike, *, limits: Limits | None = None) -> pd.DataFrame:
    """Read a Census 2021 table of usual residents by small area.

    Parameters
    ----------
    path
        A CSV (or gzipped CSV) with an area code column and the group columns of one or more of
        :data:`CENSUS_DIMENSIONS`.
    limits
        The workspace's limits on files (size, rows); the settings' defaults when omitted.

    Returns
    -------
    pandas.DataFrame
        ``lsoa21_code``, ``dimension``, ``group``, ``count`` (int): one row per area and group,
        the areas in file order and the groups in :data:`CENSUS_DIMENSIONS` order.

    Raises
    ------
    mobilise.errors.ValidationError
        Naming every problem's file, row and field.
    """
    table = read_table(path, limits=limits)
    name, frame = table.name, table.frame
    what = f"Census 2021 file {name}"
    columns = list(frame.columns)
    problems: list[Problem] = []
    area = find_column(columns, *_AREA_COLUMNS, pattern=r"lsoa\d{2}cd")
    if area is None:
        problems.append(missing_column(name, "lsoa21cd", columns))
    dimensions = _group_columns(columns)
    if not dimensions:
        expected = "; ".join(
            f"{d}: {', '.join(n[0] for n in g.values())}" for d, g in CENSUS_DIMENSIONS.items()
        )
        problems.append(
            Problem(f"no Census group columns found; expected one of {expected}", file=name)
        )
    for groups in dimensions.values():
        for group, column in groups.items():
            if column is None:
                problems.append(missing_column(name, group, columns))
    raise_problems(problems, what=what)
    assert area is not None
    codes = clean_codes(frame[area])
    problems += check_codes(codes, file=name, field=area)
    problems += check_duplicates(codes.to_frame("area"), file=name, field=area)
    counts = {
        (dimension, group): _whole_counts(frame, str(column), name, problems)
        for dimension, groups in dimensions.items()
        for group, column in groups.items()
    }
    total = _total_column(columns)
    if total is not None and len(dimensions) == 1:
        problems += _check_totals(frame, total, counts, name)
    raise_problems(problems, what=what)
    parts = [
        pd.DataFrame(
            {
                "lsoa21_code": codes.to_numpy(dtype=object),
                "dimension": dimension,
                "group": group,
                "count": values.to_numpy(dtype="int64"),
                "_order": range(len(codes)),
            }
        )
        for (dimension, group), values in counts.items()
    ]
    tidy = pd.concat(parts, ignore_index=True)
    tidy = tidy.sort_values(["dimension", "_order"], kind="stable", key=_dimension_order)
    return tidy.drop(columns="_order").reset_index(drop=True)


def _dimension_order(column: pd.Series) -> pd.Series:
    if column.name == "dimension":
        return column.map(list(CENSUS_DIMENSIONS).index)
    return column


def _check_totals(
    frame: pd.DataFrame,
    total: str,
    counts: dict[tuple[str, str], pd.Series],
    name: str,
) -> list[Problem]:
    problems: list[Problem] = []
    stated = _whole_counts(frame, total, name, problems)
    summed = sum(counts.values(), start=pd.Series(0.0, index=frame.index))
    wrong = stated.notna() & summed.notna() & (stated != summed)
    problems += [
        Problem(
            f"the groups add up to {summed[r]:,.0f}, not the total {stated[r]:,.0f}; check the "
            "columns are of one table",
            file=name,
            row=row_of(r),
            field=total,
        )
        for r in wrong[wrong].index
    ]
    return problems

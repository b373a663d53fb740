"""Pooled reach across a programme's projects, safe against differencing (private to
:mod:`mobilise.analysis.programme`, whose docstring states the rules).

:func:`hold_reach` decides, for one project's new release, which reach figures the programme
takes up: a cell (or a total) moves only when it changed by at least ``k`` since the figure last
used for that project, so two releases that differ by one participant pool to the same figures.
:func:`pool_reach` adds the held figures of every project and applies small-cell suppression,
primary and secondary, to the pooled cells of each dimension.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from mobilise.analysis._reach_disclosure import hide_small

__all__ = ["HELD_COLUMNS", "POOLED_COLUMNS", "TOTAL_GROUPS", "column", "hold_reach", "pool_reach"]


def column(table: pd.DataFrame, name: str, default: object) -> pd.Series:
    """``table[name]``, or ``default`` in every row when the table has no such column."""
    if name in table.columns:
        return table[name]
    return pd.Series(default, index=table.index, dtype=object)


HELD_COLUMNS = ("dimension", "group", "kind", "count", "suppressed", "release")
"""The columns of a project's held reach figures."""

POOLED_COLUMNS = (
    "dimension",
    "group",
    "count",
    "suppressed",
    "count_shown",
    "projects",
    "projects_hidden",
)
"""The columns of the pooled reach table."""

TOTAL_GROUPS = frozenset({"total", "all", "all participants"})
"""Group names read as a dimension's total row rather than a group of it."""


def _cells(reach: pd.DataFrame, release: int) -> pd.DataFrame:
    """A package's reach rows as held figures (``count`` None where the project suppressed it)."""
    if reach is None or reach.empty or not {"dimension", "group"} <= set(reach.columns):
        return pd.DataFrame(columns=list(HELD_COLUMNS))
    counts = pd.to_numeric(column(reach, "count", pd.NA), errors="coerce")
    hidden = column(reach, "suppressed", False).fillna(False).astype(bool)
    group = reach["group"].astype(str)
    return pd.DataFrame(
        {
            "dimension": reach["dimension"].astype(str),
            "group": group,
            "kind": np.where(group.str.strip().str.casefold().isin(TOTAL_GROUPS), "total", "cell"),
            "count": [
                None if (h or pd.isna(c)) else int(c) for c, h in zip(counts, hidden, strict=True)
            ],
            "suppressed": hidden | counts.isna(),
            "release": int(release),
        }
    )


def hold_reach(
    held: pd.DataFrame | None, reach: pd.DataFrame, *, k: int, release: int
) -> pd.DataFrame:
    """The reach figures the programme uses for a project after its release ``release``.

    Parameters
    ----------
    held
        The figures held before (:data:`HELD_COLUMNS`), or None for a project's first release.
    reach
        The release's ``reach`` resource (``dimension``, ``group``, ``count``, ``suppressed``).
    k
        The smallest change a held figure follows, and the smallest pooled count shown.
    release
        The release number, recorded where a figure moves.

    Returns
    -------
    pandas.DataFrame
        :data:`HELD_COLUMNS`, one row per cell of either. A shown figure replaces a shown held
        one only when they differ by ``k`` or more; a cell the project now suppresses (or no
        longer lists, read as 0) follows the same rule, hidden taking the place of a figure only
        when the project hides it; a cell newly shown is taken as the project shows it.
    """
    new = _cells(reach, release)
    if held is None or held.empty:
        return new.reset_index(drop=True)
    keys = ["dimension", "group", "kind"]
    merged = held.merge(new, on=keys, how="outer", suffixes=("_held", "_new"), indicator="side")
    rows = []
    for row in merged.itertuples(index=False):
        rows.append(_held_row(row, k))
    return pd.DataFrame(rows, columns=list(HELD_COLUMNS)).reset_index(drop=True)


def _held_row(row: object, k: int) -> tuple[object, ...]:
    dimension, group, kind = row.dimension, row.group, row.kind  # type: ignore[attr-defined]
    where = row.side  # type: ignore[attr-defined]
    held_count, new_count = row.count_held, row.count_new  # type: ignore[attr-defined]
    kept = (dimension, group, kind, held_count, row.suppressed_held, row.release_held)  # type: ignore[attr-defined]
    taken = (dimension, group, kind, new_count, row.suppressed_new, row.release_new)  # type: ignore[attr-defined]
    if where == "right_only":
        return taken
    if where == "left_only":  # no longer listed: the project now counts none there
        if _missing(held_count) or int(held_count) < k:
            return kept
        return (dimension, group, kind, 0, False, row.release_held)  # type: ignore[attr-defined]
    if bool(row.suppressed_new) or _missing(new_count):  # type: ignore[attr-defined]
        # Hidden now: its figure is below k (or hidden to protect another). Hiding a held figure
        # that may lie within k of it would show a change smaller than k (one person leaving a
        # group of k): such a figure is kept; one of 2k - 1 or more has surely moved by k.
        shown_before = not _missing(held_count) and not bool(row.suppressed_held)  # type: ignore[attr-defined]
        if shown_before and int(held_count) <= 2 * k - 2:
            return kept
        return taken
    if _missing(held_count) or abs(int(new_count) - int(held_count)) >= k:
        return taken
    return kept


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def pool_reach(held: Mapping[str, pd.DataFrame], *, k: int) -> pd.DataFrame:
    """Every project's held reach figures added up, with small cells suppressed.

    Returns
    -------
    pandas.DataFrame
        :data:`POOLED_COLUMNS`, one row per dimension and group (groups in first-seen order,
        then the dimension's ``total`` row: the projects' totals where they give one, else
        their groups' sum). ``count`` is a nullable integer, ``<NA>`` where hidden: 1 to
        ``k - 1`` (primary), then more cells of the dimension until the hidden ones cannot be
        worked out from the total (secondary). ``projects`` counts the projects with a figure
        for the cell, ``projects_hidden`` those whose own figure was suppressed (the pooled
        count leaves them out, so it is at least that many).
    """
    cells: dict[str, dict[str, list[int]]] = {}  # dimension -> group -> [count, projects, hidden]
    totals: dict[str, dict[str, int]] = {}  # dimension -> project -> its total
    for key, frame in held.items():
        if frame.empty:
            continue
        counts = pd.to_numeric(frame["count"], errors="coerce").astype(float).tolist()
        summed: dict[str, int] = {}
        stated: dict[str, int] = {}
        for dimension, group, kind, count in zip(
            frame["dimension"].astype(str), frame["group"].astype(str), frame["kind"], counts,
            strict=True,
        ):  # fmt: skip
            value = 0 if math.isnan(count) else int(count)
            if kind == "total":
                if not math.isnan(count):
                    stated[dimension] = value
                continue
            cell = cells.setdefault(dimension, {}).setdefault(group, [0, 0, 0])
            cell[0] += value
            cell[1] += 1
            cell[2] += int(math.isnan(count))
            summed[dimension] = summed.get(dimension, 0) + value
        for dimension in summed.keys() | stated.keys():
            totals.setdefault(dimension, {})[key] = stated.get(dimension, summed.get(dimension, 0))
    rows = []
    for dimension, groups in cells.items():
        rows += _pool_dimension(dimension, groups, totals.get(dimension, {}), k)
    return pd.DataFrame(rows, columns=list(POOLED_COLUMNS)).astype({"count": "Int64"})


def _pool_dimension(
    dimension: str, groups: dict[str, list[int]], totals: dict[str, int], k: int
) -> list[tuple[str, str, int | None, bool, str, int, int]]:
    values = [cell[0] for cell in groups.values()]
    hidden = hide_small(values, k)
    total = sum(totals.values())
    rows = [
        (dimension, group, None if hide else cell[0], hide, _shown(cell[0], hide, k), cell[1],
         cell[2])
        for (group, cell), hide in zip(groups.items(), hidden, strict=True)
    ]  # fmt: skip
    few = 1 <= total < k
    rows.append(
        (dimension, "total", None if few else total, few, _shown(total, few, k), len(totals), 0)
    )
    return rows


def _shown(value: int, hidden: bool, k: int) -> str:
    if not hidden:
        return f"{value:,}"
    return f"fewer than {k}" if value < k else "hidden (small numbers)"

"""Reading a long cost table into pair positions, without a Python loop over its rows.

A cost table from a router holds millions of rows; the measures it feeds take a few hundredths
of a second, so reading it must not take longer than they do. Ids become positions with no lookup
where the ids are their own positions (a ``RangeIndex`` from 0: the column is the positions,
checked in one pass by its largest value read as unsigned), by a lookup table where they are integers in a
compact range (one gather), through the categories of a categorical column, and by pandas' hash
lookup otherwise. Repeated pairs are ruled out in one pass where the table is grouped by origin
(each origin's rows together, in any order of origins) with destinations rising within each
origin, as routers write tables; otherwise by sorting one integer key per pair
(``origin * n_destinations + destination``), split at the median and sorted in two halves on two
cores for millions of pairs. Either way the number of pairs of each origin falls out for free,
and the measures use it. (A large table whose ids need no hash is read in halves first: see
:mod:`mobilise.analysis._catchment_read`.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._checks import FloatArray, named
from mobilise.analysis._halves import at_once, halves
from mobilise.errors import Problem, ValidationError

PositionArray = npt.NDArray[np.int32]
CountArray = npt.NDArray[np.intp]

# A lookup table may be this many times longer than the ids and column together.
_LOOKUP_SLACK = 4


def present(costs: object, columns: tuple[str, str, str]) -> None:
    """Refuse a cost table that is not a DataFrame or lacks one of its columns."""
    if not isinstance(costs, pd.DataFrame):
        raise ValidationError("costs must be a pandas DataFrame.")
    absent = [name for name in columns if name not in costs.columns]
    if absent:
        raise ValidationError(
            "Cannot read the cost table.",
            problems=[Problem("no such column", field=name) for name in absent],
        )


def cost_values(
    costs: pd.DataFrame, cost: str, problems: list[Problem]
) -> tuple[FloatArray, float]:
    """The cost column (present) as floats and the largest good cost; missing, negative or
    infinite costs are reported, a column that is not numbers is refused at once."""
    try:
        values = costs[cost].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValidationError(
            "Cannot read the cost table.", problems=[Problem("costs must be numbers", field=cost)]
        ) from None
    if not len(values):
        return values, 0.0
    # Two reductions answer for the whole column; the row mask is built only to name bad rows.
    low, high = float(values.min()), float(values.max())
    if low >= 0 and np.isfinite(high):
        return values, high
    bad = ~np.isfinite(values) | (values < 0)
    problems.append(
        Problem(
            f"cost is missing, negative or infinite in {int(bad.sum())} rows "
            f"(index {named(costs.index[bad])})",
            field=cost,
        )
    )
    return values, float(values[~bad].max(initial=0.0))


def id_index(
    given: Sequence[Any] | pd.Index | None, column: pd.Series, what: str, problems: list[Problem]
) -> pd.Index:
    """The ids given (repeats reported), or those of the column in order of first appearance."""
    if given is None:
        return pd.Index(pd.unique(column.dropna()))
    ids = given.index if isinstance(given, pd.DataFrame) else pd.Index(given)
    if ids.has_duplicates:
        problems.append(
            Problem(f"{what} ids repeat: {named(ids[ids.duplicated()].unique())}", field=what)
        )
    return ids


def codes(
    ids: pd.Index, column: pd.Series, name: str, what: str, problems: list[Problem]
) -> PositionArray:
    """Position in ``ids`` of each row's id; ids not among them are reported."""
    if ids.has_duplicates:
        return np.zeros(len(column), dtype=np.int32)
    found = _as_positions(ids, column)
    if found is not None:  # every id found
        return found
    found = positions(ids, column)
    if len(found) and found.min() < 0:
        strangers = pd.Index(pd.unique(column[found < 0]))
        problems.append(
            Problem(
                f"{len(strangers)} ids are not among the {what} given: {named(strangers)}",
                field=name,
            )
        )
    return found


def positions(ids: pd.Index, column: pd.Series) -> PositionArray:
    """``ids.get_indexer(column)`` as int32 (-1 where absent), for unique ``ids``."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        # Look up each category once; code -1 (missing) takes the -1 appended at the end.
        per_category = _indexer(ids, pd.Index(column.cat.categories))
        lookup = np.append(per_category, np.int32(-1))
        return lookup.take(column.cat.codes.to_numpy())
    by_position = _as_positions(ids, column)
    if by_position is not None:
        return by_position
    by_table = _lookup_table(ids, column)
    if by_table is not None:
        return by_table
    return _indexer(ids, column)


def _as_positions(ids: pd.Index, column: pd.Series) -> PositionArray | None:
    """The column itself (copied to int32) where the ids are their own positions and every value
    is one of them; None otherwise (ids not found are then named by the lookup)."""
    if not (len(column) and small_integers(column.dtype) and are_positions(ids)):
        return None
    values = column.to_numpy()
    # One pass: read as unsigned, a negative number is larger than any position.
    if values.view(f"u{values.dtype.itemsize}").max() >= len(ids):
        return None
    return values.astype(np.int32)


def are_positions(ids: pd.Index) -> bool:
    """Whether the ids are 0, 1, ..., n - 1 in order (a ``RangeIndex`` from 0, or equal to one)."""
    if isinstance(ids, pd.RangeIndex):
        return ids.start == 0 and ids.step == 1
    if not small_integers(ids.dtype) or not len(ids):
        return False
    values = ids.to_numpy()
    if values[0] != 0 or values[-1] != len(values) - 1:
        return False
    return bool(np.array_equal(values, np.arange(len(values))))


def _indexer(ids: pd.Index, values: pd.Index | pd.Series) -> PositionArray:
    found = ids.get_indexer(values)  # type: ignore[arg-type]
    return np.asarray(found).astype(np.int32, copy=False)


def _lookup_table(ids: pd.Index, column: pd.Series) -> PositionArray | None:
    """Positions by one gather from a table over the column's range of integer ids, or None
    where ids or column are not integers or the range is too wide for a table."""
    if not (small_integers(ids.dtype) and small_integers(column.dtype)) or not len(column):
        return None
    values = column.to_numpy()
    found = lookup(ids, values)
    if found is None:
        return None
    table, start = found
    if start == 0:
        return table.take(values)
    return table.take(np.subtract(values, start, dtype=np.int64))


def lookup(ids: pd.Index, values: npt.NDArray[np.integer[Any]]) -> tuple[PositionArray, int] | None:
    """A table of positions over the values' range of integer ids (-1 where a value is not an
    id) and the id at its start, or None where the range is too wide for a table."""
    low, high = int(values.min()), int(values.max())
    start = min(low, 0)  # from 0 where it can, so the values need no shifting
    if high - start + 1 > _LOOKUP_SLACK * (len(values) + len(ids)):
        return None
    id_values = ids.to_numpy().astype(np.int64, copy=False)
    inside = np.flatnonzero((id_values >= low) & (id_values <= high))
    table = np.full(high - start + 1, -1, dtype=np.int32)
    table[id_values[inside] - start] = inside
    return table, start


def small_integers(dtype: object) -> bool:
    """A numpy integer type whose every value fits int64 (uint64 does not)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "iu" and np.can_cast(dtype, np.int64)


def refuse_repeated_pairs(
    origin_codes: PositionArray,
    destination_codes: PositionArray,
    origin_ids: pd.Index,
    destination_ids: pd.Index,
    cost: str,
    pair_keys: npt.NDArray[np.integer[Any]] | None = None,
) -> CountArray:
    """Refuse a table that gives one origin-destination pair more than one cost; return the
    number of pairs of each origin. ``pair_keys``, the rows' keys where the caller has made
    them (see :func:`make_keys`); they are sorted in place."""
    grouped = _grouped_counts(origin_codes, destination_codes, len(origin_ids))
    if grouped is not None:  # each origin's destinations rise: nothing can repeat
        return grouped
    width = max(len(destination_ids), 1)
    if pair_keys is None:
        pair_keys = np.empty(len(origin_codes), key_type(len(origin_ids), width))
        make_keys(origin_codes, destination_codes, width, pair_keys)
    # Sorted keys: each origin's pairs lie between origin * width and (origin + 1) * width.
    bounds = np.arange(len(origin_ids) + 1, dtype=pair_keys.dtype)
    bounds *= width
    repeated, below = _sorted_repeats(pair_keys, bounds)
    if len(repeated):
        first = int(pair_keys[repeated[0]])
        raise ValidationError(
            "Cannot read the cost table.",
            problems=[
                Problem(
                    f"{len(repeated)} origin-destination pairs appear more than once, e.g. "
                    f"{origin_ids[first // width]} to {destination_ids[first % width]}; "
                    "keep one cost per pair",
                    field=cost,
                )
            ],
        )
    return np.diff(below).astype(np.intp, copy=False)


def key_type(n_origins: int, width: int) -> type[np.integer[Any]]:
    """One key per pair, ``origin * width + destination``: 32-bit keys sort several times faster
    where they fit."""
    return np.uint32 if n_origins * width < 2**32 else np.int64


def make_keys(
    origin_codes: PositionArray,
    destination_codes: PositionArray,
    width: int,
    out: npt.NDArray[np.integer[Any]],
) -> None:
    """The key of each pair into ``out`` (of :func:`key_type`)."""
    if out.dtype == np.uint32:
        # Positions are not negative here, so int32 reads as uint32 unchanged.
        np.multiply(origin_codes.view(np.uint32), np.uint32(width), out=out)
        np.add(out, destination_codes.view(np.uint32), out=out)
    else:
        np.multiply(origin_codes, np.int64(width), out=out, dtype=np.int64)
        np.add(out, destination_codes, out=out)


def _sorted_repeats(
    keys: npt.NDArray[np.integer[Any]], bounds: npt.NDArray[np.integer[Any]]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Sort ``keys`` in place; return where a key equals the next one, and how many keys lie
    below each of the (rising) ``bounds``.

    Millions of keys are first split at their median (``ndarray.partition``, a selection in one
    pass), and the two halves are sorted and searched on two cores at once: the whole is then
    sorted.
    """
    cuts = halves(len(keys))
    if len(cuts) == 1:
        keys.sort()
        return np.flatnonzero(keys[1:] == keys[:-1]), np.searchsorted(keys, bounds)
    keys.partition(cuts[1].start)  # every key of the first half <= every key of the second

    def sort(cut: slice) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        part = keys[cut]
        part.sort()
        return np.flatnonzero(part[1:] == part[:-1]) + cut.start, np.searchsorted(part, bounds)

    (low, low_below), (high, high_below) = at_once(lambda: sort(cuts[0]), lambda: sort(cuts[1]))
    middle = cuts[1].start
    across = [middle - 1] if keys[middle - 1] == keys[middle] else []
    repeated = np.concatenate((low, np.array(across, dtype=np.intp), high))
    return repeated, np.add(low_below, high_below)


def _grouped_counts(
    origin_codes: PositionArray, destination_codes: PositionArray, n_origins: int
) -> CountArray | None:
    """The number of pairs of each origin where each origin's rows lie together (origins in any
    order) and their destinations rise; None otherwise (a short look first, then all)."""
    n = len(origin_codes)
    if n == 0:
        return np.zeros(n_origins, dtype=np.intp)
    for stop in (min(n, 1024), n):
        same = origin_codes[1:stop] == origin_codes[: stop - 1]
        rising = destination_codes[1:stop] > destination_codes[: stop - 1]
        if not (rising | ~same).all():
            return None
    starts = np.flatnonzero(~same)
    starts += 1
    if len(starts) >= n_origins:  # more runs than origins: some origin comes back
        return None
    run_origins = origin_codes[np.concatenate(([0], starts))]
    counts = np.zeros(n_origins, dtype=np.intp)
    counts[run_origins] = np.diff(starts, prepend=0, append=n)
    if np.count_nonzero(counts) != len(run_origins):  # an origin in two runs
        return None
    return counts

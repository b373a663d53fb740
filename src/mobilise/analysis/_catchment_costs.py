"""Reading a long cost table into pair positions, without a Python loop over its rows.

A cost table from a router holds millions of rows; the measures it feeds take a few hundredths
of a second, so reading it must not take longer than they do. Ids become positions with no lookup
where the ids are their own positions (a ``RangeIndex`` from 0: the column is the positions,
checked in one pass by its largest value read as unsigned), by a lookup table where they are integers in a
compact range (one gather), through the categories of a categorical column, and by pandas' hash
lookup otherwise. Repeated pairs are ruled out in one pass where the table is grouped by origin
(each origin's rows together, in any order of origins) with destinations rising within each
origin, as routers write tables; otherwise by sorting one integer key per pair
(``origin * n_destinations + destination``). Either way the number of pairs of each origin falls
out for free, and the measures use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._checks import FloatArray, named
from mobilise.errors import Problem, ValidationError

PositionArray = npt.NDArray[np.int32]
CountArray = npt.NDArray[np.intp]

# A lookup table may be this many times longer than the ids and column together.
_LOOKUP_SLACK = 4


def cost_values(
    costs: object, columns: tuple[str, str, str], problems: list[Problem]
) -> tuple[FloatArray, float]:
    """The cost column as floats and the largest good cost; missing, negative or infinite costs
    are reported, absent columns and a column that is not numbers are refused at once."""
    if not isinstance(costs, pd.DataFrame):
        raise ValidationError("costs must be a pandas DataFrame.")
    absent = [name for name in columns if name not in costs.columns]
    if absent:
        raise ValidationError(
            "Cannot read the cost table.",
            problems=[Problem("no such column", field=name) for name in absent],
        )
    cost = columns[2]
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
    if not (len(column) and _small_integers(column.dtype) and _are_positions(ids)):
        return None
    values = column.to_numpy()
    # One pass: read as unsigned, a negative number is larger than any position.
    if values.view(f"u{values.dtype.itemsize}").max() >= len(ids):
        return None
    return values.astype(np.int32)


def _are_positions(ids: pd.Index) -> bool:
    """Whether the ids are 0, 1, ..., n - 1 in order (a ``RangeIndex`` from 0, or equal to one)."""
    if isinstance(ids, pd.RangeIndex):
        return ids.start == 0 and ids.step == 1
    if not _small_integers(ids.dtype) or not len(ids):
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
    if not (_small_integers(ids.dtype) and _small_integers(column.dtype)) or not len(column):
        return None
    values = column.to_numpy()
    low, high = int(values.min()), int(values.max())
    start = min(low, 0)  # from 0 where it can, so the column needs no shifting
    if high - start + 1 > _LOOKUP_SLACK * (len(values) + len(ids)):
        return None
    id_values = ids.to_numpy().astype(np.int64, copy=False)
    inside = np.flatnonzero((id_values >= low) & (id_values <= high))
    table = np.full(high - start + 1, -1, dtype=np.int32)
    table[id_values[inside] - start] = inside
    if start == 0:
        return table.take(values)
    return table.take(np.subtract(values, start, dtype=np.int64))


def _small_integers(dtype: object) -> bool:
    """A numpy integer type whose every value fits int64 (uint64 does not)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "iu" and np.can_cast(dtype, np.int64)


def refuse_repeated_pairs(
    origin_codes: PositionArray,
    destination_codes: PositionArray,
    origin_ids: pd.Index,
    destination_ids: pd.Index,
    cost: str,
) -> CountArray:
    """Refuse a table that gives one origin-destination pair more than one cost; return the
    number of pairs of each origin."""
    grouped = _grouped_counts(origin_codes, destination_codes, len(origin_ids))
    if grouped is not None:  # each origin's destinations rise: nothing can repeat
        return grouped
    width = max(len(destination_ids), 1)
    # One key per pair; 32-bit keys sort several times faster where they fit.
    pair_keys: npt.NDArray[np.integer[Any]]
    if len(origin_ids) * width < 2**32:
        # Positions are not negative here, so int32 reads as uint32 unchanged.
        pair_keys = np.multiply(origin_codes.view(np.uint32), np.uint32(width))
        np.add(pair_keys, destination_codes.view(np.uint32), out=pair_keys)
    else:
        pair_keys = np.multiply(origin_codes, np.int64(width), dtype=np.int64)
        np.add(pair_keys, destination_codes, out=pair_keys)
    pair_keys.sort()
    repeated = np.flatnonzero(pair_keys[1:] == pair_keys[:-1])
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
    # Sorted keys: each origin's pairs lie between origin * width and (origin + 1) * width.
    bounds = np.arange(len(origin_ids) + 1, dtype=pair_keys.dtype)
    bounds *= width
    return np.diff(np.searchsorted(pair_keys, bounds)).astype(np.intp, copy=False)


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

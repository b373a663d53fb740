"""A large cost table read in two halves at once, where its ids map to positions without a hash.

Where both id columns are integers that map to positions without a hash (the ids are their own
positions, or integers in a compact range: see :mod:`mobilise.analysis._catchment_costs`) and
every cost is good, reading the table is a few operations on each row: check and convert the two
ids, check the cost, make the pair's key for the repeat check. Each is a pass over memory
(3.5 million rows are 85 MB of ids and costs) that one core does at a fraction of what the
memory can give, so the two halves of the table are read on two cores at once (see
:mod:`mobilise.analysis._halves`): 8 ms instead of 15 on the benchmark's table. (Cutting the
halves further into blocks that stay in the cache was measured too, and was slower: the Python
work per block cost more than the cache saved.)

The reader gives up where a half holds anything to report (an id not among those given, a
missing or negative cost): the column-by-column reader then names every problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._catchment_costs import (
    PositionArray,
    are_positions,
    key_type,
    lookup,
    make_keys,
    small_integers,
)
from mobilise.analysis._checks import FloatArray
from mobilise.analysis._halves import on_halves

KeyArray = npt.NDArray[np.integer[Any]]

_LARGEST_FINITE = np.array(np.finfo(np.float64).max).view(np.uint64)


@dataclass(frozen=True)
class Read:
    """The table read: positions of each row's ids, its cost, the largest cost, and the key
    ``origin * width + destination`` of each row's pair."""

    origin_codes: PositionArray
    destination_codes: PositionArray
    values: FloatArray
    largest: float
    keys: KeyArray


@dataclass(frozen=True)
class _Ids:
    """How one id column maps to positions: as they are (``table`` None) or through a table
    over ``start .. start + len(table) - 1``; ``count`` positions in all."""

    column: npt.NDArray[np.integer[Any]]
    count: int
    table: PositionArray | None = None
    start: int = 0

    def write(self, rows: slice, out: PositionArray) -> bool:
        """Positions of the ids in ``rows`` into ``out``; False where one is not an id."""
        values = self.column[rows]
        if self.table is None:
            # One pass: read as unsigned, a negative number is larger than any position.
            if values.view(f"u{values.dtype.itemsize}").max() >= self.count:
                return False
            np.copyto(out, values, casting="unsafe")
            return True
        # Every value lies in the table's range (it spans the column's least and greatest).
        shifted = np.subtract(values, self.start, dtype=np.int64) if self.start else values
        np.take(self.table, shifted, out=out, mode="clip")
        return bool(out.min() >= 0)


def read_in_halves(
    costs: pd.DataFrame,
    columns: tuple[str, str, str],
    origin_ids: pd.Index,
    destination_ids: pd.Index,
) -> Read | None:
    """The table read in halves, or None where the ids need a hash lookup or the table
    holds anything to report (the caller then reads it column by column)."""
    origin, destination, cost = columns
    n = len(costs)
    if n == 0 or origin_ids.has_duplicates or destination_ids.has_duplicates:
        return None
    origins = _ids(origin_ids, costs[origin])
    destinations = _ids(destination_ids, costs[destination])
    if origins is None or destinations is None:
        return None
    try:
        values = costs[cost].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        return None
    width = max(len(destination_ids), 1)
    origin_codes = np.empty(n, np.int32)
    destination_codes = np.empty(n, np.int32)
    keys = np.empty(n, key_type(len(origin_ids), width))

    def read(rows: slice) -> float | None:
        """The largest cost of these rows, or None where they hold something to report."""
        if not (
            origins.write(rows, origin_codes[rows])
            and destinations.write(rows, destination_codes[rows])
        ):
            return None
        # One pass for the whole check: read as unsigned, the bits of finite costs >= 0 order
        # as the costs do, and a negative cost (sign bit), an infinite one or a NaN lies past
        # the largest finite one. (-0.0 is left to the column reader, which takes it as 0.)
        high = values[rows].view(np.uint64).max()
        if high > _LARGEST_FINITE:
            return None
        make_keys(origin_codes[rows], destination_codes[rows], width, keys[rows])
        return float(np.array(high, dtype=np.uint64).view(np.float64))

    found = on_halves(n, read)
    if any(largest is None for largest in found):
        return None
    largest = max(largest for largest in found if largest is not None)
    return Read(origin_codes, destination_codes, values, largest, keys)


def _ids(ids: pd.Index, column: pd.Series) -> _Ids | None:
    """How the column maps to positions in ``ids`` without a hash, or None."""
    if not (small_integers(column.dtype) and small_integers(ids.dtype)):
        return None
    values = column.to_numpy()
    if are_positions(ids):
        return _Ids(values, len(ids))
    found = lookup(ids, values)
    if found is None:
        return None
    table, start = found
    return _Ids(values, len(ids), table, start)

"""Catchment pairs: the origin-destination pairs within a catchment, kept sparse.

Built from points with a spatial index (:func:`pairs_from_points`, coordinates in metres in a
projected CRS) or read from a long cost table as PySAL ``access`` takes it
(:func:`pairs_from_costs`). Never a dense origins x destinations matrix: memory grows with the
pairs. A pair is in the catchment when its cost is **at most** ``max_cost``. The measures in
:mod:`mobilise.analysis.access` work on these pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._catchment_costs import (
    PositionArray,
    codes,
    cost_values,
    id_index,
    present,
    refuse_repeated_pairs,
)
from mobilise.analysis._catchment_points import points_within
from mobilise.analysis._catchment_read import read_in_halves
from mobilise.analysis._checks import FloatArray, cost_limit, named, raise_if
from mobilise.analysis._halves import at_once
from mobilise.analysis._pages import small_pages
from mobilise.errors import Problem, ValidationError

__all__ = ["CatchmentPairs", "pairs_from_costs", "pairs_from_points"]


@dataclass(frozen=True, eq=False, repr=False)
class CatchmentPairs:
    """The origin-destination pairs within a catchment, as aligned arrays.

    Build with :func:`pairs_from_points` or :func:`pairs_from_costs`; the arrays are read-only.

    Attributes
    ----------
    origin
        Position of each pair's origin in ``origin_ids``.
    destination
        Position of each pair's destination in ``destination_ids``.
    cost
        Travel cost of each pair (metres for straight-line distances, or minutes).
    origin_ids, destination_ids
        Ids of every origin and destination, including those with no pair.
    max_cost
        The catchment the pairs were built to: every pair with a cost up to it is present.
    """

    origin: PositionArray
    destination: PositionArray
    cost: FloatArray
    origin_ids: pd.Index
    destination_ids: pd.Index
    max_cost: float

    def __post_init__(self) -> None:
        origin = np.asarray(self.origin)
        destination = np.asarray(self.destination)
        cost = np.asarray(self.cost, dtype=np.float64)
        problems: list[Problem] = []
        for name, array in (("origin", origin), ("destination", destination)):
            if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
                problems.append(Problem("must be a 1-D array of integer positions", field=name))
        if cost.ndim != 1:
            problems.append(Problem("must be a 1-D array", field="cost"))
        if problems:
            raise ValidationError("Catchment pairs are not valid.", problems=problems)
        if not len(origin) == len(destination) == len(cost):
            raise ValidationError(
                "Catchment pairs are not valid: origin, destination and cost differ in length."
            )
        origin_ids, destination_ids = pd.Index(self.origin_ids), pd.Index(self.destination_ids)
        max_cost = cost_limit(self.max_cost, "max_cost", problems)
        for name, ids, positions in (
            ("origin", origin_ids, origin),
            ("destination", destination_ids, destination),
        ):
            if ids.has_duplicates:
                problems.append(Problem(f"{name} ids repeat", field=f"{name}_ids"))
            if len(ids) > np.iinfo(np.int32).max:
                problems.append(Problem(f"too many {name}s for int32 positions", field=name))
            if len(positions) and (positions.min() < 0 or positions.max() >= len(ids)):
                problems.append(Problem(f"positions outside the {name} ids", field=name))
        if len(cost) and not (np.isfinite(cost).all() and cost.min() >= 0):
            problems.append(Problem("costs must be finite and not negative", field="cost"))
        elif len(cost) and cost.max() > max_cost:
            problems.append(Problem("costs exceed max_cost", field="cost"))
        if problems:
            raise ValidationError("Catchment pairs are not valid.", problems=problems)
        _freeze(self, origin, destination, cost, origin_ids, destination_ids, max_cost)

    @property
    def n_origins(self) -> int:
        """Number of origins, including those with no pair."""
        return len(self.origin_ids)

    @property
    def n_destinations(self) -> int:
        """Number of destinations, including those with no pair."""
        return len(self.destination_ids)

    def __len__(self) -> int:
        return len(self.cost)

    @cached_property
    def _counts(self) -> npt.NDArray[np.intp]:
        """Number of pairs of each origin, counted once (``np.add.at`` reads the int32 positions
        as they are, where ``np.bincount`` would first copy them all to int64)."""
        counts = np.zeros(self.n_origins, dtype=np.intp)
        np.add.at(counts, self.origin, 1)
        return counts

    def __repr__(self) -> str:
        return (
            f"CatchmentPairs({len(self):,} pairs, {self.n_origins:,} origins, "
            f"{self.n_destinations:,} destinations, max_cost={self.max_cost!r})"
        )

    def within(self, max_cost: float) -> CatchmentPairs:
        """The pairs with a cost of at most ``max_cost``.

        A sensitivity sweep builds the pairs once at its largest catchment and narrows them.

        Parameters
        ----------
        max_cost
            The smaller catchment; it may not exceed the one the pairs were built to.

        Returns
        -------
        The subset, equal to building the pairs with ``max_cost`` directly.
        """
        problems: list[Problem] = []
        limit = cost_limit(max_cost, "max_cost", problems)
        if not problems and limit > self.max_cost:
            problems.append(
                Problem(
                    f"max_cost {limit!r} exceeds the {self.max_cost!r} the pairs were built to; "
                    "build the pairs again with the larger catchment",
                    field="max_cost",
                )
            )
        raise_if(problems, "Cannot narrow the catchment pairs")
        if limit == self.max_cost:
            return self
        keep = self.cost <= limit
        # np.compress: the same rows as indexing by the mask, about twice as fast on millions.
        return _trusted_pairs(
            np.compress(keep, self.origin),
            np.compress(keep, self.destination),
            np.compress(keep, self.cost),
            self.origin_ids,
            self.destination_ids,
            limit,
        )

    def to_frame(
        self, *, origin: str = "origin", destination: str = "dest", cost: str = "cost"
    ) -> pd.DataFrame:
        """The pairs as a long cost table of ids, as :func:`pairs_from_costs` reads."""
        return pd.DataFrame(
            {
                origin: self.origin_ids.take(self.origin),
                destination: self.destination_ids.take(self.destination),
                cost: self.cost,
            }
        )


def _freeze(
    pairs: CatchmentPairs,
    origin: npt.NDArray[Any],
    destination: npt.NDArray[Any],
    cost: FloatArray,
    origin_ids: pd.Index,
    destination_ids: pd.Index,
    max_cost: float,
) -> None:
    arrays: dict[str, npt.NDArray[Any]] = {
        "origin": np.ascontiguousarray(origin, dtype=np.int32).view(),
        "destination": np.ascontiguousarray(destination, dtype=np.int32).view(),
        "cost": np.ascontiguousarray(cost, dtype=np.float64).view(),
    }
    for name, array in arrays.items():
        array.flags.writeable = False  # a view, so the caller's own array stays writeable
        object.__setattr__(pairs, name, array)
    object.__setattr__(pairs, "origin_ids", origin_ids)
    object.__setattr__(pairs, "destination_ids", destination_ids)
    object.__setattr__(pairs, "max_cost", max_cost)


def _trusted_pairs(
    origin: npt.NDArray[np.integer[Any]],
    destination: npt.NDArray[np.integer[Any]],
    cost: FloatArray,
    origin_ids: pd.Index,
    destination_ids: pd.Index,
    max_cost: float,
    counts: npt.NDArray[np.intp] | None = None,
) -> CatchmentPairs:
    """Pairs built here from checked parts, without the O(pairs) checks of ``__post_init__``;
    ``counts``, the number of pairs of each origin where the builder has them already."""
    pairs = object.__new__(CatchmentPairs)
    _freeze(pairs, origin, destination, cost, origin_ids, destination_ids, max_cost)
    if counts is not None:
        counts.flags.writeable = False
        pairs.__dict__["_counts"] = counts  # where the cached property keeps it
    return pairs


@small_pages()
def pairs_from_points(
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    max_cost: float,
    *,
    x: str = "x",
    y: str = "y",
    workers: int | None = None,
) -> CatchmentPairs:
    """Straight-line catchment pairs between two sets of projected points.

    Uses k-d trees (``scipy.spatial.cKDTree.sparse_distance_matrix``), so time and memory grow
    with the number of pairs found. Pairs at distance 0 (an asset at the centroid) are kept.

    Parameters
    ----------
    origins, destinations
        One row per point, ids on the index, coordinates in metres in a projected CRS
        (EPSG:27700 in Great Britain), never degrees.
    max_cost
        Catchment radius in metres; pairs at exactly this distance are included.
    x, y
        Names of the coordinate columns.
    workers
        Threads for the search (default: one per CPU); the result does not depend on it.

    Returns
    -------
    The pairs, with ``cost`` the Euclidean distance in metres.
    """
    problems: list[Problem] = []
    origin_xy = _coordinates(origins, x, y, "origins", problems)
    destination_xy = _coordinates(destinations, x, y, "destinations", problems)
    radius = cost_limit(max_cost, "max_cost", problems)
    raise_if(problems, "Cannot build catchment pairs from points")
    origin, destination, cost = points_within(origin_xy, destination_xy, radius, workers)
    return _trusted_pairs(
        origin, destination, cost, origins.index.copy(), destinations.index.copy(), radius
    )


def _coordinates(
    frame: object, x: str, y: str, what: str, problems: list[Problem]
) -> npt.NDArray[np.float64]:
    empty = np.empty((0, 2))
    if not isinstance(frame, pd.DataFrame):
        problems.append(Problem(f"{what} must be a pandas DataFrame", field=what))
        return empty
    absent = [column for column in (x, y) if column not in frame.columns]
    if absent:
        problems.append(Problem(f"{what} has no column {', '.join(absent)}", field=what))
        return empty
    if frame.index.has_duplicates:
        repeated = frame.index[frame.index.duplicated()].unique()
        problems.append(Problem(f"{what} ids repeat: {named(repeated)}", field=what))
    try:
        xy = frame[[x, y]].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        problems.append(Problem(f"{what} coordinates must be numbers", field=what))
        return empty
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        problems.append(
            Problem(f"{what} coordinates missing for ids {named(frame.index[bad])}", field=what)
        )
    return xy


@small_pages()
def pairs_from_costs(
    costs: pd.DataFrame,
    *,
    origin: str = "origin",
    destination: str = "dest",
    cost: str = "cost",
    origins: Sequence[Any] | pd.Index | None = None,
    destinations: Sequence[Any] | pd.Index | None = None,
    max_cost: float | None = None,
) -> CatchmentPairs:
    """Catchment pairs from a long cost table (one row per origin-destination pair).

    This is the table PySAL ``access`` takes as ``cost_df``: travel times from a router, or
    network distances.

    Parameters
    ----------
    costs
        The cost table.
    origin, destination, cost
        Names of its origin id, destination id and cost columns.
    origins, destinations
        Every origin and destination id, e.g. ``demand.index`` and ``supply.index``, so that
        those with no row (nothing in reach) are kept and reported. By default, the ids found in
        the table, in order of first appearance.
    max_cost
        Keep the rows with a cost of at most this. By default every row is kept and the table is
        taken to hold every pair up to its largest cost.

    Returns
    -------
    The pairs.

    Raises
    ------
    ValidationError
        Naming every problem: absent columns, missing or negative costs, ids not among
        ``origins``/``destinations``, and repeated origin-destination pairs.
    """
    columns = (origin, destination, cost)
    present(costs, columns)
    done = _read_in_halves(costs, columns, origins, destinations, max_cost)
    if done is not None:
        return done
    origin_column, destination_column = costs[origin], costs[destination]
    cost_problems: list[Problem] = []
    origin_problems: tuple[list[Problem], list[Problem]] = ([], [])
    destination_problems: tuple[list[Problem], list[Problem]] = ([], [])

    def read_origins() -> tuple[pd.Index, PositionArray]:
        ids = id_index(origins, origin_column, "origins", origin_problems[0])
        return ids, codes(ids, origin_column, origin, "origins", origin_problems[1])

    def read_the_rest() -> tuple[tuple[FloatArray, float], pd.Index, PositionArray]:
        read = cost_values(costs, cost, cost_problems)
        ids = id_index(destinations, destination_column, "destinations", destination_problems[0])
        found = codes(ids, destination_column, destination, "destinations", destination_problems[1])
        return read, ids, found

    # Converting the two id columns and checking the costs are passes over the whole table:
    # on two cores at once for a large one.
    (origin_ids, origin_codes), ((values, largest), destination_ids, destination_codes) = at_once(
        read_origins, read_the_rest, pairs=len(costs)
    )
    problems = cost_problems
    limit = cost_limit(max_cost, "max_cost", problems) if max_cost is not None else largest
    problems += origin_problems[0] + destination_problems[0]
    problems += origin_problems[1] + destination_problems[1]
    raise_if(problems, "Cannot read the cost table")

    if limit < largest:  # otherwise every row is within the catchment
        keep = values <= limit
        origin_codes = np.compress(keep, origin_codes)
        destination_codes = np.compress(keep, destination_codes)
        values = np.compress(keep, values)
    counts = refuse_repeated_pairs(
        origin_codes, destination_codes, origin_ids, destination_ids, cost
    )
    return _trusted_pairs(
        origin_codes, destination_codes, values, origin_ids, destination_ids, limit, counts
    )


def _read_in_halves(
    costs: pd.DataFrame,
    columns: tuple[str, str, str],
    origins: Sequence[Any] | pd.Index | None,
    destinations: Sequence[Any] | pd.Index | None,
    max_cost: float | None,
) -> CatchmentPairs | None:
    """The pairs of a table read in halves (see :mod:`mobilise.analysis._catchment_read`),
    or None where that reader does not apply: ids not given, or not mapped without a hash, or
    anything to report."""
    if origins is None or destinations is None:
        return None
    problems: list[Problem] = []
    limit = None if max_cost is None else cost_limit(max_cost, "max_cost", problems)
    origin_ids = id_index(origins, costs[columns[0]], "origins", problems)
    destination_ids = id_index(destinations, costs[columns[1]], "destinations", problems)
    if problems:
        return None
    read = read_in_halves(costs, columns, origin_ids, destination_ids)
    if read is None:
        return None
    origin_codes, destination_codes, values, keys = (
        read.origin_codes,
        read.destination_codes,
        read.values,
        read.keys,
    )
    if limit is not None and limit < read.largest:  # rows past the catchment are left out
        keep = values <= limit
        origin_codes = np.compress(keep, origin_codes)
        destination_codes = np.compress(keep, destination_codes)
        values = np.compress(keep, values)
        keys = np.compress(keep, keys)
    counts = refuse_repeated_pairs(
        origin_codes, destination_codes, origin_ids, destination_ids, columns[2], keys
    )
    return _trusted_pairs(
        origin_codes,
        destination_codes,
        values,
        origin_ids,
        destination_ids,
        read.largest if limit is None else limit,
        counts,
    )

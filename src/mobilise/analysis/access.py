"""Spatial accessibility of community assets for the residents of small areas.

Supply sits at *destinations* (assets: parks, libraries, community centres, with a capacity or a
count) and demand at *origins* (small areas such as LSOAs, usually their population-weighted
centroids, with a population). Every measure works on sparse :class:`CatchmentPairs`: the
origin-destination pairs whose travel cost is within a catchment, never a dense origins x
destinations matrix, so memory grows with the pairs and not with the product of the counts.

Conventions
-----------
- A pair is in a catchment when its cost is **at most** ``max_cost`` (``cost <= max_cost``).
- Decay weights ``f(c)`` come from :func:`step`, :func:`gaussian`, :func:`exponential`,
  :func:`linear` or :func:`power` (or any function of a cost array returning non-negative
  weights). In the floating catchment measures the same weight is used in both steps.
- Every measure returns a frame indexed by **every** origin id of the pairs, with one value
  column, and records its parameters, counts and warnings in ``DataFrame.attrs``.
- No silent NaN or infinity: a destination with no demand in reach has a supply-to-demand ratio
  of 0 (its supply reaches nobody); an origin with no destination in reach has access 0. Both are
  counted in ``attrs`` (``destinations_without_demand``, ``origins_without_destination``) and
  explained in ``attrs["warnings"]``. Only :func:`nearest` returns NaN, for origins with no
  destination in reach, and counts them.

Formulas
--------
``P_i`` is the demand at origin *i*, ``S_j`` the supply at destination *j*, ``f`` the decay;
sums run over the pairs within ``max_cost``. Each measure is computed as one or two sparse
matrix-vector products with the catchment matrix ``W[i, j] = f(c_ij)``.

- :func:`weighted_catchment` (gravity): ``A_i = sum_j S_j f(c_ij)``.
- :func:`two_step_fca` (2SFCA; Luo and Wang 2003, with a decay McGrail and Humphreys 2009; with
  :func:`gaussian` the Gaussian 2SFCA): ``R_j = S_j / sum_k P_k f(c_kj)``,
  ``A_i = sum_j R_j f(c_ij)``. :func:`enhanced_two_step_fca` (E2SFCA, Luo and Qi 2009) is the same
  with step weights.
- :func:`three_step_fca` (3SFCA, Wan, Zou and Sternberg 2012): selection weights
  ``G_ij = f(c_ij) / sum_k f(c_ik)`` over the catchment of *i*; ``R_j = S_j / sum_k G_kj P_k
  f(c_kj)``; ``A_i = sum_j G_ij R_j f(c_ij)``.
- :func:`balanced_fca` (BFCA, Paez, Higgins and Vivona 2019): impedance standardised by origin
  ``f^o_ij = f(c_ij) / sum_k f(c_ik)`` and by destination ``f^d_ij = f(c_ij) / sum_k f(c_kj)``;
  ``L_j = S_j / sum_i P_i f^o_ij``; ``A_i = sum_j L_j f^d_ij``.
- :func:`floating_catchment_ratio` (FCA, Wang 2000): supply within reach of *i* over demand within
  reach of *i* (origin-to-origin costs).

These agree with PySAL ``access`` 1.1 (``weighted_catchment``, ``two_stage_fca``,
``enhanced_two_stage_fca``, ``three_stage_fca``, ``fca_ratio``) to 1e-9 on the same input, with
two documented differences: PySAL leaves NaN (no pair) or infinity (no demand in reach) where
these functions give 0; and PySAL's 3SFCA normalises the selection weights over every row of its
cost table, even rows beyond ``max_cost``, where :func:`three_step_fca` follows Wan et al. and
normalises over the catchment (the two agree when the cost table is cut at ``max_cost`` or the
decay is 0 beyond it). The Gaussian decay is PySAL's ``weights.gaussian``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from mobilise.errors import Problem, ValidationError

__all__ = [
    "CatchmentPairs",
    "Decay",
    "balanced_fca",
    "count_within",
    "enhanced_two_step_fca",
    "exponential",
    "floating_catchment_ratio",
    "gaussian",
    "linear",
    "nearest",
    "pairs_from_costs",
    "pairs_from_points",
    "power",
    "step",
    "supply_within",
    "three_step_fca",
    "two_step_fca",
    "weighted_catchment",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
PositionArray: TypeAlias = npt.NDArray[np.int32]
DecayFunction: TypeAlias = Callable[[FloatArray], Any]
"""A decay: any function from an array of costs to an array of non-negative weights."""
StepBands: TypeAlias = Mapping[int, float] | Mapping[float, float]
"""Step weights: the upper cost of each band and its weight, e.g. ``{800: 1.0, 1600: 0.68}``."""

_SHOWN_IDS = 10  # ids named in one error message before "and N more"


# --------------------------------------------------------------------------------------------
# Catchment pairs


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
        max_cost = _cost_limit(self.max_cost, "max_cost", problems)
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
        """Number of pairs of each origin, counted once."""
        return np.bincount(self.origin, minlength=self.n_origins)

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
        limit = _cost_limit(max_cost, "max_cost", problems)
        if not problems and limit > self.max_cost:
            problems.append(
                Problem(
                    f"max_cost {limit!r} exceeds the {self.max_cost!r} the pairs were built to; "
                    "build the pairs again with the larger catchment",
                    field="max_cost",
                )
            )
        _raise_if(problems, "Cannot narrow the catchment pairs")
        if limit == self.max_cost:
            return self
        keep = self.cost <= limit
        return _trusted_pairs(
            self.origin[keep],
            self.destination[keep],
            self.cost[keep],
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
) -> CatchmentPairs:
    """Pairs built here from checked parts, without the O(pairs) checks of ``__post_init__``."""
    pairs = object.__new__(CatchmentPairs)
    _freeze(pairs, origin, destination, cost, origin_ids, destination_ids, max_cost)
    return pairs


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
    radius = _cost_limit(max_cost, "max_cost", problems)
    _raise_if(problems, "Cannot build catchment pairs from points")
    origin, destination, cost = _points_within(origin_xy, destination_xy, radius, workers)
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
        problems.append(Problem(f"{what} ids repeat: {_named(repeated)}", field=what))
    try:
        xy = frame[[x, y]].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        problems.append(Problem(f"{what} coordinates must be numbers", field=what))
        return empty
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        problems.append(
            Problem(f"{what} coordinates missing for ids {_named(frame.index[bad])}", field=what)
        )
    return xy


def _points_within(
    origin_xy: FloatArray, destination_xy: FloatArray, radius: float, workers: int | None
) -> tuple[PositionArray, PositionArray, FloatArray]:
    if len(origin_xy) == 0 or len(destination_xy) == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float64)
    destination_tree = cKDTree(destination_xy)
    # Strips of origins sorted by x make compact subtrees that threads search side by side; the
    # strip count is fixed so the order of the pairs does not depend on the machine.
    n_strips = 1 if len(origin_xy) < 4096 else 64
    order = np.argsort(origin_xy[:, 0], kind="stable").astype(np.int32)

    def search(strip: PositionArray) -> npt.NDArray[np.void]:
        return cKDTree(origin_xy[strip]).sparse_distance_matrix(
            destination_tree, radius, output_type="ndarray"
        )

    strips = np.array_split(order, n_strips)
    threads = min(n_strips, workers or os.cpu_count() or 1)
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            found = list(pool.map(search, strips))
    else:
        found = [search(strip) for strip in strips]
    total = sum(len(part) for part in found)
    origin = np.empty(total, dtype=np.int32)
    destination = np.empty(total, dtype=np.int32)
    cost = np.empty(total, dtype=np.float64)
    found.reverse()  # pop() hands over each strip's (i, j, v) records in order, then drops them
    start = 0
    for strip in strips:
        part = found.pop()
        stop = start + len(part)
        np.take(strip, part["i"], out=origin[start:stop], mode="clip")
        destination[start:stop] = part["j"]
        cost[start:stop] = part["v"]
        start = stop
        del part
    return origin, destination, cost


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
    if not isinstance(costs, pd.DataFrame):
        raise ValidationError("costs must be a pandas DataFrame.")
    absent = [name for name in (origin, destination, cost) if name not in costs.columns]
    if absent:
        raise ValidationError(
            "Cannot read the cost table.",
            problems=[Problem("no such column", field=name) for name in absent],
        )
    problems: list[Problem] = []
    try:
        cost_values = costs[cost].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise ValidationError(
            "Cannot read the cost table.", problems=[Problem("costs must be numbers", field=cost)]
        ) from None
    bad = ~np.isfinite(cost_values) | (cost_values < 0)
    if bad.any():
        problems.append(
            Problem(
                f"cost is missing, negative or infinite in {int(bad.sum())} rows "
                f"(index {_named(costs.index[bad])})",
                field=cost,
            )
        )
    limit = (
        _cost_limit(max_cost, "max_cost", problems)
        if max_cost is not None
        else float(cost_values[~bad].max(initial=0.0))
    )
    origin_column, destination_column = costs[origin], costs[destination]
    origin_ids = _id_index(origins, origin_column, "origins", problems)
    destination_ids = _id_index(destinations, destination_column, "destinations", problems)
    origin_codes = _codes(origin_ids, origin_column, origin, "origins", problems)
    destination_codes = _codes(
        destination_ids, destination_column, destination, "destinations", problems
    )
    _raise_if(problems, "Cannot read the cost table")

    keep = cost_values <= limit
    if not keep.all():
        origin_codes, destination_codes = origin_codes[keep], destination_codes[keep]
        cost_values = cost_values[keep]
    width = max(len(destination_ids), 1)
    # One key per pair; 32-bit keys sort several times faster where they fit.
    key_type = np.uint32 if len(origin_ids) * width < 2**32 else np.int64
    pair_keys: npt.NDArray[np.integer[Any]] = origin_codes.astype(key_type)
    pair_keys *= width
    pair_keys += destination_codes.astype(key_type)
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
    return _trusted_pairs(
        origin_codes, destination_codes, cost_values, origin_ids, destination_ids, limit
    )


def _id_index(
    given: Sequence[Any] | pd.Index | None, column: pd.Series, what: str, problems: list[Problem]
) -> pd.Index:
    if given is None:
        return pd.Index(pd.unique(column.dropna()))
    ids = given.index if isinstance(given, pd.DataFrame) else pd.Index(given)
    if ids.has_duplicates:
        problems.append(
            Problem(f"{what} ids repeat: {_named(ids[ids.duplicated()].unique())}", field=what)
        )
    return ids


def _codes(
    ids: pd.Index, column: pd.Series, name: str, what: str, problems: list[Problem]
) -> npt.NDArray[np.intp]:
    if ids.has_duplicates:
        return np.zeros(len(column), dtype=np.intp)
    codes = np.asarray(ids.get_indexer(column), dtype=np.intp)  # type: ignore[arg-type]
    unknown = codes < 0
    if unknown.any():
        strangers = pd.Index(pd.unique(column[unknown]))
        problems.append(
            Problem(
                f"{len(strangers)} ids are not among the {what} given: {_named(strangers)}",
                field=name,
            )
        )
    return codes


# --------------------------------------------------------------------------------------------
# Decay functions


class Decay:
    """Base of the built-in decay functions: a weight in [0, 1] for each cost.

    Instances are small immutable callables. ``repr`` reads as the call that made them (so it can
    be recorded and re-run) and :meth:`describe` states the formula in words.
    """

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        raise NotImplementedError

    def describe(self) -> str:
        """The formula with its parameters, in words."""
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class _Step(Decay):
    thresholds: tuple[float, ...]
    weights: tuple[float, ...]

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        table = np.append(np.asarray(self.weights, dtype=np.float64), 0.0)
        # side="left": a cost equal to a threshold takes that band's weight, as in PySAL.
        return table[np.searchsorted(self.thresholds, np.asarray(cost, np.float64), side="left")]

    def __repr__(self) -> str:
        bands = ", ".join(
            f"{t!r}: {w!r}" for t, w in zip(self.thresholds, self.weights, strict=True)
        )
        return f"step({{{bands}}})"

    def describe(self) -> str:
        bands = "; ".join(
            f"cost <= {t:g}: {w:g}" for t, w in zip(self.thresholds, self.weights, strict=True)
        )
        return f"step weights ({bands}; beyond {self.thresholds[-1]:g}: 0)"


@dataclass(frozen=True, repr=False)
class _Gaussian(Decay):
    bandwidth: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        c = np.asarray(cost, dtype=np.float64)
        weight = np.multiply(c, c)  # in place from here on: one array, not four
        np.divide(weight, -2 * self.bandwidth**2, out=weight)  # as PySAL: -c * c / (2 s^2)
        return np.exp(weight, out=weight)

    def __repr__(self) -> str:
        return f"gaussian({self.bandwidth!r})"

    def describe(self) -> str:
        return f"Gaussian decay exp(-cost^2 / (2 * {self.bandwidth:g}^2)), 1 at cost 0"


@dataclass(frozen=True, repr=False)
class _Exponential(Decay):
    beta: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        weight = np.multiply(np.asarray(cost, dtype=np.float64), -self.beta)
        return np.exp(weight, out=weight)

    def __repr__(self) -> str:
        return f"exponential({self.beta!r})"

    def describe(self) -> str:
        return f"exponential decay exp(-{self.beta:g} * cost)"


@dataclass(frozen=True, repr=False)
class _Linear(Decay):
    max_cost: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        weight = np.divide(np.asarray(cost, dtype=np.float64), self.max_cost)
        np.subtract(1.0, weight, out=weight)
        return np.maximum(weight, 0.0, out=weight)

    def __repr__(self) -> str:
        return f"linear({self.max_cost!r})"

    def describe(self) -> str:
        return f"linear decay max(0, 1 - cost / {self.max_cost:g})"


@dataclass(frozen=True, repr=False)
class _Power(Decay):
    beta: float
    scale: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        c = np.asarray(cost, dtype=np.float64)
        return (np.maximum(c, self.scale) / self.scale) ** -self.beta

    def __repr__(self) -> str:
        return f"power({self.beta!r}, scale={self.scale!r})"

    def describe(self) -> str:
        return f"inverse power decay min(1, (cost / {self.scale:g})^-{self.beta:g})"


def step(thresholds_and_weights: StepBands) -> Decay:
    """Step weights by cost band, as in the enhanced 2SFCA (E2SFCA).

    Parameters
    ----------
    thresholds_and_weights
        Upper cost of each band and its weight in [0, 1], e.g. ``{800: 1.0, 1600: 0.68}``:
        weight 1 up to and including 800 m, 0.68 above 800 up to 1600, 0 beyond. PySAL's
        ``weights.step_fn`` with the same mapping gives the same weights.

    Examples
    --------
    >>> step({800: 1.0, 1600: 0.68})([0, 800, 801, 1600, 2000]).tolist()
    [1.0, 1.0, 0.68, 0.68, 0.0]
    """
    problems: list[Problem] = []
    if not isinstance(thresholds_and_weights, Mapping) or not thresholds_and_weights:
        raise ValidationError(
            "step needs a mapping of cost thresholds to weights, e.g. {800: 1.0, 1600: 0.68}."
        )
    bands = sorted((float(t), float(w)) for t, w in thresholds_and_weights.items())
    for threshold, weight in bands:
        if not (math.isfinite(threshold) and threshold >= 0):
            problems.append(Problem(f"threshold {threshold!r} must be a cost >= 0", field="step"))
        if not 0 <= weight <= 1:
            problems.append(Problem(f"weight {weight!r} must be in [0, 1]", field="step"))
    _raise_if(problems, "Invalid step weights")
    return _Step(tuple(t for t, _ in bands), tuple(w for _, w in bands))


def gaussian(bandwidth: float) -> Decay:
    """Gaussian decay ``exp(-cost^2 / (2 bandwidth^2))``, as PySAL's ``weights.gaussian(sigma)``.

    The weight is 1 at cost 0 (no normalising constant) and is not cut to 0 at the catchment
    edge; combine it with ``max_cost`` for the Gaussian 2SFCA.

    Parameters
    ----------
    bandwidth
        The width (sigma), in the unit of the costs.
    """
    return _Gaussian(_positive(bandwidth, "bandwidth"))


def exponential(beta: float) -> Decay:
    """Exponential decay ``exp(-beta * cost)``.

    Parameters
    ----------
    beta
        Decay rate per unit of cost, >= 0.
    """
    return _Exponential(_positive(beta, "beta", allow_zero=True))


def linear(max_cost: float) -> Decay:
    """Linear decay ``max(0, 1 - cost / max_cost)``: 1 at cost 0, 0 from ``max_cost`` on.

    Parameters
    ----------
    max_cost
        Cost at which the weight reaches 0.
    """
    return _Linear(_positive(max_cost, "max_cost"))


def power(beta: float, *, scale: float = 1.0) -> Decay:
    """Inverse power decay ``min(1, (cost / scale)^-beta)``.

    Capped at 1 so a cost near 0 does not give an infinite weight. With ``scale=1`` this is the
    ``decay_power`` of the R package accessibility; it equals PySAL's
    ``weights.gravity(scale, -beta, min_dist=scale)``.

    Parameters
    ----------
    beta
        Exponent, >= 0.
    scale
        Cost below which the weight is 1, in the unit of the costs.
    """
    return _Power(_positive(beta, "beta", allow_zero=True), _positive(scale, "scale"))


def _positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValidationError(f"{name} must be a finite number {bound}, not {value!r}.")
    return number


# --------------------------------------------------------------------------------------------
# Measures
#
# Each measure is one or two sparse matrix-vector products with the catchment matrix
# W[i, j] = f(c_ij) held as a COO array over the pair arrays (no copy): one pass over the pairs,
# no per-pair temporaries, no dense origins x destinations matrix.


def nearest(pairs: CatchmentPairs, *, max_cost: float | None = None) -> pd.DataFrame:
    """Cost to the nearest destination from each origin.

    Parameters
    ----------
    pairs
        Catchment pairs.
    max_cost
        Only look this far (default: the catchment of the pairs).

    Returns
    -------
    Column ``nearest_cost``; NaN where no destination is in reach, counted in
    ``attrs["origins_without_destination"]``.
    """
    used = _narrowed(pairs, max_cost)
    cost = np.full(used.n_origins, np.inf)
    np.minimum.at(cost, used.origin, used.cost)
    cost[np.isinf(cost)] = np.nan
    return _result(used, "nearest_cost", cost, "nearest", None, _Notes(), unreached="NaN")


def count_within(pairs: CatchmentPairs, max_cost: float | None = None) -> pd.DataFrame:
    """Number of destinations within ``max_cost`` of each origin.

    Parameters
    ----------
    pairs
        Catchment pairs.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``count`` (integers; 0 where nothing is in reach).
    """
    used = _narrowed(pairs, max_cost)
    return _result(used, "count", used._counts.copy(), "count within", None, _Notes())


def supply_within(
    pairs: CatchmentPairs, supply: pd.Series, max_cost: float | None = None
) -> pd.DataFrame:
    """Cumulative opportunities: total supply within ``max_cost`` of each origin.

    Equals PySAL ``Access.weighted_catchment(max_cost=...)`` without a weight function.

    Parameters
    ----------
    pairs
        Catchment pairs.
    supply
        Supply at each destination (capacity, or 1 per asset to count them), indexed by
        destination id.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``supply`` (0 where nothing is in reach).
    """
    used = _narrowed(pairs, max_cost)
    supply_at = _values(supply, used.destination_ids, "supply", "destination")
    total = _matrix(used, None) @ supply_at
    return _result(used, "supply", total, "supply within", None, _Notes())


def weighted_catchment(
    pairs: CatchmentPairs,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Gravity-type access: supply in reach weighted by decay, ``A_i = sum_j S_j f(c_ij)``.

    Equals PySAL ``Access.weighted_catchment(weight_fn=..., max_cost=...)`` where an origin has a
    destination in reach (PySAL gives NaN where it has none; this gives 0).

    Parameters
    ----------
    pairs
        Catchment pairs.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost, e.g. ``exponential(0.001)``.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``weighted_supply``.
    """
    used = _narrowed(pairs, max_cost)
    supply_at = _values(supply, used.destination_ids, "supply", "destination")
    total = _matrix(used, _weights(decay, used.cost)) @ supply_at
    return _result(used, "weighted_supply", total, "weighted catchment", decay, _Notes())


def two_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_cost: float | None = None,
    decay: Decay | DecayFunction | None = None,
) -> pd.DataFrame:
    """Two-step floating catchment area (2SFCA) access: supply per head within reach.

    ``R_j = S_j / sum_k P_k f(c_kj)`` and ``A_i = sum_j R_j f(c_ij)`` over the pairs within
    ``max_cost``, with ``f = 1`` when there is no decay (Luo and Wang's 2SFCA); with
    :func:`gaussian` this is the Gaussian 2SFCA. Equals PySAL ``Access.two_stage_fca``.

    When every destination with supply has some demand in reach, ``sum_i P_i A_i`` equals the
    total supply.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin (population), indexed by origin id; zero is allowed.
    supply
        Supply at each destination (capacity), indexed by destination id.
    max_cost
        Catchment (default: the one the pairs were built to).
    decay
        Optional weight as a function of cost.

    Returns
    -------
    Column ``access``. A destination with no demand in reach gets ratio 0, and an origin with no
    destination in reach access 0; both are counted in ``attrs`` and ``attrs["warnings"]``.
    """
    used = _narrowed(pairs, max_cost)
    demand_at, supply_at = _demand_and_supply(used, demand, supply)
    catchment = _matrix(used, None if decay is None else _weights(decay, used.cost))
    notes = _Notes()
    access = catchment @ _supply_ratio(catchment, demand_at, supply_at, notes)
    return _result(used, "access", access, "2SFCA", decay, notes)


def enhanced_two_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    weights: StepBands | Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Enhanced two-step floating catchment area (E2SFCA, Luo and Qi 2009).

    The 2SFCA of :func:`two_step_fca` with step weights by cost band in both steps. Equals PySAL
    ``Access.enhanced_two_stage_fca(weight_fn=weights.step_fn(...))``.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    weights
        Step weights as a mapping ``{upper cost: weight}`` (see :func:`step`), or any decay.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``, as :func:`two_step_fca`.
    """
    decay = step(weights) if isinstance(weights, Mapping) else weights
    used = _narrowed(pairs, max_cost)
    demand_at, supply_at = _demand_and_supply(used, demand, supply)
    catchment = _matrix(used, _weights(decay, used.cost))
    notes = _Notes()
    access = catchment @ _supply_ratio(catchment, demand_at, supply_at, notes)
    return _result(used, "access", access, "E2SFCA", decay, notes)


def three_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Three-step floating catchment area (3SFCA, Wan, Zou and Sternberg 2012).

    Competition between destinations: each origin spreads its demand over the destinations in
    its catchment by selection weights ``G_ij = f(c_ij) / sum_k f(c_ik)``, then
    ``R_j = S_j / sum_k G_kj P_k f(c_kj)`` and ``A_i = sum_j G_ij R_j f(c_ij)``.

    Equals PySAL ``Access.three_stage_fca`` when PySAL's cost table holds no row beyond
    ``max_cost`` (PySAL normalises ``G`` over its whole table; this over the catchment, as the
    paper does).

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost (the paper uses Gaussian weights).
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``. An origin whose weights are all 0 has selection weights 0 and access 0,
    counted in ``attrs["origins_with_zero_weight"]``.
    """
    used = _narrowed(pairs, max_cost)
    demand_at, supply_at = _demand_and_supply(used, demand, supply)
    weight = _weights(decay, used.cost)
    notes = _Notes()
    per_origin = _inverse(_matrix(used, weight) @ np.ones(used.n_destinations))  # 1 / sum_k f_ik
    _count_zero_weight(notes, used, per_origin, "their access is 0")
    # G_ij f(c_ij) = f(c_ij)^2 / sum_k f(c_ik): square the weights, scale by origin.
    np.multiply(weight, weight, out=weight)
    catchment = _matrix(used, weight)
    ratio = _supply_ratio(catchment, demand_at * per_origin, supply_at, notes)
    access = (catchment @ ratio) * per_origin
    return _result(used, "access", access, "3SFCA", decay, notes)


def balanced_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Balanced floating catchment area (BFCA, Paez, Higgins and Vivona 2019).

    Removes the demand and level-of-service inflation of the 2SFCA by proportional allocation:
    each origin's demand is split over its destinations by ``f^o_ij = f(c_ij) / sum_k f(c_ik)``,
    giving the level of service ``L_j = S_j / sum_i P_i f^o_ij``; each destination's level of
    service is split over its origins by ``f^d_ij = f(c_ij) / sum_k f(c_kj)``, giving
    ``A_i = sum_j L_j f^d_ij``. This is ``fca_bfca`` of the R package accessibility.

    What is preserved (when every origin and destination has a positive weight in reach): the
    allocated demand sums to the total demand (``sum_j sum_i P_i f^o_ij = sum_i P_i``) and the
    access sums to the total level of service (``sum_i A_i = sum_j L_j``). Note that
    ``sum_i P_i A_i`` is *not* the total supply in general; that holds for :func:`two_step_fca`.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost, e.g. ``step({1600: 1.0})`` for a plain catchment.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``. An origin whose weights are all 0 allocates no demand and gets access 0,
    counted in ``attrs["origins_with_zero_weight"]``.
    """
    used = _narrowed(pairs, max_cost)
    demand_at, supply_at = _demand_and_supply(used, demand, supply)
    catchment = _matrix(used, _weights(decay, used.cost))
    notes = _Notes()
    per_origin = _inverse(catchment @ np.ones(used.n_destinations))  # 1 / sum_k f_ik
    per_destination = _inverse(catchment.T @ np.ones(used.n_origins))  # 1 / sum_k f_kj
    _count_zero_weight(notes, used, per_origin, "their demand is not allocated and access is 0")
    level_of_service = _supply_ratio(catchment, demand_at * per_origin, supply_at, notes)
    access = catchment @ (level_of_service * per_destination)
    return _result(used, "access", access, "BFCA", decay, notes)


def floating_catchment_ratio(
    pairs: CatchmentPairs,
    neighbour_pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Floating catchment area ratio (FCA): supply in reach over demand in reach.

    ``A_i = sum_{j: c_ij <= d} S_j / sum_{k: c_ik <= d} P_k``, where the demand in reach of an
    origin comes from origin-to-origin costs. Equals PySAL ``Access.fca_ratio``.

    Parameters
    ----------
    pairs
        Origin-to-destination catchment pairs.
    neighbour_pairs
        Origin-to-origin catchment pairs (e.g. ``pairs_from_points(areas, areas, d)``), whose
        origins and destinations are the origins of ``pairs``; include each origin's pair with
        itself.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    max_cost
        Catchment ``d`` (default: the one ``pairs`` were built to).

    Returns
    -------
    Column ``access``; 0 where there is no demand in reach, counted in
    ``attrs["origins_without_demand"]``.
    """
    used = _narrowed(pairs, max_cost)
    neighbours = _narrowed(neighbour_pairs, used.max_cost)
    problems = []
    for role, ids in (
        ("origins", neighbours.origin_ids),
        ("destinations", neighbours.destination_ids),
    ):
        if len(ids) != used.n_origins or not ids.isin(used.origin_ids).all():
            problems.append(
                Problem(f"the {role} of neighbour_pairs must be the origins of pairs", field=role)
            )
    _raise_if(problems, "Cannot compute the floating catchment ratio")
    supply_at = _values(supply, used.destination_ids, "supply", "destination")
    demand_at = _values(demand, neighbours.destination_ids, "demand", "origin")
    supply_in_reach = _matrix(used, None) @ supply_at
    demand_in_reach = _matrix(neighbours, None) @ demand_at
    # neighbour_pairs may list the origins in another order: bring its sums into ours.
    demand_in_reach = demand_in_reach[neighbours.origin_ids.get_indexer(used.origin_ids)]
    unserved = demand_in_reach <= 0
    ratio = supply_in_reach * _inverse(demand_in_reach)
    notes = _Notes(counts={"origins_without_demand": int(unserved.sum())})
    if unserved.any():
        notes.warnings.append(
            f"{int(unserved.sum())} origins have no demand in reach; their ratio is set to 0 "
            f"(supply in reach {float(supply_in_reach[unserved].sum()):g})."
        )
    return _result(used, "access", ratio, "FCA ratio", None, notes)


# --------------------------------------------------------------------------------------------
# Shared steps


def _matrix(pairs: CatchmentPairs, weight: FloatArray | None) -> Any:
    """The catchment matrix ``W[i, j] = weight`` of each pair (1 without weights), as a COO array.

    It shares the pair arrays (int32 positions, so scipy keeps them as they are); ``W @ x``
    sums over destinations and ``W.T @ y`` over origins, in one pass over the pairs.
    """
    data = np.ones(len(pairs)) if weight is None else weight
    return sparse.coo_array(
        (data, (pairs.origin, pairs.destination)), shape=(pairs.n_origins, pairs.n_destinations)
    )


def _supply_ratio(
    catchment: Any, demand_vector: FloatArray, supply_at: FloatArray, notes: _Notes
) -> FloatArray:
    """Supply over the weighted demand in reach of each destination; 0 where there is none."""
    demand_in_reach = catchment.T @ demand_vector
    ratio = supply_at * _inverse(demand_in_reach)
    without = demand_in_reach <= 0
    without |= ~np.isfinite(ratio)  # weighted demand so small that the ratio overflows
    ratio[without] = 0.0
    count = int(np.count_nonzero(without))
    notes.counts["destinations_without_demand"] = count
    if count:
        notes.warnings.append(
            f"{count} destinations have no demand in reach; their supply-to-demand ratio is set "
            f"to 0 (supply not allocated: {float(supply_at[without].sum()):g})."
        )
    return ratio


def _inverse(totals: FloatArray) -> FloatArray:
    """``1 / totals``, 0 where a total is 0 (or so small that its inverse overflows)."""
    inverse = np.zeros_like(totals, dtype=np.float64)
    with np.errstate(over="ignore"):
        np.divide(1.0, totals, out=inverse, where=totals > 0)
    inverse[np.isinf(inverse)] = 0.0
    return inverse


@dataclass
class _Notes:
    """Counts and plain-English warnings gathered while computing a measure, for ``attrs``."""

    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _count_zero_weight(
    notes: _Notes, pairs: CatchmentPairs, inverse_weight_sum: FloatArray, effect: str
) -> None:
    zero = int(np.count_nonzero((pairs._counts > 0) & (inverse_weight_sum == 0)))
    notes.counts["origins_with_zero_weight"] = zero
    if zero:
        notes.warnings.append(
            f"{zero} origins have destinations in reach but all their weights are 0; {effect}."
        )


def _narrowed(pairs: CatchmentPairs, max_cost: float | None) -> CatchmentPairs:
    if not isinstance(pairs, CatchmentPairs):
        raise ValidationError(
            "pairs must be CatchmentPairs; build them with pairs_from_points or pairs_from_costs."
        )
    return pairs if max_cost is None else pairs.within(max_cost)


def _weights(decay: Decay | DecayFunction, cost: FloatArray) -> FloatArray:
    """The decay weight of each pair, as a fresh array the measures may change in place."""
    if not callable(decay):
        raise ValidationError(f"decay must be a function of cost, not {decay!r}.")
    weight = np.asarray(decay(cost), dtype=np.float64)
    if weight.shape != cost.shape:
        raise ValidationError(f"decay {decay!r} must return one weight per cost.")
    if isinstance(decay, Decay):
        return weight  # the built-in decays return a new array of weights in [0, 1]
    if not (np.isfinite(weight).all() and (weight >= 0).all()):
        raise ValidationError(f"decay {decay!r} returned missing, infinite or negative weights.")
    return weight.copy() if np.may_share_memory(weight, cost) else weight


def _demand_and_supply(
    pairs: CatchmentPairs, demand: pd.Series, supply: pd.Series
) -> tuple[FloatArray, FloatArray]:
    problems: list[Problem] = []
    demand_at = _values(demand, pairs.origin_ids, "demand", "origin", problems)
    supply_at = _values(supply, pairs.destination_ids, "supply", "destination", problems)
    _raise_if(problems, "Cannot compute access")
    return demand_at, supply_at


def _values(
    values: pd.Series,
    ids: pd.Index,
    what: str,
    role: str,
    problems: list[Problem] | None = None,
) -> FloatArray:
    """``values`` in the order of ``ids``, checked: one finite, non-negative number per id."""
    collected: list[Problem] = [] if problems is None else problems
    result = np.zeros(len(ids))
    if not isinstance(values, pd.Series):
        collected.append(
            Problem(f"{what} must be a pandas Series indexed by {role} id", field=what)
        )
    elif not pd.api.types.is_numeric_dtype(values.dtype):
        collected.append(Problem(f"{what} must be numbers", field=what))
    elif values.index.has_duplicates:
        repeated = values.index[values.index.duplicated()].unique()
        collected.append(Problem(f"{what} repeats {role} ids {_named(repeated)}", field=what))
    else:
        aligned = values if values.index.equals(ids) else values.reindex(ids)
        result = aligned.to_numpy(dtype=np.float64, na_value=np.nan)
        absent = ~ids.isin(values.index)
        if absent.any():
            collected.append(Problem(f"no {what} for {role} ids {_named(ids[absent])}", field=what))
        unknown = ~values.index.isin(ids)
        if unknown.any():
            collected.append(
                Problem(
                    f"{what} has ids that are not {role}s of the pairs: "
                    f"{_named(values.index[unknown])}; build the pairs with every {role} id "
                    f"(e.g. pairs_from_costs(..., {role}s={what}.index))",
                    field=what,
                )
            )
        missing = np.isnan(result) & ~absent
        if missing.any():
            collected.append(
                Problem(f"{what} is missing for ids {_named(ids[missing])}", field=what)
            )
        invalid = np.isinf(result) | (result < 0)
        if invalid.any():
            collected.append(
                Problem(
                    f"{what} is negative or infinite for ids {_named(ids[invalid])}", field=what
                )
            )
    if problems is None:
        _raise_if(collected, "Cannot compute access")
    return result


def _result(
    pairs: CatchmentPairs,
    column: str,
    values: npt.NDArray[Any],
    method: str,
    decay: object,
    notes: _Notes,
    *,
    unreached: str = "0",
) -> pd.DataFrame:
    frame = pd.DataFrame({column: values}, index=pairs.origin_ids.copy())
    unreached_count = int(np.count_nonzero(pairs._counts == 0))
    warnings = list(notes.warnings)
    if unreached_count:
        warnings.insert(
            0,
            f"{unreached_count} origins have no destination within max_cost "
            f"{pairs.max_cost:g}; their {column} is {unreached}.",
        )
    frame.attrs.update(
        {
            "method": method,
            "max_cost": pairs.max_cost,
            "decay": None if decay is None else repr(decay),
            "decay_description": _describe(decay),
            "origins": pairs.n_origins,
            "destinations": pairs.n_destinations,
            "pairs": len(pairs),
            "origins_without_destination": unreached_count,
            **notes.counts,
            "warnings": warnings,
        }
    )
    return frame


def _describe(decay: object) -> str | None:
    if decay is None:
        return None
    describe = getattr(decay, "describe", None)
    return str(describe()) if callable(describe) else repr(decay)


# --------------------------------------------------------------------------------------------
# Small helpers


def _cost_limit(value: object, name: str, problems: list[Problem]) -> float:
    try:
        limit = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        limit = math.nan
    if not (math.isfinite(limit) and limit >= 0):
        problems.append(Problem(f"{name} must be a finite cost >= 0, not {value!r}", field=name))
        return 0.0
    return limit


def _named(ids: pd.Index | Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in list(ids[:_SHOWN_IDS]))
    more = len(ids) - _SHOWN_IDS
    return f"{shown} and {more} more" if more > 0 else shown


def _raise_if(problems: list[Problem], what: str) -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(f"{what}: {len(problems)} {noun}.", problems=problems)

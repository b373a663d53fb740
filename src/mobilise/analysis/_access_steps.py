"""The shared steps of the access measures (private to :mod:`mobilise.analysis.access`).

Each measure is one or two sparse matrix-vector products with the catchment matrix
``W[i, j] = f(c_ij)`` held as COO arrays over the pair arrays (no copy): one pass over the
pairs, no per-pair temporaries, no dense origins x destinations matrix. Millions of pairs are
cut in two halves whose products run on two cores at once. Here: that matrix, the
supply-to-demand ratio, the checks of demand, supply and decay weights, and the result frame with
its ``attrs`` (parameters, counts and plain-English warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from mobilise.analysis._checks import FloatArray, named, raise_if
from mobilise.analysis._halves import at_once, halves
from mobilise.analysis.catchment import CatchmentPairs, PositionArray
from mobilise.analysis.decay import Decay, DecayFunction
from mobilise.errors import Problem, ValidationError

try:  # scipy's own loop behind ``coo_array @ x``, without the checks of every position that
    # building (and transposing) a COO array repeats. The loop itself checks nothing: it relies
    # on every CatchmentPairs holding positions within its ids, which its constructor checks and
    # this package's builders (points, costs, streets, within) make so.
    from scipy.sparse._sparsetools import coo_matvec as _coo_matvec
except ImportError:  # a scipy that moved it: the public COO array does the same sums
    _coo_matvec = None


class Catchment:
    """The catchment matrix ``W[i, j] = weight`` of each pair, kept as the pair arrays cut in
    halves (see :mod:`mobilise.analysis._halves`): ``W @ x`` sums over destinations and
    ``W.T @ y`` over origins, each half on its own core, and the halves' sums are added."""

    def __init__(
        self,
        parts: tuple[tuple[PositionArray, PositionArray, FloatArray], ...],
        shape: tuple[int, int],
    ) -> None:
        self.parts = parts  # (rows, columns, weights) of each half
        self.shape = shape

    def __matmul__(self, vector: FloatArray) -> FloatArray:
        x = np.ascontiguousarray(vector, dtype=np.float64)
        if len(self.parts) == 1:
            return self._product(self.parts[0], x)
        first, second = self.parts
        return np.add(*at_once(lambda: self._product(first, x), lambda: self._product(second, x)))

    @property
    def T(self) -> Catchment:  # named as scipy and numpy name a transpose
        swapped = tuple((columns, rows, data) for rows, columns, data in self.parts)
        return Catchment(swapped, (self.shape[1], self.shape[0]))

    def _product(
        self, part: tuple[PositionArray, PositionArray, FloatArray], x: FloatArray
    ) -> FloatArray:
        rows, columns, data = part
        if _coo_matvec is None:
            matrix = sparse.coo_array((data, (rows, columns)), shape=self.shape, copy=False)
            return np.asarray(matrix @ x)
        result = np.zeros(self.shape[0])
        _coo_matvec(len(data), rows, columns, data, x, result)
        return result


def matrix(pairs: CatchmentPairs, weight: FloatArray | None) -> Catchment:
    """The catchment matrix of the pairs, weighted by ``weight`` (1 without weights).

    It shares the pair arrays (int32 positions); without weights, both halves share one array of
    ones.
    """
    cuts = halves(len(pairs))
    if weight is None:
        ones = np.ones(max(cut.stop - cut.start for cut in cuts))
        weights = [ones[: cut.stop - cut.start] for cut in cuts]
    else:
        data = np.ascontiguousarray(weight, dtype=np.float64)
        weights = [data[cut] for cut in cuts]
    parts = tuple(
        (pairs.origin[cut], pairs.destination[cut], part)
        for cut, part in zip(cuts, weights, strict=True)
    )
    return Catchment(parts, (pairs.n_origins, pairs.n_destinations))


def supply_ratio(
    catchment: Any, demand_vector: FloatArray, supply_at: FloatArray, notes: Notes
) -> FloatArray:
    """Supply over the weighted demand in reach of each destination; 0 where there is none."""
    demand_in_reach = catchment.T @ demand_vector
    ratio = supply_at * inverse(demand_in_reach)
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


def inverse(totals: FloatArray) -> FloatArray:
    """``1 / totals``, 0 where a total is 0 (or so small that its inverse overflows)."""
    inverse = np.zeros_like(totals, dtype=np.float64)
    with np.errstate(over="ignore"):
        np.divide(1.0, totals, out=inverse, where=totals > 0)
    inverse[np.isinf(inverse)] = 0.0
    return inverse


@dataclass
class Notes:
    """Counts and plain-English warnings gathered while computing a measure, for ``attrs``."""

    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def count_zero_weight(
    notes: Notes, pairs: CatchmentPairs, inverse_weight_sum: FloatArray, effect: str
) -> None:
    zero = int(np.count_nonzero((pairs._counts > 0) & (inverse_weight_sum == 0)))
    notes.counts["origins_with_zero_weight"] = zero
    if zero:
        notes.warnings.append(
            f"{zero} origins have destinations in reach but all their weights are 0; {effect}."
        )


def narrowed(pairs: CatchmentPairs, max_cost: float | None) -> CatchmentPairs:
    if not isinstance(pairs, CatchmentPairs):
        raise ValidationError(
            "pairs must be CatchmentPairs; build them with pairs_from_points or pairs_from_costs."
        )
    return pairs if max_cost is None else pairs.within(max_cost)


def decay_weights(decay: Decay | DecayFunction | None, cost: FloatArray) -> FloatArray:
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


def demand_and_supply(
    pairs: CatchmentPairs, demand: pd.Series, supply: pd.Series
) -> tuple[FloatArray, FloatArray]:
    problems: list[Problem] = []
    demand_at = values_at(demand, pairs.origin_ids, "demand", "origin", problems)
    supply_at = values_at(supply, pairs.destination_ids, "supply", "destination", problems)
    raise_if(problems, "Cannot compute access")
    return demand_at, supply_at


def values_at(
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
        collected.append(Problem(f"{what} repeats {role} ids {named(repeated)}", field=what))
    else:
        same = values.index.equals(ids)  # then every id has one value: no lookups
        aligned = values if same else values.reindex(ids)
        result = aligned.to_numpy(dtype=np.float64, na_value=np.nan)
        absent = np.zeros(len(ids), dtype=bool) if same else ~ids.isin(values.index)
        if absent.any():
            collected.append(Problem(f"no {what} for {role} ids {named(ids[absent])}", field=what))
        unknown = np.zeros(0, dtype=bool) if same else ~values.index.isin(ids)
        if unknown.any():
            collected.append(
                Problem(
                    f"{what} has ids that are not {role}s of the pairs: "
                    f"{named(values.index[unknown])}; build the pairs with every {role} id "
                    f"(e.g. pairs_from_costs(..., {role}s={what}.index))",
                    field=what,
                )
            )
        missing = np.isnan(result) & ~absent
        if missing.any():
            collected.append(
                Problem(f"{what} is missing for ids {named(ids[missing])}", field=what)
            )
        invalid = np.isinf(result) | (result < 0)
        if invalid.any():
            collected.append(
                Problem(f"{what} is negative or infinite for ids {named(ids[invalid])}", field=what)
            )
    if problems is None:
        raise_if(collected, "Cannot compute access")
    return result


def result_frame(
    pairs: CatchmentPairs,
    column: str,
    values: npt.NDArray[Any],
    method: str,
    decay: object,
    notes: Notes,
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

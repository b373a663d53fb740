"""The shared steps of the access measures (private to :mod:`mobilise.analysis.access`).

Each measure is one or two sparse matrix-vector products with the catchment matrix
``W[i, j] = f(c_ij)`` held as a COO array over the pair arrays (no copy): one pass over the
pairs, no per-pair temporaries, no dense origins x destinations matrix. Here: that matrix, the
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
from mobilise.analysis.catchment import CatchmentPairs
from mobilise.analysis.decay import Decay, DecayFunction
from mobilise.errors import Problem, ValidationError


def matrix(pairs: CatchmentPairs, weight: FloatArray | None) -> Any:
    """The catchment matrix ``W[i, j] = weight`` of each pair (1 without weights), as a COO array.

    It shares the pair arrays (int32 positions, so scipy keeps them as they are); ``W @ x``
    sums over destinations and ``W.T @ y`` over origins, in one pass over the pairs.
    """
    data = np.ones(len(pairs)) if weight is None else weight
    return sparse.coo_array(
        (data, (pairs.origin, pairs.destination)), shape=(pairs.n_origins, pairs.n_destinations)
    )


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
        aligned = values if values.index.equals(ids) else values.reindex(ids)
        result = aligned.to_numpy(dtype=np.float64, na_value=np.nan)
        absent = ~ids.isin(values.index)
        if absent.any():
            collected.append(Problem(f"no {what} for {role} ids {named(ids[absent])}", field=what))
        unknown = ~values.index.isin(ids)
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

"""Health inequality measures: the deprivation gradient and how concentrated an outcome is.

Deprivation order
-----------------
Quantile 1 is the **most deprived** group, as with IMD deciles (decile 1 holds the most deprived
10% of LSOAs); the highest quantile is the least deprived. :func:`concentration_index` takes a
rank where **lower means more deprived** (e.g. the IMD rank, 1 = most deprived LSOA).

Slope and relative index of inequality (SII, RII)
-------------------------------------------------
:func:`slope_index_of_inequality` follows the PHE/OHID method (PHEindicatormethods ``phe_sii``;
Low and Low 2004); :func:`by_quantile` aggregates area rows (e.g. LSOAs) to one row per quantile
for it. Both live in :mod:`mobilise.analysis.slope_index`, whose docstring gives the method, its
sign convention and where it differs from PHE; they are importable from here.

Other measures
--------------
- :func:`concentration_index`: O'Donnell, van Doorslaer, Wagstaff and Lindelow (2008),
  *Analyzing Health Equity Using Household Survey Data*, ch. 8, with the Erreygers (2009) and
  Wagstaff (2005) corrections for bounded variables.
- :func:`gini`: population-weighted Gini coefficient from the Lorenz curve.
- :func:`quintile_gap`: gap and ratio between the most and least deprived groups.

Every function checks its input and raises one :class:`~mobilise.errors.ValidationError`
listing every problem, each naming the argument and the groups or rows at fault. Results never
hold NaN or infinity: an undefined quantity is ``None`` with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mobilise.analysis._inequality_checks import (
    FloatArray,
    Numbers,
    Problems,
    Result,
    label,
)
from mobilise.analysis.slope_index import SlopeIndex, by_quantile, slope_index_of_inequality

__all__ = [
    "ConcentrationIndex",
    "QuantileGap",
    "SlopeIndex",
    "by_quantile",
    "concentration_index",
    "gini",
    "quintile_gap",
    "slope_index_of_inequality",
]

ConcentrationKind = Literal["standard", "erreygers", "wagstaff"]


@dataclass(frozen=True)
class ConcentrationIndex(Result):
    """A concentration index: negative when the variable is concentrated among the more deprived
    (low rank), positive when among the less deprived, 0 when it does not follow the rank."""

    value: float
    kind: str
    n: int
    population: float
    mean: float
    bounds: tuple[float, float] | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class QuantileGap(Result):
    """Gap (least deprived - most deprived) and ratio (most deprived / least deprived)."""

    gap: float
    ratio: float | None
    most_deprived_quantile: float
    least_deprived_quantile: float
    most_deprived_value: float
    least_deprived_value: float
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Concentration index, Gini, quintile gap


def concentration_index(
    values: Numbers,
    rank: Numbers,
    *,
    population: Numbers | None = None,
    kind: ConcentrationKind = "standard",
    bounds: tuple[float, float] | None = None,
) -> ConcentrationIndex:
    """Concentration index of a health or access variable by socioeconomic rank.

    Standard index (O'Donnell et al. 2008, ch. 8): ``C = 2 cov_w(h, R) / mean_w(h)`` with ``R``
    the population-weighted fractional rank, ``R_i = (weight ranked before i + w_i / 2) / sum
    w``, ranked by ``rank`` ascending, so **R near 0 is the most deprived**. Tied ranks form one
    block and all get the block's midpoint, the mean fractional rank of its members.

    ``C < 0``: the variable is concentrated among the more deprived; ``C > 0``: among the less
    deprived; ``C = 0``: it does not follow the rank. For a variable bounded by ``a <= h <= b``:
    ``kind="erreygers"`` gives ``E = 4 mean / (b - a) C`` (Erreygers 2009) and
    ``kind="wagstaff"`` gives ``W = (b - a) mean C / ((b - mean)(mean - a))``, which is
    ``C / (1 - mean)`` for a variable in [0, 1] (Wagstaff 2005).

    Parameters
    ----------
    values
        The variable ``h`` of each person or area.
    rank
        Socioeconomic rank, **lower = more deprived**, e.g. the IMD rank (1 = most deprived).
    population
        Weights (e.g. area populations); equal by default.
    kind
        "standard", "erreygers" or "wagstaff".
    bounds
        ``(a, b)``: the bounds of the variable, needed by "erreygers" and "wagstaff".
    """
    found = Problems("Cannot compute the concentration index")
    if kind not in ("standard", "erreygers", "wagstaff"):
        found.add(f"must be standard, erreygers or wagstaff, not {kind!r}", "kind")
    low, high = _bounds(bounds, kind, found)
    arrays, rows = found.by_position(
        {"values": values, "rank": rank, "population": population}, at_least_zero=("population",)
    )
    h, r, w = arrays["values"], arrays["rank"], arrays["population"]
    if bounds is not None and not found:
        outside = (h < low) | (h > high)
        found.flag(outside, rows, "values", f"are outside bounds ({low:g}, {high:g})", "positions")
    if len(h) < 2:
        found.add("needs at least 2 rows", "values")
    elif not found and w.sum() <= 0:
        found.add("the weights sum to 0", "population")
    found.raise_if_any()
    index, mean = _concentration(h, r, w, kind, (low, high), found)
    warnings = []
    if kind == "standard" and (h < 0).any():
        warnings.append("values include negatives, so the index is not bounded by -1 and 1.")
    return ConcentrationIndex(
        value=index,
        kind=kind,
        n=len(h),
        population=float(w.sum()),
        mean=mean,
        bounds=None if bounds is None else (low, high),
        warnings=tuple(warnings),
    )


def gini(values: Numbers, *, population: Numbers | None = None) -> float:
    """Population-weighted Gini coefficient of non-negative values: 0 when all are equal.

    From the Lorenz curve: sorted by value, with population shares ``p_i`` and cumulative shares
    of the total ``L_i`` (``L_0 = 0``), ``G = 1 - sum_i p_i (L_{i-1} + L_i)``, one minus twice
    the area under the curve. Integer weights give the same answer as repeated rows. This is the
    population Gini (no ``n / (n - 1)`` correction); all zeros give 0.

    Examples
    --------
    >>> gini([0, 0, 0, 1]), gini([5, 5, 5])
    (0.75, 0.0)
    """
    found = Problems("Cannot compute the Gini coefficient")
    arrays, _ = found.by_position(
        {"values": values, "population": population}, at_least_zero=("values", "population")
    )
    x, w = arrays["values"], arrays["population"]
    if not len(x):
        found.add("needs at least one value", "values")
    elif not found and w.sum() <= 0:
        found.add("the weights sum to 0", "population")
    found.raise_if_any()
    x, w = x[w > 0], w[w > 0]
    if x.min() == x.max():  # all equal (all zero included): exactly 0, not rounding noise
        return 0.0
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    total = float(w @ x)
    lorenz = np.cumsum(w * x) / total
    before = np.concatenate([[0.0], lorenz[:-1]])
    return float(min(max(1 - (w / w.sum()) @ (before + lorenz), 0.0), 1.0))


def quintile_gap(
    values: Numbers, quantile: Numbers, *, population: Numbers | None = None
) -> QuantileGap:
    """The gap and ratio between the most deprived (lowest quantile) and least deprived groups.

    ``gap = least deprived - most deprived`` (the sign of the SII) and
    ``ratio = most deprived / least deprived``, ``None`` with a warning when the least deprived
    value is 0. Given area rows (several per quantile), each end's value is their
    population-weighted mean (equal weights without ``population``).
    """
    found = Problems("Cannot compute the quintile gap")
    arrays, _ = found.by_position(
        {"values": values, "quantile": quantile, "population": population},
        at_least_zero=("population",),
    )
    x, q, w = arrays["values"], arrays["quantile"], arrays["population"]
    if not found and len(np.unique(q)) < 2:
        found.add("needs at least 2 different quantiles", "quantile")
    found.raise_if_any()
    ends = np.unique(q)[[0, -1]]
    means = []
    for end in ends:
        weight = w[q == end]
        if weight.sum() <= 0:
            found.add(f"quantile {label(end)} has population 0", "population")
        else:
            means.append(float(weight @ x[q == end] / weight.sum()))
    found.raise_if_any()
    most, least = means
    warnings = []
    if least == 0:
        warnings.append(
            f"the least deprived quantile {label(ends[1])} has value 0, so the "
            "ratio is undefined (None)."
        )
    return QuantileGap(
        gap=least - most,
        ratio=None if least == 0 else most / least,
        most_deprived_quantile=float(ends[0]),
        least_deprived_quantile=float(ends[1]),
        most_deprived_value=most,
        least_deprived_value=least,
        warnings=tuple(warnings),
    )


def _concentration(
    h: FloatArray,
    r: FloatArray,
    w: FloatArray,
    kind: str,
    bounds: tuple[float, float],
    found: Problems,
) -> tuple[float, float]:
    """The index of ``kind`` of ``h`` by rank ``r`` with weights ``w``, and the weighted mean."""
    low, high = bounds
    order = np.argsort(r, kind="stable")
    h, share = h[order], w[order] / w.sum()
    _, block = np.unique(r[order], return_inverse=True)
    block_share = np.bincount(block, weights=share)
    fractional = (np.cumsum(block_share) - block_share / 2)[block]
    mean = float(share @ h)
    if (kind == "standard" and mean == 0) or (kind == "wagstaff" and not low < mean < high):
        reason = "the mean is 0" if kind == "standard" else "the mean is at a bound"
        found.add(f"{reason}, so the {kind} concentration index is undefined", "values")
        found.raise_if_any()
    covariance = float(share @ ((h - mean) * (fractional - 0.5)))  # the weighted mean of R is 1/2
    if kind == "standard":
        return 2 * covariance / mean, mean
    if kind == "erreygers":  # 4 mean / (b - a) C, which stays defined when the mean is 0
        return 8 * covariance / (high - low), mean
    return 2 * (high - low) * covariance / ((high - mean) * (mean - low)), mean


def _bounds(bounds: object, kind: str, found: Problems) -> tuple[float, float]:
    if bounds is None:
        if kind in ("erreygers", "wagstaff"):
            found.add(f"the {kind} index needs bounds=(a, b)", "bounds")
        return -math.inf, math.inf
    try:
        low, high = (float(b) for b in bounds)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        low, high = math.nan, math.nan
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        found.add("must be two finite numbers (a, b) with a < b", "bounds")
    return low, high

"""The slope and relative index of inequality (SII, RII) across deprivation groups.

Part of the inequality measures (:mod:`mobilise.analysis.inequality`, which re-exports these
names, states their deprivation order: quantile 1 is the most deprived group, as with IMD
deciles).

Method
------
:func:`slope_index_of_inequality` follows the PHE/OHID method as coded in the R package
PHEindicatormethods (github.com/ukhsa-collaboration/PHEindicatormethods, formerly
PublicHealthEngland): ``phe_sii`` of the 2.x releases with ``transform`` (``R/SII_function.R``,
``FindXValues`` and ``SimulationFunc`` in ``R/utils.R``); Low and Low 2004, J Public Health
26:388-395:

- Groups are ordered from most to least deprived. Each gets the population share
  ``a_i = P_i / sum P`` and the midpoint of its range in the cumulative population
  ``x_i = sum_{j<i} a_j + a_i / 2`` (PHE's ``FindXValues``).
- The value is regressed on ``x`` by least squares weighted by population (PHE fits
  ``y sqrt(a) ~ sqrt(a) + x sqrt(a)`` without intercept, which is the same fit). The SII is the
  fitted value at ``x = 1`` (least deprived end) minus the fitted value at ``x = 0`` (most
  deprived end), i.e. the slope. **Sign**: positive when the value rises towards the least
  deprived (life expectancy, usually access to green space), negative when it is higher among
  the most deprived (most mortality rates). ``multiplier`` scales the SII (e.g. 100 for
  percentages); a negative multiplier flips the polarity and inverts the RII, as PHE does.
- The RII is PHE's: the fitted value at ``x = 1`` over the fitted value at ``x = 0``,
  ``RII = (Y0 + SII) / Y0``. (The Kunst-Mackenbach RII, SII over the mean, is ``sii / mean``.)
- ``transform=True`` (rates: log, proportions: logit) fits the line on the transformed scale
  and reports ``SII = g^-1(b0 + b1) - g^-1(b0)`` and ``RII = g^-1(b0 + b1) / g^-1(b0)`` in the
  original units; ``intercept`` and ``slope`` are then on the transformed scale.
- Confidence intervals by simulation: each group's value is drawn ``reps`` times from
  ``Normal(value, se)``, the line refitted to every draw (one matrix product) and the limits are
  the ``(1 - confidence) / 2`` and ``1 - (1 - confidence) / 2`` percentiles. Without
  ``transform``, rates and proportions whose SE comes from ``lower``/``upper`` are drawn on the
  log/logit scale and back-transformed before fitting (PHE). With ``transform``, the percentiles
  of the transformed slope are placed symmetrically about the fitted midpoint ``b0 + b1 / 2`` and
  back-transformed, as PHE does.
- SE from confidence limits: ``(upper - lower) / (2 z)`` on the log/logit scale for rates and
  proportions, on the original scale for means.

Where this differs from ``phe_sii``:

- The limits ``lower``/``upper`` are taken to be at ``confidence``; PHE hard-codes 95% limits.
- PHE refuses fewer than 5 or more than 100 quantiles; here 2 are enough, with a warning below
  5, and PHE's instability warning above 10.
- A group with zero population is dropped with a warning naming it (PHE refuses). A missing
  value, SE or limit is refused, naming the group (PHE drops the whole area with a warning).
- ``intercept`` is the regression term (transformed scale with ``transform``); PHE's optional
  intercept output is the back-transformed one times ``abs(multiplier)``.
- A given ``se`` is on the scale of the values. Without ``transform`` it is used as it is (PHE
  would draw it on the log/logit scale); with ``transform`` it is carried to that scale by the
  delta method, ``se / value`` or ``se / (p (1 - p))`` (PHE refuses ``se`` with ``transform``).
- Percentiles interpolate (numpy's default); PHE takes the draw at ``round(reps * p)``. One
  ``confidence`` per call (PHE takes several); ``0 < confidence < 1``; ``reps >= 1000`` as PHE,
  default 10,000 (PHE 100,000).

Areas to quantiles
------------------
:func:`by_quantile` aggregates area rows (e.g. LSOAs) to one row per quantile for the SII.

Both check their input as the other inequality measures do (every problem in one
:class:`~mobilise.errors.ValidationError`, naming the argument and the groups or rows at fault);
a result never holds NaN or infinity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from mobilise.analysis._inequality_checks import (
    FloatArray,
    Numbers,
    Problems,
    Result,
    finite_number,
    label,
    named_labels,
    pick,
)
from mobilise.errors import ValidationError

__all__ = ["SlopeIndex", "ValueType", "by_quantile", "slope_index_of_inequality"]

ValueType = Literal["mean", "rate", "proportion"]

_PHE_MIN_QUANTILES = 5
_PHE_UNSTABLE_ABOVE = 10  # PHE warns that the SII may be unstable with more quantiles
_MIN_REPS = 1000  # PHE's minimum number of simulated draws


@dataclass(frozen=True)
class SlopeIndex(Result):
    """Slope and relative index of inequality with simulated confidence limits.

    ``sii`` is the fitted least-deprived end minus the most-deprived end, times ``multiplier``;
    ``rii`` the fitted least-deprived end over the most-deprived end (PHE). ``intercept`` and
    ``slope`` are the regression terms on the fitting scale (log or logit with ``transform``),
    without ``multiplier``. ``mean`` is the population-weighted mean value. The limits are
    ``None`` when no uncertainty was given, ``rii`` when the most-deprived end is 0. ``favours``
    ("least deprived", "most deprived" or "neither") says which end is better off, when
    ``higher_is_better`` was given.
    """

    sii: float
    sii_lower: float | None
    sii_upper: float | None
    rii: float | None
    rii_lower: float | None
    rii_upper: float | None
    intercept: float
    slope: float
    groups: int
    population: float
    mean: float
    confidence: float
    reps: int
    value_type: str
    transform: bool
    multiplier: float
    higher_is_better: bool | None
    favours: str | None
    warnings: tuple[str, ...]


def slope_index_of_inequality(
    values: Numbers,
    population: Numbers,
    *,
    quantile: Numbers | None = None,
    se: Numbers | None = None,
    lower: Numbers | None = None,
    upper: Numbers | None = None,
    value_type: ValueType = "mean",
    transform: bool = False,
    confidence: float = 0.95,
    reps: int = 10_000,
    seed: int | np.random.Generator | None = None,
    multiplier: float = 1.0,
    higher_is_better: bool | None = None,
) -> SlopeIndex:
    """Slope index of inequality (SII) and relative index (RII) across deprivation groups (PHE).

    The method, its sign convention and where it differs from PHEindicatormethods ``phe_sii``
    are in the module docstring.

    Parameters
    ----------
    values
        The indicator value of each group (one row per deprivation quantile).
    population
        Population (denominator) of each group. A group with 0 is left out with a warning.
    quantile
        Quantile number of each group, 1 = most deprived. By default the groups are taken in the
        order given, most deprived first.
    se
        Standard error of each value, on the scale of the values. Used before ``lower``/``upper``.
    lower, upper
        Confidence limits of each value at ``confidence``, from which the SE is derived.
    value_type
        "mean" (any value), "rate" (>= 0) or "proportion" (0 to 1).
    transform
        Fit on the log (rates) or logit (proportions) scale, for gradients that are not linear.
    confidence
        Level of the intervals (and of ``lower``/``upper``), between 0 and 1.
    reps
        Number of simulated draws, at least 1000.
    seed
        Seed or numpy Generator, for reproducible intervals.
    multiplier
        Factor applied to the SII and its limits (e.g. 100 for percentages); a negative one
        flips the polarity and inverts the RII.
    higher_is_better
        Whether a higher value is better, to say which end of the gradient is ``favours``-ed.

    Returns
    -------
    The :class:`SlopeIndex`.

    Raises
    ------
    ValidationError
        Naming every problem, with the argument and the quantiles concerned.

    Examples
    --------
    >>> result = slope_index_of_inequality([10, 20, 30, 40, 50], [100] * 5)
    >>> round(result.sii, 9), round(result.rii, 9), round(result.mean, 9)
    (50.0, 11.0, 30.0)
    """
    options = _Options(value_type, transform, confidence, reps, seed, multiplier)
    found = Problems("Cannot compute the slope index of inequality")
    options.check(found)
    if higher_is_better not in (None, True, False):
        found.add("must be True, False or None", "higher_is_better")
    given = {"values": values, "population": population, "quantile": quantile, "se": se}
    arrays, labels, warnings = _groups(given | {"lower": lower, "upper": upper}, found)
    log_scale = value_type != "mean" and (transform or (se is None and lower is not None))
    _check_sii_values(arrays, labels, value_type, log_scale, found)
    if len(labels) < 2:
        found.add("needs at least 2 groups with a population (PHE: 5 or more)", "values")
    found.raise_if_any()

    y, pop = arrays["values"], arrays["population"]
    share = pop / pop.sum()
    midpoint = np.cumsum(share) - share / 2
    design = np.column_stack([np.ones_like(midpoint), midpoint])
    # Weighted least squares as one linear map, coefficients = hat @ y, for any number of ys.
    hat = np.linalg.solve(design.T @ (design * share[:, None]), (design * share[:, None]).T)
    forward, inverse = _link(value_type, transform)
    intercept, slope = hat @ forward(y)
    bottom, top = inverse(intercept), inverse(intercept + slope)  # fitted at x = 0 and x = 1
    zero_end = min(abs(bottom), abs(top)) <= 1e-12 * max(abs(bottom), abs(top))  # rounding
    rii = None if zero_end else float(top / bottom) ** math.copysign(1, multiplier)
    if rii is None:
        warnings.append("a fitted end of the gradient is 0, so the RII is undefined (None).")
    limits = _sii_limits(arrays, hat, (intercept, slope), log_scale, options, warnings)
    if len(labels) < _PHE_MIN_QUANTILES:
        warnings.append(
            f"only {len(labels)} groups: PHE asks for at least {_PHE_MIN_QUANTILES} "
            "quantiles, and the SII rests on few points."
        )
    elif len(labels) > _PHE_UNSTABLE_ABOVE:
        warnings.append("small values can make the SII unstable with many quantiles (PHE).")
    return SlopeIndex(
        sii=float(multiplier * (top - bottom)),
        sii_lower=limits[0],
        sii_upper=limits[1],
        rii=rii,
        rii_lower=limits[2],
        rii_upper=limits[3],
        intercept=float(intercept),
        slope=float(slope),
        groups=len(labels),
        population=float(pop.sum()),
        mean=float(share @ y),
        confidence=float(confidence),
        reps=int(reps),
        value_type=value_type,
        transform=bool(transform),
        multiplier=float(multiplier),
        higher_is_better=higher_is_better,
        favours=_favours(float(top - bottom), y, higher_is_better),
        warnings=tuple(warnings),
    )


def _groups(
    given: dict[str, Any], found: Problems
) -> tuple[dict[str, FloatArray], list[str], list[str]]:
    """The groups' arrays in quantile order without the groups of population 0, each group's
    label, and the warning that names those left out."""
    before = len(found)
    arrays = found.arrays(given)
    if (given["lower"] is None) != (given["upper"] is None):
        found.add("give lower and upper together", "upper" if given["upper"] is None else "lower")
    if len(found) > before:  # the groups cannot be checked one by one
        found.raise_if_any()
    count = len(arrays["values"])
    order, labels = np.arange(count), [str(i + 1) for i in range(count)]
    if "quantile" in arrays:
        order, labels = _quantile_order(arrays.pop("quantile"), found)
    arrays = {name: array[order] for name, array in arrays.items()}
    found.numbers(arrays["population"], labels, "population", least="zero")
    empty = arrays["population"] == 0
    warnings = []
    if empty.any():
        left_out = named_labels(pick(labels, empty))
        warnings.append(f"quantiles with population 0 were left out: {left_out}.")
    return {name: array[~empty] for name, array in arrays.items()}, pick(labels, ~empty), warnings


@dataclass(frozen=True)
class _Options:
    """The options of :func:`slope_index_of_inequality` that shape its simulation."""

    value_type: str
    transform: bool
    confidence: float
    reps: int
    seed: int | np.random.Generator | None
    multiplier: float

    def check(self, found: Problems) -> None:
        if self.value_type not in ("mean", "rate", "proportion"):
            found.add(f"must be mean, rate or proportion, not {self.value_type!r}", "value_type")
        elif self.transform and self.value_type == "mean":
            found.add("transform applies to rates (log) and proportions (logit)", "transform")
        found.confidence(self.confidence)
        reps = self.reps
        if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < _MIN_REPS:
            found.add(f"must be a whole number of at least {_MIN_REPS} (PHE)", "reps")
        if not finite_number(self.multiplier) or self.multiplier == 0:
            found.add("must be a finite number other than 0", "multiplier")


def _sii_limits(
    arrays: dict[str, FloatArray],
    hat: FloatArray,
    fitted: tuple[float, float],
    log_scale: bool,
    options: _Options,
    warnings: list[str],
) -> tuple[float | None, float | None, float | None, float | None]:
    """Simulated (sii_lower, sii_upper, rii_lower, rii_upper), all ``None`` without an SE."""
    y, transform, multiplier = arrays["values"], options.transform, options.multiplier
    forward, inverse = _link(options.value_type, log_scale)
    if "se" in arrays:
        se = arrays["se"]
        if transform:  # delta method: the SE of g(y) is g'(y) se
            se = se / y if options.value_type == "rate" else se / (y * (1 - y))
    elif "lower" in arrays:
        z = stats.norm.ppf(1 - (1 - options.confidence) / 2)
        se = (forward(arrays["upper"]) - forward(arrays["lower"])) / (2 * z)
    else:
        warnings.append(
            "no se or lower/upper limits were given, so the confidence limits are None."
        )
        return None, None, None, None
    noise = np.random.default_rng(options.seed).standard_normal((options.reps, len(y)))
    draws = forward(y) + se * noise
    if log_scale and not transform:
        draws = inverse(draws)  # PHE: drawn on the log/logit scale, fitted on the original one
    intercepts, slopes = (draws @ hat.T).T
    tail = (1 - options.confidence) / 2
    if not transform:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = ((intercepts + slopes) / intercepts) ** math.copysign(1, multiplier)
        if not np.isfinite(ratios).all():
            warnings.append("some simulated RIIs were undefined (a fitted end of 0): left out.")
        return (*_percentiles(multiplier * slopes, tail), *_percentiles(ratios, tail))
    # PHE: the slope's limits are placed about the fitted midpoint, then back-transformed.
    middle = fitted[0] + fitted[1] / 2
    slope_limits = np.array(_percentiles(slopes, tail), dtype=np.float64)
    top, bottom = inverse(middle + slope_limits / 2), inverse(middle - slope_limits / 2)
    sii = np.sort(multiplier * (top - bottom))
    rii = np.sort((top / bottom) ** math.copysign(1, multiplier))
    return float(sii[0]), float(sii[1]), float(rii[0]), float(rii[1])


def _check_sii_values(
    arrays: dict[str, FloatArray],
    labels: list[str],
    value_type: str,
    log_scale: bool,
    found: Problems,
) -> None:
    y = arrays["values"]
    found.numbers(y, labels, "values")
    with np.errstate(invalid="ignore"):
        if value_type == "proportion":
            found.flag((y < 0) | (y > 1), labels, "values", "are outside 0 to 1")
            if log_scale:
                found.flag(
                    (y == 0) | (y == 1),
                    labels,
                    "values",
                    "are 0 or 1, which have no logit; use transform=False and give se",
                )
        elif value_type == "rate":
            found.flag(y < 0, labels, "values", "are negative rates")
            if log_scale:
                found.flag(
                    y == 0,
                    labels,
                    "values",
                    "are 0, and a rate of 0 has no log; use transform=False and give se",
                )
        if "se" in arrays:
            found.numbers(arrays["se"], labels, "se", least="zero")
        elif "lower" in arrays:
            low, high = arrays["lower"], arrays["upper"]
            found.numbers(low, labels, "lower")
            found.numbers(high, labels, "upper")
            found.flag(high < low, labels, "upper", "have an upper limit below the lower one")
            if log_scale and value_type == "rate":
                found.flag(low <= 0, labels, "lower", "are not above 0 and have no log; give se")
            elif log_scale:
                found.flag(
                    (low <= 0) | (high >= 1),
                    labels,
                    "lower",
                    "or upper limits are not strictly between 0 and 1, so have no logit; give se",
                )


def _link(value_type: str, on: bool) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """The transformation ``g`` and its inverse: log for rates, logit for proportions."""
    if on and value_type == "rate":
        return np.log, np.exp
    if on and value_type == "proportion":
        return special.logit, special.expit
    return (lambda v: v), (lambda v: v)


def _percentiles(draws: FloatArray, tail: float) -> tuple[float | None, float | None]:
    finite = draws[np.isfinite(draws)]
    if not len(finite):
        return None, None
    low, high = np.quantile(finite, [tail, 1 - tail])
    return float(low), float(high)


def _favours(gap: float, y: FloatArray, higher_is_better: bool | None) -> str | None:
    if higher_is_better is None:
        return None
    if abs(gap) <= 1e-9 * float(np.abs(y).max()):  # flat up to rounding
        return "neither"
    return "least deprived" if (gap > 0) == higher_is_better else "most deprived"


def _quantile_order(quantile: FloatArray, found: Problems) -> tuple[Any, list[str]]:
    """Positions sorting the groups by quantile, and each group's label in that order."""
    positions = [str(i + 1) for i in range(len(quantile))]
    found.flag(~np.isfinite(quantile), positions, "quantile", "have no quantile", "positions")
    order = np.argsort(quantile, kind="stable")
    labels = [label(q) for q in quantile[order]]
    repeated = sorted({b for a, b in pairwise(labels) if a == b})
    if repeated:
        found.add(
            f"quantile numbers repeat: {named_labels(repeated)}; give one row per quantile "
            "(aggregate area rows with by_quantile)",
            "quantile",
        )
    return order, labels


# --------------------------------------------------------------------------------------------
# Areas to quantiles


def by_quantile(
    frame: pd.DataFrame,
    *,
    value: str,
    population: str,
    quantile: str,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per deprivation quantile from area rows (e.g. LSOAs), to feed the SII.

    A quantile's ``value`` is the population-weighted mean ``m`` of its areas. Its ``se``
    describes the spread of the area values within the quantile (the areas taken as a sample;
    not the sampling error of each area's value): with weights ``w`` (populations),
    ``W = sum w`` and the effective number of areas ``n_eff = W^2 / sum w^2``,
    ``var = sum w (x - m)^2 / (W - sum w^2 / W)`` and ``se = sqrt(var / n_eff)``, which is the
    familiar ``s / sqrt(n)`` when the populations are equal. A quantile of one area has ``se``
    0 and a warning.

    Parameters
    ----------
    frame
        One row per area.
    value, population, quantile
        Names of the columns holding each area's value, population and quantile (1 = most
        deprived, e.g. the IMD decile).
    confidence
        Level of the ``lower`` and ``upper`` columns, ``value -/+ z se``.

    Returns
    -------
    Columns ``quantile``, ``value``, ``population`` (sum), ``areas`` (count), ``se``, ``lower``
    and ``upper``, sorted by quantile. Rows with a missing value, population or quantile, and
    areas of population 0, are left out: ``attrs["left_out"]`` counts them (split into
    ``left_out_missing`` and ``left_out_zero_population``) and ``attrs["warnings"]`` says which.
    """
    found = Problems("Cannot aggregate areas by quantile")
    names = {"value": value, "population": population, "quantile": quantile}
    x, w, q = _area_columns(frame, names, confidence, found)
    rows = [str(row) for row in frame.index]
    with np.errstate(invalid="ignore"):
        found.flag(np.isinf(x), rows, "value", "have an infinite value", "rows")
        found.flag(np.isinf(w) | (w < 0), rows, "population", "are negative or infinite", "rows")
    found.raise_if_any()

    missing = np.isnan(x) | np.isnan(w) | np.isnan(q)
    empty = ~missing & (w == 0)
    keep = ~(missing | empty)
    warnings = []
    if missing.any():
        warnings.append(
            f"{int(missing.sum())} areas with a missing {value}, {population} or "
            f"{quantile} were left out (rows {named_labels(pick(rows, missing))})."
        )
    if empty.any():
        warnings.append(
            f"{int(empty.sum())} areas with {population} 0 were left out (rows "
            f"{named_labels(pick(rows, empty))})."
        )
    if not keep.any():
        found.add("no area has a value, a population above 0 and a quantile", "value")
        found.raise_if_any()
    result = _weighted_means(x[keep], w[keep], q[keep], confidence, warnings)
    result.attrs.update(
        {
            **names,
            "confidence": float(confidence),
            "left_out": int((~keep).sum()),
            "left_out_missing": int(missing.sum()),
            "left_out_zero_population": int(empty.sum()),
            "warnings": warnings,
        }
    )
    return result


def _area_columns(
    frame: object, names: dict[str, str], confidence: float, found: Problems
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The value, population and quantile columns of ``frame`` as float arrays, checked."""
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError("frame must be a pandas DataFrame with one row per area.")
    for argument, name in names.items():
        if not isinstance(name, str) or name not in frame.columns:
            found.add(f"no column {name!r} in frame", argument)
    found.raise_if_any()
    found.confidence(confidence)
    columns = found.arrays({argument: frame[name] for argument, name in names.items()})
    if len(columns) < len(names):
        found.raise_if_any()
    return columns["value"], columns["population"], columns["quantile"]


def _weighted_means(
    x: FloatArray, w: FloatArray, q: FloatArray, confidence: float, warnings: list[str]
) -> pd.DataFrame:
    """Each quantile's population-weighted mean, population, areas and spread (see
    :func:`by_quantile`)."""
    levels, group = np.unique(q, return_inverse=True)
    areas = np.bincount(group)
    total = np.bincount(group, weights=w)
    mean = np.bincount(group, weights=w * x) / total
    n_eff = total**2 / np.bincount(group, weights=w * w)
    spread = np.bincount(group, weights=w * (x - mean[group]) ** 2) / total
    with np.errstate(divide="ignore", invalid="ignore"):  # var / n_eff = spread / (n_eff - 1)
        se = np.where(areas > 1, np.sqrt(spread / (n_eff - 1)), 0.0)
    if (areas == 1).any():
        warnings.append(
            f"quantiles {named_labels([label(v) for v in levels[areas == 1]])} have one "
            "area, so their se is 0 (no spread to measure)."
        )
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    integral = bool(np.all(levels == np.round(levels)))
    return pd.DataFrame(
        {
            "quantile": levels.astype(np.int64) if integral else levels,
            "value": mean,
            "population": total,
            "areas": areas.astype(np.int64),
            "se": se,
            "lower": mean - z * se,
            "upper": mean + z * se,
        }
    )

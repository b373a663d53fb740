"""Health inequality measures: the deprivation gradient and how concentrated an outcome is.

Deprivation order
-----------------
Quantile 1 is the **most deprived** group, as with IMD deciles (decile 1 holds the most deprived
10% of LSOAs); the highest quantile is the least deprived. :func:`concentration_index` takes a
rank where **lower means more deprived** (e.g. the IMD rank, 1 = most deprived LSOA).

Slope and relative index of inequality (SII, RII)
-------------------------------------------------
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

Other measures
--------------
- :func:`by_quantile` aggregates area rows (e.g. LSOAs) to one row per quantile for the SII.
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
from collections.abc import Callable
from dataclasses import dataclass, fields
from itertools import pairwise
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats

from mobilise.errors import Problem, ValidationError

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

FloatArray: TypeAlias = npt.NDArray[np.float64]
Mask: TypeAlias = npt.NDArray[np.bool_]
Numbers: TypeAlias = npt.ArrayLike | pd.Series
ValueType = Literal["mean", "rate", "proportion"]
ConcentrationKind = Literal["standard", "erreygers", "wagstaff"]

_SHOWN = 10  # groups or rows named in one message before "and N more"
_PHE_MIN_QUANTILES = 5
_PHE_UNSTABLE_ABOVE = 10  # PHE warns that the SII may be unstable with more quantiles
_MIN_REPS = 1000  # PHE's minimum number of simulated draws


class _Result:
    """``to_dict`` for the frozen result classes."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-serialisable Python types (floats or ``None``, never NaN)."""
        out: dict[str, Any] = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            out[item.name] = (
                [_plain(v) for v in value] if isinstance(value, tuple) else _plain(value)
            )
        return out


@dataclass(frozen=True)
class SlopeIndex(_Result):
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


@dataclass(frozen=True)
class ConcentrationIndex(_Result):
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
class QuantileGap(_Result):
    """Gap (least deprived - most deprived) and ratio (most deprived / least deprived)."""

    gap: float
    ratio: float | None
    most_deprived_quantile: float
    least_deprived_quantile: float
    most_deprived_value: float
    least_deprived_value: float
    warnings: tuple[str, ...]


# --------------------------------------------------------------------------------------------
# Slope index of inequality


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
    found = _Problems("Cannot compute the slope index of inequality")
    options.check(found)
    if higher_is_better not in (None, True, False):
        found.add("must be True, False or None", "higher_is_better")
    given = {"values": values, "population": population, "quantile": quantile, "se": se}
    before = len(found)
    arrays = found.arrays(given | {"lower": lower, "upper": upper})
    if (lower is None) != (upper is None):
        found.add("give lower and upper together", "upper" if upper is None else "lower")
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
        left_out = _named(_pick(labels, empty))
        warnings.append(f"quantiles with population 0 were left out: {left_out}.")
    labels = _pick(labels, ~empty)
    arrays = {name: array[~empty] for name, array in arrays.items()}
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


@dataclass(frozen=True)
class _Options:
    """The options of :func:`slope_index_of_inequality` that shape its simulation."""

    value_type: str
    transform: bool
    confidence: float
    reps: int
    seed: int | np.random.Generator | None
    multiplier: float

    def check(self, found: _Problems) -> None:
        if self.value_type not in ("mean", "rate", "proportion"):
            found.add(f"must be mean, rate or proportion, not {self.value_type!r}", "value_type")
        elif self.transform and self.value_type == "mean":
            found.add("transform applies to rates (log) and proportions (logit)", "transform")
        found.confidence(self.confidence)
        reps = self.reps
        if isinstance(reps, bool) or not isinstance(reps, int | np.integer) or reps < _MIN_REPS:
            found.add(f"must be a whole number of at least {_MIN_REPS} (PHE)", "reps")
        if not _finite_number(self.multiplier) or self.multiplier == 0:
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
    found: _Problems,
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


def _quantile_order(quantile: FloatArray, found: _Problems) -> tuple[Any, list[str]]:
    """Positions sorting the groups by quantile, and each group's label in that order."""
    positions = [str(i + 1) for i in range(len(quantile))]
    found.flag(~np.isfinite(quantile), positions, "quantile", "have no quantile", "positions")
    order = np.argsort(quantile, kind="stable")
    labels = [_label(q) for q in quantile[order]]
    repeated = sorted({b for a, b in pairwise(labels) if a == b})
    if repeated:
        found.add(
            f"quantile numbers repeat: {_named(repeated)}; give one row per quantile "
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
    found = _Problems("Cannot aggregate areas by quantile")
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError("frame must be a pandas DataFrame with one row per area.")
    names = {"value": value, "population": population, "quantile": quantile}
    for argument, name in names.items():
        if not isinstance(name, str) or name not in frame.columns:
            found.add(f"no column {name!r} in frame", argument)
    found.raise_if_any()
    found.confidence(confidence)
    columns = found.arrays({argument: frame[name] for argument, name in names.items()})
    if len(columns) < len(names):
        found.raise_if_any()
    x, w, q = columns["value"], columns["population"], columns["quantile"]
    rows = [str(label) for label in frame.index]
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
            f"{quantile} were left out (rows {_named(_pick(rows, missing))})."
        )
    if empty.any():
        warnings.append(
            f"{int(empty.sum())} areas with {population} 0 were left out (rows "
            f"{_named(_pick(rows, empty))})."
        )
    if not keep.any():
        found.add("no area has a value, a population above 0 and a quantile", "value")
        found.raise_if_any()
    levels, group = np.unique(q[keep], return_inverse=True)
    x, w = x[keep], w[keep]
    areas = np.bincount(group)
    total = np.bincount(group, weights=w)
    mean = np.bincount(group, weights=w * x) / total
    n_eff = total**2 / np.bincount(group, weights=w * w)
    spread = np.bincount(group, weights=w * (x - mean[group]) ** 2) / total
    with np.errstate(divide="ignore", invalid="ignore"):  # var / n_eff = spread / (n_eff - 1)
        se = np.where(areas > 1, np.sqrt(spread / (n_eff - 1)), 0.0)
    if (areas == 1).any():
        warnings.append(
            f"quantiles {_named([_label(v) for v in levels[areas == 1]])} have one "
            "area, so their se is 0 (no spread to measure)."
        )
    z = stats.norm.ppf(1 - (1 - confidence) / 2)
    integral = bool(np.all(levels == np.round(levels)))
    result = pd.DataFrame(
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
    found = _Problems("Cannot compute the concentration index")
    if kind not in ("standard", "erreygers", "wagstaff"):
        found.add(f"must be standard, erreygers or wagstaff, not {kind!r}", "kind")
    low, high = _bounds(bounds, kind, found)
    before = len(found)
    arrays = found.arrays({"values": values, "rank": rank, "population": population})
    if len(found) > before:
        found.raise_if_any()
    h, r = arrays["values"], arrays["rank"]
    w = arrays.get("population", np.ones_like(h))
    rows = [str(i + 1) for i in range(len(h))]
    found.numbers(h, rows, "values", noun="positions")
    found.numbers(r, rows, "rank", noun="positions")
    found.numbers(w, rows, "population", least="zero", noun="positions")
    if bounds is not None and not found:
        outside = (h < low) | (h > high)
        found.flag(outside, rows, "values", f"are outside bounds ({low:g}, {high:g})", "positions")
    if len(h) < 2:
        found.add("needs at least 2 rows", "values")
    elif not found and w.sum() <= 0:
        found.add("the weights sum to 0", "population")
    found.raise_if_any()

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
        index = 2 * covariance / mean
    elif kind == "erreygers":  # 4 mean / (b - a) C, which stays defined when the mean is 0
        index = 8 * covariance / (high - low)
    else:
        index = 2 * (high - low) * covariance / ((high - mean) * (mean - low))
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
    found = _Problems("Cannot compute the Gini coefficient")
    arrays = found.arrays({"values": values, "population": population})
    found.raise_if_any()
    x = arrays["values"]
    w = arrays.get("population", np.ones_like(x))
    rows = [str(i + 1) for i in range(len(x))]
    found.numbers(x, rows, "values", least="zero", noun="positions")
    found.numbers(w, rows, "population", least="zero", noun="positions")
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
    found = _Problems("Cannot compute the quintile gap")
    arrays = found.arrays({"values": values, "quantile": quantile, "population": population})
    found.raise_if_any()
    x, q = arrays["values"], arrays["quantile"]
    w = arrays.get("population", np.ones_like(x))
    rows = [str(i + 1) for i in range(len(x))]
    found.numbers(x, rows, "values", noun="positions")
    found.numbers(q, rows, "quantile", noun="positions")
    found.numbers(w, rows, "population", least="zero", noun="positions")
    if not found and len(np.unique(q)) < 2:
        found.add("needs at least 2 different quantiles", "quantile")
    found.raise_if_any()
    ends = np.unique(q)[[0, -1]]
    means = []
    for end in ends:
        weight = w[q == end]
        if weight.sum() <= 0:
            found.add(f"quantile {_label(end)} has population 0", "population")
        else:
            means.append(float(weight @ x[q == end] / weight.sum()))
    found.raise_if_any()
    most, least = means
    warnings = []
    if least == 0:
        warnings.append(
            f"the least deprived quantile {_label(ends[1])} has value 0, so the "
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


# --------------------------------------------------------------------------------------------
# Input checks and small helpers


class _Problems(list[Problem]):
    """The problems found in an input, each naming the argument and the groups or rows at fault;
    :meth:`raise_if_any` raises them all at once."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def add(self, message: str, field: str) -> None:
        self.append(Problem(message, field=field))

    def raise_if_any(self) -> None:
        if self:
            noun = "problem" if len(self) == 1 else "problems"
            raise ValidationError(f"{self.what}: {len(self)} {noun}.", problems=list(self))

    def flag(self, bad: Mask, labels: list[str], field: str, what: str, noun: str = "") -> None:
        """A problem naming the ``labels`` where ``bad`` holds, e.g. "quantiles 2, 4 are ..."."""
        chosen = _pick(labels, bad)
        if not chosen:
            return
        noun = noun or "quantiles"
        if len(chosen) == 1:  # "quantile 3 is", not "quantiles 3 are"
            verb, _, rest = what.partition(" ")
            noun, what = noun.removesuffix("s"), f"{_SINGULAR.get(verb, verb)} {rest}"
        self.add(f"{noun} {_named(chosen)} {what}", field)

    def numbers(
        self,
        array: FloatArray,
        labels: list[str],
        field: str,
        *,
        least: Literal["any", "zero"] = "any",
        noun: str = "",
    ) -> None:
        """Flag missing or infinite entries, and negative ones when ``least`` is "zero"."""
        self.flag(~np.isfinite(array), labels, field, "are missing or not finite", noun)
        if least == "zero":
            with np.errstate(invalid="ignore"):
                self.flag(array < 0, labels, field, "are negative", noun)

    def confidence(self, confidence: object) -> None:
        if not _finite_number(confidence) or not 0 < confidence < 1:  # type: ignore[operator]
            self.add("must be between 0 and 1, e.g. 0.95", "confidence")

    def arrays(self, given: dict[str, Any]) -> dict[str, FloatArray]:
        """Each given argument as a 1-D float array (``None`` ones left out), checked for shape,
        equal lengths and, for pandas Series, equal indexes."""
        arrays: dict[str, FloatArray] = {}
        for name, data in given.items():
            try:
                if data is None:
                    continue
                if isinstance(data, pd.Series):
                    array = pd.to_numeric(data).to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    array = np.asarray(data, dtype=np.float64)
            except (TypeError, ValueError):
                self.add("must be numbers", name)
                continue
            if array.ndim != 1:
                self.add("must be one-dimensional: one number per row", name)
            else:
                arrays[name] = array
        first = next(iter(arrays), "")
        for name, array in arrays.items():
            if len(array) != len(arrays[first]):
                self.add(f"has {len(array)} entries but {first} has {len(arrays[first])}", name)
        series = [(name, data) for name, data in given.items() if isinstance(data, pd.Series)]
        for name, data in series[1:]:
            if not data.index.equals(series[0][1].index):
                self.add(
                    f"its index differs from that of {series[0][0]}; align the Series "
                    "(e.g. columns of one frame)",
                    name,
                )
        return arrays


_SINGULAR = {"are": "is", "have": "has"}


def _bounds(bounds: object, kind: str, found: _Problems) -> tuple[float, float]:
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


def _finite_number(value: object) -> bool:
    numeric = isinstance(value, int | float | np.integer | np.floating)
    return numeric and not isinstance(value, bool) and math.isfinite(value)  # type: ignore[arg-type]


def _pick(labels: list[str], mask: Mask) -> list[str]:
    return [label for label, chosen in zip(labels, mask, strict=True) if chosen]


def _label(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _named(labels: list[str]) -> str:
    more = len(labels) - _SHOWN
    return ", ".join(labels[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def _plain(value: Any) -> Any:
    """A JSON-ready value: Python numbers, non-finite floats as ``None``."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value

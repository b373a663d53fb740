"""Funnel plot control limits and which areas fall outside them, as PHE's funnel plot tool and
PHEindicatormethods' ``calculate_funnel_limits`` and ``assign_funnel_significance`` compute
them; formulas in :mod:`mobilise.analysis.rates`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
from scipy import special, stats

from mobilise.analysis._rate_intervals import (
    FINGERTIPS_LEVELS,
    as_array,
    check_values,
    confidence_levels,
    poisson_interval,
)
from mobilise.errors import Problem, ValidationError

__all__ = ["SIGNIFICANCE", "funnel_limits", "funnel_significance"]

Statistic = Literal["proportion", "rate", "ratio", "dsr"]

SIGNIFICANCE: tuple[str, ...] = (
    "High (0.001)",
    "High (0.025)",
    "Low (0.001)",
    "Low (0.025)",
    "Not significant",
    "Not applicable for events less than 10 for dsrs",
)
"""What :func:`funnel_significance` says of an area, in PHE's words: beyond the 99.8% (0.001
each side) or 95% (0.025) control limit, above or below the average."""


def _wilson_limit(
    p: float, population: np.ndarray, average: float, side: Literal["low", "high"]
) -> np.ndarray:
    """The proportion at ``population`` whose Wilson limit (tail ``p``) meets ``average``:
    PHE's ``sigma_adjustment``, as a proportion of 1."""
    z2 = stats.norm.ppf(p) ** 2
    n = np.asarray(population, dtype=float)
    first = average * (n / z2 + 1)
    with np.errstate(invalid="ignore"):
        spread = np.sqrt(
            (-8 * average * (n / z2 + 1)) ** 2
            - 64
            * (1 / z2 + 1 / n)
            * average
            * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1))
        )
    last = 1 / z2 + 1 / n
    limit = (first - spread / 8) / last if side == "low" else (first + spread / 8) / last
    return np.asarray(limit / n)


def _poisson_counts(expected: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The counts whose exact Poisson interval at ``level`` just reaches ``expected``: the lower
    and upper control limits in events (continuous, as PHE's curve through integer counts)."""
    tail = (1 - level) / 2
    e2 = 2 * np.asarray(expected, dtype=float)
    with np.errstate(invalid="ignore"):
        upper = special.chdtriv(tail, e2) / 2
        lower = special.chdtriv(1 - tail, e2) / 2 - 1
    return np.maximum(lower, 0.0), upper


def funnel_limits(
    average: float,
    denominators: Sequence[float] | np.ndarray,
    *,
    statistic: Literal["proportion", "rate", "ratio"],
    multiplier: float = 1.0,
    confidence: float | Iterable[float] = FINGERTIPS_LEVELS,
) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """Control limits of a funnel plot at each denominator, by confidence level.

    Parameters
    ----------
    average
        The benchmark: a proportion of 1 (``proportion``), events per person (``rate``:
        total events / total population) or 1 (``ratio``; observed / expected).
    denominators
        Where to draw the limits: populations (proportion, rate) or expected events (ratio).
    multiplier
        The scale of the values: 100 for a percentage, 100,000 for a rate per 100,000, 100 for
        an SMR.

    Returns
    -------
    dict
        ``{0.95: (lower, upper), 0.998: (lower, upper)}``, arrays aligned with
        ``denominators``, on the scale of the values (times ``multiplier``).
    """
    n = as_array(denominators, "denominators")
    if not np.isfinite(average) or average < 0 or (statistic == "proportion" and average > 1):
        raise ValidationError(
            f"The funnel's average {average!r} is not a {statistic} to centre on.",
            problems=[Problem("bad average", field="average")],
        )
    limits = {}
    for level in confidence_levels(confidence):
        tail = level + (1 - level) / 2
        if statistic == "proportion":
            low = np.maximum(0, _wilson_limit(tail, n, average, "low"))
            high = np.minimum(1, _wilson_limit(tail, n, average, "high"))
        else:
            expected = n * (average if statistic == "rate" else 1.0)
            low_count, high_count = _poisson_counts(expected, level)
            low, high = low_count / n, high_count / n
        limits[level] = (low * multiplier, high * multiplier)
    return limits


def funnel_significance(
    observed: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray | None = None,
    *,
    statistic: Statistic,
    values: Sequence[float] | np.ndarray | None = None,
    multiplier: float = 1.0,
    labels: Sequence[str] | None = None,
) -> np.ndarray:
    """Where each area falls against the funnel's 95% and 99.8% limits (:data:`SIGNIFICANCE`).

    Parameters
    ----------
    observed
        Events (rates, ratios, DSRs) or numerators (proportions) of each area.
    denominator
        Denominators (proportion, crude rate) or expected events (ratio).
    statistic
        ``proportion`` (binomial, Wilson), ``rate`` (crude; Poisson), ``ratio`` (observed /
        expected against 1; Poisson) or ``dsr`` (Poisson, through the population a DSR implies:
        ``observed / value x multiplier``; "not applicable" under 10 events).
    values
        The DSRs (or crude rates without a denominator) of each area, per ``multiplier``.
    """
    o = as_array(observed, "observed")
    if denominator is None:
        if values is None:
            raise ValidationError(
                "Give the denominators, or the values they follow from.",
                problems=[Problem("missing", field="denominator")],
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            n = np.where(o == 0, np.nan, o / as_array(values, "values") * multiplier)
    else:
        n = as_array(denominator, "denominator")
    check_values(
        [
            (np.isnan(o) | (o < 0), "observed", "must be a number, 0 or more"),
            (n <= 0, "denominator", "must be more than 0"),
            (
                (o > n) if statistic == "proportion" else np.zeros(o.shape, bool),
                "observed",
                "the count is above the denominator",
            ),
        ],
        labels=labels,
        what="Funnel significance",
    )
    result = np.full(o.shape, "Not significant", dtype=object)
    if statistic == "proportion":
        average = o.sum() / n.sum()
        share = o / n
        checks = [
            (share > _wilson_limit(0.975, n, average, "high"), "High (0.025)"),
            (share > _wilson_limit(0.999, n, average, "high"), "High (0.001)"),
            (share < _wilson_limit(0.975, n, average, "low"), "Low (0.025)"),
            (share < _wilson_limit(0.999, n, average, "low"), "Low (0.001)"),
        ]
    else:
        expected = n if statistic == "ratio" else n * (o.sum() / np.nansum(n))
        checks = []
        for level, tag in ((0.95, "0.025"), (0.998, "0.001")):
            low, high = poisson_interval(o, level)
            checks.append((np.nan_to_num(low) > expected, f"High ({tag})"))
            checks.append((high < expected, f"Low ({tag})"))
    for outside, label in checks:  # wider limits last, so they win
        result[outside] = label
    if statistic == "dsr":
        result[o < 10] = SIGNIFICANCE[-1]
    return result

"""Life expectancy by Chiang's abridged life table (method II) with the Silcocks et al. variance,
as PHE computes it for small areas (``phe_life_expectancy``); formulas in
:mod:`mobilise.analysis.rates`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise

import numpy as np
from scipy import stats

from mobilise.analysis._rate_intervals import (
    Estimates,
    as_array,
    check_values,
    confidence_levels,
)
from mobilise.errors import Problem, ValidationError

__all__ = ["LE_START_AGES", "life_expectancy", "life_table"]

LE_START_AGES: tuple[int, ...] = (0, 1, *range(5, 95, 5))
"""The start ages of PHE's 20 life-table bands: 0, 1-4, 5-9, ..., 85-89, 90+."""

MIN_POPULATION = 5000
"""PHE suppresses the life expectancy of a population of this size or smaller."""

MAX_HALF_WIDTH = 10.0
"""PHE suppresses a life expectancy whose 95% interval is wider than 20 years."""


def _checked(
    deaths: np.ndarray,
    populations: np.ndarray,
    start_ages: Sequence[int],
    labels: Sequence[str] | None,
) -> list[str]:
    bands = [f"{a}-{b - 1}" for a, b in pairwise(start_ages)]
    bands = [("0" if b == "0-0" else b) for b in bands] + [f"{start_ages[-1]}+"]
    if (
        deaths.shape != populations.shape
        or deaths.shape[1] != len(start_ages)
        or list(start_ages) != sorted(set(start_ages))
        or start_ages[0] != 0
    ):
        raise ValidationError(
            f"Life expectancy needs deaths and populations in {len(start_ages)} ascending age "
            f"bands starting at 0 ({', '.join(bands)}); got {deaths.shape[1]} bands of deaths "
            f"and {populations.shape[1]} of population.",
            problems=[Problem("age bands do not match", field="start_ages")],
        )
    check_values(
        [
            (np.isnan(deaths) | (deaths < 0), "deaths", "deaths must be a number, 0 or more"),
            (np.isnan(populations) | (populations < 0), "population", "must be 0 or more"),
            (deaths > populations, "deaths", "more deaths than population"),
        ],
        labels=labels,
        bands=bands,
        what="Life expectancy",
    )
    return bands


def life_table(
    deaths: Sequence[Sequence[float]] | np.ndarray,
    populations: Sequence[Sequence[float]] | np.ndarray,
    *,
    start_ages: Sequence[int] = LE_START_AGES,
    confidence: float | Iterable[float] = (0.95, 0.998),
    labels: Sequence[str] | None = None,
) -> Estimates:
    """Life expectancy at each start age (arrays of areas x bands) with its interval.

    Suppressed, as PHE does: areas with a population of 5,000 or fewer or a band without
    population, and any value whose 95% interval is wider than 20 years.
    """
    d = as_array(deaths, "deaths", ndim=2)
    p = as_array(populations, "populations", ndim=2)
    _checked(d, p, start_ages, labels)
    ages = np.asarray(start_ages, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = d / p
        width = np.broadcast_to(np.append(np.diff(ages), np.nan), d.shape).copy()
        width[:, -1] = 2 / m[:, -1]
        a = np.where(ages == 0, 0.1, 0.5)
        q = np.where(d <= p / width / a, m * width / (1 + m * width * (1 - a)), 1.0)
        survivors = 1e5 * np.cumprod(np.hstack([np.ones((len(d), 1)), 1 - q[:, :-1]]), axis=1)
        following = np.hstack([survivors[:, 1:], np.zeros((len(d), 1))])
        dying = survivors - following
        years = width * (following + a * dying)
        years[:, -1] = survivors[:, -1] / m[:, -1]
        remaining = np.cumsum(years[:, ::-1], axis=1)[:, ::-1]
        expectancy = np.where(survivors == 0, 0.0, remaining / survivors)
        s2 = np.where(dying == 0, 0.0, q**2 * (1 - q) / d)
        s2[:, -1] = 4 / (d[:, -1] * m[:, -1] ** 2)
        next_e = np.hstack([expectancy[:, 1:], np.zeros((len(d), 1))])
        weighted = s2 * survivors**2 * ((1 - a) * width + next_e) ** 2
        weighted[:, -1] = (survivors[:, -1] / 2) ** 2 * s2[:, -1]
        se = np.sqrt(np.cumsum(weighted[:, ::-1], axis=1)[:, ::-1] / survivors**2)
    reasons = np.full(d.shape, "", dtype=object)
    wide = stats.norm.ppf(0.975) * se > MAX_HALF_WIDTH
    reasons[wide] = "95% interval wider than 20 years (PHE)"
    reasons[~np.isfinite(expectancy)] = "no deaths in the last band: no life table (PHE)"
    reasons[(p <= 0).any(axis=1)] = "a band has no population (PHE)"
    reasons[p.sum(axis=1) <= MIN_POPULATION] = "population of 5,000 or fewer (PHE)"
    blank = reasons != ""
    lower, upper = {}, {}
    for level in confidence_levels(confidence):
        z = stats.norm.ppf(level + (1 - level) / 2)
        lower[level] = np.where(blank, np.nan, expectancy - z * se)
        upper[level] = np.where(blank, np.nan, expectancy + z * se)
    return Estimates(
        statistic="life expectancy",
        value=np.where(blank, np.nan, expectancy),
        lower=lower,
        upper=upper,
        method=np.full(d.shape, "Chiang, using Silcocks et al for confidence limits", object),
        suppression=reasons,
        numerator=np.cumsum(d[:, ::-1], axis=1)[:, ::-1],
        denominator=np.cumsum(p[:, ::-1], axis=1)[:, ::-1],
        labels=None if labels is None else np.asarray(labels, dtype=object),
        extras={"standard_error": se},
    )


def life_expectancy(
    deaths: Sequence[Sequence[float]] | np.ndarray,
    populations: Sequence[Sequence[float]] | np.ndarray,
    *,
    at_age: int = 0,
    start_ages: Sequence[int] = LE_START_AGES,
    confidence: float | Iterable[float] = (0.95, 0.998),
    labels: Sequence[str] | None = None,
) -> Estimates:
    """Life expectancy at ``at_age`` (a start age of the bands) of each area, with its interval;
    see :func:`life_table`."""
    if at_age not in start_ages:
        raise ValidationError(
            f"Life expectancy at {at_age} is not in the table: use a start age of a band "
            f"({', '.join(map(str, start_ages))}).",
            problems=[Problem(f"{at_age} is not a start age", field="at_age")],
        )
    table = life_table(
        deaths, populations, start_ages=start_ages, confidence=confidence, labels=labels
    )
    i = list(start_ages).index(at_age)
    return Estimates(
        statistic=f"life expectancy at {at_age}",
        value=table.value[:, i],
        lower={c: v[:, i] for c, v in table.lower.items()},
        upper={c: v[:, i] for c, v in table.upper.items()},
        method=table.method[:, i],
        suppression=table.suppression[:, i],
        numerator=table.numerator[:, i],
        denominator=table.denominator[:, i],
        labels=table.labels,
        extras={k: v[:, i] for k, v in table.extras.items()},
    )

"""Public-health statistics the way OHID computes them for Fingertips (PHEindicatormethods).

Rates, proportions and means with their confidence intervals; directly and indirectly
standardised rates; life expectancy for small areas; funnel plot control limits. Every function
takes arrays (one element per area, or areas x age bands), is vectorised over areas, and returns
an :class:`Estimates`: value, limits at each confidence level (Fingertips shows 95% and 99.8%),
the method of each interval and the PHE suppression rule that blanked any value. Bad input
(negative counts or populations, counts above denominators where that is impossible, a standard
whose bands do not match) raises one :class:`mobilise.errors.ValidationError` naming every area,
band and field at fault.

Conventions
-----------
``z = Phi^-1(c + (1 - c) / 2)`` for confidence ``c``; ``O`` an observed count, ``n`` a
denominator, ``m`` the multiplier (100,000 for rates, 1 or 100 for proportions).

Formulas
--------
- **Counts** (Breslow and Day 1987). Byar's: ``L = O (1 - 1/(9O) - z/(3 sqrt O))^3``,
  ``U = (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3``. Exact (under 10 events):
  ``L = chi2_{(1-c)/2}(2O) / 2`` (0 when ``O = 0``), ``U = chi2_{c+(1-c)/2}(2O + 2) / 2``.
- :func:`crude_rate`: ``m O / n`` with limits ``m L / n``, ``m U / n`` (exact under 10 events,
  Byar's from 10). Counts may exceed the denominator (repeat events).
- :func:`proportion` (Wilson 1927; Newcombe and Altman 2000): ``p = O / n``,
  ``(2O + z^2 -/+ z sqrt(z^2 + 4 O (1 - O/n))) / (2 (n + z^2))``, times ``m``. ``O <= n``.
- :func:`mean`: ``x_bar -/+ |t_{(1-c)/2, k-1}| s / sqrt k`` (Student's t, ``s`` the sample
  standard deviation of the ``k`` values).
- :func:`dsr` (Dobson et al. 1991): with standard population ``w_i`` and band rates
  ``O_i / n_i``: ``DSR = m sum(w_i O_i / n_i) / sum w_i``;
  ``var = sum(O_i (w_i / n_i)^2) / (sum w_i)^2``; ``L = DSR + m sqrt(var / O) (L_O - O)``
  and the same for ``U``, with ``O = sum O_i`` and Byar's limits ``L_O``, ``U_O``. Suppressed
  under 10 events. **Non-independent events** (a person may have several): given the number of
  people ``P_fi`` with each event frequency ``f``, ``O_i = sum_f f P_fi`` and
  ``var = sum_f f^2 sum_i P_fi (w_i / n_i)^2 / (sum w_i)^2`` (Fingertips technical guidance).
- :func:`isr` (indirect standardisation): ``E = sum(n_i R_i / N_i)`` from reference counts
  ``R_i`` and populations ``N_i``; the ratio ``O / E`` (times ``m``, 1 or 100 for an SMR) or
  the rate ``O / E x m sum R_i / sum N_i``; limits are the count's (exact under 10 events,
  Byar's from 10, or exact throughout with ``method="exact"``) divided by ``E``.
- :func:`life_expectancy` (Chiang II abridged life table with the Silcocks et al. 1994
  variance; 20 bands 0, 1-4, 5-9, ..., 90+): ``a_0 = 0.1``, else ``a_i = 0.5``; ``M_i = D_i/P_i``;
  ``q_i = n_i M_i / (1 + n_i M_i (1 - a_i))`` (1 when ``D_i > P_i / n_i / a_i``); ``l_0 = 10^5``,
  ``l_{i+1} = l_i (1 - q_i)``; ``L_i = n_i (l_{i+1} + a_i d_i)`` and ``L_last = l_last / M_last``;
  ``e_i = T_i / l_i``; ``var(e_i) = sum_{j>=i} l_j^2 ((1-a_j) n_j + e_{j+1})^2 q_j^2 (1-q_j)/D_j
  / l_i^2`` with the last band's term ``(l/2)^2 4 / (D M^2)``.
- :func:`funnel_limits` and :func:`funnel_significance` (Spiegelhalter 2005; PHE's funnel plot
  tool): proportions by Wilson's score inverted at the average ``p``; rates and ratios by exact
  Poisson limits (2 and 3 standard deviations: ``p = 0.025`` and ``0.001`` each side).

Suppression as PHE applies it (stated in ``Estimates.suppression``): a DSR of fewer than 10
events; a life expectancy of a population of 5,000 or fewer, or whose 95% interval is wider
than 20 years. A DSR's funnel significance is "not applicable" under 10 events.

Where this differs from PHEindicatormethods 1.4 (the R package, whose own test values the tests
reproduce to 6 decimal places):

- Bad input raises an error naming the area, band and field; PHE stops with a message without
  them, or (life expectancy) suppresses the area with a warning. Here deaths above the
  population, negative deaths and negative populations are errors; a zero population in a band
  suppresses the area's life expectancy, as PHE does.
- A suppressed life expectancy has NaN limits too (PHE blanks the value but keeps the limits).
- A missing count (NaN) is read as 0 events, as PHE does (an ISR's missing population too); a
  DSR's or life expectancy's missing population is an error, as in PHE.
  Readers of count files (``mobilise.formats.count_tables``) refuse an empty count instead.
- Funnel limits are computed from chi-squared quantiles in closed form where PHE bisects to
  1e-7 (they agree to about 1e-5 relative); the control lines are returned for any
  denominators asked, not only PHE's 100-point axis.
- One call gives any set of confidence levels in [0.9, 1) (PHE: one level, or 95% with 99.8%).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
from scipy import stats

from mobilise.analysis._rate_funnels import funnel_limits, funnel_significance
from mobilise.analysis._rate_intervals import (
    FINGERTIPS_LEVELS,
    Estimates,
    as_array,
    byars_lower,
    byars_upper,
    check_values,
    confidence_levels,
    exact_lower,
    exact_upper,
    poisson_interval,
    poisson_methods,
    wilson_interval,
)
from mobilise.analysis._rate_life import LE_START_AGES, life_expectancy, life_table
from mobilise.errors import Problem, ValidationError

__all__ = [
    "ESP2013",
    "ESP2013_BANDS",
    "FINGERTIPS_LEVELS",
    "LE_START_AGES",
    "Estimates",
    "byars_lower",
    "byars_upper",
    "crude_rate",
    "dsr",
    "exact_lower",
    "exact_upper",
    "funnel_limits",
    "funnel_significance",
    "isr",
    "life_expectancy",
    "life_table",
    "mean",
    "poisson_interval",
    "proportion",
    "wilson_interval",
]

ESP2013_BANDS: tuple[str, ...] = (
    *(f"{a}-{a + 4}" for a in range(0, 90, 5)),
    "90+",
)
"""The 19 five-year age bands of the European Standard Population 2013."""

ESP2013: tuple[int, ...] = (
    *(5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000),
    *(7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000),
)
"""The European Standard Population 2013 (Eurostat 2013), per 100,000, by :data:`ESP2013_BANDS`.
The same figures ship as ``mobilise/formats/standards/esp2013.csv`` with their source."""

Confidence = float | Iterable[float]


def _multiplier_words(multiplier: float) -> str:
    return f"{multiplier:,.0f}" if float(multiplier).is_integer() else f"{multiplier:g}"


def _counted(
    numerator: np.ndarray,
    denominator: np.ndarray,
    levels: tuple[float, ...],
    *,
    statistic: str,
    scale: np.ndarray | float,
    labels: Sequence[str] | None,
    exact_only: bool = False,
) -> Estimates:
    """Estimates of ``numerator x scale`` with the count's Poisson limits (rates, ratios)."""
    lower, upper = {}, {}
    for level in levels:
        if exact_only:
            low, high = exact_lower(numerator, level), exact_upper(numerator, level)
        else:
            low, high = poisson_interval(numerator, level)
        lower[level], upper[level] = low * scale, high * scale
    methods = (
        np.full(numerator.shape, "Exact", object) if exact_only else poisson_methods(numerator)
    )
    return Estimates.shown(
        statistic, numerator * scale, (lower, upper), methods, (numerator, denominator), labels
    )


def crude_rate(
    count: Sequence[float] | np.ndarray,
    population: Sequence[float] | np.ndarray,
    *,
    multiplier: float = 100_000,
    confidence: Confidence = FINGERTIPS_LEVELS,
    labels: Sequence[str] | None = None,
) -> Estimates:
    """Crude rates per ``multiplier`` with Byar's interval (exact under 10 events).

    Parameters
    ----------
    count
        Events in each area (0 or more).
    population
        The population at risk of each area (more than 0).
    labels
        Names of the areas, for messages and the frame's index.
    """
    x, n = as_array(count, "count"), as_array(population, "population")
    check_values(
        [
            (np.isnan(x) | (x < 0), "count", "the count must be a number, 0 or more"),
            (np.isnan(n) | (n <= 0), "population", "the population must be more than 0"),
        ],
        labels=labels,
        what="Crude rate",
    )
    return _counted(
        x,
        n,
        confidence_levels(confidence),
        statistic=f"rate per {_multiplier_words(multiplier)}",
        scale=multiplier / n,
        labels=labels,
    )


def proportion(
    count: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    *,
    multiplier: float = 1,
    confidence: Confidence = FINGERTIPS_LEVELS,
    labels: Sequence[str] | None = None,
) -> Estimates:
    """Proportions (times ``multiplier``: 100 for a percentage) with Wilson's score interval."""
    x, n = as_array(count, "count"), as_array(denominator, "denominator")
    check_values(
        [
            (np.isnan(x) | (x < 0), "count", "the count must be a number, 0 or more"),
            (np.isnan(n) | (n <= 0), "denominator", "the denominator must be more than 0"),
            (x > n, "count", "the count is above the denominator"),
        ],
        labels=labels,
        what="Proportion",
    )
    levels = confidence_levels(confidence)
    lower, upper = {}, {}
    for level in levels:
        low, high = wilson_interval(x, n, level)
        lower[level], upper[level] = low * multiplier, high * multiplier
    return Estimates.shown(
        "percentage" if multiplier == 100 else f"proportion of {multiplier:g}",
        x / n * multiplier,
        (lower, upper),
        "Wilson",
        (x, n),
        labels,
    )


def mean(
    values: Sequence[float] | np.ndarray,
    *,
    groups: Sequence[str] | np.ndarray | None = None,
    confidence: Confidence = FINGERTIPS_LEVELS,
) -> Estimates:
    """Means with Student's t interval, of all values or of each group (labels in order seen)."""
    x = as_array(values, "values")
    check_values([(np.isnan(x), "values", "not a number")], what="Mean")
    keys = np.zeros(x.shape, dtype=int) if groups is None else np.asarray(groups, dtype=object)
    names, codes = np.unique(keys, return_inverse=True)
    first_seen = np.argsort([np.flatnonzero(codes == g)[0] for g in range(len(names))])
    k = np.bincount(codes).astype(float)
    total = np.bincount(codes, weights=x)
    centred = x - (total / k)[codes]
    with np.errstate(divide="ignore", invalid="ignore"):
        stdev = np.sqrt(np.bincount(codes, weights=centred**2) / (k - 1))
    value = total / k
    lower, upper = {}, {}
    for level in confidence_levels(confidence):
        with np.errstate(invalid="ignore"):
            half = np.abs(stats.t.ppf((1 - level) / 2, k - 1)) * stdev / np.sqrt(k)
        lower[level], upper[level] = value - half, value + half
    order = first_seen
    return Estimates(
        statistic="mean",
        value=value[order],
        lower={c: v[order] for c, v in lower.items()},
        upper={c: v[order] for c, v in upper.items()},
        method=np.full(len(names), "Student's t-distribution", object),
        suppression=np.full(len(names), "", object),
        numerator=total[order],
        denominator=k[order],
        labels=None if groups is None else names[order],
        extras={"stdev": stdev[order]},
    )


def _check_bands(
    counts: np.ndarray,
    populations: np.ndarray,
    standard: np.ndarray,
    *,
    labels: Sequence[str] | None,
    bands: Sequence[str] | None,
    what: str,
    standard_name: str = "standard",
    positive: bool = True,
) -> None:
    if counts.shape[:2] != populations.shape or standard.shape != (populations.shape[1],):
        raise ValidationError(
            f"{what}: the {standard_name} has {standard.size} age bands but the counts have "
            f"{counts.shape[1] if counts.ndim > 1 else 0} and the populations "
            f"{populations.shape[1]}; give one value per band, in the same order.",
            problems=[
                Problem(
                    f"{standard.size} bands in the {standard_name}, "
                    f"{populations.shape[1]} in the data",
                    field=standard_name,
                )
            ],
        )
    check_values(
        [
            (counts < 0, "count", "the count must be 0 or more"),
            (np.isnan(populations), "population", "the population is missing"),
            (populations <= 0, "population", "the population must be more than 0")
            if positive
            else (populations < 0, "population", "the population must be 0 or more"),
        ],
        labels=labels,
        bands=bands,
        what=what,
    )
    bad = np.isnan(standard) | (standard < 0)
    if bad.any():
        raise ValidationError(
            f"{what}: the {standard_name} population must be 0 or more in every band.",
            problems=[
                Problem(
                    f"band {bands[int(i)] if bands else int(i) + 1}: {standard[i]!r}",
                    row=int(i) + 1,
                    field=standard_name,
                )
                for i in np.flatnonzero(bad)
            ],
        )


def dsr(
    counts: Sequence[Sequence[float]] | np.ndarray,
    populations: Sequence[Sequence[float]] | np.ndarray,
    standard: Sequence[float] | np.ndarray = ESP2013,
    *,
    multiplier: float = 100_000,
    confidence: Confidence = FINGERTIPS_LEVELS,
    frequencies: Sequence[float] | np.ndarray | None = None,
    labels: Sequence[str] | None = None,
    bands: Sequence[str] | None = None,
) -> Estimates:
    """Directly standardised rates with Dobson's interval; suppressed under 10 events.

    Parameters
    ----------
    counts
        Events by area and age band (areas x bands). With ``frequencies``: people by area, band
        and event frequency (areas x bands x frequencies), for non-independent events.
    populations
        Populations by area and age band (areas x bands).
    standard
        The standard population of each band (default: the European Standard Population 2013).
    frequencies
        The number of events each frequency column stands for (1, 2, 3, ...).
    bands
        Names of the age bands, for messages.
    """
    given = as_array(counts, "counts", ndim=(2, 3) if frequencies is not None else 2)
    n = as_array(populations, "populations", ndim=2)
    w = as_array(standard, "standard")
    _check_bands(given, n, w, labels=labels, bands=bands, what="Directly standardised rate")
    weight = (w / n) ** 2 / w.sum() ** 2
    method = "Dobson"
    if frequencies is None:
        x = np.nan_to_num(given)
        variance = (x * weight).sum(axis=1)
    else:
        f = as_array(frequencies, "frequencies")
        people = np.nan_to_num(given if given.ndim == 3 else given[:, :, None])
        x = (people * f).sum(axis=2)
        variance = ((people * weight[:, :, None]).sum(axis=1) * f**2).sum(axis=1)
        method = "Dobson, with confidence adjusted for non-independent events"
    total = x.sum(axis=1)
    value = (x * w / n).sum(axis=1) / w.sum() * multiplier
    suppressed = total < 10
    lower, upper = {}, {}
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / total) * multiplier
        for level in confidence_levels(confidence):
            low = value + spread * (byars_lower(np.maximum(total, 1), level) - total)
            high = value + spread * (byars_upper(total, level) - total)
            lower[level] = np.where(suppressed, np.nan, low)
            upper[level] = np.where(suppressed, np.nan, high)
    return Estimates(
        statistic=f"dsr per {_multiplier_words(multiplier)}",
        value=np.where(suppressed, np.nan, value),
        lower=lower,
        upper=upper,
        method=np.full(total.shape, method, object),
        suppression=np.where(suppressed, "fewer than 10 events: no DSR (PHE)", "").astype(object),
        numerator=total,
        denominator=n.sum(axis=1),
        labels=None if labels is None else np.asarray(labels, dtype=object),
    )


def isr(
    observed: Sequence[float] | np.ndarray,
    populations: Sequence[Sequence[float]] | np.ndarray,
    reference_counts: Sequence[float] | np.ndarray,
    reference_populations: Sequence[float] | np.ndarray,
    *,
    kind: Literal["ratio", "rate"] = "ratio",
    multiplier: float | None = None,
    confidence: Confidence = FINGERTIPS_LEVELS,
    method: Literal["byars", "exact"] = "byars",
    labels: Sequence[str] | None = None,
    bands: Sequence[str] | None = None,
) -> Estimates:
    """Indirectly standardised ratios (SMR) or rates against reference rates by age band.

    Parameters
    ----------
    observed
        Events of each area: a total per area, or by area and band (summed).
    populations
        Populations by area and band.
    reference_counts, reference_populations
        Events and population of the reference (England) by band.
    kind
        ``ratio`` (observed / expected x ``multiplier``, default 1; 100 for an SMR as
        Fingertips shows it) or ``rate`` (per ``multiplier``, default 100,000).
    method
        ``byars`` (exact under 10 events, Byar's from 10) or ``exact`` throughout.
    """
    o = np.nan_to_num(as_array(observed, "observed", ndim=(1, 2)))
    n = np.nan_to_num(as_array(populations, "populations", ndim=2))
    ref_x = as_array(reference_counts, "reference_counts")
    ref_n = as_array(reference_populations, "reference_populations")
    _check_bands(
        o if o.ndim == 2 else np.zeros_like(n),
        n,
        ref_n,
        labels=labels,
        bands=bands,
        what="Indirectly standardised " + kind,
        standard_name="reference_populations",
        positive=False,
    )
    if ref_x.shape != ref_n.shape or np.any(ref_n <= 0) or np.any(np.nan_to_num(ref_x) < 0):
        raise ValidationError(
            "The reference needs a count (0 or more) and a population (more than 0) per band.",
            problems=[Problem("bad reference", field="reference_counts")],
        )
    total = o.sum(axis=1) if o.ndim == 2 else o
    check_values(
        [(total < 0, "observed", "must be 0 or more")],
        labels=labels,
        what="Indirectly standardised " + kind,
    )
    expected = (np.nan_to_num(ref_x) / ref_n * n).sum(axis=1)
    if kind == "rate":
        scale_by = multiplier or 100_000
        reference = np.nansum(ref_x) / ref_n.sum() * scale_by
        statistic = f"indirectly standardised rate per {_multiplier_words(scale_by)}"
    else:
        reference = multiplier or 1
        statistic = f"indirectly standardised ratio x {_multiplier_words(reference)}"
    found = _counted(
        total,
        expected,
        confidence_levels(confidence),
        statistic=statistic,
        scale=reference / expected,
        labels=labels,
        exact_only=method == "exact",
    )
    return replace(found, extras={"expected": expected})

"""Setting places side by side: each place's figure with its interval, the differences between
places with theirs, and what one place has that another lacks.

What it computes
----------------
- :func:`area_mean`: a place's population-weighted mean of its areas' values (an indicator
  published per small area without counts, e.g. the comparative illness and disability ratio),
  with an interval that takes the areas as a sample of the place's neighbourhoods: the mean and
  standard error of :func:`mobilise.analysis.slope_index.by_quantile` (one group), ``m -/+ z se``.
- :func:`pooled_rate`: a place's figure from its areas' counts, pooled, by
  :mod:`mobilise.analysis.rates` (OHID's methods): a crude rate with Byar's interval (exact
  under 10 events), a proportion with Wilson's, an indirectly standardised ratio or rate as
  ``sum O / sum E`` with the count's interval.
- :func:`combined_rate`: a place's figure from its areas' directly standardised rates (the age
  bands are not kept, only each area's DSR and Dobson interval): the population-weighted mean
  of the areas' DSRs, ``sum w_j DSR_j / sum w_j``, with variance ``sum (w_j / W)^2 se_j^2`` where
  ``se_j = (U_j - L_j) / (2 z)``; the figure stays age-standardised (every area's rate is
  standardised to the same population), and equals the place's own DSR when the areas share one
  age profile.
- :func:`difference`: the difference of two places' figures with its interval by the method of
  variance estimates recovery (MOVER; Newcombe 1998 method 10 for proportions, Zou and Donner
  2008 in general): with ``d = a - b``, ``L = d - sqrt((a - l_a)^2 + (u_b - b)^2)`` and
  ``U = d + sqrt((u_a - a)^2 + (b - l_b)^2)``. It takes each figure's own interval, so
  asymmetric intervals (Wilson, Byar, exact Poisson) are respected; for symmetric normal
  intervals it is ``d -/+ z sqrt(se_a^2 + se_b^2)``. A difference whose interval holds 0 is
  **not distinguishable from chance**, and :func:`difference_words` says so.
- :func:`per_thousand`, :func:`shares`: whole counts (the asset register, the Census), for
  which there is no sampling interval: the figures are what was counted.
- :func:`thin_elsewhere`: the kinds (asset categories, partner sectors) present in one place
  and thin in another (below ``thin`` times the rate of the place that has them, or absent).
- :func:`loops_lacking`: the feedback loops of one place's systems map that the other's map
  lacks: a loop is matched by the set of its factors' labels, normalised as
  :func:`mobilise.analysis.map_compare.normalise_label` matches factors across maps.

Where it differs from its peers: Fingertips compares an area with England by whether the
intervals overlap the benchmark; here two places are compared by the interval of their
difference, which is narrower than the overlap test and has the stated confidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mobilise.analysis import rates
from mobilise.analysis.map_compare import normalise_label
from mobilise.analysis.slope_index import by_quantile
from mobilise.errors import Problem, ValidationError

__all__ = [
    "Difference",
    "Estimate",
    "area_mean",
    "combined_rate",
    "difference",
    "difference_words",
    "differences",
    "loops_lacking",
    "per_thousand",
    "pooled_rate",
    "shares",
    "thin_elsewhere",
]

Numbers = Sequence[float] | np.ndarray | pd.Series
"""Values, one per area: a list, an array or a pandas Series."""

POOLED_METHODS = ("crude_rate", "proportion", "isr", "isr_rate")
"""Methods whose areas' counts add up to the place's (the rates module's names)."""


@dataclass(frozen=True)
class Estimate:
    """A place's figure with its interval at ``confidence`` (limits ``None`` when there is
    none), how it was made, and from how many areas."""

    value: float | None
    lower: float | None
    upper: float | None
    method: str
    areas: int
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Difference:
    """``first`` minus ``second`` with its interval; ``distinguishable`` is ``False`` when the
    interval holds 0 (not distinguishable from chance) and ``None`` without an interval."""

    first: str
    second: str
    value: float
    lower: float | None
    upper: float | None
    distinguishable: bool | None
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValidationError(
            "The confidence level must lie between 0 and 1.",
            problems=[Problem(f"{confidence!r} is not between 0 and 1", field="confidence")],
        )


def area_mean(
    values: Numbers,
    population: Numbers,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """The population-weighted mean of a place's area values, the areas taken as a sample.

    Areas with a missing value or population, or population 0, are left out (``areas`` counts
    those kept). With one area there is no spread, so no interval.
    """
    _check_confidence(confidence)
    frame = pd.DataFrame(
        {
            "value": np.asarray(values, dtype=float),
            "population": np.asarray(population, dtype=float),
            "quantile": 1.0,
        }
    )
    kept = frame.dropna()
    kept = kept[kept["population"] > 0]
    if kept.empty:
        return Estimate(None, None, None, "no area has a value and residents", 0, confidence)
    row = by_quantile(
        kept, value="value", population="population", quantile="quantile", confidence=confidence
    ).iloc[0]
    method = "population-weighted mean of the areas' values; interval: the areas as a sample"
    if int(row["areas"]) < 2:
        return Estimate(float(row["value"]), None, None, method, int(row["areas"]), confidence)
    return Estimate(
        float(row["value"]),
        _finite(row["lower"]),
        _finite(row["upper"]),
        method,
        int(row["areas"]),
        confidence,
    )


def pooled_rate(
    numerator: Numbers,
    denominator: Numbers,
    *,
    method: str,
    multiplier: float,
    confidence: float = 0.95,
) -> Estimate:
    """A place's figure from its areas' counts added up (``method`` one of
    :data:`POOLED_METHODS`; for an ISR the denominators are the expected counts)."""
    _check_confidence(confidence)
    if method not in POOLED_METHODS:
        raise ValidationError(
            f"Counts of method {method!r} do not add up across areas.",
            problems=[Problem(f"one of {', '.join(POOLED_METHODS)}", field="method")],
        )
    given = pd.DataFrame({"o": np.asarray(numerator, float), "n": np.asarray(denominator, float)})
    given = given.dropna()
    observed, base = float(given["o"].sum()), float(given["n"].sum())
    if given.empty or base <= 0:
        return Estimate(None, None, None, "no counts to pool", 0, confidence)
    if method in ("crude_rate", "proportion"):
        compute = rates.crude_rate if method == "crude_rate" else rates.proportion
        found = compute([observed], [base], multiplier=multiplier, confidence=confidence)
        words = "Byar's interval (exact under 10 events)" if method == "crude_rate" else "Wilson"
        label = f"{method.replace('_', ' ')} of the areas' counts pooled; {words}"
    else:
        found = rates.crude_rate([observed], [base], multiplier=multiplier, confidence=confidence)
        label = "observed over expected events of the areas pooled; the count's interval"
    return Estimate(
        _finite(found.value[0]),
        _finite(found.lower[confidence][0]),
        _finite(found.upper[confidence][0]),
        label,
        len(given),
        confidence,
    )


def combined_rate(
    values: Numbers,
    lower: Numbers,
    upper: Numbers,
    population: Numbers,
    *,
    limits_confidence: float = 0.95,
    confidence: float = 0.95,
) -> Estimate:
    """The population-weighted mean of the areas' directly standardised rates, its variance
    from their intervals (at ``limits_confidence``); suppressed areas are left out."""
    _check_confidence(confidence)
    frame = pd.DataFrame(
        {
            "x": np.asarray(values, float),
            "lo": np.asarray(lower, float),
            "hi": np.asarray(upper, float),
            "w": np.asarray(population, float),
        }
    ).dropna()
    frame = frame[frame["w"] > 0]
    if frame.empty:
        return Estimate(None, None, None, "no area has a rate", 0, confidence)
    share = frame["w"] / frame["w"].sum()
    se = (frame["hi"] - frame["lo"]) / (2 * _z(limits_confidence))
    value = float((share * frame["x"]).sum())
    half = _z(confidence) * math.sqrt(float((share**2 * se**2).sum()))
    method = (
        "age-standardised: the population-weighted mean of the areas' directly standardised "
        "rates, its interval from their Dobson intervals"
    )
    return Estimate(value, value - half, value + half, method, len(frame), confidence)


def difference(first: str, a: Estimate, second: str, b: Estimate) -> Difference | None:
    """``a - b`` with its MOVER interval (``None`` when either figure is missing)."""
    if a.value is None or b.value is None:
        return None
    gap = a.value - b.value
    limits = (a.lower, a.upper, b.lower, b.upper)
    if any(v is None for v in limits):
        return Difference(first, second, gap, None, None, None, min(a.confidence, b.confidence))
    la, ua, lb, ub = (float(v) for v in limits)  # type: ignore[arg-type]
    low = gap - math.hypot(a.value - la, ub - b.value)
    high = gap + math.hypot(ua - a.value, b.value - lb)
    return Difference(
        first, second, gap, low, high, not (low <= 0 <= high), min(a.confidence, b.confidence)
    )


def differences(estimates: Mapping[str, Estimate]) -> list[Difference]:
    """Every pair's difference, in the order the places were given (first minus second)."""
    found = []
    for first, second in combinations(list(estimates), 2):
        gap = difference(first, estimates[first], second, estimates[second])
        if gap is not None:
            found.append(gap)
    return found


def _figure(value: float) -> str:
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return f"{value:,.{digits}f}"


def difference_words(gap: Difference, names: Mapping[str, str], measure: str) -> str:
    """One plain sentence: which place is higher and by how much, or that the difference is not
    distinguishable from chance."""
    first, second = names.get(gap.first, gap.first), names.get(gap.second, gap.second)
    if gap.value == 0:
        return f"{measure}: {first} and {second} are the same."
    # Told from the higher place, so the figure and its interval read as positive.
    sign = 1.0 if gap.value > 0 else -1.0
    higher, lower = (first, second) if sign > 0 else (second, first)
    interval = ""
    if gap.lower is not None and gap.upper is not None:
        low, high = sorted((sign * gap.lower, sign * gap.upper))
        interval = f" ({gap.confidence:.0%} interval {_figure(low)} to {_figure(high)})"
    if gap.distinguishable is False:
        return (
            f"{measure}: {higher} is higher than {lower} by {_figure(abs(gap.value))}"
            f"{interval}, a difference not distinguishable from chance."
        )
    certainty = "" if gap.distinguishable else " (no interval: whole counts or too few areas)"
    return (
        f"{measure} is higher in {higher} than in {lower} by "
        f"{_figure(abs(gap.value))}{interval}{certainty}."
    )


def per_thousand(count: float, population: float | None) -> float | None:
    """``count`` per 1,000 residents (``None`` without residents)."""
    if not population or population <= 0:
        return None
    return 1000.0 * float(count) / float(population)


def shares(counts: Mapping[str, float]) -> dict[str, float | None]:
    """Each group's share of the total (``None`` when the total is 0)."""
    total = float(sum(counts.values()))
    return {group: (float(c) / total if total > 0 else None) for group, c in counts.items()}


def thin_elsewhere(
    rates_by_place: Mapping[str, Mapping[str, float | None]],
    *,
    thin: float = 0.5,
) -> list[dict[str, Any]]:
    """The kinds present in one place and thin in another.

    ``rates_by_place``: for each place, each kind's rate (e.g. assets per 1,000 residents).
    A kind is thin in place B against place A when A's rate is above 0 and B's is below
    ``thin`` times A's (0 or missing: absent). One row per (kind, from, to), kinds in the order
    first seen, with ``ratio`` (B over A) and ``absent``.
    """
    if not 0 < thin <= 1:
        raise ValidationError(
            "thin must lie in (0, 1].", problems=[Problem(f"{thin!r}", field="thin")]
        )
    kinds = list(dict.fromkeys(k for by_kind in rates_by_place.values() for k in by_kind))
    found = []
    for kind in kinds:
        for source, target in ((a, b) for a in rates_by_place for b in rates_by_place if a != b):
            have = rates_by_place[source].get(kind) or 0.0
            other = rates_by_place[target].get(kind) or 0.0
            if have > 0 and other < thin * have:
                found.append(
                    {
                        "kind": kind,
                        "present_in": source,
                        "thin_in": target,
                        "rate_present": have,
                        "rate_thin": other,
                        "ratio": other / have,
                        "absent": other == 0,
                    }
                )
    return found


def _loop_key(labels: Iterable[str]) -> frozenset[str]:
    return frozenset(normalise_label(label) for label in labels)


def loops_lacking(
    loops_by_place: Mapping[str, Sequence[Mapping[str, Any]]],
) -> list[dict[str, Any]]:
    """The loops of each place's map that another place's map lacks.

    ``loops_by_place``: for each place, its map's loops as dicts with ``labels`` (the factors'
    labels in loop order) and ``kind`` (reinforcing or balancing). A loop is lacking in B when
    no loop of B has the same set of normalised labels; ``factors_present`` says how many of its
    factors B's map has in some loop (the loop may then be a link or two away).
    """
    keys = {
        place: {_loop_key(loop["labels"]) for loop in loops}
        for place, loops in loops_by_place.items()
    }
    factors = {place: set().union(*found) if found else set() for place, found in keys.items()}
    lacking = []
    for source, loops in loops_by_place.items():
        for target in loops_by_place:
            if target == source:
                continue
            for loop in loops:
                key = _loop_key(loop["labels"])
                if key in keys[target]:
                    continue
                lacking.append(
                    {
                        "present_in": source,
                        "lacking_in": target,
                        "labels": list(loop["labels"]),
                        "kind": loop.get("kind", ""),
                        "factors_present": len(key & factors[target]),
                        "factors": len(key),
                    }
                )
    return lacking

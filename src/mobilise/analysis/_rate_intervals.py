"""Intervals of counts and proportions, confidence levels, input checks and the result record
shared by :mod:`mobilise.analysis.rates` (see its docstring for the formulas)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FINGERTIPS_LEVELS",
    "Estimates",
    "byars_lower",
    "byars_upper",
    "confidence_levels",
    "exact_lower",
    "exact_upper",
    "poisson_interval",
    "wilson_interval",
]

FINGERTIPS_LEVELS: tuple[float, float] = (0.95, 0.998)
"""Fingertips' two confidence levels: 95% and 99.8%."""

EXACT_BELOW = 10
"""Counts below this take the exact Poisson interval; from it, Byar's approximation."""


def confidence_levels(confidence: float | Iterable[float]) -> tuple[float, ...]:
    """Confidence levels as fractions: 95 and 0.95 both mean 0.95; each must lie in [0.9, 1)."""
    given = [confidence] if isinstance(confidence, int | float) else list(confidence)
    levels = []
    problems = []
    for level in given:
        fraction = float(level) / 100 if float(level) >= 90 else float(level)
        if not 0.9 <= fraction < 1:
            problems.append(
                Problem(
                    f"confidence {level!r} is not between 90 and 100 (or 0.9 and 1)",
                    field="confidence",
                )
            )
        levels.append(round(fraction, 6))
    if not levels:
        problems.append(Problem("give at least one confidence level", field="confidence"))
    error = ValidationError.collect(problems, what="Confidence level")
    if error:
        raise error
    return tuple(dict.fromkeys(levels))


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(confidence + (1 - confidence) / 2))


def byars_lower(count: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's lower limit of a Poisson count (NaN where the approximation goes below 0)."""
    x = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - _z(confidence) / (3 * np.sqrt(x))) ** 3
    return np.where(lower < 0, np.nan, lower)


def byars_upper(count: np.ndarray, confidence: float) -> np.ndarray:
    """Byar's upper limit of a Poisson count."""
    x1 = np.asarray(count, dtype=float) + 1
    return x1 * (1 - 1 / (9 * x1) + _z(confidence) / (3 * np.sqrt(x1))) ** 3


def exact_lower(count: np.ndarray, confidence: float) -> np.ndarray:
    """The exact (chi-squared) lower limit of a Poisson count: 0 for a count of 0."""
    x = np.asarray(count, dtype=float)
    with np.errstate(invalid="ignore"):
        lower = stats.chi2.ppf((1 - confidence) / 2, 2 * x) / 2
    return np.where(x == 0, 0.0, lower)


def exact_upper(count: np.ndarray, confidence: float) -> np.ndarray:
    """The exact (chi-squared) upper limit of a Poisson count."""
    x = np.asarray(count, dtype=float)
    return np.asarray(stats.chi2.ppf(confidence + (1 - confidence) / 2, 2 * x + 2) / 2)


def poisson_interval(count: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of a count as PHE takes them: exact under 10 events, Byar's from 10."""
    x = np.asarray(count, dtype=float)
    small = x < EXACT_BELOW
    lower = np.where(small, exact_lower(x, confidence), byars_lower(np.maximum(x, 1), confidence))
    upper = np.where(small, exact_upper(x, confidence), byars_upper(x, confidence))
    return lower, upper


def poisson_methods(count: np.ndarray) -> np.ndarray:
    """ "Exact" or "Byars", as :func:`poisson_interval` chose for each count."""
    return np.where(np.asarray(count, dtype=float) < EXACT_BELOW, "Exact", "Byars").astype(object)


def wilson_interval(
    count: np.ndarray, denominator: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval of a proportion ``count / denominator``."""
    x = np.asarray(count, dtype=float)
    n = np.asarray(denominator, dtype=float)
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - spread) / 2 / (n + z**2)
        upper = (2 * x + z**2 + spread) / 2 / (n + z**2)
    return lower, upper


def level_name(confidence: float) -> str:
    """``95%``, ``99.8%``."""
    return f"{confidence * 100:g}%"


@dataclass(frozen=True)
class Estimates:
    """Values with their intervals, how each was computed and why any was suppressed.

    Arrays are aligned: one element per area (or group). ``lower[c]`` and ``upper[c]`` are the
    limits at confidence ``c`` (a fraction: 0.95, 0.998). ``method`` names the interval of each
    value ("Byars", "Exact", "Wilson", "Dobson", ...); ``suppression`` is ``""`` or the PHE rule
    that suppressed it (its value and limits are then NaN).
    """

    statistic: str
    value: np.ndarray
    lower: Mapping[float, np.ndarray]
    upper: Mapping[float, np.ndarray]
    method: np.ndarray
    suppression: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    labels: np.ndarray | None = None
    extras: Mapping[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def shown(
        cls,
        statistic: str,
        value: np.ndarray,
        limits: tuple[dict[float, np.ndarray], dict[float, np.ndarray]],
        method: str | np.ndarray,
        counts: tuple[np.ndarray, np.ndarray],
        labels: Sequence[str] | None,
    ) -> Estimates:
        """Estimates none of which is suppressed; ``counts`` are numerator and denominator."""
        return cls(
            statistic=statistic,
            value=value,
            lower=limits[0],
            upper=limits[1],
            method=np.full(value.shape, method, object) if isinstance(method, str) else method,
            suppression=np.full(value.shape, "", object),
            numerator=counts[0],
            denominator=counts[1],
            labels=None if labels is None else np.asarray(labels, dtype=object),
        )

    @property
    def levels(self) -> tuple[float, ...]:
        return tuple(self.lower)

    def interval(self, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """The lower and upper limits at one of the computed confidence levels."""
        [level] = confidence_levels(confidence)
        if level not in self.lower:
            raise ValidationError(
                f"No {level_name(level)} interval was computed: computed "
                f"{', '.join(level_name(c) for c in self.levels)}.",
                problems=[Problem("not computed", field="confidence")],
            )
        return self.lower[level], self.upper[level]

    def to_frame(self) -> pd.DataFrame:
        """One row per element: value, each interval (``lower95_0cl``, ``upper99_8cl``, as
        PHEindicatormethods names them), method, suppression, numerator and denominator."""
        import pandas as pd

        columns: dict[str, Any] = {"value": self.value}
        for level in self.levels:
            tag = f"{level * 100:.1f}".replace(".", "_")
            columns[f"lower{tag}cl"] = self.lower[level]
            columns[f"upper{tag}cl"] = self.upper[level]
        columns |= {
            "numerator": self.numerator,
            "denominator": self.denominator,
            **self.extras,
            "method": self.method,
            "suppression": self.suppression,
        }
        frame = pd.DataFrame(columns, index=self.labels)
        frame.attrs["statistic"] = self.statistic
        frame.attrs["confidence"] = ", ".join(level_name(c) for c in self.levels)
        return frame


def as_array(values: Any, name: str, *, ndim: int | Sequence[int] = 1) -> np.ndarray:
    """A float array of the expected dimensions, or a ValidationError naming the argument."""
    array = np.asarray(values, dtype=float)
    allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if array.ndim not in allowed:
        raise ValidationError(
            f"{name} has {array.ndim} dimensions; expected {' or '.join(map(str, allowed))}.",
            problems=[Problem(f"expected {allowed} dimensions", field=name)],
        )
    return array


def label_of(labels: Sequence[str] | None, index: int) -> str:
    return str(labels[index]) if labels is not None else f"row {index + 1}"


def check_values(
    checks: Iterable[tuple[np.ndarray, str, str]],
    *,
    labels: Sequence[str] | None = None,
    bands: Sequence[str] | None = None,
    what: str,
    limit: int = 20,
) -> None:
    """Raise one ValidationError naming every element where a check fails.

    Each check is ``(bad, field, message)``: ``bad`` a boolean array (1-D: by area; 2-D: by area
    and band), ``message`` formatted with ``{value}`` unused; rows are 1-based area positions.
    """
    problems = []
    for bad, field_name, message in checks:
        for where in np.argwhere(np.asarray(bad))[:limit]:
            area = int(where[0])
            band = (
                f", band {bands[int(where[1])] if bands is not None else int(where[1]) + 1}"
                if len(where) > 1
                else ""
            )
            problems.append(
                Problem(
                    f"{label_of(labels, area)}{band}: {message}", row=area + 1, field=field_name
                )
            )
    error = ValidationError.collect(problems, what=what)
    if error:
        raise error

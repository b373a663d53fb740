"""How an indicator is computed from counts: the methods, standards and the words a comparison
with the benchmark is told in (the maths is :mod:`mobilise.analysis.rates`; light to import, so a
face offers the choices at once)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mobilise.errors import Problem, ValidationError

__all__ = [
    "COMPARISONS",
    "METHODS",
    "STANDARDS",
    "RateMethod",
    "RatePlan",
    "compared",
]


@dataclass(frozen=True)
class RateMethod:
    """One way of computing an indicator from counts."""

    name: str
    description: str
    unit: str
    multiplier: float
    by_age: bool  # needs counts by age band
    funnel: str  # the funnel's statistic, or "" when there is none


METHODS: dict[str, RateMethod] = {
    m.name: m
    for m in (
        RateMethod(
            "crude_rate",
            "crude rate, Byar's interval (exact under 10 events)",
            "per 100,000",
            100_000,
            False,
            "rate",
        ),
        RateMethod(
            "proportion", "proportion, Wilson's score interval", "%", 100, False, "proportion"
        ),
        RateMethod(
            "dsr",
            "directly standardised rate, Dobson's interval (none under 10 events)",
            "per 100,000 (age-standardised)",
            100_000,
            True,
            "dsr",
        ),
        RateMethod(
            "isr",
            "indirectly standardised ratio (SMR), reference = 100",
            "ratio (reference = 100)",
            100,
            True,
            "ratio",
        ),
        RateMethod(
            "isr_rate",
            "indirectly standardised rate against reference rates",
            "per 100,000 (indirectly standardised)",
            100_000,
            True,
            "rate",
        ),
        RateMethod(
            "life_expectancy",
            "life expectancy at birth, Chiang II (PHE's method)",
            "years",
            1,
            True,
            "",
        ),
    )
}
"""The methods ``ws.indicators.compute`` offers, by name."""

STANDARDS: dict[str, str] = {
    "esp2013": "European Standard Population 2013 (Eurostat), 19 five-year bands to 90+",
}
"""The standard populations that ship with mobilise, by name."""

COMPARISONS: dict[str, str] = {
    "better": "better than the benchmark (95% interval clear of it)",
    "similar": "similar to the benchmark (95% interval includes it)",
    "worse": "worse than the benchmark (95% interval clear of it)",
    "higher": "higher than the benchmark (95% interval clear of it)",
    "lower": "lower than the benchmark (95% interval clear of it)",
    "not compared": "no interval or no benchmark to compare with",
    "suppressed": "not shown: too few events or people (PHE's rules)",
}
"""What a value's comparison with its benchmark says, as Fingertips colours it."""


def compared(
    value: float | None,
    lower: float | None,
    upper: float | None,
    benchmark: float | None,
    polarity: str,
) -> str:
    """Compare a value's 95% interval with the benchmark: a key of :data:`COMPARISONS`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "suppressed"
    if lower is None or upper is None or benchmark is None:
        return "not compared"
    if lower <= benchmark <= upper:
        return "similar"
    above = lower > benchmark
    if polarity == "higher_is_better":
        return "better" if above else "worse"
    if polarity == "higher_is_worse":
        return "worse" if above else "better"
    return "higher" if above else "lower"


@dataclass(frozen=True)
class RatePlan:
    """What to compute: checked in full on creation (every problem at once)."""

    method: str
    standard: str = "esp2013"
    confidence: float = 95.0
    multiplier: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.method not in METHODS:
            problems.append(
                Problem(f"{self.method!r} is not one of {', '.join(METHODS)}", field="method")
            )
        if not (90 <= self.confidence < 100 or 0.9 <= self.confidence < 1):
            problems.append(
                Problem(
                    f"confidence {self.confidence!r} is not between 90 and 100",
                    field="confidence",
                )
            )
        if self.multiplier is not None and not (0 < self.multiplier <= 1e9):
            problems.append(
                Problem(f"multiplier {self.multiplier!r} is not above 0", field="multiplier")
            )
        error = ValidationError.collect(problems, what="Indicator method")
        if error is not None:
            raise ValidationError(
                error.message.replace("nothing was imported", "nothing was computed"),
                problems=error.problems,
            )

    @property
    def about(self) -> RateMethod:
        return METHODS[self.method]

    @property
    def scale(self) -> float:
        return self.multiplier if self.multiplier is not None else self.about.multiplier

    @property
    def level(self) -> float:
        """The confidence level as a percentage (95.0, 99.8)."""
        return self.confidence * 100 if self.confidence < 1 else self.confidence

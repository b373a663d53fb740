"""The records the indicator service returns, and how they are made from stored rows
(private to :mod:`mobilise.workspace.indicators`, which exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mobilise.analysis.position import decile_from_breaks

__all__ = ["METHOD_FIELDS", "Indicator", "IndicatorValue", "indicator_of", "national_deciles"]

METHOD_FIELDS = (
    "method",
    "standard",
    "confidence",
    "multiplier",
    "benchmark_label",
    "benchmark_value",
    "benchmark_lower",
    "benchmark_upper",
)
"""How a computed indicator was computed: the columns of ``indicators`` that say so."""


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    description: str
    unit: str
    polarity: str
    source: str
    licence: str
    period: str
    area_type: str
    national_breaks: list[float] | None
    dataset_id: str | None
    version: int
    n_values: int = 0
    method: str = ""
    standard: str = ""
    confidence: float | None = None
    multiplier: float | None = None
    benchmark_label: str = ""
    benchmark_value: float | None = None
    benchmark_lower: float | None = None
    benchmark_upper: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator's value for one area, with where it stands nationally."""

    indicator: Indicator
    value: float | None  # None when suppressed
    lower_ci: float | None
    upper_ci: float | None
    numerator: float | None
    denominator: float | None
    national_decile: int | None
    lower_99_8: float | None = None
    upper_99_8: float | None = None
    method: str = ""
    suppression: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator.id,
            "name": self.indicator.name,
            "unit": self.indicator.unit,
            "polarity": self.indicator.polarity,
            "period": self.indicator.period,
            "value": self.value,
            "lower_ci": self.lower_ci,
            "upper_ci": self.upper_ci,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "national_decile": self.national_decile,
            "lower_99_8": self.lower_99_8,
            "upper_99_8": self.upper_99_8,
            "method": self.method,
            "suppression": self.suppression,
            "confidence": self.indicator.confidence,
        }


def national_deciles(indicator: Indicator, values: np.ndarray) -> np.ndarray:
    if not indicator.national_breaks:
        return np.full(values.shape, np.nan)
    polarity = (
        indicator.polarity
        if indicator.polarity in ("higher_is_better", "higher_is_worse")
        else "neutral"
    )
    return decile_from_breaks(values, indicator.national_breaks, polarity=polarity)  # type: ignore[arg-type]


def indicator_of(row: Any, n_values: int = 0) -> Indicator:
    return Indicator(
        id=row.id,
        name=row.name,
        description=row.description,
        unit=row.unit,
        polarity=row.polarity,
        source=row.source,
        licence=row.licence,
        period=row.period,
        area_type=row.area_type,
        national_breaks=list(row.national_breaks) if row.national_breaks else None,
        dataset_id=row.dataset_id,
        version=row.version,
        n_values=int(n_values),
        **{k: getattr(row, k) for k in METHOD_FIELDS},
    )

"""Indicators as read from a file: what each measures, and its values by area.

The indicator readers of :mod:`mobilise.formats` return an :class:`IndicatorData`; the workspace
imports one. ``polarity`` says which direction is worse, so decile 1 is always the worst 10%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "INDICATOR_ID",
    "LAYOUTS",
    "POLARITIES",
    "VALUE_COLUMNS",
    "IndicatorData",
    "IndicatorMeta",
    "Polarity",
]

Polarity = Literal["higher_is_better", "higher_is_worse", "neutral"]


POLARITIES: tuple[str, ...] = ("higher_is_better", "higher_is_worse", "neutral")

LAYOUTS = {
    "wide": "one column per indicator",
    "long": "area, indicator, value rows",
    "iod": "an English Indices of Deprivation 2019 file (File 1, 2, 6, 8)",
}
"""The layouts of indicator files the workspace imports, with what each holds."""


VALUE_COLUMNS = [
    "area_code",
    "indicator_id",
    "value",
    "lower_ci",
    "upper_ci",
    "numerator",
    "denominator",
    "source_row",
]
"""The columns of :attr:`IndicatorData.values`, in order."""


INDICATOR_ID = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class IndicatorMeta:
    """What an indicator measures and where it comes from.

    ``polarity`` says which direction is worse, so that decile 1 can always be the worst 10%.
    ``national_breaks`` are the 10th..90th percentiles over all areas in England, when known.
    """

    id: str  # [a-z0-9_]+
    name: str
    unit: str
    polarity: Polarity
    source: str  # publisher and title
    licence: str  # e.g. "OGL-UK-3.0"
    period: str  # "2019", "2015-2017", "mid-2015"
    description: str = ""
    area_type: str = "lsoa11"
    national_breaks: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        problems = []
        if not INDICATOR_ID.match(self.id):
            problems.append(
                Problem(
                    f"{self.id!r} is not an indicator id; use lower-case letters, digits and _",
                    field="id",
                )
            )
        if self.polarity not in POLARITIES:
            problems.append(
                Problem(
                    f"{self.polarity!r} is not one of {', '.join(POLARITIES)}", field="polarity"
                )
            )
        error = ValidationError.collect(problems, what=f"Indicator {self.id!r}")
        if error is not None:
            raise error


@dataclass
class IndicatorData:
    """Indicators read from one file.

    ``values`` has the columns :data:`VALUE_COLUMNS`: ``area_code``, ``indicator_id``, ``value``,
    ``lower_ci``, ``upper_ci``, ``numerator``, ``denominator`` (floats, NaN when absent) and
    ``source_row`` (the 1-based data row of the file). Missing values have no row.
    """

    indicators: list[IndicatorMeta]
    values: pd.DataFrame
    file: str

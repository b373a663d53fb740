"""The analysis functions behind an access plan's names: its measures and distance decays."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mobilise.analysis.access import (
    CatchmentPairs,
    Decay,
    balanced_fca,
    count_within,
    enhanced_two_step_fca,
    exponential,
    gaussian,
    linear,
    power,
    step,
    supply_within,
    three_step_fca,
    two_step_fca,
    weighted_catchment,
)
from mobilise.errors import ValidationError
from mobilise.model.access_plan import DECAYS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MEASURES", "make_decay", "run_measure"]


def make_decay(name: str, catchment_m: float) -> Decay:
    """The decay called ``name`` for a catchment of ``catchment_m`` metres (see :data:`DECAYS`)."""
    c = float(catchment_m)
    if name == "none":
        return step({c: 1.0})
    if name == "step":
        return step({c / 3: 1.0, 2 * c / 3: 0.68, c: 0.22})
    if name == "gaussian":
        return gaussian(c / 2)
    if name == "exponential":
        return exponential(-math.log(0.05) / c)
    if name == "linear":
        return linear(c)
    if name == "power":
        return power(1.0, scale=100.0)
    raise ValidationError(f"Unknown decay {name!r}: use one of {', '.join(DECAYS)}.")


MEASURES: dict[str, Any] = {
    "count": count_within,
    "supply": supply_within,
    "gravity": weighted_catchment,
    "2sfca": two_step_fca,
    "e2sfca": enhanced_two_step_fca,
    "3sfca": three_step_fca,
    "bfca": balanced_fca,
}


def run_measure(
    method: str, pairs: CatchmentPairs, demand: pd.Series, supply: pd.Series, decay: Decay
) -> pd.DataFrame:
    """The measure ``method`` (a key of :data:`MEASURES`) on ``pairs``: the demand at each origin,
    the supply at each destination and the decay, as far as the measure uses them."""
    measure = MEASURES[method]
    if method == "count":
        return measure(pairs)
    if method == "supply":
        return measure(pairs, supply)
    if method == "gravity":
        return measure(pairs, supply, decay=decay)
    if method == "e2sfca":
        return measure(pairs, demand, supply, decay)
    return measure(pairs, demand, supply, decay=decay)

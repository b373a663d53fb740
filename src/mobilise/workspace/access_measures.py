"""The analysis functions behind an access plan's names: its measures and distance decays."""

from __future__ import annotations

import math
from typing import Any

from mobilise.analysis.access import (
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

__all__ = ["MEASURES", "make_decay"]


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

"""Where a value stands in a reference distribution (national deciles)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from mobilise.errors import Problem, ValidationError

__all__ = ["Polarity", "decile_from_breaks"]

Polarity = Literal["higher_is_better", "higher_is_worse", "neutral"]


def decile_from_breaks(
    values: npt.ArrayLike,
    breaks: Sequence[float],
    *,
    polarity: Polarity = "higher_is_worse",
) -> npt.NDArray[np.float64]:
    """Decile of each value among the reference distribution cut by ``breaks``.

    Parameters
    ----------
    values
        Indicator values.
    breaks
        The nine ascending cut points (10th to 90th percentiles) of the reference distribution,
        e.g. all LSOAs in England.
    polarity
        ``higher_is_worse``: decile 1 holds the highest 10% (the worst), as IMD deciles do.
        ``higher_is_better``: decile 1 holds the lowest 10%. ``neutral``: decile 1 holds the lowest.

    Returns
    -------
    Deciles 1..10 as floats, NaN where the value is missing.

    Examples
    --------
    >>> decile_from_breaks([0.5, 9.5], list(range(1, 10)), polarity="higher_is_better").tolist()
    [1.0, 10.0]
    """
    cut = np.asarray(breaks, dtype=float)
    if cut.shape != (9,) or np.any(np.diff(cut) < 0):
        raise ValidationError(
            "Cannot place values among national deciles.",
            problems=[
                Problem(
                    "breaks must be nine ascending cut points (10th..90th percentiles)",
                    field="breaks",
                )
            ],
        )
    array = np.asarray(values, dtype=float)
    # A value equal to a cut point belongs to the lower decile (quantiles are upper bounds).
    ascending = np.searchsorted(cut, array, side="left") + 1.0
    deciles = 11.0 - ascending if polarity == "higher_is_worse" else ascending
    return np.where(np.isnan(array), np.nan, deciles)

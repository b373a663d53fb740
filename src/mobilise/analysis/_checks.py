"""Input checks shared by the analysis modules (every problem collected, then raised at once),
and how their tables become plain JSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.errors import Problem, ValidationError

FloatArray = npt.NDArray[np.float64]

SHOWN_IDS = 10  # ids named in one error message before "and N more"


def cost_limit(value: object, name: str, problems: list[Problem]) -> float:
    try:
        limit = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        limit = math.nan
    if not (math.isfinite(limit) and limit >= 0):
        problems.append(Problem(f"{name} must be a finite cost >= 0, not {value!r}", field=name))
        return 0.0
    return limit


def named(ids: pd.Index | Sequence[Any]) -> str:
    shown = ", ".join(str(i) for i in list(ids[:SHOWN_IDS]))
    more = len(ids) - SHOWN_IDS
    return f"{shown} and {more} more" if more > 0 else shown


def raise_if(problems: list[Problem], what: str) -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(f"{what}: {len(problems)} {noun}.", problems=problems)


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain JSON: numpy scalars as Python ones, NaN as None."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v.item() if hasattr(v, "item") else v for k, v in row.items()} for row in rows]

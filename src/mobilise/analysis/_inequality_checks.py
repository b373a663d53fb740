"""What the inequality measures share (private to :mod:`mobilise.analysis.inequality` and
:mod:`mobilise.analysis.slope_index`): the input checks that gather every problem, each naming
the argument and the groups or rows at fault, and results as plain JSON types."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.errors import Problem, ValidationError

FloatArray: TypeAlias = npt.NDArray[np.float64]
Mask: TypeAlias = npt.NDArray[np.bool_]
Numbers: TypeAlias = npt.ArrayLike | pd.Series

_SHOWN = 10  # groups or rows named in one message before "and N more"


class Result:
    """``to_dict`` for the frozen result classes."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON-serialisable Python types (floats or ``None``, never NaN)."""
        out: dict[str, Any] = {}
        for item in fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            out[item.name] = [plain(v) for v in value] if isinstance(value, tuple) else plain(value)
        return out


class Problems(list[Problem]):
    """The problems found in an input, each naming the argument and the groups or rows at fault;
    :meth:`raise_if_any` raises them all at once."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def add(self, message: str, field: str) -> None:
        self.append(Problem(message, field=field))

    def raise_if_any(self) -> None:
        if self:
            noun = "problem" if len(self) == 1 else "problems"
            raise ValidationError(f"{self.what}: {len(self)} {noun}.", problems=list(self))

    def flag(self, bad: Mask, labels: list[str], field: str, what: str, noun: str = "") -> None:
        """A problem naming the ``labels`` where ``bad`` holds, e.g. "quantiles 2, 4 are ..."."""
        chosen = pick(labels, bad)
        if not chosen:
            return
        noun = noun or "quantiles"
        if len(chosen) == 1:  # "quantile 3 is", not "quantiles 3 are"
            verb, _, rest = what.partition(" ")
            noun, what = noun.removesuffix("s"), f"{_SINGULAR.get(verb, verb)} {rest}"
        self.add(f"{noun} {named_labels(chosen)} {what}", field)

    def numbers(
        self,
        array: FloatArray,
        labels: list[str],
        field: str,
        *,
        least: Literal["any", "zero"] = "any",
        noun: str = "",
    ) -> None:
        """Flag missing or infinite entries, and negative ones when ``least`` is "zero"."""
        self.flag(~np.isfinite(array), labels, field, "are missing or not finite", noun)
        if least == "zero":
            with np.errstate(invalid="ignore"):
                self.flag(array < 0, labels, field, "are negative", noun)

    def by_position(
        self, given: dict[str, Any], *, at_least_zero: tuple[str, ...] = ()
    ) -> tuple[dict[str, FloatArray], list[str]]:
        """The given arguments as float arrays (``population`` 1 each when not given), checked
        entry by entry, and the entries' labels (1-based positions). A problem with the arrays
        themselves (shape, lengths) is raised at once with those found before."""
        before = len(self)
        arrays = self.arrays(given)
        if len(self) > before:
            self.raise_if_any()
        arrays.setdefault("population", np.ones_like(arrays["values"]))
        rows = [str(i + 1) for i in range(len(arrays["values"]))]
        for name, array in arrays.items():
            least: Literal["any", "zero"] = "zero" if name in at_least_zero else "any"
            self.numbers(array, rows, name, least=least, noun="positions")
        return arrays, rows

    def confidence(self, confidence: object) -> None:
        if not finite_number(confidence) or not 0 < confidence < 1:  # type: ignore[operator]
            self.add("must be between 0 and 1, e.g. 0.95", "confidence")

    def arrays(self, given: dict[str, Any]) -> dict[str, FloatArray]:
        """Each given argument as a 1-D float array (``None`` ones left out), checked for shape,
        equal lengths and, for pandas Series, equal indexes."""
        arrays: dict[str, FloatArray] = {}
        for name, data in given.items():
            try:
                if data is None:
                    continue
                if isinstance(data, pd.Series):
                    array = pd.to_numeric(data).to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    array = np.asarray(data, dtype=np.float64)
            except (TypeError, ValueError):
                self.add("must be numbers", name)
                continue
            if array.ndim != 1:
                self.add("must be one-dimensional: one number per row", name)
            else:
                arrays[name] = array
        first = next(iter(arrays), "")
        for name, array in arrays.items():
            if len(array) != len(arrays[first]):
                self.add(f"has {len(array)} entries but {first} has {len(arrays[first])}", name)
        series = [(name, data) for name, data in given.items() if isinstance(data, pd.Series)]
        for name, data in series[1:]:
            if not data.index.equals(series[0][1].index):
                self.add(
                    f"its index differs from that of {series[0][0]}; align the Series "
                    "(e.g. columns of one frame)",
                    name,
                )
        return arrays


_SINGULAR = {"are": "is", "have": "has"}


def finite_number(value: object) -> bool:
    numeric = isinstance(value, int | float | np.integer | np.floating)
    return numeric and not isinstance(value, bool) and math.isfinite(value)  # type: ignore[arg-type]


def pick(labels: list[str], mask: Mask) -> list[str]:
    return [label for label, chosen in zip(labels, mask, strict=True) if chosen]


def label(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else f"{number:g}"


def named_labels(labels: list[str]) -> str:
    more = len(labels) - _SHOWN
    return ", ".join(labels[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


def plain(value: Any) -> Any:
    """A JSON-ready value: Python numbers, non-finite floats as ``None``."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value

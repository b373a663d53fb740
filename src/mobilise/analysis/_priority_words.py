"""How the priority reasons are said (private to :mod:`mobilise.analysis.priority`): numbers
for people, units, shares and the one-sentence summary of an area."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["areas_have", "number", "percent", "sentence", "with_unit"]


def sentence(high_need: bool, low: bool, reasons: list[str], missing: list[str]) -> str:
    if high_need and low:
        lead = "Priority neighbourhood: "
    elif high_need:
        lead = "High need, but no low access: "
    elif low:
        lead = "Low access, but not high need: "
    else:
        lead = "Neither high need nor low access"
    text = lead + "; ".join(_lower_first(reason) for reason in reasons) + "."
    if missing:
        text += f" Missing: {', '.join(missing)}."
    return text


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        return text[:1].lower() + text[1:]
    return text  # an acronym such as IMD or COPD


def number(value: float) -> str:
    """A number for people: thousands separators, two decimals below 10 (two significant
    figures below 0.01), one below 100, none above; whole numbers without decimals."""
    if not math.isfinite(value):
        return "none"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 0.01:
        return f"{value:.2f}"
    return str(np.format_float_positional(value, precision=2, unique=False, fractional=False))


def with_unit(value: float, unit: str) -> str:
    shown = number(value)
    if not unit:
        return shown
    return f"{shown}{unit}" if unit.startswith("%") else f"{shown} {unit}"


def percent(fraction: float | None) -> str:
    return f"{(fraction or 0) * 100:g}%"


def areas_have(count: int) -> str:
    return "1 area has" if count == 1 else f"{count:,} areas have"

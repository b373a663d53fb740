"""Cells a spreadsheet will not run: every CSV and XLSX export writes its text through here.

A spreadsheet (Excel, LibreOffice Calc, Google Sheets) takes a cell whose text starts with ``=``,
``+``, ``-`` or ``@`` for a formula, and some strip a leading tab or carriage return first. A
label such as ``=cmd|' /C calc'!A0`` or ``=HYPERLINK("https://evil.example", "Open")``, typed by
anyone who can name a factor, a partner or an asset, would then run on the computer of the
analyst who opens the export ("CSV injection"). The rule here is OWASP's advice:

- **CSV**: :func:`guard` puts a ``'`` before such text, so a spreadsheet shows it as text and
  runs nothing. :func:`csv_writer` and :func:`guard_frame` apply it to every cell (headers
  included); every CSV export of mobilise writes through one of them.
- **XLSX**: the cell is stored as text, never as a formula, with Excel's "quote prefix" style
  (what typing ``'`` before it does); the value itself is unchanged (:func:`needs_guard` says
  which cells get the style).
- Only text is touched. Numbers (``-3`` as a number) are written as numbers, and text that is only
  a number or a phone number (``-3``, ``+44 20 7946 0000``, a link's polarity ``+`` or ``-``) is
  left as it is: made of digits, signs, spaces, points, commas and brackets (and an exponent,
  ``-2.5e-08``), it can call nothing.
- **Round trip**: :func:`unguard` takes the ``'`` off again, so mobilise reads its own exports
  back to the original text. A text that itself starts with ``'`` before such a character
  (``'=x``) gets one more (``''=x``), so the two are exact inverses.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_STARTS",
    "SafeCsvWriter",
    "csv_writer",
    "guard",
    "guard_frame",
    "needs_guard",
    "unguard",
    "unguard_frame",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a cell as a formula."""

# Digits, signs, spaces, points, commas and brackets, with an exponent: a number or a phone number.
_PLAIN_NUMBER = re.compile(r"[+-]?[\d\s().,]*(?:[eE][+-]?\d+)?")

T = TypeVar("T")


def needs_guard(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` (after any leading ``'``) as a formula."""
    body = text.lstrip("'")
    return body.startswith(FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(body) is None


def guard(value: T) -> T | str:
    """``value`` as a CSV cell a spreadsheet shows as text: a ``'`` before text that would run as
    a formula; anything else (numbers, ``None``, plain text) unchanged."""
    if isinstance(value, str) and value[:1] in _FIRST and needs_guard(value):
        return "'" + value
    return value


_FIRST = frozenset((*FORMULA_STARTS, "'"))


def unguard(text: str) -> str:
    """The text :func:`guard` was given: one leading ``'`` taken off where it added one."""
    if text[:1] == "'" and needs_guard(text):
        return text[1:]
    return text


class SafeCsvWriter:
    """A :func:`csv.writer` whose every cell goes through :func:`guard`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([guard(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SafeCsvWriter:
    """A CSV writer on ``out`` (``csv.writer``'s options) that writes no cell as a formula."""
    return SafeCsvWriter(out, **options)


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`guard` applied to its text: the cells of text columns, the
    column names and a text index (before ``to_csv``). Numeric columns are left as they are."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    def is_text(dtype: Any) -> bool:
        return bool(is_object_dtype(dtype) or is_string_dtype(dtype))

    guarded = frame.copy()
    for column in guarded.columns:
        if is_text(guarded[column].dtype):
            guarded[column] = guarded[column].map(guard)
    guarded.columns = [guard(c) for c in guarded.columns]
    if is_text(guarded.index.dtype):
        guarded.index = guarded.index.map(guard)
    return guarded


def unguard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (a table read as text) with :func:`unguard` applied to its cells and column
    names: what a reader calls so that mobilise reads its own CSV exports back exactly. Only the
    cells that start with ``'`` are looked at."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    found = frame
    for column in frame.columns:
        values = frame[column]
        if not (is_object_dtype(values.dtype) or is_string_dtype(values.dtype)):
            continue
        marked = values.str.startswith("'", na=False)
        if marked.any():
            if found is frame:
                found = frame.copy()
            found.loc[marked, column] = values[marked].map(unguard)
    if any(str(c).startswith("'") for c in found.columns):
        found = found.rename(columns=lambda c: unguard(c) if isinstance(c, str) else c)
    return found

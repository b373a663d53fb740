"""Plain CSV tables for analysis on files: demand, supply, travel costs, numbers by group.

``mobilise access compute`` reads these, as PySAL ``access`` takes them: a demand table (one row
per origin: an id, a population and, for distances from points, x and y in metres), a supply
table (one row per destination: an id, a capacity and, for points, x and y) and, instead of
points, a long cost table (origin id, destination id, cost). Every bad row is reported at once,
naming the file, the row (1 = the first data row) and the field.

Each reader takes the file's path or its bytes; ``name`` is the file's name in messages (by
default the path's last part; give it with bytes).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import check_rows
from mobilise.settings import Limits

__all__ = [
    "TableSource",
    "read_cost_table",
    "read_number_table",
    "read_point_table",
    "repeated_pairs",
]

TableSource = str | os.PathLike[str] | bytes
"""A table to read: its file, or its bytes."""

_SHOWN = 20  # bad rows reported per file before "and N more"


def read_point_table(
    source: TableSource,
    *,
    name: str | None = None,
    id_column: str,
    value_column: str | None,
    x: str | None = None,
    y: str | None = None,
    what: str,
    limits: Limits | None = None,
) -> pd.DataFrame:
    """A demand or supply table indexed by id (text), with ``value`` and, if asked, ``x``, ``y``.

    ``value_column`` None gives every row the value 1 (e.g. count each asset once). Values
    must be numbers >= 0; coordinates numbers (metres in a projected CRS).
    """
    frame, file = _read(source, name, limits)
    problems = _missing_columns(frame, [id_column, value_column, x, y], file, what)
    _raise(problems, file, what)
    ids = frame[id_column].str.strip()
    empty = ids.eq("") | ids.isna()
    problems += _bad_rows(file, id_column, empty, "is empty")
    repeated = ids.duplicated(keep="first") & ~empty
    problems += _bad_rows(file, id_column, repeated, "repeats an id given above")
    out = pd.DataFrame(index=pd.Index(ids, name="id"))
    if value_column:
        out["value"] = _numbers(frame, value_column, file, problems, non_negative=True)
    else:
        out["value"] = 1.0
    for given, column in ((x, "x"), (y, "y")):
        if given:
            out[column] = _numbers(frame, given, file, problems, non_negative=False)
    _raise(problems, file, what)
    return out


def read_cost_table(
    source: TableSource,
    *,
    name: str | None = None,
    origin: str,
    destination: str,
    cost: str,
    limits: Limits | None = None,
) -> pd.DataFrame:
    """A long cost table with text ids and ``cost`` numbers >= 0 (columns as named)."""
    frame, file = _read(source, name, limits)
    problems = _missing_columns(frame, [origin, destination, cost], file, "cost")
    _raise(problems, file, "cost")
    out = pd.DataFrame(
        {
            origin: frame[origin].str.strip(),
            destination: frame[destination].str.strip(),
        }
    )
    for column in (origin, destination):
        problems += _bad_rows(file, column, out[column].eq("") | out[column].isna(), "is empty")
    out[cost] = _numbers(frame, cost, file, problems, non_negative=True)
    _raise(problems, file, "cost")
    return out


def repeated_pairs(
    table: pd.DataFrame, *, file: str, origin: str, destination: str
) -> list[Problem]:
    """The rows of a cost table (as :func:`read_cost_table` gives it) whose origin-destination
    pair an earlier row already has, each named with the row that first had it.

    A hash of every pair: a few tenths of a second on millions of rows, so it is for naming the
    rows once a repeat is known to be there, not for every read.
    """
    pairs = table[[origin, destination]].reset_index(drop=True)
    involved = pairs.duplicated(keep=False).to_numpy()
    if not involved.any():
        return []
    among = pairs.loc[involved]  # only the rows of repeated pairs, usually few
    later = np.flatnonzero(involved)[among.duplicated(keep="first").to_numpy()]
    problems = []
    for position in later[:_SHOWN]:
        pair = pairs.iloc[position]
        same = (among[origin] == pair[origin]) & (among[destination] == pair[destination])
        first = int(among.index[same.to_numpy()][0])
        problems.append(
            Problem(
                f"origin {pair[origin]!r} to destination {pair[destination]!r} is already in "
                f"row {first + 1}; keep one cost per pair",
                file=file,
                row=int(position) + 1,
                field=destination,
            )
        )
    return problems + _more(len(later), "repeat an origin-destination pair", file, destination)


def read_number_table(
    source: TableSource,
    columns: dict[str, bool],
    *,
    name: str | None = None,
    what: str = "input",
    limits: Limits | None = None,
) -> pd.DataFrame:
    """The named columns of a CSV as numbers; ``columns`` maps each to whether it must be >= 0.

    Empty cells become NaN only where the caller allows them (none here: every cell must be a
    number), so a missing value is reported with its row rather than passed on silently.
    """
    frame, file = _read(source, name, limits)
    problems = _missing_columns(frame, columns, file, what)
    _raise(problems, file, what)
    out = pd.DataFrame(
        {c: _numbers(frame, c, file, problems, non_negative=nn) for c, nn in columns.items()}
    )
    _raise(problems, file, what)
    return out


def _read(source: TableSource, name: str | None, limits: Limits | None) -> tuple[pd.DataFrame, str]:
    """The table as text cells, and the file's name for messages."""
    data: io.BytesIO | Path
    if isinstance(source, bytes):
        data, file = io.BytesIO(source), name or "table.csv"
    else:
        data = Path(os.fspath(source))
        file = name or data.name
    try:
        frame = pd.read_csv(
            data, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python"
        )
    except FileNotFoundError:
        raise ValidationError(f"No file {source!s}.") from None
    except (
        UnicodeDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        csv.Error,
    ) as error:
        raise ValidationError(
            f"Cannot read {file} as a CSV table: {error}.",
            problems=[Problem(str(error), file=file)],
        ) from None
    check_rows(len(frame), name=file, limits=limits)
    return frame, file


def _missing_columns(
    frame: pd.DataFrame, wanted: Iterable[str | None], file: str, what: str
) -> list[Problem]:
    """A problem for each wanted column (``None`` ones aside) that the table does not have."""
    return [
        Problem(
            f"no column {column!r} in the {what} table (it has {', '.join(frame.columns)})",
            file=file,
            field=column,
        )
        for column in wanted
        if column and column not in frame.columns
    ]


def _numbers(
    frame: pd.DataFrame, column: str, file: str, problems: list[Problem], *, non_negative: bool
) -> np.ndarray:
    text = frame[column].str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    problems += _bad_rows(file, column, pd.Series(bad), "is not a number", frame[column])
    if non_negative:
        negative = ~bad & (values < 0)
        problems += _bad_rows(file, column, pd.Series(negative), "is negative", frame[column])
    return values


def _bad_rows(
    file: str, column: str, mask: pd.Series, message: str, shown: pd.Series | None = None
) -> list[Problem]:
    rows = np.flatnonzero(mask.to_numpy(dtype=bool))
    problems = []
    for position in rows[:_SHOWN]:
        value = "" if shown is None else f" ({shown.iloc[position]!r})"
        problems.append(
            Problem(f"{message}{value}", file=file, row=int(position) + 1, field=column)
        )
    return problems + _more(len(rows), f"where {column!r} {message}", file, column)


def _more(rows: int, what: str, file: str, field: str) -> list[Problem]:
    """The line that counts the rows past the first :data:`_SHOWN` named."""
    past = rows - _SHOWN
    return [Problem(f"{past} more rows {what}", file=file, field=field)] if past > 0 else []


def _raise(problems: list[Problem], file: str, what: str) -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(
            f"Cannot read the {what} table {file}: {len(problems)} {noun}.",
            problems=problems,
        )

"""Plain CSV tables for analysis on files: demand, supply, travel costs, numbers by group.

``mobilise access compute`` reads these, as PySAL ``access`` takes them: a demand table (one row
per origin: an id, a population and, for distances from points, x and y in metres), a supply
table (one row per destination: an id, a capacity and, for points, x and y) and, instead of
points, a long cost table (origin id, destination id, cost). Every bad row is reported at once,
naming the file, the row (1 = the first data row) and the field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mobilise.errors import Problem, ValidationError

__all__ = ["read_cost_table", "read_number_table", "read_point_table"]

_SHOWN = 20  # bad rows reported per file before "and N more"


def read_point_table(
    path: Path,
    *,
    id_column: str,
    value_column: str | None,
    x: str | None = None,
    y: str | None = None,
    what: str,
) -> pd.DataFrame:
    """A demand or supply table indexed by id (text), with ``value`` and, if asked, ``x``, ``y``.

    ``value_column`` None gives every row the value 1 (e.g. count each asset once). Values
    must be numbers >= 0; coordinates numbers (metres in a projected CRS).
    """
    frame = _read(path)
    problems: list[Problem] = []
    wanted = [id_column, *(c for c in (value_column, x, y) if c)]
    missing = [c for c in wanted if c not in frame.columns]
    for column in missing:
        problems.append(
            Problem(
                f"no column {column!r} in the {what} table (it has {', '.join(frame.columns)})",
                file=path.name,
                field=column,
            )
        )
    _raise(problems, path, what)
    ids = frame[id_column].str.strip()
    empty = ids.eq("") | ids.isna()
    problems += _bad_rows(path, id_column, empty, "is empty")
    repeated = ids.duplicated(keep="first") & ~empty
    problems += _bad_rows(path, id_column, repeated, "repeats an id given above")
    out = pd.DataFrame(index=pd.Index(ids, name="id"))
    if value_column:
        out["value"] = _numbers(frame, value_column, path, problems, non_negative=True)
    else:
        out["value"] = 1.0
    for given, name in ((x, "x"), (y, "y")):
        if given:
            out[name] = _numbers(frame, given, path, problems, non_negative=False)
    _raise(problems, path, what)
    return out


def read_cost_table(path: Path, *, origin: str, destination: str, cost: str) -> pd.DataFrame:
    """A long cost table with text ids and ``cost`` numbers >= 0 (columns as named)."""
    frame = _read(path)
    problems: list[Problem] = []
    for column in (origin, destination, cost):
        if column not in frame.columns:
            problems.append(
                Problem(
                    f"no column {column!r} in the cost table (it has {', '.join(frame.columns)})",
                    file=path.name,
                    field=column,
                )
            )
    _raise(problems, path, "cost")
    out = pd.DataFrame(
        {
            origin: frame[origin].str.strip(),
            destination: frame[destination].str.strip(),
        }
    )
    for column in (origin, destination):
        problems += _bad_rows(path, column, out[column].eq("") | out[column].isna(), "is empty")
    out[cost] = _numbers(frame, cost, path, problems, non_negative=True)
    _raise(problems, path, "cost")
    return out


def read_number_table(path: Path, columns: dict[str, bool], *, what: str = "input") -> pd.DataFrame:
    """The named columns of a CSV as numbers; ``columns`` maps each to whether it must be >= 0.

    Empty cells become NaN only where the caller allows them (none here: every cell must be a
    number), so a missing value is reported with its row rather than passed on silently.
    """
    frame = _read(path)
    problems: list[Problem] = []
    for column in columns:
        if column not in frame.columns:
            problems.append(
                Problem(
                    f"no column {column!r} in the {what} table (it has {', '.join(frame.columns)})",
                    file=path.name,
                    field=column,
                )
            )
    _raise(problems, path, what)
    out = pd.DataFrame(
        {c: _numbers(frame, c, path, problems, non_negative=nn) for c, nn in columns.items()}
    )
    _raise(problems, path, what)
    return out


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python"
        )
    except FileNotFoundError:
        raise ValidationError(f"No file {path}.") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise ValidationError(
            f"Cannot read {path.name} as a CSV table: {error}.",
            problems=[Problem(str(error), file=path.name)],
        ) from None


def _numbers(
    frame: pd.DataFrame, column: str, path: Path, problems: list[Problem], *, non_negative: bool
) -> np.ndarray:
    text = frame[column].str.strip().str.replace(",", "", regex=False)
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    problems += _bad_rows(path, column, pd.Series(bad), "is not a number", frame[column])
    if non_negative:
        negative = ~bad & (values < 0)
        problems += _bad_rows(path, column, pd.Series(negative), "is negative", frame[column])
    return values


def _bad_rows(
    path: Path, column: str, mask: pd.Series, message: str, shown: pd.Series | None = None
) -> list[Problem]:
    rows = np.flatnonzero(mask.to_numpy(dtype=bool))
    problems = []
    for position in rows[:_SHOWN]:
        value = "" if shown is None else f" ({shown.iloc[position]!r})"
        problems.append(
            Problem(f"{message}{value}", file=path.name, row=int(position) + 1, field=column)
        )
    if len(rows) > _SHOWN:
        problems.append(
            Problem(
                f"{len(rows) - _SHOWN} more rows where {column!r} {message}",
                file=path.name,
                field=column,
            )
        )
    return problems


def _raise(problems: list[Problem], path: Path, what: str) -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(
            f"Cannot read the {what} table {path.name}: {len(problems)} {noun}.",
            problems=problems,
        )

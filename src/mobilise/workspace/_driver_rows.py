"""Rows made ready for the database driver ahead of a transaction (private to
:mod:`mobilise.workspace._staging`): types converted and JSON encoded before the write lock is
taken, so that a bulk import's transactions spend their time writing, not in Python. Rows come
as mappings or column by column (:data:`Columns`, without a mapping per row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from mobilise.store.records import INT64, NUL, SCREENED, Same, refuse_columns
from mobilise.workspace._common import chunked

__all__ = ["WRITE_BATCH", "Columns", "DriverRows", "Same"]

WRITE_BATCH = 2_000
"""Rows per INSERT statement (one executemany each)."""


Columns = Mapping[str, "Sequence[Any] | Same"]
"""Rows of one table given column by column: each column's values in row order, or
:class:`Same` value for all."""


class DriverRows:
    """Rows of one table made ready for the database driver ahead of the transaction (types
    converted, JSON encoded), so that the transaction spends its time writing, not in Python."""

    def __init__(
        self,
        dialect: Dialect,
        table: Table,
        names: Sequence[str],
        params: list[tuple],
        *,
        literals: Mapping[str, str] | None = None,
        screened: bool = False,
    ):
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        given = literals or {}
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join(given.get(n, mark) for n in names)})"
        )
        self.params = params
        # rows screened before the transaction are not screened again by the store's limits
        self.options: dict[str, Any] = {SCREENED: True} if screened else {}

    @classmethod
    def of_rows(
        cls, connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
    ) -> DriverRows:
        """Rows given as mappings, each with the same columns."""
        dialect = connection.dialect
        names = list(rows[0]) if rows else []
        take = itemgetter(*names)
        converted = [
            (index, process, [None, None])
            for index, process in enumerate(_processors(dialect, table, names))
            if process is not None
        ]
        params = []
        for row in rows:
            values = list(take(row)) if len(names) > 1 else [row[names[0]]]
            for index, process, last in converted:
                value = values[index]
                if value is not None:
                    if last[0] is not value:  # a run of rows shares one timestamp object
                        last[0], last[1] = value, process(value)
                    values[index] = last[1]
            params.append(tuple(values))
        if any(len(row) != len(names) for row in rows):
            raise ValueError(f"rows for {table.name} must all have the same columns")
        return cls(dialect, table, names, params)

    @classmethod
    def of_columns(
        cls, dialect: Dialect, table: Table, columns: Columns, count: int, *, max_text_chars: int
    ) -> DriverRows:
        """``count`` rows given column by column, screened against the store's limits at once
        (:func:`~mobilise.store.records.refuse_columns`, before any lock is taken): each column
        is converted at once (a :class:`Same` value once), and the rows made by zipping the
        columns. On SQLite a :class:`Same` value of a plain type goes into the statement as a
        literal, not bound again for every row."""
        refuse_columns(table, columns, max_text_chars=max_text_chars)
        names = list(columns)
        laid_out: list[Iterable[Any]] = []
        literals: dict[str, str] = {}
        for name, process in zip(names, _processors(dialect, table, names), strict=True):
            values = columns[name]
            if isinstance(values, Same):
                one = values.value
                one = one if process is None or one is None else process(one)
                literal = _literal(dialect, one)
                if literal is None:
                    laid_out.append(repeat(one, count))
                else:
                    literals[name] = literal
                continue
            if len(values) != count:
                raise ValueError(f"{table.name}.{name} has {len(values)} values, not {count}")
            laid_out.append(values if process is None else _converted(values, process))
        params = list(zip(*laid_out, strict=True)) if laid_out else [()] * count
        return cls(dialect, table, names, params, literals=literals, screened=True)

    def __len__(self) -> int:
        return len(self.params)

    def part(self, start: int, stop: int) -> DriverRows:
        """The rows from ``start`` to ``stop`` (the same statement)."""
        part = object.__new__(DriverRows)
        part.sql, part.params, part.options = self.sql, self.params[start:stop], self.options
        return part

    def write(self, connection: Connection) -> None:
        for batch in chunked(self.params, WRITE_BATCH):
            connection.exec_driver_sql(self.sql, list(batch), execution_options=self.options)


def _processors(dialect: Dialect, table: Table, names: Sequence[str]) -> list[Any]:
    """Each column's bind processor for the dialect (None when values go as they are)."""
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]


def _literal(dialect: Dialect, value: Any) -> str | None:
    """A value (as the driver takes it) written as an SQLite literal: NULL, a whole number or
    text without NUL (its quotes doubled, SQLite's one escape); ``None`` for anything else, and
    on any other database (the value is then bound). A float is always bound: SQLite reads
    some decimal texts (e.g. ``1.2423326934990946e-293``) to a neighbouring double."""
    if dialect.name != "sqlite":
        return None
    kind = value.__class__
    if value is None:
        return "NULL"
    if kind is int and INT64[0] <= value <= INT64[1]:
        return str(value)
    if kind is str and NUL not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


_SCALARS = frozenset({bool, int, float, str})
_MISSING = object()


def _converted(values: Sequence[Any], process: Any) -> list[Any]:
    """``values`` converted by ``process`` (None stays None), each distinct value once: a
    column of a few words, flags, dates or shared empty objects converts in a few calls."""
    done: dict[Any, Any] = {}
    found: list[Any] = []
    add = found.append
    last: Any = _MISSING
    made: Any = None
    for value in values:
        if value is last:  # a run of one value
            add(made)
            continue
        if value is None:
            add(None)
            continue
        # equal scalars of one type convert alike; other values (alive in ``values``, so
        # their ids are distinct) by identity
        key = (value.__class__, value) if value.__class__ in _SCALARS else id(value)
        made = done.get(key, _MISSING)
        if made is _MISSING:
            made = done[key] = process(value)
        last = value
        add(made)
    return found

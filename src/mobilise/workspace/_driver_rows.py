"""Rows made ready for the database driver ahead of a transaction (private to
:mod:`mobilise.workspace._staging`): types converted and JSON encoded before the write lock is
taken, so that a bulk import's transactions spend their time writing, not in Python. Rows come
as mappings or column by column (:data:`Columns`, without a mapping per row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

from mobilise.workspace._common import chunked

__all__ = ["WRITE_BATCH", "Columns", "DriverRows", "Same"]

WRITE_BATCH = 2_000
"""Rows per INSERT statement (one executemany each)."""


@dataclass(frozen=True)
class Same:
    """One value for every row of a column (see :meth:`Staging.add_columns`)."""

    value: Any


Columns = Mapping[str, "Sequence[Any] | Same"]
"""Rows of one table given column by column: each column's values in row order, or
:class:`Same` value for all."""


class DriverRows:
    """Rows of one table made ready for the database driver ahead of the transaction (types
    converted, JSON encoded), so that the transaction spends its time writing, not in Python."""

    def __init__(self, dialect: Dialect, table: Table, names: Sequence[str], params: list[tuple]):
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        quote = dialect.identifier_preparer.quote
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
            f"VALUES ({', '.join([mark] * len(names))})"
        )
        self.params = params

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
    def of_columns(cls, dialect: Dialect, table: Table, columns: Columns, count: int) -> DriverRows:
        """``count`` rows given column by column: each column is converted at once (a
        :class:`Same` value once), and the rows made by zipping the columns."""
        names = list(columns)
        laid_out: list[Iterable[Any]] = []
        for name, process in zip(names, _processors(dialect, table, names), strict=True):
            values = columns[name]
            if isinstance(values, Same):
                one = values.value
                laid_out.append(
                    repeat(one if process is None or one is None else process(one), count)
                )
                continue
            if len(values) != count:
                raise ValueError(f"{table.name}.{name} has {len(values)} values, not {count}")
            laid_out.append(values if process is None else _converted(values, process))
        return cls(dialect, table, names, list(zip(*laid_out, strict=True)))

    def __len__(self) -> int:
        return len(self.params)

    def part(self, start: int, stop: int) -> DriverRows:
        """The rows from ``start`` to ``stop`` (the same statement)."""
        part = object.__new__(DriverRows)
        part.sql, part.params = self.sql, self.params[start:stop]
        return part

    def write(self, connection: Connection) -> None:
        for batch in chunked(self.params, WRITE_BATCH):
            connection.exec_driver_sql(self.sql, list(batch))


def _processors(dialect: Dialect, table: Table, names: Sequence[str]) -> list[Any]:
    """Each column's bind processor for the dialect (None when values go as they are)."""
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]


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

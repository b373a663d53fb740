"""Rows made ready for the driver column by column are the rows made ready one by one."""

from __future__ import annotations

import datetime as dt
import sqlite3
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from mobilise.store.tables import map_links, partner_memberships
from mobilise.workspace._driver_rows import DriverRows, Same, _converted

AT = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.UTC)
LIMIT = 20_000
links = st.fixed_dictionaries(
    {
        "id": st.uuids().map(str),
        "source_id": st.sampled_from(["a", "b"]),
        "target_id": st.sampled_from(["a", "b"]),
        "polarity": st.sampled_from(["+", "-", "?"]),
        "strength": st.sampled_from([None, "weak"]),
        "weight": st.sampled_from([None, 0.5, -1.0, 1]),
        "delay": st.booleans(),
        "confidence": st.sampled_from([None, 0.25]),
        "evidence": st.sampled_from(["", "said so"]),
        "contested": st.sampled_from([False, True, 1, 0]),
        "attributes": st.sampled_from([{}, {"a": 1}, {"b": [1, 2]}]),
    }
)


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
@given(rows=st.lists(links, min_size=1, max_size=8))
@settings(max_examples=60, deadline=None)
def test_rows_made_by_column_are_rows_made_one_by_one(
    dialect: Any, rows: list[dict[str, Any]]
) -> None:
    same = {"map_id": "m", "created_at": AT, "deleted_by": None, "created_by": "o'neil'); --"}
    one_by_one, by_column = _both_ways(dialect, rows, same)
    if dialect.name == "sqlite":  # one value for all rows is written in the statement
        assert _stored(by_column) == _stored(one_by_one)
        assert _stored(by_column.part(1, 3)) == _stored(one_by_one.part(1, 3))
        return
    assert by_column.sql == one_by_one.sql
    assert _plain(by_column.params) == _plain(one_by_one.params)
    assert _plain(by_column.part(1, 3).params) == _plain(one_by_one.params[1:3])


def _both_ways(
    dialect: Any, rows: list[dict[str, Any]], same: dict[str, Any]
) -> tuple[DriverRows, DriverRows]:
    """``rows`` (each with ``same``'s values) made ready one by one, and column by column with
    ``same``'s values given once (:class:`Same`)."""
    one_by_one = DriverRows.of_rows(
        SimpleNamespace(dialect=dialect),  # type: ignore[arg-type]
        map_links,
        [{**row, **same} for row in rows],
    )
    columns: dict[str, Any] = {name: [row[name] for row in rows] for name in rows[0]}
    by_column = DriverRows.of_columns(
        dialect,
        map_links,
        {**columns, **{k: Same(v) for k, v in same.items()}},
        len(rows),
        max_text_chars=LIMIT,
    )
    return one_by_one, by_column


def _stored(rows: DriverRows) -> list[tuple[Any, ...]]:
    """The rows as SQLite stores them (each cell's value and type), in a table with
    ``map_links``'s columns and types (and no constraints: the rows have only some columns)."""
    database = sqlite3.connect(":memory:")
    types = ", ".join(f"{c.name} {c.type.compile(sqlite.dialect())}" for c in map_links.columns)
    database.execute(f"CREATE TABLE map_links ({types})")
    driver = SimpleNamespace(
        exec_driver_sql=lambda sql, params, execution_options: database.executemany(sql, params)
    )
    rows.write(driver)  # type: ignore[arg-type]
    cells = ", ".join(f"{c.name}, typeof({c.name})" for c in map_links.columns)
    return [tuple(row) for row in database.execute(f"SELECT {cells} FROM map_links")]


def _plain(params: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The values, JSON wrappers (psycopg's ``Json``, which compare by identity) unwrapped."""
    return [tuple(getattr(v, "obj", v) for v in row) for row in params]


def test_a_column_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="partner_id has 1 values, not 2"):
        DriverRows.of_columns(
            sqlite.dialect(),
            partner_memberships,
            {"partner_id": ["p"], "note": Same("")},
            2,
            max_text_chars=LIMIT,
        )


def test_each_distinct_value_is_converted_once() -> None:
    calls: list[Any] = []

    def process(value: Any) -> Any:
        calls.append(value)
        return ("made", value)

    shared: dict[str, Any] = {}
    values = [None, 1, None, True, True, 1.0, shared, shared, {}, None, "x", 1]
    assert _converted(values, process) == [None if v is None else ("made", v) for v in values]
    assert calls == [1, True, 1.0, shared, {}, "x"]  # 1, True and 1.0 are each their own


@given(
    # (no NUL, which the limits refuse, nor a lone surrogate, which no database driver encodes)
    text=st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=40),
    weight=st.one_of(
        st.none(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(2**63), 2**63 - 1),
    ),
)
@example(text="o'neil", weight=1.2423326934990946e-293)  # SQLite reads it as ...944e-293
@settings(max_examples=200, deadline=None)
def test_any_value_written_once_in_the_statement_is_stored_as_if_bound(
    text: str, weight: Any
) -> None:
    """A value for every row goes into SQLite's statement as a literal (not bound again per
    row): any text the store takes (quotes, ``--``, any character but NUL), any finite float
    (bound: SQLite does not read every decimal back to the same double) and any 64-bit integer
    is stored exactly as binding it would."""
    rows = [{"id": "a", "source_id": "a", "target_id": "b", "polarity": "+"}]
    same = {"evidence": text, "created_by": text, "weight": weight}
    bound, written = _both_ways(sqlite.dialect(), rows, same)
    assert _stored(written) == _stored(bound)

"""Writing records: record columns, optimistic concurrency, soft deletion and the audit trail.

Every function takes an open connection inside the caller's transaction, so a record and its audit
entry commit together or not at all.

:func:`enforce_limits` holds every write of a workspace's engine, through these functions or a
bulk import's ``insert``, to the sizes its columns can hold: a ``String(n)`` column's ``n``
characters, ``max_text_chars`` for free text (``Text``), signed 64 bits for integers. A value
over them is a :class:`~mobilise.errors.ValidationError` naming the field, before the database
sees it (SQLite would store it whole; PostgreSQL would refuse it with an error of its own).
"""

from __future__ import annotations

import functools
import os
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    Row,
    String,
    Table,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.tables import audit_log

__all__ = [
    "audit",
    "audit_values",
    "enforce_limits",
    "insert_record",
    "new_id",
    "new_ids",
    "new_ordered_ids",
    "now",
    "record_values",
    "refuse_columns",
    "restore_record",
    "soft_delete_record",
    "update_record",
    "value_problems",
]

_RECORD_FIELDS = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at", "deleted_by"}
)


def new_id() -> str:
    return str(uuid.uuid4())


def new_ids(count: int) -> list[str]:
    """``count`` new ids at once, each a random UUID (version 4) as :func:`new_id` makes,
    formatted in bulk: a big import makes tens of thousands."""
    text = os.urandom(16 * count).hex()
    found = []
    for start in range(0, 32 * count, 32):
        h = text[start : start + 32]
        found.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return found


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
"""The first hex digit of a UUID's variant group (RFC 4122: binary 10xx) from a random one."""
_COUNTER_BITS = 26  # 12 bits of rand_a and the first 14 of rand_b


def new_ordered_ids(count: int) -> list[str]:
    """``count`` new ids that sort in the order they are made: UUIDs of version 7 (RFC 9562:
    the time in milliseconds, then a counter, then 48 random bits), for the records of a bulk
    import. Written in key order, a big import adds to the end of each index instead of to
    pages all over it, several times faster on SQLite; a record's own ``created_at`` already
    says when it was made. Ids of different calls in one millisecond are distinct (by their
    random bits) but not ordered."""
    if count == 0:
        return []
    at = time.time_ns() // 1_000_000
    noise = os.urandom(6 * count).hex()
    run = 1 << 14  # ids whose counter shares its first 12 bits: its last 14 made once here
    tails = [f"-{0x8000 | n:04x}-" for n in range(min(count, run))]
    found: list[str] = []
    for start in range(0, count, run):  # a new millisecond each 2**26 ids
        stamp = f"{at + (start >> _COUNTER_BITS):012x}"
        counter = start & ((1 << _COUNTER_BITS) - 1)
        head = f"{stamp[:8]}-{stamp[8:]}-7{counter >> 14:03x}"
        found += [
            f"{head}{tail}{noise[i : i + 12]}"
            for i, tail in zip(range(12 * start, 12 * count, 12), tails, strict=False)
        ]
    return found


def now() -> datetime:
    return datetime.now(UTC)


def record_values(actor: str, at: datetime | None = None) -> dict[str, Any]:
    """The record columns of a new row."""
    at = at or now()
    return {
        "created_at": at,
        "created_by": actor,
        "updated_at": at,
        "updated_by": actor,
        "version": 1,
        "deleted_at": None,
        "deleted_by": None,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def snapshot(
    row: Row[Any] | Mapping[str, Any] | None, *, omit: Sequence[str] = ()
) -> dict[str, Any]:
    """A JSON-safe copy of a row for the audit trail (bulky columns named in ``omit`` left out)."""
    if row is None:
        return {}
    mapping = row._mapping if isinstance(row, Row) else row
    return {k: _jsonable(v) for k, v in mapping.items() if k not in omit}


def audit(
    connection: Connection,
    *,
    actor: str,
    entity_type: str,
    entity_id: str,
    action: str,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str = "",
) -> None:
    """Append one entry to the audit trail."""
    # Values as parameters, not in the statement: the statement is then compiled once and
    # cached, which makes writing many records (a map import's) several times faster.
    connection.execute(
        insert(audit_log),
        audit_values(
            actor, entity_type, entity_id, action, before=before, after=after, summary=summary
        ),
    )


def audit_values(
    actor: str,
    entity_type: str,
    entity_id: str,
    action: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    summary: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """The values of one audit entry (:func:`audit` writes one; bulk imports write many at
    once)."""
    return {
        "at": at or now(),
        "actor": actor,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "before": dict(before) if before is not None else None,
        "after": dict(after) if after is not None else None,
        "summary": summary,
    }


def _key(table: Table) -> str:
    return next(iter(table.primary_key.columns)).name


def insert_record(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any],
    *,
    actor: str,
    entity_type: str,
    omit_from_audit: Sequence[str] = (),
) -> dict[str, Any]:
    """Insert one record with its record columns and audit entry; returns the stored values.

    The key is a new UUID unless ``values`` names it (natural keys such as indicator ids).
    """
    key = _key(table)
    row = {key: new_id(), **values, **record_values(actor)}
    connection.execute(insert(table), row)
    audit(
        connection,
        actor=actor,
        entity_type=entity_type,
        entity_id=str(row[key]),
        action="create",
        after=snapshot(row, omit=omit_from_audit),
    )
    return row


def _current(connection: Connection, table: Table, key_value: str, entity_type: str) -> Row[Any]:
    row = connection.execute(select(table).where(table.c[_key(table)] == key_value)).first()
    if row is None:
        raise NotFound(f"No {entity_type} {key_value!r}.")
    return row


def update_record(
    connection: Connection,
    table: Table,
    key_value: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None,
    actor: str,
    entity_type: str,
    omit_from_audit: Sequence[str] = (),
) -> dict[str, Any]:
    """Apply ``changes`` if the record is still at ``expected_version`` (``None``: any version).

    Raises
    ------
    Conflict
        When the record changed since the caller read it (its version moved on).
    """
    bad = _RECORD_FIELDS.intersection(changes)
    if bad:
        raise ValueError(f"record columns cannot be changed directly: {sorted(bad)}")
    before = _current(connection, table, key_value, entity_type)
    version = expected_version if expected_version is not None else before.version
    stamp = {"updated_at": now(), "updated_by": actor, "version": version + 1}
    key_column = table.c[_key(table)]
    result = connection.execute(
        update(table)
        .where(key_column == key_value, table.c.version == version)
        .values(**changes, **stamp)
    )
    if result.rowcount != 1:
        raise Conflict(
            f"{entity_type.capitalize()} {key_value!r} was changed by {before.updated_by} at "
            f"{before.updated_at:%Y-%m-%d %H:%M} (now version {before.version}, you had version "
            f"{version}). Reload it and apply your change again."
        )
    after = _current(connection, table, key_value, entity_type)
    audit(
        connection,
        actor=actor,
        entity_type=entity_type,
        entity_id=key_value,
        action="update",
        before=snapshot(before, omit=omit_from_audit),
        after=snapshot(after, omit=omit_from_audit),
    )
    return dict(after._mapping)


class Change(TypedDict):
    """Who makes a change, and to which version of the record (``None``: whichever is stored)."""

    expected_version: int | None
    actor: str
    entity_type: str


def soft_delete_record(
    connection: Connection, table: Table, key_value: str, **change: Unpack[Change]
) -> None:
    """Mark a record deleted (it stays in the table and can be restored)."""
    _set_deleted(connection, table, key_value, deleted=True, **change)


def restore_record(
    connection: Connection, table: Table, key_value: str, **change: Unpack[Change]
) -> None:
    """Undo a soft deletion."""
    _set_deleted(connection, table, key_value, deleted=False, **change)


def _set_deleted(
    connection: Connection,
    table: Table,
    key_value: str,
    *,
    deleted: bool,
    expected_version: int | None,
    actor: str,
    entity_type: str,
) -> None:
    before = _current(connection, table, key_value, entity_type)
    if (before.deleted_at is not None) == deleted:
        state = "deleted" if deleted else "not deleted"
        raise Conflict(f"{entity_type.capitalize()} {key_value!r} is already {state}.")
    version = expected_version if expected_version is not None else before.version
    stamp = now() if deleted else None
    result = connection.execute(
        update(table)
        .where(table.c[_key(table)] == key_value, table.c.version == version)
        .values(
            deleted_at=stamp,
            deleted_by=actor if deleted else None,
            updated_at=now(),
            updated_by=actor,
            version=version + 1,
        )
    )
    if result.rowcount != 1:
        raise Conflict(
            f"{entity_type.capitalize()} {key_value!r} changed since you read it "
            f"(now version {before.version}, you had {version}). Reload and try again."
        )
    audit(
        connection,
        actor=actor,
        entity_type=entity_type,
        entity_id=key_value,
        action="delete" if deleted else "restore",
        before={"deleted_at": _jsonable(before.deleted_at)},
        after={"deleted_at": _jsonable(stamp)},
    )


def erase_from_audit(
    connection: Connection, entity_type: str, entity_id: str, fields: Sequence[str]
) -> None:
    """Take ``fields`` out of every audit entry of one record (personal data, once erased)."""
    entries = connection.execute(
        select(audit_log.c.id, audit_log.c.before, audit_log.c.after).where(
            audit_log.c.entity_type == entity_type, audit_log.c.entity_id == entity_id
        )
    ).all()
    for entry in entries:
        before, after = (
            {k: v for k, v in state.items() if k not in fields} if state else state
            for state in (entry.before, entry.after)
        )
        if before != entry.before or after != entry.after:
            connection.execute(
                update(audit_log)
                .where(audit_log.c.id == entry.id)
                .values(before=before, after=after)
            )


# -- limits on what a write may hold -----------------------------------------------------------
INT64 = (-(2**63), 2**63 - 1)
NUL = "\x00"  # PostgreSQL refuses it in text; it is not text anyone types
# Text columns the application writes itself, or that hold geometry: not free text.
_UNBOUNDED_TEXT = frozenset({"geometry", "error", "step", "summary", "processing"})
_CHECKED = "_mobilise_limits_checked"
_DRIVER_INSERT = re.compile(
    r'\s*INSERT INTO\s+["`]?(\w+)["`]?\s*\(([^)]*)\)\s*VALUES', re.IGNORECASE
)
_MOST_PROBLEMS = 50


@functools.lru_cache(maxsize=512)
def _column_limits(table: Table, max_text_chars: int) -> list[tuple[str, str, int]]:
    """(column key, kind, limit) of each column of ``table`` a value could overflow."""
    limits = []
    for column in table.columns:
        if isinstance(column.type, String):
            length = column.type.length
            if length is None and column.name not in _UNBOUNDED_TEXT:
                length = max_text_chars
            if length:
                limits.append((column.key, "text", length))
        elif isinstance(column.type, Integer):
            limits.append((column.key, "integer", 0))
    return limits


def column_is_text(table: Table, key: str) -> bool:
    """Whether a column is free text (no length of its own)."""
    column_type = table.c[key].type
    return isinstance(column_type, String) and column_type.length is None


def value_problems(
    table: Table, rows: Sequence[Mapping[str, Any]], *, max_text_chars: int
) -> list[Problem]:
    """A problem for each value of ``rows`` (column key -> value) its column cannot hold: text
    longer than the column's length (``max_text_chars`` for free text), or an integer outside
    signed 64 bits. ``row`` numbers the rows from 1 when there are several."""
    problems: list[Problem] = []
    several = len(rows) > 1
    for key, kind, limit in _column_limits(table, max_text_chars):
        for number, values in enumerate(rows, start=1):
            message = _value_problem(table, key, kind, limit, values.get(key), max_text_chars)
            if message is None:
                continue
            problems.append(Problem(message, row=number if several else None, field=key))
            if len(problems) >= _MOST_PROBLEMS:
                return problems
    return problems


def _value_problem(
    table: Table, key: str, kind: str, limit: int, value: Any, max_text_chars: int
) -> str | None:
    """What is wrong with one value of a column (see :func:`value_problems`), or ``None``."""
    if kind == "text" and isinstance(value, str) and len(value) > limit:
        limit_name = (
            "the limit max_text_chars, set by MOBILISE_MAX_TEXT_CHARS"
            if limit == max_text_chars and column_is_text(table, key)
            else "the length of this field"
        )
        return (
            f"{table.name}.{key} is {len(value):,} characters long; "
            f"at most {limit:,} are kept ({limit_name})"
        )
    if kind == "integer" and isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
        return f"{table.name}.{key}: {value} is outside the whole numbers stored"
    if kind == "text" and isinstance(value, str) and NUL in value:
        return f"{table.name}.{key} contains a NUL character (\\x00), which is not text"
    return None


@dataclass(frozen=True)
class Same:
    """One value for every row of a column given column by column (:func:`refuse_columns`,
    a bulk import's staged rows)."""

    value: Any


SCREENED = "mobilise_screened"
"""The execution option of a driver statement whose rows :func:`refuse_columns` screened
before the transaction: :func:`enforce_limits` does not screen them again."""


def refuse_columns(
    table: Table,
    columns: Mapping[str, Sequence[Any] | Same],
    *,
    max_text_chars: int,
) -> None:
    """Refuse rows given column by column (column name -> each row's value, or a
    :class:`Same` for all) as :func:`enforce_limits` refuses an insert's: a
    :class:`ValidationError` naming each value past a limit by row (from 1) and field. Each
    column is screened at once (its longest text, its least and greatest number); only a
    column past a limit is looked at value by value."""
    problems: list[Problem] = []
    for key, kind, limit in _column_limits(table, max_text_chars):
        name = table.c[key].name
        values = columns.get(name)
        if values is None:
            continue
        cells = [values.value] if isinstance(values, Same) else values
        if not _cells_over(cells, kind, limit):
            continue
        for number, value in enumerate(cells, start=1):
            message = _value_problem(table, key, kind, limit, value, max_text_chars)
            if message is not None:
                row = None if isinstance(values, Same) else number
                problems.append(Problem(message, row=row, field=key))
            if len(problems) >= _MOST_PROBLEMS:
                break
        if len(problems) >= _MOST_PROBLEMS:
            break
    _raise_if_any(table, problems)


def _cells_over(cells: Sequence[Any], kind: str, limit: int) -> bool:
    """Whether any of a column's cells is past its limit (text too long or holding a NUL, a
    whole number outside 64 bits), screened at once."""
    if kind == "text":
        try:  # blank and None cells have no length to check; one join finds a NUL
            texts = list(filter(None, cells))
            return max(map(len, texts), default=0) > limit or NUL in "".join(texts)
        except TypeError:  # something that is not text: only text has a length limit
            texts = [v for v in cells if isinstance(v, str)]
            return any(len(v) > limit for v in texts) or NUL in "".join(texts)
    numbers = [v for v in cells if isinstance(v, int)]
    return bool(numbers) and not INT64[0] <= min(numbers) <= max(numbers) <= INT64[1]


def _driver_rows(
    statement: str, parameters: Any, max_text_chars: int
) -> tuple[Table, list[dict[str, Any]]] | None:
    """The table and rows of an ``INSERT INTO t (a, b) VALUES (?, ?)`` sent to the driver as it
    is (a bulk import's fast path, which has no compiled statement) when any of its values is
    past a limit, else ``None``. The rows are screened as they are (tuples, column by column)
    and made into mappings only when one is, for :func:`value_problems` to name it."""
    found = _DRIVER_INSERT.match(statement)
    table = audit_log.metadata.tables.get(found.group(1)) if found else None
    if found is None or table is None:
        return None
    names = [name.strip().strip('"`') for name in found.group(2).split(",")]
    batch = parameters if isinstance(parameters, list) else [parameters]
    tuples = [values for values in batch if isinstance(values, tuple)]
    position = {name: index for index, name in enumerate(names)}
    by_column = list(zip(*tuples, strict=False))  # each column's cells (the driver checks
    # that every row has them all)
    for key, kind, limit in _column_limits(table, max_text_chars):
        index = position.get(table.c[key].name)
        if index is None or index >= len(by_column):
            continue
        if _cells_over(by_column[index], kind, limit):
            return table, [dict(zip(names, values, strict=False)) for values in tuples]
    return None


def _refuse(table: Table, rows: Sequence[Mapping[str, Any]], max_text_chars: int) -> None:
    _raise_if_any(table, value_problems(table, rows, max_text_chars=max_text_chars))


def _raise_if_any(table: Table, problems: list[Problem]) -> None:
    """Refuse the values of ``table`` that ``problems`` name, if any."""
    if problems:
        raise ValidationError(
            f"Some values are too long or too large to store in {table.name}; nothing was saved.",
            problems=problems,
        )


def _bound_number_problems(parameters: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """A problem for each whole number outside signed 64 bits bound to a query (a page's
    offset, a revision asked for), and each text with a NUL character (a search for it): the
    database would refuse them with an error of its own."""
    problems = []
    for name, value in (item for values in parameters[:1] for item in values.items()):
        if isinstance(value, int) and not INT64[0] <= value <= INT64[1]:
            problems.append(
                Problem(
                    f"{value} is past the whole numbers the database can compare (signed 64 "
                    "bits); ask for a smaller number (a page, an offset)",
                    field=name,
                )
            )
        elif isinstance(value, str) and NUL in value:
            problems.append(Problem("a NUL character (\\x00) is not text", field=name))
    return problems


def enforce_limits(engine: Engine, *, max_text_chars: int) -> None:
    """Check every statement of ``engine`` before it runs (installed once per engine): the
    values of each insert and update with :func:`value_problems` (once per statement, however
    many rows; rows sent to the driver as they are, ``exec_driver_sql``, too), and the whole
    numbers bound to any other statement (an offset past 64 bits is a 422, not an
    ``OverflowError``)."""

    def check(
        _connection: Connection,
        _cursor: DBAPICursor,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        if context is None:
            return
        if context.compiled is None:  # driver SQL: checked batch by batch
            if context.execution_options.get(SCREENED):
                return  # screened column by column before the transaction
            driver = _driver_rows(statement, parameters, max_text_chars)
            if driver is not None:
                _refuse(*driver, max_text_chars)
            return
        if getattr(context, _CHECKED, False):
            return  # a many-row insert runs in several batches: checked once, whole
        setattr(context, _CHECKED, True)
        bound: list[Mapping[str, Any]] = context.compiled_parameters  # type: ignore[attr-defined]
        table = getattr(context.compiled.statement, "table", None)
        if (context.isinsert or context.isupdate) and isinstance(table, Table):
            _refuse(table, bound, max_text_chars)
            return
        problems = _bound_number_problems(bound)
        if problems:
            raise ValidationError("A value asked for cannot be looked up.", problems=problems)

    if not getattr(engine, "_mobilise_limits", False):
        event.listen(engine, "before_cursor_execute", check)
        engine._mobilise_limits = True  # type: ignore[attr-defined]

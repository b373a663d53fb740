"""Writing records: record columns, optimistic concurrency, soft deletion and the audit trail.

Every function takes an open connection inside the caller's transaction, so a record and its audit
entry commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import Connection, Row, Table, insert, select, update

from mobilise.errors import Conflict, NotFound
from mobilise.store.tables import audit_log

__all__ = [
    "audit",
    "insert_record",
    "new_id",
    "now",
    "record_values",
    "restore_record",
    "soft_delete_record",
    "update_record",
]

_RECORD_FIELDS = frozenset(
    {"created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at", "deleted_by"}
)


def new_id() -> str:
    return str(uuid.uuid4())


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
    connection.execute(
        insert(audit_log).values(
            at=now(),
            actor=actor,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            before=dict(before) if before is not None else None,
            after=dict(after) if after is not None else None,
            summary=summary,
        )
    )


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
    connection.execute(insert(table).values(**row))
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

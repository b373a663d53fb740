"""Writing one coding (private to :mod:`mobilise.workspace.themes` and its REFI-QDA import)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from mobilise.errors import Conflict
from mobilise.store.records import insert_record, restore_record, update_record
from mobilise.store.tables import codings

__all__ = ["MAX_CODER", "MAX_MEMO", "code_row"]

MAX_MEMO = 5_000
MAX_CODER = 120


def code_row(connection: sa.Connection, values: dict[str, Any], *, actor: str) -> str:
    """Insert a coding, or bring back the same one taken away before (the same contribution,
    theme, coder and span); a live one already there is a Conflict. (The table's unique key
    cannot see two whole-contribution codings as the same: their spans are NULL.)"""
    key = [
        codings.c[name].is_(None) if values[name] is None else codings.c[name] == values[name]
        for name in ("contribution_id", "theme_id", "coder", "span_start", "span_end")
    ]
    found = connection.execute(sa.select(codings.c.id, codings.c.deleted_at).where(*key)).first()
    change = {"actor": actor, "entity_type": "coding", "expected_version": None}
    if found is None:
        return str(
            insert_record(
                connection,
                codings,
                values,
                actor=actor,
                entity_type="coding",
                omit_from_audit=("memo",),
            )["id"]
        )
    if found.deleted_at is None:
        raise Conflict(f"{values['coder']} has already coded this with this theme.")
    restore_record(connection, codings, found.id, **change)  # type: ignore[arg-type]
    update_record(
        connection,
        codings,
        found.id,
        {"memo": values["memo"]},
        omit_from_audit=("memo",),
        **change,  # type: ignore[arg-type]
    )
    return str(found.id)

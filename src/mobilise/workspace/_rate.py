"""How many records one sender made in the last hour, counted in the database (so the limit
holds across server processes): residents' suggestions and online event registrations."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Table, func, select, text

__all__ = ["sent_in_last_hour"]


def sent_in_last_hour(
    connection: Connection, table: Table, client_key: str, *, lock_name: str
) -> tuple[int, int]:
    """How many rows of ``table`` carry ``client_key`` from the last hour, and how many seconds
    until the oldest of them is an hour old (at least 60). On PostgreSQL, two requests from one
    sender at once are serialised first (SQLite's BEGIN IMMEDIATE already serialises writers),
    so both cannot see the old count."""
    if connection.dialect.name == "postgresql":
        lock = hashlib.sha256(lock_name.encode() + client_key.encode()).digest()[:8]
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": int.from_bytes(lock, "big", signed=True)},
        )
    now = datetime.now(UTC)
    sent, oldest = connection.execute(
        select(func.count(), func.min(table.c.created_at)).where(
            table.c.client_key == client_key, table.c.created_at >= now - timedelta(hours=1)
        )
    ).one()
    wait = (
        60
        if oldest is None
        else max(60, int((oldest + timedelta(hours=1) - now).total_seconds()) + 1)
    )
    return int(sent), wait

"""Users, datasets (the source and licence of everything imported) and the audit trail."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text

from mobilise.store.tables._schema import UTCDateTime, metadata, record_table

__all__ = ["audit_log", "datasets", "users"]

users = record_table(
    "users",
    Column("username", String(120), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
)

datasets = record_table(
    "datasets",
    Column("title", String(300), nullable=False),
    Column("publisher", String(300), nullable=False, default=""),
    Column("licence", String(120), nullable=False),
    Column("licence_url", String(500), nullable=False, default=""),
    Column("attribution", Text, nullable=False, default=""),
    Column("source_url", String(500), nullable=False, default=""),
    Column("files", JSON, nullable=False, default=list),
    Column("processing", Text, nullable=False, default=""),
    key=Column("id", String(120), primary_key=True),
)

# The trail itself is append-only: it has no record columns.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(120), nullable=False),
    Column("entity_type", String(40), nullable=False),
    Column("entity_id", String(120), nullable=False),
    Column("action", String(20), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("summary", Text, nullable=False, default=""),
    Index("ix_audit_log_entity", "entity_type", "entity_id"),
)

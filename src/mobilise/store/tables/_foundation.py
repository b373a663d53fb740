"""Users, their sessions and sign-in attempts, datasets (the source and licence of everything
imported) and the audit trail."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from mobilise.store.tables._schema import UTCDateTime, metadata, record_table, ref

__all__ = ["audit_log", "datasets", "login_attempts", "user_sessions", "users"]

users = record_table(
    "users",
    Column("username", String(120), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("disabled_at", UTCDateTime(), nullable=True),  # a disabled user cannot sign in
)

# A sign-in: the cookie carries a random token, the store only its SHA-256. Signing out ends one
# session; a password or role change, or disabling the user, ends all of theirs.
user_sessions = record_table(
    "user_sessions",
    ref("user_id", "users", index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("address", String(64), nullable=False, default=""),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
    Column("ended_why", String(40), nullable=False, default=""),
)

# Every sign-in attempt, counted for the rate limits (per account and per address). Append-only.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("account", String(120), nullable=False),  # the username as typed, lower case
    Column("address", String(64), nullable=False),
    Column("succeeded", Boolean, nullable=False),
    Index("ix_login_attempts_account_at", "account", "at"),
    Index("ix_login_attempts_address_at", "address", "at"),
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

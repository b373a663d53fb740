"""search by words: a full-text index of assets (SQLite FTS5; PostgreSQL tsvector with a GIN
index)

Both are built from the assets already stored: SQLite's FTS5 table is filled by 'rebuild' and kept
in step by triggers from then on; PostgreSQL builds the GIN index over every row and keeps it
itself. See ``mobilise.store.tables._assets`` (``SQLITE_WORD_INDEX``, ``WORD_VECTOR``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:12:00
"""

from __future__ import annotations

from alembic import op

from mobilise.store.tables._assets import SQLITE_WORD_INDEX, WORD_INDEX, WORD_VECTOR

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_WORD_INDEX:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_assets_words ON assets USING gin (({WORD_VECTOR}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS {WORD_INDEX}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {WORD_INDEX}")
    else:
        op.execute("DROP INDEX IF EXISTS ix_assets_words")

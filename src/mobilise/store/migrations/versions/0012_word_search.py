"""search by words: a full-text index of assets (SQLite FTS5; PostgreSQL tsvector with a GIN
index)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:12:00
"""

from __future__ import annotations

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

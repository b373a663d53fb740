"""project packages and the programme workspace (parts P1 and P2 of issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:25:00
"""

from __future__ import annotations

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

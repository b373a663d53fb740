"""national access sweeps on Dask, chunk by chunk (part N4 of issue 19)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:25:00
"""

from __future__ import annotations

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

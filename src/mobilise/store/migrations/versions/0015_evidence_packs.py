"""evidence packs: built packs, their manifests and share links

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:35:00
"""

from __future__ import annotations

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass

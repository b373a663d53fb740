"""evidence packs: built packs, their manifests and share links

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 01:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: a workspace holding data upgrades with no pack in it.
    op.create_table(
        "evidence_packs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=False),
        sa.Column("compare", sa.JSON(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("html", sa.LargeBinary(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("share_withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_slug"], ["places.slug"], name=op.f("fk_evidence_packs_place_slug_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_packs")),
    )
    with op.batch_alter_table("evidence_packs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_packs_place_slug"), ["place_slug"], unique=False
        )
        batch_op.create_index("uq_evidence_packs_share_token", ["share_token"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("evidence_packs", schema=None) as batch_op:
        batch_op.drop_index("uq_evidence_packs_share_token")
        batch_op.drop_index(batch_op.f("ix_evidence_packs_place_slug"))
    op.drop_table("evidence_packs")

"""street networks from OpenStreetMap extracts (part N3 of issue 19)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: a workspace holding data upgrades with no network in it.
    op.create_table(
        "street_networks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("place_id", sa.String(length=36), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("source_name", sa.String(length=300), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("data_date", sa.String(length=40), nullable=False),
        sa.Column("licence", sa.String(length=120), nullable=False),
        sa.Column("attribution", sa.String(length=300), nullable=False),
        sa.Column("n_nodes", sa.Integer(), nullable=False),
        sa.Column("n_edges", sa.Integer(), nullable=False),
        sa.Column("length_km", sa.Float(), nullable=False),
        sa.Column("arrays", sa.LargeBinary(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_street_networks_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_street_networks")),
    )
    with op.batch_alter_table("street_networks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_street_networks_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            "uq_street_networks_place_profile", ["place_id", "profile"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("street_networks", schema=None) as batch_op:
        batch_op.drop_index("uq_street_networks_place_profile")
        batch_op.drop_index(batch_op.f("ix_street_networks_place_id"))
    op.drop_table("street_networks")

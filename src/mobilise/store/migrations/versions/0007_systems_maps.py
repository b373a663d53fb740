"""participatory systems maps: maps, participants, factors, links, comments, votes, snapshots, events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "systems_maps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("place_id", sa.String(length=36), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("share_token", sa.String(length=64), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_systems_maps_place_id_places")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_systems_maps")),
        sa.UniqueConstraint("share_token", name=op.f("uq_systems_maps_share_token")),
    )
    op.create_index(op.f("ix_systems_maps_place_id"), "systems_maps", ["place_id"], unique=False)
    op.create_table(
        "map_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity_type", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_events_map_id_systems_maps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_events")),
        sa.UniqueConstraint("map_id", "revision", name=op.f("uq_map_events_map_id_revision")),
    )
    op.create_table(
        "map_participants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("pseudonym", sa.String(length=120), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=120), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_participants_map_id_systems_maps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_participants")),
        sa.UniqueConstraint(
            "map_id", "pseudonym", name=op.f("uq_map_participants_map_id_pseudonym")
        ),
    )
    op.create_index(
        op.f("ix_map_participants_map_id"), "map_participants", ["map_id"], unique=False
    )
    op.create_table(
        "map_snapshots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_snapshots_map_id_systems_maps")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_snapshots")),
    )
    op.create_index(op.f("ix_map_snapshots_map_id"), "map_snapshots", ["map_id"], unique=False)
    op.create_table(
        "map_comments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_comments_map_id_systems_maps")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["map_participants.id"],
            name=op.f("fk_map_comments_participant_id_map_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_comments")),
    )
    op.create_index(op.f("ix_map_comments_map_id"), "map_comments", ["map_id"], unique=False)
    op.create_table(
        "map_factors",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=120), nullable=False),
        sa.Column("populations", sa.JSON(), nullable=False),
        sa.Column("indicator_id", sa.String(length=120), nullable=True),
        sa.Column("asset_category", sa.String(length=40), nullable=True),
        sa.Column("x", sa.Float(), nullable=True),
        sa.Column("y", sa.Float(), nullable=True),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_factors_map_id_systems_maps")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["map_participants.id"],
            name=op.f("fk_map_factors_participant_id_map_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_factors")),
    )
    op.create_index(op.f("ix_map_factors_map_id"), "map_factors", ["map_id"], unique=False)
    op.create_table(
        "map_votes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("target_type", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_votes_map_id_systems_maps")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["map_participants.id"],
            name=op.f("fk_map_votes_participant_id_map_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_votes")),
        sa.UniqueConstraint(
            "target_type",
            "target_id",
            "participant_id",
            name=op.f("uq_map_votes_target_type_target_id_participant_id"),
        ),
    )
    op.create_index(op.f("ix_map_votes_map_id"), "map_votes", ["map_id"], unique=False)
    op.create_table(
        "map_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("map_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("polarity", sa.String(length=1), nullable=False),
        sa.Column("strength", sa.String(length=10), nullable=True),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.Column("delay", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=120), nullable=False),
        sa.Column("contested", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["map_id"], ["systems_maps.id"], name=op.f("fk_map_links_map_id_systems_maps")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["map_participants.id"],
            name=op.f("fk_map_links_participant_id_map_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["map_factors.id"], name=op.f("fk_map_links_source_id_map_factors")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["map_factors.id"], name=op.f("fk_map_links_target_id_map_factors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_links")),
    )
    op.create_index(op.f("ix_map_links_map_id"), "map_links", ["map_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_map_links_map_id"), table_name="map_links")
    op.drop_table("map_links")
    op.drop_index(op.f("ix_map_votes_map_id"), table_name="map_votes")
    op.drop_table("map_votes")
    op.drop_index(op.f("ix_map_factors_map_id"), table_name="map_factors")
    op.drop_table("map_factors")
    op.drop_index(op.f("ix_map_comments_map_id"), table_name="map_comments")
    op.drop_table("map_comments")
    op.drop_index(op.f("ix_map_snapshots_map_id"), table_name="map_snapshots")
    op.drop_table("map_snapshots")
    op.drop_index(op.f("ix_map_participants_map_id"), table_name="map_participants")
    op.drop_table("map_participants")
    op.drop_table("map_events")
    op.drop_index(op.f("ix_systems_maps_place_id"), table_name="systems_maps")
    op.drop_table("systems_maps")

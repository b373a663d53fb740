"""project packages and the programme workspace (parts P1 and P2 of issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _upgrade_project()  # part P1 (the upper half of this file)
    _upgrade_programme()  # part P2 (the lower half of this file)
    # A programme evidence pack belongs to no place (part P3).
    with op.batch_alter_table("evidence_packs", schema=None) as batch_op:
        batch_op.alter_column("place_slug", existing_type=sa.String(length=80), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM evidence_packs WHERE place_slug IS NULL")
    with op.batch_alter_table("evidence_packs", schema=None) as batch_op:
        batch_op.alter_column("place_slug", existing_type=sa.String(length=80), nullable=False)
    _downgrade_programme()  # part P2
    _downgrade_project()  # part P1


# ---- part P1: the project's profile (a new table; nothing else changes) ----


def _upgrade_project() -> None:
    op.create_table(
        "project_profile",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("lead_organisation", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.String(length=10), nullable=True),
        sa.Column("end_date", sa.String(length=10), nullable=True),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("partner_types", sa.JSON(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("public", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("package", sa.LargeBinary(), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_profile")),
    )


def _downgrade_project() -> None:
    op.drop_table("project_profile")


# ---- part P2: the programme workspace (new tables only: a workspace holding data upgrades) ----


def _record_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
    ]


def _upgrade_programme() -> None:
    op.create_table(
        "programme_projects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("lead_organisation", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("every_hours", sa.Integer(), nullable=False),
        sa.Column("last_pulled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_pull_error", sa.Text(), nullable=False),
        sa.Column("current_release", sa.Integer(), nullable=True),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_projects")),
    )
    op.create_table(
        "programme_releases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_key", sa.String(length=36), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("tables", sa.JSON(), nullable=False),
        sa.Column("public", sa.JSON(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("package", sa.LargeBinary(), nullable=False),
        sa.Column("released_at", sa.String(length=40), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["project_key"],
            ["programme_projects.id"],
            name=op.f("fk_programme_releases_project_key_programme_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_releases")),
    )
    with op.batch_alter_table("programme_releases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_releases_project_key"), ["project_key"], unique=False
        )
        batch_op.create_index(
            "uq_programme_releases_project_release", ["project_key", "release"], unique=True
        )
    op.create_table(
        "programme_reach_held",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_key", sa.String(length=36), nullable=False),
        sa.Column("dimension", sa.String(length=80), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("release", sa.Integer(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["project_key"],
            ["programme_projects.id"],
            name=op.f("fk_programme_reach_held_project_key_programme_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_reach_held")),
    )
    with op.batch_alter_table("programme_reach_held", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_reach_held_project_key"), ["project_key"], unique=False
        )
        batch_op.create_index(
            "uq_programme_reach_held_cell",
            ["project_key", "dimension", "group_name", "kind"],
            unique=True,
        )


def _downgrade_programme() -> None:
    with op.batch_alter_table("programme_reach_held", schema=None) as batch_op:
        batch_op.drop_index("uq_programme_reach_held_cell")
        batch_op.drop_index(batch_op.f("ix_programme_reach_held_project_key"))
    op.drop_table("programme_reach_held")
    with op.batch_alter_table("programme_releases", schema=None) as batch_op:
        batch_op.drop_index("uq_programme_releases_project_release")
        batch_op.drop_index(batch_op.f("ix_programme_releases_project_key"))
    op.drop_table("programme_releases")
    op.drop_table("programme_projects")

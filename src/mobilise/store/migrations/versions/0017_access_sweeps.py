"""national access sweeps on Dask, chunk by chunk (part N4 of issue 19)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 04:25:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
    ]


def upgrade() -> None:
    # New tables only: a workspace holding data upgrades with no sweep in it.
    op.create_table(
        "access_sweeps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("places", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=300), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("chunks_total", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_sweeps")),
    )
    op.create_table(
        "access_sweep_chunks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sweep_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("origins", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("partials", sa.LargeBinary(), nullable=True),
        sa.Column("pass1_seconds", sa.Float(), nullable=True),
        sa.Column("pass2_seconds", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["sweep_id"],
            ["access_sweeps.id"],
            name=op.f("fk_access_sweep_chunks_sweep_id_access_sweeps"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_sweep_chunks")),
    )
    with op.batch_alter_table("access_sweep_chunks", schema=None) as batch_op:
        batch_op.create_index("uq_access_sweep_chunks_number", ["sweep_id", "number"], unique=True)
    op.create_table(
        "access_sweep_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sweep_id", sa.String(length=36), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("place_slug", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("catchment", sa.Float(), nullable=False),
        sa.Column("decay", sa.String(length=20), nullable=False),
        sa.Column("profile", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("in_reach", sa.Integer(), nullable=False),
        sa.Column("nearest", sa.Float(), nullable=True),
        *_record_columns(),
        sa.ForeignKeyConstraint(
            ["sweep_id"],
            ["access_sweeps.id"],
            name=op.f("fk_access_sweep_results_sweep_id_access_sweeps"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_sweep_results")),
    )
    with op.batch_alter_table("access_sweep_results", schema=None) as batch_op:
        batch_op.create_index(
            "uq_access_sweep_results_scenario_area",
            ["sweep_id", "profile", "category", "catchment", "decay", "area_code"],
            unique=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("access_sweep_results", schema=None) as batch_op:
        batch_op.drop_index("uq_access_sweep_results_scenario_area")
    op.drop_table("access_sweep_results")
    with op.batch_alter_table("access_sweep_chunks", schema=None) as batch_op:
        batch_op.drop_index("uq_access_sweep_chunks_number")
    op.drop_table("access_sweep_chunks")
    op.drop_table("access_sweeps")

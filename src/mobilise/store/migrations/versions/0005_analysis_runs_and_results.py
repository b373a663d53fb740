"""analysis runs and results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 19:15:50.848435
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("place_id", sa.String(length=36), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("data_versions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("step", sa.String(length=300), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rerun_of", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_analysis_runs_place_id_places")
        ),
        sa.ForeignKeyConstraint(
            ["rerun_of"], ["analysis_runs.id"], name=op.f("fk_analysis_runs_rerun_of_analysis_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analysis_runs_place_id"), ["place_id"], unique=False)

    op.create_table(
        "analysis_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("catchment_m", sa.Float(), nullable=False),
        sa.Column("decay", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("population", sa.Float(), nullable=False),
        sa.Column("imd_decile", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("in_reach", sa.Integer(), nullable=False),
        sa.Column("nearest_m", sa.Float(), nullable=True),
        sa.Column("cluster", sa.String(length=20), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_runs.id"], name=op.f("fk_analysis_results_run_id_analysis_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_results")),
    )
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analysis_results_scenario",
            ["run_id", "category", "catchment_m", "decay"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_index("ix_analysis_results_scenario")

    op.drop_table("analysis_results")
    with op.batch_alter_table("analysis_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analysis_runs_place_id"))

    op.drop_table("analysis_runs")

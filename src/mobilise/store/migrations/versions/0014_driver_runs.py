"""evidence: drivers of disparities (regression runs and their local results)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 01:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# A drivers run is an analysis_runs row of kind "drivers"; only its results by area are new.


def upgrade() -> None:
    op.create_table(
        "driver_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("model", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.Float(), nullable=False),
        sa.Column("predicted", sa.Float(), nullable=False),
        sa.Column("residual", sa.Float(), nullable=False),
        sa.Column("local_r2", sa.Float(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["analysis_runs.id"], name=op.f("fk_driver_results_run_id_analysis_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_driver_results")),
    )
    op.create_index(
        "uq_driver_results_model_area",
        "driver_results",
        ["run_id", "model", "area_code"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_driver_results_model_area", table_name="driver_results")
    op.drop_table("driver_results")

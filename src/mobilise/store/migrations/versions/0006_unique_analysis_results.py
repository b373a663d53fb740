"""one result per area and scenario of a run

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The unique index also serves the scenario lookups the old index served (same prefix).
    op.create_index(
        "uq_analysis_results_scenario_area",
        "analysis_results",
        ["run_id", "category", "catchment_m", "decay", "area_code"],
        unique=True,
    )
    op.drop_index("ix_analysis_results_scenario", table_name="analysis_results")


def downgrade() -> None:
    op.create_index(
        "ix_analysis_results_scenario",
        "analysis_results",
        ["run_id", "category", "catchment_m", "decay"],
        unique=False,
    )
    op.drop_index("uq_analysis_results_scenario_area", table_name="analysis_results")

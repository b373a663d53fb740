"""public-health statistics: how each indicator value was computed (method, standard,
confidence level, suppression)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:12:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Indicators and values stored before this revision were imported as values: no method, no
# standard, no benchmark, nothing suppressed (server defaults fill the existing rows).
_INDICATOR_COLUMNS = (
    ("method", sa.String(length=40), ""),
    ("standard", sa.String(length=40), ""),
    ("confidence", sa.Float(), None),
    ("multiplier", sa.Float(), None),
    ("benchmark_label", sa.String(length=120), ""),
    ("benchmark_value", sa.Float(), None),
    ("benchmark_lower", sa.Float(), None),
    ("benchmark_upper", sa.Float(), None),
)
_VALUE_COLUMNS = (
    ("lower_99_8", sa.Float(), None),
    ("upper_99_8", sa.Float(), None),
    ("method", sa.String(length=60), ""),
    ("suppression", sa.String(length=200), ""),
)


def _add(table: str, columns: tuple[tuple[str, sa.types.TypeEngine, str | None], ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, type_, default in columns:
            batch_op.add_column(
                sa.Column(name, type_, nullable=default is None, server_default=default)
            )


def _drop(table: str, columns: tuple[tuple[str, sa.types.TypeEngine, str | None], ...]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for name, _type, _default in reversed(columns):
            batch_op.drop_column(name)


def upgrade() -> None:
    _add("indicators", _INDICATOR_COLUMNS)
    _add("indicator_values", _VALUE_COLUMNS)
    # a value suppressed by PHE's rules is stored without a value, with the reason
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM indicator_values WHERE value IS NULL")
    with op.batch_alter_table("indicator_values", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.Float(), nullable=False)
    _drop("indicator_values", _VALUE_COLUMNS)
    _drop("indicators", _INDICATOR_COLUMNS)

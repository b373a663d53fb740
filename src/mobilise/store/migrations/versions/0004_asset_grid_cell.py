"""asset grid cells for searches around a point

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from mobilise.geo import grid_cell

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INDEX_COLUMNS = [
    "cell",
    "lat",
    "lon",
    "visibility",
    "deleted_at",
    "merged_into",
    "name",
    "id",
    "version",
]


def upgrade() -> None:
    op.add_column("assets", sa.Column("cell", sa.BigInteger(), nullable=True))
    assets = sa.table(
        "assets", sa.column("id"), sa.column("lon"), sa.column("lat"), sa.column("cell")
    )
    connection = op.get_bind()
    located = connection.execute(
        sa.select(assets.c.id, assets.c.lon, assets.c.lat).where(assets.c.lon.is_not(None))
    ).all()
    if located:
        connection.execute(
            assets.update()
            .where(assets.c.id == sa.bindparam("b_id"))
            .values(cell=sa.bindparam("b_cell")),
            [{"b_id": row.id, "b_cell": grid_cell(row.lon, row.lat)} for row in located],
        )
    op.create_index("ix_assets_cell", "assets", _INDEX_COLUMNS, unique=False)
    op.drop_index("ix_assets_lat_lon", table_name="assets")  # the cell index serves its searches


def downgrade() -> None:
    op.create_index("ix_assets_lat_lon", "assets", ["lat", "lon"], unique=False)
    op.drop_index("ix_assets_cell", table_name="assets")
    op.drop_column("assets", "cell")

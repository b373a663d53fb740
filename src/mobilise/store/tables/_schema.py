"""The schema's shared parts: the metadata, UTC timestamps, and how a table of records is made.

Every table except the logs is a table of records (:func:`record_table`): a key, its own columns,
then the record columns ``created_at/by``, ``updated_at/by``, ``version`` and ``deleted_at/by``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.schema import SchemaItem

__all__ = ["UTCDateTime", "dataset_ref", "metadata", "record_columns", "record_table", "ref"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC) if value is not None and dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_columns() -> list[Column[object]]:
    """The columns every record carries (see :mod:`mobilise.store.tables`)."""
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("created_by", String(120), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
        Column("updated_by", String(120), nullable=False),
        Column("version", Integer, nullable=False, default=1),
        Column("deleted_at", UTCDateTime(), nullable=True),
        Column("deleted_by", String(120), nullable=True),
    ]


def record_table(name: str, *items: SchemaItem, key: Column[Any] | None = None) -> Table:
    """A table of records: ``key`` (by default ``id``, a UUID string), the columns among
    ``items``, the record columns, then the constraints and indexes among ``items``."""
    columns = [item for item in items if isinstance(item, Column)]
    others = [item for item in items if not isinstance(item, Column)]
    key = key if key is not None else Column("id", String(36), primary_key=True)
    return Table(name, metadata, key, *columns, *record_columns(), *others)


def ref(
    name: str,
    table: str,
    *,
    nullable: bool = False,
    index: bool = False,
    length: int = 36,
    column: str = "id",
) -> Column[Any]:
    """A column referring to ``table.column`` (by default another record's UUID)."""
    return Column(
        name,
        String(length),
        ForeignKey(f"{table}.{column}"),
        nullable=nullable,
        index=True if index else None,
    )


def dataset_ref() -> Column[Any]:
    """The dataset (source, licence) a row was imported from, when known."""
    return ref("dataset_id", "datasets", nullable=True, length=120)

"""Alembic environment: runs on the connection that ``store.engine.migrate`` hands over."""

from __future__ import annotations

from alembic import context

from mobilise.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through `alembic` on the command line
    raise RuntimeError("Run migrations through mobilise.store.engine.migrate().")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

"""How each database is copied and restored (private to :mod:`mobilise.workspace.backup`).

- **SQLite**: the online backup API of :mod:`sqlite3` copies every page in one step, inside one
  read transaction: in WAL mode writers go on meanwhile and the copy is the database as it was at
  one moment. The copy is switched to a rollback journal, so it is one self-contained file.
- **PostgreSQL**: ``pg_dump --format=custom`` runs on a snapshot exported by a REPEATABLE READ
  transaction (``pg_export_snapshot()``), and the rows are counted in that same transaction, so
  the manifest's counts are those of the dump. ``pg_restore`` restores it in one transaction.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL

from mobilise.errors import ConfigurationError

__all__ = [
    "copy_sqlite",
    "count_rows",
    "dump_postgresql",
    "file_rows",
    "postgres_tool",
    "restore_postgresql",
    "restore_sqlite",
]

# The query parameters of a PostgreSQL URL that libpq's tools read from the environment.
_LIBPQ_PARAMETERS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "host": "PGHOST",
    "port": "PGPORT",
    "application_name": "PGAPPNAME",
}


def count_rows(connection: Connection) -> dict[str, int]:
    """Rows per table of the database, every table (``alembic_version`` too), by name."""
    names = sorted(inspect(connection).get_table_names())
    return {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in names
    }


@contextmanager
def file_engine(path: Path) -> Iterator[Engine]:
    """A plain engine on a SQLite file (a backup's copy), disposed afterwards."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        yield engine
    finally:
        engine.dispose()


def file_rows(path: Path) -> dict[str, int]:
    """:func:`count_rows` of a SQLite file."""
    with file_engine(path) as engine, engine.connect() as connection:
        return count_rows(connection)


# -- SQLite -------------------------------------------------------------------------------------
def copy_sqlite(engine: Engine, path: Path) -> dict[str, int]:
    """Copy the workspace at ``engine`` to a new SQLite file ``path``; its rows per table."""
    copy = sqlite3.connect(path)
    try:
        with engine.connect() as connection:
            source = connection.connection.driver_connection
            assert isinstance(source, sqlite3.Connection)
            source.backup(copy)  # every page in one step: one consistent moment
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
    return file_rows(path)


def restore_sqlite(engine: Engine, path: Path) -> None:
    """Replace the (empty) workspace at ``engine`` with the SQLite file ``path``, page by page
    through the backup API (so connections elsewhere see either the old or the new database)."""
    engine.dispose()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        target = engine.raw_connection()
        try:
            found = target.driver_connection
            assert isinstance(found, sqlite3.Connection)
            source.backup(found)
        finally:
            target.close()
    finally:
        source.close()
        engine.dispose()


# -- PostgreSQL ---------------------------------------------------------------------------------
def postgres_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``: on ``PATH``, else the newest of Debian's
    ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(part) if part.isdigit() else 0 for part in Path(p).parts[4].split(".")],
    )
    if versions:
        return versions[-1]
    raise ConfigurationError(
        f"Backing up or restoring a PostgreSQL workspace needs {name}, from PostgreSQL's client "
        f"tools, and it is not installed: install them (e.g. `apt install postgresql-client`, "
        f"of the server's version or newer) or put {name} on PATH."
    )


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The database name and the environment that give ``pg_dump``/``pg_restore`` the server
    and the password (never on the command line, where other users could read it)."""
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
    ):
        if value is not None:
            env[key] = str(value)
    for parameter, variable in _LIBPQ_PARAMETERS.items():
        given = url.query.get(parameter)
        if isinstance(given, str):
            env[variable] = given
    return str(url.database or ""), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        detail = "; ".join(lines[-3:]) or f"exit code {done.returncode}"
        raise ConfigurationError(f"{what} failed: {detail}")


def dump_postgresql(engine: Engine, path: Path) -> dict[str, int]:
    """``pg_dump --format=custom`` of the workspace into ``path``; its rows per table, counted
    on the snapshot the dump reads."""
    tool = postgres_tool("pg_dump")
    database, env = _libpq(engine.url)
    reading = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with reading as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        rows = count_rows(connection)
        command = [tool, "--format=custom", f"--snapshot={snapshot}", "--no-password"]
        _run([*command, f"--file={path}", f"--dbname={database}"], env, "pg_dump")
    return rows


def restore_postgresql(engine: Engine, path: Path) -> None:
    """``pg_restore`` the dump ``path`` into the (empty) workspace at ``engine``, in one
    transaction: on any error nothing is restored.

    The empty workspace's tables are dropped first: its schema may be newer than the dump's (a
    table the dump does not have would clash when the restored schema is migrated forward).
    """
    tool = postgres_tool("pg_restore")
    database, env = _libpq(engine.url)
    with engine.begin() as connection:
        quote = connection.dialect.identifier_preparer.quote
        for name in inspect(connection).get_table_names():
            connection.execute(text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    engine.dispose()
    command = [tool, "--no-owner", "--no-privileges"]
    command += ["--single-transaction", "--exit-on-error", "--no-password"]
    _run([*command, f"--dbname={database}", str(path)], env, "pg_restore")
    engine.dispose()

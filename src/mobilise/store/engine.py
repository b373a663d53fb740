"""Opening a workspace database: engine set-up and automatic migrations.

Opening a workspace whose schema is current costs one query: the stored revision is read with
plain SQL and compared with the newest migration, found by reading the migration files as text.
Alembic (and the modules the migrations import) load only when the schema must be upgraded.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from mobilise.errors import ConfigurationError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "WRITE",
    "create_workspace_engine",
    "current_revision",
    "database_url",
    "head_revision",
    "migrate",
]

# Execution option marking a connection that will write: on SQLite its transaction takes the write
# lock at BEGIN (BEGIN IMMEDIATE), so two writers queue on busy_timeout instead of one failing
# when it upgrades a read lock.
WRITE = "mobilise_write"

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL for a file path or URL; ``postgresql://`` is given the psycopg 3 driver."""
    text = str(path_or_url)
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    if text.startswith("postgresql://") or text.startswith("postgres://"):
        return "postgresql+psycopg://" + text.split("://", 1)[1]
    return text


POOL = {"pool_size": 5, "max_overflow": 40}
"""Connections a web worker may hold: more than the 40 threads that serve plain-function routes
at once, so neither they nor the event loop (async routes read the database there) wait for one."""

SQLITE_POOL = {"pool_size": 40, "max_overflow": 10}
"""A SQLite file's connections cost a file handle each, so the web worker's 40 threads keep
theirs between requests instead of opening and closing an overflow connection each time (measured
under 40 clients searching: 6.3 ms of CPU a request against 7.8 ms with a pool of 5)."""

SQLITE_MMAP_BYTES = 1 << 30  # address space, not memory: pages load as they are read


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (the pysqlite recipe in SQLAlchemy's docs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Read through a memory map (shared by every connection and worker through the OS page
    # cache) instead of copying each page in with a read call: searches touch many pages.
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()


def _json_dumps(value: Any) -> str:
    """json.dumps, with the empty lists and objects most JSON columns hold written directly."""
    if not value and isinstance(value, list | dict):
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value)


def _json_loads(text: str) -> Any:
    """json.loads, with the empty lists and objects most JSON columns hold made without parsing."""
    if text == "[]":
        return []
    if text == "{}":
        return {}
    return json.loads(text)


def _sqlite_begin(connection: Any) -> None:
    writing = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_workspace_engine(path_or_url: str | Path) -> Engine:
    """An engine for a workspace: SQLite in WAL mode with foreign keys on, or PostgreSQL."""
    url = database_url(path_or_url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"Not a database URL or path: {path_or_url!r} ({exc}).") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            parent = Path(database).parent
            if not parent.exists():
                raise ConfigurationError(
                    f"The folder {parent} of workspace {database} does not exist."
                )
        # The pool keeps connections (and their pragmas) for reuse across requests.
        pool = SQLITE_POOL if database and database != ":memory:" else {}
        engine = create_engine(
            url, json_serializer=_json_dumps, json_deserializer=_json_loads, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise ConfigurationError(
                "PostgreSQL workspaces need psycopg: pip install 'mobilise[postgres]'"
            ) from None
        return create_engine(url, pool_pre_ping=True, **POOL)
    raise ConfigurationError(
        f"Unsupported database {parsed.get_backend_name()!r}: use a SQLite file or PostgreSQL."
    )


def _alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


_REVISION = re.compile(r"^revision\s*=\s*[\"']([^\"']+)[\"']\s*$", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\s*=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.MULTILINE)


def _head_from_files(folder: Path) -> str | None:
    """The one revision no other migration revises, read from the files' ``revision`` and
    ``down_revision`` lines; ``None`` when the files do not say it plainly (e.g. a merge)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in folder.glob("[!._]*.py"):  # not editors' lock files or hidden files
        source = path.read_text("utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            revised.add(down.group(1))
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else None


@cache
def head_revision() -> str | None:
    """The newest migration's revision (without importing the migrations)."""
    found = _head_from_files(MIGRATIONS / "versions")
    if found is not None:
        return found
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(stored[0]) if len(stored) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The revision the workspace's schema is at (``None`` for a new database)."""
    with engine.connect() as connection:
        return _stored_revision(connection)


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest migration (a no-op when it is current)."""
    try:
        current = current_revision(engine)  # a file that is not a database fails here
        if current == head_revision():
            return
        from alembic import command

        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except (OperationalError, DatabaseError) as exc:
        if not isinstance(exc, OperationalError) and type(exc) is not DatabaseError:
            raise  # an integrity or programming error in a migration is a bug, not the file
        raise ConfigurationError(
            f"Cannot open the workspace database {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.orig}"
        ) from None

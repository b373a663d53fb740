"""Backups and restores (issue 14, finding 10), on SQLite and PostgreSQL: a round trip that compares
every table row by row, a damaged backup refused, a non-empty workspace refused, the schedule."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url

from mobilise import ConfigurationError, Conflict, ValidationError, open_workspace
from mobilise.workspace import Workspace
from mobilise.workspace import _backup_db as db
from mobilise.workspace.backup import MANIFEST_NAME, BackupSchedule

from ..conftest import FIXTURES, new_postgres_database

HERE = FIXTURES / "workspace"


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    """A workspace with rows in many tables: areas, a place, assets (one deleted), a partner, a
    user and an imported systems map."""
    workspace.areas.import_boundaries(HERE / "three_lsoas.geojson")
    workspace.places.create("testtown", "Testtown", area_codes=["E01000001"])
    workspace.assets.import_file(HERE / "assets_small.geojson")
    gone = workspace.assets.search(per_page=1, include_private=True).items[0]
    workspace.assets.delete(gone.id)
    workspace.partners.create("Testtown Council", sector="la_other")
    workspace.users.create("ana", "correct horse battery", role="analyst")
    workspace.map_analysis.import_file(FIXTURES / "systems_maps" / "green_space.prsm")
    return workspace


@contextmanager
def new_database(workspace: Workspace, tmp_path: Path) -> Iterator[str]:
    """The location of a new database of the same kind as ``workspace`` (for PostgreSQL, a
    database of its own on the same server, dropped afterwards)."""
    if workspace.dialect == "sqlite":
        yield str(tmp_path / f"{uuid.uuid4().hex[:12]}.sqlite")
        return
    with new_postgres_database(workspace.engine.url, prefix="mobilise_r") as url:
        yield url


@pytest.fixture
def empty_twin(workspace: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    """A new, empty workspace of the same kind as ``workspace``."""
    with new_database(workspace, tmp_path) as location:
        twin = open_workspace(location, actor="restorer")
        try:
            yield twin
        finally:
            twin.close()


def every_row(workspace: Workspace) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in primary-key order."""
    tables = MetaData()
    tables.reflect(workspace.engine)
    found = {}
    with workspace.engine.connect() as connection:
        for name, table in tables.tables.items():
            order = list(table.primary_key.columns) or list(table.columns)
            found[name] = [tuple(r) for r in connection.execute(select(table).order_by(*order))]
    return found


def test_round_trip_restores_every_row(filled: Workspace, empty_twin: Workspace, tmp_path):
    backup = filled.backup.create(tmp_path / "backups")
    manifest = backup.manifest
    assert backup.path.parent == tmp_path / "backups" and backup.path.name.startswith("mobilise-")
    assert manifest.database == filled.dialect
    assert manifest.schema_revision == filled.schema_revision
    assert manifest.tables["assets"] == 4 and manifest.tables["map_factors"] > 0
    written = json.loads((backup.path / MANIFEST_NAME).read_text())
    assert written["sha256"] == manifest.sha256 and written["tables"] == manifest.tables
    assert {"mobilise_version", "created_at", "database", "schema_revision"} <= set(written)

    report = empty_twin.backup.restore(backup.path)
    assert report.tables == manifest.tables and not report.migrated
    original, restored = every_row(filled), every_row(empty_twin)
    assert set(restored) == set(original)
    for table, rows in original.items():
        assert restored[table] == rows, table
    assert empty_twin.assets.deleted().total == 1  # soft-deleted rows come back as they were


def test_backup_is_consistent_while_others_write(filled: Workspace, empty_twin, tmp_path):
    """Writers go on during the backup (none fails) and the copy restores as its manifest says."""
    asset = filled.assets.search(per_page=1).items[0]
    stop, failures, writes = threading.Event(), [], [0]

    def write() -> None:
        version = asset.version
        while not stop.is_set():
            try:
                version = filled.assets.update(
                    asset.id, version=version, changes={"description": f"edit {writes[0]}"}
                ).version
                writes[0] += 1
            except Exception as error:  # any failure is the finding
                failures.append(error)
                return

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backup = filled.backup.create(tmp_path / "backups")
    finally:
        stop.set()
        writer.join()
    assert failures == []
    report = empty_twin.backup.restore(backup.path)
    assert report.tables == backup.manifest.tables


def test_a_backup_of_an_older_schema_is_migrated_forward(workspace: Workspace, tmp_path):
    """A backup made by an older mobilise (schema 0008) restores into a new workspace (an empty
    one at the newest schema) and is brought up to date."""
    from alembic import command

    from mobilise.store.engine import _alembic_config, create_workspace_engine, head_revision

    with new_database(workspace, tmp_path) as location:
        engine = create_workspace_engine(location)
        config = _alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0008")
        old = Workspace(engine, actor="old")
        old.areas.import_boundaries(HERE / "three_lsoas.geojson")
        backup = old.backup.create(tmp_path / "backups")
        engine.dispose()
    assert backup.manifest.schema_revision == "0008"
    report = workspace.backup.restore(backup.path)
    assert report.migrated and report.schema_revision == head_revision()
    assert workspace.schema_revision == head_revision()
    assert workspace.areas.get("E01000001").code == "E01000001"


def test_a_damaged_backup_is_refused(filled: Workspace, empty_twin: Workspace, tmp_path):
    backup = filled.backup.create(tmp_path / "backups")
    data = backup.path / backup.manifest.file
    damaged = bytearray(data.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    data.write_bytes(bytes(damaged))
    with pytest.raises(ValidationError, match="damaged") as refused:
        empty_twin.backup.restore(backup.path)
    assert refused.value.problems[0].field == "sha256"
    assert empty_twin.assets.count() == 0  # nothing was restored


def test_a_manifest_that_does_not_match_the_rows_is_refused(filled, empty_twin, tmp_path):
    backup = filled.backup.create(tmp_path / "backups")
    path = backup.path / MANIFEST_NAME
    manifest = json.loads(path.read_text())
    manifest["tables"]["assets"] += 1
    path.write_text(json.dumps(manifest))
    with pytest.raises(ValidationError, match="differ from the backup's manifest") as refused:
        empty_twin.backup.restore(backup.path)
    assert [p.field for p in refused.value.problems] == ["assets"]


def test_restoring_over_a_workspace_with_data_is_refused(filled: Workspace, tmp_path):
    backup = filled.backup.create(tmp_path / "backups")
    before = every_row(filled)
    with pytest.raises(Conflict, match="not empty"):
        filled.backup.restore(backup.path)
    assert every_row(filled) == before


def test_a_backup_of_another_kind_of_database_is_refused(workspace: Workspace, tmp_path):
    other = open_workspace(tmp_path / "other.sqlite")
    backup = other.backup.create(tmp_path / "backups")
    other.close()
    if workspace.dialect == "sqlite":
        manifest = json.loads((backup.path / MANIFEST_NAME).read_text())
        assert manifest["database"] == "sqlite"
        return
    with pytest.raises(ValidationError, match="restore it into a sqlite workspace"):
        workspace.backup.restore(backup.path)


def test_a_folder_that_is_not_a_backup_is_refused(sqlite_workspace, tmp_path):
    with pytest.raises(ValidationError, match="not a mobilise backup"):
        sqlite_workspace.backup.restore(tmp_path)
    (tmp_path / MANIFEST_NAME).write_text('{"format": "mobilise-backup", "size": -1}')
    with pytest.raises(ValidationError) as refused:
        sqlite_workspace.backup.restore(tmp_path / MANIFEST_NAME)
    assert {"size", "sha256", "database", "tables"} <= {p.field for p in refused.value.problems}


def test_pg_dump_missing_is_named_with_how_to_install_it(monkeypatch):
    monkeypatch.setattr(db.shutil, "which", lambda name: None)
    monkeypatch.setattr(db.glob, "glob", lambda pattern: [])
    with pytest.raises(
        ConfigurationError, match=r"needs pg_dump.*not installed.*postgresql-client"
    ):
        db.postgres_tool("pg_dump")


def test_pg_tools_are_found_where_debian_puts_them(monkeypatch):
    monkeypatch.setattr(db.shutil, "which", lambda name: None)
    found = ["/usr/lib/postgresql/9.6/bin/pg_dump", "/usr/lib/postgresql/15/bin/pg_dump"]
    monkeypatch.setattr(db.glob, "glob", lambda pattern: found)
    assert db.postgres_tool("pg_dump") == "/usr/lib/postgresql/15/bin/pg_dump"


def test_the_password_goes_to_pg_dump_by_environment_only():
    url = make_url("postgresql+psycopg://me:s3cret@db.example:6543/mobilise?sslmode=require")
    database, env = db._libpq(url)
    assert database == "mobilise"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"]) == ("db.example", "6543", "me")
    assert (env["PGPASSWORD"], env["PGSSLMODE"]) == ("s3cret", "require")


# -- schedule ------------------------------------------------------------------------------------
def test_prune_keeps_the_newest_scheduled_backups_and_every_manual_one(sqlite_workspace, tmp_path):
    service = sqlite_workspace.backup
    manual = service.create(tmp_path)
    scheduled = [service.create(tmp_path, trigger="scheduled") for _ in range(3)]
    removed = service.prune(tmp_path, keep=2)
    assert removed == [scheduled[0].path]
    assert {b.path for b in service.list(tmp_path)} == {
        manual.path,
        *(b.path for b in scheduled[1:]),
    }


def test_the_schedule_writes_backups_and_keeps_the_newest(sqlite_workspace, tmp_path):
    written: list[Path] = []
    three = threading.Event()

    def report(backup) -> None:
        written.append(backup.path)
        if len(written) >= 3:
            three.set()

    schedule = BackupSchedule(
        sqlite_workspace, tmp_path, every=timedelta(milliseconds=20), keep=2, report=report
    )
    schedule.start()
    try:
        assert three.wait(timeout=120), "three scheduled backups within two minutes"
    finally:
        schedule.stop()
    kept = sqlite_workspace.backup.list(tmp_path)
    assert len(kept) == 2 and all(b.manifest.trigger == "scheduled" for b in kept)
    for backup in kept:
        sqlite_workspace.backup.read(backup.path)  # whole, checksum as written


def test_a_restarted_schedule_waits_for_the_interval_since_the_last_backup(
    sqlite_workspace, tmp_path
):
    last = sqlite_workspace.backup.create(tmp_path, trigger="scheduled")
    schedule = BackupSchedule(sqlite_workspace, tmp_path, every=timedelta(hours=6), keep=3)
    assert schedule.next_due() == last.manifest.created_at + timedelta(hours=6)
    with pytest.raises(ConfigurationError, match="MOBILISE_BACKUP_KEEP"):
        BackupSchedule(sqlite_workspace, tmp_path, every=timedelta(hours=1), keep=0)

"""The store on SQLite and PostgreSQL: migrations, record columns, concurrency, soft delete, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from mobilise import Conflict, NotFound, ValidationError, open_workspace
from mobilise.store.engine import current_revision, head_revision
from mobilise.store.tables import audit_log, metadata, places

from ..conftest import FIXTURES

THREE = FIXTURES / "workspace" / "three_lsoas.geojson"


def test_open_runs_migrations_to_head(workspace):
    assert current_revision(workspace.engine) == head_revision() == "0018"
    names = set(inspect(workspace.engine).get_table_names())
    assert {"places", "areas", "indicators", "indicator_values", "audit_log", "users"} <= names


def test_migrations_match_the_tables(workspace):
    # The word index (an FTS5 table on SQLite, an expression index on PostgreSQL) is built by
    # migration 0012 and is not a table of the metadata.
    from mobilise.store.tables._assets import not_a_word_index

    with workspace.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": not_a_word_index})
        differences = compare_metadata(context, metadata)
    assert differences == []


APPEND_ONLY = {
    "audit_log",
    "map_events",
    "login_attempts",
}  # logs: never changed, so no record columns


def test_every_table_but_the_logs_has_record_columns():
    wanted = {"created_at", "created_by", "updated_at", "updated_by", "version", "deleted_at"}
    for table in metadata.sorted_tables:
        if table.name in APPEND_ONLY:
            continue
        assert wanted <= set(table.c.keys()), table.name


def test_reopening_is_a_no_op(workspace):
    workspace.places.create("testplace", "Test place")
    again = open_workspace(workspace.engine.url.render_as_string(hide_password=False))
    assert [p.slug for p in again.places.list()] == ["testplace"]
    again.close()


def test_sqlite_is_wal_with_foreign_keys(sqlite_workspace):
    with sqlite_workspace.read() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_create_records_who_and_when_and_audits(workspace):
    place = workspace.places.create("testplace", "Test place", description="A place")
    assert place.version == 1
    with workspace.read() as connection:
        row = connection.execute(select(places).where(places.c.slug == "testplace")).one()
        entry = connection.execute(select(audit_log).where(audit_log.c.entity_id == place.id)).one()
    assert row.created_by == row.updated_by == "tester"
    assert entry.action == "create" and entry.actor == "tester"
    assert entry.after["name"] == "Test place" and entry.before is None


def test_stale_update_is_a_conflict_and_changes_nothing(workspace):
    place = workspace.places.create("testplace", "Test place")
    alice = workspace.as_actor("alice")
    bob = workspace.as_actor("bob")
    updated = alice.places.update("testplace", version=place.version, name="Renamed by Alice")
    assert updated.version == 2
    with pytest.raises(Conflict, match="alice"):
        bob.places.update("testplace", version=place.version, name="Renamed by Bob")
    assert workspace.places.get("testplace").name == "Renamed by Alice"
    entries = workspace.audit.entries(entity_type="place", entity_id=place.id)
    update = next(e for e in entries if e.action == "update")
    assert update.actor == "alice"
    assert update.before["name"] == "Test place" and update.after["name"] == "Renamed by Alice"


def test_soft_delete_and_restore(workspace):
    workspace.places.create("testplace", "Test place")
    workspace.places.delete("testplace")
    with pytest.raises(NotFound):
        workspace.places.get("testplace")
    assert workspace.places.list() == []
    with workspace.read() as connection:  # still stored
        assert connection.execute(select(func.count()).select_from(places)).scalar_one() == 1
    restored = workspace.places.restore("testplace")
    assert restored.slug == "testplace" and restored.version == 3
    actions = [e.action for e in workspace.audit.entries(entity_type="place")]
    assert actions[:2] == ["restore", "delete"]


def test_duplicate_slug_is_a_conflict(workspace):
    workspace.places.create("testplace", "Test place")
    with pytest.raises(Conflict):
        workspace.places.create("testplace", "Another")


def test_bad_slug_names_the_field(workspace):
    with pytest.raises(ValidationError) as caught:
        workspace.places.create("Bad Slug!", "")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"slug", "name"}


def test_place_from_authorities(workspace):
    workspace.areas.import_boundaries(THREE)
    place = workspace.places.create("testtown", "Testtown", authorities=["E09000001"])
    assert place.n_areas == 2
    assert place.authorities == [("E09000001", "Testtown")]
    assert workspace.places.area_codes("testtown") == ["E01000001", "E01000002"]


def test_unknown_database_scheme_is_refused(tmp_path: Path):
    from mobilise import ConfigurationError

    with pytest.raises(ConfigurationError, match="Unsupported"):
        open_workspace("mysql://nobody@localhost/x")
    with pytest.raises(ConfigurationError, match="does not exist"):
        open_workspace(tmp_path / "missing" / "ws.sqlite")


def test_a_clash_in_the_database_is_a_conflict_not_a_crash(workspace):
    from mobilise.store.records import insert_record

    workspace.places.create("testplace", "Test place")
    with pytest.raises(Conflict, match="clashes"), workspace.write() as connection:
        insert_record(
            connection,
            places,
            {"slug": "testplace", "name": "Twin", "description": ""},
            actor="tester",
            entity_type="place",
        )
    assert [p.name for p in workspace.places.list()] == ["Test place"]


def test_nested_writes_are_one_transaction(workspace):
    with pytest.raises(ValidationError), workspace.write():
        workspace.places.create("first", "First")
        workspace.places.create("Bad Slug", "Second")
    assert workspace.places.list() == []


def test_usernames_are_trimmed_before_the_duplicate_check(workspace):
    workspace.users.create("bob", "long enough password", role="viewer")
    with pytest.raises(Conflict):
        workspace.users.create("bob ", "long enough password", role="viewer")


def test_deleted_slug_says_restore(workspace):
    workspace.places.create("testplace", "Test place")
    workspace.places.delete("testplace")
    with pytest.raises(Conflict, match="restore"):
        workspace.places.create("testplace", "Again")


def test_times_are_utc_on_every_database(workspace):
    from datetime import UTC

    place = workspace.places.create("testplace", "Test place")
    assert place.created_at.tzinfo is not None
    assert place.created_at.utcoffset() == UTC.utcoffset(None)


def test_the_head_read_from_the_migration_files_is_alembics():
    from alembic.script import ScriptDirectory

    from mobilise.store.engine import MIGRATIONS, _alembic_config, _head_from_files

    expected = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert _head_from_files(MIGRATIONS / "versions") == expected == head_revision()


def test_a_new_database_has_no_revision(tmp_path):
    from mobilise.store.engine import create_workspace_engine

    engine = create_workspace_engine(tmp_path / "new.sqlite")
    assert current_revision(engine) is None
    engine.dispose()


def test_opening_a_current_workspace_loads_neither_alembic_nor_pandas(sqlite_workspace):
    """`mobilise places list` stays light: the schema check reads the revision with plain SQL."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mobilise import open_workspace\n"
        f"ws = open_workspace({sqlite_workspace.engine.url.database!r})\n"
        "ws.places.list()\n"
        "print(sorted(m for m in ('alembic', 'pandas', 'numpy', 'geopandas') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_file_that_is_not_a_database_is_a_configuration_error(tmp_path):
    from mobilise.errors import ConfigurationError

    path = tmp_path / "notes.sqlite"
    path.write_text("these are notes, not a database " * 10, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not a database"):
        open_workspace(path)

"""The directory's search at load (issue 17, the benchmark's target), on SQLite and PostgreSQL.

A feed search asked again while the database has not changed is answered without reading it
(SQLite: :mod:`mobilise.workspace.asset_search_cache`), yet follows every change however it is
made: through the same workspace, through another engine on the same file (another worker, a
command beside the server) and inside an open write. A large import indexes its words in one
statement after storing its rows instead of one trigger run per row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from mobilise import open_workspace

CSV = b"""name,category,latitude,longitude,description
Testtown Library,library,51.505,-0.095,Books and a quiet room
Riverside Reading Group,group,51.506,-0.094,Meets at the library on Mondays
Otherby Choir,group,51.507,-0.093,Singing for everyone
Gardening Club,group,51.509,-0.091,Growing vegetables together
"""


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The statements the engine runs meanwhile."""
    ran: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        ran.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)


def feed_names(ws, **criteria) -> list[str]:
    found = ws.oruk.search(**criteria)
    by_id = {a.id: a.name for a in ws.assets.get_many([k for k, _ in found.keys])}
    return [by_id[asset_id] for asset_id, _ in found.keys]


def _one(ws, name):
    return next(a for a in ws.assets.search(per_page=50).items if a.name == name)


def test_a_feed_search_asked_again_reads_nothing_while_the_data_holds(workspace):
    workspace.assets.import_file(CSV, name="assets.csv", source="test")
    first = workspace.oruk.search(text="library")
    with statements(workspace.engine) as ran:
        again = workspace.oruk.search(text="library")
        other = workspace.as_actor("someone").oruk.search(text="library")  # another request
    assert again.keys == other.keys == first.keys and again.total == first.total == 2
    if workspace.dialect == "sqlite":
        assert ran == []  # was BEGIN and the ranked page (and the count) each time
    else:
        assert ran  # PostgreSQL: no data version to trust, every search is made afresh


def test_a_kept_search_follows_every_change(workspace):
    ws = workspace
    ws.assets.import_file(CSV, name="assets.csv", source="test")
    assert feed_names(ws, text="choir") == ["Otherby Choir"]
    choir = _one(ws, "Otherby Choir")
    ws.assets.update(choir.id, version=choir.version, changes={"name": "Otherby Singers"})
    assert feed_names(ws, text="choir") == []
    assert feed_names(ws, text="singers") == ["Otherby Singers"]
    singers = _one(ws, "Otherby Singers")
    ws.assets.update(singers.id, version=singers.version, changes={"visibility": "private"})
    assert feed_names(ws, text="singers") == []  # private assets never reach the feed
    ws.assets.delete(_one(ws, "Gardening Club").id)
    assert feed_names(ws, text="club") == []
    # another engine on the same database: another worker, or a command beside the server
    other = open_workspace(ws.engine.url.render_as_string(hide_password=False), actor="other")
    try:
        assert feed_names(ws, text="book") == ["Testtown Library"]
        library = _one(other, "Testtown Library")
        other.assets.update(library.id, version=library.version, changes={"description": ""})
        assert feed_names(ws, text="book") == []
        other.assets.import_file(
            b"name,category,latitude,longitude\nBook Swap,group,51.5,-0.09\n",
            name="more.csv",
            source="more",
        )
        assert feed_names(ws, text="book") == ["Book Swap"]
    finally:
        other.close()


def test_a_search_inside_a_write_sees_its_own_changes(workspace):
    workspace.assets.import_file(CSV, name="assets.csv", source="test")
    assert feed_names(workspace, text="choir") == ["Otherby Choir"]
    choir = _one(workspace, "Otherby Choir")
    with workspace.write():
        workspace.assets.update(choir.id, version=choir.version, changes={"name": "New Voices"})
        assert feed_names(workspace, text="choir") == []
        assert feed_names(workspace, text="voices") == ["New Voices"]
    assert feed_names(workspace, text="voices") == ["New Voices"]


def test_searches_kept_from_many_threads_stay_right(sqlite_workspace):
    ws = sqlite_workspace
    ws.assets.import_file(CSV, name="assets.csv", source="test")
    expected = {w: ws.oruk.search(text=w).keys for w in ("library", "choir", "club", "quiet")}
    wrong: list[str] = []

    def ask() -> None:
        for _ in range(20):
            for word, keys in expected.items():
                if ws.as_actor("reader").oruk.search(text=word).keys != keys:
                    wrong.append(word)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def _rows(n: int) -> bytes:
    lines = ["id,name,category,latitude,longitude,description"]
    lines += [f"b{i},Bulk Hall {i},group,51.5,-0.09,Room number {i}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_a_large_import_indexes_its_words_after_storing_them(sqlite_workspace):
    ws = sqlite_workspace
    traced: list[str] = []
    raw_connections: list = []

    def trace(conn, _cursor, _statement, *_args) -> None:
        raw = conn.connection.dbapi_connection
        if all(raw is not known for known in raw_connections):
            raw.set_trace_callback(traced.append)
            raw_connections.append(raw)

    event.listen(ws.engine, "before_cursor_execute", trace)
    try:
        report = ws.assets.import_file(_rows(1500), name="bulk.csv", source="bulk")
    finally:
        event.remove(ws.engine, "before_cursor_execute", trace)
        for raw in raw_connections:
            raw.set_trace_callback(None)
    assert report.created == 1500
    # SQLite reports a statement again as each trigger of it runs: with the word index's insert
    # trigger every row was reported three times (4,500); now once each
    inserts = [s for s in traced if s.startswith("INSERT INTO assets (")]
    assert len(inserts) == 1500
    assert ws.oruk.search(text="bulk hall").total == 1500
    assert ws.oruk.search(text="number 1499").total == 1
    with ws.read() as connection:  # the index agrees with the table, and the trigger is back
        connection.exec_driver_sql(
            "INSERT INTO assets_words(assets_words, rank) VALUES ('integrity-check', 1)"
        )
    ws.assets.import_file(
        b"name,category,latitude,longitude\nLater Hall,group,51.5,-0.09\n", name="one.csv"
    )
    assert [a.name for a in ws.assets.search(text="later").items] == ["Later Hall"]


def test_the_cache_keeps_answers_up_to_its_number_of_ids():
    from mobilise.workspace.asset_records import AssetSearch
    from mobilise.workspace.asset_search_cache import MAX_KEPT_KEYS, SearchCache

    def answer(n: int) -> AssetSearch:
        return AssetSearch([], n, 1, 50, [(f"a{i}", 1) for i in range(n)])

    cache = SearchCache(None, limit=100)
    assert cache.version() is None  # no database file: nothing is kept
    cache.put("q", None, answer(10))
    assert cache.get("q", None) is None
    for number in range(5):
        cache.put(f"q{number}", 7, answer(30))  # 150 ids asked to be kept: the oldest go
    assert [cache.get(f"q{n}", 7) is not None for n in range(5)] == [False, False, True, True, True]
    assert cache.get("q4", 8) is None  # the data changed since
    cache.put("q4", 8, answer(50))  # kept again, in place of the older answer
    assert cache.get("q4", 7) is None and cache.get("q4", 8).total == 50
    assert cache.get("q2", 7) is None and cache.get("q3", 7) is not None  # 30 + 50 ids kept
    cache.put("whole feed", 8, answer(MAX_KEPT_KEYS + 1))
    assert cache.get("whole feed", 8) is None


def test_a_kept_feed_search_takes_no_connection(workspace):
    # A busy feed asks the same questions again and again: a kept answer is given from the
    # data version alone (was: a pooled connection taken, begun and rolled back every time).
    workspace.assets.import_file(CSV, name="assets.csv", source="test")
    first = workspace.oruk.search(text="library")
    connections: list[object] = []

    def record(connection, *_args) -> None:
        connections.append(connection)

    event.listen(workspace.engine, "engine_connect", record)
    try:
        again = workspace.as_actor("reader").oruk.search(text="library")
    finally:
        event.remove(workspace.engine, "engine_connect", record)
    assert again.keys == first.keys and again.total == 2
    if workspace.dialect == "sqlite":
        assert connections == []
    else:
        assert connections  # PostgreSQL: every search is made afresh


def test_the_data_version_is_read_while_the_cache_is_busy(sqlite_workspace):
    # The cache's lock is never held across a database call: a request waiting to take the
    # interpreter back while holding it made every other request of the worker queue behind
    # it (was: version() waited for the lock; here it would wait for ever).
    from mobilise.workspace.asset_search_cache import SHARED_CONNECTIONS, search_cache

    if not SHARED_CONNECTIONS:
        pytest.skip("this SQLite is not built to share a connection between threads")
    cache = search_cache(sqlite_workspace.engine)
    before = cache.version()
    read: list[int | None] = []
    with cache._lock:  # another thread keeping an answer, say
        reader = threading.Thread(target=lambda: read.append(cache.version()))
        reader.start()
        reader.join(timeout=30)
        assert read == [before]
    sqlite_workspace.assets.import_file(CSV, name="assets.csv", source="test")
    assert cache.version() != before  # and it still follows every change

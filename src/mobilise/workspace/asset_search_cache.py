"""Searches kept for as long as the database has not changed: the second layer of a busy feed.

A search of the ORUK feed reads the word index or the grid cells, ranks what it finds and counts
it (:mod:`.asset_search`): a few milliseconds around a postcode, some tens for a common word
matching thousands of assets. A busy feed is asked the same questions again and again (the
directory's usual words, the postcodes of one place), so :class:`SearchCache` keeps each answer
(a page of ids and versions and the count: never the assets themselves) under its question and
the database's *data version*, and answers again without reading anything while that version
holds.

The data version is SQLite's ``PRAGMA data_version``, asked on a connection of the cache's own
that never writes: it changes whenever any other connection (of this process, of another worker,
of a command run beside the server) commits a change to the database file, so a kept answer is
never older than the last change. It is read before the search whose answer is kept, so an answer
kept under a version saw at least every change made before it. A search inside an open write
(which would see changes not committed yet) is neither answered from the cache nor kept.

PostgreSQL has no such number (a change count would cost a read of the table per search), so
there every search is made afresh, as is every search of an in-memory SQLite database.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from mobilise.workspace.asset_records import AssetSearch

__all__ = ["MAX_KEPT_KEYS", "SearchCache", "search_cache"]

SHARED_CONNECTIONS = sqlite3.threadsafety == 3
"""Whether threads may share one SQLite connection (SQLite built serialised, as usual): then the
watcher is asked without the cache's lock. Holding a Python lock across the call made every
other request of the worker queue behind a thread waiting to take the GIL back (a convoy that
doubled the CPU a feed request cost at 20 clients)."""

MAX_KEPT_KEYS = 500
"""Answers with more ids than this (a whole feed at once) are not kept."""


class SearchCache:
    """The answers of one database's searches, per question, while its data version holds.

    Answers holding at most ``limit`` ids in all are kept, the oldest going first: some 100
    bytes an id, so about 20 MB for the default 200,000 (4,000 pages of 50).
    """

    def __init__(self, database: Path | None, *, limit: int = 200_000) -> None:
        self.database = database
        self.limit = limit
        self._answers: dict[Hashable, tuple[int, AssetSearch]] = {}
        self._kept = 0  # ids in the answers kept
        self._lock = threading.Lock()
        self._watcher: sqlite3.Connection | None = None

    def version(self) -> int | None:
        """The database's data version now, or None when it cannot be known (no caching)."""
        database = self.database
        if database is None:
            return None
        try:
            watcher = self._watcher
            if watcher is None:
                with self._lock:
                    if self._watcher is None:
                        self._watcher = sqlite3.connect(
                            f"{database.as_uri()}?mode=ro", uri=True, check_same_thread=False
                        )
                    watcher = self._watcher
            if SHARED_CONNECTIONS:  # SQLite serialises the threads on the connection itself
                return int(watcher.execute("PRAGMA data_version").fetchone()[0])
            with self._lock:
                return int(watcher.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:  # unreadable beside the engine: search afresh from now on
            self.database = None
            return None

    def get(self, question: Hashable, version: int | None) -> AssetSearch | None:
        """The answer kept for ``question`` at ``version``, if any."""
        if version is None:
            return None
        kept = self._answers.get(question)
        return kept[1] if kept is not None and kept[0] == version else None

    def put(self, question: Hashable, version: int | None, answer: AssetSearch) -> None:
        """Keep ``answer`` to ``question`` as of ``version`` (read before the search)."""
        if version is None or len(answer.keys) > MAX_KEPT_KEYS:
            return
        with self._lock:
            self._forget(question)
            while self._answers and self._kept + len(answer.keys) > self.limit:
                self._forget(next(iter(self._answers)))
            self._answers[question] = (version, answer)
            self._kept += len(answer.keys)

    def _forget(self, question: Hashable) -> None:
        kept = self._answers.pop(question, None)
        if kept is not None:
            self._kept -= len(kept[1].keys)

    def close(self) -> None:
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None


def _database_file(engine: Engine) -> Path | None:
    """The SQLite file of ``engine``; None for PostgreSQL and in-memory databases."""
    if engine.dialect.name != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    path = Path(name).resolve()
    return path if path.is_file() else None


_CACHES: weakref.WeakKeyDictionary[Engine, SearchCache] = weakref.WeakKeyDictionary()
"""The cache of each database, keyed by its engine (a workspace object lives for one request,
its engine for as long as the app)."""
_CACHES_LOCK = threading.Lock()


def search_cache(engine: Engine) -> SearchCache:
    """The search cache of the database behind ``engine``."""
    cache = _CACHES.get(engine)
    if cache is None:
        with _CACHES_LOCK:
            cache = _CACHES.get(engine)
            if cache is None:
                cache = _CACHES[engine] = SearchCache(_database_file(engine))
                weakref.finalize(engine, cache.close)
    return cache

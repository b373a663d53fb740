"""The write queue: this process's writers to one SQLite database take their turn in order.

SQLite lets one writer in at a time and the others poll for its lock; queued here, the next
writer goes in as soon as the last is done (see :func:`write_turn`). Used by every write of the
workspace (``workspace/core.py``) and by staged imports, which pause between transactions while
writers wait (``workspace/_staging.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

__all__ = ["GATE_WAIT_S", "write_turn", "writers_waiting"]

_GATES_LOCK = threading.Lock()
GATE_WAIT_S = 10.0  # as long as SQLite's own busy timeout


class _Gate:
    """A re-entrant lock that knows how many threads wait for it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()
        self.waiting = 0

    def acquire(self, timeout: float) -> bool:
        with self._count:
            self.waiting += 1
        try:
            return self._lock.acquire(timeout=timeout)
        finally:
            with self._count:
                self.waiting -= 1

    def release(self) -> None:
        self._lock.release()


def _gate(engine: Engine) -> _Gate:
    gate: _Gate | None = getattr(engine, "_mobilise_write_turn", None)
    if gate is None:
        with _GATES_LOCK:
            gate = getattr(engine, "_mobilise_write_turn", None)
            if gate is None:
                gate = _Gate()
                engine._mobilise_write_turn = gate  # type: ignore[attr-defined]
    return gate


def writers_waiting(engine: Engine) -> int:
    """How many writers of this process wait for their turn on ``engine`` (0 but on SQLite)."""
    if engine.dialect.name != "sqlite":
        return 0
    return _gate(engine).waiting


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """This process's writers to one SQLite database take their turn in a queue.

    SQLite lets one writer in at a time; the others poll for the lock (every 100 ms once they
    have waited a while), so after a short import transaction the writers that were kept
    waiting trickle in, each one poll apart, and a burst of them waits for seconds. Queued here
    (a lock per database), the next writer of this process goes in as soon as the last one is
    done. PostgreSQL locks rows, not the database: there, no queue. A writer that has waited
    :data:`GATE_WAIT_S` goes ahead to SQLite's own busy timeout, as before.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    gate = _gate(engine)
    taken = gate.acquire(timeout=GATE_WAIT_S)
    try:
        yield
    finally:
        if taken:
            gate.release()

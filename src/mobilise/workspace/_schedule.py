"""Work repeated on a schedule in a thread while ``mobilise serve`` runs (scheduled backups,
programme pulls): started and stopped with the server, and never stopping it when one round
fails (the failure is logged and the next round is tried on time)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

__all__ = ["Repeating"]

log = logging.getLogger(__name__)


class Repeating:
    """Runs :meth:`run_once` at :meth:`next_due`, then every ``every``, in a daemon thread."""

    def __init__(self, every: timedelta, *, name: str, what: str) -> None:
        self.every = every
        self._name = name  # the thread's name
        self._what = what  # what a failure is logged as
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def next_due(self) -> datetime:
        """When the first round is due (now, unless a subclass knows better)."""
        return datetime.now(UTC)

    def run_once(self) -> Any:
        raise NotImplementedError

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the schedule (a round under way is finished first, within ``timeout``)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        due = self.next_due()
        while not self._stop.wait(max(0.0, (due - datetime.now(UTC)).total_seconds())):
            try:
                self.run_once()
            except Exception:  # the server goes on; the next round is tried on time
                log.exception("%s failed", self._what)
            due = datetime.now(UTC) + self.every

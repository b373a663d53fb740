"""Python's cyclic garbage collector held off while a bulk import makes its objects.

Reading 100,000 asset rows makes millions of small containers (cells, records, their lists
and dicts) that live until the import ends. Each 700 of them start a collection of the young
objects, and ever so often a full one walks every object the process holds, all to find
reference cycles an import does not make: a quarter of a large import's time. While
:func:`collector_paused` is held, the collector does not run; objects are still freed as soon
as nothing refers to them (reference counting), and the collector runs again as usual after.

The collector is one per process: the pause is counted, so imports on several threads at once
each hold it, and the collector starts again when the last of them ends, as it was before the
first began (a process that had switched it off keeps it off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector off for the ``with`` block (see the module)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()

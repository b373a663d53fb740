"""Numpy's huge-page advice, switched off while the access pairs and measures run.

numpy advises the kernel to back every array of 4 MiB or more with transparent huge pages
(``madvise(MADV_HUGEPAGE)``). Where the kernel's THP ``defrag`` setting is ``madvise`` (the
default of many distributions), the first fault of such an array makes the kernel find a free
2 MiB page, compacting memory to get one; in a fresh process, the first run of England E2SFCA
from points (about 340 MB of pairs and weights, each touched once) spent 0.4-1.0 s of system
time there, against 0.2 s with plain pages. Arrays written once and read a few times gain little from
huge pages, so :func:`small_pages` asks numpy for plain pages while the catchment pairs and the
access measures allocate. It holds for every caller (CLI, web job workers, Python users) because
it wraps the public functions themselves.

The setting is numpy's, for the whole process: the first of any overlapping scopes (threads of a
web server) switches it off and the last to leave restores what it was, so concurrent calls never
leave it off. Where numpy has no such switch (or a future one moves it), nothing changes.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_before = True


def _switch() -> Callable[[bool], bool] | None:
    """numpy's own switch (it returns the value it replaces), or None where there is none."""
    for name in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found = getattr(module, "_set_madvise_hugepage", None)
        return found if callable(found) else None
    return None


_set_hugepage = _switch()


@contextmanager
def small_pages() -> Iterator[None]:
    """Numpy's huge-page advice off inside the ``with`` block (or decorated function), restored
    after it, also after an error."""
    global _depth, _before
    switch = _set_hugepage
    if switch is None:
        yield
        return
    with _lock:
        if _depth == 0:
            _before = bool(switch(False))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                switch(_before)

"""The straight-line pair search: every origin-destination pair within a radius, written once.

Origins sorted by x are cut into strips; each strip's k-d tree is searched against the
destinations' (``cKDTree.sparse_distance_matrix``), on threads, and each strip's pairs are copied
into the output as soon as they are found, so only a few strips' records live at once and their
memory is reused. The output grows from an estimate without being touched beyond what is
written, and is cut to length at the end without a copy (``ndarray.resize``: ``realloc``).

A fresh process pays for every page it touches the first time, so pages touched, not copies
avoided, set the first run's time: the old search kept every strip's 24-byte records (and their
growth) alive until all were found, then copied them out.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from mobilise.analysis._checks import FloatArray

PositionArray = npt.NDArray[np.int32]
Records = npt.NDArray[np.void]  # fields i (strip position), j (destination), v (distance)

# A fixed strip count keeps the order of the pairs the same on every machine.
STRIPS = 64
STRIPS_FROM = 4096  # fewer origins are searched in one piece


class _Pairs:
    """Three output arrays filled strip by strip; the capacity grows by estimate."""

    def __init__(self, n_strips: int) -> None:
        self.n_strips = n_strips
        self.done = 0
        self.size = 0
        self.origin = np.empty(0, np.int32)
        self.destination = np.empty(0, np.int32)
        self.cost = np.empty(0, np.float64)

    def add(self, strip: PositionArray, found: Records) -> None:
        self.done += 1
        start, stop = self.size, self.size + len(found)
        if stop > len(self.cost):
            # The strips so far scaled to all of them, twice over (the first strip, at the edge,
            # finds about half as many pairs as one in the middle): room left untouched costs no
            # memory, and a guess too small costs one copy of what is written so far.
            self._grow(max(stop * 3 // 2, 2 * stop * self.n_strips // self.done))
        np.take(strip, found["i"], out=self.origin[start:stop], mode="clip")
        self.destination[start:stop] = found["j"]
        self.cost[start:stop] = found["v"]
        self.size = stop

    def _grow(self, capacity: int) -> None:
        for name, dtype in (("origin", np.int32), ("destination", np.int32), ("cost", np.float64)):
            old = getattr(self, name)
            new = np.empty(capacity, dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)

    def arrays(self) -> tuple[PositionArray, PositionArray, FloatArray]:
        for array in (self.origin, self.destination, self.cost):
            if len(array) != self.size:
                array.resize(self.size, refcheck=False)  # ours alone: no view of it is left
        return self.origin, self.destination, self.cost


def points_within(
    origin_xy: FloatArray, destination_xy: FloatArray, radius: float, workers: int | None
) -> tuple[PositionArray, PositionArray, FloatArray]:
    """Positions of origin and destination and the distance of every pair within ``radius``."""
    if len(origin_xy) == 0 or len(destination_xy) == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float64)
    destination_tree = cKDTree(destination_xy)
    n_strips = 1 if len(origin_xy) < STRIPS_FROM else STRIPS
    order = np.argsort(origin_xy[:, 0], kind="stable").astype(np.int32)
    strips: list[PositionArray] = np.array_split(order, n_strips)

    def search(strip: PositionArray) -> Records:
        found: Records = cKDTree(origin_xy[strip]).sparse_distance_matrix(
            destination_tree, radius, output_type="ndarray"
        )
        return found

    pairs = _Pairs(n_strips)
    threads = min(n_strips, workers or os.cpu_count() or 1)
    if threads == 1:
        for strip in strips:
            pairs.add(strip, search(strip))
        return pairs.arrays()
    _let_threads_keep_their_memory()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for strip, found in _in_order(pool, search, strips, ahead=2 * threads):
            pairs.add(strip, found)
            del found  # its records go before the next strip's are taken
    return pairs.arrays()


@cache
def _let_threads_keep_their_memory() -> None:
    """Free one large block, once, so that the C allocator keeps the threads' memory.

    glibc's ``malloc`` raises its thresholds to the size of the largest block freed (up to
    32 MiB): below the mmap threshold a block comes from an arena, and an arena keeps up to twice
    that free before giving pages back. Until then a thread's arena gives back (and touches
    afresh) each strip's records, three pages touched for every page of pairs in a fresh process
    instead of 1.1-1.4. The block is never written, so it costs no page; elsewhere it is a no-op.
    """
    block = np.empty(30 * 2**20, np.uint8)  # under 32 MiB: larger blocks leave them be
    del block


def _in_order(
    pool: ThreadPoolExecutor,
    search: Callable[[PositionArray], Records],
    strips: Sequence[PositionArray],
    *,
    ahead: int,
) -> Iterator[tuple[PositionArray, Records]]:
    """Each strip with its records, in order, with at most ``ahead`` searches running or done
    and waiting, so the records held at once stay a few strips' worth."""
    pending: deque[tuple[PositionArray, Future[Records]]] = deque()
    for strip in strips:
        pending.append((strip, pool.submit(search, strip)))
        if len(pending) >= ahead:
            waiting, future = pending.popleft()
            yield waiting, future.result()
    while pending:
        waiting, future = pending.popleft()
        yield waiting, future.result()

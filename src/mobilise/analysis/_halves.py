"""Millions of pairs worked in two halves, one on a second thread, where there is a second core.

Reading a cost table and the access measures it feeds each take a few hundredths of a second on
3.5 million pairs, and numpy's sort and scipy's sparse products release the GIL while they run:
on two cores, half the pairs can be sorted, or summed, while the other half is. The halves are
cut at the same place however many cores there are, and small inputs are never cut, so a result
never depends on the machine: two cores only change how soon it comes.

A thread is started for each call (a tenth of a millisecond) rather than kept in a pool: a pool
made before a job worker forks would be a pool of threads that no longer exist in the child.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")

CUT_FROM = 1 << 18
"""Work on fewer pairs than this is done whole: a thread would cost more than it saves."""


def halves(n: int) -> tuple[slice, ...]:
    """The two halves of ``n`` pairs, or the whole where there are too few to cut."""
    if n < CUT_FROM:
        return (slice(0, n),)
    middle = n // 2
    return slice(0, middle), slice(middle, n)


@cache
def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def at_once(
    first: Callable[[], A], second: Callable[[], B], *, pairs: int = CUT_FROM
) -> tuple[A, B]:
    """``first()`` on a new thread while ``second()`` runs on this one, and both results; one
    after the other where there is one core or the work is on fewer than :data:`CUT_FROM`
    ``pairs``. An error in either is raised once both are done, ``first``'s before
    ``second``'s."""
    if pairs < CUT_FROM or _cores() < 2:
        return first(), second()
    outcome: list[A] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(first())
        except BaseException as error:  # raised again on the calling thread
            failure.append(error)

    thread = threading.Thread(target=run, name="mobilise-half", daemon=True)
    thread.start()
    try:
        theirs = second()
    except BaseException:
        thread.join()
        if failure:
            raise failure[0] from None
        raise
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0], theirs


def on_halves(n: int, work: Callable[[slice], A]) -> list[A]:
    """``work`` on each half of ``n`` pairs at once, in order (the whole, where too few to
    cut)."""
    cuts = halves(n)
    if len(cuts) == 1:
        return [work(cuts[0])]
    return list(at_once(lambda: work(cuts[0]), lambda: work(cuts[1])))

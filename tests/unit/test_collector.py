"""A bulk import holds Python's cyclic garbage collector off while it makes its objects, and
leaves it as it found it (issue 17: the 100,000-asset import, a quarter of whose time the
collector took)."""

from __future__ import annotations

import gc
import threading

import pytest

from mobilise.formats.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> None:
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: still off when the inner one ends
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a bad file")
    assert gc.isenabled()


def test_a_process_that_switched_it_off_keeps_it_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_imports_on_two_threads_each_hold_the_pause() -> None:
    first_in, second_done, first_saw = threading.Event(), threading.Event(), []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_done.wait(10)
            first_saw.append(gc.isenabled())

    def second() -> None:
        first_in.wait(10)
        with collector_paused():
            pass
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert first_saw == [False]  # the second import's end did not start it under the first
    assert gc.isenabled()

"""The live feed of a systems map's changes (mobilise.web.map_push), without a server."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from mobilise.web.map_push import MapBroker


def _events(after: int) -> list[dict]:
    return []


@pytest.mark.parametrize("steps", range(6))
def test_a_feed_stops_even_when_woken_as_it_is_stopped(steps):
    # Python 3.11's asyncio.wait_for lost a cancellation that came just as its wait ended:
    # a change stored as the last viewer left kept the feed (and the viewer's response) alive
    async def scenario() -> None:
        broker = MapBroker(poll_s=0.5)
        feed = await broker.join("m", _events, lambda: 0)
        await asyncio.sleep(0.01)  # the feed now waits for news
        broker.notify("m")
        for _ in range(steps):
            await asyncio.sleep(0)
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(broker.leave("m", feed), timeout=3)
        assert asyncio.get_running_loop().time() - started < 1.0
        assert broker.watched("m") == 0 and not feed.running

    # in a thread of its own: the browser tests' Playwright keeps an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=30)

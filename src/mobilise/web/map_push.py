"""Server push of systems-map changes to everyone who has the map open (server-sent events).

Every change is stored first (with the map's next revision, see
:mod:`mobilise.workspace.maps`); the stream then reads the stored events after the last revision
it sent, so a client never misses or reorders a change, and one that reconnects with
``Last-Event-ID`` (or ``?after=``) catches up from where it was. A change made through this
process wakes the streams of its map at once; a change made elsewhere (another worker, the CLI)
is found by a check every ``poll_s`` seconds.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

__all__ = ["MapBroker", "event_stream"]

KEEPALIVE_S = 15.0


class MapBroker:
    """Wakes the streams of a map when it changes (within this process)."""

    def __init__(self) -> None:
        self._events: dict[str, set[asyncio.Event]] = {}

    def notify(self, map_id: str) -> None:
        """Call on the event loop after a change to ``map_id`` is stored."""
        for waiter in self._events.get(map_id, ()):
            waiter.set()

    def listen(self, map_id: str) -> asyncio.Event:
        waiter = asyncio.Event()
        self._events.setdefault(map_id, set()).add(waiter)
        return waiter

    def leave(self, map_id: str, waiter: asyncio.Event) -> None:
        listeners = self._events.get(map_id)
        if listeners is not None:
            listeners.discard(waiter)
            if not listeners:
                del self._events[map_id]

    def listeners(self, map_id: str) -> int:
        return len(self._events.get(map_id, ()))


async def event_stream(
    broker: MapBroker,
    map_id: str,
    read_events: Callable[[int], list[dict[str, Any]]],
    *,
    after: int,
    is_disconnected: Callable[[], Any],
    poll_s: float = 0.5,
) -> AsyncIterator[str]:
    """Server-sent events: one ``change`` event per stored change after revision ``after``."""
    waiter = broker.listen(map_id)
    last = after
    quiet = 0.0
    try:
        yield "retry: 1000\n\n"
        while True:
            waiter.clear()
            events = await run_in_threadpool(read_events, last)
            for event in events:
                last = event["revision"]
                data = json.dumps(event, separators=(",", ":"))
                yield f"id: {last}\nevent: change\ndata: {data}\n\n"
            if events:
                quiet = 0.0
                continue  # there may be more than one page
            if await is_disconnected():
                return
            try:
                await asyncio.wait_for(waiter.wait(), timeout=poll_s)
            except TimeoutError:
                quiet += poll_s
                if quiet >= KEEPALIVE_S:
                    quiet = 0.0
                    yield ": keep-alive\n\n"
    finally:
        broker.leave(map_id, waiter)

"""Server push of systems-map changes to everyone who has the map open (server-sent events).

Every change is stored first (with the map's next revision, see
:mod:`mobilise.workspace.maps`). For each map someone is watching, one *feed* reads the stored
events after the last revision it has and keeps the recent ones in memory; every open stream of
the map sends from that feed. So fifty people watching a map cost one database read per change,
not fifty, and a stream never misses or reorders a change: it follows revisions, and one that
(re)connects with ``Last-Event-ID`` (or ``?after=``) first catches up from the database.

A change made through this process wakes its map's feed at once (:meth:`MapBroker.notify`); a
change made elsewhere (another worker, the CLI) is found by a check every ``poll_s`` seconds.

Who may watch is checked when a stream starts, again whenever a change of who may see the map
(its visibility, its share link) passes through the feed, and at each keep-alive: a viewer who
may no longer see the map receives ``closed`` and nothing after it.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool

from mobilise.errors import NotFound

__all__ = ["MapBroker", "MapFeed", "event_stream", "public_event"]

log = logging.getLogger("mobilise.web")

KEEPALIVE_S = 15.0
PAGE = 500  # events read at a time
KEPT = 2_000  # recent events a feed keeps in memory
ACCESS_ENTITIES = ("share", "visibility")  # changes of who may see the map

ReadEvents = Callable[[int], list[dict[str, Any]]]  # events after a revision, oldest first


class MapFeed:
    """The stored changes of one map, read once for all its streams."""

    def __init__(self, read_events: ReadEvents, revision: int, poll_s: float) -> None:
        self.read_events = read_events
        self.last = revision  # the newest revision read
        self.events: list[dict[str, Any]] = []  # recent events, by revision
        self.texts: list[str] = []  # the same events as server-sent event text
        self.public_texts: list[str] = []  # as a read-only share screen sees them
        self.closed = False  # the map was deleted: streams end
        self.access_revision = 0  # the newest change of who may see the map
        self.changed = asyncio.Condition()
        self.dirty = asyncio.Event()
        self.streams = 0
        self._poll_s = poll_s
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        # The flag as well as the cancel: Python 3.11's asyncio.wait_for could lose a
        # cancellation that came just as its wait ended (a change stored as the last viewer
        # left), and the feed then ran on, holding up that viewer's response for good.
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        failures = 0
        while not self.closed and not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_s):
                    await self.dirty.wait()
            self.dirty.clear()
            try:
                await self._read()
                failures = 0
            except NotFound:  # the map was deleted
                self.closed = True
                async with self.changed:
                    self.changed.notify_all()
            except Exception:  # a database hiccup must not silence the map for good
                failures += 1
                log.exception("Could not read the changes of a systems map")
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))

    async def _read(self) -> None:
        while True:
            found = await run_in_threadpool(self.read_events, self.last)
            if not found:
                return
            self.events.extend(found)
            for event in found:
                if event["entity_type"] in ACCESS_ENTITIES:
                    self.access_revision = int(event["revision"])
            self.texts.extend(_sse(event) for event in found)  # encoded once for all streams
            self.public_texts.extend(_sse(public_event(event)) for event in found)
            del self.events[:-KEPT]
            del self.texts[:-KEPT]
            del self.public_texts[:-KEPT]
            self.last = found[-1]["revision"]
            async with self.changed:
                self.changed.notify_all()
            if len(found) < PAGE:
                return

    def after(self, revision: int, *, public: bool = False) -> tuple[int, str] | None:
        """The kept events after ``revision`` as one text, with the last one's revision;
        ``None`` when some of them are no longer kept."""
        if revision >= self.last:
            return revision, ""
        first = self.events[0]["revision"] if self.events else self.last + 1
        if first > revision + 1:
            return None
        start = bisect.bisect_right(self.events, revision, key=lambda e: int(e["revision"]))
        return self.last, "".join((self.public_texts if public else self.texts)[start:])


class MapBroker:
    """The feeds of the maps being watched in this process."""

    def __init__(self, poll_s: float = 0.5) -> None:
        self._feeds: dict[str, MapFeed] = {}
        self._poll_s = poll_s

    def notify(self, map_id: str) -> None:
        """Call on the event loop after a change to ``map_id`` is stored."""
        feed = self._feeds.get(map_id)
        if feed is not None:
            feed.dirty.set()

    async def join(
        self, map_id: str, read_events: ReadEvents, revision: Callable[[], int]
    ) -> MapFeed:
        feed = self._feeds.get(map_id)
        if feed is None:
            feed = MapFeed(read_events, await run_in_threadpool(revision), self._poll_s)
            if map_id in self._feeds:  # another stream made it while we read the revision
                feed = self._feeds[map_id]
            else:
                self._feeds[map_id] = feed
                feed.start()
        feed.streams += 1
        return feed

    async def leave(self, map_id: str, feed: MapFeed) -> None:
        feed.streams -= 1
        if feed.streams == 0 and self._feeds.get(map_id) is feed:
            del self._feeds[map_id]
            await feed.stop()

    def watched(self, map_id: str) -> int:
        feed = self._feeds.get(map_id)
        return feed.streams if feed is not None else 0


async def event_stream(
    broker: MapBroker,
    map_id: str,
    read_events: ReadEvents,
    revision: Callable[[], int],
    *,
    after: int,
    still_allowed: Callable[[], bool],
    public: bool = False,
) -> AsyncIterator[str]:
    """Server-sent events: one ``change`` event per stored change after revision ``after``.

    ``still_allowed`` says whether the viewer may still see the map; it is asked when a change
    of who may see the map passes and at each keep-alive, and once it says no the stream sends
    ``closed`` and ends. ``public`` makes it a read-only share screen's stream: changes as
    :func:`public_event` gives them. Every stream ends with ``closed`` when the map is deleted,
    and starts with ``reset`` when it asks for revisions the map never had (the page should
    reload).
    """
    feed = await broker.join(map_id, read_events, revision)
    last = after
    checked = feed.access_revision
    gone = "The share link was withdrawn." if public else "You can no longer see this map."
    try:
        yield "retry: 1000\n\n"
        if last > feed.last:
            last = feed.last
            yield _named("reset", {"revision": last})
        while True:
            if feed.closed:
                yield _named("closed", {"reason": "The map was deleted."})
                return
            if feed.access_revision > max(checked, last):
                checked = feed.access_revision
                if not await run_in_threadpool(still_allowed):
                    yield _named("closed", {"reason": gone})
                    return
            kept = feed.after(last, public=public)
            if kept is None:  # further back than the feed keeps: from the database
                try:
                    older = await run_in_threadpool(read_events, last)
                except NotFound:  # the map was deleted: the feed says so and the stream ends
                    await asyncio.sleep(0.1)
                    continue
                except Exception:  # a database hiccup must not end the stream: try again
                    log.exception("Could not read the older changes of a systems map")
                    await asyncio.sleep(1.0)
                    continue
                access = any(e["entity_type"] in ACCESS_ENTITIES for e in older)
                if access and not await run_in_threadpool(still_allowed):
                    yield _named("closed", {"reason": gone})
                    return
                if older:
                    last = older[-1]["revision"]
                    yield "".join(_sse(public_event(e) if public else e) for e in older)
                continue
            if kept[1]:
                last = kept[0]
                yield kept[1]  # everything new in one write
                continue
            if not await _wait_for_news(feed, last):
                if not await run_in_threadpool(still_allowed):
                    yield _named("closed", {"reason": gone})
                    return
                yield ": keep-alive\n\n"
    finally:
        await broker.leave(map_id, feed)


PUBLIC_ENTITIES = ("map", "factor", "link", "vote", "share")
_PRIVATE_FIELDS = ("participant_id", "created_by", "updated_by", "deleted_by")


def public_event(event: dict[str, Any]) -> dict[str, Any]:
    """A change as a read-only share screen may see it: the map, its factors and links and vote
    tallies, with nothing of who made them (no participants, no comments, no user names)."""
    if event["entity_type"] not in PUBLIC_ENTITIES:
        return {"revision": event["revision"], "entity_type": "hidden", "action": "none"}
    payload = {k: v for k, v in event["payload"].items() if k not in _PRIVATE_FIELDS}
    return {
        "revision": event["revision"],
        "at": event["at"],
        "action": event["action"],
        "entity_type": event["entity_type"],
        "entity_id": event["entity_id"],
        "payload": payload,
    }


def _named(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _sse(event: dict[str, Any]) -> str:
    data = json.dumps(event, separators=(",", ":"), allow_nan=False)
    return f"id: {event['revision']}\nevent: change\ndata: {data}\n\n"


async def _wait_for_news(feed: MapFeed, last: int) -> bool:
    """Wait until the feed has a revision after ``last``; False after the keep-alive time."""
    async with feed.changed:
        try:
            async with asyncio.timeout(KEEPALIVE_S):
                await feed.changed.wait_for(lambda: feed.last > last or feed.closed)
        except TimeoutError:
            return False
    return True

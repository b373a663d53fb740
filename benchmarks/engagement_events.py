"""The events page with 2,000 events (issue 15's target: under 300 ms).

A fresh SQLite workspace with two places and 2,000 seeded engagement events over three years
(every kind, half public, a venue address, a capacity on most) and 3,000 registrations on 150
of them, made through ``ws.events`` as users make them. The pages are asked through FastAPI's
TestClient in this process (the app's whole stack: middleware, routes, the workspace, the
templates), in local mode (an admin, every event) and in shared mode as an anonymous visitor
(public events only): the calendar (``/events``: upcoming, past, all, a place, a late page)
and the JSON list. Each is asked 5 times to warm up, then 30 times; the table shows the median
and the 90th percentile. The calendar shows 50 events a page with the total, so its cost does
not grow with the number of events beyond the count and the index scan.

Run with ``.venv/bin/python benchmarks/engagement_events.py``.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from mobilise import open_workspace
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.settings import Settings
from mobilise.web.app import create_app

EVENTS, REGISTERED_EVENTS, PER_EVENT = 2_000, 150, 20
SEED = 15
TARGET_MS = 300
PLACES = ("northamptonshire", "inner-north-east-london")


def build(path: Path) -> None:
    rng = random.Random(SEED)
    ws = open_workspace(path, actor="benchmark")
    for slug in PLACES:
        ws.places.create(slug, slug.replace("-", " ").title())
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    kinds = list(EVENT_KINDS)
    made = []
    began = time.perf_counter()
    for n in range(EVENTS):
        begins = start + timedelta(days=rng.randrange(3 * 365), hours=rng.randrange(10))
        made.append(
            ws.events.create(
                kind=rng.choice(kinds),
                title=f"Illustrative event {n + 1}",
                place=rng.choice(PLACES),
                starts_at=begins,
                ends_at=begins + timedelta(hours=2),
                venue_address=f"{rng.randrange(1, 200)} High Street",
                capacity=rng.choice([None, 20, 30, 40]),
                public=n % 2 == 0,
            ).id
        )
    people = [ws.participants.add(illustrative=True).id for _ in range(PER_EVENT * 3)]
    for event_id in rng.sample(made, REGISTERED_EVENTS):
        for person in rng.sample(people, PER_EVENT):
            ws.events.register(event_id, person)
    print(
        f"built {EVENTS:,} events, {REGISTERED_EVENTS * PER_EVENT:,} registrations in "
        f"{time.perf_counter() - began:.1f} s"
    )
    ws.close()


def timed(client: TestClient, url: str) -> tuple[float, float]:
    for _ in range(5):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(30):
        began = time.perf_counter()
        answer = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.sqlite"
        build(path)
        ws = open_workspace(path, actor="benchmark")
        local = TestClient(
            create_app(Settings(host="127.0.0.1", user="bench"), workspace=ws),
            base_url="http://127.0.0.1:8765",
            client=("127.0.0.1", 50000),
        )
        shared = TestClient(
            create_app(
                Settings(host="0.0.0.0", secret_key="a-long-random-benchmark-secret-0123456789"),
                workspace=ws,
            ),
            base_url="https://testserver",
        )
        cases = [
            ("admin", local, "/events"),
            ("admin", local, "/events?when=past"),
            ("admin", local, "/events?when=all"),
            ("admin", local, "/events?when=all&place=northamptonshire"),
            ("admin", local, "/events?when=all&page=40"),
            ("admin", local, "/api/v1/events?limit=50"),
            ("anonymous", shared, "/events?when=all"),
            ("anonymous", shared, "/api/v1/events?limit=50"),
        ]
        print(f"\n{'who':<10} {'page':<44} {'median ms':>10} {'p90 ms':>8}  target {TARGET_MS} ms")
        worst = 0.0
        for who, client, url in cases:
            median, p90 = timed(client, url)
            worst = max(worst, median)
            print(f"{who:<10} {url:<44} {median:>10.1f} {p90:>8.1f}")
        print(f"\nslowest median {worst:.1f} ms: {'met' if worst < TARGET_MS else 'MISSED'}")
        ws.close()


if __name__ == "__main__":
    main()

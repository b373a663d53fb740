""" "You said, we did": a place's public page with 1,000 actions, through FastAPI's TestClient on
SQLite.

The workspace (a temporary SQLite file) holds one place with 40 themes, 1,000 public actions
(each answering one or two themes; a third done, some overdue), 400 feedback items, and a café
whose 600 contributions are coded with the themes: 300 quotes by 300 people who consented, 300
table notes. The page, its JSON and its Atom feed are each asked for 20 times after a warm-up;
the table shows the median and the slowest answer, and the size of the answer.

Target (issue 16): the public page with 1,000 actions under 300 ms.

Run with ``.venv/bin/python benchmarks/you_said.py`` (``--actions N`` for another size).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from mobilise import open_workspace
from mobilise.settings import Settings
from mobilise.store.records import insert_record
from mobilise.store.tables import (
    action_themes,
    actions,
    codings,
    event_contributions,
    feedback_items,
    themes,
)
from mobilise.web.app import create_app

SEED = 20_261_206
RUNS = 20
TARGET_MS = 300.0
SLUG = "benchtown"


def build(ws, n_actions: int) -> None:  # type: ignore[no-untyped-def]
    """The place, themes, people, a café and the actions (written in bulk: set-up, not timed)."""
    rng = random.Random(SEED)
    ws.places.create(SLUG, "Benchtown")
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    event = ws.events.create(
        kind="world_cafe",
        title="Bench café",
        place=SLUG,
        starts_at=datetime(2026, 3, 1, 10, tzinfo=UTC),
        ends_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    people = []
    for _ in range(300):
        person = ws.participants.add(place=SLUG)
        ws.consent.give(
            person.id,
            information_sheet=sheet.id,
            method="paper",
            scopes={"take_part": True, "quote": "anonymous"},
        )
        people.append(person.id)
    with ws.write() as connection:

        def put(table, values, kind):  # type: ignore[no-untyped-def]
            return insert_record(connection, table, values, actor="bench", entity_type=kind)["id"]

        theme_ids = [
            put(themes, {"name": f"Theme {i}", "place_slug": SLUG, "position": i}, "theme")
            for i in range(40)
        ]
        for i in range(600):
            said = {"event_id": event.id, "kind": "quote" if i < 300 else "note"}
            if i < 300:
                said |= {"participant_id": people[i], "text": f"Quote number {i} about the park"}
            else:
                said |= {"group_label": f"Table {i % 5 + 1}", "text": f"Table note {i}"}
            contribution = put(event_contributions, said, "event contribution")
            put(
                codings,
                {"contribution_id": contribution, "theme_id": rng.choice(theme_ids), "coder": "a"},
                "coding",
            )
        start = date(2026, 3, 1)
        for i in range(n_actions):
            status = ("planned", "in_progress", "done")[i % 3]
            action = put(
                actions,
                {
                    "title": f"Action {i}",
                    "description": f"What action {i} will do for the neighbourhood.",
                    "place_slug": SLUG,
                    "status": status,
                    "due_on": start + timedelta(days=rng.randrange(0, 400)),
                    "done_on": start + timedelta(days=30) if status == "done" else None,
                    "evidence": f"Evidence of action {i}" if status == "done" else "",
                },
                "action",
            )
            for theme in rng.sample(theme_ids, rng.choice((1, 2))):
                put(action_themes, {"action_id": action, "theme_id": theme}, "action theme")
            if i % 5 < 2:
                put(
                    feedback_items,
                    {
                        "action_id": action,
                        "place_slug": SLUG,
                        "shared_on": start + timedelta(days=rng.randrange(10, 200)),
                        "channel": "newsletter",
                        "summary": f"News of action {i}",
                    },
                    "feedback item",
                )


def timed(client: TestClient, path: str) -> tuple[float, float, int]:
    client.get(path)  # warm-up
    times = []
    size = 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        size = len(response.content)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=1_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "bench.sqlite", actor="bench")
        try:
            started = time.perf_counter()
            build(ws, options.actions)
            print(f"set-up: {options.actions:,} actions in {time.perf_counter() - started:.1f} s")
            app = create_app(Settings(host="127.0.0.1", user="bench"), workspace=ws)
            client = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 5))
            print(f"{'answer':<34} {'median ms':>10} {'slowest ms':>11} {'bytes':>10}")
            for label, path in (
                ("public page (HTML)", f"/places/{SLUG}/you-said-we-did"),
                ("feed (JSON)", f"/api/v1/places/{SLUG}/you-said-we-did"),
                ("feed (Atom)", f"/places/{SLUG}/you-said-we-did.atom"),
            ):
                median, slowest, size = timed(client, path)
                print(f"{label:<34} {median:>10.1f} {slowest:>11.1f} {size:>10,}")
                if label.startswith("public page"):
                    verdict = "met" if median < TARGET_MS else "NOT met"
                    print(f"{'':<34} target < {TARGET_MS:.0f} ms: {verdict}")
        finally:
            ws.close()


if __name__ == "__main__":
    main()

"""A served app freezes its heap once started and collects its young objects less often
(``mobilise.serve.settled``): each full collection of a busy worker walked the app's 240,000
objects while every request waited (benchmarks/bench_assets.py, issue 17's p95 target)."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient

from mobilise.serve import YOUNG_OBJECTS, settled
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .conftest import LOCAL


def test_a_served_app_freezes_its_heap_and_collects_young_objects_less_often(workspace) -> None:
    threshold = gc.get_threshold()
    gc.unfreeze()
    try:
        app = settled(create_app(Settings(), workspace=workspace))
        assert gc.get_freeze_count() == 0  # nothing happens until the app starts
        with TestClient(app, **LOCAL) as client:  # runs the app's start-up (its lifespan)
            frozen = gc.get_freeze_count()
            assert frozen > 10_000  # the app and the libraries: never walked again
            assert gc.get_threshold()[0] == max(threshold[0], YOUNG_OBJECTS)
            assert gc.get_threshold()[1:] == threshold[1:]
            assert client.get("/oruk/services?search=library").status_code == 200
            gc.collect()  # a full collection still runs, over what came after
            assert gc.get_freeze_count() > frozen // 2  # (a frozen object freed leaves it)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)

"""Searches around a point (grid cells, a covering index, pages) against a brute-force answer,
and the cell that every way of placing an asset keeps with its position (SQLite and PostgreSQL)."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from sqlalchemy import select

from mobilise.geo import grid_cell
from mobilise.store.tables import assets
from mobilise.workspace.asset_duplicates import DuplicateService
from mobilise.workspace.assets import distance_m

CENTRE = (-0.09, 51.505)


@pytest.fixture
def scattered(workspace, tmp_path):
    """300 assets scattered over about 14 km by 11 km, three of them at one spot."""
    rng = random.Random(7)
    rows = [
        (f"Asset {i:03d}", -0.19 + rng.random() * 0.2, 51.455 + rng.random() * 0.1, f"s{i}")
        for i in range(297)
    ]
    rows += [(f"Same spot {c}", -0.0887, 51.5061, f"t{c}") for c in "cab"]
    frame = pd.DataFrame(rows, columns=["name", "lon", "lat", "source_id"])
    frame["category"] = "community_space"
    path = tmp_path / "scattered.csv"
    frame.to_csv(path, index=False)
    assert workspace.assets.import_file(path, source="test").created == 300
    return workspace


def expected_near(workspace, radius):
    every = workspace.assets.search(per_page=1000).items
    found = [(distance_m(*CENTRE, a.lon, a.lat), a.name, a.id) for a in every]
    return [asset_id for d, _, asset_id in sorted(found) if d <= radius]


@pytest.mark.parametrize("radius", [30, 400, 2_500, 30_000])  # 30 km: a box, not cells
def test_search_around_a_point_matches_brute_force(scattered, radius):
    expected = expected_near(scattered, radius)
    found = scattered.assets.search(near=CENTRE, radius_m=radius, per_page=1000)
    assert [a.id for a in found.items] == expected
    assert found.total == len(expected)
    assert all(a.distance_m is not None and a.distance_m <= radius + 0.1 for a in found.items)
    page_two = scattered.assets.search(near=CENTRE, radius_m=radius, per_page=7, page=2)
    assert [a.id for a in page_two.items] == expected[7:14]
    assert page_two.total == len(expected)
    assert page_two.keys == [(a.id, a.version) for a in page_two.items]


def test_same_distance_ties_go_by_name_and_pages_past_the_end_keep_the_total(scattered):
    found = scattered.assets.search(near=(-0.0887, 51.5061), radius_m=5, per_page=10)
    assert [a.name for a in found.items] == ["Same spot a", "Same spot b", "Same spot c"]
    beyond = scattered.assets.search(near=(-0.0887, 51.5061), radius_m=5, page=3, per_page=2)
    assert (beyond.items, beyond.total) == ([], 3)
    keys_only = scattered.assets.search(near=(-0.0887, 51.5061), radius_m=5, load=False)
    assert keys_only.items == [] and [k for k, _ in keys_only.keys] == [a.id for a in found.items]


def test_get_many_keeps_the_order_asked_and_leaves_out_deleted(scattered):
    a, b, c = scattered.assets.search(text="same spot").items
    scattered.assets.delete(b.id)
    assert [x.id for x in scattered.assets.get_many([c.id, b.id, a.id, "nope"])] == [c.id, a.id]


def stored_cells(workspace):
    with workspace.read() as connection:
        rows = connection.execute(select(assets.c.name, assets.c.lon, assets.c.lat, assets.c.cell))
        return {r.name: (r.cell, grid_cell(r.lon, r.lat)) for r in rows}


def test_every_way_of_placing_an_asset_keeps_its_cell(register, tmp_path):
    ws = register
    assert all(kept == expected for kept, expected in stored_cells(ws).values())
    moved, by_postcode = ws.assets.search(per_page=2).items
    ws.assets.update(moved.id, version=moved.version, changes={"lon": -0.0801, "lat": 51.5102})
    ws.assets.update(by_postcode.id, version=by_postcode.version, changes={"postcode": "TT1 1AB"})
    cells = stored_cells(ws)
    assert cells[moved.name][0] == grid_cell(-0.0801, 51.5102)
    assert cells[by_postcode.name][0] == grid_cell(-0.0849, 51.5049)  # TT1 1AB's point
    # A merge into an asset with no position gives it the other's position, cell and all.
    path = tmp_path / "halls.csv"
    pd.DataFrame(
        {
            "name": ["Old Hall", "Old Hall (new)"],
            "category": "community_space",
            "address": ["1 High Street", ""],
            "lon": [None, -0.0901],
            "lat": [None, 51.5044],
            "source_id": ["h1", "h2"],
        }
    ).to_csv(path, index=False)
    ws.assets.import_file(path, source="halls")
    keep, gone = (ws.assets.search(text=n, per_page=5).items[0] for n in ("Old Hall", "(new)"))
    assert stored_cells(ws)["Old Hall"][0] is None
    DuplicateService(ws).merge(keep.id, gone.id)
    assert stored_cells(ws)["Old Hall"][0] == grid_cell(-0.0901, 51.5044)
    ws.assets.update(keep.id, version=ws.assets.get(keep.id).version, changes={"lon": None})
    assert stored_cells(ws)["Old Hall"] == (None, None)

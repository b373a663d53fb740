"""Street networks for walking, cycling and step-free travel (analysis.street_network).

Times are checked by hand: walking at 4.8 km/h covers 80 m a minute, cycling at 15 km/h 250 m.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import csgraph

from mobilise.analysis.street_network import (
    PROFILES,
    StreetNetwork,
    build_network,
    coverage,
    snap,
)
from mobilise.demo import DEMO_DATA
from mobilise.errors import ValidationError
from mobilise.formats.osm_network import OsmWays, read_osm_ways
from tests._streets import ORIGIN_X, ORIGIN_Y, write_extract

CAMDEN = DEMO_DATA / "street_network" / "camden_osm_2021-07.osm.pbf"  # shipped with the demo


def minutes(network: StreetNetwork, start: int, end: int) -> float:
    """Fastest time from OSM node ``start`` to OSM node ``end``, minutes."""
    assert network.osm_ids is not None
    position = {int(osm_id): i for i, osm_id in enumerate(network.osm_ids)}
    times = csgraph.dijkstra(network.matrix(), indices=position[start])
    return float(times[position[end]]) / 60


def network_of(
    tmp_path: Path, nodes: Mapping[int, tuple], ways: list, profile: str, **options: object
) -> StreetNetwork:
    path = write_extract(tmp_path / "streets.osm.pbf", nodes, ways)
    return build_network(read_osm_ways(path), profile, **options)  # type: ignore[arg-type]


SQUARE = {1: (0, 0), 2: (300, 0), 3: (300, 300), 4: (0, 300)}


def square_ways(first: Mapping[str, str]) -> list:
    """A 300 m square: 1-2 tagged ``first``, the other three sides plain two-way streets."""
    street = {"highway": "residential"}
    return [([1, 2], first), ([2, 3], street), ([3, 4], street), ([4, 1], street)]


def test_one_way_streets_are_ignored_walking_and_kept_cycling(tmp_path: Path) -> None:
    ways = square_ways({"highway": "residential", "oneway": "yes"})
    walk = network_of(tmp_path, SQUARE, ways, "walk")
    assert minutes(walk, 1, 2) == pytest.approx(300 / 80, abs=1e-3)
    assert minutes(walk, 2, 1) == pytest.approx(300 / 80, abs=1e-3)
    cycle = network_of(tmp_path, SQUARE, ways, "cycle")
    assert minutes(cycle, 1, 2) == pytest.approx(300 / 250, abs=1e-3)
    assert minutes(cycle, 2, 1) == pytest.approx(900 / 250, abs=1e-3)  # round the block


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
        {"highway": "residential", "oneway": "yes", "cycleway": "opposite_lane"},
    ],
)
def test_contraflow_cycling(tmp_path: Path, tags: dict[str, str]) -> None:
    cycle = network_of(tmp_path, SQUARE, square_ways(tags), "cycle")
    assert minutes(cycle, 2, 1) == pytest.approx(300 / 250, abs=1e-3)


def test_a_roundabout_is_one_way_for_cycling(tmp_path: Path) -> None:
    ways = square_ways({"highway": "primary", "junction": "roundabout"})
    cycle = network_of(tmp_path, SQUARE, ways, "cycle")
    assert minutes(cycle, 2, 1) == pytest.approx(900 / 250, abs=1e-3)


def test_oneway_foot_binds_walkers(tmp_path: Path) -> None:
    ways = square_ways({"highway": "footway", "oneway:foot": "yes"})
    walk = network_of(tmp_path, SQUARE, ways, "walk")
    assert minutes(walk, 2, 1) == pytest.approx(900 / 80, abs=1e-3)


TRIANGLE = {1: (0, 0), 2: (400, 0), 3: (200, 300), 5: (200, 0)}
DETOUR_M = 2 * float(np.hypot(200, 300))  # 1 -> 3 -> 2


def triangle_ways(tags: Mapping[str, str]) -> list:
    street = {"highway": "residential"}
    return [([1, 5, 2], tags), ([2, 3], street), ([3, 1], street)]


# Speed (km/h) along the 400 m street 1-2 for each profile; None: not allowed, take the detour.
WAY_RULES = [
    ({"highway": "footway"}, 4.8, 4.8, 4.8),
    ({"highway": "footway", "bicycle": "designated"}, 4.8, 15, 4.8),
    ({"highway": "pedestrian", "bicycle": "no"}, 4.8, None, 4.8),
    ({"highway": "steps"}, 2.4, None, None),
    ({"highway": "motorway"}, None, None, None),
    ({"highway": "trunk", "foot": "no"}, None, 15, None),
    ({"highway": "trunk"}, 4.8, 15, 4.8),
    ({"highway": "residential", "access": "private"}, None, None, None),
    ({"highway": "service", "access": "private", "foot": "yes"}, 4.8, None, 4.8),
    ({"highway": "footway", "wheelchair": "no"}, 4.8, 4.8, None),
    ({"highway": "footway", "incline": "12%"}, 4.8, 4.8, None),
    ({"highway": "footway", "incline": "4%"}, 4.8, 4.8, 4.8),
    ({"highway": "footway", "incline": "5°"}, 4.8, 4.8, None),
    ({"highway": "footway", "incline": "up"}, 4.8, 4.8, 4.8),
    ({"highway": "footway", "kerb": "raised"}, 4.8, 4.8, None),
    ({"highway": "cycleway"}, 4.8, 15, 4.8),
    ({"highway": "construction"}, None, None, None),
]


@pytest.mark.parametrize(("tags", "walk", "cycle", "step_free"), WAY_RULES)
def test_what_each_profile_allows_on_a_way(
    tmp_path: Path,
    tags: dict[str, str],
    walk: float | None,
    cycle: float | None,
    step_free: float | None,
) -> None:
    for profile, kmh in zip(PROFILES, (walk, cycle, step_free), strict=True):
        network = network_of(tmp_path, TRIANGLE, triangle_ways(tags), profile)
        detour = DETOUR_M / 1000 / (15 if profile == "cycle" else 4.8) * 60
        expected = min(0.4 / kmh * 60, detour) if kmh else detour
        assert minutes(network, 1, 2) == pytest.approx(expected, abs=1e-3), profile


# Whether a node on street 1-2 lets each profile through.
NODE_RULES = [
    ({"barrier": "gate"}, True, True, True),
    ({"barrier": "stile"}, True, False, False),
    ({"barrier": "kissing_gate"}, True, False, False),
    ({"barrier": "motorcycle_barrier"}, True, True, False),
    ({"barrier": "fence"}, False, False, False),
    ({"kerb": "raised"}, True, True, False),
    ({"kerb": "lowered"}, True, True, True),
    ({"wheelchair": "no"}, True, True, False),
    ({"barrier": "gate", "access": "private"}, False, True, False),
]


@pytest.mark.parametrize(("tags", "walk", "cycle", "step_free"), NODE_RULES)
def test_what_stops_each_profile_at_a_node(
    tmp_path: Path, tags: dict[str, str], walk: bool, cycle: bool, step_free: bool
) -> None:
    nodes = {**TRIANGLE, 5: (200, 0, tags)}
    for profile, passes in zip(PROFILES, (walk, cycle, step_free), strict=True):
        if profile == "cycle" and "access" in tags:
            continue  # access=private stops bikes too; checked below
        street = {"highway": "footway", "bicycle": "yes"}
        network = network_of(tmp_path, nodes, triangle_ways(street), profile)
        direct = 0.4 / (15 if profile == "cycle" else 4.8) * 60
        assert (minutes(network, 1, 2) == pytest.approx(direct, abs=1e-3)) is passes, profile


def test_only_the_largest_strongly_connected_part_is_kept(tmp_path: Path) -> None:
    nodes = {**SQUARE, 8: (5000, 0), 9: (5100, 0)}
    ways = [*square_ways({"highway": "residential"}), ([8, 9], {"highway": "residential"})]
    network = network_of(tmp_path, nodes, ways, "walk")
    assert network.n_nodes == 4 and network.source["nodes_dropped"] == 2
    assert network.n_edges == 8
    assert network.length_km == pytest.approx(1.2, abs=1e-4)


def test_parallel_ways_keep_the_faster_edge(tmp_path: Path) -> None:
    ways = [*square_ways({"highway": "steps"}), ([1, 2], {"highway": "footway"})]
    network = network_of(tmp_path, SQUARE, ways, "walk")
    assert minutes(network, 1, 2) == pytest.approx(300 / 80, abs=1e-3)
    assert network.n_edges == 8


def test_nodes_mapped_at_one_spot_stay_joined(tmp_path: Path) -> None:
    nodes = {1: (0, 0), 2: (0, 0), 3: (100, 0)}
    network = network_of(tmp_path, nodes, [([1, 2, 3, 1], {"highway": "footway"})], "walk")
    assert network.n_nodes == 3 and network.source["nodes_dropped"] == 0
    assert minutes(network, 2, 1) == pytest.approx(0, abs=1e-4)


def test_speeds_can_be_set(tmp_path: Path) -> None:
    network = network_of(
        tmp_path, SQUARE, square_ways({"highway": "steps"}), "walk", speeds={"default": 6.0}
    )
    assert minutes(network, 2, 3) == pytest.approx(0.3 / 6 * 60, abs=1e-3)
    assert minutes(network, 1, 2) == pytest.approx(0.3 / 2.4 * 60, abs=1e-3)
    assert network.speed_kmh == 6.0 and network.source["speeds"]["steps"] == 2.4


@pytest.mark.parametrize(
    ("profile", "speeds", "field"),
    [
        ("drive", None, "profile"),
        ("walk", {"default": 0}, "speeds"),
        ("walk", {"steps": "fast"}, "speeds"),
    ],
)
def test_bad_profile_or_speeds_are_refused(
    tmp_path: Path, profile: str, speeds: dict | None, field: str
) -> None:
    path = write_extract(tmp_path / "s.osm.pbf", SQUARE, square_ways({"highway": "footway"}))
    with pytest.raises(ValidationError) as raised:
        build_network(read_osm_ways(path), profile, speeds=speeds)
    assert raised.value.problems[0].field == field


def test_no_usable_street_is_refused(tmp_path: Path) -> None:
    path = write_extract(
        tmp_path / "s.osm.pbf", {1: (0, 0), 2: (100, 0)}, [([1, 2], {"highway": "steps"})]
    )
    with pytest.raises(ValidationError, match=r"No street in s\.osm\.pbf can be used for cycle"):
        build_network(read_osm_ways(path), "cycle")


def test_round_trip_through_bytes(tmp_path: Path) -> None:
    network = network_of(tmp_path, SQUARE, square_ways({"highway": "footway"}), "step-free")
    again = StreetNetwork.from_bytes(network.to_bytes())
    assert again.profile == "step-free" and again.source == network.source
    for name in ("x", "y", "indptr", "indices", "seconds", "osm_ids"):
        np.testing.assert_array_equal(getattr(again, name), getattr(network, name))


@pytest.mark.parametrize("data", [b"", b"not a network", b"PK\x03\x04broken"])
def test_bytes_that_are_not_a_network_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationError, match="street network cannot be read"):
        StreetNetwork.from_bytes(data)


def test_snap_and_coverage(tmp_path: Path) -> None:
    network = network_of(tmp_path, SQUARE, square_ways({"highway": "footway"}), "walk")
    x = ORIGIN_X + np.array([0.0, 330.0, 300.0])
    y = ORIGIN_Y + np.array([-40.0, 300.0, 1300.0])
    snapped = snap(network, x, y)
    assert network.osm_ids is not None
    assert list(network.osm_ids[snapped.node]) == [1, 3, 3]
    np.testing.assert_allclose(snapped.distance_m, [40, 30, 1000], atol=0.05)
    assert list(coverage(network, x, y, limit_m=500)) == [True, True, False]


# Camden's real extract: read and built once for the module.


@pytest.fixture(scope="module")
def camden_ways() -> OsmWays:
    return read_osm_ways(CAMDEN)


@pytest.fixture(scope="module")
def camden_walk(camden_ways: OsmWays) -> StreetNetwork:
    return build_network(camden_ways, "walk")


def test_camden_walking_network_is_sane(camden_walk: StreetNetwork) -> None:
    source = camden_walk.source
    assert source["data_date"].startswith("2021-07-13")
    assert source["sha256"].startswith("49c868c4ac3de3b9")
    assert 20_000 < camden_walk.n_nodes < 60_000
    assert 2 * camden_walk.n_nodes < camden_walk.n_edges < 4 * camden_walk.n_nodes
    assert 450 < camden_walk.length_km < 700  # SOURCES.md: 605.8 km of walkable ways
    assert source["nodes_dropped"] < 0.1 * camden_walk.n_nodes


def test_camden_walk_from_euston_to_kings_cross(camden_walk: StreetNetwork) -> None:
    from pyproj import Transformer

    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    # Euston station's forecourt and King's Cross station's front, about 800 m apart.
    x, y = to_grid.transform([-0.1335, -0.1233], [51.5278, 51.5304])
    snapped = snap(camden_walk, x, y)
    assert snapped.distance_m.max() < 100
    times = csgraph.dijkstra(camden_walk.matrix(), indices=int(snapped.node[0]))
    walk_minutes = times[snapped.node[1]] / 60
    straight_minutes = float(np.hypot(x[1] - x[0], y[1] - y[0])) / 80
    assert straight_minutes < walk_minutes < 1.6 * straight_minutes
    assert 8 < walk_minutes < 16


def test_camden_has_euston_road(camden_ways: OsmWays) -> None:
    names = [tags.get("name") for tags in camden_ways.way_tags]
    assert names.count("Euston Road") > 50
    assert "Upper Street" not in names  # Islington's, outside the clip

"""Travel-time catchment pairs on a street network (analysis.network_catchment).

Walking at 4.8 km/h covers 80 m a minute, so the times below can be checked by hand.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.access import balanced_fca, step, two_step_fca
from mobilise.analysis.network_catchment import pairs_from_network
from mobilise.analysis.street_network import StreetNetwork, build_network
from mobilise.errors import ValidationError
from mobilise.formats.osm_network import read_osm_ways
from tests._streets import ORIGIN_X, ORIGIN_Y, write_extract


def points(**where: tuple[float, float]) -> pd.DataFrame:
    """Points named by keyword, at (x, y) metres from the test origin."""
    return pd.DataFrame(
        {
            "x": [ORIGIN_X + x for x, _ in where.values()],
            "y": [ORIGIN_Y + y for _, y in where.values()],
        },
        index=pd.Index(list(where), name="id"),
    )


def times(result_pairs: object) -> dict[tuple[str, str], float]:
    frame = result_pairs.pairs.to_frame()  # type: ignore[attr-defined]
    return {
        (str(row.origin), str(row.dest)): round(float(row.cost), 3)
        for row in frame.itertuples(index=False)
    }


def walk_network(tmp_path: Path, nodes: dict, ways: list, profile: str = "walk") -> StreetNetwork:
    path = write_extract(tmp_path / "streets.osm.pbf", nodes, ways)
    return build_network(read_osm_ways(path), profile)


# A hand-drawn street plan: an L of streets 1-2-3 and a short cut 1-4-3 through a footpath.
#
#   4 ----------- 3        (0,400) ... (400,400)
#   |             |
#   |             |
#   1 ----------- 2        (0,0) ..... (400,0)
#
# 1-2-3 is 800 m; 1-4 is a footway, 4-3 steps (half speed): 400 m + 400 m at 2.4 km/h.
PLAN = {1: (0, 0), 2: (400, 0), 3: (400, 400), 4: (0, 400)}
PLAN_WAYS = [
    ([1, 2, 3], {"highway": "residential"}),
    ([1, 4], {"highway": "footway"}),
    ([4, 3], {"highway": "steps"}),
]


def test_shortest_paths_on_a_hand_drawn_network(tmp_path: Path) -> None:
    network = walk_network(tmp_path, PLAN, PLAN_WAYS)
    origins = points(home=(0, -40))  # 40 m south of node 1: half a minute
    destinations = points(park=(400, 430), library=(400, 0), far=(4000, 0))
    result = pairs_from_network(network, origins, destinations, 15.0, off_network_m=5000)
    assert times(result) == {
        ("home", "library"): round(0.5 + 5.0, 3),  # 400 m along the street
        ("home", "park"): round(0.5 + 10.0 + 30 / 80, 3),  # 1-2-3 (the steps take 15)
    }
    assert result.origin_snap_m["home"] == pytest.approx(40, abs=0.05)
    assert result.pairs.max_cost == 15.0


def test_a_pair_at_exactly_the_catchment_is_in(tmp_path: Path) -> None:
    network = walk_network(tmp_path, PLAN, PLAN_WAYS)
    origins, destinations = points(a=(0, 0)), points(b=(400, 0))
    found = pairs_from_network(network, origins, destinations, 10.0).pairs
    (exact,) = found.cost  # 5 minutes, give or take the millimetres of WGS84 rounding
    assert exact == pytest.approx(5.0, abs=1e-4)
    assert len(pairs_from_network(network, origins, destinations, exact).pairs) == 1
    assert len(pairs_from_network(network, origins, destinations, exact - 1e-6).pairs) == 0


def test_a_river_with_one_bridge_makes_a_nearby_asset_far(tmp_path: Path) -> None:
    # Two streets along the banks of a river 100 m wide, one bridge 1 km downstream.
    nodes = {
        1: (0, 0),
        2: (500, 0),
        3: (1000, 0),
        11: (0, 100),
        12: (500, 100),
        13: (1000, 100),
    }
    ways = [
        ([1, 2, 3], {"highway": "residential"}),
        ([11, 12, 13], {"highway": "residential"}),
        ([3, 13], {"highway": "primary", "bridge": "yes"}),
    ]
    network = walk_network(tmp_path, nodes, ways)
    home, park = points(home=(0, -10)), points(park=(0, 110))
    straight = float(np.hypot(0, 120)) / 80
    result = pairs_from_network(network, home, park, 30.0)
    (walk_minutes,) = times(result).values()
    assert straight == pytest.approx(1.5)
    assert walk_minutes == pytest.approx((10 + 1000 + 100 + 1000 + 10) / 80, abs=1e-3)
    assert len(pairs_from_network(network, home, park, 10.0).pairs) == 0  # 120 m, not in reach


def test_one_way_streets_walking_and_cycling(tmp_path: Path) -> None:
    square = {1: (0, 0), 2: (300, 0), 3: (300, 300), 4: (0, 300)}
    ways = [
        ([1, 2], {"highway": "residential", "oneway": "yes"}),
        ([2, 3, 4, 1], {"highway": "residential"}),
    ]
    here, there = points(here=(300, 0)), points(there=(0, 0))
    walk = pairs_from_network(walk_network(tmp_path, square, ways), here, there, 20.0)
    assert times(walk) == {("here", "there"): round(300 / 80, 3)}
    cycle = walk_network(tmp_path, square, ways, "cycle")
    assert times(pairs_from_network(cycle, here, there, 20.0)) == {
        ("here", "there"): round(900 / 250, 3)
    }
    # The reverse search (from the destinations, on the reversed network) agrees.
    for side in ("origins", "destinations"):
        found = pairs_from_network(cycle, here, there, 20.0, search_from=side)
        assert times(found) == {("here", "there"): round(900 / 250, 3)}


def random_network(seed: int, n_nodes: int = 60) -> tuple[StreetNetwork, nx.DiGraph]:
    """A random directed street graph with its NetworkX twin (edges in seconds)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 3000, n_nodes)
    y = rng.uniform(0, 3000, n_nodes)
    graph = nx.gnp_random_graph(n_nodes, 0.08, seed=seed, directed=True)
    edges = sorted(graph.edges())
    tails = np.array([u for u, _ in edges], dtype=np.int64)
    heads = np.array([v for _, v in edges], dtype=np.int32)
    seconds = rng.uniform(10, 400, len(edges)).astype(np.float32)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n_nodes), out=indptr[1:])
    for (u, v), time in zip(edges, seconds, strict=True):
        graph.edges[u, v]["seconds"] = float(time)
    network = StreetNetwork("walk", x, y, indptr, heads, seconds, {"speed_kmh": 4.8})
    return network, graph


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("side", ["origins", "destinations"])
def test_equal_to_networkx_dijkstra_on_random_graphs(seed: int, side: str) -> None:
    network, graph = random_network(seed)
    rng = np.random.default_rng(100 + seed)
    origin_nodes = rng.choice(network.n_nodes, 8, replace=False)
    destination_nodes = rng.choice(network.n_nodes, 12, replace=False)
    origins = pd.DataFrame(
        {"x": network.x[origin_nodes], "y": network.y[origin_nodes]},
        index=[f"o{n}" for n in origin_nodes],
    )
    destinations = pd.DataFrame(
        {"x": network.x[destination_nodes], "y": network.y[destination_nodes]},
        index=[f"d{n}" for n in destination_nodes],
    )
    limit = 12.0
    found = pairs_from_network(network, origins, destinations, limit, search_from=side)
    expected = {}
    for origin in origin_nodes:
        lengths = nx.single_source_dijkstra_path_length(graph, origin, weight="seconds")
        for destination in destination_nodes:
            seconds = lengths.get(destination)
            if seconds is not None and seconds / 60 <= limit:
                expected[(f"o{origin}", f"d{destination}")] = seconds / 60
    got = found.pairs.to_frame().set_index(["origin", "dest"])["cost"].to_dict()
    assert got.keys() == expected.keys()
    for key, minutes in expected.items():
        assert got[key] == pytest.approx(minutes, rel=1e-6)


def ipea_network() -> tuple[StreetNetwork, pd.DataFrame, pd.DataFrame]:
    """The five hexagons of ipea ``accessibility``'s 2SFCA test, as a street network.

    ``tests/testthat/test-floating_catchment_area.R`` ("calculates 2sfca correctly") takes the
    travel matrix of the package's ``inst/extdata/travel_matrix.rds`` between five Belo
    Horizonte hexagons, and ``land_use_data.rds`` (jobs, population), with a 45-minute binary
    decay. Every time there includes 5.8 minutes within the two hexagons (the diagonal), so here
    each hexagon is a node with its centroid 232 m away (2.9 minutes at 4.8 km/h each end) and
    each edge takes the matrix time less 5.8 minutes.
    """
    ids = ["89a88cdb57bffff", "89a88cdb597ffff", "89a88cdb5b3ffff", "89a88cdb5cfffff"]
    ids.append("89a88cd909bffff")
    matrix = [  # minutes, from (rows) to (columns)
        [5.8, 47, 48, 47, 64],
        [45, 5.8, 13, 41, 70],
        [44, 13, 5.8, 42, 67],
        [43, 43, 49, 5.8, 58],
        [60, 70, 68, 64, 5.8],
    ]
    tails, heads, seconds = [], [], []
    for i, row in enumerate(matrix):
        for j, minutes in enumerate(row):
            if i != j:
                tails.append(i)
                heads.append(j)
                seconds.append((minutes - 5.8) * 60)
    indptr = np.zeros(6, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=5), out=indptr[1:])
    x = np.arange(5, dtype=np.float64) * 10_000.0
    network = StreetNetwork(
        "walk",
        x,
        np.zeros(5),
        indptr,
        np.array(heads, dtype=np.int32),
        np.array(seconds, dtype=np.float32),
        {"speed_kmh": 4.8},
    )
    centroids = pd.DataFrame({"x": x, "y": np.full(5, 2.9 * 80)}, index=ids)
    land_use = pd.DataFrame(
        {"population": [852, 394, 1969, 2189, 0], "jobs": [82, 308, 100, 109, 0]}, index=ids
    )
    return network, centroids, land_use


def test_travel_time_2sfca_and_bfca_equal_ipea_accessibility() -> None:
    network, centroids, land_use = ipea_network()
    found = pairs_from_network(network, centroids, centroids, 45.0, snap_limit_m=1000)
    assert found.warnings == []
    population, jobs = land_use["population"], land_use["jobs"]
    # ipea's expected values (4 decimals) since its commit ad08669 (2023-05-29)
    two_step = two_step_fca(found.pairs, population, jobs)["access"]
    assert list(two_step.round(4)) == [0.0152, 0.1491, 0.1491, 0.1068, 0.0]
    balanced = balanced_fca(found.pairs, population, jobs, step({45.0: 1.0}))["access"]
    assert list(balanced.round(4)) == [0.0094, 0.1993, 0.1993, 0.1147, 0.0]


def test_far_points_are_warned_by_name_and_off_network_ones_reach_nothing(
    tmp_path: Path,
) -> None:
    network = walk_network(tmp_path, PLAN, PLAN_WAYS)
    origins = points(home=(0, 0), farm=(-700, 0))
    destinations = points(
        library=(400, 0), allotment=(400, -620), island=(2500, 400), lost=(5000, 5000)
    )
    result = pairs_from_network(network, origins, destinations, 60.0)
    found = times(result)
    assert ("home", "allotment") in found  # 620 m from the street: kept, with the walk to it
    assert found[("home", "allotment")] == pytest.approx(5 + 620 / 80, abs=1e-3)
    assert not any(destination in ("island", "lost") for _, destination in found)
    assert result.destination_snap_m["island"] == pytest.approx(2100, abs=0.1)
    text = " ".join(result.warnings)
    assert "1 origins are more than 500 m from the nearest street" in text and "farm" in text
    assert "allotment (0.6 km)" in text
    assert "2 destinations are more than 2,000 m from any street" in text
    assert "island (2.1 km)" in text
    assert "reach nothing" in text and "lost" in text


def test_bad_input_is_refused_naming_every_problem(tmp_path: Path) -> None:
    network = walk_network(tmp_path, PLAN, PLAN_WAYS)
    origins = pd.DataFrame({"x": [1.0, np.nan], "y": [2.0, 3.0]}, index=["a", "a"])
    with pytest.raises(ValidationError) as raised:
        pairs_from_network(
            network, origins, pd.DataFrame({"east": [1.0]}), -5, search_from="sideways"
        )
    fields = {problem.field for problem in raised.value.problems}
    assert {"origins", "destinations", "max_minutes", "search_from"} <= fields


def test_no_destinations_gives_no_pairs(tmp_path: Path) -> None:
    network = walk_network(tmp_path, PLAN, PLAN_WAYS)
    empty = pd.DataFrame({"x": [], "y": []}, dtype=float)
    result = pairs_from_network(network, points(home=(0, 0)), empty, 10.0)
    assert len(result.pairs) == 0 and result.pairs.n_origins == 1

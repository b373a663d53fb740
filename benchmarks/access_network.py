"""Street-network access figures: Camden's walking network and LSOA-to-asset walking times.

(a) Reading Camden's OpenStreetMap extract (``camden_osm_2021-07.osm.pbf``, 3.5 MB, July 2021)
    and building its walking network: seconds for each, in this process (the read is the
    first pyosmium call), and the network's size.
(b) Every Camden LSOA (133 LSOA 2011 population-weighted centroids, bundled in
    ``mobilise/demo/data``) to every asset within 20 minutes' walk, with
    ``pairs_from_network``: the first run and the best of three, searching from the origins,
    from the assets (reversed network) and ``auto``. The assets are every OSM object of the
    extract tagged ``amenity=*`` or ``leisure=park`` (nodes, and ways at the mean of their
    nodes) that the walking network covers: a large, realistic set.
(c) pandana 0.8 (contraction hierarchies), when it can be imported: building its network from
    the same edges, and the same 133 x assets times with ``shortest_path_lengths``; the pairs
    within 20 minutes are compared with scipy's.

Target (street-network issue): (b) under 2 s. Run with ``.venv/bin/python
benchmarks/access_network.py``; pandana is not a dependency: to measure it, install it
anywhere and put it on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from mobilise.analysis.network_catchment import NetworkPairs, pairs_from_network
from mobilise.analysis.street_network import StreetNetwork, build_network, coverage
from mobilise.formats.osm_network import read_osm_ways

CAMDEN = (
    Path(__file__).resolve().parents[2] / "shared/data/street_network/camden_osm_2021-07.osm.pbf"
)
DEMO = Path(__file__).resolve().parents[1] / "src/mobilise/demo/data"
MAX_MINUTES = 20.0
T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def best_of(run: Callable[[], Any], repeats: int = 3) -> float:
    return min(timed(run)[0] for _ in range(repeats))


def camden_lsoas() -> pd.DataFrame:
    from pyproj import Transformer

    lookup = pd.read_csv(DEMO / "lsoa11_lsoa21_lad22_lookup.csv.gz")
    codes = set(lookup.loc[lookup["LAD22NM"] == "Camden", "LSOA11CD"])
    centroids = pd.read_csv(DEMO / "lsoa11_population_weighted_centroids.csv")
    centroids = centroids[centroids["LSOA11CD"].isin(codes)].set_index("LSOA11CD")
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    centroids["x"], centroids["y"] = to_grid.transform(centroids["lon"], centroids["lat"])
    return centroids[["x", "y"]]


def camden_assets(path: Path) -> pd.DataFrame:
    """Every amenity and park of the extract, placed (ways at the mean of their nodes)."""
    import osmium
    from pyproj import Transformer

    rows = []
    elements = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    element: Any
    for element in elements.with_filter(osmium.filter.KeyFilter("amenity", "leisure")):
        tags = element.tags
        if "amenity" not in tags and tags.get("leisure") != "park":
            continue
        if element.is_node():
            rows.append((f"n{element.id}", element.location.lon, element.location.lat))
        else:
            points = [(n.lon, n.lat) for n in element.nodes if n.location.valid()]
            if points:
                lon, lat = np.mean(points, axis=0)
                rows.append((f"w{element.id}", lon, lat))
    assets = pd.DataFrame(rows, columns=["id", "lon", "lat"]).set_index("id")
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    assets["x"], assets["y"] = to_grid.transform(assets["lon"], assets["lat"])
    return assets[["x", "y"]]


def with_pandana(
    network: StreetNetwork, origins: pd.DataFrame, assets: pd.DataFrame, ours: NetworkPairs
) -> list[tuple[str, str]]:
    try:
        import pandana
    except ImportError:
        return [("pandana", "not importable: install it on PYTHONPATH to measure it")]
    from mobilise.analysis.street_network import snap

    tails, heads = network.edges()
    nodes = pd.DataFrame({"x": network.x, "y": network.y})
    edges = pd.DataFrame(
        {"from": tails, "to": heads, "seconds": network.seconds.astype(np.float64)}
    )
    build_s, graph = timed(
        lambda: pandana.Network(
            nodes["x"], nodes["y"], edges["from"], edges["to"], edges[["seconds"]], twoway=False
        )
    )
    origin_nodes = snap(network, origins["x"], origins["y"]).node
    asset_nodes = snap(network, assets["x"], assets["y"]).node
    source = np.repeat(origin_nodes, len(asset_nodes))
    target = np.tile(asset_nodes, len(origin_nodes))

    def query() -> np.ndarray:
        return np.asarray(graph.shortest_path_lengths(source, target, imp_name="seconds"))

    first_s, lengths = timed(query)
    best_s = min(first_s, best_of(query, 2))
    # Network times without the snap legs, both ways: the pairs within 20 minutes agree?
    ours_within = _node_pairs_within(network, origin_nodes, asset_nodes)
    theirs_within = int(np.count_nonzero(lengths <= MAX_MINUTES * 60))
    return [
        ("pandana: build the network (contraction hierarchies)", f"{build_s:.2f} s"),
        (f"pandana: {len(source):,} one-to-one times, first run", f"{first_s:.2f} s"),
        ("pandana: the same, best of three", f"{best_s:.2f} s"),
        (
            "pairs within 20 min (node to node): pandana / scipy",
            f"{theirs_within:,} / {ours_within:,}",
        ),
        ("(ours with the snap legs)", f"{len(ours.pairs):,} pairs"),
    ]


def _node_pairs_within(
    network: StreetNetwork, origin_nodes: np.ndarray, asset_nodes: np.ndarray
) -> int:
    from scipy.sparse import csgraph

    distance = csgraph.dijkstra(
        network.matrix(), indices=np.unique(origin_nodes), limit=MAX_MINUTES * 60
    )
    rows = np.searchsorted(np.unique(origin_nodes), origin_nodes)
    return int(np.count_nonzero(distance[rows][:, asset_nodes] <= MAX_MINUTES * 60))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", type=Path, default=CAMDEN)
    arguments = parser.parse_args()
    table: list[tuple[str, str]] = []
    read_s, ways = timed(lambda: read_osm_ways(arguments.extract))
    build_s, walk = timed(lambda: build_network(ways, "walk"))
    table += [
        ("(a) read the extract (pyosmium)", f"{read_s:.2f} s"),
        ("(a) build the walking network", f"{build_s:.2f} s"),
        ("(a) read + build", f"{read_s + build_s:.2f} s"),
        (
            "(a) network",
            f"{walk.n_nodes:,} nodes, {walk.n_edges:,} edges, {walk.length_km:.0f} km, "
            f"{len(walk.to_bytes()) / 1e6:.2f} MB stored",
        ),
    ]
    origins = camden_lsoas()
    assets = camden_assets(arguments.extract)
    assets = assets[coverage(walk, assets["x"], assets["y"])]
    table.append(("(b) LSOAs x assets", f"{len(origins)} x {len(assets):,}"))
    found: NetworkPairs | None = None
    for side in ("auto", "origins", "destinations"):

        def run(side: str = side) -> NetworkPairs:
            return pairs_from_network(walk, origins, assets, MAX_MINUTES, search_from=side)

        first_s, found = timed(run)
        table.append((f"(b) 20-min walking pairs from {side}: first run", f"{first_s:.3f} s"))
        table.append(("(b) ... best of three", f"{best_of(run):.3f} s"))
    assert found is not None
    table.append(("(b) pairs within 20 minutes", f"{len(found.pairs):,}"))
    table += with_pandana(walk, origins, assets, found)
    width = max(len(name) for name, _ in table)
    for name, value in table:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()

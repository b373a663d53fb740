"""Partnership-network figures: mobilise.analysis.network on a seeded random consortium.

A seeded random network of 1,300 organisations in 13 sectors (100 each): every organisation
reports ties to 8 partners (40 % in its own sector, the rest anywhere), and each reported tie
is reported back by the partner with probability 0.4, at a level 1-3 with trust and value 1-4.
Each measure runs on it once (best of 3), and a 1,000-permutation E-I test on its union ties.
The NetworkX column times plain NetworkX on the same graph where NetworkX has the measure
(``nx.density``, ``nx.reciprocity``, ``to_undirected`` for the union, ``nx.constraint`` +
``nx.effective_size``); "-" where it has none (E-I, centralisation, brokerage, block densities).

Target (partnership-network issue): all measures plus the 1,000-permutation E-I test < 5 s.
The last line times ``mobilise.workspace.network.measure_graph``, which computes every measure
for a round page in one call (a second, perturbed round feeds the change measures).

Run with ``.venv/bin/python benchmarks/network.py``.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from mobilise.analysis import network as net
from mobilise.analysis import network_change as change
from mobilise.analysis import network_scores as scores
from mobilise.analysis import network_structure as structure
from mobilise.workspace.network import measure_graph

ORGANISATIONS, SECTORS, REPORTED, SEED = 1_300, 13, 8, 20_240_605
OWN_SECTOR, REPORTED_BACK = 0.4, 0.4


def random_consortium(seed: int = SEED) -> nx.DiGraph:
    rng = random.Random(seed)
    graph = nx.DiGraph()
    members: dict[int, list[int]] = {s: [] for s in range(SECTORS)}
    for node in range(ORGANISATIONS):
        sector = node % SECTORS
        members[sector].append(node)
        graph.add_node(node, sector=f"sector {sector:02d}")
    for node in range(ORGANISATIONS):
        partners: set[int] = set()
        while len(partners) < REPORTED:
            pool = members[node % SECTORS] if rng.random() < OWN_SECTOR else range(ORGANISATIONS)
            partner = rng.choice(pool)
            if partner != node:
                partners.add(partner)
        for partner in sorted(partners):
            for u, v in [(node, partner)] + [(partner, node)] * (rng.random() < REPORTED_BACK):
                if not graph.has_edge(u, v):
                    tie = {"level": rng.randint(1, 3), "trust": rng.randint(1, 4)}
                    graph.add_edge(u, v, **tie, value=rng.randint(1, 4))
    return graph


def next_round(graph: nx.DiGraph, seed: int = SEED + 1) -> nx.DiGraph:
    """The same consortium a year on: 10 % of reports dropped, as many new ones, levels and
    trust of another 10 % moved by one."""
    rng = random.Random(seed)
    after = graph.copy()
    edges = list(after.edges)
    for u, v in rng.sample(edges, len(edges) // 10):
        after.remove_edge(u, v)
    nodes = list(after.nodes)
    added = 0
    while added < len(edges) // 10:
        u, v = rng.sample(nodes, 2)
        if not after.has_edge(u, v):
            after.add_edge(u, v, level=rng.randint(1, 3), trust=rng.randint(1, 4), value=2)
            added += 1
    for u, v in rng.sample(list(after.edges), len(edges) // 10):
        data = after.edges[u, v]
        data["level"] = max(1, data["level"] - 1)
        data["trust"] = max(1, data["trust"] - 1)
    return after


def best_of(run: Callable[[], Any], repeats: int = 3) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    graph = random_consortium()
    ties = net.symmetrise(graph)
    nx.set_node_attributes(graph, True, "responded")
    after = next_round(graph)
    print(f"{os.cpu_count()} CPUs; networkx {nx.__version__}")
    print(
        f"{graph.number_of_nodes():,} organisations, {SECTORS} sectors, "
        f"{graph.number_of_edges():,} reported ties, {ties.number_of_edges():,} union ties"
    )
    rows: list[tuple[str, Callable[[], Any], Callable[[], Any] | None]] = [
        ("symmetrise (union)", lambda: net.symmetrise(graph), lambda: graph.to_undirected()),
        ("symmetrise (intersection)", lambda: net.symmetrise(graph, how="intersection"), None),
        ("density", lambda: net.density(graph), lambda: nx.density(graph)),
        ("density (valued)", lambda: net.density(graph, valued=True), None),
        ("reciprocity", lambda: net.reciprocity(graph), lambda: nx.reciprocity(graph)),
        ("freeman_centralisation", lambda: net.freeman_centralisation(ties), None),
        ("ei_index (network, group, node)", lambda: net.ei_index(ties), None),
        ("expected_ei", lambda: net.expected_ei(ties), None),
        (
            "ei_permutation_test (1,000)",
            lambda: net.ei_permutation_test(ties, permutations=1000, seed=0),
            None,
        ),
        ("block_densities", lambda: net.block_densities(graph), None),
        ("brokerage (Gould-Fernandez)", lambda: net.brokerage(graph), None),
        (
            "constraint_and_effective_size",
            lambda: net.constraint_and_effective_size(ties),
            lambda: (nx.constraint(ties), nx.effective_size(ties)),
        ),
        ("tie_graph", lambda: structure.tie_graph(graph), lambda: graph.to_undirected()),
        (
            "centrality (4 kinds)",
            lambda: structure.centrality(graph),
            lambda: (
                nx.degree_centrality(ties),
                nx.betweenness_centrality(ties),
                nx.closeness_centrality(ties),
                nx.eigenvector_centrality_numpy(ties),
            ),
        ),
        # the structure of the pairs, on the union ties built once (as the product does)
        ("k_cores", lambda: structure.k_cores(ties), lambda: nx.core_number(ties)),
        ("core_periphery", lambda: structure.core_periphery(ties), None),
        ("communities (Louvain, seeded)", lambda: structure.communities(ties), None),
        (
            "sector_assortativity",
            lambda: structure.sector_assortativity(ties),
            lambda: nx.attribute_assortativity_coefficient(ties, "sector"),
        ),
        ("partner_scores", lambda: scores.partner_scores(graph), None),
        ("sector_scores", lambda: scores.sector_scores(graph), None),
        ("network_scores", lambda: scores.network_scores(graph), None),
        ("level_profile (pairs)", lambda: scores.level_profile(graph, pairs=True), None),
        ("compare_rounds", lambda: change.compare_rounds(graph, after), None),
        ("fading_ties", lambda: change.fading_ties(graph, after), None),
        ("suggest_introductions", lambda: change.suggest_introductions(graph), None),
    ]
    print(f"{'measure':<36}{'ours s':>9}{'NetworkX s':>12}")
    total = 0.0
    for name, ours, peer in rows:
        seconds = best_of(ours)
        total += seconds
        # NetworkX's betweenness alone takes ~13 s here: its peer runs once
        peer_text = f"{best_of(peer, repeats=1):>12.3f}" if peer else f"{'-':>12}"
        print(f"{name:<36}{seconds:>9.3f}{peer_text}")
    print(f"{'all measures':<36}{total:>9.3f}{'':>12}  target < 5 s")
    # What the product runs for a round page: every measure above, as JSON, in one call.
    end_to_end = best_of(lambda: measure_graph(graph, admin=True))
    print(f"{'measure_graph (the product, all)':<36}{end_to_end:>9.3f}{'':>12}  target < 5 s")
    test = net.ei_permutation_test(ties, permutations=1000, seed=0)
    print(
        f"E-I {test.observed:.3f} (expected {test.expected:.3f}, shuffles "
        f"{test.permuted_mean:.3f} ± {test.permuted_sd:.3f}), p = {test.p_value:.4f}"
    )


if __name__ == "__main__":
    main()

"""Centrality, k-cores, core-periphery, communities and assortativity on hand-checkable networks."""

from __future__ import annotations

import math
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.network_structure import (
    CENTRALITY_COLUMNS,
    centrality,
    communities,
    core_periphery,
    k_cores,
    sector_assortativity,
    tie_graph,
)
from mobilise.errors import ValidationError

NETWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "networks"


def counts(table: pd.DataFrame, node: str, columns: list[str]) -> list[int]:
    """The whole-number cells of one row."""
    return [int(cell) for cell in table.loc[[node], columns].to_numpy()[0]]


def clique_with_pendants() -> nx.Graph:
    """A 4-clique a-b-c-d, each member with one pendant partner (p, q, r, s)."""
    graph = nx.complete_graph(["a", "b", "c", "d"])
    graph.add_edges_from([("a", "p"), ("b", "q"), ("c", "r"), ("d", "s")])
    return graph


def nfdi() -> nx.DiGraph:
    edges = pd.read_csv(NETWORKS / "nfdi_netzwerk_2020.csv", sep=";")
    graph = nx.from_pandas_edgelist(edges, "from", "to", create_using=nx.DiGraph)
    # no sectors in the file: a made-up one from the name's length (even or odd)
    nx.set_node_attributes(graph, {n: f"S{len(str(n)) % 2}" for n in graph}, "sector")
    return graph


# -------------------------------------------------------------------------------- tie graph


def test_tie_graph_takes_the_union_at_the_highest_level() -> None:
    reports = nx.DiGraph()
    reports.add_node("e", sector="X")  # an isolate is kept
    reports.add_edge("a", "b", level=1)
    reports.add_edge("b", "a", level=3)  # highest of 1 and 3 -> 3
    reports.add_edge("b", "c")  # no level on either side -> None
    reports.add_edge("c", "d", level=0)  # no tie
    reports.add_edge("d", "d", level=2)  # self-loop dropped
    reports.add_edge("a", "c", level=None)
    reports.add_edge("c", "a", level=2)  # None and 2 -> 2
    ties = tie_graph(reports)
    assert not ties.is_directed()
    assert set(ties.nodes) == {"a", "b", "c", "d", "e"}
    assert ties.nodes["e"]["sector"] == "X"
    levels = {frozenset((u, v)): level for u, v, level in ties.edges(data="level")}
    assert levels == {frozenset("ab"): 3, frozenset("bc"): None, frozenset("ac"): 2}


def test_tie_graph_of_an_undirected_graph_drops_level_0_and_loops() -> None:
    graph = nx.Graph()
    graph.add_edge("a", "b", level=2)
    graph.add_edge("b", "c", level=0)
    graph.add_edge("c", "c")
    graph.add_edge("c", "d")
    ties = tie_graph(graph)
    assert sorted(map(sorted, ties.edges)) == [["a", "b"], ["c", "d"]]
    assert ties.edges["c", "d"]["level"] is None


# -------------------------------------------------------------------------------- centrality


def test_centrality_of_a_star_by_hand() -> None:
    # star: hub h tied to x, y, z (n = 4). Hub degree 3, centrality 3/3 = 1; leaves 1/3.
    # hub lies on all 3 leaf-leaf shortest paths out of C(3,2) = 3: betweenness 1.
    # closeness: hub 3/3 = 1, a leaf 3/(1 + 2 + 2) = 0.6.
    table = centrality(nx.star_graph(["h", "x", "y", "z"]))
    assert list(table.columns) == list(CENTRALITY_COLUMNS)
    assert table.index.name == "partner"
    assert counts(table, "h", ["degree", "in_degree", "out_degree"]) == [3, 3, 3]
    assert table.loc["h", "degree_centrality"] == pytest.approx(1.0)
    assert table.loc["x", "degree_centrality"] == pytest.approx(1 / 3)
    assert table.loc["h", "betweenness"] == pytest.approx(1.0)
    assert table.loc["x", "betweenness"] == pytest.approx(0.0)
    assert table.loc["h", "closeness"] == pytest.approx(1.0)
    assert table.loc["x", "closeness"] == pytest.approx(0.6)
    # leading eigenvector of a star with 3 leaves: hub 1/sqrt(2), each leaf 1/sqrt(6)
    assert table.loc["h", "eigenvector"] == pytest.approx(1 / math.sqrt(2))
    assert table.loc["x", "eigenvector"] == pytest.approx(1 / math.sqrt(6))


def test_in_and_out_degree_follow_the_reports() -> None:
    reports = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c")])
    reports.add_edge("c", "b", level=0)  # not a tie
    table = centrality(reports)
    # a reports b and c (out 2), is reported by b (in 1); ties a-b, a-c: degree 2
    assert counts(table, "a", ["degree", "in_degree", "out_degree"]) == [2, 1, 2]
    assert counts(table, "c", ["degree", "in_degree", "out_degree"]) == [1, 1, 0]


def test_eigenvector_is_scaled_by_component_share() -> None:
    # two separate pairs plus an isolate (n = 5): each pair's vector is (1/sqrt2, 1/sqrt2),
    # times its share 2/5; the isolate gets 0
    graph = nx.Graph([("a", "b"), ("c", "d")])
    graph.add_node("e")
    eigen = centrality(graph)["eigenvector"]
    assert eigen["a"] == pytest.approx(2 / 5 / math.sqrt(2))
    assert eigen["c"] == pytest.approx(eigen["a"])
    assert eigen["e"] == 0


@pytest.mark.parametrize("n", [0, 1])
def test_centrality_of_tiny_graphs(n: int) -> None:
    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    table = centrality(graph)
    assert list(table.columns) == list(CENTRALITY_COLUMNS)
    assert len(table) == n
    assert (table.to_numpy() == 0).all()


def test_centrality_matches_networkx_on_the_nfdi_network() -> None:
    graph = nfdi()
    table = centrality(graph)
    ties = graph.to_undirected()
    assert len(table) == graph.number_of_nodes()
    assert table["degree"].to_dict() == dict(ties.degree)
    assert table["in_degree"].to_dict() == dict(graph.in_degree)
    assert table["out_degree"].to_dict() == dict(graph.out_degree)
    for column, expected in [
        ("degree_centrality", nx.degree_centrality(ties)),
        ("betweenness", nx.betweenness_centrality(ties)),
        ("closeness", nx.closeness_centrality(ties)),
    ]:
        assert table[column].to_numpy() == pytest.approx([expected[n] for n in table.index])
    largest = ties.subgraph(max(nx.connected_components(ties), key=len))
    share = largest.number_of_nodes() / ties.number_of_nodes()
    reference = nx.eigenvector_centrality_numpy(largest)
    for node in largest:
        assert table.loc[node, "eigenvector"] == pytest.approx(reference[node] * share, abs=1e-9)


# -------------------------------------------------------------------------------- k-cores


def test_k_cores_by_hand() -> None:
    # clique members keep 3 ties each once pendants go: core 3; pendants core 1; isolate 0
    graph = clique_with_pendants()
    graph.add_node("z")
    cores = k_cores(graph)
    assert cores.name == "k_core"
    assert cores.to_dict() == dict(a=3, b=3, c=3, d=3, p=1, q=1, r=1, s=1, z=0)


def test_k_cores_match_networkx_on_the_nfdi_network() -> None:
    graph = nfdi()
    assert k_cores(graph).to_dict() == nx.core_number(graph.to_undirected())


# -------------------------------------------------------------------------------- core-periphery


def test_core_periphery_finds_the_clique() -> None:
    # ideal cells: 6 core pairs all tied, 6 periphery pairs none tied -> correlation 1
    result = core_periphery(clique_with_pendants())
    assert sorted(result.core[result.core].index) == ["a", "b", "c", "d"]
    assert result.fit == pytest.approx(1.0)
    assert result.core_density == pytest.approx(1.0)
    assert result.periphery_density == pytest.approx(0.0)
    # 4 core-periphery ties of 4 * 4 = 16 possible
    assert result.between_density == pytest.approx(4 / 16)
    assert result.to_dict()["core"] == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    "graph",
    [nx.Graph(), nx.empty_graph(3), nx.complete_graph(5)],
    ids=["empty", "no ties", "complete"],
)
def test_core_periphery_without_a_fit(graph: nx.Graph) -> None:
    # no ties, or every pair tied: the ties never vary, so no correlation
    result = core_periphery(graph)
    assert result.fit is None
    assert not result.core.any()


def test_core_periphery_is_deterministic_and_fast() -> None:
    graph = nx.gnp_random_graph(300, 0.05, seed=3)
    started = time.perf_counter()
    first = core_periphery(graph, seed=7)
    elapsed = time.perf_counter() - started
    second = core_periphery(graph, seed=7)
    assert first.core.equals(second.core)
    assert first.fit == second.fit
    assert elapsed < 1.0


def test_core_periphery_on_the_nfdi_network() -> None:
    result = core_periphery(nfdi(), seed=1, restarts=5)
    assert result.fit is not None and 0 < result.fit <= 1
    assert result.core.any() and not result.core.all()
    assert result.core_density is not None and result.periphery_density is not None
    assert result.core_density > result.periphery_density


# -------------------------------------------------------------------------------- communities


def test_communities_of_two_triangles_and_an_isolate() -> None:
    # triangles a-b-c and x-y-z joined by c-x, plus isolate i: Louvain splits the triangles.
    graph = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")])
    graph.add_edge("c", "x")
    graph.add_node("i")
    result = communities(graph, seed=0)
    members = result.membership
    # two communities of 3 numbered 0 (contains "a", smallest id) and 1; the isolate last
    assert members[["a", "b", "c"]].tolist() == [0, 0, 0]
    assert members[["x", "y", "z"]].tolist() == [1, 1, 1]
    assert members["i"] == 2
    # modularity: m = 7, each side 3 internal ties and degree sum 7: 2 * (3/7 - (7/14)**2)
    assert result.modularity == pytest.approx(2 * (3 / 7 - 0.25))


def test_communities_are_seeded_and_match_networkx_modularity() -> None:
    graph = nfdi()
    first, second = communities(graph, seed=4), communities(graph, seed=4)
    assert first.membership.equals(second.membership)
    sizes = first.membership.value_counts().sort_index()
    assert sizes.is_monotonic_decreasing
    groups = [set(g.index) for _, g in first.membership.groupby(first.membership)]
    expected = nx.community.modularity(graph.to_undirected(), groups)
    assert first.modularity == pytest.approx(expected)


def test_communities_without_ties() -> None:
    result = communities(nx.empty_graph(["b", "a"]))
    assert result.membership.to_dict() == {"a": 0, "b": 1}
    assert result.modularity is None


# -------------------------------------------------------------------------------- assortativity


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ([("a", "x"), ("b", "y")], -1.0),  # only between sectors
        ([("a", "b"), ("x", "y")], 1.0),  # only within sectors
    ],
)
def test_sector_assortativity_by_hand(edges: list[tuple[str, str]], expected: float) -> None:
    # a, b in sector P; x, y in Q. Mixing matrix between only: [[0, .5], [.5, 0]],
    # r = (0 - .5) / (1 - .5) = -1; within only: [[.5, 0], [0, .5]], r = (1 - .5) / .5 = 1
    graph = nx.Graph(edges)
    nx.set_node_attributes(graph, {"a": "P", "b": "P", "x": "Q", "y": "Q"}, "sector")
    assert sector_assortativity(graph) == pytest.approx(expected)


@pytest.mark.parametrize(
    "graph",
    [nx.empty_graph(2), nx.complete_graph(3)],
    ids=["no ties", "one group"],
)
def test_sector_assortativity_undefined(graph: nx.Graph) -> None:
    nx.set_node_attributes(graph, "P", "sector")
    assert sector_assortativity(graph) is None


def test_sector_assortativity_matches_networkx_on_the_nfdi_network() -> None:
    graph = nfdi()
    expected = nx.attribute_assortativity_coefficient(graph.to_undirected(), "sector")
    assert sector_assortativity(graph) == pytest.approx(expected)


# -------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "function",
    [tie_graph, centrality, k_cores, core_periphery, communities, sector_assortativity],
)
def test_not_a_graph(function: object) -> None:
    with pytest.raises(ValidationError, match="1 problem") as error:
        function("edges")  # type: ignore[operator]
    assert "NetworkX graph" in str(error.value)


def test_bad_options_are_all_named() -> None:
    with pytest.raises(ValidationError) as error:
        core_periphery("x", seed=-1, restarts=1.5)  # type: ignore[arg-type]
    assert {p.field for p in error.value.problems} == {"graph", "seed", "restarts"}
    with pytest.raises(ValidationError) as error:
        communities(nx.Graph(), seed=True, resolution=0)
    assert {p.field for p in error.value.problems} == {"seed", "resolution"}


def test_missing_sector_is_named() -> None:
    graph = nx.Graph([("a", "b")])
    graph.nodes["a"]["sector"] = "P"
    with pytest.raises(ValidationError, match="sector") as error:
        sector_assortativity(graph)
    assert "b" in str(error.value)


@pytest.mark.parametrize("bipartite", [False, True], ids=["small world", "path"])
def test_eigenvector_handles_a_large_component(bipartite: bool) -> None:
    # a component above the dense limit goes to the sparse solver; plus a separate pair
    n = 250
    if bipartite:
        # path: the leading eigenvector is sin(pi k / (n + 1)), k = 1..n (NetworkX's solver
        # does not converge here, the symmetric one does)
        main = nx.path_graph(n)
        curve = np.sin(np.pi * np.arange(1, n + 1) / (n + 1))
        reference = dict(enumerate(curve / np.linalg.norm(curve)))
    else:
        main = nx.connected_watts_strogatz_graph(n, 4, 0.1, seed=1)
        reference = nx.eigenvector_centrality_numpy(main)
    graph = nx.union(main, nx.Graph([(1000, 1001)]))
    eigen = centrality(graph)["eigenvector"]
    expected = [reference[node] * n / (n + 2) for node in range(n)]
    assert eigen[list(range(n))].to_numpy() == pytest.approx(expected, abs=1e-9)
    assert eigen[1000] == pytest.approx(2 / (n + 2) / math.sqrt(2))


def test_betweenness_and_closeness_match_networkx_across_source_blocks() -> None:
    # 300 organisations (two blocks of sources), sparse enough to leave several components
    graph = nx.gnp_random_graph(300, 0.006, seed=5)
    assert not nx.is_connected(graph)
    table = centrality(graph)
    between, close = nx.betweenness_centrality(graph), nx.closeness_centrality(graph)
    assert table["betweenness"].to_numpy() == pytest.approx([between[n] for n in table.index])
    assert table["closeness"].to_numpy() == pytest.approx([close[n] for n in table.index])

"""Partnership-network measures on small networks whose answers can be checked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.network import (
    BROKERAGE_ROLES,
    block_densities,
    brokerage,
    constraint_and_effective_size,
    density,
    ei_index,
    ei_permutation_test,
    expected_ei,
    freeman_centralisation,
    reciprocity,
    response_rate,
    symmetrise,
)
from mobilise.errors import ValidationError

NETWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "networks"


def sectors(graph: nx.Graph, **by_node: str) -> nx.Graph:
    nx.set_node_attributes(graph, by_node, "sector")
    return graph


def hand_example() -> nx.Graph:
    """a, b in sector X; c, d in sector Y; ties a-b, a-c, b-c, c-d."""
    graph = nx.Graph([("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")])
    return sectors(graph, a="X", b="X", c="Y", d="Y")


# -------------------------------------------------------------------------------- symmetrise


def reports() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", level=3, trust=4)
    graph.add_edge("b", "a", level=1, trust=2)
    graph.add_edge("b", "c", level=2)
    graph.add_edge("c", "d", level=0)  # c says: no tie with d
    graph.add_node("d", sector="Y")
    return graph


def test_union_keeps_either_report_at_the_higher_level() -> None:
    ties = symmetrise(reports(), how="union")
    assert not ties.is_directed()
    assert sorted(map(sorted, ties.edges)) == [["a", "b"], ["b", "c"]]
    assert ties.edges["a", "b"] == {"reports": 2, "level": 3, "trust": 3.0}
    assert ties.edges["b", "c"] == {"reports": 1, "level": 2}
    assert ties.nodes["d"] == {"sector": "Y"}


def test_intersection_keeps_confirmed_ties_at_the_lower_level() -> None:
    ties = symmetrise(reports(), how="intersection")
    assert list(ties.edges(data=True)) == [("a", "b", {"reports": 2, "level": 1, "trust": 3.0})]
    assert set(ties.nodes) == {"a", "b", "c", "d"}


def test_symmetrise_names_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        symmetrise(nx.Graph(), how="both")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"graph", "how"}


# -------------------------------------------------------------------- whole-network measures


def test_density_binary_and_valued() -> None:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", level=3)
    graph.add_edge("b", "c", level=1)
    graph.add_edge("c", "a", level=0)  # no tie
    # 2 of 3 * 2 = 6 ordered pairs; valued: (3 + 1) / 6
    assert density(graph) == pytest.approx(2 / 6)
    assert density(graph, valued=True) == pytest.approx(4 / 6)
    assert density(hand_example()) == pytest.approx(4 / 6)  # 4 of 6 pairs
    assert density(nx.Graph()) == 0.0


def test_reciprocity_of_three_nodes() -> None:
    # a <-> b reciprocated (2 ties), b -> c not: 2 of 3 reported ties answered back
    graph = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    assert reciprocity(graph) == pytest.approx(2 / 3)
    assert reciprocity(graph) == pytest.approx(nx.reciprocity(graph))


def test_reciprocity_needs_a_directed_graph() -> None:
    with pytest.raises(ValidationError, match="1 problem"):
        reciprocity(nx.Graph([(1, 2)]))


def test_response_rate() -> None:
    rate = response_rate(["a", "b", "c", "d"], ["b", "d", "b"])
    assert (rate.invited, rate.responded, rate.rate, rate.missing) == (4, 2, 0.5, ("a", "c"))
    assert json.loads(json.dumps(rate.to_dict()))["missing"] == ["a", "c"]


def test_response_rate_names_strangers_and_empty_roster() -> None:
    with pytest.raises(ValidationError) as caught:
        response_rate([], ["x"])
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "x" in messages[1]


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        (nx.star_graph(5), 1.0),
        (nx.complete_graph(6), 0.0),
        (nx.cycle_graph(5), 0.0),
        # path of 3 is a star with 2 leaves: degrees 1, 2, 1 -> (1 + 1) / (2 * 1)
        (nx.path_graph(3), 1.0),
        # path of 4: degrees 1,2,2,1 -> (1 + 0 + 0 + 1) / (3 * 2)
        (nx.path_graph(4), 2 / 6),
        (nx.DiGraph([(0, 1), (0, 2), (3, 0), (0, 3)]), 1.0),  # directed star, union
    ],
)
def test_freeman_centralisation(graph: nx.Graph, expected: float) -> None:
    assert freeman_centralisation(graph) == pytest.approx(expected)


def test_freeman_centralisation_needs_three_organisations() -> None:
    with pytest.raises(ValidationError, match="at least 3"):
        freeman_centralisation(nx.path_graph(2))


# ------------------------------------------------------------------------------------- E-I


def test_ei_only_between_groups_is_plus_one_and_only_within_is_minus_one() -> None:
    between = sectors(nx.Graph([("a", "c"), ("b", "d")]), a="X", b="X", c="Y", d="Y")
    within = sectors(nx.Graph([("a", "b"), ("c", "d")]), a="X", b="X", c="Y", d="Y")
    assert ei_index(between).index == 1.0
    assert ei_index(within).index == -1.0
    assert set(ei_index(within).groups.values()) == {-1.0}


def test_ei_by_hand() -> None:
    # ties a-b (internal), a-c, b-c (external), c-d (internal): E = 2, I = 2, E-I = 0.
    # 4 organisations, 6 possible pairs, 1 + 1 of them internal: expected (6 - 2*2) / 6 = 1/3.
    # X's ties: a-b inside, a-c and b-c out: (2 - 1) / 3; Y's the same: c-d inside, a-c, b-c.
    # a: 1 out (c), 1 in (b) -> 0; c: 2 out, 1 in -> 1/3; d: only c-d -> -1.
    result = ei_index(hand_example())
    assert (result.external, result.internal, result.index) == (2, 2, 0.0)
    assert result.expected == pytest.approx(1 / 3)
    assert expected_ei(hand_example()) == pytest.approx(1 / 3)
    assert result.groups == pytest.approx({"X": 1 / 3, "Y": 1 / 3})
    assert result.nodes == pytest.approx({"a": 0.0, "b": 0.0, "c": 1 / 3, "d": -1.0})
    json.dumps(result.to_dict(), allow_nan=False)


def test_ei_node_without_ties_is_none_and_directed_reports_count_once() -> None:
    graph = nx.DiGraph([("a", "c"), ("c", "a")])
    graph.add_node("b")
    sectors(graph, a="X", b="X", c="Y")
    result = ei_index(graph)
    assert (result.external, result.internal) == (1, 0)
    assert result.nodes["b"] is None
    assert json.loads(json.dumps(result.to_dict(), allow_nan=False))["nodes"]["b"] is None


def test_missing_attribute_names_the_nodes() -> None:
    graph = nx.Graph([("a", "b"), ("b", "c")])
    graph.nodes["a"]["sector"] = "X"
    with pytest.raises(ValidationError) as caught:
        ei_index(graph)
    (problem,) = caught.value.problems
    assert problem.field == "sector"
    assert "2 node(s)" in problem.message and "b, c" in problem.message


def test_not_a_graph_is_named() -> None:
    with pytest.raises(ValidationError, match="not list") as caught:
        ei_index([("a", "b")])  # type: ignore[arg-type]
    assert caught.value.problems[0].field == "graph"


def test_permutation_test_is_reproducible_and_p_in_range() -> None:
    graph = nx.gnm_random_graph(60, 150, seed=1)
    nx.set_node_attributes(graph, {n: f"s{n % 4}" for n in graph}, "sector")
    first = ei_permutation_test(graph, permutations=200, seed=7)
    again = ei_permutation_test(graph, permutations=200, seed=7)
    assert first == again
    assert 0 < first.p_value <= 1
    assert first.observed == pytest.approx(ei_index(graph).index)
    # random mixing: the shuffles centre on the expected value
    assert first.permuted_mean == pytest.approx(first.expected, abs=0.05)
    json.dumps(first.to_dict(), allow_nan=False)


def test_permutation_test_finds_strong_homophily() -> None:
    # two cliques of 6, one bridge: far more internal ties than chance
    graph = nx.barbell_graph(6, 0)
    nx.set_node_attributes(graph, {n: "X" if n < 6 else "Y" for n in graph}, "sector")
    result = ei_permutation_test(graph, permutations=999, alternative="less", seed=0)
    assert result.observed == pytest.approx((1 - 30) / 31)
    # only a shuffle putting each clique back in one group (2 of C(12, 6) = 924) is as extreme
    assert result.p_value < 0.01


def test_permutation_test_checks_options() -> None:
    with pytest.raises(ValidationError) as caught:
        ei_permutation_test(hand_example(), permutations=0, alternative="up")
    assert {p.field for p in caught.value.problems} == {"permutations", "alternative"}


def test_shuffled_groups_average_the_expected_ei_on_1300_organisations() -> None:
    """Ties drawn at random: the observed E-I, the shuffles' mean and Krackhardt and Stern's
    expected value all agree (within the shuffles' spread), and nothing is significant.
    (How fast: benchmarks/network.py.)"""
    graph = nx.gnm_random_graph(1300, 5200, seed=3)
    nx.set_node_attributes(graph, {n: n % 13 for n in graph}, "sector")
    found = ei_permutation_test(graph, permutations=1000)
    assert found.expected is not None
    assert found.permuted_mean == pytest.approx(found.expected, abs=3 * found.permuted_sd)
    assert found.observed == pytest.approx(found.expected, abs=4 * found.permuted_sd)
    assert found.p_value > 0.001


# ----------------------------------------------------------------------- blocks and brokers


def test_block_densities_by_hand() -> None:
    table = block_densities(hand_example())
    # X-X: a-b of 1 pair; X-Y: a-c, b-c of 2 * 2 = 4; Y-Y: c-d of 1
    expected = pd.DataFrame(
        [[1.0, 0.5], [0.5, 1.0]], index=pd.Index(["X", "Y"], name="sector"), columns=["X", "Y"]
    )
    pd.testing.assert_frame_equal(table, expected)


def test_block_densities_directed_and_singleton_group() -> None:
    graph = sectors(nx.DiGraph([("a", "b"), ("a", "c")]), a="X", b="X", c="Y")
    table = block_densities(graph)
    assert table.loc["X", "X"] == pytest.approx(1 / 2)  # a->b of a->b, b->a
    assert table.loc["X", "Y"] == pytest.approx(1 / 2)  # a->c of a->c, b->c
    assert table.loc["Y", "X"] == 0.0
    assert math.isnan(table.loc["Y", "Y"])


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (("X", "X", "X"), "coordinator"),
        (("X", "Y", "Y"), "gatekeeper"),
        (("X", "X", "Y"), "representative"),
        (("X", "Y", "X"), "itinerant"),
        (("X", "Y", "Z"), "liaison"),
    ],
)
def test_brokerage_role_on_a_path(groups: tuple[str, str, str], role: str) -> None:
    graph = nx.DiGraph([("a", "b"), ("b", "c")])
    sectors(graph, a=groups[0], b=groups[1], c=groups[2])
    table = brokerage(graph)
    assert list(table.columns) == [*BROKERAGE_ROLES, "total"]
    assert table.loc["b", role] == 1
    assert table.loc["b", "total"] == 1
    assert table.drop(index="b")["total"].sum() == 0


def test_no_brokerage_when_the_ends_are_tied() -> None:
    graph = sectors(nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")]), a="X", b="Y", c="Z")
    assert brokerage(graph)["total"].sum() == 0


def test_brokerage_needs_a_directed_graph() -> None:
    with pytest.raises(ValidationError, match="directed"):
        brokerage(hand_example())


def test_constraint_and_effective_size_match_networkx() -> None:
    graph = nx.star_graph(3)
    graph.add_node(9)
    table = constraint_and_effective_size(graph)
    # the hub's three partners are not tied to one another: effective size 3, constraint 1/3
    assert table.loc[0, "effective_size"] == pytest.approx(3.0)
    assert table.loc[0, "constraint"] == pytest.approx(1 / 3)
    assert table.loc[1, "constraint"] == pytest.approx(1.0)
    assert np.isnan(table.loc[9, "constraint"])


# -------------------------------------------------------------------------- real networks


def test_on_the_nfdi_letters_of_intent() -> None:
    edges = pd.read_csv(NETWORKS / "nfdi_netzwerk_2021.csv", sep=None, engine="python")
    graph = nx.from_pandas_edgelist(edges, "from", "to", create_using=nx.DiGraph)
    # no sector in the file: a stand-in grouping by the name's first letter
    nx.set_node_attributes(graph, {n: str(n)[:1].upper() for n in graph}, "sector")
    assert 0 < density(graph) < 1
    assert 0 <= reciprocity(graph) <= 1
    assert 0 <= freeman_centralisation(graph) <= 1
    result = ei_index(graph)
    assert -1 <= result.index <= 1
    test = ei_permutation_test(graph, permutations=100)
    assert 0 < test.p_value <= 1
    assert brokerage(graph)["total"].sum() > 0
    union, both = symmetrise(graph), symmetrise(graph, how="intersection")
    assert both.number_of_edges() <= union.number_of_edges()

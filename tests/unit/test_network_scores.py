"""Trust and value scores and the collaboration-level profile on hand-checkable reports."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from mobilise.analysis.network_scores import (
    LEVEL_ROWS,
    SCORES,
    level_profile,
    network_scores,
    partner_scores,
    sector_scores,
)
from mobilise.errors import ValidationError

NETWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "networks"


def counts(table: pd.DataFrame, node: str, columns: list[str]) -> list[int]:
    """The whole-number cells of one row."""
    return [int(cell) for cell in table.loc[[node], columns].to_numpy()[0]]


def survey() -> nx.DiGraph:
    """Four partners: a, d in sector X; b, c in sector Y. Reports (respondent -> partner):

    a -> b  level 2, value 3, trust 4, value_influence 3
    c -> b  level 1, value 1
    b -> a  level None, trust 2
    d -> a  level 0 with trust 1 (no tie: its score is ignored)
    a -> c  level 3, value 4, trust 3
    """
    graph = nx.DiGraph()
    for node, sector in [("a", "X"), ("b", "Y"), ("c", "Y"), ("d", "X")]:
        graph.add_node(node, sector=sector)
    graph.add_edge("a", "b", level=2, value=3.0, trust=4.0, value_influence=3)
    graph.add_edge("c", "b", level=1, value=1.0)
    graph.add_edge("b", "a", level=None, trust=2.0)
    graph.add_edge("d", "a", level=0, trust=1.0)
    graph.add_edge("a", "c", level=3, value=4.0, trust=3.0)
    return graph


def nfdi() -> nx.DiGraph:
    edges = pd.read_csv(NETWORKS / "nfdi_netzwerk_2020.csv", sep=";")
    graph = nx.from_pandas_edgelist(edges, "from", "to", create_using=nx.DiGraph)
    # the file has ties only: made-up sectors (name length even or odd) and scores from a
    # deterministic rule (1 + (len(respondent) + len(partner)) % 4)
    nx.set_node_attributes(graph, {n: f"S{len(str(n)) % 2}" for n in graph}, "sector")
    for u, v, data in graph.edges(data=True):
        data["value"] = float(1 + (len(u) + len(v)) % 4)
        data["trust"] = float(1 + len(u) % 4)
        data["level"] = 1 + len(v) % 3
    return graph


# -------------------------------------------------------------------------------- partner scores


def test_partner_scores_by_hand() -> None:
    table = partner_scores(survey())
    assert table.index.name == "partner"
    assert list(table.index) == ["a", "b", "c", "d"]
    # b: value (3 + 1) / 2 = 2 from a and c; trust 4 from a only
    assert table.loc["b", "value"] == pytest.approx(2.0)
    assert table.loc["b", "trust"] == pytest.approx(4.0)
    assert table.loc["b", "value_influence"] == pytest.approx(3.0)
    assert counts(table, "b", ["raters_value", "raters_trust", "ties_in"]) == [2, 1, 2]
    # a: trust 2 from b; d's trust 1 sits on a level-0 report and is ignored
    assert table.loc["a", "trust"] == pytest.approx(2.0)
    assert table.loc[["a"], "value"].isna().all()
    assert counts(table, "a", ["raters_value", "raters_trust", "ties_in"]) == [0, 1, 1]
    # d: nobody rated it
    assert table.loc["d", list(SCORES)].isna().all()
    assert counts(table, "d", ["raters_value", "raters_trust", "ties_in"]) == [0, 0, 0]


def test_partner_scores_columns_and_types() -> None:
    table = partner_scores(survey())
    items = [f"raters_{item}" for item in SCORES[2:]]
    assert list(table.columns) == [*SCORES, "raters_value", "raters_trust", *items, "ties_in"]
    assert all(str(table[c].dtype) == "int64" for c in ("raters_value", "raters_trust", "ties_in"))
    empty = partner_scores(nx.DiGraph())
    assert empty.empty and list(empty.columns) == list(table.columns)


# -------------------------------------------------------------------------------- sector scores


def test_sector_scores_by_hand() -> None:
    table = sector_scores(survey())
    assert table.index.name == "sector"
    assert list(table.index) == ["X", "Y"]
    # Y = partners b, c: value reports 3, 1, 4 -> 8 / 3 from a, c (2 distinct raters);
    # trust 4, 3 -> 3.5 from a only (1 rater); 3 tie reports, all scored
    assert table.loc["Y", "value"] == pytest.approx(8 / 3)
    assert table.loc["Y", "trust"] == pytest.approx(3.5)
    assert counts(table, "Y", ["raters_value", "raters_trust", "ties_in", "ratings"]) == [
        2,
        1,
        3,
        3,
    ]
    # X = partners a, d: only b's trust 2 about a
    assert table.loc["X", "trust"] == pytest.approx(2.0)
    assert counts(table, "X", ["raters_value", "raters_trust", "ties_in", "ratings"]) == [
        0,
        1,
        1,
        1,
    ]


def test_sector_scores_by_another_attribute() -> None:
    graph = survey()
    nx.set_node_attributes(graph, {"a": "north", "b": "north", "c": "south", "d": "south"}, "area")
    table = sector_scores(graph, attribute="area")
    assert table.index.name == "area"
    # north = a, b: value 3, 1 -> 2; south = c: value 4
    assert table["value"].to_dict() == pytest.approx({"north": 2.0, "south": 4.0})


# -------------------------------------------------------------------------------- network scores


def test_network_scores_by_hand() -> None:
    summary = network_scores(survey())
    # value 3, 1, 4 -> 8/3 from a, c; trust 4, 2, 3 -> 3 from a, b; 4 scored tie reports
    assert summary["value"] == pytest.approx(8 / 3)
    assert summary["trust"] == pytest.approx(3.0)
    assert summary["value_influence"] == pytest.approx(3.0)
    assert summary["trust_openness"] is None
    assert (summary["raters_value"], summary["raters_trust"], summary["ratings"]) == (2, 2, 4)
    items = {f"raters_{item}" for item in SCORES[2:]}
    assert set(summary) == {*SCORES, "raters_value", "raters_trust", *items, "ratings"}


def test_network_scores_of_an_empty_network() -> None:
    summary = network_scores(nx.DiGraph())
    assert all(summary[score] is None for score in SCORES)
    assert summary["ratings"] == 0


# -------------------------------------------------------------------------------- level profile


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # reports: levels 2, 1, None, 0, 3 -> one of each row
        (False, [1, 1, 1, 1, 1]),
        # pairs: a-b (2 and None -> coordinated), b-c (1), a-d (0), a-c (3)
        (True, [1, 1, 1, 1, 0]),
    ],
)
def test_level_profile_by_hand(pairs: bool, expected: list[int]) -> None:
    profile = level_profile(survey(), pairs=pairs)
    assert list(profile.index) == list(LEVEL_ROWS)
    assert profile["count"].tolist() == expected
    assert profile["share"].tolist() == pytest.approx([c / sum(expected) for c in expected])


@pytest.mark.parametrize(
    ("levels", "row"),
    [
        ((0, None), "unspecified"),  # one side says no tie, the other a tie without level
        ((0, 0), "none"),
        ((None, 1), "cooperative"),
        ((None, None), "unspecified"),
        ((3, 1), "integrated"),
    ],
)
def test_pair_takes_the_highest_level(levels: tuple[int | None, int | None], row: str) -> None:
    graph = nx.DiGraph()
    graph.add_edge("a", "b", level=levels[0])
    graph.add_edge("b", "a", level=levels[1])
    profile = level_profile(graph, pairs=True)
    assert profile.loc[row, "count"] == 1
    assert profile["count"].sum() == 1


def test_level_profile_by_sector() -> None:
    profile = level_profile(survey(), by="sector")
    assert list(profile.columns) == ["sector", "level", "count", "share"]
    assert len(profile) == 2 * len(LEVEL_ROWS)
    x = profile[profile["sector"] == "X"].set_index("level")
    # respondents in X: a (levels 2, 3) and d (0) -> 3 reports
    assert x["count"].tolist() == [1, 0, 1, 1, 0]
    assert x["share"].sum() == pytest.approx(1.0)
    y = profile[profile["sector"] == "Y"].set_index("level")
    # respondents in Y: c (1), b (None)
    assert y["count"].tolist() == [0, 1, 0, 0, 1]


def test_level_profile_of_an_empty_network() -> None:
    profile = level_profile(nx.DiGraph())
    assert profile["count"].sum() == 0
    assert profile["share"].isna().all()


# -------------------------------------------------------------------------------- real network


def test_on_the_nfdi_network() -> None:
    graph = nfdi()
    table = partner_scores(graph)
    assert len(table) == graph.number_of_nodes()
    assert table["ties_in"].to_dict() == dict(graph.in_degree)
    expected = {v: sum(graph.edges[u, v]["value"] for u in graph.predecessors(v)) for v in graph}
    rated = table[table["ties_in"] > 0]
    for node, row in rated.iterrows():
        assert row["value"] == pytest.approx(expected[node] / row["ties_in"])
    sectors = sector_scores(graph)
    assert sectors["ties_in"].sum() == graph.number_of_edges()
    summary = network_scores(graph)
    assert summary["ratings"] == graph.number_of_edges()
    assert summary["value"] == pytest.approx(
        sum(v for _, _, v in graph.edges(data="value")) / graph.number_of_edges()
    )
    profile = level_profile(graph)
    assert profile["count"].sum() == graph.number_of_edges()
    assert profile.loc[["none", "unspecified"], "count"].tolist() == [0, 0]
    pairs = level_profile(graph, pairs=True)
    assert pairs["count"].sum() == graph.to_undirected().number_of_edges()
    by = level_profile(graph, by="sector")
    assert by["count"].sum() == graph.number_of_edges()


# -------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("function", [partner_scores, sector_scores, network_scores])
def test_scores_need_a_directed_graph(function: object) -> None:
    with pytest.raises(ValidationError, match="directed"):
        function(nx.Graph([("a", "b")]))  # type: ignore[operator]
    with pytest.raises(ValidationError, match="NetworkX graph"):
        function([("a", "b")])  # type: ignore[operator]


def test_scores_that_are_not_numbers_are_named() -> None:
    graph = survey()
    graph.edges["a", "b"]["value"] = "high"
    graph.edges["a", "c"]["trust"] = True
    with pytest.raises(ValidationError, match="2 problems") as error:
        partner_scores(graph)
    assert {p.field for p in error.value.problems} == {"value", "trust"}
    assert "a->b" in str(error.value)


def test_sector_scores_names_nodes_without_a_sector() -> None:
    graph = survey()
    del graph.nodes["c"]["sector"]
    with pytest.raises(ValidationError, match="sector") as error:
        sector_scores(graph)
    assert "c" in str(error.value)


def test_level_profile_names_every_problem() -> None:
    graph = nx.Graph([("a", "b")], level=7)
    graph.add_edge("b", "c", level=7)
    with pytest.raises(ValidationError) as error:
        level_profile(graph, pairs="yes", by="sector")  # type: ignore[arg-type]
    fields = [p.field for p in error.value.problems]
    assert fields == ["level", "pairs", "sector", "by"]

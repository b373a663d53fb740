"""Change between survey rounds, fading ties and suggested introductions, on small networks
whose answers can be checked by hand, and on the NFDI letters-of-intent waves."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.analysis.network_change import (
    LEVEL_LABELS,
    compare_rounds,
    fading_ties,
    level_label,
    suggest_introductions,
)
from mobilise.errors import ValidationError

NETWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "networks"


def round_of(
    responded: dict[str, bool], *reports: tuple[str, str, dict[str, object]]
) -> nx.DiGraph:
    graph = nx.DiGraph()
    for node, flag in responded.items():
        graph.add_node(node, responded=flag)
    for u, v, data in reports:
        graph.add_edge(u, v, **data)
    return graph


def four_partners() -> tuple[nx.DiGraph, nx.DiGraph]:
    """a, b, c, d in both rounds; d answered only the first, so a, b, c are matched."""
    before = round_of(
        {"a": True, "b": True, "c": True, "d": True},
        ("a", "b", {"level": 2, "trust": 3.0, "value": 3.0}),
        ("a", "c", {"level": 1}),
        ("b", "a", {"level": 2, "trust": 4.0}),
        ("c", "d", {"level": 3}),
        ("d", "a", {"level": 0}),  # d says: no tie with a
    )
    after = round_of(
        {"a": True, "b": True, "c": True, "d": False},
        ("a", "b", {"level": 1, "trust": 2.0, "value": 3.0}),
        ("a", "d", {"level": 2}),
        ("b", "a", {"level": 2, "trust": 3.0}),
        ("c", "d", {"level": None}),  # a tie, level not given
        ("c", "b", {"level": 0}),  # no tie either round: no row
        ("d", "c", {"level": 2}),  # d is not matched: ignored
    )
    return before, after


# ---------------------------------------------------------------------------- compare_rounds


def test_kept_new_lost_and_jaccard_on_four_partners() -> None:
    change = compare_rounds(*four_partners())
    # a->b kept, a->c lost, a->d new, b->a kept, c->d kept: 3 kept, 1 new, 1 lost.
    statuses = change.ties.set_index(["respondent", "partner"])["status"].to_dict()
    assert statuses == {
        ("a", "b"): "kept",
        ("a", "c"): "lost",
        ("a", "d"): "new",
        ("b", "a"): "kept",
        ("c", "d"): "kept",
    }
    assert (change.kept, change.new, change.lost) == (3, 1, 1)
    assert change.jaccard == pytest.approx(3 / 5)
    # Pairs: a-b kept (both reports), a-c lost, a-d new, c-d kept -> 2 / (2 + 1 + 1).
    assert change.jaccard_pairs == pytest.approx(2 / 4)
    assert change.matched == ["a", "b", "c"]
    assert (change.respondents_before, change.respondents_after) == (4, 3)
    assert change.kept + change.new + change.lost == len(change.ties)


def test_tie_of_unknown_level_is_not_no_tie() -> None:
    ties = compare_rounds(*four_partners()).ties.set_index(["respondent", "partner"])
    row = {pair: ties.loc[pair].to_dict() for pair in ties.index}
    c_d = row[("c", "d")]
    assert c_d["level_before"] == 3 and c_d["level_after"] is None and c_d["tie_after"]
    a_c = row[("a", "c")]
    assert a_c["level_after"] is None and not a_c["tie_after"]
    a_b = row[("a", "b")]
    assert (a_b["trust_before"], a_b["trust_after"], a_b["trust_change"]) == (3.0, 2.0, -1.0)
    assert math.isnan(row[("a", "d")]["trust_before"])


def test_transitions_table() -> None:
    table = compare_rounds(*four_partners()).transitions
    assert list(table.index) == list(LEVEL_LABELS) == list(table.columns)
    assert table.loc["coordinated", "cooperative"] == 1  # a->b
    assert table.loc["cooperative", "none"] == 1  # a->c lost
    assert table.loc["none", "coordinated"] == 1  # a->d new
    assert table.loc["coordinated", "coordinated"] == 1  # b->a
    assert table.loc["integrated", "unspecified"] == 1  # c->d
    assert int(table.to_numpy().sum()) == 5  # one per row of ties
    assert table.loc["none", "none"] == 0  # never a tie in neither round
    assert all(dtype.kind == "i" for dtype in table.dtypes)


def test_pair_change_is_the_mean_of_the_reports() -> None:
    pairs = compare_rounds(*four_partners()).pair_change.set_index(["a", "b"])
    assert list(pairs.index) == [("a", "b"), ("a", "c"), ("a", "d"), ("c", "d")]
    by_pair = pairs.to_dict("index")
    # a-b trust: before mean(3, 4) = 3.5, after mean(2, 3) = 2.5; value only from a: 3 -> 3.
    a_b = by_pair[("a", "b")]
    assert (a_b["trust_before"], a_b["trust_after"], a_b["trust_change"]) == (3.5, 2.5, -1.0)
    assert a_b["value_change"] == 0.0
    assert math.isnan(by_pair[("c", "d")]["trust_change"])  # c-d never scored trust


def test_joiners_and_leavers_and_reports_about_them_are_not_compared() -> None:
    before = round_of({"a": True, "b": True, "e": False}, ("a", "e", {"level": 2}))
    after = round_of(
        {"a": True, "b": True, "f": True, "g": False},
        ("a", "f", {"level": 1}),
        ("f", "a", {"level": 1}),
    )
    change = compare_rounds(before, after)
    assert change.joiners == ["f", "g"]
    assert change.leavers == ["e"]
    assert change.matched == ["a", "b"]
    assert (change.kept, change.new, change.lost) == (0, 0, 0)
    assert change.jaccard is None and change.jaccard_pairs is None
    assert change.ties.empty and change.pair_change.empty
    assert int(change.transitions.to_numpy().sum()) == 0
    summary = change.summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["joiners"] == ["f", "g"] and summary["jaccard"] is None


def test_without_responded_flags_nodes_with_reports_are_respondents() -> None:
    before = nx.DiGraph([("a", "b"), ("b", "c")])
    after = nx.DiGraph([("a", "b"), ("c", "a")])
    change = compare_rounds(before, after)
    assert change.matched == ["a"]  # b reported only before, c only after
    assert (change.kept, change.new, change.lost) == (1, 0, 0)
    assert change.transitions.loc["unspecified", "unspecified"] == 1


def test_summary_is_plain_json() -> None:
    summary = compare_rounds(*four_partners()).summary()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["kept"] == 3 and summary["jaccard"] == pytest.approx(0.6)
    assert summary["transitions"]["integrated"]["unspecified"] == 1


def test_bad_rounds_list_every_problem() -> None:
    with pytest.raises(ValidationError) as caught:
        compare_rounds("not a graph", nx.Graph())
    assert len(caught.value.problems) == 2
    assert {p.field for p in caught.value.problems} == {"before", "after"}
    wrong = nx.DiGraph()
    wrong.add_edge("a", "b", level=7, trust="high")
    with pytest.raises(ValidationError) as caught:
        compare_rounds(wrong, nx.DiGraph())
    assert {p.field for p in caught.value.problems} == {"level", "trust"}


# ------------------------------------------------------------------------------- fading_ties


def test_fading_ties_with_their_reasons_and_severity() -> None:
    fading = fading_ties(*four_partners())
    # a->b: level 2 -> 1 and trust 3 -> 2: severity 1 + 1 = 2. b->a: trust 4 -> 3: severity 1.
    # c->d lost its level (3 -> unknown): not comparable, not fading. a->c is lost, not fading.
    assert list(zip(fading["respondent"], fading["partner"], strict=True)) == [
        ("a", "b"),
        ("b", "a"),
    ]
    assert fading.loc[0, "reasons"] == [
        "level fell from coordinated to cooperative",
        "trust fell from 3 to 2",
    ]
    assert fading.loc[1, "reasons"] == ["trust fell from 4 to 3"]
    assert list(fading["severity"]) == [2.0, 1.0]


def test_fading_thresholds_and_value() -> None:
    before = round_of(
        {"x": True, "y": True},
        ("x", "y", {"level": 3, "trust": 11 / 3, "value": 4.0}),
        ("y", "x", {"level": 2, "trust": 3.0, "value": 3.0}),
    )
    after = round_of(
        {"x": True, "y": True},
        ("x", "y", {"level": 3, "trust": 19 / 6, "value": 2.5}),  # trust falls by exactly 0.5
        ("y", "x", {"level": 2, "trust": 2.75, "value": 3.0}),  # falls by 0.25 only
    )
    fading = fading_ties(before, after)
    assert list(fading["respondent"]) == ["x"]
    assert fading.loc[0, "reasons"] == ["trust fell from 3.7 to 3.2", "value fell from 4 to 2.5"]
    assert fading.loc[0, "severity"] == pytest.approx(0.5 + 1.5)
    assert list(fading_ties(before, after, trust_drop=0.25, value_drop=2)["respondent"]) == [
        "x",
        "y",
    ]
    assert fading_ties(before, after, trust_drop=1, value_drop=2).empty


def test_fading_rejects_bad_thresholds() -> None:
    before, after = four_partners()
    with pytest.raises(ValidationError) as caught:
        fading_ties(before, after, trust_drop=-1, value_drop="a")  # type: ignore[arg-type]
    assert {p.field for p in caught.value.problems} == {"trust_drop", "value_drop"}


# --------------------------------------------------------------------- suggest_introductions


def sector_gaps() -> nx.DiGraph:
    """Arts A1, A2; primary care P1, P2, P3; VCSE V1, V2. Every report points at a VCSE.

    Undirected ties: A1-V1, A2-V1, P1-V1, P2-V1, A1-V2, P1-V2 (P3 -> A1 is level 0).
    Arts-primary 0 of 6 (0), primary-VCSE 3 of 6 (0.5), arts-VCSE 3 of 4 (0.75).
    Trust received: V1 mean(3, 2, 3, 2) = 2.5, V2 mean(4, 3.5) = 3.75.
    """
    graph = nx.DiGraph()
    for node, sector in {
        "A1": "arts_culture",
        "A2": "arts_culture",
        "P1": "primary_care",
        "P2": "primary_care",
        "P3": "primary_care",
        "V1": "vcse",
        "V2": "vcse",
    }.items():
        graph.add_node(node, sector=sector)
    for u, v, trust in [
        ("A1", "V1", 3),
        ("A2", "V1", 2),
        ("P1", "V1", 3),
        ("P2", "V1", 2),
        ("A1", "V2", 4),
        ("P1", "V2", 3.5),
    ]:
        graph.add_edge(u, v, level=1, trust=trust)
    graph.add_edge("P3", "A1", level=0)
    return graph


def pairs_of(frame: pd.DataFrame) -> list[str]:
    return [f"{a}-{b}" for a, b in zip(frame["a"], frame["b"], strict=True)]


def test_suggestions_order_cap_and_introducers() -> None:
    found = suggest_introductions(sector_gaps())
    # Shared partners first: arts-primary (density 0) A1-P1 (V1, V2), then A1-P2, A2-P1, A2-P2
    # (V1 each), capped at max(2, 10 // 3) = 3. Then pairs with none, thinnest gap first:
    # primary-VCSE P2-V2, P3-V1, P3-V2, then arts-VCSE A2-V2.
    assert pairs_of(found) == ["A1-P1", "A1-P2", "A2-P1", "P2-V2", "P3-V1", "P3-V2", "A2-V2"]
    first = found.iloc[0].to_dict()
    assert first["introducers"] == ["V2", "V1"]  # V2 is the more trusted
    assert first["shared_partners"] == 2
    assert first["sector_a"] == "arts_culture" and first["sector_b"] == "primary_care"
    assert first["sector_density"] == 0.0
    assert first["reason"] == (
        "Arts and culture and Primary care partners have no ties out of 6 possible (0%). "
        "Both work with 2 partners already, who could introduce them."
    )
    p2_v2 = found.iloc[3].to_dict()
    assert p2_v2["sector_density"] == 0.5 and p2_v2["introducers"] == []
    assert p2_v2["reason"].startswith(
        "Primary care and Voluntary, community and social enterprise (VCSE) partners have "
        "3 ties out of 6 possible (50%)."
    )
    assert p2_v2["reason"].endswith("They have no partner in common yet.")


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(1, ["A1-P1"]), (2, ["A1-P1", "A1-P2"]), (4, ["A1-P1", "A1-P2", "P2-V2", "P3-V1"])],
)
def test_suggestions_limit_and_cap_per_gap(limit: int, expected: list[str]) -> None:
    # With limit 4 the cap is max(2, 4 // 3) = 2 per sector pair.
    assert pairs_of(suggest_introductions(sector_gaps(), limit=limit)) == expected


def test_suggestions_other_attribute_uses_raw_labels() -> None:
    graph = nx.Graph([("x", "m"), ("y", "m")])
    nx.set_node_attributes(graph, {"x": "north", "y": "south", "m": "middle"}, "area")
    found = suggest_introductions(graph, attribute="area")
    assert pairs_of(found)[0] == "x-y"
    reason = str(found.iloc[0].to_dict()["reason"])
    assert reason.startswith("north and south partners have no ties out of 1 possible (0%).")
    assert reason.endswith("Both work with 1 partner already, who could introduce them.")


def test_suggestions_reject_bad_input() -> None:
    graph = nx.DiGraph([("a", "b")])
    with pytest.raises(ValidationError) as caught:
        suggest_introductions(graph, limit=0)
    assert {p.field for p in caught.value.problems} == {"sector", "limit"}


def test_level_label() -> None:
    assert [level_label(x) for x in (None, 0, 1, 2, 3)] == [
        "unspecified",
        "none",
        "cooperative",
        "coordinated",
        "integrated",
    ]
    assert level_label(2, tie=False) == "none"


# ------------------------------------------------------------------------- real NFDI waves


def nfdi(year: int) -> tuple[nx.DiGraph, set[tuple[str, str]]]:
    frame = pd.read_csv(NETWORKS / f"nfdi_netzwerk_{year}.csv", sep=";", dtype=str)
    frame = frame.apply(lambda column: column.str.strip())
    arcs = {(u, v) for u, v in zip(frame["from"], frame["to"], strict=True) if u != v}
    graph = nx.DiGraph()
    graph.add_nodes_from(set(frame["from"]) | set(frame["to"]))
    graph.add_edges_from(arcs)
    return graph, arcs


def test_nfdi_waves_against_set_arithmetic() -> None:
    before, arcs_2019 = nfdi(2019)
    after, arcs_2020 = nfdi(2020)
    change = compare_rounds(before, after)
    nodes_2019, nodes_2020 = set(before.nodes), set(after.nodes)
    assert change.joiners == sorted(nodes_2020 - nodes_2019)
    assert change.leavers == sorted(nodes_2019 - nodes_2020)
    assert change.joiners and change.leavers  # membership really changed
    matched = {u for u, _ in arcs_2019} & {u for u, _ in arcs_2020}
    assert change.matched == sorted(matched)
    both = nodes_2019 & nodes_2020

    def compared(arcs: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {(u, v) for u, v in arcs if u in matched and v in both}

    old, now = compared(arcs_2019), compared(arcs_2020)
    assert change.kept == len(old & now)
    assert change.new == len(now - old)
    assert change.lost == len(old - now)
    assert change.jaccard == pytest.approx(len(old & now) / len(old | now))
    assert change.jaccard is not None and 0 < change.jaccard < 1
    assert int(change.transitions.to_numpy().sum()) == len(change.ties)


# ------------------------------------------------------------------------------ invariants

NODES = ["a", "b", "c", "d", "e"]


@st.composite
def rounds(draw: st.DrawFn) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(NODES)
    for u in NODES:
        for v in NODES:
            if u != v and draw(st.booleans()):
                level = draw(st.sampled_from([None, 0, 1, 2, 3]))
                trust = draw(st.none() | st.floats(1, 4))
                graph.add_edge(u, v, level=level, trust=trust)
    if draw(st.booleans()):
        nx.set_node_attributes(graph, {n: draw(st.booleans()) for n in NODES}, "responded")
    return graph


@settings(max_examples=40, deadline=None)
@given(rounds())
def test_a_round_compared_with_itself_keeps_every_tie(graph: nx.DiGraph) -> None:
    change = compare_rounds(graph, graph)
    assert change.new == change.lost == 0
    assert change.kept + change.new + change.lost == len(change.ties)
    if change.kept:
        assert change.jaccard == 1 and change.jaccard_pairs == 1
    else:
        assert change.jaccard is None and change.jaccard_pairs is None
    assert fading_ties(graph, graph).empty


@settings(max_examples=40, deadline=None)
@given(rounds(), rounds())
def test_counts_add_up_between_any_rounds(before: nx.DiGraph, after: nx.DiGraph) -> None:
    change = compare_rounds(before, after)
    assert change.kept + change.new + change.lost == len(change.ties)
    assert int(change.transitions.to_numpy().sum()) == len(change.ties)
    assert change.transitions.loc["none", "none"] == 0
    nx.set_node_attributes(after, {node: node in "ab" for node in NODES}, "sector")
    found = suggest_introductions(after)
    assert len(found) <= 10
    assert all(sa != sb for sa, sb in zip(found["sector_a"], found["sector_b"], strict=True))
    tied = {frozenset((u, v)) for u, v, level in after.edges(data="level") if level != 0}
    assert not tied & {frozenset(ab) for ab in zip(found["a"], found["b"], strict=True)}

"""Comparing small hand-made maps of three groups whose labels are written differently."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from mobilise.analysis.map_compare import (
    UNATTRIBUTED,
    consensus,
    contribution_shares,
    difference,
    match_factors,
    merge,
    normalise_label,
)
from mobilise.errors import ValidationError

from ._map_helpers import map_graph


def build(factors: dict[str, str], links, *, kinds=None) -> nx.MultiDiGraph:
    """A map from ``{id: label}`` and ``(link id, source, target, polarity[, weight])``."""
    return map_graph(links, factors=factors, kinds=kinds, title="group map")


@pytest.fixture
def maps() -> dict[str, nx.MultiDiGraph]:
    """Residents, NHS staff and a voluntary sector forum on worry, sleep and parks.

    All three say worry lowers sleep (the forum with a weight); residents and the NHS disagree
    about parks and worry; only residents link sleep to wellbeing; the forum wrote worry twice.
    """
    residents = build(
        {"r1": "Worry and fear ", "r2": "Sleep", "r3": "Parks", "r4": "Wellbeing"},
        [
            ("a", "r1", "r2", "-"),
            ("b", "r3", "r1", "-"),
            ("c", "r2", "r4", "+"),
        ],
        kinds={"r2": "outcome"},
    )
    nhs = build(
        {"n1": "worry and fear", "n2": "sleep", "n3": "Park"},
        [("a", "n1", "n2", "-"), ("b", "n3", "n1", "+")],
    )
    forum = build(
        {"f1": "Worries and fear", "f2": "SLEEP", "f3": "Worry & fear", "f4": "Green spaces"},
        [("x", "f1", "f2", "-", -0.5), ("y", "f3", "f2", "-", -0.25)],
    )
    return {"residents": residents, "nhs": nhs, "forum": forum}


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Worry and fear ", "worry and fear"),
        ("worry and fear", "worry and fear"),
        ("Worries and fear", "worry and fear"),
        ("Worry  & fear!", "worry and fear"),
        ("Worry, fear", "worry fear"),
        ("  GREEN   spaces ", "green space"),
        ("Well-being", "wellbeing"),
        ("People’s parks", "people park"),
        ("Classes", "class"),
        ("Stress", "stress"),
        ("Bus routes", "bus route"),
        ("Crisis", "crisis"),
        ("Gas bills", "gas bill"),
        ("ＮＨＳ services", "nhs service"),
        ("A&E visits", "a and e visit"),
    ],
)
def test_normalise_label(label, key):
    assert normalise_label(label) == key


def test_match_factors_gives_every_factor_its_shared_key(maps):
    table = match_factors(maps)
    assert list(table.columns) == [
        "group", "factor", "label", "kind", "key", "shared_label", "groups", "repeated",
    ]  # fmt: skip
    keys = dict(zip(table["factor"], table["key"], strict=True))
    assert {keys[f] for f in ("r1", "n1", "f1", "f3")} == {"worry and fear"}
    assert keys["r3"] == keys["n3"] == "park"
    worry = table[table["key"] == "worry and fear"]
    # four spellings, one each: the first seen wins, stripped
    assert set(worry["shared_label"]) == {"Worry and fear"}
    assert set(worry["groups"]) == {3}
    assert table.set_index("factor")["repeated"].to_dict() == {
        "r1": False, "r2": False, "r3": False, "r4": False, "n1": False, "n2": False,
        "n3": False, "f1": True, "f2": False, "f3": True, "f4": False,
    }  # fmt: skip


def test_synonyms_join_labels_that_words_alone_do_not(maps):
    table = match_factors(maps, synonyms={"green spaces": "Parks"})
    keys = dict(zip(table["factor"], table["key"], strict=True))
    assert keys["f4"] == "park"
    assert set(table.loc[table["key"] == "park", "groups"]) == {3}


def test_consensus_keeps_links_most_groups_drew_with_who_drew_them(maps):
    agreed = consensus(maps)
    assert list(agreed) == ["worry and fear", "sleep", "park"]  # wellbeing: residents only
    assert agreed.nodes["sleep"]["kind"] == "outcome"  # the one kind given besides "other"
    assert agreed.nodes["worry and fear"]["factors"] == {
        "residents": ["r1"],
        "nhs": ["n1"],
        "forum": ["f1", "f3"],
    }
    worry_sleep = agreed.edges["worry and fear", "sleep", "worry and fear -> sleep"]
    assert worry_sleep["polarity"] == "-" and not worry_sleep["contested"]
    assert worry_sleep["groups"] == ["residents", "nhs", "forum"]
    assert (worry_sleep["group_count"], worry_sleep["share"]) == (3, 1.0)
    assert (worry_sleep["negative"], worry_sleep["positive"], worry_sleep["unknown"]) == (3, 0, 0)
    # weights known: the forum's -0.5 and -0.25; the others have the full -1
    assert worry_sleep["weight"] == pytest.approx((-1 - 1 - 0.5 - 0.25) / 4)
    parks = agreed.edges["park", "worry and fear", "park -> worry and fear"]
    assert (parks["polarity"], parks["contested"], parks["weight"]) == ("?", True, None)
    assert (parks["positive"], parks["negative"], parks["groups"]) == (1, 1, ["residents", "nhs"])
    assert agreed.number_of_edges() == 2


def test_a_higher_share_keeps_only_what_everyone_drew(maps):
    everyone = consensus(maps, min_share=1.0)
    assert list(everyone) == ["worry and fear", "sleep"]
    assert [key for _, _, key in everyone.edges(keys=True)] == ["worry and fear -> sleep"]
    anyone = consensus(maps, min_share=0.3)
    assert anyone.number_of_edges() == 3
    assert "wellbeing" in anyone


def test_consensus_needs_a_share_and_maps():
    with pytest.raises(ValidationError) as caught:
        consensus({}, min_share=0)
    assert [p.field for p in caught.value.problems] == ["maps", "min_share"]
    with pytest.raises(ValidationError, match=r"maps\['x'\]"):
        consensus({"x": "not a graph"})  # type: ignore[dict-item]


def test_difference_between_two_maps(maps):
    residents, forum = maps["residents"], maps["forum"]
    extra = build({"w": "Worry and fear", "s": "Sleep", "p": "Parks"}, [("q", "p", "s", "?")])
    found = difference(residents, extra)
    assert found.links.to_dict("records") == [
        {
            "source": "worry and fear",
            "source_label": "Worry and fear",
            "target": "sleep",
            "target_label": "Sleep",
            "polarity_a": "-",
            "polarity_b": None,
            "status": "only_a",
        },
        {
            "source": "sleep",
            "source_label": "Sleep",
            "target": "wellbeing",
            "target_label": "Wellbeing",
            "polarity_a": "+",
            "polarity_b": None,
            "status": "only_a",
        },
        {
            "source": "park",
            "source_label": "Parks",
            "target": "worry and fear",
            "target_label": "Worry and fear",
            "polarity_a": "-",
            "polarity_b": None,
            "status": "only_a",
        },
        {
            "source": "park",
            "source_label": "Parks",
            "target": "sleep",
            "target_label": "Sleep",
            "polarity_a": None,
            "polarity_b": "?",
            "status": "only_b",
        },
    ]
    assert found.factors_only_a == ("wellbeing",)
    assert found.factors_only_b == ()
    statuses = difference(residents, maps["nhs"]).counts
    assert statuses == {"only_a": 1, "only_b": 0, "same": 1, "opposite": 1, "unclear": 0}
    with_forum = difference(forum, residents)
    assert with_forum.factors_only_a == ("green space",)
    assert with_forum.counts["same"] == 1


def test_a_known_and_an_unknown_polarity_are_unclear():
    a = build({"1": "Worry", "2": "Sleep"}, [("x", "1", "2", "-")])
    b = build({"1": "worry", "2": "sleep"}, [("x", "1", "2", "?")])
    assert difference(a, b).links["status"].tolist() == ["unclear"]
    found = json.loads(json.dumps(difference(a, b).to_dict(), allow_nan=False))
    assert found["counts"]["unclear"] == 1
    assert found["factors_shared"] == ["worry", "sleep"]


def test_merge_keeps_every_link_attributed_to_its_group(maps):
    merged = merge(maps)
    assert list(merged) == ["worry and fear", "sleep", "park", "wellbeing", "green space"]
    links = sorted(merged.edges(keys=True, data="stakeholder_group"))
    assert links == [
        ("park", "worry and fear", "nhs:b", "nhs"),
        ("park", "worry and fear", "residents:b", "residents"),
        ("sleep", "wellbeing", "residents:c", "residents"),
        ("worry and fear", "sleep", "forum:x", "forum"),
        ("worry and fear", "sleep", "forum:y", "forum"),
        ("worry and fear", "sleep", "nhs:a", "nhs"),
        ("worry and fear", "sleep", "residents:a", "residents"),
    ]
    assert merged.edges["worry and fear", "sleep", "forum:x"]["weight"] == -0.5
    assert merged.edges["worry and fear", "sleep", "forum:x"]["link_id"] == "x"
    assert merged.nodes["green space"]["group_of_contributor"] == "forum"
    assert merged.nodes["park"]["groups"] == ["residents", "nhs"]


def test_contribution_shares_of_a_merged_map(maps):
    shares = contribution_shares(merge(maps))
    assert list(shares.index) == ["residents", "forum", "nhs"]
    assert shares.loc["residents"].tolist() == [4, 0.8, 3, pytest.approx(3 / 7)]
    assert shares.loc["forum"].tolist() == [1, 0.2, 2, pytest.approx(2 / 7)]
    assert shares.loc["nhs"].tolist() == [0, 0.0, 2, pytest.approx(2 / 7)]
    assert shares["factor_share"].sum() == pytest.approx(1)
    assert shares["link_share"].sum() == pytest.approx(1)


def test_contributions_without_attributions_are_unattributed():
    graph = build({"a": "A", "b": "B"}, [("x", "a", "b", "+")])
    graph.edges["a", "b", "x"]["stakeholder_group"] = "  "
    shares = contribution_shares(graph)
    assert list(shares.index) == [UNATTRIBUTED]
    assert shares.loc[UNATTRIBUTED, ["factors", "links"]].tolist() == [2, 1]
    empty = contribution_shares(nx.MultiDiGraph())
    assert empty.empty

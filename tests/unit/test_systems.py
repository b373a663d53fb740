"""Loops, submaps, paths, centrality and communities of small maps, checked by hand."""

from __future__ import annotations

import json
import random
import time
from collections import Counter

import networkx as nx
import pytest

from mobilise.analysis.systems import (
    LOOP_KINDS,
    centrality,
    combine_submaps,
    communities,
    conflicts,
    feedback_loops,
    intervention_effects,
    intervention_paths,
    rank_loops,
    submap,
    summary,
)
from mobilise.errors import ValidationError

from ._map_helpers import map_graph


def build(links, *, kinds=None, labels=None, factors=None) -> nx.MultiDiGraph:
    """A map from ``(link id, source, target, polarity[, weight or attributes])`` tuples.

    Factor ids are the link ends (plus ``factors``); labels are the ids in capitals unless given.
    """
    return map_graph(links, factors=factors or [], labels=labels, kinds=kinds)


def plain_json(value) -> object:
    return json.loads(json.dumps(value, allow_nan=False))


def random_map(n_factors: int, n_links: int, seed: int) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    ids = [f"f{i:03d}" for i in range(n_factors)]
    links = [
        (f"k{i}", rng.choice(ids), rng.choice(ids), rng.choice("++--?")) for i in range(n_links)
    ]
    return build(links, factors=ids)


# --------------------------------------------------------------------------------------------
# Feedback loops


def test_a_self_loop_is_a_loop_of_length_one():
    report = feedback_loops(build([("s", "a", "a", "-"), ("x", "a", "b", "+")]))
    (loop,) = report.loops
    assert (loop.id, loop.factors, loop.links, loop.length, loop.kind) == (
        "L1",
        ("a",),
        ("s",),
        1,
        "balancing",
    )


def test_two_factor_loops_are_classified_by_the_product_of_signs():
    same = feedback_loops(build([("ab", "a", "b", "-"), ("ba", "b", "a", "-")]))
    opposite = feedback_loops(build([("ab", "a", "b", "+"), ("ba", "b", "a", "-")]))
    assert [loop.kind for loop in same.loops] == ["reinforcing"]
    assert [loop.kind for loop in opposite.loops] == ["balancing"]


def test_parallel_links_make_one_loop_per_combination():
    graph = build([("up", "a", "b", "+"), ("down", "a", "b", "-"), ("back", "b", "a", "+")])
    report = feedback_loops(graph)
    assert {loop.links: loop.kind for loop in report.loops} == {
        ("down", "back"): "balancing",
        ("up", "back"): "reinforcing",
    }
    assert report.counts == {"reinforcing": 1, "balancing": 1, "undetermined": 0}
    # ids follow the ranking, ties broken by link id
    assert [(loop.id, loop.links) for loop in report.loops] == [
        ("L1", ("down", "back")),
        ("L2", ("up", "back")),
    ]


def test_unknown_polarity_makes_a_loop_undetermined_and_its_strength_unknown():
    graph = build([("ab", "a", "b", "+"), ("ba", "b", "a", "?")])
    (loop,) = feedback_loops(graph).loops
    assert loop.kind == "undetermined"
    assert loop.strength is None


def test_a_loop_starts_at_its_smallest_factor_id_with_its_links_in_order():
    graph = build([("bc", "b", "c", "+"), ("ca", "c", "a", "-"), ("ab", "a", "b", "-")])
    (loop,) = feedback_loops(graph).loops
    assert loop.factors == ("a", "b", "c")
    assert loop.labels == ("A", "B", "C")
    assert loop.links == ("ab", "bc", "ca")
    assert loop.kind == "reinforcing"  # - x + x - = +


def test_loop_records_count_delays_kinds_and_strength():
    graph = build(
        [
            ("ab", "a", "b", "+", {"strength": "weak", "delay": True}),
            ("ba", "b", "a", "-", -0.5),
        ],
        kinds={"a": "intervention", "b": "outcome"},
    )
    (loop,) = feedback_loops(graph).loops
    assert (loop.delays, loop.outcomes, loop.interventions) == (1, 1, 1)
    assert loop.strength == pytest.approx(0.25 * 0.5)


def test_factors_off_every_loop_are_skipped_and_a_tree_has_none():
    report = feedback_loops(build([("ab", "a", "b", "+"), ("bc", "b", "c", "+")]))
    assert report.loops == ()
    assert not report.truncated
    assert report.counts == dict.fromkeys(LOOP_KINDS, 0)


def test_max_length_bounds_loops_in_links():
    graph = build(
        [
            ("aa", "a", "a", "+"),
            ("ab", "a", "b", "+"),
            ("ba", "b", "a", "+"),
            ("bc", "b", "c", "+"),
            ("ca", "c", "a", "+"),
        ]
    )
    lengths = lambda report: sorted(loop.length for loop in report.loops)  # noqa: E731
    assert lengths(feedback_loops(graph)) == [1, 2, 3]
    assert lengths(feedback_loops(graph, max_length=2)) == [1, 2]
    assert lengths(feedback_loops(graph, max_length=1)) == [1]


def complete(n: int) -> nx.MultiDiGraph:
    ids = "abcdefgh"[:n]
    return build([(f"{s}{t}", s, t, "+") for s in ids for t in ids if s != t])


def test_enumeration_stops_at_max_loops_and_says_so():
    # K4 has 6 two-factor, 8 three-factor and 6 four-factor cycles: 20 loops.
    assert len(feedback_loops(complete(4)).loops) == 20
    cut = feedback_loops(complete(4), max_loops=5)
    assert (len(cut.loops), cut.truncated, cut.reason) == (5, True, "max_loops")
    exact = feedback_loops(complete(4), max_loops=20)
    assert (len(exact.loops), exact.truncated, exact.reason) == (20, False, None)


def test_enumeration_stops_when_the_time_budget_is_spent():
    report = feedback_loops(complete(6), time_budget_s=1e-9)
    assert report.truncated
    assert report.reason == "time_budget"
    assert len(report.loops) < 409  # K6 has 409 cycles


def test_through_keeps_the_loops_passing_any_of_the_factors():
    graph = build(
        [
            ("ab", "a", "b", "+"),
            ("ba", "b", "a", "-"),
            ("bc", "b", "c", "+"),
            ("cb", "c", "b", "+"),
            ("dd", "d", "d", "-"),
            ("ad", "a", "d", "+"),
        ]
    )
    factors = lambda report: sorted(loop.factors for loop in report.loops)  # noqa: E731
    assert factors(feedback_loops(graph, through="a")) == [("a", "b")]
    assert factors(feedback_loops(graph, through=["a", "c"])) == [("a", "b"), ("b", "c")]
    assert factors(feedback_loops(graph, through=["b", "a"])) == [("a", "b"), ("b", "c")]
    assert factors(feedback_loops(graph, through="d")) == [("d",)]
    assert feedback_loops(graph, through=["a", "c"]).through == ("a", "c")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_through_finds_exactly_the_loops_of_a_full_search_that_pass_the_factors(seed):
    graph = random_map(12, 30, seed)
    everything = feedback_loops(graph, max_loops=None, time_budget_s=None)
    focus = ["f001", "f004", "f007"]
    expected = {loop.links for loop in everything.loops if set(loop.factors) & set(focus)}
    for max_length in (None, 4):
        found = feedback_loops(
            graph, through=focus, max_loops=None, time_budget_s=None, max_length=max_length
        )
        wanted = {links for links in expected if max_length is None or len(links) <= max_length}
        assert [loop.links for loop in found.loops] == sorted(
            wanted, key=lambda links: [loop.links for loop in everything.loops].index(links)
        )


def test_full_search_agrees_with_networkx_cycles_expanded_by_parallel_links():
    graph = random_map(15, 40, seed=7)
    simple = nx.DiGraph(graph)
    expected = 0
    for cycle in nx.simple_cycles(simple):
        count = 1
        for source, target in zip(cycle, cycle[1:] + cycle[:1], strict=True):
            count *= graph.number_of_edges(source, target)
        expected += count
    report = feedback_loops(graph, max_loops=None, time_budget_s=None)
    assert len(report.loops) == expected
    assert len({loop.links for loop in report.loops}) == expected


def test_rank_loops_by_focus_and_strength_keeps_ids():
    graph = build(
        [
            ("ab", "a", "b", "+", 0.5),
            ("ba", "b", "a", "+", 0.5),
            ("cd", "c", "d", "+", 1.0),
            ("dc", "d", "c", "+", 1.0),
            ("ce", "c", "e", "+"),
            ("ef", "e", "f", "?"),
            ("fc", "f", "c", "+"),
        ],
        kinds={"e": "outcome", "f": "intervention"},
    )
    report = feedback_loops(graph)
    assert [loop.factors for loop in report.loops] == [("a", "b"), ("c", "d"), ("c", "e", "f")]
    by_focus = rank_loops(report.loops, by="focus")
    assert [loop.id for loop in by_focus] == ["L3", "L1", "L2"]
    by_strength = rank_loops(report.loops, by="strength")
    assert [(loop.id, loop.strength) for loop in by_strength] == [
        ("L2", 1.0),
        ("L1", 0.25),
        ("L3", None),
    ]
    ranked = feedback_loops(graph, rank_by="focus")
    assert (ranked.loops[0].id, ranked.loops[0].factors) == ("L1", ("c", "e", "f"))


def test_loops_report_as_plain_json_and_a_frame():
    graph = build([("ab", "a", "b", "+"), ("ba", "b", "a", "?")])
    found = plain_json(feedback_loops(graph).to_dict())
    assert found["total"] == 1
    assert found["counts"] == {"reinforcing": 0, "balancing": 0, "undetermined": 1}
    assert found["loops"][0] == {
        "id": "L1",
        "kind": "undetermined",
        "length": 2,
        "factors": ["a", "b"],
        "labels": ["A", "B"],
        "links": ["ab", "ba"],
        "delays": 0,
        "outcomes": 0,
        "interventions": 0,
        "strength": None,
    }
    frame = feedback_loops(graph).to_frame()
    assert list(frame.index) == ["L1"]
    assert frame.loc["L1", "kind"] == "undetermined"


def test_a_plain_digraph_is_read_with_links_named_by_their_ends():
    graph = nx.DiGraph()
    graph.add_edge("a", "b", polarity="+")
    graph.add_edge("b", "a", polarity="-")
    (loop,) = feedback_loops(graph).loops
    assert loop.links == ("a->b", "b->a")
    assert loop.kind == "balancing"


def test_bad_loop_options_are_all_named_at_once():
    with pytest.raises(ValidationError) as caught:
        feedback_loops(
            build([("ab", "a", "b", "+")]),
            max_length=0,
            max_loops=-1,
            time_budget_s=0,
            through=["a", "nowhere"],
            rank_by="size",
        )
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["max_length", "max_loops", "time_budget_s", "through", "rank_by"]
    assert "nowhere" in str(caught.value)
    with pytest.raises(ValidationError, match="directed NetworkX graph"):
        feedback_loops(nx.Graph())


# --------------------------------------------------------------------------------------------
# Submaps


@pytest.fixture
def chain() -> nx.MultiDiGraph:
    """a -> b <- e, b -> c -> d, and d -> b closing a loop back."""
    return build(
        [
            ("ab", "a", "b", "+"),
            ("eb", "e", "b", "-"),
            ("bc", "b", "c", "+"),
            ("cd", "c", "d", "+"),
            ("xy", "x", "y", "+"),
        ]
    )


def steps_of(graph: nx.MultiDiGraph) -> dict[str, int]:
    return dict(graph.nodes(data="steps_from_focus"))


def test_downstream_steps(chain):
    assert steps_of(submap(chain, "b", steps=1)) == {"b": 0, "c": 1}
    assert steps_of(submap(chain, "b")) == {"b": 0, "c": 1, "d": 2}
    assert steps_of(submap(chain, "b", steps=0)) == {"b": 0}


def test_upstream_and_both(chain):
    assert steps_of(submap(chain, "c", direction="upstream", steps=1)) == {"b": 1, "c": 0}
    assert steps_of(submap(chain, "c", direction="upstream")) == {
        "a": 2,
        "b": 1,
        "c": 0,
        "e": 2,
    }
    assert steps_of(submap(chain, "b", direction="both", steps=1)) == {
        "a": 1,
        "b": 0,
        "c": 1,
        "e": 1,
    }


def test_a_submap_keeps_every_link_between_its_factors_and_its_attributes(chain):
    part = submap(chain, ["a", "e"], steps=2)
    assert set(part) == {"a", "e", "b", "c"}
    assert sorted(key for _, _, key in part.edges(keys=True)) == ["ab", "bc", "eb"]
    assert part.nodes["b"]["label"] == "B"
    assert part.edges["e", "b", "eb"]["polarity"] == "-"
    assert part.graph["focus"] == ["a", "e"]
    assert "steps_from_focus" not in chain.nodes["b"]  # the map itself is untouched


def test_union_and_intersection_of_submaps(chain):
    from_a, from_e = submap(chain, "a"), submap(chain, "e", steps=2)
    union = combine_submaps([from_a, from_e])
    assert steps_of(union) == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 0}
    assert union.number_of_edges() == 4
    both = combine_submaps([from_a, from_e], how="intersection")
    assert steps_of(both) == {"b": 1, "c": 2}
    assert [key for _, _, key in both.edges(keys=True)] == ["bc"]
    assert union.graph["focus"] == ["a", "e"]


def test_bad_submap_requests_are_named(chain):
    with pytest.raises(ValidationError) as caught:
        submap(chain, ["a", "zz"], direction="sideways", steps=-1)
    assert [p.field for p in caught.value.problems] == ["focus", "direction", "steps"]
    with pytest.raises(ValidationError, match="at least one"):
        combine_submaps([])


# --------------------------------------------------------------------------------------------
# Paths from interventions to outcomes


@pytest.fixture
def programme() -> nx.MultiDiGraph:
    """Two routes from a park scheme to wellbeing of opposite sign; a befriending scheme and a
    closure acting directly in opposite directions; parallel claims about a choir."""
    return build(
        [
            ("p1", "park", "walking", "+"),
            ("p2", "walking", "wellbeing", "+"),
            ("p3", "park", "crowding", "+"),
            ("p4", "crowding", "wellbeing", "-"),
            ("b1", "befriend", "wellbeing", "+"),
            ("c1", "closure", "wellbeing", "-"),
            ("h1", "choir", "singing", "+"),
            ("h2", "choir", "singing", "?"),
            ("h3", "singing", "lonely", "-"),
        ],
        kinds={
            "park": "intervention",
            "befriend": "intervention",
            "closure": "intervention",
            "choir": "intervention",
            "wellbeing": "outcome",
            "lonely": "outcome",
        },
    )


def test_paths_carry_their_net_sign(programme):
    paths = intervention_paths(programme)
    found = {(p.factors, p.links): p.sign for p in paths.paths}
    assert found == {
        (("park", "walking", "wellbeing"), ("p1", "p2")): "+",
        (("park", "crowding", "wellbeing"), ("p3", "p4")): "-",
        (("befriend", "wellbeing"), ("b1",)): "+",
        (("closure", "wellbeing"), ("c1",)): "-",
        (("choir", "singing", "lonely"), ("h1", "h3")): "-",
        (("choir", "singing", "lonely"), ("h2", "h3")): "ambiguous",
    }
    assert [p.id for p in paths.paths] == [f"P{n}" for n in range(1, 7)]
    assert paths.paths[0].source == "park"
    assert not paths.truncated
    frame = paths.to_frame()
    assert frame.loc["P1", "source_label"] == "PARK"
    assert frame.loc["P1", "target_label"] == "WELLBEING"


def test_effects_say_mixed_unknown_and_signed(programme):
    effects = intervention_effects(intervention_paths(programme))
    table = effects.set_index(["intervention", "outcome"])
    assert table["effect"].to_dict() == {
        ("park", "wellbeing"): "mixed",
        ("befriend", "wellbeing"): "+",
        ("closure", "wellbeing"): "-",
        ("choir", "lonely"): "unknown",
    }
    assert table.loc[("park", "wellbeing"), ["paths", "positive", "negative"]].tolist() == [2, 1, 1]
    assert table.loc[("choir", "lonely"), ["negative", "ambiguous", "shortest"]].tolist() == [
        1,
        1,
        2,
    ]
    assert table["complete"].all()


def test_conflicts_pair_interventions_pulling_an_outcome_both_ways(programme):
    found = conflicts(intervention_effects(intervention_paths(programme)))
    assert found.to_dict("records") == [
        {
            "outcome": "wellbeing",
            "outcome_label": "WELLBEING",
            "intervention_a": "befriend",
            "intervention_a_label": "BEFRIEND",
            "effect_a": "+",
            "intervention_b": "closure",
            "intervention_b_label": "CLOSURE",
            "effect_b": "-",
        }
    ]


def test_paths_are_bounded_by_length_and_count(programme):
    short = intervention_paths(programme, max_length=1)
    assert {p.source for p in short.paths} == {"befriend", "closure"}
    capped = intervention_paths(programme, max_paths=1)
    assert [p.source for p in capped.paths].count("park") == 1
    assert capped.incomplete == ("park", "choir")
    assert capped.reason == "max_paths"
    effects = intervention_effects(capped).set_index("intervention")
    assert not effects.loc["park", "complete"]
    assert effects.loc["befriend", "complete"]


def test_paths_between_chosen_factors(programme):
    paths = intervention_paths(programme, sources="walking", targets=["wellbeing", "park"])
    assert [(p.factors, p.sign) for p in paths.paths] == [(("walking", "wellbeing"), "+")]
    with pytest.raises(ValidationError, match="nowhere"):
        intervention_paths(programme, sources=["nowhere"])


# --------------------------------------------------------------------------------------------
# Centrality and communities


def test_centrality_of_a_chain():
    table = centrality(build([("ab", "a", "b", "+"), ("bc", "b", "c", "-")]), weighted=False)
    assert table["betweenness"].to_dict() == pytest.approx({"a": 0.0, "b": 0.5, "c": 0.0})
    # outward closeness, Wasserman-Faust: (reached / total distance) * (reached / (n - 1))
    assert table["closeness"].to_dict() == pytest.approx({"a": 2 / 3, "b": 0.5, "c": 0.0})
    assert table["leverage"].to_dict() == {"a": 1.0, "b": 1.0, "c": 0.0}
    assert table["betweenness_rank"].to_dict() == {"a": 2, "b": 1, "c": 2}
    assert table.index.name == "factor"
    assert table.loc["b", "label"] == "B"


def test_centrality_of_stars():
    out_star = centrality(build([(f"h{n}", "hub", f"l{n}", "+") for n in range(4)]))
    assert out_star.loc["hub", ["in_degree", "out_degree", "leverage", "closeness"]].tolist() == [
        0,
        4,
        4.0,
        1.0,
    ]
    assert out_star["betweenness"].sum() == 0
    assert out_star.loc["hub", "leverage_rank"] == 1
    through = centrality(
        build([*((f"in{n}", f"l{n}", "hub", "+") for n in range(3)), ("out", "hub", "o", "+")])
    )
    # 3 of the 4 x 3 ordered pairs of other factors have their one shortest path via the hub
    assert through.loc["hub", "betweenness"] == pytest.approx(3 / 12)
    assert through.loc["hub", "leverage"] == pytest.approx(1 / 3)


def test_weighted_centrality_follows_strong_links_and_counts_parallel_links():
    graph = build(
        [("ab", "a", "b", "+", 0.25), ("ac", "a", "c", "+", 1.0), ("cb", "c", "b", "-", -1.0)]
    )
    assert centrality(graph).loc["c", "betweenness"] == pytest.approx(0.5)  # a->c->b is 2 < 4
    assert centrality(graph, weighted=False).loc["c", "betweenness"] == 0.0
    doubled = centrality(build([("x", "a", "b", "+"), ("y", "a", "b", "-"), ("z", "a", "a", "+")]))
    assert doubled.loc["a", ["in_degree", "out_degree"]].tolist() == [1, 3]
    assert doubled.loc["b", "in_degree"] == 2


@pytest.mark.parametrize("weighted", [True, False])
def test_centrality_agrees_with_networkx_on_a_random_map(weighted):
    rng = random.Random(5)
    links = [
        (
            f"k{i}",
            f"f{rng.randrange(40)}",
            f"f{rng.randrange(40)}",
            "+",
            rng.choice([0.25, 0.5, 1.0]),
        )
        for i in range(120)
    ]
    graph = build(links)
    lengths = nx.DiGraph()
    lengths.add_nodes_from(graph)
    for u, v, data in graph.edges(data=True):
        if u != v:
            length = 1 / data["weight"] if weighted else 1.0
            old = lengths.get_edge_data(u, v, {"length": length})["length"]
            lengths.add_edge(u, v, length=min(old, length))
    table = centrality(graph, weighted=weighted)
    closeness = nx.closeness_centrality(lengths.reverse(), distance="length")
    between = nx.betweenness_centrality(lengths, weight="length")
    assert table["closeness"].to_dict() == pytest.approx(closeness)
    assert table["betweenness"].to_dict() == pytest.approx(between)


def two_triangles() -> nx.MultiDiGraph:
    links = []
    for side in ("abc", "xyz"):
        for source, target in ((0, 1), (1, 2), (2, 0)):
            links.append((f"{side[source]}{side[target]}", side[source], side[target], "+"))
    links.append(("cx", "c", "x", "+", {"strength": "weak"}))
    return build(links)


def test_communities_split_two_triangles_and_number_them_by_size_then_id():
    found = communities(two_triangles())
    assert found == {"a": 1, "b": 1, "c": 1, "x": 2, "y": 2, "z": 2}


def test_communities_are_reproducible_with_a_seed():
    graph = random_map(60, 150, seed=3)
    assert communities(graph, seed=4) == communities(graph, seed=4)
    numbers = Counter(communities(graph, seed=4).values())
    sizes = [numbers[number] for number in sorted(numbers)]
    assert sizes == sorted(sizes, reverse=True)


def test_factors_without_links_are_communities_of_their_own():
    graph = build([], factors=["b", "a"])
    assert communities(graph) == {"b": 2, "a": 1}


# --------------------------------------------------------------------------------------------
# Summary


def test_summary_is_plain_json_with_every_analysis(programme):
    found = plain_json(summary(programme, top=3))
    assert found["factors"] == 9
    assert found["links"] == 9
    assert found["factor_kinds"] == {"intervention": 4, "other": 3, "outcome": 2}
    assert found["polarities"] == {"+": 5, "-": 3, "?": 1}
    assert found["loops"]["total"] == 0
    assert len(found["central_factors"]["by_betweenness"]) == 3
    assert found["central_factors"]["by_betweenness"][0]["id"] in {"walking", "crowding", "singing"}
    assert found["communities"]["count"] >= 2
    assert set(found["communities"]["membership"]) == set(programme)
    assert [row["effect"] for row in found["interventions"]["effects"]] == [
        "mixed",
        "+",
        "-",
        "unknown",
    ]
    assert found["interventions"]["conflicts"][0]["intervention_a"] == "befriend"


def test_summary_of_a_large_map_is_bounded():
    graph = random_map(150, 500, seed=11)
    found = plain_json(summary(graph, max_loops=200, loop_time_budget_s=0.2))
    assert found["loops"]["truncated"]
    assert found["loops"]["total"] <= 200
    assert len(found["loops"]["loops"]) == 10


def test_the_time_budget_holds_even_when_no_loop_is_found():
    """Twelve layers of six factors, every factor linked to every one of the next layer, the last
    layer back to the first: millions of paths, no loop of ten links or fewer. NetworkX's bounded
    search reads no clock until it finds a loop (49 s here); ours stops on time and says so."""
    import networkx as nx

    layered = nx.MultiDiGraph()
    for layer in range(11):
        for i in range(6):
            for j in range(6):
                layered.add_edge(f"n{layer}_{i}", f"n{layer + 1}_{j}", polarity="+", sign=1)
    for i in range(6):
        layered.add_edge(f"n11_{i}", f"n0_{i}", polarity="-", sign=-1)
    started = time.perf_counter()
    report = feedback_loops(layered, max_length=10, time_budget_s=0.2)
    assert time.perf_counter() - started < 2.0
    assert (report.truncated, report.reason, report.loops) == (True, "time_budget", ())

"""Disclosure control: scores from fewer than k raters are hidden."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from mobilise.analysis.disclosure import (
    DEFAULT_MIN_RATERS,
    DEFAULT_RULES,
    suppress_scores,
    suppress_summary,
)
from mobilise.analysis.network_scores import network_scores, partner_scores, sector_scores
from mobilise.errors import ValidationError

NETWORKS = Path(__file__).resolve().parents[1] / "fixtures" / "networks"


def scores() -> pd.DataFrame:
    """p1: 5 value raters, 2 trust raters; p2: 1 and 3; p3: nobody rated it."""
    return pd.DataFrame(
        {
            "value": [3.0, 2.0, math.nan],
            "value_influence": [3.0, 1.0, math.nan],
            "trust": [4.0, 3.5, math.nan],
            "trust_openness": [4.0, 3.0, math.nan],
            "raters_value": [5, 1, 0],
            "raters_trust": [2, 3, 0],
            "raters_value_influence": [5, 1, 0],
            "raters_trust_openness": [2, 3, 0],
        },
        index=pd.Index(["p1", "p2", "p3"], name="partner"),
    )


def test_default_is_three_raters() -> None:
    assert DEFAULT_MIN_RATERS == 3
    assert DEFAULT_RULES["raters_trust"] == [
        "trust"
    ]  # every score is vouched for by its own raters
    assert DEFAULT_RULES["raters_trust_openness"] == ["trust_openness"]
    assert len(DEFAULT_RULES) == 8


@pytest.mark.parametrize(
    ("k", "hidden_value", "hidden_trust", "suppressed"),
    [
        # k = 3: p1 trust (2 raters) hidden, p2 value (1 rater) hidden; p3 had nothing to hide
        (3, [False, True, True], [True, False, True], [True, True, False]),
        # k = 1: only p3's counts are below 1, and its scores are already empty
        (1, [False, False, True], [False, False, True], [False, False, False]),
        # k = 6: everything is hidden
        (6, [True, True, True], [True, True, True], [True, True, False]),
    ],
)
def test_suppress_scores(
    k: int, hidden_value: list[bool], hidden_trust: list[bool], suppressed: list[bool]
) -> None:
    original = scores()
    shown = suppress_scores(original, k=k)
    assert shown["value"].isna().tolist() == hidden_value
    assert shown["value_influence"].isna().tolist() == hidden_value
    assert shown["trust"].isna().tolist() == hidden_trust
    assert shown["trust_openness"].isna().tolist() == hidden_trust
    assert shown["suppressed"].tolist() == suppressed
    assert shown["raters_value"].tolist() == [5, 1, 0]  # counts are kept
    assert original["trust"].notna().sum() == 2  # the input is untouched


def test_custom_rules_touch_only_present_columns() -> None:
    frame = pd.DataFrame({"score": [1.0, 2.0], "n": [1, 4], "other": [9.0, 9.0]})
    shown = suppress_scores(frame, k=2, rules={"n": ["score", "absent"], "missing": ["other"]})
    assert shown["score"].isna().tolist() == [True, False]
    # no count for a score: nothing vouches for it, so it is hidden (fail closed)
    assert shown["other"].isna().all()
    assert shown["suppressed"].tolist() == [True, True]


def test_suppress_summary() -> None:
    summary: dict[str, float | int | None] = {
        "value": 2.5,
        "value_resources": None,
        "trust": 3.0,
        "trust_purpose": 3.0,
        "raters_value": 4,
        "raters_trust": 2,
        "raters_value_resources": 0,
        "raters_trust_purpose": 2,
        "ratings": 6,
    }
    shown = suppress_summary(summary, k=3)
    # trust from 2 raters < 3: hidden; value from 4 raters kept
    assert shown["value"] == 2.5
    assert shown["trust"] is None and shown["trust_purpose"] is None
    assert shown["suppressed"] is True
    assert suppress_summary(summary, k=2)["suppressed"] is False


@pytest.mark.parametrize("k", [0, -1, 2.5, True, "3"])
def test_k_must_be_a_whole_number_of_at_least_one(k: object) -> None:
    with pytest.raises(ValidationError, match="k must be"):
        suppress_scores(scores(), k=k)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="k must be"):
        suppress_summary({}, k=k)  # type: ignore[arg-type]


def test_every_problem_is_named() -> None:
    with pytest.raises(ValidationError, match="3 problems") as error:
        suppress_scores("table", k=0, rules={"n": "score"})  # type: ignore[arg-type]
    assert [p.field for p in error.value.problems] == ["frame", "k", "rules"]


def test_on_the_nfdi_network() -> None:
    edges = pd.read_csv(NETWORKS / "nfdi_netzwerk_2020.csv", sep=";")
    graph = nx.from_pandas_edgelist(edges, "from", "to", create_using=nx.DiGraph)
    # made-up sectors and scores by deterministic rules (the file has ties only)
    nx.set_node_attributes(graph, {n: f"S{len(str(n)) % 3}" for n in graph}, "sector")
    for u, v, data in graph.edges(data=True):
        data["value"] = float(1 + (len(u) + len(v)) % 4)
        data["trust"] = float(1 + len(u) % 4)
    table = partner_scores(graph)
    shown = suppress_scores(table)
    few = table["raters_value"] < 3
    assert shown.loc[few, "value"].isna().all()
    assert shown.loc[~few, "value"].equals(table.loc[~few, "value"])
    assert shown["suppressed"].tolist() == (few & table["value"].notna()).tolist()
    sectors = suppress_scores(sector_scores(graph))
    assert not sectors["suppressed"].any()  # each made-up sector has many raters
    summary = suppress_summary(network_scores(graph), k=1000)
    assert summary["value"] is None and summary["suppressed"] is True


def test_an_item_answered_by_one_rater_is_hidden_though_its_score_has_three() -> None:
    import networkx as nx

    from mobilise.analysis.network_scores import partner_scores

    graph = nx.DiGraph()
    for rater in ("a", "b", "c"):
        graph.add_edge(rater, "p", level=1, trust=3.0, trust_reliability=3)
    graph.edges["a", "p"]["trust_openness"] = 1  # only a answered this statement
    shown = suppress_scores(partner_scores(graph), k=3).loc["p"]
    assert shown["trust"] == 3.0 and shown["trust_reliability"] == 3.0
    assert pd.isna(shown["trust_openness"]) and bool(shown["suppressed"])

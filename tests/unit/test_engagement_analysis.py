"""Who was reached: representation, dissimilarity, retention and disclosure, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from mobilise.analysis.engagement import (
    PREFER_NOT_TO_SAY,
    core20_groups,
    disclose,
    dissimilarity_index,
    over_time,
    per_kind,
    representation,
    retention,
)
from mobilise.errors import ValidationError

Z = 1.959963984540054  # the 97.5th percentile of the standard normal


def wilson_by_hand(c: int, n: int) -> tuple[float, float]:
    """The Wilson score interval written out: (p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = c / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def deciles_population() -> pd.DataFrame:
    """Residents of ten areas, one per decile, 100 each: every decile is 10% of residents."""
    return pd.DataFrame(
        {"area_code": [f"E0100000{d}" for d in range(10)], "group": range(1, 11), "count": 100}
    )


def issue_example() -> pd.DataFrame:
    """12 of 40 participants from decile 1, the other 28 spread over deciles 2 to 8 (4 each)."""
    deciles = [1] * 12 + [d for d in range(2, 9) for _ in range(4)]
    return pd.DataFrame({"imd_decile": deciles})


def test_the_issues_example_by_hand() -> None:
    table = representation(issue_example(), deciles_population(), by="imd_decile")
    row = table.set_index("group").loc[1]
    assert row["count"] == 12
    assert row["share"] == pytest.approx(0.3)
    assert row["population_share"] == pytest.approx(0.1)
    assert row["ratio"] == pytest.approx(3.0)
    low, high = proportion_confint(12, 40, alpha=0.05, method="wilson")
    assert (row["share_low"], row["share_high"]) == (pytest.approx(low), pytest.approx(high))
    assert (low, high) == (
        pytest.approx(wilson_by_hand(12, 40)[0]),
        pytest.approx(wilson_by_hand(12, 40)[1]),
    )
    # the interval of the share over the population share, written out: 1.8075 .. 4.5430
    assert row["ratio_low"] == pytest.approx(1.807485, abs=1e-6)
    assert row["ratio_high"] == pytest.approx(4.543002, abs=1e-6)
    assert row["flag"] == "over"
    # decile 9 and 10: nobody, interval 0 .. 0.0876 / 0.1 = 0.876: not wholly below 0.8
    nobody = table.set_index("group").loc[10]
    assert nobody["count"] == 0 and nobody["ratio"] == 0
    assert nobody["ratio_high"] == pytest.approx(wilson_by_hand(0, 40)[1] / 0.1)
    assert nobody["flag"] == ""
    assert table.attrs["participants"] == 40 and table.attrs["answered"] == 40
    # D = 1/2 (|0.3 - 0.1| + 7 x |0.1 - 0.1| + 2 x |0 - 0.1|) = 0.2
    assert table.attrs["dissimilarity"] == pytest.approx(0.2)


def test_flag_under_needs_the_whole_interval_below() -> None:
    population = pd.DataFrame(
        {"area_code": ["a", "a"], "group": ["female", "male"], "count": [50, 50]}
    )
    # 10 women of 100: share 0.1, ratio 0.2, interval wholly below 0.8
    people = pd.DataFrame({"sex": ["female"] * 10 + ["male"] * 90})
    table = representation(people, population, by="sex").set_index("group")
    assert table.loc["female", "flag"] == "under"
    assert table.loc["male", "flag"] == "over"
    # 1 woman of 3: the interval is wide, so no flag either way
    few = representation(pd.DataFrame({"sex": ["female", "male", "male"]}), population, by="sex")
    assert set(few["flag"]) == {""}


def test_prefer_not_to_say_and_unknown_are_counted_apart() -> None:
    population = pd.DataFrame(
        {"area_code": ["a", "a"], "group": ["female", "male"], "count": [60, 40]}
    )
    people = pd.DataFrame({"sex": ["female", "female", "male", PREFER_NOT_TO_SAY, None, ""]})
    table = representation(people, population, by="sex").set_index("group")
    assert table.loc[PREFER_NOT_TO_SAY, "count"] == 1
    assert table.loc["unknown", "count"] == 2
    assert table.loc[PREFER_NOT_TO_SAY, "kind"] == "prefer_not_to_say"
    assert math.isnan(table.loc[PREFER_NOT_TO_SAY, "share"])
    # shares are of the 3 who answered
    assert table.loc["female", "share"] == pytest.approx(2 / 3)
    assert table.attrs["participants"] == 6 and table.attrs["answered"] == 3
    assert "left out of the shares" in table.attrs["note"]


def test_population_of_the_participants_areas_across_vintages() -> None:
    # census areas X1, X2 (the split halves of old area A), Y (old B merged with C), Z
    population = pd.DataFrame(
        {
            "area_code": ["X1", "X1", "X2", "X2", "Y", "Y", "Z", "Z"],
            "group": ["white", "black"] * 4,
            "count": [10, 30, 20, 40, 50, 50, 1000, 0],
        }
    )
    successors = {"A": ["X1", "X2"], "B": ["Y"], "C": ["Y"]}
    people = pd.DataFrame(
        {"area_code": ["A", "B", "A"], "ethnic_group": ["white", "black", "black"]}
    )
    place = representation(people, population, by="ethnic_group").set_index("group")
    assert place.loc["white", "population"] == 1080
    own = representation(
        people,
        population,
        by="ethnic_group",
        population_of="participants_areas",
        successors=successors,
    )
    # A's two halves and the merged Y: white 10 + 20 + 50, black 30 + 40 + 50
    assert own.set_index("group").loc[["white", "black"], "population"].tolist() == [80, 120]
    assert own.attrs["areas"] == 3
    assert own.set_index("group").loc["black", "population_share"] == pytest.approx(0.6)


def test_core20_groups() -> None:
    groups = core20_groups(pd.Series([1, 2, 3, 10, None, PREFER_NOT_TO_SAY], dtype=object))
    assert groups.tolist()[:4] == ["core20", "core20", "not_core20", "not_core20"]
    assert groups.iloc[4] is None and groups.iloc[5] == PREFER_NOT_TO_SAY


def test_unknown_answers_and_bad_input_are_named() -> None:
    population = deciles_population()
    with pytest.raises(ValidationError) as caught:
        representation(pd.DataFrame({"imd_decile": [11]}), population, by="imd_decile")
    assert caught.value.problems[0].field == "imd_decile"
    assert "11" in caught.value.problems[0].message
    with pytest.raises(ValidationError) as caught:
        representation(
            pd.DataFrame({"x": [1]}),
            population,
            by="imd_decile",
            population_of="nearby",  # type: ignore[arg-type]
        )
    fields = {p.field for p in caught.value.problems}
    assert {"participants", "population_of"} <= fields


def test_dissimilarity_index_by_hand() -> None:
    # a: 0.5, 0.5, 0; b: 0.25, 0.25, 0.5 -> 1/2 (0.25 + 0.25 + 0.5) = 0.5
    assert dissimilarity_index([2, 2, 0], [1, 1, 2]) == pytest.approx(0.5)
    assert dissimilarity_index([3, 1], [30, 10]) == pytest.approx(0.0)
    assert dissimilarity_index([1, 0], [0, 5]) == pytest.approx(1.0)
    aligned = dissimilarity_index(pd.Series({"a": 1, "b": 1}), pd.Series({"b": 1, "c": 1}))
    assert aligned == pytest.approx(0.5)  # a 1/2 vs 0, b 1/2 vs 1/2, c 0 vs 1/2
    with pytest.raises(ValidationError):
        dissimilarity_index([0, 0], [1, 1])
    with pytest.raises(ValidationError):
        dissimilarity_index([1, 2], [1, 2, 3])


def attendance() -> pd.DataFrame:
    """p1: café then walk (came back); p2: café only; p3: walk twice at one event then another
    walk (came back); p4: a walk only, signed in twice."""
    rows = [
        ("p1", "e1", "2025-01-10", "world_cafe"),
        ("p1", "e2", "2025-02-10", "community_walk"),
        ("p2", "e1", "2025-01-10", "world_cafe"),
        ("p3", "e2", "2025-02-10", "community_walk"),
        ("p3", "e2", "2025-02-10", "community_walk"),
        ("p3", "e3", "2025-03-10", "community_walk"),
        ("p4", "e3", "2025-03-10", "community_walk"),
        ("p4", "e3", "2025-03-10", "community_walk"),
    ]
    return pd.DataFrame(rows, columns=["participant_id", "event_id", "starts_at", "event_kind"])


def test_retention_by_hand() -> None:
    table = retention(attendance()).set_index("first_kind")
    assert table.loc["all", ["participants", "returned"]].tolist() == [4, 2]
    assert table.loc["all", "share"] == pytest.approx(0.5)
    # first event a café: p1 (back), p2; first a walk: p3 (back), p4
    assert table.loc["world_cafe", ["participants", "returned"]].tolist() == [2, 1]
    assert table.loc["community_walk", ["participants", "returned"]].tolist() == [2, 1]
    low, high = wilson_by_hand(2, 4)
    assert table.loc["all", "share_low"] == pytest.approx(low)
    assert table.loc["all", "share_high"] == pytest.approx(high)
    overall = retention(attendance(), kind=None)
    assert overall["first_kind"].tolist() == ["all"]


def test_over_time_counts_each_participant_once() -> None:
    people = issue_example().assign(
        first_attended=["2025-01-15"] * 20 + ["2025-04-02"] * 20,
    )
    table = over_time(people, deciles_population(), by="imd_decile")
    assert sorted(table["period"].unique()) == ["2025Q1", "2025Q2"]
    assert table.groupby("period")["count"].sum().tolist() == [20, 20]
    assert table.groupby("period")["participants"].first().tolist() == [20, 20]


def test_per_kind() -> None:
    people = pd.DataFrame(
        {
            "sex": ["female", "male", "female"],
            "event_kind": ["world_cafe", "world_cafe", "photovoice"],
        }
    )
    population = pd.DataFrame(
        {"area_code": ["a", "a"], "group": ["female", "male"], "count": [1, 1]}
    )
    table = per_kind(people, population, by="sex").set_index(["event_kind", "group"])
    assert table.loc[("world_cafe", "female"), "share"] == pytest.approx(0.5)
    assert table.loc[("photovoice", "female"), "ratio"] == pytest.approx(2.0)


def test_disclosure_hides_small_cells_and_what_they_give_away() -> None:
    population = pd.DataFrame(
        {"area_code": "a", "group": ["asian", "black", "mixed", "white", "other"], "count": 100}
    )
    answers = ["asian"] * 2 + ["black"] * 10 + ["white"] * 20 + ["other"] * 5
    people = pd.DataFrame({"ethnic_group": answers + [PREFER_NOT_TO_SAY] * 4})
    shown = disclose(representation(people, population, by="ethnic_group"), k=3)
    rows = shown.set_index("group")
    # asian (2) is hidden, and so is the next smallest group that is not zero, other (5):
    # asian could otherwise be worked out from the 37 who answered, and a hidden pair must
    # add up to k or more (a zero shown beside it says nothing of anyone)
    assert rows.loc["asian", "count_shown"] == "fewer than 3"
    assert rows.loc["other", "count_shown"] == "hidden (small numbers)"  # 5 is not fewer than 3
    assert rows.loc["mixed", "count_shown"] == "0"
    assert pd.isna(rows.loc["asian", "count"]) and pd.isna(rows.loc["asian", "ratio"])
    assert rows.loc["asian", "flag"] == "" and pd.isna(rows.loc["other", "share"])
    assert rows.loc["black", "count"] == 10 and rows.loc["black", "count_shown"] == "10"
    assert rows.loc["black", "share"] == pytest.approx(10 / 37)
    # the population is not about participants: always shown
    assert rows.loc["asian", "population"] == 100
    # prefer not to say (4) and unknown (0) are shown: nothing among them is hidden
    assert rows.loc[PREFER_NOT_TO_SAY, "count"] == 4 and rows.loc["unknown", "count"] == 0
    assert shown["suppressed"].sum() == 2
    assert shown.attrs["k"] == 3 and shown.attrs["participants_shown"] == "41"


def test_zero_is_shown_and_a_lone_small_extra_row_takes_another_with_it() -> None:
    population = pd.DataFrame({"area_code": "a", "group": ["female", "male"], "count": 50})
    people = pd.DataFrame({"sex": ["female"] * 10 + ["male"] * 10 + [PREFER_NOT_TO_SAY] * 2})
    rows = disclose(representation(people, population, by="sex"), k=3).set_index("group")
    # 2 "prefer not to say" would follow from 22 - 20 answered: unknown (0) is hidden with it
    assert rows.loc[PREFER_NOT_TO_SAY, "count_shown"] == "fewer than 3"
    assert rows.loc["unknown", "count_shown"] == "fewer than 3"
    assert rows.loc["female", "count"] == 10
    nobody = pd.DataFrame({"sex": ["female"] * 10 + ["male"] * 10})
    rows = disclose(representation(nobody, population, by="sex"), k=3).set_index("group")
    assert rows.loc[PREFER_NOT_TO_SAY, "count_shown"] == "0"  # a zero describes nobody


def test_disclosure_of_a_small_table_and_of_retention() -> None:
    population = pd.DataFrame({"area_code": "a", "group": ["female", "male"], "count": 50})
    shown = disclose(
        representation(pd.DataFrame({"sex": ["female", "male"]}), population, by="sex"), k=3
    )
    assert shown.attrs["participants_shown"] == "fewer than 3"
    assert shown.attrs["dissimilarity"] is None
    assert shown["ratio"].isna().all()
    table = disclose(retention(attendance()), k=3, counts=("participants", "returned"))
    rows = table.set_index("first_kind")
    # 2 and 1 of each kind are hidden, and "all" (4 participants, 2 back) shows 4 only
    assert rows.loc["world_cafe", "participants_shown"] == "fewer than 3"
    assert rows.loc["all", "participants"] == 4
    assert rows.loc["all", "returned_shown"] == "fewer than 3"
    assert pd.isna(rows.loc["all", "share"])
    assert (
        disclose(retention(attendance()), k=1, counts=("participants", "returned"))[
            "suppressed"
        ].sum()
        == 0
    )
    with pytest.raises(ValidationError):
        disclose(retention(attendance()), k=0)


def test_disclosure_within_periods() -> None:
    people = issue_example().assign(first_attended=["2025-01-15"] * 38 + ["2025-04-02"] * 2)
    table = disclose(
        over_time(people, deciles_population(), by="imd_decile"), k=3, within=("period",)
    )
    second = table[table["period"] == "2025Q2"]
    assert pd.isna(second["participants"]).all()
    assert second["dissimilarity"].isna().all()
    assert (second["count_shown"].isin(["0", "fewer than 3"])).all()


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=50), min_size=2, max_size=8),
    residents=st.lists(st.integers(min_value=1, max_value=5000), min_size=8, max_size=8),
)
def test_shares_add_up_and_a_mirror_has_ratio_one(counts: list[int], residents: list[int]) -> None:
    groups = [f"g{i}" for i in range(len(counts))]
    population = pd.DataFrame(
        {"area_code": "a", "group": groups, "count": residents[: len(counts)]}
    )
    people = pd.DataFrame(
        {"answer": [g for g, c in zip(groups, counts, strict=True) for _ in range(c)]}
    )
    table = representation(people, population, by="answer")
    rows = table[table["kind"] == "group"]
    assert rows["population_share"].sum() == pytest.approx(1.0)
    if sum(counts):
        assert rows["share"].sum() == pytest.approx(1.0)
        assert (rows["ratio_low"] <= rows["ratio"] + 1e-12).all()
        assert (rows["ratio"] <= rows["ratio_high"] + 1e-12).all()
        assert 0 <= table.attrs["dissimilarity"] <= 1
    # residents who mirror the participants exactly: every ratio 1, D = 0
    if all(counts):
        mirror = population.assign(count=[c * 7 for c in counts])
        again = representation(people, mirror, by="answer")
        assert np.allclose(again.loc[again["kind"] == "group", "ratio"], 1.0)
        assert again.attrs["dissimilarity"] == pytest.approx(0.0)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=6),
    k=st.integers(min_value=1, max_value=6),
)
def test_no_lone_hidden_cell_can_be_recovered(counts: list[int], k: int) -> None:
    groups = [f"g{i}" for i in range(len(counts))]
    population = pd.DataFrame({"area_code": "a", "group": groups, "count": 10})
    people = pd.DataFrame(
        {"answer": [g for g, c in zip(groups, counts, strict=True) for _ in range(c)]}
    )
    shown = disclose(representation(people, population, by="answer"), k=k)
    group_rows = shown[shown["kind"] == "group"]
    hidden = group_rows["count"].isna()
    # never exactly one hidden group: the rest and the total would give it away
    assert hidden.sum() != 1
    visible = group_rows.loc[~hidden, "count"]
    assert ((visible == 0) | (visible >= k)).all()


def test_a_few_peoples_own_areas_are_not_given_away() -> None:
    population = pd.DataFrame(
        {"area_code": ["a", "a", "b", "b"], "group": ["female", "male"] * 2, "count": [7, 9, 5, 5]}
    )
    two = pd.DataFrame({"sex": ["female", "male"], "area_code": ["a", "a"]})
    table = representation(two, population, by="sex", population_of="participants_areas")
    assert table.attrs["areas"] == 1 and table["population"].iloc[0] == 7
    shown = disclose(table, k=3)
    # area a's published counts (7, 9) would point to where these two live
    assert shown["population"].isna().all() and shown["population_share"].isna().all()
    assert shown.attrs["areas"] is None and shown.attrs["population_total"] is None
    # against the whole place the residents' figures say nothing of anyone: shown
    place = disclose(representation(two, population, by="sex"), k=3)
    assert place["population"].iloc[0] == 12

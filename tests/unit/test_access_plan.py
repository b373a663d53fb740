"""Access run plans: loose input checked in full, decays for a catchment, the sweep's scenarios."""

from __future__ import annotations

import numpy as np
import pytest

from mobilise import ValidationError
from mobilise.model.access_plan import DECAYS, METHODS, AccessPlan
from mobilise.model.presentation import gradient_words, moran_words, significant
from mobilise.workspace.access_measures import make_decay


def test_build_reads_comma_lists_aliases_and_the_methods_own_decay():
    plan = AccessPlan.build(categories="green_space, Arts", catchments_m="1600,800,800")
    assert plan.categories == ("green_blue_space", "arts_culture")
    assert plan.catchments_m == (800.0, 1600.0)  # sorted, repeats dropped
    assert plan.decays == ("step",)  # E2SFCA's own: distance bands
    assert plan.scale == 1000.0  # floating catchments are shown per 1,000 residents
    assert AccessPlan.build(categories=["library"], method="count").decays == ("none",)
    assert AccessPlan.build(categories=["library"], method="count").scale == 1.0


def test_the_sweep_is_every_category_catchment_and_decay():
    plan = AccessPlan.build(
        categories=["library", "faith"], catchments_m=[800, 1600], decays="none,gaussian"
    )
    assert len(plan.scenarios) == 2 * 2 * 2
    assert plan.scenarios[0] == ("library", 800.0, "none")
    assert plan.scenarios[-1] == ("faith", 1600.0, "gaussian")


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        AccessPlan.build(
            categories="bingo",
            method="magic",
            catchments_m="10,abc",
            decays="sideways",
            supply="lots",
            low_access_fraction=1.5,
        )
    fields = [p.field for p in caught.value.problems]
    assert fields.count("catchment") == 2
    assert {"category", "method", "decay", "supply", "low_access_fraction"} <= set(fields)


@pytest.mark.parametrize("permutations", [1, 98, 10_000, -1])
def test_too_few_permutations_to_test_at_five_percent_are_refused(permutations):
    with pytest.raises(ValidationError, match="99 to 9,999") as caught:
        AccessPlan.build(categories="library", permutations=permutations)
    assert caught.value.problems[0].field == "permutations"


@pytest.mark.parametrize("permutations", [0, 99, 9999])
def test_permutations_zero_skips_clusters_and_99_is_the_least(permutations):
    assert AccessPlan.build(categories="library", permutations=permutations).permutations == (
        permutations
    )


def test_a_plan_needs_a_rule_of_high_need():
    with pytest.raises(ValidationError, match="rule of high need"):
        AccessPlan.build(categories="library", core20=False)
    plan = AccessPlan.build(categories="library", core20=False, health_indicator="cidr2019")
    assert plan.health_indicator == "cidr2019"


@pytest.mark.parametrize("method", ["count", "supply"])
def test_counts_take_no_decay(method):
    assert AccessPlan.build(categories="library", method=method, decays="none").decays == ("none",)
    with pytest.raises(ValidationError, match="takes no decay"):
        AccessPlan.build(categories="library", method=method, decays="gaussian")


def test_round_trip_through_the_stored_dict():
    plan = AccessPlan.build(
        categories="library", method="3sfca", catchments_m=[1200], health_indicator="cidr2019"
    )
    assert AccessPlan.from_dict(plan.to_dict()) == plan


@pytest.mark.parametrize(
    ("name", "at_zero", "at_edge"),
    [
        ("none", 1.0, 1.0),
        ("step", 1.0, 0.22),
        ("gaussian", 1.0, np.exp(-2)),  # width d/2: exp(-d^2 / (2 (d/2)^2))
        ("exponential", 1.0, 0.05),
        ("linear", 1.0, 0.0),
        ("power", 1.0, 100 / 1600),
    ],
)
def test_decays_for_a_catchment(name, at_zero, at_edge):
    weights = make_decay(name, 1600)(np.array([0.0, 1600.0, 1601.0]))
    assert weights[0] == pytest.approx(at_zero)
    assert weights[1] == pytest.approx(at_edge)


def test_every_method_and_decay_is_described():
    assert all(m.note and m.label and m.unit for m in METHODS.values())
    assert set(DECAYS) == {"none", "step", "gaussian", "exponential", "linear", "power"}
    with pytest.raises(ValidationError, match="Unknown decay"):
        make_decay("sideways", 800)


@pytest.mark.parametrize(
    ("sii", "words"),
    [
        ({"sii": 0.5, "sii_lower": 0.1, "sii_upper": 0.9}, "higher in the less deprived"),
        ({"sii": -0.5, "sii_lower": -0.9, "sii_upper": -0.1}, "higher in the more deprived"),
        ({"sii": 0.5, "sii_lower": -0.1, "sii_upper": 0.9}, "may be chance"),
        (None, "too few deprivation groups"),
    ],
)
def test_gradient_words(sii, words):
    sentence = gradient_words({"sii": sii, "unit": "assets per 1,000 residents"}, "library assets")
    assert words in sentence
    if sii and sii["sii_lower"] > 0:
        assert "chance" not in sentence


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234.5, "1,200"),
        (0.5, "0.50"),
        (0.000123, "0.00012"),
        (-12.3, "-12"),
        (0.0, "0"),
        (99.96, "100"),
        (1_234_567.0, "1,200,000"),
    ],
)
def test_significant_figures_never_use_an_exponent(value, text):
    assert significant(value) == text


def test_gradient_words_read_large_and_small_numbers_plainly():
    sentence = gradient_words(
        {"sii": {"sii": 1234.5, "sii_lower": 1000.0, "sii_upper": 1500.0}, "unit": "capacity"},
        "green space",
    )
    assert "rises by 1,200 capacity" in sentence
    assert "(95% interval 1,000 to 1,500)" in sentence
    assert "e+" not in sentence


@pytest.mark.parametrize(
    ("moran", "words"),
    [
        ({"i": 0.4, "p_sim": 0.001}, "neighbours are alike (p = 0.001)"),
        ({"i": -0.3, "p_sim": 0.002}, "neighbours differ more than chance (p = 0.002)"),
        ({"i": 0.4, "p_sim": 0.2}, "no clear pattern between neighbours"),
        ({"i": 0.4, "p_sim": None}, "no clear pattern between neighbours"),
        (None, ""),
    ],
)
def test_moran_words_follow_the_sign(moran, words):
    assert moran_words(moran) == words


@pytest.mark.parametrize(
    ("method", "supply", "unit"),
    [
        ("count", "count", "assets"),
        ("supply", "count", "assets"),
        ("supply", "capacity", "capacity"),
        ("gravity", "count", "weighted assets"),
        ("gravity", "capacity", "weighted capacity"),
        ("e2sfca", "count", "assets per 1,000 residents"),
        ("2sfca", "capacity", "capacity per 1,000 residents"),
    ],
)
def test_the_unit_follows_the_method_and_supply(method, supply, unit):
    assert AccessPlan.build(categories="library", method=method, supply=supply).unit == unit

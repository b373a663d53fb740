"""The pure place-comparison figures, checked by hand and against published worked examples."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mobilise.analysis import place_comparison as pc
from mobilise.analysis import rates
from mobilise.errors import ValidationError


def test_difference_of_proportions_is_newcombes_method_10() -> None:
    """Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 - 48/80 = 0.2000 with the
    hybrid score (method 10) interval 0.0524 to 0.3339."""
    a = pc.pooled_rate([56], [70], method="proportion", multiplier=1)
    b = pc.pooled_rate([48], [80], method="proportion", multiplier=1)
    gap = pc.difference("a", a, "b", b)
    assert gap is not None
    assert gap.value == pytest.approx(0.2)
    assert gap.lower == pytest.approx(0.0524, abs=5e-5)
    assert gap.upper == pytest.approx(0.3339, abs=5e-5)
    assert gap.distinguishable is True


def test_symmetric_intervals_give_the_familiar_normal_difference() -> None:
    z = 1.959963984540054
    a = pc.Estimate(10.0, 10.0 - z * 3, 10.0 + z * 3, "m", 5)
    b = pc.Estimate(4.0, 4.0 - z * 4, 4.0 + z * 4, "m", 5)
    gap = pc.difference("a", a, "b", b)
    assert gap is not None
    assert gap.lower == pytest.approx(6 - z * 5)  # se of the difference: sqrt(9 + 16) = 5
    assert gap.upper == pytest.approx(6 + z * 5)
    assert gap.distinguishable is False  # 6 - 9.8 < 0 < 6 + 9.8


def test_area_mean_of_equal_areas_is_mean_and_s_over_root_n() -> None:
    values = [10.0, 12.0, 14.0, 16.0]
    found = pc.area_mean(values, [100, 100, 100, 100])
    se = np.std(values, ddof=1) / 2
    assert found.value == pytest.approx(13.0)
    assert found.upper - found.value == pytest.approx(1.959963984540054 * se)  # type: ignore[operator]
    assert found.areas == 4


def test_area_mean_leaves_out_areas_without_values_and_has_no_interval_for_one() -> None:
    found = pc.area_mean([5.0, math.nan, 7.0], [10, 10, 0])
    assert (found.value, found.lower, found.upper, found.areas) == (5.0, None, None, 1)


def test_pooled_crude_rate_is_the_rates_modules_on_the_sums() -> None:
    found = pc.pooled_rate([3, 4], [600, 400], method="crude_rate", multiplier=100_000)
    expected = rates.crude_rate([7], [1000])  # exact under 10 events
    assert found.value == pytest.approx(700.0)
    assert found.lower == pytest.approx(expected.lower[0.95][0])
    assert found.upper == pytest.approx(expected.upper[0.95][0])


def test_pooled_isr_is_observed_over_expected() -> None:
    found = pc.pooled_rate([30, 20], [25, 25], method="isr", multiplier=100)
    assert found.value == pytest.approx(100.0)
    assert found.lower is not None and found.lower < 100 < found.upper  # type: ignore[operator]


def test_pooling_refuses_a_method_whose_counts_do_not_add_up() -> None:
    with pytest.raises(ValidationError, match="do not add up"):
        pc.pooled_rate([1], [2], method="dsr", multiplier=1)


def test_combined_rate_by_hand() -> None:
    """Two areas' DSRs 100 (90-110) and 200 (180-220), residents 1,000 and 3,000: the mean
    is 175 and the se sqrt((1/4)^2 (10/z)^2 + (3/4)^2 (20/z)^2)."""
    z = 1.959963984540054
    found = pc.combined_rate([100, 200], [90, 180], [110, 220], [1000, 3000])
    se = math.sqrt((0.25 * 10 / z) ** 2 + (0.75 * 20 / z) ** 2)
    assert found.value == pytest.approx(175.0)
    assert found.upper == pytest.approx(175 + z * se)
    assert "age-standardised" in found.method


def test_words_say_which_differences_are_not_distinguishable_from_chance() -> None:
    names = {"a": "Avon", "b": "Bree"}
    unclear = pc.Difference("a", "b", -2.0, -5.0, 1.0, False, 0.95)
    clear = pc.Difference("a", "b", -4.0, -6.0, -2.0, True, 0.95)
    assert pc.difference_words(unclear, names, "CIDR") == (
        "CIDR: Bree is higher than Avon by 2.00 (95% interval -1.00 to 5.00), a difference "
        "not distinguishable from chance."
    )
    assert pc.difference_words(clear, names, "CIDR") == (
        "CIDR is higher in Bree than in Avon by 4.00 (95% interval 2.00 to 6.00)."
    )


def test_differences_take_every_pair_in_the_order_given() -> None:
    found = pc.differences(
        {
            "a": pc.Estimate(1.0, None, None, "m", 1),
            "b": pc.Estimate(2.0, None, None, "m", 1),
            "c": pc.Estimate(None, None, None, "m", 0),
        }
    )
    assert [(d.first, d.second, d.value, d.distinguishable) for d in found] == [
        ("a", "b", -1.0, None)
    ]


def test_thin_elsewhere() -> None:
    found = pc.thin_elsewhere(
        {"a": {"library": 1.0, "faith": 0.5}, "b": {"library": 0.4, "faith": 0.45, "sport": 2.0}}
    )
    assert [(r["kind"], r["present_in"], r["thin_in"], r["absent"]) for r in found] == [
        ("library", "a", "b", False),
        ("sport", "b", "a", True),
    ]
    with pytest.raises(ValidationError):
        pc.thin_elsewhere({}, thin=0)


def test_loops_lacking_match_labels_as_map_compare_does() -> None:
    loops = {
        "a": [
            {"labels": ["Parks", "Activity"], "kind": "reinforcing"},
            {"labels": ["Stress", "Sleep"], "kind": "balancing"},
        ],
        "b": [{"labels": ["activity", "park"], "kind": "reinforcing"}],
    }
    found = pc.loops_lacking(loops)
    assert found == [
        {
            "present_in": "a",
            "lacking_in": "b",
            "labels": ["Stress", "Sleep"],
            "kind": "balancing",
            "factors_present": 0,
            "factors": 2,
        }
    ]


def test_per_thousand_and_shares() -> None:
    assert pc.per_thousand(71, 720_913) == pytest.approx(0.098486, abs=1e-6)
    assert pc.per_thousand(3, 0) is None
    assert pc.shares({"x": 1, "y": 3}) == {"x": 0.25, "y": 0.75}
    assert pc.shares({"x": 0}) == {"x": None}

"""Inequality measures (mobilise.analysis.inequality): answers checkable by hand, the PHE
regression formulation, simulated intervals, and every validation path."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from mobilise.analysis.inequality import (
    ConcentrationIndex,
    QuantileGap,
    SlopeIndex,
    by_quantile,
    concentration_index,
    gini,
    quintile_gap,
    slope_index_of_inequality,
)
from mobilise.errors import ValidationError

LINE = [10.0, 20.0, 30.0, 40.0, 50.0]  # quintile 1 (most deprived) .. 5 (least deprived)
EQUAL = [100.0] * 5
MIDPOINTS = np.array([0.1, 0.3, 0.5, 0.7, 0.9])  # cumulative population midpoints, equal pops

# The example of PHEindicatormethods' phe_sii documentation (R/SII_function.R, "Area1"):
# deciles 1..10 with population, value, 95% limits and standard error.
PHE_POPULATION = [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534]
PHE_VALUE = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3]
PHE_LOWER = [72.7, 75.3, 80.9, 80.2, 77.1, 78, 79, 81.4, 75.8, 83.2]
PHE_UPPER = [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4]
PHE_SE = [1.64, 1.58, 1.51, 1.78, 1.7, 1.56, 1.37, 1.4, 2.43, 1.57]


def problems_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    """Field -> message of every problem (one per field in these tests)."""
    return {str(p.field): p.message for p in excinfo.value.problems}


# --------------------------------------------------------------------------------------------
# Slope index of inequality: point estimates


def test_straight_line_with_equal_populations():
    # Midpoints 0.1 .. 0.9 and values 10 .. 50 lie on y = 5 + 50 x: the fitted most deprived
    # end (x = 0) is 5 and the least deprived end (x = 1) is 55.
    result = slope_index_of_inequality(LINE, EQUAL)
    assert result.sii == pytest.approx(50)
    assert result.slope == pytest.approx(50)
    assert result.intercept == pytest.approx(5)
    assert result.rii == pytest.approx(55 / 5)  # PHE: fitted x=1 over fitted x=0
    assert result.mean == pytest.approx(30)
    assert result.sii / result.mean == pytest.approx(50 / 30)  # the Kunst-Mackenbach RII
    assert (result.groups, result.population) == (5, 500)


def test_unequal_populations_match_a_weighted_fit_by_hand():
    population = np.array([120.0, 100.0, 80.0, 150.0, 50.0])
    values = np.array([60.0, 64.0, 70.0, 71.0, 80.0])
    share = population / population.sum()  # 0.24, 0.2, 0.16, 0.3, 0.1
    x = np.cumsum(share) - share / 2
    assert x == pytest.approx([0.12, 0.34, 0.52, 0.75, 0.95])
    slope, intercept = np.polyfit(x, values, 1, w=np.sqrt(population))
    result = slope_index_of_inequality(values, population)
    assert result.sii == pytest.approx(slope)
    assert result.intercept == pytest.approx(intercept)
    assert result.rii == pytest.approx((intercept + slope) / intercept)
    assert result.mean == pytest.approx(np.average(values, weights=population))


def test_phe_example_follows_the_phe_regression_formulation():
    # phe_sii fits lm(y sqrt(a) ~ sqrt(a) + b sqrt(a) - 1), a = population share and
    # b = FindXValues (cumulative midpoints); SII = coefficient of b sqrt(a),
    # RII = (coef sqrt(a) + SII) / coef sqrt(a).
    a = np.array(PHE_POPULATION) / sum(PHE_POPULATION)
    b = np.cumsum(a) - a / 2
    design = np.column_stack([np.sqrt(a), b * np.sqrt(a)])
    (b0, b1), *_ = np.linalg.lstsq(design, np.array(PHE_VALUE) * np.sqrt(a), rcond=None)
    result = slope_index_of_inequality(
        PHE_VALUE, PHE_POPULATION, quantile=list(range(1, 11)), se=PHE_SE, seed=5
    )
    assert result.sii == pytest.approx(b1, rel=1e-12)
    assert result.rii == pytest.approx((b0 + b1) / b0, rel=1e-12)
    assert result.warnings == ()
    # The documentation: supplying the SE instead of the 95% limits "gives the same result".
    # Their SEs are the limits' (upper - lower) / 3.92 to about 1.5%, so with the same draws
    # the intervals agree to a few hundredths of a year.
    from_limits = slope_index_of_inequality(
        PHE_VALUE, PHE_POPULATION, lower=PHE_LOWER, upper=PHE_UPPER, seed=5
    )
    assert from_limits.sii == result.sii
    for name in ("sii_lower", "sii_upper", "rii_lower", "rii_upper"):
        assert getattr(from_limits, name) == pytest.approx(getattr(result, name), abs=0.02)


def test_flat_gradient_has_no_slope():
    result = slope_index_of_inequality([7.0] * 5, [50, 80, 120, 60, 90], higher_is_better=True)
    assert result.sii == pytest.approx(0, abs=1e-9)
    assert result.rii == pytest.approx(1)
    assert result.favours == "neither"


@pytest.mark.parametrize(
    ("values", "higher_is_better", "favours"),
    [
        (LINE, True, "least deprived"),
        (LINE, False, "most deprived"),
        (LINE[::-1], True, "most deprived"),
        (LINE, None, None),
    ],
)
def test_which_end_the_gradient_favours(values, higher_is_better, favours):
    result = slope_index_of_inequality(values, EQUAL, higher_is_better=higher_is_better)
    assert result.favours == favours


def test_quantile_numbers_set_the_order():
    shuffled = [3, 1, 5, 2, 4]
    values = [LINE[q - 1] for q in shuffled]
    result = slope_index_of_inequality(values, EQUAL, quantile=shuffled)
    assert result.sii == pytest.approx(50)
    # Without quantile numbers the given order is most -> least deprived.
    assert slope_index_of_inequality(LINE[::-1], EQUAL).sii == pytest.approx(-50)


def test_pandas_series_are_accepted():
    frame = pd.DataFrame({"value": LINE, "population": EQUAL, "decile": [1, 2, 3, 4, 5]})
    result = slope_index_of_inequality(
        frame["value"], frame["population"], quantile=frame["decile"]
    )
    assert result.sii == pytest.approx(50)


def test_log_transform_of_rates_whose_logs_are_linear():
    # log(rate) = log(100) + log(2) x: fitted rate 100 at x = 0 and 200 at x = 1.
    rates = 100 * 2**MIDPOINTS
    result = slope_index_of_inequality(rates, EQUAL, value_type="rate", transform=True)
    assert result.intercept == pytest.approx(math.log(100))
    assert result.slope == pytest.approx(math.log(2))
    assert result.sii == pytest.approx(100)
    assert result.rii == pytest.approx(2)
    # A straight line through the same rates gives another answer: the transform matters.
    assert slope_index_of_inequality(rates, EQUAL, value_type="rate").sii != pytest.approx(100)


def test_logit_transform_of_proportions_whose_logits_are_linear():
    # logit(p) = logit(0.2) + (logit(0.6) - logit(0.2)) x: 0.2 at x = 0 and 0.6 at x = 1.
    start, end = special.logit(0.2), special.logit(0.6)
    proportions = special.expit(start + (end - start) * MIDPOINTS)
    result = slope_index_of_inequality(proportions, EQUAL, value_type="proportion", transform=True)
    assert result.sii == pytest.approx(0.4)
    assert result.rii == pytest.approx(3)
    assert result.intercept == pytest.approx(start)


def test_multiplier_scales_and_a_negative_one_flips_polarity():
    # se 0.5 keeps every simulated intercept far from 0 (sd about 0.45 against 5), so the
    # simulated RIIs are all positive and 1 / RII reverses their order exactly.
    base = slope_index_of_inequality(LINE, EQUAL, se=[0.5] * 5, seed=3)
    scaled = slope_index_of_inequality(LINE, EQUAL, se=[0.5] * 5, seed=3, multiplier=100)
    flipped = slope_index_of_inequality(LINE, EQUAL, se=[0.5] * 5, seed=3, multiplier=-1)
    assert scaled.sii == pytest.approx(5000)
    assert scaled.sii_lower == pytest.approx(100 * base.sii_lower)
    assert scaled.rii == pytest.approx(base.rii)
    assert flipped.sii == pytest.approx(-50)
    assert flipped.rii == pytest.approx(1 / 11)
    assert flipped.sii_lower == pytest.approx(-base.sii_upper)
    assert flipped.sii_upper == pytest.approx(-base.sii_lower)
    assert flipped.rii_lower == pytest.approx(1 / base.rii_upper)
    assert flipped.rii_upper == pytest.approx(1 / base.rii_lower)
    rates = 100 * 2**MIDPOINTS
    transformed = slope_index_of_inequality(
        rates, EQUAL, value_type="rate", transform=True, multiplier=-1
    )
    assert (transformed.sii, transformed.rii) == (pytest.approx(-100), pytest.approx(0.5))


def test_zero_population_group_is_left_out_with_a_warning():
    result = slope_index_of_inequality(
        [10, 20, 99, 40, 50, 60], [100, 100, 0, 100, 100, 100], quantile=[1, 2, 3, 4, 5, 6]
    )
    without = slope_index_of_inequality([10, 20, 40, 50, 60], [100] * 5, quantile=[1, 2, 4, 5, 6])
    assert result.sii == pytest.approx(without.sii)
    assert result.groups == 5
    assert any("population 0" in w and ": 3." in w for w in result.warnings)


def test_few_and_many_quantiles_warn():
    two = slope_index_of_inequality([1.0, 3.0], [1, 1])
    assert two.sii == pytest.approx(4)  # midpoints 0.25 and 0.75: a rise of 2 over 0.5
    assert any("at least 5" in w for w in two.warnings)
    many = slope_index_of_inequality(np.arange(20.0), [1.0] * 20)
    assert any("unstable" in w for w in many.warnings)
    assert not slope_index_of_inequality(LINE, EQUAL, se=[1.0] * 5).warnings


def test_undefined_rii_is_none_with_a_warning():
    # 25 and 75 at midpoints 0.25 and 0.75: y = 100 x, so the most deprived end is 0.
    result = slope_index_of_inequality([25.0, 75.0], [1, 1], se=[1.0, 1.0], seed=1)
    assert result.sii == pytest.approx(100)
    assert result.rii is None
    assert any("RII is undefined" in w for w in result.warnings)
    assert json.dumps(result.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------------------------
# Slope index of inequality: simulated intervals


def test_without_uncertainty_the_intervals_are_none():
    result = slope_index_of_inequality(LINE, EQUAL)
    limits = (result.sii_lower, result.sii_upper, result.rii_lower, result.rii_upper)
    assert limits == (None, None, None, None)
    assert any("no se" in w for w in result.warnings)
    plain = result.to_dict()
    assert plain["sii_lower"] is None and plain["warnings"] == list(result.warnings)
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain


@pytest.mark.parametrize(
    "kwargs",
    [
        {"values": LINE, "se": [0.0] * 5},
        {"values": LINE, "lower": LINE, "upper": LINE},
        {"values": 100 * 2**MIDPOINTS, "se": [0.0] * 5, "value_type": "rate", "transform": True},
        {"values": [0.2, 0.3, 0.4, 0.5, 0.6], "lower": [0.2, 0.3, 0.4, 0.5, 0.6],
         "upper": [0.2, 0.3, 0.4, 0.5, 0.6], "value_type": "proportion"},
    ],
)  # fmt: skip
def test_zero_uncertainty_collapses_the_interval_to_the_estimate(kwargs):
    result = slope_index_of_inequality(population=EQUAL, seed=1, reps=1000, **kwargs)
    assert result.sii_lower == pytest.approx(result.sii)
    assert result.sii_upper == pytest.approx(result.sii)
    assert result.rii_lower == pytest.approx(result.rii)
    assert result.rii_upper == pytest.approx(result.rii)


def test_seed_makes_the_intervals_reproducible():
    first = slope_index_of_inequality(LINE, EQUAL, se=[3.0] * 5, seed=42)
    again = slope_index_of_inequality(LINE, EQUAL, se=[3.0] * 5, seed=42)
    other = slope_index_of_inequality(LINE, EQUAL, se=[3.0] * 5, seed=43)
    generator = slope_index_of_inequality(LINE, EQUAL, se=[3.0] * 5, seed=np.random.default_rng(42))
    assert first == again == generator
    assert other.sii_lower != first.sii_lower


def test_interval_width_is_proportional_to_the_se():
    # For means the simulated slopes are sii + se * (fixed draws), so the width scales exactly.
    narrow = slope_index_of_inequality(LINE, EQUAL, se=[1.0] * 5, seed=7)
    wide = slope_index_of_inequality(LINE, EQUAL, se=[2.0] * 5, seed=7)
    assert wide.sii_upper - wide.sii_lower == pytest.approx(
        2 * (narrow.sii_upper - narrow.sii_lower)
    )
    assert wide.rii_upper - wide.rii_lower > narrow.rii_upper - narrow.rii_lower


@pytest.mark.parametrize(
    "kwargs",
    [
        {"values": PHE_VALUE, "population": PHE_POPULATION, "se": PHE_SE},
        {"values": [120.0, 100, 90, 70, 60], "population": EQUAL, "value_type": "rate",
         "lower": [100.0, 85, 75, 55, 50], "upper": [140.0, 118, 105, 88, 72]},
        {"values": [120.0, 100, 90, 70, 60], "population": EQUAL, "value_type": "rate",
         "transform": True, "lower": [100.0, 85, 75, 55, 50], "upper": [140.0, 118, 105, 88, 72]},
        {"values": [0.3, 0.25, 0.2, 0.15, 0.1], "population": EQUAL, "se": [0.02] * 5,
         "value_type": "proportion", "transform": True},
    ],
)  # fmt: skip
def test_interval_contains_the_estimate(kwargs):
    result = slope_index_of_inequality(seed=11, **kwargs)
    assert result.sii_lower < result.sii < result.sii_upper
    assert result.rii_lower < result.rii < result.rii_upper


def test_interval_width_matches_the_slope_standard_error():
    # Equal populations: slope = sum (x - 0.5) y / 0.4, so sd(slope) = se * sqrt(2.5).
    result = slope_index_of_inequality(LINE, EQUAL, se=[2.0] * 5, reps=200_000, seed=1)
    expected = 2 * 1.959964 * 2.0 * math.sqrt(2.5)
    assert result.sii_upper - result.sii_lower == pytest.approx(expected, rel=0.02)


def test_interval_coverage_is_near_the_confidence_level():
    truth = 5 + 50 * MIDPOINTS  # true SII 50
    se = np.array([2.0, 3.0, 2.5, 4.0, 2.0])
    rng = np.random.default_rng(2024)
    trials, covered = 300, 0
    for trial in range(trials):
        observed = truth + se * rng.standard_normal(5)
        result = slope_index_of_inequality(observed, EQUAL, se=se, reps=1000, seed=trial)
        covered += result.sii_lower <= 50 <= result.sii_upper
    assert 0.90 <= covered / trials <= 0.99


def test_limits_are_taken_at_the_confidence_level():
    z99 = 2.5758293035489004
    lower, upper = np.array(LINE) - z99 * 2, np.array(LINE) + z99 * 2
    from_limits = slope_index_of_inequality(
        LINE, EQUAL, lower=lower, upper=upper, confidence=0.99, seed=9
    )
    from_se = slope_index_of_inequality(LINE, EQUAL, se=[2.0] * 5, confidence=0.99, seed=9)
    assert from_limits.sii_lower == pytest.approx(from_se.sii_lower)
    assert from_limits.sii_upper == pytest.approx(from_se.sii_upper)


@pytest.mark.parametrize("value_type", ["rate", "proportion"])
def test_transformed_se_is_carried_by_the_delta_method(value_type):
    # Limits at g(v) -/+ z s on the log/logit scale give the transformed SE s; an SE on the
    # original scale of s * dv/dg (v for log, v (1 - v) for logit) must give the same draws.
    values = np.array([0.30, 0.25, 0.22, 0.15, 0.12])
    s = np.array([0.05, 0.04, 0.06, 0.05, 0.08])
    forward, inverse, slope = (
        (np.log, np.exp, values) if value_type == "rate"
        else (special.logit, special.expit, values * (1 - values))
    )  # fmt: skip
    z = 1.959963984540054
    options: dict[str, Any] = {"value_type": value_type, "transform": True, "seed": 4}
    from_limits = slope_index_of_inequality(
        values, EQUAL, lower=inverse(forward(values) - z * s),
        upper=inverse(forward(values) + z * s), **options,
    )  # fmt: skip
    from_se = slope_index_of_inequality(values, EQUAL, se=s * slope, **options)
    for name in ("sii_lower", "sii_upper", "rii_lower", "rii_upper"):
        assert getattr(from_se, name) == pytest.approx(getattr(from_limits, name), rel=1e-9)


def test_to_dict_is_plain_json():
    result = slope_index_of_inequality(LINE, EQUAL, se=[1.0] * 5, seed=1, higher_is_better=True)
    plain = result.to_dict()
    assert isinstance(result, SlopeIndex)
    assert set(plain) >= {"sii", "sii_lower", "rii", "intercept", "slope", "groups", "warnings"}
    for value in plain.values():
        assert value is None or isinstance(value, bool | int | float | str | list)
    assert json.loads(json.dumps(plain, allow_nan=False)) == plain


# --------------------------------------------------------------------------------------------
# Slope index of inequality: every refusal names the argument and the group


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"population": [1.0] * 4}, "population", "has 4 entries but values has 5"),
        ({"values": [1.0], "population": [1.0]}, "values", "at least 2 groups"),
        ({"population": [1, np.nan, 1, 1, 1]}, "population", "quantile 2 is missing"),
        ({"population": [1, 1, -1, 1, 1]}, "population", "quantile 3 is negative"),
        ({"values": [10, np.nan, 30, np.inf, 50]}, "values", "quantiles 2, 4 are missing"),
        ({"values": ["a", "b", "c", "d", "e"]}, "values", "must be numbers"),
        ({"values": [0.1, 1.2, 0.3, 0.4, 0.5], "value_type": "proportion", "transform": True},
         "values", "quantile 2 is outside 0 to 1"),
        ({"values": [0.0, 0.2, 0.3, 0.4, 0.5], "value_type": "proportion", "transform": True},
         "values", "quantile 1 is 0 or 1"),
        ({"values": [0.0, 2, 3, 4, 5], "value_type": "rate", "transform": True},
         "values", "quantile 1 is 0, and a rate of 0 has no log"),
        ({"values": [-1.0, 2, 3, 4, 5], "value_type": "rate"}, "values", "quantile 1 is negative"),
        ({"quantile": [1, 2, 2, 3, 4]}, "quantile", "quantile numbers repeat: 2"),
        ({"quantile": [1, 2, None, 3, 4]}, "quantile", "position 3 has no quantile"),
        ({"se": [1, 1, -1, 1, 1]}, "se", "quantile 3 is negative"),
        ({"se": [1, 1, 1, 1, np.nan]}, "se", "quantile 5 is missing"),
        ({"lower": LINE}, "upper", "give lower and upper together"),
        ({"lower": LINE, "upper": [10, 20, 25, 40, 50]}, "upper",
         "quantile 3 has an upper limit below the lower one"),
        ({"value_type": "rate", "lower": [0, 1, 1, 1, 1], "upper": [20] * 5}, "lower",
         "quantile 1 is not above 0"),
        ({"transform": True}, "transform", "rates (log) and proportions (logit)"),
        ({"value_type": "count"}, "value_type", "not 'count'"),
        ({"confidence": 95}, "confidence", "between 0 and 1"),
        ({"reps": 10}, "reps", "at least 1000"),
        ({"multiplier": 0}, "multiplier", "other than 0"),
        ({"higher_is_better": "yes"}, "higher_is_better", "True, False or None"),
        ({"population": pd.Series(EQUAL, index=list("abcde")), "values": pd.Series(LINE)},
         "population", "index differs"),
    ],
)  # fmt: skip
def test_sii_refuses_bad_input_naming_field_and_group(kwargs, field, text):
    arguments: dict[str, Any] = {"values": LINE, "population": EQUAL} | kwargs
    with pytest.raises(ValidationError) as excinfo:
        slope_index_of_inequality(**arguments)
    problems = problems_of(excinfo)
    assert field in problems, problems
    assert text in problems[field]


def test_sii_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as excinfo:
        slope_index_of_inequality(
            [10, np.nan, 30, 40, 50], [1, 1, 1, -5, 1], quantile=[5, 4, 3, 2, 1], reps=10
        )
    problems = problems_of(excinfo)
    assert set(problems) == {"values", "population", "reps"}
    # Named by quantile number, not position: position 2 is quantile 4, position 4 quantile 2.
    assert "quantile 4 is missing" in problems["values"]
    assert "quantile 2 is negative" in problems["population"]
    assert excinfo.value.status_code == 422


# --------------------------------------------------------------------------------------------
# Areas to quantiles

AREAS = pd.DataFrame(
    {
        "access": [10.0, 20.0, 20.0, 40.0, 70.0, 99.0, np.nan, 5.0],
        "residents": [100, 300, 50, 50, 80, 0, 10, 10],
        "decile": [1, 1, 2, 2, 3, 2, 3, np.nan],
    },
    index=list("abcdefgh"),
)


def test_by_quantile_by_hand():
    result = by_quantile(AREAS, value="access", population="residents", quantile="decile")
    assert result["quantile"].tolist() == [1, 2, 3]
    assert result["areas"].tolist() == [2, 2, 1]
    assert result["population"].tolist() == [400, 100, 80]
    # Decile 1: (100 * 10 + 300 * 20) / 400 = 17.5. Spread: sum w (x - m)^2 = 100 * 56.25 +
    # 300 * 6.25 = 7500; W - sum w^2 / W = 400 - 100000 / 400 = 150, var = 50;
    # n_eff = 400^2 / 100000 = 1.6, se = sqrt(50 / 1.6) = sqrt(31.25).
    # Decile 2, equal weights: mean 30, sample sd sqrt(200), se = sqrt(200) / sqrt(2) = 10.
    assert result["value"].tolist() == pytest.approx([17.5, 30, 70])
    assert result["se"].tolist() == pytest.approx([math.sqrt(31.25), 10, 0])
    z = 1.959964  # 95%
    expected_lower = [17.5 - z * math.sqrt(31.25), 30 - z * 10, 70]
    assert result["lower"].tolist() == pytest.approx(expected_lower, rel=1e-6)
    assert result["upper"].tolist() == pytest.approx([35 - expected_lower[0], 30 + z * 10, 70])


def test_by_quantile_counts_and_explains_what_it_left_out():
    result = by_quantile(AREAS, value="access", population="residents", quantile="decile")
    assert result.attrs["left_out"] == 3
    assert result.attrs["left_out_missing"] == 2  # g (no access) and h (no decile)
    assert result.attrs["left_out_zero_population"] == 1  # f
    warnings = " ".join(result.attrs["warnings"])
    assert "(rows g, h)" in warnings
    assert "(rows f)" in warnings
    assert "quantiles 3 have one area" in warnings


def test_by_quantile_feeds_the_sii():
    groups = by_quantile(AREAS, value="access", population="residents", quantile="decile")
    result = slope_index_of_inequality(
        groups["value"], groups["population"], quantile=groups["quantile"], se=groups["se"], seed=1
    )
    assert result.groups == 3
    assert result.sii > 0
    assert result.sii_lower is not None


@pytest.mark.parametrize(
    ("frame", "names", "field", "text"),
    [
        (AREAS, {"value": "nope"}, "value", "no column 'nope'"),
        (AREAS.assign(residents=[1, -2, 1, 1, 1, 1, 1, 1]), {}, "population", "row b is negative"),
        (AREAS.assign(access=list("abcdefgh")), {}, "value", "must be numbers"),
        (AREAS.assign(access=[np.inf] + [1.0] * 7), {}, "value", "row a has an infinite value"),
        (AREAS.assign(residents=[0] * 8), {}, "value", "no area has a value"),
    ],
)
def test_by_quantile_refuses_bad_input(frame, names, field, text):
    columns = {"value": "access", "population": "residents", "quantile": "decile"} | names
    with pytest.raises(ValidationError) as excinfo:
        by_quantile(frame, **columns)
    problems = problems_of(excinfo)
    assert text in problems[field]


# --------------------------------------------------------------------------------------------
# Concentration index


def test_concentration_index_by_hand():
    # Four equal people ranked 1 (most deprived) .. 4 with health 1, 2, 3, 4: fractional ranks
    # 1/8, 3/8, 5/8, 7/8; mean 2.5; cov = [(-1.5)(-3/8) + (-0.5)(-1/8) + (0.5)(1/8) +
    # (1.5)(3/8)] / 4 = 1.25 / 4 = 0.3125; C = 2 * 0.3125 / 2.5 = 0.25.
    result = concentration_index([1, 2, 3, 4], [1, 2, 3, 4])
    assert isinstance(result, ConcentrationIndex)
    assert result.value == pytest.approx(0.25)
    assert (result.n, result.population, result.mean) == (4, 4.0, 2.5)
    # Concentrated among the more deprived: negative.
    assert concentration_index([4, 3, 2, 1], [1, 2, 3, 4]).value == pytest.approx(-0.25)


def test_equal_health_has_no_concentration():
    assert concentration_index([3.0] * 6, [6, 2, 5, 1, 4, 3]).value == pytest.approx(0)


def test_concentration_weights_are_repeated_people():
    weighted = concentration_index([1, 2, 3], [1, 2, 3], population=[2, 1, 1])
    repeated = concentration_index([1, 1, 2, 3], [1, 1, 2, 3])
    assert weighted.value == pytest.approx(repeated.value)
    assert weighted.population == 4


def test_tied_ranks_share_the_block_midpoint():
    # Ranks 1, 1, 2, 2 give fractional ranks 0.25, 0.25, 0.75, 0.75 whatever the row order.
    assert concentration_index([1, 3, 2, 2], [1, 1, 2, 2]).value == pytest.approx(0)
    assert concentration_index([3, 1, 2, 2], [1, 1, 2, 2]).value == pytest.approx(0)
    # Health 1, 1, 3, 3: mean 2, cov = (0.25 * 2 + 0.25 * 2) / 4 = 0.25, C = 0.25.
    assert concentration_index([1, 1, 3, 3], [1, 1, 2, 2]).value == pytest.approx(0.25)
    # Breaking the tie by order would have given another value.
    assert concentration_index([1, 3, 2, 2], [1, 2, 3, 4]).value != pytest.approx(0)


def test_bounded_corrections():
    # Erreygers: E = 4 * mean / (b - a) * C = 4 * 2.5 / 5 * 0.25 = 0.5.
    erreygers = concentration_index([1, 2, 3, 4], [1, 2, 3, 4], kind="erreygers", bounds=(0, 5))
    assert erreygers.value == pytest.approx(0.5)
    assert erreygers.bounds == (0.0, 5.0)
    # Binary 0, 0, 1, 1 by rank: C = 0.5 (mean 0.5, cov 0.125); Wagstaff C / (1 - mean) = 1 and
    # Erreygers 4 * 0.5 * 0.5 = 1: the most unequal a binary variable with mean 0.5 can be.
    binary = [0, 0, 1, 1]
    assert concentration_index(binary, [1, 2, 3, 4]).value == pytest.approx(0.5)
    for kind in ("wagstaff", "erreygers"):
        result = concentration_index(binary, [1, 2, 3, 4], kind=kind, bounds=(0, 1))
        assert result.value == pytest.approx(1.0)
    # Erreygers stays defined when the mean is 0.
    centred = concentration_index([-1, 1], [1, 2], kind="erreygers", bounds=(-1, 1))
    assert centred.value == pytest.approx(8 * 0.25 / 2)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"kind": "erreygers"}, "bounds", "needs bounds=(a, b)"),
        ({"kind": "wagstaff", "bounds": (1, 0)}, "bounds", "a < b"),
        ({"kind": "gini"}, "kind", "not 'gini'"),
        ({"kind": "erreygers", "bounds": (0, 3)}, "values", "position 4 is outside bounds (0, 3)"),
        ({"values": [-1, 1, -1, 1]}, "values", "the mean is 0"),
        ({"kind": "wagstaff", "values": [1, 1, 1, 1], "bounds": (0, 1)}, "values", "at a bound"),
        ({"rank": [1, np.nan, 3, 4]}, "rank", "position 2 is missing"),
        ({"population": [1, 1, -1, 1]}, "population", "position 3 is negative"),
        ({"population": [0, 0, 0, 0]}, "population", "sum to 0"),
        ({"rank": [1, 2, 3]}, "rank", "has 3 entries but values has 4"),
        ({"values": [1], "rank": [1]}, "values", "at least 2"),
    ],
)
def test_concentration_index_refuses_bad_input(kwargs, field, text):
    arguments: dict[str, Any] = {"values": [1, 2, 3, 4], "rank": [1, 2, 3, 4]} | kwargs
    with pytest.raises(ValidationError) as excinfo:
        concentration_index(**arguments)
    problems = problems_of(excinfo)
    assert text in problems[field]


def test_concentration_index_to_dict():
    plain = concentration_index([1, 2, 3, 4], [1, 2, 3, 4], kind="erreygers", bounds=(0, 5))
    assert json.loads(json.dumps(plain.to_dict(), allow_nan=False))["bounds"] == [0.0, 5.0]


# --------------------------------------------------------------------------------------------
# Gini


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0, 0, 0, 1], 0.75),  # Lorenz: 1 - 0.25 * (0 + 0 + 0 + 1)
        ([5, 5, 5], 0.0),
        ([0.1, 0.1, 0.1], 0.0),  # exactly, not rounding noise
        ([0, 0], 0.0),  # all zero: equal, not NaN
        ([1, 2, 3, 4], 0.25),  # mean |xi - xj| / (2 mean) = (20 / 16) / 5
        ([7], 0.0),
    ],
)
def test_gini_by_hand(values, expected):
    assert gini(values) == pytest.approx(expected, abs=1e-12)
    if expected == 0:
        assert gini(values) == 0.0


def test_gini_weights_are_repeated_rows():
    assert gini([1, 2], population=[3, 1]) == pytest.approx(gini([1, 1, 1, 2]))
    assert gini([4, 1, 3], population=[1, 0, 2]) == pytest.approx(gini([4, 3, 3]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 4)), min_size=1, max_size=12).filter(
        lambda rows: any(count for _, count in rows)
    )
)
def test_gini_integer_weights_equal_repeated_rows(rows):
    values = [value for value, _ in rows]
    counts = [count for _, count in rows]
    repeated = [value for value, count in rows for _ in range(count)]
    assert gini(values, population=counts) == pytest.approx(gini(repeated), abs=1e-12)
    assert 0 <= gini(repeated) < 1


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"values": [1, -2, 3]}, "values", "position 2 is negative"),
        ({"values": [1, np.nan, 3]}, "values", "position 2 is missing"),
        ({"values": [1, 2], "population": [1, -1]}, "population", "position 2 is negative"),
        ({"values": [1, 2], "population": [0, 0]}, "population", "sum to 0"),
        ({"values": []}, "values", "at least one value"),
    ],
)
def test_gini_refuses_bad_input(kwargs, field, text):
    with pytest.raises(ValidationError) as excinfo:
        gini(**kwargs)
    assert text in problems_of(excinfo)[field]


# --------------------------------------------------------------------------------------------
# Quintile gap


def test_quintile_gap_one_row_per_quintile():
    result = quintile_gap(LINE, [1, 2, 3, 4, 5])
    assert isinstance(result, QuantileGap)
    assert result.gap == pytest.approx(40)  # least deprived 50 - most deprived 10
    assert result.ratio == pytest.approx(0.2)  # most deprived / least deprived
    assert (result.most_deprived_quantile, result.least_deprived_quantile) == (1, 5)


def test_quintile_gap_weights_area_rows_by_population():
    # Quintile 1: (100 * 10 + 300 * 20) / 400 = 17.5; quintile 5: (40 + 60) / 2 = 50.
    result = quintile_gap(
        [10, 20, 35, 40, 60], [1, 1, 3, 5, 5], population=[100, 300, 5, 1000, 1000]
    )
    assert result.most_deprived_value == pytest.approx(17.5)
    assert result.least_deprived_value == pytest.approx(50)
    assert result.gap == pytest.approx(32.5)
    assert result.ratio == pytest.approx(0.35)


def test_quintile_gap_ratio_is_none_when_least_deprived_is_zero():
    result = quintile_gap([3.0, 0.0], [1, 5])
    assert result.ratio is None
    assert any("ratio is undefined" in w for w in result.warnings)
    assert json.dumps(result.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"quantile": [2, 2, 2, 2, 2]}, "quantile", "at least 2 different quantiles"),
        ({"values": [1, 2, np.nan, 4, 5]}, "values", "position 3 is missing"),
        ({"population": [0, 1, 1, 1, 1]}, "population", "quantile 1 has population 0"),
        ({"quantile": [1, 2, 3]}, "quantile", "has 3 entries but values has 5"),
    ],
)
def test_quintile_gap_refuses_bad_input(kwargs, field, text):
    arguments: dict[str, Any] = {"values": LINE, "quantile": [1, 2, 3, 4, 5]} | kwargs
    with pytest.raises(ValidationError) as excinfo:
        quintile_gap(**arguments)
    assert text in problems_of(excinfo)[field]

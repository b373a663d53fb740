"""mobilise.analysis.rates against PHEindicatormethods' own test values (tests/fixtures/phe,
to 6 decimal places) and against small cases checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis import rates
from mobilise.errors import ValidationError

from ..conftest import FIXTURES

PHE = FIXTURES / "phe"
DP6 = {"rtol": 0, "atol": 5e-7}


def _close(got, expected, **tolerance):
    np.testing.assert_allclose(
        np.asarray(got, float), np.asarray(expected, float), **(tolerance or DP6)
    )


def _relative(got, expected):
    # values in the tens of thousands are compared to 6 decimal places of their own size
    np.testing.assert_allclose(np.asarray(got, float), np.asarray(expected, float), rtol=1e-9)


# -- crude rates, proportions, means: PHE's test values ---------------------------------------
@pytest.mark.parametrize("multiplier", [100, 100_000])
def test_crude_rates_match_phe(multiplier):
    table = pd.read_csv(PHE / "rates.csv")
    table = table[table["multiplier"] == multiplier]
    found = rates.crude_rate(
        table["Numerator"], table["Denominator"], multiplier=multiplier
    ).to_frame()
    for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
        _close(found[column], table[column])
    assert list(found["method"]) == list(table["method"])
    assert found.attrs["statistic"] == f"rate per {multiplier:,}"


def test_proportions_match_phe():
    table = pd.read_csv(PHE / "proportions.csv")
    for multiplier, group in table.groupby("multiplier"):
        found = rates.proportion(
            group["Numerator"], group["Denominator"], multiplier=multiplier
        ).to_frame()
        for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
            _close(found[column], group[column])
        assert set(found["method"]) == {"Wilson"}


def test_means_match_phe():
    data = pd.read_csv(PHE / "means_data.csv")
    expected = pd.read_csv(PHE / "means_results.csv").set_index("area")
    grouped = rates.mean(data["values"], groups=data["area"]).to_frame()
    overall = rates.mean(data["values"]).to_frame()
    for area, found in [
        ("Area1", grouped.loc["Area1"]),
        ("Area2", grouped.loc["Area2"]),
        ("No grouping", overall.iloc[0]),
    ]:
        want = expected.loc[area]
        for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
            assert found[column] == pytest.approx(want[column], abs=5e-7)
        assert found["stdev"] == pytest.approx(want["stdev"], abs=5e-7)
        assert found["denominator"] == want["value_count"]


def test_byars_and_wilson_limits_match_phe():
    table = pd.read_csv(PHE / "byars_wilson.csv")
    for row in table.itertuples():
        level = float(row.confidence.rstrip("%")) / 100
        if row.method == "Byars":
            low, high = rates.byars_lower(row.x, level), rates.byars_upper(row.x, level)
        else:
            low, high = rates.wilson_interval(row.x, row.n, level)
        if not math.isnan(row.lowercl):
            assert float(low) == pytest.approx(row.lowercl, abs=5e-7)
        else:
            assert math.isnan(float(low))  # Byar's goes below 0: no limit
        assert float(high) == pytest.approx(row.uppercl, abs=5e-7)


# -- directly standardised rates -------------------------------------------------------------
def _by_area(table: pd.DataFrame, *columns: str) -> dict[str, np.ndarray]:
    areas = list(dict.fromkeys(table["area"]))
    return {
        c: np.vstack([table.loc[table["area"] == a, c].to_numpy(float) for a in areas])
        for c in columns
    } | {"areas": np.array(areas)}


@pytest.mark.parametrize("multiplier", [10_000, 100_000])
def test_dsr_with_dobson_matches_phe(multiplier):
    data = _by_area(pd.read_csv(PHE / "dsr_multiarea.csv"), "count", "pop")
    results = pd.read_csv(PHE / "dsr_results.csv")
    expected = results[results["area"].isin(data["areas"])]
    expected = expected.iloc[:3] if multiplier == 10_000 else expected.iloc[3:6]
    found = rates.dsr(
        data["count"], data["pop"], rates.ESP2013, multiplier=multiplier, labels=data["areas"]
    ).to_frame()
    for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
        _relative(found[column], expected[column])
    assert list(found["numerator"]) == [895, 91, 9]
    assert found.loc["testdata_tiny", "suppression"].startswith("fewer than 10 events")
    assert found.attrs["statistic"] == f"dsr per {multiplier:,}"


def test_dsr_against_another_standard_matches_phe():
    table = pd.read_csv(PHE / "dsr_esp1976.csv")
    expected = pd.read_csv(PHE / "dsr_results.csv").set_index("area").loc["testdata_1976"]
    found = (
        rates.dsr([table["count"]], [table["pop"]], table["esp1976"], multiplier=100_000)
        .to_frame()
        .iloc[0]
    )
    expected = pd.read_csv(PHE / "dsr_results.csv")
    expected = expected[expected["area"] == "testdata_1976"].iloc[1]
    for column in ("value", "lower95_0cl", "upper95_0cl"):
        assert found[column] == pytest.approx(expected[column], rel=1e-9)


def test_dsr_of_non_independent_events_matches_phe():
    table = pd.read_csv(PHE / "dsr_nonindependent.csv")
    expected = pd.read_csv(PHE / "dsr_results.csv").set_index("area")
    data = _by_area(table, "pop", "f1", "f2", "f3", "f4")
    people = np.stack([data[f] for f in ("f1", "f2", "f3", "f4")], axis=2)
    found = rates.dsr(
        people, data["pop"], rates.ESP2013, frequencies=[1, 2, 3, 4], labels=data["areas"]
    ).to_frame()
    for area in data["areas"]:
        want = expected.loc[area]
        assert found.loc[area, "numerator"] == want["total_count"]
        for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
            if math.isnan(want[column]):
                assert math.isnan(found.loc[area, column])
            else:  # PHE's sheet holds these to 8 decimal places
                assert found.loc[area, column] == pytest.approx(want[column], abs=5e-7)
    assert found.loc["testdata_nonind_big", "method"].endswith("non-independent events")


# -- indirectly standardised ratios and rates --------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "multiplier", "rows"),
    [
        ("rate", 100_000, slice(0, 3)),
        ("rate", 1000, slice(3, 6)),
        ("ratio", 1, slice(6, 9)),
        ("ratio", 100, slice(9, 12)),
    ],
)
def test_isr_matches_phe(kind, multiplier, rows):
    data = _by_area(pd.read_csv(PHE / "dsr_isr_multiarea.csv"), "count", "pop")
    reference = pd.read_csv(PHE / "isr_reference.csv")
    expected = pd.read_csv(PHE / "isr_results.csv").iloc[rows]
    found = rates.isr(
        data["count"],
        data["pop"],
        reference["refcount"],
        reference["refpop"],
        kind=kind,
        multiplier=multiplier,
    ).to_frame()
    _relative(found["expected"], expected["expected"])
    for column in ("value", "lower95_0cl", "upper95_0cl", "lower99_8cl", "upper99_8cl"):
        _relative(found[column], expected[column])
    assert list(found["method"]) == list(expected["method"])
    assert found.attrs["statistic"] == expected["statistic"].iloc[0].replace(
        f"{multiplier}", f"{multiplier:,}"
    )


# -- life expectancy ---------------------------------------------------------------------------
def test_life_expectancy_matches_phe_at_every_age():
    table = pd.read_csv(PHE / "life_expectancy.csv")
    found = rates.life_table([table["deaths"]], [table["pops"]], confidence=0.95)
    lower, upper = found.interval(0.95)
    _close(found.value[0], table["value"])
    # PHE's expected limits were worked with z = 1.96 (its R test compares them to 4 decimal
    # places; the function uses qnorm(0.975)): their standard errors agree to 6 places
    _close(found.extras["standard_error"][0], (table["uppercl"] - table["lowercl"]) / 2 / 1.96)
    _close(lower[0], table["lowercl"], rtol=0, atol=5e-5)
    _close(upper[0], table["uppercl"], rtol=0, atol=5e-5)
    at_five = rates.life_expectancy([table["deaths"]], [table["pops"]], at_age=5)
    assert at_five.value[0] == pytest.approx(75.44193645, abs=5e-7)
    assert at_five.denominator[0] == 745835 and at_five.numerator[0] == 9331  # PHE pops_used


def test_life_expectancy_wider_than_20_years_is_suppressed_as_phe_does():
    table = pd.read_csv(PHE / "life_expectancy_wide_intervals.csv")
    found = rates.life_table([table["deaths"]], [table["pops"]], confidence=0.95)
    shown = table["value"].notna().to_numpy()
    _close(found.value[0][shown], table["value"][shown])
    _close(found.interval(0.95)[0][0][shown], table["lower95_0cl"][shown], rtol=0, atol=5e-5)
    assert np.isnan(found.value[0][~shown]).all()
    assert set(found.suppression[0][~shown]) == {"95% interval wider than 20 years (PHE)"}


def test_life_expectancy_of_a_small_population_is_suppressed():
    table = pd.read_csv(PHE / "life_expectancy.csv")
    small = (table["pops"] / 200).round()
    deaths = np.minimum(table["deaths"], small)
    found = rates.life_expectancy([deaths], [small])
    assert np.isnan(found.value[0])
    assert found.suppression[0] == "population of 5,000 or fewer (PHE)"


# -- funnels -----------------------------------------------------------------------------------
def test_proportion_funnel_limits_match_phe():
    inputs = pd.read_csv(PHE / "funnel_prop_inputs.csv")
    outputs = pd.read_csv(PHE / "funnel_prop_outputs.csv")
    average = inputs["numerator"].sum() / inputs["denominator"].sum()
    limits = rates.funnel_limits(
        average, outputs["Population"], statistic="proportion", multiplier=100
    )
    # PHE's file is printed to 6 decimal places
    tolerance = {"rtol": 0, "atol": 5.1e-7}
    _close(limits[0.95][0], outputs["Lower2s0025limit"], **tolerance)
    _close(limits[0.95][1], outputs["Upper2s0025limit"], **tolerance)
    _close(limits[0.998][0], outputs["Lower3s0001limit"], **tolerance)
    _close(limits[0.998][1], outputs["Upper3s0001limit"], **tolerance)


def test_ratio_funnel_limits_match_phe():
    outputs = pd.read_csv(PHE / "funnel_ratio_outputs.csv")
    for level, side, tag in [
        (0.95, 0, "lower_2s"),
        (0.95, 1, "upper_2s"),
        (0.998, 0, "lower_3s"),
        (0.998, 1, "upper_3s"),
    ]:
        expected_events = outputs[f"{tag}_exp_events"]
        limit = rates.funnel_limits(1.0, expected_events, statistic="ratio", multiplier=100)
        # PHE bisects (to 1e-7 of a transformed scale) where these invert the chi-squared
        # quantile exactly
        np.testing.assert_allclose(limit[level][side], outputs[f"{tag}_isr"], rtol=1e-5)


@pytest.mark.parametrize("statistic", ["proportion", "ratio"])
def test_funnel_significance_matches_phe(statistic):
    if statistic == "proportion":
        table = pd.read_csv(PHE / "funnel_prop_inputs.csv")
        found = rates.funnel_significance(
            table["numerator"], table["denominator"], statistic="proportion"
        )
    else:
        table = pd.read_csv(PHE / "funnel_ratio_inputs.csv")
        found = rates.funnel_significance(table["obs"], table["expected"], statistic="ratio")
    assert list(found) == list(table["significance"])


@pytest.mark.parametrize("with_zeros", [True, False])
@pytest.mark.parametrize("kind", ["dsr", "crude"])
def test_rate_funnel_significance_matches_phe(kind, with_zeros):
    table = pd.read_csv(PHE / "funnel_rate_dsr_inputs.csv")
    if not with_zeros:
        table = table[table["count"] > 0]
    column = f"{kind}_per_100000_{'with' if with_zeros else 'without'}_0"
    if kind == "dsr":
        found = rates.funnel_significance(
            table["count"], statistic="dsr", values=table["rate_dsr"], multiplier=100_000
        )
    else:
        found = rates.funnel_significance(table["count"], table["pop"], statistic="rate")
    assert list(found) == list(table[column])


# -- small cases checked by hand ---------------------------------------------------------------
def test_small_cases_by_hand():
    # 0 events: exact limits 0 and -ln(0.025) = 3.6889 events
    zero = rates.crude_rate([0], [1000], multiplier=1000)
    assert zero.interval(0.95)[0][0] == 0
    assert zero.interval(0.95)[1][0] == pytest.approx(-math.log(0.025), abs=1e-9)
    # a DSR of a population exactly like the standard is its crude rate
    standard = np.array([1000.0, 3000.0])
    found = rates.dsr([[10, 30]], [standard], standard, multiplier=1)
    assert found.value[0] == pytest.approx(40 / 4000)
    # an area with the reference's own rates has an SMR of exactly 1
    smr = rates.isr([[5, 20]], [[100, 400]], [50, 200], [1000, 4000])
    assert smr.value[0] == pytest.approx(1.0)
    # a proportion of 1 in 2 has a Wilson interval symmetric about 0.5
    low, high = rates.proportion([1], [2]).interval(0.95)
    assert low[0] + high[0] == pytest.approx(1.0)


# -- bad input: one clear error naming row and field -------------------------------------------
def test_count_above_denominator_names_the_area():
    with pytest.raises(ValidationError) as caught:
        rates.proportion([5, 12], [10, 10], labels=["E01000001", "E01000002"])
    [problem] = caught.value.problems
    assert problem.row == 2 and problem.field == "count"
    assert "E01000002" in problem.message and "above the denominator" in problem.message


def test_negative_population_names_the_area_and_band():
    counts = np.ones((2, 19))
    populations = np.full((2, 19), 100.0)
    populations[1, 5] = -558
    with pytest.raises(ValidationError) as caught:
        rates.dsr(counts, populations, labels=["A", "B"], bands=rates.ESP2013_BANDS)
    [problem] = caught.value.problems
    assert (problem.row, problem.field) == (2, "population")
    assert "B, band 25-29" in problem.message


def test_a_standard_that_does_not_match_the_bands_is_refused():
    with pytest.raises(ValidationError, match="standard has 19 age bands but the counts have 18"):
        rates.dsr(np.ones((1, 18)), np.full((1, 18), 10.0), rates.ESP2013)


def test_missing_age_band_in_life_expectancy_is_refused():
    with pytest.raises(ValidationError, match="20 ascending age bands"):
        rates.life_expectancy(np.ones((1, 19)), np.full((1, 19), 1000.0))


def test_deaths_above_population_are_refused():
    deaths = np.full((1, 20), 5.0)
    deaths[0, 3] = 50
    with pytest.raises(ValidationError) as caught:
        rates.life_expectancy(deaths, np.full((1, 20), 10.0), labels=["E01000009"])
    [problem] = caught.value.problems
    assert problem.field == "deaths" and "band 10-14" in problem.message


def test_confidence_outside_the_range_is_refused():
    with pytest.raises(ValidationError, match="confidence"):
        rates.crude_rate([1], [10], confidence=80)
    assert rates.crude_rate([1], [10], confidence=99.8).levels == (0.998,)


def test_esp2013_is_the_published_standard():
    assert sum(rates.ESP2013) == 100_000 and len(rates.ESP2013_BANDS) == 19


def test_the_shipped_esp2013_file_agrees_with_the_constant():
    from mobilise.formats.count_tables import band_key, read_standard

    shipped = read_standard("esp2013")
    assert shipped.bands == list(rates.ESP2013_BANDS)
    assert tuple(shipped.populations.astype(int)) == rates.ESP2013
    assert band_key("10 – 14") == band_key("10-14") and band_key("90 plus") == "90+"

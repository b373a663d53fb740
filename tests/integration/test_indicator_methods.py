"""Indicators computed from counts, stored with interval, method, standard, confidence and
suppression, on SQLite and PostgreSQL (``ws.indicators.compute``, funnel, spine)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mobilise.errors import ValidationError

from ..conftest import FIXTURES

COUNTS = FIXTURES / "rates"
PHE = FIXTURES / "phe"


@pytest.fixture
def areas(workspace):
    workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    workspace.places.create("testtown", "Testtown", authorities=["E09000001"])
    return workspace


def test_dsr_is_stored_with_its_interval_method_standard_and_suppression(areas):
    summary = areas.indicators.compute(
        COUNTS / "deaths_by_age.csv",
        indicator_id="mortality_dsr",
        method="dsr",
        standard="esp2013",
        benchmark_label="All three areas",
    )
    assert summary.values == 3 and "1 values suppressed" in summary.notes[-1]
    indicator = areas.indicators.get("mortality_dsr")
    assert (indicator.method, indicator.standard, indicator.confidence) == ("dsr", "esp2013", 95.0)
    assert indicator.multiplier == 100_000 and indicator.benchmark_label == "All three areas"
    expected = pd.read_csv(PHE / "dsr_results.csv").iloc[4:7].reset_index(drop=True)
    values = areas.indicators.values("mortality_dsr")
    assert values.loc["E01000001", "value"] == pytest.approx(expected.loc[0, "value"], rel=1e-9)
    assert values.loc["E01000001", "lower_ci"] == pytest.approx(
        expected.loc[0, "lower95_0cl"], rel=1e-9
    )
    assert values.loc["E01000002", "upper_99_8"] == pytest.approx(
        expected.loc[1, "upper99_8cl"], rel=1e-9
    )
    tiny = areas.indicators.for_area("E01000003")[0]
    assert tiny.value is None and tiny.suppression.startswith("fewer than 10 events")
    assert tiny.method == "Dobson"


def test_smr_against_a_reference_and_funnel(areas):
    areas.indicators.compute(
        COUNTS / "deaths_by_age.csv",
        indicator_id="mortality_smr",
        method="isr",
        reference=COUNTS / "reference_england.csv",
        benchmark_label="England",
    )
    expected = pd.read_csv(PHE / "isr_results.csv").iloc[9:12].reset_index(drop=True)
    values = areas.indicators.values("mortality_smr")
    assert list(values["value"]) == pytest.approx(list(expected["value"]), rel=1e-9)
    assert list(values["denominator"]) == pytest.approx(list(expected["expected"]), rel=1e-9)
    funnel = areas.indicators.funnel("mortality_smr", place="testtown")
    assert funnel["statistic"] == "ratio" and funnel["average"] == 100
    where = {a["area_code"]: a["significance"] for a in funnel["areas"]}
    assert where["E01000002"] == "Low (0.001)"
    assert set(funnel["limits"]) == {"95", "99.8"}


def test_proportion_and_spine_against_the_benchmark(areas):
    areas.indicators.compute(
        COUNTS / "counts.csv",
        indicator_id="share_ok",
        method="proportion",
        polarity="higher_is_better",
    )
    [row] = areas.indicators.spine("E01000003")
    assert row["value"] == pytest.approx(1.0)  # 1 in 100, as a percentage
    assert row["benchmark"] == pytest.approx((65 + 9856 + 1) / (100 + 12345 + 100) * 100)
    assert row["comparison"] == "worse" and row["areas"] == 3
    assert row["worst"] == pytest.approx(1.0) and row["best"] == pytest.approx(79.83799109)


def test_bad_counts_are_refused_naming_row_and_field(areas, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "area_code,age_band,deaths,population\n"
        "E01000001,0-4,3,-120\n"
        + "".join(f"E01000001,{a}-{a + 4},1,100\n" for a in range(5, 90, 5))
        + "E01000001,90+,1,100\n"
        "E01000002,0-4,3,120\n"
    )
    with pytest.raises(ValidationError) as caught:
        areas.indicators.compute(bad, indicator_id="bad_dsr", method="dsr")
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert (1, "population") in problems  # negative population
    assert (20, "age_band") in problems  # E01000002 lacks 18 bands
    assert "5-9" in str(caught.value)
    with pytest.raises(ValidationError, match="above its denominator"):
        areas.indicators.compute(
            b"area_code,count,population\nE01000001,12,10\n",
            name="p.csv",
            indicator_id="bad_share",
            method="proportion",
        )
    assert not [i for i in areas.indicators.list() if i.id.startswith("bad")]


def test_a_standard_that_does_not_match_the_bands_is_refused(areas, tmp_path):
    standard = tmp_path / "esp1976.csv"
    pd.read_csv(PHE / "dsr_esp1976.csv").rename(
        columns={"Age Band": "age_band", "esp1976": "population"}
    )[["age_band", "population"]].to_csv(standard, index=False)
    with pytest.raises(ValidationError) as caught:
        areas.indicators.compute(
            COUNTS / "deaths_by_age.csv", indicator_id="d", method="dsr", standard=str(standard)
        )
    assert any(p.field == "age_band" and "85-89" in p.message for p in caught.value.problems)


def test_imported_indicators_still_read_as_before(areas):
    areas.indicators.import_file(
        b"area_code,score\nE01000001,1.5\nE01000002,2.5\n", name="s.csv", unit="score"
    )
    [value] = areas.indicators.for_area("E01000001")
    assert value.value == 1.5 and value.method == "" and value.suppression == ""
    assert value.indicator.method == "" and value.indicator.benchmark_value is None
    assert not math.isnan(areas.indicators.values("score")["value"].sum())

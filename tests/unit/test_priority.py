"""Priority neighbourhoods on a hand-made place of ten areas, where every flag can be explained.

=====  ======  =====  =======  ==========  ==========================================
area   decile  green  library  admissions  what the rules say
=====  ======  =====  =======  ==========  ==========================================
A01    1       0.12   2.0      300         Core20; green lowest 20% -> priority
A02    2       0.60   1.5      150         Core20; access fine
A03    3       0.70   0.0      500         admissions > 400; no library -> priority
A04    1       0.80   0.4      200         Core20; library third lowest, not low
A05    5       0.80   3.0      120
A06    7       0.35   0.3      450         admissions > 400; green and library low -> priority
A07    2       0.90   2.5      180         Core20; access fine
A08    9       1.00   1.8       90
A09    10      1.10   2.2      100
A10    4       1.20   2.6      260
=====  ======  =====  =======  ==========  ==========================================

With ten areas the lowest 20% is two areas: green A01 (0.12) and A06 (0.35); library A03 (0)
and A06 (0.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis._priority_words import number as _number
from mobilise.analysis.priority import HealthNeed, priority_areas
from mobilise.errors import ValidationError

pytestmark = pytest.mark.filterwarnings("error")

CODES = [f"A{i:02d}" for i in range(1, 11)]
ACCESS = {"green space": "access_green", "library": "access_library"}
ADMISSIONS = HealthNeed("admissions", "Emergency admissions", threshold=400, unit="per 100,000")


@pytest.fixture
def areas() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "imd_decile": [1, 2, 3, 1, 5, 7, 2, 9, 10, 4],
            "access_green": [0.12, 0.60, 0.70, 0.80, 0.80, 0.35, 0.90, 1.00, 1.10, 1.20],
            "access_library": [2.0, 1.5, 0.0, 0.4, 3.0, 0.3, 2.5, 1.8, 2.2, 2.6],
            "admissions": [300, 150, 500, 200, 120, 450, 180, 90, 100, 260],
            "life": [79.0, 81, 74, 80, 82, 76, 77, 83, 84, 78],
            "population": [1500, 1600, 1400, 1700, 1550, 1650, 1450, 1500, 1600, 1520],
            "name": [f"Area {i}" for i in range(1, 11)],
        },
        index=pd.Index(CODES, name="lsoa_code"),
    )


def flagged(result: pd.DataFrame, column: str = "priority") -> list[str]:
    return list(result.index[result[column]])


def test_priority_needs_high_need_and_low_access(areas):
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS], names="name")
    assert flagged(result, "high_need") == ["A01", "A02", "A03", "A04", "A06", "A07"]
    assert flagged(result, "low_access:green space") == ["A01", "A06"]
    assert flagged(result, "low_access:library") == ["A03", "A06"]
    assert flagged(result) == ["A01", "A03", "A06"]
    assert result.loc["A06", "low_access_categories"] == ["green space", "library"]
    assert result.loc["A02", "low_access_categories"] == []
    assert result.index.name == "lsoa_code"
    assert result.loc["A01", "name"] == "Area 1"
    assert result["population"].tolist() == areas["population"].tolist()
    counts = result.attrs["counts"]
    assert counts == {
        "areas": 10,
        "high_need": 6,
        "low_access": {"green space": 2, "library": 2},
        "priority": 3,
        "priority_population": 1500 + 1400 + 1650,
    }
    assert result.attrs["cutoffs"] == {"green space": 0.35, "library": 0.3}
    assert result.attrs["warnings"] == []


def test_reasons_in_words_and_numbers(areas):
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS])
    assert result.loc["A01", "reasons"] == [
        "In England's most deprived 20% (IMD 2019 national decile 1 of 10)",
        "Access to green space 0.12, lowest 20% of the 10 areas here (cut-off 0.35; median 0.80)",
    ]
    assert result.loc["A01", "reason_text"] == (
        "Priority neighbourhood: in England's most deprived 20% (IMD 2019 national decile 1 of "
        "10); access to green space 0.12, lowest 20% of the 10 areas here (cut-off 0.35; "
        "median 0.80)."
    )
    assert result.loc["A03", "reasons"] == [
        "Emergency admissions 500 per 100,000, above the threshold of 400 per 100,000",
        "No library asset within reach (access 0)",
    ]
    assert result.loc["A03", "need_reasons"] == result.loc["A03", "reasons"][:1]
    assert result.loc["A02", "reason_text"] == (
        "High need, but no low access: in England's most deprived 20% (IMD 2019 national decile "
        "2 of 10)."
    )
    assert result.loc["A05", "reason_text"] == "Neither high need nor low access."
    assert result.loc["A05", "reasons"] == []


def test_ranking_puts_most_low_access_then_most_deprived_first(areas):
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS])
    assert str(result["priority_rank"].dtype) == "Int64"
    ranked = result["priority_rank"].dropna().sort_values()
    assert list(ranked.index) == ["A06", "A01", "A03"]  # two categories; then deciles 1 and 3
    assert ranked.tolist() == [1, 2, 3]
    assert result["priority_rank"].isna().sum() == 7


def test_ranking_breaks_a_tie_on_deciles_by_the_worst_access_share(areas):
    areas.loc["A03", "imd_decile"] = 1
    areas.loc["A03", "access_library"] = 0.35  # now second lowest, no longer zero
    areas.loc["A06", "access_library"] = 0.5
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS])
    # A01 (green share 1/10) before A03 (library share 2/10), both decile 1, one category each
    assert result.loc[["A01", "A03"], "priority_rank"].tolist() == [1, 2]


def test_core20_on_and_off(areas):
    core_only = priority_areas(areas, access=ACCESS)
    assert flagged(core_only) == ["A01"]
    health_only = priority_areas(areas, access=ACCESS, core20=False, health=[ADMISSIONS])
    assert flagged(health_only) == ["A03", "A06"]
    assert not any("deprived" in r for r in health_only.loc["A03", "reasons"])
    assert not any("Core20" in c for c in health_only.attrs["criteria"])
    assert any("Core20" in c for c in core_only.attrs["criteria"])


def test_health_rule_by_worst_fraction(areas):
    worst = HealthNeed("admissions", "Emergency admissions", worst_fraction=0.3, unit="per 100,000")
    result = priority_areas(areas, access=ACCESS, core20=False, health=[worst])
    assert flagged(result, "high_need") == ["A01", "A03", "A06"]
    assert result.loc["A01", "need_reasons"] == [
        "Emergency admissions 300 per 100,000, highest 30% of the 10 areas here "
        "(cut-off 300 per 100,000; median 190 per 100,000)"
    ]
    assert "Emergency admissions in the highest 30% of the areas" in " ".join(
        result.attrs["criteria"]
    )


def test_health_rule_where_lower_is_worse(areas):
    life = HealthNeed("life", "Life expectancy", higher_is_worse=False, threshold=77, unit="years")
    result = priority_areas(areas, access=ACCESS, core20=False, health=[life])
    assert flagged(result, "high_need") == ["A03", "A06"]  # 74 and 76; 77 is not below 77
    assert result.loc["A06", "need_reasons"] == [
        "Life expectancy 76 years, below the threshold of 77 years"
    ]


def test_zero_access_is_always_low(areas):
    areas["access_library"] = [0.0, 0.0, 0.0, 0.4, 3.0, 0.3, 2.5, 1.8, 2.2, 2.6]
    result = priority_areas(areas, access=ACCESS)
    # three zeros are more than the lowest 20%, yet all three are low; 0.3 is not
    assert flagged(result, "low_access:library") == ["A01", "A02", "A03"]
    assert "No library asset within reach (access 0)" in result.loc["A02", "reasons"]
    assert flagged(result) == ["A01", "A02"]
    assert result.attrs["warnings"] == []


def test_ties_on_the_cut_off_are_kept_together_and_reported(areas):
    areas["access_green"] = [0.1, 0.2, 0.2, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    result = priority_areas(areas, access=ACCESS)
    assert flagged(result, "low_access:green space") == ["A01"]
    assert result.attrs["cutoffs"]["green space"] == 0.1
    assert result.attrs["warnings"] == [
        "3 areas have the same access to green space, 0.20, on the edge of the lowest 20%; "
        "counting them all would take more than 20% of the 10 areas, so none of them was "
        "counted in the lowest 20%."
    ]


def test_missing_values_are_reported_not_flagged(areas):
    areas.loc["A01", "imd_decile"] = np.nan
    areas.loc["A06", "access_green"] = np.nan
    areas.loc["A03", "admissions"] = np.nan
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS])
    assert not result.loc["A01", "high_need"]  # its decile 1 is unknown now
    assert not result.loc["A06", "low_access:green space"]
    assert not result.loc["A03", "high_need"]
    assert result.loc["A01", "missing"] == ["imd_decile"]
    assert result.loc["A06", "missing"] == ["access_green"]
    assert result.loc["A03", "missing"] == ["admissions"]
    assert result.loc["A02", "missing"] == []
    assert result.attrs["warnings"] == [
        "1 area has no IMD decile (imd_decile), so cannot meet the Core20 criterion: A01.",
        "1 area has no Emergency admissions value (admissions), so cannot meet it: A03.",
        "1 area has no access value for green space (access_green), so is not counted as low "
        "access to green space: A06.",
    ]
    # the nine areas with a green space value have a lowest 20% of one area
    assert flagged(result, "low_access:green space") == ["A01"]
    assert "of the 9 areas here" in result.loc["A01", "reasons"][0]
    assert result.loc["A01", "reason_text"].endswith(" Missing: imd_decile.")
    assert flagged(result) == ["A06"]  # admissions 450 and library 0.3


def test_missing_population_is_reported(areas):
    areas["population"] = areas["population"].astype("Int64")
    areas.loc["A01", "population"] = pd.NA
    result = priority_areas(areas, access=ACCESS, health=[ADMISSIONS])
    assert result.attrs["counts"]["priority_population"] == 1400 + 1650
    assert "1 area has no population (population)" in result.attrs["warnings"][0]
    assert pd.isna(result.loc["A01", "population"])


def test_numbers_are_written_for_people():
    areas = pd.DataFrame(
        {"imd_decile": 1, "access": np.arange(1130) / 100},
        index=[f"E01{i:06d}" for i in range(1130)],
    )
    result = priority_areas(areas, access={"green space": "access"}, population=None)
    assert result.loc["E01000001", "reasons"][1] == (
        "Access to green space 0.01, lowest 20% of the 1,130 areas here (cut-off 2.25; median 5.64)"
    )
    assert "population" not in result.columns
    assert result.attrs["counts"]["priority_population"] is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1130, "1,130"),
        (0.8, "0.80"),
        (0.123, "0.12"),
        (12.345, "12.3"),
        (1234.6, "1,235"),
        (0.00345, "0.0034"),
        (-0.5, "-0.50"),
    ],
)
def test_number_format(value, text):
    assert _number(value) == text


def test_every_input_problem_is_named(areas):
    areas["imd_decile"] = [0, 2, 11, 2.5, 5, 7, 2, 9, 10, 4]
    areas.loc["A02", "access_green"] = -1
    with pytest.raises(ValidationError) as raised:
        priority_areas(
            areas,
            access={"green space": "access_green", "library": "absent_column"},
            health=[HealthNeed("nowhere", "Nowhere", threshold=1)],
            population="people",
            low_access=1.5,
        )
    problems = {p.field: p.message for p in raised.value.problems}
    assert set(problems) == {
        "access_green",
        "absent_column",
        "imd_decile",
        "nowhere",
        "people",
        "low_access",
    }
    assert "A01, A03, A04" in problems["imd_decile"]
    assert "negative" in problems["access_green"]


def test_empty_access_and_no_need_criterion_are_refused(areas):
    with pytest.raises(ValidationError) as raised:
        priority_areas(areas, access={}, core20=False)
    assert {p.field for p in raised.value.problems} == {"access", "health"}


def test_a_health_rule_needs_exactly_one_rule():
    with pytest.raises(ValidationError, match="exactly one rule"):
        HealthNeed("admissions", "Emergency admissions", threshold=400, worst_fraction=0.2)
    with pytest.raises(ValidationError):
        HealthNeed("admissions", "Emergency admissions", worst_fraction=1.5)

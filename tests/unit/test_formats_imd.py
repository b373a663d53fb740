"""English Indices of Deprivation 2019 readers (mobilise.formats.imd)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from mobilise.errors import ValidationError
from mobilise.formats.imd import IOD_INDICATORS, read_iod, read_iod_population

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

CONTRACT_IDS = {
    "imd2019_score",
    "income2019_score",
    "employment2019_score",
    "ypll2019",
    "cidr2019",
    "acute_morbidity2019",
    "mood_anxiety2019",
    "iod2019_road_distance_to_a_gp_surgery_km",
} | {
    f"{domain}2019_{kind}"
    for domain in (
        "imd",
        "income",
        "employment",
        "education",
        "health",
        "crime",
        "barriers",
        "living_environment",
    )
    for kind in ("rank", "decile")
}


def _value(values: pd.DataFrame, area: str, indicator: str) -> float:
    match = values[(values["area_code"] == area) & (values["indicator_id"] == indicator)]
    assert len(match) == 1, (area, indicator)
    return float(match["value"].iloc[0])


def test_catalogue_covers_the_contract() -> None:
    assert set(IOD_INDICATORS) >= CONTRACT_IDS
    assert len(IOD_INDICATORS) == 47
    rank = IOD_INDICATORS["imd2019_rank"]
    assert (rank.unit, rank.polarity, rank.period, rank.licence) == (
        "rank",
        "higher_is_better",
        "2019",
        "OGL-UK-3.0",
    )
    assert rank.source == "MHCLG, English Indices of Deprivation 2019"
    score = IOD_INDICATORS["imd2019_score"]
    assert score.polarity == "higher_is_worse"
    assert score.licence == "OGL-UK-3.0 (repackaging CC BY 4.0, mySociety)"
    assert IOD_INDICATORS["ypll2019"].unit == "years (indirectly standardised YPLL)"
    assert all(m.name and m.description for m in IOD_INDICATORS.values())


def test_file1_with_bom_crlf_and_thousands_separators() -> None:
    data = read_iod(FIXTURES / "iod2019_file1_excerpt.csv")
    assert [m.id for m in data.indicators] == ["imd2019_rank", "imd2019_decile"]
    assert _value(data.values, "E01000001", "imd2019_rank") == 29199
    assert _value(data.values, "E01000002", "imd2019_rank") == 30379
    assert _value(data.values, "E01000003", "imd2019_decile") == 5
    assert len(data.values) == 6
    assert data.indicators[0] is IOD_INDICATORS["imd2019_rank"]


def test_file1_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "File_1.csv.gz"
    path.write_bytes(gzip.compress((FIXTURES / "iod2019_file1_excerpt.csv").read_bytes()))
    assert _value(read_iod(path).values, "E01000001", "imd2019_rank") == 29199


def test_file2_domains() -> None:
    data = read_iod(FIXTURES / "iod2019_file2_excerpt.csv")
    assert len(data.indicators) == 16
    assert _value(data.values, "E01000001", "health2019_rank") == 32113
    assert _value(data.values, "E01000001", "education2019_rank") == 32842
    assert _value(data.values, "E01000002", "living_environment2019_decile") == 4
    assert _value(data.values, "E01000002", "barriers2019_rank") == 11707


def test_file8_blank_numerators_are_missing() -> None:
    data = read_iod(FIXTURES / "iod2019_file8_excerpt.csv")
    assert len(data.indicators) == 28
    values = data.values
    numerator = "iod2019_income_domain_numerator"
    assert set(values.loc[values["indicator_id"] == numerator, "area_code"]) == {
        "E01000002",
        "E01000003",
    }
    assert _value(values, "E01000001", "ypll2019") == 70.3
    assert _value(values, "E01000002", "cidr2019") == 45.529
    assert _value(values, "E01000003", "mood_anxiety2019") == 0.041
    assert _value(values, "E01000001", "iod2019_road_distance_to_a_gp_surgery_km") == 0.795
    idaci = "iod2019_income_deprivation_affecting_children_index_idaci_numerator"
    assert idaci not in set(values["indicator_id"])
    assert {m.polarity for m in data.indicators} == {"higher_is_worse"}


def test_mysociety_scores_ignore_their_decile() -> None:
    data = read_iod(FIXTURES / "imd2019_scores_excerpt.csv")
    assert [m.id for m in data.indicators] == [
        "imd2019_score",
        "income2019_score",
        "employment2019_score",
    ]
    assert _value(data.values, "E01000003", "imd2019_score") == 19.402
    assert _value(data.values, "E01000002", "employment2019_score") == 2.7
    assert data.indicators[0].source == "MHCLG IoD 2019 via mySociety composite_uk_imd"


def test_unrecognised_header_lists_expected_files(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("lsoa11cd,something\nE01000001,1\n")
    with pytest.raises(ValidationError) as caught:
        read_iod(path)
    (problem,) = caught.value.problems
    assert "File 1" in problem.message and "imd_score" in problem.message
    assert "'lsoa11cd', 'something'" in problem.message


def test_file6_given_to_read_iod_points_to_population_reader() -> None:
    with pytest.raises(ValidationError, match="read_iod_population"):
        read_iod(FIXTURES / "iod2019_file6_excerpt.csv")


def test_rank_and_decile_ranges_and_bad_numbers(tmp_path: Path) -> None:
    path = tmp_path / "file1.csv"
    text = (FIXTURES / "iod2019_file1_excerpt.csv").read_text(encoding="utf-8-sig")
    text = text.replace('"29,199",9', '"29,199",11').replace('"14,915"', "n/a?")
    path.write_text(text.replace('"30,379"', "0"))
    with pytest.raises(ValidationError) as caught:
        read_iod(path)
    found = sorted((p.row, p.field or "") for p in caught.value.problems)
    assert found == [
        (1, "Index of Multiple Deprivation (IMD) Decile"),
        (2, "Index of Multiple Deprivation (IMD) Rank"),
        (3, "Index of Multiple Deprivation (IMD) Rank"),
    ]


def test_population_file6() -> None:
    population = read_iod_population(FIXTURES / "iod2019_file6_excerpt.csv")
    assert list(population.columns) == [
        "area_code",
        "total",
        "age_0_15",
        "age_16_59",
        "age_60_plus",
        "working_age",
        "source_row",
    ]
    first = population.iloc[0]
    assert first["area_code"] == "E01000001"
    assert (first["total"], first["age_0_15"], first["age_16_59"], first["age_60_plus"]) == (
        1296,
        175,
        656,
        465,
    )
    assert first["working_age"] == 715
    assert population["total"].dtype == "int64"
    assert population["source_row"].tolist() == [1, 2, 3]


def test_population_problems_name_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "file6.csv"
    text = (FIXTURES / "iod2019_file6_excerpt.csv").read_text(encoding="utf-8-sig")
    path.write_text(text.replace(',"1,156",', ",lots,").replace(",146,", ",,"))
    with pytest.raises(ValidationError) as caught:
        read_iod_population(path)
    found = sorted((p.row, p.field) for p in caught.value.problems)
    assert found == [
        (2, "Total population: mid 2015 (excluding prisoners)"),
        (3, "Dependent Children aged 0-15: mid 2015 (excluding prisoners)"),
    ]
    assert "'lots'" in caught.value.problems[0].message

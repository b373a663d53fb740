"""The Census 2021 reader: the shipped tables, ONS's own column names, and every problem named."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mobilise.demo import DEMO_DATA
from mobilise.errors import ValidationError
from mobilise.formats.census2021 import CENSUS_DIMENSIONS, read_census2021
from mobilise.model.engagement_vocab import AGE_BANDS, DISABILITY, ETHNIC_HIGH_LEVEL, SEX

CENSUS = DEMO_DATA / "census2021"
CAMDEN_011A = "E01000842"


def test_groups_are_the_participants_answers() -> None:
    assert list(CENSUS_DIMENSIONS["age_band"]) == list(AGE_BANDS)
    assert list(CENSUS_DIMENSIONS["sex"]) == list(SEX)
    assert list(CENSUS_DIMENSIONS["ethnic_group"]) == list(ETHNIC_HIGH_LEVEL)
    assert list(CENSUS_DIMENSIONS["disability"]) == list(DISABILITY)


@pytest.mark.parametrize(
    ("file", "dimension", "counts"),
    [
        # the published row of Camden 011A in each shipped table
        ("age_6cat_lsoa21.csv.gz", "age_band", [211, 78, 283, 366, 282, 211]),
        ("ts008_sex_lsoa21.csv.gz", "sex", [769, 663]),
        ("ts021_ethnic_group_5cat_lsoa21.csv.gz", "ethnic_group", [155, 36, 76, 1063, 102]),
        ("ts038_disability_lsoa21.csv.gz", "disability", [136, 1295]),
    ],
)
def test_the_shipped_tables(file: str, dimension: str, counts: list[int]) -> None:
    tidy = read_census2021(CENSUS / file)
    assert list(tidy.columns) == ["lsoa21_code", "dimension", "group", "count"]
    assert tidy["lsoa21_code"].nunique() == 1202
    assert set(tidy["dimension"]) == {dimension}
    one = tidy[tidy["lsoa21_code"] == CAMDEN_011A]
    assert one["group"].tolist() == list(CENSUS_DIMENSIONS[dimension])
    assert one["count"].tolist() == counts


def test_ons_column_names(tmp_path: Path) -> None:
    path = tmp_path / "census2021-ts008-lsoa.csv"
    path.write_text(
        "date,geography,geography code,Sex: All persons; measures: Value,"
        "Sex: Female; measures: Value,Sex: Male; measures: Value\n"
        "2021,Camden 011A,E01000842,1432,769,663\n",
        encoding="utf-8",
    )
    tidy = read_census2021(path)
    assert tidy[["group", "count"]].values.tolist() == [["female", 769], ["male", 663]]
    nomis = tmp_path / "census2021-ts021-lsoa.csv"
    header = [
        "geography code",
        "Ethnic group: Total: All usual residents",
        "Ethnic group: Asian, Asian British or Asian Welsh",
        "Ethnic group: Asian, Asian British or Asian Welsh: Bangladeshi",
        "Ethnic group: Black, Black British, Black Welsh, Caribbean or African",
        "Ethnic group: Mixed or Multiple ethnic groups",
        "Ethnic group: White",
        "Ethnic group: Other ethnic group",
    ]
    with nomis.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, [CAMDEN_011A, 1432, 155, 20, 36, 76, 1063, 102]])
    tidy = read_census2021(nomis)
    # the detailed group (Bangladeshi) is ignored; the five add up to the total
    assert tidy["count"].tolist() == [155, 36, 76, 1063, 102]


def test_every_problem_names_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sex.csv"
    path.write_text(
        "lsoa21cd,total_usual_residents,female,male\n"
        "E01000842,1432,769,663\n"
        "E0100084X,10,5,5\n"
        "E01000843,10,-1,11\n"
        "E01000844,10,4.5,5\n"
        "E01000845,10,,5\n"
        "E01000842,20,10,10\n"
        "E01000846,99,5,5\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        read_census2021(path)
    found = {(p.file, p.row, p.field) for p in caught.value.problems}
    assert ("sex.csv", 2, "lsoa21cd") in found  # not a GSS code
    assert ("sex.csv", 3, "female") in found  # negative
    assert ("sex.csv", 4, "female") in found  # not whole
    assert ("sex.csv", 5, "female") in found  # missing
    assert ("sex.csv", 6, "lsoa21cd") in found  # repeated
    assert ("sex.csv", 7, "total_usual_residents") in found  # 10 is not 99
    assert "add up to 10, not the total 99" in str(caught.value)


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    path.write_text("lsoa21cd,female\nE01000842,769\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_census2021(path)
    assert [(p.file, p.field) for p in caught.value.problems] == [("half.csv", "male")]
    other = tmp_path / "other.csv"
    other.write_text("code,apples\nE01000842,3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_census2021(other)
    assert "no Census group columns" in str(caught.value)

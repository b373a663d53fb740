"""Generic indicator CSV reader and national breaks (mobilise.formats.indicators)."""

from __future__ import annotations

import csv
import gzip
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats.indicators import national_breaks, read_indicator_csv
from mobilise.model.indicators import VALUE_COLUMNS, IndicatorMeta

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _triples(values: pd.DataFrame) -> list[tuple[str, str, float]]:
    return sorted(zip(values["area_code"], values["indicator_id"], values["value"], strict=True))


def _row(values: pd.DataFrame, area: str, indicator: str) -> dict[str, float]:
    match = values[(values["area_code"] == area) & (values["indicator_id"] == indicator)]
    assert len(match) == 1, (area, indicator)
    return {c: float(match[c].iloc[0]) for c in ("value", "lower_ci", "upper_ci", "source_row")}


def test_wide_file_reads_numeric_columns_and_skips_blanks() -> None:
    data = read_indicator_csv(FIXTURES / "indicators_wide.csv")
    assert data.file == "indicators_wide.csv"
    assert [m.id for m in data.indicators] == ["life_expectancy", "smoking_prevalence_pct"]
    assert list(data.values.columns) == VALUE_COLUMNS
    assert _triples(data.values) == [
        ("E01000001", "life_expectancy", 82.5),
        ("E01000001", "smoking_prevalence_pct", 12.1),
        ("E01000002", "smoking_prevalence_pct", 14.0),
        ("E01000003", "life_expectancy", 79.25),
    ]
    row = _row(data.values, "E01000003", "life_expectancy")
    assert row["source_row"] == 3
    assert math.isnan(row["lower_ci"])
    smoking = data.indicators[1]
    assert smoking.name == "Smoking prevalence (%)"
    assert (smoking.unit, smoking.polarity, smoking.licence, smoking.period) == (
        "",
        "neutral",
        "unknown",
        "",
    )
    assert smoking.source == "indicators_wide.csv"


def test_wide_file_with_column_mapping_and_meta() -> None:
    known = IndicatorMeta(
        id="le",
        name="Life expectancy at birth",
        unit="years",
        polarity="higher_is_better",
        source="ONS",
        licence="OGL-UK-3.0",
        period="2017-2019",
    )
    data = read_indicator_csv(
        FIXTURES / "indicators_wide.csv",
        columns={"life_expectancy": "le"},
        meta={"le": known},
    )
    assert data.indicators == [known]
    assert _triples(data.values) == [("E01000001", "le", 82.5), ("E01000003", "le", 79.25)]


def test_default_meta_fills_unknown_indicators() -> None:
    data = read_indicator_csv(
        FIXTURES / "indicators_wide.csv",
        default_meta={"unit": "%", "polarity": "higher_is_worse", "licence": "OGL-UK-3.0"},
    )
    assert {(m.unit, m.polarity, m.licence) for m in data.indicators} == {
        ("%", "higher_is_worse", "OGL-UK-3.0")
    }


def test_long_file_with_confidence_limits() -> None:
    data = read_indicator_csv(FIXTURES / "indicators_long.csv", layout="long")
    assert [m.id for m in data.indicators] == ["life_expectancy", "smoking"]
    first = _row(data.values, "E01000001", "life_expectancy")
    assert (first["value"], first["lower_ci"], first["upper_ci"]) == (82.5, 80.1, 84.9)
    assert math.isnan(_row(data.values, "E01000001", "smoking")["lower_ci"])
    assert _row(data.values, "E01000002", "life_expectancy")["source_row"] == 3


def test_non_numeric_value_names_row_and_field() -> None:
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(FIXTURES / "indicators_bad_value.csv", layout="long")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("indicators_bad_value.csv", 3, "value")
    assert "'twelve'" in problem.message
    assert str(caught.value).startswith("Indicator file indicators_bad_value.csv: 1 problem")


def test_semicolon_crlf_bom_and_thousands() -> None:
    data = read_indicator_csv(FIXTURES / "indicators_semicolon_crlf_bom.csv")
    assert _triples(data.values) == [
        ("E01000001", "population", 1234.0),
        ("E01000001", "rate", 0.5),
        ("E01000002", "population", 2345.0),
        ("E01000002", "rate", 0.25),
    ]
    assert {m.area_type for m in data.indicators} == {"lsoa11"}


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("lsoa11cd,rate\nE01000001,1.5\nE0100000X,2\nE01000001,3\n,4\nE01000004,lots\n")
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(path)
    found = sorted((p.row, p.field) for p in caught.value.problems)
    assert found == [(2, "lsoa11cd"), (3, "lsoa11cd"), (4, "lsoa11cd"), (5, "rate")]
    messages = " | ".join(p.message for p in caught.value.problems)
    assert "'E0100000X' is not a GSS area code" in messages
    assert "first at row 1" in messages


def test_missing_columns_are_named_with_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("area_code,measure,amount\nE01000001,x,1\n")
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(path, layout="long")
    fields = {p.field for p in caught.value.problems}
    assert fields == {"indicator_id", "value"}
    assert "'area_code', 'measure', 'amount'" in caught.value.problems[0].message
    data = read_indicator_csv(
        path, layout="long", indicator_column="measure", value_column="amount"
    )
    assert _triples(data.values) == [("E01000001", "x", 1.0)]


def test_no_area_column(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("place,rate\nfoo,1\n")
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(path)
    assert "area_column=" in caught.value.problems[0].message


def test_duplicate_area_and_indicator_in_long_file(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("area_code,indicator_id,value\nE01000001,a,1\nE01000001,b,2\nE01000001,a,3\n")
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(path, layout="long")
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == (3, "indicator_id")


def test_wide_file_gzip(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv.gz"
    path.write_bytes(gzip.compress(b"area_code\trate\r\nE01000001\t0.5\r\n"))
    data = read_indicator_csv(path)
    assert _triples(data.values) == [("E01000001", "rate", 0.5)]


def test_wide_file_with_one_indicator_and_its_confidence_limits(tmp_path: Path) -> None:
    path = tmp_path / "le.csv"
    path.write_text("area_code,life_expectancy,lower_ci,upper_ci\nE01000001,82.5,80.1,84.9\n")
    data = read_indicator_csv(path)
    assert [m.id for m in data.indicators] == ["life_expectancy"]
    row = _row(data.values, "E01000001", "life_expectancy")
    assert (row["value"], row["lower_ci"], row["upper_ci"]) == (82.5, 80.1, 84.9)


def test_ragged_row_and_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("area_code,rate\nE01000001,1\nE01000002,2,3\n")
    with pytest.raises(ValidationError) as caught:
        read_indicator_csv(path)
    assert caught.value.problems[0].row == 2
    workbook = tmp_path / "rates.xlsx"
    workbook.write_bytes(b"PK\x03\x04rest of a workbook")
    with pytest.raises(ValidationError, match="save it as CSV"):
        read_indicator_csv(workbook)


def test_national_breaks_are_deciles() -> None:
    breaks = national_breaks(pd.Series(range(1, 102), dtype=float))
    assert breaks == (11.0, 21.0, 31.0, 41.0, 51.0, 61.0, 71.0, 81.0, 91.0)
    assert national_breaks(pd.Series([np.nan, 1.0, 2.0]))[0] == pytest.approx(1.1)
    with pytest.raises(ValidationError):
        national_breaks(pd.Series([np.nan]))


def test_indicator_meta_checks_id_and_polarity() -> None:
    with pytest.raises(ValidationError) as caught:
        bad: Any = "up"
        IndicatorMeta(
            id="Bad Id", name="x", unit="", polarity=bad, source="", licence="", period=""
        )
    assert {p.field for p in caught.value.problems} == {"id", "polarity"}


_NAMES = ["rate", "Value B", "count_c", "score (d)", "Share %"]
_SLUGS = {"rate": "rate", "Value B": "value_b", "count_c": "count_c"}
_SLUGS |= {"score (d)": "score_d", "Share %": "share_pct"}


def _cell(value: float | None, style: int) -> str:
    if value is None:
        return ""
    if style == 1 and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return repr(value)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[str], list[str], list[list[float | None]]]:
    names = draw(st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4, unique=True))
    codes = draw(st.lists(st.integers(0, 99_999_999), min_size=1, max_size=8, unique=True))
    number = st.one_of(
        st.none(),
        st.floats(allow_nan=False, allow_infinity=False, width=64),
        st.integers(-(10**7), 10**7).map(float),
    )
    rows = [[draw(number) for _ in names] for _ in codes]
    for column in range(len(names)):  # every indicator has at least one value
        rows[0][column] = rows[0][column] if rows[0][column] is not None else 1.0
    return [f"E{c:08d}" for c in codes], names, rows


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=_tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    bom=st.booleans(),
    crlf=st.booleans(),
    gz=st.booleans(),
    style=st.integers(0, 1),
)
def test_random_tables_round_trip(
    tmp_path: Path,
    table: tuple[list[str], list[str], list[list[float | None]]],
    delimiter: str,
    bom: bool,
    crlf: bool,
    gz: bool,
    style: int,
) -> None:
    codes, names, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(["area_code", *names])
    for code, row in zip(codes, rows, strict=True):
        writer.writerow([code, *(_cell(v, style) for v in row)])
    raw = (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")
    path = tmp_path / ("table.csv.gz" if gz else "table.csv")
    path.write_bytes(gzip.compress(raw) if gz else raw)

    data = read_indicator_csv(path)

    assert [m.id for m in data.indicators] == [_SLUGS[n] for n in names]
    expected = sorted(
        (code, _SLUGS[name], value)
        for code, row in zip(codes, rows, strict=True)
        for name, value in zip(names, row, strict=True)
        if value is not None
    )
    assert _triples(data.values) == expected


def test_bare_carriage_return_in_a_field_does_not_crash(tmp_path):
    """Found by hypothesis through the asset reader: a lone CR inside an unquoted field."""
    from mobilise.errors import ValidationError

    path = tmp_path / "cr.csv"
    path.write_bytes(b"area_code,value\nE01000001,1\rx\nE01000002,2\n")
    try:
        read_indicator_csv(path)
    except ValidationError as error:
        assert error.problems

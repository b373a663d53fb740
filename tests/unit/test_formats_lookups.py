"""Geography lookups, centroids and postcode lookups (formats.lookups, formats.postcodes)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mobilise.errors import ValidationError
from mobilise.formats.lookups import (
    read_centroids,
    read_lsoa11_lsoa21_lad22,
    read_lsoa_msoa,
    read_rural_urban,
)
from mobilise.formats.postcodes import POSTCODE_COLUMNS, read_postcode_lookup

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_lsoa11_lsoa21_lad22() -> None:
    lookup = read_lsoa11_lsoa21_lad22(FIXTURES / "lsoa11_lsoa21_lad22_excerpt.csv")
    assert list(lookup.columns) == [
        "lsoa11_code",
        "lsoa11_name",
        "lsoa21_code",
        "lsoa21_name",
        "change",
        "lad22_code",
        "lad22_name",
    ]
    assert len(lookup) == 5
    split = lookup[lookup["lsoa11_code"] == "E01033468"]
    assert split["lsoa21_code"].tolist() == ["E01035189", "E01035190"]
    assert set(split["change"]) == {"S"}
    last = lookup.iloc[-1]
    assert (last["lsoa11_name"], last["change"], last["lad22_name"]) == (
        "Hartlepool 009A",
        "U",
        "Hartlepool",
    )


def test_lsoa_lookup_accepts_f_lsoa11cd_and_checks_change(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    text = (FIXTURES / "lsoa11_lsoa21_lad22_excerpt.csv").read_text()
    path.write_text(text.replace("LSOA11CD", "F_LSOA11CD", 1))
    assert read_lsoa11_lsoa21_lad22(path)["lsoa11_code"].iloc[0] == "E01033468"
    path.write_text(text.replace(",U,", ",Q,").replace("E01035190", "E0103519"))
    with pytest.raises(ValidationError) as caught:
        read_lsoa11_lsoa21_lad22(path)
    found = sorted((p.row, p.field) for p in caught.value.problems)
    assert found == [(2, "LSOA21CD"), (5, "CHGIND")]


def test_missing_column_lists_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("LSOA11CD,LSOA21CD\nE01000001,E01000001\n")
    with pytest.raises(ValidationError) as caught:
        read_lsoa11_lsoa21_lad22(path)
    (problem,) = caught.value.problems
    assert problem.field == "LAD22CD"
    assert "'LSOA11CD', 'LSOA21CD'" in problem.message


def test_lsoa_msoa() -> None:
    lookup = read_lsoa_msoa(FIXTURES / "lsoa11_msoa11_lad_excerpt.csv")
    assert list(lookup.columns) == [
        "lsoa11_code",
        "lsoa11_name",
        "msoa11_code",
        "msoa11_name",
        "lad_code",
    ]
    assert lookup.iloc[2].tolist() == [
        "E01000003",
        "City of London 001C",
        "E02000001",
        "City of London 001",
        "E09000001",
    ]


def test_lsoa_msoa_rejects_repeated_lsoa(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text(
        "lsoa11cd,msoa11cd,LAD19CD\nE01000001,E02000001,E09000001\nE01000001,E02000002,E09000001\n"
    )
    with pytest.raises(ValidationError) as caught:
        read_lsoa_msoa(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.field) == (2, "lsoa11cd")


def test_rural_urban() -> None:
    classes = read_rural_urban(FIXTURES / "lsoa11_rural_urban_excerpt.csv")
    assert list(classes.columns) == ["area_code", "ruc11_code", "ruc11_name"]
    assert classes.iloc[0].tolist() == ["E01007069", "A1", "Urban major conurbation"]


@pytest.mark.parametrize("drop", ["lon,lat", "bng_easting,bng_northing"])
def test_centroids_from_degrees_or_british_national_grid(tmp_path: Path, drop: str) -> None:
    lines = (FIXTURES / "lsoa21_centroids_excerpt.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, column in enumerate(header) if column not in drop.split(",")]
    path = tmp_path / "centroids.csv"
    path.write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines))
    centroids = read_centroids(path)
    assert list(centroids.columns) == ["area_code", "lon", "lat"]
    first = centroids.iloc[0]
    assert first["area_code"] == "E01000001"
    assert first["lon"] == pytest.approx(-0.096266, abs=1e-6)
    assert first["lat"] == pytest.approx(51.519592, abs=1e-6)


def test_centroids_x_y_in_metres(tmp_path: Path) -> None:
    path = tmp_path / "pwc.csv"
    path.write_text("LSOA11CD,X,Y\nE01000001,532181.7642,181792.2818\n")
    first = read_centroids(path).iloc[0]
    assert (round(first["lon"], 6), round(first["lat"], 6)) == (-0.096266, 51.519592)


def test_centroid_problems(tmp_path: Path) -> None:
    path = tmp_path / "pwc.csv"
    path.write_text("code,lon,lat\nE01000001,-0.1,51.5\nE01000002,east,51.5\nE01000003,-0.1,95\n")
    with pytest.raises(ValidationError) as caught:
        read_centroids(path)
    found = sorted((p.row, p.field) for p in caught.value.problems)
    assert found == [(2, "lon"), (3, "lat")]


def test_postcode_lookup_codepoint() -> None:
    postcodes = read_postcode_lookup(FIXTURES / "codepoint_excerpt.csv")
    assert list(postcodes.columns) == POSTCODE_COLUMNS
    first = postcodes.iloc[0]
    assert first["postcode"] == "CV23 0AE"
    assert first["lsoa11_code"] == "E01027030"
    assert first["lad_code"] == "E06000062"
    assert (first["lon"], first["lat"]) == (-1.188805, 52.381895)
    assert (first["easting"], first["northing"]) == (455312.0, 276294.0)
    assert first["quality"] == 10 and isinstance(first["quality"], int)
    newer = postcodes.iloc[3]  # created after the LSOA lookup: no LSOA
    assert newer["postcode"] == "E1 0FF"
    assert newer["lsoa11_code"] is None
    assert newer["lad_code"] == "E09000030"


def test_postcode_lookup_normalises_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "pc.csv"
    path.write_text(
        "pcds,lsoa11cd,ladcd,oseast1m,osnrth1m,positional_quality\n"
        "nn11de,E01027265,E06000062,475469,260513,10\n"
        "ZZ99 9ZZ,,,0,0,90\n"
    )
    postcodes = read_postcode_lookup(path)
    assert postcodes["postcode"].tolist() == ["NN1 1DE", "ZZ99 9ZZ"]
    assert postcodes["lon"].iloc[0] == pytest.approx(-0.896252, abs=1e-6)
    assert postcodes["lat"].iloc[0] == pytest.approx(52.237645, abs=1e-6)
    assert math.isnan(postcodes["lat"].iloc[1])  # quality 90: no coordinates
    assert postcodes["quality"].tolist() == [10, 90]

    path.write_text(
        "postcode,lsoa11cd,admin_district_code,lon,lat\n"
        "NN1 1DE,E01027265,E06000062,-0.89,52.24\n"
        "not one,E01027265,E06000062,-0.89,52.24\n"
        "nn1 1de,E0102726,E06000062,-0.89,north\n"
    )
    with pytest.raises(ValidationError) as caught:
        read_postcode_lookup(path)
    found = sorted((p.row, p.field) for p in caught.value.problems)
    assert found == [(2, "postcode"), (3, "lat"), (3, "lsoa11cd"), (3, "postcode")]

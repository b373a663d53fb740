"""Asset export files, read back: CSV, GeoJSON, GeoPackage and the HSDS 3.0 data package."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from mobilise.formats.asset_export import (
    HSDS_TABLES,
    opening_times,
    write_csv,
    write_geojson,
    write_geopackage,
    write_hsds_package,
)
from mobilise.formats.oruk_feed import service_at_location_id, taxonomy_term_id
from mobilise.workspace.assets import Asset

from ..conftest import FIXTURES

SPEC = json.loads((FIXTURES / "hsds" / "hsds3_datapackage.json").read_text(encoding="utf-8"))
SPEC_FIELDS = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in SPEC["resources"]}
SPEC_PATHS = {r["name"]: r["path"] for r in SPEC["resources"]}

LIBRARY_ID = "0b6f4c1e-8a39-4c3a-9f0e-3f5c2d1a7b01"
HALL_ID = "0b6f4c1e-8a39-4c3a-9f0e-3f5c2d1a7b02"
SECRET_ID = "0b6f4c1e-8a39-4c3a-9f0e-3f5c2d1a7b03"


def make_asset(asset_id: str, name: str, **changes: object) -> dict[str, object]:
    asset = Asset(
        id=asset_id,
        name=name,
        description="Books, computers and a warm space.",
        kind="place",
        category="library",
        status="active",
        taxonomy_terms=["osm:amenity=library"],
        lon=-0.095,
        lat=51.505,
        geometry=None,
        geocode_precision="point",
        address="1 High Street, Testtown, TT1 1AA",
        postcode="TT1 1AA",
        lsoa11_code="E01000001",
        organisation_id=None,
        organisation="Testtown Council",
        email="library@testtown.example.org",
        phone="+44 20 7946 0000",
        url="https://testtown.example.org/library",
        schedule=[
            {"byday": "MO,TU", "opens_at": "9:00", "closes_at": "17:00"},
            {"byday": "SA", "opens_at": "10:00", "closes_at": "12:30", "description": "term time"},
        ],
        step_free=True,
        accessible_toilet=None,
        hearing_loop=False,
        languages=["English", "Polish"],
        cost="free",
        age_min=None,
        age_max=None,
        target_groups=["young_people"],
        capacity=None,
        capacity_unit="",
        source="test",
        source_id=name.lower(),
        licence="OGL-UK-3.0",
        provenance=[],
        assured_date=date(2025, 3, 1),
        visibility="public",
        extra={},
        version=1,
        created_at=datetime(2025, 1, 1, 9, 0),
        updated_at=datetime(2025, 3, 1, 12, 30),
        updated_by="tester",
    )
    return {**asdict(asset), **changes}


@pytest.fixture
def assets() -> list[dict[str, object]]:
    """A located library with everything filled in, and a hall with no location or extras."""
    return [
        make_asset(LIBRARY_ID, "Testtown Library"),
        make_asset(
            HALL_ID,
            "=Hall",  # a name a spreadsheet would run as a formula
            category="community_space",
            taxonomy_terms=[],
            lon=None,
            lat=None,
            geocode_precision="none",
            address="",
            postcode=None,
            organisation="",
            phone="",
            schedule=[],
            step_free=None,
            hearing_loop=None,
            languages=[],
            target_groups=[],
            cost=None,
            age_min=16,
        ),
    ]


def test_opening_times_read_like_a_notice():
    schedule = make_asset(LIBRARY_ID, "x")["schedule"]
    assert opening_times(schedule) == "Mon, Tue 9:00-17:00; Sat 10:00-12:30 (term time)"  # type: ignore[arg-type]
    assert opening_times([]) == ""


def test_csv_has_one_row_per_asset(assets, tmp_path):
    path = tmp_path / "assets.csv"
    assert write_csv(assets, path) == 2
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    library, hall = frame.to_dict("records")
    assert library["id"] == LIBRARY_ID
    assert (float(library["lon"]), float(library["lat"])) == (-0.095, 51.505)
    assert library["languages"] == "English; Polish"
    assert library["opening_times"] == "Mon, Tue 9:00-17:00; Sat 10:00-12:30 (term time)"
    assert library["category_label"] == "Library"
    assert (library["step_free"], library["accessible_toilet"], library["hearing_loop"]) == (
        "true",
        "",
        "false",
    )
    assert library["phone"] == "+44 20 7946 0000"  # a phone number is not taken for a formula
    assert (library["assured_date"], library["updated_at"]) == ("2025-03-01", "2025-03-01T12:30:00")
    assert "updated_by" not in frame.columns
    assert (hall["name"], hall["lon"], hall["age_min"]) == ("'=Hall", "", "16")


def test_geojson_points_without_nulls(assets, tmp_path):
    path = tmp_path / "assets.geojson"
    assert write_geojson(assets, path) == 2
    document = json.loads(path.read_text(encoding="utf-8"))
    library, hall = document["features"]
    assert library["geometry"] == {"type": "Point", "coordinates": [-0.095, 51.505]}
    assert library["id"] == LIBRARY_ID
    assert library["properties"]["languages"] == ["English", "Polish"]
    assert library["properties"]["schedule"][1]["description"] == "term time"
    assert hall["geometry"] is None and hall["properties"]["name"] == "=Hall"
    for feature in document["features"]:
        assert None not in feature["properties"].values()
        assert "lon" not in feature["properties"]
    assert "accessible_toilet" not in library["properties"]


def test_geopackage_layer_in_wgs84(assets, tmp_path):
    path = tmp_path / "assets.gpkg"
    assert write_geopackage(assets, path, layer="register") == 2
    layer = gpd.read_file(path, layer="register")
    assert layer.crs.to_epsg() == 4326
    assert list(layer["id"]) == [LIBRARY_ID, HALL_ID]
    library = layer.geometry.iloc[0]
    assert (library.x, library.y) == (-0.095, 51.505)
    assert layer.geometry.iloc[1] is None
    assert layer["taxonomy_terms"].iloc[0] == "osm:amenity=library"


def test_empty_geopackage_is_still_a_layer(tmp_path):
    assert write_geopackage([], tmp_path / "none.gpkg") == 0
    assert len(gpd.read_file(tmp_path / "none.gpkg")) == 0


def _read_package(target: Path) -> dict[str, str]:
    if target.suffix == ".zip":
        with zipfile.ZipFile(target) as archive:
            return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
    return {p.name: p.read_text(encoding="utf-8") for p in target.iterdir()}


def _table(files: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name])))


@pytest.mark.parametrize("target", ["hsds", "hsds.zip"])
def test_hsds_package_follows_the_3_0_tables(assets, tmp_path, target):
    path = tmp_path / target
    assert write_hsds_package(assets, path) == 2
    files = _read_package(path)
    package = json.loads(files.pop("datapackage.json"))
    assert package["profile"] == "tabular-data-package"
    assert {r["path"] for r in package["resources"]} == set(files)
    for resource in package["resources"]:
        name = resource["name"]
        assert resource["path"] == SPEC_PATHS[name]
        header = next(csv.reader(io.StringIO(files[resource["path"]])))
        assert header == SPEC_FIELDS[name], name
        assert [f["name"] for f in resource["schema"]["fields"]] == SPEC_FIELDS[name]
        spec_types = {
            f["name"]: f["type"]
            for r in SPEC["resources"]
            if r["name"] == name
            for f in r["schema"]["fields"]
        }
        assert {f["name"]: f["type"] for f in resource["schema"]["fields"]} == spec_types
    assert package["licenses"] == [{"name": "OGL-UK-3.0", "title": "OGL-UK-3.0"}]


def test_hsds_package_uses_the_feed_ids(assets, tmp_path):
    write_hsds_package(assets, tmp_path / "hsds")
    files = _read_package(tmp_path / "hsds")
    services = _table(files, "services.csv")
    assert [s["id"] for s in services] == [LIBRARY_ID, HALL_ID]
    library = services[0]
    assert (library["status"], library["assured_date"]) == ("active", "2025-03-01")
    [organisation] = _table(files, "organizations.csv")
    assert library["organization_id"] == organisation["id"]
    assert services[1]["organization_id"] == ""
    at_locations = {r["service_id"]: r for r in _table(files, "service_at_location.csv")}
    assert at_locations[LIBRARY_ID]["id"] == service_at_location_id(assets[0])
    locations = {r["id"]: r for r in _table(files, "locations.csv")}
    place = locations[at_locations[LIBRARY_ID]["location_id"]]
    assert (place["latitude"], place["longitude"]) == ("51.505", "-0.095")
    [address] = _table(files, "addresses.csv")
    assert (address["postal_code"], address["country"]) == ("TT1 1AA", "GB")
    terms = {r["id"]: r for r in _table(files, "taxonomy_terms.csv")}
    assert terms[taxonomy_term_id("library")]["code"] == "library"
    assert taxonomy_term_id("community_space") in terms
    assert {r["taxonomy_term_id"] for r in _table(files, "attributes.csv")} == set(terms)
    schedules = _table(files, "schedules.csv")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules] == [
        ("MO,TU", "09:00:00", "17:00:00"),
        ("SA", "10:00:00", "12:30:00"),
    ]
    assert [r["name"] for r in _table(files, "languages.csv")] == ["English", "Polish"]
    assert [r["number"] for r in _table(files, "phones.csv")] == ["+44 20 7946 0000"]
    assert [r["description"] for r in _table(files, "accessibility.csv")] == [
        "Step-free access",
        "No hearing loop",
    ]
    assert all(r["term_uri"] == "" for r in terms.values())  # no feed address given


def test_hsds_links_point_at_the_feed(assets, tmp_path):
    write_hsds_package(assets, tmp_path / "hsds", base_url="https://assets.example.org/oruk")
    files = _read_package(tmp_path / "hsds")
    term = _table(files, "taxonomy_terms.csv")[0]
    assert term["term_uri"] == f"https://assets.example.org/oruk/taxonomy_terms/{term['id']}"


WRITERS = {
    "assets.csv": write_csv,
    "assets.geojson": write_geojson,
    "assets.gpkg": write_geopackage,
    "hsds.zip": write_hsds_package,
    "hsds": write_hsds_package,
}


@pytest.mark.parametrize("target", WRITERS)
def test_private_assets_are_refused_and_nothing_written(assets, tmp_path, target):
    secret = make_asset(SECRET_ID, "Safe house", visibility="private")
    with pytest.raises(ValueError, match=SECRET_ID):
        WRITERS[target]([*assets, secret], tmp_path / target)
    assert not (tmp_path / target).exists()


def test_an_analysts_copy_may_hold_private_assets(assets, tmp_path):
    secret = make_asset(SECRET_ID, "Safe house", visibility="private")
    assert write_csv([*assets, secret], tmp_path / "mine.csv", include_private=True) == 3
    frame = pd.read_csv(tmp_path / "mine.csv", dtype=str, keep_default_na=False)
    assert list(frame["visibility"]) == ["public", "public", "private"]


def test_every_exported_table_is_in_the_spec():
    assert set(HSDS_TABLES) <= set(SPEC_FIELDS)

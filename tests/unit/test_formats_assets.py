"""Community asset readers (mobilise.formats.assets)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.errors import ConfigurationError, ValidationError
from mobilise.formats._asset_rows import TARGETS
from mobilise.formats.assets import (
    assets_from_overpass,
    download_overpass,
    overpass_query,
    parse_opening_hours,
    read_assets,
)
from mobilise.geo import bng_to_wgs84
from mobilise.model.asset_vocab import CATEGORIES, FIELD_ALIASES, OSM_TAGS
from mobilise.model.assets import AssetFile, AssetRecord

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "src" / "mobilise" / "demo" / "data" / "community_assets"
FIXTURES = ROOT / "tests" / "fixtures" / "assets"

EXPECTED = {
    "community_assets_target_areas_combined.geojson.gz": {
        "arts_culture": 1557,
        "community_space": 1309,
        "faith": 508,
        "library": 86,
        "sport_physical_activity": 9,
        "green_blue_space": 2,
    },
    "gla_cultural_infrastructure_map_inner_london.geojson.gz": {
        "arts_culture": 1347,
        "community_space": 1228,
        "library": 49,
        "sport_physical_activity": 9,
        "green_blue_space": 2,
    },
    "mapping_museums_2021_target_areas.geojson": {"arts_culture": 110},
    "osm_geofabrik_2019_places_of_worship_inner_london.geojson": {"faith": 508},
    "osm_overpass_2025_cultural_community_amenities_inner_london.geojson": {
        "arts_culture": 100,
        "community_space": 81,
        "library": 22,
    },
    "public_libraries_2023_target_areas.geojson": {"library": 86},
}


def _by_name(assets: AssetFile) -> dict[str, AssetRecord]:
    return {r.name: r for r in assets.records}


# --- the bundled demo files ----------------------------------------------------------------


def test_every_bundled_file_is_expected() -> None:
    assert sorted(p.name for p in BUNDLED.glob("*.geojson*")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_file_reads_without_problems(name: str) -> None:
    assets = read_assets(BUNDLED / name)
    assert assets.problems == []
    assert assets.invalid_rows == []
    assert dict(Counter(r.category for r in assets.records)) == EXPECTED[name]
    keys = [(r.source, r.source_id) for r in assets.records]
    assert len(set(keys)) == len(keys)
    for record in assets.records:
        assert record.category in CATEGORIES
        assert record.name and record.source and record.source_id
        assert record.lon is not None and -1.5 < record.lon < 0.5
        assert record.lat is not None and 51.3 < record.lat < 52.7
        assert record.taxonomy_terms, record


def test_bundled_gla_records_carry_source_terms_and_licence() -> None:
    assets = read_assets(BUNDLED / "gla_cultural_infrastructure_map_inner_london.geojson.gz")
    pubs = [r for r in assets.records if "gla:Pubs" in r.taxonomy_terms]
    assert len(pubs) == 912
    assert {r.category for r in pubs} == {"community_space"}
    first = assets.records[0]
    assert (first.source, first.source_id, first.licence) == (
        "gla_cim",
        "gla_cim_row:10263",
        "OGL-UK-3.0",
    )
    assert first.url == "https://www.camdenartscentre.org"
    assert first.address == "47 Arkwright Road"
    assert first.extra["lsoa11cd"] == "E01000880"
    assert first.extra["source_name"].startswith("GLA Cultural Infrastructure Map")
    assert assets.dropped["lsoa11cd"] == 2633


def test_bundled_osm_ids_match_overpass_ids() -> None:
    assets = read_assets(
        BUNDLED / "osm_overpass_2025_cultural_community_amenities_inner_london.geojson"
    )
    holborn = _by_name(assets)["Holborn Library"]
    assert (holborn.source, holborn.source_id) == ("osm", "node/13799212")
    assert holborn.taxonomy_terms == ["osm:amenity=library"]
    assert holborn.licence == "ODbL-1.0"


def test_bundled_libraries_file_derives_category_status_and_schedule() -> None:
    assets = read_assets(BUNDLED / "public_libraries_2023_target_areas.geojson")
    assert Counter(r.status for r in assets.records) == {"active": 82, "closed": 4}
    belsize = _by_name(assets)["Belsize Community Library"]
    assert belsize.source == "public_libraries_2023_target_areas.geojson"
    assert belsize.source_id.startswith("h:")
    assert belsize.address == "Antrim Road, London, Greater London"
    assert belsize.postcode == "NW3 3NR"
    assert belsize.email == "belsizelibrary@thewinch.org"
    assert [s["byday"] for s in belsize.schedule] == ["MO", "TU", "WE"]
    assert belsize.schedule[0]["description"] == "All Day (continuous)"
    # the same file read again gives the same ids
    again = read_assets(BUNDLED / "public_libraries_2023_target_areas.geojson")
    assert [r.source_id for r in again.records] == [r.source_id for r in assets.records]


def test_bundled_museum_status() -> None:
    assets = read_assets(BUNDLED / "mapping_museums_2021_target_areas.geojson")
    assert Counter(r.status for r in assets.records) == {"active": 95, "closed": 15}
    assert all(r.licence == "CC-BY-4.0" for r in assets.records)


def test_real_arts_council_csv_with_a_column_map() -> None:
    assets = read_assets(
        BUNDLED / "ace_investment_programme_2023_26_npo_target_areas.csv",
        column_map={"Applicant Name": "name"},
        source="ace_npo_2023_26",
    )
    assert assets.problems == []
    assert len(assets.records) == 125
    assert {r.category for r in assets.records} == {"arts_culture"}
    almeida = _by_name(assets)["Almeida Theatre Company Limited"]
    assert almeida.taxonomy_terms == ["ace_npo_2023_26:Theatre"]
    assert almeida.lon is None and almeida.postcode is None  # valid, not geocoded
    assert almeida.extra["Local authority"] == "Islington"


# --- CSV ------------------------------------------------------------------------------------

COLUMN_MAP = {
    "Venue Name": "name",
    "What": "source_category",
    "Y": "lat",
    "X": "lon",
    "Contact": "email",
    "Hours": "schedule",
    "Entry": "cost",
    "Ages": "age_min",
    "Ref": "source_id",
}


def test_csv_with_a_column_map() -> None:
    assets = read_assets(FIXTURES / "column_map.csv", column_map=COLUMN_MAP, licence="OGL-UK-3.0")
    assert assets.problems == []
    records = _by_name(assets)
    assert {n: r.category for n, r in records.items()} == {
        "Central Library": "library",
        "Abington Park": "green_blue_space",
        "Derngate Theatre": "arts_culture",
        "Saturday Walking Group": "sport_physical_activity",
    }
    library = records["Central Library"]
    assert (library.lon, library.lat, library.postcode) == (-0.8937, 52.2383, "NN1 2BA")
    assert library.source == "column_map.csv"
    assert library.source_id == "lib-1"
    assert library.taxonomy_terms == ["column_map:Libraries"]
    assert library.licence == "OGL-UK-3.0"
    assert library.schedule == [
        {"byday": "MO,TU,WE,TH,FR", "opens_at": "09:00", "closes_at": "17:00", "description": ""},
        {"byday": "SA", "opens_at": "09:00", "closes_at": "16:00", "description": ""},
    ]
    assert library.source_row == 1
    assert records["Derngate Theatre"].cost == "paid"
    assert records["Derngate Theatre"].age_min == 12
    walk = records["Saturday Walking Group"]
    assert walk.lon is None and walk.postcode == "NN3 3RL"


def test_csv_bad_rows_are_problems_with_row_and_field() -> None:
    assets = read_assets(FIXTURES / "bad_rows.csv")
    assert [r.name for r in assets.records] == ["Good Community Centre"]
    assert [(p.file, p.row, p.field) for p in assets.problems] == [
        ("bad_rows.csv", 2, "postcode"),
        ("bad_rows.csv", 3, "latitude"),
    ]
    assert "NOTAPOSTCODE" in assets.problems[0].message
    assert "fifty-two" in assets.problems[1].message
    assert [r["name"] for r in assets.invalid_rows] == ["Bad Postcode Hall", "Bad Latitude Library"]


def _write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def test_csv_common_column_names_are_matched(tmp_path: Path) -> None:
    row = {
        "Title": "Kingsthorpe Community Pantry",
        "Description": "Low-cost food for members",
        "Category": "Food",
        "Post_Code": "nn2 6ep",
        "Latitude": "52.2600",
        "Lng": "-0.9010",
        "Address 1": "Kingsthorpe Grove",
        "Town": "Northampton",
        "Telephone": "01604 000000",
        "Website": "https://example.org/pantry",
        "E-mail": "pantry@example.org",
        "ID": "pantry-7",
        "Status": "Open",
        "Opening Hours": "Tue 10am-2pm",
        "Wheelchair": "yes",
        "Accessible toilet": "no",
        "Languages": "English, Polish",
        "Cost": "low cost",
        "Min Age": "16",
        "Max Age": "",
        "Target Groups": "families; older people",
        "Capacity": "40",
        "Capacity unit": "places_per_week",
        "Kind": "service",
        "Assured date": "31/03/2025",
        "Visibility": "public",
        "Organisation": "Kingsthorpe Trust",
        "Ward": "Kingsthorpe South",
    }
    assets = read_assets(_write_csv(tmp_path / "pantry.csv", [row]))
    assert assets.problems == []
    (record,) = assets.records
    assert (record.name, record.category, record.kind) == (
        "Kingsthorpe Community Pantry",
        "food",
        "service",
    )
    assert (record.postcode, record.lon, record.lat) == ("NN2 6EP", -0.901, 52.26)
    assert record.address == "Kingsthorpe Grove, Northampton"
    assert (record.phone, record.url, record.email) == (
        "01604 000000",
        "https://example.org/pantry",
        "pantry@example.org",
    )
    assert (record.source_id, record.status, record.cost) == ("pantry-7", "active", "low")
    assert record.schedule == [
        {"byday": "TU", "opens_at": "10:00", "closes_at": "14:00", "description": ""}
    ]
    assert (record.step_free, record.accessible_toilet, record.hearing_loop) == (True, False, None)
    assert record.languages == ["English", "Polish"]
    assert (record.age_min, record.age_max) == (16, None)
    assert record.target_groups == ["families", "older_people"]
    assert (record.capacity, record.capacity_unit) == (40.0, "places_per_week")
    assert record.assured_date == date(2025, 3, 31)
    assert record.organisation == "Kingsthorpe Trust"
    assert record.extra == {"Ward": "Kingsthorpe South"}
    assert assets.dropped == {"Ward": 1}


def test_csv_easting_northing_gzip_and_tabs(tmp_path: Path) -> None:
    rows = [
        {
            "name": "Guildhall",
            "type": "Community Centres",
            "easting": "475480",
            "northing": "260470",
        }
    ]
    assets = read_assets(_write_csv(tmp_path / "bng.tsv.gz", rows, delimiter="\t"))
    (record,) = assets.records
    lon, lat = bng_to_wgs84([475480], [260470])
    assert record.lon == pytest.approx(lon[0], abs=1e-6)
    assert record.lat == pytest.approx(lat[0], abs=1e-6)
    assert record.category == "community_space"


@pytest.mark.parametrize(
    ("cells", "field", "words"),
    [
        ({"status": "maybe"}, "status", "not a status"),
        ({"cost": "expensive"}, "cost", "not a cost"),
        ({"visibility": "secret"}, "visibility", "not a visibility"),
        ({"kind": "event"}, "kind", "not a kind"),
        ({"assured_date": "last spring"}, "assured_date", "not a date"),
        ({"capacity": "lots"}, "capacity", "not a number"),
        ({"age_min": "ten"}, "age_min", "not a number"),
        ({"age_max": "12.5"}, "age_max", "whole number"),
        ({"latitude": "48.85", "longitude": "2.35"}, "latitude", "outside Great Britain"),
        ({"latitude": "-0.89", "longitude": "52.24"}, "latitude", "swapped"),
        ({"latitude": "475000", "longitude": "260000"}, "latitude", "easting and northing"),
        ({"latitude": "52.24"}, "longitude", "missing"),
        ({"step_free": "sometimes"}, "step_free", "yes or no"),
        ({"target_groups": "dogs"}, "target_groups", "not one of"),
        ({"category": "weather"}, "category", "not a category"),
        ({"name": ""}, "name", "blank"),
    ],
)
def test_csv_invalid_values(tmp_path: Path, cells: dict[str, str], field: str, words: str) -> None:
    base = {"name": "A Hall", "category": "community_space", "latitude": "", "longitude": ""}
    base.update({k: "" for k in cells if k not in base})
    rows = [base, {**base, **cells}]
    assets = read_assets(_write_csv(tmp_path / "invalid.csv", rows))
    assert len(assets.records) == 1
    assert [(p.row, p.field) for p in assets.problems] == [(2, field)]
    assert words in assets.problems[0].message


def test_csv_without_a_name_or_category_column_is_refused(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "x.csv", [{"venue_code": "1", "kind": "place"}])
    with pytest.raises(ValidationError) as caught:
        read_assets(path)
    assert {p.field for p in caught.value.problems} == {"name", "category"}
    assert "column_map" in str(caught.value)


def test_column_map_errors_name_the_column(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "x.csv", [{"Title": "A", "category": "faith"}])
    with pytest.raises(ValidationError) as caught:
        read_assets(path, column_map={"Title": "nom", "Missing": "name"})
    assert {p.field for p in caught.value.problems} == {"Title", "Missing"}


def test_hashed_ids_are_stable_and_repeated_ids_are_problems(tmp_path: Path) -> None:
    row = {"name": "Hall", "category": "community_space", "lat": "52.24", "lon": "-0.89"}
    assets = read_assets(_write_csv(tmp_path / "h.csv", [row, row]))
    first, second = (r.source_id for r in assets.records)
    assert first.startswith("h:") and len(first) == 18
    assert second == f"{first}~2"
    rows = [{**row, "id": "a"}, {**row, "id": "a"}, {**row, "id": "b", "lat": "north"}]
    assets = read_assets(_write_csv(tmp_path / "d.csv", rows))
    assert [(p.row, p.field) for p in assets.problems] == [(2, "source_id"), (3, "lat")]
    # invalid rows come in file order, like their problems
    assert [r["id"] for r in assets.invalid_rows] == ["a", "b"]


@pytest.mark.parametrize("suffix", [".docx", ""])
def test_unknown_file_type(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"assets{suffix}"
    path.write_text("name\nx\n")
    with pytest.raises(ValidationError, match="cannot be read"):
        read_assets(path)


def test_target_fields_are_record_fields() -> None:
    names = {f for f in AssetRecord.__dataclass_fields__}
    helpers = {"easting", "northing", "source_category", "closed"}
    assert TARGETS - helpers <= names
    assert set(FIELD_ALIASES) <= TARGETS


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_without_openpyxl_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    path = tmp_path / "assets.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ConfigurationError) as caught:
        read_assets(path)
    assert "pip install 'mobilise[xlsx]'" in str(caught.value)


def test_xlsx_reads_the_first_sheet(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    import pandas as pd

    path = tmp_path / "assets.xlsx"
    frame = pd.DataFrame(
        {
            "Name": ["Abington Park", "Guildhall"],
            "Category": ["green_blue_space", "community_space"],
            "Latitude": [52.2436, 52.2369],
            "Longitude": [-0.8652, -0.8953],
            "Phone": [1604000000, None],
            "Assured date": [pd.Timestamp("2025-03-31"), None],
        }
    )
    frame.to_excel(path, index=False)
    assets = read_assets(path)
    assert assets.problems == []
    park = _by_name(assets)["Abington Park"]
    assert (park.lat, park.phone, park.assured_date) == (52.2436, "1604000000", date(2025, 3, 31))


# --- GeoJSON and GeoPackage -----------------------------------------------------------------

SQUARE = [[-0.90, 52.24], [-0.89, 52.24], [-0.89, 52.25], [-0.90, 52.25], [-0.90, 52.24]]


def _geojson(tmp_path: Path, features: list[Any], **extra: Any) -> Path:
    path = tmp_path / "assets.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}))
    return path


def test_geojson_polygons_give_a_point_inside_and_keep_the_shape(tmp_path: Path) -> None:
    feature = {
        "type": "Feature",
        "id": "park-1",
        "properties": {"name": "Square Park", "category": "green_space"},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    (record,) = read_assets(_geojson(tmp_path, [feature])).records
    assert record.category == "green_blue_space"
    assert record.source_id == "park-1"
    assert -0.90 < record.lon < -0.89 and 52.24 < record.lat < 52.25  # type: ignore[operator]
    assert record.geometry == {"type": "Polygon", "coordinates": [SQUARE]}


def test_geojson_in_british_national_grid_is_reprojected(tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    feature = {
        "type": "Feature",
        "properties": {"name": "Guildhall", "category": "community_space"},
        "geometry": {"type": "Point", "coordinates": [475480, 260470]},
    }
    (record,) = read_assets(_geojson(tmp_path, [feature], crs=crs)).records
    lon, lat = bng_to_wgs84([475480], [260470])
    assert (record.lon, record.lat) == pytest.approx((lon[0], lat[0]))


def test_geojson_bad_features_are_problems(tmp_path: Path) -> None:
    good = {"type": "Feature", "properties": {"name": "A", "category": "faith"}, "geometry": None}
    bad_geometry = {
        "type": "Feature",
        "properties": {"name": "B", "category": "faith"},
        "geometry": {"type": "Point", "coordinates": "here"},
    }
    assets = read_assets(_geojson(tmp_path, [good, "not a feature", bad_geometry]))
    assert [r.name for r in assets.records] == ["A"]
    assert [(p.row, p.field) for p in assets.problems] == [(2, None), (3, "geometry")]


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"type": "Topology"}', ""])
def test_geojson_that_is_not_geojson_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.geojson"
    path.write_text(text)
    with pytest.raises(ValidationError):
        read_assets(path)


def test_geopackage_in_british_national_grid(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point, box

    frame = gpd.GeoDataFrame(
        {"name": ["Guildhall", "Becket's Park"], "category": ["community_space", "green_space"]},
        geometry=[Point(475480, 260470), box(475600, 259800, 476000, 260100)],
        crs="EPSG:27700",
    )
    path = tmp_path / "assets.gpkg"
    frame.to_file(path, layer="assets", driver="GPKG")
    assets = read_assets(path)
    assert assets.problems == []
    records = _by_name(assets)
    lon, lat = bng_to_wgs84([475480], [260470])
    guildhall = records["Guildhall"]
    assert (guildhall.lon, guildhall.lat) == pytest.approx((lon[0], lat[0]))
    park = records["Becket's Park"]
    assert park.category == "green_blue_space"
    assert park.geometry is not None and park.geometry["type"] == "Polygon"
    ring = park.geometry["coordinates"][0]
    assert all(-0.9 < x < -0.87 and 52.22 < y < 52.24 for x, y in ring)
    frame.to_file(path, layer="other", driver="GPKG")
    with pytest.raises(ValidationError, match="layer"):
        read_assets(path)
    assert len(read_assets(path, layer="other").records) == 2


# --- OpenStreetMap --------------------------------------------------------------------------


def test_overpass_json() -> None:
    assets = read_assets(FIXTURES / "overpass_small.json")
    assert assets.problems == []
    assert assets.dropped == {"osm:unmapped": 2, "osm:unnamed": 1, "addr:postcode": 1}
    library, park = assets.records
    assert (library.source, library.source_id, library.category) == ("osm", "node/101", "library")
    assert library.taxonomy_terms == ["osm:amenity=library"]
    assert library.address == "1 Abington Street, Northampton"
    assert library.postcode == "NN1 2BA"
    assert library.organisation == "West Northamptonshire Council"
    assert library.step_free is True
    assert library.licence == "ODbL-1.0"
    assert [s["byday"] for s in library.schedule] == ["MO,TU,WE,TH,FR", "SA"]
    assert (park.source_id, park.lon, park.lat, park.cost) == ("way/202", -0.8652, 52.2436, "free")
    assert park.postcode is None and park.extra == {
        "addr:postcode": "NN3",
        # issue 21: a description written from the source's facts, marked as such
        "mobilise:derived": {"description": {"value": "Park, as mapped in OpenStreetMap."}},
    }


def test_osm_xml() -> None:
    assets = read_assets(FIXTURES / "small.osm")
    assert assets.problems == []
    assert assets.dropped == {"osm:unmapped": 1}
    records = _by_name(assets)
    centre = records["Good Community Centre"]
    assert (centre.source_id, centre.category) == ("node/10", "community_space")
    assert centre.target_groups == ["older_people", "young_people"]
    park = records["Square Park"]
    assert (park.source_id, park.category) == ("way/20", "green_blue_space")
    assert (park.lon, park.lat) == pytest.approx((-0.895, 52.245))
    assert park.geometry == {"type": "Polygon", "coordinates": [SQUARE]}
    canal = records["Grand Union Canal (Northampton Arm)"]
    assert (canal.lon, canal.lat, canal.geometry) == (pytest.approx(-0.895), 52.24, None)


def test_osm_xml_that_is_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "x.osm"
    path.write_text("<osm><node")
    with pytest.raises(ValidationError, match="not OSM XML"):
        read_assets(path)


def test_geojson_exported_from_overpass_turbo_is_read_as_osm(tmp_path: Path) -> None:
    features = [
        {
            "type": "Feature",
            "id": "node/101",
            "properties": {"@id": "node/101", "amenity": "library", "name": "Central Library"},
            "geometry": {"type": "Point", "coordinates": [-0.8937, 52.2383]},
        },
        {
            "type": "Feature",
            "id": "way/20",
            "properties": {"@id": "way/20", "leisure": "park", "name": "Square Park"},
            "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        },
        {
            "type": "Feature",
            "properties": {"amenity": "bench"},
            "geometry": {"type": "Point", "coordinates": [-0.89, 52.24]},
        },
    ]
    assets = read_assets(_geojson(tmp_path, features))
    assert assets.problems == []
    assert assets.dropped == {"osm:unmapped": 1}
    library, park = assets.records
    assert (library.source, library.source_id, library.category) == ("osm", "node/101", "library")
    assert (park.source_id, park.geometry) == (
        "way/20",
        {"type": "Polygon", "coordinates": [SQUARE]},
    )


def test_unknown_format_value(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "x.csv", [{"name": "A", "category": "faith"}])
    with pytest.raises(ValidationError) as caught:
        read_assets(path, format="shapefile")
    assert caught.value.problems[0].field == "format"


def test_overpass_query_asks_for_every_mapped_key_in_the_box() -> None:
    query = overpass_query((-1.0, 52.0, -0.5, 52.5))
    assert query.startswith("[out:json][timeout:180];")
    assert "(52.0,-1.0,52.5,-0.5)" in query
    assert query.rstrip().endswith("out tags center;")
    for spec in OSM_TAGS:
        key, value = spec.split("=")
        assert f'nwr["{key}"' in query
        assert value in query or f'nwr["{key}"]["name"]' in query


@pytest.mark.parametrize(
    "bbox", [(0.0, 0.0, 0.0, 0.0), (1.0, 52.0, -1.0, 53.0), (-1.0, 95.0, 0.0, 96.0), (1, 2, 3)]
)
def test_overpass_query_refuses_a_bad_box(bbox: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        overpass_query(bbox)
    assert caught.value.problems[0].field == "bbox"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mo-Fr 09:00-17:00", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
        ("Sa-Mo 10:00-12:00", [("MO,SA,SU", "10:00", "12:00")]),
        (
            "Mo,We 09:00-12:00,13:00-17:30; Su off",
            [("MO,WE", "09:00", "12:00"), ("MO,WE", "13:00", "17:30")],
        ),
        (
            "Mo-Fr 08:00-18:00, Sa 09:00-13:00",
            [("MO,TU,WE,TH,FR", "08:00", "18:00"), ("SA", "09:00", "13:00")],
        ),
        ("Monday 9am-5pm", [("MO", "09:00", "17:00")]),
        ("24/7", [("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")]),
        ("Mo-Fr 09:00-17:00; PH off", [("MO,TU,WE,TH,FR", "09:00", "17:00")]),
        ("", []),
    ],
)
def test_parse_opening_hours(text: str, expected: list[tuple[str, str, str]]) -> None:
    rows = parse_opening_hours(text)
    assert [(r["byday"], r["opens_at"], r["closes_at"]) for r in rows] == expected


def test_unreadable_opening_hours_are_kept_as_text() -> None:
    text = "Term time only, ring first"
    assert parse_opening_hours(text) == [
        {"byday": "", "opens_at": "", "closes_at": "", "description": text}
    ]


# --- download_overpass against a local server ----------------------------------------------

OVERPASS_ANSWER = json.loads((FIXTURES / "overpass_small.json").read_text())


class _Overpass(BaseHTTPRequestHandler):
    queries: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.queries.append(parse_qs(body)["data"][0])
        if self.path == "/slow":
            time.sleep(1.5)
        status, payload, kind = {
            "/api/interpreter": (200, json.dumps(OVERPASS_ANSWER), "application/json"),
            "/html": (200, "<html>Overpass is down</html>", "text/html"),
            "/busy": (429, "rate limited", "text/plain"),
            "/remark": (
                200,
                json.dumps({"elements": [], "remark": "runtime error: timeout"}),
                "application/json",
            ),
            "/slow": (200, "{}", "application/json"),
        }[self.path]
        data = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def overpass_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Overpass)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


BOX = (-0.95, 52.2, -0.85, 52.3)


def test_download_overpass(overpass_server: str) -> None:
    data = download_overpass(BOX, url=f"{overpass_server}/api/interpreter")
    assert data == OVERPASS_ANSWER
    assert _Overpass.queries[-1] == overpass_query(BOX)
    assets = assets_from_overpass(data)
    assert [r.source_id for r in assets.records] == ["node/101", "way/202"]


def test_download_overpass_with_a_given_client(overpass_server: str) -> None:
    with httpx.Client() as client:
        data = download_overpass(BOX, url=f"{overpass_server}/api/interpreter", client=client)
        assert not client.is_closed
    assert len(data["elements"]) == 5


@pytest.mark.parametrize(
    ("path", "error", "words"),
    [
        ("/html", ValidationError, "not answer with JSON"),
        ("/busy", ConfigurationError, "HTTP 429"),
        ("/remark", ValidationError, "runtime error"),
    ],
)
def test_download_overpass_bad_answers(
    overpass_server: str, path: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        download_overpass(BOX, url=f"{overpass_server}{path}")


def test_download_overpass_timeout(overpass_server: str) -> None:
    with pytest.raises(ConfigurationError, match="did not answer within"):
        download_overpass(BOX, url=f"{overpass_server}/slow", timeout=0.5)


def test_download_overpass_unreachable() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConfigurationError, match="Cannot reach"):
        download_overpass(BOX, url=f"http://127.0.0.1:{port}/api/interpreter")


# --- fuzzing --------------------------------------------------------------------------------

COLUMNS = ["name", "category", "lat", "lon", "postcode", "status", "cost", "easting", "northing",
           "age_min", "capacity", "assured_date", "type", "id", "opening_hours", "notes"]  # fmt: skip
CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "52.24", "-0.89", "NN1 1DE", "faith", "nan", "inf", "1e309", "475000"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    columns=st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=8, unique=True),
    rows=st.lists(st.lists(CELLS, min_size=8, max_size=8), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_fuzz_csv_reader(columns: list[str], rows: list[list[str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    writer.writerows(r[: len(columns)] for r in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        _read_or_refuse(path)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200))
def test_fuzz_csv_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(data)
        _read_or_refuse(path)


JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
PROPERTY_NAMES = [*COLUMNS, "@id", "amenity", "leisure", "addr:postcode", "opening_hours"]
PROPERTIES = st.dictionaries(st.sampled_from(PROPERTY_NAMES), JSON | CELLS, max_size=6)
GEOMETRY = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "Polygon", "LineString", "Nonsense"]),
            "coordinates": JSON,
        }
    ),
    st.builds(
        lambda x, y: {"type": "Point", "coordinates": [x, y]},
        st.floats(-2, 2) | st.none(),
        st.floats(50, 55),
    ),
)
BNG_CRS = {"type": "name", "properties": {"name": "EPSG:27700"}}
FEATURE = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "properties": PROPERTIES | JSON, "geometry": GEOMETRY}
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    document=st.one_of(
        JSON,
        st.fixed_dictionaries(
            {"type": st.just("FeatureCollection"), "features": st.lists(FEATURE, max_size=5)},
            optional={"crs": st.just(BNG_CRS) | JSON},
        ),
        st.fixed_dictionaries({"elements": st.lists(JSON | st.fixed_dictionaries(
            {"type": st.sampled_from(["node", "way", "relation"]), "id": JSON,
             "tags": st.dictionaries(st.sampled_from(["name", "amenity", "leisure", "addr:postcode",
                                                      "opening_hours", "wheelchair", "fee"]),
                                     st.text(max_size=10) | st.sampled_from(["library", "park"])),
             "lat": JSON, "lon": JSON, "center": JSON, "nodes": JSON, "members": JSON}), max_size=5)}),
    )
)  # fmt: skip
def test_fuzz_geojson_and_overpass_reader(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.geojson"
        path.write_text(json.dumps(document), encoding="utf-8")
        _read_or_refuse(path)


def _read_or_refuse(path: Path) -> None:
    try:
        assets = read_assets(path)
    except ValidationError:
        return
    assert isinstance(assets, AssetFile)
    for record in assets.records:
        assert record.name and record.category in CATEGORIES and record.source_id
        assert record.lon is None or -9.0 <= record.lon <= 2.5
    assert all(p.file == path.name or p.file is None for p in assets.problems)

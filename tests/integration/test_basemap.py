"""The maps' offline layer (issue 17, item 2): neighbourhood outlines with names for a view, on
SQLite and PostgreSQL, and the shipped street file with its extent and credits."""

from __future__ import annotations

import gzip
import json

import pytest

from mobilise.errors import NotFound, ValidationError
from mobilise.workspace import basemap

from ..conftest import FIXTURES

TESTTOWN = (-0.105, 51.495, -0.085, 51.515)  # the fixture's first two LSOAs


@pytest.fixture
def areas(workspace):
    workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    workspace.areas.import_lookup(FIXTURES / "workspace" / "msoa_lookup.csv", kind="msoa11")
    return workspace


def test_outlines_of_a_view_carry_names_locality_and_authority(areas):
    everything = json.loads(areas.basemap.outlines((-180, -90, 180, 90)).geojson)
    found = areas.basemap.outlines(",".join(str(x) for x in TESTTOWN))
    collection = json.loads(found.geojson)
    assert found.area_type == "lsoa11"
    codes = [f["id"] for f in collection["features"]]
    assert codes == sorted(codes) and len(codes) < len(everything["features"])
    first = collection["features"][0]["properties"]
    assert first["code"] == "E01000001" and first["name"] == "Testtown 001A"
    assert first["locality"] == "Testtown 001"  # no House of Commons Library name: the MSOA's
    assert first["authority"] == "Testtown"
    west, south, east, north = TESTTOWN
    assert west <= first["label"][0] <= east and south <= first["label"][1] <= north
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_the_house_of_commons_library_names_localities():
    names = basemap._locality_names()
    assert names["Camden 011"] == "Belsize Park"
    assert len(names) > 7000


def test_a_view_with_too_many_areas_asks_to_zoom_in(areas, monkeypatch):
    monkeypatch.setattr(basemap, "MAX_OUTLINES", 1)
    with pytest.raises(ValidationError, match="limit of 1 outlines: zoom in"):
        areas.basemap.outlines(TESTTOWN)


@pytest.mark.parametrize(
    ("bbox", "words"),
    [
        ("1,2,3", "four numbers"),
        ("a,51,0,52", "must be a number"),
        ("-200,51,0,52", "-180..180"),
        ("0,52,1,51", "west must not be east"),
        ("nan,51,0,52", "-180..180"),
    ],
)
def test_a_bounding_box_that_cannot_be_used_is_named(bbox, words):
    with pytest.raises(ValidationError, match=words) as caught:
        basemap.parse_bbox(bbox)
    assert caught.value.problems[0].field == "bbox"


def test_the_shipped_camden_streets(sqlite_workspace):
    (layer,) = sqlite_workspace.basemap.street_layers()
    assert layer.id == "camden_streets_2021-07"
    assert layer.attribution == "© OpenStreetMap contributors, ODbL" and layer.licence == "ODbL-1.0"
    west, south, east, north = layer.bbox
    assert -0.22 < west < east < -0.10 and 51.51 < south < north < 51.59  # Camden
    stored = sqlite_workspace.basemap.street_bytes(layer.id)
    assert len(stored) < 1_500_000  # small enough to ship and to send to a phone
    collection = json.loads(gzip.decompress(stored))
    names = {f["properties"].get("name") for f in collection["features"]}
    assert {"Camden High Street", "Euston Road", "Kentish Town Road"} <= names
    assert {f["properties"]["kind"] for f in collection["features"]} == {"main", "street"}
    assert sqlite_workspace.basemap.street_bytes(layer.id, gzipped=False) == gzip.decompress(stored)
    with pytest.raises(NotFound):
        sqlite_workspace.basemap.street_layer("../demo")

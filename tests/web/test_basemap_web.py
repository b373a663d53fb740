"""The offline layer's routes (issue 17, item 2): public JSON and GeoJSON with the content type
and cache headers a browser needs to draw the maps without the network."""

from __future__ import annotations

import dataclasses
import gzip
import json

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .conftest import LOCAL

STREETS = "/api/v1/basemap/streets/camden_streets_2021-07.geojson"
SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


@pytest.fixture
def anonymous(sqlite_workspace) -> TestClient:
    """A shared deployment, seen by someone not signed in (a resident on a phone)."""
    from ..conftest import FIXTURES

    sqlite_workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    app = create_app(SHARED, workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, base_url="https://mobilise.example.org")


def test_the_index_names_the_tiles_and_the_offline_layer(anonymous):
    response = anonymous.get("/api/v1/basemap")
    assert response.status_code == 200
    body = response.json()
    assert body["tiles"]["url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert "OpenStreetMap" in body["tiles"]["attribution"]
    (streets,) = body["streets"]
    assert (
        streets["url"] == STREETS and streets["attribution"] == "© OpenStreetMap contributors, ODbL"
    )
    assert body["outlines"] == "/api/v1/basemap/areas.geojson"


def test_tiles_set_to_none(sqlite_workspace):
    app = create_app(dataclasses.replace(SHARED, tile_url="none"), workspace=sqlite_workspace)
    client = TestClient(app, base_url="https://mobilise.example.org")
    response = client.get("/api/v1/basemap")
    assert response.json()["tiles"] == {"url": None, "attribution": None}
    assert "img-src 'self' data:;" in response.headers["content-security-policy"]


def test_streets_are_sent_gzipped_cached_and_revalidated(anonymous):
    response = anonymous.get(STREETS)  # httpx asks for gzip and unzips
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert "Accept-Encoding" in response.headers["vary"]
    collection = response.json()
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) > 1000
    assert collection["attribution"] == "© OpenStreetMap contributors, ODbL"
    again = anonymous.get(STREETS, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    plain = anonymous.get(STREETS, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and json.loads(plain.content) == collection
    assert len(gzip.compress(plain.content)) < 1_500_000


def test_outlines_of_a_view(anonymous):
    response = anonymous.get("/api/v1/basemap/areas.geojson", params={"bbox": "-1,51,1,52"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["cache-control"] == "public, max-age=600"
    features = response.json()["features"]
    assert [f["properties"]["name"] for f in features][:2] == ["Testtown 001A", "Testtown 001B"]
    empty = anonymous.get("/api/v1/basemap/areas.geojson", params={"bbox": "10,10,11,11"})
    assert empty.json() == {"type": "FeatureCollection", "features": []}


@pytest.mark.parametrize("bbox", ["", "1,2,3", "x,1,2,3", "0,1,-1,2", "inf,1,2,3"])
def test_a_bad_view_is_a_422_naming_the_bbox(anonymous, bbox):
    response = anonymous.get("/api/v1/basemap/areas.geojson", params={"bbox": bbox})
    assert response.status_code == 422
    error = response.json()["error"]
    assert "bbox" in json.dumps(error["problems"]) or "bounding box" in error["message"]


def test_an_unknown_street_file_is_a_404(anonymous):
    response = anonymous.get("/api/v1/basemap/streets/elsewhere.geojson")
    assert response.status_code == 404
    assert "elsewhere" in response.json()["error"]["message"]


def test_local_mode_serves_the_same(demo_workspace):
    client = TestClient(create_app(Settings(), workspace=demo_workspace), **LOCAL)
    response = client.get(
        "/api/v1/basemap/areas.geojson", params={"bbox": "-0.17,51.54,-0.16,51.55"}
    )
    names = {f["properties"]["locality"] for f in response.json()["features"]}
    assert "Belsize Park" in names  # Camden 011, named by the House of Commons Library

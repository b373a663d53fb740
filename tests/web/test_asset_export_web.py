"""``GET /api/v1/assets/export.{fmt}``: downloads of the public asset register."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from mobilise.formats.ons import read_boundaries
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes.asset_export import router

from ..conftest import FIXTURES
from .conftest import LOCAL

HERE = FIXTURES / "workspace"


def _named_today(name: str, response_made_at: tuple[str, str]) -> bool:
    """Whether ``name`` carries the day the response was made on (a run may cross midnight:
    the day before and after the request are both that day)."""
    return any(day in name for day in response_made_at)


def _get(client, url: str) -> tuple[object, tuple[str, str]]:
    before = datetime.now(UTC).date().isoformat()
    response = client.get(url)
    return response, (before, datetime.now(UTC).date().isoformat())


@pytest.fixture
def export_client(sqlite_workspace) -> TestClient:
    """Local mode on three areas, the place testtown and the four small assets, the park private."""
    ws = sqlite_workspace
    ws.areas.import_boundaries(read_boundaries(HERE / "three_lsoas.geojson"))
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    ws.assets.import_file(HERE / "assets_small.geojson")
    park = ws.assets.search(text="park").items[0]
    ws.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    before = len(app.router.routes)
    app.include_router(router)
    # /api/v1/assets/{asset_id} would take "export.csv" for an id: the export routes go first.
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def test_csv_download_has_the_public_assets(export_client):
    response, days = _get(export_client, "/api/v1/assets/export.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert _named_today(disposition, tuple(f"community-assets-{day}.csv" for day in days))
    frame = pd.read_csv(io.StringIO(response.text), dtype=str, keep_default_na=False)
    # Riverside Park is private; the hall has no location here (no postcode lookup): still listed.
    assert list(frame["name"]) == ["Otherby Choir", "Postcode-only Hall", "Testtown Library"]


def test_filters_are_those_of_the_list(export_client):
    response = export_client.get(
        "/api/v1/assets/export.geojson", params={"where": "Testtown", "category": "library"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/geo+json"
    assert "community-assets-testtown-" in response.headers["content-disposition"]
    features = response.json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Testtown Library"]
    assert features[0]["geometry"]["coordinates"] == [-0.095, 51.505]
    # page and per_page of the list do not cut the download short.
    everything = export_client.get("/api/v1/assets/export.geojson", params={"per_page": 1})
    assert len(everything.json()["features"]) == 3


def test_geopackage_download(export_client, tmp_path):
    response = export_client.get("/api/v1/assets/export.gpkg")
    assert response.status_code == 200, response.text
    path = tmp_path / "download.gpkg"
    path.write_bytes(response.content)
    layer = gpd.read_file(path, layer="assets")
    assert layer.crs.to_epsg() == 4326
    assert "Riverside Park" not in set(layer["name"])
    assert len(layer) == 3


def test_hsds_zip_links_to_this_feed(export_client):
    response, days = _get(export_client, "/api/v1/assets/export.zip")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    names = tuple(f"community-assets-hsds-{day}.zip" for day in days)
    assert _named_today(response.headers["content-disposition"], names)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        package = json.loads(archive.read("datapackage.json"))
        terms = list(csv.DictReader(io.StringIO(archive.read("taxonomy_terms.csv").decode())))
        services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
    assert {r["path"] for r in package["resources"]} <= set(archive.namelist())
    assert len(services) == 3
    assert terms and all(
        t["term_uri"] == f"http://127.0.0.1:8765/oruk/taxonomy_terms/{t['id']}" for t in terms
    )


def test_errors_have_the_api_shape(export_client):
    unknown = export_client.get("/api/v1/assets/export.shp")
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"]
    nowhere = export_client.get("/api/v1/assets/export.csv", params={"where": "Atlantis"})
    assert nowhere.status_code == 404
    assert "Atlantis" in nowhere.json()["error"]["message"]


def test_temporary_files_are_removed(export_client, tmp_path, monkeypatch):
    made = []

    def mkdtemp(
        suffix: str | None = None, prefix: str | None = None, dir: str | None = None
    ) -> str:
        folder = tmp_path / f"{prefix or ''}{len(made)}"
        folder.mkdir()
        made.append(folder)
        return str(folder)

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    for fmt in ("csv", "zip"):
        assert export_client.get(f"/api/v1/assets/export.{fmt}").status_code == 200
    assert len(made) == 2 and not any(folder.exists() for folder in made)

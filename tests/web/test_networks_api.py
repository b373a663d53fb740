"""Street networks on the web: the API (list, upload as a job, delete), the page, access runs
that travel on streets, and the 4xx answers to bad input (issue 19, part N3)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.integration.test_street_networks import write_extract
from tests.web._helpers import error_shape

from ._jobs import finished_run, outcome
from .conftest import LOCAL


@pytest.fixture
def gridton_client(sqlite_workspace) -> TestClient:
    from tests.integration.test_access_runs import build_gridton

    build_gridton(sqlite_workspace)
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def upload(client, path, profiles=("walk",)):
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/places/gridton/networks",
            files={"file": (path.name, handle, "application/octet-stream")},
            data={"profiles": list(profiles)},
        )


def test_upload_list_page_and_a_walking_run(gridton_client, tmp_path):
    client = gridton_client
    assert client.get("/api/v1/places/gridton/networks").json() == []
    page = client.get("/places/gridton/networks")
    assert page.status_code == 200 and "has no street network yet" in page.text

    done = outcome(client, upload(client, write_extract(tmp_path / "gridton.osm.pbf")))
    assert done.status_code == 201, done.text
    listed = client.get("/api/v1/places/gridton/networks").json()
    assert [n["profile"] for n in listed] == ["walk"]
    assert listed[0]["source"]["licence"] == "ODbL 1.0"
    assert listed[0]["coverage"]["covered"] == 6

    page = client.get("/places/gridton/networks")
    assert "gridton.osm.pbf" in page.text and "© OpenStreetMap contributors" in page.text
    assert "6 of 6" in page.text

    started = client.post(
        "/api/v1/places/gridton/access/runs",
        json={"categories": ["green_space"], "method": "count", "travel": "walk"},
    )
    assert started.status_code == 202, started.text
    assert started.json()["parameters"]["catchments_m"] == [10.0, 20.0]  # minutes by default
    run = finished_run(client, started.json()["id"])
    assert run["status"] == "done", run
    assert run["parameters"]["travel"] == "walk"
    assert run["parameters"]["catchment_unit"] == "min"
    scenario = run["summary"]["scenarios"][-1]
    assert {a["area_code"]: a["beyond"] for a in scenario["comparison"]["areas"]}["E01000104"]

    geojson = client.get(
        f"/api/v1/access/runs/{run['id']}/areas.geojson",
        params={"category": "green_blue_space", "catchment_m": 20},
    ).json()
    a4 = next(f for f in geojson["features"] if f["properties"]["code"] == "E01000104")
    assert a4["properties"]["beyond"] is True

    access = client.get("/places/gridton/access", params={"run": run["id"], "catchment_m": 20})
    assert access.status_code == 200
    assert "On streets against a straight line" in access.text
    assert "20 min walk" in access.text and "Network detour" in access.text

    removed = client.delete("/api/v1/places/gridton/networks", params={"profile": "walk"})
    assert removed.json() == {"place": "gridton", "removed": 1}


def test_bad_input_is_a_4xx(gridton_client, tmp_path):
    client = gridton_client
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"this is not OpenStreetMap data")
    failed = outcome(client, upload(client, broken))
    assert "broken.osm.pbf" in error_shape(failed, 422, "invalid_input")["message"]
    assert client.get("/api/v1/places/gridton/networks").json() == []

    error_shape(
        upload(client, write_extract(tmp_path / "x.osm.pbf"), ["bus"]), 422, "invalid_input"
    )
    error_shape(client.get("/api/v1/places/nowhere/networks"), 404, "not_found")
    error_shape(
        client.delete("/api/v1/places/gridton/networks", params={"profile": "bus"}),
        422,
        "invalid_input",
    )
    no_network = client.post(
        "/api/v1/places/gridton/access/runs",
        json={"categories": ["library"], "travel": "cycle"},
    )
    assert (
        "mobilise networks import gridton"
        in error_shape(no_network, 422, "invalid_input")["message"]
    )
    minutes = client.post(
        "/api/v1/places/gridton/access/runs",
        json={"categories": ["library"], "travel": "walk", "catchments_m": [800]},
    )
    assert "minutes" in str(error_shape(minutes, 422, "invalid_input")["problems"])
    unknown = client.post(
        "/api/v1/places/gridton/access/runs", json={"categories": ["library"], "travel": "bus"}
    )
    error_shape(unknown, 422, "invalid_input")


def test_the_access_form_offers_travel_and_says_when_a_place_has_no_network(gridton_client):
    page = gridton_client.get("/places/gridton/access")
    assert 'name="travel"' in page.text and "(no network yet)" in page.text
    refused = gridton_client.post(
        "/places/gridton/access/runs",
        data={"categories": ["library"], "method": "count", "catchments": "10", "travel": "walk"},
    )
    assert refused.status_code == 422 and "mobilise networks import gridton" in refused.text

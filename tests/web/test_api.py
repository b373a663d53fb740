"""The JSON API on the demo workspace."""

from __future__ import annotations

import json

import pytest

from tests.web._helpers import error_shape

LONDON = "inner-north-east-london"


def test_places_with_key_figures(client):
    places = {p["slug"]: p for p in client.get("/api/v1/places").json()}
    assert set(places) == {"northamptonshire", LONDON, "camden"}  # Camden: its street network
    assert places["northamptonshire"]["n_areas"] == 422
    assert places[LONDON]["n_areas"] == 708
    assert places[LONDON]["population"] > 1_000_000
    assert 0 < places[LONDON]["core20_share"] < 1


def test_place_geojson_has_one_feature_per_lsoa_with_values(client):
    response = client.get(
        f"/api/v1/places/{LONDON}/areas.geojson", params={"indicator": "imd2019_decile"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    features = collection["features"]
    assert len(features) == 708
    assert len({f["id"] for f in features}) == 708
    first = features[0]["properties"]
    assert set(first) == {"code", "name", "lad", "value", "national_decile"}
    # For the IMD decile the national decile is the decile itself.
    assert all(f["properties"]["value"] == f["properties"]["national_decile"] for f in features)
    assert {f["properties"]["lad"] for f in features} == {
        "Camden",
        "Hackney",
        "Islington",
        "Newham",
        "Tower Hamlets",
    }
    assert len(response.content) < 2_000_000


def test_area_profile(client):
    area = client.get("/api/v1/areas/E01027240").json()
    assert area["name"] == "Northampton 018D"
    assert area["geometry"]["type"] in ("Polygon", "MultiPolygon")
    by_id = {v["indicator_id"]: v for v in area["indicators"]}
    # File 1 gives Northampton 018D IMD rank 8,056 ("8,056" in the CSV): decile 3.
    assert by_id["imd2019_rank"]["value"] == 8056
    assert by_id["imd2019_rank"]["national_decile"] == 3
    assert by_id["imd2019_decile"]["value"] == 3
    assert 1 <= by_id["ypll2019"]["national_decile"] <= 10
    assert {p["slug"] for p in area["places"]} == {"northamptonshire"}


def test_geocode(client):
    found = client.get("/api/v1/geocode", params={"postcode": "nn1 1de"}).json()
    assert found["postcode"] == "NN1 1DE"
    assert found["lsoa11_code"].startswith("E01")
    assert found["places"] == ["northamptonshire"]


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/places/atlantis", 404, "not_found"),
        ("/api/v1/areas/E01999999", 404, "not_found"),
        ("/api/v1/no-such-thing", 404, "not_found"),
        ("/api/v1/places/northamptonshire/areas.geojson?indicator=nope", 404, "not_found"),
        ("/api/v1/geocode?postcode=hello", 422, "invalid_input"),
        ("/api/v1/geocode", 422, "invalid_input"),
    ],
)
def test_errors_have_one_shape(client, url, status, code):
    error_shape(client.get(url), status, code)


def test_create_and_update_place_with_optimistic_concurrency(writable_client):
    client = writable_client
    created = client.post(
        "/api/v1/places",
        json={"slug": "testtown", "name": "Testtown", "authorities": ["E09000001"]},
    )
    assert created.status_code == 201, created.text
    place = created.json()
    assert place["n_areas"] == 2
    ok = client.patch(
        "/api/v1/places/testtown", json={"version": place["version"], "name": "Testtown borough"}
    )
    assert ok.status_code == 200 and ok.json()["version"] == place["version"] + 1
    stale = client.patch(
        "/api/v1/places/testtown", json={"version": place["version"], "name": "Late"}
    )
    assert "Testtown borough" not in error_shape(stale, 409, "conflict")["message"]
    assert client.get("/api/v1/places/testtown").json()["name"] == "Testtown borough"
    duplicate = client.post("/api/v1/places", json={"slug": "testtown", "name": "Again"})
    error_shape(duplicate, 409, "conflict")
    bad = client.post("/api/v1/places", json={"slug": "Not OK", "name": ""})
    problems = error_shape(bad, 422, "invalid_input")["problems"]
    assert {p["field"] for p in problems} == {"slug", "name"}
    empty = client.patch("/api/v1/places/testtown", json={"version": 2})
    error_shape(empty, 422, "invalid_input")
    blank = client.patch("/api/v1/places/testtown", json={"version": 2, "name": "   "})
    assert error_shape(blank, 422, "invalid_input")["problems"][0]["field"] == "name"


def test_timestamps_are_utc(client):
    place = client.get("/api/v1/places/northamptonshire").json()
    assert place["created_at"].endswith("+00:00")


def test_local_mode_answers_only_this_machine(demo_workspace):
    from fastapi.testclient import TestClient

    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    app = create_app(Settings(host="127.0.0.1"), workspace=demo_workspace)
    elsewhere = TestClient(app, base_url="http://127.0.0.1", client=("203.0.113.9", 40000))
    error_shape(elsewhere.get("/api/v1/places"), 403, "permission_denied")
    rebinding = TestClient(app, base_url="http://attacker.example", client=("127.0.0.1", 40000))
    error_shape(rebinding.get("/api/v1/places"), 403, "permission_denied")
    assert rebinding.get("/").status_code == 403


def test_openapi_documents_the_api(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/places/{slug}/areas.geojson" in spec["paths"]
    assert "ErrorResponse" in json.dumps(spec)
    assert client.get("/api/docs").status_code == 200

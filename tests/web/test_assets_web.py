"""The directory, asset pages and the assets API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app


def test_directory_by_postcode_lists_nearest_first(client):
    page = client.get("/assets", params={"where": "E8 1DY", "radius": 500})
    assert page.status_code == 200
    assert "within 500 m of E8 1DY" in page.text
    data = client.get("/api/v1/assets", params={"where": "E8 1DY", "radius": 500}).json()
    distances = [a["distance_m"] for a in data["items"]]
    assert distances == sorted(distances) and distances[-1] <= 500
    assert data["total"] > 10


def test_directory_by_place_and_category(client):
    data = client.get(
        "/api/v1/assets",
        params={"where": "Northamptonshire", "category": "library", "per_page": 100},
    ).json()
    assert data["where"] == "Northamptonshire"
    assert 30 <= data["total"] <= 40
    assert {a["category"] for a in data["items"]} == {"library"}


def test_unknown_where_is_explained(client):
    page = client.get("/assets", params={"where": "Atlantis"})
    assert page.status_code == 404
    assert "neither a postcode" in page.text


def test_map_points_match_the_search(client):
    collection = client.get(
        "/api/v1/assets.geojson", params={"where": "E8 1DY", "radius": 500}
    ).json()
    listed = client.get("/api/v1/assets", params={"where": "E8 1DY", "radius": 500}).json()
    assert len(collection["features"]) == listed["total"]
    assert collection["centre"]["radius_m"] == 500


def test_asset_page(client):
    asset = client.get("/api/v1/assets", params={"q": "Hackney Museum"}).json()["items"][0]
    page = client.get(f"/assets/{asset['id']}")
    assert page.status_code == 200
    assert "Hackney Museum" in page.text and "Edit this asset" in page.text


def test_directory_is_public_but_editing_is_not(sqlite_workspace):
    app = create_app(
        Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789"),
        workspace=sqlite_workspace,
    )
    visitor = TestClient(app, base_url="https://testserver")
    assert visitor.get("/assets").status_code == 200
    assert visitor.patch("/api/v1/assets/x", json={"version": 1, "changes": {}}).status_code == 401


def test_stale_edit_in_the_form_is_refused_with_who_and_when(writable_client):
    from ..conftest import FIXTURES

    ws = writable_client.app.state.workspace
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    park = ws.assets.search(text="park").items[0]
    ws.as_actor("alice").assets.update(park.id, version=park.version, changes={"name": "Park A"})
    form = {"version": park.version, "name": "Park B", "description": "", "status": "active"}
    response = writable_client.post(f"/assets/{park.id}/edit", data=form, follow_redirects=False)
    assert response.status_code == 409
    assert "alice" in response.text and "Park B" in response.text
    assert ws.assets.get(park.id).name == "Park A"
    fresh = {**form, "version": park.version + 1}
    saved = writable_client.post(f"/assets/{park.id}/edit", data=fresh, follow_redirects=False)
    assert saved.status_code == 303
    assert ws.assets.get(park.id).name == "Park B"


def test_empty_form_fields_mean_not_given(client):
    page = client.get(
        "/assets",
        params={
            "where": "E8 1DY",
            "radius": 500,
            "category": "",
            "q": "",
            "age": "",
            "open_at": "",
        },
    )
    assert page.status_code == 200
    assert "within 500 m of E8 1DY" in page.text


def test_quality_page_shows_the_gap_between_places(client):
    page = client.get("/assets/quality")
    assert page.status_code == 200
    assert "Inner North and East London" in page.text and "Northamptonshire" in page.text
    assert "The gap is real data" in page.text
    assert "Possible duplicate groups" in page.text
    report = client.get("/api/v1/assets/quality").json()
    places = {g["name"]: g for g in report["places"]}
    london, northants = places["Inner North and East London"], places["Northamptonshire"]
    assert london["total"] > 3000 and northants["total"] < 100
    assert london["per_10k_residents"] > 10 * northants["per_10k_residents"]
    assert set(london["completeness"]) >= {"description", "postcode", "opening times"}
    one = client.get("/assets/quality", params={"place": "northamptonshire"})
    assert one.status_code == 200 and "Inner North and East London</th>" not in one.text


def test_public_api_hides_editors_and_source_notes(sqlite_workspace):
    from mobilise.formats.ons import read_boundaries

    from ..conftest import FIXTURES

    ws = sqlite_workspace
    ws.areas.import_boundaries(read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson"))
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    app = create_app(
        Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789"), workspace=ws
    )
    visitor = TestClient(app, base_url="https://testserver")
    items = visitor.get("/api/v1/assets").json()["items"]
    assert items and not {"extra", "updated_by", "provenance"} & set(items[0])
    one = visitor.get(f"/api/v1/assets/{items[0]['id']}").json()
    assert "updated_by" not in one


def test_changes_from_other_sites_are_refused(writable_client):
    forged = writable_client.post(
        "/api/v1/places",
        json={"slug": "x-place", "name": "X"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    own = writable_client.post(
        "/api/v1/places",
        json={"slug": "x-place", "name": "X"},
        headers={"Origin": "http://127.0.0.1:8765", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 201


def test_pager_keeps_the_page_size(client):
    page = client.get("/assets", params={"where": "E8 1DY", "radius": 1000, "per_page": 10})
    assert "per_page=10&amp;page=2" in page.text

"""Reviewing duplicate assets on the web: the page, the form buttons and the JSON API."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes import asset_review

from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


def reviewing(app: FastAPI) -> FastAPI:
    """The app with the review routes ahead of ``/assets/{asset_id}`` (a no-op once wired)."""
    if not any(getattr(r, "path", "") == "/assets/duplicates" for r in app.routes):
        app.router.routes[0:0] = [*asset_review.pages.routes, *asset_review.api.routes]
    return app


@pytest.fixture(scope="module")
def demo_client(demo_workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=demo_workspace)
    return TestClient(reviewing(app), raise_server_exceptions=False, **LOCAL)


@pytest.fixture
def review_client(sqlite_workspace, tmp_path) -> TestClient:
    """An empty workspace of its own with one library listed by two sources, and one park."""
    pd.DataFrame(
        [
            ("Testtown Library", "library", -0.095, 51.505, "TT1 1AA", "alpha", "lib", ""),
            ("Testtown Library", "library", -0.09471, 51.505, "TT1 1AA", "beta", "b-lib", "0123"),
            ("Riverside Park", "green_space", -0.085, 51.505, "", "alpha", "park", ""),
            ("Riverside Park", "green_space", -0.08505, 51.505, "", "beta", "b-park", ""),
        ],
        columns=["name", "category", "lon", "lat", "postcode", "source", "source_id", "phone"],
    ).to_csv(tmp_path / "assets.csv", index=False)
    sqlite_workspace.assets.import_file(tmp_path / "assets.csv")
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(reviewing(app), raise_server_exceptions=False, **LOCAL)


def pair_named(client: TestClient, name: str) -> dict:
    items = client.get("/api/v1/assets/duplicates").json()["items"]
    return next(p for p in items if p["asset_a"]["name"] == name)


def test_demo_page_lists_real_duplicates(demo_client):
    data = demo_client.get(
        "/api/v1/assets/duplicates", params={"place": "inner-north-east-london"}
    ).json()
    assert data["total"] > 300
    assert all(p["asset_a"]["id"] < p["asset_b"]["id"] for p in data["items"])
    names = [p["asset_a"]["name"] for p in data["items"]]
    # The GLA map lists the Hackney Empire once per cultural use, at the same point.
    empire = names.index("Hackney Empire")
    assert data["items"][empire]["reason"] == "same name, 0 m apart, both from one source"
    # Hackney Central Library is in OpenStreetMap and the libraries list (the GLA map puts it
    # 110 m away, beyond the 100 m asked for).
    library_sources = {
        p[side]["source"]
        for p in data["items"]
        if p["asset_a"]["name"] == "Hackney Central Library"
        for side in ("asset_a", "asset_b")
    }
    assert library_sources == {"osm", "public_libraries_2023_target_areas.geojson"}
    page = demo_client.get(
        "/assets/duplicates",
        params={"place": "inner-north-east-london", "page": empire // asset_review.PER_PAGE + 1},
    )
    assert page.status_code == 200
    assert "Hackney Empire" in page.text and "Possible duplicate assets" in page.text
    assert "Keep this one, merge the other into it" in page.text
    assert "Different places: keep apart" in page.text


def test_the_review_page_wins_over_the_asset_page(demo_client):
    # /assets/duplicates must not be taken for the asset with id "duplicates".
    assert demo_client.get("/assets/duplicates").status_code == 200
    assert demo_client.get("/api/v1/assets/duplicates").status_code == 200


def test_merge_through_the_page(review_client):
    pair = pair_named(review_client, "Testtown Library")
    keep, gone = pair["asset_a"], pair["asset_b"]
    page = review_client.get("/assets/duplicates")
    assert page.text.count('class="pair"') == 2
    response = review_client.post(
        "/assets/duplicates/merge",
        data={
            "keep": keep["id"],
            "merge": gone["id"],
            "keep_version": keep["version"],
            "merge_version": gone["version"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/assets/duplicates?page=1&done=merged"
    after = review_client.get(response.headers["location"])
    assert "Merged." in after.text and after.text.count('class="pair"') == 1
    kept = review_client.get(f"/api/v1/assets/{keep['id']}").json()
    assert {p["source"] for p in kept["provenance"]} == {"alpha", "beta"}
    listed = review_client.get("/api/v1/assets", params={"q": "library"}).json()
    assert [a["id"] for a in listed["items"]] == [keep["id"]]
    # ORUK's own filter name (an unknown one, such as "text", is a 400 since issue 21; before,
    # it was ignored and the whole list came back)
    feed = review_client.get("/oruk/services", params={"search": "library"}).json()
    assert [s["id"] for s in feed["contents"]] == [keep["id"]]
    # The same buttons again, on a page left open: explained, not a crash.
    again = review_client.post(
        "/assets/duplicates/merge",
        data={"keep": keep["id"], "merge": gone["id"], "merge_version": gone["version"]},
    )
    assert again.status_code == 409 and "already merged" in again.text


def test_keep_apart_through_the_page(review_client):
    pair = pair_named(review_client, "Riverside Park")
    response = review_client.post(
        "/assets/duplicates/keep-apart",
        data={"asset_a": pair["asset_a"]["id"], "asset_b": pair["asset_b"]["id"], "note": "two"},
    )
    assert response.status_code == 200  # followed the redirect
    assert "will not be suggested again" in response.text
    assert "Riverside Park" not in response.text
    decided = review_client.get(
        "/api/v1/assets/duplicates", params={"include_decided": True}
    ).json()
    assert {p["asset_a"]["name"]: p["decision"] for p in decided["items"]} == {
        "Riverside Park": "keep_apart",
        "Testtown Library": None,
    }


def test_stale_version_is_a_conflict(review_client):
    pair = pair_named(review_client, "Riverside Park")
    keep, gone = pair["asset_a"], pair["asset_b"]
    review_client.patch(
        f"/api/v1/assets/{gone['id']}", json={"version": gone["version"], "changes": {"url": ""}}
    )
    stale = review_client.post(
        "/api/v1/assets/duplicates/merge",
        json={"keep_id": keep["id"], "merge_id": gone["id"], "merge_version": gone["version"]},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    merged = review_client.post(
        "/api/v1/assets/duplicates/merge",
        json={"keep_id": keep["id"], "merge_id": gone["id"], "note": "one park"},
    )
    assert merged.status_code == 200 and merged.json()["id"] == keep["id"]
    apart = review_client.post(
        "/api/v1/assets/duplicates/keep-apart",
        json={"asset_a": keep["id"], "asset_b": gone["id"]},
    )
    assert apart.status_code == 409


def test_only_editors_review(sqlite_workspace):
    sqlite_workspace.users.create("vic", "another long secret", role="viewer")
    client = TestClient(
        reviewing(create_app(SHARED, workspace=sqlite_workspace)), base_url="https://testserver"
    )
    assert client.get("/api/v1/assets/duplicates").status_code == 401
    client.post("/login", data={"username": "vic", "password": "another long secret"})
    assert client.get("/api/v1/assets/duplicates").status_code == 403
    denied = client.post(
        "/api/v1/assets/duplicates/keep-apart", json={"asset_a": "x", "asset_b": "y"}
    )
    assert denied.status_code == 403
    assert client.get("/assets/duplicates").status_code == 403

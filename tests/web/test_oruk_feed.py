"""The ORUK 3.0 feed: every answer valid against the ORUK schemas, every filter really filtering."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from mobilise.formats.ons import read_boundaries
from mobilise.formats.oruk import validate
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes.oruk import ItemTexts

from ..conftest import FIXTURES
from .conftest import LOCAL


def has_null(document) -> bool:
    if document is None:
        return True
    if isinstance(document, dict):
        return any(has_null(v) for v in document.values())
    if isinstance(document, list):
        return any(has_null(v) for v in document)
    return False


def valid(response, schema: str) -> dict:
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert validate(document, schema) == []
    assert not has_null(document), "empty optional fields must be omitted, not null"
    return document


@pytest.mark.parametrize(
    ("url", "schema"),
    [
        ("/oruk/", "api_details"),
        ("/oruk/services?per_page=100", "service_list"),
        ("/oruk/services?per_page=50&full=true", "service_list"),
        ("/oruk/services?per_page=50&page=40", "service_list"),
        ("/oruk/taxonomies", "taxonomy_list"),
        ("/oruk/taxonomy_terms?per_page=200", "taxonomy_term_list"),
        ("/oruk/organizations", "organization_list"),
        ("/oruk/service_at_locations?per_page=100", "service_at_location_list"),
    ],
)
def test_every_endpoint_validates_against_oruk_3(client, url, schema):
    document = valid(client.get(url), schema)
    if "contents" in document:
        assert {
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
        } <= set(document)


def test_single_documents_validate(client):
    page = client.get("/oruk/services?per_page=3").json()
    for item in page["contents"]:
        valid(client.get(f"/oruk/services/{item['id']}"), "service")
    taxonomy = client.get("/oruk/taxonomies").json()["contents"][0]
    valid(client.get(f"/oruk/taxonomies/{taxonomy['id']}"), "taxonomy")


def test_page_wrapper_counts(client):
    first = client.get("/oruk/services?per_page=100").json()
    assert first["page_number"] == 1 and first["first_page"] is True
    assert first["size"] == 100 and len(first["contents"]) == 100
    assert first["total_items"] == 3542 - 40  # the 40 unnamed places of worship are private
    assert first["total_pages"] == 36
    last = client.get("/oruk/services?per_page=100&page=36").json()
    assert last["last_page"] is True and len(last["contents"]) == 2


def test_postcode_and_proximity_really_filter(client):
    """An asset comes back for its own postcode with a small proximity, not for a far one."""
    found = client.get("/api/v1/assets", params={"q": "Hackney Museum"}).json()["items"]
    museum = next(a for a in found if a["postcode"] == "E8 1GQ")
    near = client.get("/oruk/services", params={"postcode": "E8 1GQ", "proximity": 150}).json()
    assert museum["id"] in {s["id"] for s in near["contents"]}
    far = client.get("/oruk/services", params={"postcode": "NN1 1DE", "proximity": 1000}).json()
    assert museum["id"] not in {s["id"] for s in far["contents"]}
    assert 0 < near["total_items"] < 100


def test_search_and_taxonomy_filters(client):
    libraries = client.get("/oruk/services", params={"search": "library", "per_page": 500}).json()
    assert libraries["total_items"] > 0
    # words, stemmed (issue 17, item 7): "library" finds "Libraries" and "librarian" too
    assert all(
        re.search(r"\blibrar(y|i)", f"{s['name']} {s.get('description', '')}".lower())
        for s in libraries["contents"]
    )
    terms = client.get("/oruk/taxonomy_terms", params={"per_page": 500}).json()["contents"]
    library_term = next(
        t for t in terms if t.get("taxonomy") == "mobilise" and t["term"] == "library"
    )
    by_term = client.get(
        "/oruk/services", params={"taxonomy_term_id": library_term["id"], "per_page": 500}
    ).json()
    assert 80 <= by_term["total_items"] < 200
    everything = client.get("/oruk/services").json()["total_items"]
    assert by_term["total_items"] < everything


def test_ndjson(client):
    response = client.get("/oruk/services", params={"per_page": 5, "format": "ndjson"})
    lines = response.text.strip().split("\n")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert len(lines) == 5
    assert all(validate(json.loads(line), "service") == [] for line in lines)


def test_errors_keep_the_shape_and_cors(client):
    response = client.get("/oruk/services/not-a-real-id")
    assert response.status_code == 404
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["error"]["code"] == "not_found"
    bad = client.get("/oruk/services", params={"proximity": 100})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["field"] == "proximity"


@pytest.fixture
def small_feed(sqlite_workspace):
    ws = sqlite_workspace
    ws.areas.import_boundaries(read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson"))
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    return TestClient(create_app(Settings(), workspace=ws), **LOCAL), ws


def test_modified_after_and_private_assets(small_feed):
    client, ws = small_feed
    everything = client.get("/oruk/services").json()
    assert everything["total_items"] == 4
    park = ws.assets.search(text="park").items[0]
    # modified_after is "on or after" (the ORUK description): just after the park's import
    cutoff = park.updated_at + timedelta(microseconds=1)
    choir = ws.assets.search(text="choir").items[0]
    ws.assets.update(choir.id, version=choir.version, changes={"description": "Sings on Tuesdays"})
    later = client.get("/oruk/services", params={"modified_after": cutoff.isoformat()}).json()
    assert [s["name"] for s in later["contents"]] == ["Otherby Choir"]
    ws.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    public = client.get("/oruk/services").json()
    assert park.id not in {s["id"] for s in public["contents"]}
    assert public["total_items"] == 3
    assert client.get(f"/oruk/services/{park.id}").status_code == 404
    sal = client.get("/oruk/service_at_locations", params={"per_page": 50}).json()
    assert park.id not in json.dumps(sal)


def test_feed_is_public_in_shared_mode(sqlite_workspace):
    app = create_app(
        Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789"),
        workspace=sqlite_workspace,
    )
    client = TestClient(app, base_url="https://testserver")
    assert client.get("/oruk/").status_code == 200
    assert client.get("/api/v1/places").status_code == 401


def test_service_at_locations_filter_and_page_like_services(client):
    near = client.get(
        "/oruk/service_at_locations", params={"postcode": "E8 1GQ", "proximity": 150}
    ).json()
    services = client.get("/oruk/services", params={"postcode": "E8 1GQ", "proximity": 150}).json()
    assert near["total_items"] == services["total_items"] > 0
    page_two = client.get("/oruk/service_at_locations", params={"per_page": 10, "page": 2}).json()
    assert page_two["page_number"] == 2 and len(page_two["contents"]) == 10
    assert client.get("/oruk/service_at_locations", params={"proximity": 100}).status_code == 422
    assert (
        client.get("/oruk/service_at_locations", params={"postcode": "ZZ9 9ZZ"}).status_code == 404
    )


def test_list_items_follow_every_change_and_the_kept_texts_stay_bounded(small_feed):
    client, ws = small_feed
    client.app.state.oruk_items = ItemTexts(limit=2)  # fewer than a page: texts come and go
    first = client.get("/oruk/services").json()
    assert first["size"] == 4 and len(client.app.state.oruk_items._texts) == 2
    choir = ws.assets.search(text="choir").items[0]
    ws.assets.update(choir.id, version=choir.version, changes={"name": "Otherby Singers"})
    names = {s["name"] for s in client.get("/oruk/services").json()["contents"]}
    assert "Otherby Singers" in names and "Otherby Choir" not in names
    ndjson = client.get("/oruk/services", params={"format": "ndjson", "full": True}).text
    assert [json.loads(line)["name"] for line in ndjson.splitlines()].count("Otherby Singers") == 1
    ws.assets.delete(choir.id)
    after = client.get("/oruk/services").json()
    assert after["total_items"] == 3 and "Otherby Singers" not in json.dumps(after)
    assert client.get("/oruk/services").json() == after  # the same page from kept texts


def test_an_asset_made_private_between_search_and_page_is_left_out(small_feed):
    _, ws = small_feed
    found = ws.assets.search(load=False)
    park = ws.assets.search(text="park").items[0]
    ws.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    texts = ItemTexts().page(
        ws, found, kind="service", base="http://127.0.0.1/oruk", render=lambda a: {"id": a.id}
    )
    assert len(found.keys) == 4 and len(texts) == 3 and park.id not in "".join(texts)

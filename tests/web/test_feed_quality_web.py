"""The feed's data quality on the quality page and in the JSON API (issue 21, item 4)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..integration.test_feed_quality import make_feed
from .conftest import LOCAL


@pytest.fixture
def client(sqlite_workspace) -> TestClient:
    make_feed(sqlite_workspace)
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def test_the_api_gives_each_check_and_the_failing_services(client):
    answer = client.get("/api/v1/oruk/quality")
    assert answer.status_code == 200
    report = answer.json()
    assert report["total"] == 4  # the private garden is not in the feed
    checks = {c["name"]: c for c in report["checks"]}
    assert list(checks) == [
        "id", "active", "name", "description", "url", "organisation", "contact", "schedule",
        "location", "usable",
    ]  # fmt: skip
    assert (checks["usable"]["passing"], checks["usable"]["share"]) == (2, 0.5)
    assert (checks["active"]["passing"], checks["location"]["passing"]) == (3, 4)
    assert checks["url"]["label"] == "Web address" and checks["url"]["meaning"]
    assert report["usable_needs"] == [
        "id", "active", "name", "description", "url", "organisation", "contact"
    ]  # fmt: skip
    failing = report["failing"]
    assert (failing["check"], failing["total"], failing["total_pages"]) == (None, 3, 1)
    assert failing["services"][0]["name"] == "Bare Park"
    assert {"url", "organisation", "contact", "usable"} <= set(failing["services"][0]["failing"])
    assert report["sources"][0]["name"] == "test"


def test_the_api_filters_pages_and_refuses_what_it_does_not_know(client):
    by_check = client.get("/api/v1/oruk/quality", params={"check": "active"}).json()
    assert [s["name"] for s in by_check["failing"]["services"]] == ["Closed Library"]
    town = client.get("/api/v1/oruk/quality", params={"place": "testtown"}).json()
    assert town["total"] == 3 and town["place"] == "testtown"
    paged = client.get("/api/v1/oruk/quality", params={"per_page": 1, "page": 2}).json()
    assert paged["failing"]["total_pages"] == 3 and len(paged["failing"]["services"]) == 1
    wrong = client.get("/api/v1/oruk/quality", params={"check": "colour"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["problems"][0]["field"] == "check"
    assert client.get("/api/v1/oruk/quality", params={"place": "nowhere"}).status_code == 404
    assert client.get("/api/v1/oruk/quality", params={"per_page": 501}).status_code == 422


def test_the_page_shows_the_feed_beside_the_register(client):
    page = client.get("/assets/quality")
    assert page.status_code == 200
    text = page.text
    assert 'id="quality-places"' in text  # the register's quality, as before
    assert "The Open Referral UK feed, as its consumers see it" in text
    assert 'id="feed-checks"' in text and 'id="feed-sources"' in text
    assert "4 services in the feed" in text
    assert "Bare Park" in text and "Closed Library" in text
    assert "Complete Hall" not in text.split('id="feed-failing"')[1]  # it fails nothing
    one = client.get("/assets/quality", params={"check": "active"})
    listed = one.text.split('id="feed-failing"')[1]
    assert "Closed Library" in listed and "Bare Park" not in listed
    assert '<option value="active" selected>' in one.text
    town = client.get("/assets/quality", params={"place": "testtown", "check": "active"})
    assert "Every service passes this check." in town.text
    assert client.get("/assets/quality", params={"check": "colour"}).status_code == 422


def test_the_page_lists_the_failing_services_a_page_at_a_time(client, monkeypatch):
    from mobilise.web.routes import assets as routes

    monkeypatch.setattr(routes, "FEED_PER_PAGE", 2)
    first = client.get("/assets/quality").text
    second = client.get("/assets/quality", params={"page": 2}).text
    assert "page 1 of 2" in first and "page=2" in first
    assert "page 2 of 2" in second and "page=1" in second

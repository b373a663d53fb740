"""The feed's searched lists answer a question asked again from the answer kept while the data
holds (issue 17, the search benchmark), and follow every change however it is made."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from mobilise import open_workspace
from mobilise.formats.ons import read_boundaries
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes.oruk import KeptAnswers
from mobilise.workspace.oruk_feed import OrukFeedService

from ..conftest import FIXTURES
from .conftest import LOCAL


@pytest.fixture
def feed(sqlite_workspace, monkeypatch):
    """A client of a small feed on a SQLite file, and the number of searches made."""
    ws = sqlite_workspace
    ws.areas.import_boundaries(read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson"))
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    searches: list[dict] = []
    search = OrukFeedService.search

    def counted(self, **criteria):
        searches.append(criteria)
        return search(self, **criteria)

    monkeypatch.setattr(OrukFeedService, "search", counted)
    return TestClient(create_app(Settings(), workspace=ws), **LOCAL), ws, searches


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [service["name"] for service in response.json()["contents"]]


def test_a_question_asked_again_is_answered_without_searching(feed):
    client, _, searches = feed
    first = client.get("/oruk/services", params={"search": "choir"})
    again = client.get("/oruk/services", params={"search": "choir"})
    assert again.content == first.content and names(again) == ["Otherby Choir"]
    assert again.headers["access-control-allow-origin"] == "*"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert len(searches) == 1  # was: searched (and its items written) again each time
    located = client.get("/oruk/service_at_locations", params={"per_page": 2})
    assert client.get("/oruk/service_at_locations", params={"per_page": 2}).text == located.text
    assert len(searches) == 2
    # another question, and the same asked at another address of the feed (its links name
    # it): each made afresh
    full = {"search": "choir", "full": "true"}
    assert "http://127.0.0.1:8765/oruk/" in client.get("/oruk/services", params=full).text
    other = client.get("/oruk/services", params=full, headers={"host": "localhost"})
    assert "http://localhost/oruk/" in other.text and "127.0.0.1" not in other.text
    assert len(searches) == 4


def test_refusals_are_never_kept(feed):
    client, _, searches = feed
    for _ in range(2):
        assert client.get("/oruk/services", params={"serch": "choir"}).status_code == 400
        assert client.get("/oruk/services", params={"per_page": "0"}).status_code == 422
        missing = client.get("/oruk/services", params={"taxonomy_term_id": "nothing"})
        assert missing.status_code == 404
    assert len(searches) == 2  # the unknown term, asked twice


def test_kept_answers_follow_every_change(feed):
    client, ws, _ = feed
    assert names(client.get("/oruk/services", params={"search": "choir"})) == ["Otherby Choir"]
    everything = client.get("/oruk/services").json()
    assert everything["total_items"] == 4
    choir = ws.assets.search(text="choir").items[0]
    ws.assets.update(choir.id, version=choir.version, changes={"name": "Otherby Singers"})
    assert names(client.get("/oruk/services", params={"search": "choir"})) == []
    assert "Otherby Singers" in names(client.get("/oruk/services"))
    park = ws.assets.search(text="park").items[0]
    ws.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    hidden = client.get("/oruk/services")
    assert hidden.json()["total_items"] == 3 and park.id not in hidden.text
    assert park.id not in client.get("/oruk/service_at_locations").text
    ws.assets.delete(choir.id)
    assert client.get("/oruk/services").json()["total_items"] == 2
    # a change by another process (another worker, a command beside the server)
    other = open_workspace(ws.engine.url.render_as_string(hide_password=False), actor="other")
    try:
        shown = client.get("/oruk/services").json()
        first = ws.assets.get(shown["contents"][0]["id"])
        other.assets.update(first.id, version=first.version, changes={"visibility": "private"})
        after = client.get("/oruk/services").json()
        assert after["total_items"] == 1 and first.id not in json.dumps(after)
    finally:
        other.close()


def test_kept_answers_are_bounded_and_need_a_data_version():
    answers = KeptAnswers(limit=100)
    answers.put(("/oruk/services", "", "b"), None, b"x" * 5, "application/json")
    assert answers.get(("/oruk/services", "", "b"), None) is None  # PostgreSQL, in memory
    for n in range(4):
        answers.put(("/oruk/services", f"q{n}", "b"), 7, b"x" * 10, "application/json")
    assert answers.get(("/oruk/services", "q0", "b"), 7) == (b"x" * 10, "application/json")
    assert answers.get(("/oruk/services", "q0", "b"), 8) is None  # the data changed since
    for n in range(4, 12):  # 120 bytes asked to be kept: the least recently asked go
        answers.put(("/oruk/services", f"q{n}", "b"), 7, b"x" * 10, "application/json")
    kept = [answers.get(("/oruk/services", f"q{n}", "b"), 7) is not None for n in range(12)]
    assert kept == [True, False, False, True, *[True] * 8]  # q0 was asked since: q1, q2 go
    answers.put(("/oruk/services", "whole", "b"), 7, b"x" * 11, "application/json")
    assert answers.get(("/oruk/services", "whole", "b"), 7) is None  # over a tenth of the limit

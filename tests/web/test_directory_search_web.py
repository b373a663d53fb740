"""The directory's search through the API and the page (issue 17, items 1 and 2); the feed's
stemmed words are checked in test_oruk_feed.py and test_oruk_filters.py."""

from __future__ import annotations

import re


def test_api_counts_what_is_not_recorded_and_includes_it_on_request(client):
    near = {"where": "E8 1DY", "radius": 1000}
    free = client.get("/api/v1/assets", params={**near, "free": "true"}).json()
    assert free["total"] == 0 and free["not_recorded"]["free"] > 100  # no demo asset records it
    both = client.get("/api/v1/assets", params={**near, "free": "true", "include_unknown": "free"})
    assert both.json()["total"] == free["not_recorded"]["free"]
    aged = client.get("/api/v1/assets", params={**near, "age": 70}).json()
    assert aged["total"] == 0  # an unknown age was counted as a match (2,327 within 5 km)
    bad = client.get("/api/v1/assets", params={"include_unknown": "cheap"})
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["field"].startswith(
        "include_unknown"
    )


def test_api_folds_duplicates_when_asked(client):
    params = {"where": "E8 1DY", "radius": 1000, "per_page": 6}
    plain = [i["name"] for i in client.get("/api/v1/assets", params=params).json()["items"]]
    folded = client.get("/api/v1/assets", params={**params, "fold": "true"}).json()["items"]
    assert plain.count("Hackney Empire") == 3
    assert [i["name"] for i in folded].count("Hackney Empire") == 1
    empire = next(i for i in folded if i["name"] == "Hackney Empire")
    assert len(empire["also_listed"]) == 2


def test_the_directory_page_shows_one_card_per_place_and_the_unknowns(client):
    page = client.get("/assets", params={"where": "E8 1DY", "radius": 1000, "free": "true"})
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.text)
    assert "Free</strong>: not recorded for" in text and "Show them too" in text
    shown = client.get(
        "/assets", params={"where": "E8 1DY", "radius": 1000, "include_unknown": "free"}
    )
    cards = re.findall(r'<a href="/assets/[^"]+"><strong>([^<]+)</strong>', shown.text)
    first = cards[:6]  # the first results (the issue: Empire three times, library twice)
    assert first.count("Hackney Empire") == 1 and first.count("Hackney Central Library") == 1
    assert "Also listed as Hackney Central Library (osm)" in shown.text

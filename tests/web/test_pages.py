"""The HTML pages people see."""

from __future__ import annotations


def test_home_lists_places_with_figures(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Northamptonshire" in page.text and "Inner North and East London" in page.text
    assert "422" in page.text and "708" in page.text
    assert "most deprived 20%" in page.text


def test_place_page_has_map_and_indicator_choice(client):
    page = client.get("/places/northamptonshire")
    assert page.status_code == 200
    assert 'id="map"' in page.text
    assert '<option value="imd2019_score" selected>' in page.text
    assert "/static/vendor/leaflet/leaflet.js" in page.text
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()


def test_area_profile_page_shows_national_position(client):
    page = client.get("/areas/E01027240")
    assert page.status_code == 200
    assert "Northampton 018D" in page.text
    assert "West Northamptonshire" in page.text
    assert "Years of potential life lost" in page.text
    assert "in England" in page.text


def test_postcode_search_leads_to_the_area(client):
    # issue 17: the search shows what is near first; the area's statistics are a link away
    found = client.get("/find", params={"postcode": "E8 1DY"}, follow_redirects=False)
    assert found.status_code == 200
    assert 'href="/areas/E01' in found.text
    missing = client.get("/find", params={"postcode": "ZZ9 9ZZ"})
    assert missing.status_code == 404
    assert "not found" in missing.text


def test_sources_page_shows_licences_and_attribution(client):
    page = client.get("/sources")
    assert page.status_code == 200
    for text in ("Open Government Licence", "OpenStreetMap", "CC-BY-4.0", "Royal Mail"):
        assert text in page.text


def test_friendly_html_errors(client):
    page = client.get("/places/atlantis")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "No place 'atlantis'" in page.text or "No place &#39;atlantis&#39;" in page.text
    assert client.get("/no/such/page").status_code == 404


def test_static_assets_are_vendored(client):
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert client.get("/static/vendor/leaflet/LICENSE").status_code == 200

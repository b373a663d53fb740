"""Asset facts people can rely on (issue 17, item 1): the asset page says names, not codes and
file names, when the facts were checked, how to call and find the place; the home page's
postcode search leads to what is near; a shortlist prints and travels as a link."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .conftest import LOCAL

ASSETS = (
    b"name,category,lat,lon,phone,email,opening_hours\n"
    b"Reading Room,library,51.505,-0.095,020 7946 0000,library@example.org,"
    b'"Mo-Fr 09:00-17:00; Sa 10:00-12:00"\n'
    b"Otherby Hall,community_space,51.505,-0.075,,,\n"
)


def _library(ws):
    return next(
        a
        for a in ws.assets.search(text="Hackney Central Library", per_page=20).items
        if a.source.startswith("public_libraries")
    )


def test_the_asset_page_says_names_not_codes(client, demo_workspace):
    library = _library(demo_workspace)
    area = demo_workspace.areas.get(library.lsoa11_code)
    page = client.get(f"/assets/{library.id}")
    assert page.status_code == 200
    text = unescape(page.text)
    assert f'<a href="/areas/{area.code}">{area.name}</a>' in text  # "Hackney 017D"
    assert f">{area.code}<" not in text  # the code is no longer what people read
    assert "Public libraries in England: basic dataset (2023)" in text
    assert "public_libraries_2023_target_areas.geojson" not in text  # not the file name
    assert "Facts last checked</dt><dd>not checked since import" in text
    assert "<dt>Imported</dt>" in text and "last updated" not in text
    hours = re.search(r'<table class="hours">(.*?)</table>', text, re.S)
    assert hours is not None
    days = re.findall(r'<th scope="row">(\w+)', hours.group(1))
    assert days == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Bank",
    ]  # fmt: skip
    assert "(AM & PM (continuous))" not in text and "times not recorded" in text


@pytest.fixture
def reading_room(writable_client, sqlite_workspace):
    sqlite_workspace.assets.import_file(ASSETS, name="reading.csv")
    room = next(a for a in sqlite_workspace.assets.search().items if a.name == "Reading Room")
    return writable_client, room


def test_the_asset_page_calls_emails_and_gives_directions(reading_room):
    client, room = reading_room
    page = client.get(f"/assets/{room.id}").text
    assert 'href="tel:02079460000"' in page
    assert 'href="mailto:library@example.org"' in page
    directions = re.search(
        r'<a class="button" id="directions" href="([^"]+)" data-geo="([^"]+)"', page
    )
    assert directions is not None
    assert directions.group(1).startswith("https://www.openstreetmap.org/directions?to=51.505000")
    assert directions.group(2).startswith("geo:51.505000,-0.095000")
    assert 'id="open-now"' in page
    assert "Monday</th><td>09:00–17:00" in page.replace(" <span", "<span").replace(
        '<span class="small muted">(today)</span>', ""
    )


def test_the_home_page_postcode_search_leads_to_what_is_near(client, demo_workspace):
    found = client.get("/find", params={"postcode": "e8 1dy"})
    assert found.status_code == 200
    text = unescape(found.text)
    assert "Nearest to E8 1DY" in text
    names = re.findall(r'<a href="/assets/[^"]+"><strong>([^<]+)</strong></a>', text)
    assert 1 <= len(names) <= 8
    distances = [int(d.replace(",", "")) for d in re.findall(r"([\d,]+) m away", text)]
    assert distances == sorted(distances) and distances[0] < 500
    assert 'class="open-state' in text
    assert "/areas/E01001762?postcode=E8+1DY" in text  # the statistics a link away
    assert 'class="indicators"' not in text  # not a 50-row statistics table
    assert "/assets?where=E8+1DY&radius=2000" in text


def test_the_postcode_search_says_what_is_wrong(client):
    missing = client.get("/find", params={"postcode": "ZZ9 9ZZ"})
    assert missing.status_code == 404 and "not found" in missing.text
    wrong = client.get("/find", params={"postcode": "not a postcode"})
    assert wrong.status_code == 422 and 'role="alert"' in wrong.text


def test_a_shortlist_page_prints_and_its_link_works_for_anyone(reading_room, sqlite_workspace):
    client, room = reading_room
    other = next(a for a in sqlite_workspace.assets.search().items if a.id != room.id)
    wanted = f"{room.id},{other.id}"
    page = client.get("/shortlist", params={"ids": wanted})
    assert page.status_code == 200
    text = unescape(page.text)
    names = re.findall(r'<h2><a href="/assets/[^"]+">([^<]+)</a></h2>', text)
    assert names == ["Reading Room", other.name]  # the order given
    assert "tel:02079460000" in text and "Monday 09:00–17:00" in text
    assert 'src="data:image/svg+xml' in text  # the QR code of the link
    assert f"/shortlist?ids={room.id}%2C{other.id}" in text
    assert "@media print" in client.get("/static/asset.css").text
    # a recipient with no account on a shared deployment opens the same link
    shared = create_app(
        Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789"),
        workspace=sqlite_workspace,
    )
    recipient = TestClient(shared, raise_server_exceptions=False, **LOCAL)
    opened = recipient.get("/shortlist", params={"ids": wanted})
    assert opened.status_code == 200 and "Reading Room" in opened.text


def test_the_shortlist_api_and_its_limit(reading_room):
    client, room = reading_room
    found = client.get("/api/v1/shortlist", params={"ids": f"{room.id},gone"}).json()
    assert [i["name"] for i in found["items"]] == ["Reading Room"]
    assert found["missing"] == ["gone"]
    item = found["items"][0]
    assert item["opening_hours"]["days"][0]["text"] == "09:00–17:00"
    assert item["links"]["tel"] == "tel:02079460000"
    too_many = client.get("/api/v1/shortlist", params={"ids": ",".join(map(str, range(51)))})
    assert too_many.status_code == 422
    assert "MOBILISE_SHORTLIST_MAX_ASSETS" in too_many.json()["error"]["message"]
    page = client.get("/shortlist", params={"ids": ",".join(map(str, range(51)))})
    assert page.status_code == 422 and "MOBILISE_SHORTLIST_MAX_ASSETS" in page.text


def test_the_nearby_api(client):
    found = client.get("/api/v1/nearby", params={"postcode": "E8 1DY", "limit": 3}).json()
    assert found["postcode"] == "E8 1DY" and len(found["items"]) == 3
    assert found["neighbourhood"]["name"].startswith("Hackney")
    assert client.get("/api/v1/nearby", params={"postcode": "nonsense"}).status_code == 422

"""Arts-based media on the web (issue 16): upload with alt text through the API, a file named as
one type with other bytes refused, describing and linking on the staff page, a contribution
removed only through its own event, the galleries, the exhibition and the public files for
visitors (public events only, no pseudonyms), and what people said on asset and area pages."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event, consenting, png
from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a password for the test"


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), "navy").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def site(sqlite_workspace, hasher):
    """A shared-mode app with a place, an asset, a public event and a private one, a facilitator
    and an anonymous visitor."""
    from ..conftest import FIXTURES

    ws = sqlite_workspace
    ws.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    ws.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    ws.users.create("facilitator", PASSWORD, role="facilitator")
    app = create_app(SHARED, workspace=ws)
    staff = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    staff.post("/login", data={"username": "facilitator", "password": PASSWORD})
    visitor = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    return ws, staff, visitor


def _upload(client: TestClient, event: str, data: bytes, name: str, **form: str):
    return client.post(
        f"/api/v1/events/{event}/contributions",
        data={"kind": "photo", "group_label": "Table 1", **form},
        files={"media": (name, data, "image/jpeg")},
    )


def test_upload_describe_and_show_in_public(site):
    ws, staff, visitor = site
    event = add_event(ws, "Open day", place="testtown", public=True)
    refused = _upload(staff, event, jpeg(), "pond.jpg", public="true")
    error_shape(refused, 422, "invalid_input")
    assert {p["field"] for p in refused.json()["error"]["problems"]} == {"alt_text"}
    made = _upload(staff, event, jpeg(), "pond.jpg", caption="The pond", alt_text="")
    assert made.status_code == 201, made.text
    photo = made.json()["id"]
    assert visitor.get(f"/api/v1/events/{event}/gallery").json() == []
    assert visitor.get(f"/media/{photo}").status_code == 404  # not public yet
    described = staff.patch(
        f"/api/v1/event-contributions/{photo}",
        json={"alt_text": "Ducks on the pond", "maker_words": "Where I feel calm", "public": True},
    )
    assert described.status_code == 200 and described.json()["public"] is True
    [shown] = visitor.get(f"/api/v1/events/{event}/gallery").json()
    assert (shown["alt_text"], shown["by"], shown["file_url"]) == (
        "Ducks on the pond",
        "Table 1",
        f"/media/{photo}",
    )
    assert "code" not in shown and "participant_id" not in shown
    thumb = visitor.get(f"/media/{photo}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["cache-control"] == "no-store"
    page = visitor.get(f"/events/{event}/gallery")
    assert page.status_code == 200 and 'alt="Ducks on the pond"' in page.text
    assert "Where I feel calm" in page.text
    show = visitor.get(f"/events/{event}/exhibition")
    assert show.status_code == 200 and f'src="/media/{photo}"' in show.text
    assert visitor.get("/places/testtown/gallery").status_code == 200
    assert photo in visitor.get("/api/v1/places/testtown/gallery").text


def test_a_file_named_as_one_type_with_other_bytes_is_refused(site):
    ws, staff, _ = site
    event = add_event(ws)
    for name, data in (("photo.jpg", png()), ("photo.jpg", b"PK\x03\x04zip"), ("a.png", jpeg())):
        refused = _upload(staff, event, data, name)
        error_shape(refused, 422, "invalid_input")
        assert refused.json()["error"]["problems"][0]["field"] == "media"
    assert _upload(staff, event, png(), "drawing.png").status_code == 201
    assert ws.event_contributions.list(event)[0].media_type == "image/png"


def test_private_events_media_are_not_for_visitors(site):
    ws, staff, visitor = site
    event = add_event(ws, "Staff workshop", place="testtown")
    photo = ws.event_contributions.add(
        event, kind="photo", media=png(), group_label="T1", alt_text="A map", public=True
    )
    for url in (f"/events/{event}/gallery", f"/media/{photo.id}", f"/events/{event}/exhibition"):
        assert visitor.get(url).status_code == 404, url
        assert staff.get(url).status_code == 200, url
    assert photo.id not in visitor.get("/places/testtown/gallery").text
    assert photo.id in staff.get("/places/testtown/gallery").text


def test_removing_through_another_event_is_a_404(site):
    ws, staff, _ = site
    mine, other = add_event(ws, "One"), add_event(ws, "Two")
    note = ws.event_contributions.add(mine, kind="note", text="Keep me", group_label="T1")
    wrong = staff.post(f"/events/{other}/contributions/{note.id}/remove")
    assert wrong.status_code == 404
    assert [c.id for c in ws.event_contributions.list(mine)] == [note.id]
    right = staff.post(f"/events/{mine}/contributions/{note.id}/remove", follow_redirects=False)
    assert right.status_code == 303 and ws.event_contributions.list(mine) == []


def test_links_put_what_people_said_on_asset_and_area_pages(site):
    ws, staff, visitor = site
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    person = consenting(ws, sheet.id, quote="named")
    asset = ws.assets.search().items[0]
    event = add_event(ws, "Open day", place="testtown", public=True)
    quote = ws.event_contributions.add(
        event, kind="quote", text="The library is my living room", participant=person.id
    )
    linked = staff.post(
        f"/events/{event}/contributions/{quote.id}/links",
        data={"target_type": "asset", "target_id": asset.id},
        follow_redirects=False,
    )
    assert linked.status_code == 303
    api = staff.post(
        f"/api/v1/event-contributions/{quote.id}/links",
        json={"target_type": "area", "target_id": "E01000001"},
    )
    assert api.status_code == 201, api.text
    bad = staff.post(
        f"/api/v1/event-contributions/{quote.id}/links",
        json={"target_type": "partner", "target_id": "no-such-partner"},
    )
    error_shape(bad, 422, "invalid_input")
    assert "living room" not in visitor.get(f"/assets/{asset.id}").text  # not public yet
    staff.post(f"/events/{event}/contributions/{quote.id}/describe", data={"public": "yes"})
    page = visitor.get(f"/assets/{asset.id}")
    assert "The library is my living room" in page.text and person.code not in page.text
    assert "living room" in staff.get("/areas/E01000001").text
    said = visitor.get(f"/api/v1/assets/{asset.id}/event-contributions").json()
    assert [s["text"] for s in said] == ["The library is my living room"]
    links = staff.get(f"/api/v1/event-contributions/{quote.id}/links").json()
    assert {link["target_type"] for link in links} == {"asset", "area"}
    gone = staff.delete(f"/api/v1/event-contributions/{quote.id}/links/{links[0]['id']}")
    assert gone.status_code == 204
    ws.consent.withdraw(person.id, scopes=["take_part"], method="online")
    assert "living room" not in visitor.get(f"/assets/{asset.id}").text
    assert "living room" not in staff.get("/areas/E01000001").text

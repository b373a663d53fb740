"""Engagement events through the pages and the JSON API (issue 15, items 1 and 6): who sees
what, online registration with consent, the door without JavaScript, the facilitator tools,
and bad input refused with the field named."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

SHARED = Settings(
    host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789", suggestions_per_hour=3
)
PASSWORD = "a long enough test password"
ROLES = ("viewer", "partner", "facilitator", "analyst", "admin", "data_controller")
NAME = "Quillon Ashworth-Pell"
WINDOW = {"starts_at": "2030-06-01T10:00", "ends_at": "2030-06-01T12:00"}


@pytest.fixture
def ws(tmp_path, hasher) -> Iterator[Workspace]:
    found = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    found.places.create("testtown", "Testtown")
    for role in ROLES:
        found.users.create(role, PASSWORD, role=role)
    try:
        yield found
    finally:
        found.close()


@pytest.fixture
def app(ws):
    return create_app(SHARED, workspace=ws)


def client(app, role: str | None = None) -> TestClient:
    made = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    if role:
        answer = made.post("/login", data={"username": role, "password": PASSWORD})
        assert answer.status_code in (200, 303), answer.text
    return made


@pytest.fixture
def events(ws):
    partner = ws.partners.create("Friends of the Park", sector="vcse")
    public = ws.events.create(
        kind="world_cafe",
        title="Open café",
        place="testtown",
        facilitators=["Asha Facilitator"],
        partners=[partner.id],
        public=True,
        capacity=1,
        **WINDOW,
    )
    private = ws.events.create(
        kind="consortium_meeting", title="Board meeting", place="testtown", **WINDOW
    )
    return ws.events.open_registration(public.id), private


def test_visitors_see_only_public_events_and_their_public_facts(app, events):
    public, private = events
    anonymous = client(app)
    listed = anonymous.get("/api/v1/events").json()
    assert [e["id"] for e in listed["items"]] == [public.id]
    assert "facilitators" not in listed["items"][0] and "partners" not in listed["items"][0]
    error_shape(anonymous.get(f"/api/v1/events/{private.id}"), 404, "not_found")
    page = anonymous.get("/events")
    assert "Open café" in page.text and "Board meeting" not in page.text
    shown = anonymous.get(f"/events/{public.id}")
    assert shown.status_code == 200
    assert "Asha Facilitator" not in shown.text and "Friends of the Park" not in shown.text
    assert f"/join/{public.registration_token}" in shown.text
    assert anonymous.get(f"/events/{private.id}").status_code == 404
    assert "places_left" not in listed["items"][0] and listed["items"][0]["full"] is False
    viewer = client(app, "viewer")
    assert viewer.get("/api/v1/events").json()["total"] == 2
    got = viewer.get(f"/api/v1/events/{public.id}").json()
    assert got["facilitators"] == ["Asha Facilitator"] and got["registration_token"] is None


def test_counts_outside_staff_are_disclosure_controlled(app, ws, events):
    public, _ = events
    ws.events.register(public.id, ws.participants.add().id)
    k = ws.project_settings.get("disclosure_k")
    for role in ("viewer", "partner"):
        got = client(app, role).get(f"/api/v1/events/{public.id}").json()
        assert got["registered"] is None and got["counts_shown"]["registered"] == f"fewer than {k}"
        listed = client(app, role).get("/api/v1/events").json()["items"]
        assert {e["counts_shown"]["registered"] for e in listed} <= {"0", f"fewer than {k}"}
        assert f"fewer than {k}" in client(app, role).get(f"/events/{public.id}").text
    assert client(app, "facilitator").get(f"/api/v1/events/{public.id}").json()["registered"] == 1
    admin = client(app, "admin").get(f"/api/v1/events/{public.id}").json()
    assert admin["counts_shown"]["registered"] == "1"
    page = client(app).get(f"/events/{public.id}").text
    assert "Full: you can join the waiting list" in page  # the cap is 1: full, not a number


def test_staff_see_pseudonyms_and_only_identity_roles_see_names(app, ws, events):
    public, _ = events
    person = ws.participants.add(identity={"name": NAME})
    ws.events.register(public.id, person.id)
    for role in ("facilitator", "analyst"):
        page = client(app, role).get(f"/events/{public.id}")
        assert person.code in page.text and NAME not in page.text
        door = client(app, role).get(f"/events/{public.id}/door", params={"q": "Quillon"})
        assert "No one registered matches" in door.text
    for role in ("admin", "data_controller"):
        assert NAME in client(app, role).get(f"/events/{public.id}").text
    found = client(app, "admin").get(f"/events/{public.id}/door", params={"q": "quillon"})
    assert f"Sign in {person.code}" in found.text
    for role in ("viewer", "partner"):
        page = client(app, role).get(f"/events/{public.id}")
        assert person.code not in page.text
        answer = client(app, role).get(f"/api/v1/events/{public.id}/registrations")
        error_shape(answer, 403, "permission_denied")
    listed = client(app, "data_controller").get(f"/api/v1/events/{public.id}/registrations")
    assert [r["code"] for r in listed.json()["items"]] == [person.code]
    assert NAME not in listed.text


def test_online_registration_needs_an_information_sheet(app, ws, events):
    public, _ = events
    anonymous = client(app)
    page = anonymous.get(f"/join/{public.registration_token}")
    assert page.status_code == 422
    assert "no information sheet" in page.text.lower() and "<form" not in page.text
    sent = anonymous.post(f"/join/{public.registration_token}", data={"take_part": "yes"})
    assert sent.status_code == 422 and ws.participants.count() == 0


def test_online_registration_with_consent_then_the_waiting_list(app, ws, events):
    public, _ = events
    sheet = ws.consent.add_sheet("Taking part in the café", "v2", "What taking part means.")
    anonymous = client(app)
    page = anonymous.get(f"/join/{public.registration_token}")
    assert page.status_code == 200 and "version v2" in page.text
    assert f"/join/{public.registration_token}/information-sheet" in page.text
    assert "<script" not in page.text.split("<footer>")[0]  # the form needs no script
    form = {
        "information_sheet": sheet.id,
        "take_part": "yes",
        "photos": "yes",
        "quote": "anonymous",
        "age_band": "16_24",
        "ethnic_group": "prefer_not_to_say",
        "name": "Dee Example",
    }
    done = anonymous.post(f"/join/{public.registration_token}", data=form)
    assert done.status_code == 200 and "You are registered" in done.text
    code = re.search(r'id="my-code">([^<]+)<', done.text).group(1)
    person = ws.participants.get(code)
    [record] = ws.consent.ledger(person.id)
    assert (record.method, record.scopes["photos"], record.scopes["quote"]) == (
        "online",
        True,
        "anonymous",
    )
    assert person.answers["age_band"] == "16_24"
    second = anonymous.post(f"/join/{public.registration_token}", data=form)
    assert "waiting list" in second.text  # the cap is 1


def test_bad_registrations_are_refused_whole(app, ws, events):
    public, _ = events
    sheet = ws.consent.add_sheet("Taking part", "v1", "Text.")
    url = f"/join/{public.registration_token}"
    anonymous = client(app)
    no_consent = anonymous.post(url, data={"information_sheet": sheet.id})
    assert no_consent.status_code == 422 and "agree to take part" in no_consent.text
    too_long = anonymous.post(
        url, data={"information_sheet": sheet.id, "take_part": "yes", "name": "x" * 201}
    )
    assert too_long.status_code == 422 and "at most 200 characters" in too_long.text
    young = anonymous.post(
        url, data={"information_sheet": sheet.id, "take_part": "yes", "under_16": "yes"}
    )
    assert young.status_code == 422 and "guardian" in young.text
    bot = anonymous.post(url, data={"information_sheet": sheet.id, "fax_number": "spam"})
    assert bot.status_code == 200 and ws.participants.count() == 0
    # Registrations stored from one sender are counted in the database (3 an hour here).
    for _ in range(3):
        anonymous.post(url, data={"information_sheet": sheet.id, "take_part": "yes"})
    limited = anonymous.post(url, data={"information_sheet": sheet.id, "take_part": "yes"})
    assert limited.status_code == 429 and "MOBILISE_SUGGESTIONS_PER_HOUR" in limited.text
    assert int(limited.headers["Retry-After"]) >= 60
    assert ws.participants.count() == 3


def test_the_door_works_with_plain_forms(app, ws, events):
    public, _ = events
    person = ws.participants.add()
    ws.events.register(public.id, person.id)
    door = client(app, "facilitator")
    signed = door.post(f"/events/{public.id}/door", data={"participant": person.code[2:].lower()})
    assert signed.status_code == 200 and f"Signed in: <strong>{person.code}" in signed.text
    walk = door.post(
        f"/events/{public.id}/door/walk-in", data={"age_band": "65_plus", "postcode": "nope"}
    )
    assert walk.status_code == 422 and "postcode" in walk.text
    ws.consent.add_sheet("Taking part", "v1", "Text.")
    walk = door.post(
        f"/events/{public.id}/door/walk-in", data={"age_band": "65_plus", "take_part": "yes"}
    )
    assert walk.status_code == 200 and ws.events.get(public.id).attended == 2
    door.post(f"/events/{public.id}/cancel")
    refused = door.post(f"/events/{public.id}/door", data={"participant": person.code})
    assert refused.status_code == 422 and "cancelled" in refused.text
    api = door.post(f"/api/v1/events/{public.id}/attendance", json={"participant": person.code})
    assert error_shape(api, 422, "invalid_input")["problems"][0]["field"] == "event"


def test_facilitator_tools(app, ws, events):
    public, _ = events
    staff = client(app, "facilitator")
    qr = staff.get(f"/events/{public.id}/qr.svg")
    assert qr.headers["content-type"].startswith("image/svg+xml") and "<svg" in qr.text
    sheet_page = staff.get(f"/events/{public.id}/sign-in-sheet")
    assert sheet_page.status_code == 200 and 'class="sheet-table"' in sheet_page.text
    assert staff.get(f"/events/{public.id}/consent-form").status_code == 422  # no sheet yet
    ws.consent.add_sheet("Taking part", "v1", "Text.")
    easy = staff.get(f"/events/{public.id}/consent-form", params={"version": "easy-read"})
    assert easy.status_code == 200 and "easy-read" in easy.text
    assert (
        staff.get(f"/events/{public.id}/consent-form", params={"version": "x"}).status_code == 422
    )
    ws.events.close_registration(public.id)
    assert staff.get(f"/events/{public.id}/qr.svg").status_code == 404
    ws.consent.add_sheet("Taking part", "v2", "Text.")
    for _ in range(2):  # counted in the summary: their consent to take part stands
        ws.events.walk_in(
            public.id, person={"answers": {"age_band": "25_34"}}, scopes={"take_part": True}
        )
    summary = client(app, "partner").get(f"/api/v1/events/{public.id}/summary").json()
    k = ws.project_settings.get("disclosure_k")
    assert summary["attended"] == f"fewer than {k}" and summary["controlled"] is True
    assert client(app, "admin").get(f"/api/v1/events/{public.id}/summary").json()["attended"] == "2"
    page = client(app, "partner").get(f"/events/{public.id}/summary")
    assert page.status_code == 200 and f"fewer than {k}" in page.text


def test_the_api_names_bad_fields_and_refuses_stale_versions(app, ws):
    staff = client(app, "analyst")
    bad = staff.post(
        "/api/v1/events",
        json={
            "kind": "rave",
            "title": "X",
            "starts_at": "2030-01-01T12:00",
            "ends_at": "2030-01-01T10:00",
            "place": "atlantis",
            "map_id": "nope",
        },
    )
    fields = {p["field"] for p in error_shape(bad, 422, "invalid_input")["problems"]}
    assert {"kind", "ends_at", "place", "map_id"} <= fields
    made = staff.post("/api/v1/events", json={"kind": "other", "title": "Ok", **WINDOW})
    assert made.status_code == 201
    event = made.json()
    changed = staff.patch(f"/api/v1/events/{event['id']}", json={"version": 1, "title": "New"})
    assert changed.json()["version"] == 2
    stale = staff.patch(f"/api/v1/events/{event['id']}", json={"version": 1, "title": "Old"})
    error_shape(stale, 409, "conflict")
    error_shape(staff.get("/api/v1/events", params={"when": "soon"}), 422, "invalid_input")
    error_shape(staff.get("/api/v1/events", params={"limit": 0}), 422, "invalid_input")
    error_shape(staff.get("/api/v1/events", params={"start": "soon"}), 422, "invalid_input")
    assert staff.get("/api/v1/events", params={"start": "2030-06-02"}).json()["total"] == 0
    error_shape(client(app, "viewer").post("/api/v1/events", json={}), 403, "permission_denied")

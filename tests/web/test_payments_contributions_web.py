"""Payments and event contributions on the web (issue 15): the JSON API, the staff pages, the
finance CSV, the contributions page with consent and names only for identity readers."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event, consenting, png
from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


def test_payments_api_page_and_finance_csv(writable_client):
    ws = writable_client.app.state.workspace
    ws.project_settings.set("payment_warning_pence", 10_000)
    person = ws.participants.add(identity={"name": "Dana Example"})
    made = writable_client.post(
        "/api/v1/payments",
        json={
            "participant": person.code,
            "activity": "=cmd|' /C calc'!A0",
            "amount_pence": 9_000,
            "paid_on": "2025-04-06",
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["tax_year"] == "2025-26"
    totals = writable_client.get("/api/v1/payments/totals?tax_year=2025-26").json()
    assert totals["totals"][0]["status"] == "near" and totals["threshold_pence"] == 10_000
    page = writable_client.get("/payments?tax_year=2025-26")
    assert (
        page.status_code == 200 and person.code in page.text and "near the threshold" in page.text
    )
    assert "Dana" not in page.text
    exported = writable_client.get("/payments/finance.csv?tax_year=2025-26")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1] == [person.code, "2025-04-06", "'=cmd|' /C calc'!A0", "payment", "9000"]
    assert writable_client.get("/api/v1/payments/finance").json()[0]["amount_pence"] == 9_000
    error_shape(writable_client.get("/api/v1/payments?tax_year=2025-27"), 422, "invalid_input")
    error_shape(writable_client.get("/api/v1/payments?tax_year=soon"), 422, "invalid_input")
    refused = writable_client.post(
        "/payments", data={"participant": person.code, "activity": "x", "amount": "inf"}
    )
    assert refused.status_code == 422 and "amount" in refused.text
    rate = writable_client.put(
        "/api/v1/payment-rates",
        json={"activity": "Walk leader", "unit": "session", "amount_pence": 4_000},
    )
    assert rate.status_code == 200, rate.text
    by_rate = writable_client.post(
        "/payments",
        data={"participant": person.code, "activity": "Walk leader", "units": "2"},
        follow_redirects=False,
    )
    assert by_rate.status_code == 303
    assert (
        writable_client.get("/api/v1/payments", params={"participant": person.code}).json()[-1][
            "amount_pence"
        ]
        == 8_000
    )


def test_contributions_page_shows_names_only_to_identity_readers(sqlite_workspace, hasher):
    ws = sqlite_workspace
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    named = consenting(ws, sheet.id, quote="named", photos=True)
    ws.participants.set_identity(named.id, {"name": "Rani Example"})
    event = add_event(ws)
    ws.event_contributions.add(event, kind="quote", text="Benches please", participant=named.id)
    photo = ws.event_contributions.add(event, kind="photo", media=png(), participant=named.id)
    for role in ("analyst", "data_controller", "partner"):
        ws.users.create(role, "a password for the test", role=role)
    app = create_app(SHARED, workspace=ws)
    seen = {}
    for role in ("analyst", "data_controller", "partner"):
        client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
        client.post("/login", data={"username": role, "password": "a password for the test"})
        seen[role] = client.get(f"/events/{event}/contributions")
    assert seen["partner"].status_code == 403
    assert "Benches please" in seen["analyst"].text and named.code in seen["analyst"].text
    assert "Rani Example" not in seen["analyst"].text
    assert "Rani Example" in seen["data_controller"].text
    media = client.get(f"/api/v1/event-contributions/{photo.id}/media")
    assert media.status_code == 403  # the partner's client
    ws.consent.withdraw(named.id, scopes=["quote", "photos"], method="online")
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    client.post("/login", data={"username": "analyst", "password": "a password for the test"})
    again = client.get(f"/events/{event}/contributions")
    assert "Benches please" not in again.text and photo.id not in again.text
    error_shape(client.get(f"/api/v1/event-contributions/{photo.id}/media"), 404, "not_found")


def test_adding_a_contribution_on_the_page_and_a_bad_file(writable_client):
    ws = writable_client.app.state.workspace
    event = add_event(ws)
    added = writable_client.post(
        f"/events/{event}/contributions",
        data={"kind": "drawing", "group_label": "Table 3"},
        files={"media": ("drawing.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    listed = writable_client.get(f"/api/v1/events/{event}/contributions").json()
    assert [(c["kind"], c["group_label"], c["media_type"]) for c in listed] == [
        ("drawing", "Table 3", "image/png")
    ]
    bad = writable_client.post(
        f"/api/v1/events/{event}/contributions",
        data={"kind": "photo", "group_label": "Table 3"},
        files={"media": ("x.png", b"not a picture", "image/png")},
    )
    assert error_shape(bad, 422, "invalid_input")["problems"][0]["field"] == "media"
    error_shape(writable_client.get("/api/v1/events/nope/contributions"), 404, "not_found")
    error_shape(writable_client.get("/api/v1/event-contributions/export.xml"), 422, "invalid_input")


def test_linking_a_map_participant_and_the_withdrawal_on_the_map_api(writable_client):
    ws = writable_client.app.state.workspace
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    person = consenting(ws, sheet.id)
    made = ws.maps.create("Our map")
    heron = ws.maps.join(made.id, "Heron", "residents")
    park = ws.maps.add_factor(made.id, {"label": "Park"}, participant_id=heron["id"])
    ws.map_talk.comment(made.id, "factor", park["id"], "Mend the gate", participant_id=heron["id"])
    url = f"/api/v1/maps/{made.id}/participants/Heron/person"
    linked = writable_client.put(url, json={"person": person.code})
    assert linked.status_code == 200 and linked.json()["person"] == person.code
    error_shape(writable_client.put(url, json={"person": "P-NOBODY"}), 404, "not_found")
    error_shape(
        writable_client.put(
            f"/api/v1/maps/{made.id}/participants/Nobody/person", json={"person": None}
        ),
        404,
        "not_found",
    )
    ws.consent.withdraw(person.id, scopes=["take_part"], method="online")
    assert writable_client.get(f"/api/v1/maps/{made.id}/comments").json() == []
    shown = writable_client.get(f"/api/v1/maps/{made.id}").json()
    assert shown["participants"] == [] and shown["factors"][0]["contributor"] is None

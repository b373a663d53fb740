"""World Cafés on the web (issue 16, item 1): the set-up page, the table's harvest page without
JavaScript, notes kept once per client key, the host link (its token, the Origin check, the
limit), roles, the JSON API and the export."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes import _cafe_host

from .._coproduction import add_event
from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a password for the test"
OWN = {"Origin": "https://testserver"}


def _cafe(ws):
    event = add_event(ws)
    ws.cafes.add_question(event, "What makes a park feel safe?", round_number=1)
    ws.cafes.add_question(event, "Where could art happen?", round_number=2)
    ws.cafes.add_question(event, "What first?")
    table = ws.cafes.add_table(event, "Table 1", host="Sam")
    other = ws.cafes.add_table(event, "Table 2", host="Ade", position=2)
    return event, table, other


def _signed_in(app, role):
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    client.post("/login", data={"username": role, "password": PASSWORD}, headers=OWN)
    return client


def test_set_up_a_cafe_and_write_notes_without_javascript(writable_client):
    ws = writable_client.app.state.workspace
    event = add_event(ws)
    for data in (
        {"text": "Green space?", "round_number": "1"},
        {"text": "First?", "round_number": ""},
    ):
        answer = writable_client.post(
            f"/events/{event}/cafe/questions", data=data, follow_redirects=False
        )
        assert answer.status_code == 303, answer.text
    writable_client.post(f"/events/{event}/cafe/tables", data={"label": "Table 1", "host": "Sam"})
    page = writable_client.get(f"/events/{event}/cafe")
    assert page.status_code == 200 and "Green space?" in page.text and "/harvest/" in page.text
    table = ws.cafes.tables(event)[0]
    qr = writable_client.get(f"/events/{event}/cafe/tables/{table.id}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    harvest_url = f"/events/{event}/harvest/{table.id}"
    form = writable_client.get(harvest_url + "?round=1")
    assert form.status_code == 200 and 'name="client_key"' in form.text
    assert '<script src="/static/harvest.js">' in form.text  # no inline script
    key = str(uuid.uuid4())
    for _ in range(2):  # the form posted twice (a reload that re-posts): kept once
        sent = writable_client.post(
            harvest_url,
            data={"text": "Lights on the path", "round": "1", "client_key": key},
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"].endswith("sent=note#notes")
    shown = writable_client.get(harvest_url + "?round=1&sent=note")
    assert shown.text.count("Lights on the path") == 1 and "The note is sent." in shown.text
    refused = writable_client.post(harvest_url, data={"text": "", "round": "1"})
    assert refused.status_code == 422 and "a note needs its words" in refused.text
    plenary = writable_client.post(harvest_url, data={"text": "Start now", "round": "plenary"})
    assert plenary.status_code == 200  # followed back to the page
    whole = writable_client.get(f"/events/{event}/harvest")
    assert "Lights on the path" in whole.text and "Start now" in whole.text


def test_the_api_keeps_a_note_once_per_client_key(writable_client):
    ws = writable_client.app.state.workspace
    event, table, _ = _cafe(ws)
    body = {
        "text": "=1+1 benches",
        "table": "Table 1",
        "round_number": 1,
        "client_key": "k-12345678",
    }
    first = writable_client.post(f"/api/v1/events/{event}/cafe/notes", json=body)
    again = writable_client.post(f"/api/v1/events/{event}/cafe/notes", json=body)
    assert (first.status_code, first.json()["stored"]) == (201, True)
    assert (again.status_code, again.json()["stored"]) == (200, False)
    assert again.json()["id"] == first.json()["id"]
    notes = writable_client.get(f"/api/v1/events/{event}/cafe/notes").json()["notes"]
    assert [n["text"] for n in notes] == ["=1+1 benches"]
    assert len(writable_client.get(f"/api/v1/events/{event}/cafe/questions").json()) == 3
    made = writable_client.post(f"/api/v1/events/{event}/cafe/tables", json={"label": "Table 3"})
    assert made.status_code == 201
    error_shape(
        writable_client.post(f"/api/v1/events/{event}/cafe/tables", json={"label": "Table 3"}),
        409,
        "conflict",
    )
    error_shape(
        writable_client.post(
            f"/api/v1/events/{event}/cafe/notes", json=body | {"client_key": "no"}
        ),
        422,
        "invalid_input",
    )
    exported = writable_client.get(f"/api/v1/events/{event}/cafe/export.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[0]["text"] == "'=1+1 benches" and rows[0]["table"] == "Table 1"
    error_shape(
        writable_client.get(f"/api/v1/events/{event}/cafe/export.xlsx"), 422, "invalid_input"
    )
    item = writable_client.post(
        f"/api/v1/events/{event}/agenda", json={"title": "Mapping", "notes": "Loops"}
    )
    assert item.status_code == 201
    ws.actions.add("Open the park toilets", place=None, event=event)
    ws.actions.add("Another workshop's action", place=None)
    agenda = writable_client.get(f"/events/{event}/agenda").text
    assert agenda.count("Loops") == 1 and "Open the park toilets" in agenda
    assert "Another workshop's action" not in agenda
    # the harvest page's script asks for JSON: 201 stored, 200 already stored
    url = f"/events/{event}/harvest/{table.id}"
    sent = {"text": "Shade", "round": "1", "client_key": "j-12345678"}
    answers = [
        writable_client.post(url, data=sent, headers={"Accept": "application/json"})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 200]


def test_a_host_link_writes_its_own_table_only(sqlite_workspace, monkeypatch):
    ws = sqlite_workspace
    event, table, other = _cafe(ws)
    token = ws.cafes.host_token(table.id, key=SHARED.secret_key)
    app = create_app(SHARED, workspace=ws)
    host = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    url = f"/harvest/{table.id}/{token}"
    page = host.get(url)
    assert page.status_code == 200 and "Table 1" in page.text
    assert 'value="plenary"' not in page.text  # the plenary is the facilitators'
    sent = host.post(
        url, data={"text": "Swings", "round": "2"}, headers=OWN, follow_redirects=False
    )
    assert sent.status_code == 303
    harvest = ws.cafes.harvest(event)
    assert [n.text for n in harvest.rounds[2]["Table 1"]] == ["Swings"]
    assert host.post(url, data={"text": "x", "round": "plenary"}, headers=OWN).status_code == 403
    # another table's link, a made-up token, another site's page: refused
    assert host.get(f"/harvest/{other.id}/{token}").status_code == 403
    assert host.get(f"/harvest/{table.id}/{'0' * 40}").status_code == 403
    forged = host.post(
        url, data={"text": "x", "round": "1"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    # a table's link sends at most so many notes an hour
    monkeypatch.setattr(_cafe_host, "HOST_NOTES_PER_HOUR", 2)
    codes = [
        host.post(url, data={"text": f"n{i}", "round": "1"}, headers=OWN).status_code
        for i in range(3)
    ]
    assert codes[-1] == 429
    ws.events.cancel(event)
    assert host.get(url).status_code == 403


@pytest.mark.parametrize(
    ("role", "reads", "sets_up"),
    [
        ("partner", 403, 403),
        ("viewer", 403, 403),
        ("data_controller", 200, 403),
        ("facilitator", 200, 200),
    ],
)
def test_who_reads_and_sets_up_a_cafe(sqlite_workspace, role, reads, sets_up):
    ws = sqlite_workspace
    event, table, _ = _cafe(ws)
    ws.cafes.add_note(event, "A note", table="Table 1", round_number=1)
    ws.users.create(role, PASSWORD, role=role)
    client = _signed_in(create_app(SHARED, workspace=ws), role)
    assert client.get(f"/events/{event}/harvest").status_code == reads
    assert client.get(f"/api/v1/events/{event}/cafe/notes").status_code == reads
    assert client.get(f"/events/{event}/cafe").status_code == sets_up
    assert client.get(f"/events/{event}/harvest/{table.id}").status_code == sets_up

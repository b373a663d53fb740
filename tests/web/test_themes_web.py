"""Themes on the web (issue 16, item 4): the codebook and coding through the API and the
coding page without JavaScript, agreement, counts disclosure-controlled for a partner, the
.qdpx export and import, a factor's evidence."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event
from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a password for the test"


def _notes(ws, event):
    adds = ws.event_contributions.add
    return [
        adds(event, kind="note", text=text, group_label=f"Table {i}").id
        for i, text in enumerate(["The park needs benches", "Bus fares are too high"])
    ]


def test_codebook_and_coding_through_the_api(writable_client):
    ws = writable_client.app.state.workspace
    event = add_event(ws)
    park, fares = _notes(ws, event)
    made = writable_client.post("/api/v1/themes", json={"name": "Green space"})
    assert made.status_code == 201, made.text
    green = made.json()["id"]
    sub = writable_client.post("/api/v1/themes", json={"name": "Benches", "parent_id": green})
    assert sub.json()["parent_id"] == green
    assert [t["name"] for t in writable_client.get("/api/v1/themes").json()] == [
        "Green space",
        "Benches",
    ]
    coded = writable_client.post(
        "/api/v1/codings",
        json={"contribution_id": park, "theme_id": green, "span_start": 4, "span_end": 8},
    )
    assert coded.status_code == 201, coded.text
    assert coded.json()["coder"] == "tester" and coded.json()["span_end"] == 8
    error_shape(
        writable_client.post(
            "/api/v1/codings", json={"contribution_id": park, "theme_id": green, "span_start": 4}
        ),
        422,
        "invalid_input",
    )
    error_shape(
        writable_client.post(
            "/api/v1/codings",
            json={"contribution_id": park, "theme_id": green, "span_start": 4, "span_end": 8},
        ),
        409,
        "conflict",
    )
    error_shape(writable_client.get("/api/v1/theme-counts?by=shoe_size"), 422, "invalid_input")
    error_shape(writable_client.get("/api/v1/theme-agreement?unit=word"), 422, "invalid_input")
    error_shape(writable_client.get("/api/v1/themes/nope"), 404, "not_found")
    counts = writable_client.get("/api/v1/theme-counts", params={"by": "event_kind"}).json()
    assert counts["rows"][0]["contributions"] == 1 and counts["k"] is None  # local: an admin
    agreement = writable_client.get("/api/v1/theme-agreement", params={"event": event}).json()
    assert agreement["coders"] == ["tester"] and agreement["warnings"]
    suggested = writable_client.get("/api/v1/theme-suggestions", params={"event": event}).json()
    assert [s["contribution_id"] for s in suggested["suggestions"]] == [fares]
    exported = writable_client.get("/api/v1/codings/export.qdpx", params={"event": event})
    assert exported.status_code == 200
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    imported = writable_client.post(
        "/api/v1/codings/import.qdpx", files={"file": ("t.qdpx", exported.content)}
    )
    assert imported.json()["skipped_codings"] == 1
    bad = writable_client.post("/api/v1/codings/import.qdpx", files={"file": ("b.qdpx", b"x")})
    assert "b.qdpx" in error_shape(bad, 422, "invalid_input")["message"]
    the_map = ws.maps.create("What helps")
    factor = writable_client.post(f"/api/v1/themes/{green}/factors", json={"map_id": the_map.id})
    assert factor.status_code == 201, factor.text
    evidence = writable_client.get(
        f"/api/v1/maps/{the_map.id}/factors/{factor.json()['id']}/evidence"
    ).json()
    assert [q["text"] for q in evidence["quotes"]] == ["park"]


def test_the_coding_page_codes_a_whole_contribution_without_javascript(writable_client):
    ws = writable_client.app.state.workspace
    event = add_event(ws)
    park, _ = _notes(ws, event)
    green = ws.themes.add("Green space").id
    page = writable_client.get(f"/events/{event}/coding")
    assert page.status_code == 200 and "The park needs benches" in page.text
    assert "/static/coding.js" in page.text and "<script>" not in page.text
    sent = writable_client.post(
        f"/events/{event}/coding",
        data={"contribution_id": park, "theme_id": green, "span_start": "", "span_end": ""},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    (coding,) = ws.themes.codings(event=event)
    assert coding.span_start is None and coding.coder == "tester"
    page = writable_client.get(f"/events/{event}/coding")
    assert "the whole contribution" in page.text
    spans = writable_client.post(
        f"/events/{event}/coding",
        data={"contribution_id": park, "theme_id": green, "span_start": "4", "span_end": "99"},
    )
    assert spans.status_code == 422 and "span" in spans.text
    other = add_event(ws, "Another event")
    wrong = writable_client.post(
        f"/events/{other}/coding", data={"contribution_id": park, "theme_id": green}
    )
    assert wrong.status_code == 404
    removed = writable_client.post(
        f"/events/{event}/coding/{coding.id}/remove", follow_redirects=False
    )
    assert removed.status_code == 303 and not ws.themes.codings(event=event)
    for path in (
        "/themes",
        "/themes/counts",
        "/themes/agreement",
        f"/themes/agreement?event={event}",
    ):
        assert writable_client.get(path).status_code == 200, path


def test_counts_are_disclosure_controlled_for_a_partner(sqlite_workspace, hasher):
    ws = sqlite_workspace
    event = add_event(ws)
    park, _ = _notes(ws, event)
    green = ws.themes.add("Green space").id
    ws.themes.code(park, green, coder="ana")
    ws.users.create("partner", PASSWORD, role="partner")
    client = TestClient(
        create_app(SHARED, workspace=ws), base_url="https://testserver",
        raise_server_exceptions=False,
    )  # fmt: skip
    client.post("/login", data={"username": "partner", "password": PASSWORD})
    counts = client.get("/api/v1/theme-counts").json()
    assert counts["k"] >= 2 and counts["rows"][0]["contributions"] is None
    assert counts["rows"][0]["voices_shown"].startswith("fewer than")
    page = client.get("/themes/counts")
    assert page.status_code == 200 and "fewer than" in page.text
    assert client.get(f"/events/{event}/coding").status_code == 403
    assert client.get("/api/v1/codings").status_code == 403

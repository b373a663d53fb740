"""The review of issue 16 on the web: the public page leaks nothing private; "²" as a round and a
damaged REFI-QDA zip are 4xx, never 500; a host link cannot replay another table's key, expires,
and sends fewer photos than notes; the contributions page reads their links in one query; media
are served in byte ranges."""

from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes import _cafe_host

from .._coproduction import add_event, consenting, png
from .._you_said import add_theme, code, say
from .conftest import LOCAL

SECRET = "a-long-random-test-secret-0123456789"
JSON = {"accept": "application/json"}


@pytest.fixture
def local(sqlite_workspace):
    """Local mode (no sign-in) on an empty workspace; a café with two tables."""
    ws = sqlite_workspace
    event = add_event(ws)
    ws.cafes.add_question(event, "What helps?", round_number=1)
    one = ws.cafes.add_table(event, "Table 1", host="Sam")
    two = ws.cafes.add_table(event, "Table 2", host="Jo", position=2)
    settings = Settings(host="127.0.0.1", user="tester", secret_key=SECRET)
    client = TestClient(create_app(settings, workspace=ws), raise_server_exceptions=False, **LOCAL)
    host = f"/harvest/{one.id}/{ws.cafes.host_token(one.id, key=SECRET)}"
    return client, ws, event, one, two, host


# -- 1: the public page -------------------------------------------------------------------------
def test_the_public_page_shows_no_words_of_a_private_event(sqlite_workspace):
    ws = sqlite_workspace
    from mobilise.formats.ons import read_boundaries

    from ..conftest import FIXTURES

    ws.areas.import_boundaries(read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson"))
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    closed = add_event(ws, "Closed workshop", place="testtown", public=False)
    theme = add_theme(ws, "Access to GPs")
    code(ws, say(ws, closed, "Dr Smith turns families away", group_label="T2", public=True), theme)
    code(ws, say(ws, closed, "Not marked public either", group_label="T3"), theme)
    app = create_app(Settings(host="0.0.0.0", secret_key=SECRET), workspace=ws)
    anonymous = TestClient(app, raise_server_exceptions=False, **LOCAL)
    for path in (
        "/places/testtown/you-said-we-did",
        "/api/v1/places/testtown/you-said-we-did",
        "/places/testtown/you-said-we-did.atom",
    ):
        answer = anonymous.get(path)
        assert answer.status_code == 200
        assert "turns families away" not in answer.text and "Not marked" not in answer.text


# -- 6: input that was a 500 --------------------------------------------------------------------
def test_a_round_of_unicode_digits_is_refused_not_a_500(local):
    client, _, event, one, _, host = local
    photo = {"media": ("a.png", png(), "image/png")}
    for path, data, files in (
        (host, {"text": "hello", "round": "²", "client_key": "abcdefgh-1"}, None),
        (host + "/photo", {"round": "²"}, photo),
        (f"/events/{event}/harvest/{one.id}/photo", {"round": "²"}, photo),
        (f"/events/{event}/harvest/{one.id}", {"text": "hi", "round": "١"}, None),
        (f"/events/{event}/cafe/questions", {"text": "Q?", "round_number": "²"}, None),
    ):
        answer = client.post(path, data=data, files=files)
        assert answer.status_code == 422, (path, answer.status_code)
    assert client.get(host + "?round=²").status_code == 422
    assert client.post(host + "/photo", data={"round": "1"}, files=photo).status_code == 200


def _qdpx(document: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("project.qde", document)
    return out.getvalue()


def test_a_damaged_qdpx_upload_is_a_422(local):
    client = local[0]
    good = b'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="p"/>'
    corrupt = bytearray(_qdpx(good))
    corrupt[corrupt.find(b"urn:QDA")] ^= 0x20
    unknown = bytearray(_qdpx(good))
    unknown[8:10] = (99).to_bytes(2, "little")
    central = unknown.find(b"PK\x01\x02")
    unknown[central + 10 : central + 12] = (99).to_bytes(2, "little")
    for data in (corrupt, unknown):
        answer = client.post(
            "/api/v1/codings/import.qdpx",
            files={"file": ("p.qdpx", bytes(data), "application/zip")},
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "invalid_input"


# -- 10: host links -----------------------------------------------------------------------------
def test_a_host_link_cannot_replay_another_tables_key(local):
    client, ws, event, _, two, host = local
    key = "0123456789-secret-key"
    ws.cafes.add_note(
        event, "Table two private words", table=two.id, round_number=1, client_key=key
    )
    answer = client.post(host, data={"text": "x", "round": "1", "client_key": key}, headers=JSON)
    assert answer.status_code == 409 and "private words" not in answer.text


def test_a_host_link_expires(sqlite_workspace):
    ws = sqlite_workspace
    event = add_event(ws)  # ended on 2 May 2026
    table = ws.cafes.add_table(event, "Table 1")
    link = f"/harvest/{table.id}/{ws.cafes.host_token(table.id, key=SECRET)}"
    for hours, status in ((48, 200), (0, 403)):  # 0: over as soon as the table was made
        settings = Settings(host="127.0.0.1", secret_key=SECRET, host_link_hours=hours)
        client = TestClient(
            create_app(settings, workspace=ws), raise_server_exceptions=False, **LOCAL
        )
        answer = client.get(link)
        assert answer.status_code == status
    assert "expired" in answer.text and "MOBILISE_HOST_LINK_HOURS" in answer.text


def test_a_host_link_sends_fewer_photos_than_notes(local, monkeypatch):
    client, _, _, _, _, host = local
    monkeypatch.setattr(_cafe_host, "HOST_PHOTOS_PER_HOUR", 1)
    monkeypatch.setattr(_cafe_host, "HOST_NOTES_PER_HOUR", 5)
    photo = {"media": ("a.png", png(b"one"), "image/png")}
    assert client.post(host + "/photo", data={"round": "1"}, files=photo).status_code == 200
    again = client.post(host + "/photo", data={"round": "1"}, files=photo)
    assert again.status_code == 429 and "photos" in again.text
    note = client.post(host, data={"text": "still fine", "round": "1"}, headers=JSON)
    assert note.status_code == 201


# -- 11: the contributions page -----------------------------------------------------------------
def test_the_contributions_page_does_not_grow_its_queries_with_the_contributions(sqlite_workspace):
    ws = sqlite_workspace
    sheet = ws.consent.add_sheet("Taking part", "v1", "...")
    event = add_event(ws)
    client = TestClient(
        create_app(Settings(host="127.0.0.1", user="t"), workspace=ws),
        raise_server_exceptions=False,
        **LOCAL,
    )
    counts = []
    for _ in range(2):
        for n in range(8):
            person = consenting(ws, sheet.id, quote="anonymous")
            ws.event_contributions.add(
                event, kind="quote", text=f"words {n}", participant=person.id
            )
        queries = {"n": 0}

        def counted(*_args, queries=queries):
            queries["n"] += 1

        sa_event.listen(ws.engine, "before_cursor_execute", counted)
        try:
            assert client.get(f"/events/{event}/contributions").status_code == 200
        finally:
            sa_event.remove(ws.engine, "before_cursor_execute", counted)
        counts.append(queries["n"])
    assert counts[1] == counts[0]  # 8 then 16 contributions: the same queries


# -- 17: media in byte ranges -------------------------------------------------------------------
def test_media_are_served_in_byte_ranges(local):
    client, ws, event, *_ = local
    picture = ws.event_contributions.add(
        event, kind="photo", group_label="T1", media=png(b"sheet"), alt_text="A sheet", public=True
    )
    whole, _ = ws.event_contributions.media(picture.id)
    for path in (f"/media/{picture.id}", f"/api/v1/event-contributions/{picture.id}/media"):
        part = client.get(path, headers={"range": "bytes=0-9"})
        assert part.status_code == 206 and part.content == whole[:10], path
        assert part.headers["content-range"] == f"bytes 0-9/{len(whole)}"
        assert client.get(path).content == whole

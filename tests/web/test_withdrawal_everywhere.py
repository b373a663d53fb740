"""Withdrawal flows into everything (issue 15, acceptance): one test that walks them all.

A participant gave a quote and a photo at an event, commented on a systems map (as a map
participant linked to them) and was paid. They withdraw the ``quote`` and ``photos`` scopes.
Then, as an admin, the test walks **every GET route the app serves** (read from its route table
as :mod:`tests.web.test_route_matrix` does, ids filled from its fixture; a route added later is
walked without anyone editing this file), each export route in both CSV and JSON, and the
command line's exports, and checks that the quote's text and the photo (its bytes and its id)
appear in none of them, while the payment (finance keeps it) and the map comment (given under
``take_part``, not withdrawn) still appear.

Issue 16: the photo is public (with alt text) and about an asset, so before the withdrawal it is
in the galleries, the exhibition, the public file route and the asset's page; and the walk is
repeated for a person who withdraws ``take_part`` alone, which hides everything they gave.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobilise.cli.main import run
from mobilise.web.app import create_app

from .._coproduction import add_event, png
from .test_route_matrix import PASSWORD, RULES, SHARED, _fixture, _url, served_routes

QUOTE = "Nobody walks to the clinic after dark, the lights are out"
MAP_COMMENT = "The footbridge is the only way to the market"
PAYMENT = "Photovoice session, half day"
FORMATS = ("csv", "json")


@pytest.fixture(params=[("quote", "photos"), ("take_part",)], ids=["quote+photos", "take_part"])
def walked(request, sqlite_workspace, hasher, tmp_path):
    """The app on a workspace with the matrix's records and the participant who withdraws."""
    ws = sqlite_workspace
    ids = _fixture(ws)
    sheet = ws.consent.add_sheet("Photovoice", "v1", "What taking part means ...")
    person = ws.participants.add(place="testtown", identity={"name": "Withdrawing person"})
    ws.consent.give(
        person.id,
        information_sheet=sheet.id,
        method="paper",
        scopes={"take_part": True, "quote": "named", "photos": True},
    )
    event = add_event(ws, "Photovoice walk", place="testtown")
    quote = ws.event_contributions.add(
        event, kind="quote", text=QUOTE, participant=person.code, public=True
    )
    photo = ws.event_contributions.add(
        event,
        kind="photo",
        media=png(b"withdrawn-photo-pixels"),
        participant=person.id,
        alt_text="A street lamp, unlit",
        public=True,
    )
    for said in (quote, photo):
        ws.event_contributions.link(said.id, "asset", ids["asset_id"])
    photo_bytes, _ = ws.event_contributions.media(photo.id)
    joined = ws.maps.join(ids["map_id"], "Otter", "residents")
    ws.maps.link_person(ids["map_id"], "Otter", person.code)
    ws.map_talk.comment(
        ids["map_id"], "factor", ids["factor_id"], MAP_COMMENT, participant_id=joined["id"]
    )
    ws.payments.add(person.id, activity=PAYMENT, amount_pence=7_500, paid_on=date.today())
    app = create_app(dataclasses.replace(SHARED, backup_dir=str(tmp_path / "b")), workspace=ws)
    admin = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    assert admin.post("/login", data={"username": "admin", "password": PASSWORD}).is_success
    ids |= {
        "event_id": event,
        "event_contribution_id": photo.id,
        "participant_id": person.id,
        "participant": person.code,
    }
    return SimpleWalk(ws, admin, ids, person, quote.id, photo.id, photo_bytes, request.param)


@dataclasses.dataclass
class SimpleWalk:
    ws: Any
    admin: TestClient
    ids: dict[str, str]
    person: Any
    quote_id: str
    photo_id: str
    photo_bytes: bytes
    withdrawn: tuple[str, ...] = ("quote", "photos")


def _urls(app: Any, ids: dict[str, str]) -> list[str]:
    """Every GET route of the app with its ids filled, each file format in CSV and JSON."""
    urls = []
    for method, path in served_routes(app):
        if method != "GET":
            continue
        rule = RULES[f"{method} {path}"]  # the matrix test fails first on a route without one
        formats = FORMATS if ("{file_format}" in path or "{fmt}" in path) else ("",)
        for file_format in formats:
            filled = ids | ({"file_format": file_format, "fmt": file_format} if file_format else {})
            urls.append(_url(path, filled, rule))
    return urls


def _walk(walk: SimpleWalk) -> dict[str, bytes]:
    found = {}
    for url in _urls(walk.admin.app, walk.ids):
        response = walk.admin.get(url, follow_redirects=True)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        found[url] = _unechoed(response.content, url, walk.photo_id, response.status_code)
    return found


def _unechoed(body: bytes, asked: str, photo_id: str, status: int) -> bytes:
    """A "not found" answer names the id it was asked for: that echo is not a leak."""
    return body.replace(photo_id.encode(), b"") if status == 404 and photo_id in asked else body


def _cli_exports(walk: SimpleWalk, tmp_path: Any, capsys: Any) -> dict[str, bytes]:
    """What the command line's exports and listings write (on the same workspace file)."""
    ws = ["-w", str(walk.ws.engine.url.database)]
    event = walk.ids["event_id"]
    found = {}
    for name, argv in {
        "contributions.csv": ["contributions", "export", "{out}"],
        "contributions.json": ["contributions", "export", "{out}", "--format", "json"],
        "payments.csv": ["payments", "export", "{out}"],
        "totals.csv": ["payments", "export", "{out}", "--totals"],
        "map.mobilise.json": ["maps", "export", walk.ids["map_id"], "-o", "{out}"],
        "list": ["contributions", "list", event, "--json"],
        "media": ["contributions", "media", walk.photo_id, "{out}"],
    }.items():
        out = tmp_path / name
        run([*ws, *(str(out) if a == "{out}" else a for a in argv)])
        captured = capsys.readouterr()
        written = out.read_bytes() if out.exists() else b""
        said = written + captured.out.encode() + captured.err.encode()
        found[f"cli {name}"] = _unechoed(
            said, " ".join(argv), walk.photo_id, 404 if not written else 200
        )
    return found


def test_a_withdrawal_reaches_every_page_api_answer_and_export(walked, tmp_path, capsys):
    walk = walked
    # Before: the quote and the photo are there to be found.
    before = walk.admin.get(f"/api/v1/events/{walk.ids['event_id']}/contributions").text
    assert QUOTE in before and walk.photo_id in before
    assert walk.admin.get(f"/api/v1/event-contributions/{walk.photo_id}/media").content == (
        walk.photo_bytes
    )

    assert walk.admin.get(f"/media/{walk.photo_id}").content == walk.photo_bytes
    assert walk.photo_id in walk.admin.get("/api/v1/places/testtown/gallery").text
    assert QUOTE in walk.admin.get(f"/assets/{walk.ids['asset_id']}").text

    walk.ws.consent.withdraw(walk.person.id, scopes=list(walk.withdrawn), method="online")

    seen = _walk(walk) | _cli_exports(walk, tmp_path, capsys)
    assert len(seen) > 100  # every GET route of the app, and the CLI's exports
    leaks = [
        where
        for where, body in seen.items()
        if QUOTE.encode() in body
        or walk.photo_bytes in body
        or walk.photo_id.encode() in body
        or walk.quote_id.encode() in body
    ]
    assert not leaks, f"the withdrawn quote or photo still shows in: {leaks}"
    # What was not withdrawn stays: the payment (finance needs it) and the map comment.
    assert any(PAYMENT.encode() in body for where, body in seen.items() if "payments" in where)
    assert PAYMENT.encode() in seen["cli payments.csv"]
    if "take_part" in walk.withdrawn:
        return  # the map comment was given under take_part: not asked to stay
    comments = seen[f"/api/v1/maps/{walk.ids['map_id']}/comments"]
    assert MAP_COMMENT in json.loads(comments)[-1]["text"]

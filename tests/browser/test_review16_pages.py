"""The review of issue 16 in the browser: the exhibition fetches the gallery again each time
round and drops a picture no longer public; the harvest page on a shared phone keeps only each
note's text, round and key (never the link's token), offers "Try again" and "Discard" for a
refused note, and forgets everything when the link is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mobilise import Workspace, open_workspace
from mobilise.settings import DEFAULT_SECRET_KEY, Settings
from mobilise.web.app import create_app

from .._coproduction import add_event, png
from ..conftest import serving
from .test_events_phone import PHONE


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    try:
        yield workspace
    finally:
        workspace.close()


def test_the_exhibition_drops_a_picture_no_longer_public(browser, ws):
    event = add_event(ws, "Arts café", public=True)
    shown = [
        ws.event_contributions.add(
            event,
            kind="photo",
            media=png(marker),
            group_label=f"Table {n}",
            alt_text=f"Sheet {n}",
            public=True,
        )
        for n, marker in enumerate((b"one", b"two"), start=1)
    ]
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        screen = browser.new_context(viewport={"width": 1400, "height": 900})
        page = screen.new_page()
        page.goto(f"{url}/events/{event}/exhibition")
        slides = page.locator(".slide")
        expect(slides).to_have_count(2)
        ws.media.describe(shown[1].id, public=False)  # staff take it out of public view
        next_ = page.get_by_role("button", name="Next")
        next_.click()  # to the second picture ...
        next_.click()  # ... and round again: the gallery is fetched anew
        expect(slides).to_have_count(1)
        expect(page.get_by_alt_text("Sheet 2")).to_have_count(0)
        expect(page.locator(".position")).to_have_text("1 of 1")
        screen.close()


def _stored(page, table_id: str):
    found = page.evaluate(f"localStorage.getItem('mobilise-harvest:{table_id}')")
    return None if found is None else json.loads(found)


def test_a_shared_phone_keeps_only_the_words_and_forgets_a_refused_link(browser, ws):
    event = add_event(ws)
    ws.cafes.add_question(event, "What helps?", round_number=1)
    table = ws.cafes.add_table(event, "Table 1", host="Sam")
    token = ws.cafes.host_token(table.id, key=DEFAULT_SECRET_KEY)
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        link = f"{url}/harvest/{table.id}/{token}"
        page.goto(link)
        page.get_by_text("What helps?").wait_for()
        answer = {"status": 422, "message": "The note is refused for the test."}

        def refusing(route):
            if route.request.method != "POST":
                route.continue_()
                return
            body = {"error": {"code": "x", "message": answer["message"], "problems": []}}
            route.fulfill(status=answer["status"], json=body)

        page.route(link, refusing)
        page.get_by_label("Note").fill("Benches in the shade")
        page.get_by_role("button", name="Send note").click()
        waiting = page.locator("#waiting")
        waiting.get_by_text("Not sent: The note is refused for the test.").wait_for()
        kept = _stored(page, table.id)
        assert kept["queue"] == [
            {"key": kept["queue"][0]["key"], "text": "Benches in the shade", "round": "1"}
        ]
        assert token not in json.dumps(kept) and "refused" not in json.dumps(kept)
        page.get_by_role("button", name="Discard: Benches in the shade").click()
        expect(waiting.locator("li")).to_have_count(0)
        assert _stored(page, table.id) is None  # nothing waits, no draft: nothing kept

        page.get_by_label("Note").fill("Lights on the path")
        page.get_by_role("button", name="Send note").click()
        page.get_by_role("button", name="Try again: Lights on the path").wait_for()
        page.unroute(link)
        page.get_by_role("button", name="Try again: Lights on the path").click()
        page.locator("#sent").get_by_text("Lights on the path").wait_for()
        page.get_by_text("Every note is sent.").wait_for()
        assert _stored(page, table.id) is None

        answer.update(status=403, message="This host link expired.")
        page.route(link, refusing)
        page.get_by_label("Note").fill("Music on Sundays")
        page.get_by_role("button", name="Send note").click()
        page.get_by_text("Nothing is kept on this phone").wait_for()
        assert _stored(page, table.id) is None
        phone.close()

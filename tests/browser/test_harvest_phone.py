"""The acceptance test of a café table's harvest on a phone (issue 16, item 1): a table host
opens the table's link on a 390 px page, enters notes for two rounds on a poor connection (a
note whose answer is lost, a note that cannot be sent), reloads the page mid-typing and loses
nothing: the draft comes back, the unsent notes are sent, and none is kept twice. Then the same
page without JavaScript posts one note at a time. Every page is checked with axe and for
sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import DEFAULT_SECRET_KEY, Settings
from mobilise.web.app import create_app

from .._coproduction import add_event, png
from ..conftest import serving
from .test_events_phone import PHONE, fits


@pytest.fixture
def cafe(tmp_path: Path) -> Iterator[tuple[Workspace, str, str]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    event = add_event(ws, "Café on parks, arts and health")
    ws.cafes.add_question(event, "What makes green space feel yours?", round_number=1)
    ws.cafes.add_question(event, "What would bring you to community arts?", round_number=2)
    table = ws.cafes.add_table(event, "Table 1", host="Sam")
    try:
        yield ws, event, table.id
    finally:
        ws.close()


def _texts(ws: Workspace, event: str, round_number: int) -> list[str]:
    notes = ws.cafes.harvest(event).rounds.get(round_number, {}).get("Table 1", [])
    return sorted(note.text for note in notes)


def _send(page, words: str) -> None:
    page.get_by_label("Note").fill(words)
    page.get_by_role("button", name="Send note").click()


def test_a_host_enters_two_rounds_reloads_mid_typing_and_loses_nothing(browser, axe, cafe):
    ws, event, table_id = cafe
    token = ws.cafes.host_token(table_id, key=DEFAULT_SECRET_KEY)
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        link = f"{url}/harvest/{table_id}/{token}"
        page.goto(link)
        page.get_by_text("What makes green space feel yours?").wait_for()
        assert axe(page) == [] and fits(page) is None
        sent, waiting = page.locator("#sent"), page.locator("#waiting")

        _send(page, "Benches in the shade")
        sent.get_by_text("Benches in the shade").wait_for()
        page.get_by_text("Every note is sent.").wait_for()

        # a poor connection: first the server keeps a note but its answer never arrives, then
        # nothing gets through at all
        connection = {"state": "answer lost"}

        def poor(route):
            if route.request.method != "POST" or connection["state"] == "good":
                route.continue_()
                return
            if connection["state"] == "answer lost":
                route.fetch()
                connection["state"] = "down"
            route.abort()

        page.route(link, poor)
        _send(page, "A community garden")
        waiting.get_by_text("A community garden").wait_for()
        _send(page, "Lights on the path")
        waiting.get_by_text("Lights on the path").wait_for()
        page.get_by_text("2 notes are waiting to be sent.").wait_for()
        page.get_by_label("Note").fill("Half a thought about")  # mid-typing ...
        assert axe(page) == [] and fits(page) is None
        connection["state"] = "good"
        page.reload()  # ... the page reloads
        assert page.get_by_label("Note").input_value() == "Half a thought about"
        sent.get_by_text("Lights on the path").wait_for()
        sent.get_by_text("A community garden").wait_for()
        page.get_by_text("Every note is sent.").wait_for()
        assert _texts(ws, event, 1) == [
            "A community garden",
            "Benches in the shade",
            "Lights on the path",
        ]  # the note whose answer was lost is kept once

        # round 2, and a reload mid-typing there too
        page.get_by_label("Round", exact=True).select_option("2")
        page.get_by_role("button", name="Show").click()
        page.get_by_text("What would bring you to community arts?").wait_for()
        _send(page, "Murals by young people")
        sent.get_by_text("Murals by young people").wait_for()
        page.get_by_label("Note").fill("Music in the")
        page.reload()
        assert page.get_by_label("Note").input_value() == "Music in the"
        page.get_by_label("Note").fill("Music in the park on Sundays")
        page.get_by_role("button", name="Send note").click()
        sent.get_by_text("Music in the park on Sundays").wait_for()
        assert _texts(ws, event, 2) == ["Murals by young people", "Music in the park on Sundays"]
        assert len(_texts(ws, event, 1)) == 3
        page.goto(f"{link}?round=1")  # round 1's draft is still there
        assert page.get_by_label("Note").input_value() == "Half a thought about"
        assert axe(page) == [] and fits(page) is None
        assert errors == []
        phone.close()

        # without JavaScript: a plain form, one note at a time
        plain = browser.new_context(**PHONE, java_script_enabled=False)
        page = plain.new_page()
        page.goto(f"{link}?round=2")
        _send(page, "A choir for carers")
        page.get_by_text("The note is sent.").wait_for()
        assert page.locator("#sent").get_by_text("A choir for carers").is_visible()
        assert fits(page) is None
        plain.close()
    assert len(_texts(ws, event, 2)) == 3


def test_the_set_up_harvest_and_agenda_pages_on_a_phone(browser, axe, cafe):
    ws, event, table_id = cafe
    ws.cafes.add_question(event, "If one thing changed first, what should it be?")
    ws.cafes.add_note(event, "Lights on the main path", table=table_id, round_number=1)
    ws.cafes.add_note(event, "Open the park toilets")
    ws.cafes.add_photo(event, png(), table=table_id, round_number=1, caption="Table 1's sheet")
    ws.cafes.add_agenda_item(event, "Mapping the system", notes="Loops around isolation")
    ws.actions.add("Open the park toilets", place=None, event=event)
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        for path, heading in (
            (f"/events/{event}/cafe", "World Café"),
            (f"/events/{event}/harvest", "The harvest of"),
            (f"/events/{event}/harvest/{table_id}", "Table 1"),
            (f"/events/{event}/agenda", "Agenda"),
        ):
            page.goto(url + path)
            assert page.get_by_role("heading", level=1).inner_text().startswith(heading)
            assert axe(page) == [], path
            assert fits(page) is None
        assert page.goto(f"{url}/events/{event}/harvest") is not None
        photo = page.get_by_alt_text("Photo of the paper sheet of Table 1, round 1")
        photo.scroll_into_view_if_needed()  # a lazy image: it loads when a reader reaches it
        photo.wait_for(state="visible")
        page.goto(f"{url}/events/{event}/cafe")
        page.get_by_label("Table", exact=True).fill("Table 2")
        page.get_by_label("Host (a first name)").fill("Ade")
        page.get_by_role("button", name="Add the table").click()
        page.get_by_text("The table is added.").wait_for()
        assert [t.label for t in ws.cafes.tables(event)] == ["Table 1", "Table 2"]
        phone.close()

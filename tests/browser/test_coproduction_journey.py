"""Issue 16's acceptance, end to end in one browser run on a shared deployment: a table host
enters two rounds of notes on a phone through the table's link and reloads mid-typing without
losing anything; a facilitator codes a note; an action answering that theme is created, and a
resident sees it, with what was said, on the place's public "you said, we did" page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event
from ..conftest import serving
from .test_events_phone import PHONE, fits

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a-long-test-password-123"


@pytest.fixture
def cafe(tmp_path: Path, hasher) -> Iterator[tuple[Workspace, str, str]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    ws.places.create("testtown", "Testtown")
    event = add_event(ws, "Café on parks, arts and health", place="testtown", public=True)
    ws.cafes.add_question(event, "What makes green space feel yours?", round_number=1)
    ws.cafes.add_question(event, "What would bring you to community arts?", round_number=2)
    table = ws.cafes.add_table(event, "Table 1", host="Sam")
    ws.themes.add("Green space", definition="Parks, trees, benches", place="testtown")
    ws.partners.create("Friends of Testtown Park", sector="environment", places=["testtown"])
    ws.users.create("fay", PASSWORD, role="facilitator")
    try:
        yield ws, event, table.id
    finally:
        ws.close()


def _send(page, words: str) -> None:
    page.get_by_label("Note").fill(words)
    page.get_by_role("button", name="Send note").click()


def test_from_a_table_on_a_phone_to_what_was_done(browser, axe, cafe):
    ws, event, table_id = cafe
    token = ws.cafes.host_token(table_id, key=SHARED.secret_key)
    with serving(create_app(SHARED, workspace=ws)) as url:
        # 1. The table's host, on a phone, with no account: two rounds, a reload mid-typing.
        phone = browser.new_context(**PHONE)
        host = phone.new_page()
        errors: list[str] = []
        host.on("pageerror", lambda error: errors.append(str(error)))
        host.goto(f"{url}/harvest/{table_id}/{token}")
        host.get_by_text("What makes green space feel yours?").wait_for()
        _send(host, "Benches in the shade by the playground")
        host.locator("#sent").get_by_text("Benches in the shade").wait_for()
        host.get_by_label("Note").fill("Half a thought about")
        host.reload()
        assert host.get_by_label("Note").input_value() == "Half a thought about"
        host.get_by_label("Round", exact=True).select_option("2")
        host.get_by_role("button", name="Show").click()
        host.get_by_text("What would bring you to community arts?").wait_for()
        _send(host, "Murals painted by young people")
        host.locator("#sent").get_by_text("Murals painted by young people").wait_for()
        assert axe(host) == [] and fits(host) is None
        notes = {n.text: n.id for n in ws.event_contributions.list(event)}
        assert set(notes) == {
            "Benches in the shade by the playground",
            "Murals painted by young people",
        }

        # 2. A facilitator signs in and codes the first note.
        desk = browser.new_context(viewport={"width": 1400, "height": 900})
        page = desk.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/login?next=/events/{event}/coding")
        page.fill("#username", "fay")
        page.fill("#password", PASSWORD)
        page.click("form.login button")
        page.get_by_role("heading", name="Coding what people said").wait_for()
        item = page.locator(f"#c-{notes['Benches in the shade by the playground']}")
        item.get_by_label("Theme").select_option(label="Green space")
        item.get_by_role("button", name="Code the whole contribution").click()
        page.get_by_text("The contribution is coded.").wait_for()
        assert axe(page) == []

        # 3. ... and adds the action that answers it.
        page.goto(f"{url}/actions")
        page.get_by_label("Place").select_option("testtown")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("heading", name="Add an action").wait_for()
        page.get_by_label("What will be done").fill("Shaded benches by the playground")
        page.get_by_label("Owner").select_option(label="Friends of Testtown Park")
        page.get_by_label("Due on").fill("2030-05-31")
        page.get_by_label("Status").select_option("in_progress")
        page.get_by_label("Green space").check()
        page.get_by_role("button", name="Add the action").click()
        page.get_by_text("The action is saved.").wait_for()
        desk.close()

        # staff mark the note public (the public page shows only what they marked public)
        ws.media.describe(notes["Benches in the shade by the playground"], public=True)

        # 4. A resident, not signed in, on a phone: what was said, and what is being done.
        public = phone.new_page()
        public.on("pageerror", lambda error: errors.append(str(error)))
        public.goto(f"{url}/places/testtown/you-said-we-did")
        todo = public.locator("section", has=public.get_by_role("heading", name="Still to do"))
        todo.get_by_role("heading", name="Shaded benches by the playground").wait_for()
        said = public.locator("section", has=public.get_by_role("heading", name="You said"))
        assert "Benches in the shade by the playground" in said.inner_text()
        assert axe(public) == [] and fits(public) is None
        assert errors == []
        phone.close()

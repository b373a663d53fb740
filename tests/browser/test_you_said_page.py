"""The acceptance test of "you said, we did" (issue 16): a facilitator signs in on a 1400 px
screen, creates an action answering a theme on the staff page, and it appears on the place's
public page, read on a 390 px phone without signing in, with the consented words of a resident
and never a pseudonym. Every page is checked with axe; the phone page for sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event, consenting
from .._you_said import add_theme, code, say
from ..conftest import serving
from .test_events_phone import PHONE, fits

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a-long-test-password-123"
WORDS = "The path to the park is too dark in winter"
DESK = {"viewport": {"width": 1400, "height": 900}}


@pytest.fixture
def town(tmp_path: Path, hasher) -> Iterator[tuple[Workspace, str]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    ws.places.create("testtown", "Testtown")
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    person = consenting(ws, sheet.id, quote="named")
    theme = add_theme(ws, "Feeling safe on the way")
    code(
        ws,
        say(
            ws,
            add_event(ws, place="testtown", public=True),
            WORDS,
            kind="quote",
            participant=person.id,
            public=True,  # the public page reads only public events' words marked public
        ),
        theme,
    )
    ws.partners.create("Friends of Testtown Park", sector="environment", places=["testtown"])
    ws.users.create("fay", PASSWORD, role="facilitator")
    try:
        yield ws, person.code
    finally:
        ws.close()


def test_a_facilitator_adds_an_action_and_the_public_sees_it_on_a_phone(browser, axe, town):
    ws, pseudonym = town
    with serving(create_app(SHARED, workspace=ws)) as url:
        desk = browser.new_context(**DESK)
        page = desk.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/login?next=/actions")
        page.fill("#username", "fay")
        page.fill("#password", PASSWORD)
        page.click("form.login button")
        page.wait_for_url("**/actions")
        page.get_by_label("Place").select_option("testtown")
        page.get_by_role("button", name="Show").click()
        page.get_by_role("heading", name="Add an action").wait_for()
        assert axe(page) == []
        page.get_by_label("What will be done").fill("New lights on the park path")
        page.get_by_label("Owner").select_option(label="Friends of Testtown Park")
        page.get_by_label("Due on").fill("2030-03-31")
        page.get_by_label("Status").select_option("in_progress")
        page.get_by_label("Feeling safe on the way").check()
        page.get_by_role("button", name="Add the action").click()
        page.get_by_text("The action is saved.").wait_for()
        assert page.get_by_role("heading", level=1).inner_text() == "New lights on the park path"
        assert axe(page) == []
        page.goto(f"{url}/places/testtown/you-said-we-did")
        page.get_by_role("heading", name="New lights on the park path").wait_for()
        assert axe(page) == []
        desk.close()

        phone = browser.new_context(**PHONE)  # a resident, not signed in
        public = phone.new_page()
        public.on("pageerror", lambda error: errors.append(str(error)))
        public.goto(f"{url}/places/testtown/you-said-we-did")
        todo = public.locator("section", has=public.get_by_role("heading", name="Still to do"))
        todo.get_by_role("heading", name="New lights on the park path").wait_for()
        assert (
            "Friends of Testtown Park" in todo.inner_text() and "31 March 2030" in todo.inner_text()
        )
        said = public.locator("section", has=public.get_by_role("heading", name="You said"))
        assert WORDS in said.inner_text() and "a resident" in said.inner_text()
        assert pseudonym not in public.content()
        assert axe(public) == [] and fits(public) is None
        assert errors == []
        phone.close()

"""The acceptance test of engagement events on a phone (issue 15): a resident registers online
through the event's link on a 390 px page, with consent given one scope at a time; a
facilitator signs them in at the door, with JavaScript and, in a second browser, without it,
and the representation chart of the place changes.
Every page is checked with axe and for sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._reach import PLACE, build_place
from ..conftest import serving

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def gathering(tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    build_place(ws, tmp_path)  # four Camden areas with their Census 2021 make-up
    ws.consent.add_sheet(
        "Taking part in Testtown's café",
        "v3",
        "We are asking people what keeps them well.\nYou can stop at any time.",
    )
    made = ws.events.create(
        kind="world_cafe",
        title="Café on parks and wellbeing",
        place=PLACE,
        starts_at="2030-06-01T10:00",
        ends_at="2030-06-01T12:00",
        venue_address="Testtown Library, 1 High Street",
        accessibility="Step-free access; a quiet room",
        capacity=20,
        public=True,
    )
    ws.events.open_registration(made.id)
    try:
        yield ws, made.id
    finally:
        ws.close()


def fits(page) -> None:
    """No sideways scrolling on a 390 px screen (a mobile browser widens its layout viewport
    to the content, so the page is measured against the screen, not the window)."""
    wide = page.evaluate("document.documentElement.scrollWidth") - PHONE["viewport"]["width"]
    assert wide <= 0, f"{page.url} is {wide} px wider than the screen"


def test_register_on_a_phone_then_sign_in_at_the_door(browser, axe, gathering):
    ws, event_id = gathering
    token = ws.events.get(event_id).registration_token
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/join/{token}")
        assert page.get_by_role("heading", level=1).inner_text().startswith("Register for")
        assert axe(page) == [] and fits(page) is None
        page.get_by_label("I agree to take part").check()
        page.get_by_label("Photos of me, or photos I take").check()
        page.get_by_label("Quoted anonymously").check()
        page.get_by_label("Your name").fill("Rowan Example")
        page.get_by_label("How old are you?").select_option("25_34")
        page.get_by_label("What is your ethnic group?").select_option("prefer_not_to_say")
        page.get_by_role("button", name="Register").click()
        page.get_by_role("heading", name="You are registered").wait_for()
        code = page.locator("#my-code").inner_text()
        assert axe(page) == [] and fits(page) is None
        person = ws.participants.get(code)
        state = ws.consent.state([person.id])[person.id]
        assert (state.take_part, state.photos, state.quote, state.audio) == (
            True,
            True,
            "anonymous",
            False,
        )

        # Who was reached counts people who came, not who registered.
        page.goto(f"{url}/places/{PLACE}/reach")
        assert page.locator("#reach-participants").inner_text() == "0"
        age = page.locator('ol[data-dimension="age_band"] li[data-group="25_34"]')

        # The door with JavaScript (the page needs none): find the code, sign in.
        page.goto(f"{url}/events/{event_id}/door")
        assert axe(page) == [] and fits(page) is None
        page.get_by_label("Pseudonym code or name").fill(code[2:].lower())
        page.get_by_role("button", name="Find").click()
        page.get_by_role("button", name=f"Sign in {code}").first.click()
        page.get_by_role("status").filter(has_text=f"Signed in: {code}").wait_for()
        assert ws.events.registrations(event_id)[0].attended
        # ... and the representation chart changes: one participant, aged 25 to 34.
        page.goto(f"{url}/places/{PLACE}/reach")
        assert page.locator("#reach-participants").inner_text() == "1"
        assert "(1)" in age.inner_text()
        assert float(age.locator("rect.bar-participants").get_attribute("width") or 0) > 0

        # A walk-in, at a door without JavaScript.
        plain = browser.new_context(**PHONE, java_script_enabled=False)
        door = plain.new_page()
        door.goto(f"{url}/events/{event_id}/door")
        door.get_by_label("Age band").select_option("65_plus")
        door.get_by_label("Signed: agrees to take part").check()
        door.get_by_role("button", name="Add and sign in").click()
        door.get_by_role("status").filter(has_text="Signed in: P-").wait_for()
        walked_in = door.locator("#signed strong").inner_text()
        # and the registered person found by code without JavaScript: already signed in.
        door.get_by_label("Pseudonym code or name").fill(code)
        door.get_by_role("button", name="Find").click()
        door.get_by_text("signed in", exact=True).wait_for()
        plain.close()
        assert ws.events.get(event_id).attended == 2
        assert ws.participants.get(walked_in).answers["age_band"] == "65_plus"

        qr = page.request.get(f"{url}/events/{event_id}/qr.svg")
        assert qr.ok and b"xmlns" in qr.body()
        for path in ("/events", f"/events/{event_id}", f"/events/{event_id}/summary"):
            page.goto(url + path)
            assert axe(page) == [], path
            fits(page)
        assert page.locator("#attended-count").inner_text() == "2"
        page.goto(f"{url}/events/{event_id}")
        assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
        assert errors == []
        phone.close()

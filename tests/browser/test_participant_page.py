"""The participant page (pseudonymous record, consent ledger as a timeline, identity panel and
the forms) and the participants list, as an admin sees them at a desktop width and on a 390 px
phone: nothing axe-core calls a violation and nothing wider than the window. An admin records a
consent through the page and sees the ledger grow, without JavaScript of the page's own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from mobilise import open_workspace
from mobilise.settings import Settings

from ..conftest import serving

SIZES = [(1400, 900), (390, 844)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from mobilise.web.app import create_app

    ws = open_workspace(tmp_path_factory.mktemp("people") / "ws.sqlite", actor="tester")
    ws.places.create("testtown", "Testtown")
    ws.partners.create("Riverside Arts", sector="vcse")
    sheet = ws.consent.add_sheet("Taking part", "v1.2", "What taking part means.")
    ws.consent.add_sheet("Taking part", "v1.2", "Short words.", audience="easy_read")
    person = ws.participants.add(
        place="testtown",
        answers={"age_band": "25_34", "ethnic_group": "black_caribbean"},
        lived_experience=["homelessness"],
        identity={"name": "Illustrative Person", "email": "person@example.org"},
    )
    ws.consent.give(
        person.id,
        information_sheet=sheet.id,
        method="verbal",
        witness="A. Facilitator",
        scopes={"take_part": True, "quote": "anonymous", "photos": True},
        at=datetime(2026, 3, 1, 10, tzinfo=UTC),
    )
    ws.consent.withdraw(person.id, scopes=["photos"], method="paper", cut_off=date(2026, 4, 1))
    ws.participants.add(place="testtown")  # the one whose consent the page records
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    try:
        with serving(app) as url:
            yield url, person.code, sheet.id
    finally:
        ws.close()


PAGES = {
    "participant": "/participants/{code}",
    "list": "/participants",
    "sheets": "/information-sheets",
    "sheet": "/information-sheets/{sheet}",
    "settings": "/admin/project-settings",
}


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("which", list(PAGES))
def test_the_page_fits_and_passes_axe(browser, site, axe, which, width, height):
    from playwright.sync_api import expect

    url, code, sheet = site
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        page.goto(url + PAGES[which].format(code=code, sheet=sheet))
        expect(page.locator("h1")).to_be_visible()
        if which == "participant":
            expect(page.locator("#ledger li")).to_have_count(2)
            expect(page.locator("#identity-facts")).to_contain_text("Illustrative Person")
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert axe(page) == []
        assert blocked == []
    finally:
        context.close()


def test_a_consent_recorded_on_the_page_joins_the_ledger(browser, site):
    from playwright.sync_api import expect

    url, code, _sheet = site
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{url}/participants")
        page.locator("#participants-table tbody a").filter(has_not_text=code).first.click()
        expect(page.locator("#scopes-now")).to_contain_text("No consent recorded")
        before = page.locator("#ledger li").count()
        form = page.locator("#consent-form")
        form.get_by_label("Information sheet they saw").select_option(index=1)
        form.get_by_label("Be contacted again").check()
        form.get_by_role("button", name="Record the consent").click()
        expect(page.locator("#ledger li")).to_have_count(before + 1)
        expect(page.locator("#scopes-now")).to_contain_text("recontact")
    finally:
        context.close()

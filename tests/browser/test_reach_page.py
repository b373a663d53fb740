"""Who we reached on a 390 px phone: axe finds nothing, nothing scrolls sideways, and the chart
changes when someone more is signed in at an event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._reach import PLACE, build_place, event, person
from ..conftest import serving

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def reached(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    build_place(ws, tmp_path)
    try:
        yield ws
    finally:
        ws.close()


def test_the_chart_on_a_phone_follows_who_signs_in(browser, axe, reached):
    ws = reached
    sheet = ws.consent.add_sheet("Taking part", "1.0", "What happens.")
    cafe = event(ws, "world_cafe", "2026-03-02")
    ws.events.attend(cafe.id, person(ws, sheet.id, sex="female", age_band="16_24").id)
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        phone = browser.new_context(**PHONE)
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/places/{PLACE}/reach")
        page.get_by_role("heading", name="Who we reached").wait_for()
        assert page.locator("#reach-participants").inner_text() == "1"
        men = page.locator('ol[data-dimension="sex"] li[data-group="male"]')
        assert "0% of participants (0)" in men.inner_text()
        assert men.locator("rect.bar-participants").get_attribute("width") == "0.0"
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        ws.events.attend(cafe.id, person(ws, sheet.id, sex="male", age_band="65_plus").id)
        page.reload()
        page.get_by_role("heading", name="Who we reached").wait_for()
        assert page.locator("#reach-participants").inner_text() == "2"
        assert "50% of participants (1)" in men.inner_text()
        assert float(men.locator("rect.bar-participants").get_attribute("width") or 0) > 0
        # the filters are an ordinary form: one kind of event, without script
        page.get_by_label("Kind of event", exact=True).select_option("community_walk")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**event_kind=community_walk**")
        assert page.locator("#reach-participants").inner_text() == "0"
        assert errors == []
        phone.close()

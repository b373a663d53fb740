"""Comparing places on a 390 px phone: the places are chosen with an ordinary form, the charts
are SVG drawn on the server, axe finds nothing and nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
SHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "compare_phone.png"


def test_compare_two_places_on_a_phone(browser, axe, server_url):
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server_url}/places/compare")
    page.get_by_role("heading", name="Compare places").wait_for()
    page.get_by_label("Northamptonshire").check()
    page.get_by_label("Inner North and East London").check()
    page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="What could transfer").wait_for()
    compared = page.inner_text("#compared")
    assert "Northamptonshire" in compared and "Inner North and East London" in compared
    chart = page.locator("#section-health svg").first
    assert chart.is_visible()
    assert page.locator("#section-health circle.point").count() >= 2
    assert "not distinguishable from chance" in page.inner_text("#section-health")
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    SHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=False)
    assert errors == []
    phone.close()

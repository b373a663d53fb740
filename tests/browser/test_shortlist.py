"""A social prescribing link worker builds a shortlist without an account, prints it and sends
its link, which works in another browser; a resident's postcode search finds what is near
(issue 17, item 1). At 1400 and 390 px: nothing wider than the window, axe passes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}


def _asset_id(ws, name: str) -> str:
    return next(a.id for a in ws.assets.search(text=name, per_page=20).items if a.name == name)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("size", SIZES)
def test_a_shortlist_is_built_printed_and_sent(
    browser, server_url, demo_workspace, axe, artifacts, size
):
    library = _asset_id(demo_workspace, "Hackney Central Library")
    museum = _asset_id(demo_workspace, "Hackney Museum")
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for asset_id in (library, museum):
        page.goto(f"{server_url}/assets/{asset_id}")
        add = page.get_by_role("button", name="Add to shortlist")
        add.click()
        expect(page.get_by_role("button", name="On shortlist (remove)")).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(page.locator("#open-now")).to_be_visible()
    expect(page.locator("#directions")).to_have_attribute("href", re.compile("openstreetmap"))
    _fits(page)
    assert axe(page) == []

    page.goto(f"{server_url}/shortlist")  # the list this browser keeps
    expect(page).to_have_url(re.compile(r"/shortlist\?ids="))
    names = page.locator("#shortlist h2")
    expect(names).to_have_text(["Hackney Central Library", "Hackney Museum"])
    expect(page.locator("#shortlist-mine")).to_be_visible()
    expect(page.get_by_alt_text("QR code of this shortlist's link")).to_be_visible()
    _fits(page)
    assert axe(page) == []
    page.screenshot(path=str(artifacts / f"shortlist-{size}.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(names.first).to_be_visible()
    page.screenshot(path=str(artifacts / f"shortlist-{size}-print.png"), full_page=True)
    link = page.locator("#shortlist-link").input_value()
    assert errors == []
    context.close()

    # The link, opened in another browser with nothing stored, shows the same list.
    other = browser.new_context(viewport=SIZES[size])
    recipient = other.new_page()
    recipient.goto(link)
    expect(recipient.locator("#shortlist h2")).to_have_text(
        ["Hackney Central Library", "Hackney Museum"]
    )
    expect(recipient.locator("#shortlist-sent")).to_be_visible()
    recipient.get_by_role("button", name="Keep it as my shortlist").click()
    expect(recipient.locator("#shortlist-mine")).to_be_visible()
    other.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_postcode_search_finds_what_is_near(browser, server_url, axe, artifacts, size):
    context = browser.new_context(viewport=SIZES[size])
    page = context.new_page()
    page.goto(server_url + "/")
    page.get_by_label("Find what is near you: your postcode").fill("e8 1dy")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Nearest to E8 1DY")).to_be_visible()
    expect(page.locator("#nearby .distance").first).to_contain_text("m away")
    expect(page.locator("#area-link a")).to_have_attribute("href", re.compile(r"^/areas/E01"))
    _fits(page)
    assert axe(page) == []
    page.screenshot(path=str(artifacts / f"home-nearby-{size}.png"), full_page=True)
    context.close()

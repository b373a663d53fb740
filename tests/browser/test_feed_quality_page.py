"""The feed's data quality on the quality page, in Chromium at desktop width and on a 390 px
phone (issue 21, item 4): it fits, it is accessible (axe-core), and choosing a check lists the
services failing it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving
from ..integration.test_feed_quality import make_feed

SIZES = [(1300, 950), (390, 844)]


@pytest.fixture
def quality_page(browser, sqlite_workspace, request) -> Iterator[object]:
    """The quality page of a small feed, open at the size ``request.param`` (width, height)."""
    from playwright.sync_api import expect

    width, height = request.param
    make_feed(sqlite_workspace)
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        with serving(app) as url:
            page.goto(f"{url}/assets/quality")
            expect(
                page.locator("section.feed-quality").get_by_role("heading", level=2)
            ).to_have_text("The Open Referral UK feed, as its consumers see it")
            yield page
    finally:
        context.close()
    assert errors == []


@pytest.mark.parametrize("quality_page", SIZES, indirect=True)
def test_the_feed_section_fits_and_filters(quality_page):
    from playwright.sync_api import expect

    page = quality_page
    usable = page.locator("#feed-checks tr.usable")
    expect(usable).to_contain_text("Usable")
    expect(usable).to_contain_text("50%")
    expect(page.locator("#feed-failing")).to_contain_text("Bare Park")
    # nothing wider than the window: the page never scrolls sideways
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.get_by_label("Failing").select_option("active")  # sent at once by the page's script
    expect(page.get_by_role("heading", name="Services that fail “Active”")).to_be_visible()
    expect(page.locator("#feed-failing tbody tr")).to_have_count(1)
    expect(page.locator("#feed-failing")).to_contain_text("Closed Library")


@pytest.mark.parametrize("quality_page", SIZES, indirect=True)
def test_the_feed_section_has_no_accessibility_violations(quality_page, axe):
    """axe-core (from the npm registry) finds nothing in the feed section."""
    assert axe(quality_page, "section.feed-quality") == []

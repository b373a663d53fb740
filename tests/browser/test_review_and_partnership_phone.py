"""The partnership pages and the review pages in Chromium on a 390 px phone and at desktop width
(issue 17, items 6 and 9): they fit the screen without sideways scrolling, and axe-core finds no
serious or critical violation (the network's heat-map contrast, the duplicates page's 100
buttons whose names did not contain their words)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._partnership import partnership_workspace
from ..conftest import serving

SIZES = [(390, 844), (1400, 1000)]


@pytest.fixture(scope="module")
def partnership_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo consortium with a third round open and unanswered, served; and round 2's id."""
    ws = partnership_workspace(tmp_path_factory.mktemp("phone-partnership") / "ws.sqlite")
    ws.surveys.create_round("Round 3 — autumn 2026", date=dt.date(2026, 10, 15), status="open")
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    try:
        with serving(app) as url:
            yield url, ws.surveys.rounds()[1].id
    finally:
        ws.close()


def _open(browser, size: tuple[int, int], url: str, heading: str) -> object:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    return page


def _fits(page: object, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= width, f"{page.url}: {wide} px wide on a {width} px screen"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "size", SIZES[:1], ids=["phone"]
)  # (desktop: tests/browser/test_every_page)
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/network", "Partnership network"),
        ("/network/compare", "Compare survey rounds"),
        ("/partners", "Partners"),
        ("/rounds", "Survey rounds"),
        ("/rounds/{round}", "Round 2 — spring 2026"),
    ],
)
def test_partnership_pages_fit_and_pass_axe(browser, axe, partnership_url, size, path, heading):
    url, round_id = partnership_url
    page = _open(browser, size, url + path.format(round=round_id), heading)
    try:
        if path == "/network":
            from playwright.sync_api import expect

            expect(page.locator("#round-state")).to_contain_text("closed, 31 of 41 answered")
            expect(page.locator(".round-pending")).to_contain_text("in progress, 0 of 41")
        _fits(page, size[0])
        assert axe(page) == []
        assert page.js_errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize(
    "size", SIZES[:1], ids=["phone"]
)  # (desktop: tests/browser/test_every_page)
@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/assets/duplicates", "Possible duplicate assets"),
        ("/assets/quality", "How good is the asset register?"),
    ],
)
def test_review_pages_fit_and_pass_axe(browser, axe, server_url, size, path, heading):
    page = _open(browser, size, server_url + path, heading)
    try:
        _fits(page, size[0])
        assert axe(page) == []
        assert page.js_errors == []
        if path == "/assets/duplicates":
            merge = page.get_by_role("button", name="Keep this one, merge the other into it")
            assert merge.count() == 2 * 20  # a page of 20 pairs, two sides each
    finally:
        page.context.close()

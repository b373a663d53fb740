"""The programme's overview, projects map and methods matrix in a browser (issue 20, acceptance:
"a browser test opens the programme overview and the methods matrix"), at desktop size and on a
390 px phone: axe finds nothing, nothing scrolls sideways (the matrix scrolls in its own box),
and the map draws a point per place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving
from ..web.test_programme_pages import add_programme

SIZES = {
    "desktop": {"viewport": {"width": 1300, "height": 950}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
}
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def programme_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path: Path = tmp_path_factory.mktemp("programme") / "ws.sqlite"
    ws: Workspace = open_workspace(path, actor="tester")
    add_programme(ws)
    try:
        with serving(create_app(Settings(host="127.0.0.1", tile_url="none"), workspace=ws)) as url:
            yield url
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_overview_map_and_methods_matrix(browser, axe, programme_url, size):
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{programme_url}/programme")
        page.get_by_role("heading", name="The programme: many projects, one picture").wait_for()
        assert page.locator("#programme-projects").inner_text() == "12"
        assert axe(page) == []
        assert page.evaluate(SIDEWAYS) <= 0

        tabs = page.get_by_role("navigation", name="Programme pages")
        tabs.get_by_role("link", name="Methods", exact=True).click()
        page.get_by_role("heading", name="Methods: who used what").wait_for()
        matrix = page.locator("#methods-matrix")
        assert matrix.locator("tbody tr").count() == 12
        weston = matrix.locator("tbody tr", has_text="Weston-super-Mare")
        assert weston.locator("td.used").count() == 4
        assert axe(page) == []
        assert page.evaluate(SIDEWAYS) <= 0  # the matrix scrolls in its own box

        tabs.get_by_role("link", name="Projects", exact=True).click()
        box = page.locator("#programme-map")
        page.wait_for_selector("#programme-map[data-ready='true']")
        assert int(box.get_attribute("data-count") or 0) >= 20  # a point per named place
        assert page.locator("#programme-project-table tbody tr").count() == 12
        assert axe(page) == []
        assert page.evaluate(SIDEWAYS) <= 0
        assert errors == []
    finally:
        context.close()

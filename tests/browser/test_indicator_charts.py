"""The funnel plot and the spine chart at 1400 and 390 px: drawn, readable by axe, and nothing
scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES, serving

SIZES = {
    "desktop": {"viewport": {"width": 1400, "height": 1000}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
}


@pytest.fixture
def computed(tmp_path: Path) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    ws.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws.places.create("testtown", "Testtown", area_codes=["E01000001", "E01000002", "E01000003"])
    ws.indicators.compute(
        FIXTURES / "rates" / "deaths_by_age.csv",
        indicator_id="mortality_smr",
        method="isr",
        indicator_name="Deaths, all ages (SMR)",
        reference=FIXTURES / "rates" / "reference_england.csv",
        benchmark_label="England",
    )
    try:
        yield ws
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES)
def test_funnel_and_spine_pages(browser, axe, computed, size):
    with serving(create_app(Settings(host="127.0.0.1"), workspace=computed)) as url:
        context = browser.new_context(**SIZES[size])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/places/testtown/funnel")
        page.get_by_role("heading", name="Which neighbourhoods really differ?").wait_for()
        plot = page.locator("#funnel-plot")
        plot.wait_for()
        assert plot.locator("circle.point").count() == 3
        assert plot.locator("polyline.limit").count() == 4
        assert plot.bounding_box()["width"] > 250  # fills the column, at either size
        assert page.get_by_role("cell", name="lower than expected, beyond the 99.8% limit").count()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.locator("table.funnel-areas a").first.click()  # a neighbourhood's profile
        page.wait_for_url("**/areas/*/profile")
        page.get_by_role("heading", name="against the benchmark").wait_for()
        chart = page.locator("svg.spine-chart").first
        chart.wait_for()
        assert chart.locator("line.interval").count() == 1
        assert "England" in page.locator("table.spine").inner_text()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert errors == []
        context.close()

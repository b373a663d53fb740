"""The place page in Chromium: the map draws one shape per LSOA."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("slug", "n_lsoas"), [("inner-north-east-london", 708), ("northamptonshire", 422)]
)
def test_place_map_draws_one_shape_per_lsoa(page, server_url, artifacts, slug, n_lsoas):
    page.goto(f"{server_url}/places/{slug}")
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    shapes = page.locator("#map path.leaflet-interactive")
    assert shapes.count() == n_lsoas
    assert "Showing" in page.locator("#status").inner_text()
    assert page.locator("#legend .row").count() == 11  # ten deciles and "no value"
    assert page.locator("#deciles .bar").count() == 10
    page.screenshot(path=str(artifacts / f"place-{slug}.png"), full_page=True)
    assert page.js_errors == []


def test_changing_the_indicator_redraws_and_tooltips_show_values(page, server_url, artifacts):
    page.goto(f"{server_url}/places/northamptonshire")
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    page.select_option("#indicator", "ypll2019")
    page.wait_for_function(
        "() => document.getElementById('indicator-name').textContent.includes('life lost')"
    )
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    assert "indicator=ypll2019" in page.url
    page.locator("#map path.leaflet-interactive").nth(200).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5_000)
    assert "Years of potential life lost" in tooltip.inner_text()
    page.screenshot(path=str(artifacts / "place-northamptonshire-ypll.png"))
    assert page.js_errors == []


def test_area_profile_and_postcode_search(page, server_url, artifacts):
    page.goto(server_url)
    page.fill("#postcode", "nn1 1de")
    page.click("form.search button")
    # what is near comes first (issue 17); the neighbourhood's figures are a link away
    page.locator("#area-link a").click()
    page.wait_for_url("**/areas/E01027223**")
    page.wait_for_selector("#area-map path.leaflet-interactive")
    page.screenshot(path=str(artifacts / "area-E01027223.png"), full_page=True)
    assert page.js_errors == []

"""A resident searches the directory by a real postcode and sees results on the list and the map."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_directory_search_by_postcode(page, server_url, artifacts):
    page.goto(f"{server_url}/assets")
    page.fill("#where", "e8 1dy")
    page.select_option("#radius", "500")
    page.click("form.directory-search button")
    page.wait_for_selector('#asset-map[data-ready="true"]', timeout=20_000)
    listed = page.locator("#results li a").count()
    assert listed == 20  # the first page
    assert "within 500 m of E8 1DY" in page.locator("#results-summary").inner_text()
    total = int(page.locator("#results-summary strong").inner_text().replace(",", ""))
    assert int(page.locator("#asset-map").get_attribute("data-features")) == total
    # Clusters and single markers together stand for every result.
    assert (
        page.locator("#asset-map .marker-cluster, #asset-map path.leaflet-interactive").count() > 0
    )
    page.screenshot(path=str(artifacts / "directory-E8-1DY.png"), full_page=True)
    page.locator("#results li a").first.click()
    page.wait_for_selector("#asset-point")
    assert page.js_errors == []

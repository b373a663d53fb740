"""Pages added or changed by the hardening and feed issues, as people see them: at a desktop
width and on a 390 px phone, nothing axe-core (from the npm registry) calls a violation, and
nothing wider than the window. Every nav was unnamed (axe's
landmark-unique on every page), the users table made the page 483 px wide on a phone, and the
asset's Leaflet map was an "image" holding zoom buttons (nested-interactive)."""

from __future__ import annotations

import re

import pytest

SIZES = [(1400, 900), (390, 844)]


@pytest.fixture(scope="module")
def asset_path(demo_workspace) -> str:
    found = demo_workspace.assets.search(text="Clapton Library").items
    return f"/assets/{found[0].id}"


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("path", ["/assets/deleted", "/admin/users", "asset"])
def test_the_page_fits_and_passes_axe(browser, server_url, asset_path, axe, path, width, height):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(server_url + (asset_path if path == "asset" else path))
        expect(page.locator("h1")).to_be_visible()
        if path == "asset":  # the map is drawn (its zoom buttons are what axe looks at)
            expect(page.locator("#asset-point .leaflet-control-zoom-in")).to_be_visible()
            # and laid out with its offline layer (the test server has no street tiles)
            expect(page.locator("#asset-point")).to_have_attribute(
                "data-outlines", re.compile("[1-9]")
            )
        # Every page, the asset page too (issue 17 took on the maps on phones; it was skipped):
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert axe(page) == []
    finally:
        context.close()

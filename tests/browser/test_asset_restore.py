"""An editor deletes an asset from its page and brings it back from the deleted-assets page, in
Chromium (issue 14, finding 10)."""

from __future__ import annotations

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES, serving


def test_an_editor_deletes_an_asset_and_restores_it(page, sqlite_workspace):
    from playwright.sync_api import expect

    sqlite_workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    sqlite_workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    asset = sqlite_workspace.assets.search(per_page=1).items[0]
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    with serving(app) as url:
        page.goto(f"{url}/assets/{asset.id}")
        page.get_by_text("Edit this asset").click()
        page.get_by_role("button", name="Delete this asset").click()
        expect(page.get_by_role("status")).to_contain_text("Deleted. The asset has left search")
        expect(page.locator("#deleted-assets")).to_contain_text(asset.name)
        page.get_by_role("button", name=f"Restore {asset.name}").click()
        expect(page.get_by_role("status")).to_contain_text("Restored. The asset is back")
        expect(page.get_by_text("No deleted assets.")).to_be_visible()
        page.goto(f"{url}/assets/{asset.id}")
        expect(page.get_by_role("heading", level=1)).to_have_text(asset.name)
    assert page.js_errors == []
    assert sqlite_workspace.assets.get(asset.id).version == asset.version + 2

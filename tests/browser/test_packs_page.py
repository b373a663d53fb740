"""An evidence pack made from its page in Chromium: the button queues it, the page follows the
background job and shows the pack when it is ready; the pack is shared, read through its link,
and the link withdrawn. The pages and the pack's own document pass axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .._reach import PLACE, build_place
from ..conftest import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def own_server(sqlite_workspace, tmp_path) -> Iterator[str]:
    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    build_place(sqlite_workspace, tmp_path)
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    with serving(app) as url:
        yield url


def test_a_pack_is_made_shared_and_its_link_withdrawn(page, own_server, axe):
    from playwright.sync_api import expect

    page.goto(f"{own_server}/places/{PLACE}/packs")
    assert axe(page) == []
    page.get_by_label("a community meeting (plain words)").check()
    page.get_by_role("button", name="Make the pack").click()
    # the pack's page follows the job until the pack is ready (a PDF takes a few seconds)
    expect(page.locator("#pack-state")).to_contain_text("The pack is ready", timeout=180_000)
    assert axe(page) == []
    page.get_by_role("button", name="Make a share link").click()
    link = page.get_by_role("link", name="/p/")
    expect(link).to_be_visible()
    shared = link.get_attribute("href")
    page.goto(f"{own_server}/packs/{page.url.rsplit('/', 1)[-1]}/view")
    expect(page.get_by_role("heading", level=2, name="The main points")).to_be_visible()
    assert axe(page) == []
    page.goto(shared)
    expect(page.get_by_role("link", name="Download this pack as a PDF")).to_be_visible()
    page.go_back()
    page.go_back()
    page.get_by_role("button", name="Withdraw the link").click()
    expect(page.locator("text=The pack is not shared.")).to_be_visible()
    answer = page.goto(shared)
    assert answer is not None and answer.status == 404
    assert page.js_errors == []

"""The project profile page in Chromium (issue 20, item 1): an editor ticks the methods used and
says what worked, marks reach public, makes a release and issues a token, in plain words; the
page passes axe-core."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .._reach import build_place
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


def test_the_profile_is_filled_released_and_served(page, own_server, axe):
    from playwright.sync_api import expect

    page.goto(f"{own_server}/project")
    expect(page.get_by_role("heading", level=1, name="Our project")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Title").fill("Green spaces together")
    page.get_by_label("Lead organisation").fill("A university")
    page.get_by_role("checkbox", name="World Café").check()
    page.get_by_label("What we would say of World Café").fill("People came back.")
    page.get_by_label("Who we reached (small numbers hidden)").check()
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Green spaces together")
    expect(page.locator("#project-facts")).to_contain_text("World Café")
    page.get_by_label("Only the profile and methods, no figures").check()
    page.get_by_role("button", name="Make a new release").click()
    expect(page.locator("#project-facts")).to_contain_text("Release 1")
    page.get_by_role("button", name="Issue a token").click()
    expect(page.locator("#project-token")).to_contain_text("shown only now")
    assert axe(page) == []
    assert page.js_errors == []

"""A walking access run's page in Chromium, at desktop width and at 390 px, checked with axe:
the comparison with straight-line access, the network detour on the map, and the networks page
(issue 19, part N3). Gridton with its river (tests/integration/test_street_networks.py) keeps
the setup to a few seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .conftest import _free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def walk_server(tmp_path) -> Iterator[tuple[str, str]]:
    """A server over Gridton with its walking network and a walking run: (url, run id)."""
    import uvicorn

    from mobilise import open_workspace
    from mobilise.model.access_plan import AccessPlan
    from mobilise.settings import Settings
    from mobilise.web.app import create_app
    from tests.integration.test_access_runs import build_gridton
    from tests.integration.test_street_networks import write_extract

    workspace = build_gridton(open_workspace(tmp_path / "gridton.sqlite", actor="tester"))
    workspace.networks.import_extract(
        "gridton", write_extract(tmp_path / "gridton.osm.pbf"), profiles=["walk"]
    )
    plan = AccessPlan.build(
        categories="green_space", method="count", catchments_m="10,20", travel="walk"
    )
    run = workspace.access.run("gridton", plan)
    port = _free_port()
    app = create_app(Settings(host="127.0.0.1", port=port, tile_url="none"), workspace=workspace)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", run.id
    server.should_exit = True
    thread.join(timeout=10)
    workspace.close()


@pytest.mark.parametrize("width", [1300, 390])
def test_walking_run_page_compares_and_maps_the_detour(browser, walk_server, axe, width):
    url, run_id = walk_server
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/places/gridton/access?run={run_id}&catchment_m=20")
    expect(page.locator("#map")).to_have_attribute("data-ready", "true")
    expect(page.locator("#travel-note")).to_contain_text("minutes")
    expect(page.locator("#comparison h2")).to_have_text("On streets against a straight line")
    first = page.locator("#comparison-table tbody tr").first
    expect(first).to_contain_text("E01000104")
    expect(first).to_contain_text("past the catchment")
    page.get_by_label("Network detour").check()
    expect(page.locator("#map")).to_have_attribute("data-view", "detour")
    expect(page.locator("#legend")).to_contain_text("No asset on streets within the catchment")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert axe(page) == []

    page.goto(f"{url}/places/gridton/networks")
    expect(page.locator("#networks-table")).to_contain_text("walking on the street network")
    expect(page.locator("#network-source")).to_contain_text("© OpenStreetMap contributors")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert axe(page) == []
    assert errors == []
    context.close()

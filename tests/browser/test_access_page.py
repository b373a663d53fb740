"""The access and disparities page in Chromium: maps, gradient chart, priority table, new runs."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator

import pytest

from .conftest import _free_port

pytestmark = pytest.mark.browser

PRIORITY_FILL = "#7b3294"


@pytest.mark.parametrize(
    ("slug", "n_lsoas"), [("inner-north-east-london", 708), ("northamptonshire", 422)]
)
def test_access_page_shows_map_gradient_and_priorities(page, server_url, artifacts, slug, n_lsoas):
    page.goto(f"{server_url}/places/{slug}/access")
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    scenario = json.loads(page.locator("#scenario-data").text_content() or "null")
    assert scenario is not None, "the demo has an access run for every place"
    shapes = page.locator("#map path.leaflet-interactive")
    assert shapes.count() == n_lsoas
    # One bar per national IMD decile the place's areas fall in, and the fitted slope.
    assert page.locator("#gradient svg rect").count() == len(scenario["gradient"])
    assert_fitted_line_is_on_the_population_axis(page, scenario)
    assert "SII" not in page.locator("#sii-figure").inner_text()  # a number, not a label
    page.screenshot(path=str(artifacts / f"access-{slug}.png"), full_page=True)

    page.check("input[value=clusters]")
    page.wait_for_selector('#map[data-view="clusters"]')
    assert "hot spot" in page.locator("#legend").inner_text()
    page.screenshot(path=str(artifacts / f"access-{slug}-clusters.png"))

    page.check("input[value=priority]")
    page.wait_for_selector('#map[data-view="priority"]')
    flagged = page.locator(f'#map path[fill="{PRIORITY_FILL}"]').count()
    assert flagged == scenario["priority"]["areas"]
    assert page.locator("#priority-table tbody tr").count() == flagged
    priority_shapes = page.locator(f'#map path[fill="{PRIORITY_FILL}"]')
    boxes = [
        priority_shapes.nth(k).bounding_box() or {"width": 0, "height": 0} for k in range(flagged)
    ]
    largest = max(range(flagged), key=lambda k: boxes[k]["width"] * boxes[k]["height"])
    priority_shapes.nth(largest).hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=5_000)
    assert "Priority:" in tooltip.inner_text()
    assert page.js_errors == []


def assert_fitted_line_is_on_the_population_axis(page, scenario):
    """The SII line passes, over each decile's bar, through the fit at the middle of that
    decile's residents (not at an even tenth of the axis)."""
    groups = scenario["gradient"]
    sii = scenario["sii"]
    points = page.locator("#sii-line").get_attribute("points").split()
    assert len(points) == len(groups)
    bars = page.locator("#gradient svg rect")
    tallest = max(range(len(groups)), key=lambda k: groups[k]["value"])
    bar = {a: float(bars.nth(tallest).get_attribute(a)) for a in ("x", "y", "width", "height")}
    axis = bar["y"] + bar["height"]  # the chart's zero
    per_unit = bar["height"] / groups[tallest]["value"]
    midpoints = [g["midpoint"] for g in groups]
    assert midpoints == sorted(midpoints) and midpoints[0] > 0 and midpoints[-1] < 1
    for k, (point, group) in enumerate(zip(points, groups, strict=True)):
        x, y = map(float, point.split(","))
        centre = float(bars.nth(k).get_attribute("x")) + bar["width"] / 2
        fitted = max(0.0, sii["intercept"] + sii["slope"] * group["midpoint"])
        assert x == pytest.approx(centre)
        assert y == pytest.approx(axis - fitted * per_unit, abs=0.01)


def test_choosing_another_category_reloads_the_scenario(page, server_url):
    page.goto(f"{server_url}/places/northamptonshire/access")
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    with page.expect_navigation():
        page.select_option("#category", "arts_culture")
    assert "category=arts_culture" in page.url
    page.wait_for_selector('#map[data-ready="true"]', timeout=20_000)
    assert page.locator("#view-title").inner_text().startswith("Access")
    assert page.js_errors == []


@pytest.fixture
def writable_server_url(demo_workspace, tmp_path) -> Iterator[str]:
    """A server over a copy of the demo workspace, for a test that starts a run."""
    import uvicorn

    from mobilise import open_workspace
    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    copy = tmp_path / "demo-copy.sqlite"
    source = sqlite3.connect(demo_workspace.engine.url.database)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    workspace = open_workspace(copy, actor="tester")
    port = _free_port()
    app = create_app(Settings(host="127.0.0.1", port=port), workspace=workspace)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start within 20 s"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    workspace.close()


def test_starting_a_run_shows_progress_then_its_results(page, writable_server_url, artifacts):
    page.goto(f"{writable_server_url}/places/northamptonshire/access")
    page.click(".new-run summary")
    page.uncheck("input[name=categories][value=arts_culture]")
    page.uncheck("input[name=categories][value=community_space]")
    page.check("input[name=categories][value=library]")
    page.fill("#catchments", "1000,2000,4000")
    page.select_option("#method", "2sfca")
    page.click(".run-form button")
    # The run is computed in the background: the page follows it, then shows it.
    page.wait_for_url("**/access?run=*")
    page.wait_for_selector('#map[data-ready="true"]', timeout=60_000)
    assert "Two-step floating catchment (2SFCA)" in page.locator(".run-bar").inner_text()
    options = page.locator("#catchment option").all_inner_texts()
    assert [o.split(" m")[0] for o in options] == ["1,000", "2,000", "4,000"]
    page.screenshot(path=str(artifacts / "access-new-run.png"), full_page=True)
    assert page.js_errors == []

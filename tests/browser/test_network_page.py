"""The partnership network in Chromium: the drawing, the round slider, the level filter, the
partner panel, and the map of partners."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from mobilise import Workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._partnership import partnership_workspace
from ..conftest import serving

NETWORK_READY = "() => document.getElementById('net-cy')?.dataset.ready === 'true'"


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = partnership_workspace(tmp_path_factory.mktemp("partnership") / "ws.sqlite")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def network_url(partnership: Workspace) -> Iterator[str]:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=partnership)
    with serving(app) as url:
        yield url


def count(page, selector: str) -> int:
    return int(page.evaluate(f"window.mobiliseNetwork.{selector}.length"))


def test_drawing_slider_filter_and_panel(page, network_url, partnership) -> None:
    rounds = partnership.surveys.rounds()
    roster = len(partnership.surveys.roster(rounds[-1].id))
    ties = [len(partnership.network.drawing(r.id)["edges"]) for r in rounds]
    page.goto(f"{network_url}/network")
    page.wait_for_function(NETWORK_READY, polling=50, timeout=20000)
    assert count(page, "nodes()") == roster
    assert count(page, "edges()") == ties[-1]

    # a node keeps its place between rounds
    kept = page.evaluate("window.mobiliseNetwork.nodes()[0].id()")
    before = page.evaluate(f"window.mobiliseNetwork.getElementById('{kept}').position()")
    page.fill("#round-slider", "0")
    page.wait_for_function(
        f"() => window.mobiliseNetwork.edges().length === {ties[0]}", polling=50, timeout=5000
    )
    assert page.inner_text("#round-name") == rounds[0].name
    assert count(page, "nodes()") == len(partnership.surveys.roster(rounds[0].id))
    if page.evaluate(f"window.mobiliseNetwork.getElementById('{kept}').nonempty()"):
        after = page.evaluate(f"window.mobiliseNetwork.getElementById('{kept}').position()")
        assert after == before
    page.wait_for_function(
        "() => document.getElementById('dashboard-heading')?.textContent.includes('Round 1')",
        polling=50,
        timeout=15000,
    )

    # the level filter hides ties
    visible = count(page, "edges(':visible')")
    cooperative = count(page, "edges('[level_label = \"cooperative\"]')")
    assert cooperative > 0
    # (Cytoscape applies a style change on its next frame: wait for it, a busy machine is slow)
    page.uncheck("input[name=level][value=cooperative]")
    shown = "() => window.mobiliseNetwork.edges(':visible').length === "
    page.wait_for_function(shown + str(visible - cooperative), polling=50, timeout=5000)
    assert count(page, "edges(':visible')") == visible - cooperative
    page.check("input[name=level][value=cooperative]")
    page.wait_for_function(shown + str(visible), polling=50, timeout=5000)
    assert count(page, "edges(':visible')") == visible

    # size by another centrality changes node sizes
    sizes = page.evaluate("window.mobiliseNetwork.nodes().map(n => n.data('size'))")
    page.select_option("#size-by", "betweenness")
    assert page.evaluate("window.mobiliseNetwork.nodes().map(n => n.data('size'))") != sizes

    # clicking a node shows its panel with a profile link
    hub = partnership.partners.get("p-kingsmead")
    position = page.evaluate(
        f"window.mobiliseNetwork.getElementById('{hub.id}').renderedPosition()"
    )
    box = page.locator("#net-cy").bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.wait_for_selector("#panel-name", timeout=5000)
    assert page.inner_text("#panel-name") == hub.name
    assert f"/partners/{hub.id}/profile" in page.get_attribute("#panel-profile", "href")
    assert page.js_errors == []


def test_map_shows_a_marker_per_located_partner(page, network_url, partnership) -> None:
    latest = partnership.network.drawing(partnership.surveys.rounds()[-1].id)
    located = [n for n in latest["nodes"] if n["latitude"] is not None]
    page.goto(f"{network_url}/network/map")
    page.wait_for_function(
        "() => window.mobilisePartnerMap !== undefined", polling=50, timeout=10000
    )
    assert page.locator("path.leaflet-interactive").count() == len(located)
    lines = "window.mobilisePartnerMap.map.hasLayer(window.mobilisePartnerMap.ties)"
    assert page.evaluate(lines)
    page.uncheck("#show-ties")
    assert not page.evaluate(lines)
    page.locator("path.leaflet-interactive").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content a", timeout=5000)
    assert "/profile" in page.get_attribute(".leaflet-popup-content a", "href")
    assert page.js_errors == []


def test_an_editor_keeps_a_partner_from_its_profile(page, network_url, partnership) -> None:
    made = partnership.partners.create(
        "Canal Friends", sector="environment", joined_on=date(2025, 1, 1)
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{network_url}/partners/{made.id}/profile")
    page.fill("#edit-name", "Friends of the Grand Union Canal")
    page.fill("#edit-populations", "boaters\nfamilies nearby")
    page.fill("#edit-url", "javascript:alert(1)")
    page.click("#edit-partner button")
    page.wait_for_function(
        "() => document.getElementById('edit-result')?.textContent.includes('url')", polling=50
    )  # refused, the field named
    page.fill("#edit-url", "https://canal.example.org")
    page.click("#edit-partner button")
    page.wait_for_function(
        "() => document.getElementById('partner-name')?.textContent.includes('Grand Union')",
        polling=50,
    )
    saved = partnership.partners.get(made.id)
    assert list(saved.populations) == ["boaters", "families nearby"]
    assert saved.url == "https://canal.example.org" and saved.version == 2

    page.fill("#contact-name", "Bo Example")
    page.fill("#contact-email", "bo@example.org")
    page.click("#new-contact button")
    page.wait_for_selector("#contacts li")
    assert "bo@example.org" in page.inner_text("#contacts")
    page.click("[data-remove-contact]")
    page.wait_for_function("() => !document.querySelector('#contacts li')", polling=50)
    assert partnership.partners.contacts(made.id) == []

    page.fill("#membership-on", "2026-06-30")
    page.click("#membership button")
    page.wait_for_function(
        "() => document.body.textContent.includes('no longer a member')", polling=50
    )
    assert not partnership.partners.get(made.id).active
    assert page.locator("#membership").get_attribute("data-action") == "rejoin"

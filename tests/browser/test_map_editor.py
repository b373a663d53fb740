"""The systems-map editor in Chromium: two people on one map see each other's edits live."""

from __future__ import annotations

import pytest

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def map_url(sqlite_workspace):
    made = sqlite_workspace.maps.create(
        "Parks and wellbeing", question="What keeps people out of the park?"
    )
    sqlite_workspace.maps.add_factor(made.id, {"label": "Mental wellbeing", "kind": "outcome"})
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    with serving(app) as url:
        yield f"{url}/maps/{made.id}", made.id, sqlite_workspace


def two_pages(browser, url):
    """Two pages of one browser on the map, each live: (context, one, two, their errors)."""
    context = browser.new_context(viewport={"width": 1300, "height": 950})
    one, two = context.new_page(), context.new_page()
    errors: list[str] = []
    for page in (one, two):
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        page.wait_for_selector("#live.on", timeout=20_000)
    return context, one, two, errors


def node_labels(page):
    return page.evaluate("() => window.mobiliseMap.nodes().map(n => n.data('label')).sort()")


def test_two_factors_and_a_negative_link_appear_in_a_second_page(browser, map_url, artifacts):
    url, map_id, workspace = map_url
    context, one, two, errors = two_pages(browser, url)

    one.fill("#pseudonym", "Amy")
    one.fill("#group", "Residents")
    one.click("#join button")
    one.wait_for_function(
        "() => document.getElementById('joined').textContent.includes('Amy (Residents)')"
    )
    for label in ("Fear of crime", "Park use"):
        one.fill("#factor-label", label)
        one.click("#add-factor button")
        one.wait_for_function(
            f"() => window.mobiliseMap.nodes().some(n => n.data('label') === {label!r})"
        )
    one.select_option("#link-from", label="Fear of crime")
    one.select_option("#link-to", label="Park use")
    one.select_option("#link-polarity", "-")
    one.click("#add-link button")

    # Pushed to the second page (how fast: benchmarks/systems.py).
    two.wait_for_function(
        "() => window.mobiliseMap.edges().length === 1", timeout=5_000, polling=50
    )
    assert node_labels(two) == ["Fear of crime", "Mental wellbeing", "Park use"]
    edge = two.evaluate(
        "() => { const e = window.mobiliseMap.edges()[0]; return [e.source().data('label'), "
        "e.target().data('label'), e.data('polarity')] }"
    )
    assert edge == ["Fear of crime", "Park use", "-"]
    two.screenshot(path=str(artifacts / "map-editor-second-page.png"))
    (link,) = workspace.maps.content(map_id)["links"]
    assert link["polarity"] == "-" and link["stakeholder_group"] == "Residents"

    # The second page selects the link and sees who drew it; a stale edit there is refused.
    two.evaluate("() => { window.mobiliseMap.edges()[0].emit('tap'); }")  # returns nothing
    two.wait_for_selector("#selected-form")
    assert "Fear of crime" in two.inner_text("#selected")
    assert errors == []
    context.close()


def test_a_loop_is_listed_and_highlighted(browser, map_url):
    url, map_id, workspace = map_url
    a = workspace.maps.add_factor(map_id, {"label": "Use"})["id"]
    b = workspace.maps.add_factor(map_id, {"label": "Safety"})["id"]
    workspace.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})
    workspace.maps.add_link(map_id, {"source_id": b, "target_id": a, "polarity": "+"})
    page = browser.new_page(viewport={"width": 1300, "height": 950})
    page.goto(url)
    page.wait_for_selector("#loops li[data-loop]", timeout=20_000)
    assert "reinforcing" in page.inner_text("#loops")
    page.click("#loops li[data-loop]")
    faded = page.evaluate("() => window.mobiliseMap.elements('.faded').length")
    assert faded == 1  # "Mental wellbeing", not on the loop
    page.close()


def test_the_share_screen_shows_the_map_and_its_loops_live(browser, map_url):
    url, map_id, workspace = map_url
    token = workspace.maps.share(map_id)
    a = workspace.maps.add_factor(map_id, {"label": "Use"})["id"]
    b = workspace.maps.add_factor(map_id, {"label": "Safety"})["id"]
    workspace.maps.add_link(map_id, {"source_id": a, "target_id": b, "polarity": "+"})
    page = browser.new_page(viewport={"width": 1300, "height": 950})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url.replace(f"/maps/{map_id}", f"/maps/shared/{token}"))
    page.wait_for_selector("#live.on", timeout=20_000)
    assert page.locator("#add-factor").count() == 0  # read-only
    workspace.maps.add_link(map_id, {"source_id": b, "target_id": a, "polarity": "-"})
    page.wait_for_function(
        "() => window.mobiliseMap.edges().length === 2", timeout=5_000, polling=50
    )
    page.wait_for_selector("#loops li[data-loop]", timeout=10_000)
    assert "balancing" in page.inner_text("#loops")
    assert errors == []
    page.close()


def test_a_vote_is_by_who_joined_and_a_deleted_factor_comes_back(browser, map_url):
    """The server attributes the vote to this browser's participant (the page sends no id), and
    an editor brings back a deleted factor with its link; a second page sees both live."""
    url, map_id, workspace = map_url
    wellbeing = workspace.maps.content(map_id)["factors"][0]["id"]
    park = workspace.maps.add_factor(map_id, {"label": "Park"})["id"]
    workspace.maps.add_link(map_id, {"source_id": park, "target_id": wellbeing, "polarity": "+"})
    context, one, two, errors = two_pages(browser, url)
    one.fill("#pseudonym", "Amy")
    one.click("#join button")
    one.wait_for_function("() => document.getElementById('joined').textContent.includes('Amy')")
    one.evaluate(f"() => {{ window.mobiliseMap.getElementById({park!r}).emit('tap'); }}")
    one.click("[data-vote='1']")
    one.wait_for_function("() => document.getElementById('tally').textContent.includes('Agree 1')")
    (participant,) = workspace.maps.content(map_id)["participants"]
    assert workspace.map_talk.votes(map_id) == {park: {"agree": 1, "disagree": 0}}
    assert participant["pseudonym"] == "Amy"

    one.click("#delete-selected")
    two.wait_for_function("() => window.mobiliseMap.nodes().length === 1", polling=50)
    one.click("#deleted-box summary")
    one.wait_for_selector("#deleted-parts [data-restore='factor']")
    one.click("#deleted-parts [data-restore='factor']")
    two.wait_for_function(
        "() => window.mobiliseMap.nodes().length === 2 && window.mobiliseMap.edges().length === 1",
        polling=50,
    )
    one.wait_for_function(
        "() => !document.querySelector('#deleted-parts [data-restore=\"factor\"]')"
    )
    assert errors == []
    context.close()

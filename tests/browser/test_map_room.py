"""The systems-map editor in a room (issue 17, item 5), in Chromium: a link drawn by dragging
and undone while another person's page follows; join first; search and the duplicate warning;
labels readable at any zoom; what-if results in words and bars; presentation mode stepping
through the loops; the pages fit a 390 px phone and pass axe-core."""

from __future__ import annotations

import pytest

from mobilise.analysis.map_compare import normalise_label
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving

pytestmark = pytest.mark.browser

NODE_FONT = "(n) => parseFloat(n.renderedStyle('font-size'))"


@pytest.fixture
def room(sqlite_workspace):
    """A map of four factors in two loops (reinforcing: use and safety; balancing: crowding),
    served in local mode: (the editor's URL, the map id, the workspace)."""
    ws = sqlite_workspace
    made = ws.maps.create("Parks and wellbeing", question="What keeps people out of the park?")
    ids = {}
    for label, x, y in (
        ("Park use", 0, 0),
        ("Feeling safe in the park", 420, 0),
        ("Crowding", 0, 300),
        ("Mental wellbeing", 420, 300),
    ):
        ids[label] = ws.maps.add_factor(made.id, {"label": label, "x": x, "y": y})["id"]
    for a, b, sign in (
        ("Park use", "Feeling safe in the park", "+"),
        ("Feeling safe in the park", "Park use", "+"),
        ("Park use", "Crowding", "+"),
        ("Crowding", "Park use", "-"),
    ):
        ws.maps.add_link(made.id, {"source_id": ids[a], "target_id": ids[b], "polarity": sign})
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    with serving(app) as url:
        yield f"{url}/maps/{made.id}", made.id, ws, ids


def opened(browser, url, width=1300, height=950, *, live=True):
    """A page of its own browser context (its own participant) on the map, live."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda error: page.js_errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            page.js_errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(url)
    if live:
        page.wait_for_selector("#live.on", timeout=20_000)
    return context, page


def join(page, name):
    page.fill("#pseudonym", name)
    page.click("#join button")
    page.wait_for_function(
        f"() => document.getElementById('joined').textContent.includes({name!r})"
    )


def on_screen(page, factor_id):
    """Where a factor is drawn, in the page's pixels."""
    return page.evaluate(
        """(id) => { const box = document.getElementById('cy').getBoundingClientRect();
                     const at = window.mobiliseMap.getElementById(id).renderedPosition();
                     return [box.left + at.x, box.top + at.y]; }""",
        factor_id,
    )


def edges(page):
    return page.evaluate(
        "() => window.mobiliseMap.edges().map(e => e.source().data('label') + ' ' + "
        "e.data('polarity') + ' ' + e.target().data('label')).sort()"
    )


def test_a_link_drawn_by_dragging_is_undone_and_redone_and_the_other_page_follows(
    browser, room, artifacts
):
    from playwright.sync_api import expect

    url, map_id, ws, ids = room
    context_one, one = opened(browser, url)
    context_two, two = opened(browser, url)
    join(one, "Amy")
    one.click("#draw-links")
    expect(one.locator("#draw-links")).to_have_attribute("aria-pressed", "true")

    # Drag from "Mental wellbeing" to "Crowding" with the mouse, as a person would.
    start, end = on_screen(one, ids["Mental wellbeing"]), on_screen(one, ids["Crowding"])
    one.mouse.move(*start)
    one.mouse.down()
    for k in range(1, 11):
        one.mouse.move(
            start[0] + (end[0] - start[0]) * k / 10, start[1] + (end[1] - start[1]) * k / 10
        )
    one.mouse.up()
    expect(one.locator("#sign-chooser")).to_be_visible()
    expect(one.locator("#sign-question")).to_contain_text("Mental wellbeing")
    one.screenshot(path=str(artifacts / "map-room-sign-chooser.png"))
    one.click("#sign-chooser [data-sign='-']")

    drawn = "Mental wellbeing - Crowding"
    two.wait_for_function(
        "() => window.mobiliseMap.edges().length === 5", timeout=10_000, polling=50
    )
    assert drawn in edges(two)
    assert not one.evaluate("() => window.mobiliseMap.nodes('.ghost').length")
    links = ws.maps.content(map_id)["links"]
    assert any(k["source_id"] == ids["Mental wellbeing"] and k["polarity"] == "-" for k in links)

    # Undo on the first page deletes it through the API: the second page follows.
    one.click("#undo")
    expect(one.locator("#undo-status")).to_contain_text("Undone: adding the link")
    two.wait_for_function("() => window.mobiliseMap.edges().length === 4", polling=50)
    assert drawn not in edges(two)
    one.click("#redo")
    two.wait_for_function("() => window.mobiliseMap.edges().length === 5", polling=50)
    assert drawn in edges(two)

    # And with the keyboard.
    one.keyboard.press("Control+z")
    two.wait_for_function("() => window.mobiliseMap.edges().length === 4", polling=50)
    assert one.js_errors == [] and two.js_errors == []
    context_one.close()
    context_two.close()


def test_join_first_then_find_a_factor_and_be_warned_of_a_duplicate(browser, room):
    from playwright.sync_api import expect

    url, map_id, ws, ids = room
    context, page = opened(browser, url)

    # Before joining nothing can be changed: the forms, drawing and dragging are off.
    expect(page.locator("#join-first")).to_be_visible()
    expect(page.locator("#factor-label")).to_be_disabled()
    expect(page.locator("#draw-links")).to_be_disabled()
    assert page.evaluate("() => window.mobiliseMap.autoungrabify()")
    join(page, "Bea")
    expect(page.locator("#join-first")).to_be_hidden()
    expect(page.locator("#factor-label")).to_be_enabled()
    assert not page.evaluate("() => window.mobiliseMap.autoungrabify()")

    # "park uses" is "Park use" but for case and plural: warned, and added only when insisted.
    page.fill("#factor-label", "  park USES ")
    expect(page.locator("#duplicate-warning")).to_contain_text("“Park use”")
    page.click("#add-factor button")
    expect(page.locator("#add-factor button")).to_have_text("Add it anyway")
    assert len(ws.maps.content(map_id)["factors"]) == 4
    page.click("#add-factor button")
    page.wait_for_function("() => window.mobiliseMap.nodes().length === 5")
    expect(page.locator("#duplicate-warning")).to_be_hidden()
    page.fill("#factor-label", "Lonliness")  # a new name: no warning
    expect(page.locator("#duplicate-warning")).to_be_hidden()
    page.fill("#factor-label", "Feeling safe in the prak")  # a typo of a name: warned
    expect(page.locator("#duplicate-warning")).to_contain_text("Feeling safe in the park")

    # Find: centred, marked and selected.
    page.fill("#find-factor", "wellbeing")
    page.press("#find-factor", "Enter")
    expect(page.locator("#find-status")).to_contain_text("Found “Mental wellbeing”")
    expect(page.locator("#sel-label")).to_have_value("Mental wellbeing")
    found = ids["Mental wellbeing"]
    centred = page.evaluate(
        """(id) => { const node = window.mobiliseMap.getElementById(id), at = node.renderedPosition();
                     const w = window.mobiliseMap.width(), h = window.mobiliseMap.height();
                     return node.hasClass('found')
                         && Math.abs(at.x - w / 2) < 2 && Math.abs(at.y - h / 2) < 2; }""",
        found,
    )
    assert centred
    page.fill("#find-factor", "bus")
    page.press("#find-factor", "Enter")
    expect(page.locator("#find-status")).to_contain_text("No factor is called anything like")
    assert page.js_errors == []
    context.close()


def test_labels_stay_readable_at_any_zoom_and_the_text_size_is_kept(browser, room):
    from playwright.sync_api import expect

    url, _map_id, _ws, _ids = room
    context, page = opened(browser, url)
    sizes = f"() => window.mobiliseMap.nodes().map({NODE_FONT})"
    signs = "() => window.mobiliseMap.edges().map(e => parseFloat(e.renderedStyle('font-size')))"
    for zoom in (0.15, 0.5, 2.5):
        # In braces: the zoom setter returns the whole Cytoscape core, which Playwright would copy
        # out of the page (gigabytes: it once crashed Chromium).
        page.evaluate(f"() => {{ window.mobiliseMap.zoom({zoom}); }}")
        page.wait_for_function(f"() => Math.min(...({sizes})()) >= 13.9", timeout=5_000)
        assert min(page.evaluate(signs)) >= 21.9
    page.select_option("#text-size", "huge")
    page.wait_for_function(f"() => Math.min(...({sizes})()) >= 0.99 * 14 * 1.8", timeout=5_000)
    page.reload()
    page.wait_for_selector("#live.on", timeout=20_000)
    expect(page.locator("#text-size")).to_have_value("huge")  # kept by this browser
    assert min(page.evaluate(sizes)) >= 0.99 * 14 * 1.8
    context.close()


def test_presentation_mode_steps_through_the_loops_in_words(browser, room, artifacts):
    from playwright.sync_api import expect

    url, _map_id, _ws, _ids = room
    context, page = opened(browser, url, 1400, 900)
    page.wait_for_selector("#loops li[data-loop]", timeout=20_000)
    page.click("#present")
    bar = page.locator("#present-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#present-title")).to_have_text("The whole map")
    box = page.locator("#cy").bounding_box()
    assert box and box["width"] >= 1300 and box["height"] >= 650  # the screen, not a panel
    assert min(page.evaluate(f"() => window.mobiliseMap.nodes().map({NODE_FONT})")) >= 14 * 1.6

    seen = {}
    for step in (1, 2):
        page.keyboard.press("ArrowRight")
        expect(page.locator("#present-title")).to_contain_text(f"Loop {step} of 2")
        title = page.inner_text("#present-title")
        kind = "reinforcing" if "reinforcing" in title else "balancing"
        seen[kind] = page.evaluate(
            "() => window.mobiliseMap.nodes('.highlight').map(n => n.data('label')).sort()"
        )
        assert kind in page.inner_text("#present-words")
        page.screenshot(path=str(artifacts / f"map-room-present-{kind}.png"))
    assert seen == {
        "reinforcing": ["Feeling safe in the park", "Park use"],
        "balancing": ["Crowding", "Park use"],
    }
    page.keyboard.press("ArrowRight")  # after the last loop, the whole map again
    expect(page.locator("#present-title")).to_have_text("The whole map")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#present-title")).to_contain_text("Loop 2 of 2")
    page.keyboard.press("Escape")
    expect(bar).to_be_hidden()
    assert page.evaluate("() => window.mobiliseMap.elements('.faded').length") == 0
    assert page.js_errors == []
    context.close()


def test_what_if_is_told_in_words_and_drawn_as_sorted_bars(browser, room, artifacts):
    from playwright.sync_api import expect

    url, _map_id, _ws, _ids = room
    context, page = opened(browser, url)
    page.click("summary:has-text('What if')")
    page.select_option("#what-if-factor", label="Feeling safe in the park")
    page.click("#what-if button")
    words = page.locator("#what-if-words")
    expect(words).to_contain_text("Raising Feeling safe in the park tends to raise Park use")
    expect(words).to_contain_text("a lot")
    bars = page.evaluate(
        "() => [...document.querySelectorAll('#what-if-chart .bar')]"
        ".map(b => b.classList.contains('up') ? 1 : -1)"
    )
    assert bars and bars == sorted(bars, reverse=True)  # rises first, then falls
    page.locator("#what-if-result").screenshot(path=str(artifacts / "map-room-what-if.png"))
    page.fill("#what-if-value", "-1")
    page.click("#what-if button")
    expect(words).to_contain_text("Lowering Feeling safe in the park tends to lower Park use")
    assert page.js_errors == []
    context.close()


def test_the_page_names_factors_as_mobilise_matches_them(page):
    """The duplicate warning's key (map_find.js) is the one maps are compared by (Python)."""
    from pathlib import Path

    script = Path(__file__).parents[2] / "src/mobilise/web/static/map_find.js"
    page.set_content("<!doctype html><title>t</title>")
    page.add_script_tag(content=script.read_text(encoding="utf-8"))
    labels = [
        " Worries  & fear! ",
        "People's well-being",
        "Classes",
        "Buses and crises",
        "Parks",
        "Stress",
        "Ｆｕｌｌ width Parks",
        "Snake_case words",
        "GAS has",
        "Café culture",
        "Straße",
        "Lonely-ness/isolation",
        "Ages 4-11",
    ]
    found = page.evaluate("(labels) => labels.map(window.MobiliseMapFind.normalise)", labels)
    assert found == [normalise_label(label) for label in labels]


@pytest.mark.parametrize(("width", "height"), [(1400, 1000), (390, 844)])
def test_the_maps_pages_fit_the_screen_and_pass_axe(browser, room, axe, width, height, artifacts):
    from playwright.sync_api import expect

    url, _map_id, _ws, _ids = room
    context, page = opened(browser, url.rsplit("/", 1)[0], width, height, live=False)
    fits = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    assert page.evaluate(fits), page.evaluate("document.documentElement.scrollWidth")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / f"maps-{width}.png"), full_page=True)
    page.goto(url)
    page.wait_for_selector("#live.on", timeout=20_000)
    expect(page.locator("#loops li[data-loop]").first).to_be_attached()
    assert page.evaluate(fits), page.evaluate("document.documentElement.scrollWidth")
    assert axe(page) == []
    page.screenshot(path=str(artifacts / f"map-editor-{width}.png"))
    assert page.js_errors == []
    context.close()

"""The gallery and the exhibition at 1400 and 390 px (issue 16): axe finds nothing, nothing
scrolls sideways, the pictures carry their alt text, and the exhibition moves with the keys
and its buttons (and, for a visitor who prefers reduced motion, only when asked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.workspace.demo_media import draw_mural, draw_park

from .._coproduction import add_event
from ..conftest import serving

SIZES = {
    "desktop": {"viewport": {"width": 1400, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True},
}


@pytest.fixture
def shown(tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    ws.places.create("testtown", "Testtown")
    event = add_event(ws, "Arts café", place="testtown", public=True)
    rng = np.random.default_rng(1)
    for table, (draw, alt) in enumerate(
        ((draw_park, "A park with a pond and trees"), (draw_mural, "Bright circles")), start=1
    ):
        ws.event_contributions.add(
            event,
            kind="drawing",
            media=draw(rng),
            group_label=f"Table {table}",
            alt_text=alt,
            caption=f"Drawing {table}",
            maker_words="We made this together",
            public=True,
        )
    try:
        yield ws, event
    finally:
        ws.close()


@pytest.mark.parametrize("size", SIZES)
def test_gallery_and_exhibition(browser, axe, shown, size):
    ws, event = shown
    with serving(create_app(Settings(host="127.0.0.1"), workspace=ws)) as url:
        # reduced motion: the slideshow waits for the visitor (the test never races its timer)
        context = browser.new_context(**SIZES[size], reduced_motion="reduce")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/events/{event}/gallery")
        page.get_by_role("heading", name="What people made: Arts café").wait_for()
        page.get_by_role("img", name="A park with a pond and trees").wait_for()
        assert page.get_by_text("We made this together").count() == 2
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.get_by_role("link", name="Show as an exhibition (full screen)").click()
        position = page.locator(".position")
        position.filter(has_text="1 of 2").wait_for()
        page.get_by_role("img", name="A park with a pond and trees").wait_for()
        assert not page.get_by_role("img", name="Bright circles").is_visible()
        page.keyboard.press("ArrowRight")
        position.filter(has_text="2 of 2").wait_for()
        page.get_by_role("img", name="Bright circles").wait_for()
        page.get_by_role("button", name="Play").click()  # still until asked, for reduced motion
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Play").wait_for()
        page.get_by_role("button", name="Next").click()
        position.filter(has_text="1 of 2").wait_for()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        # the staff page where media are described: its forms pass axe too
        page.goto(f"{url}/events/{event}/contributions")
        page.get_by_role("heading", name="What people gave at Arts café").wait_for()
        page.locator("details.describe summary").first.click()
        page.get_by_label("Alt text").first.wait_for()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert errors == []
        context.close()

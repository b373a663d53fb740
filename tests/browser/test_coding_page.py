"""The coding page in a browser (issue 16, item 4): a facilitator selects words of a
contribution and codes that span, codes another contribution whole, on a 390 px phone and a
1400 px screen; axe finds nothing and the page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._coproduction import add_event
from ..conftest import serving

QUOTE = "The park is lovely, but the bus costs too much — ça coûte cher"


@pytest.fixture
def coding(tmp_path: Path) -> Iterator[tuple[Workspace, str, list[str]]]:
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    event = add_event(ws, "Café on parks, arts and health")
    adds = ws.event_contributions.add
    notes = [
        adds(event, kind="note", text=QUOTE, group_label="Table 1").id,
        adds(event, kind="note", text="More benches in the green", group_label="Table 2").id,
    ]
    ws.themes.add("Green space", definition="Parks, trees, benches")
    ws.themes.add("Cost and transport", definition="Fares, buses")
    try:
        yield ws, event, notes
    finally:
        ws.close()


def _select(page, contribution: str, words: str) -> None:
    """Select ``words`` in the contribution's text, as a mouse would."""
    page.evaluate(
        """([id, words]) => {
            const block = document.querySelector(`#c-${id} .codable`);
            const node = block.firstChild;
            const start = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + words.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            block.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        [contribution, words],
    )


@pytest.mark.parametrize("width", [390, 1400])
def test_a_facilitator_codes_a_span_and_a_whole_contribution(browser, axe, coding, width):
    ws, event, (quote, note) = coding
    with serving(create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)) as url:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/events/{event}/coding")
        page.get_by_role("heading", name="Coding what people said").wait_for()
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        words = "the bus costs too much — ça coûte"
        _select(page, quote, words)
        item = page.locator(f"#c-{quote}")
        item.get_by_text(f"Selected: “{words}”").wait_for()
        item.get_by_label("Theme").select_option(label="Cost and transport")
        item.get_by_role("button", name="Code the selected words").click()
        page.get_by_text("The contribution is coded.").wait_for()
        item.get_by_text(f"“{words}”").wait_for()

        other = page.locator(f"#c-{note}")
        other.get_by_role("button", name="Code the whole contribution").click()
        page.get_by_text("The contribution is coded.").wait_for()
        other.locator(".codings").get_by_text("the whole contribution").wait_for()
        assert axe(page) == [] and errors == []
        context.close()
    found = {(c.contribution_id, c.theme, c.span_start, c.span_end) for c in ws.themes.codings()}
    start = QUOTE.index(words)  # code points, as the server counts them
    assert found == {
        (quote, "Cost and transport", start, start + len(words)),
        (note, "Green space", None, None),
    }

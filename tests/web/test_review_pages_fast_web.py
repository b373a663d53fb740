"""Fast review pages (issue 17, item 9): the duplicates page and the quality page compare the
register's names once, not on every view and for every place; the duplicates page is a short
page of pairs whose buttons say what they show (axe ``label-content-name-mismatch``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes import asset_review
from mobilise.workspace import asset_duplicates

from .conftest import LOCAL
from .test_asset_duplicates_web import reviewing


@pytest.fixture(scope="module")
def demo_client(demo_workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=demo_workspace)
    return TestClient(reviewing(app), raise_server_exceptions=False, **LOCAL)


@pytest.fixture
def comparisons(monkeypatch) -> list[int]:
    """How many times the register's names are compared (each call: the assets compared)."""
    calls: list[int] = []
    compare = asset_duplicates.candidate_pairs

    def counted(frame, **options):
        calls.append(len(frame))
        return compare(frame, **options)

    monkeypatch.setattr(asset_duplicates, "candidate_pairs", counted)
    asset_duplicates._PAIRS.clear()
    return calls


def test_the_names_are_compared_once_for_every_view_and_place(demo_client, comparisons):
    """Each view compared every asset's name again, and the quality page once per place (the
    pages took 4.0 s and 4.3 s on the demo)."""
    for url in (
        "/assets/duplicates",
        "/assets/duplicates?page=2",
        "/assets/duplicates?place=northamptonshire",
        "/assets/quality",
    ):
        assert demo_client.get(url).status_code == 200, url
    assert len(comparisons) == 1


def test_a_change_to_the_register_compares_again(sqlite_workspace, comparisons):
    duplicates = sqlite_workspace.duplicates
    sqlite_workspace.assets.import_file(
        b"name,category,lon,lat\nTesttown Library,library,-0.0947,51.505\n", name="a.csv"
    )
    duplicates.candidates()
    duplicates.clusters()
    assert len(comparisons) == 1
    sqlite_workspace.assets.import_file(
        b"name,category,lon,lat\nTesttown Library,library,-0.095,51.505\n", name="b.csv"
    )
    assert len(duplicates.candidates()) == 1
    assert len(comparisons) == 2


def test_the_duplicates_page_is_short_and_paginated(demo_client):
    page = demo_client.get("/assets/duplicates")
    total = int(
        re.search(r"<strong>([\d,]+)</strong> pairs to review", page.text)[1].replace(",", "")
    )
    assert total > asset_review.PER_PAGE == 20
    assert page.text.count('<li class="pair">') == asset_review.PER_PAGE
    pages = -(-total // asset_review.PER_PAGE)
    assert f"Page 1 of {pages}" in page.text and 'rel="next"' in page.text
    last = demo_client.get("/assets/duplicates", params={"page": pages + 5})
    assert f"Page {pages} of {pages}" in last.text and 'rel="next"' not in last.text


class _Buttons(HTMLParser):
    """Each button's visible words and its whole name (the visually hidden words included)."""

    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[tuple[str, str, dict[str, str | None]]] = []
        self._open: list[list[str]] | None = None
        self._hidden = 0
        self._attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "button":
            self._open, self._attrs = [[], []], dict(attrs)
        elif tag == "span" and self._open is not None:
            self._hidden += ("class", "visually-hidden") in attrs

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._hidden:
            self._hidden -= 1
        elif tag == "button" and self._open is not None:
            visible, whole = ("".join(part).strip() for part in self._open)
            self.buttons.append((visible, whole, self._attrs))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)
            if not self._hidden:
                self._open[0].append(data)


def test_each_buttons_name_begins_with_its_visible_words(demo_client):
    """100 buttons had an aria-label ("Keep X from Y and merge...") that did not contain their
    visible words ("Keep this one, merge the other into it")."""
    found = _Buttons()
    found.feed(demo_client.get("/assets/duplicates").text)
    merges = [b for b in found.buttons if b[0].startswith("Keep this one")]
    assert len(merges) == 2 * asset_review.PER_PAGE
    for visible, whole, attrs in found.buttons:
        assert "aria-label" not in attrs, attrs
        assert whole.startswith(visible), (visible, whole)
    # and each still says which entry it keeps
    assert len({whole for _, whole, _ in merges}) > 1


def test_the_kept_quality_report_follows_the_register(sqlite_workspace):
    """The quality report is kept between views (the page took 4.3 s), and counted again once
    an asset is added."""
    assets = sqlite_workspace.assets
    before = sum(g.total for g in assets.quality().sources)
    assert assets.quality().to_dict() == assets.quality().to_dict()
    assets.import_file(
        b"name,category,lon,lat\nTesttown Library,library,-0.095,51.505\n", name="c.csv"
    )
    assert sum(g.total for g in assets.quality().sources) == before + 1

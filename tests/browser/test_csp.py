"""Every page of the demo, opened in Chromium at desktop size under the app's
Content-Security-Policy, logs no violation: no inline script or handler, nothing from elsewhere.

The pages are found from the app's route table (every GET route that answers a page), so a new
page is checked as soon as it exists. The demo is served from a copy, in which a map and a round
are shared and a survey link is issued, so the token pages show their real content.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from mobilise import open_workspace
from mobilise.model.drivers_plan import DriversPlan
from mobilise.settings import DEFAULT_SECRET_KEY, Settings
from mobilise.web.app import create_app

from ..conftest import serving

NOT_PAGES = ("/api/", "/oruk", "/static", "/contributions/")  # JSON, the feed, files, photos
DOWNLOADS = (".csv", ".qdpx", ".zip", ".xlsx", ".pdf", "/pack.html")  # files a browser saves
STREAMING = ("/maps/{map_id}", "/maps/shared/{token}")  # a live stream: the network never idles
BATCH = 6


@pytest.fixture(scope="module")
def demo_copy(demo_workspace, tmp_path_factory) -> Iterator[tuple[str, dict[str, str], Any]]:
    """The demo served from a copy, with the ids that fill the pages' paths."""
    path = tmp_path_factory.mktemp("csp") / "demo.sqlite"
    with sqlite3.connect(demo_workspace.engine.url.database) as source:
        copy = sqlite3.connect(path)
        source.backup(copy)
        copy.close()
    ws = open_workspace(path, actor="tester")
    place = ws.places.list()[0].slug
    made = ws.maps.list()[0].id
    round_ = ws.surveys.rounds()[-1]
    partner = ws.partners.list()[0].id
    new_round = ws.surveys.create_round(
        "Round 3", date=date(2026, 10, 1), status="open", roster=[partner]
    )
    held = ws.events.list(when="past").items[0]
    cafe = next(e for e in ws.events.list(when="past", limit=200).items if ws.cafes.tables(e.id))
    table = ws.cafes.tables(cafe.id)[0]
    upcoming = next(e for e in ws.events.list(when="upcoming").items if e.registration_token)
    ids = {
        "slug": place,
        "code": ws.places.area_codes(place)[0],
        "asset_id": ws.assets.search(place=place).items[0].id,
        "map_id": made,
        "round_id": round_.id,
        "partner_id": partner,
        "map token": ws.maps.share(made),
        "round token": ws.surveys.share(round_.id),
        "survey token": ws.surveys.invite(new_round.id)[0].token,
        # co-production: the demo's illustrative events, people and information sheets
        "event_id": held.id,
        "registration_token": upcoming.registration_token,
        "participant_id": ws.participants.list(limit=1)[0].id,
        "sheet_id": ws.consent.sheets()[0].id,
        "table_id": table.id,
        "event_contribution_id": next(
            c.id for c in ws.event_contributions.list(cafe.id) if c.media_type
        ),
        "action_id": ws.actions.list()[0].id,
        "host_token": ws.cafes.host_token(table.id, key=DEFAULT_SECRET_KEY),
        # evidence packs (issue 18, part L): a pack, so its own document is walked too
        "pack_id": (pack := ws.packs.build(place, audience="community")).id,
        "pack token": ws.packs.share(pack.id),
        # drivers of disparities (issue 18, part J): a least-squares run, quick to fit
        "run_id": ws.drivers.run(
            place,
            DriversPlan.build(
                outcome="cidr2019", variables=["indicator:income2019_score"], models=["ols"]
            ),
        ).id,
        # access sweeps (issue 19, part N4): one chunk, so it runs in this process
        "sweep_id": ws.sweeps.execute(
            ws.sweeps.start(place, categories=["libraries"], chunk_size=5000).id
        ).id,
        # the programme (issue 20): a project of the demo's programme
        "project_key": ws.programme.list()[0].key,
    }
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    try:
        with serving(app) as url:
            yield url, ids, app
    finally:
        ws.close()


def _pages(app: Any, ids: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for route in iter_route_contexts(app.routes):
        path = str(route.path)
        if "GET" not in (route.methods or set()):
            continue
        if path.startswith(NOT_PAGES) and path != "/api/docs":
            continue
        if path.endswith(DOWNLOADS):
            continue
        token = (
            "survey token"
            if "/survey/" in path
            else "round token"
            if "network/" in path
            else "pack token"
            if path.startswith("/p/")
            else "map token"
        )
        url = path.replace("{token}", ids[token])
        for name, value in ids.items():
            url = url.replace("{" + name + "}", value)
        assert "{" not in url, f"no demo id for {path}: add one to demo_copy"
        found.append((path, url))
    return found


def test_no_page_of_the_demo_breaks_the_content_security_policy(browser, demo_copy):
    url, ids, app = demo_copy
    pages = _pages(app, ids)
    assert len(pages) > 30
    context = browser.new_context(viewport={"width": 1300, "height": 950})
    violations: list[str] = []
    errors: list[str] = []

    def watched() -> Any:
        tab = context.new_page()
        tab.on(
            "console",
            lambda message: (
                violations.append(f"{tab.url}: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        tab.on("pageerror", lambda error: errors.append(f"{tab.url}: {error}"))
        return tab

    try:
        # A few tabs at a time: each page's requests settle while the next ones load.
        for start in range(0, len(pages), BATCH):
            opened = []
            for path, address in pages[start : start + BATCH]:
                tab = watched()
                response = tab.goto(url + address, wait_until="load")
                assert response is not None and response.status < 500, (path, response)
                opened.append((path, tab))
            for path, tab in opened:
                if path in STREAMING:
                    tab.wait_for_selector("#live.on", timeout=20_000)
                else:
                    tab.wait_for_load_state("networkidle", timeout=20_000)
                tab.close()
        docs = watched()
        docs.goto(url + "/api/docs")
        docs.wait_for_selector(".opblock-tag", timeout=20_000)  # Swagger UI drew the API
    finally:
        context.close()
    assert violations == [], "\n".join(violations)
    assert errors == []


def test_the_api_docs_load_nothing_from_elsewhere(browser, demo_copy):
    url, _ids, _app = demo_copy
    context = browser.new_context(viewport={"width": 1300, "height": 950})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: elsewhere.append(request.url) if not request.url.startswith(url) else None,
    )
    page.goto(url + "/api/docs")
    page.wait_for_selector(".opblock-tag", timeout=20_000)
    context.close()
    assert elsewhere == []

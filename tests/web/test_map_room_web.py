"""The systems-map editor's room tools as pages and API (issue 17, item 5): what each page
offers, and the API contract the page's undo stands on. The tools themselves are driven in
Chromium by tests/browser/test_map_room.py."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web._helpers import error_shape

EDITOR_SCRIPTS = (
    "map_look.js",
    "map_export.js",
    "map_find.js",
    "map_draw.js",
    "map_undo.js",
    "map_whatif.js",
    "map_present.js",
    "map_editor.js",
)


@pytest.fixture
def local(writable_client) -> TestClient:
    return writable_client


@pytest.fixture
def made(sqlite_workspace):
    return sqlite_workspace.maps.create("Parks and wellbeing")


def ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_the_editor_offers_the_room_tools_and_asks_to_join_first(local, made):
    page = local.get(f"/maps/{made.id}").text
    assert {"find-factor", "text-size", "present", "present-bar", "what-if-chart"} - ids(page) == {
        "what-if-chart"  # drawn when a scenario is run
    }
    assert {"draw-links", "undo", "redo", "sign-chooser", "join-first", "edit-tools"} <= ids(page)
    assert re.search(r'<fieldset id="edit-tools"[^>]*\bdisabled', page)  # until one joins
    assert re.search(r'<button[^>]*id="draw-links"[^>]*\bdisabled', page)
    assert re.search(r'id="present-bar"[^>]*\bhidden', page)
    assert re.search(r'id="sign-chooser"[^>]*\bhidden', page)
    assert '<link rel="stylesheet" href="/static/map_editor.css">' in page
    order = [page.index(f'<script src="/static/{name}">') for name in EDITOR_SCRIPTS]
    assert order == sorted(order)  # the parts before the editor that runs them
    for name in (*EDITOR_SCRIPTS, "map_editor.css"):
        assert local.get(f"/static/{name}").status_code == 200


def test_the_share_screen_presents_and_finds_but_changes_nothing(local, made, sqlite_workspace):
    token = sqlite_workspace.maps.share(made.id)
    page = local.get(f"/maps/shared/{token}").text
    assert {"find-factor", "text-size", "present", "present-bar"} <= ids(page)
    assert not {"draw-links", "undo", "redo", "sign-chooser", "join-first", "edit-tools"} & ids(
        page
    )


def test_the_list_of_maps_becomes_cards_on_a_phone(local, made):
    page = local.get("/maps").text
    assert 'class="maps-list cards"' in page
    for label in ("Place", "Factors", "Links", "Status", "Seen by", "Last change"):
        assert f'data-label="{label}"' in page
    css = local.get("/static/map_editor.css").text
    assert "@media (max-width: 640px)" in css and "attr(data-label)" in css


def test_undo_through_the_api_and_no_undo_over_someone_elses_change(local, made):
    """What the page's undo sends: undoing an addition deletes it naming the version it left,
    redoing restores it (same id, for everyone's pages), undoing a change sends the values from
    before; after someone else's change the same undo is a 409 and changes nothing."""
    base = f"/api/v1/maps/{made.id}"
    local.post(f"{base}/participants", json={"pseudonym": "Amy"})
    park = local.post(f"{base}/factors", json={"label": "Park"}).json()
    mood = local.post(f"{base}/factors", json={"label": "Mood"}).json()
    link = local.post(
        f"{base}/links", json={"source_id": park["id"], "target_id": mood["id"], "polarity": "+"}
    ).json()

    undone = local.delete(f"{base}/links/{link['id']}", params={"version": link["version"]})
    assert undone.status_code == 200, undone.text
    redone = local.post(f"{base}/links/{link['id']}/restore").json()
    assert redone["id"] == link["id"] and redone["polarity"] == "+"
    kinds = [(e["entity_type"], e["action"]) for e in local.get(f"{base}/events").json()]
    assert kinds[-3:] == [("link", "create"), ("link", "delete"), ("link", "restore")]

    renamed = local.patch(
        f"{base}/factors/{park['id']}", json={"version": park["version"], "label": "Parks"}
    ).json()
    back = local.patch(
        f"{base}/factors/{park['id']}", json={"version": renamed["version"], "label": "Park"}
    )
    assert back.json()["label"] == "Park"

    mine = back.json()["version"]
    theirs = local.patch(
        f"{base}/factors/{park['id']}", json={"version": mine, "label": "Green space"}
    )
    assert theirs.status_code == 200
    stale = local.patch(f"{base}/factors/{park['id']}", json={"version": mine, "label": "Parks"})
    error_shape(stale, 409, "conflict")
    stale_delete = local.delete(f"{base}/factors/{park['id']}", params={"version": mine})
    error_shape(stale_delete, 409, "conflict")
    labels = [f["label"] for f in local.get(base).json()["factors"]]
    assert labels == ["Green space", "Mood"]

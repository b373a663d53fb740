"""Who a map change is attributed to, and restoring what was deleted, through the JSON API
(issue 14: finding 4, impersonation on maps; finding 10, restore of maps, factors and links)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


def signed_in(workspace, username, role):
    password = f"the long secret of {username}"
    workspace.users.create(username, password, role=role)
    client = TestClient(create_app(SHARED, workspace=workspace), base_url="https://testserver")
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code < 400, response.text
    return client


@pytest.fixture
def workshop(sqlite_workspace):
    """A map with a factor; Pat (a partner) joined it and voted; Fran is a facilitator."""
    fran = signed_in(sqlite_workspace, "fran", "facilitator")
    pat = signed_in(sqlite_workspace, "pat", "partner")
    map_id = fran.post("/api/v1/maps", json={"title": "Damp homes"}).json()["id"]
    base = f"/api/v1/maps/{map_id}"
    factor = fran.post(f"{base}/factors", json={"label": "Damp"}).json()["id"]
    joined = pat.post(f"{base}/participants", json={"pseudonym": "Pat"})
    assert joined.status_code == 200, joined.text
    vote = {"target_type": "factor", "target_id": factor, "value": 1}
    if "id" in joined.json():  # before issue 14 a client named its participant (and could lie)
        vote["participant_id"] = joined.json()["id"]
    assert pat.post(f"{base}/votes", json=vote).json()["agree"] == 1
    return sqlite_workspace, fran, pat, base, factor


def test_a_facilitator_cannot_vote_or_comment_as_a_partners_participant(workshop):
    """The shape of the finding: read the partner's participant id from the map, then vote and
    comment with it. Now no id is shown, a sent id is refused, and the name cannot be taken."""
    ws, fran, _pat, base, factor = workshop
    content = fran.get(base).json()
    assert content["participants"] == [{"pseudonym": "Pat", "stakeholder_group": ""}]
    (pats_id,) = [p["id"] for p in ws.maps.content(base.rsplit("/", 1)[1])["participants"]]
    assert pats_id not in json.dumps(content)
    assert "pat" not in json.dumps(content).replace("Pat", "")  # no user names either
    ballot = {"target_type": "factor", "target_id": factor, "value": -1}
    for path, body in (
        ("votes", ballot | {"participant_id": pats_id}),
        (
            "comments",
            {"target_type": "factor", "target_id": factor, "text": "No", "participant_id": pats_id},
        ),
        ("factors", {"label": "Mould", "participant_id": pats_id}),
    ):
        refused = error_shape(fran.post(f"{base}/{path}", json=body), 422, "invalid_input")
        assert "participant_id" in json.dumps(refused)
    error_shape(fran.post(f"{base}/participants", json={"pseudonym": "Pat"}), 409, "conflict")
    error_shape(fran.post(f"{base}/votes", json=ballot), 422, "invalid_input")  # join first
    assert fran.post(f"{base}/participants", json={"pseudonym": "Fran"}).status_code == 200
    assert fran.post(f"{base}/votes", json=ballot).json() | {"revision": 0} == {
        "target_type": "factor",
        "target_id": factor,
        "agree": 1,  # Pat's vote stands
        "disagree": 1,  # Fran's own
        "revision": 0,
    }
    said = fran.post(
        f"{base}/comments", json={"target_type": "factor", "target_id": factor, "text": "Hm"}
    )
    assert said.status_code == 201 and said.json()["pseudonym"] == "Fran"
    comments = fran.get(f"{base}/comments").json()
    assert [(c["pseudonym"], c["text"]) for c in comments] == [("Fran", "Hm")]
    assert all("participant_id" not in c for c in comments)
    events = fran.get(f"{base}/events").json()
    assert pats_id not in json.dumps(events) and all("actor" not in e for e in events)


def test_in_local_mode_each_browser_is_someone(sqlite_workspace):
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    one, other = TestClient(app, **LOCAL), TestClient(app, **LOCAL)
    base = f"/api/v1/maps/{one.post('/api/v1/maps', json={'title': 'Kiosk'}).json()['id']}"
    joined = one.post(f"{base}/participants", json={"pseudonym": "Amy"})
    cookie = joined.cookies.get("mobilise_map_browser")
    assert cookie and "httponly" in joined.headers["set-cookie"].lower()
    assert one.get(base).json()["me"] == {"pseudonym": "Amy", "stakeholder_group": ""}
    assert other.get(base).json()["me"] is None  # the same local user, another browser
    error_shape(other.post(f"{base}/participants", json={"pseudonym": "Amy"}), 409, "conflict")
    added = other.post(f"{base}/factors", json={"label": "Bus"}).json()
    assert [f["contributor"] for f in one.get(base).json()["factors"]] == [None]
    assert added["label"] == "Bus"


def test_deleted_parts_and_maps_are_listed_and_restored(workshop):
    ws, fran, pat, base, factor = workshop
    other = fran.post(f"{base}/factors", json={"label": "Cold"}).json()["id"]
    link = fran.post(f"{base}/links", json={"source_id": factor, "target_id": other}).json()["id"]
    fran.delete(f"{base}/factors/{other}")
    deleted = fran.get(f"{base}/deleted").json()
    assert [f["label"] for f in deleted["factors"]] == ["Cold"]
    assert [k["id"] for k in deleted["links"]] == [link]
    assert "deleted_by" not in deleted["factors"][0]
    refused = error_shape(fran.post(f"{base}/links/{link}/restore"), 409, "conflict")
    assert "Cold" in refused["message"] and "restore the factor first" in refused["message"].lower()
    back = fran.post(f"{base}/factors/{other}/restore")
    assert back.status_code == 200 and [k["id"] for k in back.json()["links"]] == [link]
    assert len(fran.get(base).json()["links"]) == 1

    map_id = base.rsplit("/", 1)[1]
    assert fran.delete(base).status_code == 204
    error_shape(pat.get(base), 404, "not_found")
    assert [m["id"] for m in pat.get("/api/v1/maps/deleted").json()] == [map_id]
    assert 'data-restore-map="' + map_id in pat.get("/maps").text
    assert pat.post(f"{base}/restore").json()["n_factors"] == 2
    error_shape(pat.post(f"{base}/restore"), 409, "conflict")
    (newest, *_) = ws.audit.entries(entity_type="systems_map", entity_id=map_id)
    assert newest.action == "restore"
    viewer = signed_in(ws, "vic", "viewer")
    error_shape(viewer.get("/api/v1/maps/deleted"), 403, "permission_denied")

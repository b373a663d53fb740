"""The visibility x role x route matrix of systems maps and survey rounds (issue 14, finding 11).

Generated from the app's route table: every route under the map and round prefixes must have a
rule in :data:`VISIBILITY` (a new map or round route without one fails
:func:`test_every_map_and_round_route_has_a_visibility_rule`). For each visibility of a map and
a round (group, consortium, link) and each person, :func:`test_each_person_sees_what_the_visibility_says`
checks every route:

* ``map`` / ``round``: the route of one map or round. Someone who may not see it gets exactly
  what they get for one that does not exist (a 404, or the 403 of a role that may not use the
  route at all): its existence does not leak. Someone who may see it is never told 404.
* ``map-list`` / ``round-list``: a listing shows the map or round exactly to those who may see
  it; ``deleted-maps`` likewise for a deleted map of the group.
* ``map-link`` / ``round-link``: the share link opens it to anyone only while it is ``link``.
* ``new``: the route makes a new map or round (nothing to hide yet).

Who sees what (mobilise.model.visibility): a ``group`` map is seen by the person who made it,
its participants and the staff (admin, analyst, facilitator); a ``group`` round by the staff
only; ``consortium`` and ``link`` by every signed-in user.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .test_route_matrix import Restorer, served_routes

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a password for the visibility matrix"
PREFIXES = (
    "/api/v1/maps",
    "/maps",
    "/api/v1/shared-maps",
    "/api/v1/rounds",
    "/rounds",
    "/api/v1/network",
    "/network",
    "/api/v1/shared-rounds",
)
# who: (username, role); "pat" made the map, "mia" joined it, "ollie" is another partner
PEOPLE = {
    "viewer": "viewer",
    "ollie": "partner",
    "pat": "partner",
    "mia": "partner",
    "facilitator": "facilitator",
    "analyst": "analyst",
    "admin": "admin",
}
STAFF = {"facilitator", "analyst", "admin"}
SEES_GROUP = {"map": STAFF | {"pat", "mia"}, "round": STAFF}

M, R = "map", "round"
VISIBILITY: dict[str, str] = {
    "GET /maps": "map-list",
    "GET /maps/{map_id}": M,
    "GET /maps/shared/{token}": "map-link",
    "GET /api/v1/maps": "map-list",
    "POST /api/v1/maps": "new",
    "POST /api/v1/maps/import": "new",
    "GET /api/v1/maps/compare": M,
    "GET /api/v1/maps/deleted": "deleted-maps",
    "GET /api/v1/maps/{map_id}": M,
    "PATCH /api/v1/maps/{map_id}": M,
    "DELETE /api/v1/maps/{map_id}": M,
    "POST /api/v1/maps/{map_id}/restore": M,
    "GET /api/v1/maps/{map_id}/contributions": M,
    "POST /api/v1/maps/{map_id}/participants": M,
    "PUT /api/v1/maps/{map_id}/participants/{map_participant}/person": M,  # issue 15
    "POST /api/v1/maps/{map_id}/factors": M,
    "PATCH /api/v1/maps/{map_id}/factors/{factor_id}": M,
    "DELETE /api/v1/maps/{map_id}/factors/{factor_id}": M,
    "POST /api/v1/maps/{map_id}/factors/{factor_id}/restore": M,
    "GET /api/v1/maps/{map_id}/factors/{factor_id}/evidence": M,  # issue 16: a theme's quotes
    "POST /api/v1/maps/{map_id}/links": M,
    "PATCH /api/v1/maps/{map_id}/links/{link_id}": M,
    "DELETE /api/v1/maps/{map_id}/links/{link_id}": M,
    "POST /api/v1/maps/{map_id}/links/{link_id}/restore": M,
    "GET /api/v1/maps/{map_id}/deleted": M,
    "GET /api/v1/maps/{map_id}/comments": M,
    "POST /api/v1/maps/{map_id}/comments": M,
    "POST /api/v1/maps/{map_id}/votes": M,
    "GET /api/v1/maps/{map_id}/snapshots": M,
    "POST /api/v1/maps/{map_id}/snapshots": M,
    "GET /api/v1/maps/{map_id}/snapshots/{snapshot_id}": M,
    "GET /api/v1/maps/{map_id}/events": M,
    "GET /api/v1/maps/{map_id}/stream": M,
    "GET /api/v1/maps/{map_id}/analysis": M,
    "GET /api/v1/maps/{map_id}/submap": M,
    "POST /api/v1/maps/{map_id}/scenario": M,
    "GET /api/v1/maps/{map_id}/export": M,
    "POST /api/v1/maps/{map_id}/share": M,
    "DELETE /api/v1/maps/{map_id}/share": M,
    "GET /api/v1/shared-maps/{token}": "map-link",
    "GET /api/v1/shared-maps/{token}/stream": "map-link",
    "GET /api/v1/shared-maps/{token}/analysis": "map-link",
    "GET /rounds": "round-list",
    "GET /rounds/{round_id}": R,
    "GET /api/v1/rounds": "round-list",
    "POST /api/v1/rounds": "new",
    "GET /api/v1/rounds/{round_id}": R,
    "PATCH /api/v1/rounds/{round_id}": R,
    "GET /api/v1/rounds/{round_id}/roster": R,
    "PUT /api/v1/rounds/{round_id}/roster": R,
    "POST /api/v1/rounds/{round_id}/share": R,
    "DELETE /api/v1/rounds/{round_id}/share": R,
    "POST /api/v1/rounds/{round_id}/invitations": R,
    "GET /api/v1/rounds/{round_id}/completion": R,
    "POST /api/v1/rounds/{round_id}/import": R,
    "GET /network": R,  # ?round=
    "GET /network/compare": R,  # ?a=&b=
    "GET /network/map": R,  # ?round=
    "GET /network/shared/{token}": "round-link",
    "GET /api/v1/network/rounds": "round-list",
    "GET /api/v1/network/compare": R,
    "GET /api/v1/network/{round_}/metrics": R,
    "GET /api/v1/network/{round_}/drawing": R,
    "GET /api/v1/network/{round_}/introductions": R,
    "GET /api/v1/shared-rounds/{token}": "round-link",
    # a partner's profile shows its rounds: only those the viewer may see
    "GET /api/v1/partners/{partner_id}/profile": "round-list",
    "GET /partners/{partner_id}/profile": "round-list",
}
QUERIES = {  # routes that name their map or round in the query
    "GET /api/v1/maps/compare": "map={map_id}&map={other_map}",
    "GET /api/v1/maps/{map_id}/stream": "after=-1",  # let through: a 422 ends it at once
    "GET /api/v1/shared-maps/{token}/stream": "after=-1",
    "GET /api/v1/maps/{map_id}/submap": "focus=Park",
    "GET /network": "round={round_id}",
    "GET /network/map": "round={round_id}",
    "GET /network/compare": "a={round_id}&b={other_round}",
    "GET /api/v1/network/compare": "a={round_id}&b={other_round}",
}
TIES = """round,respondent,partner,level
2025,p-a,p-b,1
2025,p-b,p-c,2
2025,p-c,p-a,3
2025,p-d,p-a,1
2026,p-a,p-b,2
2026,p-b,p-d,1
2026,p-c,p-d,3
"""


def routes_to_check(app: Any) -> list[tuple[str, str]]:
    profile = ("/api/v1/partners/{partner_id}/profile", "/partners/{partner_id}/profile")
    return [
        (method, path)
        for method, path in served_routes(app)
        if path.startswith(PREFIXES) or path in profile
    ]


@pytest.fixture
def app(sqlite_workspace, tmp_path):
    ws = sqlite_workspace
    ws.surveys.import_file(TIES.encode(), name="ties.csv", default_sector="vcse")
    for username, role in PEOPLE.items():
        ws.users.create(username, PASSWORD, role=role)
    return create_app(SHARED, workspace=ws)


def _ids(ws: Any) -> dict[str, str]:
    pat = ws.as_actor("pat")
    made = pat.maps.create("Hidden estate map")
    ws.maps.join(made.id, "Mia", username="mia")
    park = ws.maps.add_factor(made.id, {"label": "Park"})
    mood = ws.maps.add_factor(made.id, {"label": "Mood"})
    link = ws.maps.add_link(made.id, {"source_id": park["id"], "target_id": mood["id"]})
    gone = pat.maps.create("Deleted group map", visibility="group")
    pat.maps.delete(gone.id)
    first, second = ws.surveys.rounds()
    return {
        "map_id": made.id,
        "other_map": ws.maps.create("Open map").id,
        "deleted_map": gone.id,
        "factor_id": park["id"],
        "link_id": link["id"],
        "snapshot_id": ws.map_talk.snapshot(made.id, "first")["id"],
        "round_id": first.id,
        "round_": first.id,
        "round name": first.name,
        "other_round": second.id,
        "partner_id": ws.partners.get("p-a").id,
        "map_participant": "Mia",  # issue 15: linked to a participant
    }


def _url(path: str, query: str, ids: dict[str, str], **replaced: str) -> str:
    values = {**ids, **replaced}
    url = path + (f"?{query}" if query else "")
    return re.sub(r"\{(\w+)\}", lambda found: values[found.group(1)], url)


def test_every_map_and_round_route_has_a_visibility_rule(app):
    served = {f"{method} {path}" for method, path in routes_to_check(app)}
    missing = sorted(served - set(VISIBILITY))
    assert not missing, (
        "These map or round routes have no visibility rule: add one to VISIBILITY in "
        f"tests/web/test_visibility_matrix.py: {missing}"
    )
    assert not sorted(set(VISIBILITY) - served), "VISIBILITY names routes no longer served"


def _clients(app: Any) -> dict[str, TestClient]:
    clients = {}
    for username in PEOPLE:
        client = TestClient(app, base_url="https://testserver")
        signed = client.post("/login", data={"username": username, "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        clients[username] = client
    return clients


def _shown(response: Any, *needles: str) -> bool:
    return response.status_code == 200 and any(n in response.text for n in needles)


@pytest.mark.parametrize("visibility", ["group", "consortium", "link"])
def test_each_person_sees_what_the_visibility_says(app, visibility):
    ws = app.state.workspace
    ids = _ids(ws)
    ws.maps.set_visibility(ids["map_id"], visibility)
    ws.surveys.set_visibility(ids["round_id"], visibility)
    tokens = {
        "map-link": ws.maps.share(ids["map_id"]) if visibility == "link" else "was-never-shared",
        "round-link": ws.surveys.share(ids["round_id"]) if visibility == "link" else "nope",
    }
    clients = _clients(app)
    anonymous = TestClient(app, base_url="https://testserver")
    restore = Restorer(ws.engine.url.database)
    missing = {k: "00000000-0000-4000-8000-000000000000" for k in ("map_id", "round_id", "round_")}
    wrong = []
    for method, path in routes_to_check(app):
        key = f"{method} {path}"
        kind, query = VISIBILITY[key], QUERIES.get(key, "")
        if kind == "new":
            continue
        if kind in ("map-link", "round-link"):
            response = anonymous.request(method, _url(path, query, ids, token=tokens[kind]))
            opened = response.status_code in (200, 422)  # 422: the stopped stream
            if opened != (visibility == "link"):
                wrong.append(f"{key} anonymous: {response.status_code}")
            continue
        thing = "round" if kind.startswith("round") else "map"
        sees = {p for p in PEOPLE if visibility != "group" or p in SEES_GROUP[thing]}
        for who, client in clients.items():
            if kind in (M, R):
                response = client.request(method, _url(path, query, ids))
                got = response.status_code
                if who in sees and got == 404:
                    wrong.append(f"{key} {who}: 404, though they may see it")
                if who not in sees:
                    nothing = client.request(method, _url(path, query, ids, **missing))
                    if got != nothing.status_code:
                        wrong.append(f"{key} {who}: {got}, but {nothing} for nothing at all")
            elif kind == "deleted-maps":
                response = client.request(method, _url(path, query, ids))
                got = response.status_code
                listed = _shown(response, ids["deleted_map"])
                if got == 200 and listed != (who in STAFF | {"pat"}):  # Mia did not join it
                    wrong.append(f"{key} {who}: the deleted group map listed={listed}")
            else:
                response = client.request(method, _url(path, query, ids))
                got = response.status_code
                needles = (ids["map_id"],) if thing == "map" else (ids["round name"],)
                if _shown(response, *needles) != (who in sees):
                    wrong.append(f"{key} {who}: listed={who not in sees} ({got})")
            if method != "GET" and got < 400:
                restore()
    assert not wrong, "\n".join(wrong)

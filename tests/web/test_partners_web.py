"""Partners, survey rounds and the roster survey through the JSON API and pages: roles, the
single-use invitation link, save and resume, answers checked in words, file imports."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.demo import DEMO_DATA
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from ._jobs import outcome
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a long enough test password"
_names = count(1)


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """A workspace with the illustrative consortium (43 partners, two closed rounds) and users."""
    ws = open_workspace(tmp_path_factory.mktemp("p6") / "ws.sqlite", actor="tester")
    ws.places.create("northamptonshire", "Northamptonshire")
    ws.places.create("inner-north-east-london", "Inner north-east London")
    ws.partners.import_file(DEMO_DATA / "partnership" / "partners.csv")
    ws.surveys.import_file(DEMO_DATA / "partnership" / "ties.csv")
    for name, role in (("ed", "analyst"), ("vic", "viewer"), ("pat", "partner")):
        ws.users.create(name, PASSWORD, role=role)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def local(partnership: Workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=partnership)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def signed_in(workspace: Workspace, username: str | None) -> TestClient:
    """A client of a shared (not local) deployment, signed in as ``username`` (or nobody)."""
    client = TestClient(
        create_app(SHARED, workspace=workspace),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    if username:
        answer = client.post("/login", data={"username": username, "password": PASSWORD})
        assert answer.status_code in (200, 303), answer.text
    return client


def open_round(client: TestClient, *, roster: list[str] | None = None) -> dict:
    body = {"name": f"Test round {next(_names)}", "date": "2026-10-01", "status": "open"}
    if roster is not None:
        body["roster"] = roster
    response = client.post("/api/v1/rounds", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def partner_ids(client: TestClient, *keys: str) -> list[str]:
    by_key = {p["key"]: p["id"] for p in client.get("/api/v1/partners").json()}
    return [by_key[k] for k in keys]


def invite(client: TestClient, round_id: str, partners: list[str] | None = None) -> list[dict]:
    body = {} if partners is None else {"partners": partners}
    response = client.post(f"/api/v1/rounds/{round_id}/invitations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


SMALL = ("p-kingsmead", "p-nene-nhs", "p-lea-nhs", "p-fleet-nhs")


# -- partners -------------------------------------------------------------------------------------
def test_partners_list_filter_get_create_patch_leave_delete(local):
    listed = local.get("/api/v1/partners").json()
    assert len(listed) == 43
    nhs = local.get("/api/v1/partners", params={"sector": "nhs_trust"}).json()
    assert nhs and {p["sector"] for p in nhs} == {"nhs_trust"}
    made = local.post(
        "/api/v1/partners",
        json={
            "name": "Corby Walking Group",
            "sector": "community_group",
            "places": ["northamptonshire"],
        },
    )
    assert made.status_code == 201, made.text
    partner = made.json()
    assert partner["key"] == "corby-walking-group" and partner["active"]
    assert local.get(f"/api/v1/partners/{partner['id']}").json()["name"] == "Corby Walking Group"
    changed = local.patch(
        f"/api/v1/partners/{partner['id']}",
        json={"version": partner["version"], "description": "Weekly walks"},
    )
    assert changed.status_code == 200 and changed.json()["description"] == "Weekly walks"
    stale = local.patch(
        f"/api/v1/partners/{partner['id']}", json={"version": partner["version"], "url": ""}
    )
    error_shape(stale, 409, "conflict")
    left = local.post(f"/api/v1/partners/{partner['id']}/leave", json={"note": "moved on"})
    assert left.status_code == 200 and not left.json()["active"]
    assert local.delete(f"/api/v1/partners/{partner['id']}").status_code == 204
    error_shape(local.get(f"/api/v1/partners/{partner['id']}/contacts"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "sector": "not-a-sector"}, "sector"),
        ({"name": "", "sector": "vcse"}, "name"),
        ({"name": "X", "sector": "vcse", "colour": "red"}, "colour"),
        ({"name": "X", "sector": "vcse", "places": ["atlantis"]}, "places"),
    ],
)
def test_a_bad_partner_is_a_422_naming_the_field(local, body, field):
    error = error_shape(local.post("/api/v1/partners", json=body), 422, "invalid_input")
    assert field in {p["field"] for p in error["problems"]}


def test_unknown_partner_and_round_are_404(local):
    error_shape(local.get("/api/v1/partners/nobody"), 404, "not_found")
    error_shape(local.get("/api/v1/rounds/no-such-round"), 404, "not_found")


def test_contacts_are_for_editors_only_and_never_on_partner_views(partnership, local):
    kingsmead = partner_ids(local, "p-kingsmead")[0]
    added = local.post(
        f"/api/v1/partners/{kingsmead}/contacts",
        json={"name": "Dr Ada Example", "role": "Lead", "email": "ada@example.org"},
    )
    assert added.status_code == 201, added.text
    assert [c["email"] for c in local.get(f"/api/v1/partners/{kingsmead}/contacts").json()] == [
        "ada@example.org"
    ]
    bad = local.post(f"/api/v1/partners/{kingsmead}/contacts", json={"name": "", "email": "x"})
    assert {p["field"] for p in error_shape(bad, 422, "invalid_input")["problems"]} == {
        "name",
        "email",
    }
    for username in ("vic", "pat"):
        client = signed_in(partnership, username)
        error_shape(client.get(f"/api/v1/partners/{kingsmead}/contacts"), 403, "permission_denied")
        shown = client.get(f"/api/v1/partners/{kingsmead}").text + client.get("/partners").text
        assert "ada@example.org" not in shown and "Ada Example" not in shown
    assert "ada@example.org" not in local.get("/partners").text


def test_rejoin_and_removing_a_representative_erases_them(partnership, local):
    made = local.post(
        "/api/v1/partners",
        json={"name": "Canal Friends", "sector": "environment", "joined_on": "2025-01-01"},
    )
    partner = made.json()
    url = f"/api/v1/partners/{partner['id']}"
    error_shape(local.post(f"{url}/rejoin", json={}), 422, "invalid_input")  # a member already
    assert local.post(f"{url}/leave", json={"on": "2026-03-01"}).status_code == 200
    early = local.post(f"{url}/rejoin", json={"on": "2026-02-01"})
    assert "before it left" in error_shape(early, 422, "invalid_input")["message"]
    back = local.post(f"{url}/rejoin", json={"on": "2026-09-01", "note": "new funding"})
    assert back.status_code == 200 and back.json()["active"]
    assert [m["joined_on"] for m in back.json()["memberships"]][-1] == "2026-09-01"
    error_shape(
        signed_in(partnership, "vic").post(f"{url}/rejoin", json={}), 403, "permission_denied"
    )

    contact = local.post(
        f"{url}/contacts", json={"name": "Bo Example", "role": "Chair", "email": "bo@example.org"}
    )
    contact_id = contact.json()["id"]
    other = partner_ids(local, "p-kingsmead")[0]
    wrong = local.delete(f"/api/v1/partners/{other}/contacts/{contact_id}")
    error_shape(wrong, 404, "not_found")  # not that partner's representative
    viewer = signed_in(partnership, "vic")
    error_shape(viewer.delete(f"{url}/contacts/{contact_id}"), 403, "permission_denied")
    assert local.delete(f"{url}/contacts/{contact_id}").status_code == 204
    assert local.get(f"{url}/contacts").json() == []
    error_shape(local.delete(f"{url}/contacts/{contact_id}"), 404, "not_found")
    with partnership.engine.connect() as connection:
        from sqlalchemy import text

        row = connection.execute(
            text("SELECT name, role, email FROM partner_contacts WHERE id = :id"),
            {"id": contact_id},
        ).one()
        trail = connection.execute(
            text("SELECT action, before, after FROM audit_log WHERE entity_id = :id"),
            {"id": contact_id},
        ).all()
    assert tuple(row) == ("", "", "")  # erased, not only hidden
    assert [entry.action for entry in trail] == ["create", "update", "delete"]
    assert not {"Bo Example", "Chair", "bo@example.org"} & set(str(trail).split("'"))
    assert "Bo Example" not in str(trail) and "Chair" not in str(trail)


def test_editors_keep_a_partner_from_its_profile_page(partnership, local):
    kingsmead = partner_ids(local, "p-kingsmead")[0]
    page = local.get(f"/partners/{kingsmead}/profile").text
    assert 'id="edit-partner"' in page and 'id="new-contact"' in page
    assert "/static/partner_manage.js" in page and "Record that it left" in page
    for username in ("vic", "pat"):
        shown = signed_in(partnership, username).get(f"/partners/{kingsmead}/profile").text
        assert 'id="manage"' not in shown and "partner_manage.js" not in shown
    # An individual member's postcode is in the editors' form (the profile itself hides it from
    # non-admins): saving the form must not erase it.
    member = next(p for p in partnership.partners.list() if p.kind == "individual" and p.postcode)
    form = signed_in(partnership, "ed").get(f"/partners/{member.id}/profile").text
    assert f'id="edit-postcode" name="postcode" maxlength="10" value="{member.postcode}"' in form
    # A deleted partner's profile still opens, without the form.
    gone = local.post("/api/v1/partners", json={"name": "Gone Soon", "sector": "vcse"}).json()
    assert local.delete(f"/api/v1/partners/{gone['id']}").status_code == 204
    page = local.get(f"/partners/{gone['id']}/profile")
    assert page.status_code == 200 and 'id="manage"' not in page.text


def test_import_partners_all_or_nothing_naming_the_row(local, tmp_path):
    good = (
        "id,name,sector\nq-one,Queen's Park Allotments,environment\nq-two,Tenants Voice,community\n"
    )
    made = outcome(
        local,
        local.post(
            "/api/v1/partners/import",
            files={"file": ("new partners.csv", good.encode(), "text/csv")},
        ),
    )
    assert made.status_code == 201, made.text
    assert made.json()["created"] == 2 and made.json()["file"] == "new partners.csv"
    bad = "id;name;sector\r\nq-three;Three;vcse\r\nq-four;Four;spaceships\r\n"
    before = len(local.get("/api/v1/partners").json())
    refused = outcome(
        local,
        local.post(
            "/api/v1/partners/import", files={"file": ("bad.csv", bad.encode(), "text/csv")}
        ),
    )
    problems = error_shape(refused, 422, "invalid_input")["problems"]
    assert {(p["file"], p["row"], p["field"]) for p in problems} == {("bad.csv", 2, "sector")}
    assert len(local.get("/api/v1/partners").json()) == before  # row 1 was not imported either


# -- rounds and invitations -----------------------------------------------------------------------
def test_rounds_roster_invitations_and_completion(local):
    rounds = local.get("/api/v1/rounds").json()
    assert {"Round 1 — spring 2025", "Round 2 — spring 2026"} <= {r["name"] for r in rounds}
    made = open_round(local, roster=partner_ids(local, *SMALL[:3]))
    assert made["roster"] == 3 and made["status"] == "open"
    assert local.get(f"/api/v1/rounds/{made['id']}").json()["name"] == made["name"]
    roster = local.get(f"/api/v1/rounds/{made['id']}/roster").json()
    assert len(roster) == 3 and {"id", "name", "sector", "sector_label"} <= set(roster[0])
    four = partner_ids(local, *SMALL)
    put = local.put(f"/api/v1/rounds/{made['id']}/roster", json={"partners": four})
    assert put.status_code == 200 and put.json()["roster"] == 4
    closed = local.patch(f"/api/v1/rounds/{made['id']}", json={"version": 1, "status": "closed"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    error_shape(
        local.patch(f"/api/v1/rounds/{made['id']}", json={"version": 1, "status": "open"}),
        409,
        "conflict",
    )
    bad = local.patch(f"/api/v1/rounds/{made['id']}", json={"version": 2, "status": "half-open"})
    assert error_shape(bad, 422, "invalid_input")["problems"][0]["field"] == "status"
    local.patch(f"/api/v1/rounds/{made['id']}", json={"version": 2, "status": "open"})

    links = invite(local, made["id"], four[:2])
    assert len(links) == 2
    assert links[0]["url"] == f"http://127.0.0.1:8765/survey/{links[0]['token']}"
    everyone = invite(local, made["id"])
    assert len(everyone) == 4
    done = local.get(f"/api/v1/rounds/{made['id']}/completion").json()
    assert done["total"] == 4 and done["counts"]["invited"] == 4
    assert {row["status"] for row in done["partners"]} == {"invited"}
    # The first links were replaced by the second round of invitations.
    assert local.get(f"/api/v1/survey/{links[0]['token']}").status_code == 404


def test_a_stale_duplicate_or_bad_round_is_refused(local):
    made = open_round(local)
    duplicate = local.post("/api/v1/rounds", json={"name": made["name"], "date": "2026-10-01"})
    error_shape(duplicate, 409, "conflict")
    bad = local.post("/api/v1/rounds", json={"name": "X", "date": "not a date", "extra": 1})
    fields = {p["field"] for p in error_shape(bad, 422, "invalid_input")["problems"]}
    assert {"date", "extra"} <= fields
    off_roster = local.post(
        f"/api/v1/rounds/{made['id']}/invitations", json={"partners": ["nobody-at-all"]}
    )
    error_shape(off_roster, 404, "not_found")


def test_viewers_and_partners_cannot_manage_rounds(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    base = f"/api/v1/rounds/{made['id']}"
    for username in ("vic", "pat"):
        client = signed_in(partnership, username)
        assert client.get("/api/v1/rounds").status_code == 200
        denied = [
            client.post("/api/v1/rounds", json={"name": "Mine", "date": "2026-01-01"}),
            client.patch(base, json={"version": 1, "status": "closed"}),
            client.put(f"{base}/roster", json={"partners": []}),
            client.post(f"{base}/invitations", json={}),
            client.get(f"{base}/completion"),
            client.post(f"{base}/import", files={"file": ("t.csv", b"respondent,partner\n")}),
            client.post("/api/v1/partners", json={"name": "X", "sector": "vcse"}),
            client.post("/api/v1/partners/import", files={"file": ("p.csv", b"id,name\n")}),
        ]
        for response in denied:
            error_shape(response, 403, "permission_denied")
        assert client.get(f"/rounds/{made['id']}").status_code == 403
        assert "Create a round" not in client.get("/rounds").text
    editor = signed_in(partnership, "ed")
    assert editor.get(f"{base}/completion").status_code == 200
    assert "Create a round" in editor.get("/rounds").text


def test_an_individual_members_location_is_for_editors_and_thresholds_for_admins(
    partnership, local
):
    member = next(p for p in local.get("/api/v1/partners").json() if p["kind"] == "individual")
    assert member["latitude"] is not None  # local mode: an admin
    viewer = signed_in(partnership, "vic")
    seen = viewer.get(f"/api/v1/partners/{member['id']}").json()
    assert (seen["latitude"], seen["longitude"], seen["postcode"]) == (None, None, "")
    listed = {p["id"]: p for p in viewer.get("/api/v1/partners").json()}
    assert listed[member["id"]]["latitude"] is None
    editor = signed_in(partnership, "ed")
    assert editor.get(f"/api/v1/partners/{member['id']}").json()["latitude"] is not None
    low = editor.post("/api/v1/rounds", json={"name": "Low", "date": "2026-01-01", "min_raters": 1})
    error_shape(low, 403, "permission_denied")  # only admins lower the threshold


def test_anonymous_can_open_a_survey_link_only(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    link = invite(local, made["id"])[0]
    anonymous = signed_in(partnership, None)
    error_shape(anonymous.get("/api/v1/rounds"), 401, "authentication_required")
    error_shape(anonymous.get("/api/v1/partners"), 401, "authentication_required")
    assert anonymous.get("/rounds", follow_redirects=False).status_code == 303
    opened = anonymous.get(f"/api/v1/survey/{link['token']}")
    assert opened.status_code == 200, opened.text
    form = opened.json()
    assert form["respondent"]["name"] == link["partner_name"]
    assert len(form["roster"]) == 3 and set(form["round"]) == {
        "name",
        "date",
        "description",
        "status",
    }
    page = anonymous.get(f"/survey/{link['token']}")
    assert page.status_code == 200 and link["partner_name"] in page.text
    assert "0 of 3 partners answered" in page.text
    assert 'href="/maps"' not in page.text  # the respondent's page has no app menu


def test_a_link_preview_does_not_count_as_opening_the_link(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    link = invite(local, made["id"])[0]
    anonymous = signed_in(partnership, None)

    def status() -> str:
        rows = local.get(f"/api/v1/rounds/{made['id']}/completion").json()["partners"]
        return next(r["status"] for r in rows if r["partner_id"] == link["partner_id"])

    assert anonymous.get(f"/survey/{link['token']}").status_code == 200  # as a preview would
    assert status() == "invited"
    assert anonymous.post(f"/api/v1/survey/{link['token']}/opened").status_code == 204
    assert status() == "opened"
    error_shape(anonymous.post("/api/v1/survey/not-a-link/opened"), 404, "not_found")


def _answers(roster: list[dict]) -> dict:
    first, second, third = (p["id"] for p in roster)
    return {
        first: {"works_together": True, "frequency": 3, "level": 2, "trust_purpose": 4},
        second: {"works_together": False},
        third: {"works_together": True, "frequency": 4, "level": 3, "value_resources": 2},
    }


def test_save_resume_submit_then_the_link_is_used(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    link = invite(local, made["id"])[0]
    anonymous = signed_in(partnership, None)
    url = f"/api/v1/survey/{link['token']}"
    roster = anonymous.get(url).json()["roster"]
    answers = _answers(roster)
    first, second, _third = (p["id"] for p in roster)
    draft = {"answers": {first: answers[first]}, "contributions": ["data"], "comment": "Later"}
    saved = anonymous.put(url, json={**draft, "submit": False})
    assert saved.status_code == 200, saved.text
    assert saved.json()["status"] == "draft"
    again = anonymous.get(url).json()
    assert again["answers"][first]["level"] == 2 and again["answers"][first]["trust_purpose"] == 4
    assert again["contributions"] == ["data"] and again["comment"] == "Later"
    page = anonymous.get(f"/survey/{link['token']}").text
    assert "1 of 3 partners answered" in page
    assert f'name="{first}.level" value="2" checked' in page
    status = {
        r["partner_id"]: r["status"]
        for r in local.get(f"/api/v1/rounds/{made['id']}/completion").json()["partners"]
    }
    assert status[link["partner_id"]] == "draft"

    incomplete = anonymous.put(url, json={"answers": {first: answers[first]}, "submit": True})
    problems = error_shape(incomplete, 422, "invalid_input")["problems"]
    about_second = next(p for p in problems if p["field"] == f"{second}.works_together")
    name = next(p["name"] for p in roster if p["id"] == second)
    assert name in about_second["message"] and "Do you work with them?" in about_second["message"]

    sent = anonymous.put(
        url, json={"answers": answers, "achievements": ["shared_data"], "submit": True}
    )
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    error_shape(anonymous.get(url), 409, "conflict")
    error_shape(anonymous.put(url, json={"answers": answers, "submit": True}), 409, "conflict")
    thanks = anonymous.get(f"/survey/{link['token']}")
    assert thanks.status_code == 409 and "thank you" in thanks.text.lower()
    assert (
        "error" not in thanks.headers["content-type"]
        and "text/html" in thanks.headers["content-type"]
    )
    assert "Thank you" in anonymous.get("/survey/done").text
    metrics = partnership.network.metrics(made["id"])
    assert metrics["respondents"] == 1 and metrics["ties"] == 2
    assert local.get(f"/api/v1/rounds/{made['id']}").json()["submitted"] == 1
    # A submitted partner gets no new link.
    assert link["partner_id"] not in {i["partner_id"] for i in invite(local, made["id"])}


def test_a_reissued_link_replaces_the_old_one(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    who = partner_ids(local, "p-lea-nhs")
    old = invite(local, made["id"], who)[0]
    new = invite(local, made["id"], who)[0]
    anonymous = signed_in(partnership, None)
    error_shape(anonymous.get(f"/api/v1/survey/{old['token']}"), 404, "not_found")
    page = anonymous.get(f"/survey/{old['token']}")
    assert page.status_code == 404 and "ask the person who sent it" in page.text.lower()
    assert anonymous.get(f"/api/v1/survey/{new['token']}").status_code == 200
    assert anonymous.get("/survey/not-a-real-token").status_code == 404


@pytest.mark.parametrize(
    ("answer", "question", "words"),
    [
        ({"works_together": True, "frequency": 2}, "level", "How closely do you work together?"),
        ({"works_together": True, "level": 1}, "frequency", "How often are you in touch?"),
        (
            {"works_together": True, "level": 1, "frequency": 1, "trust_openness": 7},
            "trust_openness",
            "They are open with us",
        ),
        ({"works_together": False, "level": 2}, "level", "How closely"),
    ],
)
def test_problems_name_the_partner_and_the_question(partnership, local, answer, question, words):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"])[0]
    anonymous = signed_in(partnership, None)
    url = f"/api/v1/survey/{link['token']}"
    other = anonymous.get(url).json()["roster"][0]
    response = anonymous.put(url, json={"answers": {other["id"]: answer}, "submit": True})
    problem = error_shape(response, 422, "invalid_input")["problems"][0]
    assert problem["field"] == f"{other['id']}.{question}"
    assert other["name"] in problem["message"] and words in problem["message"]


def test_a_closed_or_draft_round_takes_no_answers(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"])[0]
    local.patch(f"/api/v1/rounds/{made['id']}", json={"version": 1, "status": "closed"})
    anonymous = signed_in(partnership, None)
    page = anonymous.get(f"/survey/{link['token']}")
    assert page.status_code == 409 and "has closed" in page.text
    put = anonymous.put(f"/api/v1/survey/{link['token']}", json={"answers": {}, "submit": False})
    error_shape(put, 409, "conflict")


def test_bad_survey_bodies_are_422(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"])[0]
    url = f"/api/v1/survey/{link['token']}"
    error_shape(local.put(url, json={"answers": {}, "colour": "red"}), 422, "invalid_input")
    unknown = local.put(url, json={"answers": {"someone-else": {"works_together": True}}})
    assert error_shape(unknown, 422, "invalid_input")["problems"][0]["field"] == "someone-else"
    bad_tick = local.put(url, json={"answers": {}, "contributions": ["gold"]})
    problem = error_shape(bad_tick, 422, "invalid_input")["problems"][0]
    assert (
        problem["field"] == "contributions"
        and "What does your organisation bring?" in problem["message"]
    )


# -- relationship import --------------------------------------------------------------------------
def test_import_relationships_into_a_round(local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    edges = (
        "respondent,partner,level,frequency\n"
        "p-kingsmead,p-nene-nhs,coordinated,monthly\np-nene-nhs,p-kingsmead,2,3\n"
    )
    done = outcome(
        local,
        local.post(
            f"/api/v1/rounds/{made['id']}/import",
            files={"file": ("edges.csv", edges.encode(), "text/csv")},
        ),
    )
    assert done.status_code == 201, done.text
    assert done.json()["links"] == 2
    assert local.get(f"/api/v1/rounds/{made['id']}").json()["submitted"] == 2
    completion = local.get(f"/api/v1/rounds/{made['id']}/completion").json()
    assert {r["source"] for r in completion["partners"] if r["status"] == "submitted"} == {"import"}


def test_a_pair_reported_twice_is_refused_unless_asked_to_keep_one_row(local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    edges = (
        "respondent,partner,level\n"
        "p-kingsmead,p-nene-nhs,1\np-nene-nhs,p-kingsmead,2\np-kingsmead,p-nene-nhs,3\n"
    )
    url = f"/api/v1/rounds/{made['id']}/import"
    upload = {"file": ("twice.csv", edges.encode(), "text/csv")}
    refused = error_shape(outcome(local, local.post(url, files=upload)), 422, "invalid_input")
    assert (
        refused["problems"][0]["row"] == 3 and "first at row 1" in refused["problems"][0]["message"]
    )
    kept = outcome(local, local.post(url, files=upload, data={"repeats": "last"}))
    assert kept.status_code == 201, kept.text
    assert kept.json()["links"] == 2 and "1 repeated rows left out" in kept.json()["notes"]
    drawing = local.get(f"/api/v1/network/{made['id']}/drawing").json()
    assert [e["level"] for e in drawing["edges"]] == [3]  # the last row's "3", not the first's "1"
    bad = outcome(local, local.post(url, files=upload, data={"repeats": "mean"}))
    assert (
        "repeats must be one of" in error_shape(bad, 422, "invalid_input")["problems"][0]["message"]
    )


def test_a_bad_relationship_file_is_a_422_naming_the_row(local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    edges = "respondent,partner,level\np-kingsmead,p-nene-nhs,2\np-nene-nhs,p-kingsmead,seven\n"
    refused = outcome(
        local,
        local.post(
            f"/api/v1/rounds/{made['id']}/import",
            files={"file": ("ties.csv", edges.encode(), "text/csv")},
        ),
    )
    problems = error_shape(refused, 422, "invalid_input")["problems"]
    assert any(
        p["file"] == "ties.csv" and p["row"] == 2 and p["field"] == "level" for p in problems
    )
    assert local.get(f"/api/v1/rounds/{made['id']}").json()["submitted"] == 0


# -- pages ----------------------------------------------------------------------------------------
def test_pages(local):
    partners = local.get("/partners")
    assert partners.status_code == 200 and "Add a partner" in partners.text
    assert "Import a list of partners" in partners.text
    filtered = local.get("/partners", params={"sector": "academic"}).text
    assert "Kingsmead University" in filtered and "Nene Valley Community Health" not in filtered
    rounds = local.get("/rounds")
    assert rounds.status_code == 200 and "Round 2 — spring 2026" in rounds.text
    made = open_round(local, roster=partner_ids(local, *SMALL))
    page = local.get(f"/rounds/{made['id']}")
    assert page.status_code == 200
    assert "Invitation links" in page.text and "Who has answered" in page.text
    assert "Not invited yet: <strong>4</strong>" in page.text
    assert local.get("/rounds/not-a-round").status_code == 404


def test_the_survey_page_uses_our_own_words(partnership, local):
    from mobilise.model.partner_vocab import ACHIEVEMENTS, CONTRIBUTIONS, LEVELS, TRUST_ITEMS

    made = open_round(local)  # everyone: a long roster grouped by sector
    link = invite(local, made["id"])[0]
    text = signed_in(partnership, None).get(f"/survey/{link['token']}").text
    for words in (LEVELS[2][2], TRUST_ITEMS[0][1], CONTRIBUTIONS[0][1], ACHIEVEMENTS[0][1]):
        assert words in text.replace("&#39;", "'")
    assert text.count('class="sector-group"') >= 8 and 'id="find-partner"' in text
    assert "Save and finish later" in text and "/static/survey.js" in text


# -- the survey without JavaScript: a plain form post --------------------------------------------
def test_the_survey_form_posts_without_javascript(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL))
    link = invite(local, made["id"])[0]
    anonymous = signed_in(partnership, None)
    page_url = f"/survey/{link['token']}"
    assert f'method="post" action="{page_url}#problems"' in anonymous.get(page_url).text
    roster = anonymous.get(f"/api/v1/survey/{link['token']}").json()["roster"]
    first, second, third = (p["id"] for p in roster)
    form = {
        f"{first}.works_together": "yes",
        f"{first}.frequency": "3",
        f"{first}.level": "2",
        f"{first}.trust_purpose": "4",
        f"{first}.value_influence": "",  # don't know
        f"{second}.works_together": "no",
        f"{second}.level": "3",  # the follow-up questions stay on the page: ignored with "no"
        "contributions": ["data", "spaces"],
        "comment": "Sent without a script",
        "action": "save",
    }
    saved = anonymous.post(page_url, data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == f"{page_url}?saved=true"
    shown = anonymous.get(saved.headers["location"]).text
    assert "Saved. Open the same link again" in shown and "2 of 3 partners answered" in shown
    stored = anonymous.get(f"/api/v1/survey/{link['token']}").json()
    assert stored["status"] == "draft" and stored["contributions"] == ["data", "spaces"]
    assert stored["answers"][first]["level"] == 2 and stored["answers"][first]["trust_purpose"] == 4
    assert stored["answers"][first]["value_influence"] is None
    assert stored["answers"][second]["level"] == 0 and stored["comment"] == "Sent without a script"

    # Sent too early and with a made-up value: the page again, answers as sent, problems in words
    early = {**form, f"{first}.frequency": "9", f"{third}.level": "3", "action": "submit"}
    refused = anonymous.post(page_url, data=early, follow_redirects=False)
    assert refused.status_code == 422
    # ... even a follow-up answer of a partner with no yes or no yet
    assert f'name="{third}.level" value="3" checked' in refused.text
    names = {p["id"]: p["name"] for p in roster}
    text = refused.text.replace("&#34;", '"').replace("&#39;", "'")
    assert "2 answers need another look" in text and "nothing was sent yet" in text
    assert f"{names[third]}: “Do you work with them?” please choose yes or no." in text
    assert "frequency must be from 1 to 4" in text
    assert f'name="{first}.level" value="2" checked' in refused.text  # kept as sent
    assert anonymous.get(f"/api/v1/survey/{link['token']}").json()["status"] == "draft"

    huge = {**form, f"{first}.level": "1" * 5000, "action": "save"}  # no 4,300-digit integers
    assert anonymous.post(page_url, data=huge, follow_redirects=False).status_code == 422
    roomy = {**form, **{f"other{n}.level": "1" for n in range(1500)}}  # a long roster's fields
    assert anonymous.post(page_url, data=roomy, follow_redirects=False).status_code == 303

    done = {**form, f"{third}.works_together": "no", "action": "submit"}
    sent = anonymous.post(page_url, data=done, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/survey/done"
    again = anonymous.post(page_url, data=done, follow_redirects=False)
    assert again.status_code == 409 and "thank you" in again.text.lower()
    unknown = anonymous.post("/survey/not-a-real-link", data=done, follow_redirects=False)
    assert unknown.status_code == 404


def test_a_form_post_after_the_answers_were_imported_says_so(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"], partner_ids(local, "p-kingsmead"))[0]
    edges = "respondent,partner,level\np-kingsmead,p-nene-nhs,2\n"
    imported = outcome(
        local,
        local.post(
            f"/api/v1/rounds/{made['id']}/import",
            files={"file": ("edges.csv", edges.encode(), "text/csv")},
        ),
    )
    assert imported.status_code == 201, imported.text
    answer = signed_in(partnership, None).post(
        f"/survey/{link['token']}", data={"action": "save"}, follow_redirects=False
    )
    assert answer.status_code == 409 and "Already sent" in answer.text


def test_a_form_post_to_a_closed_round_says_it_is_closed(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"])[0]
    version = local.get(f"/api/v1/rounds/{made['id']}").json()["version"]
    closed = local.patch(
        f"/api/v1/rounds/{made['id']}", json={"status": "closed", "version": version}
    )
    assert closed.status_code == 200, closed.text
    anonymous = signed_in(partnership, None)
    answer = anonymous.post(
        f"/survey/{link['token']}", data={"action": "save"}, follow_redirects=False
    )
    assert answer.status_code == 409 and "has closed" in answer.text


def test_a_form_post_from_another_site_is_refused(partnership, local):
    made = open_round(local, roster=partner_ids(local, *SMALL[:2]))
    link = invite(local, made["id"])[0]
    forged = signed_in(partnership, None).post(
        f"/survey/{link['token']}",
        data={"action": "submit"},
        headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403

"""Participants, identities, the consent ledger, information sheets and project settings through
the JSON API and the staff pages (issue 15): who sees what, bad input refused whole, and
identity in no answer of any route for the roles that may not read it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from . import test_route_matrix as matrix

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a long enough test password"
NAME, EMAIL, PHONE = "Zebedee Quorn-Halloway", "zq.person@example.org", "07700 900123"
STAFF = ("facilitator", "analyst", "admin", "data_controller")
NOT_STAFF = ("viewer", "partner")


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory, hasher_module: None) -> Iterator[Workspace]:
    ws = open_workspace(tmp_path_factory.mktemp("people") / "ws.sqlite", actor="tester")
    ws.places.create("testtown", "Testtown")
    for role in ("viewer", "partner", "facilitator", "analyst", "admin", "data_controller"):
        ws.users.create(role, PASSWORD, role=role)
    try:
        yield ws
    finally:
        ws.close()


def signed_in(workspace: Workspace, username: str | None, app: object = None) -> TestClient:
    client = TestClient(
        app or create_app(SHARED, workspace=workspace),  # type: ignore[arg-type]
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    if username:
        answer = client.post("/login", data={"username": username, "password": PASSWORD})
        assert answer.status_code in (200, 303), answer.text
    return client


@pytest.fixture(scope="module")
def clients(people: Workspace, hasher_module: None) -> dict[str, TestClient]:
    app = create_app(SHARED, workspace=people)
    return {role: signed_in(people, role, app) for role in (*STAFF, *NOT_STAFF)}


@pytest.fixture(scope="module")
def hasher_module() -> Iterator[None]:
    """Cheap password hashing for the module's sign-ins."""
    from mobilise.workspace import users

    from ..conftest import CountingHasher

    saved = users._hasher
    users._hasher = CountingHasher()  # type: ignore[assignment]
    users._dummy_hash.cache_clear()
    yield
    users._hasher = saved
    users._dummy_hash.cache_clear()


@pytest.fixture
def person(people: Workspace) -> dict:
    found = people.participants.add(
        place="testtown", identity={"name": NAME, "email": EMAIL, "phone": PHONE}
    )
    return {"id": found.id, "code": found.code}


@pytest.fixture(scope="module")
def sheet(people: Workspace) -> str:
    return people.consent.add_sheet("Taking part", "v1", "What taking part means.").id


def test_staff_see_rows_partners_and_viewers_get_403_on_every_row(clients, person):
    rows = [
        "/participants",
        f"/participants/{person['code']}",
        "/api/v1/participants",
        f"/api/v1/participants/{person['id']}",
        f"/api/v1/participants/{person['id']}/consent",
        "/api/v1/consent/summary",
        "/information-sheets",
        "/api/v1/information-sheets",
    ]
    for role, client in clients.items():
        for url in rows:
            answer = client.get(url)
            expected = 200 if role in STAFF else 403
            assert answer.status_code == expected, (role, url, answer.status_code)
    listed = clients["analyst"].get("/api/v1/participants", params={"q": person["code"]})
    assert [p["code"] for p in listed.json()["items"]] == [person["code"]]


def test_identity_is_read_by_admins_and_the_data_controller_only(clients, person):
    for role, client in clients.items():
        answer = client.get(f"/api/v1/participants/{person['id']}/identity")
        page = client.get(f"/participants/{person['code']}")
        if role in ("admin", "data_controller"):
            assert answer.json()["identity"]["email"] == EMAIL
            assert NAME in page.text and 'id="identity"' in page.text
        else:
            error_shape(answer, 403, "permission_denied")
            assert NAME not in page.text and 'id="identity"' not in page.text
    refused = clients["analyst"].put(
        f"/api/v1/participants/{person['id']}/identity", json={"name": "Someone else"}
    )
    error_shape(refused, 403, "permission_denied")
    assert (
        clients["analyst"].delete(f"/api/v1/participants/{person['id']}/identity").status_code
        == 403
    )
    changed = clients["data_controller"].put(
        f"/api/v1/participants/{person['id']}/identity", json={"postcode": "tt1 1ab"}
    )
    assert changed.json()["identity"]["postcode"] == "TT1 1AB"


def test_no_route_shows_identity_to_a_role_that_may_not_read_it(sqlite_workspace, hasher):
    """Every GET route of the app, filled with the ids of a workspace holding one participant
    with an identity, asked as every role that may not read identity: the name, e-mail and
    phone appear in no page, API answer or export."""
    app = create_app(matrix.SHARED, workspace=sqlite_workspace)
    ws = sqlite_workspace
    ids = matrix._fixture(ws)
    ws.participants.set_identity(
        ids["participant_id"], {"name": NAME, "email": EMAIL, "phone": PHONE}
    )
    sheet = ws.consent.add_sheet("Sheet", "v9", "Text")
    ws.consent.give(
        ids["participant_id"],
        information_sheet=sheet.id,
        method="paper",
        scopes={"take_part": True, "quote": "named"},
    )
    leaks = []
    # (a facilitator is let through where an analyst is: the route matrix)
    for who in ("anonymous", "viewer", "partner", "analyst"):
        client = matrix._client(app)
        if who != "anonymous":
            signed = client.post("/login", data={"username": who, "password": matrix.PASSWORD})
            assert signed.status_code == 200, signed.text
        for method, path in matrix.served_routes(app):
            if method != "GET":
                continue
            rule = matrix.RULES.get(f"{method} {path}", matrix.PUBLIC)  # a new route: its own test
            url = matrix._url(path, ids, rule)
            text = client.get(url, follow_redirects=False).text
            leaks += [f"{who} {url}: {v}" for v in (NAME, EMAIL, PHONE) if v in text]
    assert not leaks
    admin = matrix._client(app)
    admin.post("/login", data={"username": "admin", "password": matrix.PASSWORD})
    assert NAME in admin.get(f"/participants/{ids['participant_id']}").text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answers": {"ethnic_group": "martian"}}, "ethnic_group"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"answers": {"shoe_size": "9"}}, "shoe_size"),
        ({"under_16": True}, "guardian_name"),
    ],
)
def test_bad_participants_are_refused_naming_the_field_and_nothing_is_written(
    clients, people, body, field
):
    before = people.participants.count()
    answer = clients["facilitator"].post("/api/v1/participants", json=body)
    error = error_shape(answer, 422, "invalid_input")
    assert field in {p["field"] for p in error["problems"]}
    assert people.participants.count() == before


def test_a_consent_without_an_information_sheet_is_refused_and_the_ledger_stays_empty(
    clients, person
):
    url = f"/api/v1/participants/{person['id']}/consent"
    answer = clients["analyst"].post(url, json={"method": "paper", "scopes": {"take_part": True}})
    error = error_shape(answer, 422, "invalid_input")
    assert {p["field"] for p in error["problems"]} == {"information_sheet"}
    page = clients["analyst"].post(
        f"/participants/{person['code']}/consent", data={"method": "paper", "granted": "take_part"}
    )
    assert page.status_code == 422 and "information sheet the person saw" in page.text
    assert clients["analyst"].get(url).json()["ledger"] == []


def test_consent_and_withdrawal_through_the_api_and_the_page(clients, person, sheet):
    client = clients["facilitator"]
    url = f"/api/v1/participants/{person['id']}/consent"
    given = client.post(
        url,
        json={
            "information_sheet": sheet,
            "method": "verbal",
            "witness": "A. Witness",
            "scopes": {"take_part": True, "quote": "anonymous", "photos": True},
        },
    )
    assert given.status_code == 201, given.text
    assert given.json()["state"]["granted"] == ["take_part", "quote", "photos"]
    withdrawn = client.post(
        f"/participants/{person['code']}/withdrawal",
        data={"method": "paper", "withdrawn": ["quote", "photos"], "cut_off": "2026-06-01"},
    )
    assert withdrawn.status_code == 200  # the redirect to the page, followed
    assert "withdrawn from 01 Jun 2026" in withdrawn.text
    state = client.get(url).json()["state"]
    assert state["granted"] == ["take_part"]
    assert state["withdrawn"] == {"quote": "2026-06-01", "photos": "2026-06-01"}
    refused = client.post(f"{url}/withdrawals", json={"scopes": ["telepathy"], "method": "paper"})
    assert {p["field"] for p in error_shape(refused, 422, "invalid_input")["problems"]} == {
        "scopes"
    }


def test_answers_are_edited_on_the_page_and_a_bad_one_changes_nothing(clients, person, people):
    client = clients["analyst"]
    url = f"/participants/{person['code']}/answers"
    bad = client.post(url, data={"ethnic_group": "martian", "age_band": "25_34"})
    assert bad.status_code == 422 and "ethnic_group" in bad.text
    assert people.participants.get(person["id"]).answers["age_band"] is None
    good = client.post(
        url, data={"ethnic_group": "white_irish", "lived_experience": ["homelessness"]}
    )
    assert good.status_code == 200
    found = people.participants.get(person["id"])
    assert found.answers["ethnic_group"] == "white_irish"
    assert found.lived_experience == ["homelessness"]
    patched = client.patch(
        f"/api/v1/participants/{person['id']}",
        json={"answers": {"sex": "prefer_not_to_say"}, "version": found.version},
    )
    assert patched.json()["answers"]["sex"] == "prefer_not_to_say"
    stale = client.patch(
        f"/api/v1/participants/{person['id']}", json={"answers": {}, "version": found.version}
    )
    error_shape(stale, 409, "conflict")


def test_erasing_an_identity_asks_first_then_the_page_says_when(clients, person, people):
    client = clients["data_controller"]
    url = f"/participants/{person['code']}/identity/erase"
    unconfirmed = client.post(url, data={})
    assert unconfirmed.status_code == 422 and "confirm" in unconfirmed.text
    assert people.participants.identity(person["id"]) is not None
    erased = client.post(url, data={"confirm": "yes"})
    assert erased.status_code == 200
    assert f"Identity erased on {date.today():%d %B %Y}" in erased.text
    assert NAME not in erased.text
    answer = client.get(f"/api/v1/participants/{person['id']}/identity").json()
    assert answer["identity"] is None and answer["erased_at"].startswith(date.today().isoformat())


def test_an_information_sheet_is_public_once_published(people, clients, hasher_module):
    now = people.consent.add_sheet("Public sheet", "v1", "First paragraph.\n\nSecond.")
    later = people.consent.add_sheet(
        "Public sheet", "v2", "Not yet.", published_on=date.today() + timedelta(days=3)
    )
    anonymous = signed_in(people, None)
    page = anonymous.get(f"/information-sheets/{now.id}")
    assert page.status_code == 200 and "<p>Second.</p>" in page.text
    assert anonymous.get(f"/api/v1/information-sheets/{now.id}").json()["body"].startswith("First")
    assert anonymous.get(f"/information-sheets/{later.id}").status_code == 404
    error_shape(anonymous.get(f"/api/v1/information-sheets/{later.id}"), 404, "not_found")
    assert clients["facilitator"].get(f"/information-sheets/{later.id}").status_code == 200
    added = clients["facilitator"].post(
        "/information-sheets",
        data={"title": "Easy", "sheet_version": "v1", "audience": "easy_read", "body": "Words."},
    )
    assert added.status_code == 200 and "Easy read" in added.text
    again = clients["facilitator"].post(
        "/api/v1/information-sheets",
        json={"title": "Easy", "sheet_version": "v1", "audience": "easy_read", "body": "Other"},
    )
    error_shape(again, 409, "conflict")  # a stored version is never changed


def test_project_settings_are_read_by_all_and_changed_by_admins(clients, people):
    assert clients["partner"].get("/api/v1/project-settings").json()["retention"] in (
        "remove",
        "keep_analysed",
    )
    refused = clients["analyst"].put("/api/v1/project-settings/disclosure_k", json={"value": 5})
    error_shape(refused, 403, "permission_denied")
    bad = clients["admin"].put("/api/v1/project-settings/retention", json={"value": "forever"})
    assert error_shape(bad, 422, "invalid_input")["problems"][0]["field"] == "retention"
    admin = clients["admin"]
    assert (
        admin.post(
            "/admin/project-settings", data={"key": "payment_warning_pence", "value": "1200.50"}
        ).status_code
        == 200
    )
    assert people.project_settings.get("payment_warning_pence") == 120050
    groups = admin.post(
        "/admin/project-settings",
        data={
            "key": "lived_experience",
            "value": "care_leavers: Care leavers\nhomelessness: Homelessness",
        },
    )
    assert groups.status_code == 200 and "care_leavers: Care leavers" in groups.text
    bad_page = admin.post("/admin/project-settings", data={"key": "disclosure_k", "value": "0"})
    assert bad_page.status_code == 422
    assert admin.get("/api/v1/project-settings/disclosure_k").json()["value"] == 3
    for value in ("nan", "inf", "lots"):
        answer = admin.post(
            "/admin/project-settings", data={"key": "payment_warning_pence", "value": value}
        )
        assert answer.status_code == 422, value
    people.project_settings.set("lived_experience", {"homelessness": "Homelessness"})


def test_the_list_pages_and_refuses_a_bad_search(clients, people):
    client = clients["analyst"]
    for _ in range(3):
        people.participants.add(place="testtown")
    page = client.get("/participants", params={"place": "testtown"})
    assert page.status_code == 200 and "Consent coverage in Testtown" in page.text
    bad = client.get("/api/v1/participants", params={"q": "a b"})
    assert error_shape(bad, 422, "invalid_input")["problems"][0]["field"] == "q"
    assert client.get("/participants", params={"q": "a b"}).status_code == 422
    assert client.get("/api/v1/participants", params={"limit": 0}).status_code == 422
    added = client.post("/participants", data={"place": "testtown", "name": "Only written"})
    assert added.status_code == 200 and "Only written" not in added.text

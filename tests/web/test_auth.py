"""Serving beyond 127.0.0.1: users, argon2 passwords, server-side sessions, sign-in limits,
roles, and the admin's and each user's account pages."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from mobilise import ConfigurationError
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORDS = {"ana": "correct horse battery", "vic": "another long secret", "ada": "admin secret 12"}


def _https(app) -> TestClient:
    # Shared mode marks the session cookie Secure, so talk HTTPS as a TLS proxy would.
    return TestClient(app, base_url="https://testserver")


@pytest.fixture
def shared_app(sqlite_workspace, hasher):
    sqlite_workspace.users.create("ana", PASSWORDS["ana"], role="analyst")
    sqlite_workspace.users.create("vic", PASSWORDS["vic"], role="viewer")
    sqlite_workspace.users.create("ada", PASSWORDS["ada"], role="admin")
    return create_app(SHARED, workspace=sqlite_workspace)


@pytest.fixture
def shared_client(shared_app):
    return _https(shared_app)


def signed_in(app, username: str, password: str = "") -> TestClient:
    client = _https(app)
    response = client.post(
        "/login",
        data={"username": username, "password": password or PASSWORDS[username]},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def test_default_secret_is_refused_off_localhost(sqlite_workspace):
    with pytest.raises(ConfigurationError, match="MOBILISE_SECRET_KEY"):
        create_app(Settings(host="0.0.0.0"), workspace=sqlite_workspace)


def test_login_is_required(shared_client):
    page = shared_client.get("/maps", follow_redirects=False)  # "/" is public (issue 17)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    api = shared_client.get("/api/v1/places")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "authentication_required"


def test_wrong_password(shared_client):
    response = shared_client.post("/login", data={"username": "ana", "password": "wrong"})
    assert response.status_code == 401
    assert "Unknown username or wrong password" in response.text


def test_login_then_roles(shared_client):
    response = shared_client.post(
        "/login",
        data={"username": "vic", "password": "another long secret", "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "mobilise_session" in response.cookies or shared_client.cookies.get("mobilise_session")
    assert shared_client.get("/api/v1/places").status_code == 200
    denied = shared_client.post("/api/v1/places", json={"slug": "x-place", "name": "X"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "permission_denied"
    shared_client.post("/logout")
    shared_client.post("/login", data={"username": "ana", "password": "correct horse battery"})
    created = shared_client.post("/api/v1/places", json={"slug": "x-place", "name": "X"})
    assert created.status_code == 201
    entries = shared_client.app.state.workspace.audit.entries(entity_type="place")
    assert entries[0].actor == "ana"


def test_passwords_are_hashed_with_argon2(sqlite_workspace):
    from sqlalchemy import select

    from mobilise.store.tables import users

    sqlite_workspace.users.create("zoe", "a password long enough", role="viewer")
    with sqlite_workspace.read() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a password" not in stored
    assert all("password_hash" not in (e.after or {}) for e in sqlite_workspace.audit.entries())


def test_next_cannot_leave_the_site(shared_client):
    response = shared_client.post(
        "/login",
        data={"username": "ana", "password": "correct horse battery", "next": "//evil.example"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(shared_client):
    # (a place's page is public since issue 17: its access page still needs a sign-in)
    page = shared_client.get("/places/x/access?catchment_m=800", follow_redirects=False)
    assert page.status_code == 303
    target = page.headers["location"]
    assert target == "/login?next=%2Fplaces%2Fx%2Faccess%3Fcatchment_m%3D800"
    form = shared_client.get(target)
    assert 'value="/places/x/access?catchment_m=800"' in form.text
    signed_in = shared_client.post(
        "/login",
        data={
            "username": "ana",
            "password": "correct horse battery",
            "next": "/places/x/access?catchment_m=800",
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/places/x/access?catchment_m=800"


def test_session_cookie_is_secure_in_shared_mode(shared_client):
    response = shared_client.post(
        "/login",
        data={"username": "ana", "password": "correct horse battery"},
        follow_redirects=False,
    )
    cookie = response.headers["set-cookie"]
    assert (
        "mobilise_session=" in cookie
        and "secure" in cookie.lower()
        and "httponly" in cookie.lower()
    )


def test_link_schemes_are_checked(sqlite_workspace):
    sqlite_workspace.datasets.register(
        {"id": "evil", "title": "Evil", "licence": "x", "source_url": "javascript:alert(1)"}
    )
    client = TestClient(
        create_app(Settings(host="127.0.0.1"), workspace=sqlite_workspace),
        base_url="http://127.0.0.1",
        client=("127.0.0.1", 1),
    )
    page = client.get("/sources")
    assert page.status_code == 200 and "javascript:" not in page.text


# -- sessions end on the server -------------------------------------------------------------------


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(shared_app):
    client = signed_in(shared_app, "ana")
    copied = _https(shared_app)
    copied.cookies.update(client.cookies)
    assert copied.get("/api/v1/places").status_code == 200
    assert client.post("/logout", follow_redirects=False).headers["location"] == "/login"
    error_shape(copied.get("/api/v1/places"), 401, "authentication_required")
    assert copied.get("/maps", follow_redirects=False).headers["location"].startswith("/login")


@pytest.mark.parametrize(
    ("change", "body"),
    [
        ("PATCH", {"role": "viewer"}),
        ("PATCH", {"disabled": True}),
        ("PUT", {"password": "a brand new password"}),
        ("DELETE", None),
    ],
)
def test_an_admin_change_ends_the_users_sessions(shared_app, change, body):
    ana, admin = signed_in(shared_app, "ana"), signed_in(shared_app, "ada")
    ana_id = shared_app.state.workspace.users.find("ana").id
    path = f"/api/v1/users/{ana_id}" + ("/password" if change == "PUT" else "")
    response = admin.request(change, path, json=body)
    assert response.status_code in (200, 204), response.text
    error_shape(ana.get("/api/v1/places"), 401, "authentication_required")
    assert admin.get("/api/v1/places").status_code == 200


def test_a_disabled_user_gets_the_wrong_password_answer(shared_app):
    admin = signed_in(shared_app, "ada")
    vic = shared_app.state.workspace.users.find("vic")
    assert admin.patch(f"/api/v1/users/{vic.id}", json={"disabled": True}).json()["disabled"]
    refused = _https(shared_app).post(
        "/login", data={"username": "vic", "password": PASSWORDS["vic"]}
    )
    assert refused.status_code == 401 and "Unknown username or wrong password" in refused.text
    admin.patch(f"/api/v1/users/{vic.id}", json={"disabled": False})
    assert signed_in(shared_app, "vic").get("/api/v1/places").status_code == 200


# -- sign-in limits and equal work ----------------------------------------------------------------


def test_unknown_usernames_cost_the_same_work_as_known_ones(shared_client, hasher):
    for username in ("ana", "no-such-user"):
        before = hasher.verified
        response = shared_client.post("/login", data={"username": username, "password": "wrong!"})
        assert response.status_code == 401
        assert "Unknown username or wrong password" in response.text
        assert hasher.verified - before == 1, username


def test_sign_in_is_refused_after_too_many_failures(sqlite_workspace, hasher):
    sqlite_workspace.users.create("ana", PASSWORDS["ana"], role="analyst")
    strict = dataclasses.replace(SHARED, login_failures_per_account=3, login_failures_per_address=5)
    client = _https(create_app(strict, workspace=sqlite_workspace))
    for _ in range(3):
        assert (
            client.post("/login", data={"username": "ana", "password": "guess"}).status_code == 401
        )
    refused = client.post("/login", data={"username": "ana", "password": PASSWORDS["ana"]})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in refused.text
    for k in range(2):  # the address's limit: five failures whatever the account
        client.post("/login", data={"username": f"someone{k}", "password": "guess"})
    other = client.post("/login", data={"username": "zed", "password": "guess"})
    assert other.status_code == 429 and "your address" in other.text


# -- own password and the admin page ---------------------------------------------------------------


def test_changing_my_password_signs_me_out_everywhere_else(shared_app):
    here, elsewhere = signed_in(shared_app, "vic"), signed_in(shared_app, "vic")
    page = here.get("/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    wrong = here.post(
        "/account/password",
        data={
            "password": "nope",
            "new_password": "a new long one!",
            "confirm_password": "a new long one!",
        },
    )
    assert wrong.status_code == 422 and "this is not your current password" in wrong.text
    done = here.post(
        "/account/password",
        data={
            "password": PASSWORDS["vic"],
            "new_password": "a new long one!",
            "confirm_password": "a new long one!",
        },
        follow_redirects=False,
    )
    assert done.headers["location"] == "/account/password?changed=1"
    assert here.get("/api/v1/places").status_code == 200  # this browser goes on
    assert elsewhere.get("/api/v1/places").status_code == 401


def test_the_users_page_and_api_are_for_admins_only(shared_app):
    ana = signed_in(shared_app, "ana")
    error_shape(ana.get("/api/v1/users"), 403, "permission_denied")
    assert ana.get("/admin/users").status_code == 403
    assert "/admin/users" not in ana.get("/").text
    admin = signed_in(shared_app, "ada")
    page = admin.get("/")
    assert 'href="/admin/users"' in page.text and 'href="/account/password"' in page.text
    listing = admin.get("/api/v1/users").json()
    assert [u["username"] for u in listing] == ["ada", "ana", "vic"]
    assert all("password" not in key for u in listing for key in u)
    assert [u["open_sessions"] for u in listing] == [1, 1, 0]


def test_an_admin_manages_users_on_the_page(shared_app):
    admin = signed_in(shared_app, "ada")
    added = admin.post(
        "/admin/users",
        data={"username": "pat", "password": "partner secret 1", "role": "partner"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    users = shared_app.state.workspace.users
    pat = users.find("pat")
    signed_in(shared_app, "pat", "partner secret 1")
    for action, extra in (("role", {"role": "facilitator"}), ("disable", {}), ("enable", {})):
        response = admin.post(
            f"/admin/users/{pat.id}", data={"action": action, **extra}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
    assert users.get(pat.id).role == "facilitator" and not users.get(pat.id).disabled
    stale = admin.post(f"/admin/users/{pat.id}", data={"action": "disable", "version": 1})
    assert stale.status_code == 409 and "Reload it" in stale.text
    last = admin.post(f"/admin/users/{users.find('ada').id}", data={"action": "remove"})
    assert last.status_code == 409 and "last active admin" in last.text
    removed = admin.post(
        f"/admin/users/{pat.id}", data={"action": "remove"}, follow_redirects=False
    )
    assert removed.status_code == 303 and users.get(pat.id) is None
    page = admin.get("/admin/users")
    assert 'id="user-pat"' not in page.text and 'id="user-ana"' in page.text


def test_the_api_keeps_the_last_admin(shared_app):
    admin = signed_in(shared_app, "ada")
    ada = shared_app.state.workspace.users.find("ada")
    error_shape(admin.patch(f"/api/v1/users/{ada.id}", json={"role": "viewer"}), 409, "conflict")
    error_shape(admin.delete("/api/v1/users/no-such-id"), 404, "not_found")
    created = admin.post(
        "/api/v1/users", json={"username": "new", "password": "long enough pw", "role": "viewer"}
    )
    assert created.status_code == 201 and created.json()["role"] == "viewer"
    error_shape(
        admin.post("/api/v1/users", json={"username": "x", "password": "short"}),
        422,
        "invalid_input",
    )


def test_the_password_form_cannot_be_used_to_guess_the_password(sqlite_workspace, hasher):
    sqlite_workspace.users.create("vic", PASSWORDS["vic"], role="viewer")
    strict = dataclasses.replace(SHARED, login_failures_per_account=3)
    vic = signed_in(create_app(strict, workspace=sqlite_workspace), "vic")
    guess = {"new_password": "a new long one!", "confirm_password": "a new long one!"}
    for k in range(3):
        wrong = vic.post("/account/password", data={"password": f"guess {k}", **guess})
        assert wrong.status_code == 422
    refused = vic.post("/account/password", data={"password": PASSWORDS["vic"], **guess})
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text

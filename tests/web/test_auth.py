"""Serving beyond 127.0.0.1: users, argon2 passwords, signed session cookies, roles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise import ConfigurationError
from mobilise.settings import Settings
from mobilise.web.app import create_app

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


@pytest.fixture
def shared_client(sqlite_workspace):
    sqlite_workspace.users.create("ana", "correct horse battery", role="analyst")
    sqlite_workspace.users.create("vic", "another long secret", role="viewer")
    # Shared mode marks the session cookie Secure, so talk HTTPS as a TLS proxy would.
    return TestClient(create_app(SHARED, workspace=sqlite_workspace), base_url="https://testserver")


def test_default_secret_is_refused_off_localhost(sqlite_workspace):
    with pytest.raises(ConfigurationError, match="MOBILISE_SECRET_KEY"):
        create_app(Settings(host="0.0.0.0"), workspace=sqlite_workspace)


def test_login_is_required(shared_client):
    page = shared_client.get("/", follow_redirects=False)
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
    page = shared_client.get("/places/x?indicator=ypll2019", follow_redirects=False)
    assert page.status_code == 303
    target = page.headers["location"]
    assert target == "/login?next=%2Fplaces%2Fx%3Findicator%3Dypll2019"
    form = shared_client.get(target)
    assert 'value="/places/x?indicator=ypll2019"' in form.text
    signed_in = shared_client.post(
        "/login",
        data={
            "username": "ana",
            "password": "correct horse battery",
            "next": "/places/x?indicator=ypll2019",
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/places/x?indicator=ypll2019"


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

"""Public by default where the data is public (issue 17, item 4), and password links.

In a shared deployment the home, place, area and data-sources pages (with the licences'
attribution) open to a visitor; what belongs to the consortium (systems maps, access runs, who
was reached) is not on them; the sign-in page says who it is for and leads to the public pages.
An admin gives a one-time password link on the users page or through the API; the link's page
sets the password once, ends the user's sessions, and is held to the sign-in limits.
"""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES
from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-for-public-pages")
PASSWORD = "a long enough password"
NEW = "my brand new password"


def _client(app) -> TestClient:
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


def _signed_in(app, username: str, password: str = PASSWORD) -> TestClient:
    client = _client(app)
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def shared(sqlite_workspace, hasher):
    ws = sqlite_workspace
    ws.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    ws.datasets.register(
        {
            "id": "imd2019",
            "title": "English indices of deprivation 2019",
            "licence": "OGL-UK-3.0",
            "attribution": "Contains public sector information licensed under the OGL v3.0",
        }
    )
    ws.maps.create("Loneliness in Testtown", place="testtown")
    ws.users.create("ada", PASSWORD, role="admin")
    ws.users.create("ana", PASSWORD, role="analyst")
    return create_app(SHARED, workspace=ws)


@pytest.mark.parametrize("path", ["/", "/places/testtown", "/areas/E01000001", "/sources"])
def test_the_public_pages_open_without_signing_in(shared, path):
    page = _client(shared).get(path, follow_redirects=False)
    assert page.status_code == 200, page.text[:300]
    assert 'href="/login"' in page.text  # the way in for the team, in the menu


def test_the_data_sources_and_their_attribution_are_public(shared):
    page = _client(shared).get("/sources").text
    assert "English indices of deprivation 2019" in page
    assert "Contains public sector information licensed under the OGL v3.0" in page


def test_the_consortiums_pages_stay_behind_the_sign_in(shared):
    visitor = _client(shared)
    place = visitor.get("/places/testtown").text
    assert "Loneliness in Testtown" not in place  # a systems map: the consortium's
    assert "/places/testtown/access" not in place and "/places/testtown/reach" not in place
    assert "/places/testtown/you-said-we-did" in place  # public
    for private in ("/maps", "/places/testtown/access", "/places/testtown/reach"):
        page = visitor.get(private, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
    error_shape(visitor.get("/api/v1/places"), 401, "authentication_required")
    # the place page's map draws from this (open data), so it is public too
    areas = visitor.get("/api/v1/places/testtown/areas.geojson")
    assert areas.status_code == 200 and areas.json()["type"] == "FeatureCollection"
    analyst = _signed_in(shared, "ana").get("/places/testtown").text
    assert "Loneliness in Testtown" in analyst and "/places/testtown/access" in analyst


def test_the_sign_in_page_says_who_it_is_for_and_leads_to_the_public_pages(shared):
    page = _client(shared).get("/login").text
    assert "For the project team" in page and "No account?" in page
    for public in ('href="/assets"', 'href="/"', 'href="/sources"', 'href="/events"'):
        assert public in page, public
    assert "one-time link" in page  # what to do with a forgotten password


def test_the_navigation_is_one_menu_that_works_without_script(shared):
    visitor = _client(shared).get("/").text
    assert '<details class="nav-menu">' in visitor and "<summary>Menu</summary>" in visitor
    assert 'href="/maps"' not in visitor  # nothing a visitor cannot open
    admin = _signed_in(shared, "ada").get("/sources").text
    for link in ("/maps", "/network", "/actions", "/admin/users", "/account/password"):
        assert f'href="{link}"' in admin, link
    assert 'href="/sources" aria-current="page"' in admin


# -- one-time password links ------------------------------------------------------------------


def _link(app, admin: TestClient, username: str = "ana") -> str:
    ws = app.state.workspace
    made = admin.post(f"/api/v1/users/{ws.users.find(username).id}/reset-link")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["username"] == username and body["url"].startswith("https://testserver/reset/")
    return str(body["path"])


def test_a_password_link_from_the_users_page_sets_a_password_once(shared):
    ws = shared.state.workspace
    admin = _signed_in(shared, "ada")
    ana_elsewhere = _signed_in(shared, "ana")
    page = admin.post(f"/admin/users/{ws.users.find('ana').id}/reset-link")
    assert page.status_code == 200 and "A one-time password link for" in page.text
    path = page.text.split('value="https://testserver')[1].split('"')[0]
    assert path.startswith("/reset/")

    visitor = _client(shared)
    form = visitor.get(path)
    assert form.status_code == 200 and "ana" in form.text and "Set my password" in form.text
    differ = visitor.post(path, data={"password": NEW, "confirm_password": NEW + "!"})
    assert differ.status_code == 422 and "not the same" in differ.text
    done = visitor.post(
        path, data={"password": NEW, "confirm_password": NEW}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"
    assert "Your new password is set" in visitor.get("/login?reset=1").text
    assert ana_elsewhere.get("/api/v1/places").status_code == 401  # signed out everywhere
    _signed_in(shared, "ana", NEW)

    again = visitor.get(path)
    assert again.status_code == 404 and "has been used already" in again.text
    reused = visitor.post(path, data={"password": "another new one!", "confirm_password": "x"})
    assert reused.status_code == 404
    _signed_in(shared, "ana", NEW)


def test_a_password_link_is_for_admins_to_give(shared):
    analyst = _signed_in(shared, "ana")
    ada = shared.state.workspace.users.find("ada")
    error_shape(analyst.post(f"/api/v1/users/{ada.id}/reset-link"), 403, "permission_denied")
    error_shape(
        _signed_in(shared, "ada").post("/api/v1/users/no-such-user/reset-link"), 404, "not_found"
    )


def test_a_wrong_link_is_refused_and_guessing_is_limited(shared):
    limited = create_app(
        dataclasses.replace(SHARED, login_failures_per_address=3), workspace=shared.state.workspace
    )
    admin = _signed_in(limited, "ada")
    path = _link(limited, admin)
    visitor = _client(limited)
    for guess in ("AAAA", "BBBB", "CCCC"):
        wrong = visitor.get(path[:-4] + guess)
        assert wrong.status_code == 404 and "Ask an admin" in wrong.text
    refused = visitor.get(path)
    assert refused.status_code == 429 and refused.headers["retry-after"]


def test_there_are_no_password_links_in_local_mode(sqlite_workspace):
    local = TestClient(
        create_app(Settings(host="127.0.0.1"), workspace=sqlite_workspace),
        base_url="http://127.0.0.1",
        client=("127.0.0.1", 1),
    )
    assert local.get("/reset/anything.0.x").status_code == 404
    user = sqlite_workspace.users.create("ana", PASSWORD, role="analyst")
    refused = local.post(
        f"/api/v1/users/{user.id}/reset-link", headers={"Origin": "http://127.0.0.1"}
    )
    error_shape(refused, 409, "conflict")
    assert "MOBILISE_SECRET_KEY" in refused.json()["error"]["message"]

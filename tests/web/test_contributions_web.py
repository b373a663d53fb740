"""Community contributions on the web: public forms without sign-in, moderation, photos, API."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.web.routes import contributions as contribution_routes
from mobilise.workspace.contributions import ContributionService

from ..conftest import FIXTURES
from ..integration.test_contributions import tiny_png

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
HTTPS = {"base_url": "https://testserver"}


def with_contributions(app: FastAPI) -> FastAPI:
    """The app with the contribution routes first (``/assets/suggest`` must win over
    ``/assets/{asset_id}``), unless app.py already includes them."""
    if any(getattr(r, "path", "") == "/moderation" for r in app.router.routes):
        return app
    before = len(app.router.routes)
    app.include_router(contribution_routes.api)
    app.include_router(contribution_routes.router)
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added
    return app


@pytest.fixture
def app(sqlite_workspace):
    sqlite_workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    sqlite_workspace.users.create("fac", "a facilitator secret", role="facilitator")
    sqlite_workspace.users.create("vic", "another long secret", role="viewer")
    return with_contributions(create_app(SHARED, workspace=sqlite_workspace))


@pytest.fixture
def visitor(app):
    """Someone from the public, not signed in."""
    return TestClient(app, raise_server_exceptions=False, client=("203.0.113.7", 4000), **HTTPS)


def signed_in(app, username, password):
    client = TestClient(app, raise_server_exceptions=False, client=("198.51.100.1", 4000), **HTTPS)
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def facilitator(app):
    return signed_in(app, "fac", "a facilitator secret")


def asset_id(app, name="Testtown Library"):
    found = app.state.workspace.assets.search(text=name).items
    return found[0].id


def pending(app):
    return ContributionService(app.state.workspace).queue()


def test_forms_work_without_signing_in(app, visitor):
    form = visitor.get("/assets/suggest")
    assert form.status_code == 200 and "Suggest a place or group" in form.text
    done = visitor.post(
        "/assets/suggest",
        data={"name": "Tuesday Walkers", "category": "sport_physical_activity", "postcode": ""},
    )
    assert done.status_code == 200 and "Thank you" in done.text
    library = asset_id(app)
    form = visitor.get(f"/assets/{library}/suggest")
    assert form.status_code == 200 and 'value="Testtown Library"' in form.text
    done = visitor.post(
        f"/assets/{library}/suggest",
        data={"name": "Testtown Library", "phone": "01234 000000", "contact": "me@example.org"},
    )
    assert done.status_code == 200 and "Thank you" in done.text
    waiting = pending(app)
    assert [c.kind for c in waiting] == ["new_asset", "correction"]
    assert waiting[1].payload["changes"] == {"phone": "01234 000000"}
    assert waiting[0].created_by == "anonymous"


def test_bad_input_reshows_the_form(visitor):
    response = visitor.post("/assets/suggest", data={"name": "", "category": "castle"})
    assert response.status_code == 422
    assert "please fill this in" in response.text and 'aria-invalid="true"' in response.text


def test_honeypot_is_thanked_and_dropped(app, visitor):
    response = visitor.post(
        "/assets/suggest",
        data={"name": "Cheap pills", "category": "food", "fax_number": "0800 123"},
    )
    assert response.status_code == 200 and "Thank you" in response.text
    assert pending(app) == []


def test_too_many_suggestions_is_429_as_page_and_json(app, visitor):
    library = asset_id(app)
    for n in range(10):
        sent = visitor.post(f"/assets/{library}/suggest", data={"note": f"note {n}"})
        assert sent.status_code == 200
    page = visitor.post(f"/assets/{library}/suggest", data={"note": "one too many"})
    assert page.status_code == 429 and "Please try again later" in page.text
    assert int(page.headers["retry-after"]) >= 60
    api = visitor.post(
        "/api/v1/contributions",
        json={"kind": "correction", "asset_id": library, "note": "and again"},
    )
    assert api.status_code == 429 and api.headers["retry-after"]
    assert api.json()["error"]["code"] == "rate_limited"
    # Limited by address: someone else can still suggest.
    other = TestClient(app, client=("192.0.2.50", 1), **HTTPS)
    assert other.post(f"/assets/{library}/suggest", data={"note": "hi"}).status_code == 200


def test_no_raw_address_is_stored(app, visitor):
    visitor.post("/assets/suggest", data={"name": "Chess club", "category": "community_group"})
    from sqlalchemy import select

    from mobilise.store.tables import contributions

    with app.state.workspace.read() as connection:
        key = connection.execute(select(contributions.c.client_key)).scalar_one()
    assert len(key) == 64 and "203.0.113.7" not in key


def test_moderation_needs_an_editor(app, visitor, facilitator):
    page = visitor.get("/moderation", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert visitor.get("/api/v1/contributions").status_code == 401
    viewer = signed_in(app, "vic", "another long secret")
    assert viewer.get("/moderation").status_code == 403
    assert viewer.post("/moderation/x/accept").status_code == 403

    library = asset_id(app)
    visitor.post(f"/assets/{library}/suggest", data={"phone": "01234 111111", "contact": "a@b.c"})
    queue = facilitator.get("/moderation")
    assert queue.status_code == 200 and "01234 111111" in queue.text and "a@b.c" in queue.text
    listed = facilitator.get("/api/v1/contributions?status=pending").json()
    assert listed["total"] == 1 and listed["items"][0]["contact"] == "a@b.c"
    contribution = listed["items"][0]["id"]
    done = facilitator.post(f"/moderation/{contribution}/accept", follow_redirects=False)
    assert done.status_code == 303
    assert app.state.workspace.assets.get(library).phone == "01234 111111"
    entries = app.state.workspace.audit.entries(entity_type="asset", entity_id=library)
    assert {e.actor for e in entries if e.action in ("update", "contribution")} == {"fac"}
    again = facilitator.post(f"/moderation/{contribution}/reject", data={"note": "late"})
    assert again.status_code == 409 and "already accepted" in again.text


def test_photo_round_trip(app, visitor, facilitator):
    library = asset_id(app)
    png = tiny_png(with_text=True)
    sent = visitor.post(
        f"/assets/{library}/stories",
        data={"story": "Our Saturday mornings.", "consent": "yes", "contributor_name": "Asha"},
        files={"photo": ("me.png", png, "image/png")},
    )
    assert sent.status_code == 200 and "Thank you" in sent.text
    kept_back = visitor.post(
        f"/assets/{library}/stories",
        data={"story": "Just for the team."},
        files={"photo": ("me.png", png, "image/png")},
    )
    assert kept_back.status_code == 200 and "only the project team" in kept_back.text
    shared, private = pending(app)
    assert visitor.get(f"/contributions/{shared.id}/photo").status_code == 404  # not yet
    assert facilitator.get(f"/contributions/{shared.id}/photo").status_code == 200
    for contribution in (shared, private):
        facilitator.post(f"/moderation/{contribution.id}/accept")

    photo = visitor.get(f"/contributions/{shared.id}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG") and b"tEXt" not in photo.content
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert visitor.get(f"/contributions/{private.id}/photo").status_code == 404
    stories = visitor.get(f"/assets/{library}/stories")
    assert "Our Saturday mornings." in stories.text and "Asha" in stories.text
    assert "Just for the team." not in stories.text


def test_photo_must_be_an_image(app, visitor):
    response = visitor.post(
        f"/assets/{asset_id(app)}/stories",
        data={"story": "Lovely", "consent": "yes"},
        files={"photo": ("me.png", b"<svg onload=alert(1)>", "image/png")},
    )
    assert response.status_code == 422 and "JPEG, PNG, WebP" in response.text
    assert pending(app) == []


def test_local_mode_forms(writable_client):
    with_contributions(writable_client.app)
    assert writable_client.get("/assets/suggest").status_code == 200
    assert writable_client.get("/moderation").status_code == 200  # the local user is an admin

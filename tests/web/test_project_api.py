"""The project profile and package on the web (issue 20, item 1): the JSON API, the page, the
token that serves the package (401 and 404 in the one JSON error shape), and roles."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient

from mobilise.formats.project_package import read_package
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ._helpers import error_shape

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


def signed_in(workspace, username, role, app=None) -> TestClient:
    password = f"the long secret of {username}"
    workspace.users.create(username, password, role=role)
    client = TestClient(
        app or create_app(SHARED, workspace=workspace),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code < 400, response.text
    return client


PROFILE = {
    "title": "Green spaces together",
    "lead_organisation": "A university",
    "focus": "Parks and health",
    "methods": [{"method": "world_cafe", "said": "People came back."}],
    "public": {"methods": True},
}


def test_get_and_put_the_profile(writable_client):
    assert writable_client.get("/api/v1/project").json()["key"] is None
    saved = writable_client.put("/api/v1/project", json=PROFILE)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["title"] == "Green spaces together" and body["key"]
    assert body["methods"] == [{"method": "world_cafe", "said": "People came back."}]
    stale = writable_client.put("/api/v1/project", json={"title": "X", "version": 0})
    error_shape(stale, 409, "conflict")


def test_bad_fields_are_422_naming_each(writable_client):
    response = writable_client.put(
        "/api/v1/project",
        json={"methods": [{"method": "seance"}], "start_date": "soon", "places": ["atlantis"]},
    )
    error = error_shape(response, 422, "invalid_input")
    assert {p["field"] for p in error["problems"]} >= {"methods", "start_date", "places"}
    error_shape(
        writable_client.put("/api/v1/project", json={"colour": "red"}), 422, "invalid_input"
    )


def test_release_token_and_pull(writable_client):
    client = writable_client
    error_shape(client.post("/api/v1/project/releases", json={}), 422, "invalid_input")
    client.put("/api/v1/project", json=PROFILE)
    error_shape(client.get("/api/v1/project/package"), 404, "not_found")  # not served
    released = client.post("/api/v1/project/releases", json={"metadata_only": True})
    assert released.status_code == 201, released.text
    assert released.json()["release"] == 1
    token = client.post("/api/v1/project/token").json()["token"]
    error_shape(client.get("/api/v1/project/package"), 401, "authentication_required")
    wrong = {"Authorization": "Bearer not-the-token"}
    error_shape(
        client.get("/api/v1/project/package", headers=wrong), 401, "authentication_required"
    )
    pulled = client.get("/api/v1/project/package", headers={"Authorization": f"Bearer {token}"})
    assert pulled.status_code == 200
    assert pulled.headers["content-type"] == "application/zip"
    package = read_package(io.BytesIO(pulled.content))
    assert package.meta["release"] == 1 and package.meta["metadata_only"]
    assert client.delete("/api/v1/project/token").status_code == 204
    gone = client.get("/api/v1/project/package", headers={"Authorization": f"Bearer {token}"})
    error_shape(gone, 404, "not_found")


def test_the_page_in_plain_words_and_its_form(writable_client):
    client = writable_client
    page = client.get("/project")
    assert page.status_code == 200
    assert "counts, never names" in page.text and "World Café" in page.text
    saved = client.post(
        "/project",
        data={
            "title": "Walking together",
            "lead_organisation": "A council",
            "used_photovoice": "1",
            "said_photovoice": "Pictures said what words could not.",
            "public_reach": "1",
            "partner_types": "NHS, voluntary sector",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    profile = client.get("/api/v1/project").json()
    assert profile["methods"] == [
        {"method": "photovoice", "said": "Pictures said what words could not."}
    ]
    assert profile["public"]["reach"] and not profile["public"]["methods"]
    assert profile["partner_types"] == ["NHS", "voluntary sector"]
    shown = client.post("/project/token")
    assert shown.status_code == 200 and "shown only now" in shown.text


def test_roles(sqlite_workspace, hasher):
    app = create_app(SHARED, workspace=sqlite_workspace)
    viewer = signed_in(sqlite_workspace, "vic", "viewer", app)
    assert viewer.get("/api/v1/project").status_code == 200
    error_shape(viewer.put("/api/v1/project", json=PROFILE), 403, "permission_denied")
    error_shape(viewer.post("/api/v1/project/token"), 403, "permission_denied")
    facilitator = signed_in(sqlite_workspace, "fran", "facilitator", app)
    assert facilitator.put("/api/v1/project", json=PROFILE).status_code == 200
    facilitator.post("/api/v1/project/releases", json={"metadata_only": True})
    token = facilitator.post("/api/v1/project/token").json()["token"]
    anonymous = TestClient(app, base_url="https://testserver")
    error_shape(anonymous.get("/api/v1/project"), 401, "authentication_required")
    pulled = anonymous.get("/api/v1/project/package", headers={"Authorization": f"Bearer {token}"})
    assert pulled.status_code == 200

"""The programme's JSON API: upload, refusals in the one error shape, projects, the synthesis
(a visitor sees only what each project marked public), and bad parameters refused with 4xx."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from mobilise.web.app import create_app
from tests import _programme as make
from tests.web._helpers import error_shape

from .test_route_matrix import SHARED

PUBLIC = {"methods": True, "partners": True, "network_rounds": True, "reach": False,
          "themes": False, "actions": False}  # fmt: skip


def _upload(client: TestClient, data: bytes, name: str = "package.zip"):
    return client.post(
        "/api/v1/programme/packages", files={"file": (name, data, "application/zip")}
    )


def test_upload_list_history_and_synthesis(writable_client):
    added = _upload(writable_client, make.package(make.KEY_A))
    assert added.status_code == 201, added.text
    assert added.json()["added"] is True
    again = _upload(writable_client, make.package(make.KEY_A))
    assert again.status_code == 201 and again.json()["added"] is False
    older = _upload(writable_client, make.package(make.KEY_A, title="Other"))
    error_shape(older, 409, "conflict")
    projects = writable_client.get("/api/v1/programme/projects").json()
    assert [p["title"] for p in projects] == ["Healthy Parks"]
    key = projects[0]["key"]
    assert writable_client.get(f"/api/v1/programme/projects/{key}/releases").json()[0]["release"]
    package = writable_client.get(f"/api/v1/programme/projects/{key}/package.zip")
    assert package.status_code == 200 and package.content == make.package(make.KEY_A)
    methods = writable_client.get("/api/v1/programme/synthesis/methods").json()
    assert methods["words"] and any(r["said"] for r in methods["rows"])
    whole = writable_client.get("/api/v1/programme/synthesis").json()
    assert whole["reach"] and whole["public_only"] is False
    assert writable_client.delete(f"/api/v1/programme/projects/{key}").status_code == 204
    assert writable_client.get("/api/v1/programme/projects").json() == []


def test_a_bad_package_is_a_422_naming_the_problem(writable_client):
    refused = error_shape(_upload(writable_client, b"not a zip", "bad.zip"), 422, "invalid_input")
    assert "bad.zip" in refused["message"] and refused["problems"]


def test_bad_parameters_are_4xx(writable_client):
    assert writable_client.get("/api/v1/programme/synthesis/nonsense").status_code == 422
    assert writable_client.get("/api/v1/programme/projects/not-a-key").status_code == 422
    missing = writable_client.get("/api/v1/programme/projects/" + make.KEY_A)
    error_shape(missing, 404, "not_found")
    bad = writable_client.post("/api/v1/programme/follow", json={"url": "ftp://x", "token": "t"})
    error_shape(bad, 422, "invalid_input")


def test_a_visitor_sees_only_what_projects_marked_public(sqlite_workspace, tmp_path):
    sqlite_workspace.programme.add(make.package(make.KEY_A, public=PUBLIC), name="a.zip")
    settings = dataclasses.replace(SHARED, backup_dir=str(tmp_path / "backups"))
    visitor = TestClient(create_app(settings, workspace=sqlite_workspace))
    shown = visitor.get("/api/v1/programme/synthesis")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert body["public_only"] is True
    assert body["reach"] == [] and body["themes"] == [] and body["outcomes"] == []
    assert body["sectors"] and body["methods"]
    assert visitor.get("/api/v1/programme/projects").status_code == 401

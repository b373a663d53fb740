"""Background jobs through the JSON API: an import answers 202 at once, its job is followed to
the outcome the request stands for, each user sees their own jobs (admins every one), a failed
job can be retried; the routes are in the OpenAPI schema."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ._helpers import error_shape
from ._jobs import outcome

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a long enough password"
GOOD = b"id,name,sector\np1,Alpha Trust,vcse\np2,Beta Council,la_other\n"
BAD = b"id,name,sector\np1,Alpha Trust,vcse\np2,Beta,spaceships\n"


def upload(client: TestClient, data: bytes, name: str = "partners.csv"):
    return client.post("/api/v1/partners/import", files={"file": (name, data, "text/csv")})


def test_an_import_answers_at_once_and_its_job_gives_the_outcome(writable_client):
    accepted = upload(writable_client, GOOD)
    assert accepted.status_code == 202
    job = accepted.json()
    assert job["kind"] == "partners.import" and job["status"] in ("queued", "running", "done")
    assert accepted.headers["location"] == job["status_url"]
    done = outcome(writable_client, accepted)
    assert done.status_code == 201
    assert (done.json()["file"], done.json()["created"]) == ("partners.csv", 2)
    shown = writable_client.get(job["status_url"]).json()
    assert (shown["status"], shown["progress"], shown["label"]) == ("done", 1.0, "Partner import")
    listed = writable_client.get("/api/v1/jobs").json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_a_failed_job_gives_the_422_and_can_be_retried(writable_client):
    accepted = upload(writable_client, BAD, "bad.csv")
    refused = error_shape(outcome(writable_client, accepted), 422, "invalid_input")
    assert {(p["file"], p["row"], p["field"]) for p in refused["problems"]} == {
        ("bad.csv", 2, "sector")
    }
    job = writable_client.get(accepted.json()["status_url"]).json()
    assert job["status"] == "failed" and "bad.csv" in job["error"]
    assert writable_client.get("/api/v1/partners").json() == []
    again = writable_client.post(f"/api/v1/jobs/{job['id']}/retry")
    assert again.status_code == 202
    error_shape(outcome(writable_client, again), 422, "invalid_input")  # the same file, again
    error_shape(writable_client.get("/api/v1/jobs/no-such-job"), 404, "not_found")


def test_a_map_import_is_a_job_too(writable_client):
    made = writable_client.post("/api/v1/maps", json={"title": "Loop"}).json()
    exported = writable_client.get(f"/api/v1/maps/{made['id']}/export", params={"format": "csv"})
    accepted = writable_client.post(
        "/api/v1/maps/import", files={"file": ("loop.csv", b"from,to\nA,B\nB,A\n")}
    )
    assert exported.status_code == 200 and accepted.status_code == 202
    imported = outcome(writable_client, accepted)
    assert imported.status_code == 201
    assert (imported.json()["n_factors"], imported.json()["n_links"]) == (2, 2)


@pytest.fixture
def people(sqlite_workspace):
    for username, role in (("ana", "analyst"), ("fay", "facilitator"), ("adm", "admin")):
        sqlite_workspace.users.create(username, PASSWORD, role=role)
    return sqlite_workspace


def signed_in(workspace, username: str) -> TestClient:
    client = TestClient(
        create_app(SHARED, workspace=workspace),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    answer = client.post("/login", data={"username": username, "password": PASSWORD})
    assert answer.status_code in (200, 303), answer.text
    return client


def test_each_user_sees_their_own_jobs_and_admins_every_one(people):
    ana, fay, adm = (signed_in(people, name) for name in ("ana", "fay", "adm"))
    accepted = upload(ana, GOOD)
    assert outcome(ana, accepted).status_code == 201
    job_id = accepted.json()["id"]
    error_shape(fay.get(f"/api/v1/jobs/{job_id}"), 404, "not_found")
    error_shape(fay.get(f"/api/v1/jobs/{job_id}/outcome"), 404, "not_found")
    error_shape(fay.post(f"/api/v1/jobs/{job_id}/retry"), 404, "not_found")
    assert fay.get("/api/v1/jobs").json() == []
    assert [j["id"] for j in adm.get("/api/v1/jobs").json()] == [job_id]
    assert adm.get(f"/api/v1/jobs/{job_id}").json()["created_by"] == "ana"
    error_shape(adm.post(f"/api/v1/jobs/{job_id}/retry"), 409, "conflict")  # it did not fail
    anonymous = TestClient(create_app(SHARED, workspace=people), base_url="https://testserver")
    error_shape(anonymous.get("/api/v1/jobs"), 401, "authentication_required")


def test_the_job_routes_are_documented(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/outcome"):
        assert path in paths
    for path in (
        "/api/v1/partners/import",
        "/api/v1/rounds/{round_id}/import",
        "/api/v1/maps/import",
    ):
        assert "202" in paths[path]["post"]["responses"], path

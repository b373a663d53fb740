"""Access sweeps on the web (issue 19, item 4): start one as a job (202), follow it, its results
as JSON and CSV, resume and cancel; bad input a 422 naming the field; the pages list sweeps with
their progress by chunk."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mobilise.analysis.sweep import Fault
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..integration.test_access_runs import build_gridton
from .conftest import LOCAL

SWEEP = {"places": ["gridton"], "categories": ["library"], "method": "2sfca", "decays": ["none"]}


@pytest.fixture
def gridton_client(sqlite_workspace, monkeypatch):
    monkeypatch.setenv("MOBILISE_DASK_SCHEDULER", "in-process")
    build_gridton(sqlite_workspace)
    settings = Settings(host="127.0.0.1", user="tester", job_workers=0)  # the test runs the jobs
    app = create_app(settings, workspace=sqlite_workspace)
    return sqlite_workspace, TestClient(app, raise_server_exceptions=False, **LOCAL)


def test_a_sweep_starts_as_a_job_and_its_results_come_as_json_and_csv(gridton_client):
    ws, client = gridton_client
    started = client.post("/api/v1/sweeps", json={**SWEEP, "chunk_size": 2})
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["status"] == "queued" and body["job"]["id"] == body["job_id"]
    ws.jobs.work(until_idle=True)
    sweep = client.get(f"/api/v1/sweeps/{body['id']}").json()
    assert sweep["status"] == "done" and sweep["chunks"]["done"] == 3
    assert [c["state"] for c in sweep["chunk_list"]] == ["done"] * 3
    results = client.get(
        f"/api/v1/sweeps/{body['id']}/results", params={"limit": 6, "profile": "straight-line"}
    ).json()
    assert results["total"] == 12 and len(results["results"]) == 6
    first = results["results"][0]
    assert (first["catchment"], first["unit"], first["value"]) == (800.0, "m", 2.5)
    csv = client.get(f"/api/v1/sweeps/{body['id']}/results.csv")
    assert csv.status_code == 200 and csv.text.count("\n") == 13
    assert client.get("/api/v1/sweeps").json()[0]["id"] == body["id"]


def test_a_failed_sweep_names_its_chunk_and_resumes_from_the_page(gridton_client):
    ws, client = gridton_client
    sweep = ws.sweeps.start("gridton", categories="library", method="count", chunk_size=2)
    ws.sweeps.fault = Fault(chunk=2)
    with pytest.raises(Exception, match="chunk 2"):
        ws.sweeps.execute(sweep.id)
    ws.sweeps.fault = None
    page = client.get(f"/sweeps/{sweep.id}")
    assert page.status_code == 200 and "chunk 2: ChunkFault" in page.text
    assert "2 done" in page.text and "1 failed" in page.text
    assert f'action="/sweeps/{sweep.id}/resume"' in page.text
    assert not re.search(r"\sstyle=|<script>", page.text)  # the strict CSP holds
    resumed = client.post(f"/sweeps/{sweep.id}/resume", follow_redirects=False)
    assert resumed.status_code == 303
    ws.jobs.work(until_idle=True)
    assert client.get(f"/api/v1/sweeps/{sweep.id}").json()["status"] == "done"
    assert client.post(f"/api/v1/sweeps/{sweep.id}/resume").status_code == 409
    assert client.post(f"/api/v1/sweeps/{sweep.id}/cancel").status_code == 409
    listing = client.get("/sweeps")
    assert listing.status_code == 200 and sweep.title in listing.text


def test_a_sweep_starts_from_the_page_and_a_bad_form_comes_back_saying_why(gridton_client):
    ws, client = gridton_client
    page = client.get("/sweeps")
    assert 'action="/sweeps"' in page.text and 'value="gridton"' in page.text
    bad = client.post(
        "/sweeps", data={"places": "gridton", "categories": "library", "catchments_m": "-5"}
    )
    assert bad.status_code == 422 and "The sweep was not started" in bad.text
    assert 'value="-5"' in bad.text and ws.sweeps.list() == []
    none = client.post("/sweeps", data={"categories": "library"})
    assert none.status_code == 422 and "Choose at least one place" in none.text
    started = client.post(
        "/sweeps",
        data={"places": "gridton", "categories": "library", "catchments_m": "800"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    sweep_id = started.headers["location"].rsplit("/", 1)[1]
    ws.jobs.work(until_idle=True)
    assert client.get(f"/api/v1/sweeps/{sweep_id}").json()["status"] == "done"


def test_cancel_through_the_api(gridton_client):
    _ws, client = gridton_client
    body = client.post("/api/v1/sweeps", json=SWEEP).json()
    cancelled = client.post(f"/api/v1/sweeps/{body['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"places": ["nowhere"]}, "places"),
        ({"categories": ["unicorns"]}, "category"),
        ({"profiles": ["walk"]}, "profiles"),  # no street network imported
        ({"profiles": ["hover"]}, "profiles"),
        ({"chunk_size": 0}, "chunk_size"),
        ({"catchments_min": [500]}, "catchments_min"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(gridton_client, change, field):
    _ws, client = gridton_client
    answer = client.post("/api/v1/sweeps", json={**SWEEP, **change})
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_unknown_sweeps_and_bad_queries_are_4xx(gridton_client):
    _ws, client = gridton_client
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/v1/sweeps/{missing}").status_code == 404
    assert client.get(f"/sweeps/{missing}").status_code == 404
    assert client.get(f"/api/v1/sweeps/{missing}/results?limit=0").status_code == 422
    assert client.get(f"/api/v1/sweeps/{missing}/results?profile=hover").status_code == 422

"""Drivers of disparities over the web: start a run by the API and by the page's form, follow
it, read its summary, results and map layer, and the refusals (bad plans, too few areas, bad
query values) as 4xx in the one JSON error shape."""

from __future__ import annotations

import time

from ..integration.test_drivers_runs import MISSING, build_driverton
from ._jobs import DEADLINE_S

PLAN = {
    "outcome": "illness_ratio",
    "variables": ["indicator:income_rate", "assets:library"],
    "models": ["ols", "spatial", "gwr"],
}


def _outcome(client, run):
    """The job's outcome once the app's workers have run it (what a client does after a 202)."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer = client.get(run["job"]["outcome_url"])
        if answer.status_code != 202:
            return answer
        assert time.monotonic() < deadline, f"the job did not finish: {answer.text}"
        time.sleep(0.05)


def test_a_run_by_the_api_is_computed_and_shown(writable_client, sqlite_workspace):
    client = writable_client
    build_driverton(sqlite_workspace)
    started = client.post("/api/v1/places/driverton/drivers/runs", json=PLAN)
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["status"] == "queued" and run["job"]["id"]
    assert _outcome(client, run).status_code == 200
    shown = client.get(f"/api/v1/drivers/runs/{run['id']}").json()
    assert shown["status"] == "done", shown["error"]
    assert shown["summary"]["left_out"] == 3
    assert shown["data_versions"]["libraries"]["spreg"]
    listed = client.get("/api/v1/places/driverton/drivers/runs").json()
    assert [r["id"] for r in listed] == [run["id"]]
    rows = client.get(f"/api/v1/drivers/runs/{run['id']}/results", params={"model": "gwr"})
    assert rows.status_code == 200 and len(rows.json()) == 61
    assert not {r["area_code"] for r in rows.json()} & set(MISSING)
    layer = client.get(
        f"/api/v1/drivers/runs/{run['id']}/areas.geojson",
        params={"model": "gwr", "term": "assets:library"},
    )
    assert layer.status_code == 200
    assert layer.headers["content-type"].startswith("application/geo+json")
    assert len(layer.json()["features"]) == 61
    page = client.get(f"/drivers/{run['id']}")
    assert page.status_code == 200
    assert "What goes with Illness in Driverton" in page.text
    assert "3 areas had no value for Illness and were left out" in page.text
    assert 'id="map"' in page.text and "Spatial lag (maximum likelihood)" in page.text
    again = client.post(f"/api/v1/drivers/runs/{run['id']}/rerun")
    assert again.status_code == 202 and again.json()["rerun_of"] == run["id"]


def test_the_place_page_lists_runs_and_its_form_starts_one(writable_client, sqlite_workspace):
    client = writable_client
    build_driverton(sqlite_workspace)
    page = client.get("/places/driverton/drivers")
    assert page.status_code == 200
    assert "No drivers analysis has been run for Driverton yet" in page.text
    assert 'value="assets:library"' in page.text
    posted = client.post(
        "/places/driverton/drivers/runs",
        data={
            "outcome": "illness_ratio",
            "variables": ["indicator:income_rate", "assets:library"],
            "models": ["ols"],
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"].startswith("/drivers/")
    shown = client.get(posted.headers["location"])
    assert "Computing…" in shown.text
    refused = client.post(
        "/places/driverton/drivers/runs", data={"outcome": "illness_ratio", "variables": []}
    )
    assert refused.status_code == 422
    assert "choose at least one explanatory variable" in refused.text


def test_bad_plans_and_values_are_4xx_in_the_one_error_shape(writable_client, sqlite_workspace):
    client = writable_client
    build_driverton(sqlite_workspace, side=6)
    bad = client.post(
        "/api/v1/places/driverton/drivers/runs",
        json={"outcome": "illness_ratio", "variables": ["magic:1"], "kernel": "square"},
    )
    assert bad.status_code == 422
    fields = {p["field"] for p in bad.json()["error"]["problems"]}
    assert {"variables", "kernel"} <= fields
    too_many = client.post(
        "/api/v1/places/driverton/drivers/runs",
        json={"outcome": "illness_ratio", "variables": [f"rural{i}" for i in range(13)]},
    )
    assert too_many.status_code == 422
    unknown = client.post(
        "/api/v1/places/driverton/drivers/runs", json={**PLAN, "outcome": "nothing_here"}
    )
    assert unknown.status_code == 404
    assert client.get("/api/v1/drivers/runs/nope").status_code == 404
    assert client.get("/drivers/nope").status_code == 404
    assert client.get("/api/v1/places/nowhere/drivers/variables").status_code == 404
    # a place too small for GWR: the run fails, saying the minimum
    started = client.post("/api/v1/places/driverton/drivers/runs", json=PLAN).json()
    job = _outcome(client, started)
    assert job.status_code == 422
    assert "needs at least 50" in job.json()["error"]["message"]
    run = client.get(f"/api/v1/drivers/runs/{started['id']}").json()
    assert run["status"] == "failed" and "at least 50" in run["error"]
    not_done = client.get(f"/api/v1/drivers/runs/{started['id']}/results")
    assert not_done.status_code == 422
    wrong_model = client.get(
        f"/api/v1/drivers/runs/{started['id']}/areas.geojson", params={"model": "x"}
    )
    assert wrong_model.status_code == 422

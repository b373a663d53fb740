"""The access page and the access runs API, on a small hand-checkable place.

Gridton (as in tests/integration/test_access_runs.py): six 1 km squares in a row, residents
100, 300, 600, 100, 200, 200, IMD deciles 5, 4, 1, 2, 6, 3; library L1 500 m from the centres of
A1 and A2, library L2 at A5's centre. 2SFCA within 800 m, per 1,000 residents: 2.5, 2.5, 0, 0,
5, 0 (A3 and A4 are Core20 with nothing in reach: the priority neighbourhoods).
"""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from mobilise.formats.imd import IOD_INDICATORS
from mobilise.geo import bng_to_wgs84
from mobilise.model.areas import BoundaryData
from mobilise.model.assets import AssetFile, AssetRecord
from mobilise.model.indicators import IndicatorData
from mobilise.model.presentation import significant
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from ._jobs import finished_run
from .conftest import LOCAL

X0, Y0 = 450_000.0, 250_000.0
CODES = [f"E0100010{i}" for i in range(1, 7)]
DECILES = [5, 4, 1, 2, 6, 3]
AT_800 = [2.5, 2.5, 0.0, 0.0, 5.0, 0.0]
BODY = {
    "categories": ["library"],
    "method": "2sfca",
    "catchments_m": [800, 1600],
    "decays": ["none"],
    "permutations": 99,
}
SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


def build_gridton(ws):
    def lonlat(x_m):
        lon, lat = bng_to_wgs84([X0 + x_m], [Y0 + 500])
        return float(lon[0]), float(lat[0])

    squares = [shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(6)]
    names = [f"Gridton 00{i}A" for i in range(1, 7)]
    frame = gpd.GeoDataFrame(
        {"code": CODES, "name": names, "source_row": range(1, 7)}, geometry=squares, crs=27700
    )
    ws.areas.import_boundaries(BoundaryData(frame.to_crs(4326), "lsoa11", "gridton.geojson"))
    centres = pd.DataFrame([lonlat(1000 * i + 500) for i in range(6)], columns=["lon", "lat"])
    ws.areas.import_centroids(centres.assign(area_code=CODES), file="centres.csv")
    ws.areas.import_population(
        pd.DataFrame({"area_code": CODES, "total": [100, 300, 600, 100, 200, 200]}),
        file="pop.csv",
        period="mid-2020",
    )
    values = pd.DataFrame(
        {
            "area_code": CODES * 2,
            "indicator_id": ["imd2019_decile"] * 6 + ["imd2019_rank"] * 6,
            "value": [float(d) for d in DECILES] + [d * 3000.0 - 1500 for d in DECILES],
            "source_row": range(1, 13),
        }
    ).assign(lower_ci=None, upper_ci=None, numerator=None, denominator=None)
    metas = [IOD_INDICATORS["imd2019_decile"], IOD_INDICATORS["imd2019_rank"]]
    ws.indicators.import_data(IndicatorData(metas, values, "imd.csv"))
    ws.places.create("gridton", "Gridton", area_codes=CODES)
    libraries = [
        AssetRecord(name, "library", "test", name, lon=lon, lat=lat)
        for name, (lon, lat) in (("Library One", lonlat(1000)), ("Library Two", lonlat(4500)))
    ]
    ws.assets.import_file(AssetFile("assets.csv", libraries))
    return ws


@pytest.fixture
def gridton(sqlite_workspace):
    return build_gridton(sqlite_workspace)


@pytest.fixture
def local(gridton) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=gridton)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


@pytest.fixture
def done(local):
    """A finished run (its job computed it)."""
    response = local.post("/api/v1/places/gridton/access/runs", json=BODY)
    assert response.status_code == 202, response.text
    finished_run(local, response.json()["id"])
    return response.json()


# -- API ----------------------------------------------------------------------------------------
def test_a_run_through_the_api(local, done):
    assert done["status"] == "queued" and done["parameters"]["categories"] == ["library"]
    run = local.get(f"/api/v1/access/runs/{done['id']}").json()
    assert (run["status"], run["progress"], run["place"]) == ("done", 1.0, "gridton")
    assert run["method_label"] == "Two-step floating catchment (2SFCA)"
    assert run["data_versions"]["population_period"] == "mid-2020"
    assert len(run["summary"]["scenarios"]) == 2
    rows = local.get(
        f"/api/v1/access/runs/{done['id']}/results", params={"catchment_m": 800}
    ).json()
    assert [r["area_code"] for r in rows] == CODES
    assert [r["value"] for r in rows] == pytest.approx(AT_800)
    assert [r["nearest_m"] is None for r in rows] == [False, False, True, True, False, True]
    assert [r["imd_decile"] for r in rows] == DECILES
    listed = local.get("/api/v1/places/gridton/access/runs").json()
    assert [r["id"] for r in listed] == [done["id"]]


def test_rerun_through_the_api(local, done):
    response = local.post(f"/api/v1/access/runs/{done['id']}/rerun")
    assert response.status_code == 202
    finished_run(local, response.json()["id"])
    again = local.get(f"/api/v1/access/runs/{response.json()['id']}").json()
    assert (again["status"], again["rerun_of"]) == ("done", done["id"])
    assert again["parameters"] == done["parameters"]
    assert len(local.get("/api/v1/places/gridton/access/runs").json()) == 2


def test_geojson_of_one_scenario(local, done):
    response = local.get(
        f"/api/v1/access/runs/{done['id']}/areas.geojson",
        params={"category": "library", "catchment_m": 800},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    features = response.json()["features"]
    assert [f["id"] for f in features] == CODES
    assert [f["properties"]["value"] for f in features] == pytest.approx(AT_800)
    assert [f["properties"]["priority"] for f in features] == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [("csv", "text/csv"), ("gpkg", "application/geopackage+sqlite3")],
)
def test_downloads(local, done, tmp_path, file_format, content_type):
    response = local.get(f"/api/v1/access/runs/{done['id']}/results.{file_format}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    name = f"access-{done['id']}.{file_format}"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    if file_format == "csv":
        frame = pd.read_csv(io.BytesIO(response.content))
    else:
        (tmp_path / name).write_bytes(response.content)
        frame = gpd.read_file(tmp_path / name)
        assert set(frame.geometry.geom_type) == {"Polygon"}
    assert len(frame) == 12 and set(frame["run_id"]) == {done["id"]}
    at_800 = frame[frame["catchment_m"] == 800].sort_values("area_code")
    assert at_800["value"].tolist() == pytest.approx(AT_800)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"categories": ["libary"]}, "category"),
        ({"catchments_m": [10]}, "catchment"),
        ({"method": "walking"}, "method"),
        ({"decays": ["cubic"]}, "decay"),
        ({"permutations": 10_000}, "permutations"),
        ({"permutations": 9}, "permutations"),
        ({"core20": False}, "health_indicator"),
        ({"categories": None}, "categories"),  # not a list: refused before the plan is built
    ],
)
def test_a_bad_body_is_refused_naming_the_field(local, changes, field):
    response = local.post("/api/v1/places/gridton/access/runs", json={**BODY, **changes})
    error = error_shape(response, 422, "invalid_input")
    assert [p["field"] for p in error["problems"]] == [field]
    assert local.get("/api/v1/places/gridton/access/runs").json() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/access/runs/no-such-run"),
        ("get", "/api/v1/access/runs/no-such-run/results"),
        ("get", "/api/v1/access/runs/no-such-run/results.csv"),
        ("post", "/api/v1/access/runs/no-such-run/rerun"),
        ("get", "/api/v1/places/nowhere/access/runs"),
    ],
)
def test_unknown_runs_and_places(local, method, path):
    error_shape(local.request(method, path), 404, "not_found")


def test_unknown_place_cannot_start_a_run(local):
    error_shape(local.post("/api/v1/places/nowhere/access/runs", json=BODY), 404, "not_found")


def test_unknown_scenario_and_download_format(local, done):
    runs = f"/api/v1/access/runs/{done['id']}"
    missing = local.get(
        f"{runs}/areas.geojson", params={"category": "library", "catchment_m": 1200}
    )
    assert "1200 m" in error_shape(missing, 404, "not_found")["message"]
    error_shape(local.get(f"{runs}/results.xlsx"), 404, "not_found")


@pytest.mark.parametrize(
    "suffix",
    [
        "/results",
        "/results.csv",
        "/areas.geojson?category=library",
    ],
)
def test_an_unfinished_run_has_no_results(local, gridton, suffix):
    from mobilise.model.access_plan import AccessPlan

    queued = gridton.access.start("gridton", AccessPlan.build(categories="library"))
    error = error_shape(local.get(f"/api/v1/access/runs/{queued.id}{suffix}"), 422, "invalid_input")
    assert "queued" in error["message"]


# -- the page -----------------------------------------------------------------------------------
def test_page_shows_the_scenario_gradient_and_priorities(local, gridton, done):
    page = local.get("/places/gridton/access")
    assert page.status_code == 200
    assert 'id="category"' in page.text and 'id="catchment"' in page.text
    assert '<option value="800.0" selected>' in page.text
    sii = gridton.access.get(done["id"]).scenario("library", 800)["sii"]["sii"]
    assert f'<dd id="sii-figure">{significant(sii, 3)}' in page.text
    table = page.text.split('id="priority-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # the header, A3 and A4
    assert "Gridton 003A" in table and "Gridton 004A" in table
    wider = local.get("/places/gridton/access", params={"run": done["id"], "catchment_m": 1600})
    assert '<option value="1600.0" selected>' in wider.text
    assert 'id="priority-table"' not in wider.text  # everyone reaches a library within 1.6 km


def test_priority_table_shows_whole_deciles_when_an_area_has_no_imd(local, gridton):
    from sqlalchemy import delete

    from mobilise.store.tables import indicator_values

    with gridton.write() as connection:  # A1 outside England: no IMD decile
        connection.execute(delete(indicator_values).where(indicator_values.c.area_code == CODES[0]))
    started = local.post("/api/v1/places/gridton/access/runs", json=BODY)
    finished_run(local, started.json()["id"])
    table = local.get("/places/gridton/access").text.split('id="priority-table"')[1]
    assert '<td class="num">1</td>' in table  # A3's decile, not "1.0"


@pytest.mark.parametrize("suffix", ["/results", "/areas.geojson"])
def test_a_category_alias_reads_the_results_it_planned(local, suffix):
    started = local.post(
        "/api/v1/places/gridton/access/runs", json={**BODY, "categories": ["libraries"]}
    ).json()
    finished_run(local, started["id"])
    response = local.get(
        f"/api/v1/access/runs/{started['id']}{suffix}", params={"category": "libraries"}
    )
    assert response.status_code == 200, response.text


def test_a_failed_run_is_shown_with_its_reason(local, gridton):
    gridton.places.create("empty", "Empty")
    started = local.post("/api/v1/places/empty/access/runs", json=BODY)
    assert started.status_code == 202
    run = finished_run(local, started.json()["id"])
    assert (run["status"], run["error"]) == (
        "failed",
        "Place 'empty' has no areas yet; add areas first.",
    )
    page = local.get("/places/empty/access")
    assert "This analysis failed: Place &#39;empty&#39; has no areas yet" in page.text


def test_page_without_runs_offers_the_form(local):
    page = local.get("/places/gridton/access")
    assert page.status_code == 200
    assert "No access analysis has been run for Gridton yet." in page.text
    assert 'action="/places/gridton/access/runs"' in page.text


def test_page_with_a_queued_run_shows_progress(local, gridton):
    from mobilise.model.access_plan import AccessPlan

    queued = gridton.access.start("gridton", AccessPlan.build(categories="library"))
    page = local.get("/places/gridton/access")
    assert page.status_code == 200
    assert f'id="progress" data-run="{queued.id}"' in page.text
    assert "Waiting to start" in page.text and 'id="sii-figure"' not in page.text


def test_page_refuses_a_run_of_another_place(local, gridton, done):
    gridton.places.create("west-gridton", "West Gridton", area_codes=CODES[:3])
    page = local.get("/places/west-gridton/access", params={"run": done["id"]})
    assert page.status_code == 404 and "belongs to Gridton" in page.text


def test_form_starts_a_run_and_shows_it(local, gridton):
    response = local.post(
        "/places/gridton/access/runs",
        data={"categories": ["library"], "method": "2sfca", "catchments": "800", "decay": "none"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    (run,) = gridton.access.list("gridton")
    finished_run(local, run.id)
    (run,) = gridton.access.list("gridton")
    assert response.headers["location"] == f"/places/gridton/access?run={run.id}"
    assert run.status == "done" and run.plan.catchments_m == (800.0,)
    page = local.get(response.headers["location"])
    assert 'id="sii-figure"' in page.text


def test_form_with_a_bad_catchment_is_refused_in_words(local, gridton):
    response = local.post(
        "/places/gridton/access/runs", data={"categories": ["library"], "catchments": "10"}
    )
    assert response.status_code == 422
    assert "The analysis was not started:" in response.text
    assert "from 50 to 50,000" in response.text
    assert '<input id="catchments" name="catchments" value="10">' in response.text  # kept
    assert gridton.access.list("gridton") == []


def test_form_with_an_unknown_health_indicator_is_refused_in_words(local, gridton):
    response = local.post(
        "/places/gridton/access/runs",
        data={"categories": ["library"], "catchments": "800", "health_indicator": "cidr2019"},
    )
    assert response.status_code == 422
    assert "No indicator &#39;cidr2019&#39; for the health need rule" in response.text
    assert gridton.access.list("gridton") == []
    missing = local.post(
        "/places/nowhere/access/runs", data={"categories": ["library"], "catchments": "800"}
    )
    assert missing.status_code == 404


def test_demo_access_page(client):
    page = client.get("/places/northamptonshire/access")
    assert page.status_code == 200
    assert "No access analysis has been run" in page.text or 'id="sii-figure"' in page.text


# -- shared mode --------------------------------------------------------------------------------
@pytest.fixture
def shared(gridton):
    gridton.users.create("ana", "correct horse battery", role="analyst")
    gridton.users.create("vic", "another long secret", role="viewer")
    return TestClient(create_app(SHARED, workspace=gridton), base_url="https://testserver")


def sign_in(client, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text


def test_a_viewer_sees_the_page_but_cannot_run(shared, gridton):
    assert shared.post("/api/v1/places/gridton/access/runs", json=BODY).status_code == 401
    sign_in(shared, "vic", "another long secret")
    page = shared.get("/places/gridton/access")
    assert page.status_code == 200 and "Start the analysis" not in page.text
    denied = shared.post("/api/v1/places/gridton/access/runs", json=BODY)
    error_shape(denied, 403, "permission_denied")
    form = shared.post("/places/gridton/access/runs", data={"categories": ["library"]})
    assert form.status_code == 403
    assert gridton.access.list("gridton") == []


def test_an_analyst_can_run(shared, gridton):
    sign_in(shared, "ana", "correct horse battery")
    assert "Start the analysis" in shared.get("/places/gridton/access").text
    response = shared.post("/api/v1/places/gridton/access/runs", json=BODY)
    assert response.status_code == 202
    finished_run(shared, response.json()["id"])
    run = gridton.access.get(response.json()["id"])
    assert (run.status, run.created_by) == ("done", "ana")

"""Drivers runs through the workspace, on SQLite and PostgreSQL.

Driverton is an 8 x 8 grid of 500 m squares (64 areas) on the British National Grid. Its
illness ratio rises with income deprivation, falls with libraries per 1,000 residents, and
carries a smooth east-west trend the two miss (so the residuals cluster); three areas have no
illness value. The run must leave those three out and say so, fit least squares, the spatial
models and a GWR, store the results by area and read them back the same.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from mobilise import NotFound, ValidationError
from mobilise.geo import bng_to_wgs84
from mobilise.model.areas import BoundaryData
from mobilise.model.assets import AssetFile, AssetRecord
from mobilise.model.drivers_plan import DriversPlan
from mobilise.model.indicators import IndicatorData, IndicatorMeta
from mobilise.store.tables import analysis_runs, driver_results

X0, Y0 = 450_000.0, 250_000.0
SIDE = 8
CODES = [f"E0120{i:04d}" for i in range(1, SIDE * SIDE + 1)]
MISSING = CODES[5:8]  # no illness value


def _meta(indicator_id: str, name: str) -> IndicatorMeta:
    return IndicatorMeta(
        indicator_id, name, "ratio", "higher_is_worse", "Test", "OGL-UK-3.0", "2019"
    )


def build_driverton(ws, *, side: int = SIDE):
    codes = CODES[: side * side]
    cells = [(i % side, i // side) for i in range(side * side)]
    squares = [
        shapely.box(X0 + 500 * c, Y0 + 500 * r, X0 + 500 * (c + 1), Y0 + 500 * (r + 1))
        for c, r in cells
    ]
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [f"Driverton {i:03d}" for i in range(len(codes))],
            "source_row": range(1, len(codes) + 1),
        },
        geometry=squares,
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    ws.areas.import_boundaries(BoundaryData(frame, "lsoa11", "driverton.geojson"))
    lon, lat = bng_to_wgs84(
        [X0 + 500 * c + 250 for c, _r in cells], [Y0 + 500 * r + 250 for _c, r in cells]
    )
    ws.areas.import_centroids(
        pd.DataFrame({"area_code": codes, "lon": lon, "lat": lat}), file="centres.csv"
    )
    ws.areas.import_population(
        pd.DataFrame({"area_code": codes, "total": [1000] * len(codes)}),
        file="pop.csv",
        period="mid-2020",
    )
    rng = np.random.default_rng(7)
    income = rng.normal(20, 5, len(codes))
    libraries = rng.integers(0, 3, len(codes))
    trend = np.array([math.sin(c / 2) for c, _r in cells])
    illness = 0.05 * income - 0.2 * libraries + 0.5 * trend + rng.normal(0, 0.1, len(codes))
    rows = (
        [
            {"area_code": code, "indicator_id": "income_rate", "value": float(v)}
            for code, v in zip(codes, income, strict=True)
        ]
        + [
            {"area_code": code, "indicator_id": "income_count", "value": float(10 * v)}
            for code, v in zip(codes, income, strict=True)
        ]
        + [
            {"area_code": code, "indicator_id": "illness_ratio", "value": float(v)}
            for code, v in zip(codes, illness, strict=True)
            if code not in MISSING
        ]
    )
    values = pd.DataFrame(rows).assign(
        lower_ci=math.nan, upper_ci=math.nan, numerator=math.nan, denominator=math.nan
    )
    values["source_row"] = range(1, len(values) + 1)
    metas = [
        _meta("income_rate", "Income deprivation rate"),
        _meta("income_count", "Income-deprived people"),
        _meta("illness_ratio", "Illness"),
    ]
    ws.indicators.import_data(IndicatorData(metas, values, "indicators.csv"))
    ws.places.create("driverton", "Driverton", area_codes=codes)
    records = []
    for (c, r), count in zip(cells, libraries, strict=True):
        for k in range(int(count)):
            x, y = X0 + 500 * c + 100 + 100 * k, Y0 + 500 * r + 250
            lo, la = bng_to_wgs84([x], [y])
            records.append(
                AssetRecord(
                    f"Library {c}-{r}-{k}",
                    "library",
                    "test",
                    f"lib-{c}-{r}-{k}",
                    lon=float(lo[0]),
                    lat=float(la[0]),
                )
            )
    ws.assets.import_file(AssetFile("assets.csv", records))
    return ws


def _plan(**options):
    return DriversPlan.build(
        outcome="illness_ratio",
        variables=options.pop("variables", ["indicator:income_rate", "assets:library"]),
        **options,
    )


def test_a_run_fits_stores_and_reads_back_its_results(workspace):
    ws = build_driverton(workspace)
    steps = []
    run = ws.drivers.run("driverton", _plan(), lambda text, done, total: steps.append(text))
    assert run.status == "done", run.error
    assert steps[0] == "Reading data" and steps[-1] == "Done"
    summary = run.summary
    assert summary["n"] == 61 and summary["left_out"] == 3
    assert summary["notes"] == [
        f"3 areas had no value for Illness and were left out ({', '.join(MISSING)})."
    ]
    terms = {t["name"]: t for t in summary["ols"]["terms"]}
    assert terms["indicator:income_rate"]["estimate"] > 0
    assert terms["assets:library"]["label"] == "Library assets per 1,000 residents"
    assert terms["assets:library"]["estimate"] < 0
    assert summary["dependence"]["moran"]["p_value"] < 0.05
    assert [m["kind"] for m in summary["spatial"]] == ["spatial_lag", "spatial_error"]
    assert [m["kind"] for m in summary["local"]] == ["gwr"]
    assert run.data_versions["libraries"]["mgwr"]
    assert run.data_versions["variables"]["assets:library"]["assets"] > 0
    # the results by area: least squares and GWR, 61 areas each
    ols = ws.drivers.results(run.id)
    assert len(ols) == 61 and not set(MISSING) & set(ols["area_code"])
    gwr = ws.drivers.results(run.id, model="gwr")
    assert {"indicator:income_rate:estimate", "assets:library:significant"} <= set(gwr.columns)
    assert gwr["local_r2"].between(0, 1).all()
    with ws.read() as connection:
        stored = connection.execute(
            select(func.count()).where(driver_results.c.run_id == run.id)
        ).scalar_one()
    assert stored == 122
    shapes = json.loads(ws.drivers.geojson(run.id, model="gwr", term="assets:library"))
    assert len(shapes["features"]) == 61
    assert set(shapes["features"][0]["properties"]) >= {"value", "t", "significant", "local_r2"}
    assert ws.drivers.latest("driverton").id == run.id
    assert json.loads(json.dumps(run.to_dict()))["parameters"]["outcome"] == "illness_ratio"


def test_rerun_repeats_the_plan_and_keeps_the_link(workspace):
    ws = build_driverton(workspace)
    first = ws.drivers.run("driverton", _plan(models=["ols"]))
    again = ws.drivers.rerun(first.id)
    assert (again.status, again.rerun_of, again.plan) == ("queued", first.id, first.plan)
    done = ws.drivers.execute(again.id)
    assert done.summary["ols"]["terms"] == first.summary["ols"]["terms"]
    assert [r.id for r in ws.drivers.list("driverton")] == [again.id, first.id]


def test_a_failed_run_says_why_and_too_small_a_place_is_refused_with_the_minimum(workspace):
    ws = build_driverton(workspace, side=6)  # 36 areas, 33 with the outcome
    with pytest.raises(ValidationError, match="needs at least 50"):
        ws.drivers.run("driverton", _plan())
    failed = ws.drivers.list("driverton")[0]
    assert failed.status == "failed"
    assert "33 areas have every value" in failed.error and "at least 50" in failed.error
    # least squares alone is fine
    assert ws.drivers.run("driverton", _plan(models=["ols"])).status == "done"


def test_collinear_variables_fail_the_run_naming_them(workspace):
    ws = build_driverton(workspace)
    plan = _plan(variables=["indicator:income_rate", "indicator:income_count"], models=["ols"])
    with pytest.raises(ValidationError) as caught:
        ws.drivers.run("driverton", plan)
    expected = "Income deprivation rate and Income-deprived people are perfectly collinear"
    assert expected in str(caught.value.problems[0])
    assert expected in ws.drivers.list("driverton")[0].error
    with pytest.raises(ValidationError, match="named twice"):
        _plan(variables=["assets:library", "assets:library"])


def test_unknown_outcome_place_and_run_are_not_found(workspace):
    ws = build_driverton(workspace)
    with pytest.raises(NotFound, match="No indicator 'nope'"):
        ws.drivers.start("driverton", DriversPlan.build(outcome="nope", variables=["rural"]))
    with pytest.raises(NotFound, match="No place"):
        ws.drivers.start("nowhere", _plan())
    with pytest.raises(NotFound, match="No drivers run"):
        ws.drivers.get("no-such-run")
    with ws.read() as connection:
        assert connection.execute(select(func.count()).select_from(analysis_runs)).scalar_one() == 0


def test_the_variables_of_a_place_are_listed_with_their_names(workspace):
    ws = build_driverton(workspace)
    found = {v["id"]: v["label"] for v in ws.drivers.variables("driverton")}
    assert found["indicator:income_rate"] == "Income deprivation rate"
    assert found["assets:library"] == "Library assets per 1,000 residents"
    assert "census:ethnic_group:asian" in found and "rural" in found
    assert not any(v.startswith("access:") for v in found)  # no access run yet


def test_a_submitted_run_is_computed_by_the_job_worker(workspace):
    ws = build_driverton(workspace)
    run = ws.drivers.submit("driverton", _plan(models=["ols"]))
    assert run.job_id and run.status == "queued"
    assert ws.jobs.work(until_idle=True) == 1
    job = ws.jobs.get(run.job_id)
    assert job.status == "done", job.error
    assert job.result["id"] == run.id
    assert ws.drivers.get(run.id).status == "done"

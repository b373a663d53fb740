"""Access analysis runs through the workspace, on SQLite and PostgreSQL.

Gridton is six 1 km squares in a row on the British National Grid, each area's centre 1 km from
the next, so every distance is a round number of metres::

    x (km)      0    1    2    3    4    5    6
    area        | A1 | A2 | A3 | A4 | A5 | A6 |
    residents    100  300  600  100  200  200   (1,500)
    IMD decile     5    4    1    2    6    3
    library          L1 (x = 1.0)     L2 (x = 4.5)
    park                  P (x = 2.5)

2SFCA with no decay, per 1,000 residents:

- 800 m: L1 (500 m from A1 and A2) is shared by 400 residents: 2.5 each; L2 (at A5's centre)
  by A5's 200: 5.0; A3, A4 and A6 reach nothing (900 residents).
- 1,600 m: L1 also reaches A3 (1,500 m): 1 / 1,000 residents = 1.0 for A1-A3; L2 reaches A4,
  A5 and A6 (1,000, 0 and 1,000 m): 1 / 500 residents = 2.0 for A4-A6.

Either way the population-weighted mean is 2 libraries / 1,500 residents = 1.333 per 1,000.
"""

from __future__ import annotations

import io
import json
import math
import sys
from datetime import timedelta

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from mobilise import Conflict, NotFound, ValidationError
from mobilise.formats.imd import IOD_INDICATORS
from mobilise.geo import bng_to_wgs84
from mobilise.model.access_plan import AccessPlan
from mobilise.model.areas import BoundaryData
from mobilise.model.assets import AssetFile, AssetRecord
from mobilise.model.indicators import IndicatorData, IndicatorMeta
from mobilise.store.records import now
from mobilise.store.tables import analysis_results, analysis_runs, assets
from mobilise.workspace import access as access_module
from mobilise.workspace.access import STALE_AFTER

X0, Y0 = 450_000.0, 250_000.0  # south-west corner of A1 (British National Grid, Midlands)
CODES = [f"E0100010{i}" for i in range(1, 7)]
RESIDENTS = [100, 300, 600, 100, 200, 200]
DECILES = [5, 4, 1, 2, 6, 3]


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    lon, lat = bng_to_wgs84([X0 + x_m], [Y0 + y_m])
    return float(lon[0]), float(lat[0])


def asset(name, category, x_m=None, **fields):
    lon, lat = lonlat(x_m, 500) if x_m is not None else (None, None)
    slug = name.lower().replace(" ", "-")
    return AssetRecord(name, category, "test", slug, lon=lon, lat=lat, **fields)


def build_gridton(ws):
    """Areas, centres, residents, IMD 2019 deciles and ranks, place ``gridton``, four assets."""
    squares = [shapely.box(X0 + 1000 * i, Y0, X0 + 1000 * (i + 1), Y0 + 1000) for i in range(6)]
    frame = gpd.GeoDataFrame(
        {
            "code": CODES,
            "name": [f"Gridton 00{i}A" for i in range(1, 7)],
            "source_row": range(1, 7),
        },
        geometry=squares,
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    ws.areas.import_boundaries(BoundaryData(frame, "lsoa11", "gridton.geojson"))
    centres = [lonlat(1000 * i + 500, 500) for i in range(6)]
    ws.areas.import_centroids(
        pd.DataFrame(
            {"area_code": CODES, "lon": [c[0] for c in centres], "lat": [c[1] for c in centres]}
        ),
        file="centres.csv",
    )
    ws.areas.import_population(
        pd.DataFrame({"area_code": CODES, "total": RESIDENTS}), file="pop.csv", period="mid-2020"
    )
    imd = {"imd2019_decile": DECILES, "imd2019_rank": [d * 3000 - 1500 for d in DECILES]}
    import_indicator(ws, [IOD_INDICATORS[i] for i in imd], imd)
    ws.places.create("gridton", "Gridton", area_codes=CODES)
    ws.assets.import_file(
        AssetFile(
            "assets.csv",
            [
                asset("Library One", "library", 1000, capacity=40.0),
                asset("Library Two", "library", 4500),
                asset("Gridton Park", "green_blue_space", 2500),
                asset("Library Nowhere", "library"),
            ],
        )
    )
    return ws


def import_indicator(ws, metas, values_by_id):
    rows = [
        {"area_code": code, "indicator_id": key, "value": float(value)}
        for key, values in values_by_id.items()
        for code, value in zip(CODES, values, strict=True)
    ]
    values = pd.DataFrame(rows).assign(lower_ci=math.nan, upper_ci=math.nan)
    values = values.assign(
        numerator=math.nan, denominator=math.nan, source_row=range(1, len(rows) + 1)
    )
    ws.indicators.import_data(IndicatorData(list(metas), values, "indicators.csv"))


def plan(**options):
    options = {"categories": "library", "method": "2sfca", "decays": "none", **options}
    return AccessPlan.build(
        catchments_m=options.pop("catchments_m", [800, 1600]), permutations=99, **options
    )


def column(frame, name, catchment_m=None):
    if catchment_m is not None:
        frame = frame[frame["catchment_m"] == catchment_m]
    return [None if pd.isna(v) else v for v in frame.sort_values("area_code")[name]]


def assert_json_without_nan(run):
    json.dumps(run.to_dict(), allow_nan=False)  # raises ValueError on NaN or infinity


@pytest.fixture
def gridton(workspace):
    return build_gridton(workspace)


# -- results ------------------------------------------------------------------------------------
HAND = {
    800: {
        "value": [2.5, 2.5, 0.0, 0.0, 5.0, 0.0],
        "in_reach": [1, 1, 0, 0, 1, 0],
        "nearest_m": [500, 500, None, None, 0, None],
        "nothing_in_reach": (3, 900),
    },
    1600: {
        "value": [1.0, 1.0, 1.0, 2.0, 2.0, 2.0],
        "in_reach": [1, 1, 1, 1, 1, 1],
        "nearest_m": [500, 500, 1500, 1000, 0, 1000],
        "nothing_in_reach": (0, 0),
    },
}


def test_two_step_fca_gives_the_hand_values(gridton):
    steps = []
    run = gridton.access.run("gridton", plan(), progress=lambda *step: steps.append(step))
    assert (run.status, run.error, run.progress) == ("done", "", 1.0)
    results = gridton.access.results(run.id)
    assert len(results) == 12
    for catchment, hand in HAND.items():
        assert column(results, "value", catchment) == pytest.approx(hand["value"])
        assert column(results, "in_reach", catchment) == hand["in_reach"]
        nearest = column(results, "nearest_m", catchment)
        assert [n is None for n in nearest] == [h is None for h in hand["nearest_m"]]
        assert [n for n in nearest if n is not None] == pytest.approx(
            [h for h in hand["nearest_m"] if h is not None], abs=0.01
        )
        assert column(results, "population", catchment) == RESIDENTS
        assert column(results, "imd_decile", catchment) == DECILES
        assert column(results, "area_name", catchment)[0] == "Gridton 001A"
        scenario = run.scenario("library", catchment)
        assert (
            scenario["areas_with_nothing_in_reach"],
            scenario["residents_with_nothing_in_reach"],
        ) == hand["nothing_in_reach"]
        assert scenario["mean"] == pytest.approx(2 / 1500 * 1000)
        assert (scenario["areas"], scenario["assets"]) == (6, 2)
        assert [g["decile"] for g in scenario["gradient"]] == [1, 2, 3, 4, 5, 6]
        assert scenario["sii"] is not None  # six deciles with residents: enough for the SII
        # Deciles 1-6 hold 600, 100, 200, 300, 100 and 200 of the 1,500 residents: each sits
        # at the middle of its share of the cumulative population on the SII's axis.
        assert [g["midpoint"] for g in scenario["gradient"]] == pytest.approx(
            [0.2, 0.65 / 1.5, 0.8 / 1.5, 1.05 / 1.5, 1.25 / 1.5, 1.4 / 1.5]
        )
    # Core20 (deciles 1-2: A3, A4) with nothing in reach within 800 m.
    at_800 = gridton.access.results(run.id, catchment_m=800)
    assert column(at_800[at_800["priority"]], "area_code") == ["E01000103", "E01000104"]
    flagged = run.scenario("library", 800)["priority"]
    assert (flagged["areas"], flagged["residents"]) == (2, 700)
    assert steps[-1][0] == "Done" and steps[-1][1] == steps[-1][2]
    assert [s[1] for s in steps] == sorted(s[1] for s in steps)
    assert_json_without_nan(run)


def test_sweep_makes_every_scenario_and_reuses_pairs_exactly(gridton):
    sweep = gridton.access.run(
        "gridton", plan(categories="library, green_space", decays="none,linear")
    )
    assert sweep.plan.categories == ("library", "green_blue_space")
    expected = {(800.0, "none"), (800.0, "linear"), (1600.0, "none"), (1600.0, "linear")}
    for category in sweep.plan.categories:
        found = [
            (s["catchment_m"], s["decay"]) for s in sweep.scenarios if s["category"] == category
        ]
        assert len(found) == 4 and set(found) == expected
    results = gridton.access.results(sweep.id)
    assert len(results) == 2 * 4 * 6
    # The park at A3's centre is A3's alone within 800 m: 1 / 600 residents.
    park = gridton.access.results(
        sweep.id, category="green_blue_space", catchment_m=800, decay="none"
    )
    assert column(park, "value") == pytest.approx([0, 0, 1000 / 600, 0, 0, 0])
    # Linear decay at 1,600 m: weights 1 - d / 1600. L1: A1, A2 at 0.6875, A3 at 0.0625, demand
    # 400 x 0.6875 + 600 x 0.0625 = 312.5; L2: A4, A6 at 0.375, A5 at 1, demand 312.5 too.
    linear = gridton.access.results(sweep.id, category="library", catchment_m=1600, decay="linear")
    assert column(linear, "value") == pytest.approx([2.2, 2.2, 0.2, 1.2, 3.2, 1.2])

    alone = gridton.access.run(
        "gridton", plan(categories="library, green_space", decays="none,linear", catchments_m=800)
    )
    narrowed = results[results["catchment_m"] == 800].reset_index(drop=True)
    pd.testing.assert_frame_equal(narrowed, gridton.access.results(alone.id))
    assert sweep.scenarios[:2] == [
        s for s in sweep.scenarios if s["catchment_m"] == 800 and s["category"] == "library"
    ]


@pytest.mark.parametrize(
    ("supply", "values", "without_capacity", "used"),
    [
        ("count", [2.5, 2.5, 0, 0, 5.0, 0], [], 2),
        # Only Library One has a capacity (40): 40 / 400 residents; Library Two is left out.
        ("capacity", [100.0, 100.0, 0, 0, 0, 0], ["Library Two"], 1),
    ],
)
def test_assets_without_location_or_capacity_are_reported_and_left_out(
    gridton, supply, values, without_capacity, used
):
    run = gridton.access.run("gridton", plan(supply=supply, catchments_m=800))
    report = run.summary["inputs"]
    assert [a["name"] for a in report["assets_without_location"]] == ["Library Nowhere"]
    assert [a["name"] for a in report["assets_without_capacity"]] == without_capacity
    assert report["assets_used"] == {"library": used}
    assert run.data_versions["assets"]["used"] == used
    notes = " ".join(report["notes"])
    assert (
        "1 asset has no location or known area (so it may be in this place) and is left out: "
        "Library Nowhere." in notes
    )
    assert ("no capacity" in notes) == bool(without_capacity)
    results = gridton.access.results(run.id)
    assert column(results, "value") == pytest.approx(values)
    assert results["value"].notna().all()
    assert_json_without_nan(run)


@pytest.mark.parametrize(
    ("area", "note"),
    [
        (CODES[0], "1 asset has no location and is left out: Library Nowhere."),
        ("E01999999", None),  # an asset of another place is not this place's concern
    ],
)
def test_unlocated_assets_are_reported_by_the_place_of_their_area(gridton, area, note):
    with gridton.write() as connection:
        connection.execute(
            update(assets).where(assets.c.name == "Library Nowhere").values(lsoa11_code=area)
        )
    run = gridton.access.run("gridton", plan(catchments_m=800))
    report = run.summary["inputs"]
    notes = " ".join(report["notes"])
    assert [a["name"] for a in report["assets_without_location"]] == (
        [] if note is None else ["Library Nowhere"]
    )
    assert "Library Nowhere" not in notes if note is None else note in notes


def test_private_assets_count_but_are_never_named(gridton):
    gridton.assets.import_file(
        AssetFile(
            "private.csv",
            [
                asset("Secret Reading Room", "library", 2500, visibility="private"),
                asset("Hidden Hall", "library", visibility="private"),
            ],
        )
    )
    run = gridton.access.run("gridton", plan(catchments_m=800))
    # The private library at A3's centre is A3's alone: 1 / 600 residents.
    values = column(gridton.access.results(run.id), "value")
    assert values == pytest.approx([2.5, 2.5, 1000 / 600, 0, 5, 0])
    left_out = run.summary["inputs"]["assets_without_location"]
    assert sorted(a["name"] for a in left_out) == ["Library Nowhere", "a private asset"]
    assert {"id": None, "name": "a private asset", "category": "library"} in left_out
    text = json.dumps(run.to_dict())
    assert "Secret" not in text and "Hidden" not in text


def test_areas_without_residents_give_no_nan_and_are_reported(gridton):
    # A newer population: A5 has no residents, A6 no figure at all.
    gridton.areas.import_population(
        pd.DataFrame({"area_code": CODES[:5], "total": [100, 300, 600, 100, 0]}),
        file="pop-2021.csv",
        period="mid-2021",
    )
    run = gridton.access.run("gridton", plan())
    assert run.data_versions["population_period"] == "mid-2021"
    assert run.summary["inputs"]["areas_without_population"] == ["E01000106"]
    results = gridton.access.results(run.id)
    assert results["value"].notna().all()
    assert column(results, "population", 800) == [100, 300, 600, 100, 0, 0]
    # L2 has nobody in reach at 800 m: its ratio is 0, not 1 / 0. At 1,600 m only A4's 100
    # residents share it: 10 per 1,000 for each area in reach.
    assert column(results, "value", 800) == pytest.approx([2.5, 2.5, 0, 0, 0, 0])
    assert column(results, "in_reach", 800) == [1, 1, 0, 0, 1, 0]
    assert column(results, "value", 1600) == pytest.approx([1, 1, 1, 10, 10, 10])
    scenario = run.scenario("library", 800)
    assert scenario["residents_with_nothing_in_reach"] == 700
    assert scenario["mean"] == pytest.approx(1000 / 1100)
    assert any("no demand in reach" in w for w in scenario["warnings"])
    assert any("2 areas without" in w for w in scenario["warnings"])
    assert_json_without_nan(run)


@pytest.mark.parametrize(
    ("method", "values"),
    [
        ("count", [1, 1, 0, 0, 1, 0]),
        ("supply", [1, 1, 0, 0, 1, 0]),
        ("gravity", [1, 1, 0, 0, 1, 0]),
        ("2sfca", [2.5, 2.5, 0, 0, 0, 0]),
        ("e2sfca", [2.5, 2.5, 0, 0, 0, 0]),
        ("3sfca", [2.5, 2.5, 0, 0, 0, 0]),
        # Balanced: each area's share of L1 is split between the two areas that reach it.
        ("bfca", [1.25, 1.25, 0, 0, 0, 0]),
    ],
)
def test_every_method_on_an_asset_nobody_lives_near(sqlite_workspace, method, values):
    """L2 stands in A5, where nobody lives: it counts as an asset in reach, but the floating
    catchments share it among no residents (ratio 0, not 1 / 0)."""
    gridton = build_gridton(sqlite_workspace)
    gridton.areas.import_population(
        pd.DataFrame({"area_code": CODES, "total": [100, 300, 600, 100, 0, 200]}),
        file="pop-2021.csv",
        period="mid-2021",
    )
    run = gridton.access.run("gridton", plan(method=method, catchments_m=800))
    assert column(gridton.access.results(run.id), "value") == pytest.approx(values)
    assert_json_without_nan(run)


def test_a_place_where_nobody_lives_gives_no_nan(gridton):
    gridton.areas.import_population(
        pd.DataFrame({"area_code": CODES, "total": [0] * 6}), file="empty.csv", period="mid-2030"
    )
    run = gridton.access.run("gridton", plan())
    assert run.status == "done"
    assert gridton.access.results(run.id)["value"].tolist() == [0.0] * 12
    scenario = run.scenario("library", 800)
    assert (scenario["gini"], scenario["sii"], scenario["gradient"]) == (None, None, [])
    assert_json_without_nan(run)


# -- data versions and re-runs ---------------------------------------------------------------
def test_data_versions_are_recorded_and_a_rerun_reads_new_data(gridton):
    meta = IndicatorMeta(
        id="admissions",
        name="Emergency admissions",
        unit="per 1,000",
        polarity="higher_is_worse",
        source="test",
        licence="test",
        period="2024",
    )
    import_indicator(gridton, [meta], {"admissions": [1, 2, 3, 4, 5, 60]})
    first = gridton.access.run("gridton", plan(health_indicator="admissions", catchments_m=800))
    versions = first.data_versions
    assert versions["population_period"] == "mid-2020"
    assert versions["imd"]["indicator"] == "imd2019_decile" and versions["imd"]["areas"] == 6
    assert versions["health"]["indicator"] == "admissions"
    assert versions["health"]["period"] == "2024"
    assert versions["assets"]["used"] == 2 and versions["assets"]["newest_change"]
    # Core20 and nothing in reach (A3, A4), and the worst 20% on admissions (A6, 60).
    flagged = first.scenario("library", 800)["priority"]
    assert (flagged["areas"], flagged["residents"]) == (3, 900)

    gridton.assets.import_file(AssetFile("new.csv", [asset("Library Three", "library", 2500)]))
    again = gridton.access.rerun(first.id)
    assert (again.status, again.rerun_of) == ("queued", first.id)
    assert again.id != first.id
    assert again.plan == first.plan
    again = gridton.access.execute(again.id)
    assert again.data_versions["assets"]["used"] == 3
    assert again.data_versions["assets"]["newest_change"] > versions["assets"]["newest_change"]
    # Library Three at A3's centre is A3's alone within 800 m.
    results = gridton.access.results(again.id)
    assert column(results, "value") == pytest.approx([2.5, 2.5, 1000 / 600, 0, 5, 0])
    assert [r.id for r in gridton.access.list("gridton")] == [again.id, first.id]


def test_the_health_rule_follows_the_indicator_polarity(gridton):
    """Low life expectancy is the need: A1 (70 years) is the worst 20% of six areas, not A6."""
    meta = IndicatorMeta(
        id="life",
        name="Life expectancy",
        unit="years",
        polarity="higher_is_better",
        source="test",
        licence="test",
        period="2024",
    )
    import_indicator(gridton, [meta], {"life": [70, 80, 81, 82, 83, 90]})
    run = gridton.access.run(
        "gridton", plan(health_indicator="life", catchments_m=800, core20=False)
    )
    results = gridton.access.results(run.id).set_index("area_code")
    # The worst 20% of six areas on life expectancy is A1 alone (70 years; A6's 90 would be the
    # "worst" if the polarity were ignored). A1 has the best access to libraries (2.5), so it is
    # no priority for them.
    assert not results["priority"].any()
    low = gridton.access.run(
        "gridton",
        plan(health_indicator="life", catchments_m=800, core20=False, categories="green_space"),
    )
    flagged = gridton.access.results(low.id).set_index("area_code")
    # Within 800 m only A3 reaches the park: A1 has high need and nothing in reach.
    assert flagged.index[flagged["priority"]].tolist() == [CODES[0]]
    reasons = " ".join(flagged.loc[CODES[0], "reasons"])
    assert "Life expectancy" in reasons and "70" in reasons


def test_a_health_indicator_without_a_direction_is_refused(gridton):
    meta = IndicatorMeta(
        id="households",
        name="Households",
        unit="count",
        polarity="neutral",
        source="test",
        licence="test",
        period="2024",
    )
    import_indicator(gridton, [meta], {"households": [1, 2, 3, 4, 5, 6]})
    with pytest.raises(ValidationError, match="neutral polarity") as caught:
        gridton.access.start("gridton", plan(health_indicator="households"))
    assert caught.value.problems[0].field == "health_indicator"
    assert gridton.access.list("gridton") == []


def test_latest_and_delete(gridton):
    done = gridton.access.run("gridton", plan())
    queued = gridton.access.start("gridton", plan())
    assert gridton.access.latest("gridton").id == done.id
    assert [r.id for r in gridton.access.list("gridton")] == [queued.id, done.id]
    gridton.access.delete(done.id)
    assert gridton.access.latest("gridton") is None
    with pytest.raises(NotFound):
        gridton.access.get(done.id)


# -- failures ------------------------------------------------------------------------------------
def test_unknown_place(gridton):
    with pytest.raises(NotFound, match="nowhere"):
        gridton.access.start("nowhere", plan())
    with pytest.raises(NotFound, match="nowhere"):
        gridton.access.list("nowhere")


def test_a_missing_health_indicator_is_refused_before_a_run_is_saved(gridton):
    with pytest.raises(NotFound, match="cidr2019"):
        gridton.access.start("gridton", plan(health_indicator="cidr2019"))
    assert gridton.access.list("gridton") == []


def test_a_failure_is_stored_with_the_run_and_stores_no_results(gridton, monkeypatch):
    stored_audit = access_module.audit

    def failing_audit(connection, **entry):
        if "results" in (entry.get("after") or {}):  # after the results are inserted
            raise OSError("disk full")
        stored_audit(connection, **entry)

    monkeypatch.setattr(access_module, "audit", failing_audit)
    run = gridton.access.start("gridton", plan(catchments_m=800))
    with pytest.raises(OSError, match="disk full"):
        gridton.access.execute(run.id)
    failed = gridton.access.get(run.id)
    assert (failed.status, failed.step) == ("failed", "Failed")
    assert failed.error == (
        "The run stopped on an unexpected error (OSError: disk full). The details are in the "
        "server log."
    )
    assert stored_results(gridton, run.id) == 0
    with pytest.raises(ValidationError, match="failed"):
        gridton.access.results(run.id)
    assert gridton.access.latest("gridton") is None

    monkeypatch.undo()  # a failed run can be computed again
    assert gridton.access.execute(run.id).status == "done"
    assert stored_results(gridton, run.id) == 6
    with pytest.raises(ValidationError, match="start a new run"):
        gridton.access.execute(run.id)


def test_a_place_without_areas_fails_in_words(gridton):
    gridton.places.create("empty", "Empty")
    with pytest.raises(ValidationError, match="no areas yet"):
        gridton.access.run("empty", plan())
    (run,) = gridton.access.list("empty")
    assert run.status == "failed"
    assert run.error == "Place 'empty' has no areas yet; add areas first."


def stored_results(ws, run_id):
    with ws.read() as connection:
        return connection.execute(
            select(func.count()).where(analysis_results.c.run_id == run_id)
        ).scalar_one()


STALE_MINUTES = STALE_AFTER.total_seconds() / 60


@pytest.mark.parametrize(
    ("minutes", "status"), [(STALE_MINUTES - 1, "queued"), (STALE_MINUTES + 1, "failed")]
)
def test_a_run_that_stopped_reporting_is_failed(gridton, minutes, status):
    run = gridton.access.start("gridton", plan())
    with gridton.write() as connection:
        connection.execute(
            update(analysis_runs)
            .where(analysis_runs.c.id == run.id)
            .values(updated_at=now() - timedelta(minutes=minutes))
        )
    seen = gridton.access.get(run.id)
    assert seen.status == status
    assert ("stopped reporting progress" in seen.error) == (status == "failed")
    assert gridton.access.execute(run.id).status == "done"  # queued, or failed: run it again


def test_a_running_run_is_claimed_once(gridton):
    """Two workers cannot both compute a run: only a queued, failed or stale one is claimed."""
    run = gridton.access.start("gridton", plan())
    with gridton.write() as connection:
        connection.execute(
            update(analysis_runs).where(analysis_runs.c.id == run.id).values(status="running")
        )
    with pytest.raises(ValidationError, match="is running; start a new run instead"):
        gridton.access.execute(run.id)
    assert stored_results(gridton, run.id) == 0
    with gridton.write() as connection:  # the other worker went quiet long ago
        connection.execute(
            update(analysis_runs)
            .where(analysis_runs.c.id == run.id)
            .values(updated_at=now() - STALE_AFTER - timedelta(minutes=1))
        )
    assert gridton.access.execute(run.id).status == "done"
    with pytest.raises(ValidationError, match="is done"):
        gridton.access.execute(run.id)


def test_a_result_is_stored_once_per_area_and_scenario(gridton):
    run = gridton.access.run("gridton", plan(catchments_m=800))
    with gridton.read() as connection:
        row = connection.execute(select(analysis_results).limit(1)).mappings().one()
    with pytest.raises(Conflict, match="duplicate"), gridton.write() as connection:
        connection.execute(analysis_results.insert().values({**row, "id": "another"}))
    assert stored_results(gridton, run.id) == 6


def test_a_busy_database_delays_progress_reports_not_the_run(gridton, monkeypatch):
    real_write = type(gridton).write

    def write(self):
        if sys._getframe(1).f_code.co_name == "_progress":
            raise OperationalError("UPDATE analysis_runs", {}, Exception("database is locked"))
        return real_write(self)

    monkeypatch.setattr(type(gridton), "write", write)
    seen = []
    run = gridton.access.run("gridton", plan(), lambda text, done, total: seen.append(text))
    assert run.status == "done" and seen[-2:] == ["Saving results", "Done"]


# -- plans ---------------------------------------------------------------------------------------
def test_every_plan_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        AccessPlan.build(categories="libary", method="walk", catchments_m=[10], decays="cubic")
    assert {p.field for p in caught.value.problems} == {"category", "method", "catchment", "decay"}
    assert "4 problems" in caught.value.message


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"categories": []}, "category"),
        ({"categories": "libraries, hospitals"}, "category"),
        ({"method": "2SFCA-ish"}, "method"),
        ({"catchments_m": 49}, "catchment"),
        ({"catchments_m": [800, 50_001]}, "catchment"),
        ({"catchments_m": "800, far"}, "catchment"),
        ({"catchments_m": []}, "catchment"),
        ({"decays": "none, cubic"}, "decay"),
        ({"supply": "weight"}, "supply"),
        ({"low_access_fraction": 1}, "low_access_fraction"),
        ({"health_worst_fraction": 0}, "health_worst_fraction"),
        ({"permutations": 10_000}, "permutations"),
    ],
)
def test_a_bad_plan_names_the_field(options, field):
    with pytest.raises(ValidationError) as caught:
        AccessPlan.build(**{"categories": "library", **options})
    assert [p.field for p in caught.value.problems] == [field]


def test_plans_accept_aliases_limits_and_the_methods_decay():
    built = AccessPlan.build(
        categories="Libraries, green space, parks", method="E2SFCA", catchments_m="50000, 50, 50"
    )
    assert built.categories == ("library", "green_blue_space")
    assert (built.method, built.catchments_m, built.decays) == (
        "e2sfca",
        (50.0, 50_000.0),
        ("step",),
    )
    assert AccessPlan.from_dict(built.to_dict()) == built


# -- reading back --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".gpkg"])
def test_export(gridton, tmp_path, suffix):
    run = gridton.access.run("gridton", plan())
    path = tmp_path / f"access{suffix}"
    assert gridton.access.export(run.id, path) == 12
    frame = pd.read_csv(path) if suffix == ".csv" else gpd.read_file(path)
    assert len(frame) == 12
    assert set(frame["run_id"]) == {run.id}
    assert set(frame["unit"]) == {"assets per 1,000 residents"}
    assert {"area_code", "area_name", "value", "in_reach", "nearest_m", "reasons"} <= set(frame)
    assert sorted(frame["value"]) == pytest.approx(sorted(HAND[800]["value"] + HAND[1600]["value"]))
    if suffix == ".gpkg":
        assert frame.crs.to_epsg() == 4326
        assert set(frame.geometry.geom_type) == {"Polygon"}
        a1 = frame[frame["area_code"] == "E01000101"].geometry.iloc[0]
        assert a1.contains(shapely.Point(lonlat(500, 500)))


def test_export_refuses_other_files(gridton, tmp_path):
    run = gridton.access.run("gridton", plan())
    with pytest.raises(ValidationError) as caught:
        gridton.access.export(run.id, tmp_path / "access.xlsx")
    assert [p.field for p in caught.value.problems] == ["output"]


@pytest.mark.parametrize("file_format", ["csv", "gpkg"])
def test_export_to_a_stream_matches_the_file(gridton, tmp_path, file_format):
    """A web response gets the same bytes as a file would; the format is named, or read from
    the stream's name."""
    run = gridton.access.run("gridton", plan())
    path = tmp_path / f"access.{file_format}"
    assert gridton.access.export(run.id, path) == 12
    stream = io.BytesIO()
    assert gridton.access.export(run.id, stream, format=file_format) == 12
    if file_format == "csv":
        assert stream.getvalue() == path.read_bytes()
    else:
        copy = tmp_path / "copy.gpkg"
        copy.write_bytes(stream.getvalue())
        assert len(gpd.read_file(copy)) == 12
    with (tmp_path / f"named.{file_format}").open("wb") as named:
        assert gridton.access.export(run.id, named) == 12
    assert (tmp_path / f"named.{file_format}").stat().st_size > 0


def test_export_to_a_stream_needs_a_format(gridton):
    run = gridton.access.run("gridton", plan())
    with pytest.raises(ValidationError) as caught:
        gridton.access.export(run.id, io.BytesIO())
    assert [p.field for p in caught.value.problems] == ["output"]
    with pytest.raises(ValidationError) as caught:
        gridton.access.export(run.id, io.BytesIO(), format="xlsx")
    assert [p.field for p in caught.value.problems] == ["format"]


def test_an_export_that_fails_leaves_nothing_behind(gridton, tmp_path, monkeypatch):
    run = gridton.access.run("gridton", plan())
    path = tmp_path / "new" / "access.gpkg"

    def broken(codes):
        raise OSError("disk full")

    monkeypatch.setattr(gridton.areas, "geojson_features", broken)
    with pytest.raises(OSError, match="disk full"):
        gridton.access.export(run.id, path)
    assert list(path.parent.iterdir()) == []


def test_geojson_has_one_feature_per_area(gridton):
    run = gridton.access.run("gridton", plan())
    collection = json.loads(gridton.access.geojson(run.id, category="library", catchment_m=800))
    features = {f["id"]: f for f in collection["features"]}
    assert list(features) == CODES
    a3 = features["E01000103"]["properties"]
    assert set(a3) == {
        "code", "name", "value", "in_reach", "nearest_m", "cluster", "priority", "reasons",
        "imd_decile", "population",
    }  # fmt: skip
    assert (a3["value"], a3["in_reach"], a3["nearest_m"], a3["priority"]) == (0, 0, None, True)
    assert (a3["imd_decile"], a3["population"], a3["name"]) == (1, 600, "Gridton 003A")
    assert a3["reasons"]
    assert features["E01000101"]["properties"]["nearest_m"] == 500
    assert all(f["geometry"]["type"] == "Polygon" for f in features.values())
    with pytest.raises(NotFound, match="3200 m"):
        gridton.access.geojson(run.id, category="library", catchment_m=3200)

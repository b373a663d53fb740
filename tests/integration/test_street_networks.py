"""Street networks in the workspace, on SQLite and PostgreSQL: import, replace, a bad file
stores nothing, an extract that does not cover the place, and access runs on streets.

Gridton (see ``test_access_runs``) gets a street along its row of areas (y = 500 m) with a river
between x = 2,700 and 2,900 m; the only bridge is 3 km north, so the path from the east bank to
the west is 6.2 km longer than the gap::

    x (km)    0    1    2    2.7 2.9   3    4    5    6
    street    ====================|~~~|=================   (y = 0.5 km)
    bridge                        +---+                     (y = 3.5 km, up and down at 2.7, 2.9)
    assets         L1        P             L2 (x = 4.5)

Gridton Park (x = 2.5 km) is 1 km from A4's centre (x = 3.5 km) in a straight line, inside a
1,600 m catchment; on foot it is 600 + 6,200 + 200 m = 7 km, 87.5 minutes at 4.8 km/h, far
outside 20 minutes (1,600 m at walking speed).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mobilise import NotFound, ValidationError
from mobilise.model.access_plan import AccessPlan
from mobilise.store.tables import street_networks
from tests.integration.test_access_runs import X0, Y0, build_gridton, lonlat

RIVER_WEST, RIVER_EAST, BRIDGE_Y = 2700.0, 2900.0, 3500.0


def street_points() -> list[list[tuple[float, float]]]:
    """The ways (as lists of Gridton metres): the two banks' street and the bridge detour."""
    west = [(float(x), 500.0) for x in range(0, 2701, 100)]
    east = [(float(x), 500.0) for x in range(2900, 6001, 100)]
    detour = [(RIVER_WEST, 500.0), (RIVER_WEST, BRIDGE_Y), (RIVER_EAST, BRIDGE_Y)]
    detour.append((RIVER_EAST, 500.0))
    return [west, east, detour]


def write_extract(path, ways=None, *, offset_m: float = 0.0):
    """A tiny .osm.pbf of ``ways`` (Gridton metres, shifted east by ``offset_m``)."""
    import osmium
    from osmium.osm import mutable

    ways = ways if ways is not None else street_points()
    ids: dict[tuple[float, float], int] = {}
    for way in ways:
        for point in way:
            ids.setdefault(point, len(ids) + 1)
    stamp = "2024-05-01T12:00:00Z"
    with osmium.SimpleWriter(str(path)) as writer:
        for (x, y), node_id in ids.items():
            lon, lat = lonlat(x + offset_m, y)
            writer.add_node(
                mutable.Node(id=node_id, location=(lon, lat), version=1, timestamp=stamp)
            )
        for number, way in enumerate(ways, start=1):
            writer.add_way(
                mutable.Way(
                    id=number,
                    nodes=[ids[p] for p in way],
                    tags={"highway": "residential", "name": f"Street {number}"},
                    version=1,
                    timestamp=stamp,
                )
            )
    return path


@pytest.fixture
def gridton(workspace):
    return build_gridton(workspace)


@pytest.fixture
def extract(tmp_path):
    return write_extract(tmp_path / "gridton.osm.pbf")


def test_import_stores_each_profile_with_its_source(gridton, extract):
    found = gridton.networks.import_extract("gridton", extract, profiles=["walk", "cycle"])
    assert [n.profile for n in found] == ["walk", "cycle"]
    walk = gridton.networks.get("gridton", "walk")
    assert walk.source_name == "gridton.osm.pbf"
    assert walk.licence == "ODbL 1.0"
    assert "OpenStreetMap contributors" in walk.attribution
    assert walk.data_date.startswith("2024-05-01")
    assert walk.n_nodes > 50 and walk.n_edges > 100
    assert walk.length_km == pytest.approx(12.0, abs=0.05)  # 2.7 + 3.1 + 3 + 0.2 + 3 km
    assert walk.coverage["covered"] == walk.coverage["areas"] == 6
    network = gridton.networks.load("gridton", "walk")
    assert network.n_nodes == walk.n_nodes
    assert gridton.networks.load("gridton", "walk") is network  # kept in the process


def test_a_reimport_replaces_and_a_bad_file_leaves_what_was_there(gridton, extract, tmp_path):
    gridton.networks.import_extract("gridton", extract, profiles=["walk"])
    first = gridton.networks.get("gridton", "walk")
    shorter = write_extract(tmp_path / "west.osm.pbf", street_points()[:1] + street_points()[1:2])
    gridton.networks.import_extract("gridton", shorter, profiles=["walk"])
    second = gridton.networks.get("gridton", "walk")
    assert second.id != first.id and second.source_name == "west.osm.pbf"
    with gridton.read() as connection:
        assert connection.execute(select(func.count()).select_from(street_networks)).scalar() == 1

    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all" * 20)
    with pytest.raises(ValidationError, match=r"broken\.osm\.pbf"):
        gridton.networks.import_extract("gridton", broken, profiles=["walk", "cycle"])
    assert gridton.networks.get("gridton", "walk").id == second.id
    assert [n.profile for n in gridton.networks.list("gridton")] == ["walk"]


def test_an_empty_extract_is_refused_naming_the_file(gridton, tmp_path):
    empty = write_extract(tmp_path / "empty.osm.pbf", [])
    with pytest.raises(ValidationError, match=r"empty\.osm\.pbf"):
        gridton.networks.import_extract("gridton", empty)
    assert gridton.networks.list("gridton") == []


def test_an_extract_elsewhere_is_refused_naming_the_areas_outside(gridton, tmp_path):
    far = write_extract(tmp_path / "far.osm.pbf", offset_m=40_000.0)
    with pytest.raises(ValidationError) as refused:
        gridton.networks.import_extract("gridton", far, profiles=["walk"])
    assert "6 of the place's 6 areas fall outside far.osm.pbf" in str(refused.value)
    assert "E01000101" in str(refused.value)
    assert gridton.networks.list("gridton") == []


def test_an_extract_missing_a_few_areas_is_stored_with_a_warning_naming_them(gridton, tmp_path):
    west_only = [[(float(x), 500.0) for x in range(0, 4001, 100)]]  # A6 (x = 5.5 km) is outside
    gridton.networks.import_extract(
        "gridton", write_extract(tmp_path / "part.osm.pbf", west_only), profiles=["walk"]
    )
    walk = gridton.networks.get("gridton", "walk")
    assert walk.coverage["covered"] == 5
    assert [a["code"] for a in walk.coverage["outside"]] == ["E01000106"]
    assert any("E01000106" in w and "part.osm.pbf" in w for w in walk.warnings)


def test_the_upload_limit_names_its_setting(gridton, extract):
    from dataclasses import replace

    small = gridton.__class__(gridton.engine, limits=replace(gridton.limits, max_osm_bytes=100))
    with pytest.raises(ValidationError, match="MOBILISE_MAX_OSM_BYTES"):
        small.networks.import_extract("gridton", extract.read_bytes(), name="gridton.osm.pbf")


def test_delete_and_unknown_profiles(gridton, extract):
    with pytest.raises(ValidationError, match="walk, cycle, step-free"):
        gridton.networks.import_extract("gridton", extract, profiles=["bus"])
    gridton.networks.import_extract("gridton", extract, profiles=["walk", "step-free"])
    assert gridton.networks.delete("gridton", "walk") == 1
    with pytest.raises(NotFound, match="mobilise networks import gridton"):
        gridton.networks.get("gridton", "walk")
    assert gridton.networks.delete("gridton") == 1
    assert gridton.networks.list("gridton") == []


def test_a_run_on_streets_without_a_network_says_how_to_import_one(gridton):
    plan = AccessPlan.build(
        categories="green_space", method="count", catchments_m="20", travel="walk"
    )
    with pytest.raises(ValidationError, match="mobilise networks import gridton"):
        gridton.access.start("gridton", plan)


def test_walking_on_streets_differs_from_a_straight_line_where_the_river_is(gridton, extract):
    gridton.networks.import_extract("gridton", extract, profiles=["walk"])
    straight = gridton.access.run(
        "gridton",
        AccessPlan.build(categories="green_space", method="count", catchments_m="1600"),
    )
    walk = gridton.access.run(
        "gridton",
        AccessPlan.build(
            categories="green_space", method="count", catchments_m="20", travel="walk"
        ),
    )
    line = straight.scenarios[0]
    assert line["catchment_unit"] == "m" and "comparison" not in line
    by_line = gridton.access.results(straight.id).set_index("area_code")
    on_foot = gridton.access.results(walk.id).set_index("area_code")
    # A4's centre is 1 km from the park across the river: in reach in a straight line only.
    assert by_line.loc["E01000104", "in_reach"] == 1
    assert on_foot.loc["E01000104", "in_reach"] == 0
    # A3's centre is by the park on the same bank: 0 m either way; A2's 1 km along the street.
    assert on_foot.loc["E01000103", "in_reach"] == 1
    assert on_foot.loc["E01000102", "nearest_m"] == pytest.approx(12.5, abs=0.01)  # minutes

    assert walk.plan.to_dict()["catchment_unit"] == "min"
    scenario = walk.scenarios[0]
    assert scenario["catchment_unit"] == "min" and scenario["travel"] == "walk"
    compared = scenario["comparison"]
    assert compared["straight_line_catchment_m"] == pytest.approx(1600.0)
    rows = {a["area_code"]: a for a in compared["areas"]}
    assert rows["E01000104"]["beyond"] is True
    assert rows["E01000104"]["difference"] == pytest.approx(-1.0)
    assert rows["E01000102"]["detour"] == pytest.approx(1.0, abs=0.01)
    assert compared["areas_lower"] >= 1 and compared["large_detours"] >= 1
    assert walk.data_versions["street_network"]["source"]["name"] == "gridton.osm.pbf"


def test_the_export_names_the_unit(gridton, extract, tmp_path):
    gridton.networks.import_extract("gridton", extract, profiles=["walk"])
    run = gridton.access.run(
        "gridton",
        AccessPlan.build(categories="library", method="count", catchments_m="20", travel="walk"),
    )
    target = tmp_path / "walk.csv"
    gridton.access.export(run.id, target)
    header = target.read_text().splitlines()[0].split(",")
    assert {"travel", "catchment_unit"} <= set(header)
    assert ",walk," in target.read_text() and ",min," in target.read_text()


def test_straight_line_runs_are_unchanged(gridton):
    plan = AccessPlan.build(categories="library", method="2sfca", catchments_m="800,1600")
    assert plan.travel == "straight-line" and plan.catchment_unit == "m"
    run = gridton.access.run("gridton", plan)
    values = gridton.access.results(run.id, catchment_m=800).set_index("area_code")["value"]
    assert values.round(6).tolist() == [2.5, 2.5, 0.0, 0.0, 5.0, 0.0]


def test_the_extract_coordinates_are_where_gridton_is():
    lon, lat = lonlat(0, 0)
    assert -2.0 < lon < -1.0 and 52.0 < lat < 52.3
    assert (X0, Y0) == (450_000.0, 250_000.0)

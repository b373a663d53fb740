"""Spatial access (mobilise.analysis.access): answers checkable by hand, invariants, and agreement
with PySAL ``access`` (a test-only dependency) to 1e-9 on the same input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.analysis.access import (
    CatchmentPairs,
    balanced_fca,
    count_within,
    enhanced_two_step_fca,
    exponential,
    floating_catchment_ratio,
    gaussian,
    linear,
    nearest,
    pairs_from_costs,
    pairs_from_points,
    power,
    step,
    supply_within,
    three_step_fca,
    two_step_fca,
    weighted_catchment,
)
from mobilise.errors import ValidationError


def points(coordinates: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Points in metres, ids on the index."""
    frame = pd.DataFrame.from_dict(coordinates, orient="index", columns=["x", "y"])
    return frame.astype(float)


def costs(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["origin", "dest", "cost"])


def triplets(pairs: CatchmentPairs) -> set[tuple[object, object, float]]:
    table = pairs.to_frame()
    return set(zip(table["origin"], table["dest"], table["cost"], strict=True))


# --------------------------------------------------------------------------------------------
# A line of small areas: two clusters 5 km apart and one far-away area.
#
#   o1 (x=0)  d1 (x=500)  o2 (x=1000)   ...   o3 (x=5000)  d2 (x=5500)  o4 (x=6000)   o5 (x=20000)
#
# With a 1000 m catchment d1 reaches o1 and o2 (500 m each), d2 reaches o3 and o4; o5 reaches
# nothing.
LINE_ORIGINS = points(
    {"o1": (0, 0), "o2": (1000, 0), "o3": (5000, 0), "o4": (6000, 0), "o5": (20000, 0)}
)
LINE_DESTINATIONS = points({"d1": (500, 0), "d2": (5500, 0)})
LINE_DEMAND = pd.Series({"o1": 100.0, "o2": 300.0, "o3": 200.0, "o4": 200.0, "o5": 50.0})
LINE_SUPPLY = pd.Series({"d1": 8.0, "d2": 2.0})


@pytest.fixture
def line_pairs() -> CatchmentPairs:
    return pairs_from_points(LINE_ORIGINS, LINE_DESTINATIONS, 1000)


def test_two_step_on_the_line_by_hand(line_pairs: CatchmentPairs) -> None:
    result = two_step_fca(line_pairs, LINE_DEMAND, LINE_SUPPLY)
    # d1: 8 / (100 + 300) = 0.02; d2: 2 / (200 + 200) = 0.005. o5 reaches nothing: 0.
    assert result["access"].to_dict() == pytest.approx(
        {"o1": 0.02, "o2": 0.02, "o3": 0.005, "o4": 0.005, "o5": 0.0}
    )
    assert result.attrs["method"] == "2SFCA"
    assert result.attrs["max_cost"] == 1000
    assert (result.attrs["origins"], result.attrs["destinations"], result.attrs["pairs"]) == (
        5,
        2,
        4,
    )
    assert result.attrs["origins_without_destination"] == 1
    assert result.attrs["destinations_without_demand"] == 0
    assert "1 origins have no destination" in result.attrs["warnings"][0]


def test_nearest_count_and_supply_on_the_line_by_hand(line_pairs: CatchmentPairs) -> None:
    near = nearest(line_pairs)
    assert near["nearest_cost"].iloc[:4].tolist() == [500.0, 500.0, 500.0, 500.0]
    assert math.isnan(near["nearest_cost"]["o5"])
    assert near.attrs["origins_without_destination"] == 1

    assert count_within(line_pairs, 1000)["count"].tolist() == [1, 1, 1, 1, 0]
    assert count_within(line_pairs, 499)["count"].tolist() == [0, 0, 0, 0, 0]
    assert supply_within(line_pairs, LINE_SUPPLY, 1000)["supply"].tolist() == [8, 8, 2, 2, 0]

    wide = pairs_from_points(LINE_ORIGINS, LINE_DESTINATIONS, 5000)
    # o2 at x=1000 is 500 m from d1 and 4500 m from d2: 8 + 2. o5 is 14.5 km from d2: nothing.
    assert supply_within(wide, LINE_SUPPLY)["supply"].tolist() == [8, 10, 10, 2, 0]
    assert math.isnan(nearest(wide)["nearest_cost"]["o5"])
    assert count_within(wide)["count"].tolist() == [1, 2, 2, 1, 0]


def test_everyone_reaching_everything_gets_total_supply_over_total_demand() -> None:
    grid = points({f"o{i}{j}": (1000.0 * i, 1000.0 * j) for i in range(3) for j in range(3)})
    assets = points({"a": (500, 500), "b": (1500, 1800)})
    demand = pd.Series(np.arange(1.0, 10.0) * 100, index=grid.index)  # 4500 people
    supply = pd.Series({"a": 3.0, "b": 6.0})  # 9 assets
    pairs = pairs_from_points(grid, assets, 10_000)
    assert len(pairs) == 18
    expected = 9 / 4500
    measures = [
        two_step_fca(pairs, demand, supply),
        enhanced_two_step_fca(pairs, demand, supply, {10_000: 1.0}),
        # Equal selection weights 1/2: demand at each asset is 4500 / 2, and each area takes half
        # of each ratio: (3 / 2250 + 6 / 2250) / 2 = 9 / 4500.
        three_step_fca(pairs, demand, supply, step({10_000: 1.0})),
    ]
    for result in measures:
        np.testing.assert_allclose(result["access"], expected, rtol=1e-12)


def test_enhanced_two_step_by_hand() -> None:
    pairs = pairs_from_costs(
        costs(
            ("o1", "d1", 5),  # weight 1
            ("o1", "d2", 15),  # 0.68
            ("o2", "d1", 12),  # 0.68
            ("o2", "d2", 25),  # 0.22
            ("o3", "d2", 8),  # 1
            ("o3", "d1", 35),  # beyond the last band: 0
        )
    )
    demand = pd.Series({"o1": 100.0, "o2": 200.0, "o3": 50.0})
    supply = pd.Series({"d1": 10.0, "d2": 5.0})
    result = enhanced_two_step_fca(pairs, demand, supply, {10: 1.0, 20: 0.68, 30: 0.22})
    # Weighted demand: d1 = 100 * 1 + 200 * 0.68 + 50 * 0 = 236; d2 = 100 * 0.68 + 200 * 0.22
    # + 50 * 1 = 162. Ratios 10 / 236 and 5 / 162.
    r1, r2 = 10 / 236, 5 / 162
    assert result["access"].tolist() == pytest.approx(
        [1 * r1 + 0.68 * r2, 0.68 * r1 + 0.22 * r2, 0 * r1 + 1 * r2], rel=1e-12
    )
    assert result.attrs["decay"] == "step({10.0: 1.0, 20.0: 0.68, 30.0: 0.22})"


def test_three_step_by_hand() -> None:
    pairs = pairs_from_costs(costs(("o1", "d1", 5), ("o1", "d2", 15), ("o2", "d2", 5)))
    demand = pd.Series({"o1": 90.0, "o2": 30.0})
    supply = pd.Series({"d1": 6.0, "d2": 3.0})
    result = three_step_fca(pairs, demand, supply, step({10: 1.0, 20: 0.5}))
    # Weights: o1-d1 1, o1-d2 0.5, o2-d2 1. Selection: o1 -> d1 1/1.5 = 2/3, o1 -> d2 1/3;
    # o2 -> d2 1. Selection x weight: 2/3, 1/6, 1.
    # Demand: d1 = 90 * 2/3 = 60; d2 = 90 * 1/6 + 30 * 1 = 45. Ratios 6/60 = 0.1, 3/45 = 1/15.
    # o1: 2/3 * 0.1 + 1/6 * 1/15 = 7/90; o2: 1 * 1/15.
    assert result["access"].tolist() == pytest.approx([7 / 90, 1 / 15], rel=1e-12)


def test_balanced_by_hand() -> None:
    pairs = pairs_from_costs(costs(("o1", "d1", 1), ("o1", "d2", 1), ("o2", "d2", 1)))
    demand = pd.Series({"o1": 40.0, "o2": 20.0})
    supply = pd.Series({"d1": 6.0, "d2": 3.0})
    result = balanced_fca(pairs, demand, supply, step({10: 1.0}))
    # By origin: o1 splits its 40 people 1/2 to d1 and 1/2 to d2; o2 sends all 20 to d2.
    # Allocated demand: d1 = 20, d2 = 20 + 20 = 40 (total 60 = all demand, none counted twice).
    # Level of service: d1 = 6/20 = 0.3, d2 = 3/40 = 0.075.
    # By destination: d1 serves only o1 (1); d2 serves o1 and o2 (1/2 each).
    # o1: 0.3 + 0.075/2 = 0.3375; o2: 0.075/2 = 0.0375. Sum 0.375 = 0.3 + 0.075.
    assert result["access"].tolist() == pytest.approx([0.3375, 0.0375], rel=1e-12)
    assert result.attrs["method"] == "BFCA"


def test_balanced_preserves_demand_and_level_of_service() -> None:
    rng = np.random.default_rng(3)
    origins = points({f"o{i}": tuple(rng.uniform(0, 10_000, 2)) for i in range(150)})
    assets = points({f"a{j}": tuple(rng.uniform(0, 10_000, 2)) for j in range(40)})
    pairs = pairs_from_points(origins, assets, 4000)
    demand = pd.Series(rng.integers(1, 3000, 150).astype(float), index=origins.index)
    supply = pd.Series(rng.integers(1, 10, 40).astype(float), index=assets.index)
    decay = gaussian(1500)
    assert count_within(pairs)["count"].min() > 0  # every origin reaches something
    result = balanced_fca(pairs, demand, supply, decay)

    # Recompute the two proportional allocations independently, with dense matrices.
    weight = np.zeros((150, 40))
    weight[pairs.origin, pairs.destination] = decay(pairs.cost)
    by_origin = weight / weight.sum(axis=1, keepdims=True)
    by_destination = weight / weight.sum(axis=0, keepdims=True)
    allocated = demand.to_numpy() @ by_origin
    level_of_service = supply.to_numpy() / allocated
    assert allocated.sum() == pytest.approx(demand.sum(), rel=1e-12)  # demand preserved
    assert result["access"].sum() == pytest.approx(level_of_service.sum(), rel=1e-12)
    np.testing.assert_allclose(result["access"], by_destination @ level_of_service, rtol=1e-12)


def test_balanced_access_is_not_supply_per_head() -> None:
    # One asset of 10 shared by 1 + 9 people: the level of service is 1 per head, split in half
    # between the two areas (Paez et al. 2019). 2SFCA gives 1 per head and preserves supply.
    pairs = pairs_from_costs(costs(("o1", "d1", 1), ("o2", "d1", 1)))
    demand, supply = pd.Series({"o1": 1.0, "o2": 9.0}), pd.Series({"d1": 10.0})
    assert balanced_fca(pairs, demand, supply, step({5: 1}))["access"].tolist() == [0.5, 0.5]
    assert two_step_fca(pairs, demand, supply)["access"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("decay", [None, gaussian(1500), linear(4000), exponential(0.001)])
def test_two_step_preserves_total_supply(decay: Any) -> None:
    # sum_i P_i A_i = sum_j S_j whenever every destination has demand in reach.
    rng = np.random.default_rng(5)
    origins = points({f"o{i}": tuple(rng.uniform(0, 10_000, 2)) for i in range(120)})
    assets = points({f"a{j}": tuple(rng.uniform(0, 10_000, 2)) for j in range(30)})
    pairs = pairs_from_points(origins, assets, 3000)
    demand = pd.Series(rng.integers(1, 3000, 120).astype(float), index=origins.index)
    supply = pd.Series(rng.integers(1, 10, 30).astype(float), index=assets.index)
    result = two_step_fca(pairs, demand, supply, decay=decay)
    assert result.attrs["destinations_without_demand"] == 0
    assert (demand * result["access"]).sum() == pytest.approx(supply.sum(), rel=1e-12)


Measure = Callable[[CatchmentPairs, pd.Series, pd.Series], pd.DataFrame]
FCA_MEASURES: dict[str, Measure] = {
    "2SFCA": lambda p, d, s: two_step_fca(p, d, s),
    "E2SFCA": lambda p, d, s: enhanced_two_step_fca(p, d, s, {600: 1.0, 1000: 0.5}),
    "3SFCA": lambda p, d, s: three_step_fca(p, d, s, gaussian(500)),
    "BFCA": lambda p, d, s: balanced_fca(p, d, s, linear(2000)),
}


@pytest.mark.parametrize("measure", FCA_MEASURES.values(), ids=FCA_MEASURES.keys())
def test_zero_demand_and_unreachable_give_zero_never_inf(
    measure: Measure, line_pairs: CatchmentPairs
) -> None:
    # Nobody lives near d2 (o3 and o4 have zero demand) and o5 reaches nothing.
    demand = LINE_DEMAND.copy()
    demand[["o3", "o4"]] = 0.0
    result = measure(line_pairs, demand, LINE_SUPPLY)
    values = result["access"].to_numpy()
    assert np.isfinite(values).all()
    assert values[2:].tolist() == [0.0, 0.0, 0.0]  # d2's ratio is 0; o5 has no destination
    assert values[0] > 0
    assert result.attrs["destinations_without_demand"] == 1
    assert result.attrs["origins_without_destination"] == 1
    assert any("supply not allocated: 2" in note for note in result.attrs["warnings"])


@pytest.mark.parametrize("measure", FCA_MEASURES.values(), ids=FCA_MEASURES.keys())
def test_missing_demand_or_supply_names_the_ids(
    measure: Measure, line_pairs: CatchmentPairs
) -> None:
    demand = LINE_DEMAND.drop("o2")
    demand["o3"] = np.nan
    supply = pd.Series({"d1": 8.0, "d2": 2.0, "d9": 1.0})
    with pytest.raises(ValidationError) as caught:
        measure(line_pairs, demand, supply)
    text = str(caught.value)
    assert "no demand for origin ids o2" in text
    assert "demand is missing for ids o3" in text
    assert "d9" in text  # supply for an asset the pairs do not know
    assert {p.field for p in caught.value.problems} == {"demand", "supply"}


def test_weights_of_zero_everywhere_are_counted() -> None:
    pairs = pairs_from_costs(costs(("o1", "d1", 50), ("o2", "d1", 5)))
    demand, supply = pd.Series({"o1": 10.0, "o2": 10.0}), pd.Series({"d1": 4.0})
    for measure in (three_step_fca, balanced_fca):
        result = measure(pairs, demand, supply, step({10: 1.0}))
        # o1's only asset is beyond the last band: its weights are all 0.
        assert result["access"].tolist() == [0.0, 0.4]
        assert result.attrs["origins_with_zero_weight"] == 1


def test_weighted_catchment_by_hand(line_pairs: CatchmentPairs) -> None:
    result = weighted_catchment(line_pairs, LINE_SUPPLY, linear(1000))
    # Every reached area is 500 m from its asset: weight 1 - 500/1000 = 0.5.
    assert result["weighted_supply"].tolist() == [4.0, 4.0, 1.0, 1.0, 0.0]
    assert result.attrs["decay_description"] == "linear decay max(0, 1 - cost / 1000)"


def test_floating_catchment_ratio_by_hand(line_pairs: CatchmentPairs) -> None:
    neighbours = pairs_from_points(LINE_ORIGINS, LINE_ORIGINS, 1000)
    result = floating_catchment_ratio(line_pairs, neighbours, LINE_DEMAND, LINE_SUPPLY)
    # o1 and o2 are neighbours (400 people) and reach d1 (8); o3 and o4 (400) reach d2 (2);
    # o5 has itself (50 people) and no asset.
    assert result["access"].tolist() == pytest.approx([0.02, 0.02, 0.005, 0.005, 0.0])


# --------------------------------------------------------------------------------------------
# Pairs


@pytest.mark.parametrize("n_origins", [300, 5000])  # 5000 searches in strips, on threads
def test_pairs_from_points_match_brute_force(n_origins: int) -> None:
    rng = np.random.default_rng(11)
    # Integer coordinates make exact ties at the radius (6-8-10 triangles) and coincident points.
    origin_xy = rng.integers(0, 200, (n_origins, 2)).astype(float)
    asset_xy = rng.integers(0, 200, (150, 2)).astype(float)
    origins = pd.DataFrame(origin_xy, columns=["x", "y"], index=[f"o{i}" for i in range(n_origins)])
    assets = pd.DataFrame(asset_xy, columns=["x", "y"], index=[f"a{j}" for j in range(150)])
    pairs = pairs_from_points(origins, assets, 10)

    distance = np.hypot(*(origin_xy[:, None, :] - asset_xy[None, :, :]).transpose(2, 0, 1))
    expected_o, expected_d = np.nonzero(distance <= 10)
    assert (distance == 10).any() and (distance == 0).any()
    found = sorted(zip(pairs.origin.tolist(), pairs.destination.tolist(), strict=True))
    assert found == sorted(zip(expected_o.tolist(), expected_d.tolist(), strict=True))
    np.testing.assert_allclose(pairs.cost, distance[pairs.origin, pairs.destination], rtol=1e-12)
    assert pairs.origin_ids.equals(origins.index) and pairs.max_cost == 10

    one_thread = pairs_from_points(origins, assets, 10, workers=1)
    assert np.array_equal(one_thread.origin, pairs.origin)
    assert np.array_equal(one_thread.cost, pairs.cost)


def test_within_equals_building_with_the_smaller_radius() -> None:
    rng = np.random.default_rng(2)
    origins = points({f"o{i}": tuple(rng.uniform(0, 5000, 2)) for i in range(200)})
    assets = points({f"a{j}": tuple(rng.uniform(0, 5000, 2)) for j in range(50)})
    wide = pairs_from_points(origins, assets, 2000)
    narrow = pairs_from_points(origins, assets, 800)
    assert triplets(wide.within(800)) == triplets(narrow)
    assert wide.within(800).max_cost == 800
    assert wide.within(2000) is wide
    with pytest.raises(ValidationError, match="build the pairs again"):
        narrow.within(2000)


def test_pairs_are_read_only_and_summarised(line_pairs: CatchmentPairs) -> None:
    with pytest.raises(ValueError, match="read-only"):
        line_pairs.cost[0] = 1.0
    assert repr(line_pairs) == (
        "CatchmentPairs(4 pairs, 5 origins, 2 destinations, max_cost=1000.0)"
    )


def test_pairs_from_costs_keeps_every_given_id_and_cuts_at_max_cost() -> None:
    table = costs(("o1", "d1", 10), ("o1", "d2", 20), ("o2", "d1", 20.5))
    pairs = pairs_from_costs(table, origins=["o1", "o2", "o3"], max_cost=20)
    assert list(pairs.origin_ids) == ["o1", "o2", "o3"]
    assert triplets(pairs) == {("o1", "d1", 10.0), ("o1", "d2", 20.0)}  # 20 is in, 20.5 out
    result = count_within(pairs)
    assert result["count"].tolist() == [2, 0, 0]
    assert result.attrs["origins_without_destination"] == 2


def test_pairs_from_costs_reports_every_problem_at_once() -> None:
    table = costs(("o1", "d1", 10), ("o1", "d1", 12), ("o2", "d9", -1), ("o3", "d1", np.nan))
    with pytest.raises(ValidationError) as caught:
        pairs_from_costs(table, destinations=["d1", "d2"])
    text = str(caught.value)
    assert "missing, negative or infinite in 2 rows (index 2, 3)" in text
    assert "not among the destinations given: d9" in text
    with pytest.raises(ValidationError, match="appear more than once"):
        pairs_from_costs(table.iloc[:2])
    with pytest.raises(ValidationError, match="no such column"):
        pairs_from_costs(table.rename(columns={"dest": "to"}))


def test_pairs_from_points_reports_bad_points() -> None:
    origins = points({"o1": (0, 0), "o2": (np.nan, 1)})
    with pytest.raises(ValidationError) as caught:
        pairs_from_points(origins, points({"a": (0, 0)}).rename(columns={"y": "north"}), -5)
    text = str(caught.value)
    assert "coordinates missing for ids o2" in text
    assert "has no column y" in text
    assert "max_cost must be a finite cost" in text


# --------------------------------------------------------------------------------------------
# Decay functions


def test_decay_values_and_records() -> None:
    cost = np.array([0.0, 10.0, 20.0, 40.0])
    assert step({10: 1.0, 20: 0.68})(cost).tolist() == [1.0, 1.0, 0.68, 0.0]
    assert gaussian(20)(cost).tolist() == pytest.approx(np.exp(-(cost**2) / 800).tolist())
    assert exponential(0.1)(cost).tolist() == pytest.approx(np.exp(-0.1 * cost).tolist())
    assert linear(20)(cost).tolist() == [1.0, 0.5, 0.0, 0.0]
    assert power(1, scale=10)(cost).tolist() == [1.0, 1.0, 0.5, 0.25]
    namespace = {"step": step, "gaussian": gaussian, "exponential": exponential}
    namespace |= {"linear": linear, "power": power}
    for decay in (step({10: 1.0, 20: 0.68}), gaussian(20), exponential(0.1), linear(20), power(2)):
        again = eval(repr(decay), namespace)  # the repr is the call that makes it
        assert again == decay
        assert decay.describe()
        weights = decay(np.linspace(0, 100, 11))
        assert ((weights >= 0) & (weights <= 1)).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda: gaussian(0),
        lambda: exponential(-1),
        lambda: linear(float("inf")),
        lambda: power(1, scale=0),
        lambda: step({}),
        lambda: step({10: 1.5}),
    ],
)
def test_decay_parameters_are_checked(make: Callable[[], object]) -> None:
    with pytest.raises(ValidationError):
        make()


def test_a_decay_of_your_own_is_checked(line_pairs: CatchmentPairs) -> None:
    result = weighted_catchment(line_pairs, LINE_SUPPLY, lambda cost: 1 / (1 + cost))
    assert result["weighted_supply"]["o1"] == pytest.approx(8 / 501)
    with pytest.raises(ValidationError, match="negative"):
        weighted_catchment(line_pairs, LINE_SUPPLY, lambda cost: -cost)


# --------------------------------------------------------------------------------------------
# Properties


@st.composite
def cost_tables(draw: st.DrawFn) -> pd.DataFrame:
    keys = draw(st.sets(st.tuples(st.integers(0, 8), st.integers(0, 5)), min_size=0, max_size=30))
    values = draw(
        st.lists(
            st.floats(0, 100, allow_nan=False, allow_infinity=False),
            min_size=len(keys),
            max_size=len(keys),
        )
    )
    rows = [(f"o{o}", f"d{d}", c) for (o, d), c in zip(sorted(keys), values, strict=True)]
    return pd.DataFrame(rows, columns=["origin", "dest", "cost"]).astype({"cost": float})


@settings(max_examples=60, deadline=None)
@given(table=cost_tables(), limit=st.floats(0, 100))
def test_pairs_from_costs_round_trip(table: pd.DataFrame, limit: float) -> None:
    pairs = pairs_from_costs(table, max_cost=limit)
    kept = table[table["cost"] <= limit]
    assert triplets(pairs) == set(kept.itertuples(index=False, name=None))
    again = pairs_from_costs(
        pairs.to_frame(),
        origins=pairs.origin_ids,
        destinations=pairs.destination_ids,
        max_cost=limit,
    )
    assert triplets(again) == triplets(pairs)


@settings(max_examples=60, deadline=None)
@given(table=cost_tables(), radii=st.lists(st.floats(0, 100), min_size=2, max_size=2))
def test_within_is_monotone(table: pd.DataFrame, radii: list[float]) -> None:
    small, large = sorted(radii)
    pairs = pairs_from_costs(table, max_cost=100)
    assert triplets(pairs.within(large).within(small)) == triplets(pairs.within(small))
    fewer = count_within(pairs, small)["count"]
    more = count_within(pairs, large)["count"]
    assert (fewer <= more).all()


# --------------------------------------------------------------------------------------------
# Agreement with PySAL access


Case = dict[str, Any]


@pytest.fixture(scope="module")
def random_case() -> Case:
    """~200 areas x 60 assets: a long cost table of integer minutes (ties at every threshold)."""
    rng = np.random.default_rng(7)
    area_ids = [f"E01{i:06d}" for i in range(200)]
    asset_ids = [f"asset-{j:02d}" for j in range(60)]
    table = pd.DataFrame(
        {
            "origin": np.repeat(area_ids, 60),
            "dest": np.tile(asset_ids, 200),
            "cost": rng.integers(0, 61, 200 * 60).astype(float),
        }
    )
    table = table[rng.random(len(table)) < 0.8].reset_index(drop=True)  # a router's gaps
    neighbours = pd.DataFrame(
        {
            "origin": np.repeat(area_ids, 200),
            "dest": np.tile(area_ids, 200),
            "cost": rng.integers(1, 61, 200 * 200).astype(float),
        }
    )
    neighbours.loc[neighbours["origin"] == neighbours["dest"], "cost"] = 0.0
    demand = pd.Series(rng.integers(0, 3000, 200), index=pd.Index(area_ids, name="geoid"))
    supply = pd.Series(rng.integers(1, 20, 60), index=pd.Index(asset_ids, name="geoid"))
    return {
        "costs": table,
        "neighbours": neighbours,
        "demand": demand.rename("pop"),
        "supply": supply.rename("doc"),
    }


def pysal_access(case: Case, costs_table: pd.DataFrame | None = None) -> Any:
    access = pytest.importorskip("access")
    return access.Access(
        demand_df=case["demand"].to_frame(),
        demand_index=True,
        demand_value="pop",
        supply_df=case["supply"].to_frame(),
        supply_index=True,
        supply_value="doc",
        cost_df=(case["costs"] if costs_table is None else costs_table).copy(),
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
        neighbor_cost_df=case["neighbours"].copy(),
        neighbor_cost_origin="origin",
        neighbor_cost_dest="dest",
        neighbor_cost_name="cost",
    )


def ours_pairs(case: Case) -> CatchmentPairs:
    return pairs_from_costs(
        case["costs"], origins=case["demand"].index, destinations=case["supply"].index
    )


def assert_agrees(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    column = theirs.columns[-1]
    theirs_values = theirs[column].reindex(ours.index)
    # PySAL leaves NaN where an origin has no pair in reach; we give 0 and count it.
    assert int(theirs_values.isna().sum()) == ours.attrs["origins_without_destination"]
    np.testing.assert_allclose(
        ours.iloc[:, 0].to_numpy(), theirs_values.fillna(0).to_numpy(), rtol=1e-9, atol=0
    )
    assert np.isfinite(theirs_values.dropna()).all()


def test_agrees_with_pysal_two_step(random_case: Case) -> None:
    theirs = pysal_access(random_case).two_stage_fca(name="m", max_cost=20)
    ours = two_step_fca(
        ours_pairs(random_case), random_case["demand"], random_case["supply"], max_cost=20
    )
    assert_agrees(ours, theirs)


def test_agrees_with_pysal_gaussian_two_step(random_case: Case) -> None:
    weights = pytest.importorskip("access.weights")
    theirs = pysal_access(random_case).two_stage_fca(
        name="m", max_cost=40, weight_fn=weights.gaussian(15)
    )
    ours = two_step_fca(
        ours_pairs(random_case),
        random_case["demand"],
        random_case["supply"],
        max_cost=40,
        decay=gaussian(15),
    )
    assert_agrees(ours, theirs)


@pytest.mark.parametrize("max_cost", [None, 25])
def test_agrees_with_pysal_enhanced_two_step(random_case: Case, max_cost: float | None) -> None:
    weights = pytest.importorskip("access.weights")
    bands = {10: 1.0, 20: 0.68, 30: 0.22}
    theirs = pysal_access(random_case).enhanced_two_stage_fca(
        name="m", max_cost=max_cost, weight_fn=weights.step_fn(bands)
    )
    ours = enhanced_two_step_fca(
        ours_pairs(random_case),
        random_case["demand"],
        random_case["supply"],
        bands,
        max_cost=max_cost,
    )
    assert_agrees(ours, theirs)
    costs_seen = np.arange(0, 61, dtype=float)
    assert step(bands)(costs_seen).tolist() == [weights.step_fn(bands)(c) for c in costs_seen]


def test_agrees_with_pysal_enhanced_two_step_gaussian(random_case: Case) -> None:
    weights = pytest.importorskip("access.weights")
    theirs = pysal_access(random_case).enhanced_two_stage_fca(
        name="m", max_cost=30, weight_fn=weights.gaussian(20)
    )
    ours = enhanced_two_step_fca(
        ours_pairs(random_case),
        random_case["demand"],
        random_case["supply"],
        gaussian(20),
        max_cost=30,
    )
    assert_agrees(ours, theirs)


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # PySAL on pandas 3
def test_agrees_with_pysal_three_step(random_case: Case) -> None:
    weights = pytest.importorskip("access.weights")
    bands = {10: 0.962, 20: 0.704, 30: 0.377, 60: 0.042}  # PySAL's default
    theirs = pysal_access(random_case).three_stage_fca(name="m", weight_fn=weights.step_fn(bands))
    ours = three_step_fca(
        ours_pairs(random_case), random_case["demand"], random_case["supply"], step(bands)
    )
    assert_agrees(ours, theirs)


@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_agrees_with_pysal_gaussian_three_step_on_a_cut_table(random_case: Case) -> None:
    # PySAL normalises the selection weights over its whole cost table: cut it at max_cost.
    weights = pytest.importorskip("access.weights")
    cut = random_case["costs"][random_case["costs"]["cost"] <= 30]
    theirs = pysal_access(random_case, cut).three_stage_fca(
        name="m", max_cost=30, weight_fn=weights.gaussian(20)
    )
    ours = three_step_fca(
        ours_pairs(random_case),
        random_case["demand"],
        random_case["supply"],
        gaussian(20),
        max_cost=30,
    )
    assert_agrees(ours, theirs)


def test_agrees_with_pysal_weighted_catchment(random_case: Case) -> None:
    weights = pytest.importorskip("access.weights")
    pairs = ours_pairs(random_case)
    gravity = pysal_access(random_case).weighted_catchment(
        name="m", weight_fn=weights.gaussian(20), max_cost=45
    )
    assert_agrees(
        weighted_catchment(pairs, random_case["supply"], gaussian(20), max_cost=45), gravity
    )
    cumulative = pysal_access(random_case).weighted_catchment(name="m", max_cost=12)
    assert_agrees(supply_within(pairs, random_case["supply"], 12), cumulative)


@pytest.mark.filterwarnings("ignore:some tracts may be unaccounted")
def test_agrees_with_pysal_fca_ratio(random_case: Case) -> None:
    theirs = pysal_access(random_case).fca_ratio(name="m", max_cost=20)
    neighbours = pairs_from_costs(random_case["neighbours"])
    ours = floating_catchment_ratio(
        ours_pairs(random_case),
        neighbours,
        random_case["demand"],
        random_case["supply"],
        max_cost=20,
    )
    assert ours.attrs["origins_without_demand"] == 0
    np.testing.assert_allclose(
        ours["access"], theirs["m_doc"].reindex(ours.index), rtol=1e-9, atol=0
    )


def test_decays_match_pysal_weight_functions() -> None:
    weights = pytest.importorskip("access.weights")
    costs_seen = np.array([0.0, 0.5, 1.0, 7.0, 20.0, 20.5, 59.0])
    pysal_pairs = [
        (gaussian(12.5), weights.gaussian(12.5)),
        (power(2, scale=5), weights.gravity(5, -2, min_dist=5)),
        (step({10: 0.962, 20: 0.704}), weights.step_fn({10: 0.962, 20: 0.704})),
    ]
    for ours, theirs in pysal_pairs:
        np.testing.assert_allclose(ours(costs_seen), [theirs(c) for c in costs_seen], rtol=1e-15)

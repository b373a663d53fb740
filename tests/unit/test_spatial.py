"""Spatial autocorrelation on small grids of 100 m squares, with answers checked by hand."""

from __future__ import annotations

import json

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import W
from shapely.geometry import box

from mobilise.analysis.spatial import (
    CLUSTER_MEANINGS,
    AreaWeights,
    contiguity_weights,
    local_morans,
    morans_i,
)
from mobilise.errors import ValidationError

# esda and libpysal warn about defaults and islands; none of it may reach our callers.
pytestmark = pytest.mark.filterwarnings("error")

SIDE = 100.0  # metres


def code(row: int, column: int) -> str:
    return f"R{row}C{column}"


def grid(size: int, *, detached: bool = False) -> gpd.GeoSeries:
    """``size`` x ``size`` squares in British National Grid; ``detached`` adds "ISL" 2 km away."""
    cells = {
        code(row, column): box(column * SIDE, row * SIDE, (column + 1) * SIDE, (row + 1) * SIDE)
        for row in range(size)
        for column in range(size)
    }
    if detached:
        cells["ISL"] = box(2000, 2000, 2000 + SIDE, 2000 + SIDE)
    return gpd.GeoSeries(list(cells.values()), index=list(cells), crs="EPSG:27700")


def by_cell(size: int, rule) -> pd.Series:
    return pd.Series(
        {code(r, c): float(rule(r, c)) for r in range(size) for c in range(size)}, name="value"
    )


def hand_morans_i(values: pd.Series, weights: W) -> float:
    """I = n / S0 * z'Wz / z'z, from the weights matrix."""
    matrix, ids = weights.full()
    y = values.reindex(ids).to_numpy()
    z = y - y.mean()
    return len(y) / matrix.sum() * (z @ matrix @ z) / (z @ z)


def checkerboard(size: int) -> pd.Series:
    return by_cell(size, lambda r, c: (r + c) % 2)


def halves(size: int) -> pd.Series:
    """High (10) in the left half of the columns, low (1) in the right half."""
    return by_cell(size, lambda r, c: 10 if c < size // 2 else 1)


# --------------------------------------------------------------------------------------------
# Weights


def test_rook_and_queen_neighbours_on_a_grid():
    rook = contiguity_weights(grid(3), kind="rook")
    queen = contiguity_weights(grid(3), kind="queen")
    assert sorted(rook.neighbors["R1C1"]) == ["R0C1", "R1C0", "R1C2", "R2C1"]
    assert len(queen.neighbors["R1C1"]) == 8
    assert len(queen.neighbors["R0C0"]) == 3
    assert isinstance(queen, AreaWeights) and isinstance(queen, W)
    assert queen.transform.lower() == "r"
    assert queen.weights["R0C0"] == pytest.approx([1 / 3] * 3)
    assert queen.id_order == list(grid(3).index)
    assert queen.isolated == () and queen.island_note() is None


def test_an_island_is_joined_to_the_nearest_area():
    weights = contiguity_weights(grid(5, detached=True))
    assert weights.isolated == ("ISL",)
    assert weights.joined_to == {"ISL": "R4C4"}
    assert weights.neighbors["ISL"] == ["R4C4"]
    assert "ISL" in weights.neighbors["R4C4"]
    assert weights.islands == []
    assert weights.island_note() == (
        "1 area had no neighbour (queen contiguity) and was joined to the nearest area by "
        "centroid: ISL to R4C4."
    )


def test_islands_in_a_geographic_crs_are_joined_by_distance_in_metres():
    weights = contiguity_weights(grid(5, detached=True).to_crs("EPSG:4326"), kind="rook")
    assert weights.joined_to == {"ISL": "R4C4"}
    assert sorted(weights.neighbors["R1C1"]) == ["R0C1", "R1C0", "R1C2", "R2C1"]


def test_an_island_can_be_dropped_or_kept():
    dropped = contiguity_weights(grid(5, detached=True), islands="drop")
    assert "ISL" not in dropped.id_order and dropped.n == 25
    assert dropped.island_note().endswith("was left out: ISL.")
    kept = contiguity_weights(grid(5, detached=True), islands="keep")
    assert kept.n == 26 and kept.islands == ["ISL"]
    assert kept.island_note().endswith("was kept without neighbours: ISL.")


def test_weights_are_checked():
    with pytest.raises(ValidationError) as raised:
        contiguity_weights(grid(3).set_crs(None, allow_override=True), kind="bishop")
    fields = {problem.field for problem in raised.value.problems}
    assert fields == {"kind", "areas"}  # the kind, and no CRS to join islands by distance
    points = gpd.GeoSeries(grid(3).centroid, crs="EPSG:27700")
    with pytest.raises(ValidationError, match="not a polygon"):
        contiguity_weights(points, islands="keep")
    with pytest.raises(ValidationError, match="GeoDataFrame or GeoSeries"):
        contiguity_weights(pd.DataFrame({"a": [1]}))


# --------------------------------------------------------------------------------------------
# Global Moran's I


def test_rook_checkerboard_is_exactly_minus_one():
    result = morans_i(checkerboard(6), contiguity_weights(grid(6), kind="rook"), permutations=99)
    assert result.i == pytest.approx(-1.0, abs=1e-12)
    assert result.expected == pytest.approx(-1 / 35)
    assert result.z < -5 and result.p_norm < 1e-6
    assert result.p_sim == pytest.approx(0.01)  # no rearrangement is as extreme


def test_queen_checkerboard_is_negative():
    weights = contiguity_weights(grid(6), kind="queen")
    result = morans_i(checkerboard(6), weights, permutations=0)
    assert result.i < result.expected
    assert result.i == pytest.approx(hand_morans_i(checkerboard(6), weights), abs=1e-12)
    assert result.p_sim is None


def test_halves_are_strongly_positive():
    result = morans_i(halves(6), contiguity_weights(grid(6)), permutations=99, seed=1)
    assert result.i > 0.5
    assert result.p_sim == pytest.approx(0.01)


@pytest.mark.parametrize("kind", ["queen", "rook"])
def test_morans_i_matches_the_hand_formula(kind):
    values = pd.Series(np.random.default_rng(4).normal(50, 10, 25), index=grid(5).index)
    weights = contiguity_weights(grid(5), kind=kind)
    result = morans_i(values, weights, permutations=0)
    assert result.i == pytest.approx(hand_morans_i(values, weights), abs=1e-12)
    assert result.n == 25 and result.left_out == () and result.warnings == ()


def test_missing_values_are_left_out_counted_and_named():
    values = pd.Series(np.random.default_rng(5).normal(size=25), index=grid(5).index)
    values["R2C2"] = np.nan
    values = values.drop("R3C3")
    values["E99"] = 1.0  # not in the weights
    weights = contiguity_weights(grid(5))
    result = morans_i(values, weights, permutations=0)
    assert result.n == 23
    assert set(result.left_out) == {"R2C2", "R3C3", "E99"}
    assert "2 areas have no value and were left out: R2C2, R3C3." in result.warnings
    assert any("1 area has a value but no place in the weights" in w for w in result.warnings)
    # the same as building the weights from the areas with a value
    kept = grid(5).drop(["R2C2", "R3C3"])
    again = morans_i(values.dropna().drop("E99"), contiguity_weights(kept), permutations=0)
    assert result.i == pytest.approx(again.i, abs=1e-12)
    assert weights.n == 25 and weights.transform.lower() == "r"  # the caller's weights unchanged


def test_leaving_out_neighbours_can_make_an_island():
    values = checkerboard(5).astype(float)
    values[["R0C1", "R1C0"]] = np.nan
    result = morans_i(values, contiguity_weights(grid(5), kind="rook"), permutations=0)
    assert result.islands == ("R0C0",)


def test_dropped_islands_are_reported_once():
    values = pd.Series(np.arange(26.0), index=grid(5, detached=True).index)
    weights = contiguity_weights(grid(5, detached=True), islands="drop")
    result = morans_i(values, weights, permutations=0)
    assert result.left_out == ("ISL",) and result.n == 25
    assert result.warnings == (weights.island_note(),)


def test_kept_islands_are_counted():
    values = pd.Series(np.arange(26.0), index=grid(5, detached=True).index)
    weights = contiguity_weights(grid(5, detached=True), islands="keep")
    result = morans_i(values, weights, permutations=0)
    assert result.islands == ("ISL",)
    assert result.i == pytest.approx(hand_morans_i(values, weights), abs=1e-12)


def test_seed_makes_p_sim_reproducible_and_leaves_numpy_alone():
    values = pd.Series(np.random.default_rng(6).normal(size=36), index=grid(6).index)
    weights = contiguity_weights(grid(6))
    np.random.seed(11)
    state = np.random.get_state()[1].copy()
    first = morans_i(values, weights, permutations=99, seed=3)
    local_first = local_morans(values, weights, permutations=99, seed=3)
    assert (np.random.get_state()[1] == state).all()
    second = morans_i(values, weights, permutations=99, seed=3)
    local_second = local_morans(values, weights, permutations=99, seed=3)
    assert first == second
    pd.testing.assert_frame_equal(local_first, local_second)


def test_to_dict_is_plain_json():
    result = morans_i(halves(6), contiguity_weights(grid(6)), permutations=9, seed=0)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["i"] == pytest.approx(result.i)
    assert data["n"] == 36 and data["left_out"] == [] and data["seed"] == 0
    assert (
        morans_i(halves(6), contiguity_weights(grid(6)), permutations=0).to_dict()["p_sim"] is None
    )


@pytest.mark.parametrize("function", [morans_i, local_morans])
def test_constant_values_are_refused(function):
    values = by_cell(4, lambda r, c: 3.0)
    with pytest.raises(ValidationError, match="Moran's I is undefined") as raised:
        function(values, contiguity_weights(grid(4)), permutations=9)
    assert raised.value.problems[0].field == "values"


def test_every_input_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as raised:
        morans_i([1, 2, 3], None, permutations=-1, seed="x")  # type: ignore[arg-type]
    assert {p.field for p in raised.value.problems} == {"values", "weights", "permutations", "seed"}
    with pytest.raises(ValidationError) as raised:
        local_morans(halves(4), contiguity_weights(grid(4)), permutations=0, significance=2)
    assert {p.field for p in raised.value.problems} == {"permutations", "significance"}
    with pytest.raises(ValidationError, match="at least 4 areas"):
        morans_i(halves(4).iloc[:3], contiguity_weights(grid(4)))


# --------------------------------------------------------------------------------------------
# Local Moran's I


def test_lisa_finds_the_hot_and_cold_blocks():
    result = local_morans(halves(6), contiguity_weights(grid(6)), permutations=99, seed=2)
    assert list(result.columns) == [
        "value",
        "lag",
        "neighbours",
        "local_i",
        "p_sim",
        "quadrant",
        "cluster",
        "significant",
    ]
    for row in range(1, 5):  # interior cells: all eight neighbours share the value
        assert result.loc[code(row, 1), "cluster"] == "High-High"
        assert result.loc[code(row, 4), "cluster"] == "Low-Low"
        assert result.loc[code(row, 1), "p_sim"] == pytest.approx(0.01)
        assert result.loc[code(row, 2), "quadrant"] == 1  # high, with mostly high neighbours
    # lag is the neighbours' average value: five high and three low
    assert result.loc["R2C2", "lag"] == pytest.approx((5 * 10 + 3 * 1) / 8)
    assert result.loc["R2C2", "neighbours"] == 8
    counts = result.attrs["counts"]
    assert counts["High-Low"] == counts["Low-High"] == 0
    assert sum(counts.values()) == 36
    assert set(result["cluster"]) <= set(CLUSTER_MEANINGS)
    assert (result["significant"] == (result["p_sim"] < 0.05)).all()
    assert result.attrs["p_cutoff"] == 0.05 and result.attrs["seed"] == 2


def test_local_i_is_esdas():
    values = halves(6)
    result = local_morans(values, contiguity_weights(grid(6)), permutations=9, seed=0)
    z = (values - values.mean()) / values.std(ddof=0)
    lag_z = (result["lag"] - values.mean()) / values.std(ddof=0)
    expected = (len(values) - 1) * z * lag_z / (z @ z)
    np.testing.assert_allclose(result["local_i"], expected, atol=1e-12)


def test_checkerboard_lisa_shows_outliers_only():
    result = local_morans(
        checkerboard(6), contiguity_weights(grid(6), kind="rook"), permutations=99, seed=0
    )
    assert set(result["quadrant"]) == {2, 4}  # every cell is opposite to its neighbours
    assert set(result.loc[result["significant"], "cluster"]) <= {"High-Low", "Low-High"}


def test_fdr_uses_esdas_cutoff():
    values = halves(6)
    plain = local_morans(values, contiguity_weights(grid(6)), permutations=99, seed=2)
    strict = local_morans(values, contiguity_weights(grid(6)), permutations=99, seed=2, fdr=True)
    assert strict.attrs["p_cutoff"] == pytest.approx(esda.fdr(plain["p_sim"].to_numpy(), 0.05))
    assert (strict["significant"] == (strict["p_sim"] < strict.attrs["p_cutoff"])).all()
    assert strict["significant"].sum() <= plain["significant"].sum()


def test_areas_without_neighbours_have_no_local_statistic():
    values = pd.Series(np.arange(26.0), index=grid(5, detached=True).index)
    weights = contiguity_weights(grid(5, detached=True), islands="keep")
    result = local_morans(values, weights, permutations=9, seed=0)
    island = result.loc["ISL"]
    assert island["neighbours"] == 0 and not island["significant"]
    assert island["cluster"] == "Not significant"
    assert np.isnan(island["p_sim"]) and np.isnan(island["lag"]) and pd.isna(island["quadrant"])
    assert result.attrs["islands"] == ["ISL"]
    assert any("no neighbour in the analysis" in w for w in result.attrs["warnings"])


def test_too_few_permutations_are_flagged():
    result = local_morans(halves(4), contiguity_weights(grid(4)), permutations=9, seed=0)
    assert not result["significant"].any()
    assert any("no area can be significant" in w for w in result.attrs["warnings"])


def test_cluster_meanings_are_plain_sentences():
    assert set(CLUSTER_MEANINGS) == {
        "High-High",
        "Low-Low",
        "High-Low",
        "Low-High",
        "Not significant",
    }
    assert all(text.endswith(".") and len(text) < 120 for text in CLUSTER_MEANINGS.values())

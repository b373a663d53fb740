"""mobilise.analysis.drivers against the libraries' own worked examples (tests/fixtures/drivers,
see its SOURCES.md): mgwr's Georgia GWR against GWR4's output and mgwr's MGWR results, spreg's
Columbus diagnostics and Baltimore spatial models, and a least-squares fit checked by hand; then
the bad inputs the issue names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.drivers import fit_drivers, gwr_minimum, knn_weights, vifs
from mobilise.errors import ValidationError

from ..conftest import FIXTURES

HERE = FIXTURES / "drivers"


def _georgia() -> pd.DataFrame:
    return (
        pd.read_csv(HERE / "GData_utm.csv")
        .set_index("AreaKey")
        .rename(columns={"X": "x", "Y": "y"})
    )


def _gal(name: str) -> object:
    import libpysal

    weights = libpysal.io.open(str(HERE / name), "r").read()
    weights.transform = "r"
    return weights


# -- least squares, checked by hand -----------------------------------------------------------
def test_least_squares_on_a_tiny_table_matches_the_hand_calculation():
    frame = pd.DataFrame(
        {"outcome": [1.0, 3.0, 2.0, 5.0, 4.0], "x1": [1.0, 2.0, 3.0, 4.0, 5.0]},
        index=[f"E0100000{i}" for i in range(5)],
    )
    found = fit_drivers(frame, outcome="outcome", variables=["x1"], models=["ols"])
    intercept, slope = found.ols.terms
    # b = Sxy / Sxx = 8 / 10; a = 3 - 0.8 * 3; R² = 1 - 3.6 / 10
    assert slope.estimate == pytest.approx(0.8)
    assert intercept.estimate == pytest.approx(0.6)
    assert found.ols.r2 == pytest.approx(0.64)
    # standardised slope = b sd(x) / sd(y) = the correlation, 0.8 (both SDs are sqrt(2.5))
    assert slope.standardised == pytest.approx(0.8)
    # HC3: sum((x - 3)² e² / (1 - h)²) / Sxx², h = 1/5 + (x - 3)² / 10, e = y - 0.6 - 0.8 x
    e = np.array([-0.4, 0.8, -1.0, 1.2, -0.6])
    h = 0.2 + np.array([4, 1, 0, 1, 4]) / 10
    hc3 = np.sum(np.array([4, 1, 0, 1, 4]) * e**2 / (1 - h) ** 2) / 100
    assert hc3 == pytest.approx(0.17244898, abs=1e-8)
    assert slope.std_error == pytest.approx(np.sqrt(hc3))
    assert slope.statistic == pytest.approx(0.8 / np.sqrt(hc3))
    assert slope.vif == 1.0
    assert "could well be chance" in slope.words  # t = 1.93 on 3 degrees of freedom
    assert found.residuals["residual"].to_numpy() == pytest.approx(e)


def test_variance_inflation_factors_are_statsmodels_and_the_textbook_formula():
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    rng = np.random.default_rng(4)
    x = rng.normal(size=(200, 3))
    x[:, 2] += 0.8 * x[:, 0]
    design = np.column_stack([np.ones(200), x])
    expected = [variance_inflation_factor(design, i) for i in range(1, 4)]
    assert vifs(x) == pytest.approx(expected)
    r = np.corrcoef(x[:, 0], x[:, 1])[0, 1]
    assert vifs(x[:, :2])[0] == pytest.approx(1 / (1 - r**2))


def test_least_squares_reproduces_gwr4s_global_regression_of_georgia():
    """GWR4's summary (georgia_BS_NN_summary.txt), printed to 6 decimals."""
    found = fit_drivers(
        _georgia(), outcome="PctBach", variables=["PctRural", "PctPov", "PctBlack"], models=["ols"]
    )
    estimates = [t.estimate for t in found.ols.terms]
    assert estimates == pytest.approx([23.854615, -0.111395, -0.345778, 0.058331], abs=5e-7)
    assert found.ols.r2 == pytest.approx(0.485273, abs=5e-7)
    # (GWR4's adjusted R², 0.471903, divides by n - k - 1 counting the intercept in k)


# -- spreg: Columbus diagnostics, Baltimore spatial models -------------------------------------
def _columbus() -> tuple[pd.DataFrame, object]:
    frame = pd.read_csv(HERE / "columbus.csv", dtype={"POLYID": str}).set_index("POLYID")
    frame = frame.drop(columns=["X", "Y"])
    return frame, _gal("columbus.gal")


def test_residual_diagnostics_reproduce_spregs_columbus_values():
    frame, weights = _columbus()
    found = fit_drivers(
        frame, outcome="HOVAL", variables=["INC", "CRIME"], models=["ols"], weights=weights
    )
    assert [t.estimate for t in found.ols.terms] == pytest.approx(
        [46.42818268, 0.62898397, -0.48488854]
    )
    tests = found.dependence["lm_tests"]
    expected = {
        "lm_error": (3.097094, 0.078432),
        "lm_lag": (0.981552, 0.321816),
        "robust_lm_error": (3.209187, 0.073226),
        "robust_lm_lag": (1.093645, 0.295665),
        "lm_sarma": (4.190739, 0.123025),
    }
    for key, (statistic, p_value) in expected.items():
        assert tests[key]["statistic"] == pytest.approx(statistic, abs=5e-7), key
        assert tests[key]["p_value"] == pytest.approx(p_value, abs=5e-7), key
    assert found.dependence["moran"]["i"] == pytest.approx(0.17131, abs=5e-6)
    assert "no need for a spatial model" in found.dependence["words"]


def _baltimore() -> tuple[pd.DataFrame, object]:
    frame = pd.read_csv(HERE / "baltim.csv", dtype={"STATION": str}).set_index("STATION")
    frame = frame.drop(columns=["X", "Y"])
    return frame, _gal("baltim_q.gal")


def test_spatial_lag_and_error_models_reproduce_spregs_baltimore_values():
    frame, weights = _baltimore()
    found = fit_drivers(
        frame,
        outcome="PRICE",
        variables=["NROOM", "AGE", "SQFT"],
        models=["ols", "spatial"],
        weights=weights,
    )
    lag, error = found.spatial
    assert (lag.kind, error.kind) == ("spatial_lag", "spatial_error")
    assert [t.estimate for t in lag.terms] == pytest.approx(
        [-6.04040164, 3.48995114, -0.20103955, 0.65462382, 0.62351143], rel=1e-6
    )
    assert [t.estimate for t in error.terms] == pytest.approx(
        [19.45930348, 3.98928064, -0.16714232, 0.57336871, 0.71757002], rel=1e-4
    )
    assert lag.details["rho"] == pytest.approx(0.62351143, rel=1e-6)
    assert [t.name for t in error.terms][-1] == "lambda"


# -- mgwr: Georgia GWR against GWR4, bandwidth searches, MGWR ---------------------------------
def test_gwr_reproduces_gwr4s_georgia_output():
    """Adaptive bisquare, 90 neighbours (GWR4's choice, pinned by an interval search of one
    step), against GWR4's listwise output; significance corrected as mgwr's own test has it."""
    gwr4 = pd.read_csv(HERE / "georgia_BS_NN_listwise.csv", skipinitialspace=True)
    gwr4.columns = gwr4.columns.str.strip()
    found = fit_drivers(
        _georgia(),
        outcome="PctBach",
        variables=["PctRural", "PctPov", "PctBlack"],
        models=["gwr"],
        search="interval",
        bandwidth_min=90,
        bandwidth_max=90,
        interval=1,
    )
    (gwr,) = found.local
    assert gwr.bandwidths["PctRural"] == 90
    local = gwr.local
    for ours, theirs in (
        ("intercept", "Intercept"),
        ("PctRural", "PctRural"),
        ("PctPov", "PctPov"),
    ):
        np.testing.assert_allclose(local[f"{ours}:estimate"], gwr4[f"est_{theirs}"], rtol=1e-4)
        np.testing.assert_allclose(local[f"{ours}:se"], gwr4[f"se_{theirs}"], rtol=1e-4)
        np.testing.assert_allclose(local[f"{ours}:t"], gwr4[f"t_{theirs}"], rtol=1e-4)
    np.testing.assert_allclose(local["PctBlack:estimate"], gwr4["est_PctBlack"], rtol=1e-2)
    np.testing.assert_allclose(local["predicted"], gwr4["yhat"], rtol=1e-5)
    np.testing.assert_allclose(local["local_r2"], gwr4["localR2"], rtol=1e-5)
    assert np.floor(gwr.aicc) == 896.0  # GWR4: AICc 896.462831
    assert gwr.r2 == pytest.approx(0.5924, abs=5e-5)  # mgwr's test, rounded to 4 places
    # mgwr's test: adjusted alpha 0.01017489 at 5% and the critical t 2.6011011542649394
    assert gwr.adjusted_alpha["PctPov"] == pytest.approx(0.01017489, rel=1e-4)
    assert gwr.critical_t["PctPov"] == pytest.approx(2.6011011542649394, rel=1e-6)
    significant = local["PctPov:significant"].to_numpy()
    assert (significant == (np.abs(gwr4["t_PctPov"]) > 2.6011011542649394)).all()


@pytest.mark.parametrize(
    ("search", "options", "expected"),
    [
        ("golden_section", {}, 93.0),  # mgwr test_golden_adapt_AICc
        ("interval", {"bandwidth_min": 90, "bandwidth_max": 95, "interval": 1}, 93.0),
    ],
)
def test_bandwidth_searches_by_aicc_find_mgwrs_published_bandwidth(search, options, expected):
    found = fit_drivers(
        _georgia(),
        outcome="PctBach",
        variables=["PctRural", "PctPov", "PctBlack"],
        models=["gwr"],
        search=search,
        **options,
    )
    assert found.local[0].bandwidths["intercept"] == expected
    assert found.local[0].search == search


def test_mgwr_reproduces_mgwrs_georgia_results():
    expected = pd.read_csv(HERE / "georgia_mgwr_results.csv")
    found = fit_drivers(
        _georgia(),
        outcome="PctBach",
        variables=["PctFB", "PctBlack", "PctRural"],
        models=["mgwr"],
        bandwidth_min=2,
        bandwidth_max=159,
    )
    (mgwr,) = found.local
    names = ["intercept", "PctFB", "PctBlack", "PctRural"]
    for j, name in enumerate(names):
        np.testing.assert_allclose(mgwr.local[f"{name}:estimate"], expected[f"X{j}"], atol=1e-7)
        np.testing.assert_allclose(mgwr.local[f"{name}:se"], expected[f"X{j}_bse"], atol=1e-7)
        filtered = expected[f"X{j}_filter_tvalues"].to_numpy()
        assert (mgwr.local[f"{name}:significant"].to_numpy() == (filtered != 0)).all()
    np.testing.assert_allclose(mgwr.local["predicted"], expected["predy"], atol=1e-7)
    assert len(set(mgwr.bandwidths.values())) > 1  # each variable its own scale


# -- bad input -----------------------------------------------------------------------------------
def _synthetic(n: int = 80, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "x": rng.uniform(0, 20_000, n),
            "y": rng.uniform(0, 20_000, n),
            "income": rng.normal(size=n),
            "access": rng.normal(size=n),
        },
        index=[f"E01{i:06d}" for i in range(n)],
    )
    frame["outcome"] = 2 * frame["income"] - frame["access"] + rng.normal(size=n)
    return frame


def test_areas_missing_the_outcome_are_left_out_and_counted():
    frame = _synthetic()
    frame.loc[["E01000003", "E01000007", "E01000011"], "outcome"] = np.nan
    labels = {"outcome": "Illness ratio"}
    found = fit_drivers(
        frame, outcome="outcome", variables=["income", "access"], labels=labels, models=["ols"]
    )
    assert found.n == 77
    assert sorted(found.left_out) == ["E01000003", "E01000007", "E01000011"]
    assert found.notes == [
        "3 areas had no value for Illness ratio and were left out "
        "(E01000003, E01000007, E01000011)."
    ]
    assert "(3 left out for missing values)" in found.summary_words[0]
    assert found.to_dict()["left_out"] == 3


def test_perfectly_collinear_variables_are_refused_by_name():
    frame = _synthetic()
    frame["both"] = frame["income"] + 2 * frame["access"]
    labels = {"income": "Income deprivation", "access": "Access to libraries", "both": "Sum"}
    with pytest.raises(ValidationError) as caught:
        fit_drivers(
            frame,
            outcome="outcome",
            variables=["income", "access", "both"],
            labels=labels,
            models=["ols"],
        )
    (problem,) = caught.value.problems
    assert "Income deprivation, Access to libraries and Sum are perfectly collinear" in str(problem)
    assert problem.field == "income, access, both"


def test_a_constant_variable_is_refused_by_name():
    frame = _synthetic()
    frame["rural"] = 0.0
    with pytest.raises(ValidationError, match="rural"):
        fit_drivers(frame, outcome="outcome", variables=["income", "rural"], models=["ols"])


def test_a_place_with_too_few_areas_for_gwr_is_refused_with_the_minimum():
    frame = _synthetic(n=40)
    with pytest.raises(ValidationError) as caught:
        fit_drivers(frame, outcome="outcome", variables=["income", "access"], models=["gwr"])
    assert gwr_minimum(2) == 50
    assert "40 areas have every value" in caught.value.message
    assert "needs at least 50" in caught.value.message
    # least squares alone is fine on them
    assert fit_drivers(frame, outcome="outcome", variables=["income"], models=["ols"]).n == 40


def test_unknown_options_and_columns_are_named_together():
    with pytest.raises(ValidationError) as caught:
        fit_drivers(
            _synthetic(),
            outcome="outcome",
            variables=["income", "nope"],
            models=["ols", "magic"],
            kernel="square",
        )
    fields = {p.field for p in caught.value.problems}
    assert {"models", "kernel"} <= fields
    with pytest.raises(ValidationError) as caught:
        fit_drivers(_synthetic(), outcome="outcome", variables=["income", "nope"])
    assert {p.field for p in caught.value.problems} == {"nope"}


def test_nearest_neighbour_weights_are_row_standardised_and_keyed_by_code():
    frame = _synthetic(n=30)
    weights = knn_weights(frame, k=4)
    assert weights.n == 30
    assert set(weights.cardinalities.values()) == {4}
    assert all(abs(sum(w) - 1) < 1e-12 for w in weights.weights.values())
    assert all(code not in weights.neighbors[code] for code in frame.index)
    with pytest.raises(ValidationError, match="Neighbours must be from 1 to 29"):
        knn_weights(frame, k=30)


def test_a_full_run_on_clustered_data_fits_the_spatial_models_and_words_each_term():
    frame = _synthetic(n=120, seed=3)
    # a smooth surface the variables miss: clustered residuals
    frame["outcome"] += np.sin(frame["x"] / 4000) * 3
    found = fit_drivers(
        frame,
        outcome="outcome",
        variables=["income", "access"],
        labels={"outcome": "the illness ratio", "income": "income deprivation"},
        models=["ols", "spatial", "gwr"],
    )
    assert found.dependence["moran"]["p_value"] < 0.05
    assert [m.kind for m in found.spatial] == ["spatial_lag", "spatial_error"]
    assert found.local[0].kind == "gwr"
    assert found.summary_words[1].startswith(
        "Areas where income deprivation is one standard deviation higher have the illness ratio"
    )
    assert "unlikely to be chance alone" in found.summary_words[1]
    assert set(found.local[0].local.index) == set(frame.index)
    summary = found.to_dict()
    assert summary["local"][0]["terms"][1]["words"]
    import json

    json.dumps(summary)  # plain JSON throughout

"""Fuzzy cognitive map scenarios on maps of two or three factors, worked out by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.fcm import ConvergenceWarning, scenario, simulate, weight_matrix
from mobilise.errors import ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link


def build(links, *, factors=()) -> object:
    """A map from ``(link id, source, target, polarity, weight or None[, strength])``."""
    ids = list(dict.fromkeys([*factors, *(end for link in links for end in link[1:3])]))
    made = [
        Link(link_id, source, target, polarity, weight=weight, strength=(rest or [None])[0])
        for link_id, source, target, polarity, weight, *rest in links
    ]
    return CausalMap("fcm", [Factor(f, f.upper()) for f in ids], made).check().to_graph()


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def fixed_point(equation, low: float = 0.0, high: float = 1.0) -> float:
    """The root of ``equation(x) = 0`` in [low, high] by bisection."""
    for _ in range(100):
        middle = (low + high) / 2
        if (equation(low) < 0) == (equation(middle) < 0):
            low = middle
        else:
            high = middle
    return (low + high) / 2


A_TO_B = [("ab", "a", "b", "+", 1.0)]


# --------------------------------------------------------------------------------------------
# Weight matrix


def test_the_weight_matrix_reads_from_rows_to_columns():
    ids, weights = weight_matrix(build([("ab", "a", "b", "-", -0.5), ("ca", "c", "a", "+", 0.25)]))
    assert ids == ["a", "b", "c"]
    np.testing.assert_array_equal(weights, [[0, -0.5, 0], [0, 0, 0], [0.25, 0, 0]])


def test_links_without_a_weight_use_their_strength_and_polarity():
    graph = build(
        [
            ("ab", "a", "b", "+", None, "strong"),
            ("bc", "b", "c", "-", None, "medium"),
            ("cd", "c", "d", "-", None, "weak"),
            ("da", "d", "a", "+", None),
        ]
    )
    _, weights = weight_matrix(graph)
    assert [weights[0, 1], weights[1, 2], weights[2, 3], weights[3, 0]] == [1.0, -0.5, -0.25, 1.0]


@pytest.mark.parametrize(
    ("parallel", "expected"), [("mean", 0.1), ("sum", 0.2), ("strongest", 0.8)]
)
def test_parallel_links_become_one_weight(parallel, expected):
    graph = build([("x", "a", "b", "+", 0.8), ("y", "a", "b", "-", -0.6)])
    _, weights = weight_matrix(graph, parallel=parallel)
    assert weights[0, 1] == pytest.approx(expected)


def test_a_sum_of_parallel_links_is_cut_to_one():
    graph = build([("x", "a", "b", "+", 0.8), ("y", "a", "b", "+", 0.6)])
    assert weight_matrix(graph, parallel="sum")[1][0, 1] == 1.0


def test_links_of_unknown_polarity_are_skipped_or_refused():
    graph = build([("ab", "a", "b", "?", None), ("bc", "b", "c", "+", 0.5)])
    _, weights = weight_matrix(graph)
    assert weights[0, 1] == 0 and weights[1, 2] == 0.5
    with pytest.raises(ValidationError, match="unknown polarity and no weight: ab"):
        weight_matrix(graph, unknown="raise")


# --------------------------------------------------------------------------------------------
# Simulation, by hand


def test_kosko_sigmoid_with_a_clamp_is_one_step_of_the_sigmoid():
    steady = simulate(build(A_TO_B), clamps={"a": 1})
    # B = sigmoid(1 x A) = sigmoid(1) at once, and again: settled after two updates.
    assert steady.values == (1.0, pytest.approx(sigmoid(1)))
    assert (steady.converged, steady.iterations, steady.period) == (True, 2, None)


def test_modified_kosko_sigmoid_reaches_the_fixed_point_of_b_equals_sigmoid_of_b_plus_a():
    steady = simulate(build(A_TO_B), clamps={"a": 1}, rule="modified_kosko")
    expected = fixed_point(lambda b: sigmoid(b + 1) - b)
    assert expected == pytest.approx(0.8659941, abs=1e-7)
    assert steady.converged
    assert steady.values[1] == pytest.approx(expected, abs=1e-5)


def test_steepness_is_the_lambda_of_the_sigmoid():
    steady = simulate(build(A_TO_B), clamps={"a": 1}, steepness=5)
    assert steady.values[1] == pytest.approx(sigmoid(5))


def test_rescaled_rule_lets_a_lone_factor_settle_at_one_half():
    # a = sigmoid(2a - 1): 0.5 is the fixed point, and it attracts (slope 2 x 0.25 < 1).
    steady = simulate(build([], factors=["a"]), rule="rescaled")
    assert steady.converged
    assert steady.values == (pytest.approx(0.5, abs=1e-5),)


def test_bivalent_and_trivalent_chains_have_exact_answers():
    chain = build([("ab", "a", "b", "-", -1.0), ("bc", "b", "c", "+", 1.0)])
    trivalent = simulate(chain, clamps={"a": 1}, transfer="trivalent")
    assert trivalent.values == (1.0, -1.0, -1.0)
    bivalent = simulate(chain, clamps={"a": 1}, transfer="bivalent")
    assert bivalent.values == (1.0, 0.0, 0.0)
    # unclamped: a has no cause, so it falls to 0 (bivalent and trivalent alike); then b, c 0
    assert simulate(chain, transfer="trivalent").values == (0.0, 0.0, 0.0)


def test_tanh_keeps_signs_along_a_chain():
    chain = build([("ab", "a", "b", "-", -0.5), ("bc", "b", "c", "-", -0.5)])
    steady = simulate(chain, clamps={"a": 1}, transfer="tanh")
    a, b, c = steady.values
    assert a == 1.0
    assert b == pytest.approx(math.tanh(-0.5))
    assert c == pytest.approx(math.tanh(-0.5 * math.tanh(-0.5)))
    assert b < 0 < c


def test_a_bivalent_loop_that_oscillates_is_reported_not_converged():
    # x (held at 1) -> a +1, a -> a -1: a = [1 - a > 0] flips 1, 0, 1, 0...
    graph = build([("xa", "x", "a", "+", 1.0), ("aa", "a", "a", "-", -1.0)])
    with pytest.warns(ConvergenceWarning, match="cycles through 2 states"):
        steady = simulate(graph, clamps={"x": 1}, transfer="bivalent", trajectory=True)
    assert (steady.converged, steady.period, steady.iterations) == (False, 2, 2)
    assert steady.trajectory == ((1.0, 1.0), (1.0, 0.0), (1.0, 1.0))
    assert "Did not settle" in steady.message


def test_a_trivalent_negative_self_loop_flips_sign_forever():
    graph = build([("aa", "a", "a", "-", -1.0)])
    with pytest.warns(ConvergenceWarning):
        steady = simulate(graph, transfer="trivalent")
    assert steady.period == 2


def test_running_out_of_iterations_warns_without_a_period():
    # a slowly settling map: b = sigmoid(b + a) from 1 needs several updates
    with pytest.warns(ConvergenceWarning, match="in 2 iterations"):
        steady = simulate(build(A_TO_B), clamps={"a": 1}, rule="modified_kosko", max_iterations=2)
    assert (steady.converged, steady.period) == (False, None)


def test_initial_values_and_the_trajectory():
    steady = simulate(build(A_TO_B), initial={"b": 0.0}, trajectory=True)
    assert steady.trajectory[0] == (1.0, 0.0)
    assert steady.trajectory[1] == (0.5, pytest.approx(sigmoid(1)))
    assert len(steady.trajectory) == steady.iterations + 1
    assert simulate(build(A_TO_B), initial=0.5, trajectory=True).trajectory[0] == (0.5, 0.5)


def test_a_steady_state_is_plain_json_and_a_series():
    steady = simulate(build(A_TO_B), clamps={"a": 1})
    found = json.loads(json.dumps(steady.to_dict(), allow_nan=False))
    assert found["factors"][0] == {"id": "a", "label": "A", "value": 1.0, "clamped": True}
    assert found["converged"] is True
    assert found["message"] == "Settled after 2 iterations."
    assert steady.as_series()["b"] == pytest.approx(sigmoid(1))


def test_a_matrix_or_frame_is_simulated_like_the_map():
    ids, weights = weight_matrix(build(A_TO_B))
    frame = pd.DataFrame(weights, index=ids, columns=ids)
    for source in ((ids, weights), frame):
        assert simulate(source, clamps={"a": 1}).values == (1.0, pytest.approx(sigmoid(1)))


# --------------------------------------------------------------------------------------------
# Scenarios


def test_a_scenario_compares_with_the_unclamped_map_as_mental_modeler():
    # Baseline from all ones: a has no cause, a = sigmoid(0) = 0.5, so b = sigmoid(0.5).
    # Clamping a at 1: b = sigmoid(1). Mental Modeler reports b's change.
    table = scenario(build(A_TO_B), {"a": 1})
    assert list(table.columns) == ["label", "baseline", "scenario", "change", "clamped"]
    assert list(table.index) == ["a", "b"]  # largest change first
    assert table.loc["a", ["baseline", "scenario", "change"]].tolist() == [0.5, 1.0, 0.5]
    assert table.loc["b", "baseline"] == pytest.approx(sigmoid(0.5))
    assert table.loc["b", "change"] == pytest.approx(sigmoid(1) - sigmoid(0.5))
    assert table["clamped"].tolist() == [True, False]
    assert table.attrs["baseline_converged"] and table.attrs["scenario_converged"]


def test_a_scenario_lowering_a_cause_lowers_its_effects_and_raises_what_it_holds_down():
    graph = build(
        [("ab", "a", "b", "+", 1.0), ("ac", "a", "c", "-", -1.0), ("de", "d", "e", "+", 1.0)]
    )
    table = scenario(graph, {"a": -1}, transfer="tanh")
    assert table.loc["b", "change"] < 0 < table.loc["c", "change"]
    assert table.loc["e", "change"] == 0
    assert list(table.index[-2:]) == ["d", "e"]  # unchanged ones last, in map order


def test_bad_simulation_options_are_all_named_at_once():
    with pytest.raises(ValidationError) as caught:
        simulate(
            build(A_TO_B),
            clamps={"a": 2, "zz": 1},
            rule="fuzzy",
            transfer="relu",
            steepness=0,
            max_iterations=0,
            tolerance=-1,
        )
    fields = [problem.field for problem in caught.value.problems]
    assert fields == [
        "rule",
        "transfer",
        "steepness",
        "max_iterations",
        "tolerance",
        "clamps",
        "clamps",
    ]
    assert "zz" in str(caught.value) and "a (2)" in str(caught.value)


def test_bad_matrices_and_empty_scenarios_are_refused():
    with pytest.raises(ValidationError, match="square"):
        simulate((["a", "b"], np.zeros((2, 3))))
    with pytest.raises(ValidationError, match="square"):
        simulate((["a"], [[np.nan]]))
    with pytest.raises(ValidationError, match="at least one factor"):
        scenario(build(A_TO_B), {})
    with pytest.raises(ValidationError, match="once each"):
        simulate(pd.DataFrame([[0.0, 1.0]], index=["a"], columns=["a", "b"]))
    with pytest.raises(ValidationError, match="give a map"):
        simulate("a map")  # type: ignore[arg-type]

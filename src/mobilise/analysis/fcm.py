"""What-if scenarios on a systems map read as a fuzzy cognitive map (FCM).

A fuzzy cognitive map (Kosko 1986) gives every factor an activation and every link a weight in
[-1, 1]. From a starting state ``A(0)`` the activations are updated, all at once, until they
settle (or ``max_iterations`` pass), with ``W[i, j]`` the weight of the link from factor i to j
and ``f`` a transfer function:

- ``"kosko"`` (Kosko 1986): ``A(t+1) = f(A(t) W)``;
- ``"modified_kosko"`` (Stach et al. 2010): ``A(t+1) = f(A(t) W + A(t))``, each factor keeping
  a memory of itself;
- ``"rescaled"`` (Papageorgiou 2011): ``A(t+1) = f((2A(t) - 1) W + (2A(t) - 1))``, meant for
  the sigmoid, so a factor at 0.5 ("no information") pushes nothing.

Transfer functions (``lambda`` = ``steepness``): ``"sigmoid"`` ``1 / (1 + exp(-lambda x))``,
in (0, 1); ``"tanh"`` ``tanh(lambda x)``, in (-1, 1), keeping signs; ``"bivalent"`` 1 when
``x > 0`` else 0; ``"trivalent"`` the sign of ``x`` (-1, 0 or 1).

A scenario *clamps* some factors (holds them at given values, in [-1, 1], at every step) and
compares where the map settles with and without the clamps: the change is what the map says the
scenario does. This is how Mental Modeler computes scenarios: its open-source scenario code
(github.com/mentalmodeler/mentalmodeler-scenario, ``scripts/models/scenarioGraph.js``) starts
every factor at 1, applies the Kosko rule with the sigmoid and stops when no factor moves by
1e-5 or more; those are the defaults here, to give Mental Modeler's figures. (Mental Modeler
reads a clamp of 0 as no clamp; here 0 holds the factor at 0.)

Steady states are not guaranteed: a map can cycle (two or more states in turn, common with the
bivalent and trivalent functions) or wander. :func:`simulate` then says so in
:class:`Steady` (``converged`` False, the ``period`` of a cycle) and warns with
:class:`ConvergenceWarning`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._graph import _choice, _count, _map_graph, _positive, link_sign
from mobilise.errors import Problem

__all__ = [
    "PARALLEL_RULES",
    "RULES",
    "TRANSFERS",
    "ConvergenceWarning",
    "Steady",
    "scenario",
    "simulate",
    "weight_matrix",
]

FloatArray = npt.NDArray[np.float64]
MapOrMatrix: TypeAlias = "nx.MultiDiGraph | pd.DataFrame | tuple[Sequence[Hashable], Any]"


RULES: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "kosko": lambda state, weights: state @ weights,
    "modified_kosko": lambda state, weights: state @ weights + state,
    "rescaled": lambda state, weights: (2 * state - 1) @ weights + (2 * state - 1),
}
"""Each update rule: the input to the transfer function from the state and weights."""

TRANSFERS: dict[str, Callable[[FloatArray, float], FloatArray]] = {
    # 0.5 (1 + tanh(x / 2)) is the logistic function without overflow for large |x|.
    "sigmoid": lambda x, steepness: 0.5 * (1.0 + np.tanh(0.5 * steepness * x)),
    "tanh": lambda x, steepness: np.tanh(steepness * x),
    "bivalent": lambda x, steepness: (x > 0).astype(float),
    "trivalent": lambda x, steepness: np.sign(x).astype(float),
}
"""Each transfer function, of the rule's output and the steepness (lambda)."""

PARALLEL_RULES = {
    "mean": "the mean weight of the parallel links (several claims, averaged)",
    "sum": "the sum of their weights, cut to [-1, 1] (effects that add up)",
    "strongest": "the weight of the largest magnitude (the first such link on a tie)",
}
"""How parallel links between two factors become one weight."""


class ConvergenceWarning(UserWarning):
    """A simulation that did not settle: it cycles or ran out of iterations."""


@dataclass(frozen=True)
class Steady:
    """Where a simulation ended.

    ``values`` are the final activations of ``factors`` (ids, with ``labels``), after
    ``iterations`` updates. ``converged`` when no factor moved by ``tolerance`` or more in the
    last update; otherwise ``period`` is the length of the cycle it fell into (2: two states in
    turn), or ``None`` when it simply ran out of iterations. ``trajectory`` holds every state
    from the start, when asked for.
    """

    factors: tuple[str, ...]
    labels: tuple[str, ...]
    values: tuple[float, ...]
    iterations: int
    converged: bool
    period: int | None
    rule: str
    transfer: str
    steepness: float
    clamps: dict[str, float] = field(default_factory=dict)
    trajectory: tuple[tuple[float, ...], ...] | None = None

    @property
    def message(self) -> str:
        """One sentence on how the simulation ended."""
        if self.converged:
            return f"Settled after {self.iterations} iterations."
        if self.period is not None:
            return (
                f"Did not settle: after {self.iterations} iterations it cycles through "
                f"{self.period} states, so the values shown are one state of the cycle."
            )
        return (
            f"Did not settle in {self.iterations} iterations: the values shown are the last "
            "state; try more iterations, another rule or transfer, or a smaller steepness."
        )

    def as_series(self) -> pd.Series:
        """The final values, indexed by factor id."""
        return pd.Series(self.values, index=pd.Index(self.factors, name="factor"), name="value")

    def to_dict(self) -> dict[str, Any]:
        return {
            "factors": [
                {"id": factor, "label": label, "value": value, "clamped": factor in self.clamps}
                for factor, label, value in zip(self.factors, self.labels, self.values, strict=True)
            ],
            "iterations": self.iterations,
            "converged": self.converged,
            "period": self.period,
            "message": self.message,
            "rule": self.rule,
            "transfer": self.transfer,
            "steepness": self.steepness,
            "clamps": dict(self.clamps),
            "trajectory": None if self.trajectory is None else [list(s) for s in self.trajectory],
        }


def weight_matrix(
    graph: nx.MultiDiGraph, *, unknown: str = "skip", parallel: str = "mean"
) -> tuple[list[str], FloatArray]:
    """The map's factor ids and its weight matrix ``W``, ``W[i, j]`` the weight from i to j.

    Parameters
    ----------
    graph
        The map (:meth:`CausalMap.to_graph`). A link's weight is its ``weight`` attribute (the
        link's :attr:`~mobilise.model.causal_map.Link.signed_weight`: its own weight, else its
        strength's magnitude with its polarity's sign), else +1 or -1 by its sign.
    unknown
        A link of unknown polarity and no weight: ``"skip"`` leaves it out (it pushes neither
        way); ``"raise"`` refuses the map, naming every such link.
    parallel
        How parallel links become one weight: one of :data:`PARALLEL_RULES`.

    Raises
    ------
    ValidationError
        Naming every problem: not a directed graph, a weight outside [-1, 1], unknown links
        with ``unknown="raise"``, an unknown option.
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    ids, weights = _matrix(multi, unknown, parallel, problems)
    raise_if(problems, "Cannot make a weight matrix")
    return ids, weights


def _matrix(
    multi: nx.MultiDiGraph, unknown: object, parallel: object, problems: list[Problem]
) -> tuple[list[Any], FloatArray]:
    _choice(unknown, ("skip", "raise"), "unknown", problems)
    _choice(parallel, PARALLEL_RULES, "parallel", problems)
    ids = list(multi)
    position = {factor: number for number, factor in enumerate(ids)}
    claims: dict[tuple[int, int], list[float]] = {}
    unweighted, outside = [], []
    for source, target, key, data in multi.edges(keys=True, data=True):
        weight = data.get("weight")
        if not (isinstance(weight, int | float) and math.isfinite(weight)):
            weight = link_sign(data) or None
        if weight is None:
            unweighted.append(key)
        elif abs(weight) > 1:
            outside.append(f"{key} ({weight:g})")
        else:
            claims.setdefault((position[source], position[target]), []).append(float(weight))
    if outside:
        message = f"weights must be from -1 to 1; links outside: {named(outside)}"
        problems.append(Problem(message, field="weight"))
    if unweighted and unknown == "raise":
        message = (
            f"links of unknown polarity and no weight: {named(unweighted)}; give them a "
            'polarity or weight, or use unknown="skip"'
        )
        problems.append(Problem(message, field="polarity"))
    weights = np.zeros((len(ids), len(ids)))
    for (row, column), values in claims.items():
        if parallel == "sum":
            weights[row, column] = min(1.0, max(-1.0, sum(values)))
        elif parallel == "strongest":
            weights[row, column] = max(values, key=abs)
        else:
            weights[row, column] = sum(values) / len(values)
    return ids, weights


def simulate(
    source: MapOrMatrix,
    *,
    initial: float | Mapping[Hashable, float] | None = None,
    clamps: Mapping[Hashable, float] | None = None,
    rule: str = "kosko",
    transfer: str = "sigmoid",
    steepness: float = 1.0,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
    trajectory: bool = False,
    unknown: str = "skip",
    parallel: str = "mean",
) -> Steady:
    """Run the map as a fuzzy cognitive map until it settles.

    Parameters
    ----------
    source
        The map (:meth:`CausalMap.to_graph`, made a matrix by :func:`weight_matrix` with
        ``unknown`` and ``parallel``), or its matrix: ``(ids, W)`` as :func:`weight_matrix`
        gives, or a square DataFrame with the factor ids as index and columns.
    initial
        Starting activations: one value for all, or a value for some factors by id (the others
        start at 1). ``None``: every factor at 1, as Mental Modeler.
    clamps
        Factors held at a value in [-1, 1] (by id), from the start and after every update.
    rule
        One of :data:`RULES`: ``"kosko"``, ``"modified_kosko"`` or ``"rescaled"``.
    transfer
        One of :data:`TRANSFERS`: ``"sigmoid"``, ``"tanh"``, ``"bivalent"``, ``"trivalent"``.
    steepness
        lambda of the sigmoid and tanh (> 0); larger is closer to a step.
    max_iterations
        Most updates before giving up.
    tolerance
        Settled when no activation changes by this much or more in one update.
    trajectory
        Keep every state (in :attr:`Steady.trajectory`).

    Returns
    -------
    The final state. When it did not settle, a :class:`ConvergenceWarning` says so too.

    Raises
    ------
    ValidationError
        Naming every problem: an unknown rule or transfer, clamps or initial values of factors
        not in the map or out of range, bad bounds, a matrix that is not square or finite.
    """
    problems: list[Problem] = []
    _check_options(rule, transfer, steepness, max_iterations, tolerance, problems)
    ids, labels, weights = _resolve(source, unknown, parallel, problems)
    start = _start(ids, initial, clamps, problems)
    raise_if(problems, "Cannot simulate the map")
    options = (rule, transfer, steepness, max_iterations, tolerance, trajectory)
    return _run(ids, labels, weights, start, dict(clamps or {}), *options)


def scenario(
    source: MapOrMatrix,
    clamps: Mapping[Hashable, float],
    *,
    initial: float | Mapping[Hashable, float] | None = None,
    rule: str = "kosko",
    transfer: str = "sigmoid",
    steepness: float = 1.0,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
    unknown: str = "skip",
    parallel: str = "mean",
) -> pd.DataFrame:
    """What clamping some factors does to every factor, as Mental Modeler shows it.

    Runs :func:`simulate` without clamps (the ``baseline``) and with them (the ``scenario``);
    the options are those of :func:`simulate`.

    Returns
    -------
    Indexed by factor id: ``label``, ``baseline``, ``scenario``, ``change`` (scenario minus
    baseline) and ``clamped``; sorted by the size of the change, largest first (then in map
    order). ``attrs`` holds ``baseline_converged``, ``scenario_converged`` and their
    ``*_iterations``; a run that did not settle also warns (:class:`ConvergenceWarning`).
    """
    problems: list[Problem] = []
    _check_options(rule, transfer, steepness, max_iterations, tolerance, problems)
    ids, labels, weights = _resolve(source, unknown, parallel, problems)
    if not clamps:
        problems.append(Problem("a scenario clamps at least one factor", field="clamps"))
    start = _start(ids, initial, clamps, problems)
    raise_if(problems, "Cannot run the scenario")
    base_start = _start(ids, initial, None, [])
    options = (rule, transfer, steepness, max_iterations, tolerance, False)
    baseline = _run(ids, labels, weights, base_start, {}, *options)
    run = _run(ids, labels, weights, start, dict(clamps), *options)
    frame = pd.DataFrame(
        {
            "label": list(labels),
            "baseline": baseline.values,
            "scenario": run.values,
            "change": np.subtract(run.values, baseline.values),
            "clamped": [factor in clamps for factor in ids],
        },
        index=pd.Index(ids, name="factor"),
    )
    order = np.argsort(-np.abs(frame["change"].to_numpy()), kind="stable")
    frame = frame.iloc[order]
    frame.attrs.update(
        baseline_converged=baseline.converged,
        baseline_iterations=baseline.iterations,
        scenario_converged=run.converged,
        scenario_iterations=run.iterations,
    )
    return frame


def _check_options(
    rule: object,
    transfer: object,
    steepness: object,
    max_iterations: object,
    tolerance: object,
    problems: list[Problem],
) -> None:
    _choice(rule, RULES, "rule", problems)
    _choice(transfer, TRANSFERS, "transfer", problems)
    _positive(steepness, "steepness", problems, none=False)
    _count(max_iterations, "max_iterations", problems, none=False)
    _positive(tolerance, "tolerance", problems, none=False)


def _resolve(
    source: object, unknown: object, parallel: object, problems: list[Problem]
) -> tuple[list[Any], list[str], FloatArray]:
    """Factor ids, labels and weight matrix from a map, an ``(ids, W)`` pair or a DataFrame."""
    if isinstance(source, nx.DiGraph):
        multi = _map_graph(source, problems)
        ids, weights = _matrix(multi, unknown, parallel, problems)
        return ids, [str(multi.nodes[i].get("label", i)) for i in ids], weights
    if isinstance(source, pd.DataFrame):
        index, columns = source.index, source.columns
        if index.has_duplicates or columns.has_duplicates or set(index) != set(columns):
            message = "a matrix frame has the factor ids, once each, as its index and columns"
            problems.append(Problem(message, field="source"))
            return [], [], np.zeros((0, 0))
        ids, matrix = list(index), source.reindex(columns=index).to_numpy()
    elif isinstance(source, tuple) and len(source) == 2:
        ids, matrix = list(source[0]), source[1]
    else:
        message = "give a map (CausalMap.to_graph()), an (ids, matrix) pair or a square DataFrame"
        problems.append(Problem(message, field="source"))
        return [], [], np.zeros((0, 0))
    try:
        weights = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        weights = np.full((0, 1), np.nan)
    if weights.shape != (len(ids), len(ids)) or not np.isfinite(weights).all():
        message = f"the matrix must be square, {len(ids)} x {len(ids)}, of finite numbers"
        problems.append(Problem(message, field="source"))
    if len(set(ids)) != len(ids):
        problems.append(Problem("factor ids repeat", field="source"))
    return ids, [str(i) for i in ids], weights


def _start(
    ids: list[Any],
    initial: object,
    clamps: Mapping[Hashable, float] | None,
    problems: list[Problem],
) -> FloatArray:
    """The starting state, clamps applied; problems for unknown ids and bad values."""
    state = np.ones(len(ids))
    position = {factor: number for number, factor in enumerate(ids)}
    values: dict[Any, object] = {}
    if isinstance(initial, Mapping):
        values.update(initial)
    elif initial is not None:
        values.update(dict.fromkeys(ids, initial))
    for name, given in (("initial", values), ("clamps", dict(clamps or {}))):
        missing = [factor for factor in given if factor not in position]
        if missing:
            message = f"{name} names factors not in the map: {named(missing)}"
            problems.append(Problem(message, field=name))
        bad = [
            f"{factor} ({value!r})"
            for factor, value in given.items()
            if not (isinstance(value, int | float) and not isinstance(value, bool))
            or not -1 <= value <= 1
        ]
        if bad:
            message = f"{name} values must be numbers from -1 to 1: {named(bad)}"
            problems.append(Problem(message, field=name))
        if not missing and not bad:
            for factor, value in given.items():
                state[position[factor]] = float(value)  # type: ignore[arg-type]
    return state


def _run(
    ids: list[Any],
    labels: list[str],
    weights: FloatArray,
    start: FloatArray,
    clamps: dict[Any, float],
    rule: str,
    transfer: str,
    steepness: float,
    max_iterations: int,
    tolerance: float,
    keep: bool,
) -> Steady:
    position = {factor: number for number, factor in enumerate(ids)}
    held = np.array([position[factor] for factor in clamps], dtype=int)
    held_values = np.array([float(value) for value in clamps.values()])
    update, squash = RULES[rule], TRANSFERS[transfer]
    history = [start]
    state, converged, period, iterations = start, len(ids) == 0, None, 0
    while not converged and period is None and iterations < max_iterations:
        iterations += 1
        after = squash(update(state, weights), steepness)
        after[held] = held_values
        converged = bool(np.max(np.abs(after - state)) < tolerance)
        history.append(after)
        state = after
        if not converged:
            # A state seen two or more updates ago (not just the last one): a cycle.
            for back in range(2, len(history)):
                if np.max(np.abs(after - history[-1 - back])) < tolerance:
                    period = back
                    break
    steady = Steady(
        factors=tuple(ids),
        labels=tuple(labels),
        values=tuple(float(value) for value in state),
        iterations=iterations,
        converged=converged,
        period=period,
        rule=rule,
        transfer=transfer,
        steepness=float(steepness),
        clamps={factor: float(value) for factor, value in clamps.items()},
        trajectory=tuple(tuple(map(float, step)) for step in history) if keep else None,
    )
    if not converged:
        warnings.warn(steady.message, ConvergenceWarning, stacklevel=3)
    return steady

"""Distance decay: how much a destination counts as its travel cost grows.

:func:`step`, :func:`gaussian`, :func:`exponential`, :func:`linear` and :func:`power` make
small immutable callables from an array of costs to weights in [0, 1]. Their ``repr`` reads as
the call that made them (so a run can be recorded and repeated) and ``describe()`` states the
formula in words. Any other function of a cost array returning non-negative weights also works
in the measures of :mod:`mobilise.analysis.access`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from mobilise.analysis._checks import FloatArray, raise_if
from mobilise.errors import Problem, ValidationError

__all__ = [
    "Decay",
    "DecayFunction",
    "StepBands",
    "exponential",
    "gaussian",
    "linear",
    "power",
    "step",
]

DecayFunction: TypeAlias = Callable[[FloatArray], Any]
"""A decay: any function from an array of costs to an array of non-negative weights."""
StepBands: TypeAlias = Mapping[int, float] | Mapping[float, float]
"""Step weights: the upper cost of each band and its weight, e.g. ``{800: 1.0, 1600: 0.68}``."""


class Decay:
    """Base of the built-in decay functions: a weight in [0, 1] for each cost.

    Instances are small immutable callables. ``repr`` reads as the call that made them (so it can
    be recorded and re-run) and :meth:`describe` states the formula in words.
    """

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        raise NotImplementedError

    def describe(self) -> str:
        """The formula with its parameters, in words."""
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class _Step(Decay):
    thresholds: tuple[float, ...]
    weights: tuple[float, ...]

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        table = np.append(np.asarray(self.weights, dtype=np.float64), 0.0)
        # side="left": a cost equal to a threshold takes that band's weight, as in PySAL.
        return table[np.searchsorted(self.thresholds, np.asarray(cost, np.float64), side="left")]

    def __repr__(self) -> str:
        bands = ", ".join(
            f"{t!r}: {w!r}" for t, w in zip(self.thresholds, self.weights, strict=True)
        )
        return f"step({{{bands}}})"

    def describe(self) -> str:
        bands = "; ".join(
            f"cost <= {t:g}: {w:g}" for t, w in zip(self.thresholds, self.weights, strict=True)
        )
        return f"step weights ({bands}; beyond {self.thresholds[-1]:g}: 0)"


@dataclass(frozen=True, repr=False)
class _Gaussian(Decay):
    bandwidth: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        c = np.asarray(cost, dtype=np.float64)
        weight = np.multiply(c, c)  # in place from here on: one array, not four
        np.divide(weight, -2 * self.bandwidth**2, out=weight)  # as PySAL: -c * c / (2 s^2)
        return np.exp(weight, out=weight)

    def __repr__(self) -> str:
        return f"gaussian({self.bandwidth!r})"

    def describe(self) -> str:
        return f"Gaussian decay exp(-cost^2 / (2 * {self.bandwidth:g}^2)), 1 at cost 0"


@dataclass(frozen=True, repr=False)
class _Exponential(Decay):
    beta: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        weight = np.multiply(np.asarray(cost, dtype=np.float64), -self.beta)
        return np.exp(weight, out=weight)

    def __repr__(self) -> str:
        return f"exponential({self.beta!r})"

    def describe(self) -> str:
        return f"exponential decay exp(-{self.beta:g} * cost)"


@dataclass(frozen=True, repr=False)
class _Linear(Decay):
    max_cost: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        weight = np.divide(np.asarray(cost, dtype=np.float64), self.max_cost)
        np.subtract(1.0, weight, out=weight)
        return np.maximum(weight, 0.0, out=weight)

    def __repr__(self) -> str:
        return f"linear({self.max_cost!r})"

    def describe(self) -> str:
        return f"linear decay max(0, 1 - cost / {self.max_cost:g})"


@dataclass(frozen=True, repr=False)
class _Power(Decay):
    beta: float
    scale: float

    def __call__(self, cost: npt.ArrayLike) -> FloatArray:
        c = np.asarray(cost, dtype=np.float64)
        return (np.maximum(c, self.scale) / self.scale) ** -self.beta

    def __repr__(self) -> str:
        return f"power({self.beta!r}, scale={self.scale!r})"

    def describe(self) -> str:
        return f"inverse power decay min(1, (cost / {self.scale:g})^-{self.beta:g})"


def step(thresholds_and_weights: StepBands) -> Decay:
    """Step weights by cost band, as in the enhanced 2SFCA (E2SFCA).

    Parameters
    ----------
    thresholds_and_weights
        Upper cost of each band and its weight in [0, 1], e.g. ``{800: 1.0, 1600: 0.68}``:
        weight 1 up to and including 800 m, 0.68 above 800 up to 1600, 0 beyond. PySAL's
        ``weights.step_fn`` with the same mapping gives the same weights.

    Examples
    --------
    >>> step({800: 1.0, 1600: 0.68})([0, 800, 801, 1600, 2000]).tolist()
    [1.0, 1.0, 0.68, 0.68, 0.0]
    """
    problems: list[Problem] = []
    if not isinstance(thresholds_and_weights, Mapping) or not thresholds_and_weights:
        raise ValidationError(
            "step needs a mapping of cost thresholds to weights, e.g. {800: 1.0, 1600: 0.68}."
        )
    bands = sorted((float(t), float(w)) for t, w in thresholds_and_weights.items())
    for threshold, weight in bands:
        if not (math.isfinite(threshold) and threshold >= 0):
            problems.append(Problem(f"threshold {threshold!r} must be a cost >= 0", field="step"))
        if not 0 <= weight <= 1:
            problems.append(Problem(f"weight {weight!r} must be in [0, 1]", field="step"))
    raise_if(problems, "Invalid step weights")
    return _Step(tuple(t for t, _ in bands), tuple(w for _, w in bands))


def gaussian(bandwidth: float) -> Decay:
    """Gaussian decay ``exp(-cost^2 / (2 bandwidth^2))``, as PySAL's ``weights.gaussian(sigma)``.

    The weight is 1 at cost 0 (no normalising constant) and is not cut to 0 at the catchment
    edge; combine it with ``max_cost`` for the Gaussian 2SFCA.

    Parameters
    ----------
    bandwidth
        The width (sigma), in the unit of the costs.
    """
    return _Gaussian(_positive(bandwidth, "bandwidth"))


def exponential(beta: float) -> Decay:
    """Exponential decay ``exp(-beta * cost)``.

    Parameters
    ----------
    beta
        Decay rate per unit of cost, >= 0.
    """
    return _Exponential(_positive(beta, "beta", allow_zero=True))


def linear(max_cost: float) -> Decay:
    """Linear decay ``max(0, 1 - cost / max_cost)``: 1 at cost 0, 0 from ``max_cost`` on.

    Parameters
    ----------
    max_cost
        Cost at which the weight reaches 0.
    """
    return _Linear(_positive(max_cost, "max_cost"))


def power(beta: float, *, scale: float = 1.0) -> Decay:
    """Inverse power decay ``min(1, (cost / scale)^-beta)``.

    Capped at 1 so a cost near 0 does not give an infinite weight. With ``scale=1`` this is the
    ``decay_power`` of the R package accessibility; it equals PySAL's
    ``weights.gravity(scale, -beta, min_dist=scale)``.

    Parameters
    ----------
    beta
        Exponent, >= 0.
    scale
        Cost below which the weight is 1, in the unit of the costs.
    """
    return _Power(_positive(beta, "beta", allow_zero=True), _positive(scale, "scale"))


def _positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number < 0 or (number == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValidationError(f"{name} must be a finite number {bound}, not {value!r}.")
    return number

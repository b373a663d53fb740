"""What a drivers-of-disparities run asks for: the outcome, the explanatory variables, the
models and the local models' bandwidth search.

A plan is checked in full before anything is computed (every problem at once) and is stored
with the run as plain JSON, so a run can be shown and run again. Explanatory variables are
named by kind (:data:`VARIABLE_KINDS`):

================================ ====================================================
``indicator:<id>``               any stored indicator (IMD domains, IoD indicators...)
``access:<category>``            access to a category of asset, from an access run
``assets:<category>``            assets of a category per 1,000 residents of the area
``census:<dimension>:<group>``   % of the area's residents in a Census 2021 group
``rural``                        1 where the area is rural (rural-urban class 2011)
================================ ====================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.asset_vocab import CATEGORIES

__all__ = [
    "CENSUS_GROUPS",
    "KERNELS",
    "MAX_VARIABLES",
    "MODELS",
    "SEARCHES",
    "VARIABLE_KINDS",
    "DriversPlan",
]

MODELS = {
    "ols": "Least squares with robust errors, and the spatial dependence of its residuals",
    "spatial": "Spatial lag and spatial error models (when the residuals call for them)",
    "gwr": "Geographically weighted regression (local effects)",
    "mgwr": "Multiscale GWR (each variable its own scale; slow on big places)",
}
KERNELS = ("bisquare", "gaussian", "exponential")
SEARCHES = {"golden_section": "Golden section search", "interval": "Interval search"}
VARIABLE_KINDS = {
    "indicator": "A stored indicator",
    "access": "Access to a category of asset (from an access run of the place)",
    "assets": "Assets of a category per 1,000 residents",
    "census": "% of residents in a Census 2021 group",
    "rural": "Rural area (rural-urban classification 2011)",
}
CENSUS_GROUPS = {
    "age_band": ("0_15", "16_24", "25_34", "35_49", "50_64", "65_plus"),
    "sex": ("female", "male"),
    "ethnic_group": ("asian", "black", "mixed", "white", "other"),
    "disability": ("disabled", "not_disabled"),
}
"""The Census 2021 groups a variable may name (those of :mod:`mobilise.formats.census2021`)."""
MAX_VARIABLES = 12
"""Most explanatory variables one run takes (a local model with more cannot be read)."""
_MAX_NEIGHBOURS = 50
_ID_CHARS = 120


@dataclass(frozen=True)
class DriversPlan:
    """A checked drivers run: build it with :meth:`build`."""

    outcome: str
    variables: tuple[str, ...]
    models: tuple[str, ...] = ("ols", "spatial", "gwr")
    neighbours: int = 6
    kernel: str = "bisquare"
    fixed: bool = False
    search: str = "golden_section"
    bandwidth_min: float | None = None
    bandwidth_max: float | None = None
    interval: float = 0.0
    access_run: str | None = None  # the access run ``access:`` variables read; newest if None
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(
        cls,
        *,
        outcome: str,
        variables: Sequence[str] | str,
        models: Sequence[str] | str | None = None,
        neighbours: int = 6,
        kernel: str = "bisquare",
        fixed: bool = False,
        search: str = "golden_section",
        bandwidth_min: float | None = None,
        bandwidth_max: float | None = None,
        interval: float | None = None,
        access_run: str | None = None,
    ) -> DriversPlan:
        """A plan, or one :class:`ValidationError` naming every problem."""
        problems: list[Problem] = []
        chosen_variables = _listed(variables)
        chosen_models = _listed(models) if models is not None else ["ols", "spatial", "gwr"]
        outcome = (outcome or "").strip()
        if not outcome:
            problems.append(Problem("choose the outcome indicator", field="outcome"))
        elif len(outcome) > _ID_CHARS:
            problems.append(Problem(f"at most {_ID_CHARS} characters", field="outcome"))
        _check_variables(chosen_variables, outcome, problems)
        unknown = [m for m in chosen_models if m not in MODELS]
        if unknown:
            problems.append(
                Problem(
                    f"unknown models {', '.join(unknown)}; choose from {', '.join(MODELS)}",
                    field="models",
                )
            )
        if not isinstance(neighbours, int) or not 1 <= neighbours <= _MAX_NEIGHBOURS:
            problems.append(
                Problem(
                    f"neighbours must be a whole number from 1 to {_MAX_NEIGHBOURS}",
                    field="neighbours",
                )
            )
        if kernel not in KERNELS:
            problems.append(Problem(f"kernel must be one of {', '.join(KERNELS)}", field="kernel"))
        if search not in SEARCHES:
            problems.append(Problem(f"search must be one of {', '.join(SEARCHES)}", field="search"))
        low, high, step = _bandwidths(bandwidth_min, bandwidth_max, interval, search, problems)
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise ValidationError(
                f"Cannot plan the drivers run: {len(problems)} {noun}.", problems=problems
            )
        return cls(
            outcome=outcome,
            variables=tuple(chosen_variables),
            models=tuple(dict.fromkeys(["ols", *chosen_models])),
            neighbours=neighbours,
            kernel=kernel,
            fixed=bool(fixed),
            search=search,
            bandwidth_min=low,
            bandwidth_max=high,
            interval=step,
            access_run=(access_run or None),
        )

    def to_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found.pop("notes")
        found["variables"] = list(self.variables)
        found["models"] = list(self.models)
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DriversPlan:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "notes"}
        known["variables"] = tuple(known.get("variables", ()))
        known["models"] = tuple(known.get("models", ("ols",)))
        return cls(**known)


def _listed(value: Sequence[str] | str | None) -> list[str]:
    if value is None:
        return []
    items = (
        value.split(",")
        if isinstance(value, str)
        else [part for item in value for part in str(item).split(",")]
    )
    return [item.strip() for item in items if item.strip()]


def _check_variables(variables: list[str], outcome: str, problems: list[Problem]) -> None:
    if not variables:
        problems.append(Problem("choose at least one explanatory variable", field="variables"))
    if len(variables) > MAX_VARIABLES:
        problems.append(
            Problem(
                f"at most {MAX_VARIABLES} explanatory variables (limit MAX_VARIABLES), "
                f"not {len(variables)}",
                field="variables",
            )
        )
    repeated = sorted({v for v in variables if variables.count(v) > 1})
    if repeated:
        problems.append(Problem(f"named twice: {', '.join(repeated)}", field="variables"))
    for variable in variables:
        message = _variable_problem(variable, outcome)
        if message:
            problems.append(Problem(f"{variable[:_ID_CHARS]!r}: {message}", field="variables"))


def _variable_problem(variable: str, outcome: str) -> str:
    kind, _, rest = variable.partition(":")
    if len(variable) > _ID_CHARS:
        return f"at most {_ID_CHARS} characters"
    if kind not in VARIABLE_KINDS:
        return f"start with one of {', '.join(f'{k}:' for k in VARIABLE_KINDS if k != 'rural')} or be rural"
    if kind == "rural":
        return "" if not rest else "rural takes nothing after it"
    if not rest:
        return f"name what after {kind}:"
    if kind == "indicator" and rest == outcome:
        return "the outcome cannot also explain itself"
    if kind in ("access", "assets") and rest not in CATEGORIES:
        return f"unknown asset category; choose from {', '.join(CATEGORIES)}"
    if kind == "census":
        dimension, _, group = rest.partition(":")
        if group not in CENSUS_GROUPS.get(dimension, ()):
            choices = "; ".join(f"{d}: {', '.join(g)}" for d, g in CENSUS_GROUPS.items())
            return f"unknown Census group; choose a dimension and group ({choices})"
    return ""


def _bandwidths(
    low: float | None,
    high: float | None,
    step: float | None,
    search: str,
    problems: list[Problem],
) -> tuple[float | None, float | None, float]:
    for name, value in (("bandwidth_min", low), ("bandwidth_max", high), ("interval", step)):
        if value is not None and not (
            isinstance(value, int | float) and math.isfinite(value) and value > 0
        ):
            problems.append(Problem(f"{name} must be a number above 0", field=name))
            return None, None, 0.0
    if search == "interval":
        if low is None or high is None or step is None:
            problems.append(
                Problem(
                    "an interval search needs bandwidth_min, bandwidth_max and interval",
                    field="search",
                )
            )
        elif low > high:
            problems.append(
                Problem("bandwidth_min must not be above bandwidth_max", field="bandwidth_min")
            )
        elif (high - low) / step > 10_000:
            problems.append(
                Problem(
                    "at most 10,000 steps between bandwidth_min and bandwidth_max", field="interval"
                )
            )
    elif low is not None and high is not None and low > high:
        problems.append(
            Problem("bandwidth_min must not be above bandwidth_max", field="bandwidth_min")
        )
    return (
        None if low is None else float(low),
        None if high is None else float(high),
        float(step or 0.0),
    )

"""Drivers of disparities: which area characteristics go with a health outcome, and where.

An outcome measured in every small area (an indicator such as the comparative illness and
disability ratio) is regressed on chosen explanatory variables (IMD domains, access to assets,
asset density, Census shares, rurality). This module is the glue around the field's libraries,
with the checks and the words; it computes nothing they already compute:

1. **Least squares** (statsmodels ``OLS``) with HC3 heteroskedasticity-robust standard errors
   and t intervals (MacKinnon and White 1985: robust for the small samples of one place);
   standardised coefficients ``b_j * sd(x_j) / sd(y)`` (sample SDs); variance inflation factors
   ``VIF_j = 1 / (1 - R²_j)`` (the diagonal of the inverse correlation matrix of the variables,
   the same numbers as statsmodels' ``variance_inflation_factor``); and each term in words.
2. **Spatial dependence of the residuals** (PySAL spreg): Moran's I of the least-squares
   residuals with its expectation and variance *under the regression* (Cliff and Ord;
   ``spreg.MoranRes``), rather than esda's Moran's I for a raw variable, whose inference ignores
   that residuals are fitted; and the Lagrange multiplier tests (LM error, LM lag, their robust
   forms, SARMA; ``spreg.LMtests``), read with Anselin's decision rule.
3. **Spatial lag and spatial error models** (``spreg.ML_Lag``, ``ML_Error``, maximum
   likelihood), fitted when the residuals are spatially dependent (Moran's I or an LM test
   significant at 5%).
4. **Local models** (PySAL mgwr): GWR and multiscale GWR with the bandwidth chosen by AICc by
   golden section or interval search; local coefficients, local R² (GWR), and significance
   corrected for testing every area (:mod:`mobilise.analysis._drivers_local`).

Conventions
-----------
- The table is indexed by area code; columns are named by the caller (``outcome``,
  ``variables``, the coordinates ``x`` and ``y`` in metres, British National Grid).
- Areas missing the outcome, a variable or a coordinate are left out and counted, with a note
  naming them (never dropped silently). Constant and perfectly collinear variables are refused,
  by name. A local model needs :func:`gwr_minimum` areas; fewer are refused with that minimum.
- Neighbours for the spatial statistics: by default each area's ``k`` nearest areas by
  distance between their centroids, row-standardised (:func:`knn_weights`). Nearest neighbours
  rather than shared boundaries: every area has neighbours (no islands), and they are built
  in well under a second for England's 33,755 LSOAs. Any libpysal ``W`` may be given instead.
- Significance is judged at 5% everywhere (:data:`ALPHA`).

Where this differs from the peers: least squares reports HC3 where spreg offers White's HC0;
GWR's variance follows GWR4 (see :mod:`mobilise.analysis._drivers_local`); mgwr runs on one
core.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.analysis._drivers_checks import GWR_MIN_AREAS, gwr_minimum, prepare
from mobilise.analysis._drivers_global import (
    ALPHA,
    LM_TESTS,
    GlobalModel,
    Term,
    fit_ols,
    fit_spatial,
    residual_dependence,
    vifs,
)
from mobilise.analysis._drivers_local import LocalModel, fit_local
from mobilise.analysis._drivers_words import dependence_words, fit_words
from mobilise.errors import Problem, ValidationError
from mobilise.model.drivers_plan import KERNELS, MODELS, SEARCHES

__all__ = [
    "ALPHA",
    "GWR_MIN_AREAS",
    "KERNELS",
    "LM_TESTS",
    "MODELS",
    "SEARCHES",
    "DriversResult",
    "GlobalModel",
    "LocalModel",
    "Term",
    "fit_drivers",
    "gwr_minimum",
    "knn_weights",
    "vifs",
]

DEFAULT_NEIGHBOURS = 6


@dataclass(frozen=True)
class DriversResult:
    """What one drivers analysis found."""

    outcome: str
    outcome_label: str
    variables: list[str]
    labels: dict[str, str]
    n: int
    left_out: dict[str, str]  # area code -> why it was left out
    notes: list[str]
    ols: GlobalModel
    summary_words: list[str]
    residuals: pd.DataFrame = field(repr=False)  # by area: outcome, predicted, residual
    dependence: dict[str, Any] | None = None  # Moran's I of the residuals and the LM tests
    spatial: list[GlobalModel] = field(default_factory=list)
    local: list[LocalModel] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON of everything but the tables by area."""
        return {
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "variables": self.variables,
            "labels": self.labels,
            "n": self.n,
            "left_out": len(self.left_out),
            "left_out_areas": dict(list(self.left_out.items())[:50]),
            "notes": self.notes,
            "summary_words": self.summary_words,
            "ols": self.ols.to_dict(),
            "dependence": self.dependence,
            "spatial": [m.to_dict() for m in self.spatial],
            "local": [m.to_dict() for m in self.local],
        }


def knn_weights(
    frame: pd.DataFrame, *, x: str = "x", y: str = "y", k: int = DEFAULT_NEIGHBOURS
) -> Any:
    """Each area's ``k`` nearest areas (by the distance between the points ``x``, ``y``),
    row-standardised, as a libpysal ``W`` keyed by area code (scipy's k-d tree finds them)."""
    from libpysal.weights import W
    from scipy.spatial import cKDTree

    points = frame[[x, y]].to_numpy(dtype=float)
    n = len(points)
    if not 1 <= k < n:
        raise ValidationError(
            f"Neighbours must be from 1 to {n - 1} (one fewer than the areas), not {k}.",
            problems=[Problem(f"choose 1 to {n - 1} neighbours", field="neighbours")],
        )
    _distances, found = cKDTree(points).query(points, k=k + 1)
    codes = list(frame.index)
    share = [1.0 / k] * k
    neighbours, weights = {}, {}
    for i, row in enumerate(found.tolist()):
        # the nearest is the area itself, unless another area has the very same point
        others = [j for j in row if j != i][:k]
        neighbours[codes[i]] = [codes[j] for j in others]
        weights[codes[i]] = share
    built = W(neighbours, weights, id_order=codes, silence_warnings=True)
    built.transform = "r"
    return built


def fit_drivers(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: Mapping[str, str] | None = None,
    models: Sequence[str] = ("ols", "spatial", "gwr"),
    x: str = "x",
    y: str = "y",
    weights: Any = None,
    neighbours: int = DEFAULT_NEIGHBOURS,
    kernel: str = "bisquare",
    fixed: bool = False,
    search: str = "golden_section",
    bandwidth_min: float | None = None,
    bandwidth_max: float | None = None,
    interval: float = 0.0,
    step: Callable[[str], None] | None = None,
) -> DriversResult:
    """Fit the drivers models of ``outcome`` on ``variables`` over the areas of ``frame``.

    Parameters
    ----------
    frame
        One row per area, indexed by area code.
    outcome, variables
        Column names; ``labels`` gives each (and the outcome) its name in words.
    models
        Any of :data:`MODELS`; least squares is always fitted.
    x, y
        The areas' points in metres (British National Grid), for the neighbours and local
        models; without them only least squares is fitted (and ``weights``, if given, used).
    weights
        A libpysal ``W`` over the areas' codes; by default :func:`knn_weights` with
        ``neighbours``.
    kernel, fixed, search, bandwidth_min, bandwidth_max, interval
        The local models' kernel (adaptive: bandwidth in neighbours; ``fixed``: in metres) and
        bandwidth search (``golden_section``, or ``interval`` from ``bandwidth_min`` to
        ``bandwidth_max`` by ``interval``), by AICc.
    step
        Called with a few words before each model (progress).
    """
    from threadpoolctl import threadpool_limits

    # GWR solves thousands of tiny systems: BLAS threads only contend for them (on a busy
    # two-core machine a bandwidth search took 30 times longer with them)
    with threadpool_limits(limits=1):
        return _fit(
            frame,
            outcome=outcome,
            variables=variables,
            labels=dict(labels or {}),
            models=models,
            x=x,
            y=y,
            weights=weights,
            neighbours=neighbours,
            local_options={
                "kernel": kernel,
                "fixed": fixed,
                "search": search,
                "bandwidth_min": bandwidth_min,
                "bandwidth_max": bandwidth_max,
                "interval": interval,
            },
            report=step or (lambda _text: None),
        )


def _fit(
    frame: pd.DataFrame,
    *,
    outcome: str,
    variables: Sequence[str],
    labels: dict[str, str],
    models: Sequence[str],
    x: str,
    y: str,
    weights: Any,
    neighbours: int,
    local_options: dict[str, Any],
    report: Callable[[str], None],
) -> DriversResult:
    kernel, search = local_options["kernel"], local_options["search"]
    located = x in getattr(frame, "columns", ()) and y in getattr(frame, "columns", ())
    _check_options(models, kernel, search, located, weights)
    outcome_label = labels.get(outcome, outcome)
    prepared = prepare(
        frame,
        outcome=outcome,
        variables=variables,
        labels=labels,
        coordinates=(x, y) if located else None,
    )
    used = prepared.frame
    wanted_local = [m for m in ("gwr", "mgwr") if m in models]
    if wanted_local and len(used) < gwr_minimum(len(variables)):
        raise ValidationError(
            f"Too few areas for a local model: {len(used)} areas have every value, and GWR with "
            f"{len(variables)} {'variable' if len(variables) == 1 else 'variables'} needs at "
            f"least {gwr_minimum(len(variables))}. Choose a bigger place or fewer variables, or "
            "leave out GWR and MGWR.",
            problems=[Problem(f"at least {gwr_minimum(len(variables))} areas", field="models")],
        )
    report("Least squares")
    ols, predicted, residual = fit_ols(
        used, outcome=outcome, variables=variables, labels=labels, outcome_label=outcome_label
    )
    words = [fit_words(ols.r2, ols.n, len(prepared.left_out))]
    words += [t.words for t in ols.terms[1:]]
    dependence, spatial = None, []
    if weights is not None or located:
        report("Spatial dependence of the residuals")
        w = _weights_for(used, weights, x, y, neighbours)
        dependence = residual_dependence(used, outcome=outcome, variables=variables, weights=w)
        dependence["words"] = dependence_words(dependence["moran"], dependence["lm_tests"], ALPHA)
        words.append(dependence["words"])
        if "spatial" in models and _dependent(dependence):
            report("Spatial lag and error models")
            spatial = fit_spatial(
                used, outcome=outcome, variables=variables, labels=labels, weights=w
            )
    local = []
    for kind in wanted_local:
        report("Multiscale GWR" if kind == "mgwr" else "Geographically weighted regression")
        local.append(
            fit_local(
                used,
                outcome=outcome,
                variables=variables,
                labels=labels,
                outcome_label=outcome_label,
                coordinates=(x, y),
                multiscale=kind == "mgwr",
                **local_options,
            )
        )
        words += [t["words"] for t in local[-1].terms[1:]]
    residuals = pd.DataFrame(
        {"outcome": used[outcome], "predicted": predicted, "residual": residual}, index=used.index
    )
    return DriversResult(
        outcome=outcome,
        outcome_label=outcome_label,
        variables=list(variables),
        labels={name: labels.get(name, name) for name in [outcome, *variables]},
        n=len(used),
        left_out=prepared.left_out,
        notes=prepared.notes,
        ols=ols,
        summary_words=words,
        residuals=residuals,
        dependence=dependence,
        spatial=spatial,
        local=local,
    )


def _check_options(
    models: Sequence[str], kernel: str, search: str, located: bool, weights: Any
) -> None:
    problems: list[Problem] = []
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        problems.append(
            Problem(f"unknown models {unknown}; choose from {', '.join(MODELS)}", field="models")
        )
    if kernel not in KERNELS:
        problems.append(Problem(f"kernel must be one of {', '.join(KERNELS)}", field="kernel"))
    if search not in SEARCHES:
        problems.append(Problem(f"search must be one of {', '.join(SEARCHES)}", field="search"))
    if not located and any(m in ("gwr", "mgwr") for m in models):
        problems.append(Problem("local models need the areas' x and y columns", field="models"))
    if not located and weights is None and "spatial" in models:
        problems.append(Problem("spatial models need x and y columns or weights", field="models"))
    raise_if(problems, "Cannot fit the drivers model")


def _weights_for(used: pd.DataFrame, weights: Any, x: str, y: str, neighbours: int) -> Any:
    if weights is None:
        return knn_weights(used, x=x, y=y, k=neighbours)
    missing = [code for code in used.index if code not in weights.neighbors]
    if missing:
        raise ValidationError(
            f"The weights do not cover every area: {len(missing):,} missing "
            f"({', '.join(str(c) for c in missing[:10])}).",
            problems=[Problem("weights keyed by the table's area codes", field="weights")],
        )
    if set(weights.id_order) != set(used.index):
        from libpysal.weights import w_subset

        subset = w_subset(weights, list(used.index), silence_warnings=True)
        subset.transform = "r"
        return subset
    weights.transform = "r"
    return weights


def _dependent(dependence: Mapping[str, Any]) -> bool:
    tests = dependence["lm_tests"]
    return bool(
        dependence["moran"]["p_value"] < ALPHA
        or tests["lm_lag"]["p_value"] < ALPHA
        or tests["lm_error"]["p_value"] < ALPHA
    )

"""Compute an access run from its inputs: every scenario's access per area, and what it shows.

Pure over frames (no storage): :class:`~mobilise.workspace.access.AccessService` gathers the
inputs from the workspace, calls :func:`compute`, and stores what it returns. The pairs are built
once, at the largest catchment, and narrowed for each smaller one (a sensitivity sweep reuses
them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from mobilise.analysis import inequality, priority, spatial
from mobilise.analysis.access import CatchmentPairs, nearest, pairs_from_points
from mobilise.analysis.network_catchment import pairs_from_network
from mobilise.errors import ValidationError
from mobilise.model.access_plan import DECAYS, METHODS, AccessPlan
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.workspace._network_compare import compare
from mobilise.workspace.access_measures import make_decay, run_measure

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["AccessInputs", "compute"]

Step = Callable[[str], None]

_MIN_DECILES_FOR_SII = 5  # deciles with residents in them


@dataclass
class AccessInputs:
    """What a run reads.

    ``origins``: indexed by area code, columns ``x``, ``y`` (British National Grid metres),
    ``population``, ``imd_decile`` (national, 1 = most deprived), ``imd_rank`` and, when the plan
    names one, ``health``. ``destinations``: indexed by asset id, columns ``category``, ``x``,
    ``y``, ``supply``, ``name``. ``areas``: the areas' boundaries (for the LISA's neighbours).
    ``report``: what was left out and why, already in words.
    """

    origins: pd.DataFrame
    destinations: pd.DataFrame
    areas: gpd.GeoSeries
    report: dict[str, Any]
    health_label: str = ""
    health_unit: str = ""
    health_higher_is_worse: bool = True
    network: Any = None  # the StreetNetwork of the plan's travel, when it is not straight-line


def compute(
    plan: AccessPlan, inputs: AccessInputs, *, step: Step | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every scenario of ``plan`` on ``inputs``.

    Returns
    -------
    The results, one row per scenario and area (columns ``category``, ``catchment_m``,
    ``decay``, ``area_code``, ``value``, ``in_reach``, ``nearest_m``, ``cluster``,
    ``priority``, ``reasons``), and the summary: per scenario the spread of access, SII and RII
    over IMD deciles with their intervals, concentration index, Gini, quintile gap, Moran's I,
    LISA and priority counts, the gradient by decile, and warnings.
    """
    say = step or (lambda _text: None)
    origins = inputs.origins
    if origins.empty:
        raise ValidationError("The place has no areas with a position and residents to analyse.")
    weights = None
    weights_note = ""
    if len(inputs.areas) >= 3:
        say("Finding each area's neighbours")
        weights, weights_note = _neighbours(
            inputs.areas.loc[inputs.areas.index.isin(origins.index)]
        )
    largest = max(plan.catchments_m)
    frames: list[pd.DataFrame] = []
    scenarios: list[dict[str, Any]] = []
    for category in plan.categories:
        here = inputs.destinations[inputs.destinations["category"] == category]
        label = CATEGORIES[category].lower()
        say(f"Pairing areas with {label} assets within {plan.catchment_words(largest)}")
        pairs, straight, notes = _pairs(plan, inputs, here, largest)
        for catchment in plan.catchments_m:
            narrowed = pairs.within(catchment)
            for decay in plan.decays:
                say(f"Access to {label}: {plan.catchment_words(catchment)}, {decay} decay")
                frame, summary = _scenario(
                    plan, inputs, narrowed, here, category, catchment, decay, weights
                )
                summary["warnings"][:0] = notes
                if weights_note:
                    summary["warnings"].append(weights_note)
                if straight is not None:
                    summary["comparison"] = compare(
                        plan,
                        origins,
                        here,
                        narrowed,
                        straight,
                        frame.set_index("area_code")["value"],
                        catchment,
                        decay,
                    )
                frames.append(frame)
                scenarios.append(summary)
    results = pd.concat(frames, ignore_index=True)
    return results, {"scenarios": scenarios, "inputs": inputs.report}


def _pairs(
    plan: AccessPlan, inputs: AccessInputs, here: pd.DataFrame, largest: float
) -> tuple[CatchmentPairs, CatchmentPairs | None, list[str]]:
    """The pairs at the largest catchment: straight-line, or on the street network (minutes)
    with the straight-line pairs they are compared with and the snap warnings."""
    origins = inputs.origins
    if not plan.on_network:
        return pairs_from_points(origins, here, largest, x="x", y="y"), None, []
    if inputs.network is None:
        raise ValidationError(f"The run travels by {plan.travel} but no street network was read.")
    found = pairs_from_network(inputs.network, origins, here, largest, x="x", y="y")
    straight = pairs_from_points(origins, here, plan.straight_line_m(largest), x="x", y="y")
    return found.pairs, straight, list(found.warnings)


def _scenario(
    plan: AccessPlan,
    inputs: AccessInputs,
    pairs: CatchmentPairs,
    destinations: pd.DataFrame,
    category: str,
    catchment: float,
    decay_name: str,
    weights: Any,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    origins = inputs.origins.reindex(pairs.origin_ids)
    decay = make_decay(decay_name, catchment)
    measured = run_measure(plan.method, pairs, origins["population"], destinations["supply"], decay)
    value = measured.iloc[:, 0].to_numpy(dtype=float) * plan.scale
    in_reach = np.bincount(pairs.origin, minlength=pairs.n_origins)
    near = nearest(pairs).iloc[:, 0].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "category": category,
            "catchment_m": catchment,
            "decay": decay_name,
            "area_code": pairs.origin_ids.to_numpy(),
            "population": origins["population"].to_numpy(dtype=float),
            "imd_decile": origins["imd_decile"].to_numpy(dtype=float),
            "value": value,
            "in_reach": in_reach.astype(int),
            "nearest_m": near,
        }
    )
    frame.index = pd.Index(pairs.origin_ids, name="area_code")
    warnings = list(measured.attrs.get("warnings", []))
    summary: dict[str, Any] = {
        "category": category,
        "catchment_m": catchment,
        "catchment_unit": plan.catchment_unit,
        "travel": plan.travel,
        "decay": decay_name,
        "decay_description": DECAYS[decay_name],
        "decay_formula": measured.attrs.get("decay_description"),
        "method": plan.method,
        "method_label": METHODS[plan.method].label,
        "unit": plan.unit,
        "areas": len(frame),
        "assets": len(destinations),
        "pairs": len(pairs),
        **_spread(value, in_reach, origins["population"]),
        "warnings": warnings,
    }
    data = origins.assign(access=value)
    summary.update(_gradient(data, plan, warnings))
    frame["cluster"] = None
    if weights is not None and plan.permutations > 0:
        frame["cluster"], summary["moran"], summary["lisa"] = _clusters(
            data["access"], weights, plan, warnings
        )
    flagged = _priority(data, plan, inputs, category, warnings)
    frame["priority"] = flagged["priority"].to_numpy(dtype=bool)
    frame["reasons"] = [
        list(r) if p else [] for r, p in zip(flagged["reasons"], frame["priority"], strict=True)
    ]
    summary["priority"] = {
        "areas": int(frame["priority"].sum()),
        "residents": int(origins.loc[frame["priority"].to_numpy(), "population"].sum()),
        "criteria": flagged.attrs.get("criteria", []),
    }
    return frame.reset_index(drop=True), summary


def _spread(value: np.ndarray, in_reach: np.ndarray, population: pd.Series) -> dict[str, Any]:
    """How access is spread over the areas, and who has nothing in reach."""
    return {
        "mean": _number(np.average(value, weights=_weights(population))),
        "median": _number(np.median(value)) if len(value) else None,
        "min": _number(value.min()) if len(value) else None,
        "max": _number(value.max()) if len(value) else None,
        "areas_with_nothing_in_reach": int(np.count_nonzero(in_reach == 0)),
        "residents_with_nothing_in_reach": int(population.to_numpy()[in_reach == 0].sum()),
    }


def _gradient(data: pd.DataFrame, plan: AccessPlan, warnings: list[str]) -> dict[str, Any]:
    """Access by national IMD decile, SII/RII with intervals, concentration index, Gini, gap."""
    out: dict[str, Any] = {"gradient": [], "sii": None, "concentration": None, "gap": None}
    ranked = data.dropna(subset=["imd_decile"])
    ranked = ranked[ranked["population"] > 0]
    left_out = len(data) - len(ranked)
    if left_out:
        warnings.append(
            f"{left_out} areas without an IMD 2019 decile or residents are left out of the "
            "deprivation gradient."
        )
    out["gini"] = (
        _number(
            inequality.gini(data["access"].to_numpy(), population=data["population"].to_numpy())
        )
        if data["population"].sum() > 0
        else None
    )
    if ranked.empty:
        return out
    groups = inequality.by_quantile(
        ranked, value="access", population="population", quantile="imd_decile"
    )
    warnings.extend(groups.attrs.get("warnings", []))
    groups = groups.sort_values("quantile")
    # Where each decile sits on the SII's axis: the middle of its share of the residents,
    # counted from the most deprived (0) to the least deprived (1).
    share = groups["population"].to_numpy(dtype=float) / float(groups["population"].sum())
    midpoints = np.cumsum(share) - share / 2
    out["gradient"] = [
        {
            "decile": int(row.quantile),
            "value": _number(row.value),
            "se": _number(row.se),
            "population": int(row.population),
            "areas": int(row.areas),
            "midpoint": _number(mid),
        }
        for row, mid in zip(cast(Any, groups).itertuples(), midpoints, strict=True)
    ]
    if len(groups) >= _MIN_DECILES_FOR_SII:
        sii = inequality.slope_index_of_inequality(
            groups["value"],
            groups["population"],
            quantile=groups["quantile"],
            se=groups["se"],
            seed=plan.seed,
            higher_is_better=True,
        )
        out["sii"] = sii.to_dict()
    else:
        warnings.append(
            f"The areas fall in only {len(groups)} national IMD deciles; the slope index of "
            f"inequality needs at least {_MIN_DECILES_FOR_SII}."
        )
    has_ranks = "imd_rank" in ranked and ranked["imd_rank"].notna().all()
    if has_ranks and ranked["access"].sum() > 0:
        out["concentration"] = inequality.concentration_index(
            ranked["access"], ranked["imd_rank"], population=ranked["population"]
        ).to_dict()
    elif not has_ranks:
        warnings.append(
            "Some areas have an IMD 2019 decile but no national rank, so there is no "
            "concentration index (it ranks every area); import the IMD ranks to get it."
        )
    out["gap"] = inequality.quintile_gap(
        ranked["access"], (ranked["imd_decile"] + 1) // 2, population=ranked["population"]
    ).to_dict()
    return out


def _neighbours(areas: gpd.GeoSeries) -> tuple[Any, str]:
    weights = spatial.contiguity_weights(areas, kind="queen", islands="nearest")
    return weights, weights.island_note() or ""


def _clusters(
    values: pd.Series, weights: Any, plan: AccessPlan, warnings: list[str]
) -> tuple[list[str | None], dict[str, Any] | None, dict[str, Any] | None]:
    if values.nunique() < 2:
        warnings.append("Access is the same in every area, so there are no clusters to find.")
        return [None] * len(values), None, None
    moran = spatial.morans_i(values, weights, permutations=plan.permutations, seed=plan.seed)
    local = spatial.local_morans(values, weights, permutations=plan.permutations, seed=plan.seed)
    clusters = local["cluster"].reindex(values.index)
    counts = {str(k): int(v) for k, v in local["cluster"].value_counts().items()}
    return (
        [None if pd.isna(c) else str(c) for c in clusters],
        moran.to_dict(),
        {"counts": counts, "permutations": plan.permutations, "significance": 0.05},
    )


def _priority(
    data: pd.DataFrame, plan: AccessPlan, inputs: AccessInputs, category: str, warnings: list[str]
) -> pd.DataFrame:
    label = CATEGORIES[category].lower()
    health: tuple[priority.HealthNeed, ...] = ()
    if plan.health_indicator and "health" in data:
        health = (
            priority.HealthNeed(
                column="health",
                label=inputs.health_label or plan.health_indicator,
                higher_is_worse=inputs.health_higher_is_worse,
                worst_fraction=plan.health_worst_fraction,
                unit=inputs.health_unit,
            ),
        )
    flagged = priority.priority_areas(
        data,
        access={label: "access"},
        imd_decile="imd_decile",
        core20=plan.core20,
        health=health,
        low_access=plan.low_access_fraction,
        population="population",
    )
    warnings.extend(flagged.attrs.get("warnings", []))
    return flagged


def _weights(population: pd.Series) -> np.ndarray:
    values = population.to_numpy(dtype=float)
    return values if values.sum() > 0 else np.ones_like(values)


def _number(value: Any) -> float | None:
    number = float(value)
    return number if np.isfinite(number) else None

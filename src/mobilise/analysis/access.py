"""Spatial accessibility of community assets for the residents of small areas.

Supply sits at *destinations* (assets: parks, libraries, community centres, with a capacity or a
count) and demand at *origins* (small areas such as LSOAs, usually their population-weighted
centroids, with a population). Every measure works on sparse :class:`CatchmentPairs`: the
origin-destination pairs whose travel cost is within a catchment, never a dense origins x
destinations matrix, so memory grows with the pairs and not with the product of the counts.
The pairs are built in :mod:`mobilise.analysis.catchment` and the decays made in
:mod:`mobilise.analysis.decay`; both are re-exported here so one import serves an analysis.

Conventions
-----------
- A pair is in a catchment when its cost is **at most** ``max_cost`` (``cost <= max_cost``).
- Decay weights ``f(c)`` come from :func:`step`, :func:`gaussian`, :func:`exponential`,
  :func:`linear` or :func:`power` (or any function of a cost array returning non-negative
  weights). In the floating catchment measures the same weight is used in both steps.
- Every measure returns a frame indexed by **every** origin id of the pairs, with one value
  column, and records its parameters, counts and warnings in ``DataFrame.attrs``.
- No silent NaN or infinity: a destination with no demand in reach has a supply-to-demand ratio
  of 0 (its supply reaches nobody); an origin with no destination in reach has access 0. Both are
  counted in ``attrs`` (``destinations_without_demand``, ``origins_without_destination``) and
  explained in ``attrs["warnings"]``. Only :func:`nearest` returns NaN, for origins with no
  destination in reach, and counts them.

Formulas
--------
``P_i`` is the demand at origin *i*, ``S_j`` the supply at destination *j*, ``f`` the decay;
sums run over the pairs within ``max_cost``. Each measure is computed as one or two sparse
matrix-vector products with the catchment matrix ``W[i, j] = f(c_ij)``.

- :func:`weighted_catchment` (gravity): ``A_i = sum_j S_j f(c_ij)``.
- :func:`two_step_fca` (2SFCA; Luo and Wang 2003, with a decay McGrail and Humphreys 2009; with
  :func:`gaussian` the Gaussian 2SFCA): ``R_j = S_j / sum_k P_k f(c_kj)``,
  ``A_i = sum_j R_j f(c_ij)``. :func:`enhanced_two_step_fca` (E2SFCA, Luo and Qi 2009) is the same
  with step weights.
- :func:`three_step_fca` (3SFCA, Wan, Zou and Sternberg 2012): selection weights
  ``G_ij = f(c_ij) / sum_k f(c_ik)`` over the catchment of *i*; ``R_j = S_j / sum_k G_kj P_k
  f(c_kj)``; ``A_i = sum_j G_ij R_j f(c_ij)``.
- :func:`balanced_fca` (BFCA, Paez, Higgins and Vivona 2019): impedance standardised by origin
  ``f^o_ij = f(c_ij) / sum_k f(c_ik)`` and by destination ``f^d_ij = f(c_ij) / sum_k f(c_kj)``;
  ``L_j = S_j / sum_i P_i f^o_ij``; ``A_i = sum_j L_j f^d_ij``.
- :func:`floating_catchment_ratio` (FCA, Wang 2000): supply within reach of *i* over demand within
  reach of *i* (origin-to-origin costs).

These agree with PySAL ``access`` 1.1 (``weighted_catchment``, ``two_stage_fca``,
``enhanced_two_stage_fca``, ``three_stage_fca``, ``fca_ratio``) to 1e-9 on the same input, with
two documented differences: PySAL leaves NaN (no pair) or infinity (no demand in reach) where
these functions give 0; and PySAL's 3SFCA normalises the selection weights over every row of its
cost table, even rows beyond ``max_cost``, where :func:`three_step_fca` follows Wan et al. and
normalises over the catchment (the two agree when the cost table is cut at ``max_cost`` or the
decay is 0 beyond it). The Gaussian decay is PySAL's ``weights.gaussian``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mobilise.analysis._access_steps import (
    Notes,
    count_zero_weight,
    decay_weights,
    demand_and_supply,
    inverse,
    matrix,
    narrowed,
    result_frame,
    supply_ratio,
    values_at,
)
from mobilise.analysis._checks import raise_if
from mobilise.analysis._pages import small_pages
from mobilise.analysis.catchment import CatchmentPairs, pairs_from_costs, pairs_from_points
from mobilise.analysis.decay import (
    Decay,
    DecayFunction,
    StepBands,
    exponential,
    gaussian,
    linear,
    power,
    step,
)
from mobilise.errors import Problem

__all__ = [
    "CatchmentPairs",
    "Decay",
    "balanced_fca",
    "count_within",
    "enhanced_two_step_fca",
    "exponential",
    "floating_catchment_ratio",
    "gaussian",
    "linear",
    "nearest",
    "pairs_from_costs",
    "pairs_from_points",
    "power",
    "step",
    "supply_within",
    "three_step_fca",
    "two_step_fca",
    "weighted_catchment",
]

# Each measure is one or two sparse matrix-vector products with the catchment matrix
# W[i, j] = f(c_ij) (see mobilise.analysis._access_steps): one pass over the pairs, no per-pair
# temporaries, no dense origins x destinations matrix.


@small_pages()
def nearest(pairs: CatchmentPairs, *, max_cost: float | None = None) -> pd.DataFrame:
    """Cost to the nearest destination from each origin.

    Parameters
    ----------
    pairs
        Catchment pairs.
    max_cost
        Only look this far (default: the catchment of the pairs).

    Returns
    -------
    Column ``nearest_cost``; NaN where no destination is in reach, counted in
    ``attrs["origins_without_destination"]``.
    """
    used = narrowed(pairs, max_cost)
    cost = np.full(used.n_origins, np.inf)
    np.minimum.at(cost, used.origin, used.cost)
    cost[np.isinf(cost)] = np.nan
    return result_frame(used, "nearest_cost", cost, "nearest", None, Notes(), unreached="NaN")


@small_pages()
def count_within(pairs: CatchmentPairs, max_cost: float | None = None) -> pd.DataFrame:
    """Number of destinations within ``max_cost`` of each origin.

    Parameters
    ----------
    pairs
        Catchment pairs.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``count`` (integers; 0 where nothing is in reach).
    """
    used = narrowed(pairs, max_cost)
    return result_frame(used, "count", used._counts.copy(), "count within", None, Notes())


@small_pages()
def supply_within(
    pairs: CatchmentPairs, supply: pd.Series, max_cost: float | None = None
) -> pd.DataFrame:
    """Cumulative opportunities: total supply within ``max_cost`` of each origin.

    Equals PySAL ``Access.weighted_catchment(max_cost=...)`` without a weight function.

    Parameters
    ----------
    pairs
        Catchment pairs.
    supply
        Supply at each destination (capacity, or 1 per asset to count them), indexed by
        destination id.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``supply`` (0 where nothing is in reach).
    """
    used = narrowed(pairs, max_cost)
    supply_at = values_at(supply, used.destination_ids, "supply", "destination")
    total = matrix(used, None) @ supply_at
    return result_frame(used, "supply", total, "supply within", None, Notes())


@small_pages()
def weighted_catchment(
    pairs: CatchmentPairs,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Gravity-type access: supply in reach weighted by decay, ``A_i = sum_j S_j f(c_ij)``.

    Equals PySAL ``Access.weighted_catchment(weight_fn=..., max_cost=...)`` where an origin has a
    destination in reach (PySAL gives NaN where it has none; this gives 0).

    Parameters
    ----------
    pairs
        Catchment pairs.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost, e.g. ``exponential(0.001)``.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``weighted_supply``.
    """
    used = narrowed(pairs, max_cost)
    supply_at = values_at(supply, used.destination_ids, "supply", "destination")
    total = matrix(used, decay_weights(decay, used.cost)) @ supply_at
    return result_frame(used, "weighted_supply", total, "weighted catchment", decay, Notes())


@small_pages()
def two_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_cost: float | None = None,
    decay: Decay | DecayFunction | None = None,
) -> pd.DataFrame:
    """Two-step floating catchment area (2SFCA) access: supply per head within reach.

    ``R_j = S_j / sum_k P_k f(c_kj)`` and ``A_i = sum_j R_j f(c_ij)`` over the pairs within
    ``max_cost``, with ``f = 1`` when there is no decay (Luo and Wang's 2SFCA); with
    :func:`gaussian` this is the Gaussian 2SFCA. Equals PySAL ``Access.two_stage_fca``.

    When every destination with supply has some demand in reach, ``sum_i P_i A_i`` equals the
    total supply.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin (population), indexed by origin id; zero is allowed.
    supply
        Supply at each destination (capacity), indexed by destination id.
    max_cost
        Catchment (default: the one the pairs were built to).
    decay
        Optional weight as a function of cost.

    Returns
    -------
    Column ``access``. A destination with no demand in reach gets ratio 0, and an origin with no
    destination in reach access 0; both are counted in ``attrs`` and ``attrs["warnings"]``.
    """
    weighted = decay is not None
    return _two_step(pairs, demand, supply, decay, max_cost, weighted=weighted, method="2SFCA")


@small_pages()
def enhanced_two_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    weights: StepBands | Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Enhanced two-step floating catchment area (E2SFCA, Luo and Qi 2009).

    The 2SFCA of :func:`two_step_fca` with step weights by cost band in both steps. Equals PySAL
    ``Access.enhanced_two_stage_fca(weight_fn=weights.step_fn(...))``.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    weights
        Step weights as a mapping ``{upper cost: weight}`` (see :func:`step`), or any decay.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``, as :func:`two_step_fca`.
    """
    decay = step(weights) if isinstance(weights, Mapping) else weights
    return _two_step(pairs, demand, supply, decay, max_cost, weighted=True, method="E2SFCA")


def _two_step(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    decay: Decay | DecayFunction | None,
    max_cost: float | None,
    *,
    weighted: bool,
    method: str,
) -> pd.DataFrame:
    """The 2SFCA and E2SFCA, named ``method``; without ``weighted`` every pair weighs 1."""
    used = narrowed(pairs, max_cost)
    demand_at, supply_at = demand_and_supply(used, demand, supply)
    catchment = matrix(used, decay_weights(decay, used.cost) if weighted else None)
    notes = Notes()
    access = catchment @ supply_ratio(catchment, demand_at, supply_at, notes)
    return result_frame(used, "access", access, method, decay, notes)


@small_pages()
def three_step_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Three-step floating catchment area (3SFCA, Wan, Zou and Sternberg 2012).

    Competition between destinations: each origin spreads its demand over the destinations in
    its catchment by selection weights ``G_ij = f(c_ij) / sum_k f(c_ik)``, then
    ``R_j = S_j / sum_k G_kj P_k f(c_kj)`` and ``A_i = sum_j G_ij R_j f(c_ij)``.

    Equals PySAL ``Access.three_stage_fca`` when PySAL's cost table holds no row beyond
    ``max_cost`` (PySAL normalises ``G`` over its whole table; this over the catchment, as the
    paper does).

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost (the paper uses Gaussian weights).
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``. An origin whose weights are all 0 has selection weights 0 and access 0,
    counted in ``attrs["origins_with_zero_weight"]``.
    """
    used = narrowed(pairs, max_cost)
    demand_at, supply_at = demand_and_supply(used, demand, supply)
    weight = decay_weights(decay, used.cost)
    notes = Notes()
    per_origin = inverse(matrix(used, weight) @ np.ones(used.n_destinations))  # 1 / sum_k f_ik
    count_zero_weight(notes, used, per_origin, "their access is 0")
    # G_ij f(c_ij) = f(c_ij)^2 / sum_k f(c_ik): square the weights, scale by origin.
    np.multiply(weight, weight, out=weight)
    catchment = matrix(used, weight)
    ratio = supply_ratio(catchment, demand_at * per_origin, supply_at, notes)
    access = (catchment @ ratio) * per_origin
    return result_frame(used, "access", access, "3SFCA", decay, notes)


@small_pages()
def balanced_fca(
    pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    decay: Decay | DecayFunction,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Balanced floating catchment area (BFCA, Paez, Higgins and Vivona 2019).

    Removes the demand and level-of-service inflation of the 2SFCA by proportional allocation:
    each origin's demand is split over its destinations by ``f^o_ij = f(c_ij) / sum_k f(c_ik)``,
    giving the level of service ``L_j = S_j / sum_i P_i f^o_ij``; each destination's level of
    service is split over its origins by ``f^d_ij = f(c_ij) / sum_k f(c_kj)``, giving
    ``A_i = sum_j L_j f^d_ij``. This is ``fca_bfca`` of the R package accessibility.

    What is preserved (when every origin and destination has a positive weight in reach): the
    allocated demand sums to the total demand (``sum_j sum_i P_i f^o_ij = sum_i P_i``) and the
    access sums to the total level of service (``sum_i A_i = sum_j L_j``). Note that
    ``sum_i P_i A_i`` is *not* the total supply in general; that holds for :func:`two_step_fca`.

    Parameters
    ----------
    pairs
        Catchment pairs.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    decay
        Weight as a function of cost, e.g. ``step({1600: 1.0})`` for a plain catchment.
    max_cost
        Catchment (default: the one the pairs were built to).

    Returns
    -------
    Column ``access``. An origin whose weights are all 0 allocates no demand and gets access 0,
    counted in ``attrs["origins_with_zero_weight"]``.
    """
    used = narrowed(pairs, max_cost)
    demand_at, supply_at = demand_and_supply(used, demand, supply)
    catchment = matrix(used, decay_weights(decay, used.cost))
    notes = Notes()
    per_origin = inverse(catchment @ np.ones(used.n_destinations))  # 1 / sum_k f_ik
    per_destination = inverse(catchment.T @ np.ones(used.n_origins))  # 1 / sum_k f_kj
    count_zero_weight(notes, used, per_origin, "their demand is not allocated and access is 0")
    level_of_service = supply_ratio(catchment, demand_at * per_origin, supply_at, notes)
    access = catchment @ (level_of_service * per_destination)
    return result_frame(used, "access", access, "BFCA", decay, notes)


@small_pages()
def floating_catchment_ratio(
    pairs: CatchmentPairs,
    neighbour_pairs: CatchmentPairs,
    demand: pd.Series,
    supply: pd.Series,
    *,
    max_cost: float | None = None,
) -> pd.DataFrame:
    """Floating catchment area ratio (FCA): supply in reach over demand in reach.

    ``A_i = sum_{j: c_ij <= d} S_j / sum_{k: c_ik <= d} P_k``, where the demand in reach of an
    origin comes from origin-to-origin costs. Equals PySAL ``Access.fca_ratio``.

    Parameters
    ----------
    pairs
        Origin-to-destination catchment pairs.
    neighbour_pairs
        Origin-to-origin catchment pairs (e.g. ``pairs_from_points(areas, areas, d)``), whose
        origins and destinations are the origins of ``pairs``; include each origin's pair with
        itself.
    demand
        Demand at each origin, indexed by origin id.
    supply
        Supply at each destination, indexed by destination id.
    max_cost
        Catchment ``d`` (default: the one ``pairs`` were built to).

    Returns
    -------
    Column ``access``; 0 where there is no demand in reach, counted in
    ``attrs["origins_without_demand"]``.
    """
    used = narrowed(pairs, max_cost)
    neighbours = narrowed(neighbour_pairs, used.max_cost)
    problems = []
    for role, ids in (
        ("origins", neighbours.origin_ids),
        ("destinations", neighbours.destination_ids),
    ):
        if len(ids) != used.n_origins or not ids.isin(used.origin_ids).all():
            problems.append(
                Problem(f"the {role} of neighbour_pairs must be the origins of pairs", field=role)
            )
    raise_if(problems, "Cannot compute the floating catchment ratio")
    supply_at = values_at(supply, used.destination_ids, "supply", "destination")
    demand_at = values_at(demand, neighbours.destination_ids, "demand", "origin")
    supply_in_reach = matrix(used, None) @ supply_at
    demand_in_reach = matrix(neighbours, None) @ demand_at
    # neighbour_pairs may list the origins in another order: bring its sums into ours.
    demand_in_reach = demand_in_reach[neighbours.origin_ids.get_indexer(used.origin_ids)]
    unserved = demand_in_reach <= 0
    ratio = supply_in_reach * inverse(demand_in_reach)
    notes = Notes(counts={"origins_without_demand": int(unserved.sum())})
    if unserved.any():
        notes.warnings.append(
            f"{int(unserved.sum())} origins have no demand in reach; their ratio is set to 0 "
            f"(supply in reach {float(supply_in_reach[unserved].sum()):g})."
        )
    return result_frame(used, "access", ratio, "FCA ratio", None, notes)

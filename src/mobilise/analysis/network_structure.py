"""Where organisations sit in a partnership network: centrality, k-cores, core and periphery,
communities and mixing by sector.

Every measure here works on the *tie graph* (:func:`tie_graph`): the undirected graph in which
two organisations are tied when either reports a tie to the other (level ``None`` or >= 1;
level 0 means "we do not work together" and is no tie). Only :func:`centrality`'s
``in_degree`` and ``out_degree`` keep the direction of the reports. Every function takes
a partnership network: a directed graph of reports or an undirected graph of ties.

References: Borgatti & Everett (1999) for the discrete core-periphery model; Blondel et al.
(2008) for Louvain communities; Newman (2003) for assortativity; Seidman (1983) for k-cores.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse.linalg import eigsh

from mobilise.analysis._checks import FloatArray, raise_if
from mobilise.analysis._network_checks import groups_of, tie_reports
from mobilise.analysis.network import symmetrise
from mobilise.errors import Problem

__all__ = [
    "CENTRALITY_COLUMNS",
    "Communities",
    "CorePeriphery",
    "centrality",
    "communities",
    "core_periphery",
    "k_cores",
    "sector_assortativity",
    "tie_graph",
]

_DEGREES = ("degree", "in_degree", "out_degree", "degree_centrality")
CENTRALITY_COLUMNS: tuple[str, ...] = (*_DEGREES, "betweenness", "closeness", "eigenvector")
"""Columns of :func:`centrality`."""

_TOLERANCE = 1e-12
_DENSE_LIMIT = 200  # largest component given to the dense eigensolver
_BLOCK = 256  # sources per block of the betweenness computation


# --------------------------------------------------------------------------------------------
# Checks and the tie graph


def _whole_number(value: object, name: str, problems: list[Problem], *, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        problems.append(Problem(f"{name} must be an integer >= {least}, not {value!r}", field=name))


def _ties(graph: nx.Graph) -> nx.Graph:
    """The tie graph of an already checked graph (level-0 reports removed)."""
    if graph.is_directed():
        ties = symmetrise(graph, how="union")
        for _, _, data in ties.edges(data=True):
            data.setdefault("level", None)
        return ties
    ties = nx.Graph(**graph.graph)
    ties.add_nodes_from(graph.nodes(data=True))
    edges = graph.edges(data=True)
    ties.add_edges_from((u, v, {**d, "level": d.get("level")}) for u, v, d in edges if u != v)
    return ties


def tie_graph(graph: nx.Graph) -> nx.Graph:
    """The undirected ties of a partnership network (the union of the two sides' reports).

    Returns
    -------
    networkx.Graph
        Every organisation (isolates too) with its attributes; a pair is tied when either side
        reports a tie (level ``None`` or >= 1). Each tie's ``level`` is the highest reported
        level, ``None`` only when no report gave one. From a directed graph each tie also
        carries ``reports`` (1 or 2) and the mean ``trust`` and ``value`` of its reports (see
        :func:`~mobilise.analysis.network.symmetrise`). Self-loops are dropped.
    """
    return _checked_ties(graph, "Cannot build the tie graph")


def _checked_ties(graph: object, what: str, problems: list[Problem] | None = None) -> nx.Graph:
    problems = [] if problems is None else problems
    checked = tie_reports(graph, problems)
    raise_if(problems, what)
    return _ties(checked)


# --------------------------------------------------------------------------------------------
# Centrality


def _eigenvector(ties: nx.Graph) -> dict[Hashable, float]:
    """Eigenvector centrality per connected component, scaled by the component's share of nodes.

    On a disconnected graph the leading eigenvector of the whole adjacency matrix belongs to one
    component only (every other node gets 0), so NetworkX's whole-graph result is meaningless.
    Instead each component's leading eigenvector (unit Euclidean length, as NetworkX) is
    multiplied by ``n_component / n``: a connected graph gives NetworkX's values, and a node in
    a small separate group counts for less than an equally placed node in the main network.
    Isolates get 0.
    """
    n = ties.number_of_nodes()
    scores: dict[Hashable, float] = dict.fromkeys(ties.nodes, 0.0)
    for component in nx.connected_components(ties):
        if len(component) < 2:
            continue
        nodes = list(component)
        if len(nodes) > _DENSE_LIMIT:  # sparse symmetric solver (ARPACK), started evenly
            adjacency = nx.to_scipy_sparse_array(ties, nodelist=nodes, weight=None, dtype=float)
            start = np.ones(len(nodes))
            leading = eigsh(adjacency, k=1, which="LA", v0=start, maxiter=100 * len(nodes))[1]
            leading = leading[:, 0]
        else:  # dense solver: ARPACK cannot take components of two nodes
            adjacency = nx.to_numpy_array(ties, nodelist=nodes, weight=None)
            leading = np.linalg.eigh(adjacency)[1][:, -1]
        leading = np.abs(leading) / np.linalg.norm(leading)
        share = len(nodes) / n
        scores.update(zip(nodes, (float(x) * share for x in leading), strict=True))
    return scores


def _paths(ties: nx.Graph, nodes: list[Hashable]) -> tuple[FloatArray, FloatArray]:
    """NetworkX's normalised betweenness (Brandes 2001) and closeness (Wasserman-Faust), from
    breadth-first searches run for a block of sources at once as sparse matrix products: the
    same numbers, about ten times faster than NetworkX on a thousand organisations."""
    n = len(nodes)
    adjacency = nx.to_scipy_sparse_array(ties, nodelist=nodes, weight=None, dtype=float)
    total, closeness = np.zeros(n), np.zeros(n)
    for first in range(0, n, _BLOCK):
        sources = np.arange(first, min(first + _BLOCK, n))
        rows = np.arange(len(sources))
        paths = np.zeros((len(sources), n))  # shortest paths from each source to each node
        paths[rows, sources] = 1.0
        levels = [paths > 0]
        reached = levels[0].copy()
        while True:  # breadth first, counting shortest paths level by level
            step = (adjacency @ np.where(levels[-1], paths, 0.0).T).T
            step[reached] = 0.0
            frontier = step > 0
            if not frontier.any():
                break
            paths[frontier] = step[frontier]
            reached |= frontier
            levels.append(frontier)
        distance = sum(d * level.sum(axis=1) for d, level in enumerate(levels))
        others = reached.sum(axis=1) - 1.0  # organisations reachable from each source
        with np.errstate(invalid="ignore", divide="ignore"):
            closeness[sources] = np.where(others > 0, others**2 / (distance * max(n - 1, 1)), 0)
        dependency = np.zeros_like(paths)
        for deeper, level in zip(levels[:0:-1], levels[-2::-1], strict=True):
            share = np.where(deeper, (1 + dependency) / np.where(deeper, paths, 1.0), 0.0)
            dependency += np.where(level, paths * (adjacency @ share.T).T, 0.0)
        dependency[rows, sources] = 0.0
        total += dependency.sum(axis=0)
    return (total / ((n - 1) * (n - 2)) if n > 2 else total), closeness


def centrality(graph: nx.Graph) -> pd.DataFrame:
    """Degree, betweenness, closeness and eigenvector centrality of each organisation.

    Returns
    -------
    pandas.DataFrame
        One row per organisation (index ``partner``, graph order) with :data:`CENTRALITY_COLUMNS`:
        ``degree`` (tied partners), ``in_degree`` (reports about the organisation) and
        ``out_degree`` (reports it made; both equal ``degree`` for an undirected graph),
        ``degree_centrality`` (``degree / (n - 1)``), ``betweenness`` (normalised),
        ``closeness`` (NetworkX's, in the Wasserman-Faust form for disconnected graphs) and
        ``eigenvector`` (per connected component, scaled by the component's share of the
        organisations; see :func:`_eigenvector`). All but the degrees are on the tie graph.
    """
    problems: list[Problem] = []
    reports = tie_reports(graph, problems)
    raise_if(problems, "Cannot compute the centrality")
    ties = _ties(reports)
    nodes = list(ties.nodes)
    index = pd.Index(nodes, name="partner", dtype=object)
    if not nodes:
        return pd.DataFrame(columns=list(CENTRALITY_COLUMNS), index=index, dtype=float)
    degree = dict(ties.degree)
    in_degree: pd.Series
    out_degree: pd.Series
    if reports.is_directed():
        arcs = [(u, v) for u, v in reports.edges if u != v]
        out_degree = pd.Series([u for u, _ in arcs], dtype=object).value_counts()
        in_degree = pd.Series([v for _, v in arcs], dtype=object).value_counts()
    else:
        out_degree = in_degree = pd.Series(degree, dtype=int)
    n = len(nodes)
    counts = {"degree": pd.Series(degree), "in_degree": in_degree, "out_degree": out_degree}
    table = pd.DataFrame(counts, index=index).fillna(0).astype(int)
    table["degree_centrality"] = table["degree"] / (n - 1) if n > 1 else 0.0
    table["betweenness"], table["closeness"] = _paths(ties, nodes)
    table["eigenvector"] = pd.Series(_eigenvector(ties))
    return table


def k_cores(graph: nx.Graph) -> pd.Series:
    """The core number of each organisation on the tie graph.

    An organisation is in the k-core when it keeps at least ``k`` ties after organisations with
    fewer than ``k`` ties are removed over and over; its core number is the largest such ``k``
    (0 for an organisation without ties).

    Returns
    -------
    pandas.Series
        Named ``k_core``, indexed by organisation (``partner``) in graph order.
    """
    ties = _checked_ties(graph, "Cannot compute the k-cores")
    cores = nx.core_number(ties)
    index = pd.Index(list(ties.nodes), name="partner", dtype=object)
    return pd.Series([cores[node] for node in index], index=index, name="k_core", dtype=int)


# --------------------------------------------------------------------------------------------
# Core and periphery


@dataclass(frozen=True)
class CorePeriphery:
    """A split into a densely tied core and a sparsely tied periphery.

    ``fit`` is the Pearson correlation between the ties and the ideal pattern (core-core pairs
    tied, periphery-periphery pairs not; core-periphery pairs left out), ``None`` when no split
    gives it a value (e.g. no ties, or every pair tied). The densities are ties over possible
    pairs in each block, ``None`` for a block without pairs.
    """

    core: pd.Series
    fit: float | None
    core_density: float | None
    periphery_density: float | None
    between_density: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "core": [str(node) for node, inside in self.core.items() if inside],
            "fit": self.fit,
            "core_density": self.core_density,
            "periphery_density": self.periphery_density,
            "between_density": self.between_density,
        }


def _fit(
    n_core: FloatArray, n_nodes: int, core_ties: FloatArray, periphery_ties: FloatArray
) -> FloatArray:
    """Pearson correlation of ties and ideal over core-core and periphery-periphery pairs;
    -inf where undefined. Vectorised over candidate splits."""
    n_periphery = n_nodes - n_core
    core_pairs = n_core * (n_core - 1) / 2
    cells = core_pairs + n_periphery * (n_periphery - 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        tied = (core_ties + periphery_ties) / cells
        ideal = core_pairs / cells
        covariance = core_ties / cells - tied * ideal
        spread = np.sqrt(tied * (1 - tied) * ideal * (1 - ideal))
        fit = covariance / spread
    result: FloatArray = np.where(np.isfinite(fit) & (spread > _TOLERANCE), fit, -np.inf)
    return result


def _climb(adjacency: FloatArray, start: np.ndarray) -> tuple[np.ndarray, float]:
    """Steepest-ascent single-node flips from ``start`` until no flip raises the fit."""
    n = len(start)
    core = start.astype(bool).copy()
    degree = adjacency.sum(axis=1)
    to_core = adjacency @ core  # each node's ties to core members
    total = degree.sum() / 2
    n_core = float(core.sum())
    core_ties = float(to_core[core].sum() / 2)
    periphery_ties = float(total - core_ties - (degree[core] - to_core[core]).sum())
    current = float(
        _fit(np.array([n_core]), n, np.array([core_ties]), np.array([periphery_ties]))[0]
    )
    while True:
        sign = np.where(core, -1.0, 1.0)  # joining the core (+1) or leaving it (-1)
        candidates = _fit(
            n_core + sign,
            n,
            core_ties + sign * to_core,
            periphery_ties - sign * (degree - to_core),
        )
        best = int(np.argmax(candidates))
        if not candidates[best] > current + _TOLERANCE:
            return core, current
        step = sign[best]
        core_ties += step * to_core[best]
        periphery_ties -= step * (degree[best] - to_core[best])
        n_core += step
        core[best] = not core[best]
        to_core += step * adjacency[:, best]
        current = float(candidates[best])


def _density(ties: float, pairs: float) -> float | None:
    return ties / pairs if pairs > 0 else None  # None: a block without pairs


def core_periphery(graph: nx.Graph, *, seed: int = 0, restarts: int = 10) -> CorePeriphery:
    """Borgatti & Everett's discrete core-periphery split of the tie graph.

    Searches for the split whose ideal pattern (core-core pairs tied, periphery-periphery pairs
    untied, core-periphery pairs not counted) correlates best with the ties, by steepest-ascent
    single-node flips from several starts: the k-core with the highest core number, then
    ``restarts`` random splits. The best split found wins (the earliest on a tie).

    Parameters
    ----------
    seed
        Seed of the random starts: the same seed gives the same split.
    restarts
        Random starts after the k-core start, 0 or more.
    """
    problems: list[Problem] = []
    _whole_number(seed, "seed", problems, least=0)
    _whole_number(restarts, "restarts", problems, least=0)
    ties = _checked_ties(graph, "Cannot find the core and periphery", problems)
    nodes = list(ties.nodes)
    n = len(nodes)
    adjacency = nx.to_numpy_array(ties, nodelist=nodes, weight=None) if n else np.zeros((0, 0))
    best_core, best_fit = np.zeros(n, dtype=bool), -math.inf
    if n >= 2 and ties.number_of_edges():
        numbers = nx.core_number(ties)
        top = max(numbers.values())
        starts = [np.array([numbers[node] == top for node in nodes])]
        rng = np.random.default_rng(seed)
        starts += [rng.random(n) < rng.uniform(0.1, 0.6) for _ in range(restarts)]
        for start in starts:
            found, fit = _climb(adjacency, start)
            if fit > best_fit + _TOLERANCE:
                best_core, best_fit = found, fit
    core = best_core
    n_core, n_periphery = int(core.sum()), n - int(core.sum())
    core_ties = float(adjacency[np.ix_(core, core)].sum() / 2)
    periphery_ties = float(adjacency[np.ix_(~core, ~core)].sum() / 2)
    between_ties = float(adjacency[np.ix_(core, ~core)].sum())
    return CorePeriphery(
        core=pd.Series(core, index=pd.Index(nodes, name="partner", dtype=object), name="core"),
        fit=float(best_fit) if math.isfinite(best_fit) else None,
        core_density=_density(core_ties, n_core * (n_core - 1) / 2),
        periphery_density=_density(periphery_ties, n_periphery * (n_periphery - 1) / 2),
        between_density=_density(between_ties, n_core * n_periphery),
    )


# --------------------------------------------------------------------------------------------
# Communities and mixing


@dataclass(frozen=True)
class Communities:
    """Each organisation's community (0 the largest) and the split's modularity (``None``
    when the network has no ties)."""

    membership: pd.Series
    modularity: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "membership": {str(node): int(c) for node, c in self.membership.items()},
            "modularity": self.modularity,
        }


def communities(graph: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> Communities:
    """Louvain communities of the tie graph, weighted by collaboration level.

    Parameters
    ----------
    seed
        Seed of Louvain's node order: the same seed gives the same communities.
    resolution
        Above 1 favours smaller communities, below 1 larger ones (> 0).

    Returns
    -------
    Communities
        Communities numbered from 0 by size, largest first (ties broken by the smallest node id
        in each, as text); an organisation without ties is a community of its own. A tie's
        weight is its ``level`` (1 when it has none).
    """
    problems: list[Problem] = []
    _whole_number(seed, "seed", problems, least=0)
    if not (type(resolution) in (int, float) and math.isfinite(resolution) and resolution > 0):
        message = f"resolution must be a finite number > 0, not {resolution!r}"
        problems.append(Problem(message, field="resolution"))
    ties = _checked_ties(graph, "Cannot find the communities", problems)
    weighted = nx.Graph()
    weighted.add_nodes_from(ties.nodes)
    weighted.add_weighted_edges_from(
        (u, v, 1 if level is None else level) for u, v, level in ties.edges(data="level")
    )
    found = nx.community.louvain_communities(weighted, seed=seed, resolution=resolution)
    ordered = sorted(found, key=lambda c: (-len(c), min(str(node) for node in c)))
    number = {node: i for i, group in enumerate(ordered) for node in group}
    membership = pd.Series(
        [number[node] for node in ties.nodes],
        index=pd.Index(list(ties.nodes), name="partner", dtype=object),
        name="community",
        dtype=int,
    )
    modularity = None
    if weighted.number_of_edges():
        modularity = float(nx.community.modularity(weighted, ordered, resolution=resolution))
    return Communities(membership=membership, modularity=modularity)


def sector_assortativity(graph: nx.Graph, attribute: str = "sector") -> float | None:
    """Newman's assortativity of the tie graph by a node attribute (NetworkX's coefficient).

    +1 when every tie stays inside a group, below 0 when ties cross groups more than chance
    would have them (-1 for two groups tied only across).

    Parameters
    ----------
    attribute
        Node attribute naming each organisation's group.

    Returns
    -------
    float or None
        ``None`` when undefined: no ties, or every tie within a single group.
    """
    problems: list[Problem] = []
    ties = _checked_ties(graph, "Cannot compute the assortativity", problems)
    groups_of(ties, attribute, problems)
    raise_if(problems, "Cannot compute the assortativity")
    if ties.number_of_edges() == 0:
        return None
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            value = float(nx.attribute_assortativity_coefficient(ties, attribute))
        except ZeroDivisionError:
            return None
    return value if math.isfinite(value) else None

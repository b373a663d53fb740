"""What a participatory systems map says: feedback loops, submaps, paths, centrality, communities.

Every function takes the map as the NetworkX multi-digraph of
:meth:`mobilise.model.causal_map.CausalMap.to_graph` (node = factor id with ``label`` and
``kind``; edge key = link id with ``polarity``, ``sign``, ``weight``, ``delay``...). A plain
:class:`networkx.DiGraph` is accepted too, its links then named ``"source->target"``.

1. :func:`feedback_loops`: the simple cycles of the map, told apart by link, each
   *reinforcing*, *balancing* or *undetermined* (:data:`LOOP_KINDS`); bounded by length, count
   and time. :func:`rank_loops` orders them (:data:`LOOP_RANKINGS`). In
   :mod:`mobilise.analysis.system_loops`, re-exported here.
2. :func:`submap`, :func:`combine_submaps`: the factors up or downstream of some factors within
   a number of steps, and unions or intersections of such submaps (Barbrook-Johnson and Penn,
   *Systems Mapping*, 2022, ch. 5; PRSM's "show only factors downstream").
3. :func:`intervention_paths`, :func:`intervention_effects`, :func:`conflicts`: causal chains
   from interventions to outcomes with their net sign, what each intervention does to each
   outcome, and which interventions pull an outcome in opposite directions. In
   :mod:`mobilise.analysis.system_paths`, re-exported here.
4. :func:`centrality`: degrees, betweenness, closeness and leverage of every factor.
5. :func:`communities`: Louvain communities, reproducible with a seed.
6. :func:`summary`: all of it with cheap defaults, as plain JSON.

Loops and paths are deterministic: a loop's factors start at its smallest id (as text); records
are sorted, then numbered (``L1``, ``P1``...) in that order. When a search is cut, which loops
or paths were found first follows NetworkX's search order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from mobilise.analysis._checks import json_records, raise_if
from mobilise.analysis._graph import (
    _choice,
    _count,
    _ids,
    _kind,
    _label,
    _map_graph,
    _positive,
    _weight,
    link_sign,
)
from mobilise.analysis.system_loops import (
    LOOP_KINDS,
    LOOP_RANKINGS,
    Loop,
    LoopReport,
    feedback_loops,
    rank_loops,
)
from mobilise.analysis.system_paths import (
    Path,
    PathReport,
    conflicts,
    intervention_effects,
    intervention_paths,
)
from mobilise.errors import Problem

__all__ = [
    "LOOP_KINDS",
    "LOOP_RANKINGS",
    "Loop",
    "LoopReport",
    "Path",
    "PathReport",
    "centrality",
    "combine_submaps",
    "communities",
    "conflicts",
    "feedback_loops",
    "intervention_effects",
    "intervention_paths",
    "link_sign",
    "rank_loops",
    "submap",
    "summary",
]


# --------------------------------------------------------------------------------------------
# Submaps


def submap(
    graph: nx.MultiDiGraph,
    focus: Hashable | Iterable[Hashable],
    *,
    direction: str = "downstream",
    steps: int | None = None,
) -> nx.MultiDiGraph:
    """The part of the map around some factors: what they affect, what affects them, or both.

    Parameters
    ----------
    graph
        The map.
    focus
        A factor id or several.
    direction
        ``"downstream"``: factors reached by following links away from the focus;
        ``"upstream"``: by following links towards it; ``"both"``: the union of the two (not
        every factor linked either way: another cause of an effect is not included).
    steps
        Farthest a factor may be, in links (``None``: any distance; 0: the focus alone).

    Returns
    -------
    A copy of the map with only those factors and every link between them. Each factor has
    ``steps_from_focus``; the graph has ``focus``, ``direction`` and ``steps``.
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    starts = _ids(multi, focus, "focus", problems)
    if not starts and not problems:
        problems.append(Problem("focus names no factor", field="focus"))
    _choice(direction, ("downstream", "upstream", "both"), "direction", problems)
    _count(steps, "steps", problems, smallest=0)
    raise_if(problems, "Cannot make a submap")

    distance: dict[Any, int] = {}
    if direction != "upstream":
        distance = _within(starts, multi.successors, steps)
    if direction != "downstream":
        for node, away in _within(starts, multi.predecessors, steps).items():
            distance[node] = min(away, distance.get(node, away))
    part: nx.MultiDiGraph = multi.subgraph(distance).copy()
    nx.set_node_attributes(part, distance, "steps_from_focus")
    part.graph.update(focus=list(starts), direction=direction, steps=steps)
    return part


def _within(
    starts: Iterable[Any], neighbours: Callable[[Any], Iterable[Any]], steps: int | None
) -> dict[Any, int]:
    distance = dict.fromkeys(starts, 0)
    frontier, depth = list(distance), 0
    while frontier and (steps is None or depth < steps):
        depth += 1
        reached = [other for node in frontier for other in neighbours(node)]
        frontier = [other for other in dict.fromkeys(reached) if other not in distance]
        distance.update(dict.fromkeys(frontier, depth))
    return distance


def combine_submaps(graphs: Iterable[nx.MultiDiGraph], *, how: str = "union") -> nx.MultiDiGraph:
    """The union or intersection of submaps (e.g. downstream of several interventions).

    ``"union"``: every factor and link of any of them; ``"intersection"``: the factors and links
    (by link id) in all of them. Attributes come from the first submap holding each; a factor's
    ``steps_from_focus`` is its smallest in any of them.
    """
    problems: list[Problem] = []
    parts = [_map_graph(part, problems, name="graphs") for part in graphs]
    if not parts:
        problems.append(Problem("give at least one submap", field="graphs"))
    _choice(how, ("union", "intersection"), "how", problems)
    raise_if(problems, "Cannot combine submaps")

    chosen = parts if how == "union" else parts[:1]
    combined = nx.MultiDiGraph(title=parts[0].graph.get("title", ""), how=how)
    for part in chosen:
        for node, data in part.nodes(data=True):
            if node not in combined and all(node in other for other in parts[len(chosen) :]):
                combined.add_node(node, **data)
        for u, v, key, data in part.edges(keys=True, data=True):
            if not combined.has_edge(u, v, key) and all(
                other.has_edge(u, v, key) for other in parts[len(chosen) :]
            ):
                combined.add_edge(u, v, key, **data)
    focus = [node for part in parts for node in part.graph.get("focus", [])]
    combined.graph["focus"] = list(dict.fromkeys(focus))
    for node, data in combined.nodes(data=True):
        steps = [p.nodes[node].get("steps_from_focus") for p in parts if node in p]
        if known := [step for step in steps if step is not None]:
            data["steps_from_focus"] = min(known)
    return combined


# --------------------------------------------------------------------------------------------
# Centrality and communities


def centrality(graph: nx.MultiDiGraph, *, weighted: bool = True) -> pd.DataFrame:
    """How central each factor is, by several measures, with ranks.

    Parameters
    ----------
    graph
        The map.
    weighted
        Measure shortest paths by link strength: a link is ``1 / |weight|`` long (weight 1: 1
        long; a weak link, 0.25: 4 long); a link without a weight is 1 long; a link of weight 0
        carries no influence and is left out; of parallel links the strongest counts.
        ``False``: every link is 1 long.

    Returns
    -------
    Indexed by factor id: ``label``, ``kind``; ``in_degree`` and ``out_degree`` (links, each
    parallel link counted); ``betweenness`` (NetworkX, normalised: the share of shortest paths
    between other factors that pass through it); ``closeness`` (NetworkX, Wasserman-Faust
    corrected, on *outgoing* paths: how near it is to the factors it influences);
    ``leverage``, ``out_degree / max(in_degree, 1)``: PRSM's "ratio of outputs to inputs"
    (Participatory System Mapper manual, "Analysing the map"), kept finite by counting a factor
    nothing points to as having one input. The ``*_rank`` columns rank ``degree`` (in + out),
    betweenness, closeness and leverage: 1 is highest, ties share the best rank.
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    raise_if(problems, "Cannot measure centrality")

    nodes = list(multi)
    lengths = nx.DiGraph()
    lengths.add_nodes_from(nodes)
    for u, v, data in multi.edges(data=True):
        weight = _weight(data) if weighted else None
        if u != v and weight != 0:
            length = 1.0 if weight is None else 1.0 / abs(weight)
            length = min(length, lengths.get_edge_data(u, v, {"length": length})["length"])
            lengths.add_edge(u, v, length=length)
    # Equal lengths give the same shortest paths as none, and NetworkX's search without
    # lengths is three times faster.
    distance = (
        "length" if len(set(nx.get_edge_attributes(lengths, "length").values())) > 1 else None
    )
    between = nx.betweenness_centrality(lengths, weight=distance) if nodes else {}
    closeness = dict(zip(nodes, _closeness(lengths, nodes, distance), strict=True))
    frame = pd.DataFrame(
        {
            "label": [_label(multi, node) for node in nodes],
            "kind": [_kind(multi, node) for node in nodes],
            "in_degree": pd.Series([multi.in_degree(node) for node in nodes], dtype=int),
            "out_degree": pd.Series([multi.out_degree(node) for node in nodes], dtype=int),
            "betweenness": [float(between.get(node, 0.0)) for node in nodes],
            "closeness": [float(closeness.get(node, 0.0)) for node in nodes],
        }
    ).set_axis(pd.Index(nodes, name="factor"))
    frame["leverage"] = frame["out_degree"] / frame["in_degree"].clip(lower=1)
    ranked = {"degree": frame["in_degree"] + frame["out_degree"]}
    for measure, values in (
        ranked | {m: frame[m] for m in ("betweenness", "closeness", "leverage")}
    ).items():
        frame[f"{measure}_rank"] = values.rank(method="min", ascending=False).astype(int)
    return frame


def _closeness(lengths: nx.DiGraph, nodes: list[Any], distance: str | None) -> list[float]:
    """NetworkX's closeness (``wf_improved``) on outgoing paths, the same figures as
    ``nx.closeness_centrality(lengths.reverse(), distance=distance)``, but by scipy's Dijkstra
    in C: NetworkX took a quarter of a second on a map of 300 factors, scipy milliseconds."""
    n = len(nodes)
    if n < 2:
        return [0.0] * n
    matrix = nx.to_scipy_sparse_array(lengths, nodelist=nodes, weight=distance, format="csr")
    found: list[float] = []
    for first in range(0, n, 512):  # rows of distances a block at a time, to bound memory
        block = dijkstra(matrix, directed=True, indices=np.arange(first, min(first + 512, n)))
        reached = np.isfinite(block)
        others = reached.sum(axis=1) - 1.0
        total = np.where(reached, block, 0.0).sum(axis=1)
        ratio = np.divide(others, total, out=np.zeros_like(total), where=total > 0)
        found.extend((ratio * others / (n - 1)).tolist())
    return found


def communities(
    graph: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0
) -> dict[Hashable, int]:
    """Groups of factors more linked among themselves than to the rest (Louvain).

    NetworkX's ``louvain_communities`` on the map as an undirected simple graph, two factors
    joined by the sum of ``|weight|`` of the links between them either way (a link without a
    weight counts 1; self-loops and links of weight 0 are left out). The same ``seed`` gives the
    same communities; ``resolution`` above 1 favours smaller ones.

    Returns
    -------
    Each factor id and its community: 1 for the largest, ties by smallest factor id (as text).
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    _positive(resolution, "resolution", problems, none=False)
    raise_if(problems, "Cannot find communities")

    joined = nx.Graph()
    joined.add_nodes_from(multi)
    for u, v, data in multi.edges(data=True):
        weight = _weight(data)
        strength = 1.0 if weight is None else abs(weight)
        if u != v and strength:
            before = joined.get_edge_data(u, v, {"weight": 0.0})["weight"]
            joined.add_edge(u, v, weight=before + strength)
    found = (
        nx.community.louvain_communities(joined, resolution=resolution, seed=seed)
        if joined.number_of_edges()
        else [{node} for node in joined]
    )
    ordered = sorted(found, key=lambda group: (-len(group), min(map(str, group))))
    membership = {node: number for number, group in enumerate(ordered, 1) for node in group}
    return {node: membership[node] for node in multi}


# --------------------------------------------------------------------------------------------
# Everything at once


def summary(
    graph: nx.MultiDiGraph,
    *,
    max_loop_length: int | None = 10,
    max_loops: int = 1_000,
    loop_time_budget_s: float = 0.3,
    max_path_length: int = 6,
    max_paths: int = 200,
    path_time_budget_s: float = 0.3,
    top: int = 10,
    seed: int = 0,
) -> dict[str, Any]:
    """Every analysis of this module on one map, as plain JSON (for the CLI and web pages).

    Loops and paths are capped and time-boxed, so a map of hundreds of factors answers in a
    second or two; whether they were cut is said. Loops are of at most 10 links by default:
    longer ones are rarely read in a workshop, and a search without a bound in a large map
    first finds loops of a hundred links. ``top`` limits the loops and factors listed.

    Returns
    -------
    ``title``, ``factors``, ``links``, ``factor_kinds`` and ``polarities`` (counts); ``loops``
    (:meth:`LoopReport.to_dict`, shortest first); ``central_factors`` (the ``top`` by
    betweenness and by leverage, with every measure); ``communities`` (``count`` and each
    factor's ``membership``); ``interventions`` (number of ``paths``, ``truncated``,
    ``effects`` and ``conflicts`` as lists of records).
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    _count(top, "top", problems, smallest=0, none=False)
    raise_if(problems, "Cannot summarise the map")

    loops = feedback_loops(
        multi, max_length=max_loop_length, max_loops=max_loops, time_budget_s=loop_time_budget_s
    )
    measures = centrality(multi).reset_index().rename(columns={"factor": "id"})
    membership = communities(multi, seed=seed)
    paths = intervention_paths(
        multi, max_length=max_path_length, max_paths=max_paths, time_budget_s=path_time_budget_s
    )
    effects = intervention_effects(paths)
    polarities = Counter(data.get("polarity", "?") for _, _, data in multi.edges(data=True))
    return {
        "title": str(multi.graph.get("title", "")),
        "factors": multi.number_of_nodes(),
        "links": multi.number_of_edges(),
        "factor_kinds": dict(Counter(_kind(multi, node) for node in multi)),
        "polarities": {polarity: polarities[polarity] for polarity in ("+", "-", "?")},
        "loops": loops.to_dict(limit=top),
        "central_factors": {
            f"by_{first}": json_records(
                measures.sort_values([f"{first}_rank", f"{then}_rank"], kind="stable").head(top)
            )
            for first, then in (("betweenness", "leverage"), ("leverage", "betweenness"))
        },
        "communities": {"count": len(set(membership.values())), "membership": membership},
        "interventions": {
            "paths": len(paths.paths),
            "truncated": paths.truncated,
            "reason": paths.reason,
            "effects": json_records(effects),
            "conflicts": json_records(conflicts(effects)),
        },
    }

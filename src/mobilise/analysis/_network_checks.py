"""The checks every partnership-network measure starts from (private to the ``network*`` modules).

A measure takes a NetworkX graph of reports (directed) or ties (undirected); these helpers leave
out the reports of *no* tie (level 0), read the pairs once each, and find each organisation's
group, appending a :class:`~mobilise.errors.Problem` for anything a measure cannot take.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx

from mobilise.analysis._checks import named
from mobilise.errors import Problem

__all__ = ["by_id", "group_codes", "groups_of", "pair_graph", "tie_reports"]


def tie_reports(graph: object, problems: list[Problem], *, directed: bool = False) -> nx.Graph:
    """``graph`` without its level-0 edges; an empty graph after a problem."""
    if not isinstance(graph, nx.Graph):
        problems.append(
            Problem(f"graph must be a NetworkX graph, not {type(graph).__name__}", field="graph")
        )
        return nx.DiGraph() if directed else nx.Graph()
    if graph.is_multigraph():
        problems.append(
            Problem(
                "graph must not be a multigraph: combine repeated reports of a tie first "
                "(e.g. networkx.DiGraph(graph))",
                field="graph",
            )
        )
        return nx.DiGraph() if directed else nx.Graph()
    if directed and not graph.is_directed():
        problems.append(
            Problem("graph must be directed (one edge per respondent's report)", field="graph")
        )
        return nx.DiGraph()
    no_ties = [(u, v) for u, v, level in graph.edges(data="level") if level == 0]
    if not no_ties:
        return graph
    ties: nx.Graph = graph.copy()
    ties.remove_edges_from(no_ties)
    return ties


def pair_graph(graph: nx.Graph) -> nx.Graph:
    """Each tied pair once (a directed graph read as the union of its reports), no self-loops."""
    pairs = nx.Graph()
    pairs.add_nodes_from(graph.nodes(data=True))
    pairs.add_edges_from((u, v) for u, v in graph.edges if u != v)
    return pairs


def groups_of(graph: nx.Graph, attribute: str, problems: list[Problem]) -> dict[Hashable, Any]:
    """Each organisation's group (its ``attribute``); a problem naming those without one."""
    groups = dict(graph.nodes(data=attribute))
    missing = [node for node, group in groups.items() if group is None]
    if missing:
        problems.append(
            Problem(
                f"{len(missing)} node(s) have no {attribute!r} attribute: {named(missing)}",
                field=attribute,
            )
        )
    return groups


def group_codes(groups: dict[Hashable, Any]) -> tuple[list[Any], dict[Hashable, int]]:
    """Groups sorted (by their text) and each node's group number."""
    labels = sorted(set(groups.values()), key=str)
    number = {label: i for i, label in enumerate(labels)}
    return labels, {node: number[group] for node, group in groups.items()}


def by_id(nodes: Iterable[Hashable]) -> list[Hashable]:
    """The nodes sorted by their ids as text (the order every result lists them in)."""
    return sorted(nodes, key=str)

"""Partnership-network measures: the few NetworkX lacks, and thin wrappers over the rest.

A partnership network is a NetworkX graph whose nodes are organisations, each with a ``sector``
attribute (any node attribute can be named instead), and whose directed edges are one
respondent's report of a tie to a partner, with optional attributes ``level`` (0 none,
1 cooperative, 2 coordinated, 3 integrated), ``trust`` and ``value`` (1-4).

Conventions:

- An edge whose ``level`` is 0 is a report of *no* tie and is left out of every measure.
- Measures on pairs (:func:`freeman_centralisation`, :func:`ei_index` and its test, which live
  in :mod:`mobilise.analysis.network_ei` and are importable from here too) count each
  pair of organisations once: a directed graph is read as the union of its reports (a tie if
  either side names it). Use :func:`symmetrise` first to choose the intersection instead.
- :func:`block_densities` and :func:`brokerage` keep direction when the graph is directed.
- Bad input raises :class:`~mobilise.errors.ValidationError` listing every problem at once
  (not a graph, an unknown option, nodes without the grouping attribute, named).

References: Krackhardt & Stern (1988) for the E-I index and its expected value; Freeman (1978)
for degree centralisation; Gould & Fernandez (1989) for brokerage roles; Burt (1992) for
constraint and effective size.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._network_checks import group_codes, groups_of, pair_graph, tie_reports
from mobilise.analysis.network_ei import (
    EIIndex,
    EIPermutationTest,
    ei_index,
    ei_permutation_test,
    expected_ei,
)
from mobilise.errors import Problem

__all__ = [
    "BROKERAGE_ROLES",
    "EIIndex",
    "EIPermutationTest",
    "ResponseRate",
    "block_densities",
    "brokerage",
    "constraint_and_effective_size",
    "density",
    "ei_index",
    "ei_permutation_test",
    "expected_ei",
    "freeman_centralisation",
    "reciprocity",
    "response_rate",
    "symmetrise",
]

BROKERAGE_ROLES = ("coordinator", "gatekeeper", "representative", "itinerant", "liaison")
"""Gould-Fernandez roles of B on a path A -> B -> C without a direct tie A -> C:
coordinator (A, B, C in one group), gatekeeper (B and C in one group, A outside: B lets A in),
representative (A and B in one group, C outside: B speaks for A), itinerant or consultant
(A and C in one group, B outside), liaison (three different groups)."""

_HOW = ("union", "intersection")


# --------------------------------------------------------------------------------------------
# Reports to ties


def symmetrise(graph: nx.DiGraph, *, how: str = "union") -> nx.Graph:
    """Undirected ties from the two reports of each pair.

    Parameters
    ----------
    graph
        Directed network: an edge ``u -> v`` is ``u``'s report of a tie to ``v``.
    how
        ``"union"``: a tie if either side reports it, at the higher ``level`` of the two
        reports (the more generous reading). ``"intersection"``: a tie only if both sides
        report it (a *confirmed* tie), at the lower ``level`` (what both agree on).

    Returns
    -------
    networkx.Graph
        The organisations with their attributes; each tie carries ``reports`` (1 or 2), the
        combined ``level`` when any report had one, and ``trust`` and ``value`` as the mean of
        the reports that scored them (each side's view of the other counts equally). Level-0
        reports and self-loops are left out.
    """
    problems: list[Problem] = []
    reports = tie_reports(graph, problems, directed=True)
    if how not in _HOW:
        problems.append(Problem(f"how must be one of {', '.join(_HOW)}, not {how!r}", field="how"))
    raise_if(problems, "Cannot symmetrise the network")

    combine = max if how == "union" else min
    ties = nx.Graph(**reports.graph)
    ties.add_nodes_from(reports.nodes(data=True))
    for u, v in pair_graph(reports).edges:
        sides = [reports.edges[a, b] for a, b in ((u, v), (v, u)) if reports.has_edge(a, b)]
        if how == "intersection" and len(sides) < 2:
            continue
        tie: dict[str, Any] = {"reports": len(sides)}
        levels = [side["level"] for side in sides if side.get("level") is not None]
        if levels:
            tie["level"] = combine(levels)
        for score in ("trust", "value"):
            scores = [side[score] for side in sides if side.get(score) is not None]
            if scores:
                tie[score] = sum(scores) / len(scores)
        ties.add_edge(u, v, **tie)
    return ties


# --------------------------------------------------------------------------------------------
# Whole-network measures


@dataclass(frozen=True)
class ResponseRate:
    """Who answered a survey round out of those invited."""

    invited: int
    responded: int
    rate: float
    missing: tuple[Hashable, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "invited": self.invited,
            "responded": self.responded,
            "rate": self.rate,
            "missing": [str(node) for node in self.missing],
        }


def response_rate(roster: Iterable[Hashable], respondents: Iterable[Hashable]) -> ResponseRate:
    """The share of the roster that answered.

    Parameters
    ----------
    roster
        Organisations invited to answer the round.
    respondents
        Organisations that answered; each must be on the roster.

    Returns
    -------
    ResponseRate
        Counts, the rate (0 to 1) and who on the roster did not answer, in roster order.
    """
    invited = list(dict.fromkeys(roster))
    answered = set(respondents)
    problems: list[Problem] = []
    if not invited:
        problems.append(Problem("roster is empty: nobody was invited", field="roster"))
    strangers = sorted(answered.difference(invited), key=str)
    if strangers:
        problems.append(
            Problem(
                f"{len(strangers)} respondent(s) not on the roster: {named(strangers)}",
                field="respondents",
            )
        )
    raise_if(problems, "Cannot compute the response rate")
    missing = tuple(node for node in invited if node not in answered)
    responded = len(invited) - len(missing)
    return ResponseRate(len(invited), responded, responded / len(invited), missing)


def density(graph: nx.Graph, *, valued: bool = False, weight: str = "level") -> float:
    """Ties present as a share of all possible ties (self-loops left out).

    Parameters
    ----------
    graph
        Network, directed (ordered pairs) or undirected.
    valued
        If true, the mean tie strength over all possible ties (absent ties count 0; a tie
        without ``weight`` counts 1), e.g. the mean collaboration level 0-3.
    weight
        Edge attribute holding the tie strength when ``valued``.

    Returns
    -------
    float
        0 for a network of fewer than two organisations.
    """
    problems: list[Problem] = []
    ties = tie_reports(graph, problems)
    raise_if(problems, "Cannot compute the density")
    n = ties.number_of_nodes()
    possible = n * (n - 1) if ties.is_directed() else n * (n - 1) / 2
    if possible == 0:
        return 0.0
    present = [(u, v, w) for u, v, w in ties.edges(data=weight, default=1) if u != v]
    total = sum(float(w) for _, _, w in present) if valued else len(present)
    return total / possible


def reciprocity(graph: nx.DiGraph) -> float:
    """The share of reported ties that the partner reports back (NetworkX's definition).

    Returns
    -------
    float
        0 when no tie is reported.
    """
    problems: list[Problem] = []
    reports = tie_reports(graph, problems, directed=True)
    raise_if(problems, "Cannot compute the reciprocity")
    arcs = [(u, v) for u, v in reports.edges if u != v]
    if not arcs:
        return 0.0
    return sum(reports.has_edge(v, u) for u, v in arcs) / len(arcs)


def freeman_centralisation(graph: nx.Graph) -> float:
    """Freeman's degree centralisation: how far the ties gather on one organisation.

    ``sum(max_degree - degree_i) / ((n - 1)(n - 2))`` over the undirected ties: 1 for a star,
    0 when every organisation has the same degree (a complete graph or a ring).

    Parameters
    ----------
    graph
        Network; a directed one is read as the union of its reports.
    """
    problems: list[Problem] = []
    pairs = pair_graph(tie_reports(graph, problems))
    n = pairs.number_of_nodes()
    if not problems and n < 3:
        problems.append(
            Problem(f"centralisation needs at least 3 organisations, not {n}", field="graph")
        )
    raise_if(problems, "Cannot compute the centralisation")
    degrees = np.fromiter((d for _, d in pairs.degree), dtype=np.float64, count=n)
    return float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2)))


# --------------------------------------------------------------------------------------------
# Groups and brokers


def block_densities(graph: nx.Graph, attribute: str = "sector") -> pd.DataFrame:
    """Density of ties from each group (rows) to each group (columns).

    Ties between two groups over the possible ones (``n_g * n_h``; ``n_g(n_g - 1)`` inside a
    group; halved for undirected ties inside a group). A directed graph keeps direction: the
    row is the reporting side. NaN inside a group of one organisation (no possible tie).
    """
    problems: list[Problem] = []
    ties = tie_reports(graph, problems)
    groups = groups_of(ties, attribute, problems)
    raise_if(problems, "Cannot compute the block densities")
    labels, code = group_codes(groups)
    k = len(labels)
    counts = np.zeros((k, k))
    for u, v in ties.edges:
        if u == v:
            continue
        counts[code[u], code[v]] += 1
        if not ties.is_directed() and code[u] != code[v]:
            counts[code[v], code[u]] += 1
    sizes = np.bincount(np.fromiter(code.values(), dtype=np.intp), minlength=k).astype(float)
    possible = np.outer(sizes, sizes)
    inside = sizes * (sizes - 1)
    np.fill_diagonal(possible, inside if ties.is_directed() else inside / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(possible > 0, counts / np.where(possible > 0, possible, 1), np.nan)
    return pd.DataFrame(share, index=pd.Index(labels, name=attribute), columns=labels)


def brokerage(graph: nx.DiGraph, attribute: str = "sector") -> pd.DataFrame:
    """Gould-Fernandez brokerage roles of each organisation.

    For every path ``A -> B -> C`` (A and C different, no direct tie ``A -> C``), B brokers, in
    the role given by the groups of A, B and C (:data:`BROKERAGE_ROLES`).

    Returns
    -------
    pandas.DataFrame
        One row per organisation (in graph order), the count of each role and ``total``.
    """
    problems: list[Problem] = []
    reports = tie_reports(graph, problems, directed=True)
    groups = groups_of(reports, attribute, problems)
    raise_if(problems, "Cannot compute brokerage roles")
    counts = {node: dict.fromkeys(BROKERAGE_ROLES, 0) for node in reports.nodes}
    for b in reports.nodes:
        gb = groups[b]
        targets = [c for c in reports.successors(b) if c != b]
        for a in reports.predecessors(b):
            if a == b:
                continue
            ga = groups[a]
            for c in targets:
                if c == a or reports.has_edge(a, c):
                    continue
                gc = groups[c]
                if ga == gb == gc:
                    role = "coordinator"
                elif gb == gc:
                    role = "gatekeeper"
                elif ga == gb:
                    role = "representative"
                elif ga == gc:
                    role = "itinerant"
                else:
                    role = "liaison"
                counts[b][role] += 1
    table = pd.DataFrame.from_dict(counts, orient="index", columns=list(BROKERAGE_ROLES))
    table = table.reindex(list(reports.nodes)).fillna(0).astype(int)
    table["total"] = table.sum(axis=1)
    table.index.name = "organisation"
    return table


def constraint_and_effective_size(graph: nx.Graph) -> pd.DataFrame:
    """Burt's constraint and effective size of each organisation (NetworkX's implementations).

    Low constraint and a large effective size mark an organisation whose partners are not tied
    to one another: it spans structural holes. Both are NaN for an organisation without ties.
    """
    problems: list[Problem] = []
    ties = tie_reports(graph, problems)
    raise_if(problems, "Cannot compute constraint and effective size")
    return pd.DataFrame(
        {
            "constraint": pd.Series(nx.constraint(ties), dtype=float),
            "effective_size": pd.Series(nx.effective_size(ties), dtype=float),
        },
        index=pd.Index(list(ties.nodes), name="organisation"),
    )

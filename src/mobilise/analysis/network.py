"""Partnership-network measures: the few NetworkX lacks, and thin wrappers over the rest.

A partnership network is a NetworkX graph whose nodes are organisations, each with a ``sector``
attribute (any node attribute can be named instead), and whose directed edges are one
respondent's report of a tie to a partner, with optional attributes ``level`` (0 none,
1 cooperative, 2 coordinated, 3 integrated), ``trust`` and ``value`` (1-4).

Conventions:

- An edge whose ``level`` is 0 is a report of *no* tie and is left out of every measure.
- Measures on pairs (:func:`freeman_centralisation`, :func:`ei_index` and its test) count each
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
_ALTERNATIVES = ("two-sided", "greater", "less")


# --------------------------------------------------------------------------------------------
# Checks


def _graph(graph: object, problems: list[Problem], *, directed: bool = False) -> nx.Graph:
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


def _pairs(graph: nx.Graph) -> nx.Graph:
    """Each tied pair once (a directed graph read as the union of its reports), no self-loops."""
    pairs = nx.Graph()
    pairs.add_nodes_from(graph.nodes(data=True))
    pairs.add_edges_from((u, v) for u, v in graph.edges if u != v)
    return pairs


def _groups(graph: nx.Graph, attribute: str, problems: list[Problem]) -> dict[Hashable, Any]:
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


def _codes(groups: dict[Hashable, Any]) -> tuple[list[Any], dict[Hashable, int]]:
    """Groups sorted (by their text) and each node's group number."""
    labels = sorted(set(groups.values()), key=str)
    number = {label: i for i, label in enumerate(labels)}
    return labels, {node: number[group] for node, group in groups.items()}


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
    reports = _graph(graph, problems, directed=True)
    if how not in _HOW:
        problems.append(Problem(f"how must be one of {', '.join(_HOW)}, not {how!r}", field="how"))
    raise_if(problems, "Cannot symmetrise the network")

    combine = max if how == "union" else min
    ties = nx.Graph(**reports.graph)
    ties.add_nodes_from(reports.nodes(data=True))
    for u, v in _pairs(reports).edges:
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
    ties = _graph(graph, problems)
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
    reports = _graph(graph, problems, directed=True)
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
    pairs = _pairs(_graph(graph, problems))
    n = pairs.number_of_nodes()
    if not problems and n < 3:
        problems.append(
            Problem(f"centralisation needs at least 3 organisations, not {n}", field="graph")
        )
    raise_if(problems, "Cannot compute the centralisation")
    degrees = np.fromiter((d for _, d in pairs.degree), dtype=np.float64, count=n)
    return float((degrees.max() - degrees).sum() / ((n - 1) * (n - 2)))


# --------------------------------------------------------------------------------------------
# E-I index


@dataclass(frozen=True)
class EIIndex:
    """Krackhardt & Stern's E-I index: (external - internal) / (external + internal) ties.

    +1 when every tie crosses groups, -1 when every tie stays inside one. ``groups`` and
    ``nodes`` hold the index of each group's and each organisation's own ties, ``None`` when
    it has none.
    """

    index: float | None
    external: int
    internal: int
    expected: float | None
    groups: dict[Hashable, float | None]
    nodes: dict[Hashable, float | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "external": self.external,
            "internal": self.internal,
            "expected": self.expected,
            "groups": {str(k): v for k, v in self.groups.items()},
            "nodes": {str(k): v for k, v in self.nodes.items()},
        }


def _ei(external: int, internal: int) -> float | None:
    total = external + internal
    return (external - internal) / total if total else None


def _expected(sizes: Iterable[int]) -> float | None:
    counts = list(sizes)
    n = sum(counts)
    possible = n * (n - 1) // 2
    if possible == 0:
        return None
    internal = sum(size * (size - 1) // 2 for size in counts)
    return (possible - 2 * internal) / possible


def expected_ei(graph: nx.Graph, attribute: str = "sector") -> float | None:
    """The E-I index if ties fell at random among all pairs, given the group sizes.

    With ``n`` organisations and groups of sizes ``n_g``, ``I = sum n_g(n_g - 1)/2`` of the
    ``P = n(n - 1)/2`` possible pairs are internal, so the expected index is ``(P - 2I) / P``
    (Krackhardt & Stern 1988). ``None`` for fewer than two organisations.
    """
    problems: list[Problem] = []
    ties = _graph(graph, problems)
    groups = _groups(ties, attribute, problems)
    raise_if(problems, "Cannot compute the expected E-I index")
    return _expected(pd.Series(list(groups.values()), dtype=object).value_counts().tolist())


def ei_index(graph: nx.Graph, attribute: str = "sector") -> EIIndex:
    """E-I index of the network, of each group and of each organisation.

    Parameters
    ----------
    graph
        Network; a directed one is read as the union of its reports (each pair counted once).
    attribute
        Node attribute naming each organisation's group.

    Returns
    -------
    EIIndex
        With the expected value under random mixing (:func:`expected_ei`).
    """
    problems: list[Problem] = []
    pairs = _pairs(_graph(graph, problems))
    groups = _groups(pairs, attribute, problems)
    raise_if(problems, "Cannot compute the E-I index")

    node_counts = {node: [0, 0] for node in pairs.nodes}  # external, internal
    group_counts: dict[Hashable, list[int]] = {group: [0, 0] for group in groups.values()}
    for u, v in pairs.edges:
        side = 1 if groups[u] == groups[v] else 0
        node_counts[u][side] += 1
        node_counts[v][side] += 1
        group_counts[groups[u]][side] += 1
        if side == 0:
            group_counts[groups[v]][0] += 1
    external = sum(e for e, _ in node_counts.values()) // 2
    internal = sum(i for _, i in node_counts.values()) // 2
    sizes = pd.Series(list(groups.values()), dtype=object).value_counts().tolist()
    return EIIndex(
        index=_ei(external, internal),
        external=external,
        internal=internal,
        expected=_expected(sizes),
        groups={
            g: _ei(e, i) for g, (e, i) in sorted(group_counts.items(), key=lambda x: str(x[0]))
        },
        nodes={node: _ei(e, i) for node, (e, i) in node_counts.items()},
    )


@dataclass(frozen=True)
class EIPermutationTest:
    """The observed E-I index against the same ties with the groups shuffled over organisations.

    ``p_value`` is ``(k + 1) / (permutations + 1)`` with ``k`` the shuffles at least as extreme
    as observed: at or above it (``greater``), at or below it (``less``), or at least as far from
    the shuffles' mean (``two-sided``).
    """

    observed: float
    expected: float | None
    permuted_mean: float
    permuted_sd: float
    p_value: float
    permutations: int
    alternative: str
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "expected": self.expected,
            "permuted_mean": self.permuted_mean,
            "permuted_sd": self.permuted_sd,
            "p_value": self.p_value,
            "permutations": self.permutations,
            "alternative": self.alternative,
            "seed": self.seed,
        }


def ei_permutation_test(
    graph: nx.Graph,
    attribute: str = "sector",
    *,
    permutations: int = 1000,
    alternative: str = "two-sided",
    seed: int = 0,
) -> EIPermutationTest:
    """Is the E-I index further from random mixing than chance would put it?

    Shuffles the group labels over the organisations ``permutations`` times (keeping the ties
    and the group sizes) and counts the shuffles as extreme as the observed index.

    Parameters
    ----------
    graph
        Network; a directed one is read as the union of its reports.
    attribute
        Node attribute naming each organisation's group.
    permutations
        Number of shuffles, at least 1.
    alternative
        ``"two-sided"``, ``"greater"`` (more mixing across groups than chance) or ``"less"``
        (more clustering within groups than chance).
    seed
        Seed of the shuffles: the same seed gives the same p-value.
    """
    problems: list[Problem] = []
    pairs = _pairs(_graph(graph, problems))
    groups = _groups(pairs, attribute, problems)
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        problems.append(
            Problem(
                f"permutations must be a whole number >= 1, not {permutations!r}",
                field="permutations",
            )
        )
    if alternative not in _ALTERNATIVES:
        problems.append(
            Problem(
                f"alternative must be one of {', '.join(_ALTERNATIVES)}, not {alternative!r}",
                field="alternative",
            )
        )
    if not problems and pairs.number_of_edges() == 0:
        problems.append(Problem("the network has no ties, so no E-I index", field="graph"))
    raise_if(problems, "Cannot run the E-I permutation test")

    _, code = _codes(groups)
    index = {node: i for i, node in enumerate(pairs.nodes)}
    labels = np.fromiter((code[node] for node in pairs.nodes), dtype=np.int32)
    ends = np.array([(index[u], index[v]) for u, v in pairs.edges], dtype=np.intp)
    ties = len(ends)

    def ei_of(label_rows: np.ndarray) -> np.ndarray:
        internal = (label_rows[..., ends[:, 0]] == label_rows[..., ends[:, 1]]).sum(axis=-1)
        result: np.ndarray = (ties - 2 * internal) / ties
        return result

    observed = float(ei_of(labels))
    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.broadcast_to(labels, (permutations, len(labels))), axis=1)
    null = ei_of(shuffled)
    mean = float(null.mean())
    if alternative == "greater":
        extreme = int((null >= observed - 1e-12).sum())
    elif alternative == "less":
        extreme = int((null <= observed + 1e-12).sum())
    else:
        extreme = int((np.abs(null - mean) >= abs(observed - mean) - 1e-12).sum())
    sizes = np.bincount(labels).tolist()
    return EIPermutationTest(
        observed=observed,
        expected=_expected(sizes),
        permuted_mean=mean,
        permuted_sd=float(null.std()),
        p_value=(extreme + 1) / (permutations + 1),
        permutations=permutations,
        alternative=alternative,
        seed=seed,
    )


# --------------------------------------------------------------------------------------------
# Groups and brokers


def block_densities(graph: nx.Graph, attribute: str = "sector") -> pd.DataFrame:
    """Density of ties from each group (rows) to each group (columns).

    Ties between two groups over the possible ones (``n_g * n_h``; ``n_g(n_g - 1)`` inside a
    group; halved for undirected ties inside a group). A directed graph keeps direction: the
    row is the reporting side. NaN inside a group of one organisation (no possible tie).
    """
    problems: list[Problem] = []
    ties = _graph(graph, problems)
    groups = _groups(ties, attribute, problems)
    raise_if(problems, "Cannot compute the block densities")
    labels, code = _codes(groups)
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
    reports = _graph(graph, problems, directed=True)
    groups = _groups(reports, attribute, problems)
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
    ties = _graph(graph, problems)
    raise_if(problems, "Cannot compute constraint and effective size")
    return pd.DataFrame(
        {
            "constraint": pd.Series(nx.constraint(ties), dtype=float),
            "effective_size": pd.Series(nx.effective_size(ties), dtype=float),
        },
        index=pd.Index(list(ties.nodes), name="organisation"),
    )

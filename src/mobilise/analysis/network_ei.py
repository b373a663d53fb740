"""The E-I index of a partnership network: how far its ties cross group lines, against what
random mixing would give and against shuffles of the groups.

Krackhardt & Stern's E-I index is ``(E - I) / (E + I)`` over the ties between organisations
(``E`` external: the two in different groups; ``I`` internal), from -1 (every tie stays inside a
group) to +1 (every tie crosses groups). It is counted on pairs: a directed graph is read as the
union of its reports, each pair of organisations once, and reports at level 0 (no tie) are left
out, as everywhere in :mod:`mobilise.analysis.network` (which re-exports this module's names).

References: Krackhardt & Stern (1988) for the index and its expected value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.analysis._network_checks import group_codes, groups_of, pair_graph, tie_reports
from mobilise.errors import Problem

__all__ = ["EIIndex", "EIPermutationTest", "ei_index", "ei_permutation_test", "expected_ei"]

_ALTERNATIVES = ("two-sided", "greater", "less")
_TOLERANCE = 1e-12  # a shuffle that equals the observed index counts as extreme


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
    ties = tie_reports(graph, problems)
    groups = groups_of(ties, attribute, problems)
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
    pairs = pair_graph(tie_reports(graph, problems))
    groups = groups_of(pairs, attribute, problems)
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
    pairs = pair_graph(tie_reports(graph, problems))
    groups = groups_of(pairs, attribute, problems)
    problems.extend(_test_problems(permutations, alternative))
    if not problems and pairs.number_of_edges() == 0:
        problems.append(Problem("the network has no ties, so no E-I index", field="graph"))
    raise_if(problems, "Cannot run the E-I permutation test")

    _, code = group_codes(groups)
    labels = np.fromiter((code[node] for node in pairs.nodes), dtype=np.int32)
    observed, null = _shuffled_ei(pairs, labels, permutations=permutations, seed=seed)
    mean = float(null.mean())
    if alternative == "greater":
        extreme = int((null >= observed - _TOLERANCE).sum())
    elif alternative == "less":
        extreme = int((null <= observed + _TOLERANCE).sum())
    else:
        extreme = int((np.abs(null - mean) >= abs(observed - mean) - _TOLERANCE).sum())
    return EIPermutationTest(
        observed=observed,
        expected=_expected(np.bincount(labels).tolist()),
        permuted_mean=mean,
        permuted_sd=float(null.std()),
        p_value=(extreme + 1) / (permutations + 1),
        permutations=permutations,
        alternative=alternative,
        seed=seed,
    )


def _test_problems(permutations: object, alternative: object) -> list[Problem]:
    problems = []
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
    return problems


def _shuffled_ei(
    pairs: nx.Graph, labels: np.ndarray, *, permutations: int, seed: int
) -> tuple[float, np.ndarray]:
    """The observed index of the pairs under ``labels`` (each node's group number, in graph
    order), and the index under each of ``permutations`` seeded shuffles of the labels."""
    index = {node: i for i, node in enumerate(pairs.nodes)}
    ends = np.array([(index[u], index[v]) for u, v in pairs.edges], dtype=np.intp)
    ties = len(ends)

    def ei_of(label_rows: np.ndarray) -> np.ndarray:
        internal = (label_rows[..., ends[:, 0]] == label_rows[..., ends[:, 1]]).sum(axis=-1)
        result: np.ndarray = (ties - 2 * internal) / ties
        return result

    rng = np.random.default_rng(seed)
    shuffled = rng.permuted(np.broadcast_to(labels, (permutations, len(labels))), axis=1)
    return float(ei_of(labels)), ei_of(shuffled)

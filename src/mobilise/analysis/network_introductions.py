"""Introductions that would close a gap between sectors: pairs of partners not yet tied, in
groups with few ties between them, ranked by the partners they already share.

One round's network is a directed graph of reports (or an undirected graph of ties); a report
at level 0 is no tie. :mod:`mobilise.analysis.network_change` re-exports
:func:`suggest_introductions`.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Iterable
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from mobilise.analysis._checks import raise_if
from mobilise.analysis._network_checks import by_id, groups_of, pair_graph, tie_reports
from mobilise.errors import Problem
from mobilise.model.partner_vocab import sector_label

__all__ = ["suggest_introductions"]

_SUGGESTION_COLUMNS = ["a", "b", "sector_a", "sector_b", "sector_density", "shared_partners"]
_SUGGESTION_COLUMNS += ["introducers", "reason"]

Pair = tuple[Hashable, Hashable]
Gap = frozenset[Any]  # the two groups of a pair


def suggest_introductions(
    graph: nx.Graph, *, attribute: str = "sector", limit: int = 10
) -> pd.DataFrame:
    """New ties worth brokering across the thinnest gaps between sectors.

    Candidates are pairs of partners in different groups with no tie reported either way.
    They are ranked by (1) the density of ties between their two groups (undirected ties over
    the ``n_g * n_h`` possible; empty gaps first), (2) the number of partners both already
    work with, who could introduce them, and (3) their ids. Pairs with a partner in common
    come before pairs without one. No group pair gets more than ``max(2, limit // 3)``
    suggestions, so the list spans several gaps.

    Parameters
    ----------
    graph
        One round's network (directed reports, or undirected ties); level-0 reports are not
        ties.
    attribute
        Node attribute naming each partner's group. For ``"sector"``, known sector codes are
        shown by their labels in the reasons.
    limit
        The most suggestions to return, at least 1.

    Returns
    -------
    pandas.DataFrame
        Columns a, b (a before b by id), sector_a, sector_b, sector_density,
        shared_partners, introducers (up to three shared partners, the most trusted first:
        the mean trust of the reports about them) and reason (a plain-English sentence).
    """
    problems: list[Problem] = []
    ties = tie_reports(graph, problems)
    groups = groups_of(ties, attribute, problems)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        problems.append(Problem(f"limit must be a whole number >= 1, not {limit!r}", field="limit"))
    raise_if(problems, "Cannot suggest introductions")

    pairs = pair_graph(ties)
    gaps = _Gaps(pairs, groups, cap=max(2, limit // 3))
    shared = _shared_partners(pairs, groups)
    chosen: list[Pair] = []
    gaps.take(gaps.ranked(shared), chosen, limit)
    if len(chosen) < limit:  # pairs without a shared partner, thinnest gaps first
        gaps.take(gaps.without_shared(pairs, shared, limit - len(chosen)), chosen, limit)

    trust = _trust_received(ties)
    rows = []
    for a, b in chosen:
        together = set(pairs[a]) & set(pairs[b]) if (a, b) in shared else set()
        middles = sorted(together, key=lambda m: (-trust[m], str(m)))
        share, n, possible = gaps.density[gaps.of(a, b)]
        labels = (_group_label(groups[a], attribute), _group_label(groups[b], attribute))
        rows.append(
            {
                "a": a,
                "b": b,
                "sector_a": groups[a],
                "sector_b": groups[b],
                "sector_density": share,
                "shared_partners": len(middles),
                "introducers": middles[:3],
                "reason": _reason(labels, n, possible, len(middles)),
            }
        )
    suggestions = pd.DataFrame(rows, columns=_SUGGESTION_COLUMNS)
    suggestions["sector_density"] = suggestions["sector_density"].astype(float)
    suggestions["shared_partners"] = suggestions["shared_partners"].astype(int)
    return suggestions


class _Gaps:
    """The groups' members, the density of ties between each two groups, and how many
    suggestions each gap has had (at most ``cap``)."""

    def __init__(self, pairs: nx.Graph, groups: dict[Hashable, Any], *, cap: int) -> None:
        self.groups = groups
        self.cap = cap
        self.members: dict[Any, list[Hashable]] = {}
        for node in by_id(pairs.nodes):
            self.members.setdefault(groups[node], []).append(node)
        between: Counter[Gap] = Counter(
            frozenset((groups[u], groups[v])) for u, v in pairs.edges if groups[u] != groups[v]
        )
        self.density: dict[Gap, tuple[float, int, int]] = {}
        for g, h in combinations(sorted(self.members, key=str), 2):
            possible = len(self.members[g]) * len(self.members[h])
            n = between[frozenset((g, h))]
            self.density[frozenset((g, h))] = (n / possible, n, possible)
        self.used: Counter[Gap] = Counter()

    def of(self, a: Hashable, b: Hashable) -> Gap:
        return frozenset((self.groups[a], self.groups[b]))

    def ranked(self, shared: dict[Pair, int]) -> list[Pair]:
        """The pairs with partners in common, thinnest gap first, then most shared partners."""
        # Only the first `cap` pairs of a gap can be chosen, so each gap's shortlist is enough to
        # rank (sorting all ~100,000 candidate pairs of a large network took a second).
        by_gap: dict[Gap, list[Pair]] = {}
        for ab in shared:
            by_gap.setdefault(self.of(*ab), []).append(ab)
        shortlist = [
            ab
            for candidates in by_gap.values()
            for ab in heapq.nsmallest(
                self.cap, candidates, key=lambda ab: (-shared[ab], str(ab[0]), str(ab[1]))
            )
        ]
        return sorted(
            shortlist,
            key=lambda ab: (self.density[self.of(*ab)][0], -shared[ab], str(ab[0]), str(ab[1])),
        )

    def without_shared(self, pairs: nx.Graph, shared: dict[Pair, int], need: int) -> list[Pair]:
        """Untied pairs with no partner in common, thinnest gaps first, until ``need`` are
        found (each gap giving no more than its room left)."""
        loners: list[Pair] = []
        for level in sorted({d for d, _, _ in self.density.values()}):
            for key in (k for k, (d, _, _) in self.density.items() if d == level):
                g, h = tuple(key)
                room = self.cap - self.used[key]
                found = sorted(
                    (
                        (min(x, y, key=str), max(x, y, key=str))
                        for x in self.members[g]
                        for y in self.members[h]
                        if not pairs.has_edge(x, y)
                        and (min(x, y, key=str), max(x, y, key=str)) not in shared
                    ),
                    key=lambda ab: (str(ab[0]), str(ab[1])),
                )
                loners.extend(found[: max(room, 0)])
            if len(loners) >= need:
                break
        return sorted(
            loners, key=lambda ab: (self.density[self.of(*ab)][0], str(ab[0]), str(ab[1]))
        )

    def take(self, candidates: Iterable[Pair], chosen: list[Pair], limit: int) -> None:
        """Add ``candidates`` to ``chosen`` in order, up to ``limit`` and ``cap`` per gap."""
        for a, b in candidates:
            if len(chosen) >= limit:
                return
            if self.used[self.of(a, b)] < self.cap:
                self.used[self.of(a, b)] += 1
                chosen.append((a, b))


def _shared_partners(pairs: nx.Graph, groups: dict[Hashable, Any]) -> dict[Pair, int]:
    """Pairs not yet tied, in different groups, with partners in common: how many. The common
    neighbours are counted for every pair at once (A @ A), not pair by pair."""
    ordered = by_id(pairs.nodes)
    if not ordered:  # a round without ties: nobody to introduce
        return {}
    code = {group: i for i, group in enumerate(sorted(set(groups.values()), key=str))}
    codes = np.array([code[groups[node]] for node in ordered], dtype=np.int64)
    adjacency = nx.to_scipy_sparse_array(pairs, nodelist=ordered, weight=None, format="csr")
    adjacency.data[:] = 1
    common = adjacency @ adjacency
    common = sp.triu(common - common.multiply(adjacency), k=1).tocoo()
    keep = (common.data > 0) & (codes[common.row] != codes[common.col])
    return {
        (ordered[r], ordered[c]): int(n)
        for r, c, n in zip(common.row[keep], common.col[keep], common.data[keep], strict=True)
    }


def _group_label(value: Any, attribute: str) -> str:
    return sector_label(value) if attribute == "sector" else str(value)


def _trust_received(graph: nx.Graph) -> dict[Hashable, float]:
    """Mean ``trust`` of the reports about each partner (all its ties when undirected)."""
    scores: dict[Hashable, list[float]] = {node: [] for node in graph.nodes}
    for u, v, trust in graph.edges(data="trust"):
        if trust is None or u == v:
            continue
        scores[v].append(float(trust))
        if not graph.is_directed():
            scores[u].append(float(trust))
    return {node: sum(xs) / len(xs) if xs else -math.inf for node, xs in scores.items()}


def _reason(gap: tuple[str, str], ties: int, possible: int, shared: int) -> str:
    tied = "no ties" if ties == 0 else "1 tie" if ties == 1 else f"{ties} ties"
    text = f"{gap[0]} and {gap[1]} partners have {tied} out of {possible} possible "
    text += f"({ties / possible:.0%})."
    if shared == 0:
        return text + " They have no partner in common yet."
    partners = "1 partner" if shared == 1 else f"{shared} partners"
    return text + f" Both work with {partners} already, who could introduce them."

"""Feedback loops of a participatory systems map: found, classified and ranked.

:func:`feedback_loops` lists the simple cycles of the map (NetworkX ``simple_cycles`` in each
strongly connected component that has one), told apart by link: two parallel links A->B and one
B->A make two loops. A loop is *reinforcing*, *balancing* or *undetermined* (:data:`LOOP_KINDS`).
The search is bounded by length, count and time, and says when it was cut. :func:`rank_loops`
orders loops by length, focus or strength (:data:`LOOP_RANKINGS`).

The map is the NetworkX graph of :meth:`mobilise.model.causal_map.CausalMap.to_graph`; a loop's
factors start at its smallest id (as text). :mod:`mobilise.analysis.systems` re-exports these
names with the other analyses of a map.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.analysis._graph import (
    _choice,
    _count,
    _deadline,
    _ids,
    _listed,
    _map_graph,
    _plain,
    _positive,
    _simple,
    _stop,
    _Table,
    _texts,
)
from mobilise.errors import Problem

__all__ = ["LOOP_KINDS", "LOOP_RANKINGS", "Loop", "LoopReport", "feedback_loops", "rank_loops"]

LOOP_KINDS: Mapping[str, str] = {
    "reinforcing": "the product of the link signs is +: a change goes round and amplifies itself",
    "balancing": "the product of the link signs is -: a change goes round and counteracts itself",
    "undetermined": "a link's polarity is unknown, so what the loop does cannot be said",
}
"""Each kind of feedback loop and its meaning."""

LOOP_RANKINGS: Mapping[str, str] = {
    "length": "shortest first",
    "focus": "most outcome and intervention factors first, then shortest",
    "strength": "strongest first (product of |weight|), loops of unknown strength last",
}
"""The orders of :func:`rank_loops`; ties are broken by factor ids, then link ids."""


@dataclass(frozen=True)
class Loop:
    """A feedback loop: ``factors`` in order from the smallest id, ``links`` from each to the
    next and from the last back to the first; ``length`` in links.

    ``kind`` is one of :data:`LOOP_KINDS`; ``delays`` counts its delayed links; ``outcomes`` and
    ``interventions`` count its factors of those kinds; ``strength`` is the product of the
    links' absolute weights, or ``None`` when a link has none.
    """

    id: str
    kind: str
    length: int
    factors: tuple[str, ...]
    labels: tuple[str, ...]
    links: tuple[str, ...]
    delays: int
    outcomes: int
    interventions: int
    strength: float | None

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class LoopReport:
    """The loops of :func:`feedback_loops` in ``ranked_by`` order; ``truncated`` when the
    search stopped early, ``reason`` then ``"max_loops"`` or ``"time_budget"``."""

    loops: tuple[Loop, ...]
    truncated: bool
    reason: str | None
    max_length: int | None
    through: tuple[str, ...]
    ranked_by: str

    @property
    def counts(self) -> dict[str, int]:
        """How many loops of each kind of :data:`LOOP_KINDS` (zeros included)."""
        found = Counter(loop.kind for loop in self.loops)
        return {kind: found[kind] for kind in LOOP_KINDS}

    def to_frame(self) -> pd.DataFrame:
        """One row per loop, indexed by loop id."""
        rows = [loop.to_dict() for loop in self.loops]
        return pd.DataFrame(rows, columns=list(Loop.__dataclass_fields__)).set_index("id")

    def to_dict(self, *, limit: int | None = None) -> dict[str, Any]:
        """Plain JSON; ``limit`` lists only the first loops (``total`` and counts are of all)."""
        return _listed(self, "loops", limit, counts=self.counts)


def feedback_loops(
    graph: nx.MultiDiGraph,
    *,
    max_length: int | None = None,
    max_loops: int | None = 10_000,
    time_budget_s: float | None = 1.0,
    through: Hashable | Iterable[Hashable] | None = None,
    rank_by: str = "length",
) -> LoopReport:
    """The feedback loops of a map, classified and ranked.

    Parameters
    ----------
    graph
        The map (:meth:`CausalMap.to_graph`).
    max_length
        Longest loop to look for, in links (``None``: any). A self-loop has length 1.
    max_loops
        Stop after this many loops (``None``: no limit), counted by link: a cycle of factors
        with parallel links gives several.
    time_budget_s
        Stop after about this many seconds (``None``: no limit). With ``max_length`` the search
        reads the clock as it goes; without it (NetworkX's unbounded search) the clock is read
        between loops found, so a search finding none for a long while can overrun.
    through
        A factor id or several: only the loops through at least one of them. They are found as
        the simple paths from each back to itself inside its strongly connected component, so
        no time goes on loops elsewhere in the map.
    rank_by
        The order of the loops and of their ids ``L1``, ``L2``...: one of :data:`LOOP_RANKINGS`.

    Raises
    ------
    ValidationError
        Naming every problem: not a directed graph, bad bounds, factors of ``through`` not in
        the map, an unknown ``rank_by``.
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    _count(max_length, "max_length", problems)
    _count(max_loops, "max_loops", problems)
    _positive(time_budget_s, "time_budget_s", problems)
    focus = _ids(multi, through, "through", problems)
    _choice(rank_by, LOOP_RANKINGS, "rank_by", problems)
    raise_if(problems, "Cannot find feedback loops")

    deadline, table = _deadline(time_budget_s), _Table(multi)
    found: list[Loop] = []
    reason: str | None = None
    try:
        for cycle in _cycles(multi, max_length, focus, deadline):
            texts = list(map(str, cycle))
            first = texts.index(min(texts))
            nodes = cycle[first:] + cycle[:first]
            for chain in table.chains(nodes, closed=True):
                reason = _stop(deadline, len(found), max_loops, "max_loops")
                if reason:
                    break
                found.append(_loop(table, nodes, *chain))
            if reason:
                break
    except _OutOfTime:
        reason = "time_budget"
    ranked = rank_loops(found, by=rank_by)
    numbered = [Loop(**{**vars(loop), "id": f"L{n}"}) for n, loop in enumerate(ranked, 1)]
    return LoopReport(tuple(numbered), reason is not None, reason, max_length, focus, rank_by)


class _OutOfTime(Exception):
    """The loop search ran past its time budget."""


def _bounded_cycles(graph: nx.DiGraph, max_length: int, deadline: float) -> Iterator[list[Any]]:
    """The simple cycles of at most ``max_length`` links, by a depth-first search from each
    factor through later factors only (so each cycle is found once, from its first factor),
    reading the clock as it goes: unlike NetworkX's search, it stops on time even when it finds
    no cycle for a long while (raises :class:`_OutOfTime`)."""
    nodes = sorted(graph, key=str)
    order = {node: position for position, node in enumerate(nodes)}
    successors = {node: list(graph.successors(node)) for node in nodes}
    steps = 0
    for start in nodes:
        first = order[start]
        path, on_path = [start], {start}
        stack = [iter(successors[start])]
        while stack:
            steps += 1
            if steps % 512 == 0 and time.perf_counter() > deadline:
                raise _OutOfTime
            for following in stack[-1]:
                if following == start:
                    yield list(path)
                elif (
                    order[following] > first and following not in on_path and len(path) < max_length
                ):
                    path.append(following)
                    on_path.add(following)
                    stack.append(iter(successors[following]))
                    break
            else:
                stack.pop()
                on_path.discard(path.pop())


def _cycles(
    graph: nx.MultiDiGraph, max_length: int | None, focus: Sequence[Any], deadline: float
) -> Iterator[list[Any]]:
    """Simple cycles of factors (parallel links not yet told apart)."""
    simple = _simple(graph)
    components = [
        component
        for component in nx.strongly_connected_components(simple)
        if len(component) > 1 or any(simple.has_edge(node, node) for node in component)
    ]
    if not focus:
        for component in components:
            # on a copy: NetworkX searches a subgraph view several times slower
            part = simple.subgraph(component).copy()
            if max_length is None:
                yield from nx.simple_cycles(part)
            else:
                yield from _bounded_cycles(part, max_length, deadline)
        return
    component_of = {node: component for component in components for node in component}
    done: set[Any] = set()
    for start in focus:
        if start not in component_of:
            continue  # on no loop
        if simple.has_edge(start, start):
            yield [start]
        # Loops through an earlier focus factor were found from it: leave it out here.
        inside = simple.subgraph(component_of[start] - done).copy()
        cutoff = None if max_length is None else max_length - 1
        for successor in inside.successors(start):
            if successor != start and cutoff != 0:
                for path in nx.all_simple_paths(inside, successor, start, cutoff=cutoff):
                    yield [start, *path[:-1]]
        done.add(start)


def _loop(
    table: _Table,
    nodes: list[Any],
    links: tuple[Any, ...],
    sign: str,
    delays: int,
    strength: float | None,
) -> Loop:
    kinds = [table.kinds[node] for node in nodes]
    return Loop(
        id="",
        kind={"+": "reinforcing", "-": "balancing"}.get(sign, "undetermined"),
        length=len(links),
        factors=tuple(nodes),
        labels=tuple(table.labels[node] for node in nodes),
        links=links,
        delays=delays,
        outcomes=kinds.count("outcome"),
        interventions=kinds.count("intervention"),
        strength=strength,
    )


def rank_loops(loops: Iterable[Loop], *, by: str = "length") -> tuple[Loop, ...]:
    """Loops in the order ``by`` (one of :data:`LOOP_RANKINGS`), their ids kept. Ties are
    broken by factor ids, then link ids (as text), so the order is total."""
    problems: list[Problem] = []
    _choice(by, LOOP_RANKINGS, "by", problems)
    raise_if(problems, "Cannot rank loops")
    first: dict[str, Callable[[Loop], tuple[Any, ...]]] = {
        "length": lambda loop: (),
        "focus": lambda loop: (-(loop.outcomes + loop.interventions),),
        "strength": lambda loop: (loop.strength is None, -(loop.strength or 0.0)),
    }
    return tuple(
        sorted(
            loops,
            key=lambda loop: (
                *first[by](loop),
                loop.length,
                _texts(loop.factors),
                _texts(loop.links),
            ),
        )
    )

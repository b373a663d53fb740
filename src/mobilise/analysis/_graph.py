"""Reading a systems map's graph and checking options: helpers shared by :mod:`systems`,
:mod:`system_paths`, :mod:`fcm` and :mod:`map_compare` (private)."""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

from mobilise.analysis._checks import named
from mobilise.errors import Problem

__all__ = ["link_sign"]

# --------------------------------------------------------------------------------------------
# The graph, its links, and checks shared with fcm.py and map_compare.py


def _map_graph(graph: object, problems: list[Problem], name: str = "graph") -> nx.MultiDiGraph:
    """The map as a multi-digraph (a DiGraph's links keyed ``"u->v"``); empty after a problem."""
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    if isinstance(graph, nx.DiGraph):
        multi = nx.MultiDiGraph(**graph.graph)
        multi.add_nodes_from(graph.nodes(data=True))
        multi.add_edges_from((u, v, f"{u}->{v}", data) for u, v, data in graph.edges(data=True))
        return multi
    message = f"{name} must be a directed NetworkX graph (CausalMap.to_graph()), not "
    problems.append(Problem(message + type(graph).__name__, field=name))
    return nx.MultiDiGraph()


def link_sign(data: Mapping[str, Any]) -> int:
    """+1, -1 or 0 (unknown) from a link's attributes: its ``sign``, else its ``polarity``,
    else the sign of its ``weight``."""
    sign = data.get("sign")
    if sign in (1, -1, 0) and not isinstance(sign, bool):
        return int(sign)
    if data.get("polarity") in ("+", "-"):
        return 1 if data["polarity"] == "+" else -1
    weight = _weight(data)
    return 0 if not weight else (1 if weight > 0 else -1)


def _weight(data: Mapping[str, Any]) -> float | None:
    weight = data.get("weight")
    if isinstance(weight, int | float) and not isinstance(weight, bool) and math.isfinite(weight):
        return float(weight)
    return None


def _label(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("label", node))


def _kind(graph: nx.MultiDiGraph, node: Any) -> str:
    return str(graph.nodes[node].get("kind", "other"))


def _texts(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(map(str, values))


def _simple(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """The map's factors and links without attributes, parallel links made one."""
    simple = nx.DiGraph()
    simple.add_nodes_from(graph)
    simple.add_edges_from(graph.edges())
    return simple


def _ids(graph: nx.MultiDiGraph, given: Any, name: str, problems: list[Problem]) -> tuple[Any, ...]:
    """Factor ids from one id or several (in order, once each); unknown ones are a problem."""
    if given is None:
        return ()
    if isinstance(given, str) or not isinstance(given, Iterable):
        given = [given]
    ids = tuple(dict.fromkeys(given))
    missing = [factor for factor in ids if factor not in graph]
    if missing:
        problems.append(
            Problem(f"{name} names factors not in the map: {named(missing)}", field=name)
        )
    return ids


def _count(
    value: object, name: str, problems: list[Problem], *, smallest: int = 1, none: bool = True
) -> None:
    if (value is None and not none) or (
        value is not None and (type(value) is not int or value < smallest)
    ):
        message = f"{name} must be a whole number >= {smallest}{' or None' * none}, not {value!r}"
        problems.append(Problem(message, field=name))


def _positive(value: object, name: str, problems: list[Problem], *, none: bool = True) -> None:
    if (value is None and none) or (
        isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf
    ):
        return
    problems.append(Problem(f"{name} must be a number > 0, not {value!r}", field=name))


def _choice(value: object, choices: Iterable[str], name: str, problems: list[Problem]) -> None:
    options = list(choices)
    if value not in options:
        listed = ", ".join(repr(option) for option in options)
        problems.append(Problem(f"{name} must be one of {listed}, not {value!r}", field=name))


def _deadline(time_budget_s: float | None) -> float:
    return math.inf if time_budget_s is None else time.perf_counter() + time_budget_s


def _stop(deadline: float, kept: int, limit: int | None, at_limit: str) -> str | None:
    """Why a bounded search stops before keeping one more result: ``"time_budget"`` past its
    deadline, ``at_limit`` (``"max_loops"``, ``"max_paths"``) with ``limit`` kept, else None."""
    if time.perf_counter() > deadline:
        return "time_budget"
    if limit is not None and kept >= limit:
        return at_limit
    return None


_Fact = tuple[Any, int, "float | None", bool]  # link id, sign, weight, delayed


class _Table:
    """The map's links by pair of factors, and its factors' labels and kinds, read once: a
    search touches them for every step of every loop or path (NetworkX views are slow)."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.labels = {node: str(data.get("label", node)) for node, data in graph.nodes(data=True)}
        self.kinds = {node: str(data.get("kind", "other")) for node, data in graph.nodes(data=True)}
        self.links: dict[tuple[Any, Any], list[_Fact]] = {}
        for u, v, key, data in graph.edges(keys=True, data=True):
            fact = (key, link_sign(data), _weight(data), bool(data.get("delay")))
            self.links.setdefault((u, v), []).append(fact)
        for facts in self.links.values():
            facts.sort(key=lambda fact: str(fact[0]))

    def chains(
        self, nodes: Sequence[Any], *, closed: bool
    ) -> Iterator[tuple[tuple[Any, ...], str, int, float | None]]:
        """Each choice of one link per step along ``nodes`` (back to the first if ``closed``):
        its link ids, net sign (``"+"``, ``"-"``, ``"?"``), delayed links and strength."""
        steps = list(zip(nodes, [*nodes[1:], nodes[0]], strict=True))[: None if closed else -1]
        for choice in itertools.product(*(self.links[step] for step in steps)):
            signs = [fact[1] for fact in choice]
            sign = "?" if 0 in signs else ("+" if math.prod(signs) > 0 else "-")
            weights = [fact[2] for fact in choice]
            strength = None if None in weights else math.prod(abs(w) for w in weights)  # type: ignore[arg-type]
            delays = sum(fact[3] for fact in choice)
            yield tuple(fact[0] for fact in choice), sign, delays, strength


def _plain(record: Any, skip: str = "") -> dict[str, Any]:
    """A dataclass's fields as JSON, tuples as lists, but the field ``skip``."""
    fields = [name for name in record.__dataclass_fields__ if name != skip]
    values = {name: getattr(record, name) for name in fields}
    return {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()}


def _listed(report: Any, items: str, limit: int | None, **more: Any) -> dict[str, Any]:
    """A report of loops or paths as JSON: its fields, the ``total`` number of its ``items``,
    ``more`` fields, then the first ``limit`` items (all for ``None``)."""
    found = getattr(report, items)
    shown = found if limit is None else found[:limit]
    return _plain(report, skip=items) | {
        "total": len(found),
        **more,
        items: [item.to_dict() for item in shown],
    }

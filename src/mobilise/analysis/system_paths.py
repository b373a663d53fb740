"""Causal paths of a systems map from interventions to outcomes: each path's net sign, what each
intervention does to each outcome, and which interventions pull an outcome in opposite
directions.

Takes the graph of :meth:`mobilise.model.causal_map.CausalMap.to_graph`, as
:mod:`mobilise.analysis.systems` does (which re-exports these names).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.analysis._graph import (
    _count,
    _deadline,
    _ids,
    _kind,
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

__all__ = ["Path", "PathReport", "conflicts", "intervention_effects", "intervention_paths"]

# --------------------------------------------------------------------------------------------
# Paths from interventions to outcomes


@dataclass(frozen=True)
class Path:
    """A causal chain from ``source`` to ``target``: ``factors`` in order, the ``links``
    between them and its ``length`` in links. ``sign`` is the product of the link signs,
    ``"+"`` or ``"-"``, or ``"ambiguous"`` when a link's polarity is unknown; ``delays`` counts
    its delayed links."""

    id: str
    source: str
    target: str
    sign: str
    length: int
    factors: tuple[str, ...]
    labels: tuple[str, ...]
    links: tuple[str, ...]
    delays: int

    def to_dict(self) -> dict[str, Any]:
        return _plain(self) | {"source_label": self.labels[0], "target_label": self.labels[-1]}


@dataclass(frozen=True)
class PathReport:
    """The paths of :func:`intervention_paths`, sorted by source, target, length and ids.

    ``incomplete`` names the sources whose paths may be missing some (cut by ``max_paths``, or
    not finished in time); ``reason`` is then ``"max_paths"`` or ``"time_budget"``.
    """

    paths: tuple[Path, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    max_length: int
    incomplete: tuple[str, ...]
    reason: str | None

    @property
    def truncated(self) -> bool:
        return bool(self.incomplete)

    def to_frame(self) -> pd.DataFrame:
        """One row per path, indexed by path id."""
        columns = [*Path.__dataclass_fields__, "source_label", "target_label"]
        return pd.DataFrame([p.to_dict() for p in self.paths], columns=columns).set_index("id")

    def to_dict(self, *, limit: int | None = None) -> dict[str, Any]:
        """Plain JSON; ``limit`` lists only the first paths (``total`` is of all)."""
        return _listed(self, "paths", limit, truncated=self.truncated)


def intervention_paths(
    graph: nx.MultiDiGraph,
    *,
    sources: Hashable | Iterable[Hashable] | None = None,
    targets: Hashable | Iterable[Hashable] | None = None,
    max_length: int = 6,
    max_paths: int | None = 1_000,
    time_budget_s: float | None = None,
) -> PathReport:
    """The simple causal paths from interventions to outcomes, with their net sign.

    Parameters
    ----------
    graph
        The map.
    sources, targets
        Factor ids; by default the factors of kind ``"intervention"`` and ``"outcome"``. A path
        may pass through other sources and targets; no factor is a path to itself.
    max_length
        Longest path, in links.
    max_paths
        Most paths kept from each source (``None``: no limit); a source cut short is named in
        ``incomplete``. Each choice among parallel links is a path of its own.
    time_budget_s
        Stop after about this many seconds (``None``: no limit).
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    starts = _ids(multi, sources, "sources", problems)
    ends = _ids(multi, targets, "targets", problems)
    _count(max_length, "max_length", problems, none=False)
    _count(max_paths, "max_paths", problems)
    _positive(time_budget_s, "time_budget_s", problems)
    raise_if(problems, "Cannot find paths")
    if sources is None:
        starts = tuple(node for node in multi if _kind(multi, node) == "intervention")
    if targets is None:
        ends = tuple(node for node in multi if _kind(multi, node) == "outcome")

    simple, deadline, table = _simple(multi), _deadline(time_budget_s), _Table(multi)
    found: list[Path] = []
    incomplete: list[Any] = []
    reason: str | None = None
    for start in starts:
        goals = set(ends) - {start}
        if not goals or reason == "time_budget":
            incomplete += [start] if goals else []
            continue
        paths, cut = _paths_from(simple, table, start, goals, max_length, max_paths, deadline)
        found += paths
        if cut:
            reason = cut
            incomplete.append(start)

    order = {node: number for number, node in enumerate(starts)}
    position = {node: number for number, node in enumerate(ends)}
    found.sort(
        key=lambda path: (
            order[path.source],
            position[path.target],
            path.length,
            _texts(path.factors),
            _texts(path.links),
        )
    )
    numbered = tuple(replace(path, id=f"P{n}") for n, path in enumerate(found, start=1))
    return PathReport(numbered, starts, ends, max_length, tuple(dict.fromkeys(incomplete)), reason)


def _paths_from(
    simple: nx.DiGraph,
    table: _Table,
    start: Any,
    goals: set[Any],
    max_length: int,
    max_paths: int | None,
    deadline: float,
) -> tuple[list[Path], str | None]:
    """The paths from ``start`` to any of ``goals`` (unnumbered), and why the search was cut
    (``"max_paths"`` or ``"time_budget"``; None when it was not)."""
    found: list[Path] = []
    for nodes in nx.all_simple_paths(simple, start, goals, cutoff=max_length):
        labels = tuple(table.labels[node] for node in nodes)
        for links, sign, delays, _ in table.chains(nodes, closed=False):
            cut = _stop(deadline, len(found), max_paths, "max_paths")
            if cut:
                return found, cut
            sign = "ambiguous" if sign == "?" else sign
            found.append(
                Path("", start, nodes[-1], sign, len(links), tuple(nodes), labels, links, delays)
            )
    return found, None


def intervention_effects(paths: PathReport) -> pd.DataFrame:
    """What each intervention does to each outcome it reaches, from its paths.

    ``effect`` is ``"+"`` or ``"-"`` when every path has that sign, ``"mixed"`` when some paths
    raise the outcome and others lower it (a conflict within the intervention), and
    ``"unknown"`` otherwise (an ambiguous path and no opposite signs). Columns: ids and labels
    of both, the number of ``paths`` and of each sign, the ``shortest`` path (links) and
    ``complete`` (False when the intervention's paths were cut short). Pairs without a path are
    left out.
    """
    columns = [
        "intervention", "intervention_label", "outcome", "outcome_label", "paths", "positive",
        "negative", "ambiguous", "shortest", "effect", "complete",
    ]  # fmt: skip
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths.paths:
        row = rows.setdefault(
            (path.source, path.target),
            dict.fromkeys(columns, 0)
            | {
                "intervention": path.source,
                "intervention_label": path.labels[0],
                "outcome": path.target,
                "outcome_label": path.labels[-1],
                "shortest": path.length,
                "complete": path.source not in paths.incomplete,
            },
        )
        row["paths"] += 1
        row[{"+": "positive", "-": "negative"}.get(path.sign, "ambiguous")] += 1
        row["shortest"] = min(row["shortest"], path.length)
    for row in rows.values():
        if row["positive"] and row["negative"]:
            row["effect"] = "mixed"
        else:
            row["effect"] = "unknown" if row["ambiguous"] else "+" if row["positive"] else "-"
    return pd.DataFrame(list(rows.values()), columns=columns)


def conflicts(effects: pd.DataFrame) -> pd.DataFrame:
    """Pairs of interventions whose effects on the same outcome have opposite signs.

    From :func:`intervention_effects`: one row per outcome and pair (``intervention_a`` listed
    first there), with ids, labels and each one's ``effect`` (``"+"`` or ``"-"``). Mixed and
    unknown effects are not counted here: the effects table shows them.
    """
    keep = ["intervention", "intervention_label", "effect"]
    columns = ["outcome", "outcome_label"]
    for side in "ab":
        columns += [f"intervention_{side}", f"intervention_{side}_label", f"effect_{side}"]
    rows = []
    signed = effects[effects["effect"].isin(["+", "-"])]
    for outcome, group in signed.groupby("outcome", sort=False):
        for a, b in itertools.combinations(group.to_dict("records"), 2):
            if a["effect"] != b["effect"]:
                rows.append(
                    [outcome, a["outcome_label"], *(a[c] for c in keep), *(b[c] for c in keep)]
                )
    return pd.DataFrame(rows, columns=columns)

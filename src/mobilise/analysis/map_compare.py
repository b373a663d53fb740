"""Comparing the systems maps of several groups: shared factors, consensus, differences, merging.

Groups in a workshop (residents, NHS staff, a voluntary sector forum...) each draw their map of
the same question; their factors rarely carry the same words ("Worry and fear ", "worries and
fear"). :func:`normalise_label` reduces a label to a matching key and :func:`match_factors`
gives every factor of every map its shared key (with optional synonyms). From the keys:

- :func:`consensus`: the links that at least a share of the groups drew, with who drew them and
  whether they agree on the polarity;
- :func:`difference`: what one map has that another has not, and where their polarities differ;
- :func:`merge`: one map with every link of every group, each attributed to its group;
- :func:`contribution_shares`: how much of a map each group contributed.

The maps are given as ``{group name: graph}`` (:meth:`CausalMap.to_graph`); combined maps are
multi-digraphs whose node ids are the shared keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from mobilise.analysis._checks import json_records, raise_if
from mobilise.analysis._graph import _map_graph, _weight, link_sign
from mobilise.errors import Problem
from mobilise.model.causal_map import FACTOR_KINDS

__all__ = [
    "UNATTRIBUTED",
    "MapDifference",
    "consensus",
    "contribution_shares",
    "difference",
    "match_factors",
    "merge",
    "normalise_label",
]

UNATTRIBUTED = "(unattributed)"
"""The stakeholder group of factors and links that name none."""

_JOINING = re.compile(r"['’‘`\-‐]")  # apostrophes and hyphens join: people's, well-being
_BREAKING = re.compile(r"[^\w\s]|_")  # any other punctuation separates words


def normalise_label(text: object) -> str:
    """The key a factor label is matched by: the same for labels that differ only in form.

    Unicode compatibility form (NFKC), case folded; ``&`` read as "and"; apostrophes and
    hyphens removed (``"people's"`` -> ``"peoples"``, ``"well-being"`` -> ``"wellbeing"``); any
    other punctuation a space; whitespace collapsed. Then each word of four letters or more loses
    a plural ending where that is safe: ``-ies`` -> ``-y`` (worries -> worry), ``-sses`` ->
    ``-ss`` (classes -> class), a final ``-s`` dropped except after s, u or i (parks -> park;
    stress, bus, crisis kept). Words of three letters or fewer (``has``, ``gas``) are kept.

    It is a matching key, not English: "series" becomes "sery" in every map alike.

    >>> normalise_label(" Worries  & fear! ")
    'worry and fear'
    """
    words = unicodedata.normalize("NFKC", str(text)).casefold().replace("&", " and ")
    words = _BREAKING.sub(" ", _JOINING.sub("", words))
    return " ".join(_singular(word) for word in words.split())


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    return word[:-1]


def match_factors(
    maps: Mapping[str, nx.MultiDiGraph], *, synonyms: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Every factor of every map with the shared key it is matched by.

    Parameters
    ----------
    maps
        ``{group name: map}``.
    synonyms
        Labels to read as other labels, e.g. ``{"Fear": "Worry and fear"}``; both sides are
        normalised, and applied once (a synonym's target is not looked up again).

    Returns
    -------
    One row per factor, in map order: ``group``, ``factor`` (its id), ``label``, ``kind``,
    ``key`` (the normalised label, or of its id when the label is empty), ``shared_label`` (the
    most common label of that key, stripped; ties go to the first seen), ``groups`` (how many
    groups have the key) and ``repeated`` (True when another factor of the same map has the same
    key: they are one factor in combined maps).
    """
    problems: list[Problem] = []
    graphs = _graphs(maps, problems)
    raise_if(problems, "Cannot match factors")
    return _matched(graphs, synonyms)


def _graphs(maps: object, problems: list[Problem]) -> dict[str, nx.MultiDiGraph]:
    if not isinstance(maps, Mapping) or not maps:
        problems.append(Problem("give the maps as {group name: graph}, at least one", field="maps"))
        return {}
    return {
        str(group): _map_graph(graph, problems, f"maps[{group!r}]") for group, graph in maps.items()
    }


def _matched(
    graphs: dict[str, nx.MultiDiGraph], synonyms: Mapping[str, str] | None
) -> pd.DataFrame:
    aliases = {
        normalise_label(label): normalise_label(to) for label, to in (synonyms or {}).items()
    }
    rows = []
    for group, graph in graphs.items():
        for factor, data in graph.nodes(data=True):
            label = str(data.get("label", ""))
            key = normalise_label(label) or normalise_label(factor) or str(factor)
            kind = str(data.get("kind", "other"))
            rows.append([group, factor, label, kind, aliases.get(key, key)])
    columns = ["group", "factor", "label", "kind", "key"]
    frame = pd.DataFrame(rows, columns=columns)
    shared: dict[str, Counter[str]] = {}
    for key, label in zip(frame["key"], frame["label"], strict=True):
        shared.setdefault(key, Counter())[label.strip()] += 1
    frame["shared_label"] = frame["key"].map({k: c.most_common(1)[0][0] for k, c in shared.items()})
    frame["groups"] = frame.groupby("key")["group"].transform("nunique").astype(int)
    frame["repeated"] = frame.duplicated(["group", "key"], keep=False)
    return frame


def _claims(
    graphs: dict[str, nx.MultiDiGraph], factors: pd.DataFrame
) -> dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]]:
    """For each pair of keys, the links of each group between them (in map order)."""
    key_of = {
        (g, f): k
        for g, f, k in zip(factors["group"], factors["factor"], factors["key"], strict=True)
    }
    claims: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = {}
    for group, graph in graphs.items():
        for source, target, data in graph.edges(data=True):
            pair = (key_of[group, source], key_of[group, target])
            claims.setdefault(pair, {}).setdefault(group, []).append(data)
    return claims


def _polarity(links: list[Mapping[str, Any]]) -> str:
    """A group's polarity for a pair: its links' polarity when they agree, else ``"?"``."""
    signs = {link_sign(data) for data in links}
    return {1: "+", -1: "-"}.get(signs.pop(), "?") if len(signs) == 1 else "?"


def _factor_nodes(factors: pd.DataFrame, keys: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Nodes of a combined map: each key with its shared label, kind, groups and factor ids.

    The kind is the commonest one given other than "other" (which is also the default), ties
    in the order of :data:`FACTOR_KINDS`; "other" when no group gave another.
    """
    by_key = dict(list(factors.groupby("key", sort=False)))
    ranking = {kind: number for number, kind in enumerate(FACTOR_KINDS)}
    nodes = []
    for key in keys:
        rows = by_key[key]
        kinds = Counter(kind for kind in rows["kind"] if kind != "other")
        kind = min(
            kinds, key=lambda k: (-kinds[k], ranking.get(k, len(ranking)), k), default="other"
        )
        groups = list(dict.fromkeys(rows["group"]))
        ids = {group: list(rows.loc[rows["group"] == group, "factor"]) for group in groups}
        attributes = {"label": rows["shared_label"].iloc[0], "kind": kind, "group": ""}
        attributes |= {"groups": groups, "group_of_contributor": groups[0], "factors": ids}
        nodes.append((key, attributes))
    return nodes


def consensus(
    maps: Mapping[str, nx.MultiDiGraph],
    *,
    min_share: float = 0.5,
    synonyms: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """The links that at least ``min_share`` of the groups drew, with the factors they join.

    Factors are matched by :func:`match_factors`; a factor is kept when at least ``min_share``
    of the groups have it. Each link of the result is one pair of factors (key ``"a -> b"``),
    with ``groups`` (who drew it, in map order), ``group_count``, ``share``, and how many groups
    drew it ``positive``, ``negative`` or ``unknown`` (a group's own parallel links that
    disagree count as unknown). Its ``polarity`` is the groups' agreed one; when some say + and
    others -, it is ``"?"`` with ``contested`` True. ``weight`` is the mean weight of the links
    of the agreed polarity (None when contested or unknown); ``delay`` when any group said so.
    """
    problems: list[Problem] = []
    graphs = _graphs(maps, problems)
    if not (isinstance(min_share, int | float) and 0 < min_share <= 1):
        problems.append(
            Problem(
                f"min_share must be above 0 and at most 1, not {min_share!r}", field="min_share"
            )
        )
    raise_if(problems, "Cannot find the consensus")

    factors = _matched(graphs, synonyms)
    needed = min_share * len(graphs) - 1e-9
    kept = list(dict.fromkeys(factors.loc[factors["groups"] >= needed, "key"]))
    agreed = nx.MultiDiGraph(title="Consensus", groups=list(graphs), min_share=min_share)
    agreed.add_nodes_from(_factor_nodes(factors, kept))
    for (source, target), by_group in _claims(graphs, factors).items():
        if len(by_group) < needed:
            continue
        polarities = {group: _polarity(links) for group, links in by_group.items()}
        said = Counter(polarities.values())
        contested = bool(said["+"] and said["-"])
        polarity = "?" if contested else ("+" if said["+"] else "-" if said["-"] else "?")
        weights = [
            weight
            for links in by_group.values()
            for data in links
            if (weight := _weight(data)) is not None
            and polarity != "?"
            and link_sign(data) == (1 if polarity == "+" else -1)
        ]
        agreed.add_edge(
            source,
            target,
            key=f"{source} -> {target}",
            polarity=polarity,
            sign={"+": 1, "-": -1}.get(polarity, 0),
            weight=sum(weights) / len(weights) if weights else None,
            strength=None,
            delay=any(bool(data.get("delay")) for links in by_group.values() for data in links),
            confidence=None,
            stakeholder_group="",
            contested=contested,
            label="",
            groups=list(by_group),
            group_count=len(by_group),
            share=len(by_group) / len(graphs),
            positive=said["+"],
            negative=said["-"],
            unknown=said["?"],
        )
    return agreed


@dataclass(frozen=True, eq=False)
class MapDifference:
    """What two maps share and what they do not, by matched factor (:func:`difference`).

    ``links`` has one row per pair of factors linked in either map: ``source``, ``target``
    (keys) and their labels, ``polarity_a``, ``polarity_b`` (None where the map has no such
    link) and ``status``: ``"only_a"``, ``"only_b"``, ``"same"`` (same polarity),
    ``"opposite"`` (+ in one, - in the other) or ``"unclear"`` (unknown in one of them).
    ``factors_only_a`` / ``factors_only_b`` / ``factors_shared`` are keys.
    """

    links: pd.DataFrame
    factors_only_a: tuple[str, ...]
    factors_only_b: tuple[str, ...]
    factors_shared: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        """How many links of each status (every status, zeros included)."""
        found = Counter(self.links["status"])
        return {
            status: found[status] for status in ("only_a", "only_b", "same", "opposite", "unclear")
        }

    def to_dict(self) -> dict[str, Any]:
        rows = json_records(self.links)
        return {
            "counts": self.counts,
            "links": rows,
            "factors_only_a": list(self.factors_only_a),
            "factors_only_b": list(self.factors_only_b),
            "factors_shared": list(self.factors_shared),
        }


def difference(
    map_a: nx.MultiDiGraph, map_b: nx.MultiDiGraph, *, synonyms: Mapping[str, str] | None = None
) -> MapDifference:
    """The links only in ``map_a``, only in ``map_b``, and in both with the same or opposite
    polarity, factors matched by :func:`match_factors` (the maps named ``"a"`` and ``"b"``).
    A map's polarity for a pair is that of its links between them, ``"?"`` if they disagree."""
    problems: list[Problem] = []
    graphs = _graphs({"a": map_a, "b": map_b}, problems)
    raise_if(problems, "Cannot compare the maps")
    factors = _matched(graphs, synonyms)
    label_of = dict(zip(factors["key"], factors["shared_label"], strict=True))
    rows = []
    for (source, target), by_group in _claims(graphs, factors).items():
        side = {group: _polarity(links) for group, links in by_group.items()}
        a, b = side.get("a"), side.get("b")
        if a is None or b is None:
            status = "only_a" if b is None else "only_b"
        elif a == b:
            status = "same"
        else:
            status = "opposite" if {a, b} == {"+", "-"} else "unclear"
        rows.append([source, label_of[source], target, label_of[target], a, b, status])
    columns = [
        "source",
        "source_label",
        "target",
        "target_label",
        "polarity_a",
        "polarity_b",
        "status",
    ]
    keys = {
        group: list(dict.fromkeys(factors.loc[factors["group"] == group, "key"])) for group in "ab"
    }
    return MapDifference(
        links=pd.DataFrame(rows, columns=columns, dtype=object),  # None where no link, not NaN
        factors_only_a=tuple(k for k in keys["a"] if k not in keys["b"]),
        factors_only_b=tuple(k for k in keys["b"] if k not in keys["a"]),
        factors_shared=tuple(k for k in keys["a"] if k in keys["b"]),
    )


def merge(
    maps: Mapping[str, nx.MultiDiGraph], *, synonyms: Mapping[str, str] | None = None
) -> nx.MultiDiGraph:
    """One map with every factor and every link of every group.

    Factors are matched by :func:`match_factors`: each node is a key with its shared
    ``label``, commonest ``kind``, ``groups`` (that have it), ``group_of_contributor`` (the
    first of them, in map order) and ``factors`` (its ids in each group's map). Every link is
    kept, parallel ones included, keyed ``"group:link id"``, with its attributes,
    ``stakeholder_group`` set to its map's group name and ``link_id`` its id in that map.
    """
    problems: list[Problem] = []
    graphs = _graphs(maps, problems)
    raise_if(problems, "Cannot merge the maps")
    factors = _matched(graphs, synonyms)
    key_of = {
        (g, f): k
        for g, f, k in zip(factors["group"], factors["factor"], factors["key"], strict=True)
    }
    merged = nx.MultiDiGraph(title="Merged", groups=list(graphs))
    merged.add_nodes_from(_factor_nodes(factors, list(dict.fromkeys(factors["key"]))))
    for group, graph in graphs.items():
        for source, target, link, data in graph.edges(keys=True, data=True):
            merged.add_edge(
                key_of[group, source],
                key_of[group, target],
                key=f"{group}:{link}",
                **{**data, "stakeholder_group": group, "link_id": link},
            )
    return merged


def contribution_shares(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """How much of a map each stakeholder group contributed.

    Links count for their ``stakeholder_group`` attribute; factors for their
    ``group_of_contributor`` attribute when they have one (as :func:`merge` sets; a
    :class:`~mobilise.model.causal_map.Factor` has none, so a single map's factors are all
    unattributed). Empty or missing attributions count as :data:`UNATTRIBUTED`.

    Returns
    -------
    Indexed by ``stakeholder_group``: ``factors``, ``factor_share``, ``links``, ``link_share``
    (shares of the map's totals, 0 when it has none); most links first, then most factors, then
    by name.
    """
    problems: list[Problem] = []
    multi = _map_graph(graph, problems)
    raise_if(problems, "Cannot count contributions")

    def group_of(value: object) -> str:
        return str(value).strip() if value is not None and str(value).strip() else UNATTRIBUTED

    factors = Counter(
        group_of(data.get("group_of_contributor")) for _, data in multi.nodes(data=True)
    )
    links = Counter(
        group_of(data.get("stakeholder_group")) for _, _, data in multi.edges(data=True)
    )
    groups = list(dict.fromkeys([*factors, *links]))
    frame = pd.DataFrame(
        {
            "factors": [factors[group] for group in groups],
            "links": [links[group] for group in groups],
        },
        index=pd.Index(groups, name="stakeholder_group", dtype=object),
    )
    frame["factor_share"] = frame["factors"] / max(1, multi.number_of_nodes())
    frame["link_share"] = frame["links"] / max(1, multi.number_of_edges())
    frame = frame[["factors", "factor_share", "links", "link_share"]]
    order = sorted(groups, key=lambda group: (-links[group], -factors[group], str(group)))
    return frame.loc[order]

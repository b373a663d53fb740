"""GraphML files of causal maps, read into and written from a
:class:`~mobilise.model.causal_map.CausalMap` through NetworkX.

:func:`write_map_graphml` writes a directed multigraph (parallel links kept: each edge's
GraphML ``id`` is the link id). Attributes:

- graph: ``title``, ``question``, ``description``, and ``scenarios`` (the scenarios as JSON);
- node (id = factor id): ``label``, ``kind``, ``group``, ``description``, ``x``, ``y``,
  ``populations`` (joined with ``|``), ``indicator_id``, ``asset_category``;
- edge: ``polarity`` (``+``, ``-``, ``?``), ``weight``, ``strength``, ``delay``,
  ``confidence``, ``evidence``, ``stakeholder_group``, ``contested``, ``label``.

A missing value (``None``) is left out. NetworkX writes the edges factor by factor, so links
come back grouped by their source factor (in the order of the factors) rather than in the
map's order. Factor and link ``attributes`` whose values are text,
numbers or booleans are written too, under their own names when these are not taken.

:func:`read_map_graphml` reads these back, and GraphML from other tools sensibly: a node's label
is its ``label`` or ``name`` attribute, or its yEd ``NodeLabel`` (NetworkX reads those), else
its id; its description ``description``, ``note`` or ``notes``; its group ``group``. An edge's
polarity is its ``polarity``, else its ``sign``, else the sign of its ``weight``, else an edge
label that is only a sign (``+``, ``-``, ``s``, ``o``...), else ``"?"``. A ``weight`` in
[-1, 1] is the link's weight; a larger one (e.g. a count) gives only the polarity and is kept
in ``attributes["weight"]``. Other attributes are kept in ``attributes``. Edges of an
undirected graph are read from ``source`` to ``target`` as written. An edge without an id (or
with the id of an earlier one) gets ``e<n>``, ``n`` its place in the file.
"""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import networkx as nx

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import parse_xml
from mobilise.formats._map_files import checked
from mobilise.formats._tables import xml_safe
from mobilise.model.causal_map import (
    FACTOR_KINDS,
    STRENGTHS,
    CausalMap,
    Factor,
    Link,
    Scenario,
    polarity_of,
)
from mobilise.settings import Limits

__all__ = ["read_map_graphml", "write_map_graphml"]

_GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
_NODE_FIELDS = (
    "label", "name", "kind", "group", "description", "note", "notes", "x", "y", "populations",
    "indicator_id", "asset_category",
)  # fmt: skip
_EDGE_FIELDS = (
    "id", "polarity", "sign", "weight", "strength", "delay", "confidence", "evidence",
    "stakeholder_group", "contested", "label",
)  # fmt: skip
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def write_map_graphml(causal_map: CausalMap) -> bytes:
    """The map as GraphML (UTF-8): a directed multigraph with the attributes listed above."""
    graph = nx.MultiDiGraph()
    for key, value in (
        ("title", causal_map.title),
        ("question", causal_map.question),
        ("description", causal_map.description),
    ):
        graph.graph[key] = value
    if causal_map.scenarios:
        graph.graph["scenarios"] = json.dumps(
            [
                {"name": s.name, "description": s.description, "clamps": s.clamps}
                for s in causal_map.scenarios
            ],
            ensure_ascii=False,
        )
    for item in causal_map.factors:
        node: dict[str, Any] = _extra(item.attributes, _NODE_FIELDS)
        node.update(
            label=item.label, kind=item.kind, group=item.group, description=item.description
        )
        for key, number in (("x", item.x), ("y", item.y)):
            if number is not None:
                node[key] = float(number)
        if item.populations:
            node["populations"] = "|".join(item.populations)
        for key, text in (
            ("indicator_id", item.indicator_id),
            ("asset_category", item.asset_category),
        ):
            if text is not None:
                node[key] = text
        graph.add_node(item.id, **node)
    for link in causal_map.links:
        edge: dict[str, Any] = _extra(link.attributes, _EDGE_FIELDS)
        edge.update(
            polarity=link.polarity,
            delay=bool(link.delay),
            evidence=link.evidence,
            stakeholder_group=link.stakeholder_group,
            contested=bool(link.contested),
            label=link.label,
        )
        if link.weight is not None:
            edge["weight"] = float(link.weight)
        if link.strength is not None:
            edge["strength"] = link.strength
        if link.confidence is not None:
            edge["confidence"] = float(link.confidence)
        graph.add_edge(link.source, link.target, key=link.id, **edge)
    buffer = io.BytesIO()
    # the ElementTree writer (lxml's refuses such characters): xml_safe then drops them
    nx.write_graphml_xml(graph, buffer, encoding="utf-8")
    return xml_safe(buffer.getvalue().decode("utf-8")).encode("utf-8")


def read_map_graphml(
    data: bytes | str, *, name: str = "map.graphml", limits: Limits | None = None
) -> CausalMap:
    """Read a GraphML file (its bytes or text; ``name`` for messages, and for the map's title
    when the file has none) as a checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every problem: text that is not GraphML, an edge to a node that is not in the
        file, a polarity that is not one, a weight or confidence out of range.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    declared, edge_order, problems, raw = _scan(raw, name, limits)
    try:
        graph = nx.read_graphml(io.BytesIO(raw), force_multigraph=True, edge_key_type=str)
    except (
        ET.ParseError,
        nx.NetworkXError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
    ) as exc:
        raise _not_a_map(name, f"cannot read the GraphML: {exc}") from exc
    factors = [
        _factor(str(node_id), attributes)
        for node_id, attributes in graph.nodes(data=True)
        if str(node_id) in declared
    ]
    links: list[Link] = []
    for _, _, key, attributes in graph.edges(keys=True, data=True):
        number, source, target = edge_order[str(key)]
        if source in declared and target in declared:  # else reported by _scan
            links.append(_link(str(key), source, target, attributes, number, name, problems))
    links.sort(key=lambda link: edge_order[link.id][0])
    meta = graph.graph
    scenarios = _scenarios(meta.get("scenarios"), name, problems)
    causal_map = CausalMap(
        title=str(meta.get("title") or meta.get("name") or PurePath(name).stem),
        factors=factors,
        links=links,
        question=str(meta.get("question") or ""),
        description=str(meta.get("description") or ""),
        scenarios=scenarios,
        attributes={"graphml_directed": graph.is_directed()},
        source=name,
    )
    return checked(causal_map, problems, name)


# -- helpers ---------------------------------------------------------------------------------


def _not_a_map(name: str, message: str) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as a GraphML map.", problems=[Problem(message, file=name)]
    )


def _extra(attributes: dict[str, Any], taken: tuple[str, ...]) -> dict[str, Any]:
    return {
        str(key): value
        for key, value in attributes.items()
        if str(key) not in taken
        and isinstance(value, str | int | float | bool)
        and not (isinstance(value, float) and not math.isfinite(value))
    }


def _scan(
    raw: bytes, name: str, limits: Limits | None
) -> tuple[set[str], dict[str, tuple[int, str, str]], list[Problem], bytes]:
    """What NetworkX does not say: the declared node ids; each edge's (position, source,
    target) by edge id, as written; a problem for each edge to a node that is not declared;
    and the file with an id (``e<position>``) given to each edge that has none.

    NetworkX quietly adds the nodes that edges name but the file does not declare, orders
    edges by node, and may turn an edge of an undirected graph around.
    """
    try:
        root = parse_xml(raw, name=name, limits=limits)
    except (ET.ParseError, LookupError) as exc:  # LookupError: an unknown declared encoding
        raise _not_a_map(name, f"cannot parse the XML: {exc}") from exc
    if root.tag not in (f"{_GRAPHML_NS}graphml", "graphml"):
        raise _not_a_map(name, f"the root element is <{root.tag}>, not <graphml>")
    declared = {
        node.get("id", "") for tag in (f"{_GRAPHML_NS}node", "node") for node in root.iter(tag)
    }
    edges = [e for e in root.iter() if e.tag in (f"{_GRAPHML_NS}edge", "edge")]
    taken = {e.get("id") for e in edges}
    order: dict[str, tuple[int, str, str]] = {}
    problems: list[Problem] = []
    renamed = False
    for number, element in enumerate(edges, start=1):
        source, target = element.get("source", ""), element.get("target", "")
        edge_id = element.get("id")
        what = f"edge {edge_id!r}" if edge_id else f"the edge from {source!r} to {target!r}"
        if not edge_id or edge_id in order:
            edge_id = f"e{number}"
            while edge_id in taken:
                edge_id += "'"
            taken.add(edge_id)
            element.set("id", edge_id)
            renamed = True
        order[edge_id] = (number, source, target)
        for end, node_id in (("source", source), ("target", target)):
            if node_id not in declared:
                problems.append(
                    Problem(
                        f"{what} {'starts' if end == 'source' else 'ends'} at node "
                        f"{node_id!r}, which is not in the file",
                        file=name,
                        row=number,
                        field=end,
                    )
                )
    return declared, order, problems, ET.tostring(root) if renamed else raw


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _factor(node_id: str, attributes: dict[str, Any]) -> Factor:
    label = _text(attributes.get("label") or attributes.get("name"))
    label = label if label.strip() else node_id
    raw_kind = _text(attributes.get("kind")).strip().lower()
    extra = {k: v for k, v in attributes.items() if k not in _NODE_FIELDS}
    if raw_kind and raw_kind not in FACTOR_KINDS:
        extra["kind"] = attributes.get("kind")
    populations = _text(attributes.get("populations"))
    indicator = attributes.get("indicator_id")
    category = attributes.get("asset_category")
    return Factor(
        id=node_id,
        label=label,
        kind=raw_kind if raw_kind in FACTOR_KINDS else "other",
        description=_text(
            attributes.get("description") or attributes.get("note") or attributes.get("notes")
        ),
        group=_text(attributes.get("group")),
        populations=tuple(p for p in populations.split("|") if p),
        indicator_id=None if indicator is None else str(indicator),
        asset_category=None if category is None else str(category),
        x=_float(attributes.get("x")),
        y=_float(attributes.get("y")),
        attributes=extra,
    )


_Report = Callable[[str, str], None]  # a problem of an edge: what it has, which field


def _link(
    link_id: str,
    source: str,
    target: str,
    attributes: dict[str, Any],
    number: int,
    name: str,
    problems: list[Problem],
) -> Link:
    def problem(message: str, field: str) -> None:
        problems.append(Problem(f"edge {link_id} {message}", file=name, row=number, field=field))

    extra = {k: v for k, v in attributes.items() if k not in _EDGE_FIELDS}
    weight = _float(attributes.get("weight"))
    if attributes.get("weight") is not None and weight is None:
        problem(f"has weight {attributes['weight']!r}, which is not a number", "weight")
    weight_polarity = None if weight is None else polarity_of(weight)
    if weight is not None and not -1 <= weight <= 1:
        extra["weight"] = weight  # a count, say: it gives only the polarity
        weight = None
    label = _text(attributes.get("label"))
    polarity = _polarity(attributes, weight_polarity, label, problem)
    strength = _strength(attributes.get("strength"), problem)
    confidence = _confidence(attributes.get("confidence"), problem)
    return Link(
        id=link_id,
        source=source,
        target=target,
        polarity=polarity,
        strength=strength,
        weight=weight,
        delay=_boolean(attributes.get("delay"), "delay", problem),
        confidence=confidence,
        evidence=_text(attributes.get("evidence")),
        stakeholder_group=_text(attributes.get("stakeholder_group")),
        contested=_boolean(attributes.get("contested"), "contested", problem),
        label=label,
        attributes=extra,
    )


def _polarity(
    attributes: dict[str, Any], weight_polarity: str | None, label: str, problem: _Report
) -> str:
    """An edge's ``polarity``, else its ``sign``, else its weight's sign, else a label that is
    only a sign, else ``"?"``."""
    polarity = None
    for field in ("polarity", "sign"):
        value = attributes.get(field)
        if value is None or polarity is not None:
            continue
        polarity = polarity_of(value)
        if polarity is None:
            problem(f"has {field} {value!r}; use +, - or ?", field)
    if polarity is None or (polarity == "?" and weight_polarity not in (None, "?")):
        polarity = weight_polarity
    if polarity is None and 0 < len(label.strip()) <= 3:
        polarity = polarity_of(label)
    return polarity or "?"


def _strength(value: object, problem: _Report) -> str | None:
    strength = _text(value).strip().lower() or None
    if strength is not None and strength not in STRENGTHS:
        problem(f"has strength {value!r}; use weak, medium or strong", "strength")
        return None
    return strength


def _confidence(value: object, problem: _Report) -> float | None:
    confidence = _float(value)
    if value is not None and (confidence is None or not 0 <= confidence <= 1):
        problem(f"has confidence {value!r}; use 0 to 1", "confidence")
        return None
    return confidence


def _boolean(value: object, field: str, problem: _Report) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problem(f"has {field} {value!r}; use true or false", field)
    return False


def _scenarios(raw: object, name: str, problems: list[Problem]) -> list[Scenario]:
    if raw is None or raw == "":
        return []
    try:
        parsed = json.loads(str(raw))
        scenarios = [
            Scenario(
                name=str(item["name"]),
                clamps={str(k): float(v) for k, v in dict(item.get("clamps") or {}).items()},
                description=str(item.get("description") or ""),
            )
            for item in parsed
        ]
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        problems.append(
            Problem(
                f"the graph's scenarios are not a JSON list of scenarios ({exc})",
                file=name,
                field="scenarios",
            )
        )
        return []
    return scenarios

"""PRSM (Participatory System Mapper, https://prsm.uk) maps: ``.prsm`` files, Excel and CSV.

A ``.prsm`` file is the JSON that PRSM saves (``mapTitle``, ``styles``, ``nodes``, ``edges``,
...). PRSM 2 and later compress it with lz-string ``compressToUTF16``: text that does not start
with ``{`` is decompressed first, as PRSM does. How a map is read:

- a node is a :class:`~mobilise.model.causal_map.Factor`: ``id``, ``label`` (the line breaks
  PRSM adds to wrap a label become spaces), ``note`` -> ``description`` (the text of a Quill
  delta ``{"ops": [{"insert": ...}]}``, or plain text), ``x``, ``y``;
- its style (``grp`` -> ``styles.nodes[grp].groupLabel``) is its ``group``; ``"Sample"``, the
  label of PRSM's unnamed styles, is no group;
- its custom attributes (``attributeTitles``) titled Kind, Populations (``|``-separated),
  Indicator id, Asset category and Group fill those fields; the rest are kept in
  ``Factor.attributes`` by title;
- an edge is a :class:`~mobilise.model.causal_map.Link` whose polarity comes from its style:
  ``polarity_of(styles.edges[grp].groupLabel)`` ("+ve", "-ve", "Positive influence", ...). When
  the style's label says nothing of polarity, a link label that does ("+", "-ve") is used; else
  the polarity is ``"?"``. The edge's ``note`` is the link's ``evidence``.

Whatever else PRSM keeps on a node or edge (colour, shape, font, ``created``, ...) is kept in
``attributes["prsm"]``, and the map's styles, buttons, background, ... in
``CausalMap.attributes["prsm"]``, so that writing the map again keeps them (a note with
formatting is written back as it was while its text is unchanged). A factor's plain attributes
(text, numbers, lists, e.g. from Kumu) are written as PRSM custom attributes, lists joined by
``" | "``. PRSM's edit
``history`` is not kept: it names the people who edited the map, and mobilise keeps its own audit
trail. Link fields PRSM has no place for (strength, weight, delay, confidence, stakeholder group,
contested), and the map's question and scenarios, are written under a ``"mobilise"`` key, which
PRSM ignores (and drops when it saves the map itself).

When writing, each link gets a style labelled with its polarity: the style it had, if it still
fits; else a style already labelled so; else mobilise labels a free style ``+ve`` (edge1, green),
``-ve`` (edge2, red) or ``?`` (edge4, grey, dashed), PRSM's own colours for those styles. Factor
groups become node style labels in the same way (nine styles; when a map has more groups, every
factor also gets a Group attribute). Factors without a position are laid out on a grid, since
PRSM would pile them up at the origin.

PRSM's Excel workbook has sheets ``Factors`` (Label, Note, Style, GroupLabel, x, y, other columns
are attributes) and ``Links`` (From, To, Label, Note, Style, GroupLabel): links name factors by
label. PRSM's CSV has one link a row, ``from,to,fromStyle,toStyle,linkStyle`` (styles numbered 1
to 9, the header row ignored); mobilise adds a ``polarity`` column, which PRSM ignores. Both
files name factors by label, so a map with repeated labels is written with the later ones made
unique (``Stress``, ``Stress (2)``), and a CSV has no room for factors without links.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from mobilise.errors import Problem
from mobilise.formats._limits import DEFAULT_LIMITS, inflation_allowed, load_json, too_much
from mobilise.formats._lzstring import TooLong, compress_to_utf16, decompress_from_utf16
from mobilise.formats._map_files import (
    as_dict,
    as_number,
    decode_text,
    link_extras,
    link_fields,
    many,
    mobilise_extra,
    note_text,
    one_line,
    plain_attributes,
    raise_if,
    read_mobilise_extra,
    split_extras,
    text_or_none,
    unreadable,
)
from mobilise.model.causal_map import (
    FACTOR_KINDS,
    CausalMap,
    Factor,
    Link,
    polarity_of,
)
from mobilise.settings import Limits

__all__ = [
    "PRSM_TITLE_LIMIT",
    "read_prsm",
    "style_polarity",
    "title_warnings",
    "write_prsm",
]  # Excel and CSV: prsm_tables

_STYLE_SLOTS = 9  # PRSM offers nine factor styles (group0-8) and nine link styles (edge0-8)
_DEFAULT_GROUP_LABELS = {"", "sample"}
_POLARITY_STYLES = {
    # polarity: (preferred slot, label, colour, dashes)
    "+": ("edge1", "+ve", "#00cc00", False),
    "-": ("edge2", "-ve", "#ff0000", False),
    "?": ("edge4", "?", "#808080", [10, 10]),
}
_NODE_FIELDS = {"id", "label", "note", "title", "x", "y"}
_EDGE_FIELDS = {"id", "from", "to", "source", "target", "label", "note", "title", "mobilise"}
_NODE_LOOKS = ("color", "font", "shape", "shapeProperties", "borderWidth", "groupLabel")
_EDGE_LOOKS = ("color", "dashes", "width", "arrows", "groupLabel")
_FACTOR_EXTRAS = ("kind", "populations", "indicator id", "asset category", "group")
_GRID_SPACING = 150  # pixels between factors laid out by the writer


# -- reading .prsm ---------------------------------------------------------------------------


def read_prsm(data: bytes, *, name: str = "map.prsm", limits: Limits | None = None) -> CausalMap:
    """Read a PRSM ``.prsm`` map file's bytes, plain JSON or lz-string compressed; ``name`` is
    the file's name, for messages and ``CausalMap.source``.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file is not a PRSM map, naming what is wrong (every problem at once).
    """
    text = decode_text(data, name)
    document = _prsm_json(text, name, limits)
    problems: list[Problem] = []
    causal_map = _map_from_prsm(document, name, problems)
    raise_if(problems, name)
    return causal_map.check()


def _prsm_json(text: str, name: str, limits: Limits | None) -> dict[str, Any]:
    stripped = text.strip()
    if not stripped:
        raise unreadable(name, "the file is empty")
    if stripped.startswith(("{", "[")):
        payload = stripped
    else:
        compressed = text.rstrip("\r\n")
        allowed, _ = inflation_allowed(len(compressed), limits or DEFAULT_LIMITS)
        try:
            payload = decompress_from_utf16(compressed, max_length=allowed) or ""
        except TooLong:
            raise too_much(name, len(compressed), allowed + 1, limits or DEFAULT_LIMITS) from None
        if not payload.lstrip().startswith("{"):
            raise unreadable(
                name,
                "this is not a PRSM map: the text neither starts with '{' (JSON) nor decompresses "
                "(lz-string, as PRSM 2 saves) to JSON",
            )
    where = "after decompressing, " if payload is not stripped else ""
    document = load_json(
        payload,
        name=name,
        limits=limits,
        unreadable=lambda error: unreadable(name, f"{where}the JSON is damaged: {error}"),
    )
    if not isinstance(document, dict):
        raise unreadable(name, "expected a JSON object with 'nodes' and 'edges'")
    return document


def _map_from_prsm(document: dict[str, Any], name: str, problems: list[Problem]) -> CausalMap:
    nodes = document.get("nodes")
    edges = document.get("edges", [])
    if not isinstance(nodes, list):
        raise unreadable(name, "there is no list of 'nodes': is this a PRSM map file?", "nodes")
    if not isinstance(edges, list):
        raise unreadable(name, "'edges' is not a list", "edges")
    styles = document.get("styles") or document.get("samples") or {}
    node_styles = as_dict(as_dict(styles).get("nodes"))
    edge_styles = as_dict(as_dict(styles).get("edges"))
    titles = {str(k): str(v) for k, v in as_dict(document.get("attributeTitles")).items()}

    factors: list[Factor] = []
    for number, node in enumerate(nodes, start=1):
        if not isinstance(node, dict):
            problems.append(Problem(f"node {number} is not a JSON object", file=name, row=number))
            continue
        factor = _factor_from_node(node, node_styles, titles, name, number, problems)
        if factor is not None:
            factors.append(factor)
    ids = {factor.id for factor in factors}
    links: list[Link] = []
    for number, edge in enumerate(edges, start=1):
        if not isinstance(edge, dict):
            problems.append(Problem(f"edge {number} is not a JSON object", file=name, row=number))
            continue
        link = _link_from_edge(edge, edge_styles, name, number, ids, problems)
        if link is not None:
            links.append(link)

    question, scenarios = read_mobilise_extra(document.get("mobilise"), name, problems)
    kept = {
        key: value
        for key, value in document.items()
        if key not in {"nodes", "edges", "mapTitle", "description", "history", "mobilise"}
    }
    if "samples" in kept:  # the name of "styles" before PRSM 1.4
        kept.setdefault("styles", kept.pop("samples"))
    return CausalMap(
        title=one_line(document.get("mapTitle")) or PurePath(name).stem,
        factors=factors,
        links=links,
        question=question,
        description=note_text(document.get("description")),
        scenarios=scenarios,
        attributes={"prsm": kept},
        source=name,
    )


def _factor_from_node(
    node: dict[str, Any],
    node_styles: dict[str, Any],
    titles: dict[str, str],
    name: str,
    number: int,
    problems: list[Problem],
) -> Factor | None:
    node_id = node.get("id")
    if node_id is None or str(node_id).strip() == "":
        problems.append(Problem(f"node {number} has no id", file=name, row=number, field="id"))
        return None
    grp = node.get("grp")
    if not isinstance(grp, str) or not grp:
        old_group = node.get("group")  # files from before PRSM 1.4 numbered their styles
        grp = f"group{old_group % 9}" if isinstance(old_group, int) else "group0"
    raw = {k: v for k, v in node.items() if k not in _NODE_FIELDS and k not in titles}
    raw["grp"] = grp
    note = node.get("note") if node.get("note") is not None else node.get("title")
    if _rich(note):
        raw["note"] = note  # written back as it was if its text is unchanged
    custom = {
        titles[key]: node[key]
        for key in titles
        if key in node and node[key] is not None and node[key] != ""
    }
    extras, plain = split_extras(custom, _FACTOR_EXTRAS)
    group = _style_group(node_styles, str(grp))
    kind = "other"
    if "kind" in extras:
        value = str(extras.pop("kind")).strip().casefold()
        if value in FACTOR_KINDS:
            kind = value
        else:
            plain["Kind"] = value
    if "group" in extras:
        group = one_line(extras.pop("group"))
    return Factor(
        id=str(node_id),
        label=one_line(node.get("label")),
        kind=kind,
        description=note_text(note),
        group=group,
        populations=many(extras.get("populations")),
        indicator_id=text_or_none(extras.get("indicator id")),
        asset_category=text_or_none(extras.get("asset category")),
        x=as_number(node.get("x")),
        y=as_number(node.get("y")),
        attributes={**plain, "prsm": raw},
    )


def _link_from_edge(
    edge: dict[str, Any],
    edge_styles: dict[str, Any],
    name: str,
    number: int,
    ids: set[str],
    problems: list[Problem],
) -> Link | None:
    link_id = str(edge.get("id") or f"link-{number}")
    ends: list[str] = []
    for field, alias in (("from", "source"), ("to", "target")):
        end = edge.get(field, edge.get(alias))
        if end is None or str(end) == "":
            problems.append(
                Problem(f"link {link_id!r} has no {field!r}", file=name, row=number, field=field)
            )
        elif str(end) not in ids:
            problems.append(
                Problem(
                    f"link {link_id!r} {'starts' if field == 'from' else 'ends'} at node "
                    f"{end!r}, which is not a node of the map",
                    file=name,
                    row=number,
                    field=field,
                )
            )
        ends.append("" if end is None else str(end))
    grp = edge.get("grp")
    if not isinstance(grp, str) or not grp:
        old_group = edge.get("group")
        grp = f"edge{old_group % 9}" if isinstance(old_group, int) else "edge0"
    style = as_dict(edge_styles.get(grp))
    style_label = style.get("groupLabel", edge.get("groupLabel"))
    label = one_line(edge.get("label"))
    polarity = style_polarity(style_label, label)
    raw = {k: v for k, v in edge.items() if k not in _EDGE_FIELDS}
    raw["grp"] = grp
    note = edge.get("note") if edge.get("note") is not None else edge.get("title")
    if _rich(note):
        raw["note"] = note
    fields, plain = link_fields(as_dict(edge.get("mobilise")), polarity)
    if plain:
        raw["mobilise"] = plain
    return Link(
        id=link_id,
        source=ends[0],
        target=ends[1],
        polarity=polarity,
        evidence=note_text(note),
        label=label,
        attributes={"prsm": raw},
        **fields,
    )


def style_polarity(style_label: object, link_label: str = "") -> str:
    """The polarity a PRSM link style label says; the link label's when the style's says none."""
    label = "" if style_label is None else str(style_label).strip()
    said = polarity_of(label) if label else None
    if said is None and link_label:
        said = polarity_of(link_label)
    return said or "?"


def _style_group(node_styles: dict[str, Any], grp: str) -> str:
    label = one_line(as_dict(node_styles.get(grp)).get("groupLabel"))
    return "" if label.casefold() in _DEFAULT_GROUP_LABELS else label


# -- writing .prsm ---------------------------------------------------------------------------


PRSM_TITLE_LIMIT = 50  # PRSM shows (and keeps) a map title's first 50 characters


def title_warnings(title: str) -> list[str]:
    """What PRSM will do to a map's title that mobilise cannot say in the file: it cuts a
    title past :data:`PRSM_TITLE_LIMIT` characters."""
    if len(title) <= PRSM_TITLE_LIMIT:
        return []
    return [
        f"the map's title is {len(title)} characters long; PRSM cuts titles to their first "
        f"{PRSM_TITLE_LIMIT} characters"
    ]


def write_prsm(causal_map: CausalMap, *, compress: bool = False) -> bytes:
    """The map as a PRSM ``.prsm`` file (UTF-8 JSON; lz-string compressed, as PRSM 2 saves,
    when ``compress``)."""
    text = json.dumps(_prsm_document(causal_map), ensure_ascii=False, indent="\t")
    if compress:
        text = compress_to_utf16(text)
    return text.encode("utf-8")


def _prsm_document(causal_map: CausalMap) -> dict[str, Any]:
    kept = copy.deepcopy(as_dict(causal_map.attributes.get("prsm")))
    styles = as_dict(kept.pop("styles", None))
    node_styles, edge_styles = _kept_styles(causal_map)
    factor_styles, overflow = _assign_factor_styles(causal_map.factors, node_styles)
    link_styles = _assign_link_styles(causal_map.links, edge_styles)
    titles, keys = _attribute_titles(
        causal_map.factors, overflow, kept.pop("attributeTitles", None)
    )
    positions = _positions(causal_map.factors)

    nodes = []
    for factor in causal_map.factors:
        node = copy.deepcopy(as_dict(factor.attributes.get("prsm")))
        for key in keys.values():
            node.pop(key, None)
        old_note = node.pop("note", None)
        if node.get("grp") != factor_styles[factor.id]:
            for look in _NODE_LOOKS:  # the old style's looks
                node.pop(look, None)
        node.update(id=factor.id, label=factor.label, grp=factor_styles[factor.id])
        node["x"], node["y"] = positions[factor.id]
        if factor.description:
            node["note"] = _note(factor.description, old_note)
        for title, value in _factor_attribute_values(factor, overflow).items():
            node[keys[title]] = value
        nodes.append(node)
    edges = []
    for link, grp in zip(causal_map.links, link_styles, strict=True):
        edge = copy.deepcopy(as_dict(link.attributes.get("prsm")))
        old_note = edge.pop("note", None)
        if edge.get("grp") != grp:
            for look in _EDGE_LOOKS:  # the old style's looks
                edge.pop(look, None)
        edge.update(id=link.id, **{"from": link.source, "to": link.target}, grp=grp)
        edge["label"] = link.label
        if link.evidence:
            edge["note"] = _note(link.evidence, old_note)
        extras = {**as_dict(edge.pop("mobilise", None)), **link_extras(link)}
        if extras:
            edge["mobilise"] = extras
        edges.append(edge)

    document: dict[str, Any] = {}
    for key in ("saved", "version", "room"):
        if key in kept:
            document[key] = kept.pop(key)
    document["mapTitle"] = causal_map.title
    document["lastNodeSample"] = kept.pop("lastNodeSample", "group0")
    document["lastLinkSample"] = kept.pop("lastLinkSample", "edge0")
    if "buttons" in kept:
        document["buttons"] = kept.pop("buttons")
    document["attributeTitles"] = titles
    document["styles"] = {**styles, "nodes": node_styles, "edges": edge_styles}
    document["nodes"] = nodes
    document["edges"] = edges
    document.update(kept)
    if causal_map.description:
        document["description"] = {"text": _note(causal_map.description, None)}
    extra = mobilise_extra(causal_map)
    if extra:
        document["mobilise"] = extra
    return document


def _kept_styles(causal_map: CausalMap) -> tuple[dict[str, Any], dict[str, Any]]:
    """Copies of the node and link styles of the PRSM file the map was read from, if any."""
    styles = as_dict(as_dict(causal_map.attributes.get("prsm")).get("styles"))
    return (
        copy.deepcopy(as_dict(styles.get("nodes"))),
        copy.deepcopy(as_dict(styles.get("edges"))),
    )


def _assign_factor_styles(
    factors: Sequence[Factor], node_styles: dict[str, Any]
) -> tuple[dict[str, str], bool]:
    """Factor id -> node style (``groupN``), labelling free styles with groups; and whether
    there were more groups than styles."""
    slots = [f"group{n}" for n in range(_STYLE_SLOTS)]
    styles = sorted(key for key in node_styles if re.fullmatch(r"group\d+", key))
    assigned: dict[str, str] = {}
    taken: set[str] = set()
    for factor in factors:
        grp = as_dict(factor.attributes.get("prsm")).get("grp")
        if isinstance(grp, str) and _style_group(node_styles, grp) == factor.group:
            assigned[factor.id] = grp
            taken.add(grp)
    by_group: dict[str, str] = {}
    overflow = False
    for factor in factors:
        if factor.id in assigned:
            continue
        group = factor.group
        grp = by_group.get(group)
        if grp is None and group:
            grp = next((k for k in styles if _style_group(node_styles, k) == group), None)
            if grp is None:
                # group0 is left for factors without a group, as PRSM's first style
                free = [s for s in [*slots[1:], slots[0]] if s not in taken]
                grp = next((s for s in free if _style_group(node_styles, s) == ""), None)
                if grp is not None:
                    node_styles[grp] = {**as_dict(node_styles.get(grp)), "groupLabel": group}
        elif grp is None:
            grp = next((s for s in slots if _style_group(node_styles, s) == ""), None)
        if grp is None:
            overflow = True
            grp = next((s for s in slots if _style_group(node_styles, s) == ""), slots[0])
        by_group[group] = grp
        taken.add(grp)
        assigned[factor.id] = grp
    return assigned, overflow


def _assign_link_styles(links: Sequence[Link], edge_styles: dict[str, Any]) -> list[str]:
    """Each link's style (``edgeN``), labelling free styles +ve, -ve or ? as needed."""

    def said(key: str) -> str | None:
        label = one_line(as_dict(edge_styles.get(key)).get("groupLabel"))
        return polarity_of(label) if label else None

    kept: list[str | None] = []
    for link in links:
        grp = as_dict(link.attributes.get("prsm")).get("grp")
        fits = isinstance(grp, str) and (
            style_polarity(as_dict(edge_styles.get(grp)).get("groupLabel"), link.label)
            == link.polarity
        )
        kept.append(grp if fits and isinstance(grp, str) else None)
    taken = {grp for grp in kept if grp is not None}
    by_polarity: dict[str, str] = {}
    result: list[str] = []
    for link, grp in zip(links, kept, strict=True):
        if grp is None:
            grp = by_polarity.get(link.polarity)
        if grp is None:
            labelled = sorted(
                k for k in edge_styles if re.fullmatch(r"edge\d+", k) and said(k) == link.polarity
            )
            grp = (
                labelled[0] if labelled else _new_polarity_style(link.polarity, edge_styles, taken)
            )
            by_polarity[link.polarity] = grp
        taken.add(grp)
        result.append(grp)
    return result


def _new_polarity_style(polarity: str, edge_styles: dict[str, Any], taken: set[str]) -> str:
    preferred, label, colour, dashes = _POLARITY_STYLES[polarity]
    slots = [f"edge{n}" for n in range(_STYLE_SLOTS)]

    def free(key: str) -> bool:
        return key not in taken and not one_line(as_dict(edge_styles.get(key)).get("groupLabel"))

    grp = next((key for key in [preferred, *slots] if free(key)), None)
    if grp is None:  # all nine styles are in use with other labels: add one
        number = _STYLE_SLOTS
        while f"edge{number}" in edge_styles:
            number += 1
        grp = f"edge{number}"
    edge_styles[grp] = {
        **as_dict(edge_styles.get(grp)),
        "groupLabel": label,
        "color": {"color": colour, "highlight": colour, "hover": colour},
        "dashes": dashes,
    }
    return grp


def _attribute_titles(
    factors: Sequence[Factor], overflow: bool, old_titles: object
) -> tuple[dict[str, str], dict[str, str]]:
    """``attributeTitles`` (key -> title) and title -> key for the factors' attributes."""
    wanted: list[str] = []
    for factor in factors:
        for title in _factor_attribute_values(factor, overflow):
            if title not in wanted:
                wanted.append(title)
    old = {str(k): str(v) for k, v in as_dict(old_titles).items()}
    by_title = {title: key for key, title in old.items()}
    keys: dict[str, str] = {}
    used = set(old)
    number = 1
    for title in wanted:
        key = by_title.get(title)
        if key is None:
            while f"att{number}" in used:
                number += 1
            key = f"att{number}"
            used.add(key)
        keys[title] = key
    titles = {**old, **{key: title for title, key in keys.items()}}
    return titles, keys


def _factor_attribute_values(factor: Factor, overflow: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if factor.kind != "other":
        values["Kind"] = factor.kind
    if factor.populations:
        values["Populations"] = " | ".join(factor.populations)
    if factor.indicator_id:
        values["Indicator id"] = factor.indicator_id
    if factor.asset_category:
        values["Asset category"] = factor.asset_category
    if overflow and factor.group:
        values["Group"] = factor.group
    for title, value in plain_attributes(factor.attributes).items():
        values.setdefault(title, " | ".join(map(str, value)) if isinstance(value, list) else value)
    return values


def _positions(factors: Sequence[Factor]) -> dict[str, tuple[float, float]]:
    """Each factor's position; those without one on a grid below the others."""
    placed = [f for f in factors if f.x is not None and f.y is not None]
    bottom = max((f.y for f in placed if f.y is not None), default=-_GRID_SPACING)
    missing = [f for f in factors if f.x is None or f.y is None]
    columns = max(1, math.ceil(math.sqrt(len(missing))))
    positions = {f.id: (float(f.x or 0), float(f.y or 0)) for f in placed}
    for number, factor in enumerate(missing):
        row, column = divmod(number, columns)
        positions[factor.id] = (
            float(column * _GRID_SPACING),
            float(bottom + (row + 1) * _GRID_SPACING),
        )
    return positions


def _rich(note: object) -> bool:
    """Whether a note is a Quill delta with formatting (more than one plain insert)."""
    if not isinstance(note, dict):
        return False
    ops = note.get("ops")
    return not (isinstance(ops, list) and len(ops) == 1 and set(as_dict(ops[0])) == {"insert"})


def _note(text: str, old: object) -> dict[str, Any]:
    """A Quill delta for ``text``: the old one when its text is the same (keeping its styling)."""
    if isinstance(old, dict) and note_text(old) == text:
        return old
    return {"ops": [{"insert": text + "\n"}]}

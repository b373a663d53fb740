"""Mental Modeler ``.mmp`` files (fuzzy cognitive maps), read into and written from a
:class:`~mobilise.model.causal_map.CausalMap`.

Mental Modeler saves a map as XML; its newer web app saves the same tree as JSON.
:func:`read_mentalmodeler` tells them apart by the first character that is not a space (``{``
is JSON, ``<`` is XML). The tree::

    mentalmodeler
      info         id, name, author, description, version, date
      groupNames   <groupName index="i">name</groupName> ...   (JSON: {"i": "name"})
      concepts     concept: id, name, notes, units, group, x, y, preferredState, actualState,
                     relationships: relationship: id (the target concept), name, notes,
                                                  confidence, influence
      scenarios    scenario: name, concepts: concept: selected, influence, id, name

How it is read:

- A concept is a :class:`Factor`: ``id``; ``name`` is the label (a concept with no name is
  labelled ``Concept <id>``); ``notes`` the description; ``x``, ``y``; ``group`` is the name
  ``groupNames`` gives its index (an index with no entry there reads as ``Group <i>``, except 0,
  the tool's default, which is no group). ``units``, ``preferredState``, ``actualState`` and the
  group index are kept in ``attributes``. Mental Modeler has no kinds: every factor is ``other``.
- A relationship is a :class:`Link` from its concept to the concept it names. A numeric
  ``influence`` in [-1, 1] is the link's weight (its polarity the sign). A linguistic one uses
  :data:`INFLUENCE_WEIGHTS`, the values Mental Modeler itself gives them (``H`` 1, ``M`` 0.62,
  ``L`` 0.25, signed; ``CMapConstants.as`` of mentalmodeler-as3, ``constants.js`` of
  mentalmodeler-js and the ``values`` table of mentalmodeler-scenario's ``app.js``), and also
  sets the strength (``strong``, ``medium``, ``weak``). An influence of 0, blank, ``undefined``
  or ``null`` (a line drawn but not valued) is polarity ``"?"`` with no weight. The text as
  written is kept in ``attributes["influence"]``; ``notes`` is the link's evidence.
- ``confidence`` is the tool's slider from -3 (not confident) to 3 (very confident) in steps of
  1 (mentalmodeler-js; the older Flash version used -2 to 2). It becomes ``(c + 3) / 6`` in
  [0, 1], except 0, the slider's resting middle that every unedited relationship has, which is
  read as no stated confidence (``None``).
- A scenario is a :class:`Scenario` clamping each concept whose scenario ``influence`` is
  not 0 (numeric, or linguistic as above). That is Mental Modeler's own rule: a clamp of 0 is
  no clamp (``scenarioGraph.js``). ``selected`` only says whether the concept's result is
  charted; the ids not selected are kept in ``map.attributes["mentalmodeler"]["unselected"]``.

:func:`write_mentalmodeler` writes the tree in the layout of mentalmodeler-scenario 1.1 (XML
with CDATA text) or, with ``json=True``, of mentalmodeler-js. A link's influence is its weight,
else its strength's Mental Modeler value (``strong`` 1, ``medium`` 0.62, ``weak`` 0.25, none 1)
with its polarity's sign, else 0 for an unknown polarity. Confidence goes back to the nearest
slider notch, so it survives a round trip only to the nearest sixth.
"""

from __future__ import annotations

import json as json_module
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import PurePath
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import load_json, parse_xml
from mobilise.formats._map_files import checked
from mobilise.formats._tables import _decode, xml_safe
from mobilise.model.causal_map import CausalMap, Factor, Link, Scenario
from mobilise.settings import Limits

__all__ = ["INFLUENCE_WEIGHTS", "read_mentalmodeler", "write_mentalmodeler"]

INFLUENCE_WEIGHTS: dict[str, float] = {
    "H+": 1.0,
    "M+": 0.62,
    "L+": 0.25,
    "H-": -1.0,
    "M-": -0.62,
    "L-": -0.25,
}
"""Weights of Mental Modeler's linguistic influences (high, medium, low), as the tool uses them."""

_LEVEL_STRENGTHS = {"H": "strong", "M": "medium", "L": "weak"}
_STRENGTH_MAGNITUDES = {"strong": 1.0, "medium": 0.62, "weak": 0.25}
_NO_INFLUENCE = {"", "0", "undefined", "null", "nan"}
_CONFIDENCE_RANGE = 3
_TRUE_WORDS = {"true", "yes", "1"}
_CONCEPT_FIELDS = (
    "id", "name", "notes", "units", "group", "x", "y", "preferredState", "actualState",
)  # fmt: skip


def read_mentalmodeler(
    data: bytes | str, *, name: str = "map.mmp", limits: Limits | None = None
) -> CausalMap:
    """Read a Mental Modeler ``.mmp`` file, XML or JSON (its bytes or text; ``name`` for
    messages, and for the map's title when the file has none), as a checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every problem: text that is neither XML nor JSON, a tree that is not a Mental
        Modeler map, a relationship to a concept that is not in the file, an influence that is
        not a number in [-1, 1] or one of ``H+ M+ L+ H- M- L-``, a confidence out of -3..3.
    """
    text = _decode(data.encode("utf-8") if isinstance(data, str) else data, name)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        tree = _tree_from_json(stripped, name, limits)
    elif stripped.startswith("<"):
        tree = _tree_from_xml(stripped, name, limits)
    else:
        raise _not_a_map(name, "the file is neither XML nor JSON; save the map from Mental Modeler")
    return _map_from_tree(tree, name)


def write_mentalmodeler(causal_map: CausalMap, *, json: bool = False) -> bytes:
    """The map as a Mental Modeler ``.mmp`` file (UTF-8): XML, or JSON with ``json=True``."""
    tree = _tree_from_map(causal_map)
    if json:
        return (json_module.dumps(tree, indent=4, ensure_ascii=False) + "\n").encode("utf-8")
    return _xml_from_tree(tree).encode("utf-8")


# -- reading ---------------------------------------------------------------------------------


def _not_a_map(name: str, message: str) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as a Mental Modeler map.",
        problems=[Problem(message, file=name)],
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, tag: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) == tag)


def _element_tree(element: ET.Element) -> dict[str, Any]:
    """An XML element as the JSON tree the web app uses (lists for the nested lists)."""
    found: dict[str, Any] = {}
    for child in element:
        tag = _local(child.tag)
        if tag == "relationships":
            found[tag] = [_element_tree(r) for r in _children(child, "relationship")]
        elif tag == "concepts":
            found[tag] = [_element_tree(c) for c in _children(child, "concept")]
        else:
            found[tag] = child.text or ""
    return found


def _tree_from_xml(text: str, name: str, limits: Limits | None) -> dict[str, Any]:
    try:
        root = parse_xml(text, name=name, limits=limits)
    except ET.ParseError as exc:
        raise _not_a_map(name, f"cannot parse the XML: {exc}") from exc
    if _local(root.tag).casefold() != "mentalmodeler":
        raise _not_a_map(name, f"the root element is <{root.tag}>, not <mentalmodeler>")
    tree: dict[str, Any] = {"info": {}, "groupNames": {}, "concepts": [], "scenarios": []}
    for child in root:
        tag = _local(child.tag)
        if tag == "info":
            tree["info"] = _element_tree(child)
        elif tag == "groupNames":
            tree["groupNames"] = {
                g.get("index", ""): g.text or "" for g in _children(child, "groupName")
            }
        elif tag == "concepts":
            tree["concepts"] = [_element_tree(c) for c in _children(child, "concept")]
        elif tag == "scenarios":
            tree["scenarios"] = [_element_tree(s) for s in _children(child, "scenario")]
    return tree


def _tree_from_json(text: str, name: str, limits: Limits | None) -> dict[str, Any]:
    tree = load_json(
        text,
        name=name,
        limits=limits,
        unreadable=lambda error: _not_a_map(name, f"cannot parse the JSON: {error}"),
    )
    if not isinstance(tree, dict) or not isinstance(tree.get("concepts"), list):
        raise _not_a_map(name, "the JSON is not a Mental Modeler map: it has no 'concepts' list")
    return tree


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: object) -> float | None:
    try:
        number = float(_text(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _influence(raw: object) -> tuple[float | None, str | None, str | None]:
    """(weight, strength, error) of an influence; weight None when there is no influence."""
    text = _text(raw).strip()
    if text.casefold() in _NO_INFLUENCE:
        return None, None, None
    linguistic = text.upper().replace(" ", "")
    if linguistic in INFLUENCE_WEIGHTS:
        return INFLUENCE_WEIGHTS[linguistic], _LEVEL_STRENGTHS[linguistic[0]], None
    number = _number(text)
    if number is None:
        return (
            None,
            None,
            (
                f"influence {text!r} is neither a number from -1 to 1 nor one of "
                + ", ".join(INFLUENCE_WEIGHTS)
            ),
        )
    if not -1 <= number <= 1:
        return None, None, f"influence {text!r} is out of range; use a number from -1 to 1"
    return (number if number != 0 else None), None, None


def _map_from_tree(tree: Mapping[str, Any], name: str) -> CausalMap:
    problems: list[Problem] = []
    info = tree.get("info") if isinstance(tree.get("info"), dict) else {}
    assert isinstance(info, dict)
    raw_groups = tree.get("groupNames")
    group_names = (
        {_text(k).strip(): _text(v) for k, v in raw_groups.items()}
        if isinstance(raw_groups, dict)
        else {}
    )
    concepts = [c for c in tree.get("concepts") or [] if isinstance(c, dict)]
    factors: list[Factor] = []
    for number, concept in enumerate(concepts, start=1):
        factors.append(_factor(concept, number, group_names, name, problems))
    known = {f.id for f in factors}
    links: list[Link] = []
    link_ids: set[str] = set()
    next_count: dict[str, int] = {}  # where the search for a free "id#n" resumes (ids stay taken)
    for number, (concept, factor) in enumerate(zip(concepts, factors, strict=True), start=1):
        relationships = concept.get("relationships") or []
        if not isinstance(relationships, list):
            relationships = [relationships]
        for relationship in relationships:
            if not isinstance(relationship, dict):
                continue
            link = _link(relationship, factor, number, known, name, problems)
            if link is None:
                continue
            base, count = link.id, next_count.get(link.id, 2)
            while link.id in link_ids:
                link.id = f"{base}#{count}"
                count += 1
            next_count[base] = count
            link_ids.add(link.id)
            links.append(link)
    scenarios, unselected = _scenarios(tree.get("scenarios") or [], known, name, problems)
    title = _text(info.get("name")).strip() or PurePath(name).stem
    causal_map = CausalMap(
        title=title,
        factors=factors,
        links=links,
        description=_text(info.get("description")).strip(),
        scenarios=scenarios,
        attributes={
            "mentalmodeler": {
                "info": {k: _text(v) for k, v in info.items()},
                "unselected": unselected,
            }
        },
        source=name,
    )
    return checked(causal_map, problems, name)


def _factor(
    concept: Mapping[str, Any],
    number: int,
    group_names: Mapping[str, str],
    name: str,
    problems: list[Problem],
) -> Factor:
    concept_id = _text(concept.get("id")).strip()
    if not concept_id:
        problems.append(Problem(f"concept {number} has no id", file=name, row=number, field="id"))
    position: dict[str, float | None] = {}
    for axis in ("x", "y"):
        raw = _text(concept.get(axis)).strip()
        position[axis] = _number(raw) if raw else None
        if raw and position[axis] is None:
            problems.append(
                Problem(
                    f"concept {concept_id!r} has {axis} {raw!r}, which is not a number",
                    file=name,
                    row=number,
                    field=axis,
                )
            )
    group_index = _text(concept.get("group")).strip()
    if group_index in group_names:
        group = group_names[group_index].strip()
    elif group_index.isdigit():
        group = "" if group_index == "0" else f"Group {group_index}"
    else:
        group = group_index
    attributes = {
        key: _text(concept[key])
        for key in ("units", "preferredState", "actualState")
        if key in concept
    }
    if group_index.isdigit():
        attributes["group_index"] = group_index
    label = _text(concept.get("name"))
    return Factor(
        id=concept_id,
        label=label if label.strip() else f"Concept {concept_id}",
        description=_text(concept.get("notes")),
        group=group,
        x=position["x"],
        y=position["y"],
        attributes=attributes,
    )


def _link(
    relationship: Mapping[str, Any],
    factor: Factor,
    number: int,
    known: set[str],
    name: str,
    problems: list[Problem],
) -> Link | None:
    target = _text(relationship.get("id")).strip()
    if target not in known:
        problems.append(
            Problem(
                f"concept {factor.label!r} has a relationship to concept id {target!r}, "
                "which is not in the file",
                file=name,
                row=number,
                field="relationships",
            )
        )
        return None
    raw_influence = relationship.get("influence")
    weight, strength, error = _influence(raw_influence)
    if error:
        problems.append(
            Problem(
                f"the relationship from {factor.label!r} to concept {target!r} has {error}",
                file=name,
                row=number,
                field="influence",
            )
        )
    confidence = None
    raw_confidence = _text(relationship.get("confidence")).strip()
    if raw_confidence:
        level = _number(raw_confidence)
        if level is None or abs(level) > _CONFIDENCE_RANGE:
            problems.append(
                Problem(
                    f"the relationship from {factor.label!r} to concept {target!r} has "
                    f"confidence {raw_confidence!r}; Mental Modeler's confidence is -3 to 3",
                    file=name,
                    row=number,
                    field="confidence",
                )
            )
        elif level != 0:
            confidence = (level + _CONFIDENCE_RANGE) / (2 * _CONFIDENCE_RANGE)
    polarity = "?" if weight is None else ("+" if weight > 0 else "-")
    attributes: dict[str, Any] = {"influence": _text(raw_influence)}
    if raw_confidence:
        attributes["confidence"] = raw_confidence
    return Link(
        id=f"{factor.id}->{target}",
        source=factor.id,
        target=target,
        polarity=polarity,
        strength=strength,
        weight=weight,
        confidence=confidence,
        evidence=_text(relationship.get("notes")),
        attributes=attributes,
    )


def _scenarios(
    raw_scenarios: object, known: set[str], name: str, problems: list[Problem]
) -> tuple[list[Scenario], dict[str, list[str]]]:
    scenarios: list[Scenario] = []
    unselected: dict[str, list[str]] = {}
    if not isinstance(raw_scenarios, list):
        raw_scenarios = [raw_scenarios]
    for number, raw in enumerate(raw_scenarios, start=1):
        if not isinstance(raw, dict):
            continue
        scenario = Scenario(name=_text(raw.get("name")).strip() or f"Scenario {number}")
        hidden: list[str] = []
        concepts = raw.get("concepts") or []
        for concept in concepts if isinstance(concepts, list) else [concepts]:
            if not isinstance(concept, dict):
                continue
            concept_id = _text(concept.get("id")).strip()
            selected = _text(concept.get("selected", "true")).strip().casefold()
            if selected not in _TRUE_WORDS:
                hidden.append(concept_id)
            clamp, _, error = _influence(concept.get("influence"))
            if error:
                problems.append(
                    Problem(
                        f"scenario {scenario.name!r} clamps concept {concept_id!r} with {error}",
                        file=name,
                        row=number,
                        field="scenarios",
                    )
                )
            elif clamp is not None:
                if concept_id not in known:
                    problems.append(
                        Problem(
                            f"scenario {scenario.name!r} clamps concept id {concept_id!r}, "
                            "which is not in the file",
                            file=name,
                            row=number,
                            field="scenarios",
                        )
                    )
                else:
                    scenario.clamps[concept_id] = clamp
        scenarios.append(scenario)
        if hidden:
            unselected[scenario.name] = hidden
    return scenarios, unselected


# -- writing ---------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    """The shortest text that reads back as the same number (``1`` rather than ``1.0``)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _group_indexes(factors: list[Factor]) -> dict[str, int]:
    """Mental Modeler group index of each group name; ``""`` (no group) prefers 0."""
    indexes: dict[str, int] = {}
    for named_first in (True, False):
        for item in factors:
            if item.group in indexes or bool(item.group) != named_first:
                continue
            wanted = _number(item.attributes.get("group_index", "0" if not item.group else ""))
            if wanted is not None and wanted >= 0 and int(wanted) not in indexes.values():
                indexes[item.group] = int(wanted)
            else:
                free = 0 if not item.group else 1
                while free in indexes.values():
                    free += 1
                indexes[item.group] = free
    return indexes


def _influence_of(link: Link) -> float:
    if link.weight is not None:
        return link.weight
    if link.polarity not in ("+", "-"):
        return 0.0
    magnitude = _STRENGTH_MAGNITUDES.get(link.strength or "", 1.0)
    return magnitude if link.polarity == "+" else -magnitude


def _confidence_of(link: Link) -> str:
    if link.confidence is None:
        return "0"
    level = round(link.confidence * 2 * _CONFIDENCE_RANGE - _CONFIDENCE_RANGE)
    return str(max(-_CONFIDENCE_RANGE, min(_CONFIDENCE_RANGE, level)))


def _tree_from_map(causal_map: CausalMap) -> dict[str, Any]:
    saved = causal_map.attributes.get("mentalmodeler")
    saved = saved if isinstance(saved, dict) else {}
    saved_info = saved.get("info") if isinstance(saved.get("info"), dict) else {}
    assert isinstance(saved_info, dict)
    info = {
        "name": causal_map.title,
        "author": _text(saved_info.get("author")),
        "description": causal_map.description,
        "version": "1.1",
        "date": _text(saved_info.get("date")),
    }
    indexes = _group_indexes(causal_map.factors)
    group_names = {str(i): "" for i in range(6)}
    for group, index in sorted(indexes.items(), key=lambda item: item[1]):
        group_names[str(index)] = group
    labels = {f.id: f.label for f in causal_map.factors}
    outgoing: dict[str, list[Link]] = {}
    for link in causal_map.links:
        outgoing.setdefault(link.source, []).append(link)
    concepts = []
    for item in causal_map.factors:
        concept = {
            "id": item.id,
            "name": item.label,
            "notes": item.description,
            "units": _text(item.attributes.get("units")),
            "group": str(indexes[item.group]),
            "x": _number_text(item.x) if item.x is not None else "0",
            "y": _number_text(item.y) if item.y is not None else "0",
            "preferredState": _text(item.attributes.get("preferredState", "0")),
            "actualState": _text(item.attributes.get("actualState", "0")),
            "relationships": [
                {
                    "id": link.target,
                    "name": labels.get(link.target, ""),
                    "notes": link.evidence,
                    "confidence": _confidence_of(link),
                    "influence": _number_text(_influence_of(link)),
                }
                for link in outgoing.get(item.id, [])
            ],
        }
        concepts.append(concept)
    unselected = saved.get("unselected") if isinstance(saved.get("unselected"), dict) else {}
    assert isinstance(unselected, dict)
    scenarios = []
    for scenario in causal_map.scenarios:
        hidden = set(unselected.get(scenario.name, []))
        scenarios.append(
            {
                "name": scenario.name,
                "concepts": [
                    {
                        "selected": "false" if item.id in hidden else "true",
                        "influence": _number_text(scenario.clamps.get(item.id, 0.0)),
                        "id": item.id,
                        "name": item.label,
                    }
                    for item in causal_map.factors
                ],
            }
        )
    return {"info": info, "groupNames": group_names, "concepts": concepts, "scenarios": scenarios}


def _cdata(text: str) -> str:
    # XML 1.0 cannot carry most control characters at all, and "]]>" cannot appear inside
    # CDATA: drop the first and split the second across two sections.
    text = xml_safe(text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_from_tree(tree: Mapping[str, Any]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<mentalmodeler>", "<info>"]
    lines += [f"<{key}>{_cdata(value)}</{key}>" for key, value in tree["info"].items()]
    lines += ["</info>", "<groupNames>"]
    lines += [
        f'<groupName index="{index}">{_cdata(group)}</groupName>'
        for index, group in tree["groupNames"].items()
    ]
    lines += ["</groupNames>", "<concepts>"]
    for concept in tree["concepts"]:
        lines.append("<concept>")
        lines += [f"<{key}>{_cdata(concept[key])}</{key}>" for key in _CONCEPT_FIELDS]
        lines.append("<relationships>")
        for relationship in concept["relationships"]:
            lines.append("<relationship>")
            lines += [f"<{key}>{_cdata(value)}</{key}>" for key, value in relationship.items()]
            lines.append("</relationship>")
        lines += ["</relationships>", "</concept>"]
    lines += ["</concepts>", "<scenarios>"]
    for scenario in tree["scenarios"]:
        lines += ["<scenario>", f"<name>{_cdata(scenario['name'])}</name>", "<concepts>"]
        for concept in scenario["concepts"]:
            lines.append("<concept>")
            lines += [f"<{key}>{_cdata(value)}</{key}>" for key, value in concept.items()]
            lines.append("</concept>")
        lines += ["</concepts>", "</scenario>"]
    lines += ["</scenarios>", "</mentalmodeler>"]
    return "\n".join(lines) + "\n"

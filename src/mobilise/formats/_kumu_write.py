"""Writing Kumu JSON (a full export or an import blueprint) and Kumu Excel workbooks (see
:mod:`mobilise.formats.kumu`, which says how each field is written; private)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats._kumu_fields import (
    CONNECTION_KEYS,
    ELEMENT_KEYS,
    MOBILISE_FIELDS,
    as_list,
    kind_of,
)
from mobilise.formats._map_files import (
    as_dict,
    link_extras,
    mobilise_extra,
    one_line,
    plain_attributes,
    sheet_columns,
    unique_labels,
    workbook_bytes,
)
from mobilise.model.causal_map import CausalMap, Factor, Link, polarity_of

__all__ = ["write_kumu_json", "write_kumu_xlsx"]


def write_kumu_json(
    causal_map: CausalMap,
    *,
    loops: Sequence[Mapping[str, Any]] | None = None,
    blueprint: bool = False,
) -> bytes:
    """The map as Kumu JSON (UTF-8): a full-export document, or an import blueprint.

    Parameters
    ----------
    causal_map
        The map to write.
    loops
        Loops to name on the map, each ``{"label": "R1 ...", "links": [link ids]}`` (``id`` and
        other text fields optional, written as the loop's fields); by default the loops kept
        from the Kumu file the map was read from, if any. Written only in the full export: a
        blueprint has no way to name its connections.
    blueprint
        Write an import blueprint (elements and connections by label, repeated labels made
        unique) instead of the full export.

    Raises
    ------
    mobilise.errors.ValidationError
        When a loop names a link that is not in the map.
    """
    if blueprint:
        document = _blueprint(causal_map)
    else:
        if loops is None:
            kept = causal_map.attributes.get("loops")
            loops = (
                [loop for loop in kept if isinstance(loop, Mapping)]
                if isinstance(kept, list)
                else []
            )
        document = _export(causal_map, loops)
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _blueprint(causal_map: CausalMap) -> dict[str, Any]:
    labels = unique_labels(causal_map.factors)
    elements = []
    for factor in causal_map.factors:
        fields = _element_fields(factor)
        element_type = fields.pop("element type", "")
        elements.append(
            {
                "label": labels[factor.id],
                **({"type": element_type} if element_type else {}),
                **fields,
            }
        )
    connections = []
    for link in causal_map.links:
        fields = _connection_fields(link)
        connections.append(
            {
                "from": labels.get(link.source, link.source),
                "to": labels.get(link.target, link.target),
                "type": fields.pop("connection type"),
                "direction": fields.pop("direction"),
                **fields,
            }
        )
    return {"elements": elements, "connections": connections}


def _export(causal_map: CausalMap, loops: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    kept = copy.deepcopy(as_dict(causal_map.attributes.get("kumu")))
    link_ids = {link.id for link in causal_map.links}
    problems = [
        Problem(f"loop {loop.get('label')!r} names link {member!r}, which is not in the map")
        for loop in loops
        for member in as_list(loop.get("links"))
        if str(member) not in link_ids
    ]
    if problems:
        raise ValidationError(
            f"Cannot write {causal_map.title or 'the map'} as Kumu JSON: a loop names a link "
            "that is not in the map.",
            problems=problems,
        )
    elements = [
        {"_id": factor.id, "attributes": {"label": factor.label, **_element_fields(factor)}}
        for factor in causal_map.factors
    ]
    connections = []
    for link in causal_map.links:
        fields = _connection_fields(link)
        connections.append(
            {
                "_id": link.id,
                "from": link.source,
                "to": link.target,
                "direction": fields.pop("direction"),
                "delayed": bool(fields.pop("delayed", False)),
                "reversed": False,
                "attributes": fields,
            }
        )
    loop_records = []
    for number, loop in enumerate(loops, start=1):
        fields = {
            k: v
            for k, v in plain_attributes(loop).items()
            if k not in {"id", "_id", "label", "links"}
        }
        loop_records.append(
            {
                "_id": str(loop.get("id") or loop.get("_id") or f"loop-{number}"),
                "attributes": {"label": str(loop.get("label") or f"Loop {number}"), **fields},
                "connections": [str(member) for member in as_list(loop.get("links"))],
            }
        )
    maps, default_map = _layouts(causal_map, kept)
    document: dict[str, Any] = {"name": causal_map.title}
    document.update(kept)
    document["maps"] = maps
    document["defaultMap"] = default_map
    document.update(elements=elements, connections=connections, loops=loop_records)
    extra = mobilise_extra(causal_map)
    if extra:
        document["mobilise"] = extra
    return document


def _layouts(causal_map: CausalMap, kept: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The kept maps (or a new one) with the factors' positions and the map's description."""
    maps = [m for m in kept.pop("maps", None) or [] if isinstance(m, dict)]
    default_map = kept.pop("defaultMap", None)
    if not maps:
        maps = [{"_id": "map-1", "name": causal_map.title, "elements": []}]
    layout = next((m for m in maps if m.get("_id") == default_map), maps[0])
    default_map = str(layout.get("_id") or "map-1")
    layout["_id"] = default_map
    if causal_map.description:
        layout["description"] = causal_map.description
    placed = layout.setdefault("elements", [])
    by_element = {str(as_dict(p).get("element")): p for p in placed if isinstance(p, dict)}
    for factor in causal_map.factors:
        if factor.x is None or factor.y is None:
            continue
        entry = by_element.get(factor.id)
        if entry is None:
            entry = {"_id": f"{default_map}-{factor.id}", "element": factor.id}
            placed.append(entry)
        entry["position"] = {"x": factor.x, "y": factor.y}
    return maps, default_map


def _element_fields(factor: Factor) -> dict[str, Any]:
    """The element's fields but its label: ``element type`` first."""
    original = one_line(as_dict(factor.attributes.get("kumu")).get("element type"))
    category = factor.group
    if factor.kind != "other":
        element_type = original if kind_of(original) == factor.kind else factor.kind.capitalize()
    elif original and kind_of(original) == "other":
        element_type = original
    elif factor.group and kind_of(factor.group) == "other":
        element_type = factor.group
    else:
        element_type = ""
    if category == element_type:
        category = ""
    fields: dict[str, Any] = {"element type": element_type} if element_type else {}
    if factor.description:
        fields["description"] = factor.description
    if category:
        fields["category"] = category
    if factor.populations:
        fields["populations"] = list(factor.populations)
    if factor.indicator_id:
        fields["indicator id"] = factor.indicator_id
    if factor.asset_category:
        fields["asset category"] = factor.asset_category
    for key, value in plain_attributes(factor.attributes).items():
        if key.casefold() not in ELEMENT_KEYS:
            fields.setdefault(key, value)
    return fields


def _connection_fields(link: Link) -> dict[str, Any]:
    """The connection's fields: ``connection type`` and ``direction`` first, then label,
    description (the evidence), the mobilise link fields and the other attributes."""
    raw = as_dict(link.attributes.get("kumu"))
    original = one_line(raw.get("connection type"))
    connection_type = (
        original if original and (polarity_of(original) or "?") == link.polarity else link.polarity
    )
    direction = "undirected" if raw.get("direction") == "undirected" else "directed"
    fields: dict[str, Any] = {"connection type": connection_type, "direction": direction}
    if link.label:
        fields["label"] = link.label
    if link.evidence:
        fields["description"] = link.evidence
    fields.update(link_extras(link))
    for key, value in plain_attributes(link.attributes).items():
        if key.casefold() not in CONNECTION_KEYS:
            fields.setdefault(key, value)
    return fields


def write_kumu_xlsx(causal_map: CausalMap) -> bytes:
    """The map as a Kumu Excel workbook: sheets Elements (``Label`` in A1) and Connections
    (``From``, ``To`` in A1, B1), elements named by label (repeated labels made unique),
    several values in a cell separated by ``|`` (so a ``|`` in a label becomes ``/``)."""
    labels = unique_labels(causal_map.factors, avoid="|")
    element_rows = []
    for factor in causal_map.factors:
        fields = _element_fields(factor)
        row = {"Label": labels[factor.id], "Type": fields.pop("element type", "")}
        for key, value in fields.items():
            row.setdefault(_column(key), _cell_text(value))
        element_rows.append(row)
    connection_rows = []
    for link in causal_map.links:
        fields = _connection_fields(link)
        row = {
            "From": labels.get(link.source, link.source),
            "To": labels.get(link.target, link.target),
            "Type": fields.pop("connection type"),
            "Direction": fields.pop("direction"),
        }
        for key, value in fields.items():
            row.setdefault(_column(key), _cell_text(value))
        connection_rows.append(row)
    return workbook_bytes(
        [
            ("Elements", sheet_columns(element_rows, ["Label", "Type"]), element_rows),
            (
                "Connections",
                sheet_columns(connection_rows, ["From", "To", "Type", "Direction"]),
                connection_rows,
            ),
        ]
    )


def _column(key: str) -> str:
    """A field mobilise names as a column header (``indicator id`` -> ``Indicator id``); other
    fields keep their names."""
    return key[:1].upper() + key[1:] if key in MOBILISE_FIELDS else key


def _cell_text(value: Any) -> Any:
    return "|".join(str(v) for v in value) if isinstance(value, list) else value

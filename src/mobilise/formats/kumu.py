"""Kumu (https://kumu.io) maps: JSON blueprints, full JSON exports and Excel workbooks.

Kumu reads and writes three shapes of the same data:

- an import **blueprint**: ``{"elements": [{"label", "type", "description", "tags", ...}],
  "connections": [{"from", "to", "type", "direction", ...}]}``, where ``from`` and ``to`` are
  element labels (or ``id``\\ s, when elements have them);
- a **full export**: ``{"name", "attributes": [...], "elements": [{"_id", "attributes":
  {"label", "element type", ...}}], "connections": [{"_id", "from", "to", "direction",
  "delayed", "reversed", "attributes": {"connection type", ...}}], "loops": [{"_id",
  "attributes": {"label"}, "connections": [ids]}], "maps": [...], ...}``;
- an Excel **workbook**: element sheets with ``Label`` in A1, connection sheets with ``From``
  and ``To`` in A1 and B1 (or ``ID`` first), several values in a cell separated by ``|``; sheets
  whose name contains ``(ignore)`` are skipped.

How a map is read:

- an element is a :class:`~mobilise.model.causal_map.Factor`. Its type (``type`` or
  ``element type``) is the factor's ``kind`` when it names one of
  :data:`~mobilise.model.causal_map.FACTOR_KINDS`, in any case and in the singular or plural,
  alone or as its last word ("Outcome", "Interventions", "Community asset"). Otherwise the kind
  is ``"other"`` and the type is kept as the factor's ``group``, unless the element has a
  ``category`` (or ``group``) field, which is always the group. The type as written is kept in
  ``attributes["kumu"]["element type"]`` and written back;
- ``description`` is the factor's description; ``populations`` (``|``-separated or a list),
  ``indicator id`` and ``asset category`` fill those fields; other fields (``tags``, ...) are
  kept in ``Factor.attributes`` by name;
- a connection is a :class:`~mobilise.model.causal_map.Link`. Its polarity is its type
  (``type`` or ``connection type``) read by
  :func:`~mobilise.model.causal_map.polarity_of`: ``++`` and ``--`` (same direction) are
  ``"+"``, ``+-`` and ``-+`` are ``"-"``, and so are ``+`` and ``-``; any other type is ``"?"``.
  A type other than a bare ``+``, ``-`` or ``?`` is kept in ``attributes["kumu"]`` to be written
  back. ``delayed`` is the link's ``delay``; ``description`` its
  ``evidence``; ``strength``, ``weight``, ``confidence``, ``stakeholder group`` and ``contested``
  fill those fields when they fit them;
- a ``mutual`` connection is two links, the second with id ``<id>-reverse``; an ``undirected``
  one is one link from ``from`` to ``to`` (its direction is kept); a ``reversed`` one runs from
  ``to`` to ``from``;
- a full export's loops are kept in ``CausalMap.attributes["loops"]`` as ``{"id", "label",
  "links": [link ids], ...}``, the shape :func:`write_kumu_json` takes; element positions come
  from the default map's layout.

Writing reverses this. An element's type is the factor's kind ("Outcome", "Intervention",
"Driver", "Asset"), or the type it was read with if that names the same kind; a factor of kind
``"other"`` has its group as its type (unless the group reads as a kind, when it goes in a
``category`` field, as does the group of a factor of any other kind). A connection's type is the
type it was read with if that says the link's polarity, else ``+``, ``-`` or ``?``. Plain
attributes (text, numbers, lists) are written as fields; ``"mutual"`` pairs as two directed
connections.

Elements with the same label in a blueprint or workbook (and no ``id``) are one element, as in
Kumu: the first one's fields win. A connection naming a label no element has is an error, except
in a file of connections only, where the elements are made from the connections' labels. Factor
ids of label-keyed files are the labels.

Blueprints and workbooks name elements by label, so a map with repeated labels is written with
the later ones made unique: the second "Stress" becomes "Stress (2)", the third "Stress (3)"
(skipping any label the map already has). In a workbook, where ``|`` separates values, a ``|`` in
a label is written as ``/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from mobilise.errors import Problem
from mobilise.formats._kumu_fields import (
    as_list,
    by_key,
    coordinate,
    factor_of,
    kind_of,
    links_of,
)
from mobilise.formats._kumu_write import write_kumu_json, write_kumu_xlsx
from mobilise.formats._limits import load_json
from mobilise.formats._map_files import (
    as_dict,
    decode_text,
    one_line,
    plain_attributes,
    raise_if,
    read_mobilise_extra,
    read_workbook,
    sheet_records,
    unreadable,
)
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.settings import Limits

__all__ = ["kind_of", "read_kumu_json", "read_kumu_xlsx", "write_kumu_json", "write_kumu_xlsx"]

_TOP_LEVEL = {"elements", "connections", "loops", "name", "mobilise"}
_NOT_MULTI = {"label", "description", "type", "element type", "connection type", "id", "_id"}


# -- reading JSON ----------------------------------------------------------------------------


def read_kumu_json(
    data: bytes, *, name: str = "map.json", limits: Limits | None = None
) -> CausalMap:
    """Read a Kumu JSON file's bytes: an import blueprint or a full export (told apart by the
    elements' ``_id``\\ s). ``name`` is the file's name, for messages and ``CausalMap.source``.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file is not Kumu JSON, naming every problem (an element without a label, a
        connection to an element that is not in the file, ...).
    """
    text = decode_text(data, name)
    document = load_json(
        text,
        name=name,
        limits=limits,
        unreadable=lambda error: unreadable(name, f"this is not JSON: {error}"),
    )
    if not isinstance(document, dict) or not any(
        isinstance(document.get(key), list) for key in ("elements", "connections")
    ):
        raise unreadable(name, "this is not a Kumu map: there is no list of 'elements'")
    problems: list[Problem] = []
    for key in ("elements", "connections", "loops"):
        if document.get(key) is not None and not isinstance(document.get(key), list):
            problems.append(Problem(f"{key!r} is not a list", file=name, field=key))
    raise_if(problems, name)
    elements = document.get("elements") or []
    if any(isinstance(e, dict) and ("_id" in e or "attributes" in e) for e in elements):
        causal_map = _from_export(document, name, problems)
    else:
        causal_map = _from_records(
            [_record(e) for e in elements],
            [_record(c) for c in document.get("connections") or []],
            name,
            problems,
        )
    raise_if(problems, name)
    return causal_map.check()


def _record(item: object) -> dict[str, Any] | None:
    return item if isinstance(item, dict) else None


def _from_records(
    elements: Sequence[dict[str, Any] | None],
    connections: Sequence[dict[str, Any] | None],
    name: str,
    problems: list[Problem],
    *,
    element_at: Sequence[tuple[str, int]] = (),
    connection_at: Sequence[tuple[str, int]] = (),
) -> CausalMap:
    """A map from label-keyed element and connection records (a blueprint or a workbook).

    ``element_at`` / ``connection_at`` say where each record is, as (words for it, row), for
    messages; by default "element 3", row 3.
    """

    def where(places: Sequence[tuple[str, int]], word: str, number: int) -> tuple[str, int]:
        return places[number - 1] if places else (f"{word} {number}", number)

    records: dict[str, dict[str, Any]] = {}
    by_label: dict[str, str] = {}
    for number, element in enumerate(elements, start=1):
        who, row = where(element_at, "element", number)
        if element is None:
            problems.append(Problem(f"{who} is not a JSON object", file=name, row=row))
            continue
        fields = by_key(element)
        label = one_line(fields.get("label"))
        if not label:
            problems.append(Problem(f"{who} has no label", file=name, row=row, field="label"))
            continue
        key = one_line(fields.get("id")) or label
        # Kumu merges elements with the same label (or id): the first one's fields win.
        records[key] = {**element, **records[key]} if key in records else dict(element)
        by_label.setdefault(label, key)
    factors = {key: factor_of(record, key) for key, record in records.items()}
    made_from_labels = not elements
    links: list[Link] = []
    for number, connection in enumerate(connections, start=1):
        who, row = where(connection_at, "connection", number)
        if connection is None:
            problems.append(Problem(f"{who} is not a JSON object", file=name, row=row))
            continue
        fields = by_key(connection)
        ends: list[list[str]] = []
        for end in ("from", "to"):
            names = [one_line(v) for v in as_list(fields.get(end)) if one_line(v)]
            if not names:
                problems.append(Problem(f"{who} has no {end!r}", file=name, row=row, field=end))
            found = []
            for label in names:
                factor_id = label if label in factors else by_label.get(label)
                if factor_id is None and made_from_labels:
                    factors[label] = Factor(id=label, label=label)
                    by_label[label] = factor_id = label
                if factor_id is None:
                    problems.append(
                        Problem(
                            f"{who}: {end!r} is {label!r}, which is not the label of an element",
                            file=name,
                            row=row,
                            field=end,
                        )
                    )
                else:
                    found.append(factor_id)
            ends.append(found)
        base_id = one_line(fields.get("id")) or f"connection-{number}"
        pairs = [(s, t) for s in ends[0] for t in ends[1]]
        for count, (source, target) in enumerate(pairs, start=1):
            link_id = base_id if len(pairs) == 1 else f"{base_id}-{count}"
            links.extend(links_of(connection, link_id, source, target))
    return CausalMap(
        title=PurePath(name).stem,
        factors=list(factors.values()),
        links=links,
        source=name,
    )


def _from_export(document: dict[str, Any], name: str, problems: list[Problem]) -> CausalMap:
    """A map from a full export: elements and connections by ``_id``, positions from the
    default map's layout, and the loops."""
    factors = _export_factors(document.get("elements") or [], name, problems)
    ids = {factor.id for factor in factors}
    links = _export_links(document.get("connections") or [], ids, name, problems)
    given_maps = document.get("maps")
    maps = [m for m in given_maps if isinstance(m, dict)] if isinstance(given_maps, list) else []
    layout = next((m for m in maps if m.get("_id") == document.get("defaultMap")), None)
    layout = layout or (maps[0] if maps else {})
    positions = _positions(layout)
    for factor in factors:
        factor.x, factor.y = positions.get(factor.id, (None, None))
    loops = _export_loops(document.get("loops"), {link.id for link in links}, name, problems)
    question, scenarios = read_mobilise_extra(document.get("mobilise"), name, problems)
    kept = {k: v for k, v in document.items() if k not in _TOP_LEVEL}
    attributes: dict[str, Any] = {"kumu": kept}
    if loops:
        attributes["loops"] = loops
    return CausalMap(
        title=one_line(document.get("name")) or one_line(layout.get("name")) or PurePath(name).stem,
        factors=factors,
        links=links,
        question=question,
        description=str(layout.get("description") or "").strip(),
        scenarios=scenarios,
        attributes=attributes,
        source=name,
    )


def _export_factors(elements: list[Any], name: str, problems: list[Problem]) -> list[Factor]:
    factors: list[Factor] = []
    for number, element in enumerate(elements, start=1):
        element_id = as_dict(element).get("_id")
        if not isinstance(element, dict) or element_id in (None, ""):
            problems.append(
                Problem(f"element {number} has no '_id'", file=name, row=number, field="_id")
            )
            continue
        factors.append(factor_of(as_dict(element.get("attributes")), str(element_id)))
    return factors


def _export_links(
    connections: list[Any], ids: set[str], name: str, problems: list[Problem]
) -> list[Link]:
    links: list[Link] = []
    for number, connection in enumerate(connections, start=1):
        if not isinstance(connection, dict) or connection.get("_id") in (None, ""):
            problems.append(
                Problem(f"connection {number} has no '_id'", file=name, row=number, field="_id")
            )
            continue
        link_id = str(connection["_id"])
        ends = []
        for end in ("from", "to"):
            element_id = str(connection.get(end) or "")
            if element_id not in ids:
                problems.append(
                    Problem(
                        f"connection {link_id!r}: {end!r} is {element_id!r}, which is not the "
                        "_id of an element in the file",
                        file=name,
                        row=number,
                        field=end,
                    )
                )
            ends.append(element_id)
        values = dict(as_dict(connection.get("attributes")))
        for key in ("direction", "delayed", "reversed"):
            if connection.get(key) is not None:
                values[key] = connection[key]
        links.extend(links_of(values, link_id, ends[0], ends[1]))
    return links


def _positions(layout: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Each placed element's position on a map's layout."""
    positions = {}
    placed_elements = layout.get("elements")
    for placed in placed_elements if isinstance(placed_elements, list) else []:
        position = as_dict(as_dict(placed).get("position"))
        x, y = coordinate(position.get("x")), coordinate(position.get("y"))
        if x is not None and y is not None:
            positions[str(as_dict(placed).get("element"))] = (x, y)
    return positions


def _export_loops(
    given_loops: object, link_ids: set[str], name: str, problems: list[Problem]
) -> list[dict[str, Any]]:
    """A full export's loops, each ``{"id", "label", "links": [link ids], ...}``."""
    loops = []
    for number, loop in enumerate(given_loops if isinstance(given_loops, list) else [], start=1):
        fields = dict(as_dict(as_dict(loop).get("attributes")))
        label = one_line(fields.pop("label", "")) or f"Loop {number}"
        given = as_dict(loop).get("connections") or []
        if not isinstance(given, list):
            problems.append(
                Problem(f"loop {label!r} has no list of connections", file=name, field="loops")
            )
            given = []
        members = [str(c) for c in given]
        unknown = [c for c in members if c not in link_ids]
        if unknown:
            problems.append(
                Problem(
                    f"loop {label!r} names connection {unknown[0]!r}, which is not in the file",
                    file=name,
                    field="loops",
                )
            )
        loops.append(
            {
                "id": str(as_dict(loop).get("_id") or f"loop-{number}"),
                "label": label,
                "links": members,
                **plain_attributes(fields),
            }
        )
    return loops


# -- reading Excel ---------------------------------------------------------------------------


def read_kumu_xlsx(
    data: bytes, *, name: str = "map.xlsx", limits: Limits | None = None
) -> CausalMap:
    """Read a Kumu Excel workbook: element sheets (``Label`` in A1) and connection sheets
    (``From`` and ``To`` in A1 and B1); ``ID`` may come first in either.

    Several values in a cell are separated by ``|``; a ``To`` (or ``From``) cell naming several
    elements makes a link to (or from) each.

    Raises
    ------
    mobilise.errors.ValidationError
        When the workbook cannot be read, has no element or connection sheet, a sheet lacks
        its Label or From/To column, or a connection names an element that is not in it.
    mobilise.errors.ConfigurationError
        When openpyxl is not installed (``pip install 'mobilise[xlsx]'``).
    """
    sheets = read_workbook(data, name, limits=limits)
    problems: list[Problem] = []
    elements: list[dict[str, Any] | None] = []
    connections: list[dict[str, Any] | None] = []
    element_at: list[tuple[str, int]] = []
    connection_at: list[tuple[str, int]] = []
    for title, rows in sheets.items():
        if "(ignore)" in title.casefold() or not rows:
            continue
        header, records = sheet_records(rows)
        first = [str(c).strip().casefold() if c is not None else "" for c in rows[0][:3]]
        if first[:1] == ["id"]:
            first = first[1:]
        if first[:2] == ["from", "to"]:
            connections += [_multi(header, record) for _, record in records]
            connection_at += [(f"sheet {title!r}: the connection", n) for n, _ in records]
        elif first[:1] == ["label"]:
            elements += [_multi(header, record) for _, record in records]
            element_at += [(f"sheet {title!r}: the element", n) for n, _ in records]
        elif "connection" in title.casefold():
            problems.append(
                Problem(
                    f"sheet {title!r} has no 'From' in A1 and 'To' in B1, as a Kumu connection "
                    f"sheet has (found {', '.join(map(repr, header.values())) or 'nothing'})",
                    file=name,
                    field="From",
                )
            )
        elif "element" in title.casefold():
            problems.append(
                Problem(
                    f"sheet {title!r} has no 'Label' in A1, as a Kumu element sheet has (found "
                    f"{', '.join(map(repr, header.values())) or 'nothing'})",
                    file=name,
                    field="Label",
                )
            )
    if not problems and not elements and not connections:
        problems.append(
            Problem(
                "there is no element sheet ('Label' in A1) or connection sheet ('From' in A1, "
                f"'To' in B1); sheets found: {', '.join(map(repr, sheets)) or 'none'}",
                file=name,
            )
        )
    raise_if(problems, name)
    causal_map = _from_records(
        elements, connections, name, problems, element_at=element_at, connection_at=connection_at
    )
    raise_if(problems, name)
    return causal_map.check()


def _multi(header: Mapping[str, str], record: Mapping[str, Any]) -> dict[str, Any]:
    """A sheet row by column name as written, ``|``-separated cells as lists."""
    values: dict[str, Any] = {}
    for key, value in record.items():
        if value is None:
            continue
        if isinstance(value, str) and "|" in value and key not in _NOT_MULTI:
            value = [part for part in (p.strip() for p in value.split("|")) if part]
        values[header[key]] = value
    return values

"""Kumu elements and connections as factors and links, field by field (private to
:mod:`mobilise.formats.kumu`, which says how each field is read and written)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mobilise.formats._map_files import as_flag, link_fields, many, one_line, text_or_none
from mobilise.model.causal_map import FACTOR_KINDS, POLARITIES, Factor, Link, polarity_of

ELEMENT_KEYS = {
    "id",
    "_id",
    "label",
    "type",
    "element type",
    "description",
    "category",
    "group",
    "populations",
    "indicator id",
    "asset category",
}
"""The element fields that are a factor's own (any case, ``_`` as a space)."""

CONNECTION_KEYS = {
    "id",
    "_id",
    "from",
    "to",
    "type",
    "connection type",
    "direction",
    "reversed",
    "label",
    "description",
}
"""The connection fields that are a link's own (any case, ``_`` as a space)."""

MOBILISE_FIELDS = (
    ELEMENT_KEYS
    | CONNECTION_KEYS
    | {
        "strength",
        "weight",
        "confidence",
        "delayed",
        "stakeholder group",
        "contested",
    }
)
"""Every field name mobilise writes (as a workbook column, capitalised)."""


def field_name(key: object) -> str:
    """A field's name as matched: lower case, ``_`` as a space (but ``_id`` as it is)."""
    return "_id" if str(key) == "_id" else str(key).strip().casefold().replace("_", " ").strip()


def by_key(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields by lower-case name (the first of names that differ only in case)."""
    fields: dict[str, Any] = {}
    for key, value in record.items():
        fields.setdefault(str(key).strip().casefold().replace("_", " ").strip(), value)
    if "_id" in record:
        fields.setdefault("_id", record["_id"])
    return fields


def _known_and_rest(
    record: Mapping[str, Any], keys: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's fields named in ``keys`` (the first of each, by :func:`field_name`) and
    the other fields that have a value."""
    known: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in record.items():
        lowered = field_name(key)
        if lowered in keys and lowered not in known:
            known[lowered] = value
        elif value is not None and value != "" and value != []:
            rest[str(key)] = value
    return known, rest


def factor_of(record: Mapping[str, Any], factor_id: str) -> Factor:
    """An element's fields as a factor (see :mod:`mobilise.formats.kumu`)."""
    known, rest = _known_and_rest(record, ELEMENT_KEYS)
    element_type = one_line(known.get("type") or known.get("element type"))
    kind = kind_of(element_type)
    group = one_line(known.get("category") or known.get("group"))
    if not group and kind == "other":
        group = element_type
    return Factor(
        id=factor_id,
        label=one_line(known.get("label")),
        kind=kind,
        description=str(known.get("description") or "").strip(),
        group=group,
        populations=many(known.get("populations")),
        indicator_id=text_or_none(known.get("indicator id")),
        asset_category=text_or_none(known.get("asset category")),
        attributes={**rest, "kumu": {"element type": element_type}} if element_type else rest,
    )


def kind_of(element_type: str) -> str:
    """The factor kind a Kumu element type names ("Community assets" -> ``"asset"``), else
    ``"other"``."""
    words = element_type.casefold().split()
    if not words:
        return "other"
    for word in (words[-1], words[-1].removesuffix("s")):
        if word in FACTOR_KINDS:
            return word
    return "other"


def links_of(values: Mapping[str, Any], link_id: str, source: str, target: str) -> list[Link]:
    """A connection's fields as a link, or two for a ``mutual`` connection."""
    known, rest = _known_and_rest(values, CONNECTION_KEYS)
    connection_type = one_line(known.get("type") or known.get("connection type"))
    polarity = polarity_of(connection_type) or "?"
    direction = one_line(known.get("direction")).casefold() or "directed"
    if as_flag(known.get("reversed")):
        source, target = target, source
    fields, plain = link_fields(rest, polarity)
    # a type that is just a polarity is written again from the polarity: no need to keep it
    kept_type = connection_type and connection_type not in POLARITIES
    raw: dict[str, Any] = {"connection type": connection_type} if kept_type else {}
    if direction == "undirected":
        raw["direction"] = direction
    link = Link(
        id=link_id,
        source=source,
        target=target,
        polarity=polarity,
        label=one_line(known.get("label")),
        evidence=str(known.get("description") or "").strip(),
        attributes={**plain, "kumu": raw} if raw else plain,
        **fields,
    )
    if direction != "mutual":
        return [link]
    back = copy.deepcopy(link)
    back.id, back.source, back.target = f"{link_id}-reverse", target, source
    return [link, back]


def coordinate(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]

"""Checking the fields of systems-map changes, how stored rows are given back, and a stored map
to and from a :class:`~mobilise.model.causal_map.CausalMap` (private helpers of
:mod:`mobilise.workspace.maps` and :mod:`mobilise.workspace.map_talk`)."""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.causal_map import (
    FACTOR_KINDS,
    MAP_STATUSES,
    POLARITIES,
    STRENGTHS,
    CausalMap,
    Factor,
    Link,
)
from mobilise.model.visibility import VISIBILITIES

FACTOR_FIELDS = (
    "label",
    "kind",
    "description",
    "theme",
    "populations",
    "indicator_id",
    "asset_category",
    "x",
    "y",
    "attributes",
)
LINK_FIELDS = (
    "source_id",
    "target_id",
    "polarity",
    "strength",
    "weight",
    "delay",
    "confidence",
    "evidence",
    "stakeholder_group",
    "contested",
    "label",
    "attributes",
)
_TEXT_LIMITS = {"label": 300, "theme": 120, "stakeholder_group": 120, "title": 300}


def raise_problems(problems: builtins.list[Problem], *, what: str = "change") -> None:
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(
            f"Cannot make this {what}: {len(problems)} {noun}.", problems=problems
        )


def _not_finite(value: Any) -> bool:
    """Whether a JSON-like value holds NaN or an infinity anywhere (JSON has no place for them)."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_not_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_not_finite(v) for v in value)
    return False


def attributes_value(value: Any, problems: builtins.list[Problem]) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append(Problem("attributes must be an object", field="attributes"))
        return {}
    if _not_finite(value):
        problems.append(
            Problem("attributes hold a number that is not finite (NaN)", field="attributes")
        )
    return dict(value)


def map_problems(fields: Mapping[str, Any]) -> builtins.list[Problem]:
    problems = [
        Problem(f"{name} cannot be empty (null)", field=name)
        for name in ("title", "question", "description", "status", "attributes", "visibility")
        if name in fields and fields[name] is None
    ]
    if problems:
        return problems
    if "title" in fields and not (0 < len(str(fields["title"]).strip()) <= 300):
        problems.append(Problem("give the map a title of 1 to 300 characters", field="title"))
    if "status" in fields and fields["status"] not in MAP_STATUSES:
        problems.append(Problem(f"status must be one of {', '.join(MAP_STATUSES)}", field="status"))
    if "attributes" in fields:
        attributes_value(fields["attributes"], problems)
    if "visibility" in fields and fields["visibility"] not in VISIBILITIES:
        problems.append(
            Problem(f"visibility must be one of {', '.join(VISIBILITIES)}", field="visibility")
        )
    return problems


def _text(value: Any, name: str, problems: builtins.list[Problem]) -> str:
    text = "" if value is None else str(value).strip()
    limit = _TEXT_LIMITS.get(name)
    if limit is not None and len(text) > limit:
        problems.append(Problem(f"at most {limit} characters", field=name))
    return text


def _number(value: Any, name: str, problems: builtins.list[Problem]) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(f"{value!r} is not a number", field=name))
        return None
    if not math.isfinite(number):
        problems.append(Problem("must be a finite number", field=name))
        return None
    return number


def factor_values(
    fields: Mapping[str, Any], *, partial: bool, what: str = "factor"
) -> dict[str, Any]:
    problems = [
        Problem(f"a factor has no field {k!r}", field=k) for k in fields if k not in FACTOR_FIELDS
    ]
    values: dict[str, Any] = {}
    for name in FACTOR_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name in ("label", "description", "theme"):
            values[name] = _text(value, name, problems)
        elif name == "kind":
            if value not in FACTOR_KINDS:
                problems.append(
                    Problem(f"kind must be one of {', '.join(FACTOR_KINDS)}", field="kind")
                )
            values[name] = value
        elif name == "populations":
            if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
                problems.append(Problem("populations must be a list of texts", field=name))
            values[name] = [str(p).strip() for p in value or [] if str(p).strip()]
        elif name in ("indicator_id", "asset_category"):
            values[name] = str(value).strip() or None if value is not None else None
            if name == "asset_category" and values[name] and values[name] not in CATEGORIES:
                problems.append(
                    Problem(f"unknown asset category {values[name]!r}", field="asset_category")
                )
        elif name in ("x", "y"):
            values[name] = _number(value, name, problems)
        elif name == "attributes":
            values[name] = attributes_value(value, problems)
    if not partial:
        values.setdefault("kind", "other")
        defaults: dict[str, Any] = {
            "description": "",
            "theme": "",
            "populations": [],
            "indicator_id": None,
            "asset_category": None,
            "x": None,
            "y": None,
        }
        for name, default in defaults.items():
            values.setdefault(name, default)
        values.setdefault("attributes", {})
        if "label" not in values:
            values["label"] = ""
    if "label" in values and not values["label"]:
        problems.append(Problem("a factor needs a label", field="label"))
    raise_problems(problems, what=what)
    return values


def link_values(fields: Mapping[str, Any], *, partial: bool, what: str = "link") -> dict[str, Any]:
    problems = [
        Problem(f"a link has no field {k!r}", field=k) for k in fields if k not in LINK_FIELDS
    ]
    values: dict[str, Any] = {}
    for name in LINK_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name in ("source_id", "target_id"):
            if not isinstance(value, str) or not value:
                problems.append(Problem("name a factor of the map", field=name))
            values[name] = value
        elif name == "polarity":
            if value not in POLARITIES:
                problems.append(Problem("polarity must be +, - or ?", field=name))
            values[name] = value
        elif name == "strength":
            if value not in (None, "", *STRENGTHS):
                problems.append(
                    Problem(f"strength must be one of {', '.join(STRENGTHS)}", field=name)
                )
            values[name] = value or None
        elif name in ("weight", "confidence"):
            number = _number(value, name, problems)
            low = -1.0 if name == "weight" else 0.0
            if number is not None and not low <= number <= 1:
                problems.append(Problem(f"must be from {low:g} to 1", field=name))
            values[name] = number
        elif name in ("delay", "contested"):
            if not isinstance(value, bool):
                problems.append(Problem("must be true or false", field=name))
            values[name] = bool(value)
        elif name in ("evidence", "stakeholder_group", "label"):
            values[name] = _text(value, name, problems)
        elif name == "attributes":
            values[name] = attributes_value(value, problems)
    if not partial:
        for name in ("source_id", "target_id"):
            if name not in values:
                problems.append(Problem("name a factor of the map", field=name))
        weight = values.get("weight")
        if weight is not None and "polarity" not in fields:
            values["polarity"] = sign_of(weight)
        defaults: dict[str, Any] = {
            "polarity": "?",
            "strength": None,
            "weight": None,
            "delay": False,
            "confidence": None,
            "evidence": "",
            "stakeholder_group": "",
            "contested": False,
            "label": "",
            "attributes": {},
        }
        for name, default in defaults.items():
            values.setdefault(name, default)
        if values["weight"] is not None and values["polarity"] != sign_of(values["weight"]):
            problems.append(
                Problem(
                    f"polarity {values['polarity']!r} disagrees with weight {values['weight']:g}",
                    field="polarity",
                )
            )
    raise_problems(problems, what=what)
    return values


def sign_of(weight: float) -> str:
    return "?" if weight == 0 else ("+" if weight > 0 else "-")


def factor_record(row: Any) -> dict[str, Any]:
    """A stored factor as plain JSON."""
    return _part_record(row, FACTOR_FIELDS)


def link_record(row: Any) -> dict[str, Any]:
    """A stored link as plain JSON."""
    return _part_record(row, LINK_FIELDS)


def _part_record(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": data["id"],
        **{name: data[name] for name in fields},
        "participant_id": data["participant_id"],
        "version": data["version"],
        "created_by": data["created_by"],
        "updated_at": data["updated_at"].isoformat(),
        "updated_by": data["updated_by"],
    }


def participant_record(row: Any) -> dict[str, Any]:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": data["id"],
        "pseudonym": data["pseudonym"],
        "stakeholder_group": data["stakeholder_group"],
    }


def import_values(
    causal_map: CausalMap, stakeholder_group: str
) -> tuple[builtins.list[tuple[str, dict[str, Any]]], builtins.list[tuple[tuple[str, str], dict]]]:
    """Every factor's and link's stored values, checked all at once: one error names every bad
    factor and link of the file, by row, before anything is written."""
    problems: builtins.list[Problem] = []
    where = causal_map.source or None
    factors = []
    for row, item in enumerate(causal_map.factors, start=1):
        what = f"factor {item.label[:60]!r}"
        values = _stored(factor_values, _factor_fields(item), (where, row, what), problems)
        if values is not None:
            factors.append((item.id, values))
    links = []
    for row, link in enumerate(causal_map.links, start=1):
        values = _plain_link_values(link, stakeholder_group)
        if values is None:  # the full check, which names what is wrong
            fields = _link_fields(link, stakeholder_group)
            at = (where, row, f"link {link.id[:40]!r}")
            values = _stored(link_values, fields, at, problems)
        if values is not None:
            links.append(((link.source, link.target), values))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        raise ValidationError(
            f"Cannot import {where or causal_map.title}: {len(problems)} {noun}; nothing was "
            "imported.",
            problems=problems,
        )
    return factors, links


def _stored(
    values_of: Callable[..., dict[str, Any]],
    fields: dict[str, Any],
    at: tuple[str | None, int, str],
    problems: builtins.list[Problem],
) -> dict[str, Any] | None:
    """The checked values of a factor or link of a file (``values_of`` checks them), or None
    with its problems added, each located ``at`` (file, row, which factor or link)."""
    try:
        return values_of(fields, partial=False)
    except ValidationError as error:
        problems += [_located(p, *at) for p in error.problems]
        return None


def _factor_fields(item: Factor) -> dict[str, Any]:
    return {
        "label": item.label,
        "kind": item.kind,
        "description": item.description,
        "theme": item.group,
        "populations": list(item.populations),
        "indicator_id": item.indicator_id,
        "asset_category": item.asset_category,
        "x": item.x,
        "y": item.y,
        "attributes": dict(item.attributes),
    }


def _link_fields(link: Link, stakeholder_group: str) -> dict[str, Any]:
    return {
        "source_id": link.source,
        "target_id": link.target,
        "polarity": link.polarity,
        "strength": link.strength,
        "weight": link.weight,
        "delay": link.delay,
        "confidence": link.confidence,
        "evidence": link.evidence,
        "stakeholder_group": link.stakeholder_group or stakeholder_group,
        "contested": link.contested,
        "label": link.label,
        "attributes": dict(link.attributes),
    }


def import_columns(causal_map: CausalMap, stakeholder_group: str) -> ImportColumns:
    """What :func:`import_values` gives, column by column: the factors' ids in the file and
    their stored values, the links' ends (the file's factor ids) and their stored values.

    A map whose factors and links are all plain (as an edge list's are) is checked and laid out
    a column at a time; any other takes :func:`import_values` (and its messages)."""
    factors = causal_map.factors
    links = causal_map.links
    factor_columns = _plain_factor_columns(factors)
    link_columns = _plain_link_columns(links, stakeholder_group)
    if factor_columns is None or link_columns is None:
        factor_rows, link_rows = import_values(causal_map, stakeholder_group)
        factor_columns = {n: [v[n] for _, v in factor_rows] for n in FACTOR_FIELDS}
        link_columns = {n: [v[n] for _, v in link_rows] for n in LINK_FIELDS}
    ends = ([link.source for link in links], [link.target for link in links])
    return ImportColumns([f.id for f in factors], factor_columns, ends, link_columns)


@dataclass(frozen=True)
class ImportColumns:
    """A map's factors and links as :func:`import_columns` gives them."""

    factor_ids: builtins.list[str]
    factors: dict[str, builtins.list[Any]]
    ends: tuple[builtins.list[str], builtins.list[str]]
    links: dict[str, builtins.list[Any]]


def _texts_within(texts: builtins.list[Any], limit: float) -> bool:
    """Whether every one is text of at most ``limit`` characters once stripped."""
    if not {*map(type, texts)} <= {str}:
        return False
    longest = max(map(len, texts), default=0)
    return longest <= limit or all(len(text.strip()) <= limit for text in texts)


def _plain_factor_columns(factors: builtins.list[Factor]) -> dict[str, builtins.list[Any]] | None:
    """The values :func:`factor_values` gives plain factors (a label, kind, description and
    theme, nothing else), column by column; ``None`` when any factor is not plain."""
    labels = [f.label for f in factors]
    kinds = [f.kind for f in factors]
    descriptions = [f.description for f in factors]
    themes = [f.group for f in factors]
    if not (
        _texts_within(labels, _TEXT_LIMITS["label"])
        and all(label.strip() for label in labels)
        and all(kind.__class__ is str and kind in FACTOR_KINDS for kind in kinds)
        and _texts_within(descriptions, math.inf)
        and _texts_within(themes, _TEXT_LIMITS["theme"])
        and not any(f.populations or f.attributes for f in factors)
        and all(
            f.populations.__class__ in (tuple, list) and f.attributes.__class__ is dict
            for f in factors
        )
        and all(
            f.indicator_id is None and f.asset_category is None and f.x is None and f.y is None
            for f in factors
        )
    ):
        return None
    n = len(factors)
    return {
        "label": [label.strip() for label in labels],
        "kind": kinds,
        "description": [text.strip() for text in descriptions],
        "theme": [text.strip() for text in themes],
        "populations": [[]] * n,  # one empty list, shared: these columns are only written
        "indicator_id": [None] * n,
        "asset_category": [None] * n,
        "x": [None] * n,
        "y": [None] * n,
        "attributes": [{}] * n,
    }


def _plain_link_columns(
    links: builtins.list[Link], stakeholder_group: str
) -> dict[str, builtins.list[Any]] | None:
    """The values :func:`link_values` gives plain links (every field of the type it is stored
    as, texts within their limits, no attributes), column by column: a big map has tens of
    thousands. ``None`` when any link is not plain (the full check then takes them all)."""
    weights = [link.weight for link in links]
    confidences = [link.confidence for link in links]
    strengths = [link.strength for link in links]
    polarities = [link.polarity for link in links]
    groups = [link.stakeholder_group or stakeholder_group for link in links]
    texts = {
        "evidence": [link.evidence for link in links],
        "stakeholder_group": groups,
        "label": [link.label for link in links],
    }
    flags = {
        "delay": [link.delay for link in links],
        "contested": [link.contested for link in links],
    }
    if not (
        not any(link.attributes for link in links)
        and all(
            link.source.__class__ is str
            and link.target.__class__ is str
            and link.source
            and link.target
            for link in links
        )
        and all(polarity in POLARITIES for polarity in polarities)  # a tuple: by equality
        and all(strength in _STRENGTH_OR_NONE for strength in strengths)
        and all(v.__class__ is bool for values in flags.values() for v in values)
        and all(
            w is None or (w.__class__ is float and -1 <= w <= 1 and p == sign_of(w))
            for w, p in zip(weights, polarities, strict=True)
        )
        and all(c is None or (c.__class__ is float and 0 <= c <= 1) for c in confidences)
        and all(_texts_within(values, _TEXT_CAP[name]) for name, values in texts.items())
    ):
        return None
    return {
        "source_id": [link.source for link in links],
        "target_id": [link.target for link in links],
        "polarity": polarities,
        "strength": [strength or None for strength in strengths],
        "weight": weights,
        "delay": flags["delay"],
        "confidence": confidences,
        "evidence": [text.strip() for text in texts["evidence"]],
        "stakeholder_group": [text.strip() for text in groups],
        "contested": flags["contested"],
        "label": [text.strip() for text in texts["label"]],
        "attributes": [{}] * len(links),  # one empty object, shared: only written
    }


_TEXT_CAP = {name: _TEXT_LIMITS.get(name, math.inf) for name in LINK_FIELDS}
_STRENGTH_OR_NONE = (None, "", *STRENGTHS)


def _plain_link_values(link: Link, stakeholder_group: str) -> dict[str, Any] | None:
    """The values :func:`link_values` gives one plain link (see :func:`_plain_link_columns`),
    or ``None`` for any other link, which then takes the full check (and its messages)."""
    columns = _plain_link_columns([link], stakeholder_group)
    return None if columns is None else {name: values[0] for name, values in columns.items()}


def _located(problem: Problem, file: str | None, row: int, what: str) -> Problem:
    return Problem(f"{what}: {problem.message}", file=file, row=row, field=problem.field)


def causal_map_of(content: Mapping[str, Any]) -> CausalMap:
    """A stored map's content (:meth:`MapService.content
    <mobilise.workspace.maps.MapService.content>`) as a map for the analyses and the file
    formats: each contributor's pseudonym and group are in the attributes of what they added."""
    info = content["map"]
    names = {p["id"]: p for p in content["participants"]}
    factors = [
        Factor(
            id=f["id"],
            label=f["label"],
            kind=f["kind"],
            description=f["description"],
            group=f["theme"],
            populations=tuple(f["populations"]),
            indicator_id=f["indicator_id"],
            asset_category=f["asset_category"],
            x=f["x"],
            y=f["y"],
            attributes=_with_contributor(f["attributes"], names.get(f["participant_id"])),
        )
        for f in content["factors"]
    ]
    links = [
        Link(
            id=k["id"],
            source=k["source_id"],
            target=k["target_id"],
            polarity=k["polarity"],
            strength=k["strength"],
            weight=k["weight"],
            delay=k["delay"],
            confidence=k["confidence"],
            evidence=k["evidence"],
            stakeholder_group=k["stakeholder_group"],
            contested=k["contested"],
            label=k["label"],
            attributes=_with_contributor(k["attributes"], names.get(k["participant_id"])),
        )
        for k in content["links"]
    ]
    return CausalMap(
        title=info["title"],
        factors=factors,
        links=links,
        question=info["question"],
        description=info["description"],
        source=info["title"],
    )


def _with_contributor(attributes: dict[str, Any], person: dict[str, Any] | None) -> dict:
    if person is None:
        return dict(attributes)
    return {
        **attributes,
        "contributor": person["pseudonym"],
        "contributor_group": person["stakeholder_group"],
    }

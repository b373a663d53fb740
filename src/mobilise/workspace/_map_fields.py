"""Checking the fields of systems-map changes, and how stored rows are given back (private
helpers of :mod:`mobilise.workspace.maps` and :mod:`mobilise.workspace.map_talk`)."""

from __future__ import annotations

import builtins
import math
from collections.abc import Mapping
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats.asset_vocab import CATEGORIES
from mobilise.formats.causal_map import FACTOR_KINDS, POLARITIES, STRENGTHS

MAP_STATUSES = ("draft", "active", "archived")
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


def map_problems(fields: Mapping[str, Any]) -> builtins.list[Problem]:
    problems = []
    if "title" in fields and not (0 < len(str(fields["title"]).strip()) <= 300):
        problems.append(Problem("give the map a title of 1 to 300 characters", field="title"))
    if "status" in fields and fields["status"] not in MAP_STATUSES:
        problems.append(Problem(f"status must be one of {', '.join(MAP_STATUSES)}", field="status"))
    if "attributes" in fields and not isinstance(fields["attributes"], dict):
        problems.append(Problem("attributes must be an object", field="attributes"))
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
            if not isinstance(value, dict):
                problems.append(Problem("attributes must be an object", field=name))
            values[name] = dict(value) if isinstance(value, dict) else {}
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
            if not isinstance(value, dict):
                problems.append(Problem("attributes must be an object", field=name))
            values[name] = dict(value) if isinstance(value, dict) else {}
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


def _stamp(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "version": row["version"],
        "created_by": row["created_by"],
        "updated_at": row["updated_at"].isoformat(),
        "updated_by": row["updated_by"],
    }


def factor_record(row: Any) -> dict[str, Any]:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": data["id"],
        **{name: data[name] for name in FACTOR_FIELDS},
        "participant_id": data["participant_id"],
        **_stamp(data),
    }


def link_record(row: Any) -> dict[str, Any]:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": data["id"],
        **{name: data[name] for name in LINK_FIELDS},
        "participant_id": data["participant_id"],
        **_stamp(data),
    }


def participant_record(row: Any) -> dict[str, Any]:
    data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
    return {
        "id": data["id"],
        "pseudonym": data["pseudonym"],
        "stakeholder_group": data["stakeholder_group"],
    }

"""Checks of the project profile's fields (private helper of :mod:`mobilise.workspace.project`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from mobilise.errors import Problem, ValidationError

__all__ = ["PROFILE_FIELDS", "checked_changes"]

PROFILE_FIELDS = (
    "title",
    "lead_organisation",
    "places",
    "start_date",
    "end_date",
    "focus",
    "partner_types",
    "methods",
    "public",
    "note",
    "sources",
)
"""The fields of the profile a user may change."""

_LENGTHS = {"title": 300, "lead_organisation": 300, "focus": 2000, "note": 2000}
_URL = re.compile(r"https?://\S{1,500}\Z")
_MAX_ITEMS = 50


def _text(key: str, value: Any, problems: list[Problem]) -> str:
    if not isinstance(value, str):
        problems.append(Problem("must be text", field=key))
        return ""
    text = value.strip()
    if len(text) > _LENGTHS[key]:
        problems.append(Problem(f"at most {_LENGTHS[key]} characters", field=key))
    return text


def _words(key: str, value: Any, problems: list[Problem]) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        problems.append(Problem("must be a list of text", field=key))
        return []
    items = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    if len(items) > _MAX_ITEMS or any(len(v) > 200 for v in items):
        problems.append(Problem(f"at most {_MAX_ITEMS} items of 200 characters", field=key))
    return items


def _date(key: str, value: Any, problems: list[Problem]) -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        problems.append(Problem(f"must be a date (YYYY-MM-DD), not {str(value)[:40]!r}", field=key))
        return None


def _methods(value: Any, problems: list[Problem]) -> list[dict[str, str]]:
    from mobilise.model.methods_vocab import METHODS

    if not isinstance(value, list | tuple) or len(value) > len(METHODS):
        problems.append(Problem("must be a list of {method, said}", field="methods"))
        return []
    out: dict[str, dict[str, str]] = {}
    for item in value:
        method = item.get("method") if isinstance(item, Mapping) else None
        said = item.get("said", "") if isinstance(item, Mapping) else ""
        if method not in METHODS:
            problems.append(
                Problem(
                    f"{str(method)[:60]!r} is not a method; the methods: {', '.join(METHODS)}",
                    field="methods",
                )
            )
            continue
        if not isinstance(said, str) or len(said) > 2000:
            problems.append(
                Problem("what was said is text of at most 2000 characters", field="methods")
            )
            continue
        out[str(method)] = {"method": str(method), "said": said.strip()}
    return list(out.values())


def _public(value: Any, problems: list[Problem]) -> dict[str, bool]:
    from mobilise.formats.project_package import RESOURCES

    if not isinstance(value, Mapping):
        problems.append(Problem("must map resources to true or false", field="public"))
        return {}
    out: dict[str, bool] = {}
    for name, flag in value.items():
        if name not in RESOURCES or not isinstance(flag, bool):
            problems.append(
                Problem(
                    f"{str(name)[:60]!r}: resources are {', '.join(RESOURCES)}, each true or false",
                    field="public",
                )
            )
            continue
        out[name] = flag
    return out


def checked_changes(changes: Mapping[str, Any], *, known_places: set[str]) -> dict[str, Any]:
    """The values to store for ``changes``, or a ValidationError naming every bad field."""
    problems: list[Problem] = []
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        problems.append(
            Problem(
                f"unknown fields {', '.join(map(str, unknown))}; the fields: "
                f"{', '.join(PROFILE_FIELDS)}",
                field=str(unknown[0]),
            )
        )
    values: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _LENGTHS:
            values[key] = _text(key, value, problems)
        elif key in ("places", "partner_types"):
            values[key] = _words(key, value, problems)
        elif key in ("start_date", "end_date"):
            values[key] = _date(key, value, problems)
        elif key == "methods":
            values[key] = _methods(value, problems)
        elif key == "public":
            values[key] = _public(value, problems)
        elif key == "sources":
            values[key] = _words(key, value, problems)
            if any(not _URL.match(s) for s in values[key]):
                problems.append(Problem("each source must be an http(s) address", field=key))
    missing = [p for p in values.get("places", []) if p not in known_places]
    if missing:
        problems.append(Problem(f"no place {', '.join(missing)} in this workspace", field="places"))
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and start > end:
        problems.append(Problem("the start is after the end", field="start_date"))
    if problems:
        raise ValidationError("Cannot change the project profile.", problems=problems)
    return values

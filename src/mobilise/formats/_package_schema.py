"""The resources of a project package and their Table Schemas, and the checks of the descriptor's
``"mobilise:project"`` metadata (private helpers of :mod:`mobilise.formats.project_package`)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "META_KEY",
    "PROFILE",
    "PROFILE_VERSION",
    "RESOURCES",
    "THEME_KINDS",
    "ProjectPackage",
    "check_meta",
    "table_schema",
]

PROFILE = "mobilise-project-package"
PROFILE_VERSION = "1"
META_KEY = "mobilise:project"
PUBLIC_KEY = "mobilise:public"
THEME_KINDS = ("enabler", "barrier", "other")

# name -> [(field, Table Schema type, required)]. Counts are integers of 0 or more; a count that
# may be suppressed is not required (empty when suppressed).
RESOURCES: dict[str, list[tuple[str, str, bool]]] = {
    "methods": [("method", "string", True), ("used", "boolean", True), ("said", "string", False)],
    "assets": [("place", "string", True), ("category", "string", True), ("count", "integer", True)],
    "partners": [("sector", "string", True), ("count", "integer", True)],
    "network_rounds": [
        ("round", "string", True),
        ("date", "date", False),
        ("partners", "integer", True),
        ("ties", "integer", True),
        ("density", "number", False),
        ("centralisation", "number", False),
        ("ties_kept", "integer", False),
        ("ties_faded", "integer", False),
        ("ties_new", "integer", False),
        ("retention", "number", False),
    ],
    "events": [
        ("kind", "string", True),
        ("count", "integer", True),
        ("contributions", "integer", True),
    ],
    "reach": [
        ("dimension", "string", True),
        ("group", "string", True),
        ("count", "integer", False),
        ("suppressed", "boolean", True),
    ],
    "themes": [
        ("theme", "string", True),
        ("definition", "string", False),
        ("kind", "string", True),
        ("segments", "integer", True),
        ("contributors", "integer", False),
    ],
    "actions": [
        ("status", "string", True),
        ("count", "integer", True),
        ("closed_with_feedback", "integer", True),
    ],
    "access": [
        ("place", "string", True),
        ("category", "string", True),
        ("catchment", "number", False),
        ("unit", "string", False),
        ("measure", "string", True),
        ("sii", "number", False),
        ("rii", "number", False),
        ("gap", "number", False),
        ("areas", "integer", True),
        ("low_access_areas", "integer", False),
    ],
}
"""Every resource a package may hold: its fields in order, their types and whether required."""

_NON_NEGATIVE = ("integer",)


def table_schema(resource: str) -> dict[str, Any]:
    """The Table Schema of ``resource``: fields, types, required, integers of 0 or more, and
    the theme kinds as an enum."""
    fields: list[dict[str, Any]] = []
    for name, kind, required in RESOURCES[resource]:
        constraints: dict[str, Any] = {}
        if required:
            constraints["required"] = True
        if kind in _NON_NEGATIVE:
            constraints["minimum"] = 0
        if resource == "themes" and name == "kind":
            constraints["enum"] = list(THEME_KINDS)
        field: dict[str, Any] = {"name": name, "type": kind}
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


_TEXT_MAX = 2000


def _text(meta: Mapping[str, Any], key: str, problems: list[Problem], *, need: bool) -> None:
    value = meta.get(key)
    if value is None and not need:
        return
    if not isinstance(value, str) or (need and not value.strip()):
        problems.append(
            Problem(f"{key} must be text{'' if not need else ' (not empty)'}", field=key)
        )
    elif len(value) > _TEXT_MAX:
        problems.append(Problem(f"{key} is longer than {_TEXT_MAX} characters", field=key))


def _iso(value: Any, *, with_time: bool) -> bool:
    if not isinstance(value, str):
        return False
    try:
        (datetime if with_time else date).fromisoformat(value)
    except ValueError:
        return False
    return True


def _places(value: Any, problems: list[Problem]) -> None:
    if not isinstance(value, list) or len(value) > 200:
        problems.append(Problem("places must be a list (at most 200)", field="places"))
        return
    for number, place in enumerate(value, start=1):
        where = f"places[{number}]"
        if not isinstance(place, dict) or not isinstance(place.get("name"), str):
            problems.append(Problem("each place must have a name", field=where))
            continue
        unknown = set(place) - {"name", "code", "lat", "lon"}
        if unknown:
            problems.append(Problem(f"unknown keys {sorted(unknown)}", field=where))
        if place.get("code") is not None and not isinstance(place.get("code"), str):
            problems.append(Problem("code must be text", field=where))
        for axis, bound in (("lat", 90), ("lon", 180)):
            coordinate = place.get(axis)
            if coordinate is None:
                continue
            if (
                isinstance(coordinate, bool)
                or not isinstance(coordinate, int | float)
                or not -bound <= coordinate <= bound
            ):
                problems.append(Problem(f"{axis} must be a number in ±{bound}", field=where))


_URL = re.compile(r"https?://[^\s]{1,2000}\Z")


def _lists(meta: Mapping[str, Any], problems: list[Problem]) -> None:
    partner_types = meta.get("partner_types", [])
    if not isinstance(partner_types, list) or not all(isinstance(t, str) for t in partner_types):
        problems.append(Problem("partner_types must be a list of text", field="partner_types"))
    sources = meta.get("sources", [])
    if not isinstance(sources, list) or not all(
        isinstance(s, str) and _URL.match(s) for s in sources
    ):
        problems.append(Problem("sources must be a list of http(s) addresses", field="sources"))


def check_meta(meta: Any) -> list[Problem]:
    """Every problem of a package's ``"mobilise:project"`` metadata."""
    if not isinstance(meta, dict):
        return [Problem(f'the descriptor has no "{META_KEY}" object', field=META_KEY)]
    problems: list[Problem] = []
    try:
        uuid.UUID(str(meta.get("key")))
    except ValueError:
        problems.append(Problem("key must be the project's uuid", field="key"))
    for key in ("title", "lead_organisation", "software"):
        _text(meta, key, problems, need=True)
    for key in ("focus", "note"):
        _text(meta, key, problems, need=False)
    _places(meta.get("places", []), problems)
    for key in ("start", "end"):
        if meta.get(key) is not None and not _iso(meta.get(key), with_time=False):
            problems.append(Problem(f"{key} must be a date (YYYY-MM-DD)", field=key))
    if not _iso(meta.get("released_at"), with_time=True):
        problems.append(Problem("released_at must be an ISO date and time", field="released_at"))
    release = meta.get("release")
    if isinstance(release, bool) or not isinstance(release, int) or release < 1:
        problems.append(Problem("release must be a whole number of 1 or more", field="release"))
    if not isinstance(meta.get("metadata_only", False), bool):
        problems.append(Problem("metadata_only must be true or false", field="metadata_only"))
    k = meta.get("disclosure_k")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100):
        problems.append(Problem("disclosure_k must be a whole number 1-100", field="disclosure_k"))
    _lists(meta, problems)
    return problems


@dataclass(frozen=True)
class ProjectPackage:
    """A package read and checked: its metadata, its tables (typed: integers as ``Int64`` with
    missing values, numbers as floats, booleans as ``bool``, dates as ISO text), which resources
    the project marked public, and the SHA-256 of the bytes read."""

    meta: dict[str, Any]
    tables: dict[str, pd.DataFrame]
    public: dict[str, bool]
    sha256: str
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

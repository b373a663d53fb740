"""Open Referral UK (ORUK) 3.0 feeds: read services, fetch a feed, write feed documents.

ORUK 3.0 is the UK profile of the Human Services Data Specification (HSDS) 3.0. A feed answers
``GET {base}/services?page=N&per_page=M&full=true`` with a page of services wrapped as
``{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
"contents": [...]}``; ``full=true`` asks for fully nested services (schedules, locations,
attributes ...), not only their one-to-one fields.

:func:`validate`
    A document's errors against the ORUK 3.0 JSON schemas bundled in ``oruk_schemas/``, with real
    checks of the ``uri``, ``email``, ``uuid``, ``date`` and ``date-time`` formats (python-jsonschema
    skips ``uri`` unless an optional package is installed; its ``email`` check only looks for "@").
:func:`read_oruk_services`
    Pages of services -> :class:`~mobilise.formats.assets.AssetFile`. Each service is checked
    against the schema and mapped field by field; problems name the 1-based position of the
    service in the feed (``row``) and the ORUK field path (``email``,
    ``service_at_locations[0].location.latitude``).
:func:`fetch_oruk_feed`
    Pages of a live feed, following its pagination and refusing to loop on a feed that ignores
    ``page``.
:func:`service_json` and friends
    The documents of mobilise's own ORUK feed, built from stored assets. Empty optional fields
    are omitted (never ``null``), ids are UUIDs, and every document validates against the
    schemas.

ORUK field -> asset field, as read:

=================================================  ==============================================
``id``                                             ``source_id``
``name``, ``description``, ``url``, ``email``      the same
``status``                                         active; temporarily closed -> temporarily_closed;
                                                   inactive, defunct -> closed
``organization.name``                              ``organisation``
``phones[].number`` (HSDS 3, also in contacts      ``phone`` (ORUK 3.0 itself has no phone field
and locations)                                     in its nested JSON)
``service_at_locations[].location``                the first that has a position or an address:
                                                   ``latitude``/``longitude`` -> ``lat``/``lon``;
                                                   ``addresses[]`` (physical first):
                                                   ``address_1``, ``city`` -> ``address``,
                                                   ``postal_code`` -> ``postcode``;
                                                   ``accessibility[]`` text -> ``step_free``,
                                                   ``hearing_loop``, ``accessible_toilet``
``schedules[]``                                    ``schedule`` rows (``byday``, ``opens_at``,
                                                   ``closes_at`` as HH:MM, ``description``)
``languages[].name`` (HSDS 3)                      ``languages``
``cost_options[]``, else ``fees``                  ``cost`` (all amounts 0 or "Free": free)
``minimum_age``, ``maximum_age``                   ``age_min``, ``age_max``
``attributes[].taxonomy_term``                     ``taxonomy_terms`` as ``"oruk:<name>"``, and
                                                   the ``category`` (by ``category_from_taxonomy``,
                                                   else keywords in the name, then description)
``assured_date``                                   ``assured_date``
other top-level text and numbers                   ``extra`` (``fees``, ``alert`` ...)
=================================================  ==============================================

Everything else present in a service is counted in ``AssetFile.dropped`` under its field path
(``organization.website``, ``schedules[].valid_from``). ``assurer_email`` and contact names are
personal data and are dropped. A position of exactly (0, 0), a common "unknown" placeholder, is
read as no position and counted as ``service_at_locations[].location (0, 0)``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mobilise.errors import Problem, ValidationError
from mobilise.formats.asset_vocab import (
    CATEGORIES,
    TARGET_GROUPS,
    category_from_taxonomy,
    cost_from_text,
    status_from_text,
)
from mobilise.formats.assets import AssetFile, AssetRecord
from mobilise.geo import is_postcode, normalise_postcode

__all__ = [
    "CATEGORY_VOCABULARY",
    "OPENAPI_URL",
    "ORUK_VERSION",
    "PROFILE_URL",
    "SCHEMA_NAMES",
    "TARGET_GROUP_VOCABULARY",
    "api_details_json",
    "fetch_oruk_feed",
    "organization_json",
    "page_wrapper",
    "read_oruk_services",
    "service_at_location_id",
    "service_at_location_json",
    "service_json",
    "taxonomy_id",
    "taxonomy_json",
    "taxonomy_term_id",
    "taxonomy_term_json",
    "validate",
]

ORUK_VERSION = "HSDS-UK-3.0"
"""The ``version`` a feed's ``GET /`` gives."""

PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
"""The ORUK profile document, as the ORUK validator's own examples name it."""

OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
"""The OpenAPI description of ORUK 3.0 feeds."""

SCHEMA_NAMES = (
    "api_details",
    "organization",
    "organization_list",
    "service",
    "service_at_location",
    "service_at_location_list",
    "service_list",
    "taxonomy",
    "taxonomy_list",
    "taxonomy_term",
    "taxonomy_term_list",
)
"""Schemas :func:`validate` knows (the objects the schemas ``$ref`` are checked through these)."""

CATEGORY_VOCABULARY = "mobilise"
"""The ``taxonomy`` of the taxonomy terms that carry mobilise's own categories in a feed."""

TARGET_GROUP_VOCABULARY = "mobilise-target-group"
"""The ``taxonomy`` of the taxonomy terms that carry an asset's target groups."""

_SCHEMA_DIR = Path(__file__).with_name("oruk_schemas")
_SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
# uuid5 namespace of every id mobilise derives for ORUK (taxonomy terms, schedules ...).
_NAMESPACE = uuid.UUID("5b0d6f5e-3f0c-5d7e-9a51-0a6f1c2b9e41")
# Great Britain, Northern Ireland and the islands (the box the other asset readers use).
_GB_BOUNDS = (-9.0, 49.0, 2.5, 61.5)
_VOCABULARY_NAMES = {
    CATEGORY_VOCABULARY: "mobilise community asset categories",
    TARGET_GROUP_VOCABULARY: "mobilise target groups",
    "osm": "OpenStreetMap tags",
    "gla": "GLA Cultural Infrastructure Map types",
    "oruk": "Terms of an imported Open Referral UK feed",
}

# -- formats and schemas ------------------------------------------------------------------------

# RFC 3986 URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ].
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_AUTHORITY = (
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"
    rf"(?:\[[0-9A-Fa-f:.vV]+\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)(?::[0-9]*)?"
)
_HIER = (
    rf"(?://{_AUTHORITY}(?:/{_PCHAR}*)*|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?|{_PCHAR}+(?:/{_PCHAR}*)*|)"
)
_URI_RE = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*:{_HIER}(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?",
    re.ASCII,
)
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})",
    re.ASCII,
)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986); ``http``/``https`` ones also need a host."""
    if not isinstance(value, str):
        return True
    if _URI_RE.fullmatch(value) is None:
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() not in ("http", "https") or bool(parts.hostname)


def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    local = value.rsplit("@", 1)[0]
    return len(value) <= 254 and len(local) <= 64 and _EMAIL_RE.fullmatch(value) is not None


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME_RE.fullmatch(value)
    if match is None:
        return False
    text = value.replace("z", "Z").replace("Z", "+00:00")
    if match.group(1):  # Python reads at most 6 digits of a fraction
        text = text.replace(match.group(1), match.group(1)[:7])
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        return _DATE_RE.fullmatch(value) is not None and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _format_checker() -> FormatChecker:
    checker = FormatChecker()  # keeps jsonschema's uuid, ipv4 ... checks
    for name, check in (
        ("uri", _is_uri),
        ("email", _is_email),
        ("date", _is_date),
        ("date-time", _is_date_time),
    ):
        checker.checks(name)(check)
    return checker


_FORMAT_CHECKER = _format_checker()
_FORMAT_WORDS = {
    "uri": "an absolute URL such as 'https://example.org/page'",
    "email": "an email address such as 'name@example.org'",
    "uuid": "a UUID such as 'ac148810-d857-441c-9679-408f346de14b'",
    "date": "a date written YYYY-MM-DD",
    "date-time": "a date and time such as '2025-03-31T09:30:00Z'",
}
_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
}


@lru_cache(maxsize=1)
def _registry() -> Registry[Any]:
    resources = [
        (
            _SCHEMA_BASE + path.name,
            Resource.from_contents(
                json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT202012
            ),
        )
        for path in sorted(_SCHEMA_DIR.glob("*.json"))
    ]
    return Registry().with_resources(resources)


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    name = schema_name.removesuffix(".json")
    if name not in SCHEMA_NAMES:
        raise ValueError(
            f"unknown ORUK schema {schema_name!r}; use one of {', '.join(SCHEMA_NAMES)}"
        )
    schema = _registry().contents(f"{_SCHEMA_BASE}{name}.json")
    return Draft202012Validator(schema, registry=_registry(), format_checker=_FORMAT_CHECKER)


def _path(parts: Iterable[str | int]) -> str:
    """``["service_at_locations", 0, "location"]`` -> ``"service_at_locations[0].location"``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_errors(document: Any, schema_name: str) -> list[tuple[str, str]]:
    """(field path, message) of every way ``document`` breaks the schema, in document order."""
    errors: list[SchemaError] = sorted(
        _validator(schema_name).iter_errors(document),
        key=lambda e: [f"{p:09d}" if isinstance(p, int) else p for p in e.absolute_path],
    )
    found: list[tuple[str, str]] = []
    reported: set[str] = set()
    for error in errors:
        where = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, Mapping):
            missing = [p for p in error.validator_value if p not in error.instance]
            for name in missing:
                path = _path([*where, name])
                if path not in reported:
                    reported.add(path)
                    found.append((path, "required by ORUK 3.0 but missing"))
                    break
            continue
        value = error.instance
        if error.validator == "format":
            fmt = str(error.validator_value)
            message = f"{_show(value)} is not {_FORMAT_WORDS.get(fmt, f'in the {fmt} format')}"
        elif error.validator == "type":
            expected = error.validator_value
            types = expected if isinstance(expected, list) else [expected]
            words = [_TYPE_WORDS.get(str(t), str(t)) for t in types]
            message = f"{_show(value)} is not {' or '.join(words)}"
        elif error.validator == "enum":
            message = f"{_show(value)} is not one of {', '.join(map(_show, error.validator_value))}"
        else:
            message = error.message
        found.append((_path(where), message))
    return found


def validate(document: Any, schema_name: str) -> list[str]:
    """Every error of ``document`` against an ORUK 3.0 schema; empty when it is valid.

    Parameters
    ----------
    document
        A parsed JSON document, e.g. the answer of ``GET /services``.
    schema_name
        One of :data:`SCHEMA_NAMES` (``"service"``, ``"service_list"``, ``"api_details"`` ...).

    Returns
    -------
    list of str
        ``"<field path>: <what is wrong>"``, e.g.
        ``"contents[0].email: \\"x\\" is not an email address such as 'name@example.org'"``.
    """
    return [
        f"{path}: {message}" if path else message
        for path, message in _schema_errors(document, schema_name)
    ]


# -- reading ------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# Which parts of a service the reader maps; None: the value as a whole. Fields not here are
# counted in ``dropped`` (nested) or kept in ``extra`` (top-level text and numbers).
_MAPPED: dict[str, Any] = {
    **dict.fromkeys(
        ("name", "description", "url", "email", "status", "minimum_age", "maximum_age"), None
    ),
    "assured_date": None,
    "organization": {"name": None},
    "phones": {"number": None},
    "contacts": {"phones": {"number": None}},
    "schedules": dict.fromkeys(("byday", "opens_at", "closes_at", "description"), None),
    "service_at_locations": {
        "location": {
            **dict.fromkeys(("latitude", "longitude", "location_type"), None),
            "addresses": dict.fromkeys(
                ("address_1", "address_2", "city", "postal_code", "address_type"), None
            ),
            "accessibility": dict.fromkeys(("description", "details", "accessibility"), None),
            "phones": {"number": None},
        }
    },
    "languages": {"name": None, "code": None},
    "cost_options": dict.fromkeys(("option", "amount", "amount_description"), None),
    "attributes": {"taxonomy_term": {"name": None, "term": None, "taxonomy": None}},
}
_IMPLIED = {("schedules[].freq", "WEEKLY"), ("schedules[].interval", 1)}  # what rows mean
_PERSONAL = {"assurer_email"}
_TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?")
_SENTENCES_RE = re.compile(r"[.;\n]+")
_NEGATIVE_RE = re.compile(r"\b(no|not|without|isn'?t|unsuitable|inaccessible|unavailable)\b")
_ACCESS_WORDS = (
    ("accessible_toilet", re.compile(r"\btoilets?\b|\bchanging places?\b")),
    ("hearing_loop", re.compile(r"\b(hearing|induction|audio) loops?\b|\bloop system\b")),
    (
        "step_free",
        re.compile(r"\bwheel ?chairs?\b|\bstep[- ]free\b|\blevel access\b|\bramps?\b|\blifts?\b"),
    ),
)


def _unmapped(value: Any, spec: Mapping[str, Any] | None, path: str, found: set[str]) -> None:
    """Add to ``found`` the path of every non-empty field of ``value`` that ``spec`` omits."""
    if isinstance(value, list):
        for item in value:
            _unmapped(item, spec, f"{path}[]", found)
        return
    if not isinstance(value, Mapping) or spec is None:
        return
    for key, item in value.items():
        if _empty(item) or key == "id" or str(key).endswith("_id"):
            continue  # ids only link the nested objects
        where = f"{path}.{key}" if path else str(key)
        if key in spec:
            _unmapped(item, spec[key], where, found)
        elif not isinstance(item, (str, int)) or (where, item) not in _IMPLIED:
            found.add(where)


class _Service:
    """Reading one service, collecting its problems."""

    def __init__(self, service: Mapping[str, Any], *, row: int, file: str) -> None:
        self.service, self.row, self.file = service, row, file
        self.problems = [
            Problem(message, file=file, row=row, field=path or "service")
            for path, message in _schema_errors(service, "service")
        ]
        self.reported = {p.field for p in self.problems}
        self.dropped: set[str] = set()

    def problem(self, field: str, message: str) -> None:
        if field not in self.reported:
            self.reported.add(field)
            self.problems.append(Problem(message, file=self.file, row=self.row, field=field))

    def place(self) -> dict[str, Any]:
        """lon, lat, address, postcode and accessibility flags of the service's location."""
        found: dict[str, Any] = {}
        sals = _items(self.service.get("service_at_locations"))
        located = [
            (index, _object(sal.get("location")))
            for index, sal in enumerate(sals)
            if _object(sal.get("location")).get("latitude") is not None
            or _items(_object(sal.get("location")).get("addresses"))
        ]
        if len(located) > 1:
            self.dropped.add("service_at_locations[] (after the first with a place)")
        if not located:
            return found
        # A physical location is the asset's place; a postal one is the next best.
        index, location = min(located, key=lambda p: p[1].get("location_type") != "physical")
        where = f"service_at_locations[{index}].location"
        found |= self._position(location, where)
        addresses = _items(location.get("addresses"))
        if addresses:
            number, address = min(
                enumerate(addresses), key=lambda p: p[1].get("address_type") != "physical"
            )
            parts = (_text(address.get(k)) for k in ("address_1", "address_2", "city"))
            found["address"] = ", ".join(p for p in parts if p)
            postcode = _text(address.get("postal_code"))
            if postcode and is_postcode(postcode):
                found["postcode"] = normalise_postcode(postcode)
            elif postcode:
                self.problem(
                    f"{where}.addresses[{number}].postal_code",
                    f"{postcode!r} is not a UK postcode; write it like NN1 1DE",
                )
        found |= _access_flags(_items(location.get("accessibility")))
        return found

    def _position(self, location: Mapping[str, Any], where: str) -> dict[str, Any]:
        lat_value, lon_value = location.get("latitude"), location.get("longitude")
        if lat_value is None and lon_value is None:
            return {}
        lat, lon = _number(lat_value), _number(lon_value)
        if lat is None or lon is None:
            if (lat_value is None) != (lon_value is None):
                missing = "latitude" if lat_value is None else "longitude"
                self.problem(f"{where}.{missing}", "give both latitude and longitude")
            return {}  # a value of the wrong type is a schema problem already
        if lat == 0 and lon == 0:
            self.dropped.add("service_at_locations[].location (0, 0)")
            return {}
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.problem(
                f"{where}.latitude",
                f"(latitude {lat:g}, longitude {lon:g}) is not a position in degrees (latitude "
                "runs from -90 to 90, longitude from -180 to 180)",
            )
            return {}
        west, south, east, north = _GB_BOUNDS
        if not (west <= lon <= east and south <= lat <= north):
            swapped = west <= lat <= east and south <= lon <= north
            hint = "; latitude and longitude look swapped" if swapped else ""
            self.problem(
                f"{where}.latitude",
                f"(latitude {lat:g}, longitude {lon:g}) is outside Great Britain{hint}",
            )
            return {}
        return {"lon": lon, "lat": lat}

    def schedule(self) -> list[dict[str, str]]:
        rows = []
        for number, item in enumerate(_items(self.service.get("schedules"))):
            row = {
                "byday": _text(item.get("byday")).upper().replace(" ", ""),
                "opens_at": self._time(item, "opens_at", number),
                "closes_at": self._time(item, "closes_at", number),
                "description": _text(item.get("description")),
            }
            if item.get("freq") not in (None, "", "WEEKLY"):
                self.dropped.add("schedules[].freq")  # a monthly rule cannot be a weekly row
            if any(row.values()):
                rows.append(row)
        return rows

    def _time(self, item: Mapping[str, Any], key: str, number: int) -> str:
        text = _text(item.get(key))
        match = _TIME_RE.fullmatch(text)
        if not text:
            return ""
        if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59:
            self.problem(f"schedules[{number}].{key}", f"{text!r} is not a time; write it as HH:MM")
            return ""
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    def age(self, key: str) -> int | None:
        value = _number(self.service.get(key))
        if value is None:
            return None
        if not value.is_integer() or not 0 <= value <= 130:
            self.problem(key, f"{value:g} is not a whole number of years from 0 to 130")
            return None
        return int(value)

    def assured_date(self) -> date | None:
        text = _text(self.service.get("assured_date"))
        if not text:
            return None
        if _DATE_RE.match(text):  # a date, or a date and time
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                pass
        self.problem("assured_date", f"{text!r} is not a date; write it as YYYY-MM-DD")
        return None

    def terms(self) -> tuple[list[str], list[str], list[str]]:
        """Taxonomy terms (``oruk:<name>``), categories they give, target groups."""
        terms: list[str] = []
        categories: list[str] = []
        groups: list[str] = []
        for attribute in _items(self.service.get("attributes")):
            term = _object(attribute.get("taxonomy_term"))
            if not term:
                if attribute.get("taxonomy_term_id"):
                    self.dropped.add("attributes[].taxonomy_term_id (no nested term)")
                continue
            vocabulary, code = _text(term.get("taxonomy")), _text(term.get("term"))
            name = _text(term.get("name")) or code
            if vocabulary == CATEGORY_VOCABULARY and code in CATEGORIES:
                categories.insert(0, code)  # mobilise's own category wins
            elif vocabulary == TARGET_GROUP_VOCABULARY and code in TARGET_GROUPS:
                groups.append(code)
            elif name:
                terms.append(f"oruk:{name}")
                found = category_from_taxonomy(name) or (code and category_from_taxonomy(code))
                if found:
                    categories.append(found)
        return list(dict.fromkeys(terms)), categories, list(dict.fromkeys(groups))

    def category(self, categories: list[str], name: str, description: str) -> str:
        found = (
            next(iter(categories), None)
            or (name and category_from_taxonomy(name))
            or (description and category_from_taxonomy(description))
        )
        if not found:
            self.problem(
                "attributes",
                "no category could be derived: no taxonomy term, nor the name or description, "
                "names a kind of asset mobilise knows; add an attribute whose taxonomy term names "
                f"one (e.g. 'Food bank', 'Library') or one of {', '.join(CATEGORIES)}",
            )
        return found or ""


def _access_flags(entries: list[Mapping[str, Any]]) -> dict[str, bool]:
    """step_free / hearing_loop / accessible_toilet from accessibility text, when it says so."""
    seen: dict[str, set[bool]] = {}
    for entry in entries:
        text = " ".join(_text(entry.get(k)) for k in ("description", "details", "accessibility"))
        for sentence in _SENTENCES_RE.split(text.casefold()):
            for flag, words in _ACCESS_WORDS:
                if words.search(sentence):
                    seen.setdefault(flag, set()).add(_NEGATIVE_RE.search(sentence) is None)
                    break  # "wheelchair accessible toilet" is about the toilet only
    return {flag: next(iter(values)) for flag, values in seen.items() if len(values) == 1}


def _phone(service: Mapping[str, Any]) -> str:
    holders = [service, *_items(service.get("contacts"))]
    holders += [_object(s.get("location")) for s in _items(service.get("service_at_locations"))]
    numbers = (_text(p.get("number")) for h in holders for p in _items(h.get("phones")))
    return next((n for n in numbers if n), "")


def _cost(service: Mapping[str, Any]) -> str | None:
    options = _items(service.get("cost_options"))
    amounts = [a for a in (_number(o.get("amount")) for o in options) if a is not None]
    words = {
        cost
        for o in options
        for cost in (cost_from_text(_text(o.get(k))) for k in ("option", "amount_description"))
        if cost
    }
    if amounts:
        if all(a == 0 for a in amounts):
            return "free"
        return "low" if "low" in words else "paid"
    if words:
        return "free" if words == {"free"} else "low" if words & {"low", "free"} else "paid"
    fees = _text(service.get("fees")).casefold()
    return cost_from_text(fees) or ("free" if re.search(r"\bfree\b", fees) else None)


def _read_service(
    service: Mapping[str, Any], *, row: int, file: str, source: str, licence: str
) -> tuple[AssetRecord | None, list[Problem], set[str]]:
    r = _Service(service, row=row, file=file)
    name = _text(service.get("name"))
    if not name and isinstance(service.get("name"), str):
        r.problem("name", "the name is blank; every service needs a name")
    description = _text(service.get("description"))
    status = status_from_text(_text(service.get("status"))) or "active"
    terms, categories, groups = r.terms()
    place = r.place()
    extra = {
        key: value
        for key, value in service.items()
        if key not in _MAPPED
        and key not in _PERSONAL
        and key != "id"
        and not str(key).endswith("_id")
        and isinstance(value, (str, int, float))
        and not _empty(value)
    }
    record = AssetRecord(
        name=name,
        category=r.category(categories, name, description),
        source=source,
        source_id=_text(service.get("id")),
        kind="service",
        description=description,
        status=status,
        taxonomy_terms=terms,
        lon=place.get("lon"),
        lat=place.get("lat"),
        address=place.get("address", ""),
        postcode=place.get("postcode"),
        organisation=_text(_object(service.get("organization")).get("name")),
        email=_text(service.get("email")),
        phone=_phone(service),
        url=_text(service.get("url")),
        schedule=r.schedule(),
        step_free=place.get("step_free"),
        accessible_toilet=place.get("accessible_toilet"),
        hearing_loop=place.get("hearing_loop"),
        languages=list(
            dict.fromkeys(
                n
                for n in (
                    _text(x.get("name")) or _text(x.get("code"))
                    for x in _items(service.get("languages"))
                )
                if n
            )
        ),
        cost=_cost(service),
        age_min=r.age("minimum_age"),
        age_max=r.age("maximum_age"),
        target_groups=groups,
        licence=licence,
        assured_date=r.assured_date(),
        source_row=row,
        extra=extra,
    )
    kept = {k: v for k, v in service.items() if k not in extra}
    _unmapped(kept, _MAPPED, "", r.dropped)
    return (None if r.problems else record), r.problems, r.dropped


def _services_of(page: Any, number: int, file: str) -> list[Any]:
    if isinstance(page, Mapping):
        contents = page.get("contents")
        if isinstance(contents, list):
            return contents
        if contents is None and ("id" in page or "name" in page):
            return [page]  # one service, as GET /services/{id} answers
    raise ValidationError(
        f"The ORUK feed {file} cannot be read.",
        problems=[
            Problem(
                f"page {number} is not an ORUK 3.0 page: it has no 'contents' list of services",
                file=file,
                field="contents",
            )
        ],
    )


def read_oruk_services(
    pages: Iterable[Mapping[str, Any]], *, source: str, licence: str = ""
) -> AssetFile:
    """Read the services of an ORUK 3.0 feed as community assets.

    Parameters
    ----------
    pages
        Pages of ``GET /services`` (``{"contents": [service, ...], ...}``), e.g. from
        :func:`fetch_oruk_feed`; a single service document (``GET /services/{id}``) is read as a
        page of one.
    source
        The feed's address (or a file name); records get the source ``"oruk:<source>"`` and
        problems name it as their file.
    licence
        The licence of the feed's data, given to every record (feeds do not state it).

    Returns
    -------
    AssetFile
        The valid services as records (kind ``service``), every problem of the others (row: the
        1-based position of the service in the feed; field: the ORUK field path) and the
        counts of fields present but not mapped (``dropped``).

    Raises
    ------
    mobilise.errors.ValidationError
        When a page is not an ORUK page at all (no ``contents`` list).
    """
    feed = source.removeprefix("oruk:")
    result = AssetFile(file=feed)
    dropped: Counter[str] = Counter()
    first_row: dict[str, int] = {}
    row = 0
    for number, page in enumerate(pages, start=1):
        for service in _services_of(page, number, feed):
            row += 1
            if not isinstance(service, Mapping):
                result.problems.append(
                    Problem("this service is not a JSON object", file=feed, row=row)
                )
                result.invalid_rows.append({"value": service})
                continue
            record, problems, unmapped = _read_service(
                service, row=row, file=feed, source=f"oruk:{feed}", licence=licence
            )
            dropped.update(unmapped)
            service_id = _text(service.get("id"))
            if service_id in first_row:
                problems.append(
                    Problem(
                        f"id {service_id!r} repeats row {first_row[service_id]}; each service "
                        "needs its own id",
                        file=feed,
                        row=row,
                        field="id",
                    )
                )
            elif service_id:
                first_row[service_id] = row
            if problems or record is None:
                result.problems += problems
                result.invalid_rows.append(dict(service))
            else:
                result.records.append(record)
    result.dropped = dict(sorted(dropped.items()))
    return result


# -- fetching -----------------------------------------------------------------------------------


def _feed_error(url: str, message: str, *, field: str = "url") -> ValidationError:
    return ValidationError(
        f"The ORUK feed at {url} cannot be read.",
        problems=[Problem(message, file=url, field=field)],
    )


def _services_url(url: str) -> str:
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _feed_error(url, "give the feed's address as http(s)://host/path")
    path = parts.path.rstrip("/")
    return text if path.endswith("/services") else parts._replace(path=f"{path}/services").geturl()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _get_page(client: httpx.Client, endpoint: str, number: int, per_page: int, url: str) -> Any:
    params: dict[str, str | int] = {"page": number, "per_page": per_page, "full": "true"}
    try:
        response = client.get(endpoint, params=params)
    except httpx.TimeoutException as exc:
        raise _feed_error(
            url, f"page {number} did not come in time ({type(exc).__name__})"
        ) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _feed_error(
            url, f"cannot connect for page {number}: {exc}; check the address and the network"
        ) from exc
    if response.status_code >= 400:
        hint = "; is this the feed's base address?" if response.status_code == 404 else ""
        raise _feed_error(
            url,
            f"page {number} answered HTTP {response.status_code} {response.reason_phrase}{hint}",
        )
    try:
        return response.json()
    except ValueError as exc:
        kind = response.headers.get("content-type", "no content type")
        start = response.text[:40].strip()
        raise _feed_error(
            url, f"page {number} is not JSON ({kind}; it starts {start!r})", field="contents"
        ) from exc


def _fingerprint(contents: list[Any]) -> str:
    ids = [item.get("id") if isinstance(item, Mapping) else None for item in contents]
    basis = ids if all(ids) else contents
    return hashlib.sha1(json.dumps(basis, sort_keys=True, default=str).encode()).hexdigest()


def fetch_oruk_feed(
    url: str,
    *,
    client: httpx.Client | None = None,
    per_page: int = 100,
    max_pages: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The pages of an ORUK 3.0 feed's ``/services``, fully nested (``full=true``).

    Pages are asked for as ``{url}/services?page=N&per_page=...&full=true`` from ``page=1``
    until a page is empty, says ``last_page``, reaches ``total_pages`` or completes
    ``total_items``. Page sizes come from the feed, so feeds that ignore ``per_page`` are read
    whole.

    Parameters
    ----------
    url
        The feed's base address (its ``GET /`` gives the API details); an address that already
        ends in ``/services`` is used as it is.
    client
        The HTTP client to use (e.g. with a proxy or a test transport); by default a new one
        with a 30 s timeout that follows redirects.
    per_page
        Services asked for per page.
    max_pages
        The most pages to read before giving up.
    progress
        Called after each page with the services read so far and the feed's ``total_items``
        (0 when the feed does not say).

    Yields
    ------
    dict
        Each page as the feed sent it, with its ``contents`` list.

    Raises
    ------
    mobilise.errors.ValidationError
        When the feed cannot be reached, answers an HTTP error, sends something that is not
        JSON or has no ``contents`` list, sends the same page again while saying more pages
        follow (it ignores ``page``), or has more than ``max_pages`` pages.
    """
    endpoint = _services_url(url)
    http = client or httpx.Client(
        timeout=30.0, follow_redirects=True, headers={"Accept": "application/json"}
    )
    seen: dict[str, int] = {}
    read = 0
    try:
        for number in range(1, max_pages + 1):
            page = _get_page(http, endpoint, number, per_page, url)
            contents = page.get("contents") if isinstance(page, dict) else None
            if not isinstance(contents, list):
                hint = ""
                if isinstance(page, dict) and isinstance(page.get("content"), list):
                    hint = " (it has 'content': an ORUK 1.0 feed? mobilise reads ORUK 3.0)"
                raise _feed_error(
                    url,
                    f"page {number} has no 'contents' list of services{hint}",
                    field="contents",
                )
            total_items, total_pages = _int(page.get("total_items")), _int(page.get("total_pages"))
            fingerprint = _fingerprint(contents)
            if contents and fingerprint in seen:
                more = (
                    page.get("last_page") is False
                    or (total_pages is not None and total_pages >= number)
                    or (total_items is not None and total_items > read)
                )
                if more:
                    raise _feed_error(
                        url,
                        f"page {number} repeats the services of page {seen[fingerprint]} although "
                        f"the feed says more follow: it seems to ignore 'page' (read {read} "
                        f"services of {total_items if total_items is not None else 'unknown'})",
                        field="page",
                    )
                return  # a one-page feed that answers every page with that page
            seen[fingerprint] = number
            read += len(contents)
            if progress is not None:
                progress(read, total_items or 0)
            yield page
            if (
                not contents
                or page.get("last_page") is True
                or (total_pages is not None and number >= total_pages)
                or (total_items is not None and read >= total_items)
            ):
                return
        raise _feed_error(url, f"the feed has more than {max_pages} pages", field="page")
    finally:
        if client is None:
            http.close()


# -- writing ------------------------------------------------------------------------------------


def _derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _uuid(value: Any, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ValueError(f"{what} {value!r} is not a UUID") from exc


def _split_term(term: str) -> tuple[str, str]:
    """``"osm:amenity=library"`` -> (``"osm"``, ``"amenity=library"``); a bare category id is ours."""
    vocabulary, sep, code = term.partition(":")
    return (vocabulary, code) if sep and vocabulary and code else (CATEGORY_VOCABULARY, term)


def taxonomy_id(vocabulary: str) -> str:
    """The stable UUID of the taxonomy of a vocabulary (``"mobilise"``, ``"osm"`` ...)."""
    return _derived_id("taxonomy", vocabulary)


def taxonomy_term_id(term: str) -> str:
    """The stable UUID of a taxonomy term ``"vocabulary:term"`` (a bare category id is ours)."""
    return _derived_id("taxonomy_term", *_split_term(term))


def _location_id(asset: Mapping[str, Any]) -> str:
    given = asset.get("location_id")
    return _uuid(given, "location_id") if given else _derived_id("location", str(asset["id"]))


def service_at_location_id(asset: Mapping[str, Any]) -> str:
    """The stable UUID of the service-at-location of an asset (its service at its place)."""
    return _derived_id("service_at_location", _uuid(asset["id"], "id"), _location_id(asset))


def _compact(required: Iterable[str] = (), **fields: Any) -> dict[str, Any]:
    """The fields that have a value; ``required`` ones are kept even when empty text."""
    keep = set(required)
    return {k: v for k, v in fields.items() if k in keep or not _empty(v)}


def _base(base_url: str) -> str:
    base = base_url.rstrip("/")
    if urlsplit(base).scheme not in ("http", "https") or not _is_uri(base):
        raise ValueError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    return base


def _url(text: Any) -> str:
    """A web address fit for a ``uri`` field ("www.x.org" gets https://), else ""."""
    value = _text(text)
    if value and not _URI_RE.fullmatch(value) and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", value):
        value = f"https://{value}"
    return value if value and _is_uri(value) and urlsplit(value).scheme else ""


def _email(text: Any) -> str:
    value = _text(text)
    return value if value and _is_email(value) else ""


def _timestamp(value: Any) -> str:
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return ""
    stamp = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    return text if _is_date(text) else ""


_STATUS_OUT = {
    "active": "active",
    "temporarily_closed": "temporarily closed",
    "closed": "defunct",
    "developing": "inactive",  # not running yet
}
_COST_OUT = {"free": ("Free", 0), "low": ("Low cost", None), "paid": ("Paid", None)}
_FLAG_TEXT = {
    "step_free": ("Step-free access", "No step-free access"),
    "accessible_toilet": ("Accessible toilet", "No accessible toilet"),
    "hearing_loop": ("Hearing loop", "No hearing loop"),
}


def _check_public(asset: Mapping[str, Any]) -> None:
    if asset.get("visibility", "public") != "public":
        raise ValueError(f"asset {asset.get('id')} is private; private assets are never published")


def _organisation_of(asset: Mapping[str, Any]) -> dict[str, Any] | None:
    name = _text(asset.get("organisation"))
    if not name:
        return None
    given = asset.get("organisation_id")
    org_id = _uuid(given, "organisation_id") if given else _derived_id("organisation", name)
    return {"id": org_id, "name": name}


def _address(asset: Mapping[str, Any], location_id: str) -> dict[str, Any] | None:
    postcode = _text(asset.get("postcode"))
    parts = [p.strip() for p in _text(asset.get("address")).split(",") if p.strip()]
    if postcode:  # the postcode has its own field
        key = postcode.replace(" ", "").upper()
        parts = [p for p in parts if p.replace(" ", "").upper() != key]
        if parts and parts[-1].upper().endswith(postcode.upper()):
            parts[-1] = parts[-1][: -len(postcode)].strip()
        parts = [p for p in parts if p]
    if not parts and not postcode:
        return None
    return {
        "id": _derived_id("address", location_id),
        "location_id": location_id,
        "address_1": ", ".join(parts[:-1]) if len(parts) > 1 else (parts[0] if parts else ""),
        "city": parts[-1] if len(parts) > 1 else "",
        "state_province": "",  # required by the schema; UK addresses have no state
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }


def _location(asset: Mapping[str, Any], *, full: bool) -> dict[str, Any] | None:
    location_id = _location_id(asset)
    address = _address(asset, location_id)
    lat, lon = _number(asset.get("lat")), _number(asset.get("lon"))
    if address is None and (lat is None or lon is None):
        return None
    access = [
        {"id": _derived_id("accessibility", location_id, flag), "location_id": location_id,
         "description": _FLAG_TEXT[flag][0 if asset.get(flag) else 1]}
        for flag in _FLAG_TEXT
        if isinstance(asset.get(flag), bool)
    ]  # fmt: skip
    return _compact(
        id=location_id,
        location_type="physical",
        name=_text(asset.get("name")),
        latitude=lat if lon is not None else None,
        longitude=lon if lat is not None else None,
        addresses=[address] if full and address else [],
        accessibility=access if full else [],
    )


def service_json(asset: Mapping[str, Any], *, base_url: str, full: bool = True) -> dict[str, Any]:
    """An asset as an ORUK 3.0 service (``GET /services/{id}``, or an item of ``/services``).

    Parameters
    ----------
    asset
        The asset's fields (:class:`~mobilise.formats.assets.AssetRecord` names) with ``id``
        (a UUID), and optionally ``organisation_id`` (UUID), ``location_id`` (UUID) and
        ``updated_at`` (a datetime, UTC when naive). Private assets are refused.
    base_url
        The address of the feed (``https://host/oruk``), for the links in the document.
    full
        Nest schedules, location, languages, costs, phone and taxonomy terms; otherwise only the
        one-to-one fields and the organisation, as ``/services`` lists them.

    Returns
    -------
    dict
        A document valid against the ORUK ``service`` schema, with no empty or null fields.
        Phones (``phones[].number``) and language names (``languages[].name``) are written the
        HSDS 3.0 way; the ORUK profile has no field for them.
    """
    _check_public(asset)
    base = _base(base_url)
    service_id = _uuid(asset["id"], "id")
    organisation = _organisation_of(asset)
    cost = _COST_OUT.get(str(asset.get("cost")))
    document = _compact(
        required=("name",),
        id=service_id,
        organization_id=organisation["id"] if organisation else None,
        name=_text(asset.get("name")),
        description=_text(asset.get("description")),
        url=_url(asset.get("url")),
        email=_email(asset.get("email")),
        status=_STATUS_OUT.get(str(asset.get("status", "active")), "active"),
        minimum_age=asset.get("age_min"),
        maximum_age=asset.get("age_max"),
        assured_date=_day(asset.get("assured_date")),
        last_modified=_timestamp(asset.get("updated_at")),
        organization=(
            organization_json(organisation, base_url=base, full=False) if organisation else None
        ),
    )
    if not full:
        return document
    terms = [
        f"{CATEGORY_VOCABULARY}:{asset['category']}" if asset.get("category") else "",
        *(str(t) for t in asset.get("taxonomy_terms") or ()),
        *(f"{TARGET_GROUP_VOCABULARY}:{g}" for g in asset.get("target_groups") or ()),
    ]
    schedules = [
        _compact(
            id=_derived_id("schedule", service_id, str(number)),
            service_id=service_id,
            freq="WEEKLY" if _text(row.get("byday")) else None,
            byday=_text(row.get("byday")),
            opens_at=_text(row.get("opens_at")),
            closes_at=_text(row.get("closes_at")),
            description=_text(row.get("description")),
        )
        for number, row in enumerate(asset.get("schedule") or ())
        if isinstance(row, Mapping) and any(_text(v) for v in row.values())
    ]
    location = _location(asset, full=True)
    phone = _text(asset.get("phone"))
    document |= _compact(
        schedules=schedules,
        service_at_locations=(
            [
                {
                    "id": service_at_location_id(asset),
                    "service_id": service_id,
                    "location_id": location["id"],
                    "location": location,
                }
            ]
            if location
            else []
        ),
        languages=[
            {"id": _derived_id("language", service_id, str(name)), "service_id": service_id,
             "name": str(name)}
            for name in dict.fromkeys(asset.get("languages") or ())
            if str(name).strip()
        ],
        cost_options=(
            [_compact(id=_derived_id("cost_option", service_id), service_id=service_id,
                      option=cost[0], amount=cost[1])]
            if cost
            else []
        ),
        phones=(
            [{"id": _derived_id("phone", service_id, phone), "service_id": service_id,
              "number": phone}]
            if phone
            else []
        ),
        attributes=[
            {
                "id": _derived_id("attribute", service_id, term),
                "link_id": service_id,
                "link_entity": "service",
                "taxonomy_term_id": taxonomy_term_id(term),
                "taxonomy_term": taxonomy_term_json(term, base_url=base),
            }
            for term in dict.fromkeys(terms)
            if term
        ],
    )  # fmt: skip
    return document


def service_at_location_json(
    asset: Mapping[str, Any], *, base_url: str, full: bool = True
) -> dict[str, Any]:
    """An asset's service at its place (``GET /service_at_locations/{id}`` or a list item).

    The location is the asset's position and address; ``full`` adds the address and
    accessibility to the location and nests the service's one-to-one fields. An asset with
    neither a position nor an address has no ``location``.
    """
    _check_public(asset)
    service_id = _uuid(asset["id"], "id")
    location = _location(asset, full=full)
    return _compact(
        id=service_at_location_id(asset),
        service_id=service_id,
        location_id=_location_id(asset),
        location=location,
        service=service_json(asset, base_url=base_url, full=False),
    )


def organization_json(
    organisation: Mapping[str, Any],
    *,
    base_url: str,
    services: Sequence[Mapping[str, Any]] = (),
    full: bool = True,
) -> dict[str, Any]:
    """An organisation as an ORUK 3.0 organization.

    Parameters
    ----------
    organisation
        ``id`` (UUID) and ``name``; optionally ``description``, ``email``, ``url``.
    base_url
        The address of the feed; the organization's ``uri`` is
        ``{base_url}/organizations/{id}``.
    services
        The organisation's assets (as for :func:`service_json`), nested in full when ``full``.
    full
        Nest ``services``.
    """
    base = _base(base_url)
    org_id = _uuid(organisation["id"], "organisation id")
    document = _compact(
        required=("description",),
        id=org_id,
        name=_text(organisation.get("name")),
        description=_text(organisation.get("description")),
        email=_email(organisation.get("email")),
        website=_url(organisation.get("url") or organisation.get("website")),
        uri=f"{base}/organizations/{org_id}",
    )
    if full and services:
        nested = [service_json(s, base_url=base, full=True) for s in services]
        document["services"] = [{k: v for k, v in s.items() if k != "organization"} for s in nested]
    return document


def taxonomy_term_json(term: str, *, base_url: str) -> dict[str, Any]:
    """A taxonomy term ``"vocabulary:term"`` (a category id alone is a mobilise category).

    Categories are written with the ``taxonomy`` :data:`CATEGORY_VOCABULARY`, their id as
    ``term`` and their label as ``name``; target groups with :data:`TARGET_GROUP_VOCABULARY`.
    """
    base = _base(base_url)
    vocabulary, code = _split_term(term)
    if vocabulary == CATEGORY_VOCABULARY:
        name = CATEGORIES.get(code, code)
        description = f"Community asset category: {name}"
    elif vocabulary == TARGET_GROUP_VOCABULARY:
        name = code.replace("_", " ").capitalize()
        description = f"For: {name.lower()}"
    else:
        name = code
        description = f"{code} ({_VOCABULARY_NAMES.get(vocabulary, vocabulary)})"
    term_id = taxonomy_term_id(f"{vocabulary}:{code}")
    return {
        "id": term_id,
        "name": name,
        "description": description,
        "taxonomy": vocabulary,
        "taxonomy_id": taxonomy_id(vocabulary),
        "term": code,
        "term_uri": f"{base}/taxonomy_terms/{term_id}",
    }


def taxonomy_json(
    vocabulary: str, *, base_url: str, terms: Iterable[str] = (), full: bool = True
) -> dict[str, Any]:
    """A vocabulary as an ORUK 3.0 taxonomy, with its ``terms`` when ``full``.

    For :data:`CATEGORY_VOCABULARY` the terms default to every category.
    """
    base = _base(base_url)
    found = list(terms)
    if vocabulary == CATEGORY_VOCABULARY and not found:
        found = list(CATEGORIES)
    taxonomy = taxonomy_id(vocabulary)
    name = _VOCABULARY_NAMES.get(vocabulary, vocabulary)
    return _compact(
        id=taxonomy,
        name=name,
        description=f"{name}, as used by mobilise",
        uri=f"{base}/taxonomies/{taxonomy}",
        taxonomy_terms=(
            [
                taxonomy_term_json(t if ":" in t else f"{vocabulary}:{t}", base_url=base)
                for t in found
            ]
            if full
            else []
        ),
    )


def api_details_json(base_url: str, *, openapi_url: str = OPENAPI_URL) -> dict[str, Any]:
    """The answer of a feed's ``GET /``: ORUK version, profile and OpenAPI description.

    ``base_url`` is the feed's own address; it is checked to be an absolute http(s) URL.
    """
    _base(base_url)
    return {"version": ORUK_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}


def page_wrapper(
    items: Iterable[Mapping[str, Any]], *, total_items: int, page: int, per_page: int
) -> dict[str, Any]:
    """One page of an ORUK list: the items with ``total_items`` ... ``empty`` around them.

    Parameters
    ----------
    items
        The documents of this page.
    total_items
        How many documents all pages hold.
    page
        This page's number, from 1.
    per_page
        The page size asked for.
    """
    if page < 1 or per_page < 1 or total_items < 0:
        raise ValueError("page and per_page must be 1 or more, total_items 0 or more")
    contents = [dict(item) for item in items]
    total_pages = math.ceil(total_items / per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }

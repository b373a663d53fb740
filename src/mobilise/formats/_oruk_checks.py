"""ORUK 3.0 JSON: the bundled schemas, real format checks, and reading JSON values (private).

Shared by :mod:`mobilise.formats.oruk` (reading feeds) and :mod:`mobilise.formats.oruk_feed`
(writing feed documents).

:func:`validate`
    A document's errors against the ORUK 3.0 JSON schemas bundled in ``oruk_schemas/``, with real
    checks of the ``uri``, ``email``, ``uuid``, ``date`` and ``date-time`` formats (python-jsonschema
    skips ``uri`` unless an optional package is installed; its ``email`` check only looks for "@").
:func:`schema_errors`
    The same errors as (field path, message) pairs, for readers that report them as problems.
:func:`is_uri`, :func:`is_email`, :func:`is_date`, :func:`is_date_time`
    The hand-written format checks the schemas are validated with.
:func:`as_text`, :func:`as_number`, :func:`is_empty`
    Reading one JSON value leniently (text stripped, numbers finite, "" / [] / {} as empty).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # jsonschema loads when a document is validated, not when a feed is built
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError as SchemaError
    from referencing import Registry

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

_SCHEMA_DIR = Path(__file__).with_name("oruk_schemas")
_SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"

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
URI_RE = re.compile(
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


def is_uri(value: object) -> bool:
    """An absolute URI (RFC 3986); ``http``/``https`` ones also need a host."""
    if not isinstance(value, str):
        return True
    if URI_RE.fullmatch(value) is None:
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() not in ("http", "https") or bool(parts.hostname)


def is_email(value: object) -> bool:
    """An email address with a dotted domain, as ``name@example.org``."""
    if not isinstance(value, str):
        return True
    local = value.rsplit("@", 1)[0]
    return len(value) <= 254 and len(local) <= 64 and _EMAIL_RE.fullmatch(value) is not None


def is_date_time(value: object) -> bool:
    """An RFC 3339 date and time with a time zone, as ``2025-03-31T09:30:00Z``."""
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


def is_date(value: object) -> bool:
    """A real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str):
        return True
    try:
        return _DATE_RE.fullmatch(value) is not None and bool(date.fromisoformat(value))
    except ValueError:
        return False


@cache
def _format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker()  # keeps jsonschema's uuid, ipv4 ... checks
    for name, check in (
        ("uri", is_uri),
        ("email", is_email),
        ("date", is_date),
        ("date-time", is_date_time),
    ):
        checker.checks(name)(check)
    return checker


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
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

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
    from jsonschema import Draft202012Validator

    schema = _registry().contents(f"{_SCHEMA_BASE}{name}.json")
    return Draft202012Validator(schema, registry=_registry(), format_checker=_format_checker())


def _path(parts: Iterable[str | int]) -> str:
    """``["service_at_locations", 0, "location"]`` -> ``"service_at_locations[0].location"``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def schema_errors(document: Any, schema_name: str) -> list[tuple[str, str]]:
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
        for path, message in schema_errors(document, schema_name)
    ]


# -- JSON values --------------------------------------------------------------------------------


def as_text(value: Any) -> str:
    """Text stripped of surrounding space; "" for anything that is not text."""
    return value.strip() if isinstance(value, str) else ""


def as_number(value: Any) -> float | None:
    """A finite number as a float; None for anything else (true and false included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def is_empty(value: Any) -> bool:
    """None, "", [] or {}."""
    return value is None or value == "" or value == [] or value == {}

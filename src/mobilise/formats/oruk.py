"""Open Referral UK (ORUK) 3.0 feeds: read services, fetch a feed, validate documents.

ORUK 3.0 is the UK profile of the Human Services Data Specification (HSDS) 3.0. A feed answers
``GET {base}/services?page=N&per_page=M&full=true`` with a page of services wrapped as
``{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
"contents": [...]}``; ``full=true`` asks for fully nested services (schedules, locations,
attributes ...), not only their one-to-one fields.

:func:`validate`
    A document's errors against the ORUK 3.0 JSON schemas bundled in ``oruk_schemas/``, with real
    checks of the ``uri``, ``email``, ``uuid``, ``date`` and ``date-time`` formats (python-jsonschema
    skips ``uri`` unless an optional package is installed; its ``email`` check only looks for "@").
    Kept with the schemas in ``_oruk_checks``; :data:`SCHEMA_NAMES` lists the schemas it knows.
:func:`read_oruk_services`
    Pages of services -> :class:`~mobilise.formats.assets.AssetFile`. Each service is checked
    against the schema and mapped field by field; problems name the 1-based position of the
    service in the feed (``row``) and the ORUK field path (``email``,
    ``service_at_locations[0].location.latitude``).
:func:`fetch_oruk_feed`
    Pages of a live feed, following its pagination and refusing to loop on a feed that ignores
    ``page``.

The documents of mobilise's own feed are written by :mod:`mobilise.formats.oruk_feed`.

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

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats._oruk_checks import (
    SCHEMA_NAMES,
    as_number,
    as_text,
    is_date,
    is_date_time,
    is_empty,
    schema_errors,
    validate,
)
from mobilise.formats._oruk_fetch import fetch_oruk_feed
from mobilise.formats.oruk_feed import CATEGORY_VOCABULARY, TARGET_GROUP_VOCABULARY
from mobilise.geo import GB_BOUNDS, is_postcode, normalise_postcode
from mobilise.model.asset_vocab import (
    CATEGORIES,
    TARGET_GROUPS,
    category_from_taxonomy,
    cost_from_text,
    status_from_text,
)
from mobilise.model.assets import AssetFile, AssetRecord

__all__ = ["SCHEMA_NAMES", "fetch_oruk_feed", "read_oruk_services", "validate"]


# -- reading ------------------------------------------------------------------------------------


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


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
_CLAUSES_RE = re.compile(r"[.;,\n]+|\bbut\b")
_NEGATIVE_RE = re.compile(r"\b(no|not|without|isn'?t|unsuitable|inaccessible|unavailable)\b")
_TOILET_RE = re.compile(r"\btoilets?\b|\bchanging places?\b")
_ACCESS_WORDS = (
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
        if is_empty(item) or key == "id" or str(key).endswith("_id"):
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
            for path, message in schema_errors(service, "service")
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
        locations = [
            _object(sal.get("location")) for sal in _items(self.service.get("service_at_locations"))
        ]
        located = [
            (index, location)
            for index, location in enumerate(locations)
            if location.get("latitude") is not None
            or location.get("longitude") is not None
            or _items(location.get("addresses"))
        ]
        if len(located) > 1:
            self.dropped.add("service_at_locations[] (after the first with a place)")
        if not located:
            return found
        # The first physical location is the asset's place; a postal one is the next best.
        index, location = min(located, key=lambda p: p[1].get("location_type") != "physical")
        where = f"service_at_locations[{index}].location"
        found |= self._position(location, where)
        addresses = _items(location.get("addresses"))
        if addresses:
            number, address = min(
                enumerate(addresses), key=lambda p: p[1].get("address_type") != "physical"
            )
            parts = (as_text(address.get(k)) for k in ("address_1", "address_2", "city"))
            found["address"] = ", ".join(p for p in parts if p)
            postcode = as_text(address.get("postal_code"))
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
        lat, lon = as_number(lat_value), as_number(lon_value)
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
        west, south, east, north = GB_BOUNDS
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
                "byday": as_text(item.get("byday")).upper().replace(" ", ""),
                "opens_at": self._time(item, "opens_at", number),
                "closes_at": self._time(item, "closes_at", number),
                "description": as_text(item.get("description")),
            }
            if item.get("freq") not in (None, "", "WEEKLY"):
                self.dropped.add("schedules[].freq")  # a monthly rule cannot be a weekly row
            if any(row.values()):
                rows.append(row)
        return rows

    def _time(self, item: Mapping[str, Any], key: str, number: int) -> str:
        text = as_text(item.get(key))
        match = _TIME_RE.fullmatch(text)
        if not text:
            return ""
        if match is None or int(match.group(1)) > 24 or int(match.group(2)) > 59:
            self.problem(f"schedules[{number}].{key}", f"{text!r} is not a time; write it as HH:MM")
            return ""
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    def age(self, key: str) -> int | None:
        value = as_number(self.service.get(key))
        if value is None:
            return None
        if not value.is_integer() or not 0 <= value <= 130:
            self.problem(key, f"{value:g} is not a whole number of years from 0 to 130")
            return None
        return int(value)

    def assured_date(self) -> date | None:
        text = as_text(self.service.get("assured_date"))
        if not text:
            return None
        if is_date(text) or is_date_time(text):
            return date.fromisoformat(text[:10])
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
            vocabulary, code = as_text(term.get("taxonomy")), as_text(term.get("term"))
            name = as_text(term.get("name")) or code
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
        text = " ".join(as_text(entry.get(k)) for k in ("description", "details", "accessibility"))
        for clause in _CLAUSES_RE.split(text.casefold()):
            says = _NEGATIVE_RE.search(clause) is None
            if _TOILET_RE.search(clause):  # "wheelchair accessible toilet" is about the toilet
                seen.setdefault("accessible_toilet", set()).add(says)
                continue
            for flag, words in _ACCESS_WORDS:
                if words.search(clause):
                    seen.setdefault(flag, set()).add(says)
    return {flag: next(iter(values)) for flag, values in seen.items() if len(values) == 1}


def _phone(service: Mapping[str, Any]) -> str:
    holders = [service, *_items(service.get("contacts"))]
    holders += [_object(s.get("location")) for s in _items(service.get("service_at_locations"))]
    numbers = (as_text(p.get("number")) for h in holders for p in _items(h.get("phones")))
    return next((n for n in numbers if n), "")


def _languages(service: Mapping[str, Any]) -> list[str]:
    names = (
        as_text(x.get("name")) or as_text(x.get("code")) for x in _items(service.get("languages"))
    )
    return list(dict.fromkeys(n for n in names if n))


def _cost(service: Mapping[str, Any]) -> str | None:
    options = _items(service.get("cost_options"))
    amounts = [a for a in (as_number(o.get("amount")) for o in options) if a is not None]
    words = {
        cost
        for o in options
        for cost in (cost_from_text(as_text(o.get(k))) for k in ("option", "amount_description"))
        if cost
    }
    if amounts:
        if all(a == 0 for a in amounts):
            return "free"
        return "low" if "low" in words else "paid"
    if words:
        return "free" if words == {"free"} else "low" if words & {"low", "free"} else "paid"
    fees = as_text(service.get("fees")).casefold()
    return cost_from_text(fees) or ("free" if re.search(r"\bfree\b", fees) else None)


def _read_service(
    service: Mapping[str, Any], *, row: int, file: str, source: str, licence: str
) -> tuple[AssetRecord | None, list[Problem], set[str]]:
    r = _Service(service, row=row, file=file)
    name = as_text(service.get("name"))
    if not name and isinstance(service.get("name"), str):
        r.problem("name", "the name is blank; every service needs a name")
    description = as_text(service.get("description"))
    status = status_from_text(as_text(service.get("status"))) or "active"
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
        and not is_empty(value)
    }
    record = AssetRecord(
        name=name,
        category=r.category(categories, name, description),
        source=source,
        source_id=as_text(service.get("id")),
        kind="service",
        description=description,
        status=status,
        taxonomy_terms=terms,
        lon=place.get("lon"),
        lat=place.get("lat"),
        address=place.get("address", ""),
        postcode=place.get("postcode"),
        organisation=as_text(_object(service.get("organization")).get("name")),
        email=as_text(service.get("email")),
        phone=_phone(service),
        url=as_text(service.get("url")),
        schedule=r.schedule(),
        step_free=place.get("step_free"),
        accessible_toilet=place.get("accessible_toilet"),
        hearing_loop=place.get("hearing_loop"),
        languages=_languages(service),
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
            service_id = as_text(service.get("id"))
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

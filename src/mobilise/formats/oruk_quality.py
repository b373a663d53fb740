"""How usable an Open Referral UK 3.0 feed's services are, checked as its consumers check them.

Scores ORUK 3.0 service documents (the items of ``GET /services?full=true``, or ``GET
/services/{id}``) one by one: for each service, which of the checks of :data:`CHECKS` it fails,
and whether it is **usable** (passes every check of :data:`USABLE_NEEDS`). :func:`score_service`
scores one document, :func:`tally` counts how many of a set pass each check. Plain functions on
parsed JSON: no storage, no network.

The checks and where they come from
-----------------------------------
Two tools decide what a consumer of a feed makes of it, and the checks follow them:

- The Family Hubs (DfE) team's ORUK data-quality scorer, the "Family Hubs Open Referral UK
  tester" (github.com/AaronJY/fh-or-tester, ``validators.js`` and ``bin/eval.js``), with which the
  team scored the live ORUK feeds of the ORUK dashboard before importing them into their single
  directory. It checks each service for a valid id (a UUID), an ``active`` status, a name, a
  description, a URL (what a WHATWG ``new URL()`` accepts), an organisation (``organization.id``
  and ``organization.name``) and a contact (``email``), gives every check the same weight (a pass
  or a fail, no points), and counts a service **usable** when it passes all seven.
- The official ORUK validator (github.com/OpenReferralUK/oruk-validator, the ORUK 3.0 schemas it
  validates against, bundled in ``formats/oruk_schemas``, and its canned ``V3.0-UK-Fail``
  responses): ``id``, ``name`` and ``status`` are required, ``id`` is in the ``uuid`` format,
  ``url`` in the ``uri`` format and ``email`` in the ``email`` format. Its failing example has
  ``url: "example/counselling"`` and ``email: "email-example_com"``; both fail here too.

========================  ==========================================================================
check                     passes when the service ...
========================  ==========================================================================
``id``                    has an ``id`` that is a UUID written 8-4-4-4-12 in hexadecimal (both)
``active``                has ``status`` ``"active"`` (Family Hubs)
``name``                  has a ``name`` that is text, not only spaces (both)
``description``           has a ``description`` that is text, not only spaces (Family Hubs)
``url``                   has a ``url`` that is an absolute ``http``/``https`` address with a host
                          (the validator's ``uri`` check, narrowed to the web: a ``mailto:`` or a
                          bare ``www.x.org`` is no page a link worker can open)
``organisation``          nests an ``organization`` with a UUID ``id`` and a ``name`` (Family Hubs,
                          with the validator's ``uuid`` format for the id)
``contact``               gives an email address (the validator's ``email`` check) or a phone
                          number, on the service (``email``, ``phones[].number``) or one of its
                          ``contacts``. The Family Hubs scorer counts only ``email``; a phone is
                          how many community groups are reached, and HSDS 3.0 has a place for it
``schedule``              has a schedule (on the service or one of its ``service_at_locations``)
                          that says when: in words (``description``), by days (``byday``,
                          ``bymonthday``, ``dtstart``) or by hours (``opens_at`` and
                          ``closes_at``), with days written as RFC 5545 ``BYDAY`` values
                          (``MO,TU``) and hours as ``HH:MM`` or ``HH:MM:SS``
``location``              has a place a person can go to: a location with a latitude and a
                          longitude, or an address with a first line or a postcode
========================  ==========================================================================

**Usable** (:data:`USABLE_NEEDS`) is what a link worker needs to refer someone and what the Family
Hubs scorer requires: a valid id (to keep and update the record), active, a name and a description
(what it is), an organisation (who runs it and vouches for it), a web address (where to read more)
and a contact (how to reach it). ``schedule`` and ``location`` are reported but not required:
parks, places of worship and outreach groups rightly have no opening hours, and online or
phone services no place, so requiring them would call good records unusable; they also keep the
figure comparable with the Family Hubs team's.

Like both references, every check is a pass or a fail of equal weight: no points and no overall
score but the share of usable services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mobilise.formats._oruk_checks import as_number, as_text, is_email, is_uri

__all__ = [
    "CHECKS",
    "USABLE",
    "USABLE_NEEDS",
    "FeedCheck",
    "ServiceScore",
    "Tally",
    "is_phone",
    "is_uuid",
    "is_web_address",
    "score_service",
    "tally",
]


@dataclass(frozen=True)
class FeedCheck:
    """One check: its ``name`` (as the API and CLI write it), ``label`` and what it asks."""

    name: str
    label: str
    meaning: str


CHECKS: dict[str, FeedCheck] = {
    check.name: check
    for check in (
        FeedCheck("id", "Valid id", "The id is a UUID."),
        FeedCheck("active", "Active", 'The status is "active".'),
        FeedCheck("name", "Name", "It has a name."),
        FeedCheck("description", "Description", "It has a description."),
        FeedCheck("url", "Web address", "It has an http(s) web address with a host."),
        FeedCheck("organisation", "Organisation", "It names the organisation that runs it."),
        FeedCheck("contact", "Contact", "It has an email address or a phone number."),
        FeedCheck("schedule", "Opening times", "A schedule says when it is open or meets."),
        FeedCheck("location", "Location", "It has coordinates or a postal address."),
    )
}
"""The checks, in the order they are reported."""

USABLE = FeedCheck(
    "usable",
    "Usable",
    "It passes every check a link worker needs: valid id, active, name, description, web "
    "address, organisation and contact.",
)
"""The check that a service passes every one of :data:`USABLE_NEEDS`."""

USABLE_NEEDS = ("id", "active", "name", "description", "url", "organisation", "contact")
"""The checks a usable service passes (the Family Hubs scorer's seven)."""

_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_DAY = r"(?:[+-]?\d{1,2})?(?:MO|TU|WE|TH|FR|SA|SU)"  # RFC 5545 weekday, "1MO": first Monday
_BYDAY_RE = re.compile(rf"{_DAY}(?:,{_DAY})*")
_ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
_TIME_RE = re.compile(rf"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?{_ZONE}?")
_PHONE_RE = re.compile(r"(\+?[\d\s().-]+?)(?:\s*(?:ext\.?|x)\s*\d+)?", re.IGNORECASE)


def _items(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a JSON list (anything else in it, or a value that is no list, is none)."""
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def is_uuid(value: Any) -> bool:
    """A UUID written as 8-4-4-4-12 hexadecimal digits."""
    return isinstance(value, str) and _UUID_RE.fullmatch(value) is not None


def is_web_address(value: Any) -> bool:
    """An absolute http or https address with a host (``https://example.org/page``)."""
    if not isinstance(value, str) or not value or not is_uri(value):
        return False
    return urlsplit(value).scheme.lower() in ("http", "https")  # is_uri wants their host


def is_phone(value: Any) -> bool:
    """A phone number: digits with the usual spaces, brackets, dashes, a leading + and an
    extension, 3 (``111``) to 15 (the longest international number, ITU-T E.164) digits."""
    text = as_text(value)
    match = _PHONE_RE.fullmatch(text) if len(text) <= 40 else None  # no backtracking on essays
    return match is not None and 3 <= sum(c.isdigit() for c in match.group(1)) <= 15


def _has_contact(service: Mapping[str, Any]) -> bool:
    for holder in (service, *_items(service.get("contacts"))):
        email = holder.get("email")
        if isinstance(email, str) and email and is_email(email):
            return True
        if any(is_phone(phone.get("number")) for phone in _items(holder.get("phones"))):
            return True
    return False


def _says_when(schedule: Mapping[str, Any]) -> bool:
    byday, opens, closes = (as_text(schedule.get(k)) for k in ("byday", "opens_at", "closes_at"))
    malformed = (
        (byday and not _BYDAY_RE.fullmatch(byday.upper()))
        or (opens and not _TIME_RE.fullmatch(opens))
        or (closes and not _TIME_RE.fullmatch(closes))
    )
    when = (
        as_text(schedule.get("description"))
        or byday
        or as_text(schedule.get("bymonthday"))
        or as_text(schedule.get("dtstart"))
        or (opens and closes)
    )
    return bool(when) and not malformed


def _has_schedule(service: Mapping[str, Any]) -> bool:
    places = _items(service.get("service_at_locations"))
    schedules = [
        *_items(service.get("schedules")),
        *(s for place in places for s in _items(place.get("schedules"))),
    ]
    return any(_says_when(s) for s in schedules)


def _is_place(location: Mapping[str, Any]) -> bool:
    lat, lon = as_number(location.get("latitude")), as_number(location.get("longitude"))
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        return True
    return any(
        as_text(a.get("address_1")) or as_text(a.get("postal_code"))
        for a in _items(location.get("addresses"))
    )


def _has_location(service: Mapping[str, Any]) -> bool:
    places = _items(service.get("service_at_locations"))
    return any(isinstance(p.get("location"), Mapping) and _is_place(p["location"]) for p in places)


def _has_organisation(service: Mapping[str, Any]) -> bool:
    organisation = service.get("organization")
    return (
        isinstance(organisation, Mapping)
        and is_uuid(organisation.get("id"))
        and bool(as_text(organisation.get("name")))
    )


_TESTS: dict[str, Any] = {
    "id": lambda s: is_uuid(s.get("id")),
    "active": lambda s: s.get("status") == "active",
    "name": lambda s: bool(as_text(s.get("name"))),
    "description": lambda s: bool(as_text(s.get("description"))),
    "url": lambda s: is_web_address(s.get("url")),
    "organisation": _has_organisation,
    "contact": _has_contact,
    "schedule": _has_schedule,
    "location": _has_location,
}


@dataclass(frozen=True)
class ServiceScore:
    """The checks one service fails.

    ``failing`` names them in :data:`CHECKS` order, with ``"usable"`` last when the service is
    not usable; ``id`` and ``name`` are the service's as given (``""`` when it has none).
    """

    id: str
    name: str
    failing: tuple[str, ...]

    @property
    def usable(self) -> bool:
        return USABLE.name not in self.failing

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "failing": list(self.failing)}


def score_service(service: Mapping[str, Any]) -> ServiceScore:
    """Which checks an ORUK 3.0 service document fails.

    Parameters
    ----------
    service
        One service as a feed gives it: parsed JSON, best fully nested (``full=true``), since
        schedules, phones and locations are nested.

    Returns
    -------
    ServiceScore
        The failed checks (see the module's table), ``"usable"`` last when any of
        :data:`USABLE_NEEDS` failed.
    """
    failing = [name for name, passes in _TESTS.items() if not passes(service)]
    if any(name in failing for name in USABLE_NEEDS):
        failing.append(USABLE.name)
    service_id, name = service.get("id"), service.get("name")
    return ServiceScore(
        service_id if isinstance(service_id, str) else "",
        name if isinstance(name, str) else "",
        tuple(failing),
    )


@dataclass(frozen=True)
class Tally:
    """How many of ``total`` services pass each check (``passing``, usable last)."""

    total: int
    passing: dict[str, int]

    def share(self, check: str) -> float:
        """The share of services passing ``check``, 0..1 (0 when there are none)."""
        return self.passing[check] / self.total if self.total else 0.0


def tally(failures: Iterable[Iterable[str]]) -> Tally:
    """How many services pass each check of :data:`CHECKS` and are usable, from the checks each
    fails (``tally(s.failing for s in scores)``)."""
    names = (*CHECKS, USABLE.name)
    failed = dict.fromkeys(names, 0)
    total = 0
    for failing in failures:
        total += 1
        for name in failing:
            failed[name] += 1
    return Tally(total, {name: total - failed[name] for name in names})

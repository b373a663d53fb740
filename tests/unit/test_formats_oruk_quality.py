"""The feed's data-quality checks (issue 21, item 4), on ORUK service documents built by hand."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from mobilise.formats.oruk_quality import (
    CHECKS,
    USABLE,
    USABLE_NEEDS,
    is_phone,
    is_uuid,
    is_web_address,
    score_service,
    tally,
)

from ..conftest import FIXTURES

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"
ORGANISATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def good_service() -> dict[str, Any]:
    """A service that passes every check."""
    return {
        "id": SERVICE_ID,
        "name": "Testtown Community Hall",
        "description": "A hall for hire, run by volunteers.",
        "url": "https://hall.example.org/",
        "email": "bookings@hall.example.org",
        "status": "active",
        "organization": {"id": ORGANISATION_ID, "name": "Testtown Hall Trust"},
        "schedules": [{"id": "s1", "byday": "MO,TU", "opens_at": "09:00", "closes_at": "17:00"}],
        "service_at_locations": [
            {"id": "sl1", "location": {"id": "l1", "latitude": 51.5, "longitude": -0.1}}
        ],
    }


def changed(**fields: Any) -> dict[str, Any]:
    """The good service with some fields changed (None: removed)."""
    service = good_service()
    for name, value in fields.items():
        if value is None:
            service.pop(name)
        else:
            service[name] = value
    return service


def test_a_complete_service_passes_every_check():
    score = score_service(good_service())
    assert score.failing == ()
    assert score.usable
    assert (score.id, score.name) == (SERVICE_ID, "Testtown Community Hall")


def fails(service: dict[str, Any]) -> tuple[str, ...]:
    return score_service(service).failing


@pytest.mark.parametrize(
    ("service", "failing"),
    [
        # a valid id is a UUID written 8-4-4-4-12
        (changed(id="123"), ("id", "usable")),
        (changed(id="{" + SERVICE_ID + "}"), ("id", "usable")),
        (changed(id=SERVICE_ID.replace("-", "")), ("id", "usable")),
        (changed(id=None), ("id", "usable")),
        (changed(id=SERVICE_ID.upper()), ()),
        # active: the status a link worker can refer to
        (changed(status="inactive"), ("active", "usable")),
        (changed(status="defunct"), ("active", "usable")),
        # a name and a description are text, not only spaces
        (changed(name="   "), ("name", "usable")),
        (changed(name=42), ("name", "usable")),
        (changed(description=None), ("description", "usable")),
        (changed(description=" \n"), ("description", "usable")),
        # a URL is http(s) with a host
        (changed(url=None), ("url", "usable")),
        (changed(url="www.example.org"), ("url", "usable")),
        (changed(url="example/counselling"), ("url", "usable")),
        (changed(url="mailto:hall@example.org"), ("url", "usable")),
        (changed(url="ftp://example.org/files"), ("url", "usable")),
        (changed(url="https://"), ("url", "usable")),
        (changed(url="https://exa mple.org"), ("url", "usable")),
        (changed(url="HTTP://EXAMPLE.ORG/a?b=c#d"), ()),
        # an organisation has a UUID id and a name
        (changed(organization=None), ("organisation", "usable")),
        (changed(organization={"id": ORGANISATION_ID, "name": ""}), ("organisation", "usable")),
        (changed(organization={"id": "org-1", "name": "Trust"}), ("organisation", "usable")),
        (changed(organization="Testtown Hall Trust"), ("organisation", "usable")),
        # a contact is an email address or a phone number, on the service or a contact
        (changed(email=None), ("contact", "usable")),
        (changed(email="email-example_com"), ("contact", "usable")),
        (changed(email=None, phones=[{"number": "020 7946 0000"}]), ()),
        (changed(email=None, phones=[{"number": "call us"}]), ("contact", "usable")),
        (changed(email=None, contacts=[{"name": "Ann", "email": "ann@example.org"}]), ()),
        (changed(email=None, contacts=[{"phones": [{"number": "+44 20 7946 0000"}]}]), ()),
        (changed(email=None, contacts=[{"name": "Ann Persona"}]), ("contact", "usable")),
        # opening times: a schedule that says when (not needed to be usable)
        (changed(schedules=None), ("schedule",)),
        (changed(schedules=[]), ("schedule",)),
        (changed(schedules=[{"id": "s1"}]), ("schedule",)),
        (changed(schedules=[{"description": "Tuesdays in term time, 10-12"}]), ()),
        (changed(schedules=[{"opens_at": "09:00", "closes_at": "17:30:00"}]), ()),
        (changed(schedules=[{"opens_at": "09:00"}]), ("schedule",)),
        (changed(schedules=[{"byday": "Mon", "opens_at": "09:00"}]), ("schedule",)),
        (changed(schedules=[{"byday": "1MO,-1FR"}]), ()),
        (
            changed(schedules=[{"byday": "MO", "opens_at": "9am", "closes_at": "5pm"}]),
            ("schedule",),
        ),
        (changed(schedules=[{"byday": "MO", "opens_at": "24:00"}]), ("schedule",)),
        (changed(schedules=[{"bymonthday": "1,15"}]), ()),
        (
            changed(
                schedules=None,
                service_at_locations=[
                    {"id": "sl1", "schedules": [{"byday": "SA", "opens_at": "10:00Z"}]}
                ],
            ),
            ("location",),
        ),
        # location: coordinates or an address (not needed to be usable)
        (changed(service_at_locations=None), ("location",)),
        (changed(service_at_locations=[{"id": "sl1"}]), ("location",)),
        (changed(service_at_locations=[{"location": {"latitude": 51.5}}]), ("location",)),
        (
            changed(service_at_locations=[{"location": {"latitude": 95, "longitude": 0}}]),
            ("location",),
        ),
        (
            changed(
                service_at_locations=[{"location": {"addresses": [{"postal_code": "E8 1DY"}]}}]
            ),
            (),
        ),
        (
            changed(service_at_locations=[{"location": {"addresses": [{"city": "London"}]}}]),
            ("location",),
        ),
        # every failure is named, usable last
        (
            {"id": "x", "name": "Only a name", "status": "active"},
            (
                "id",
                "description",
                "url",
                "organisation",
                "contact",
                "schedule",
                "location",
                "usable",
            ),
        ),
    ],
)
def test_each_check_on_a_service_built_by_hand(service, failing):
    assert fails(service) == failing


def test_the_oruk_validators_passing_and_failing_examples():
    """The official validator's canned services: its passing one passes every check; its
    failing one (no description, ``url: "example/counselling"``, ``email:
    "email-example_com"``, and no phone) fails exactly those."""
    good = json.loads((FIXTURES / "oruk" / "default_service_full.json").read_text())
    bad = json.loads((FIXTURES / "oruk" / "fail_service_full.json").read_text())
    assert fails(good) == ()
    assert fails(bad) == ("description", "url", "contact", "usable")


def test_scoring_does_not_change_the_document():
    service = good_service()
    before = copy.deepcopy(service)
    score_service(service)
    assert service == before


@pytest.mark.parametrize(
    ("number", "is_one"),
    [
        ("020 7946 0000", True),
        ("+44 (0)20 7946 0000", True),
        ("+44-20-7946-0000", True),
        ("020 7946 0000 ext. 12", True),
        ("111", True),
        ("12", False),
        ("1234567890123456", False),  # 16 digits: longer than any number
        ("call 020 7946 0000", False),
        ("", False),
        (None, False),
        ("1" * 100, False),
    ],
)
def test_a_phone_number(number, is_one):
    assert is_phone(number) is is_one


def test_format_helpers():
    assert is_uuid(SERVICE_ID) and not is_uuid(SERVICE_ID + "0") and not is_uuid(None)
    assert is_web_address("http://example.org") and not is_web_address("example.org")


def test_tally_counts_what_passes_each_check():
    scores = [
        score_service(good_service()),  # passes all
        score_service(changed(url="www.example.org", schedules=None)),  # url, schedule, usable
        score_service(changed(status="inactive")),  # active, usable
    ]
    counted = tally(s.failing for s in scores)
    assert counted.total == 3
    assert counted.passing == {
        "id": 3,
        "active": 2,
        "name": 3,
        "description": 3,
        "url": 2,
        "organisation": 3,
        "contact": 3,
        "schedule": 2,
        "location": 3,
        "usable": 1,
    }
    assert counted.share("usable") == pytest.approx(1 / 3)
    assert tally([]).share("usable") == 0.0


def test_usable_needs_the_family_hubs_seven():
    assert set(USABLE_NEEDS) == {
        "id", "active", "name", "description", "url", "organisation", "contact"
    }  # fmt: skip
    assert set(USABLE_NEEDS) < set(CHECKS) and USABLE.name not in CHECKS

"""Open Referral UK 3.0 (formats.oruk): schemas, reading, fetching over HTTP.

Writing feed documents (formats.oruk_feed) is tested in test_formats_oruk_feed.py.
"""

from __future__ import annotations

import copy
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mobilise.errors import ValidationError
from mobilise.formats import oruk, oruk_feed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oruk"
FEED = "https://feed.example.org/oruk"
MOCK_ID = "ac148810-d857-441c-9679-408f346de14b"


def _mock(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _service(**fields: Any) -> dict[str, Any]:
    """A minimal valid ORUK service with ``fields`` on top."""
    return {"id": str(uuid.uuid4()), "name": "Library", "status": "active", **fields}


# -- schemas ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "schema"),
    [
        ("default_service_list", "service_list"),
        ("default_service_full", "service"),
        ("default_api_details", "api_details"),
    ],
)
def test_default_mock_documents_are_valid(fixture: str, schema: str) -> None:
    assert oruk.validate(_mock(fixture), schema) == []


def test_fail_mock_documents_are_invalid() -> None:
    errors = oruk.validate(_mock("fail_service_full"), "service")
    assert [e.split(":")[0] for e in errors] == ["email", "url"]
    assert "not an email address" in errors[0]
    assert '"example/counselling" is not an absolute URL' in errors[1]
    errors = oruk.validate(_mock("fail_api_details"), "api_details")
    assert errors == [
        "profile: required by ORUK 3.0 but missing",
        'openapi_url: "docs-openreferraluk-org/en/latest/openapi30.json" is not an absolute URL '
        "such as 'https://example.org/page'",
    ]


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("http://example.com/counselling", True),
        ("https://example.org/a%20b?q=1&r=two#top", True),
        ("https://[2001:db8::1]:8443/x", True),
        ("mailto:someone@example.org", True),
        ("urn:isbn:0451450523", True),
        ("example_counselling", False),
        ("example/counselling", False),
        ("www.example.org", False),
        ("https://exa mple.org", False),
        ("http:///no-host", False),
        ("https://example.org/%zz", False),
        ("", False),
    ],
)
def test_uri_format_is_really_checked(url: str, valid: bool) -> None:
    assert (oruk.validate(_service(url=url), "service") == []) is valid


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("email@example.com", True),
        ("first.last+tag@sub.example.co.uk", True),
        ("email-example_com", False),
        ("a@b", False),
        ("two@@example.org", False),
        ("spaces in@example.org", False),
        ("dot.@example.org", False),
    ],
)
def test_email_format_is_really_checked(email: str, valid: bool) -> None:
    assert (oruk.validate(_service(email=email), "service") == []) is valid


def test_unknown_schema_name() -> None:
    with pytest.raises(ValueError, match="unknown ORUK schema"):
        oruk.validate({}, "services")


# -- reading ------------------------------------------------------------------------------------


def test_default_feed_reads_with_no_problems() -> None:
    result = oruk.read_oruk_services([_mock("default_service_list")], source=FEED)
    assert (len(result.records), result.problems, result.invalid_rows) == (1, [], [])
    record = result.records[0]
    assert (record.name, record.source, record.source_id, record.source_row) == (
        "Community Counselling",
        f"oruk:{FEED}",
        MOCK_ID,
        1,
    )
    assert (record.kind, record.status, record.category) == ("service", "active", "health_care")
    assert (record.url, record.email) == ("http://example.com/counselling", "email@example.com")
    assert record.organisation == "Example Organization Inc."
    assert (record.age_min, record.age_max, record.assured_date) == (12, 100, date(2005, 1, 1))
    assert sorted(record.extra) == ["accreditations", "alert", "fees", "last_modified"]
    assert result.dropped == {
        "assurer_email": 1,
        "organization.description": 1,
        "organization.email": 1,
        "organization.logo": 1,
        "organization.uri": 1,
        "organization.website": 1,
    }


def _default_full_in_gb() -> dict[str, Any]:
    """The Default mock's full service with its placeholder location moved to Northampton."""
    service = _mock("default_service_full")
    location = service["service_at_locations"][0]["location"]
    location.update(latitude=52.2367, longitude=-0.8936)
    location["addresses"][0].update(postal_code="nn1 1de", country="GB")
    return service


def test_default_full_service_maps_every_field() -> None:
    result = oruk.read_oruk_services([_default_full_in_gb()], source=FEED)
    assert result.problems == []
    record = result.records[0]
    assert (record.lat, record.lon, record.postcode) == (52.2367, -0.8936, "NN1 1DE")
    assert record.address == "1-30 Main Street, MyCity"
    assert record.schedule == [
        {
            "byday": "TH,FR",
            "opens_at": "10:00",
            "closes_at": "18:00",
            "description": "The service is available from 10 am to 6pm weekdays. The service is "
            "not available on public holidays.",
        }
    ]
    # "induction loops for hearing aids. Wheelchair access is possible on all levels."
    assert (record.hearing_loop, record.step_free, record.accessible_toilet) == (True, True, None)
    assert record.cost == "paid"  # 35 per 1 hour session
    assert record.taxonomy_terms == ["oruk:name"]  # the mock's placeholder term
    assert record.category == "health_care"  # from "Counselling" in the name
    assert record.languages == []  # ORUK 3.0 languages carry only an id
    assert result.dropped["service_areas"] == 1
    assert result.dropped["schedules[].valid_from"] == 1
    assert result.dropped["contacts[].name"] == 1  # personal data is not kept
    assert "schedules[].freq" not in result.dropped  # WEEKLY is what a schedule row means
    assert "service_at_locations[].location.latitude" not in result.dropped


def test_default_full_service_placeholder_location_is_reported() -> None:
    result = oruk.read_oruk_services([_mock("default_service_full")], source=FEED)
    assert result.records == []
    assert [(p.row, p.field) for p in result.problems] == [
        (1, "service_at_locations[0].location.latitude"),
        (1, "service_at_locations[0].location.addresses[0].postal_code"),
    ]
    assert "not a position in degrees" in result.problems[0].message
    assert "'ABC 1234' is not a UK postcode" in result.problems[1].message


def test_fail_feed_is_rejected_naming_the_fields() -> None:
    result = oruk.read_oruk_services([_mock("fail_service_list")], source=FEED)
    assert result.records == []
    assert len(result.invalid_rows) == 4
    assert [(p.row, p.field) for p in result.problems] == [
        (1, "name"),
        (1, "email"),
        (1, "url"),
        (2, "name"),
        (2, "email"),
        (2, "url"),
        (3, "name"),
        (3, "email"),
        (3, "url"),
        (4, "name"),
        (4, "email"),
        (4, "id"),
    ]
    messages = {(p.row, p.field): p.message for p in result.problems}
    assert messages[(1, "url")].startswith('"example_counselling" is not an absolute URL')
    assert messages[(3, "email")] == "false is not text"
    assert messages[(4, "id")].startswith(f"id '{MOCK_ID}' repeats row 1")
    assert all(p.file == FEED for p in result.problems)


def test_fail_full_service_is_rejected() -> None:
    result = oruk.read_oruk_services([_mock("fail_service_full")], source=FEED)
    fields = [p.field for p in result.problems]
    assert fields[:2] == ["email", "url"]


def test_no_category_is_a_problem_not_a_default() -> None:
    service = _service(name="Xyzzy", description="Ask at the desk")
    result = oruk.read_oruk_services([{"contents": [service]}], source=FEED)
    assert result.records == []
    [problem] = result.problems
    assert (problem.row, problem.field) == (1, "attributes")
    assert problem.message.startswith("no category could be derived")


def test_taxonomy_terms_give_terms_and_category() -> None:
    term = {"id": str(uuid.uuid4()), "name": "Food bank", "description": "Emergency food"}
    service = _service(name="Xyzzy", attributes=[{"id": str(uuid.uuid4()), "taxonomy_term": term}])
    [record] = oruk.read_oruk_services([{"contents": [service]}], source=FEED).records
    assert (record.category, record.taxonomy_terms) == ("food", ["oruk:Food bank"])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("active", "active"),
        ("temporarily closed", "temporarily_closed"),
        ("inactive", "closed"),
        ("defunct", "closed"),
    ],
)
def test_status(status: str, expected: str) -> None:
    [record] = oruk.read_oruk_services([_service(status=status)], source=FEED).records
    assert record.status == expected


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("Step-free access throughout. Hearing loop at reception.", (True, True, None)),
        ("No wheelchair access; stairs only", (False, None, None)),
        ("Wheelchair accessible toilet on the ground floor", (None, None, True)),
        ("There is no accessible toilet. Induction loop available", (None, True, False)),
        ("Ramp at the side entrance. Not step-free at the front", (None, None, None)),
        ("Wheelchair access and a hearing loop, but no accessible toilet", (True, True, False)),
    ],
)
def test_accessibility_text(text: str, flags: tuple[bool | None, ...]) -> None:
    access = [{"id": str(uuid.uuid4()), "description": text}]
    location = {"id": str(uuid.uuid4()), "location_type": "physical", "latitude": 52.24,
                "longitude": -0.89, "accessibility": access}  # fmt: skip
    service = _service(service_at_locations=[{"id": str(uuid.uuid4()), "location": location}])
    [record] = oruk.read_oruk_services([service], source=FEED).records
    assert (record.step_free, record.hearing_loop, record.accessible_toilet) == flags


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        (-0.89, 52.24, "latitude", "look swapped"),
        (48.85, 2.35, "latitude", "outside Great Britain"),
        (52.24, None, "longitude", "give both"),
    ],
)
def test_bad_positions(latitude: float, longitude: float | None, field: str, message: str) -> None:
    location = {"id": str(uuid.uuid4()), "location_type": "physical", "latitude": latitude}
    if longitude is not None:
        location["longitude"] = longitude
    service = _service(service_at_locations=[{"id": str(uuid.uuid4()), "location": location}])
    [problem] = oruk.read_oruk_services([service], source=FEED).problems
    assert problem.field == f"service_at_locations[0].location.{field}"
    assert message in problem.message


def test_zero_zero_is_no_position() -> None:
    location = {"id": str(uuid.uuid4()), "location_type": "physical", "latitude": 0, "longitude": 0}
    service = _service(service_at_locations=[{"id": str(uuid.uuid4()), "location": location}])
    result = oruk.read_oruk_services([service], source=FEED)
    assert (result.records[0].lat, result.problems) == (None, [])
    assert result.dropped == {"service_at_locations[].location (0, 0)": 1}


def test_bad_schedule_time_and_age() -> None:
    schedule = {"id": str(uuid.uuid4()), "byday": "MO", "opens_at": "9am", "closes_at": "17:00"}
    service = _service(schedules=[schedule], minimum_age=12.5)
    result = oruk.read_oruk_services([service], source=FEED)
    assert [(p.field, p.message) for p in result.problems] == [
        ("schedules[0].opens_at", "'9am' is not a time; write it as HH:MM"),
        ("minimum_age", "12.5 is not a whole number of years from 0 to 130"),
    ]


def test_a_page_without_contents_is_unreadable() -> None:
    with pytest.raises(ValidationError) as caught:
        oruk.read_oruk_services([{"total_items": 1, "items": []}], source=FEED)
    assert caught.value.problems[0].field == "contents"


# -- fetching -----------------------------------------------------------------------------------

Handler = Callable[[int, int], tuple[int, str, bytes]]  # (page, per_page) -> status, type, body


class FeedServer:
    """A local ORUK feed: ``handler`` answers ``GET /oruk/services``; ``asked`` logs the queries."""

    def __init__(self) -> None:
        self.handler: Handler = lambda page, per_page: (404, "text/plain", b"")
        self.asked: list[dict[str, str]] = []
        server = self

        class Answer(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                server.asked.append({"path": parts.path, **query})
                status, kind, body = (
                    server.handler(int(query.get("page", 1)), int(query.get("per_page", 0)))
                    if parts.path == "/oruk/services"
                    else (404, "text/plain", b"not found")
                )
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/oruk"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()


def _json(document: Any) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(document).encode()


def _default_services(count: int) -> list[dict[str, Any]]:
    """``count`` copies of the Default mock's listed service, each with its own id and name."""
    [service] = _mock("default_service_list")["contents"]
    copies = []
    for number in range(1, count + 1):
        item = copy.deepcopy(service)
        item.update(id=str(uuid.uuid5(uuid.UUID(MOCK_ID), str(number))))
        item["name"] = f"Community Counselling {number}"
        copies.append(item)
    return copies


def test_fetch_follows_pagination_and_ignores_our_page_size(feed: FeedServer) -> None:
    services = _default_services(5)

    def pages_of_two(page: int, per_page: int) -> tuple[int, str, bytes]:
        items = services[(page - 1) * 2 : page * 2]  # the feed's own page size, not per_page
        return _json(oruk_feed.page_wrapper(items, total_items=5, page=page, per_page=2))

    feed.handler = pages_of_two
    seen: list[tuple[int, int]] = []
    pages = list(
        oruk.fetch_oruk_feed(feed.url, per_page=100, progress=lambda n, t: seen.append((n, t)))
    )
    assert [len(p["contents"]) for p in pages] == [2, 2, 1]
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert [(a["path"], a["page"], a["per_page"], a["full"]) for a in feed.asked] == [
        ("/oruk/services", str(n), "100", "true") for n in (1, 2, 3)
    ]
    result = oruk.read_oruk_services(pages, source=feed.url)
    assert (len(result.records), result.problems) == (5, [])
    assert [r.source_row for r in result.records] == [1, 2, 3, 4, 5]
    assert result.records[4].name == "Community Counselling 5"


def test_fetch_accepts_the_services_address(feed: FeedServer) -> None:
    feed.handler = lambda page, per_page: _json(_mock("default_service_list"))
    pages = list(oruk.fetch_oruk_feed(f"{feed.url}/services/"))
    assert len(pages) == 1
    assert feed.asked[0]["path"] == "/oruk/services"


def test_fetch_detects_a_feed_that_ignores_page(feed: FeedServer) -> None:
    services = _default_services(2)
    feed.handler = lambda page, per_page: _json(
        oruk_feed.page_wrapper(services, total_items=6, page=1, per_page=2)
    )
    with pytest.raises(ValidationError) as caught:
        list(oruk.fetch_oruk_feed(feed.url))
    assert len(feed.asked) == 2
    [problem] = caught.value.problems
    assert problem.field == "page"
    assert "page 2 repeats the services of page 1" in problem.message
    assert "ignore 'page'" in problem.message


def test_fetch_stops_quietly_on_a_one_page_feed_without_pagination(feed: FeedServer) -> None:
    feed.handler = lambda page, per_page: _json({"contents": _default_services(3)})
    pages = list(oruk.fetch_oruk_feed(feed.url))
    assert (len(pages), len(feed.asked)) == (1, 2)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((500, "text/plain", b"boom"), "page 1 answered HTTP 500 Internal Server Error"),
        ((404, "text/plain", b""), "HTTP 404 Not Found; is this the feed's base address?"),
        ((200, "text/html", b"<!DOCTYPE html><p>Hello</p>"), "page 1 is not JSON (text/html"),
        ((200, "application/json", b'{"items": []}'), "page 1 has no 'contents' list"),
        ((200, "application/json", b'{"content": []}'), "an ORUK 1.0 feed?"),
    ],
)
def test_fetch_errors_are_clear(
    feed: FeedServer, answer: tuple[int, str, bytes], message: str
) -> None:
    feed.handler = lambda page, per_page: answer
    with pytest.raises(ValidationError) as caught:
        list(oruk.fetch_oruk_feed(feed.url))
    assert caught.value.message == f"The ORUK feed at {feed.url} cannot be read."
    assert message in caught.value.problems[0].message


def test_fetch_cannot_connect() -> None:
    server = FeedServer()
    url = server.url
    server.close()  # nothing listens there any more
    with pytest.raises(ValidationError) as caught:
        list(oruk.fetch_oruk_feed(url))
    assert "cannot connect for page 1" in caught.value.problems[0].message


def test_fetch_refuses_a_non_http_address() -> None:
    with pytest.raises(ValidationError) as caught:
        list(oruk.fetch_oruk_feed("ftp://example.org/feed"))
    assert caught.value.problems[0].field == "url"

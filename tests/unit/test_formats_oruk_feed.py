"""Open Referral UK 3.0 documents (formats.oruk_feed): validated, and read back by formats.oruk."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.formats import oruk, oruk_feed
from mobilise.model.asset_vocab import CATEGORIES, COSTS, STATUSES, TARGET_GROUPS

BASE = "https://mobilise.example.org/oruk"


def _asset(**fields: Any) -> dict[str, Any]:
    """A stored asset as the feed gets it: AssetRecord fields plus id, organisation and times."""
    asset: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "organisation_id": str(uuid.uuid4()),
        "location_id": str(uuid.uuid4()),
        "updated_at": datetime(2025, 3, 1, 12, 30),
        "name": "Abington Park",
        "category": "green_blue_space",
        "source": "osm",
        "source_id": "way/4069467",
        "kind": "place",
        "description": "Victorian park with lakes and a museum.",
        "status": "active",
        "taxonomy_terms": ["osm:leisure=park"],
        "lon": -0.8706,
        "lat": 52.2405,
        "geometry": None,
        "address": "Park Avenue South, Northampton NN3 3RL",
        "postcode": "NN3 3RL",
        "organisation": "West Northamptonshire Council",
        "email": "parks@example.org",
        "phone": "0300 126 7000",
        "url": "www.example.org/parks",
        "schedule": [
            {"byday": "MO,TU,WE,TH,FR", "opens_at": "07:30", "closes_at": "21:00",
             "description": ""},
            {"byday": "SA,SU", "opens_at": "08:00", "closes_at": "20:00", "description": ""},
        ],
        "step_free": True,
        "accessible_toilet": False,
        "hearing_loop": None,
        "languages": ["English", "BSL"],
        "cost": "free",
        "age_min": None,
        "age_max": None,
        "target_groups": ["families"],
        "capacity": 470000.0,
        "capacity_unit": "m2",
        "licence": "ODbL-1.0",
        "assured_date": date(2025, 1, 2),
        "visibility": "public",
        "source_row": 1,
        "extra": {},
    }  # fmt: skip
    asset.update(fields)
    return asset


def _nulls_or_empties(value: Any, path: str = "") -> list[str]:
    if value is None or value == [] or value == {}:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nulls_or_empties(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls_or_empties(v, f"{path}[{i}]")]
    return []


LIBRARY = _asset(
    name="Weston Favell Library",
    category="library",
    taxonomy_terms=[],
    address="Weston Favell Centre, Northampton",
    postcode="NN3 8JZ",
    lon=-0.8406,
    lat=52.2564,
    schedule=[{"byday": "TU,TH", "opens_at": "09:30", "closes_at": "17:00", "description": ""}],
    cost=None,
    phone="",
    age_min=0,
    age_max=99,
    status="temporarily_closed",
    url="https://www.westnorthants.gov.uk/libraries",
)


@pytest.mark.parametrize("asset", [_asset(), LIBRARY], ids=["park", "library"])
def test_round_trip(asset: dict[str, Any]) -> None:
    document = oruk_feed.service_json(asset, base_url=BASE)
    assert oruk.validate(document, "service") == []
    assert _nulls_or_empties(document) == []
    [record] = oruk.read_oruk_services([document], source=BASE).records
    assert (record.name, record.postcode, record.category) == (
        asset["name"],
        asset["postcode"],
        asset["category"],
    )
    assert record.schedule == asset["schedule"]
    assert (record.lon, record.lat) == (asset["lon"], asset["lat"])
    assert record.address == asset["address"].removesuffix(" NN3 3RL")
    assert (record.phone, record.cost, record.status) == (
        asset["phone"],
        asset["cost"],
        asset["status"],
    )
    assert (record.languages, record.target_groups) == (asset["languages"], asset["target_groups"])
    assert (record.step_free, record.accessible_toilet, record.hearing_loop) == (
        asset["step_free"],
        asset["accessible_toilet"],
        asset["hearing_loop"],
    )
    assert (record.age_min, record.age_max, record.assured_date) == (
        asset["age_min"],
        asset["age_max"],
        asset["assured_date"],
    )
    assert record.taxonomy_terms == [f"oruk:{t.split(':', 1)[1]}" for t in asset["taxonomy_terms"]]
    assert record.source_id == asset["id"]
    assert record.url.startswith("https://www.")


def test_list_documents_validate() -> None:
    assets = [_asset(), LIBRARY]
    services = [oruk_feed.service_json(a, base_url=BASE, full=False) for a in assets]
    page = oruk_feed.page_wrapper(services, total_items=2, page=1, per_page=50)
    assert oruk.validate(page, "service_list") == []
    assert set(page["contents"][0]) == {
        "id", "organization_id", "name", "description", "url", "email", "status", "assured_date",
        "last_modified", "organization",
    }  # fmt: skip
    sals = [oruk_feed.service_at_location_json(a, base_url=BASE, full=False) for a in assets]
    sal_page = oruk_feed.page_wrapper(sals, total_items=2, page=1, per_page=50)
    assert oruk.validate(sal_page, "service_at_location_list") == []
    full_sal = oruk_feed.service_at_location_json(LIBRARY, base_url=BASE)
    assert oruk.validate(full_sal, "service_at_location") == []
    assert full_sal["location"]["addresses"][0]["postal_code"] == "NN3 8JZ"
    organisation = {"id": LIBRARY["organisation_id"], "name": "West Northamptonshire Council"}
    org = oruk_feed.organization_json(organisation, base_url=BASE, services=assets)
    assert oruk.validate(org, "organization") == []
    assert [s["name"] for s in org["services"]] == ["Abington Park", "Weston Favell Library"]
    org_page = oruk_feed.page_wrapper(
        [oruk_feed.organization_json(organisation, base_url=BASE, full=False)],
        total_items=1,
        page=1,
        per_page=50,
    )
    assert oruk.validate(org_page, "organization_list") == []
    taxonomy = oruk_feed.taxonomy_json(oruk_feed.CATEGORY_VOCABULARY, base_url=BASE)
    assert oruk.validate(taxonomy, "taxonomy") == []
    assert [t["term"] for t in taxonomy["taxonomy_terms"]] == list(CATEGORIES)
    tax_page = oruk_feed.page_wrapper([taxonomy], total_items=1, page=1, per_page=50)
    assert oruk.validate(tax_page, "taxonomy_list") == []
    terms = [
        oruk_feed.taxonomy_term_json(t, base_url=BASE) for t in ("library", "osm:leisure=park")
    ]
    term_page = oruk_feed.page_wrapper(terms, total_items=2, page=1, per_page=50)
    assert oruk.validate(term_page, "taxonomy_term_list") == []
    assert oruk.validate(oruk_feed.api_details_json(BASE), "api_details") == []
    for document in (page, sal_page, full_sal, org, taxonomy, term_page):
        assert _nulls_or_empties(document) == []


def test_ids_are_stable_uuids() -> None:
    term = oruk_feed.taxonomy_term_json("library", base_url=BASE)
    assert (
        term["id"]
        == oruk_feed.taxonomy_term_id("mobilise:library")
        == oruk_feed.taxonomy_term_id("library")
    )
    assert uuid.UUID(term["id"]).version == 5
    assert term["taxonomy_id"] == oruk_feed.taxonomy_id("mobilise")
    assert term["name"] == "Library"
    first = oruk_feed.service_json(LIBRARY, base_url=BASE)
    again = oruk_feed.service_json(copy.deepcopy(LIBRARY), base_url=BASE)
    assert first == again
    with pytest.raises(ValueError, match="is not a UUID"):
        oruk_feed.service_json(_asset(id="asset-1"), base_url=BASE)


def test_page_wrapper() -> None:
    page = oruk_feed.page_wrapper([{"id": "x"}] * 5, total_items=25, page=3, per_page=10)
    assert {k: v for k, v in page.items() if k != "contents"} == {
        "total_items": 25,
        "total_pages": 3,
        "page_number": 3,
        "size": 5,
        "first_page": False,
        "last_page": True,
        "empty": False,
    }
    empty = oruk_feed.page_wrapper([], total_items=0, page=1, per_page=10)
    assert (empty["total_pages"], empty["empty"], empty["last_page"]) == (0, True, True)


@pytest.mark.parametrize("items", [[], [{"id": "x", "name": "Café"}, {"id": "y", "n": [1]}]])
def test_page_wrapper_text_is_the_page_wrapper_as_json(items) -> None:
    texts = [json.dumps(item, ensure_ascii=False) for item in items]
    text = oruk_feed.page_wrapper_text(texts, total_items=12, page=2, per_page=2)
    assert json.loads(text) == oruk_feed.page_wrapper(items, total_items=12, page=2, per_page=2)


def test_unpublishable_values_are_left_out() -> None:
    asset = _asset(url="not a url", email="nobody", organisation="", phone="", languages=[],
                   lon=None, lat=None, address="", postcode=None, schedule=[])  # fmt: skip
    document = oruk_feed.service_json(asset, base_url=BASE)
    assert oruk.validate(document, "service") == []
    for key in ("url", "email", "organization", "organization_id", "service_at_locations"):
        assert key not in document
    with pytest.raises(ValueError, match="private"):
        oruk_feed.service_json(_asset(visibility="private"), base_url=BASE)
    with pytest.raises(ValueError, match="base_url"):
        oruk_feed.service_json(_asset(), base_url="/oruk")


POSTCODES = ("NN1 1DE", "NN3 8JZ", "SE1 7PB", "EC1A 1BB", None)


@st.composite
def assets(draw: st.DrawFn) -> dict[str, Any]:
    words = st.text(st.characters(codec="utf-8"), max_size=30)
    hours = st.sampled_from(["", "09:00", "17:30", "23:59"])
    return _asset(
        name=draw(words.filter(str.strip)),
        description=draw(words),
        category=draw(st.sampled_from(list(CATEGORIES))),
        status=draw(st.sampled_from(STATUSES)),
        taxonomy_terms=draw(st.lists(words.filter(str.strip).map(lambda t: f"x:{t}"), max_size=2)),
        lon=draw(st.none() | st.floats(-8.0, 1.7)),
        lat=draw(st.floats(50.0, 58.6)),
        address=draw(words),
        postcode=draw(st.sampled_from(POSTCODES)),
        organisation=draw(words),
        organisation_id=draw(st.none() | st.uuids().map(str)),
        location_id=draw(st.none() | st.uuids().map(str)),
        email=draw(words | st.just("a@example.org")),
        phone=draw(words),
        url=draw(words | st.just("https://example.org/x")),
        schedule=draw(
            st.lists(
                st.fixed_dictionaries(
                    {"byday": st.sampled_from(["", "MO", "SA,SU"]), "opens_at": hours,
                     "closes_at": hours, "description": words}
                ),
                max_size=2,
            )
        ),
        step_free=draw(st.none() | st.booleans()),
        accessible_toilet=draw(st.none() | st.booleans()),
        hearing_loop=draw(st.none() | st.booleans()),
        languages=draw(st.lists(words, max_size=2)),
        cost=draw(st.none() | st.sampled_from(COSTS)),
        age_min=draw(st.none() | st.integers(0, 20)),
        age_max=draw(st.none() | st.integers(20, 130)),
        target_groups=draw(st.lists(st.sampled_from(TARGET_GROUPS), max_size=2)),
        assured_date=draw(st.none() | st.dates()),
        updated_at=draw(st.none() | st.datetimes()),
    )  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(assets())
def test_every_service_document_validates(asset: dict[str, Any]) -> None:
    for full in (True, False):
        document = oruk_feed.service_json(asset, base_url=BASE, full=full)
        assert oruk.validate(document, "service") == []
        assert _nulls_or_empties(document) == []
    sal = oruk_feed.service_at_location_json(asset, base_url=BASE)
    assert oruk.validate(sal, "service_at_location") == []
    assert _nulls_or_empties(sal) == []

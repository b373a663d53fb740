"""What each open source holds and ORUK has a place for reaches the feed: organisations,
schedules, contacts, websites and descriptions written from the source's own facts, marked as
derived (issue 21, item 3). One small excerpt of each real source in fixtures/assets/sources/."""

from __future__ import annotations

from pathlib import Path

import pytest

from mobilise.formats import oruk_feed
from mobilise.formats._asset_facts import council_name
from mobilise.formats.arts_council import link_funded_organisations, read_funded_organisations
from mobilise.formats.assets import read_assets
from mobilise.formats.oruk import validate
from mobilise.model.assets import AssetRecord

SOURCES = Path(__file__).parent.parent / "fixtures" / "assets" / "sources"
BASE = "https://feed.example.org/oruk"
DERIVED = "mobilise:derived"


def _by_name(path: Path) -> dict[str, AssetRecord]:
    found = read_assets(path)
    assert found.problems == []
    return {r.name: r for r in found.records}


def _service(record: AssetRecord, number: int = 1) -> dict:
    """The record as a full ORUK service, checked against the ORUK 3.0 schema."""
    asset = {**record.__dict__, "id": f"00000000-0000-4000-8000-{number:012d}"}
    if record.organisation:
        asset["organisation_id"] = f"00000000-0000-4000-9000-{number:012d}"
    document = oruk_feed.service_json(asset, base_url=BASE)
    assert validate(document, "service") == []
    return document


def test_libraries_carry_their_council_opening_hours_and_email() -> None:
    libraries = _by_name(SOURCES / "public_libraries_2023_excerpt.geojson")
    clapton = libraries["Clapton Library"]
    assert clapton.description == "Public library run by the London Borough of Hackney."
    assert clapton.organisation == "London Borough of Hackney"
    assert clapton.extra[DERIVED] == {
        "organisation": {"value": "London Borough of Hackney"},
        "description": {"value": "Public library run by the London Borough of Hackney."},
    }
    document = _service(clapton)
    assert document["description"] == clapton.description
    assert document["organization"]["name"] == "London Borough of Hackney"
    assert document["schedules"] and all(s["freq"] == "WEEKLY" for s in document["schedules"])
    assert document["email"] == clapton.email != ""

    finedon = libraries["Finedon"]  # community-run: the source names who runs it
    assert finedon.organisation == "Friends of Finedon Library"
    assert "organisation" not in finedon.extra[DERIVED]
    assert finedon.description == (
        "Community-run public library (run by Friends of Finedon Library), part of North "
        "Northamptonshire Council's library service."
    )
    assert libraries["Belsize Community Library"].organisation == "London Borough of Camden"
    far_cotton = libraries["Far Cotton"]  # closed in 2023: no organisation runs it now
    assert far_cotton.status == "closed" and far_cotton.organisation == ""
    assert far_cotton.description.endswith("(closed in 2023).")


def test_museums_carry_governance_subject_and_address() -> None:
    museums = _by_name(SOURCES / "mapping_museums_2021_excerpt.geojson")
    willow = museums["2 Willow Road"]
    assert willow.organisation == "National Trust"
    assert willow.description == (
        "Museum (National Trust governance; subject: buildings, houses; accredited; opened 1995)."
    )
    assert willow.address == "Hampstead, London"
    abington = museums["Abington Museum"]
    assert abington.description.startswith("Museum (local authority governance; subject: mixed")
    assert abington.organisation == ""  # the source does not say which council
    assert abington.address == "Abington Park, Northampton"
    closed = museums["Jewish Military Museum"]
    assert "opened 1996, closed 2015" in closed.description
    document = _service(willow, 2)
    assert document["organization"]["name"] == "National Trust"
    (place,) = document["service_at_locations"]
    assert place["location"]["addresses"][0]["postal_code"] == willow.postcode


def test_gla_venues_carry_their_website_and_arts_council_organisation() -> None:
    venues = read_assets(SOURCES / "gla_cultural_infrastructure_map_excerpt.geojson").records
    funded = read_funded_organisations(SOURCES / "ace_investment_programme_2023_26_excerpt.csv")
    assert [f.name for f in funded] == [
        "Access All Areas",
        "Camden Arts Centre",
        "Hackney Empire Ltd",
    ]
    assert link_funded_organisations(venues, funded) == 2
    by_name = {r.name: r for r in venues}
    empire = by_name["Hackney Empire"]
    assert empire.organisation == "Hackney Empire Ltd"
    assert empire.description == (
        "Listed in the GLA Cultural Infrastructure Map (2018) under Theatres. Run by Hackney "
        "Empire Ltd, an Arts Council England National Portfolio Organisation (2023-26, theatre)."
    )
    dataset = "Arts Council England Investment Programme 2023-26"
    assert empire.extra[DERIVED]["organisation"] == {"value": "Hackney Empire Ltd", "from": dataset}
    assert empire.extra[DERIVED]["description"]["from"] == dataset
    assert _service(empire, 3)["organization"]["name"] == "Hackney Empire Ltd"
    showroom = by_name["Hackney Showroom"]  # not funded: no organisation, a description still
    assert showroom.organisation == "" and showroom.description.startswith("Listed in the GLA")
    assert showroom.url == "https://www.hackneyshowroom.com"
    assert _service(showroom, 4)["url"] == "https://www.hackneyshowroom.com"
    assert by_name["Colomba Camden"].url == "http://colomba.london"
    assert by_name["117 Wallis Road"].url == "https://www.arbeit.org.uk"
    assert by_name["Museum of the Royal Pharmaceutical Society"].url == (
        "https://www.rpsgb.org/museum"
    )
    chats = by_name["Chats Palace"]
    assert (chats.url, chats.email) == ("", "info@chatspalace.co.uk")
    assert _service(chats, 5)["email"] == "info@chatspalace.co.uk"


def test_openstreetmap_carries_operator_website_contacts_and_hours() -> None:
    amenities = _by_name(SOURCES / "osm_overpass_2025_excerpt.geojson")
    napier = amenities["Napier Grove Community Centre"]
    assert napier.organisation == "Hackney Homes"
    assert napier.description == (
        "Community centre run by Hackney Homes, as mapped in OpenStreetMap."
    )
    assert "organisation" not in napier.extra[DERIVED]  # OpenStreetMap names the operator
    (chapel,) = read_assets(SOURCES / "osm_geofabrik_2019_pofw_excerpt.geojson").records
    assert (
        chapel.description == "Place of worship (Christian, Anglican), as mapped in OpenStreetMap."
    )

    raw = _by_name(SOURCES / "overpass_fields.json")  # tags as OpenStreetMap has them
    centre = raw["Spring Boroughs Centre"]
    assert (centre.organisation, centre.url) == (
        "Spring Boroughs Trust",
        "https://springboroughs.example.org",
    )
    assert (centre.phone, centre.email) == ("01604 000001", "hello@springboroughs.example.org")
    assert [(s["byday"], s["opens_at"], s["closes_at"]) for s in centre.schedule] == [
        ("MO,TU,WE,TH,FR", "09:00", "17:00"),
        ("SA", "10:00", "14:00"),
    ]
    document = _service(centre, 6)
    assert document["phones"][0]["number"] == "01604 000001"
    assert len(document["schedules"]) == 2
    chapel = raw["Queens Road Chapel"]
    assert chapel.url == "http://chapel.example.org"
    assert chapel.description == (
        "Place of worship (Christian, Methodist), as mapped in OpenStreetMap."
    )
    # hours beyond the simple forms are kept as text, not lost
    assert chapel.schedule == [
        {"byday": "", "opens_at": "", "closes_at": "",
         "description": "Su 10:30-12:00; Jan-Mar Tu 19:00-21:00"}
    ]  # fmt: skip
    assert _service(chapel, 7)["schedules"][0]["description"].startswith("Su 10:30")


def test_a_file_of_no_known_source_gets_no_description(tmp_path: Path) -> None:
    path = tmp_path / "halls.csv"
    path.write_text("name,category,authority,operation_23\nHall,community_space,,\n", "utf-8")
    (hall,) = read_assets(path).records
    assert hall.description == "" and DERIVED not in hall.extra


def test_a_description_the_source_gives_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "libraries.csv"
    path.write_text(
        "name,category,authority,operation_23,description\nHall,library,Hackney,LA,Our own words\n",
        "utf-8",
    )
    (hall,) = read_assets(path).records
    assert hall.description == "Our own words"
    assert hall.extra[DERIVED] == {"organisation": {"value": "London Borough of Hackney"}}


@pytest.mark.parametrize(
    ("authority", "council"),
    [
        ("Hackney", "London Borough of Hackney"),
        ("Greenwich", "Royal Borough of Greenwich"),
        ("Westminster", "Westminster City Council"),
        ("Kent", "Kent County Council"),
        ("West Northamptonshire", "West Northamptonshire Council"),
        ("Luton Borough Council", "Luton Borough Council"),
    ],
)
def test_council_names(authority: str, council: str) -> None:
    assert council_name(authority) == council

"""What people rely on an asset for (workspace/asset_profiles.py), on SQLite and PostgreSQL:
hours in words and open now, the neighbourhood's name, the source's name, facts last checked
apart from imported, ways to reach it; a shortlist; the assets nearest a postcode."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mobilise.errors import NotFound, ValidationError

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"
ORDINARY_MONDAY_10 = datetime(2026, 12, 7, 10, 0)
BOXING_DAY_HOLIDAY_10 = datetime(2026, 12, 28, 10, 0)  # a Monday, a bank holiday
ASSETS = (
    b"name,category,lat,lon,phone,email,opening_hours,assured_date\n"
    b"Reading Room,library,51.505,-0.095,020 7946 0000,library@example.org,"
    b'"Mo-Fr 09:00-17:00; Sa 10:00-12:00",2025-03-31\n'
    b"Otherby Hall,community_space,51.505,-0.075,,,,\n"
)


@pytest.fixture
def profiled(register):
    """The shared register, the MSOA lookup, and two assets with phones, hours and a check."""
    register.areas.import_lookup(HERE / "msoa_lookup.csv", kind="msoa11")
    register.assets.import_file(ASSETS, name="testtown_assets.csv")
    register.datasets.register(
        {
            "id": "testtown",
            "title": "Testtown assets",
            "licence": "OGL-UK-3.0",
            "files": ["data/testtown_assets.csv"],
        }
    )
    return register


def _named(ws, name):
    return next(a for a in ws.assets.search(per_page=50).items if a.name == name)


def test_an_asset_profile_says_its_facts_in_words(profiled):
    library = _named(profiled, "Reading Room")
    profile = profiled.asset_profiles.get(library.id, at=ORDINARY_MONDAY_10)
    assert profile.hours.lines()[:1] == ["Monday 09:00–17:00"]
    assert profile.hours.days[6].text() == "Sunday closed"
    assert (profile.open_now, profile.open_words) == (True, "Open now")
    assert profiled.asset_profiles.get(library.id, at=BOXING_DAY_HOLIDAY_10).open_now is False
    assert profile.neighbourhood is not None
    assert profile.neighbourhood.name == "Testtown 001A"  # not E01000001
    assert profile.neighbourhood.msoa == "Testtown 001"
    assert profile.source.name == "Testtown assets"  # the dataset's title, not a file name
    assert profile.checked == date(2025, 3, 31)
    assert profile.checked_words() == "31 March 2025"
    assert profile.links["tel"] == "tel:02079460000"
    assert profile.links["mailto"] == "mailto:library@example.org"
    assert profile.links["geo"].startswith("geo:51.505000,-0.095000")
    assert profile.links["directions"].startswith("https://www.openstreetmap.org/directions?to=")
    as_json = profile.to_dict()
    assert as_json["open_now_words"] == "Open now" and as_json["facts_checked"] == "2025-03-31"


def test_an_unchecked_asset_without_hours_says_so(profiled):
    hall = _named(profiled, "Otherby Hall")
    profile = profiled.asset_profiles.get(hall.id, at=ORDINARY_MONDAY_10)
    assert profile.open_now is None and profile.open_words == "Opening hours not known"
    assert profile.hours.lines() == ["Opening hours not recorded"]
    assert profile.checked_words() == "not checked since import"
    assert "tel" not in profile.links and "mailto" not in profile.links


def test_a_shortlist_keeps_its_order_and_names_what_is_gone(profiled):
    hall, library = _named(profiled, "Otherby Hall"), _named(profiled, "Reading Room")
    found = profiled.asset_profiles.shortlist([hall.id, "gone", library.id, hall.id])
    assert [p.asset.name for p in found.items] == ["Otherby Hall", "Reading Room"]
    assert found.missing == ["gone"]
    with pytest.raises(ValidationError, match="MOBILISE_SHORTLIST_MAX_ASSETS"):
        profiled.asset_profiles.shortlist([str(n) for n in range(3)], max_assets=2)


def test_the_nearest_assets_to_a_postcode_come_first(profiled):
    nearby = profiled.asset_profiles.near("tt1 1aa", limit=3, at=ORDINARY_MONDAY_10)
    assert nearby.postcode == "TT1 1AA"
    assert nearby.neighbourhood is not None and nearby.neighbourhood.name == "Testtown 001A"
    distances = [p.asset.distance_m for p in nearby.items]
    assert distances == sorted(distances) and len(distances) == 3
    assert nearby.total >= 3
    with pytest.raises(NotFound):
        profiled.asset_profiles.near("ZZ9 9ZZ")
    with pytest.raises(ValidationError):
        profiled.asset_profiles.near("not a postcode")

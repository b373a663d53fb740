"""The asset register through the workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest

from mobilise import Conflict, NotFound, ValidationError
from mobilise.formats.assets import read_assets
from mobilise.formats.ons import read_boundaries

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"


def by_name(result):
    return [a.name for a in result.items]


def test_assets_are_located_in_their_areas(register):
    found = {a.name: a for a in register.assets.search(per_page=10).items}
    assert found["Testtown Library"].lsoa11_code == "E01000001"
    assert found["Otherby Choir"].lsoa11_code == "E01000003"
    hall = found["Postcode-only Hall"]
    assert (hall.geocode_precision, hall.lsoa11_code) == ("postcode", "E01000002")
    assert (hall.lon, hall.lat) == (-0.0849, 51.5049)
    assert found["Riverside Park"].category == "green_blue_space"


def test_reimport_updates_by_source_id(register, tmp_path):
    again = register.assets.import_file(read_assets(HERE / "assets_small.geojson"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    changed = tmp_path / "changed.geojson"
    changed.write_text(
        (HERE / "assets_small.geojson").read_text().replace("Riverside Park", "Riverside Gardens")
    )
    report = register.assets.import_file(read_assets(changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert register.assets.count() == 4
    assert "Riverside Gardens" in by_name(register.assets.search(text="gardens"))


def test_dry_run_stores_nothing(workspace):
    report = workspace.assets.import_file(read_assets(HERE / "assets_small.geojson"), dry_run=True)
    assert report.created == 4 and report.dry_run
    assert [c[0] for c in report.changes] == ["create"] * 4
    assert workspace.assets.count() == 0


def test_invalid_rows_stop_the_import_unless_skipped(register):
    data = read_assets(HERE / "assets_bad.csv")
    with pytest.raises(ValidationError) as caught:
        register.assets.import_file(data)
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "postcode"), (3, "lat")]
    assert register.assets.count() == 4
    report = register.assets.import_file(data, skip_invalid=True)
    assert (report.created, report.invalid) == (1, 2)
    assert register.assets.count() == 5


def test_place_keeps_only_its_assets(workspace):
    workspace.areas.import_boundaries(read_boundaries(HERE / "three_lsoas.geojson"))
    workspace.places.create("testtown", "Testtown", authorities=["E09000001"])
    report = workspace.assets.import_file(
        read_assets(HERE / "assets_small.geojson"), place="testtown"
    )
    # The choir lies in Otherby (E01000003); the hall's postcode is unknown here: kept, unlocated.
    assert (report.created, report.outside_place, report.not_geocoded) == (3, 1, 1)
    assert workspace.assets.count(place="testtown") == 2


def test_search_filters(register):
    library = (-0.095, 51.505)
    near = register.assets.search(near=library, radius_m=800)
    assert by_name(near)[0] == "Testtown Library"
    assert near.items[0].distance_m == 0
    # The park is 0.01 degrees of longitude east: about 693 m at this latitude.
    park = next(a for a in near.items if a.name == "Riverside Park")
    assert 690 < park.distance_m < 697
    assert "Otherby Choir" not in by_name(near)  # about 1.4 km away
    assert by_name(register.assets.search(category="library")) == ["Testtown Library"]
    assert by_name(register.assets.search(text="CHOIR")) == ["Otherby Choir"]
    assert by_name(register.assets.search(place="testtown", per_page=10)) == [
        "Postcode-only Hall",
        "Riverside Park",
        "Testtown Library",
    ]


def test_accessibility_age_and_opening_filters(register):
    choir = register.assets.search(text="choir").items[0]
    register.assets.update(
        choir.id,
        version=choir.version,
        changes={
            "cost": "free",
            "step_free": True,
            "age_min": 16,
            "schedule": [{"byday": "TU", "opens_at": "19:00", "closes_at": "21:00"}],
        },
    )
    assert by_name(register.assets.search(free=True)) == ["Otherby Choir"]
    assert by_name(register.assets.search(step_free=True)) == ["Otherby Choir"]
    assert "Otherby Choir" not in by_name(register.assets.search(age=12, per_page=10))
    tuesday_evening = datetime(2026, 11, 24, 19, 30)  # a Tuesday
    assert by_name(register.assets.search(open_at=tuesday_evening)) == ["Otherby Choir"]
    assert by_name(register.assets.search(open_at=datetime(2026, 11, 25, 19, 30))) == []


def test_private_assets_stay_out_of_public_searches(register):
    park = register.assets.search(text="park").items[0]
    register.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    assert by_name(register.assets.search(text="park")) == []
    assert by_name(register.assets.search(text="park", include_private=True)) == ["Riverside Park"]
    with pytest.raises(NotFound):
        register.assets.get(park.id, include_private=False)


def test_stale_edit_is_refused(register):
    park = register.assets.search(text="park").items[0]
    alice = register.as_actor("alice")
    alice.assets.update(park.id, version=park.version, changes={"description": "Riverside lawns"})
    with pytest.raises(Conflict, match="alice"):
        register.as_actor("bob").assets.update(
            park.id, version=park.version, changes={"description": "Bob's words"}
        )
    assert register.assets.get(park.id).description == "Riverside lawns"
    with pytest.raises(ValidationError):
        register.assets.update(park.id, version=park.version + 1, changes={"source": "x"})


def test_quality_per_place_and_source(register):
    report = register.assets.quality(place="testtown")
    [place] = report.places
    assert place.total == 3
    assert place.never_assured == 3
    assert place.by_precision == {"point": 2, "postcode": 1}
    assert place.complete["postcode"] == 2  # the library and the hall
    [source] = report.sources
    assert (source.name, source.total) == ("test", 3)


def test_reimport_never_publishes_or_revives_what_people_decided(register):
    park = register.assets.search(text="park").items[0]
    register.assets.update(park.id, version=park.version, changes={"visibility": "private"})
    choir = register.assets.search(text="choir").items[0]
    register.assets.delete(choir.id)
    report = register.assets.import_file(read_assets(HERE / "assets_small.geojson"))
    assert report.created == 0
    assert register.assets.get(park.id).visibility == "private"
    with pytest.raises(NotFound):
        register.assets.get(choir.id)


def test_merge_needs_the_same_visibility_and_hides_the_merged_one(register):
    library = register.assets.search(text="library").items[0]
    hall = register.assets.search(text="hall").items[0]
    register.assets.update(hall.id, version=hall.version, changes={"visibility": "private"})
    with pytest.raises(ValidationError, match="private"):
        register.duplicates.merge(library.id, hall.id)
    hall = register.assets.get(hall.id)
    register.assets.update(hall.id, version=hall.version, changes={"visibility": "public"})
    register.duplicates.merge(library.id, hall.id)
    with pytest.raises(NotFound, match="merged into"):
        register.assets.get(hall.id)
    assert "Postcode-only Hall" not in by_name(register.assets.search(per_page=10))


def test_edits_are_checked_against_the_vocabulary(register):
    park = register.assets.search(text="park").items[0]
    with pytest.raises(ValidationError) as caught:
        register.assets.update(park.id, version=park.version, changes={"visibility": "secret"})
    assert caught.value.problems[0].field == "visibility"


def test_moving_an_asset_relocates_it(register):
    choir = register.assets.search(text="choir").items[0]
    assert choir.lsoa11_code == "E01000003"
    moved = register.assets.update(
        choir.id, version=choir.version, changes={"lon": -0.0955, "lat": 51.5055}
    )
    assert (moved.lsoa11_code, moved.geocode_precision) == ("E01000001", "point")
    by_postcode = register.assets.update(
        choir.id, version=moved.version, changes={"postcode": "tt1 1ab"}
    )
    assert (by_postcode.postcode, by_postcode.lsoa11_code) == ("TT1 1AB", "E01000002")
    assert (by_postcode.lon, by_postcode.geocode_precision) == (-0.0849, "postcode")

"""Who was reached (issue 15, item 4) through the workspace, on SQLite and PostgreSQL: the Census
figures of one LSOA traced from the shipped file, consent honoured, disclosure control by role,
retention, partners' reach, the filters, and bad input named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from mobilise.errors import NotFound, ValidationError
from mobilise.formats.census2021 import CENSUS_DIMENSIONS

from .._reach import (
    LSOA21,
    MERGED,
    PLACE,
    SPLIT,
    UNCHANGED,
    build_place,
    event,
    person,
    shipped_census_row,
)
from ..conftest import FIXTURES

PARTNER = SimpleNamespace(username="pat", role="partner")
ADMIN = SimpleNamespace(username="ada", role="admin")


@pytest.fixture
def place(workspace, tmp_path):
    build_place(workspace, tmp_path)
    workspace.sheet = workspace.consent.add_sheet("Taking part", "1.0", "What happens.")
    return workspace


def _population(reach, dimension: str) -> list[float]:
    rows = reach.dimension(dimension).groups
    return [g["population"] for g in rows if g["kind"] == "group"]


def test_the_census_of_one_lsoa_from_the_shipped_file(place):
    ws = place
    cafe = event(ws, "world_cafe", "2026-03-02")
    for answers in (
        {"ethnic_group": "asian_bangladeshi", "sex": "female", "age_band": "16_24"},
        {"ethnic_group": "white_irish", "sex": "male", "age_band": "65_plus"},
    ):
        ws.events.attend(cafe.id, person(ws, ws.sheet.id, **answers).id)
    own = ws.engagement.reach(PLACE, population_of="participants_areas")
    # Both came from Camden 011A (unchanged in 2021): the residents compared with them are
    # exactly that LSOA's row of each shipped Census table.
    for dimension in CENSUS_DIMENSIONS:
        assert _population(own, dimension) == shipped_census_row(dimension, UNCHANGED)
    assert own.dimension("ethnic_group").areas == 1
    # The place: its four LSOA 2011s are four LSOA 2021s (one split in two, two merged)
    whole = ws.engagement.reach(PLACE, by=["ethnic_group", "sex"])
    for dimension in ("ethnic_group", "sex"):
        rows = [shipped_census_row(dimension, code) for code in LSOA21]
        assert _population(whole, dimension) == [sum(column) for column in zip(*rows, strict=True)]
    ethnic = {g["group"]: g for g in whole.dimension("ethnic_group").groups}
    assert ethnic["asian"]["count"] == 1 and ethnic["white"]["count"] == 1
    assert ethnic["asian"]["share"] == pytest.approx(0.5)
    assert whole.census_source["licence"] == "OGL-UK-3.0"
    assert "Office for National Statistics" in whole.census_source["attribution"]


def test_deprivation_of_the_place_and_of_participants_areas(place):
    ws = place
    walk = event(ws, "community_walk", "2026-03-02")
    for area in (SPLIT, MERGED[0], MERGED[0]):
        ws.events.attend(walk.id, person(ws, ws.sheet.id, area=area).id)
    found = ws.engagement.reach(PLACE, by=["imd_decile", "core20"])
    deciles = {g["group"]: g for g in found.dimension("imd_decile").groups}
    people = {int(g): r["count"] for g, r in deciles.items() if r["kind"] == "group"}
    assert sum(people.values()) == 3
    core20 = {g["group"]: g for g in found.dimension("core20").groups}
    assert core20["core20"]["count"] + core20["not_core20"]["count"] == 3
    assert found.dimension("core20").population_total == pytest.approx(
        sum(r["population"] for r in deciles.values() if r["population"])
    )


def test_consent_is_honoured_and_cancelled_events_do_not_count(place):
    ws = place
    cafe, walk = event(ws, "world_cafe", "2026-03-02"), event(ws, "community_walk", "2026-05-04")
    stays = person(ws, ws.sheet.id, sex="female")
    leaves = person(ws, ws.sheet.id, sex="male")
    never = person(ws, ws.sheet.id, consent=False, sex="male")
    for someone in (stays, leaves, never):
        ws.events.attend(cafe.id, someone.id)
    ws.events.attend(walk.id, stays.id)
    before = ws.engagement.reach(PLACE, by=["sex"])
    assert (before.participants, before.left_out) == (2, 1)
    ws.consent.withdraw(
        leaves.id, scopes=["take_part"], method="online", at=datetime(2026, 6, 1, tzinfo=UTC)
    )
    after = ws.engagement.reach(PLACE, by=["sex"])
    assert (after.participants, after.left_out) == (1, 2)
    assert {g["group"]: g["count"] for g in after.dimension("sex").groups}["male"] == 0
    # an analysis dated before the cut-off keeps them only under the keep_analysed rule
    dated = ws.engagement.reach(PLACE, by=["sex"], analysis_on=date(2026, 5, 1))
    assert dated.participants == 1
    ws.project_settings.set("retention", "keep_analysed")
    kept = ws.engagement.reach(PLACE, by=["sex"], analysis_on=date(2026, 5, 1))
    assert kept.participants == 2
    ws.events.cancel(walk.id)
    assert ws.engagement.reach(PLACE, by=["sex"]).events == 1


def test_retention_partners_and_filters(place):
    ws = place
    friends = ws.partners.create("Friends of the Park", sector="vcse")
    cafe, walk = event(ws, "world_cafe", "2026-03-02"), event(ws, "community_walk", "2026-05-04")
    people = [person(ws, ws.sheet.id, sex="female") for _ in range(4)]
    people.append(person(ws, ws.sheet.id, sex="male", brought_by=friends.key))
    for someone in people:
        ws.events.attend(cafe.id, someone.id)
    for someone in people[:2]:
        ws.events.attend(walk.id, someone.id)
    found = ws.engagement.reach(PLACE, by=["sex"])
    overall = found.retention[0]
    assert (overall["first_kind"], overall["participants"], overall["returned"]) == ("all", 5, 2)
    assert overall["share"] == pytest.approx(0.4)
    assert [(p["name"], p["participants"]) for p in found.partners] == [("Friends of the Park", 1)]
    assert {r["split"] for r in found.over_time} == {"2026Q1"}
    assert {r["split"] for r in found.per_kind} == {"world_cafe", "community_walk"}
    walks = ws.engagement.reach(PLACE, by=["sex"], event_kind="community_walk")
    assert walks.participants == 2
    spring = ws.engagement.reach(PLACE, by=["sex"], since=date(2026, 4, 1))
    assert spring.participants == 2 and spring.events == 1
    winter = ws.engagement.reach(PLACE, by=["sex"], until=date(2026, 3, 2))
    assert winter.participants == 5 and winter.events == 1


def test_disclosure_control_for_everyone_but_admins(place):
    ws = place
    cafe = event(ws, "world_cafe", "2026-03-02")
    friends = ws.partners.create("Friends of the Park", sector="vcse")
    answers = ["female"] * 6 + ["male"] * 2
    for number, sex in enumerate(answers):
        extra = {"brought_by": friends.key} if number < 2 else {}
        ws.events.attend(cafe.id, person(ws, ws.sheet.id, sex=sex, **extra).id)
    whole = ws.engagement.reach(PLACE, by=["sex"], viewer=ADMIN)
    assert whole.k is None
    assert {g["group"]: g["count"] for g in whole.dimension("sex").groups}["male"] == 2
    shown = ws.engagement.reach(PLACE, by=["sex"], viewer=PARTNER)
    assert shown.k == 3
    rows = {g["group"]: g for g in shown.dimension("sex").groups}
    assert rows["male"]["count"] is None and rows["male"]["count_shown"] == "fewer than 3"
    assert rows["male"]["share"] is None and rows["male"]["ratio"] is None
    # 6 women would give the 2 men away from the total of 8: the next smallest cell goes too
    assert rows["female"]["count"] is None or rows["prefer_not_to_say"]["count"] is None
    assert shown.participants == 8 and shown.participants_shown == "8"
    assert shown.partners[0]["participants_shown"] == "fewer than 3"
    assert "participant_id" not in str(shown.to_dict())
    ws.project_settings.set("disclosure_k", 10)
    assert ws.engagement.reach(PLACE, by=["sex"], viewer=PARTNER).participants_shown == (
        "fewer than 10"
    )


def test_bad_input_is_named(place):
    ws = place
    with pytest.raises(ValidationError) as caught:
        ws.engagement.reach(
            PLACE,
            by=["wealth"],
            event_kind="rave",
            since=date(2026, 5, 1),
            until=date(2026, 1, 1),
            population_of="nearby",
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"by", "event_kind", "since", "population_of"}
    with pytest.raises(NotFound):
        ws.engagement.reach("nowhere")


def test_a_place_without_census_or_lookup_says_why(place):
    ws = place
    ws.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    ws.places.create("city", "City of London (test)", area_codes=["E01000001"])
    found = ws.engagement.reach("city", by=["ethnic_group", "core20"])
    assert not found.dimension("ethnic_group").available
    assert "lookup" in found.dimension("ethnic_group").note
    assert not found.dimension("core20").available
    ws.areas.import_lookup(
        b"LSOA11CD,LSOA21CD,CHGIND,LAD22CD\nE01000001,E01000001,U,E09000001\n",
        name="city_lookup.csv",
        kind="lsoa21",
    )
    again = ws.engagement.reach("city", by=["ethnic_group"]).dimension("ethnic_group")
    assert not again.available and "bundled" in again.note
    population = ws.engagement.population(PLACE, "ethnic_group")
    assert sorted(population["area_code"].unique()) == sorted(LSOA21)

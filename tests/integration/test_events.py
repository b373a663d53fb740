"""Engagement events (issue 15, items 1 and 6): events, registration with a cap and a waiting
list, online registration with consent, attendance at the door, the after-event summary, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mobilise.errors import Conflict, NotFound, ValidationError
from mobilise.store.tables import (
    consent_records,
    participant_identities,
    participants,
    registrations,
)

FACILITATOR = SimpleNamespace(username="fac", role="facilitator")
CONTROLLER = SimpleNamespace(username="dc", role="data_controller")
START, END = "2030-06-01T10:00", "2030-06-01T12:00"  # to come: registration is open


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str | None]:
    return {problem.field for problem in error.value.problems}


def _count(ws, table) -> int:
    with ws.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def event(register):
    return register.events.create(
        kind="world_cafe",
        title="Café on green spaces",
        place="testtown",
        starts_at=START,
        ends_at=END,
        capacity=2,
    )


def test_an_event_keeps_its_facts_partners_venue_and_map(register):
    ws = register
    partner = ws.partners.create("Friends of the Park", sector="vcse")
    made = ws.maps.create("What keeps us well")
    asset = ws.assets.search().items[0]
    found = ws.events.create(
        kind="systems_mapping_workshop",
        title="Mapping wellbeing",
        place="testtown",
        starts_at=START,
        ends_at=END,
        venue_asset_id=asset.id,
        facilitators=["Asha", " ", "Ben"],
        partners={partner.key: "co-host"},
        map_id=made.id,
        accessibility="Step-free; BSL interpreter",
        public=True,
    )
    assert found.venue_name == asset.name and found.map_title == "What keeps us well"
    assert found.facilitators == ["Asha", "Ben"]
    assert found.partners == [{"id": partner.id, "name": partner.name, "role": "co-host"}]
    assert found.starts_at.isoformat() == "2030-06-01T09:00:00+00:00"  # 10:00 BST
    public = found.to_dict(public=True)
    assert "facilitators" not in public and "partners" not in public and "map_id" not in public
    changed = ws.events.update(found.id, {"title": "Mapping wellbeing, 2"}, version=found.version)
    assert changed.version == found.version + 1
    with pytest.raises(Conflict):
        ws.events.update(found.id, {"title": "stale"}, version=found.version)
    assert ws.events.update(found.id, {"partners": []}).partners == []
    back = ws.events.update(found.id, {"partners": {partner.id: "host"}})
    assert back.partners == [{"id": partner.id, "name": partner.name, "role": "host"}]


def test_bad_fields_are_named_and_nothing_is_written(register):
    before = _count(register, register_tables())
    with pytest.raises(ValidationError) as error:
        register.events.create(
            kind="rave",
            title=" ",
            place="atlantis",
            starts_at="2026-06-01T12:00",
            ends_at="2026-06-01T10:00",
            venue_asset_id="no-such-asset",
            map_id="no-such-map",
            partners=["no-such-partner"],
            capacity=0,
        )
    assert _fields(error) >= {
        "kind",
        "title",
        "place",
        "ends_at",
        "venue_asset_id",
        "map_id",
        "partners",
        "capacity",
    }
    assert _count(register, register_tables()) == before


def register_tables():
    from mobilise.store.tables import engagement_events

    return engagement_events


def test_the_cap_puts_people_on_a_waiting_list_and_a_cancellation_moves_the_first_up(
    register, event
):
    ws = register
    people = [ws.participants.add() for _ in range(4)]
    statuses = [ws.events.register(event.id, p.code).status for p in people]
    assert statuses == ["registered", "registered", "waiting", "waiting"]
    assert ws.events.register(event.id, people[0].id).status == "registered"  # no-op
    ws.events.cancel_registration(event.id, people[1].code)
    now = {r.code: r.status for r in ws.events.registrations(event.id)}
    assert now == {
        people[0].code: "registered",
        people[1].code: "cancelled",
        people[2].code: "registered",  # the first waiting moved up
        people[3].code: "waiting",
    }
    got = ws.events.get(event.id)
    assert (got.registered, got.waiting, got.places_left) == (2, 1, 0)
    ws.events.update(event.id, {"capacity": 3})
    assert ws.events.registrations(event.id, status="waiting") == []


def test_attendance_for_a_cancelled_event_is_refused_naming_the_field(register, event):
    ws = register
    person = ws.participants.add()
    ws.events.register(event.id, person.id)
    ws.events.open_registration(event.id)
    cancelled = ws.events.cancel(event.id)
    assert cancelled.status == "cancelled" and cancelled.registration_token is None
    with pytest.raises(ValidationError) as error:
        ws.events.attend(event.id, person.code)
    assert _fields(error) == {"event"}
    with pytest.raises(ValidationError):
        ws.events.register(event.id, ws.participants.add().id)
    with pytest.raises(ValidationError):
        ws.events.walk_in(event.id, person={})
    with ws.read() as connection:
        assert (
            connection.execute(
                select(func.count())
                .select_from(registrations)
                .where(registrations.c.attended_at.is_not(None))
            ).scalar_one()
            == 0
        )


def test_public_visitors_see_only_public_events(register):
    ws = register
    shown = ws.events.create(
        kind="community_walk", title="Open walk", starts_at=START, ends_at=END, public=True
    )
    hidden = ws.events.create(
        kind="consortium_meeting", title="Board", starts_at=START, ends_at=END
    )
    page = ws.events.list(public_only=True)
    assert [e.id for e in page.items] == [shown.id] and page.total == 1
    assert ws.events.list().total == 2
    with pytest.raises(NotFound):
        ws.events.get(hidden.id, public_only=True)


def test_upcoming_and_past_and_paging(register):
    from datetime import UTC, datetime

    ws = register
    for day in range(1, 6):
        ws.events.create(
            kind="other",
            title=f"Day {day}",
            place="testtown",
            starts_at=f"2026-03-0{day}T10:00",
            ends_at=f"2026-03-0{day}T11:00",
        )
    moment = datetime(2026, 3, 3, 12, tzinfo=UTC)
    upcoming = ws.events.list(place="testtown", when="upcoming", now=moment)
    past = ws.events.list(place="testtown", when="past", now=moment, limit=2)
    assert [e.title for e in upcoming.items] == ["Day 4", "Day 5"]
    assert [e.title for e in past.items] == ["Day 3", "Day 2"] and past.total == 3
    between = ws.events.list(start=date(2026, 3, 2), end=date(2026, 3, 4))
    assert [e.title for e in between.items] == ["Day 2", "Day 3"]
    with pytest.raises(ValidationError) as error:
        ws.events.list(when="soon", limit=0)
    assert _fields(error) == {"when", "limit"}


def test_online_registration_adds_the_person_records_consent_and_registers(register, event):
    ws = register
    open_event = ws.events.open_registration(event.id)
    token = open_event.registration_token
    person = {
        "postcode": "TT1 1AB",
        "answers": {"age_band": "16_24", "ethnic_group": "prefer_not_to_say"},
        "identity": {"name": "Dee Example", "email": "dee@example.org"},
    }
    with pytest.raises(ValidationError) as error:  # no information sheet yet
        ws.events.register_online(
            token, person=person, scopes={"take_part": True}, information_sheet="x"
        )
    assert _fields(error) == {"information_sheet"}
    assert _count(ws, participants) == 0
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    added, registration = ws.events.register_online(
        token,
        person=person,
        scopes={"take_part": True, "quote": "anonymous"},
        information_sheet=sheet.id,
    )
    assert registration.status == "registered" and added.lsoa11_code == "E01000002"
    [record] = ws.consent.ledger(added.id)
    assert (record.method, record.event_id, record.information_sheet_id) == (
        "online",
        event.id,
        sheet.id,
    )
    ws.events.close_registration(event.id)
    with pytest.raises(NotFound):
        ws.events.by_token(token)


def test_a_bad_online_registration_writes_nothing(register, event):
    ws = register
    token = ws.events.open_registration(event.id).registration_token
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    with pytest.raises(ValidationError):
        ws.events.register_online(
            token,
            person={"identity": {"name": "Young"}, "under_16": True},  # no guardian
            scopes={"take_part": True},
            information_sheet=sheet.id,
        )
    with pytest.raises(ValidationError):  # a bad scope: the participant is rolled back too
        ws.events.register_online(
            token, person={}, scopes={"take_part": "maybe"}, information_sheet=sheet.id
        )
    for table in (participants, participant_identities, consent_records, registrations):
        assert _count(ws, table) == 0
    young, _ = ws.events.register_online(
        token,
        person={"under_16": True, "identity": {"guardian_name": "Parent"}},
        scopes={"take_part": True},
        information_sheet=sheet.id,
    )
    assert ws.consent.ledger(young.id)[0].guardian is True


def test_the_door_finds_by_code_and_by_name_only_for_identity_roles(register, event):
    ws = register
    person = ws.participants.add(identity={"name": "Farah Example"})
    ws.events.register(event.id, person.id)
    typed = person.code[2:].lower()
    assert [r.code for r in ws.events.find(event.id, typed, viewer=FACILITATOR)] == [person.code]
    assert ws.events.find(event.id, "farah", viewer=FACILITATOR) == []
    assert [r.code for r in ws.events.find(event.id, "farah", viewer=CONTROLLER)] == [person.code]
    signed = ws.events.attend(event.id, person.code)
    assert signed.attended
    ws.consent.add_sheet("Taking part", "v1", "text")
    _walked, at_door = ws.events.walk_in(
        event.id, person={"answers": {"age_band": "65_plus"}}, scopes={"take_part": True}
    )
    assert at_door.attended and at_door.status == "registered"
    assert ws.events.get(event.id).attended == 2


def test_the_summary_counts_groups_under_disclosure_control(register, event):
    ws = register
    ws.consent.add_sheet("Taking part", "v1", "text")
    partner = ws.partners.create("Tenants' association", sector="vcse")
    ws.events.update(event.id, {"partners": [partner.id], "capacity": None})
    for n in range(5):
        ws.events.walk_in(
            event.id,
            person={"answers": {"age_band": "25_34" if n < 4 else "65_plus"}},
            scopes={"take_part": True, "photos": n < 2},
        )
    admin = ws.events.summary(event.id)
    ages = {row["code"]: row["shown"] for row in admin["groups"]["age_band"]["rows"]}
    assert (ages["25_34"], ages["65_plus"], admin["attended"]) == ("4", "1", "5")
    shown = ws.events.summary(event.id, viewer=FACILITATOR)
    ages = {row["code"]: row["shown"] for row in shown["groups"]["age_band"]["rows"]}
    k = ws.project_settings.get("disclosure_k")
    assert ages["65_plus"] == f"fewer than {k}"
    assert ages["25_34"] != "4"  # the one other cell is hidden too
    consent = {row["scope"]: row["shown"] for row in admin["consent"]}
    assert (consent["take_part"], consent["photos"]) == ("5", "2")
    assert [p["name"] for p in shown["partners"]] == ["Tenants' association"]


def test_two_people_taking_the_last_place_at_once_get_one_place_and_one_wait(register):
    import threading

    ws = register
    event = ws.events.create(
        kind="other", title="One place", starts_at=START, ends_at=END, capacity=1
    )
    people = [ws.participants.add().id for _ in range(2)]
    ready = threading.Barrier(2)
    outcomes: list[str] = []

    def take(person: str) -> None:
        ready.wait()
        outcomes.append(ws.events.register(event.id, person).status)

    threads = [threading.Thread(target=take, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["registered", "waiting"]

"""Participants under pseudonyms, their identities apart, and the consent ledger (issue 15), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from mobilise.errors import NotFound, PermissionDenied, ValidationError
from mobilise.model.engagement_vocab import SCOPES
from mobilise.store.tables import audit_log, participant_identities, participants

ANALYST = SimpleNamespace(username="ana", role="analyst")
CONTROLLER = SimpleNamespace(username="dc", role="data_controller")


@pytest.fixture
def sheet(register):
    return register.consent.add_sheet("Taking part", "v1.2", "What taking part means ...")


def _problem_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str | None]:
    return {problem.field for problem in error.value.problems}


def test_a_participant_gets_a_pseudonym_and_an_area_not_a_postcode(register):
    person = register.participants.add(
        place="testtown",
        postcode="tt11ab",
        answers={
            "age_band": "25_34",
            "ethnic_group": "black_caribbean",
            "sex": "prefer_not_to_say",
        },
        identity={"name": "A. Person", "email": "a@example.org"},
    )
    assert person.code.startswith("P-") and len(person.code) == 8
    assert person.lsoa11_code == "E01000002"
    assert person.answers["ethnic_group"] == "black_caribbean"
    assert person.answers["carer"] is None  # not asked
    identity = register.participants.identity(person.code)
    assert identity is not None and identity.name == "A. Person"
    assert identity.postcode is None  # not kept without agreement
    kept = register.participants.add(postcode="TT1 1AA", keep_postcode=True)
    assert register.participants.identity(kept.id).postcode == "TT1 1AA"


def test_bad_answers_name_every_field_and_nothing_is_written(register):
    with pytest.raises(ValidationError) as error:
        register.participants.add(
            postcode="not a postcode",
            answers={"ethnic_group": "martian", "shoe_size": "9"},
            lived_experience=["astronauts"],
        )
    assert {"postcode", "ethnic_group", "shoe_size", "lived_experience"} <= _problem_fields(error)
    with register.read() as connection:
        assert connection.execute(select(func.count()).select_from(participants)).scalar() == 0


def test_an_under_16_needs_a_guardian(register, sheet):
    with pytest.raises(ValidationError) as error:
        register.participants.add(under_16=True)
    assert _problem_fields(error) == {"guardian_name"}
    young = register.participants.add(under_16=True, identity={"guardian_name": "Parent"})
    with pytest.raises(ValidationError) as error:
        register.consent.give(
            young.id, information_sheet=sheet.id, method="paper", scopes={"take_part": True}
        )
    assert _problem_fields(error) == {"guardian"}
    register.consent.give(
        young.id,
        information_sheet=sheet.id,
        method="paper",
        scopes={"take_part": True},
        guardian=True,
    )


def test_identity_is_read_by_admins_and_the_data_controller_only(register):
    person = register.participants.add(identity={"name": "B. Person"})
    with pytest.raises(PermissionDenied):
        register.participants.identity(person.id, viewer=ANALYST)
    with pytest.raises(PermissionDenied):
        register.participants.erase_identity(person.id, viewer=ANALYST)
    assert register.participants.identity(person.id, viewer=CONTROLLER).name == "B. Person"


def test_erasure_keeps_the_pseudonym_and_the_audit_says_only_that(register, sheet):
    person = register.participants.add(identity={"name": "C. Person", "phone": "07700 900456"})
    register.participants.set_identity(person.id, {"email": "c@example.org"})
    register.consent.give(
        person.id, information_sheet=sheet.id, method="online", scopes={"take_part": True}
    )
    assert register.participants.erase_identity(person.id, viewer=CONTROLLER)
    assert register.participants.identity(person.id) is None
    assert register.participants.get(person.code).id == person.id
    assert register.consent.state([person.id])[person.id].take_part
    with register.read() as connection:
        assert not connection.execute(select(participant_identities)).all()
        entries = connection.execute(select(audit_log)).all()
    text = repr([(e.before, e.after, e.summary) for e in entries])
    for value in ("C. Person", "07700 900456", "c@example.org"):
        assert value not in text
    assert any(e.action == "erase" and e.summary == "identity erased" for e in entries)


def test_a_consent_needs_an_information_sheet_and_known_scopes(register, sheet):
    person = register.participants.add()
    with pytest.raises(ValidationError) as error:
        register.consent.give(
            person.id,
            information_sheet=None,
            method="verbal",
            scopes={"take_part": "yes", "quote": "loudly", "telepathy": True},
        )
    assert _problem_fields(error) == {
        "information_sheet",
        "witness",
        "take_part",
        "quote",
        "telepathy",
    }
    assert register.consent.ledger(person.id) == []


def test_the_ledger_read_in_order_gives_what_is_agreed_now(register, sheet):
    person = register.participants.add()
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    register.consent.give(
        person.id,
        information_sheet=sheet.id,
        method="paper",
        scopes={"take_part": True, "quote": "anonymous", "photos": True},
        at=start,
    )
    assert register.consent.permitted("quote") == {person.id}
    register.consent.withdraw(
        person.id,
        scopes=["quote", "photos"],
        method="online",
        at=start + timedelta(days=30),
        cut_off=date(2026, 3, 31),
    )
    state = register.consent.state()[person.id]
    assert (state.take_part, state.quote, state.photos) == (True, "none", False)
    assert state.withdrawn == {"quote": date(2026, 3, 31), "photos": date(2026, 3, 31)}
    assert register.consent.permitted("quote") == frozenset()
    assert register.consent.permitted("take_part") == {person.id}
    # Analyses keep what they analysed before the cut-off only when the project says so.
    assert register.consent.permitted("quote", analysis_on=date(2026, 3, 10)) == frozenset()
    register.project_settings.set("retention", "keep_analysed")
    assert register.consent.permitted("quote", analysis_on=date(2026, 3, 10)) == {person.id}
    assert register.consent.permitted("quote", analysis_on=date(2026, 4, 10)) == frozenset()
    assert [record.kind for record in register.consent.ledger(person.code)] == [
        "given",
        "withdrawn",
    ]


def test_unknown_people_and_settings_are_refused(register):
    with pytest.raises(NotFound):
        register.consent.ledger("P-NOBODY")
    with pytest.raises(ValidationError):
        register.project_settings.set("retention", "forever")
    with pytest.raises(ValidationError):  # not a 500 (schemathesis found it)
        register.project_settings.set("retention", {"remove": True})
    with pytest.raises(ValidationError):
        register.project_settings.set("colour", "blue")


# -- what the faces need (the participants and consent part of issue 15) ------------------------
def test_a_page_of_participants_found_by_code_and_place(register):
    people = [register.participants.add(place="testtown") for _ in range(5)]
    register.participants.add()  # no place
    page = register.participants.page(place="testtown", limit=2, offset=0)
    assert (page.total, len(page.items)) == (5, 2)
    rest = register.participants.page(place="testtown", limit=2, offset=4)
    assert len(rest.items) == 1
    seen = {p.id for p in register.participants.list(place="testtown", limit=10)}
    assert seen == {p.id for p in people}
    target = people[2]
    found = register.participants.page(search=target.code[2:6].lower())
    assert target.id in {p.id for p in found.items}
    with pytest.raises(ValidationError) as error:
        register.participants.page(limit=0, offset=-1)
    assert _problem_fields(error) == {"limit", "offset"}
    with pytest.raises(ValidationError) as error:
        register.participants.page(search="%' OR 1=1 --")
    assert _problem_fields(error) == {"q"}


def test_consent_state_for_some_and_the_summary_of_a_place(register, sheet):
    given, withdrew, silent = (register.participants.add(place="testtown") for _ in range(3))
    elsewhere = register.participants.add()
    for person in (given, withdrew, elsewhere):
        register.consent.give(
            person.id,
            information_sheet=sheet.id,
            method="online",
            scopes={"take_part": True, "quote": "named", "photos": True},
        )
    register.consent.withdraw(withdrew.id, scopes=["photos"], method="paper")
    assert set(register.consent.state([given.id, silent.id])) == {given.id}
    summary = register.consent.summary(place="testtown")
    assert (summary.participants, summary.no_record, summary.withdrew) == (3, 1, 1)
    assert summary.granted["take_part"] == 2 and summary.granted["photos"] == 1
    assert summary.quote == {"named": 2, "anonymous": 0}
    assert register.consent.summary().participants == 4
    assert register.consent.state()[given.id].granted() == ["take_part", "quote", "photos"]


def test_the_events_a_participant_attended(register):
    from mobilise.store.records import insert_record
    from mobilise.store.tables import engagement_events, registrations

    person, other = register.participants.add(), register.participants.add()
    start = datetime(2026, 5, 1, 10, tzinfo=UTC)
    with register.write() as connection:
        for n, came in enumerate((True, False)):
            event = insert_record(
                connection,
                engagement_events,
                {
                    "kind": "world_cafe",
                    "title": f"Café {n}",
                    "starts_at": start + timedelta(days=n),
                    "ends_at": start + timedelta(days=n, hours=2),
                },
                actor="t",
                entity_type="event",
            )
            insert_record(
                connection,
                registrations,
                {
                    "event_id": event["id"],
                    "participant_id": person.id,
                    "registered_at": start,
                    "attended_at": start if came else None,
                },
                actor="t",
                entity_type="registration",
            )
    attended = register.participants.attended(person.code)
    assert [(a.title, a.attended_at is not None) for a in attended] == [
        ("Café 1", False),
        ("Café 0", True),
    ]
    assert register.participants.attendance_counts([person.id, other.id]) == {person.id: 1}


def test_the_date_of_an_erasure_is_kept_not_the_identity(register):
    person = register.participants.add(identity={"name": "D. Person"})
    assert register.participants.identity_erased_at(person.id) is None
    register.participants.erase_identity(person.id)
    erased = register.participants.identity_erased_at(person.code)
    assert erased is not None and erased.date() == datetime.now(UTC).date()


def test_information_sheets_by_audience_and_publication(register):
    easy = register.consent.add_sheet("Taking part", "v1", "Easy words.", audience="easy_read")
    later = register.consent.add_sheet(
        "Taking part", "v2", "New words.", published_on=date.today() + timedelta(days=7)
    )
    assert [s.id for s in register.consent.sheets(audience="easy_read")] == [easy.id]
    assert register.consent.sheet(later.id).sheet_version == "v2"
    with pytest.raises(NotFound):
        register.consent.sheet(later.id, published=True)
    with pytest.raises(ValidationError):
        register.consent.sheets(audience="aliens")


def test_withdrawing_all_with_other_scopes_ticked_withdraws_everything(register, sheet):
    person = register.participants.add()
    register.consent.give(
        person.id, information_sheet=sheet.id, method="paper", scopes={"take_part": True}
    )
    register.consent.withdraw(person.id, scopes=["all", "quote"], method="paper")
    state = register.consent.state()[person.id]
    assert set(state.withdrawn) == set(SCOPES) and state.granted() == []


def test_an_identity_field_set_to_none_is_cleared(register):
    person = register.participants.add(identity={"name": "E. Person", "phone": "0700"})
    register.participants.set_identity(person.id, {"phone": None, "postcode": "tt1 1aa"})
    register.participants.set_identity(person.id, {"postcode": None})
    found = register.participants.identity(person.id)
    assert (found.name, found.phone, found.postcode) == ("E. Person", "", None)


def test_a_nul_character_is_refused_not_a_server_error(register):
    """PostgreSQL refuses NUL in text with an error of its own (a 500 before): every table
    refuses it by name, on both databases, and so does a lookup."""
    with pytest.raises(ValidationError) as error:
        register.participants.add(identity={"name": "A\x00B"})
    assert _problem_fields(error) == {"name"}
    with pytest.raises(ValidationError):
        register.partners.create("Nul\x00 partner", sector="vcse")
    with pytest.raises((ValidationError, NotFound)):
        register.participants.get("P-\x00")

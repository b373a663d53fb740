"""What the review of co-production part 1 found (issue 15), each fixed and pinned here, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mobilise.analysis.engagement import hide_small
from mobilise.errors import NotFound, RateLimited, ValidationError

from .._coproduction import consenting


@pytest.fixture
def sheet(register):
    return register.consent.add_sheet("Taking part", "1", "What taking part means.")


def _planned(ws, *, days: int = 7, capacity: int | None = None):
    start = datetime.now(UTC) + timedelta(days=days)
    event = ws.events.create(
        kind="world_cafe",
        title="Café",
        place="testtown",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
    )
    return ws.events.open_registration(event.id)


def test_the_ledger_is_read_in_the_order_it_was_recorded(register, sheet):
    person = consenting(register, sheet.id, photos=True)
    # recorded after the consent, dated the day before: it still withdraws
    register.consent.withdraw(
        person.id, scopes=["photos"], method="paper", at=datetime.now(UTC) - timedelta(days=1)
    )
    assert not register.consent.state([person.id])[person.id].photos


def test_no_consent_or_withdrawal_dated_in_the_future(register, sheet):
    person = register.participants.add()
    later = datetime.now(UTC) + timedelta(days=3650)
    with pytest.raises(ValidationError) as error:
        register.consent.give(
            person.id,
            information_sheet=sheet.id,
            method="online",
            scopes={"take_part": True},
            at=later,
        )
    assert {p.field for p in error.value.problems} == {"at"}
    consenting(register, sheet.id)
    with pytest.raises(ValidationError) as error:
        register.consent.withdraw(
            person.id, scopes=["all"], method="paper", cut_off=date.today() + timedelta(days=30)
        )
    assert {p.field for p in error.value.problems} == {"cut_off"}


def test_the_event_summary_counts_only_those_whose_consent_stands(register, sheet):
    event = _planned(register)
    people = [consenting(register, sheet.id) for _ in range(4)]
    for person in people:
        register.events.attend(event.id, person.id)
    register.consent.withdraw(people[0].id, scopes=["take_part"], method="online")
    summary = register.events.summary(event.id)
    assert (summary["attended"], summary["left_out"]) == ("3", "1")


def test_a_sheet_dated_later_is_a_draft_not_the_one_people_consent_to(register, sheet):
    register.consent.add_sheet(
        "Taking part", "2-draft", "Not yet.", published_on=date.today() + timedelta(days=60)
    )
    assert register.events.current_sheet().id == sheet.id


@pytest.mark.parametrize(
    ("counts", "k"),
    [([5, 1, 1, 0], 3), ([5, 2, 2, 0], 3), ([9, 1, 0, 0], 3), ([4, 4, 2, 1], 5)],
)
def test_hidden_counts_cannot_be_worked_out_from_the_total(counts, k):
    hidden = hide_small(counts, k)
    values = [c for c, h in zip(counts, hidden, strict=True) if h]
    assert all(h for c, h in zip(counts, hidden, strict=True) if 1 <= c < k)
    if values:
        small = all(1 <= v < k for v in values)
        assert len(values) >= 2 and sum(values) >= k and sum(values) != len(values)
        assert not (small and sum(values) == len(values) * (k - 1))
    assert not any(h for c, h in zip(counts, hidden, strict=True) if c == 0)


def test_tax_years_and_payment_days_out_of_range_are_refused(register):
    person = register.participants.add()
    for label in ("0000-01", "9999-00", "2200-01"):
        with pytest.raises(ValidationError):
            register.payments.totals(tax_year=label)
    with pytest.raises(ValidationError) as error:
        register.payments.add(
            person.id, activity="Involvement activity (hourly)", paid_on=date(1, 1, 1)
        )
    assert "paid_on" in {p.field for p in error.value.problems}


def test_saying_15_or_under_is_being_under_16(register):
    with pytest.raises(ValidationError) as error:
        register.participants.add(answers={"age_band": "0_15"})
    assert {p.field for p in error.value.problems} == {"guardian_name"}


def test_online_registrations_per_sender_are_counted_in_the_database(register, sheet):
    event = _planned(register)
    for _ in range(2):
        register.events.register_online(
            event.registration_token,
            person={},
            scopes={"take_part": True},
            information_sheet=sheet.id,
            client_key="sender-a",
            per_hour=2,
        )
    with pytest.raises(RateLimited) as error:
        register.events.register_online(
            event.registration_token,
            person={},
            scopes={"take_part": True},
            information_sheet=sheet.id,
            client_key="sender-a",
            per_hour=2,
        )
    assert error.value.retry_after >= 60
    register.events.register_online(  # another sender is not held up
        event.registration_token,
        person={},
        scopes={"take_part": True},
        information_sheet=sheet.id,
        client_key="sender-b",
        per_hour=2,
    )


def test_a_past_or_held_event_takes_no_registrations(register, sheet):
    past = register.events.create(
        kind="world_cafe",
        title="Long ago",
        starts_at=datetime(2020, 5, 1, 10, tzinfo=UTC),
        ends_at=datetime(2020, 5, 1, 12, tzinfo=UTC),
    )
    past = register.events.open_registration(past.id)
    with pytest.raises(NotFound):
        register.events.by_token(past.registration_token)
    held = _planned(register)
    register.events.update(held.id, {"status": "held"}, version=None)
    with pytest.raises(ValidationError) as error:
        register.events.register(held.id, consenting(register, sheet.id).id)
    assert {p.field for p in error.value.problems} == {"event"}

"""Opening hours in words and "open now" (formats/opening_hours.py), checked by hand on the
calendar of 2026: Monday 7 December is an ordinary Monday, Friday 25 December is Christmas Day
and Monday 28 December is the Boxing Day bank holiday (Boxing Day falls on a Saturday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.formats.assets import parse_opening_hours
from mobilise.formats.opening_hours import (
    CLOSED,
    DAY_CODES,
    OPEN,
    UNKNOWN,
    bank_holiday,
    open_at,
    read_schedule,
    state_words,
)


def row(byday: str, opens: str = "", closes: str = "", description: str = "") -> dict[str, str]:
    return {"byday": byday, "opens_at": opens, "closes_at": closes, "description": description}


OFFICE = [row("MO,TU,WE,TH,FR", "09:00", "17:00"), row("SA", "10:00", "12:00")]
ORDINARY_MONDAY = date(2026, 12, 7)
BOXING_DAY_HOLIDAY = date(2026, 12, 28)  # a Monday
CHRISTMAS = date(2026, 12, 25)  # a Friday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def test_the_week_reads_in_order_monday_first_with_hours_and_closed_days():
    shuffled = [row("SA", "10:00", "12:00"), row("FR,TH,WE,TU,MO", "09:00", "17:00")]
    assert read_schedule(shuffled).lines() == [
        "Monday 09:00–17:00",
        "Tuesday 09:00–17:00",
        "Wednesday 09:00–17:00",
        "Thursday 09:00–17:00",
        "Friday 09:00–17:00",
        "Saturday 10:00–12:00",
        "Sunday closed",
        "Bank holidays closed",
    ]


def test_two_sessions_a_day_read_as_one_line():
    week = read_schedule([row("MO", "13:30", "17:00"), row("MO", "09:00", "12:30")])
    assert week.days[0].text() == "Monday 09:00–12:30 and 13:30–17:00"
    assert open_at(week, at(ORDINARY_MONDAY, 13)) is False  # lunchtime
    assert open_at(week, at(ORDINARY_MONDAY, 14)) is True


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(ORDINARY_MONDAY, 10), True),
        (at(ORDINARY_MONDAY, 9), True),  # opening time
        (at(ORDINARY_MONDAY, 8, 59), False),
        (at(ORDINARY_MONDAY, 17), False),  # closing time: closed
        (at(ORDINARY_MONDAY + timedelta(days=5), 11), True),  # Saturday 12 December
        (at(ORDINARY_MONDAY + timedelta(days=6), 11), False),  # Sunday: closed
        (at(BOXING_DAY_HOLIDAY, 10), False),  # a bank holiday, not marked open on one
        (at(CHRISTMAS, 10), False),
    ],
)
def test_open_at_chosen_times_including_bank_holidays(moment, expected):
    assert open_at(OFFICE, moment) is expected


def test_an_asset_marked_open_on_bank_holidays_opens_with_those_hours():
    schedule = [*OFFICE, row("PH", "10:00", "14:00")]
    assert open_at(schedule, at(BOXING_DAY_HOLIDAY, 11)) is True
    assert open_at(schedule, at(BOXING_DAY_HOLIDAY, 15)) is False
    assert read_schedule(schedule).bank_holidays.text() == "Bank holidays 10:00–14:00"


def test_bank_holidays_come_from_the_holidays_library():
    assert bank_holiday(BOXING_DAY_HOLIDAY) is not None
    assert "Boxing Day" in (bank_holiday(BOXING_DAY_HOLIDAY) or "")
    assert bank_holiday(date(2026, 8, 31)) is not None  # Late Summer Bank Holiday
    assert bank_holiday(ORDINARY_MONDAY) is None
    assert bank_holiday(date(2026, 11, 30)) is None  # St Andrew's Day: Scotland only


def test_no_schedule_is_not_known_not_closed():
    assert open_at([], at(ORDINARY_MONDAY, 10)) is None
    assert open_at(None, at(ORDINARY_MONDAY, 10)) is None
    assert read_schedule([]).lines() == ["Opening hours not recorded"]
    assert state_words(None) == "Opening hours not known"
    assert (state_words(True), state_words(False)) == ("Open now", "Closed now")


def test_the_libraries_words_without_times_say_times_are_not_recorded():
    schedule = [
        row("MO", description="All Day (continuous)"),
        row("FR", description="AM & PM (continuous)"),
    ]
    week = read_schedule(schedule)
    assert week.days[4].text() == "Friday open morning and afternoon (times not recorded)"
    assert week.days[0].text() == "Monday open all day (times not recorded)"
    assert week.days[1].state == CLOSED  # a week that names days is complete
    friday = ORDINARY_MONDAY + timedelta(days=4)
    assert open_at(schedule, at(friday, 10)) is None  # open that day, but when is not known
    assert open_at(schedule, at(ORDINARY_MONDAY + timedelta(days=1), 10)) is False
    assert open_at(schedule, at(BOXING_DAY_HOLIDAY, 10)) is False


def test_hours_past_midnight_belong_to_the_night_they_began():
    schedule = [row("FR", "22:00", "02:00")]
    friday = ORDINARY_MONDAY + timedelta(days=4)
    assert open_at(schedule, at(friday, 23)) is True
    assert open_at(schedule, at(friday + timedelta(days=1), 1)) is True  # Saturday 01:00
    assert open_at(schedule, at(friday + timedelta(days=1), 3)) is False
    assert open_at(schedule, at(friday, 1)) is False  # Friday 01:00: Thursday was closed
    assert read_schedule(schedule).days[4].text() == "Friday 22:00–02:00"


def test_open_24_hours():
    schedule = parse_opening_hours("24/7")
    week = read_schedule(schedule)
    assert week.days[0].text() == "Monday open 24 hours"
    assert open_at(schedule, datetime(2026, 12, 8, 23, 59, 30)) is True


def test_osm_opening_hours_as_the_importer_keeps_them():
    schedule = parse_opening_hours("Mo-Fr 09:00-12:30,13:30-17:00; Sa 10:00-12:00; PH off")
    lines = read_schedule(schedule).lines()
    assert lines[0] == "Monday 09:00–12:30 and 13:30–17:00"
    assert lines[5:] == ["Saturday 10:00–12:00", "Sunday closed", "Bank holidays closed"]


def test_a_moment_with_a_time_zone_is_read_in_uk_time():
    summer_monday = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)  # 09:30 British Summer Time
    assert open_at(OFFICE, summer_monday) is True
    assert open_at(OFFICE, summer_monday.replace(tzinfo=None)) is False  # 08:30 local


def test_a_row_not_understood_is_kept_whole_and_makes_other_days_unknown():
    schedule = [row("MO", "09:00", "17:00"), row("1MO", "18:00", "20:00", "first Monday")]
    week = read_schedule(schedule)
    assert week.not_understood == ("1MO 18:00–20:00 first Monday",)
    assert week.days[0].text() == "Monday 09:00–17:00"  # the first Monday row used nowhere
    assert week.days[1].state == UNKNOWN
    assert open_at(schedule, at(ORDINARY_MONDAY + timedelta(days=1), 10)) is None
    assert open_at(schedule, at(ORDINARY_MONDAY, 19)) is False
    assert (
        week.lines()[-1] == "Not understood, as the source wrote it: “1MO 18:00–20:00 first Monday”"
    )


@pytest.mark.parametrize(
    "bad",
    [
        row("MO", "09:00", ""),  # an opening without a closing
        row("MO", "9am", "5pm"),  # not HH:MM
        row("MO", "25:00", "26:00"),
        row("XX", "09:00", "17:00"),
        {"byday": 5, "opens_at": "09:00", "closes_at": "17:00"},
        "Mo-Fr 09:00-17:00",  # text where a row was expected
    ],
)
def test_rows_that_cannot_be_read_are_never_half_read(bad):
    week = read_schedule([bad])
    assert week.rows_read == 0 and len(week.not_understood) == 1
    assert all(day.state == UNKNOWN for day in week.days)
    assert week.lines()[0] == "Opening hours not known"


def test_a_note_without_days_is_said_and_decides_nothing():
    week = read_schedule([row("", description="Mo-Fr sunrise-sunset")])
    assert week.lines() == ["Opening hours not known", "The source says: “Mo-Fr sunrise-sunset”"]
    assert open_at(week, at(ORDINARY_MONDAY, 10)) is None


# -- properties ------------------------------------------------------------------------------

VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["MO", "MO,TU", "PH", "SU,SA", "09:00", "17:30", "23:59", "24:00", "00:00"]),
    st.integers(-5, 3000),
    st.lists(st.text(max_size=4), max_size=3),
)
ANY_ROW = st.one_of(
    st.dictionaries(
        st.sampled_from(["byday", "opens_at", "closes_at", "description", "other"]), VALUES
    ),
    st.text(max_size=20),
    st.integers(),
    st.none(),
)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))


@settings(max_examples=150, deadline=None)
@given(st.lists(ANY_ROW, max_size=8), MOMENTS)
def test_any_schedule_is_read_without_crashing_and_every_row_is_accounted_for(rows, moment):
    week = read_schedule(rows)
    assert len(week.days) == 7
    assert week.rows == len(rows)
    assert week.rows_read + len(week.not_understood) == len(rows)  # used whole, or said
    assert open_at(week, moment) in (True, False, None)
    assert all(isinstance(line, str) and line for line in week.lines())
    week.to_dict()


def _spans(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Non-overlapping spans within one day, in minutes (closing before midnight)."""
    edges = sorted(set(draw(st.lists(st.integers(0, 1438), max_size=6))))  # 23:59 ends a day
    return [(edges[i], edges[i + 1]) for i in range(0, len(edges) - 1, 2)]


@st.composite
def weekly_plans(draw: st.DrawFn) -> list[list[tuple[int, int]]]:
    return [_spans(draw) for _ in range(7)]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@settings(max_examples=100, deadline=None)
@given(weekly_plans(), st.integers(0, 6), st.integers(0, 1439))
def test_a_well_formed_week_is_read_exactly(plan, weekday, minute):
    rows = [row(DAY_CODES[d], _clock(o), _clock(c)) for d in range(7) for o, c in plan[d]]
    week = read_schedule(rows)
    assert week.not_understood == ()
    unnamed = CLOSED if rows else UNKNOWN  # no schedule at all says nothing of any day
    for d in range(7):
        assert [(s.opens, s.closes) for s in week.days[d].spans] == plan[d]
        assert week.days[d].state == (OPEN if plan[d] else unnamed)
    moment = at(ORDINARY_MONDAY + timedelta(days=weekday), minute // 60, minute % 60)
    expected = any(o <= minute < c for o, c in plan[weekday]) if rows else None
    assert open_at(rows, moment) is expected


@settings(max_examples=100, deadline=None)
@given(weekly_plans(), st.sampled_from(["XX", "1MO", "MO;TU", "Mon-Fri"]))
def test_one_unreadable_row_leaves_the_others_and_closes_nothing_it_might_concern(plan, byday):
    rows = [row(DAY_CODES[d], _clock(o), _clock(c)) for d in range(7) for o, c in plan[d]]
    week = read_schedule([*rows, row(byday, "09:00", "17:00")])
    assert len(week.not_understood) == 1
    for d in range(7):
        assert week.days[d].state == (OPEN if plan[d] else UNKNOWN)

"""Opening hours as people read them: the week in order, "open now", and bank holidays.

What is read
------------
An asset's ``schedule`` as the importers store it: HSDS / Open Referral UK weekly rows, one
mapping each (``formats/oruk.py`` keeps a feed's ``regular_schedule``; ``formats/_osm.py`` and
the file readers turn OpenStreetMap ``opening_hours`` text and per-day columns into the same
rows):

``byday``        the days the row holds, RFC 5545 codes joined by commas (``"MO,TU,WE"``); full
                 English day names are read too, and ``PH`` (OpenStreetMap's public holiday)
                 means bank holidays. No days with times: every day.
``opens_at``     local opening time, ``HH:MM`` (``HH:MM:SS`` read too);
``closes_at``    local closing time; one at or before the opening time runs past midnight, and
                 ``00:00``-``23:59`` (or ``24:00``) is open all day.
``description``  the source's own words: a note to the row's times, or the only thing a source
                 says of a day (the public libraries' "AM & PM (continuous)"), or, with no days
                 and no times, a note on the whole week (the text of an OpenStreetMap
                 ``opening_hours`` the importer could not read is kept this way).

The rules
---------
- A week that names days is complete: a day no row names is **closed**.
- A row whose days or times cannot be read is **not understood**: it is kept aside whole and
  said as the source wrote it, and no part of it is used (nothing is half-read). While any row
  is not understood, the days no row names are **not known** rather than closed, because that
  row may have been about them.
- A day named by a row without times is open with its **times not recorded**; "open now" is
  then not known on that day (``None``), unless another row of the day gives times that cover
  the moment.
- **Bank holidays** are those of England and Wales, from the maintained ``holidays`` library
  (``holidays.country_holidays("GB", subdiv="ENG")``; Wales keeps the same ones). On one, the
  ``PH`` rows give the hours; an asset whose schedule does not say it opens on bank holidays is
  **closed** on one.
- :func:`open_at` answers ``True``, ``False`` or ``None`` (not known): ``None`` also for an
  asset with no schedule at all. A moment without a time zone is UK local time; one with a zone
  is converted to Europe/London first.

Pure standard library but for ``holidays``, imported only when a date is first checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

__all__ = [
    "CLOSED",
    "DAY_CODES",
    "DAY_NAMES",
    "OPEN",
    "UNKNOWN",
    "DayHours",
    "Span",
    "Week",
    "bank_holiday",
    "open_at",
    "read_schedule",
    "state_words",
    "uk_time",
]

OPEN, CLOSED, UNKNOWN = "open", "closed", "unknown"
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BANK_HOLIDAY = "PH"
DAY_MINUTES = 24 * 60
MAX_NOTE = 200  # characters of a source's words shown in one note

_DAY_TOKENS = {
    **{code: i for i, code in enumerate(DAY_CODES)},
    **{name.upper(): i for i, name in enumerate(DAY_NAMES)},
    **{name[:3].upper(): i for i, name in enumerate(DAY_NAMES)},
}
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_CLOSED_WORDS = {"closed", "shut", "off", "closed all day"}
# What a few publishers write instead of times (the Public libraries in England dataset's
# hours columns), in plain words.
_PHRASES = {
    "all day (continuous)": "open all day",
    "all day (with closure)": "open all day, with a break",
    "am & pm (continuous)": "open morning and afternoon",
    "am & pm (with closure)": "open morning and afternoon, closed at lunchtime",
    "am only": "open in the morning only",
    "pm only": "open in the afternoon only",
    "pm & eve (continuous)": "open afternoon and evening",
    "pm & eve (with closure)": "open afternoon and evening, with a break",
    "am & eve (with closure)": "open morning and evening, with a break",
    "eve only": "open in the evening only",
    "appointment only": "by appointment only",
}


@dataclass(frozen=True, order=True)
class Span:
    """Open from ``opens`` to ``closes``, in minutes after midnight; ``closes`` past
    :data:`DAY_MINUTES` runs into the next day."""

    opens: int
    closes: int

    @property
    def all_day(self) -> bool:
        return self.opens == 0 and self.closes == DAY_MINUTES

    def text(self) -> str:
        if self.all_day:
            return "open 24 hours"
        if self.closes == DAY_MINUTES:
            return f"{_clock(self.opens)}–midnight"
        return f"{_clock(self.opens)}–{_clock(self.closes % DAY_MINUTES)}"


@dataclass(frozen=True)
class DayHours:
    """One day of the week (or bank holidays): open, closed or not known, with its times."""

    name: str
    state: str  # OPEN, CLOSED or UNKNOWN
    spans: tuple[Span, ...] = ()
    notes: tuple[str, ...] = ()  # the source's words for the day, in plain words where known
    times_recorded: bool = True  # False: a row names the day without times

    def hours_text(self) -> str:
        """The day's hours without its name: ``"09:00–12:30 and 13:30–17:00"``, ``"closed"``,
        ``"not known"``, ``"open morning and afternoon (times not recorded)"``."""
        if self.state == CLOSED:
            return "closed"
        if self.state == UNKNOWN:
            return "not known"
        parts = [" and ".join(s.text() for s in self.spans)] if self.spans else []
        words = "; ".join(self.notes)
        if not self.times_recorded:
            words = f"{words} (times not recorded)" if words else "open, times not recorded"
        elif words:
            words = f"({words})"
        return " ".join(p for p in (*parts, words) if p)

    def text(self) -> str:
        """``"Monday 09:00–17:00"``, ``"Saturday closed"``."""
        return f"{self.name} {self.hours_text()}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.name,
            "state": self.state,
            "hours": [
                {"opens": _clock(s.opens), "closes": _clock(s.closes % DAY_MINUTES or s.closes)}
                for s in self.spans
            ],
            "times_recorded": self.times_recorded,
            "notes": list(self.notes),
            "text": self.hours_text(),
        }


@dataclass(frozen=True)
class Week:
    """A schedule read: the seven days from Monday, bank holidays, and what was not read."""

    days: tuple[DayHours, ...]
    bank_holidays: DayHours
    notes: tuple[str, ...] = ()  # the source's words on the whole week
    not_understood: tuple[str, ...] = ()  # rows kept aside whole, as the source wrote them
    rows: int = 0  # rows in the schedule
    rows_read: int = 0  # rows used (the others are in not_understood)

    @property
    def recorded(self) -> bool:
        """Whether the source gave any opening hours at all."""
        return self.rows > 0

    @property
    def known(self) -> bool:
        """Whether at least one day is known to be open or closed."""
        return any(d.state != UNKNOWN for d in self.days)

    def lines(self) -> list[str]:
        """The week in words, Monday first, then bank holidays and what could not be read."""
        if not self.recorded:
            return ["Opening hours not recorded"]
        lines = [d.text() for d in self.days] if self.known else ["Opening hours not known"]
        if self.known:
            lines.append(self.bank_holidays.text())
        lines += [f"The source says: “{note}”" for note in self.notes]
        lines += [f"Not understood, as the source wrote it: “{t}”" for t in self.not_understood]
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "known": self.known,
            "days": [d.to_dict() for d in self.days],
            "bank_holidays": self.bank_holidays.to_dict(),
            "notes": list(self.notes),
            "not_understood": list(self.not_understood),
            "lines": self.lines(),
        }


@dataclass
class _Day:
    spans: list[Span] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    named: bool = False
    closed: bool = False
    timeless: bool = False


def read_schedule(schedule: Sequence[Any] | None) -> Week:
    """Read stored schedule rows into a :class:`Week` (never raises; see the module's rules)."""
    if schedule is None:
        rows: list[Any] = []
    elif isinstance(schedule, (str, bytes)) or not isinstance(schedule, Sequence):
        rows = [schedule]  # not a list of rows: kept aside whole
    else:
        rows = list(schedule)
    slots = [_Day() for _ in range(8)]  # Monday..Sunday, then bank holidays
    week_notes: list[str] = []
    not_understood: list[str] = []
    for row in rows:
        read = _read_row(row)
        if read is None:
            not_understood.append(_row_text(row))
            continue
        days, span, note = read
        if not days:
            if note:
                week_notes.append(note)
            continue
        for day in days:
            _apply(slots[day], span, note)
    # Unnamed days are closed only in a week that names days and was read whole.
    doubt = bool(not_understood) or not any(slot.named for slot in slots)
    return Week(
        days=tuple(_day_hours(DAY_NAMES[i], slots[i], doubt) for i in range(7)),
        bank_holidays=_day_hours("Bank holidays", slots[7], doubt),
        notes=tuple(dict.fromkeys(week_notes)),
        not_understood=tuple(not_understood),
        rows=len(rows),
        rows_read=len(rows) - len(not_understood),
    )


def open_at(schedule: Sequence[Any] | Week | None, moment: datetime) -> bool | None:
    """Whether the asset is open at ``moment``: ``True``, ``False`` or ``None`` (not known).

    ``moment`` without a time zone is UK local time. On a bank holiday of England and Wales
    the ``PH`` hours count, and an asset not marked as open on bank holidays is closed.
    """
    week = schedule if isinstance(schedule, Week) else read_schedule(schedule)
    if not week.recorded:
        return None
    local = uk_time(moment)
    minute = local.hour * 60 + local.minute
    yesterday = _rule_for(week, local.date() - timedelta(days=1))
    if any(s.closes > DAY_MINUTES and minute < s.closes - DAY_MINUTES for s in yesterday.spans):
        return True  # still open from a night that began yesterday
    today = _rule_for(week, local.date())
    if today.state == CLOSED:
        return False
    if any(s.opens <= minute < s.closes for s in today.spans):
        return True
    if today.state == UNKNOWN or not today.times_recorded:
        return None
    return False


def state_words(state: bool | None) -> str:
    """``"Open now"``, ``"Closed now"`` or ``"Opening hours not known"``."""
    if state is None:
        return "Opening hours not known"
    return "Open now" if state else "Closed now"


def bank_holiday(day: date) -> str | None:
    """The name of the England and Wales bank holiday on ``day``, or ``None``."""
    return _bank_holidays(day.year).get(day)


# -- reading rows ---------------------------------------------------------------------------


def _read_row(row: Any) -> tuple[list[int], Span | None, str] | None:
    """(days, times, note) of one row, or None when any part of it cannot be read."""
    if not isinstance(row, Mapping):
        return None
    days = _days(row.get("byday"))
    opens, closes = _minutes(row.get("opens_at")), _minutes(row.get("closes_at"), closing=True)
    note = _note(row.get("description"))
    if days is None or opens is False or closes is False or note is None:
        return None
    if (opens is None) != (closes is None) or opens == DAY_MINUTES:
        return None  # an opening without a closing (or the reverse) is half a fact
    span = None
    if opens is not None and closes is not None:
        if closes == opens and not (opens == 0 and closes in (0, DAY_MINUTES)):
            return None
        end = closes if closes > opens else closes + DAY_MINUTES
        span = Span(opens, DAY_MINUTES if opens == 0 and end in (0, DAY_MINUTES) else end)
    if not days and span is not None:
        days = list(range(7))  # times without days: every day of the week
    return days, span, note


def _days(value: Any) -> list[int] | None:
    if value is None:
        return []
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        value = ",".join(value)
    if not isinstance(value, str):
        return None
    tokens = [t.strip().upper() for t in re.split(r"[,\s]+", value) if t.strip()]
    days: list[int] = []
    for token in tokens:
        if token == BANK_HOLIDAY:
            days.append(7)
        elif token in _DAY_TOKENS:
            days.append(_DAY_TOKENS[token])
        else:
            return None
    return sorted(set(days))


def _minutes(value: Any, *, closing: bool = False) -> int | bool | None:
    """Minutes after midnight; None when not given; False when it cannot be read."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        return False
    match = _TIME.fullmatch(value.strip())
    if match is None:
        return False
    hours, minutes = int(match.group(1)), int(match.group(2))
    seconds = int(match.group(3) or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and (minutes or seconds)):
        return False
    if closing and hours == 23 and minutes == 59:
        return DAY_MINUTES  # HSDS writes the end of the day as 23:59
    return hours * 60 + minutes


def _note(value: Any) -> str | None:
    """The source's words in plain words; None when they are not text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    text = "".join(ch for ch in text if ch.isprintable())
    phrase = _PHRASES.get(text.casefold())
    if phrase is not None:
        return phrase
    return text if len(text) <= MAX_NOTE else text[: MAX_NOTE - 1] + "…"


def _apply(slot: _Day, span: Span | None, note: str) -> None:
    slot.named = True
    if span is not None:
        slot.spans.append(span)
    elif note.casefold() in _CLOSED_WORDS:
        slot.closed = True
        return
    else:
        slot.timeless = True
    if note and note not in slot.notes:
        slot.notes.append(note)


def _day_hours(name: str, slot: _Day, doubt: bool) -> DayHours:
    if slot.spans or slot.timeless:
        return DayHours(
            name,
            OPEN,
            tuple(sorted(set(slot.spans))),
            tuple(slot.notes),
            times_recorded=not slot.timeless,
        )
    if slot.closed or not doubt:
        return DayHours(name, CLOSED)
    return DayHours(name, UNKNOWN)


def _row_text(row: Any) -> str:
    if isinstance(row, Mapping):
        times = "–".join(str(row.get(k)) for k in ("opens_at", "closes_at") if row.get(k))
        parts = [row.get("byday"), times, row.get("description")]
        text = " ".join(str(p) for p in parts if p not in (None, ""))
    else:
        text = str(row)
    text = "".join(ch for ch in " ".join(text.split()) if ch.isprintable())
    return (text[: MAX_NOTE - 1] + "…" if len(text) > MAX_NOTE else text) or "(an empty row)"


# -- dates -----------------------------------------------------------------------------------


def _rule_for(week: Week, day: date) -> DayHours:
    return week.bank_holidays if bank_holiday(day) else week.days[day.weekday()]


def uk_time(moment: datetime) -> datetime:
    """``moment`` as UK local time without a zone (one without a zone is taken as UK time)."""
    if moment.tzinfo is None:
        return moment
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).replace(tzinfo=None)


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _clock(minutes: int) -> str:
    if minutes == DAY_MINUTES:
        return "24:00"
    return f"{minutes // 60:02d}:{minutes % 60:02d}"

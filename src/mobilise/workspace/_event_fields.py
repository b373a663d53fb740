"""What the event service checks and returns: an engagement event, a registration, a page of
events, and the checks of an event's fields.

Times: the service stores UTC. A time given without a zone (a form's ``datetime-local``, a CLI
option) is read as UK local time (Europe/London), which is what a facilitator means by "10:00".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from mobilise.errors import Problem
from mobilise.model.engagement_vocab import EVENT_KINDS, EVENT_STATUSES

if TYPE_CHECKING:
    from sqlalchemy import Row

__all__ = [
    "EVENT_FIELDS",
    "MAX_CAPACITY",
    "MAX_FACILITATORS",
    "UK",
    "Event",
    "EventPage",
    "Registration",
    "event_problems",
    "parse_when",
    "registration_of",
]

UK = ZoneInfo("Europe/London")
MAX_CAPACITY = 100_000
MAX_FACILITATORS = 30
MAX_NAME = 200
EVENT_FIELDS = (
    "kind",
    "title",
    "purpose",
    "place",
    "venue_asset_id",
    "venue_address",
    "starts_at",
    "ends_at",
    "online",
    "facilitators",
    "map_id",
    "accessibility",
    "capacity",
    "public",
    "illustrative",
)
"""The fields :meth:`EventService.create` and :meth:`EventService.update` take (with
``partners``; the status changes through ``cancel`` and ``update(status="held")``)."""

PUBLIC_FIELDS = (
    "id",
    "kind",
    "kind_label",
    "title",
    "purpose",
    "place",
    "venue_name",
    "venue_address",
    "starts_at",
    "ends_at",
    "online",
    "accessibility",
    "status",
    "public",
    "illustrative",
    "registration_open",
    "full",
)
"""What the public and anonymous visitors see of a public event (whether it is full, not how
many registered)."""


def parse_when(value: Any, field_name: str, problems: list[Problem]) -> datetime | None:
    """A time as UTC: a datetime (naive: UK local time) or ISO 8601 text."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and value.strip():
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            problems.append(
                Problem(
                    f"{value[:40]!r} is not a date and time (YYYY-MM-DDTHH:MM)", field=field_name
                )
            )
            return None
    else:
        problems.append(Problem("a date and time is needed (YYYY-MM-DDTHH:MM)", field=field_name))
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UK)
    return when.astimezone(UTC)


def _text_problems(values: Mapping[str, Any], problems: list[Problem]) -> None:
    for name in ("title", "purpose", "venue_address", "accessibility"):
        if name in values and not isinstance(values[name], str):
            problems.append(Problem("text is needed", field=name))
    if "title" in values and isinstance(values["title"], str) and not values["title"].strip():
        problems.append(Problem("an event needs a title", field="title"))


def _list_problems(values: Mapping[str, Any], problems: list[Problem]) -> None:
    if "facilitators" not in values:
        return
    found = values["facilitators"]
    if found is None:
        problems.append(Problem("a list of names (empty for none)", field="facilitators"))
        return
    if isinstance(found, str) or not all(isinstance(name, str) for name in found):
        problems.append(Problem("a list of names", field="facilitators"))
    elif len(found) > MAX_FACILITATORS:
        problems.append(Problem(f"at most {MAX_FACILITATORS} facilitators", field="facilitators"))
    elif any(len(name) > MAX_NAME for name in found):
        problems.append(Problem(f"each name at most {MAX_NAME} characters", field="facilitators"))


def event_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every problem with an event's own fields (not the records they name)."""
    problems: list[Problem] = []
    if "kind" in values and values["kind"] not in EVENT_KINDS:
        problems.append(
            Problem(
                f"{str(values['kind'])[:40]!r} is not a kind of event: one of "
                f"{', '.join(EVENT_KINDS)}",
                field="kind",
            )
        )
    if "status" in values and values["status"] not in EVENT_STATUSES:
        problems.append(Problem(f"one of {', '.join(EVENT_STATUSES)}", field="status"))
    _text_problems(values, problems)
    _list_problems(values, problems)
    capacity = values.get("capacity")
    if capacity is not None and (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= MAX_CAPACITY
    ):
        problems.append(
            Problem(f"a whole number from 1 to {MAX_CAPACITY:,}, or none", field="capacity")
        )
    for name in ("online", "public", "illustrative"):
        if name in values and not isinstance(values[name], bool):
            problems.append(Problem("yes or no (true or false)", field=name))
    return problems


@dataclass(frozen=True)
class Event:
    """An engagement event, with its partners and registration counts."""

    id: str
    kind: str
    title: str
    purpose: str
    place: str | None
    venue_asset_id: str | None
    venue_name: str | None
    venue_address: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    facilitators: list[str]
    map_id: str | None
    map_title: str | None
    accessibility: str
    status: str
    capacity: int | None
    public: bool
    registration_token: str | None
    version: int
    illustrative: bool = False  # a demo event, generated
    partners: list[dict[str, str]] = field(default_factory=list)
    registered: int = 0
    waiting: int = 0
    attended: int = 0

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def registration_open(self) -> bool:
        return self.registration_token is not None and self.status == "planned"

    @property
    def full(self) -> bool:
        """Whether a new registration would wait."""
        return self.capacity is not None and self.registered >= self.capacity

    @property
    def places_left(self) -> int | None:
        """Places still free (``None``: no cap)."""
        return None if self.capacity is None else max(0, self.capacity - self.registered)

    def local(self, when: datetime) -> datetime:
        """A time of the event in UK local time (for pages)."""
        return when.astimezone(UK)

    def to_dict(self, *, public: bool = False) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            kind_label=self.kind_label,
            registration_open=self.registration_open,
            places_left=self.places_left,
            full=self.full,
            starts_at=self.starts_at.isoformat(),
            ends_at=self.ends_at.isoformat(),
        )
        if public:
            return {name: out[name] for name in PUBLIC_FIELDS}
        return out


@dataclass(frozen=True)
class EventPage:
    """One page of a list of events, and how many there are in all."""

    items: list[Event]
    total: int
    limit: int
    offset: int

    def to_dict(self, *, public: bool = False) -> dict[str, Any]:
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "items": [event.to_dict(public=public) for event in self.items],
        }


@dataclass(frozen=True)
class Registration:
    """A participant's place at an event (by pseudonym), and whether they came."""

    id: str
    event_id: str
    participant_id: str
    code: str
    status: str
    registered_at: datetime
    attended_at: datetime | None
    brought_by: str | None
    version: int

    @property
    def attended(self) -> bool:
        return self.attended_at is not None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["registered_at"] = self.registered_at.isoformat()
        out["attended_at"] = self.attended_at.isoformat() if self.attended_at else None
        out["attended"] = self.attended
        return out


def registration_of(row: Row[Any]) -> Registration:
    return Registration(
        id=row.id,
        event_id=row.event_id,
        participant_id=row.participant_id,
        code=row.code,
        status=row.status,
        registered_at=row.registered_at,
        attended_at=row.attended_at,
        brought_by=row.brought_by,
        version=row.version,
    )

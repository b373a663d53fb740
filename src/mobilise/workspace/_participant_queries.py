"""What the participant service reads besides the record itself: a page of participants found
by place and pseudonym, the events each attended (the ``registrations`` table, read here so that
a participant's page needs no event service), and when an identity was erased (the audit trail).

Every function takes an open connection inside the caller's read; a page of 50 participants out
of 50,000 costs one counted query, one page query and one query per 1,000 ids for the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from mobilise.errors import Problem, ValidationError
from mobilise.store.tables import audit_log, engagement_events, participants, registrations

__all__ = [
    "MAX_PAGE",
    "Attendance",
    "ParticipantPage",
    "attendance_counts",
    "attended",
    "chunks",
    "erased_at",
    "filtered",
    "paging_problems",
]

MAX_PAGE = 500
"""The most participants one page or API answer lists."""
_SEARCH = re.compile(r"^[A-Za-z0-9-]{1,20}$")
IDENTITY_ENTITY = "participant identity"


@dataclass(frozen=True)
class Attendance:
    """One event a participant registered for, and whether they came."""

    event_id: str
    title: str
    kind: str
    starts_at: datetime
    event_status: str
    status: str  # the registration's: registered, waiting or cancelled
    attended_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["starts_at"] = self.starts_at.isoformat()
        out["attended_at"] = self.attended_at.isoformat() if self.attended_at else None
        return out


@dataclass(frozen=True)
class ParticipantPage:
    """One page of participants (``items``) out of ``total`` that match."""

    items: list[Any]
    total: int
    limit: int
    offset: int


def chunks(ids: Sequence[str], size: int = 1000) -> Iterator[list[str]]:
    """``ids`` in lists of at most ``size`` (a bound parameter each)."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def filtered(query: Select[Any], *, place: str | None, search: str | None = None) -> Select[Any]:
    """``query`` kept to live participants of ``place`` whose code contains ``search``."""
    query = query.where(participants.c.deleted_at.is_(None))
    if place is not None:
        query = query.where(participants.c.place_slug == place)
    if search:
        if not _SEARCH.match(search):
            raise ValidationError(
                "Cannot search participants.",
                problems=[
                    Problem(
                        "search by pseudonym code: letters, digits and '-', at most 20",
                        field="q",
                    )
                ],
            )
        query = query.where(participants.c.code.contains(search.strip().upper()))
    return query


def paging_problems(limit: int, offset: int) -> list[Problem]:
    problems = []
    if not 1 <= limit <= MAX_PAGE:
        problems.append(Problem(f"from 1 to {MAX_PAGE}", field="limit"))
    if offset < 0:
        problems.append(Problem("0 or more", field="offset"))
    return problems


def attended(connection: Connection, participant_id: str) -> list[Attendance]:
    """The events a participant registered for, newest first."""
    rows = connection.execute(
        select(
            engagement_events.c.id,
            engagement_events.c.title,
            engagement_events.c.kind,
            engagement_events.c.starts_at,
            engagement_events.c.status.label("event_status"),
            registrations.c.status,
            registrations.c.attended_at,
        )
        .join(engagement_events, engagement_events.c.id == registrations.c.event_id)
        .where(
            registrations.c.participant_id == participant_id,
            registrations.c.deleted_at.is_(None),
            engagement_events.c.deleted_at.is_(None),
        )
        .order_by(engagement_events.c.starts_at.desc())
    ).all()
    return [Attendance(*row) for row in rows]


def attendance_counts(connection: Connection, participant_ids: Iterable[str]) -> dict[str, int]:
    """How many events each participant attended (signed in at); absent: none."""
    out: dict[str, int] = {}
    for batch in chunks(list(dict.fromkeys(participant_ids))):
        rows = connection.execute(
            select(registrations.c.participant_id, func.count())
            .join(engagement_events, engagement_events.c.id == registrations.c.event_id)
            .where(
                registrations.c.participant_id.in_(batch),
                registrations.c.attended_at.is_not(None),
                registrations.c.deleted_at.is_(None),
                engagement_events.c.deleted_at.is_(None),
            )
            .group_by(registrations.c.participant_id)
        ).all()
        out.update({participant_id: int(n) for participant_id, n in rows})
    return out


def erased_at(connection: Connection, participant_id: str) -> datetime | None:
    """When the participant's identity was last erased (from the audit trail), if ever."""
    found: datetime | None = connection.execute(
        select(func.max(audit_log.c.at)).where(
            audit_log.c.entity_type == IDENTITY_ENTITY,
            audit_log.c.entity_id == participant_id,
            audit_log.c.action == "erase",
        )
    ).scalar_one_or_none()
    return found

"""World Cafés and whole-system workshops as data: a café's questions (one or more per round,
and the closing plenary's), its tables with their hosts, the harvest of each table per round and
the plenary's; a workshop's agenda items with their notes.

The harvest is ``event_contributions``: a table's note is a contribution of kind ``note`` by the
table (``group_label`` = the table's label, ``harvest`` = ``"table"``, ``round_number``,
``question_id``); a photo of the paper sheet is a ``photo`` added through
:meth:`EventContributionService.add
<mobilise.workspace.event_contributions.EventContributionService.add>` (its bytes are checked and
stored there); the plenary's notes have ``harvest`` = ``"plenary"``. Reads of the harvest go
through that service's consent filter: a table's notes are always shown, a note by a person only
while the person's consent allows it (:meth:`ConsentService.permitted
<mobilise.workspace.consent.ConsentService.permitted>`).

**A note sent twice is stored once.** A phone gives every note its own ``client_key`` (a UUID);
a resend after a reload, or a retry on a poor connection, finds the key already stored and is
answered "already stored" (``Harvested.stored`` False) with the note as it was kept.

**Table hosts without an account** open the table's harvest page through a per-table link
whose token is an HMAC-SHA256 of the table's id and creation time keyed with the app's secret
(``MOBILISE_SECRET_KEY``): nothing to store, one token per table, useless for any other table or
event, and dead once the table is taken away or the event is cancelled.

Agreed actions of a workshop are ``actions`` (the "you said, we did" service); this module keeps
only the agenda and its notes.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobilise.errors import Conflict, NotFound, PermissionDenied, Problem, ValidationError
from mobilise.store.records import insert_record, soft_delete_record
from mobilise.store.tables import agenda_items, cafe_questions, cafe_tables, engagement_events
from mobilise.workspace._cafe_harvest import HarvestService
from mobilise.workspace._cafe_records import MAX_ROUNDS, AgendaItem, CafeQuestion, CafeTable

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mobilise.workspace.core import Workspace

__all__ = ["MAX_ROUNDS", "AgendaItem", "CafeQuestion", "CafeService", "CafeTable"]

MAX_QUESTION_CHARS = 1_000
MAX_LABEL_CHARS = 120
MAX_HOST_CHARS = 200
MAX_TITLE_CHARS = 300
MAX_NOTES_CHARS = 10_000
MAX_TOKEN_CHARS = 64


class CafeService(HarvestService):
    """A café's set-up (questions, tables, host links), its harvest, and a workshop's agenda."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- questions ---------------------------------------------------------------------------
    def add_question(
        self, event: str, text: str, *, round_number: int | None = None, position: int = 1
    ) -> CafeQuestion:
        """Add a question to a round (1..``MAX_ROUNDS``), or the plenary's (``round_number``
        None)."""
        text = " ".join(str(text).split())
        problems = _text_problems(text, "text", MAX_QUESTION_CHARS)
        if round_number is not None and not 1 <= round_number <= MAX_ROUNDS:
            problems.append(Problem(f"a round from 1 to {MAX_ROUNDS}", field="round_number"))
        if problems:
            raise ValidationError("Cannot add the question.", problems=problems)
        with self._ws.write() as connection:
            self._event(connection, event)
            row = insert_record(
                connection,
                cafe_questions,
                {
                    "event_id": event,
                    "round_number": round_number,
                    "position": position,
                    "text": text,
                },
                actor=self._ws.actor,
                entity_type="café question",
            )
        return _question(row)

    def questions(self, event: str) -> builtins.list[CafeQuestion]:
        """The café's questions, by round (the plenary's last), then position."""
        with self._ws.read() as connection:
            self._event(connection, event)
            rows = connection.execute(
                select(cafe_questions).where(
                    cafe_questions.c.event_id == event, cafe_questions.c.deleted_at.is_(None)
                )
            ).all()
        found = [_question(row._mapping) for row in rows]
        return sorted(found, key=lambda q: (q.round_number or 10_000, q.position, q.text))

    def remove_question(self, question: str) -> None:
        self._remove(cafe_questions, question, "café question")

    # -- tables ------------------------------------------------------------------------------
    def add_table(self, event: str, label: str, *, host: str = "", position: int = 1) -> CafeTable:
        """Add a table (its label unique in the café) with its host."""
        label, host = " ".join(str(label).split()), " ".join(str(host).split())
        problems = _text_problems(label, "label", MAX_LABEL_CHARS)
        if len(host) > MAX_HOST_CHARS:
            problems.append(Problem(f"at most {MAX_HOST_CHARS} characters", field="host"))
        if problems:
            raise ValidationError("Cannot add the table.", problems=problems)
        with self._ws.write() as connection:
            self._event(connection, event)
            if any(t.label.casefold() == label.casefold() for t in self._tables(connection, event)):
                raise Conflict(f"The café already has a table {label!r}.")
            row = insert_record(
                connection,
                cafe_tables,
                {"event_id": event, "label": label, "host": host, "position": position},
                actor=self._ws.actor,
                entity_type="café table",
            )
        return _table(row)

    def tables(self, event: str) -> builtins.list[CafeTable]:
        """The café's tables, in their order."""
        with self._ws.read() as connection:
            self._event(connection, event)
            return self._tables(connection, event)

    def table(self, event: str, table: str) -> CafeTable:
        """One table of the café (by id or label); NotFound otherwise."""
        for found in self.tables(event):
            if table in (found.id, found.label):
                return found
        raise NotFound(f"The event has no café table {table!r}.")

    def remove_table(self, table: str) -> None:
        """Take a table away (its host link stops working; its notes stay)."""
        self._remove(cafe_tables, table, "café table")

    # -- host links --------------------------------------------------------------------------
    def host_token(self, table: str, *, key: str) -> str:
        """The token of a table's host link, keyed with the app's secret ``key``."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(cafe_tables.c.id, cafe_tables.c.created_at).where(
                    cafe_tables.c.id == table, cafe_tables.c.deleted_at.is_(None)
                )
            ).one_or_none()
        if row is None:
            raise NotFound(f"No café table {table!r}.")
        return _token(key, row.id, row.created_at)

    def table_by_token(
        self,
        table: str,
        token: str,
        *,
        key: str,
        valid_hours: int | None = None,
        now: datetime | None = None,
    ) -> CafeTable:
        """The table a host link opens; PermissionDenied when the token is not this table's
        (or the table is gone, or the event cancelled), or, with ``valid_hours``
        (``MOBILISE_HOST_LINK_HOURS``), when the link has expired: that many hours after the
        event's end, or after the table was made if that is later."""
        refused = PermissionDenied(
            "This host link is not valid (ask the facilitator for a new one)."
        )
        if not token or len(token) > MAX_TOKEN_CHARS or len(table) > 36:
            raise refused
        with self._ws.read() as connection:
            row = connection.execute(
                select(cafe_tables, engagement_events.c.status, engagement_events.c.ends_at)
                .join(engagement_events, engagement_events.c.id == cafe_tables.c.event_id)
                .where(
                    cafe_tables.c.id == table,
                    cafe_tables.c.deleted_at.is_(None),
                    engagement_events.c.deleted_at.is_(None),
                )
            ).one_or_none()
        if row is None or row.status == "cancelled":
            raise refused
        if not hmac.compare_digest(_token(key, row.id, row.created_at), token):
            raise refused
        if valid_hours is not None:
            until = max(_utc(row.ends_at), _utc(row.created_at)) + timedelta(hours=valid_hours)
            if (now or datetime.now(UTC)) > until:
                raise PermissionDenied(
                    f"This host link expired on {until:%d %B %Y at %H:%M} UTC, "
                    f"{valid_hours} hours after the event (MOBILISE_HOST_LINK_HOURS): the "
                    "facilitator can add the rest of the notes."
                )
        return _table(row._mapping)

    # -- a workshop's agenda -----------------------------------------------------------------
    def add_agenda_item(
        self, event: str, title: str, *, notes: str = "", position: int | None = None
    ) -> AgendaItem:
        """Add an agenda item (at the end unless ``position`` is given) with its notes."""
        title = " ".join(str(title).split())
        problems = _text_problems(title, "title", MAX_TITLE_CHARS)
        if len(notes) > MAX_NOTES_CHARS:
            problems.append(Problem(f"at most {MAX_NOTES_CHARS:,} characters", field="notes"))
        if problems:
            raise ValidationError("Cannot add the agenda item.", problems=problems)
        with self._ws.write() as connection:
            self._event(connection, event)
            if position is None:
                position = len(self._agenda(connection, event)) + 1
            row = insert_record(
                connection,
                agenda_items,
                {"event_id": event, "position": position, "title": title, "notes": notes.strip()},
                actor=self._ws.actor,
                entity_type="agenda item",
                omit_from_audit=("notes",),
            )
        return _agenda_item(row)

    def agenda(self, event: str) -> builtins.list[AgendaItem]:
        """The workshop's agenda, in order."""
        with self._ws.read() as connection:
            self._event(connection, event)
            return self._agenda(connection, event)

    def remove_agenda_item(self, item: str) -> None:
        self._remove(agenda_items, item, "agenda item")

    # -- helpers -----------------------------------------------------------------------------
    def _event(self, connection: Connection, event: str) -> Any:
        row = connection.execute(
            select(engagement_events.c.id, engagement_events.c.title).where(
                engagement_events.c.id == event, engagement_events.c.deleted_at.is_(None)
            )
        ).one_or_none()
        if row is None:
            raise NotFound(f"No event {event!r}.")
        return row

    @staticmethod
    def _tables(connection: Connection, event: str) -> builtins.list[CafeTable]:
        rows = connection.execute(
            select(cafe_tables)
            .where(cafe_tables.c.event_id == event, cafe_tables.c.deleted_at.is_(None))
            .order_by(cafe_tables.c.position, cafe_tables.c.label)
        ).all()
        return [_table(row._mapping) for row in rows]

    @staticmethod
    def _agenda(connection: Connection, event: str) -> builtins.list[AgendaItem]:
        rows = connection.execute(
            select(agenda_items)
            .where(agenda_items.c.event_id == event, agenda_items.c.deleted_at.is_(None))
            .order_by(agenda_items.c.position, agenda_items.c.created_at)
        ).all()
        return [_agenda_item(row._mapping) for row in rows]

    def _remove(self, table: Any, key: str, entity_type: str) -> None:
        with self._ws.write() as connection:
            found = connection.execute(
                select(table.c.id).where(table.c.id == key, table.c.deleted_at.is_(None))
            ).scalar_one_or_none()
            if found is None:
                raise NotFound(f"No {entity_type} {key!r}.")
            try:
                soft_delete_record(
                    connection,
                    table,
                    key,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type=entity_type,
                )
            except IntegrityError as error:  # pragma: no cover - soft deletion keeps references
                raise Conflict(f"Cannot take away {entity_type} {key!r}.") from error


def _token(key: str, table_id: str, created_at: Any) -> str:
    message = f"cafe-host\x00{table_id}\x00{created_at.isoformat()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:40]


def _text_problems(value: str, field: str, limit: int) -> builtins.list[Problem]:
    if not value:
        return [Problem("required", field=field)]
    if len(value) > limit:
        return [Problem(f"at most {limit:,} characters", field=field)]
    return []


def _question(row: Any) -> CafeQuestion:
    return CafeQuestion(
        id=row["id"],
        event_id=row["event_id"],
        round_number=row["round_number"],
        position=int(row["position"] or 1),
        text=row["text"],
    )


def _table(row: Any) -> CafeTable:
    return CafeTable(
        id=row["id"],
        event_id=row["event_id"],
        label=row["label"],
        host=row["host"] or "",
        position=int(row["position"] or 1),
    )


def _agenda_item(row: Any) -> AgendaItem:
    return AgendaItem(
        id=row["id"],
        event_id=row["event_id"],
        position=int(row["position"] or 1),
        title=row["title"],
        notes=row["notes"] or "",
    )


def _utc(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)

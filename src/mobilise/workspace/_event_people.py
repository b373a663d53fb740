"""The people side of an event: registration with a cap and a waiting list, online registration
with consent, attendance at the door (by code, by name for the roles that read identity, or as a
walk-in), and the after-event summary. Mixed into :class:`~mobilise.workspace.events.
EventService`."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select

from mobilise.errors import NotFound, Problem, RateLimited, ValidationError
from mobilise.model.visibility import Viewer
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import engagement_events, participants, registrations
from mobilise.workspace._event_fields import Registration, registration_of
from mobilise.workspace._rate import sent_in_last_hour

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.participants import Participant

__all__ = ["EventPeople", "normalise_code"]

REGISTRATION = "registration"
MAX_QUERY = 100


def normalise_code(text: str) -> str:
    """A pseudonym code as typed (``7kq3mx``, ``p 7kq3mx``) in its stored form (``P-7KQ3MX``)."""
    bare = "".join(ch for ch in text.upper() if ch.isalnum())
    if bare.startswith("P") and len(bare) == 7:
        bare = bare[1:]
    return f"P-{bare}"


def _cancelled(action: str) -> ValidationError:
    return ValidationError(
        f"Cannot {action}: the event was cancelled.",
        problems=[Problem(f"the event was cancelled: no one can {action}", field="event")],
    )


class EventPeople:
    """Registration, attendance and the people-facing verbs of the event service."""

    _ws: Workspace

    def _row(self, connection: Connection, event: str) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- registration ---------------------------------------------------------------------------
    def register(
        self, event: str, participant: str, *, brought_by: str | None = None
    ) -> Registration:
        """Register a participant (id or code): ``registered`` while the event has places,
        ``waiting`` beyond its capacity. Registering again is a no-op (a cancelled registration
        comes back, at the end of the queue)."""
        with self._ws.write() as connection:
            current = self._locked(connection, event)
            if current.status == "cancelled":
                raise _cancelled("register")
            if current.status != "planned":
                raise ValidationError(
                    "This event has been held: sign people in at the door instead.",
                    problems=[Problem(f"the event is {current.status}", field="event")],
                )
            participant_id = self._participant_id(connection, participant)
            return self._register(connection, current, participant_id, brought_by=brought_by)

    def cancel_registration(self, event: str, participant: str) -> Registration:
        """Cancel a registration; the first person waiting moves up into the freed place."""
        with self._ws.write() as connection:
            current = self._locked(connection, event)
            participant_id = self._participant_id(connection, participant)
            held = self._registration(connection, current.id, participant_id)
            if held is None:
                raise NotFound(f"{participant!r} is not registered for this event.")
            if held.status != "cancelled":
                self._set(connection, held, {"status": "cancelled"})
                self._promote(connection, current.id)
            return self._one(connection, current.id, participant_id)

    def registrations(
        self, event: str, *, status: str | None = None
    ) -> builtins.list[Registration]:
        """The event's registrations by pseudonym: registered and waiting in the order they
        came (the waiting list's order), then cancelled ones."""
        with self._ws.read() as connection:
            event_id = self._row(connection, event).id
            query = _with_codes().where(registrations.c.event_id == event_id)
            if status is not None:
                query = query.where(registrations.c.status == status)
            rows = connection.execute(
                query.order_by(registrations.c.registered_at, registrations.c.created_at)
            ).all()
        order = {"registered": 0, "waiting": 1, "cancelled": 2}
        return sorted((registration_of(r) for r in rows), key=lambda r: order[r.status])

    # -- attendance -----------------------------------------------------------------------------
    def attend(self, event: str, participant: str, *, at: datetime | None = None) -> Registration:
        """Sign a participant in (id or code). Someone not registered, or waiting, is registered
        as they sign in: they are there. A cancelled event is refused."""
        with self._ws.write() as connection:
            current = self._locked(connection, event)
            if current.status == "cancelled":
                raise _cancelled("sign in")
            participant_id = self._participant_id(connection, participant)
            held = self._registration(connection, current.id, participant_id)
            when = at or datetime.now(UTC)
            if held is None:
                insert_record(
                    connection,
                    registrations,
                    {
                        "event_id": current.id,
                        "participant_id": participant_id,
                        "status": "registered",
                        "registered_at": when,
                        "attended_at": when,
                    },
                    actor=self._ws.actor,
                    entity_type=REGISTRATION,
                )
            elif held.attended_at is None or held.status != "registered":
                self._set(
                    connection,
                    held,
                    {"status": "registered", "attended_at": held.attended_at or when},
                )
            return self._one(connection, current.id, participant_id)

    def find(
        self, event: str, query: str, *, viewer: Viewer | None = None
    ) -> builtins.list[Registration]:
        """Registrations at the door: by pseudonym code, or (for the roles that read identity)
        by part of the name. Others get matches by code only."""
        from mobilise.workspace.participants import may_read_identity

        text = query.strip()[:MAX_QUERY]
        if not text:
            return []
        every = [r for r in self.registrations(event) if r.status != "cancelled"]
        code = normalise_code(text)
        found = [r for r in every if r.code == code]
        if found or not may_read_identity(viewer):
            return found
        names = self.names(every, viewer=viewer)
        wanted = text.casefold()
        return [r for r in every if wanted in names.get(r.participant_id, "").casefold()]

    def names(
        self, found: builtins.list[Registration], *, viewer: Viewer | None = None
    ) -> dict[str, str]:
        """The names of registered people (participant id to name) for the roles that read
        identity; nothing for everyone else."""
        from mobilise.workspace.participants import may_read_identity

        if not found or not may_read_identity(viewer):
            return {}
        held = self._ws.participants.identities([r.participant_id for r in found], viewer=viewer)
        return {pid: identity.name for pid, identity in held.items()}

    def walk_in(
        self,
        event: str,
        *,
        person: Mapping[str, Any] | None = None,
        scopes: Mapping[str, Any] | None = None,
        method: str = "paper",
        witness: str = "",
        at: datetime | None = None,
    ) -> tuple[Participant, Registration]:
        """Someone who turns up unregistered: added as a participant (``person``: the keywords
        of :meth:`ParticipantService.add`), their consent recorded against the current
        information sheet when ``scopes`` are given, registered and signed in, all at once."""
        with self._ws.write() as connection:
            current = self._row(connection, event)
            if current.status == "cancelled":
                raise _cancelled("sign in")
            sheet = self._current_sheet() if scopes is not None else None
            added = self._ws.participants.add(place=current.place_slug, **dict(person or {}))
            if scopes is not None and sheet is not None:
                self._ws.consent.give(
                    added.id,
                    information_sheet=sheet,
                    method=method,
                    scopes=dict(scopes),
                    witness=witness,
                    guardian=added.under_16,
                    event=current.id,
                )
            registration = self.attend(current.id, added.id, at=at)
        return added, registration

    def register_online(
        self,
        token: str,
        *,
        person: Mapping[str, Any],
        scopes: Mapping[str, Any],
        information_sheet: str,
        client_key: str | None = None,
        per_hour: int | None = None,
    ) -> tuple[Participant, Registration]:
        """Registration through the event's link: the participant is added (``person``: the
        keywords of :meth:`ParticipantService.add`), their consent recorded (method
        ``online``, against ``information_sheet``, which must be the current one they were
        shown; an under-16's as given by their parent or guardian) and they are registered,
        in one transaction: nothing is written unless all of it is.

        ``client_key`` (a keyed hash of the sender's address) and ``per_hour``: at most that
        many registrations from one sender in an hour, counted in the database
        (:class:`~mobilise.errors.RateLimited` beyond it)."""
        event = self.by_token(token)  # type: ignore[attr-defined]
        current_sheet = self._current_sheet()
        if information_sheet != current_sheet:
            raise ValidationError(
                "The information sheet has changed since the page was opened.",
                problems=[Problem("read the current information sheet", field="information_sheet")],
            )
        with self._ws.write() as connection:
            if client_key is not None and per_hour is not None:
                _check_rate(connection, client_key, per_hour)
            added = self._ws.participants.add(place=event.place, **dict(person))
            self._ws.consent.give(
                added.id,
                information_sheet=current_sheet,
                method="online",
                scopes=dict(scopes),
                guardian=added.under_16,
                event=event.id,
            )
            current = self._locked(connection, event.id)
            registration = self._register(
                connection, current, added.id, brought_by=None, client_key=client_key
            )
        return added, registration

    def summary(self, event: str, *, viewer: Viewer | None = None) -> dict[str, Any]:
        """The one-page summary after the event (:func:`~mobilise.workspace._event_summary.
        event_summary`): attendance by group, partners present, consent coverage; counts
        under disclosure control for everyone but admins and the operator."""
        from mobilise.workspace._event_summary import event_summary

        return event_summary(self._ws, self.get(event), viewer=viewer)  # type: ignore[attr-defined]

    def shown_counts(
        self, event: Any, *, viewer: Viewer | None = None, k: int | None = None
    ) -> dict[str, str]:
        """An event's registered, waiting and attended counts as shown to ``viewer``: under
        disclosure control ("fewer than k") for everyone but admins and the operator."""
        from mobilise.workspace._event_summary import shown_counts

        counts = {name: getattr(event, name) for name in ("registered", "waiting", "attended")}
        k = int(self._ws.project_settings.get("disclosure_k")) if k is None else k
        controlled = not (viewer is None or viewer.role == "admin")
        return shown_counts(counts, k, controlled=controlled)

    def current_sheet(self) -> Any:
        """The information sheet people read now (the latest standard one published by
        today: a sheet dated later is a draft), or a ValidationError saying there is none."""
        published = [s for s in self._ws.consent.sheets() if s.published_on <= date.today()]
        sheets = [s for s in published if s.audience == "standard"] or published
        if not sheets:
            raise ValidationError(
                "Registration is not possible yet: the project has no information sheet.",
                problems=[
                    Problem(
                        "no information sheet: add one before people can register and consent",
                        field="information_sheet",
                    )
                ],
            )
        return max(sheets, key=lambda s: (s.published_on, s.sheet_version))

    def _current_sheet(self) -> str:
        return str(self.current_sheet().id)

    # -- helpers --------------------------------------------------------------------------------
    def _locked(self, connection: Connection, event: str) -> Any:
        """The event's row, locked until the transaction ends (PostgreSQL; SQLite's writer
        holds the whole database), so two registrations cannot both take the last place."""
        row = connection.execute(
            select(engagement_events)
            .where(engagement_events.c.id == event, engagement_events.c.deleted_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"No event {event!r}.")
        return row

    def _register(
        self,
        connection: Connection,
        event: Any,
        participant_id: str,
        *,
        brought_by: str | None,
        client_key: str | None = None,
    ) -> Registration:
        held = self._registration(connection, event.id, participant_id)
        if held is not None and held.status != "cancelled":
            return self._one(connection, event.id, participant_id)
        status = "registered" if self._has_place(connection, event) else "waiting"
        now = datetime.now(UTC)
        if held is None:
            insert_record(
                connection,
                registrations,
                {
                    "event_id": event.id,
                    "participant_id": participant_id,
                    "status": status,
                    "registered_at": now,
                    "brought_by": brought_by,
                    "client_key": client_key,
                },
                actor=self._ws.actor,
                entity_type=REGISTRATION,
            )
        else:
            self._set(connection, held, {"status": status, "registered_at": now})
        return self._one(connection, event.id, participant_id)

    @staticmethod
    def _has_place(connection: Connection, event: Any) -> bool:
        if event.capacity is None:
            return True
        taken = connection.execute(
            select(func.count())
            .select_from(registrations)
            .where(
                registrations.c.event_id == event.id,
                registrations.c.status == "registered",
                registrations.c.deleted_at.is_(None),
            )
        ).scalar_one()
        return bool(taken < event.capacity)

    def _promote(self, connection: Connection, event_id: str) -> None:
        """Move waiting people up, first come first, while the event has places."""
        event = connection.execute(
            select(engagement_events).where(engagement_events.c.id == event_id)
        ).one()
        waiting = connection.execute(
            select(registrations)
            .where(
                registrations.c.event_id == event_id,
                registrations.c.status == "waiting",
                registrations.c.deleted_at.is_(None),
            )
            .order_by(registrations.c.registered_at, registrations.c.created_at)
        ).all()
        for row in waiting:
            if not self._has_place(connection, event):
                return
            self._set(connection, row, {"status": "registered"})

    def _participant_id(self, connection: Connection, participant: str) -> str:
        """A participant's id from their id or code, as typed (``7kq3mx`` is ``P-7KQ3MX``)."""
        try:
            return self._ws.participants.id_of(connection, participant)
        except NotFound:
            if len(participant) > 20:
                raise
            return self._ws.participants.id_of(connection, normalise_code(participant))

    @staticmethod
    def _registration(connection: Connection, event_id: str, participant_id: str) -> Any:
        return connection.execute(
            select(registrations).where(
                registrations.c.event_id == event_id,
                registrations.c.participant_id == participant_id,
                registrations.c.deleted_at.is_(None),
            )
        ).first()

    @staticmethod
    def _one(connection: Connection, event_id: str, participant_id: str) -> Registration:
        row = connection.execute(
            _with_codes().where(
                registrations.c.event_id == event_id,
                registrations.c.participant_id == participant_id,
            )
        ).one()
        return registration_of(row)

    def _set(self, connection: Connection, held: Any, changes: Mapping[str, Any]) -> None:
        update_record(
            connection,
            registrations,
            held.id,
            changes,
            expected_version=held.version,
            actor=self._ws.actor,
            entity_type=REGISTRATION,
        )


def _with_codes() -> Any:
    return (
        select(registrations, participants.c.code)
        .join(participants, participants.c.id == registrations.c.participant_id)
        .where(registrations.c.deleted_at.is_(None), participants.c.deleted_at.is_(None))
    )


def _check_rate(connection: Connection, client_key: str, per_hour: int) -> None:
    """At most ``per_hour`` online registrations from one sender in the last hour."""
    sent, wait = sent_in_last_hour(connection, registrations, client_key, lock_name="registration:")
    if sent >= per_hour:
        raise RateLimited(
            f"Too many registrations from your connection in the last hour (at most {per_hour}, "
            "the setting MOBILISE_SUGGESTIONS_PER_HOUR). Please try again later.",
            retry_after=wait,
        )

"""Engagement events: World Cafés, whole-system and systems-mapping workshops, arts-based
sessions, community walks, photovoice, consortium meetings.

An event has a kind, a title and purpose, a place, a venue (an asset of the register, or an
address), start and end, whether it is online, its facilitators, the partner organisations
involved (from the partnership register), the systems map made or used there, accessibility
provisions, a status (planned, held, cancelled), an optional capacity, and whether it is
``public``: the public and anonymous visitors see only public events, and only their public
facts (:data:`~mobilise.workspace._event_fields.PUBLIC_FIELDS`).

People take part under their pseudonyms (:mod:`~mobilise.workspace.participants`):

- **registration** (:meth:`EventService.register`) up to the capacity; beyond it a person waits,
  and a cancellation moves the first waiting person up. Online registration goes through the
  event's registration link (:meth:`open_registration` makes its token; closing clears it):
  :meth:`register_online` adds the participant, records their consent against the current
  information sheet and registers them, all in one transaction;
- **attendance** (:meth:`attend`): signed in at the door, by pseudonym code (or by name, for
  the roles that read identity: :meth:`find`), or as a walk-in (:meth:`walk_in`: added,
  registered and signed in at once). A cancelled event takes no registration and no attendance.

Every change is a record write (:mod:`mobilise.store.records`): a version for optimistic
concurrency, the audit trail. The after-event summary is :meth:`summary`.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, case, func, or_, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.visibility import Viewer
from mobilise.store.records import (
    insert_record,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import (
    assets,
    engagement_events,
    event_partners,
    partners,
    places,
    registrations,
    systems_maps,
)
from mobilise.workspace._event_fields import (
    EVENT_FIELDS,
    UK,
    Event,
    EventPage,
    Registration,
    event_problems,
    parse_when,
)
from mobilise.workspace._event_people import EventPeople

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["EVENT_FIELDS", "Event", "EventPage", "EventService", "Registration"]

ENTITY = "engagement event"
MAX_PAGE = 200
WHEN = ("upcoming", "past")


class EventService(EventPeople):
    """Create, change, cancel and find events; registration and attendance (from
    :class:`~mobilise.workspace._event_people.EventPeople`)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- the event ----------------------------------------------------------------------------
    def create(
        self,
        *,
        kind: str,
        title: str,
        starts_at: datetime | str,
        ends_at: datetime | str,
        place: str | None = None,
        partners: Sequence[str] | Mapping[str, str] = (),
        **fields: Any,
    ) -> Event:
        """A new planned event.

        ``fields`` are the other :data:`EVENT_FIELDS` (purpose, venue_asset_id, venue_address,
        online, facilitators, map_id, accessibility, capacity, public). ``partners`` are partner
        ids or keys (or a mapping of each to its role at the event).

        Raises
        ------
        ValidationError
            Naming each field that cannot be accepted: an unknown kind, place, asset, partner or
            map, an end before the start, a capacity out of range.
        """
        unknown = set(fields) - set(EVENT_FIELDS)
        if unknown:
            raise ValidationError(
                "Cannot add the event.",
                problems=[
                    Problem("not a field of an event", field=name) for name in sorted(unknown)
                ],
            )
        values: dict[str, Any] = {
            "purpose": "",
            "venue_address": "",
            "online": False,
            "facilitators": [],
            "accessibility": "",
            "capacity": None,
            "public": False,
            "illustrative": False,
            "venue_asset_id": None,
            "map_id": None,
            **fields,
            "kind": kind,
            "title": title,
            "place": place,
            "starts_at": starts_at,
            "ends_at": ends_at,
        }
        with self._ws.write() as connection:
            stored, partner_ids = self._checked(
                connection, values, partners, "Cannot add the event."
            )
            row = insert_record(
                connection,
                engagement_events,
                {**stored, "status": "planned"},
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
            self._set_partners(connection, row["id"], _partner_roles(partners), partner_ids)
        return self.get(row["id"])

    def update(
        self,
        event: str,
        changes: Mapping[str, Any],
        *,
        version: int | None = None,
    ) -> Event:
        """Change an event's fields (``changes``: any of :data:`EVENT_FIELDS`, ``status`` as
        ``planned`` or ``held``, and ``partners`` to replace the partners). ``version`` is the
        version read: a stale one is a :class:`~mobilise.errors.Conflict`."""
        changes = dict(changes)
        allowed = {*EVENT_FIELDS, "status", "partners"}
        problems = [
            Problem("not a field of an event", field=name)
            for name in sorted(set(changes) - allowed)
        ]
        if changes.get("status") == "cancelled":
            problems.append(Problem("cancel an event with cancel", field="status"))
        if problems:
            raise ValidationError("Cannot change the event.", problems=problems)
        new_partners = changes.pop("partners", None)
        with self._ws.write() as connection:
            current = self._row(connection, event)
            if current.status == "cancelled":
                raise ValidationError(
                    "Cannot change the event.",
                    problems=[Problem("the event was cancelled", field="status")],
                )
            merged = {
                **{name: getattr(current, name) for name in ("starts_at", "ends_at")},
                **changes,
            }
            stored, partner_ids = self._checked(
                connection, merged, new_partners or (), "Cannot change the event.", only=changes
            )
            update_record(
                connection,
                engagement_events,
                current.id,
                stored,
                expected_version=version,
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
            if new_partners is not None:
                self._set_partners(
                    connection, current.id, _partner_roles(new_partners), partner_ids
                )
            if "capacity" in stored:
                self._promote(connection, current.id)
        return self.get(current.id)

    def cancel(self, event: str, *, version: int | None = None) -> Event:
        """Cancel an event: it takes no more registrations or attendance, and its registration
        link closes. Registrations stay, for the record."""
        with self._ws.write() as connection:
            current = self._row(connection, event)
            update_record(
                connection,
                engagement_events,
                current.id,
                {"status": "cancelled", "registration_token": None},
                expected_version=version,
                actor=self._ws.actor,
                entity_type=ENTITY,
            )
        return self.get(current.id)

    def get(self, event: str, *, public_only: bool = False) -> Event:
        """One event by id; with ``public_only``, a private event is not found."""
        with self._ws.read() as connection:
            row = self._row(connection, event)
            if public_only and not row.public:
                raise NotFound(f"No event {event!r}.")
            return self._events(connection, [row])[0]

    def list(
        self,
        *,
        place: str | None = None,
        start: date | datetime | None = None,
        end: date | datetime | None = None,
        when: str | None = None,
        status: str | None = None,
        public_only: bool = False,
        limit: int = 50,
        offset: int = 0,
        now: datetime | None = None,
    ) -> EventPage:
        """Events of a place (or all), starting from ``start`` and before ``end`` (a day is
        its start in UK time: ``end=date(2026, 7, 1)`` keeps events starting before July).

        ``when`` is ``upcoming`` (not yet ended; soonest first) or ``past`` (ended; latest
        first); without it, by start time. One page of ``limit`` (at most 200) from ``offset``,
        and the total.
        """
        problems = []
        if when is not None and when not in WHEN:
            problems.append(Problem(f"one of {', '.join(WHEN)}", field="when"))
        if not 1 <= limit <= MAX_PAGE:
            problems.append(Problem(f"from 1 to {MAX_PAGE}", field="limit"))
        if offset < 0:
            problems.append(Problem("0 or more", field="offset"))
        if problems:
            raise ValidationError("Cannot list the events.", problems=problems)
        table = engagement_events
        conditions: builtins.list[Any] = [table.c.deleted_at.is_(None)]
        if place is not None:
            conditions.append(table.c.place_slug == place)
        if start is not None:
            conditions.append(table.c.starts_at >= _moment(start))
        if end is not None:
            conditions.append(table.c.starts_at < _moment(end))
        if status is not None:
            conditions.append(table.c.status == status)
        if public_only:
            conditions.append(table.c.public.is_(True))
        moment = now or datetime.now(UTC)
        order: builtins.list[Any] = [table.c.starts_at, table.c.id]
        if when == "upcoming":
            conditions.append(table.c.ends_at >= moment)
        elif when == "past":
            conditions.append(table.c.ends_at < moment)
            order = [table.c.starts_at.desc(), table.c.id]
        where = and_(*conditions)
        with self._ws.read() as connection:
            total = connection.execute(
                select(func.count()).select_from(table).where(where)
            ).scalar_one()
            rows = connection.execute(
                select(table).where(where).order_by(*order).limit(limit).offset(offset)
            ).all()
            return EventPage(self._events(connection, rows), int(total), limit, offset)

    # -- the registration link ----------------------------------------------------------------
    def open_registration(self, event: str) -> Event:
        """Open online registration: the event gets a registration link (a new token, also in
        its QR code). A cancelled or past event cannot open."""
        with self._ws.write() as connection:
            current = self._row(connection, event)
            if current.status != "planned":
                raise ValidationError(
                    "Cannot open registration.",
                    problems=[Problem(f"the event is {current.status}", field="status")],
                )
            if current.registration_token is None:
                update_record(
                    connection,
                    engagement_events,
                    current.id,
                    {"registration_token": secrets.token_urlsafe(24)},
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type=ENTITY,
                )
        return self.get(current.id)

    def close_registration(self, event: str) -> Event:
        """Close online registration: the link stops working."""
        with self._ws.write() as connection:
            current = self._row(connection, event)
            if current.registration_token is not None:
                update_record(
                    connection,
                    engagement_events,
                    current.id,
                    {"registration_token": None},
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type=ENTITY,
                )
        return self.get(current.id)

    def by_token(self, token: str) -> Event:
        """The event a registration link opens (NotFound: unknown, or registration closed)."""
        if not token or len(token) > 64:
            raise NotFound("This registration link does not work (closed or mistyped).")
        with self._ws.read() as connection:
            row = connection.execute(
                select(engagement_events).where(
                    engagement_events.c.registration_token == token,
                    engagement_events.c.deleted_at.is_(None),
                    engagement_events.c.status == "planned",
                    engagement_events.c.ends_at > datetime.now(UTC),
                )
            ).first()
            if row is None:
                raise NotFound("This registration link does not work (closed or mistyped).")
            return self._events(connection, [row])[0]

    # -- helpers --------------------------------------------------------------------------------
    def _row(self, connection: Connection, event: str) -> Any:
        row = connection.execute(
            select(engagement_events).where(
                engagement_events.c.id == event, engagement_events.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound(f"No event {event!r}.")
        return row

    def _checked(
        self,
        connection: Connection,
        values: Mapping[str, Any],
        partner_refs: Sequence[str] | Mapping[str, str],
        message: str,
        *,
        only: Mapping[str, Any] | None = None,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The columns to store and the partners' ids, or a ValidationError naming every bad
        field."""
        sent = values if only is None else only
        problems = event_problems(sent)
        stored: dict[str, Any] = {
            name: value
            for name, value in sent.items()
            if name not in ("place", "starts_at", "ends_at")
        }
        times = {}
        for name in ("starts_at", "ends_at"):
            times[name] = parse_when(values.get(name), name, problems)
            if name in sent:
                stored[name] = times[name]
        if times["starts_at"] and times["ends_at"] and times["ends_at"] <= times["starts_at"]:
            problems.append(Problem("the end must come after the start", field="ends_at"))
        if "place" in sent:
            stored["place_slug"] = sent["place"] or None
        if isinstance(stored.get("facilitators"), list):
            stored["facilitators"] = [n.strip() for n in stored["facilitators"] if n.strip()]
        problems += _reference_problems(connection, stored)
        partner_ids, partner_problems = _partner_ids(connection, _partner_roles(partner_refs))
        problems += partner_problems
        if problems:
            raise ValidationError(message, problems=problems)
        return stored, partner_ids

    def _set_partners(
        self,
        connection: Connection,
        event_id: str,
        roles: Mapping[str, str],
        ids: Mapping[str, str],
    ) -> None:
        """Make the event's partners those of ``roles``: each change a record write (a partner
        taken off is soft-deleted, one put back restored), with its audit entry."""
        wanted = {ids[given]: role[:200] for given, role in roles.items()}
        held = {
            row.partner_id: row
            for row in connection.execute(
                select(event_partners).where(event_partners.c.event_id == event_id)
            )
        }
        change = {"actor": self._ws.actor, "entity_type": "event partner"}
        for partner_id, row in held.items():
            if partner_id not in wanted and row.deleted_at is None:
                soft_delete_record(
                    connection, event_partners, row.id, expected_version=None, **change
                )
        for partner_id, role in wanted.items():
            kept = held.get(partner_id)
            if kept is None:
                insert_record(
                    connection,
                    event_partners,
                    {"event_id": event_id, "partner_id": partner_id, "role": role},
                    **change,
                )
                continue
            if row.deleted_at is not None:
                restore_record(connection, event_partners, row.id, expected_version=None, **change)
            if row.role != role:
                update_record(
                    connection,
                    event_partners,
                    row.id,
                    {"role": role},
                    expected_version=None,
                    **change,
                )

    def _events(self, connection: Connection, rows: Iterable[Any]) -> builtins.list[Event]:
        """Events for rows, with venue, map, partners and registration counts (3 queries)."""
        rows = builtins.list(rows)
        ids = [row.id for row in rows]
        counts = _counts(connection, ids)
        with_partners: dict[str, builtins.list[dict[str, str]]] = {}
        names: dict[str, str] = {}
        if ids:
            for found in connection.execute(
                select(
                    event_partners.c.event_id, partners.c.id, partners.c.name, event_partners.c.role
                )
                .join(partners, partners.c.id == event_partners.c.partner_id)
                .where(event_partners.c.event_id.in_(ids), event_partners.c.deleted_at.is_(None))
                .order_by(partners.c.name)
            ):
                with_partners.setdefault(found.event_id, []).append(
                    {"id": found.id, "name": found.name, "role": found.role}
                )
            names = _names(connection, rows)
        return [
            Event(
                id=row.id,
                kind=row.kind,
                title=row.title,
                purpose=row.purpose,
                place=row.place_slug,
                venue_asset_id=row.venue_asset_id,
                venue_name=names.get(f"a:{row.venue_asset_id}"),
                venue_address=row.venue_address,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                online=bool(row.online),
                facilitators=builtins.list(row.facilitators or []),
                map_id=row.map_id,
                map_title=names.get(f"m:{row.map_id}"),
                accessibility=row.accessibility,
                status=row.status,
                capacity=row.capacity,
                public=bool(row.public),
                registration_token=row.registration_token,
                version=row.version,
                illustrative=bool(row.illustrative),
                partners=with_partners.get(row.id, []),
                **counts.get(row.id, {}),
            )
            for row in rows
        ]


def _moment(day: date | datetime) -> datetime:
    """A day as its first moment in UK time, a time as itself (naive: UK time), in UTC."""
    if not isinstance(day, datetime):
        day = datetime.combine(day, time())
    return (day if day.tzinfo else day.replace(tzinfo=UK)).astimezone(UTC)


def _partner_roles(given: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(given, Mapping):
        return {str(k): str(v or "") for k, v in given.items()}
    if isinstance(given, str):
        return {given: ""}
    return {str(partner): "" for partner in given}


def _partner_ids(
    connection: Connection, roles: Mapping[str, str]
) -> tuple[dict[str, str], builtins.list[Problem]]:
    if not roles:
        return {}, []
    wanted = builtins.list(roles)
    found = {}
    for row in connection.execute(
        select(partners.c.id, partners.c.key).where(
            or_(partners.c.id.in_(wanted), partners.c.key.in_(wanted)),
            partners.c.deleted_at.is_(None),
        )
    ):
        found[row.id] = row.id
        found[row.key] = row.id
    problems = [
        Problem(f"no partner {given[:80]!r} in the partnership register", field="partners")
        for given in wanted
        if given not in found
    ]
    return {given: found[given] for given in wanted if given in found}, problems


def _reference_problems(
    connection: Connection, stored: Mapping[str, Any]
) -> builtins.list[Problem]:
    """The place, venue asset and systems map an event names must exist."""
    problems = []
    checks = (
        ("place_slug", places, places.c.slug, "place", "no place"),
        ("venue_asset_id", assets, assets.c.id, "venue_asset_id", "no asset"),
        ("map_id", systems_maps, systems_maps.c.id, "map_id", "no systems map"),
    )
    for column, table, key, field_name, words in checks:
        value = stored.get(column)
        if value is None:
            continue
        if (
            not isinstance(value, str)
            or not connection.execute(
                select(key).where(key == value, table.c.deleted_at.is_(None))
            ).first()
        ):
            problems.append(Problem(f"{words} {str(value)[:80]!r}", field=field_name))
    return problems


def _counts(connection: Connection, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    if not ids:
        return {}
    reg = registrations.c
    rows = connection.execute(
        select(
            reg.event_id,
            func.sum(case((reg.status == "registered", 1), else_=0)),
            func.sum(case((reg.status == "waiting", 1), else_=0)),
            func.sum(case((reg.attended_at.is_not(None), 1), else_=0)),
        )
        .where(reg.event_id.in_(ids), reg.deleted_at.is_(None), reg.status != "cancelled")
        .group_by(reg.event_id)
    )
    return {
        row[0]: {
            "registered": int(row[1] or 0),
            "waiting": int(row[2] or 0),
            "attended": int(row[3] or 0),
        }
        for row in rows
    }


def _names(connection: Connection, rows: Sequence[Any]) -> dict[str, str]:
    """The names of the venues (``a:<id>``) and titles of the maps (``m:<id>``) of events."""
    out = {}
    asset_ids = {row.venue_asset_id for row in rows if row.venue_asset_id}
    map_ids = {row.map_id for row in rows if row.map_id}
    if asset_ids:
        for found in connection.execute(
            select(assets.c.id, assets.c.name).where(assets.c.id.in_(asset_ids))
        ):
            out[f"a:{found.id}"] = found.name
    if map_ids:
        for found in connection.execute(
            select(systems_maps.c.id, systems_maps.c.title).where(systems_maps.c.id.in_(map_ids))
        ):
            out[f"m:{found.id}"] = found.title
    return out


def viewer_is_admin(viewer: Viewer | None) -> bool:
    """The operator (``None``) and admins see counts without disclosure control."""
    return viewer is None or viewer.role == "admin"

"""The stored rows of systems maps: a map's header, the checks every change makes inside its
transaction, and the event that stamps each change with the map's next revision (private
helpers of :mod:`mobilise.workspace.maps` and :mod:`mobilise.workspace.map_talk`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, literal, select, update

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.records import now
from mobilise.store.tables import (
    map_events,
    map_factors,
    map_links,
    map_participants,
    places,
    systems_maps,
)
from mobilise.workspace._map_fields import raise_problems, sign_of

__all__ = ["MapInfo", "unnamed_conflict"]

_CHANGED_BY = re.compile(r" was changed by .*? at (\d{4}-\d\d-\d\d \d\d:\d\d)")


@contextmanager
def unnamed_conflict() -> Iterator[None]:
    """A stale edit of a map or its parts says when it was changed, not who changed it: people
    on a map know each other by pseudonym only (the store's own message names the user)."""
    try:
        yield
    except Conflict as error:
        said = _CHANGED_BY.sub(r" was changed by someone else at \1", str(error))
        raise Conflict(said) from None


@dataclass(frozen=True)
class MapInfo:
    """A map's header: what it is about, its state and size."""

    id: str
    title: str
    place: str | None
    question: str
    description: str
    status: str
    revision: int
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    n_factors: int
    n_links: int
    shared: bool
    visibility: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "place": self.place,
            "question": self.question,
            "description": self.description,
            "status": self.status,
            "revision": self.revision,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "updated_at": self.updated_at.isoformat(),
            "n_factors": self.n_factors,
            "n_links": self.n_links,
            "shared": self.shared,
            "visibility": self.visibility,
        }


def map_info(row: Any) -> MapInfo:
    """A row of :func:`info_query` as a :class:`MapInfo`."""
    return MapInfo(
        id=row.id,
        title=row.title,
        place=row.place_slug,
        question=row.question,
        description=row.description,
        status=row.status,
        revision=row.revision,
        version=row.version,
        created_at=row.created_at,
        created_by=row.created_by,
        updated_at=row.updated_at,
        n_factors=int(row.n_factors),
        n_links=int(row.n_links),
        shared=row.share_token is not None,
        visibility=row.visibility,
    )


def info_query(counts: tuple[int, int] | None = None) -> Any:
    """The live maps' headers, with their place's slug and their numbers of factors and links
    (counted; or, for a map just written whose numbers are known, ``counts``: its factors and
    links, not counted again)."""
    n_factors: Any
    n_links: Any
    if counts is not None:
        n_factors, n_links = literal(counts[0]), literal(counts[1])
    else:
        n_factors = (
            select(func.count())
            .where(map_factors.c.map_id == systems_maps.c.id, map_factors.c.deleted_at.is_(None))
            .scalar_subquery()
        )
        n_links = (
            select(func.count())
            .where(map_links.c.map_id == systems_maps.c.id, map_links.c.deleted_at.is_(None))
            .scalar_subquery()
        )
    return (
        select(
            systems_maps,
            places.c.slug.label("place_slug"),
            n_factors.label("n_factors"),
            n_links.label("n_links"),
        )
        .outerjoin(places, places.c.id == systems_maps.c.place_id)
        .where(systems_maps.c.deleted_at.is_(None))
    )


def no_map(map_id: str) -> NotFound:
    return NotFound(f"No systems map {map_id!r}. See `mobilise maps list` for the maps.")


def map_revision(connection: Connection, map_id: str) -> int:
    """The live map's revision (NotFound for a map that does not exist or was deleted)."""
    found = connection.execute(
        select(systems_maps.c.revision).where(
            systems_maps.c.id == map_id, systems_maps.c.deleted_at.is_(None)
        )
    ).scalar_one_or_none()
    if found is None:
        raise no_map(map_id)
    return int(found)


def place_id(connection: Connection, place: str) -> str:
    """The id of the place with this slug."""
    found = connection.execute(
        select(places.c.id).where(places.c.slug == place, places.c.deleted_at.is_(None))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No place {place!r}. See `mobilise places list` for the places.")
    return str(found)


def live_map(connection: Connection, map_id: str) -> Any:
    """The map's row, locked until the change commits (PostgreSQL; SQLite writes are one at
    a time anyway): every change to a map checks and writes as if alone, so a link can
    never be added to a factor being deleted at the same moment."""
    row = connection.execute(
        select(systems_maps)
        .where(systems_maps.c.id == map_id, systems_maps.c.deleted_at.is_(None))
        .with_for_update()
    ).first()
    if row is None:
        raise no_map(map_id)
    return row


def live_part(connection: Connection, table: Any, map_id: str, key: str, what: str) -> Any:
    """The live factor, link, ... ``key`` of the map (``what`` names it in the message)."""
    row = connection.execute(
        select(table).where(
            table.c.id == key, table.c.map_id == map_id, table.c.deleted_at.is_(None)
        )
    ).first()
    if row is None:
        raise NotFound(f"The map has no {what} {key!r} (it may have been deleted).")
    return row


def live_rows(table: Any, map_id: str) -> Any:
    """The query of the map's live rows of ``table``, oldest first."""
    return (
        select(table)
        .where(table.c.map_id == map_id, table.c.deleted_at.is_(None))
        .order_by(table.c.created_at, table.c.id)
    )


def check_participant(connection: Connection, map_id: str, participant_id: str | None) -> None:
    """A contribution's participant (if named) must have joined the map."""
    if participant_id is None:
        return
    found = connection.execute(
        select(map_participants.c.id).where(
            map_participants.c.id == participant_id, map_participants.c.map_id == map_id
        )
    ).first()
    if found is None:
        raise ValidationError(
            f"No participant {participant_id!r} on this map; join the map first.",
            problems=[Problem("join the map first", field="participant_id")],
        )


def check_ends(connection: Connection, map_id: str, values: Mapping[str, Any]) -> None:
    """A link's ``source_id`` and ``target_id`` (those given) must be live factors of the map."""
    problems = []
    for end in ("source_id", "target_id"):
        if end not in values:
            continue
        found = connection.execute(
            select(map_factors.c.id).where(
                map_factors.c.id == values[end],
                map_factors.c.map_id == map_id,
                map_factors.c.deleted_at.is_(None),
            )
        ).first()
        if found is None:
            problems.append(Problem(f"{values[end]!r} is not a factor of this map", field=end))
    raise_problems(problems, what="link")


def record_event(
    connection: Connection,
    map_id: str,
    action: str,
    entity_type: str,
    entity_id: str,
    payload: dict[str, Any],
    *,
    actor: str,
) -> int:
    """Stamp the map's next revision and record the change as an event. The update locks
    the map's row, so concurrent changes to one map get consecutive revisions."""
    connection.execute(
        update(systems_maps)
        .where(systems_maps.c.id == map_id)
        .values(revision=systems_maps.c.revision + 1, updated_at=now())
    )
    revision = int(
        connection.execute(
            select(systems_maps.c.revision).where(systems_maps.c.id == map_id)
        ).scalar_one()
    )
    connection.execute(
        insert(map_events).values(
            map_id=map_id,
            revision=revision,
            at=now(),
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            payload=_jsonable(payload),
        )
    )
    return revision


def event_record(row: Any) -> dict[str, Any]:
    """A stored event as plain JSON."""
    return {
        "revision": row.revision,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "payload": row.payload,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def settle_link(
    connection: Connection,
    map_id: str,
    current: Any,
    values: dict[str, Any],
    changes: Mapping[str, Any],
) -> None:
    """A link's change checked against the link as stored: its ends are factors of the map, a
    new weight gives the polarity (unless one is sent too), and the two agree."""
    check_ends(connection, map_id, values)
    if "weight" in values and values["weight"] is not None and "polarity" not in changes:
        values["polarity"] = sign_of(values["weight"])
    merged = {**current._mapping, **values}
    if merged["weight"] is not None and merged["polarity"] != sign_of(merged["weight"]):
        message = f"polarity {merged['polarity']!r} disagrees with weight {merged['weight']:g}"
        raise_problems([Problem(message, field="polarity")])

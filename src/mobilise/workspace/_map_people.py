"""Who takes part in a systems map and who may see it (private helpers of
:mod:`mobilise.workspace.maps` and :mod:`mobilise.workspace.map_talk`).

A participant is bound to whoever joined: a signed-in user (``username``) or, in local
single-user mode, a browser (``browser_key``, the SHA-256 of the browser's own random pseudonym
token). A change is attributed to the participant of whoever makes it, never to one a client
names. What viewers are shown names people by pseudonym and stakeholder group only: no
participant ids, no user names (those stay in the audit trail).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping
from typing import Any

from sqlalchemy import Connection, exists, or_, select, true

from mobilise.errors import Conflict, NotFound, Problem
from mobilise.model.visibility import Viewer, sees_every_group
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import map_participants, participants, systems_maps
from mobilise.workspace._map_fields import participant_record, raise_problems

__all__ = [
    "ACCESS_ENTITIES",
    "browser_key",
    "hidden_people",
    "join_participant",
    "leave_out",
    "link_person",
    "own_participant",
    "shown_comment",
    "shown_event",
    "shown_parts",
    "unattributed",
    "visible_maps",
]

PRIVATE_FIELDS = ("participant_id", "created_by", "updated_by", "deleted_by")
ACCESS_ENTITIES = ("share", "visibility")
"""Events that change who may see a map: a stream checks its viewer again when one passes."""


def browser_key(token: str) -> str:
    """The stored key of a browser's pseudonym token (only the hash is kept)."""
    return hashlib.sha256(token.encode()).hexdigest()


def visible_maps(viewer: Viewer | None) -> Any:
    """A condition on ``systems_maps``: the maps ``viewer`` may see (every one for the operator,
    ``None``, and the staff roles)."""
    if sees_every_group(viewer):
        return true()
    assert viewer is not None
    member = exists().where(
        map_participants.c.map_id == systems_maps.c.id,
        map_participants.c.username == viewer.username,
    )
    return or_(
        systems_maps.c.visibility != "group",
        systems_maps.c.created_by == viewer.username,
        member,
    )


def own_participant(
    connection: Connection, map_id: str, *, username: str | None, browser: str | None
) -> Any:
    """The participant row bound to this user (or browser: its pseudonym token) on the map,
    or None."""
    if username:
        found = map_participants.c.username == username
    elif browser:
        found = map_participants.c.browser_key == browser_key(browser)
    else:
        return None
    return connection.execute(
        select(map_participants).where(map_participants.c.map_id == map_id, found)
    ).first()


def join_participant(
    connection: Connection,
    map_id: str,
    name: str,
    group: str,
    *,
    username: str | None,
    browser: str | None,
    actor: str,
) -> tuple[dict[str, Any], str | None]:
    """The participant of whoever joins (made, renamed or found), and what happened to it
    (``create``, ``update`` or None). A name another participant holds is refused, unless the
    operator (no user, no browser) names an unbound participant: then it is that one."""
    problems = []
    if not name or len(name) > 120:
        problems.append(Problem("choose a name of 1 to 120 characters", field="pseudonym"))
    if len(group) > 120:
        problems.append(Problem("at most 120 characters", field="stakeholder_group"))
    raise_problems(problems)
    mine = own_participant(connection, map_id, username=username, browser=browser)
    named = connection.execute(
        select(map_participants).where(
            map_participants.c.map_id == map_id, map_participants.c.pseudonym == name
        )
    ).first()
    bound = named is not None and (named.username or named.browser_key)
    if named is not None and (mine is None or named.id != mine.id):
        if mine is None and not (username or browser) and not bound:
            return participant_record(named), None
        raise Conflict(
            f"Someone on this map goes by {name!r} already: choose another name.",
        )
    if mine is not None:
        if (mine.pseudonym, mine.stakeholder_group) == (name, group):
            return participant_record(mine), None
        row = update_record(
            connection,
            map_participants,
            mine.id,
            {"pseudonym": name, "stakeholder_group": group},
            expected_version=None,
            actor=actor,
            entity_type="map_participant",
        )
        return participant_record(row), "update"
    row = insert_record(
        connection,
        map_participants,
        {
            "map_id": map_id,
            "pseudonym": name,
            "stakeholder_group": group,
            "username": username or None,
            "browser_key": browser_key(browser) if browser and not username else None,
        },
        actor=actor,
        entity_type="map_participant",
        omit_from_audit=("browser_key",),
    )
    return participant_record(row), "create"


def _public(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in PRIVATE_FIELDS}


def shown_parts(
    records: list[dict[str, Any]], people: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Factors or links as viewers see them: who added each by pseudonym and group."""
    shown = []
    for record in records:
        person = people.get(record.get("participant_id") or "")
        shown.append(
            _public(record)
            | {
                "contributor": person["pseudonym"] if person else None,
                "contributor_group": person["stakeholder_group"] if person else None,
            }
        )
    return shown


def shown_comment(comment: Mapping[str, Any]) -> dict[str, Any]:
    return _public(comment)


def shown_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A map event as its viewers receive it: no user names, no participant ids."""
    payload = event["payload"]
    if isinstance(payload, dict):
        payload = _public(payload)
        if event["entity_type"] == "participant":
            payload.pop("id", None)
        for key in ("links",):  # a restored factor brings its links back
            if isinstance(payload.get(key), list):
                payload[key] = [_public(k) if isinstance(k, dict) else k for k in payload[key]]
    shown = {k: v for k, v in event.items() if k != "actor"}
    if event["entity_type"] == "participant":
        shown["entity_id"] = ""
    return shown | {"payload": payload}


# -- people of the participants register: withdrawal reaches the map -------------------------------
def hidden_people(
    connection: Connection, map_id: str, taking_part: Callable[[], frozenset[str]]
) -> frozenset[str]:
    """The map's participants linked to a person (``person_id``) who does not take part now
    (``take_part`` withdrawn or never given): what they gave is left out of every read.
    ``taking_part`` (the consent ledger's ``permitted("take_part")``) is asked only when the
    map has linked participants."""
    linked = connection.execute(
        select(map_participants.c.id, map_participants.c.person_id).where(
            map_participants.c.map_id == map_id, map_participants.c.person_id.is_not(None)
        )
    ).all()
    if not linked:
        return frozenset()
    allowed = taking_part()
    return frozenset(row.id for row in linked if row.person_id not in allowed)


def leave_out(content: Mapping[str, Any], hidden: Collection[str]) -> dict[str, Any]:
    """A map's content without the hidden participants: they leave the participants' list,
    and the factors and links they added stay (others built on them) without their name."""
    if not hidden:
        return dict(content)

    def unnamed(record: dict[str, Any]) -> dict[str, Any]:
        return (
            record | {"participant_id": None} if record.get("participant_id") in hidden else record
        )

    return dict(content) | {
        "participants": [p for p in content["participants"] if p["id"] not in hidden],
        "factors": [unnamed(f) for f in content["factors"]],
        "links": [unnamed(k) for k in content["links"]],
    }


def link_person(
    connection: Connection,
    map_id: str,
    participant: str,
    person_id: str | None,
    *,
    actor: str,
) -> dict[str, Any]:
    """Link a map participant (id or pseudonym) to a person of the participants register
    (``person_id``; None: unlink). Returns the map participant with the person's code."""
    row = connection.execute(
        select(map_participants).where(
            map_participants.c.map_id == map_id,
            or_(map_participants.c.id == participant, map_participants.c.pseudonym == participant),
        )
    ).first()
    if row is None:
        raise NotFound(f"No participant {participant!r} on this map.")
    if row.person_id != person_id:
        update_record(
            connection,
            map_participants,
            row.id,
            {"person_id": person_id},
            expected_version=None,
            actor=actor,
            entity_type="map_participant",
        )
    code = None
    if person_id is not None:
        code = connection.execute(
            select(participants.c.code).where(participants.c.id == person_id)
        ).scalar_one()
    return participant_record(row) | {"person": code}


def unattributed(
    connection: Connection, content: Mapping[str, Any], hidden: Collection[str]
) -> dict[str, Any]:
    """A saved map (a snapshot's content) without the names of the hidden participants in the
    attributes of what they added (``contributor``, ``contributor_group``)."""
    if not hidden:
        return dict(content)
    names = set(
        connection.execute(
            select(map_participants.c.pseudonym).where(map_participants.c.id.in_(list(hidden)))
        ).scalars()
    )

    def unnamed(item: Mapping[str, Any]) -> dict[str, Any]:
        attributes = dict(item.get("attributes") or {})
        if attributes.get("contributor") in names:
            attributes.pop("contributor")
            attributes.pop("contributor_group", None)
        return dict(item) | {"attributes": attributes}

    return dict(content) | {
        key: [unnamed(item) for item in content.get(key, [])] for key in ("factors", "links")
    }

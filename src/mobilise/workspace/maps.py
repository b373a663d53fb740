"""Participatory systems maps: built together, every change attributed, versioned and pushed.

A map has factors and signed links (see :mod:`mobilise.model.causal_map` for what each field
means). Every change goes through this service in one transaction: it is checked, written to the
audit trail, stamped with the map's next *revision* and recorded as a map event, so that everyone
editing the map at the same time receives it (the web app pushes events; a client that reconnects
asks for the events after the last revision it saw). Each factor and link carries a ``version``:
an edit names the version it started from, and a stale edit is refused (409) instead of silently
overwriting someone else's.

Comments, votes and snapshots are in :mod:`mobilise.workspace.map_talk`.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from mobilise.errors import NotFound, Problem
from mobilise.model.causal_map import CausalMap
from mobilise.store.records import insert_record, soft_delete_record, update_record
from mobilise.store.tables import (
    map_events,
    map_factors,
    map_links,
    map_participants,
    systems_maps,
)
from mobilise.workspace._map_fields import (
    causal_map_of,
    factor_record,
    factor_values,
    import_values,
    link_record,
    link_values,
    map_problems,
    participant_record,
    raise_problems,
    sign_of,
)
from mobilise.workspace._map_rows import (
    MapInfo,
    check_ends,
    check_participant,
    event_record,
    info_query,
    live_map,
    live_part,
    live_rows,
    map_info,
    map_revision,
    no_map,
    place_id,
    record_event,
)

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MapInfo", "MapService"]

MAP_FIELDS = ("title", "question", "description", "status", "attributes")
_PARTS = {"factor": (map_factors, factor_record), "link": (map_links, link_record)}


class MapService:
    """Create, edit, read and follow systems maps (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- maps ----------------------------------------------------------------------------------
    def create(
        self,
        title: str,
        *,
        place: str | None = None,
        question: str = "",
        description: str = "",
        status: str = "draft",
    ) -> MapInfo:
        """A new, empty map (of a place, when named)."""
        fields = {"title": title, "question": question, "description": description}
        raise_problems(map_problems({**fields, "status": status}))
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                systems_maps,
                {
                    **{k: str(v).strip() for k, v in fields.items()},
                    "status": status,
                    "place_id": place_id(connection, place) if place else None,
                    "revision": 0,
                    "attributes": {},
                },
                actor=self._ws.actor,
                entity_type="systems_map",
            )
            self._event(connection, row["id"], "create", "map", row["id"], {"title": title})
        return self.get(row["id"])

    def list(self, *, place: str | None = None) -> builtins.list[MapInfo]:
        """The maps, newest change first (of one place when named)."""
        query = info_query().order_by(systems_maps.c.updated_at.desc())
        with self._ws.read() as connection:
            if place is not None:
                query = query.where(systems_maps.c.place_id == place_id(connection, place))
            return [map_info(row) for row in connection.execute(query)]

    def get(self, map_id: str) -> MapInfo:
        with self._ws.read() as connection:
            row = connection.execute(info_query().where(systems_maps.c.id == map_id)).first()
        if row is None:
            raise no_map(map_id)
        return map_info(row)

    def update(
        self, map_id: str, changes: Mapping[str, Any], *, expected_version: int | None
    ) -> MapInfo:
        """Change a map's title, question, description, status or attributes."""
        unknown = sorted(set(changes) - set(MAP_FIELDS))
        problems = [Problem(f"a map has no field {k!r}", field=k) for k in unknown]
        problems += map_problems(changes)
        raise_problems(problems)
        with self._ws.write() as connection:
            live_map(connection, map_id)
            stored = update_record(
                connection,
                systems_maps,
                map_id,
                dict(changes),
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="systems_map",
            )
            payload = {**changes, "version": stored["version"]}
            self._event(connection, map_id, "update", "map", map_id, payload)
        return self.get(map_id)

    def delete(self, map_id: str, *, expected_version: int | None = None) -> None:
        """Soft-delete a map (restorable from the audit trail); its open editors are told."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            self._event(connection, map_id, "delete", "map", map_id, {"id": map_id})
            soft_delete_record(
                connection,
                systems_maps,
                map_id,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="systems_map",
            )

    # -- sharing -------------------------------------------------------------------------------
    def share(self, map_id: str) -> str:
        """The map's read-only share token (made on first use)."""
        with self._ws.write() as connection:
            row = live_map(connection, map_id)
            if row.share_token:
                return str(row.share_token)
            token = secrets.token_urlsafe(24)
            connection.execute(
                update(systems_maps).where(systems_maps.c.id == map_id).values(share_token=token)
            )
            return token

    def unshare(self, map_id: str) -> None:
        """Stop the share link working (a new one can be made); screens showing it stop."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            connection.execute(
                update(systems_maps).where(systems_maps.c.id == map_id).values(share_token=None)
            )
            self._event(connection, map_id, "delete", "share", map_id, {"id": map_id})

    def by_share_token(self, token: str) -> MapInfo:
        with self._ws.read() as connection:
            row = connection.execute(
                info_query().where(systems_maps.c.share_token == token)
            ).first()
        if row is None or not token:
            raise NotFound("This share link does not open a map (it may have been withdrawn).")
        return map_info(row)

    # -- participants --------------------------------------------------------------------------
    def join(self, map_id: str, pseudonym: str, stakeholder_group: str = "") -> dict[str, Any]:
        """The participant of that name on the map (made on first use): who contributions are
        attributed to. Pseudonyms are what people chose to be called, not their names."""
        name = " ".join(str(pseudonym).split())
        group = " ".join(str(stakeholder_group).split())
        problems = []
        if not name or len(name) > 120:
            problems.append(Problem("choose a name of 1 to 120 characters", field="pseudonym"))
        if len(group) > 120:
            problems.append(Problem("at most 120 characters", field="stakeholder_group"))
        raise_problems(problems)
        with self._ws.write() as connection:
            live_map(connection, map_id)
            found = connection.execute(
                select(map_participants).where(
                    map_participants.c.map_id == map_id, map_participants.c.pseudonym == name
                )
            ).first()
            if found is not None:
                return participant_record(found)
            row = insert_record(
                connection,
                map_participants,
                {"map_id": map_id, "pseudonym": name, "stakeholder_group": group},
                actor=self._ws.actor,
                entity_type="map_participant",
            )
            self._event(
                connection, map_id, "create", "participant", row["id"], participant_record(row)
            )
            return participant_record(row)

    def participants(self, map_id: str) -> builtins.list[dict[str, Any]]:
        with self._ws.read() as connection:
            return [
                participant_record(r)
                for r in connection.execute(
                    select(map_participants)
                    .where(map_participants.c.map_id == map_id)
                    .order_by(map_participants.c.created_at)
                )
            ]

    # -- factors and links ---------------------------------------------------------------------
    def add_factor(
        self, map_id: str, fields: Mapping[str, Any], *, participant_id: str | None = None
    ) -> dict[str, Any]:
        """Add a factor; returns it as stored (with its id and version)."""
        values = factor_values(fields, partial=False)
        return self._add(map_id, "factor", values, participant_id)

    def update_factor(
        self,
        map_id: str,
        factor_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
    ) -> dict[str, Any]:
        """Change a factor's fields (a move is a change of x and y)."""
        values = factor_values(changes, partial=True)
        return self._update(map_id, "factor", factor_id, values, changes, expected_version)

    def delete_factor(
        self, map_id: str, factor_id: str, *, expected_version: int | None = None
    ) -> dict[str, Any]:
        """Delete a factor and the links to and from it (one change)."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            live_part(connection, map_factors, map_id, factor_id, "factor")
            touching = connection.execute(
                select(map_links.c.id).where(
                    map_links.c.map_id == map_id,
                    map_links.c.deleted_at.is_(None),
                    (map_links.c.source_id == factor_id) | (map_links.c.target_id == factor_id),
                )
            ).scalars()
            link_ids = sorted(touching)
            for link_id in link_ids:
                self._soft_delete(connection, "link", link_id, None)
            self._soft_delete(connection, "factor", factor_id, expected_version)
            payload = {"id": factor_id, "links": link_ids}
            revision = self._event(connection, map_id, "delete", "factor", factor_id, payload)
        return payload | {"revision": revision}

    def add_link(
        self, map_id: str, fields: Mapping[str, Any], *, participant_id: str | None = None
    ) -> dict[str, Any]:
        """Add a link between two factors of the map (parallel links are separate claims)."""
        values = link_values(fields, partial=False)
        return self._add(map_id, "link", values, participant_id)

    def update_link(
        self,
        map_id: str,
        link_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
    ) -> dict[str, Any]:
        """Change a link's fields (a new weight gives its polarity unless one is sent too)."""
        values = link_values(changes, partial=True)
        return self._update(map_id, "link", link_id, values, changes, expected_version)

    def delete_link(
        self, map_id: str, link_id: str, *, expected_version: int | None = None
    ) -> dict[str, Any]:
        with self._ws.write() as connection:
            live_map(connection, map_id)
            live_part(connection, map_links, map_id, link_id, "link")
            self._soft_delete(connection, "link", link_id, expected_version)
            revision = self._event(connection, map_id, "delete", "link", link_id, {"id": link_id})
        return {"id": link_id, "revision": revision}

    def _add(
        self, map_id: str, part: str, values: dict[str, Any], participant_id: str | None
    ) -> dict[str, Any]:
        """Store a new factor or link (``part``) of checked ``values``, as one change."""
        table, record = _PARTS[part]
        with self._ws.write() as connection:
            live_map(connection, map_id)
            check_participant(connection, map_id, participant_id)
            if part == "link":
                check_ends(connection, map_id, values)
            row = insert_record(
                connection,
                table,
                {"map_id": map_id, "participant_id": participant_id, **values},
                actor=self._ws.actor,
                entity_type=f"map_{part}",
            )
            stored = record(row)
            revision = self._event(connection, map_id, "create", part, row["id"], stored)
        return stored | {"revision": revision}

    def _update(
        self,
        map_id: str,
        part: str,
        part_id: str,
        values: dict[str, Any],
        changes: Mapping[str, Any],
        expected_version: int | None,
    ) -> dict[str, Any]:
        """Change a factor or link (``part``) by checked ``values``, as one change."""
        table, record = _PARTS[part]
        with self._ws.write() as connection:
            live_map(connection, map_id)
            current = live_part(connection, table, map_id, part_id, part)
            if part == "link":
                _settle_link(connection, map_id, current, values, changes)
            row = update_record(
                connection,
                table,
                part_id,
                values,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type=f"map_{part}",
            )
            stored = record(row)
            revision = self._event(connection, map_id, "update", part, part_id, stored)
        return stored | {"revision": revision}

    def _soft_delete(
        self, connection: Connection, part: str, part_id: str, expected_version: int | None
    ) -> None:
        soft_delete_record(
            connection,
            _PARTS[part][0],
            part_id,
            expected_version=expected_version,
            actor=self._ws.actor,
            entity_type=f"map_{part}",
        )

    # -- reading -------------------------------------------------------------------------------
    def content(self, map_id: str) -> dict[str, Any]:
        """Everything an editor shows: the map, its live factors and links, its participants,
        at one revision."""
        info = self.get(map_id)
        for _attempt in range(20):
            with self._ws.read() as connection:
                revision = map_revision(connection, map_id)
                factors = [
                    factor_record(r) for r in connection.execute(live_rows(map_factors, map_id))
                ]
                links = [link_record(r) for r in connection.execute(live_rows(map_links, map_id))]
                people = [
                    participant_record(r)
                    for r in connection.execute(
                        select(map_participants).where(map_participants.c.map_id == map_id)
                    )
                ]
                # Every change bumps the revision as it commits: the same revision before and
                # after means no change landed between the reads (on PostgreSQL each statement
                # sees its own snapshot), so the factors and links agree.
                if map_revision(connection, map_id) == revision:
                    break
        return {
            "map": info.to_dict() | {"revision": revision},
            "factors": factors,
            "links": links,
            "participants": people,
            "revision": revision,
        }

    def to_causal_map(self, map_id: str) -> CausalMap:
        """The map for the analyses and the file formats (contributors in link attributes)."""
        return causal_map_of(self.content(map_id))

    def events(self, map_id: str, *, after: int = 0, limit: int = 1000) -> builtins.list[dict]:
        """The changes after revision ``after``, oldest first (at most ``limit``)."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(map_events)
                .where(map_events.c.map_id == map_id, map_events.c.revision > after)
                .order_by(map_events.c.revision)
                .limit(limit)
            ).all()
        if not rows:
            self.revision(map_id)  # a map that does not exist is NotFound, not "no news"
        return [event_record(r) for r in rows]

    def revision(self, map_id: str) -> int:
        """The map's revision: how many changes it has had."""
        with self._ws.read() as connection:
            return map_revision(connection, map_id)

    # -- importing -----------------------------------------------------------------------------
    def import_map(
        self,
        causal_map: CausalMap,
        *,
        place: str | None = None,
        title: str | None = None,
        stakeholder_group: str = "",
    ) -> MapInfo:
        """Store a map read from a file as a new map (all or nothing). Factor and link ids are
        new; links keep their attribution (``stakeholder_group``, or the one given)."""
        causal_map.check()
        name = (title or causal_map.title or causal_map.source or "Imported map").strip()
        factor_rows, link_rows = import_values(causal_map, stakeholder_group)
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                systems_maps,
                {
                    "title": name[:300],
                    "question": causal_map.question,
                    "description": causal_map.description,
                    "status": "draft",
                    "place_id": place_id(connection, place) if place else None,
                    "revision": 0,
                    "attributes": {"imported_from": causal_map.source},
                },
                actor=self._ws.actor,
                entity_type="systems_map",
            )
            map_id = row["id"]
            ids: dict[str, str] = {}
            for factor_id, values in factor_rows:
                stored = insert_record(
                    connection,
                    map_factors,
                    {"map_id": map_id, "participant_id": None, **values},
                    actor=self._ws.actor,
                    entity_type="map_factor",
                )
                ids[factor_id] = stored["id"]
            for (source, target), values in link_rows:
                insert_record(
                    connection,
                    map_links,
                    {
                        "map_id": map_id,
                        "participant_id": None,
                        **values,
                        "source_id": ids[source],
                        "target_id": ids[target],
                    },
                    actor=self._ws.actor,
                    entity_type="map_link",
                )
            self._event(
                connection,
                map_id,
                "create",
                "map",
                map_id,
                {
                    "title": name,
                    "imported_from": causal_map.source,
                    "factors": len(causal_map.factors),
                    "links": len(causal_map.links),
                },
            )
        return self.get(map_id)

    # -- helpers -------------------------------------------------------------------------------
    def _event(self, connection: Connection, map_id: str, *change: Any) -> int:
        """Record a change (action, entity type and id, payload) as the map's next revision."""
        return record_event(connection, map_id, *change, actor=self._ws.actor)


def _settle_link(
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

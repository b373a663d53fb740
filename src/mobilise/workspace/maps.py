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
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.store.records import (
    insert_record,
    now,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import (
    map_events,
    map_factors,
    map_links,
    map_participants,
    places,
    systems_maps,
)
from mobilise.workspace._map_fields import (
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

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MapInfo", "MapService"]

MAP_FIELDS = ("title", "question", "description", "status", "attributes")


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
        }


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
                    "place_id": self._place_id(connection, place) if place else None,
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
        query = self._info_query().order_by(systems_maps.c.updated_at.desc())
        with self._ws.read() as connection:
            if place is not None:
                query = query.where(systems_maps.c.place_id == self._place_id(connection, place))
            return [_info(row) for row in connection.execute(query)]

    def get(self, map_id: str) -> MapInfo:
        with self._ws.read() as connection:
            row = connection.execute(self._info_query().where(systems_maps.c.id == map_id)).first()
        if row is None:
            raise NotFound(f"No systems map {map_id!r}. See `mobilise maps list` for the maps.")
        return _info(row)

    def update(
        self, map_id: str, changes: Mapping[str, Any], *, expected_version: int | None
    ) -> MapInfo:
        """Change a map's title, question, description, status or attributes."""
        unknown = sorted(set(changes) - set(MAP_FIELDS))
        problems = [Problem(f"a map has no field {k!r}", field=k) for k in unknown]
        problems += map_problems(changes)
        raise_problems(problems)
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
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
            self._live_map(connection, map_id)
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
            row = self._live_map(connection, map_id)
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
            self._live_map(connection, map_id)
            connection.execute(
                update(systems_maps).where(systems_maps.c.id == map_id).values(share_token=None)
            )
            self._event(connection, map_id, "delete", "share", map_id, {"id": map_id})

    def by_share_token(self, token: str) -> MapInfo:
        with self._ws.read() as connection:
            row = connection.execute(
                self._info_query().where(systems_maps.c.share_token == token)
            ).first()
        if row is None or not token:
            raise NotFound("This share link does not open a map (it may have been withdrawn).")
        return _info(row)

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
            self._live_map(connection, map_id)
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
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            self._check_participant(connection, map_id, participant_id)
            row = insert_record(
                connection,
                map_factors,
                {"map_id": map_id, "participant_id": participant_id, **values},
                actor=self._ws.actor,
                entity_type="map_factor",
            )
            factor = factor_record(row)
            revision = self._event(connection, map_id, "create", "factor", row["id"], factor)
        return factor | {"revision": revision}

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
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            self._live(connection, map_factors, map_id, factor_id, "factor")
            row = update_record(
                connection,
                map_factors,
                factor_id,
                values,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="map_factor",
            )
            factor = factor_record(row)
            revision = self._event(connection, map_id, "update", "factor", factor_id, factor)
        return factor | {"revision": revision}

    def delete_factor(
        self, map_id: str, factor_id: str, *, expected_version: int | None = None
    ) -> dict[str, Any]:
        """Delete a factor and the links to and from it (one change)."""
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            self._live(connection, map_factors, map_id, factor_id, "factor")
            touching = connection.execute(
                select(map_links.c.id).where(
                    map_links.c.map_id == map_id,
                    map_links.c.deleted_at.is_(None),
                    (map_links.c.source_id == factor_id) | (map_links.c.target_id == factor_id),
                )
            ).scalars()
            link_ids = sorted(touching)
            for link_id in link_ids:
                soft_delete_record(
                    connection,
                    map_links,
                    link_id,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="map_link",
                )
            soft_delete_record(
                connection,
                map_factors,
                factor_id,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="map_factor",
            )
            payload = {"id": factor_id, "links": link_ids}
            revision = self._event(connection, map_id, "delete", "factor", factor_id, payload)
        return payload | {"revision": revision}

    def add_link(
        self, map_id: str, fields: Mapping[str, Any], *, participant_id: str | None = None
    ) -> dict[str, Any]:
        """Add a link between two factors of the map (parallel links are separate claims)."""
        values = link_values(fields, partial=False)
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            self._check_participant(connection, map_id, participant_id)
            self._check_ends(connection, map_id, values)
            row = insert_record(
                connection,
                map_links,
                {"map_id": map_id, "participant_id": participant_id, **values},
                actor=self._ws.actor,
                entity_type="map_link",
            )
            link = link_record(row)
            revision = self._event(connection, map_id, "create", "link", row["id"], link)
        return link | {"revision": revision}

    def update_link(
        self,
        map_id: str,
        link_id: str,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None,
    ) -> dict[str, Any]:
        values = link_values(changes, partial=True)
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            current = self._live(connection, map_links, map_id, link_id, "link")
            self._check_ends(connection, map_id, values)
            if "weight" in values and values["weight"] is not None and "polarity" not in changes:
                values["polarity"] = sign_of(values["weight"])
            merged = {**current._mapping, **values}
            if merged["weight"] is not None and merged["polarity"] != sign_of(merged["weight"]):
                raise_problems(
                    [
                        Problem(
                            f"polarity {merged['polarity']!r} disagrees with weight "
                            f"{merged['weight']:g}",
                            field="polarity",
                        )
                    ]
                )
            row = update_record(
                connection,
                map_links,
                link_id,
                values,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="map_link",
            )
            link = link_record(row)
            revision = self._event(connection, map_id, "update", "link", link_id, link)
        return link | {"revision": revision}

    def delete_link(
        self, map_id: str, link_id: str, *, expected_version: int | None = None
    ) -> dict[str, Any]:
        with self._ws.write() as connection:
            self._live_map(connection, map_id)
            self._live(connection, map_links, map_id, link_id, "link")
            soft_delete_record(
                connection,
                map_links,
                link_id,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="map_link",
            )
            revision = self._event(connection, map_id, "delete", "link", link_id, {"id": link_id})
        return {"id": link_id, "revision": revision}

    # -- reading -------------------------------------------------------------------------------
    def content(self, map_id: str) -> dict[str, Any]:
        """Everything an editor shows: the map, its live factors and links, its participants,
        at one revision."""
        info = self.get(map_id)
        for _attempt in range(20):
            with self._ws.read() as connection:
                revision = self._revision(connection, map_id)
                factors = [
                    factor_record(r) for r in connection.execute(_live_rows(map_factors, map_id))
                ]
                links = [link_record(r) for r in connection.execute(_live_rows(map_links, map_id))]
                people = [
                    participant_record(r)
                    for r in connection.execute(
                        select(map_participants).where(map_participants.c.map_id == map_id)
                    )
                ]
                # Every change bumps the revision as it commits: the same revision before and
                # after means no change landed between the reads (on PostgreSQL each statement
                # sees its own snapshot), so the factors and links agree.
                if self._revision(connection, map_id) == revision:
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
        data = self.content(map_id)
        info = data["map"]
        names = {p["id"]: p for p in data["participants"]}
        factors = [
            Factor(
                id=f["id"],
                label=f["label"],
                kind=f["kind"],
                description=f["description"],
                group=f["theme"],
                populations=tuple(f["populations"]),
                indicator_id=f["indicator_id"],
                asset_category=f["asset_category"],
                x=f["x"],
                y=f["y"],
                attributes=_with_contributor(f["attributes"], names.get(f["participant_id"])),
            )
            for f in data["factors"]
        ]
        links = [
            Link(
                id=k["id"],
                source=k["source_id"],
                target=k["target_id"],
                polarity=k["polarity"],
                strength=k["strength"],
                weight=k["weight"],
                delay=k["delay"],
                confidence=k["confidence"],
                evidence=k["evidence"],
                stakeholder_group=k["stakeholder_group"],
                contested=k["contested"],
                label=k["label"],
                attributes=_with_contributor(k["attributes"], names.get(k["participant_id"])),
            )
            for k in data["links"]
        ]
        return CausalMap(
            title=info["title"],
            factors=factors,
            links=links,
            question=info["question"],
            description=info["description"],
            source=info["title"],
        )

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
        return [
            {
                "revision": r.revision,
                "at": r.at.isoformat(),
                "actor": r.actor,
                "action": r.action,
                "entity_type": r.entity_type,
                "entity_id": r.entity_id,
                "payload": r.payload,
            }
            for r in rows
        ]

    @staticmethod
    def _revision(connection: Connection, map_id: str) -> int:
        found = connection.execute(
            select(systems_maps.c.revision).where(
                systems_maps.c.id == map_id, systems_maps.c.deleted_at.is_(None)
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No systems map {map_id!r}. See `mobilise maps list` for the maps.")
        return int(found)

    def revision(self, map_id: str) -> int:
        with self._ws.read() as connection:
            found = connection.execute(
                select(systems_maps.c.revision).where(
                    systems_maps.c.id == map_id, systems_maps.c.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No systems map {map_id!r}.")
        return int(found)

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
                    "place_id": self._place_id(connection, place) if place else None,
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
    def _event(
        self,
        connection: Connection,
        map_id: str,
        action: str,
        entity_type: str,
        entity_id: str,
        payload: dict[str, Any],
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
                actor=self._ws.actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                payload=_jsonable(payload),
            )
        )
        return revision

    def _info_query(self) -> Any:
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

    def _place_id(self, connection: Connection, place: str) -> str:
        found = connection.execute(
            select(places.c.id).where(places.c.slug == place, places.c.deleted_at.is_(None))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No place {place!r}. See `mobilise places list` for the places.")
        return str(found)

    def _live_map(self, connection: Connection, map_id: str) -> Any:
        """The map's row, locked until the change commits (PostgreSQL; SQLite writes are one at
        a time anyway): every change to a map checks and writes as if alone, so a link can
        never be added to a factor being deleted at the same moment."""
        row = connection.execute(
            select(systems_maps)
            .where(systems_maps.c.id == map_id, systems_maps.c.deleted_at.is_(None))
            .with_for_update()
        ).first()
        if row is None:
            raise NotFound(f"No systems map {map_id!r}. See `mobilise maps list` for the maps.")
        return row

    def _live(self, connection: Connection, table: Any, map_id: str, key: str, what: str) -> Any:
        row = connection.execute(
            select(table).where(
                table.c.id == key, table.c.map_id == map_id, table.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound(f"The map has no {what} {key!r} (it may have been deleted).")
        return row

    def _check_participant(
        self, connection: Connection, map_id: str, participant_id: str | None
    ) -> None:
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

    def _check_ends(self, connection: Connection, map_id: str, values: Mapping[str, Any]) -> None:
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


def _live_rows(table: Any, map_id: str) -> Any:
    return (
        select(table)
        .where(table.c.map_id == map_id, table.c.deleted_at.is_(None))
        .order_by(table.c.created_at, table.c.id)
    )


def _info(row: Any) -> MapInfo:
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
    )


def _with_contributor(attributes: dict[str, Any], person: dict[str, Any] | None) -> dict:
    if person is None:
        return dict(attributes)
    return {
        **attributes,
        "contributor": person["pseudonym"],
        "contributor_group": person["stakeholder_group"],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value

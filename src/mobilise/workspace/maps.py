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
from mobilise.model.visibility import DEFAULT_VISIBILITY, Viewer
from mobilise.store.records import insert_record, soft_delete_record, update_record
from mobilise.store.tables import (
    map_events,
    map_factors,
    map_links,
    map_participants,
    systems_maps,
)
from mobilise.workspace._common import Progress, no_progress
from mobilise.workspace._map_fields import (
    causal_map_of,
    factor_record,
    factor_values,
    link_record,
    link_values,
    map_problems,
    participant_record,
    raise_problems,
)
from mobilise.workspace._map_people import (
    hidden_people,
    join_participant,
    leave_out,
    link_person,
    own_participant,
    shown_event,
    shown_parts,
    visible_maps,
)
from mobilise.workspace._map_restore import MapRestoring
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
    settle_link,
    unnamed_conflict,
)

if TYPE_CHECKING:
    from mobilise.workspace._map_import import MapImport
    from mobilise.workspace.core import Workspace

__all__ = ["MapInfo", "MapService"]

MAP_FIELDS = ("title", "question", "description", "status", "attributes", "visibility")
_PARTS = {"factor": (map_factors, factor_record), "link": (map_links, link_record)}


class MapService(MapRestoring):
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
        visibility: str = DEFAULT_VISIBILITY,
    ) -> MapInfo:
        """A new, empty map (of a place, when named), seen by those ``visibility`` says
        (:mod:`mobilise.model.visibility`; ``link`` needs a share link: :meth:`share`)."""
        fields = {"title": title, "question": question, "description": description}
        raise_problems(map_problems({**fields, "status": status, "visibility": visibility}))
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
                    "visibility": "consortium" if visibility == "link" else visibility,
                },
                actor=self._ws.actor,
                entity_type="systems_map",
            )
            self._event(connection, row["id"], "create", "map", row["id"], {"title": title})
        if visibility == "link":
            self.share(row["id"])
        return self.get(row["id"])

    def list(
        self, *, place: str | None = None, viewer: Viewer | None = None
    ) -> builtins.list[MapInfo]:
        """The maps ``viewer`` may see (all, without one), newest change first (of one place
        when named)."""
        query = info_query().where(visible_maps(viewer)).order_by(systems_maps.c.updated_at.desc())
        with self._ws.read() as connection:
            if place is not None:
                query = query.where(systems_maps.c.place_id == place_id(connection, place))
            return [map_info(row) for row in connection.execute(query)]

    def get(self, map_id: str, *, viewer: Viewer | None = None) -> MapInfo:
        """A live map; NotFound when there is none, or ``viewer`` may not see it."""
        with self._ws.read() as connection:
            row = connection.execute(
                info_query().where(systems_maps.c.id == map_id, visible_maps(viewer))
            ).first()
        if row is None:
            raise no_map(map_id)
        return map_info(row)

    def update(
        self, map_id: str, changes: Mapping[str, Any], *, expected_version: int | None
    ) -> MapInfo:
        """Change a map's title, question, description, status, attributes or visibility
        (leaving ``link`` withdraws the share link; choosing it makes one)."""
        unknown = sorted(set(changes) - set(MAP_FIELDS))
        problems = [Problem(f"a map has no field {k!r}", field=k) for k in unknown]
        problems += map_problems(changes)
        raise_problems(problems)
        values = dict(changes)
        with self._ws.write() as connection:
            current = live_map(connection, map_id)
            access = values.get("visibility", current.visibility) != current.visibility
            if access and values["visibility"] != "link":
                values["share_token"] = None
            elif access:
                values["share_token"] = current.share_token or secrets.token_urlsafe(24)
            with unnamed_conflict():
                stored = update_record(
                    connection,
                    systems_maps,
                    map_id,
                    values,
                    expected_version=expected_version,
                    actor=self._ws.actor,
                    entity_type="systems_map",
                    omit_from_audit=("share_token",),
                )
            payload = {**changes, "version": stored["version"]}
            self._event(connection, map_id, "update", "map", map_id, payload)
            if access:
                change = {"visibility": stored["visibility"], "shared": bool(stored["share_token"])}
                self._event(connection, map_id, "update", "visibility", map_id, change)
        return self.get(map_id)

    def set_visibility(self, map_id: str, visibility: str) -> MapInfo:
        """Who may see the map: ``group``, ``consortium`` or ``link`` (see
        :mod:`mobilise.model.visibility`)."""
        return self.update(map_id, {"visibility": visibility}, expected_version=None)

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
        """The map's read-only share token (made on first use): the map's visibility becomes
        ``link``."""
        if self.get(map_id).visibility != "link":
            self.set_visibility(map_id, "link")
        with self._ws.read() as connection:
            return str(live_map(connection, map_id).share_token)

    def unshare(self, map_id: str) -> None:
        """Stop the share link working (a new one can be made); screens showing it stop. The
        map is then seen by the consortium."""
        with self._ws.write() as connection:
            row = live_map(connection, map_id)
            if row.visibility == "link":
                self.set_visibility(map_id, DEFAULT_VISIBILITY)
            elif row.share_token:
                connection.execute(
                    update(systems_maps).where(systems_maps.c.id == map_id).values(share_token=None)
                )
            self._event(connection, map_id, "delete", "share", map_id, {"id": map_id})

    def by_share_token(self, token: str) -> MapInfo:
        """The map a share link opens (a link is withdrawn when the map leaves ``link``)."""
        with self._ws.read() as connection:
            row = connection.execute(
                info_query().where(systems_maps.c.share_token == token)
            ).first()
        if row is None or not token:
            raise NotFound("This share link does not open a map (it may have been withdrawn).")
        return map_info(row)

    # -- participants --------------------------------------------------------------------------
    def join(
        self,
        map_id: str,
        pseudonym: str,
        stakeholder_group: str = "",
        *,
        username: str | None = None,
        browser: str | None = None,
    ) -> dict[str, Any]:
        """Join the map under a chosen name: the participant contributions are attributed to.

        The participant is bound to whoever joins: the signed-in ``username`` or, in local
        mode, the browser (``browser``: its own random pseudonym token, of which only the
        SHA-256 is stored). Joining again renames it; a name someone else on the map goes
        by is refused (409). Without either (Python, the command line), the participant of that
        name is made on first use, as the operator records a workshop. Pseudonyms are what
        people chose to be called, not their names."""
        name = " ".join(str(pseudonym).split())
        group = " ".join(str(stakeholder_group).split())
        with self._ws.write() as connection:
            live_map(connection, map_id)
            person, change = join_participant(
                connection,
                map_id,
                name,
                group,
                username=username,
                browser=browser,
                actor=self._ws.actor,
            )
            if change is not None:
                self._event(connection, map_id, change, "participant", person["id"], person)
            return person

    def participant_of(
        self, map_id: str, *, username: str | None = None, browser: str | None = None
    ) -> dict[str, Any] | None:
        """The participant bound to this user (or browser) on the map, or None."""
        with self._ws.read() as connection:
            row = own_participant(connection, map_id, username=username, browser=browser)
        return participant_record(row) if row is not None else None

    def link_person(self, map_id: str, participant: str, person: str | None) -> dict[str, Any]:
        """Link a map participant (id or pseudonym) to a person of the participants register
        (id or pseudonym code; None unlinks): from then on, when that person's ``take_part``
        consent is withdrawn, what they gave on the map is left out (:meth:`hidden`)."""
        with self._ws.write() as connection:
            live_map(connection, map_id)
            person_id = self._ws.participants.id_of(connection, person) if person else None
            return link_person(connection, map_id, participant, person_id, actor=self._ws.actor)

    def hidden(self, map_id: str) -> frozenset[str]:
        """The map's participants whose linked person does not take part now."""
        with self._ws.read() as connection:
            return hidden_people(
                connection, map_id, lambda: self._ws.consent.permitted("take_part")
            )

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
                settle_link(connection, map_id, current, values, changes)
            with unnamed_conflict():
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
        content = {
            "map": info.to_dict() | {"revision": revision},
            "factors": factors,
            "links": links,
            "participants": people,
            "revision": revision,
        }
        return leave_out(content, self.hidden(map_id))

    def view(
        self,
        map_id: str,
        *,
        viewer: Viewer | None,
        username: str | None = None,
        browser: str | None = None,
    ) -> dict[str, Any]:
        """The map as ``viewer`` is shown it (NotFound when they may not see it): its content,
        people named by pseudonym and group only (no participant ids, no user names), and
        ``me``, the participant of this user (or browser), if they joined."""
        self.get(map_id, viewer=viewer)
        content = self.content(map_id)
        people = {p["id"]: p for p in content["participants"]}
        me = self.participant_of(map_id, username=username, browser=browser)
        header = {k: v for k, v in content["map"].items() if k != "created_by"}
        return content | {
            "map": header,
            "factors": shown_parts(content["factors"], people),
            "links": shown_parts(content["links"], people),
            "participants": [
                {"pseudonym": p["pseudonym"], "stakeholder_group": p["stakeholder_group"]}
                for p in content["participants"]
            ],
            "me": {k: me[k] for k in ("pseudonym", "stakeholder_group")} if me else None,
        }

    def to_causal_map(self, map_id: str) -> CausalMap:
        """The map for the analyses and the file formats (contributors in link attributes)."""
        return causal_map_of(self.content(map_id))

    def events(
        self, map_id: str, *, after: int = 0, limit: int = 1000, shown: bool = False
    ) -> builtins.list[dict]:
        """The changes after revision ``after``, oldest first (at most ``limit``); ``shown``:
        as viewers receive them (no user names, no participant ids)."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(map_events)
                .where(map_events.c.map_id == map_id, map_events.c.revision > after)
                .order_by(map_events.c.revision)
                .limit(limit)
            ).all()
        if not rows:
            self.revision(map_id)  # a map that does not exist is NotFound, not "no news"
        hidden = self.hidden(map_id)
        found = [e for e in map(event_record, rows) if not _given_by(e, hidden)]
        return [shown_event(e) for e in found] if shown else found

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
        progress: Progress = no_progress,
    ) -> MapInfo:
        """Store a map read from a file as a new map (all or nothing). Factor and link ids are
        new; links keep their attribution (``stakeholder_group``, or the one given). The map is
        checked before anything is written and then written in bulk; a big map is staged ahead
        and shown by one short transaction, so other writers are not kept waiting."""
        prepared = self.prepare_import(
            causal_map,
            place=place,
            title=title,
            stakeholder_group=stakeholder_group,
            progress=progress,
        )
        try:
            with self._ws.write() as connection:
                prepared.write(connection)
        except BaseException:
            prepared.discard()
            raise
        assert prepared.info is not None  # written
        return prepared.info

    def prepare_import(
        self,
        causal_map: CausalMap,
        *,
        place: str | None = None,
        title: str | None = None,
        stakeholder_group: str = "",
        token: str | None = None,
        progress: Progress = no_progress,
    ) -> MapImport:
        """Check (and, when big, stage) a map to import without the write lock; its ``write``
        finishes the import inside a transaction. ``token`` names staged rows (a job's id)."""
        from mobilise.workspace._map_import import MapImport

        prepared = MapImport(
            self._ws,
            causal_map,
            place=place,
            title=title,
            stakeholder_group=stakeholder_group,
            token=token,
            progress=progress,
        )
        prepared.prepare()
        return prepared

    # -- helpers -------------------------------------------------------------------------------
    def _event(self, connection: Connection, map_id: str, *change: Any) -> int:
        """Record a change (action, entity type and id, payload) as the map's next revision."""
        return record_event(connection, map_id, *change, actor=self._ws.actor)


def _given_by(event: Mapping[str, Any], hidden: frozenset[str]) -> bool:
    """Whether a map event is a hidden participant's joining or comment."""
    if not hidden:
        return False
    if event["entity_type"] == "participant":
        return event["entity_id"] in hidden
    payload = event["payload"]  # factors and links stay (see leave_out): only comments go
    return (
        event["entity_type"] == "comment"
        and isinstance(payload, dict)
        and payload.get("participant_id") in hidden
    )

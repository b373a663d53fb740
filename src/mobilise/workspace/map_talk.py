"""What people say about a systems map: comments and votes on its factors and links, and saved
versions (snapshots) of the whole map.

Each is attributed to a participant of the map (see :meth:`MapService.join
<mobilise.workspace.maps.MapService.join>`) and, like every map change, stamped with the map's
next revision and pushed to everyone editing it.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.causal_map import CausalMap, map_from_dict, map_to_dict
from mobilise.store.records import insert_record, update_record
from mobilise.store.tables import (
    map_comments,
    map_factors,
    map_links,
    map_participants,
    map_snapshots,
    map_votes,
)
from mobilise.workspace._map_people import shown_comment, unattributed
from mobilise.workspace._map_rows import check_participant, live_map, live_part, record_event

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["TARGET_TYPES", "MapTalkService"]

TARGET_TYPES = {"factor": map_factors, "link": map_links}
_COMMENT_LIMIT = 4000


class MapTalkService:
    """Comments, votes and snapshots of systems maps."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- comments ------------------------------------------------------------------------------
    def comment(
        self,
        map_id: str,
        target_type: str,
        target_id: str,
        text: str,
        *,
        participant_id: str | None = None,
    ) -> dict[str, Any]:
        """Comment on a factor or link of the map."""
        words = str(text).strip()
        if not words or len(words) > _COMMENT_LIMIT:
            raise ValidationError(
                "Cannot add the comment: 1 problem.",
                problems=[Problem(f"write 1 to {_COMMENT_LIMIT:,} characters", field="text")],
            )
        with self._ws.write() as connection:
            on = self._check(connection, map_id, target_type, target_id, participant_id)
            row = insert_record(
                connection,
                map_comments,
                {**on, "text": words},
                actor=self._ws.actor,
                entity_type="map_comment",
            )
            comment = self._comment(connection, row)
            revision = self._event(connection, map_id, "create", "comment", row["id"], comment)
        return comment | {"revision": revision}

    def comments(
        self,
        map_id: str,
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        shown: bool = False,
    ) -> builtins.list[dict[str, Any]]:
        """The map's comments, oldest first (on one factor or link when named); ``shown``: as
        viewers see them, by pseudonym and group (no participant ids, no user names)."""
        self._ws.maps.get(map_id)
        query = (
            select(map_comments)
            .where(map_comments.c.map_id == map_id, map_comments.c.deleted_at.is_(None))
            .order_by(map_comments.c.created_at, map_comments.c.id)
        )
        if target_type is not None:
            query = query.where(map_comments.c.target_type == target_type)
        if target_id is not None:
            query = query.where(map_comments.c.target_id == target_id)
        hidden = self._ws.maps.hidden(map_id)
        if hidden:  # people who withdrew from taking part
            query = query.where(map_comments.c.participant_id.not_in(hidden))
        with self._ws.read() as connection:
            found = [self._comment(connection, r._mapping) for r in connection.execute(query)]
        return [shown_comment(c) for c in found] if shown else found

    # -- votes ---------------------------------------------------------------------------------
    def vote(
        self,
        map_id: str,
        target_type: str,
        target_id: str,
        participant_id: str | None,
        value: int,
    ) -> dict[str, Any]:
        """A participant agrees (+1) or disagrees (-1) with a factor or link; 0 takes the vote
        back. One vote per participant and target: voting again changes it."""
        if participant_id is None:
            raise ValidationError(
                "Join the map before you vote: a vote is a participant's.",
                problems=[Problem("join the map first", field="participant")],
            )
        if value not in (-1, 0, 1):
            raise ValidationError(
                "Cannot vote: 1 problem.",
                problems=[Problem("vote +1 (agree), -1 (disagree) or 0 (none)", field="value")],
            )
        with self._ws.write() as connection:
            on = self._check(connection, map_id, target_type, target_id, participant_id)
            found = connection.execute(
                select(map_votes).where(
                    map_votes.c.target_type == target_type,
                    map_votes.c.target_id == target_id,
                    map_votes.c.participant_id == participant_id,
                )
            ).first()
            if found is None:
                insert_record(
                    connection,
                    map_votes,
                    {**on, "value": value},
                    actor=self._ws.actor,
                    entity_type="map_vote",
                )
            elif found.value != value:
                update_record(
                    connection,
                    map_votes,
                    found.id,
                    {"value": value},
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="map_vote",
                )
            tally = _tally(connection, target_type, target_id, self._ws.maps.hidden(map_id))
            payload = {"target_type": target_type, "target_id": target_id, **tally}
            revision = self._event(connection, map_id, "update", "vote", target_id, payload)
        return payload | {"revision": revision}

    def votes(self, map_id: str) -> dict[str, dict[str, int]]:
        """Agree and disagree counts per factor or link id."""
        self._ws.maps.get(map_id)
        query = (
            select(map_votes.c.target_id, map_votes.c.value, func.count())
            .where(map_votes.c.map_id == map_id, map_votes.c.value != 0)
            .group_by(map_votes.c.target_id, map_votes.c.value)
        )
        hidden = self._ws.maps.hidden(map_id)
        if hidden:  # people who withdrew from taking part
            query = query.where(map_votes.c.participant_id.not_in(hidden))
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        found: dict[str, dict[str, int]] = {}
        for target_id, value, count in rows:
            entry = found.setdefault(target_id, {"agree": 0, "disagree": 0})
            entry["agree" if value > 0 else "disagree"] += int(count)
        return found

    # -- snapshots -----------------------------------------------------------------------------
    def snapshot(self, map_id: str, label: str = "") -> dict[str, Any]:
        """Save the whole map as it is now, as a version people can go back to."""
        causal_map = self._ws.maps.to_causal_map(map_id)
        revision = self._ws.maps.revision(map_id)
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                map_snapshots,
                {
                    "map_id": map_id,
                    "label": str(label).strip()[:300] or f"Revision {revision}",
                    "revision": revision,
                    "content": map_to_dict(causal_map),
                },
                actor=self._ws.actor,
                entity_type="map_snapshot",
                omit_from_audit=("content",),
            )
        return _snapshot(row)

    def snapshots(self, map_id: str) -> builtins.list[dict[str, Any]]:
        self._ws.maps.get(map_id)
        with self._ws.read() as connection:
            rows = connection.execute(
                select(map_snapshots)
                .where(map_snapshots.c.map_id == map_id, map_snapshots.c.deleted_at.is_(None))
                .order_by(map_snapshots.c.revision.desc(), map_snapshots.c.created_at.desc())
            ).all()
        return [_snapshot(r._mapping) for r in rows]

    def snapshot_map(self, snapshot_id: str, *, map_id: str | None = None) -> CausalMap:
        """The map as it was saved in a snapshot (of ``map_id``, when given)."""
        query = select(map_snapshots).where(
            map_snapshots.c.id == snapshot_id, map_snapshots.c.deleted_at.is_(None)
        )
        if map_id is not None:
            query = query.where(map_snapshots.c.map_id == map_id)
        with self._ws.read() as connection:
            row = connection.execute(query).first()
            if row is None:
                raise NotFound(f"No map snapshot {snapshot_id!r}.")
            hidden = self._ws.maps.hidden(row.map_id)  # people who withdrew from taking part
            content = unattributed(connection, row.content, hidden)
        return map_from_dict(content, name=row.label)

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _check(
        connection: Any,
        map_id: str,
        target_type: str,
        target_id: str,
        participant_id: str | None,
    ) -> dict[str, Any]:
        """A comment or vote: on a live map (locked until the change commits), on one of its
        factors or links, by one of its participants. Returns those fields of its record."""
        live_map(connection, map_id)
        table = TARGET_TYPES.get(target_type)
        if table is None:
            raise ValidationError(
                f"Cannot comment or vote on a {target_type!r}.",
                problems=[Problem("choose factor or link", field="target_type")],
            )
        live_part(connection, table, map_id, target_id, target_type)
        check_participant(connection, map_id, participant_id)
        return {
            "map_id": map_id,
            "target_type": target_type,
            "target_id": target_id,
            "participant_id": participant_id,
        }

    def _event(self, connection: Any, map_id: str, *change: Any) -> int:
        """Record a change (action, entity type and id, payload) as the map's next revision."""
        return record_event(connection, map_id, *change, actor=self._ws.actor)

    def _comment(self, connection: Any, row: Any) -> dict[str, Any]:
        person = None
        if row["participant_id"]:
            person = connection.execute(
                select(map_participants.c.pseudonym, map_participants.c.stakeholder_group).where(
                    map_participants.c.id == row["participant_id"]
                )
            ).first()
        return {
            "id": row["id"],
            "target_type": row["target_type"],
            "target_id": row["target_id"],
            "text": row["text"],
            "participant_id": row["participant_id"],
            "pseudonym": person.pseudonym if person else None,
            "stakeholder_group": person.stakeholder_group if person else None,
            "created_at": row["created_at"].isoformat(),
        }


def _tally(
    connection: Any, target_type: str, target_id: str, hidden: frozenset[str]
) -> dict[str, int]:
    query = (
        select(map_votes.c.value, func.count())
        .where(map_votes.c.target_type == target_type, map_votes.c.target_id == target_id)
        .group_by(map_votes.c.value)
    )
    if hidden:
        query = query.where(map_votes.c.participant_id.not_in(hidden))
    rows = connection.execute(query).all()
    counts = {int(value): int(count) for value, count in rows}
    return {"agree": counts.get(1, 0), "disagree": counts.get(-1, 0)}


def _snapshot(row: Any) -> dict[str, Any]:
    content = row["content"]
    return {
        "id": row["id"],
        "map_id": row["map_id"],
        "label": row["label"],
        "revision": row["revision"],
        "factors": len(content.get("factors", [])),
        "links": len(content.get("links", [])),
        "created_at": row["created_at"].isoformat(),
        "created_by": row["created_by"],
    }

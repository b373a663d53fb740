"""A partner list imported in two steps (private to the partner service): read, check and plan
without the write lock, then write in one short transaction.

:class:`PartnerImport` reads the stored partners the file names and their memberships once,
works out what to add, change and restore, and (for a big file) stages the new partners ahead
(see :mod:`mobilise.workspace._staging`). :meth:`PartnerImport.write` then applies the changes,
each only if its record is still at the version read, and publishes the staged rows, inside the
caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import Conflict, Problem, ValidationError
from mobilise.model.relationships import PartnerRow
from mobilise.store.records import new_id, snapshot
from mobilise.store.tables import partner_memberships, partners, places
from mobilise.workspace._common import ImportSummary, Progress, chunked, no_progress
from mobilise.workspace._staging import (
    MARK,
    Change,
    Same,
    Staging,
    update_records,
    worth_staging,
)

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["PartnerImport", "partner_values"]


def partner_values(row: PartnerRow) -> dict[str, Any]:
    """The stored values of a file's partner (all but its key)."""
    return {k: v[0] for k, v in _partner_columns([row]).items() if k != "key"}


def _partner_columns(rows: Sequence[PartnerRow]) -> dict[str, list[Any]]:
    """The stored values of a file's partners (key included), column by column: the texts a
    file leaves blank are empty, its lists are lists (an empty one shared: only written)."""
    empty: list[str] = []
    return {
        "key": [row.key for row in rows],
        "name": [row.name for row in rows],
        "sector": [row.sector or "" for row in rows],
        "kind": [row.kind for row in rows],
        "description": [row.description or "" for row in rows],
        "places": [list(row.places) if row.places else empty for row in rows],
        "populations": [list(row.populations) if row.populations else empty for row in rows],
        "postcode": [row.postcode or "" for row in rows],
        "latitude": [row.latitude for row in rows],
        "longitude": [row.longitude for row in rows],
        "url": [row.url or "" for row in rows],
    }


@dataclass
class _Plan:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    partner_changes: list[Change] = field(default_factory=list)
    membership_changes: list[Change] = field(default_factory=list)


class PartnerImport:
    """One partner file's rows, planned against the stored partners (see the module docstring).

    ``token`` names the staged rows (a job passes its id, so a retry can discard what a dead
    attempt staged); ``stage`` allows staging (not inside a caller's open transaction).
    """

    def __init__(
        self,
        workspace: Workspace,
        rows: Sequence[PartnerRow],
        *,
        file: str,
        token: str | None = None,
        stage: bool = True,
        progress: Progress = no_progress,
    ) -> None:
        self._ws = workspace
        self.rows = rows
        self.file = file
        self._may_stage = stage
        self._staging = Staging(workspace, token or new_id(), stage=False, progress=progress)
        self._plan = _Plan()

    def prepare(self, connection: Connection) -> None:
        """Check the rows against the workspace and plan the import (reads only); then stage
        the new partners ahead when there are many. Raises ``ValidationError`` naming every
        problem, having written nothing."""
        known_places = set(connection.execute(select(places.c.slug)).scalars())
        problems = _row_problems(self.rows, known_places, file=self.file)
        if problems:
            raise ValidationError(f"{self.file}: {len(problems)} problems.", problems=problems)
        keys = [row.key for row in self.rows]
        stored = {
            r.key: r
            for chunk in chunked(keys)
            for r in connection.execute(select(partners).where(partners.c.key.in_(chunk)))
        }
        busy = [r.key for r in stored.values() if (r.deleted_by or "").startswith(MARK)]
        if busy:
            raise Conflict(
                f"Another import is adding partner {busy[0]!r} at this moment; import "
                f"{self.file} again once it has finished."
            )
        memberships = _memberships(connection, [r.id for r in stored.values()])
        new = [row for row in self.rows if row.key not in stored]
        self._staging.stage = self._may_stage and worth_staging(len(new))
        added = self._staging.add_columns(
            partners, _partner_columns(new), count=len(new), entity_type="partner"
        )
        today = date.today()
        self._staging.add_columns(
            partner_memberships,
            {
                "partner_id": added,
                "joined_on": [row.joined or today for row in new],
                "left_on": [row.left for row in new],
                "note": Same(""),
            },
            count=len(new),
            entity_type="partner_membership",
        )
        joins: list[dict[str, Any]] = []  # of stored partners without a membership
        self._plan.created = len(new)
        for row in self.rows:
            if row.key in stored:
                self._plan_existing(row, stored[row.key], memberships, joins)
        self._staging.add(partner_memberships, joins, entity_type="partner_membership")

    def stage(self) -> None:
        """Write a big import's new rows ahead, hidden (short transactions; no-op when small)."""
        self._staging.write_ahead()

    def write(self, connection: Connection) -> ImportSummary:
        """Inside the final transaction: apply the planned changes and show the staged rows.

        Raises ``Conflict`` when a partner the import changes was changed meanwhile."""
        actor = self._ws.actor
        plan = self._plan
        update_records(
            connection, partners, plan.partner_changes, actor=actor, entity_type="partner"
        )
        update_records(
            connection,
            partner_memberships,
            plan.membership_changes,
            actor=actor,
            entity_type="partner_membership",
        )
        summary = ImportSummary(
            file=self.file, created=plan.created, updated=plan.updated, unchanged=plan.unchanged
        )
        self._staging.publish(
            connection,
            entity_type="partner",
            entity_id=self.file,
            summary=(
                f"Imported {self.file}: {summary.created:,} partners added, "
                f"{summary.updated:,} updated, {summary.unchanged:,} unchanged."
            ),
        )
        return summary

    def discard(self) -> None:
        """Remove what was staged (after a failure)."""
        self._staging.discard()

    def _plan_existing(
        self,
        row: PartnerRow,
        stored: Any,
        memberships: dict[str, list[Any]],
        joins: list[dict[str, Any]],
    ) -> None:
        """Bring a stored partner in line with its row (restored if it was deleted)."""
        values = partner_values(row)
        changes = {k: v for k, v in values.items() if getattr(stored, k) != v}
        restored = stored.deleted_at is not None
        if restored:
            changes.update(deleted_at=None, deleted_by=None)
        if changes:
            before = snapshot(stored)
            action = "update" if set(changes) - {"deleted_at", "deleted_by"} else "restore"
            self._plan.partner_changes.append(
                Change(stored.id, stored.version, changes, before, action)
            )
        membership_changed = self._plan_membership(row, stored.id, memberships, joins)
        if changes or membership_changed:
            self._plan.updated += 1
        else:
            self._plan.unchanged += 1

    def _plan_membership(
        self,
        row: PartnerRow,
        partner_id: str,
        memberships: dict[str, list[Any]],
        joins: list[dict[str, Any]],
    ) -> bool:
        """Make the first membership match the file's joined/left dates; True when it changes."""
        current = memberships.get(partner_id, [])
        if not current:
            joins.append(_membership(partner_id, row))
            return True
        first = current[0]
        changes: dict[str, Any] = {}
        if row.joined is not None and row.joined != first.joined_on:
            changes["joined_on"] = row.joined
        if len(current) == 1 and row.left != first.left_on and (row.left or row.joined):
            changes["left_on"] = row.left
        if not changes:
            return False
        self._plan.membership_changes.append(
            Change(first.id, first.version, changes, snapshot(first))
        )
        return True


def _membership(partner_id: str, row: PartnerRow) -> dict[str, Any]:
    """A membership from a file's joined and left dates (joined today when it gives none)."""
    return {
        "partner_id": partner_id,
        "joined_on": row.joined or date.today(),
        "left_on": row.left,
        "note": "",
    }


def _memberships(connection: Connection, partner_ids: Sequence[str]) -> dict[str, list[Any]]:
    """The current memberships of the partners, each partner's in order of joining."""
    found: dict[str, list[Any]] = {}
    for chunk in chunked(partner_ids):
        rows = connection.execute(
            select(partner_memberships).where(
                partner_memberships.c.partner_id.in_(chunk),
                partner_memberships.c.deleted_at.is_(None),
            )
        )
        for row in rows:
            found.setdefault(row.partner_id, []).append(row)
    for memberships in found.values():
        memberships.sort(key=lambda r: r.joined_on)
    return found


def _row_problems(
    rows: Sequence[PartnerRow], known_places: set[str], *, file: str
) -> list[Problem]:
    """What the workspace refuses in a file's partners (the reader checked the rest): a web
    address that is not http(s), a place the workspace does not have."""
    problems: list[Problem] = []
    for row in rows:
        if row.url and not re.match(r"https?://", row.url.strip(), flags=re.I):
            problems.append(
                Problem(
                    "a web address starts with http:// or https://",
                    file=file,
                    row=row.row,
                    field="url",
                )
            )
        for place in row.places:
            if place not in known_places:
                problems.append(
                    Problem(
                        f"no place {place!r} in this workspace (add it first, or leave it out)",
                        file=file,
                        row=row.row,
                        field="places",
                    )
                )
    return problems

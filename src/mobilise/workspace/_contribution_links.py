"""What a contribution is about: assets, areas, systems-map factors and partners
(``contribution_links``), added and taken away through
:class:`~mobilise.workspace.event_contributions.EventContributionService`.

A link names its target by id (an area by its GSS code); the target must exist. Reading the
links of a contribution goes through the contribution's own consent check first, and the
contributions *about* a target (:func:`about_ids`) are only ids: whoever shows them asks the
consent-filtered reads (``list(ids=..., public_only=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.coproduction_vocab import LINK_TARGETS
from mobilise.store.records import insert_record, restore_record, soft_delete_record
from mobilise.store.tables import areas, assets, contribution_links, map_factors, partners

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["ContributionLink", "about_ids", "add_link", "links_of", "remove_link"]

_TARGETS: dict[str, Any] = {
    "asset": assets.c.id,
    "area": areas.c.code,
    "factor": map_factors.c.id,
    "partner": partners.c.id,
}


@dataclass(frozen=True)
class ContributionLink:
    id: str
    contribution_id: str
    target_type: str
    target_id: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _target_problems(connection: Connection, target_type: str, target_id: str) -> list[Problem]:
    if target_type not in LINK_TARGETS:
        return [Problem(f"one of {', '.join(LINK_TARGETS)}", field="target_type")]
    column = _TARGETS[target_type]
    found = connection.execute(
        select(column).where(column == target_id, column.table.c.deleted_at.is_(None))
    ).first()
    if found is None:
        return [Problem(f"no {target_type} {target_id!r}", field="target_id")]
    return []


def add_link(
    workspace: Workspace, contribution_id: str, target_type: str, target_id: str
) -> ContributionLink:
    """Say a contribution is about a target (an existing link is returned as it is)."""
    workspace.event_contributions.get(contribution_id)
    target_id = str(target_id).strip()
    with workspace.write() as connection:
        problems = _target_problems(connection, target_type, target_id)
        if problems:
            raise ValidationError("Cannot link the contribution.", problems=problems)
        existing = [
            link
            for link in _links(connection, contribution_id)
            if (link.target_type, link.target_id) == (target_type, target_id)
        ]
        if existing:
            return existing[0]
        table = contribution_links
        removed = connection.execute(
            select(table.c.id).where(
                table.c.contribution_id == contribution_id,
                table.c.target_type == target_type,
                table.c.target_id == target_id,
            )
        ).scalar_one_or_none()
        if removed is not None:  # taken away before: the same link comes back
            restore_record(
                connection,
                table,
                removed,
                expected_version=None,
                actor=workspace.actor,
                entity_type="contribution link",
            )
            return ContributionLink(removed, contribution_id, target_type, target_id)
        row = insert_record(
            connection,
            contribution_links,
            {
                "contribution_id": contribution_id,
                "target_type": target_type,
                "target_id": target_id,
            },
            actor=workspace.actor,
            entity_type="contribution link",
        )
    return ContributionLink(row["id"], contribution_id, target_type, target_id)


def remove_link(workspace: Workspace, contribution_id: str, link_id: str) -> None:
    """Take a link away; NotFound unless it is a link of that contribution."""
    workspace.event_contributions.get(contribution_id)
    with workspace.write() as connection:
        if link_id not in {link.id for link in _links(connection, contribution_id)}:
            raise NotFound(f"No link {link_id!r} of contribution {contribution_id!r}.")
        soft_delete_record(
            connection,
            contribution_links,
            link_id,
            expected_version=None,
            actor=workspace.actor,
            entity_type="contribution link",
        )


def links_of(workspace: Workspace, contribution_id: str) -> list[ContributionLink]:
    """The links of a contribution consent lets be shown (NotFound otherwise)."""
    workspace.event_contributions.get(contribution_id)
    with workspace.read() as connection:
        return _links(connection, contribution_id)


def links_of_many(
    workspace: Workspace, contribution_ids: list[str]
) -> dict[str, list[ContributionLink]]:
    """The links of each of ``contribution_ids`` (already read under consent), in one query per
    thousand contributions."""
    from mobilise.workspace._common import chunked

    table = contribution_links
    found: dict[str, list[ContributionLink]] = {c: [] for c in contribution_ids}
    with workspace.read() as connection:
        for chunk in chunked(list(found)):
            rows = connection.execute(
                select(table.c.id, table.c.contribution_id, table.c.target_type, table.c.target_id)
                .where(table.c.contribution_id.in_(chunk), table.c.deleted_at.is_(None))
                .order_by(table.c.created_at, table.c.id)
            )
            for row in rows:
                found[row.contribution_id].append(ContributionLink(*row))
    return found


def about_ids(workspace: Workspace, target_type: str, target_ids: list[str]) -> list[str]:
    """The ids of the contributions linked to any of ``target_ids`` of ``target_type``."""
    if target_type not in LINK_TARGETS:
        raise ValidationError(
            f"No link target {target_type!r}.",
            problems=[Problem(f"one of {', '.join(LINK_TARGETS)}", field="target_type")],
        )
    table = contribution_links
    with workspace.read() as connection:
        return list(
            connection.execute(
                select(table.c.contribution_id)
                .where(
                    table.c.target_type == target_type,
                    table.c.target_id.in_(target_ids),
                    table.c.deleted_at.is_(None),
                )
                .distinct()
            ).scalars()
        )


def _links(connection: Connection, contribution_id: str) -> list[ContributionLink]:
    table = contribution_links
    rows = connection.execute(
        select(table.c.id, table.c.contribution_id, table.c.target_type, table.c.target_id)
        .where(table.c.contribution_id == contribution_id, table.c.deleted_at.is_(None))
        .order_by(table.c.created_at, table.c.id)
    )
    return [ContributionLink(*row) for row in rows]

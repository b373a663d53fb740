"""The contributions and codings the themes service may use (private to
:mod:`mobilise.workspace.themes`): every read keeps only what consent lets be shown."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mobilise.errors import Problem, ValidationError
from mobilise.model.engagement_vocab import CONTRIBUTION_SCOPE
from mobilise.store.tables import codings, engagement_events, event_contributions, participants
from mobilise.store.tables import themes as themes_table

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["COUNT_BY", "Scope", "coding_rows", "visible_contributions"]

COUNT_BY: dict[str, Any] = {
    "event_kind": engagement_events.c.kind,
    "place": engagement_events.c.place_slug,
    "event": engagement_events.c.title,
    "imd_decile": participants.c.imd_decile,
    "age_band": participants.c.age_band,
    "sex": participants.c.sex,
    "gender_identity": participants.c.gender_identity,
    "ethnic_group": participants.c.ethnic_group,
    "disability": participants.c.disability,
    "carer": participants.c.carer,
    "young_person": participants.c.young_person,
}
"""What theme counts may be split by: the event's kind, place or title, or the contributor's IMD
decile or equality-monitoring answer (a group's contribution reads "unknown" there)."""


MAX_IN = 500
"""The most contribution ids asked for with one ``IN (...)`` (SQLite takes at most 32,766
parameters); more are filtered after reading."""


class Scope:
    """Which contributions a question is about: one event, one place's events, or given ids."""

    def __init__(
        self,
        *,
        event: str | None = None,
        place: str | None = None,
        contributions: Collection[str] | None = None,
    ) -> None:
        self.event, self.place = event, place
        self.contributions = list(contributions) if contributions is not None else None

    def where(self, query: Any) -> Any:
        if self.event is not None:
            query = query.where(event_contributions.c.event_id == self.event)
        if self.place is not None:
            query = query.where(engagement_events.c.place_slug == self.place)
        if self.contributions is not None and len(self.contributions) <= MAX_IN:
            query = query.where(event_contributions.c.id.in_(self.contributions))
        return query

    def keep(self, rows: list[Any]) -> list[Any]:
        """The rows of the given contributions, when too many for one ``IN (...)``."""
        if self.contributions is None or len(self.contributions) <= MAX_IN:
            return rows
        wanted = set(self.contributions)
        return [row for row in rows if row.id in wanted]


def _kept(workspace: Workspace, rows: list[Any]) -> list[Any]:
    """Rows whose participant has granted ``take_part`` and the kind's own scope (a table's or
    group's contribution, with no participant, is always kept)."""
    if not any(row.participant_id for row in rows):
        return rows
    taking_part = workspace.consent.permitted("take_part")
    scopes = {CONTRIBUTION_SCOPE[row.kind] for row in rows if row.participant_id}
    permitted = {scope: workspace.consent.permitted(scope) for scope in scopes}
    return [
        row
        for row in rows
        if not row.participant_id
        or (
            row.participant_id in taking_part
            and row.participant_id in permitted[CONTRIBUTION_SCOPE[row.kind]]
        )
    ]


def visible_contributions(
    workspace: Workspace, scope: Scope, *, by: str | None = None, text: bool = True
) -> list[Any]:
    """The contributions in ``scope`` consent lets be used, oldest first: ``id``,
    ``event_id``, ``kind``, ``participant_id``, ``group_label``, ``place_slug``, ``title``
    (the event's), [``text``], and ``by_value`` when ``by`` is named."""
    if by is not None and by not in COUNT_BY:
        raise ValidationError(
            f"Cannot split theme counts by {by!r}.",
            problems=[Problem(f"one of {', '.join(COUNT_BY)}", field="by")],
        )
    columns = [
        event_contributions.c.id,
        event_contributions.c.event_id,
        event_contributions.c.kind,
        event_contributions.c.participant_id,
        event_contributions.c.group_label,
        engagement_events.c.place_slug,
        engagement_events.c.title,
    ]
    if text:
        columns.append(event_contributions.c.text)
    if by is not None:
        columns.append(COUNT_BY[by].label("by_value"))
    query = (
        sa.select(*columns)
        .join(engagement_events, engagement_events.c.id == event_contributions.c.event_id)
        .outerjoin(participants, participants.c.id == event_contributions.c.participant_id)
        .where(event_contributions.c.deleted_at.is_(None), engagement_events.c.deleted_at.is_(None))
        .order_by(event_contributions.c.created_at, event_contributions.c.id)
    )
    with workspace.read() as connection:
        rows = connection.execute(scope.where(query)).all()
    return _kept(workspace, scope.keep(list(rows)))


def coding_rows(
    workspace: Workspace,
    contribution_ids: Collection[str],
    *,
    theme: str | None = None,
    coder: str | None = None,
) -> list[Any]:
    """The live codings of these contributions (on live themes), in order of contribution,
    start and theme."""
    query = (
        sa.select(codings, themes_table.c.name.label("theme_name"))
        .join(themes_table, themes_table.c.id == codings.c.theme_id)
        .where(codings.c.deleted_at.is_(None), themes_table.c.deleted_at.is_(None))
        .order_by(codings.c.contribution_id, codings.c.span_start, codings.c.created_at)
    )
    if theme is not None:
        query = query.where(codings.c.theme_id == theme)
    if coder is not None:
        query = query.where(codings.c.coder == coder)
    from mobilise.workspace._common import chunked

    wanted = sorted(set(contribution_ids))
    rows: list[Any] = []
    with workspace.read() as connection:
        # IN (...) a chunk at a time: a place may have more contributions than a query takes
        for chunk in chunked(wanted):
            rows += connection.execute(query.where(codings.c.contribution_id.in_(chunk))).all()
    return rows  # each contribution's codings together, by start and time

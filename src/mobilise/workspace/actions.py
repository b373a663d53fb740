""" "You said, we did": the actions that answer what people said, and the feedback that tells
them what became of it.

- **Actions** (``actions``): what, a description, the place, the partner who owns it, a due
  date, a status (planned, in progress, done, dropped), the day it was done and the evidence of
  what was done, its cost, the workshop that agreed it, and whether it is public. An action
  answers themes (``action_themes``; themes are the codebook's, read here from the ``themes``
  table).
- **Feedback** (``feedback_items``): where and when it was shared (at an event, in a
  newsletter, on a web page ...), a summary and a link, about an action or about a place.
- **Closure figures** per place (:class:`~mobilise.workspace._action_fields.Closure`): the
  share of themes with an action, the share of actions done, the median days from the event
  where something was said to the feedback about it, and the actions overdue.

Every change is a record (version for optimistic concurrency: a stale ``version`` is a 409,
audit trail, soft delete). The public page of a place is built in
:mod:`mobilise.workspace._action_public`, under consent and disclosure control.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.store.records import (
    insert_record,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import (
    action_themes,
    actions,
    engagement_events,
    feedback_items,
    partners,
    places,
    themes,
)
from mobilise.workspace._action_fields import (
    COLUMN_OF,
    Action,
    Closure,
    Feedback,
    action_of,
    action_problems,
    feedback_of,
    feedback_problems,
)

if TYPE_CHECKING:
    from mobilise.workspace._action_public import YouSaidWeDid
    from mobilise.workspace.core import Workspace

__all__ = ["Action", "ActionService", "Closure", "Feedback"]

_ACTION = "action"
_FEEDBACK = "feedback item"


class ActionService:
    """Actions answering themes, feedback to the community, closure figures, the public page."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- actions ------------------------------------------------------------------------------
    def add(
        self,
        title: str,
        *,
        place: str | None,
        themes: Sequence[str] = (),
        illustrative: bool = False,
        **values: Any,
    ) -> Action:
        """Add an action (fields as :data:`~mobilise.workspace._action_fields.ACTION_FIELDS`)
        answering ``themes`` (theme ids)."""
        given = {"title": title, "place": place, **values}
        given.setdefault("status", "planned")
        problems = action_problems(given)
        with self._ws.write() as connection:
            problems += _reference_problems(connection, given, themes)
            if problems:
                raise ValidationError("Cannot add the action.", problems=problems)
            row = insert_record(
                connection,
                actions,
                _columns(given) | {"illustrative": illustrative},
                actor=self._ws.actor,
                entity_type=_ACTION,
            )
            self._link(connection, row["id"], themes)
        return self.get(row["id"])

    def get(self, action_id: str) -> Action:
        found = self._select(ids=[action_id])
        if not found:
            raise NotFound(f"No action {action_id!r}.")
        return found[0]

    def list(
        self,
        *,
        place: str | None = None,
        status: str | None = None,
        public_only: bool = False,
        overdue_on: date | None = None,
    ) -> builtins.list[Action]:
        """Actions by due date (those without one last); of one place or status; only the
        public ones; only those overdue on ``overdue_on``."""
        if status is not None:
            problems = action_problems({"status": status})
            if problems:
                raise ValidationError(f"No action status {status!r}.", problems=problems)
        found = self._select(place=place, status=status, public_only=public_only)
        if overdue_on is not None:
            found = [a for a in found if a.overdue(overdue_on)]
        return found

    def overdue(
        self, *, place: str | None = None, today: date | None = None
    ) -> builtins.list[Action]:
        """Actions whose due date has passed (before ``today``) and that are not done or
        dropped."""
        return self.list(place=place, overdue_on=today or date.today())

    def update(
        self,
        action_id: str,
        *,
        version: int | None = None,
        themes: Sequence[str] | None = None,
        **changes: Any,
    ) -> Action:
        """Change an action's fields (and, given ``themes``, the themes it answers). With
        ``version``, a change to a record changed since is a Conflict (409)."""
        current = self.get(action_id)
        problems = action_problems(changes)
        merged = {"status": current.status, "done_on": current.done_on} | changes
        if merged["status"] == "done" and merged.get("done_on") is None:
            changes["done_on"] = merged["done_on"] = date.today()
        with self._ws.write() as connection:
            problems += _reference_problems(connection, changes, themes or ())
            if problems:
                raise ValidationError(f"Cannot change action {action_id!r}.", problems=problems)
            update_record(
                connection,
                actions,
                action_id,
                _columns(changes),
                expected_version=version,
                actor=self._ws.actor,
                entity_type=_ACTION,
            )
            if themes is not None:
                self._relink(connection, action_id, themes)
        return self.get(action_id)

    def done(
        self,
        action_id: str,
        *,
        evidence: str,
        done_on: date | None = None,
        version: int | None = None,
    ) -> Action:
        """Mark an action done, with the evidence of what was done (required)."""
        if not isinstance(evidence, str) or not evidence.strip():
            raise ValidationError(
                "Say what was done.",
                problems=[Problem("the evidence of what was done", field="evidence")],
            )
        return self.update(
            action_id,
            version=version,
            status="done",
            evidence=evidence.strip(),
            done_on=done_on or date.today(),
        )

    def remove(self, action_id: str, *, version: int | None = None) -> None:
        """Take an action away (soft deletion: it can be restored from the audit trail)."""
        self.get(action_id)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                actions,
                action_id,
                expected_version=version,
                actor=self._ws.actor,
                entity_type=_ACTION,
            )

    # -- feedback -----------------------------------------------------------------------------
    def add_feedback(
        self,
        summary: str,
        *,
        shared_on: date,
        channel: str,
        action: str | None = None,
        place: str | None = None,
        event: str | None = None,
        url: str = "",
        illustrative: bool = False,
    ) -> Feedback:
        """Record feedback given back to the community (about ``action``, or a place)."""
        values = {"summary": summary, "shared_on": shared_on, "channel": channel, "url": url}
        problems = feedback_problems(values)
        if action is None and place is None:
            problems.append(Problem("the action it is about, or the place", field="action"))
        with self._ws.write() as connection:
            if action is not None:
                row = connection.execute(
                    select(actions.c.place_slug).where(
                        actions.c.id == action, actions.c.deleted_at.is_(None)
                    )
                ).first()
                if row is None:
                    problems.append(Problem(f"no action {action!r}", field="action"))
                elif place is None:
                    place = row.place_slug
            problems += _reference_problems(connection, {"place": place, "event": event}, ())
            if problems:
                raise ValidationError("Cannot record the feedback.", problems=problems)
            row_values = values | {
                "summary": summary.strip(),
                "url": url.strip(),
                "action_id": action,
                "place_slug": place,
                "event_id": event,
                "illustrative": illustrative,
            }
            stored = insert_record(
                connection,
                feedback_items,
                row_values,
                actor=self._ws.actor,
                entity_type=_FEEDBACK,
            )
        return self._feedback(ids=[stored["id"]])[0]

    def feedback(
        self, *, place: str | None = None, action: str | None = None
    ) -> builtins.list[Feedback]:
        """Feedback items, newest first; of one place or action."""
        return self._feedback(place=place, action=action)

    def remove_feedback(self, feedback_id: str) -> None:
        if not self._feedback(ids=[feedback_id]):
            raise NotFound(f"No feedback item {feedback_id!r}.")
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                feedback_items,
                feedback_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type=_FEEDBACK,
            )

    # -- figures and the public page ----------------------------------------------------------
    def closure(
        self, place: str, *, today: date | None = None, public_only: bool = False
    ) -> Closure:
        """The closure figures of a place (see :class:`Closure`)."""
        from mobilise.workspace._action_public import closure_of

        self._ws.places.get(place)
        found = self._select(place=place, public_only=public_only)
        with self._ws.read() as connection:
            return closure_of(
                connection,
                place,
                found,
                self._feedback(place=place),
                today=today or date.today(),
            )

    def public_page(self, place: str, *, today: date | None = None) -> YouSaidWeDid:
        """What a place's public "you said, we did" page shows: themes with their consented
        quotes (a resident's words, never a name or pseudonym), public actions done and to do,
        feedback and the closure figures; people counts under disclosure control."""
        from mobilise.workspace._action_public import build_page

        return build_page(self._ws, place, today=today or date.today())

    def atom(self, place: str, *, base_url: str, today: date | None = None) -> bytes:
        """The public page of ``place`` as an Atom 1.0 feed (links under ``base_url``)."""
        from mobilise.workspace._action_public import page_atom

        return page_atom(self.public_page(place, today=today), base_url=base_url)

    def themes_of_place(self, place: str) -> builtins.list[dict[str, Any]]:
        """The themes a place's actions may answer (its own and the project's): id and name."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(themes.c.id, themes.c.name, themes.c.place_slug)
                .where(
                    themes.c.deleted_at.is_(None),
                    (themes.c.place_slug == place) | themes.c.place_slug.is_(None),
                )
                .order_by(themes.c.position, themes.c.name)
            ).all()
        return [{"id": r.id, "name": r.name, "place": r.place_slug} for r in rows]

    # -- helpers ------------------------------------------------------------------------------
    def _select(
        self,
        *,
        ids: Iterable[str] | None = None,
        place: str | None = None,
        status: str | None = None,
        public_only: bool = False,
    ) -> builtins.list[Action]:
        query = (
            select(actions, partners.c.name.label("owner_name"))
            .outerjoin(partners, partners.c.id == actions.c.owner_partner_id)
            .where(actions.c.deleted_at.is_(None))
        )
        if ids is not None:
            query = query.where(actions.c.id.in_(builtins.list(ids)))
        if place is not None:
            query = query.where(actions.c.place_slug == place)
        if status is not None:
            query = query.where(actions.c.status == status)
        if public_only:
            query = query.where(actions.c.public.is_(True))
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
            linked = _themes_of(connection, [row.id for row in rows])
        found = [action_of(row, linked) for row in rows]
        return sorted(found, key=lambda a: (a.due_on is None, a.due_on or date.max, a.title))

    def _feedback(
        self,
        *,
        ids: Iterable[str] | None = None,
        place: str | None = None,
        action: str | None = None,
    ) -> builtins.list[Feedback]:
        query = select(feedback_items).where(feedback_items.c.deleted_at.is_(None))
        if ids is not None:
            query = query.where(feedback_items.c.id.in_(builtins.list(ids)))
        if place is not None:
            query = query.where(feedback_items.c.place_slug == place)
        if action is not None:
            query = query.where(feedback_items.c.action_id == action)
        query = query.order_by(feedback_items.c.shared_on.desc(), feedback_items.c.created_at)
        with self._ws.read() as connection:
            return [feedback_of(row) for row in connection.execute(query).all()]

    def _link(self, connection: Connection, action_id: str, theme_ids: Iterable[str]) -> None:
        for theme_id in dict.fromkeys(theme_ids):
            insert_record(
                connection,
                action_themes,
                {"action_id": action_id, "theme_id": theme_id},
                actor=self._ws.actor,
                entity_type="action theme",
            )

    def _relink(self, connection: Connection, action_id: str, theme_ids: Sequence[str]) -> None:
        rows = connection.execute(
            select(action_themes).where(action_themes.c.action_id == action_id)
        ).all()
        wanted = set(theme_ids)
        have: set[str] = set()
        for row in rows:
            live = row.deleted_at is None
            if (row.theme_id in wanted) != live:  # to bring back, or to take off
                change = soft_delete_record if live else restore_record
                change(
                    connection,
                    action_themes,
                    row.id,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="action theme",
                )
            have.add(row.theme_id)
        self._link(connection, action_id, [t for t in theme_ids if t not in have])


def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {COLUMN_OF.get(key, key): value for key, value in values.items()}
    for key in ("title", "description", "evidence"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


def _themes_of(
    connection: Connection, action_ids: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not action_ids:
        return out
    query = (
        select(action_themes.c.action_id, themes.c.id, themes.c.name)
        .join(themes, themes.c.id == action_themes.c.theme_id)
        .where(action_themes.c.deleted_at.is_(None), themes.c.deleted_at.is_(None))
        .order_by(themes.c.position, themes.c.name)
    )
    if len(action_ids) <= 500:
        query = query.where(action_themes.c.action_id.in_(action_ids))
    wanted = set(action_ids)
    for row in connection.execute(query):
        if row.action_id in wanted:
            out[row.action_id].append((row.id, row.name))
    return out


def _exists(connection: Connection, table: Any, column: Any, value: Any) -> bool:
    query = select(column).where(column == value)
    if "deleted_at" in table.c:
        query = query.where(table.c.deleted_at.is_(None))
    return connection.execute(query.limit(1)).first() is not None


def _reference_problems(
    connection: Connection, values: Mapping[str, Any], theme_ids: Iterable[str]
) -> list[Problem]:
    """The place, owner partner, event and themes named must exist."""
    problems: list[Problem] = []
    checks = (
        ("place", places, places.c.slug, "place"),
        ("owner", partners, partners.c.id, "partner"),
        ("event", engagement_events, engagement_events.c.id, "event"),
    )
    for name, table, column, label in checks:
        value = values.get(name)
        if value is None:
            continue
        if (
            not isinstance(value, str)
            or len(value) > 80
            or not _exists(connection, table, column, value)
        ):
            problems.append(Problem(f"no {label} {value!r}", field=name))
    for theme_id in theme_ids:
        if (
            not isinstance(theme_id, str)
            or len(theme_id) > 36
            or not _exists(connection, themes, themes.c.id, theme_id)
        ):
            problems.append(Problem(f"no theme {theme_id!r}", field="themes"))
    return problems

"""A place's "you said, we did" as the public sees it, and its closure figures.

What people said is the place's themes, each with a few of the words coded under it. Only
words given at the place's **public** events and that staff **marked public** are read at all;
a person's words are shown only while the person is in ``permitted("quote")`` and
``permitted("take_part")`` of the consent ledger, and only as "a resident": never a name and
never a pseudonym, whatever the consent's quote level (a group's note shows its group label).
How many people (a participant, or a table or group without one) said something under a theme
is a count about people, so it goes through disclosure control (the project's
``disclosure_k``: 1 to k-1 read "fewer than k"); it counts the same words the page may show.
Only public actions, and the feedback about them or about the place, are shown.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, func, select

from mobilise.store.tables import codings, engagement_events, event_contributions, themes

if TYPE_CHECKING:
    from mobilise.workspace._action_fields import Action, Closure, Feedback
    from mobilise.workspace.core import Workspace

__all__ = ["QUOTES_PER_THEME", "SaidTheme", "YouSaidWeDid", "build_page", "closure_of"]

QUOTES_PER_THEME = 3
TEXT_KINDS = ("quote", "story", "note")
RESIDENT = "a resident"


@dataclass(frozen=True)
class SaidTheme:
    """A theme of the place: what people said, and what answers it."""

    id: str
    name: str
    definition: str
    contributions: int | None  # None: hidden with the voices (disclosure control)
    quotes: tuple[tuple[str, str], ...]  # (words, who: "a resident" or a group's label)
    actions: tuple[str, ...]  # ids of the public actions answering it
    voices: int | None = 0  # distinct people or groups; None: fewer than k

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "definition": self.definition,
            "contributions": self.contributions,
            "voices": self.voices,
            "quotes": [{"text": text, "who": who} for text, who in self.quotes],
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class YouSaidWeDid:
    place: str
    place_name: str
    themes: list[SaidTheme]
    done: list[Action]
    to_do: list[Action]
    dropped: list[Action]
    feedback: list[Feedback]
    closure: Closure
    k: int
    today: date
    updated: datetime | None = None
    overdue: frozenset[str] = field(default=frozenset())

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "place_name": self.place_name,
            "updated": self.updated.isoformat() if self.updated else None,
            "disclosure_k": self.k,
            "closure": self.closure.to_dict(),
            "themes": [t.to_dict() for t in self.themes],
            "done": [_public(a, self.overdue) for a in self.done],
            "to_do": [_public(a, self.overdue) for a in self.to_do],
            "dropped": [_public(a, self.overdue) for a in self.dropped],
            "feedback": [f.to_dict() for f in self.feedback],
        }


def _public(action: Action, overdue: frozenset[str]) -> dict[str, Any]:
    """An action as the public sees it (no internal flags beyond what the page says)."""
    out = action.to_dict()
    for internal in ("public", "version", "event"):  # the workshop may not be public
        out.pop(internal, None)
    out["overdue"] = action.id in overdue
    return out


def _coded_at(place: str, *columns: Any, public_only: bool = False) -> Select[Any]:
    """``columns`` of the codings of what was said at ``place``'s events (none deleted); with
    ``public_only``, only at public events and only what staff marked public."""
    query = (
        select(*columns)
        .join(event_contributions, event_contributions.c.id == codings.c.contribution_id)
        .join(engagement_events, engagement_events.c.id == event_contributions.c.event_id)
        .where(
            codings.c.deleted_at.is_(None),
            event_contributions.c.deleted_at.is_(None),
            engagement_events.c.deleted_at.is_(None),
            engagement_events.c.place_slug == place,
        )
    )
    if public_only:
        query = query.where(
            engagement_events.c.public.is_(True), event_contributions.c.public.is_(True)
        )
    return query


def _theme_events(connection: Connection, place: str, public_only: bool) -> dict[str, date]:
    """Each theme coded on something said at the place's events, and the earliest such event."""
    first = func.min(engagement_events.c.starts_at).label("first")
    query = _coded_at(place, codings.c.theme_id, first, public_only=public_only)
    query = query.group_by(codings.c.theme_id)
    return {row.theme_id: _day(row.first) for row in connection.execute(query)}


def _day(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def _event_days(connection: Connection, event_ids: set[str]) -> dict[str, date]:
    if not event_ids:
        return {}
    rows = connection.execute(
        select(engagement_events.c.id, engagement_events.c.starts_at).where(
            engagement_events.c.id.in_(sorted(event_ids))
        )
    )
    return {row.id: _day(row.starts_at) for row in rows}


def _own_themes(connection: Connection, place: str) -> set[str]:
    rows = connection.execute(
        select(themes.c.id).where(themes.c.place_slug == place, themes.c.deleted_at.is_(None))
    )
    return {row.id for row in rows}


def closure_of(
    connection: Connection,
    place: str,
    found: Sequence[Action],
    feedback: Sequence[Feedback],
    *,
    today: date,
    public_only: bool = False,
) -> Closure:
    """The closure figures of ``place`` from its actions and feedback (see ``Closure``); with
    ``public_only``, the themes said count only what the public page may show."""
    from mobilise.workspace._action_fields import Closure

    coded = _theme_events(connection, place, public_only)
    live = [a for a in found if a.status != "dropped"]
    answered = {theme for a in live for theme in a.themes}
    place_themes = (
        _own_themes(connection, place) | set(coded) | {theme for a in found for theme in a.themes}
    )
    by_id = {a.id: a for a in found}
    agreed = _event_days(connection, {a.event for a in found if a.event})
    days: list[int] = []
    for item in feedback:
        action = by_id.get(item.action or "")
        if action is None:
            continue
        said = [coded[t] for t in action.themes if t in coded]
        start = min(said) if said else agreed.get(action.event or "")
        if start is not None and item.shared_on >= start:
            days.append((item.shared_on - start).days)
    return Closure(
        place=place,
        themes=len(place_themes),
        themes_with_action=len(place_themes & answered),
        actions=len(live),
        actions_done=sum(a.status == "done" for a in live),
        actions_dropped=len(found) - len(live),
        overdue=sum(a.overdue(today) for a in found),
        feedback=sum(1 for item in feedback if item.action is None or item.action in by_id),
        median_days_to_feedback=float(statistics.median(days)) if days else None,
        days_to_feedback=tuple(sorted(days)),
    )


@dataclass
class _Said:
    """What the public may read under one theme: the words (one per contribution, oldest
    first) and the distinct voices behind them."""

    words: dict[str, tuple[str, str]] = field(default_factory=dict)
    voices: set[str] = field(default_factory=set)


def _said(workspace: Workspace, connection: Connection, place: str) -> dict[str, _Said]:
    """Per theme, the consented words said at the place's public events and marked public (a
    resident's or a group's), oldest first, with their voices."""
    shown = workspace.consent.permitted("quote") & workspace.consent.permitted("take_part")
    query = (
        _coded_at(
            place,
            codings.c.theme_id,
            event_contributions.c.id,
            event_contributions.c.event_id,
            event_contributions.c.text,
            event_contributions.c.participant_id,
            event_contributions.c.group_label,
            public_only=True,
        )
        .where(event_contributions.c.kind.in_(TEXT_KINDS))
        .order_by(event_contributions.c.created_at, event_contributions.c.id)
    )
    out: dict[str, _Said] = defaultdict(_Said)
    for row in connection.execute(query):
        if row.participant_id is not None and row.participant_id not in shown:
            continue
        who = RESIDENT if row.participant_id is not None else (row.group_label or "a group")
        said = out[row.theme_id]
        said.words.setdefault(row.id, (row.text.strip(), who))  # one per contribution
        said.voices.add(
            f"p:{row.participant_id}"
            if row.participant_id is not None
            else f"g:{row.event_id}:{row.group_label}"
        )
    return dict(out)


def _shown_count(count: int, k: int) -> int | None:
    return None if 0 < count < k else count


def build_page(workspace: Workspace, place: str, *, today: date) -> YouSaidWeDid:
    """What the public page of ``place`` shows (see the module's docstring)."""
    names = workspace.places.names()
    if place not in names:
        from mobilise.errors import NotFound

        raise NotFound(f"No place {place!r}.")
    shown = workspace.actions.list(place=place, public_only=True)
    shown_ids = {a.id for a in shown}
    feedback = [
        f
        for f in workspace.actions.feedback(place=place)
        if f.action is None or f.action in shown_ids
    ]
    k = int(workspace.project_settings.get("disclosure_k"))
    with workspace.read() as connection:
        closure = closure_of(connection, place, shown, feedback, today=today, public_only=True)
        said = _said(workspace, connection, place)
        wanted = set(said) | _own_themes(connection, place) | {t for a in shown for t in a.themes}
        rows = connection.execute(
            select(themes.c.id, themes.c.name, themes.c.definition)
            .where(themes.c.deleted_at.is_(None))
            .order_by(themes.c.position, themes.c.name)
        ).all()
    answers: dict[str, list[str]] = defaultdict(list)
    for action in shown:
        for theme in action.themes:
            answers[theme].append(action.id)
    page_themes = [
        _theme(row, said.get(row.id, _Said()), tuple(answers.get(row.id, [])), k)
        for row in rows
        if row.id in wanted
    ]
    stamps = [a.updated_at for a in shown if a.updated_at] + [
        datetime.combine(f.shared_on, datetime.min.time()) for f in feedback
    ]
    return YouSaidWeDid(
        place=place,
        place_name=names[place],
        themes=page_themes,
        done=[a for a in shown if a.status == "done"],
        to_do=[a for a in shown if a.status in ("planned", "in_progress")],
        dropped=[a for a in shown if a.status == "dropped"],
        feedback=feedback,
        closure=closure,
        k=k,
        today=today,
        updated=max((_aware(s) for s in stamps), default=None),
        overdue=frozenset(a.id for a in shown if a.overdue(today)),
    )


def _theme(row: Any, said: _Said, actions: tuple[str, ...], k: int) -> SaidTheme:
    """A theme as the page shows it: its voices under disclosure control, and its words counted
    only when its voices are shown."""
    voices = _shown_count(len(said.voices), k)
    words = list(said.words.values())
    return SaidTheme(
        id=row.id,
        name=row.name,
        definition=row.definition,
        contributions=None if voices is None else len(words),
        quotes=tuple(words[:QUOTES_PER_THEME]),
        actions=actions,
        voices=voices,
    )


def _aware(stamp: datetime) -> datetime:
    from datetime import UTC

    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def page_atom(page: YouSaidWeDid, *, base_url: str) -> bytes:
    """The page as an Atom 1.0 feed: an entry per public action and per feedback item."""
    from mobilise.formats.atom import AtomEntry, atom_feed
    from mobilise.model.coproduction_vocab import ACTION_STATUSES, FEEDBACK_CHANNELS

    root = base_url.rstrip("/")
    page_link = f"{root}/places/{page.place}/you-said-we-did"
    entries = [
        AtomEntry(
            id=f"urn:uuid:{action.id}",
            title=f"{ACTION_STATUSES.get(action.status, action.status)}: {action.title}",
            updated=_aware(action.updated_at or datetime.now()),
            link=f"{page_link}#action-{action.id}",
            summary=" ".join(
                part
                for part in (action.description, action.evidence if action.status == "done" else "")
                if part
            ),
            category=action.status,
        )
        for action in (*page.done, *page.to_do, *page.dropped)
    ] + [
        AtomEntry(
            id=f"urn:uuid:{item.id}",
            title=f"We told you {FEEDBACK_CHANNELS.get(item.channel, item.channel).lower()}",
            updated=_aware(datetime.combine(item.shared_on, datetime.min.time())),
            link=item.url if item.url.startswith(("https://", "http://")) else page_link,
            summary=item.summary,
            category="feedback",
        )
        for item in page.feedback
    ]
    entries.sort(key=lambda entry: entry.updated, reverse=True)
    return atom_feed(
        feed_id=page_link,
        title=f"You said, we did: {page.place_name}",
        subtitle="What people said, what was done and what is still to do.",
        updated=page.updated or _aware(datetime.combine(page.today, datetime.min.time())),
        self_link=f"{page_link}.atom",
        page_link=page_link,
        author=f"The {page.place_name} partnership",
        entries=entries,
    )

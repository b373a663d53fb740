"""The records of "you said, we did" as they are shown (actions, feedback, closure figures), and
the checks of what a caller gives for them: every problem at once, each naming its field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem
from mobilise.model.coproduction_vocab import ACTION_STATUSES, FEEDBACK_CHANNELS

if TYPE_CHECKING:
    from sqlalchemy import Row

__all__ = [
    "ACTION_FIELDS",
    "MAX_COST_PENCE",
    "Action",
    "Closure",
    "Feedback",
    "action_of",
    "action_problems",
    "feedback_of",
    "feedback_problems",
]

MAX_COST_PENCE = 10**10  # £100,000,000: a typing slip, not an action's cost
MAX_TITLE = 300
MAX_TEXT = 10_000
MAX_URL = 500
ACTION_FIELDS = (
    "title",
    "description",
    "place",
    "owner",
    "due_on",
    "status",
    "done_on",
    "evidence",
    "cost_pence",
    "event",
    "public",
)
"""What a caller may set on an action (``place``, ``owner`` and ``event`` are stored as
``place_slug``, ``owner_partner_id`` and ``event_id``)."""
COLUMN_OF = {"place": "place_slug", "owner": "owner_partner_id", "event": "event_id"}


@dataclass(frozen=True)
class Action:
    """What was done (or will be) about what people said, with the themes it answers."""

    id: str
    title: str
    description: str
    place: str | None
    owner: str | None  # the partner's id
    owner_name: str
    due_on: date | None
    status: str
    done_on: date | None
    evidence: str
    cost_pence: int | None
    event: str | None  # the workshop that agreed it
    public: bool
    illustrative: bool
    version: int
    themes: tuple[str, ...] = ()  # theme ids
    theme_names: tuple[str, ...] = ()
    updated_at: datetime | None = None

    def overdue(self, today: date) -> bool:
        """Its due date has passed and it is neither done nor dropped."""
        return (
            self.due_on is not None
            and self.due_on < today
            and self.status not in ("done", "dropped")
        )

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("due_on", "done_on"):
            out[key] = out[key].isoformat() if out[key] else None
        out["updated_at"] = self.updated_at.isoformat() if self.updated_at else None
        out["themes"] = list(self.themes)
        out["theme_names"] = list(self.theme_names)
        out["status_label"] = ACTION_STATUSES.get(self.status, self.status)
        return out


@dataclass(frozen=True)
class Feedback:
    """Where and when people were told what became of what they said."""

    id: str
    action: str | None
    place: str | None
    shared_on: date
    channel: str
    event: str | None
    summary: str
    url: str
    illustrative: bool
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "shared_on": self.shared_on.isoformat(),
            "channel_label": FEEDBACK_CHANNELS.get(self.channel, self.channel),
        }


@dataclass(frozen=True)
class Closure:
    """How far a place has closed the loop. Shares are 0 to 1 (``None`` with nothing to count).

    - ``themes_with_action``: of the place's themes, those answered by an action that is not
      dropped;
    - ``actions_done``: of the place's actions that are not dropped, those done;
    - ``median_days_to_feedback``: over the feedback items about an action, the days from the
      earliest event where something the action answers was said (or, with nothing coded, the
      event that agreed the action) to the day the feedback was shared;
    - ``overdue``: actions whose due date has passed and that are neither done nor dropped.
    """

    place: str
    themes: int
    themes_with_action: int
    actions: int  # not dropped
    actions_done: int
    actions_dropped: int
    overdue: int
    feedback: int
    median_days_to_feedback: float | None
    days_to_feedback: tuple[int, ...] = field(default=())

    @property
    def theme_share(self) -> float | None:
        return self.themes_with_action / self.themes if self.themes else None

    @property
    def done_share(self) -> float | None:
        return self.actions_done / self.actions if self.actions else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["days_to_feedback"] = list(self.days_to_feedback)
        out["theme_share"] = self.theme_share
        out["done_share"] = self.done_share
        return out


def action_of(row: Row[Any], themes: Mapping[str, list[tuple[str, str]]]) -> Action:
    linked = themes.get(row.id, [])
    return Action(
        id=row.id,
        title=row.title,
        description=row.description,
        place=row.place_slug,
        owner=row.owner_partner_id,
        owner_name=row.owner_name or "",
        due_on=row.due_on,
        status=row.status,
        done_on=row.done_on,
        evidence=row.evidence,
        cost_pence=row.cost_pence,
        event=row.event_id,
        public=bool(row.public),
        illustrative=bool(row.illustrative),
        version=row.version,
        themes=tuple(theme_id for theme_id, _ in linked),
        theme_names=tuple(name for _, name in linked),
        updated_at=row.updated_at,
    )


def feedback_of(row: Row[Any]) -> Feedback:
    return Feedback(
        id=row.id,
        action=row.action_id,
        place=row.place_slug,
        shared_on=row.shared_on,
        channel=row.channel,
        event=row.event_id,
        summary=row.summary,
        url=row.url,
        illustrative=bool(row.illustrative),
        version=row.version,
    )


def _text(value: Any, name: str, limit: int, *, required: bool = False) -> list[Problem]:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        need = "1" if required else "0"
        return [Problem(f"text of {need} to {limit:,} characters", field=name)]
    return []


def _day(value: Any, name: str) -> list[Problem]:
    if value is not None and not isinstance(value, date):
        return [Problem("a date (YYYY-MM-DD)", field=name)]
    return []


def action_problems(values: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with the action ``values`` (only the fields given are checked)."""
    problems: list[Problem] = []
    unknown = sorted(set(values) - set(ACTION_FIELDS))
    problems += [Problem("not a field of an action", field=name) for name in unknown]
    if "title" in values:
        problems += _text(values["title"], "title", MAX_TITLE, required=True)
    for name in ("description", "evidence"):
        if name in values:
            problems += _text(values[name], name, MAX_TEXT)
    if "status" in values and values["status"] not in ACTION_STATUSES:
        problems.append(Problem(f"one of {', '.join(ACTION_STATUSES)}", field="status"))
    for name in ("due_on", "done_on"):
        if name in values:
            problems += _day(values[name], name)
    cost = values.get("cost_pence")
    if cost is not None and (
        not isinstance(cost, int) or isinstance(cost, bool) or not 0 <= cost <= MAX_COST_PENCE
    ):
        problems.append(
            Problem(f"a whole number of pence from 0 to {MAX_COST_PENCE:,}", field="cost_pence")
        )
    if "public" in values and not isinstance(values["public"], bool):
        problems.append(Problem("true or false", field="public"))
    return problems


def feedback_problems(values: Mapping[str, Any]) -> list[Problem]:
    """What is wrong with a feedback item's ``values``."""
    problems = _text(values.get("summary"), "summary", MAX_TEXT, required=True)
    if values.get("channel") not in FEEDBACK_CHANNELS:
        problems.append(Problem(f"one of {', '.join(FEEDBACK_CHANNELS)}", field="channel"))
    if not isinstance(values.get("shared_on"), date):
        problems.append(Problem("the date it was shared (YYYY-MM-DD)", field="shared_on"))
    url = values.get("url", "")
    problems += _text(url, "url", MAX_URL)
    if isinstance(url, str) and url and not url.startswith(("https://", "http://", "/")):
        problems.append(Problem("a web address starting https:// (or a path)", field="url"))
    return problems

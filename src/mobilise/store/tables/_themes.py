"""Co-production, part 2: World Cafés and whole-system workshops as data, what contributions
are about, themes and their coding, and "you said, we did" (actions and feedback).

A World Café has questions (one per round, or several) and tables with their hosts; each
table's harvest per round, and the closing plenary's, are ``event_contributions`` with
``harvest`` and ``round_number`` set. A workshop has agenda items; its agreed actions are
``actions``. A contribution may be about assets, areas, map factors and partners
(``contribution_links``). Themes form a codebook (a theme may have a parent); ``codings`` says
which coder put which theme on which contribution (the whole of it, or a span of its text).
Actions answer themes (``action_themes``), and feedback tells people what became of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, String, Text, UniqueConstraint

from mobilise.store.tables._schema import record_table, ref

__all__ = [
    "action_themes",
    "actions",
    "agenda_items",
    "cafe_questions",
    "cafe_tables",
    "codings",
    "contribution_links",
    "feedback_items",
    "theme_factors",
    "themes",
]


def _event_ref(*, nullable: bool = False) -> Column[Any]:
    return ref("event_id", "engagement_events", nullable=nullable, index=True)


def _contribution_ref() -> Column[Any]:
    return ref("contribution_id", "event_contributions", index=True)


def _place_ref() -> Column[Any]:
    return ref("place_slug", "places", nullable=True, index=True, length=80, column="slug")


def _theme_ref() -> Column[Any]:
    return ref("theme_id", "themes", index=True)


cafe_questions = record_table(
    "cafe_questions",
    _event_ref(),
    Column("round_number", Integer, nullable=True),  # none: the plenary's question
    Column("position", Integer, nullable=False, default=1),
    Column("text", Text, nullable=False),
)

cafe_tables = record_table(
    "cafe_tables",
    _event_ref(),
    Column("label", String(120), nullable=False),  # "Table 1", "The window table"
    Column("host", String(200), nullable=False, default=""),  # a username or a first name
    Column("position", Integer, nullable=False, default=1),
    UniqueConstraint("event_id", "label"),
)

agenda_items = record_table(
    "agenda_items",
    _event_ref(),
    Column("position", Integer, nullable=False, default=1),
    Column("title", String(300), nullable=False),
    Column("notes", Text, nullable=False, default=""),
)

# What a contribution is about: an asset, an area, a systems-map factor or a partner.
contribution_links = record_table(
    "contribution_links",
    _contribution_ref(),
    Column("target_type", String(20), nullable=False),  # asset, area, factor, partner
    Column("target_id", String(36), nullable=False, index=True),
    UniqueConstraint("contribution_id", "target_type", "target_id"),
)

# The codebook: themes and sub-themes (``parent_id``) with their definitions.
themes = record_table(
    "themes",
    Column("name", String(200), nullable=False),
    Column("definition", Text, nullable=False, default=""),
    ref("parent_id", "themes", nullable=True, index=True),
    _place_ref(),  # none: the whole project
    Column("colour", String(20), nullable=False, default=""),
    Column("position", Integer, nullable=False, default=1),
    Column("illustrative", Boolean, nullable=False, default=False),
)

# One coder's code on a contribution: the whole of it (no span) or characters [start, end).
codings = record_table(
    "codings",
    _contribution_ref(),
    _theme_ref(),
    Column("coder", String(120), nullable=False, index=True),
    Column("span_start", Integer, nullable=True),
    Column("span_end", Integer, nullable=True),
    Column("memo", Text, nullable=False, default=""),
    UniqueConstraint("contribution_id", "theme_id", "coder", "span_start", "span_end"),
)

# A theme turned into a systems-map factor (the factor shows the theme's evidence).
theme_factors = record_table(
    "theme_factors",
    _theme_ref(),
    ref("factor_id", "map_factors", index=True),
    UniqueConstraint("theme_id", "factor_id"),
)

# "You said, we did": what was done about what people said.
actions = record_table(
    "actions",
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    _place_ref(),
    ref("owner_partner_id", "partners", nullable=True, index=True),
    Column("due_on", Date, nullable=True),
    Column("status", String(20), nullable=False, default="planned"),
    Column("done_on", Date, nullable=True),
    Column("evidence", Text, nullable=False, default=""),  # what was done, and how we know
    Column("cost_pence", Integer, nullable=True),
    _event_ref(nullable=True),  # the workshop that agreed it, when one did
    Column("public", Boolean, nullable=False, default=True),
    Column("illustrative", Boolean, nullable=False, default=False),
)

action_themes = record_table(
    "action_themes",
    ref("action_id", "actions", index=True),
    _theme_ref(),
    UniqueConstraint("action_id", "theme_id"),
)

# Telling people what became of what they said: where and when it was shared.
feedback_items = record_table(
    "feedback_items",
    ref("action_id", "actions", nullable=True, index=True),
    _place_ref(),
    Column("shared_on", Date, nullable=False),
    Column("channel", String(20), nullable=False),  # event, newsletter, web, social, other
    _event_ref(nullable=True),
    Column("summary", Text, nullable=False),
    Column("url", String(500), nullable=False, default=""),
    Column("illustrative", Boolean, nullable=False, default=False),
)

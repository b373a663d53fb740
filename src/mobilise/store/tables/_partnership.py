"""The partnership: partners (organisations, and individual lived-experience members under a
pseudonym), their representatives and membership, and the survey rounds that measure it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = [
    "partner_contacts",
    "partner_memberships",
    "partners",
    "round_roster",
    "survey_answers",
    "survey_invitations",
    "survey_responses",
    "survey_rounds",
]


def _round_ref() -> Column[Any]:
    return ref("round_id", "survey_rounds", index=True)


def _partner_ref(name: str = "partner_id", *, index: bool = False) -> Column[Any]:
    return ref(name, "partners", index=index)


# ``key`` is the partner's id in files.
partners = record_table(
    "partners",
    Column("key", String(120), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("sector", String(40), nullable=False),
    Column("kind", String(20), nullable=False, default="organisation"),
    Column("description", Text, nullable=False, default=""),
    Column("places", JSON, nullable=False, default=list),  # place slugs
    Column("populations", JSON, nullable=False, default=list),
    Column("postcode", String(12), nullable=False, default=""),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("url", String(500), nullable=False, default=""),
)

# A partner's representatives: the minimum needed to send the survey (never shown publicly).
partner_contacts = record_table(
    "partner_contacts",
    _partner_ref(index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False, default=""),
    Column("email", String(300), nullable=False, default=""),
)

# Membership over time: a partner may join, leave and join again.
partner_memberships = record_table(
    "partner_memberships",
    _partner_ref(index=True),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("note", Text, nullable=False, default=""),
)

# A survey round: who is on its roster, and when it ran. ``min_raters`` is the disclosure rule:
# a score built from fewer raters is shown to admins only.
survey_rounds = record_table(
    "survey_rounds",
    Column("name", String(200), nullable=False, unique=True),
    Column("date", Date, nullable=False),
    Column("status", String(20), nullable=False, default="draft"),  # draft, open, closed
    Column("description", Text, nullable=False, default=""),
    Column("min_raters", Integer, nullable=False, default=3),
    # Who may see its measures: "group" (editors), "consortium" (every signed-in user) or "link"
    # (also anyone with its share link, disclosure-controlled).
    Column(
        "visibility", String(20), nullable=False, default="consortium", server_default="consortium"
    ),
    Column("share_token", String(64), nullable=True),
    Index("uq_survey_rounds_share_token", "share_token", unique=True),
)

round_roster = record_table(
    "round_roster",
    _round_ref(),
    _partner_ref(),
    UniqueConstraint("round_id", "partner_id"),
)

# A single-use link to answer a round for one partner: only the token's hash is stored. It opens
# the survey until the answers are submitted (saving a draft keeps it open to resume).
survey_invitations = record_table(
    "survey_invitations",
    _round_ref(),
    _partner_ref(),
    ref("contact_id", "partner_contacts", nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("opened_at", UTCDateTime(), nullable=True),
    Column("used_at", UTCDateTime(), nullable=True),
)

# One partner's response to a round: its status and the questions about the partnership itself.
survey_responses = record_table(
    "survey_responses",
    _round_ref(),
    _partner_ref("respondent_id"),
    Column("status", String(20), nullable=False, default="draft"),  # draft, submitted
    Column("source", String(20), nullable=False, default="survey"),  # survey, import
    Column("contributions", JSON, nullable=False, default=list),
    Column("achievements", JSON, nullable=False, default=list),
    Column("comment", Text, nullable=False, default=""),
    Column("submitted_at", UTCDateTime(), nullable=True),
    UniqueConstraint("round_id", "respondent_id"),
)

# What a respondent said about one partner on the roster. ``level`` None with ``works_together``
# true is a tie of unknown level (imports); level 0 is "we do not work together".
survey_answers = record_table(
    "survey_answers",
    _round_ref(),
    _partner_ref("respondent_id"),
    _partner_ref(),
    Column("works_together", Boolean, nullable=True),
    Column("frequency", Integer, nullable=True),
    Column("level", Integer, nullable=True),
    Column("value_influence", Integer, nullable=True),
    Column("value_involvement", Integer, nullable=True),
    Column("value_resources", Integer, nullable=True),
    Column("trust_reliability", Integer, nullable=True),
    Column("trust_purpose", Integer, nullable=True),
    Column("trust_openness", Integer, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    UniqueConstraint("round_id", "respondent_id", "partner_id"),
)

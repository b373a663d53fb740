"""Co-production: engagement events, participants (a pseudonym everywhere, identity apart), the
consent ledger, registrations and attendance, contributions and involvement payments.

People's data by construction: ``participants`` holds only the pseudonym ``code`` and what is
needed to see who was reached (area, IMD decile, equality-monitoring answers); a person's name,
contact details and full postcode live in ``participant_identities``, keyed by the participant,
which only the roles that may read identity read, and which is erased on its own (the
pseudonymous record and the audit entry "identity erased" stay).

Consent is a ledger: ``consent_records`` is only ever added to. A ``given`` record grants scopes
one by one against an information sheet's version; a ``withdrawn`` record withdraws scopes from
a cut-off date. What a person has agreed to now is the ledger read in order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = [
    "consent_records",
    "engagement_events",
    "event_contributions",
    "event_partners",
    "information_sheets",
    "involvement_payments",
    "involvement_rates",
    "participant_identities",
    "participants",
    "project_settings",
    "registrations",
]


def _participant_ref(*, nullable: bool = False, index: bool = True) -> Column[Any]:
    return ref("participant_id", "participants", nullable=nullable, index=index)


def _event_ref(*, nullable: bool = False) -> Column[Any]:
    return ref("event_id", "engagement_events", nullable=nullable, index=True)


# A project's own settings (lived-experience groups, retention rule, payment warning ...).
project_settings = record_table(
    "project_settings",
    Column("value", JSON, nullable=False),
    key=Column("key", String(80), primary_key=True),
)

# The information sheets people read before they consent: stored, versioned documents.
information_sheets = record_table(
    "information_sheets",
    Column("title", String(300), nullable=False),
    Column("sheet_version", String(40), nullable=False),  # as printed on the sheet
    Column("audience", String(20), nullable=False, default="standard"),
    Column("body", Text, nullable=False),
    Column("published_on", Date, nullable=False),
    UniqueConstraint("title", "sheet_version", "audience"),
)

engagement_events = record_table(
    "engagement_events",
    Column("kind", String(40), nullable=False),
    Column("title", String(300), nullable=False),
    Column("purpose", Text, nullable=False, default=""),
    ref("place_slug", "places", nullable=True, index=True, length=80, column="slug"),
    ref("venue_asset_id", "assets", nullable=True),
    Column("venue_address", Text, nullable=False, default=""),
    Column("starts_at", UTCDateTime(), nullable=False, index=True),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("online", Boolean, nullable=False, default=False),
    Column("facilitators", JSON, nullable=False, default=list),  # names or usernames
    ref("map_id", "systems_maps", nullable=True),
    Column("accessibility", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False, default="planned"),
    Column("capacity", Integer, nullable=True),  # none: no cap
    Column("public", Boolean, nullable=False, default=False),
    # The online registration link (and its QR code) carries this token; none: closed.
    Column("registration_token", String(64), nullable=True, unique=True),
    Column("illustrative", Boolean, nullable=False, default=False),  # demo events
)

# The partner organisations involved in an event (from the partnership register).
event_partners = record_table(
    "event_partners",
    _event_ref(),
    ref("partner_id", "partners", index=True),
    Column("role", String(200), nullable=False, default=""),
    UniqueConstraint("event_id", "partner_id"),
)

participants = record_table(
    "participants",
    Column("code", String(20), nullable=False, unique=True),  # the pseudonym
    ref("place_slug", "places", nullable=True, index=True, length=80, column="slug"),
    Column("lsoa11_code", String(12), nullable=True, index=True),  # from the home postcode
    Column("imd_decile", Integer, nullable=True),
    # Equality monitoring (model.engagement_vocab.ANSWERS); empty: not asked.
    Column("age_band", String(40), nullable=True),
    Column("sex", String(40), nullable=True),
    Column("gender_identity", String(40), nullable=True),
    Column("ethnic_group", String(40), nullable=True),
    Column("disability", String(40), nullable=True),
    Column("carer", String(40), nullable=True),
    Column("young_person", String(40), nullable=True),
    Column("lived_experience", JSON, nullable=False, default=list),
    Column("under_16", Boolean, nullable=False, default=False),
    ref("brought_by", "partners", nullable=True, index=True),  # the partner who brought them
    Column("illustrative", Boolean, nullable=False, default=False),  # demo people
)

# Identity: read only by the roles that may, never in the audit trail, erasable on its own.
participant_identities = record_table(
    "participant_identities",
    Column("name", String(200), nullable=False, default=""),
    Column("email", String(300), nullable=False, default=""),
    Column("phone", String(60), nullable=False, default=""),
    Column("postcode", String(8), nullable=True),  # kept only when the person agreed
    Column("guardian_name", String(200), nullable=False, default=""),
    Column("guardian_contact", String(300), nullable=False, default=""),
    key=Column("participant_id", String(36), ForeignKey("participants.id"), primary_key=True),
)

consent_records = record_table(
    "consent_records",
    _participant_ref(),
    Column("kind", String(20), nullable=False),  # "given" or "withdrawn"
    Column("at", UTCDateTime(), nullable=False),
    Column("method", String(20), nullable=False),  # model.engagement_vocab.CONSENT_METHODS
    Column("witness", String(200), nullable=False, default=""),
    ref("information_sheet_id", "information_sheets", nullable=True),
    # given: {"take_part": true, "quote": "anonymous", ...}; withdrawn: ["quote", "photos"]
    Column("scopes", JSON, nullable=False),
    Column("cut_off", Date, nullable=True),  # withdrawn: from when
    Column("guardian", Boolean, nullable=False, default=False),  # given by a parent/guardian
    _event_ref(nullable=True),
    Column("note", Text, nullable=False, default=""),
    Index("ix_consent_records_participant_at", "participant_id", "at"),
)

registrations = record_table(
    "registrations",
    _event_ref(),
    _participant_ref(),
    Column("status", String(20), nullable=False, default="registered"),
    Column("registered_at", UTCDateTime(), nullable=False),
    Column("attended_at", UTCDateTime(), nullable=True),
    ref("brought_by", "partners", nullable=True),
    # An online registration's sender: a keyed hash of their address (never the address), so
    # that registrations per sender per hour are counted in the database, across processes.
    Column("client_key", String(64), nullable=True, index=True),
    UniqueConstraint("event_id", "participant_id"),
)

# What people give at an event (part 2 of co-production adds themes, links and harvests).
event_contributions = record_table(
    "event_contributions",
    _event_ref(),
    _participant_ref(nullable=True),
    Column("group_label", String(120), nullable=False, default=""),  # a table, when not a person
    Column("kind", String(20), nullable=False),  # model.engagement_vocab.CONTRIBUTION_KINDS
    Column("text", Text, nullable=False, default=""),
    Column("media_type", String(60), nullable=False, default=""),
    Column("media", LargeBinary, nullable=True),
    Column("illustrative", Boolean, nullable=False, default=False),
    # Part 2: where in a World Café it was said, and media kept by content hash.
    Column("harvest", String(20), nullable=False, default=""),  # "", "table" or "plenary"
    Column("round_number", Integer, nullable=True),  # a café round (1, 2, 3 ...)
    ref("question_id", "cafe_questions", nullable=True),
    ref("agenda_item_id", "agenda_items", nullable=True),
    Column("media_hash", String(64), nullable=True, index=True),  # SHA-256, file in media dir
    Column("media_size", Integer, nullable=True),
    Column("thumbnail", LargeBinary, nullable=True),  # a small JPEG/PNG of an image
    Column("alt_text", Text, nullable=False, default=""),  # required before anything is public
    Column("caption", Text, nullable=False, default=""),
    Column("maker_words", Text, nullable=False, default=""),  # the maker's own words
    Column("route", JSON, nullable=True),  # a walk: GeoJSON LineString with points
    Column("public", Boolean, nullable=False, default=False),
    # The client's own key for a note typed on a phone: a resend after a reload is no duplicate.
    Column("client_key", String(64), nullable=True, unique=True),
)

# Involvement payment rates (e.g. NIHR's public involvement rates), set by the project.
involvement_rates = record_table(
    "involvement_rates",
    Column("activity", String(200), nullable=False, unique=True),
    Column("unit", String(20), nullable=False),  # hour, half_day, day, session
    Column("amount_pence", Integer, nullable=False),
    Column("source", Text, nullable=False, default=""),
)

involvement_payments = record_table(
    "involvement_payments",
    _participant_ref(),
    _event_ref(nullable=True),
    Column("activity", String(200), nullable=False),
    Column("kind", String(20), nullable=False, default="payment"),
    Column("amount_pence", Integer, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("note", Text, nullable=False, default=""),
)

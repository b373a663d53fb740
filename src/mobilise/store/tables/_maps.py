"""Participatory systems maps: the maps, their participants, factors, links, comments, votes,
snapshots, and the numbered events editors follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mobilise.store.tables._schema import UTCDateTime, metadata, record_table, ref

__all__ = [
    "map_comments",
    "map_events",
    "map_factors",
    "map_links",
    "map_participants",
    "map_snapshots",
    "map_votes",
    "systems_maps",
]


def _map_ref() -> Column[Any]:
    return ref("map_id", "systems_maps", index=True)


def _participant_ref(*, nullable: bool = True) -> Column[Any]:
    return ref("participant_id", "map_participants", nullable=nullable)


# A participatory systems map: a causal map of what drives a health outcome, built together.
# ``revision`` counts every change to the map or its parts, so editors can catch up on what they
# missed (see map_events); ``share_token`` opens a read-only view for a workshop screen.
systems_maps = record_table(
    "systems_maps",
    Column("title", String(300), nullable=False),
    ref("place_id", "places", nullable=True, index=True),
    Column("question", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False, default="draft"),
    Column("share_token", String(64), nullable=True, unique=True),
    Column("revision", Integer, nullable=False, default=0),
    Column("attributes", JSON, nullable=False, default=dict),
    # Who may see it: "group" (its participants and editors), "consortium" (every signed-in
    # user) or "link" (also anyone with its share link).
    Column(
        "visibility", String(20), nullable=False, default="consortium", server_default="consortium"
    ),
)

# Who took part in building a map: pseudonymous (a name they chose), with their stakeholder group.
map_participants = record_table(
    "map_participants",
    _map_ref(),
    Column("pseudonym", String(120), nullable=False),
    Column("stakeholder_group", String(120), nullable=False, default=""),
    Column("username", String(120), nullable=True),  # the signed-in user, when there is one
    # In local single-user mode, the SHA-256 of the browser's own pseudonym token (a cookie).
    Column("browser_key", String(64), nullable=True, index=True),
    # The co-production participant this is, when known: their consent reaches the map.
    ref("person_id", "participants", nullable=True, index=True),
    UniqueConstraint("map_id", "pseudonym"),
)

map_factors = record_table(
    "map_factors",
    _map_ref(),
    Column("label", String(300), nullable=False),
    Column("kind", String(20), nullable=False, default="other"),
    Column("description", Text, nullable=False, default=""),
    Column("theme", String(120), nullable=False, default=""),
    Column("populations", JSON, nullable=False, default=list),
    Column("indicator_id", String(120), nullable=True),
    Column("asset_category", String(40), nullable=True),
    Column("x", Float, nullable=True),
    Column("y", Float, nullable=True),
    _participant_ref(),
    Column("attributes", JSON, nullable=False, default=dict),
)

map_links = record_table(
    "map_links",
    _map_ref(),
    ref("source_id", "map_factors"),
    ref("target_id", "map_factors"),
    Column("polarity", String(1), nullable=False, default="?"),
    Column("strength", String(10), nullable=True),
    Column("weight", Float, nullable=True),
    Column("delay", Boolean, nullable=False, default=False),
    Column("confidence", Float, nullable=True),
    Column("evidence", Text, nullable=False, default=""),
    Column("stakeholder_group", String(120), nullable=False, default=""),
    Column("contested", Boolean, nullable=False, default=False),
    Column("label", String(300), nullable=False, default=""),
    _participant_ref(),
    Column("attributes", JSON, nullable=False, default=dict),
)

# Comments and votes on a factor or a link (``target_type`` factor or link), by a participant.
map_comments = record_table(
    "map_comments",
    _map_ref(),
    Column("target_type", String(10), nullable=False),
    Column("target_id", String(36), nullable=False),
    _participant_ref(),
    Column("text", Text, nullable=False),
)

map_votes = record_table(
    "map_votes",
    _map_ref(),
    Column("target_type", String(10), nullable=False),
    Column("target_id", String(36), nullable=False),
    _participant_ref(nullable=False),
    Column("value", Integer, nullable=False),  # +1 agree, -1 disagree
    UniqueConstraint("target_type", "target_id", "participant_id"),
)

# A saved version of a whole map (factors, links, scenarios as the causal-map JSON).
map_snapshots = record_table(
    "map_snapshots",
    _map_ref(),
    Column("label", String(300), nullable=False, default=""),
    Column("revision", Integer, nullable=False),
    Column("content", JSON, nullable=False),
)

# Every change to a map, numbered by the map's revision: what editors receive (server push), and
# what one who reconnects asks for ("everything after revision N"). Append-only.
map_events = Table(
    "map_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(20), nullable=False),  # create, update, delete
    Column("entity_type", String(20), nullable=False),  # map, factor, link, comment, vote
    Column("entity_id", String(36), nullable=False),
    Column("payload", JSON, nullable=False),
    UniqueConstraint("map_id", "revision"),
)

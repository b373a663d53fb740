"""The workspace schema (SQLAlchemy Core tables).

Every table except the audit log carries the record columns: ``created_at/by``, ``updated_at/by``,
``version`` (optimistic concurrency: an update names the version it read) and ``deleted_at/by``
(soft deletion with restore). Geometries are GeoJSON text in WGS84 with their bounding box alongside,
so the same schema runs on SQLite and PostgreSQL without a spatial extension.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect

__all__ = [
    "analysis_results",
    "analysis_runs",
    "area_links",
    "areas",
    "asset_pair_decisions",
    "assets",
    "audit_log",
    "contributions",
    "datasets",
    "indicator_values",
    "indicators",
    "map_comments",
    "map_events",
    "map_factors",
    "map_links",
    "map_participants",
    "map_snapshots",
    "map_votes",
    "metadata",
    "organisations",
    "partner_contacts",
    "partner_memberships",
    "partners",
    "place_areas",
    "places",
    "population",
    "postcodes",
    "record_columns",
    "round_roster",
    "survey_answers",
    "survey_invitations",
    "survey_responses",
    "survey_rounds",
    "systems_maps",
    "users",
]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        return value.astimezone(UTC) if value is not None and dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def record_columns() -> list[Column[object]]:
    """The columns every record carries (see the module docstring)."""
    return [
        Column("created_at", UTCDateTime(), nullable=False),
        Column("created_by", String(120), nullable=False),
        Column("updated_at", UTCDateTime(), nullable=False),
        Column("updated_by", String(120), nullable=False),
        Column("version", Integer, nullable=False, default=1),
        Column("deleted_at", UTCDateTime(), nullable=True),
        Column("deleted_by", String(120), nullable=True),
    ]


users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(120), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    *record_columns(),
)

datasets = Table(
    "datasets",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("publisher", String(300), nullable=False, default=""),
    Column("licence", String(120), nullable=False),
    Column("licence_url", String(500), nullable=False, default=""),
    Column("attribution", Text, nullable=False, default=""),
    Column("source_url", String(500), nullable=False, default=""),
    Column("files", JSON, nullable=False, default=list),
    Column("processing", Text, nullable=False, default=""),
    *record_columns(),
)

places = Table(
    "places",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    *record_columns(),
)

areas = Table(
    "areas",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("area_type", String(20), nullable=False, index=True),
    Column("geometry", Text, nullable=True),
    Column("min_lon", Float, nullable=True),
    Column("min_lat", Float, nullable=True),
    Column("max_lon", Float, nullable=True),
    Column("max_lat", Float, nullable=True),
    Column("centroid_lon", Float, nullable=True),
    Column("centroid_lat", Float, nullable=True),
    Column("centroid_method", String(40), nullable=True),
    Column("dataset_id", String(120), ForeignKey("datasets.id"), nullable=True),
    *record_columns(),
)

# Parents (MSOA, local authority), successors (LSOA 2011 -> 2021) and classifications (rural-urban)
# of an area. The related area need not be stored as an area itself.
area_links = Table(
    "area_links",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False, index=True),
    Column("relation", String(20), nullable=False),
    Column("related_type", String(20), nullable=False),
    Column("related_code", String(20), nullable=False),
    Column("related_name", String(200), nullable=False, default=""),
    Column("detail", String(40), nullable=False, default=""),
    Column("dataset_id", String(120), ForeignKey("datasets.id"), nullable=True),
    *record_columns(),
    UniqueConstraint("area_code", "related_type", "related_code"),
    Index("ix_area_links_related", "related_type", "related_code"),
)

place_areas = Table(
    "place_areas",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("place_id", String(36), ForeignKey("places.id"), nullable=False),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False, index=True),
    *record_columns(),
    UniqueConstraint("place_id", "area_code"),
)

population = Table(
    "population",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False),
    Column("period", String(40), nullable=False),
    Column("total", Integer, nullable=False),
    Column("age_0_15", Integer, nullable=True),
    Column("age_16_59", Integer, nullable=True),
    Column("age_60_plus", Integer, nullable=True),
    Column("working_age", Integer, nullable=True),
    Column("dataset_id", String(120), ForeignKey("datasets.id"), nullable=True),
    *record_columns(),
    UniqueConstraint("area_code", "period"),
)

indicators = Table(
    "indicators",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("unit", String(60), nullable=False, default=""),
    Column("polarity", String(20), nullable=False),
    Column("source", String(300), nullable=False, default=""),
    Column("licence", String(120), nullable=False, default=""),
    Column("period", String(40), nullable=False, default=""),
    Column("area_type", String(20), nullable=False),
    Column("national_breaks", JSON, nullable=True),
    Column("dataset_id", String(120), ForeignKey("datasets.id"), nullable=True),
    *record_columns(),
)

indicator_values = Table(
    "indicator_values",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("indicator_id", String(120), ForeignKey("indicators.id"), nullable=False),
    Column("area_code", String(12), ForeignKey("areas.code"), nullable=False, index=True),
    Column("value", Float, nullable=False),
    Column("lower_ci", Float, nullable=True),
    Column("upper_ci", Float, nullable=True),
    Column("numerator", Float, nullable=True),
    Column("denominator", Float, nullable=True),
    *record_columns(),
    UniqueConstraint("indicator_id", "area_code"),
)

postcodes = Table(
    "postcodes",
    metadata,
    Column("postcode", String(8), primary_key=True),
    Column("lsoa11_code", String(12), nullable=True, index=True),
    Column("lon", Float, nullable=True),  # Code-Point quality 90: no coordinates
    Column("lat", Float, nullable=True),
    Column("easting", Float, nullable=True),
    Column("northing", Float, nullable=True),
    Column("lad_code", String(12), nullable=True),
    Column("quality", Integer, nullable=True),
    Column("dataset_id", String(120), ForeignKey("datasets.id"), nullable=True),
    *record_columns(),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(300), nullable=False, index=True),
    Column("description", Text, nullable=False, default=""),
    Column("url", String(500), nullable=False, default=""),
    Column("email", String(300), nullable=False, default=""),
    Column("source", String(300), nullable=False, default=""),
    *record_columns(),
    UniqueConstraint("source", "name"),
)

# Community assets: HSDS 3 / ORUK 3.0 services, places (parks, halls) and groups in one table.
# Lists (taxonomy terms, schedule, languages, target groups, provenance) are JSON.
assets = Table(
    "assets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("kind", String(20), nullable=False, default="place"),
    Column("category", String(40), nullable=False, index=True),
    Column("status", String(30), nullable=False, default="active"),
    Column("taxonomy_terms", JSON, nullable=False, default=list),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("geometry", Text, nullable=True),
    Column("geocode_precision", String(20), nullable=False, default="none"),
    Column("address", Text, nullable=False, default=""),
    Column("postcode", String(8), nullable=True, index=True),
    Column("lsoa11_code", String(12), nullable=True, index=True),
    Column("organisation_id", String(36), ForeignKey("organisations.id"), nullable=True),
    Column("email", String(300), nullable=False, default=""),
    Column("phone", String(60), nullable=False, default=""),
    Column("url", String(500), nullable=False, default=""),
    Column("schedule", JSON, nullable=False, default=list),
    Column("step_free", Boolean, nullable=True),
    Column("accessible_toilet", Boolean, nullable=True),
    Column("hearing_loop", Boolean, nullable=True),
    Column("languages", JSON, nullable=False, default=list),
    Column("cost", String(10), nullable=True),
    Column("age_min", Integer, nullable=True),
    Column("age_max", Integer, nullable=True),
    Column("target_groups", JSON, nullable=False, default=list),
    Column("capacity", Float, nullable=True),
    Column("capacity_unit", String(30), nullable=False, default=""),
    Column("source", String(300), nullable=False),
    Column("source_id", String(300), nullable=False),
    Column("licence", String(120), nullable=False, default=""),
    Column("provenance", JSON, nullable=False, default=list),
    Column("assured_date", Date, nullable=True),
    Column("visibility", String(10), nullable=False, default="public"),
    Column("extra", JSON, nullable=False, default=dict),
    Column("merged_into", String(36), ForeignKey("assets.id"), nullable=True),
    # mobilise.geo.grid_cell(lon, lat), kept with the position by the asset service.
    Column("cell", BigInteger, nullable=True),
    *record_columns(),
    UniqueConstraint("source", "source_id"),
    # Covers a search around a point (cell, position, the live and public conditions, the
    # order) so the database reads only the index to find and rank what is near.
    Index(
        "ix_assets_cell",
        "cell",
        "lat",
        "lon",
        "visibility",
        "deleted_at",
        "merged_into",
        "name",
        "id",
        "version",
    ),
    Index("ix_assets_updated_at", "updated_at"),
)

# A reviewer's decision on a candidate duplicate pair (asset_a < asset_b): "keep_apart" or "merged".
asset_pair_decisions = Table(
    "asset_pair_decisions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("asset_a", String(36), ForeignKey("assets.id"), nullable=False),
    Column("asset_b", String(36), ForeignKey("assets.id"), nullable=False),
    Column("decision", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    *record_columns(),
    UniqueConstraint("asset_a", "asset_b"),
)

# Suggestions from the public: a new asset, a correction, or "what this place means to me".
# Contact details are optional and only facilitators see them; client_key is a keyed hash of the
# sender's address, kept for rate limiting only.
contributions = Table(
    "contributions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("asset_id", String(36), ForeignKey("assets.id"), nullable=True, index=True),
    Column("payload", JSON, nullable=False, default=dict),
    Column("story", Text, nullable=False, default=""),
    Column("photo", LargeBinary, nullable=True),
    Column("photo_type", String(40), nullable=True),
    Column("contributor_name", String(120), nullable=False, default=""),
    Column("contact", String(300), nullable=False, default=""),
    Column("consent_to_publish", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False, default="pending", index=True),
    Column("moderated_by", String(120), nullable=True),
    Column("moderated_at", UTCDateTime(), nullable=True),
    Column("moderation_note", Text, nullable=False, default=""),
    Column("client_key", String(64), nullable=False, index=True),
    *record_columns(),
)

# An analysis run: what was asked (place, categories, method, catchments, decays), the data it
# read, its state while it runs in the background, and a summary of its findings when done.
analysis_runs = Table(
    "analysis_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("place_id", String(36), ForeignKey("places.id"), nullable=False, index=True),
    Column("parameters", JSON, nullable=False, default=dict),
    Column("data_versions", JSON, nullable=False, default=dict),
    Column("status", String(20), nullable=False, default="queued"),
    Column("progress", Float, nullable=False, default=0.0),
    Column("step", String(300), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
    Column("summary", JSON, nullable=False, default=dict),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("rerun_of", String(36), ForeignKey("analysis_runs.id"), nullable=True),
    *record_columns(),
)

# One area's result in one scenario (category, catchment, decay) of a run: its access, what it
# can reach, its LISA cluster and whether it is a priority neighbourhood, with the reasons.
analysis_results = Table(
    "analysis_results",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("run_id", String(36), ForeignKey("analysis_runs.id"), nullable=False),
    Column("category", String(40), nullable=False),
    Column("catchment_m", Float, nullable=False),
    Column("decay", String(20), nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("population", Float, nullable=False),  # as read by the run
    Column("imd_decile", Integer, nullable=True),  # national IMD 2019 decile, as read
    Column("value", Float, nullable=False),
    Column("in_reach", Integer, nullable=False),
    Column("nearest_m", Float, nullable=True),  # None: nothing within the catchment
    Column("cluster", String(20), nullable=True),  # None: left out of the LISA (reported)
    Column("priority", Boolean, nullable=False, default=False),
    Column("reasons", JSON, nullable=False, default=list),
    *record_columns(),
    Index(
        "uq_analysis_results_scenario_area",
        "run_id",
        "category",
        "catchment_m",
        "decay",
        "area_code",
        unique=True,
    ),
)

# A participatory systems map: a causal map of what drives a health outcome, built together.
# ``revision`` counts every change to the map or its parts, so editors can catch up on what they
# missed (see map_events); ``share_token`` opens a read-only view for a workshop screen.
systems_maps = Table(
    "systems_maps",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("place_id", String(36), ForeignKey("places.id"), nullable=True, index=True),
    Column("question", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False, default="draft"),
    Column("share_token", String(64), nullable=True, unique=True),
    Column("revision", Integer, nullable=False, default=0),
    Column("attributes", JSON, nullable=False, default=dict),
    *record_columns(),
)

# Who took part in building a map: pseudonymous (a name they chose), with their stakeholder group.
map_participants = Table(
    "map_participants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("pseudonym", String(120), nullable=False),
    Column("stakeholder_group", String(120), nullable=False, default=""),
    Column("username", String(120), nullable=True),  # the signed-in user, when there is one
    *record_columns(),
    UniqueConstraint("map_id", "pseudonym"),
)

map_factors = Table(
    "map_factors",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("label", String(300), nullable=False),
    Column("kind", String(20), nullable=False, default="other"),
    Column("description", Text, nullable=False, default=""),
    Column("theme", String(120), nullable=False, default=""),
    Column("populations", JSON, nullable=False, default=list),
    Column("indicator_id", String(120), nullable=True),
    Column("asset_category", String(40), nullable=True),
    Column("x", Float, nullable=True),
    Column("y", Float, nullable=True),
    Column("participant_id", String(36), ForeignKey("map_participants.id"), nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    *record_columns(),
)

map_links = Table(
    "map_links",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("source_id", String(36), ForeignKey("map_factors.id"), nullable=False),
    Column("target_id", String(36), ForeignKey("map_factors.id"), nullable=False),
    Column("polarity", String(1), nullable=False, default="?"),
    Column("strength", String(10), nullable=True),
    Column("weight", Float, nullable=True),
    Column("delay", Boolean, nullable=False, default=False),
    Column("confidence", Float, nullable=True),
    Column("evidence", Text, nullable=False, default=""),
    Column("stakeholder_group", String(120), nullable=False, default=""),
    Column("contested", Boolean, nullable=False, default=False),
    Column("label", String(300), nullable=False, default=""),
    Column("participant_id", String(36), ForeignKey("map_participants.id"), nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    *record_columns(),
)

# Comments and votes on a factor or a link (``target_type`` factor or link), by a participant.
map_comments = Table(
    "map_comments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("target_type", String(10), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("participant_id", String(36), ForeignKey("map_participants.id"), nullable=True),
    Column("text", Text, nullable=False),
    *record_columns(),
)

map_votes = Table(
    "map_votes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("target_type", String(10), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("participant_id", String(36), ForeignKey("map_participants.id"), nullable=False),
    Column("value", Integer, nullable=False),  # +1 agree, -1 disagree
    *record_columns(),
    UniqueConstraint("target_type", "target_id", "participant_id"),
)

# A saved version of a whole map (factors, links, scenarios as the causal-map JSON).
map_snapshots = Table(
    "map_snapshots",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("map_id", String(36), ForeignKey("systems_maps.id"), nullable=False, index=True),
    Column("label", String(300), nullable=False, default=""),
    Column("revision", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    *record_columns(),
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

# The partnership: the consortium's partners (organisations, and individual lived-experience
# members under a pseudonym), measured in survey rounds. ``key`` is the partner's id in files.
partners = Table(
    "partners",
    metadata,
    Column("id", String(36), primary_key=True),
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
    *record_columns(),
)

# A partner's representatives: the minimum needed to send the survey (never shown publicly).
partner_contacts = Table(
    "partner_contacts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False, default=""),
    Column("email", String(300), nullable=False, default=""),
    *record_columns(),
)

# Membership over time: a partner may join, leave and join again.
partner_memberships = Table(
    "partner_memberships",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False, index=True),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date, nullable=True),
    Column("note", Text, nullable=False, default=""),
    *record_columns(),
)

# A survey round: who is on its roster, and when it ran. ``min_raters`` is the disclosure rule:
# a score built from fewer raters is shown to admins only.
survey_rounds = Table(
    "survey_rounds",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("date", Date, nullable=False),
    Column("status", String(20), nullable=False, default="draft"),  # draft, open, closed
    Column("description", Text, nullable=False, default=""),
    Column("min_raters", Integer, nullable=False, default=3),
    *record_columns(),
)

round_roster = Table(
    "round_roster",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", String(36), ForeignKey("survey_rounds.id"), nullable=False, index=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    *record_columns(),
    UniqueConstraint("round_id", "partner_id"),
)

# A single-use link to answer a round for one partner: only the token's hash is stored. It opens
# the survey until the answers are submitted (saving a draft keeps it open to resume).
survey_invitations = Table(
    "survey_invitations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", String(36), ForeignKey("survey_rounds.id"), nullable=False, index=True),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
    Column("contact_id", String(36), ForeignKey("partner_contacts.id"), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("opened_at", UTCDateTime(), nullable=True),
    Column("used_at", UTCDateTime(), nullable=True),
    *record_columns(),
)

# One partner's response to a round: its status and the questions about the partnership itself.
survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", String(36), ForeignKey("survey_rounds.id"), nullable=False, index=True),
    Column("respondent_id", String(36), ForeignKey("partners.id"), nullable=False),
    Column("status", String(20), nullable=False, default="draft"),  # draft, submitted
    Column("source", String(20), nullable=False, default="survey"),  # survey, import
    Column("contributions", JSON, nullable=False, default=list),
    Column("achievements", JSON, nullable=False, default=list),
    Column("comment", Text, nullable=False, default=""),
    Column("submitted_at", UTCDateTime(), nullable=True),
    *record_columns(),
    UniqueConstraint("round_id", "respondent_id"),
)

# What a respondent said about one partner on the roster. ``level`` None with ``works_together``
# true is a tie of unknown level (imports); level 0 is "we do not work together".
survey_answers = Table(
    "survey_answers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("round_id", String(36), ForeignKey("survey_rounds.id"), nullable=False, index=True),
    Column("respondent_id", String(36), ForeignKey("partners.id"), nullable=False),
    Column("partner_id", String(36), ForeignKey("partners.id"), nullable=False),
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
    *record_columns(),
    UniqueConstraint("round_id", "respondent_id", "partner_id"),
)

# The trail itself is append-only: it has no record columns.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(120), nullable=False),
    Column("entity_type", String(40), nullable=False),
    Column("entity_id", String(120), nullable=False),
    Column("action", String(20), nullable=False),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column("summary", Text, nullable=False, default=""),
    Index("ix_audit_log_entity", "entity_type", "entity_id"),
)

"""Community assets, the organisations behind them, duplicate decisions and residents' suggestions."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = [
    "SQLITE_WORD_INDEX",
    "WORD_INDEX",
    "WORD_VECTOR",
    "asset_pair_decisions",
    "assets",
    "contributions",
    "not_a_word_index",
    "organisations",
]

organisations = record_table(
    "organisations",
    Column("name", String(300), nullable=False, index=True),
    Column("description", Text, nullable=False, default=""),
    Column("url", String(500), nullable=False, default=""),
    Column("email", String(300), nullable=False, default=""),
    Column("source", String(300), nullable=False, default=""),
    UniqueConstraint("source", "name"),
)

# Community assets: HSDS 3 / ORUK 3.0 services, places (parks, halls) and groups in one table.
# Lists (taxonomy terms, schedule, languages, target groups, provenance) are JSON.
assets = record_table(
    "assets",
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
    ref("organisation_id", "organisations", nullable=True),
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
    ref("merged_into", "assets", nullable=True),
    # mobilise.geo.grid_cell(lon, lat), kept with the position by the asset service.
    Column("cell", BigInteger, nullable=True),
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

# Search by words (migration 0012). On SQLite an FTS5 table over the assets' names and
# descriptions (English stemming: Porter), kept in step by triggers; on PostgreSQL a GIN index on
# WORD_VECTOR, an expression a query must repeat word for word to use it. Neither is a table of
# the metadata: an FTS5 table and its shadow tables are the database's own, and SQLAlchemy
# cannot declare an expression index for one dialect only.
WORD_INDEX = "assets_words"
WORD_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, name), 'A') || "
    "setweight(to_tsvector('english'::regconfig, description), 'B')"
)
# The FTS5 table reads its text from the assets table (external content, by rowid) and the
# triggers keep it in step with every write, whichever service makes it. A migration that
# rebuilds the assets table on SQLite (Alembic's batch mode) drops the triggers and may renumber
# rowids: it must run these statements again after it ('rebuild' refills the index).
SQLITE_WORD_INDEX = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {WORD_INDEX} USING fts5(name, description, "
    "content='assets', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {WORD_INDEX}_insert AFTER INSERT ON assets BEGIN "
    f"INSERT INTO {WORD_INDEX}(rowid, name, description) "
    "VALUES (new.rowid, new.name, new.description); END",
    f"CREATE TRIGGER IF NOT EXISTS {WORD_INDEX}_delete AFTER DELETE ON assets BEGIN "
    f"INSERT INTO {WORD_INDEX}({WORD_INDEX}, rowid, name, description) "
    "VALUES ('delete', old.rowid, old.name, old.description); END",
    f"CREATE TRIGGER IF NOT EXISTS {WORD_INDEX}_update AFTER UPDATE OF name, description "
    f"ON assets BEGIN INSERT INTO {WORD_INDEX}({WORD_INDEX}, rowid, name, description) "
    "VALUES ('delete', old.rowid, old.name, old.description); "
    f"INSERT INTO {WORD_INDEX}(rowid, name, description) "
    "VALUES (new.rowid, new.name, new.description); END",
    f"INSERT INTO {WORD_INDEX}({WORD_INDEX}) VALUES ('rebuild')",
)
_WORD_INDEX_OBJECTS = frozenset(
    {WORD_INDEX, *(f"{WORD_INDEX}_{shadow}" for shadow in ("config", "data", "docsize", "idx"))}
    | {"ix_assets_words"}
)


def not_a_word_index(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Whether a database object is not part of the word index (an ``include_name`` filter for
    Alembic's comparison of the database with the metadata)."""
    return name not in _WORD_INDEX_OBJECTS or type_ not in ("table", "index")


# A reviewer's decision on a candidate duplicate pair (asset_a < asset_b): "keep_apart" or "merged".
asset_pair_decisions = record_table(
    "asset_pair_decisions",
    ref("asset_a", "assets"),
    ref("asset_b", "assets"),
    Column("decision", String(20), nullable=False),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("asset_a", "asset_b"),
)

# Suggestions from the public: a new asset, a correction, or "what this place means to me".
# Contact details are optional and only facilitators see them; client_key is a keyed hash of the
# sender's address, kept for rate limiting only.
contributions = record_table(
    "contributions",
    Column("kind", String(20), nullable=False),
    ref("asset_id", "assets", nullable=True, index=True),
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
)

"""The project's own profile: what it tells a programme about itself in its project package.

One row (``project_profile``): the project's stable ``id`` (the package's ``key``), title, lead
organisation, places (slugs of the workspace's places), dates, focus, partner types, the methods
used with what the project said of each (ids of :data:`mobilise.model.methods_vocab.METHODS`),
which package resources are public, the number of the last release exported and its zip (what
the project serves), and, when the package is served, the SHA-256 of the serving token (the
token itself is shown once, never stored).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Integer, LargeBinary, String, Text

from mobilise.store.tables._schema import UTCDateTime, record_table

__all__ = ["project_profile"]

project_profile = record_table(
    "project_profile",
    Column("title", String(300), nullable=False, default=""),
    Column("lead_organisation", String(300), nullable=False, default=""),
    Column("places", JSON, nullable=False, default=list),
    Column("start_date", String(10), nullable=True),
    Column("end_date", String(10), nullable=True),
    Column("focus", Text, nullable=False, default=""),
    Column("partner_types", JSON, nullable=False, default=list),
    Column("methods", JSON, nullable=False, default=list),  # [{method, said}]
    Column("public", JSON, nullable=False, default=dict),  # resource -> bool
    Column("note", Text, nullable=False, default=""),
    Column("sources", JSON, nullable=False, default=list),
    Column("release", Integer, nullable=False, default=0),
    Column("released_at", UTCDateTime(), nullable=True),
    Column("package", LargeBinary, nullable=True),  # the last release's zip, as served
    Column("package_sha256", String(64), nullable=True),
    Column("token_hash", String(64), nullable=True),
    Column("token_issued_at", UTCDateTime(), nullable=True),
)

"""The programme workspace: projects whose packages a programme gathers, each release received,
and the reach figures held against differencing.

A project (``programme_projects``) is keyed by its package's stable ``key``. It may be followed
at an address (``url``) with the token the project issued (kept as given: it is needed to pull).
Each package received is a release (``programme_releases``): the zip as received, its sha256,
its metadata, and its tables as JSON (read by the synthesis without parsing the zip again); the
newest is ``current``, the others ``history``.

``programme_reach_held`` keeps, per project and reach cell (dimension, group; ``kind`` "cell" or
"total"), the figure the programme last used for it: a new release moves it only when the cell
changed by at least k, so two releases cannot be subtracted to find one person.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["programme_projects", "programme_reach_held", "programme_releases"]

programme_projects = record_table(
    "programme_projects",
    Column("title", String(300), nullable=False),
    Column("lead_organisation", String(300), nullable=False, default=""),
    Column("source", String(20), nullable=False, default="file"),  # file, upload, url
    Column("url", Text, nullable=True),
    Column("token", Text, nullable=True),  # as issued by the project: needed to pull
    Column("every_hours", Integer, nullable=False, default=24),
    Column("last_pulled_at", UTCDateTime(), nullable=True),
    Column("last_pull_error", Text, nullable=False, default=""),
    Column("current_release", Integer, nullable=True),
)

programme_releases = record_table(
    "programme_releases",
    ref("project_key", "programme_projects", index=True),
    Column("release", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    Column("tables", JSON, nullable=False, default=dict),  # {resource: [row, ...]}
    Column("public", JSON, nullable=False, default=dict),  # {resource: bool}
    Column("methods", JSON, nullable=False, default=list),  # the method ids used
    Column("package", LargeBinary, nullable=False),
    Column("released_at", String(40), nullable=False, default=""),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("source", String(20), nullable=False, default="file"),
    Column("status", String(20), nullable=False, default="current"),  # current, history
    Index("uq_programme_releases_project_release", "project_key", "release", unique=True),
)

programme_reach_held = record_table(
    "programme_reach_held",
    ref("project_key", "programme_projects", index=True),
    Column("dimension", String(80), nullable=False),
    Column("group_name", String(200), nullable=False, default=""),
    Column("kind", String(10), nullable=False, default="cell"),  # cell, total
    Column("count", Integer, nullable=True),  # None: suppressed by the project
    Column("suppressed", Boolean, nullable=False, default=False),
    Column("release", Integer, nullable=False),  # the release the held figure came from
    Index(
        "uq_programme_reach_held_cell",
        "project_key",
        "dimension",
        "group_name",
        "kind",
        unique=True,
    ),
)

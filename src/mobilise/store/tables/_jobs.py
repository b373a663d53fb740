"""Background jobs: long work (imports, analysis runs, backups) queued in the database.

A job is claimed by one worker at a time (its ``version`` changes with every claim, so two workers
cannot both take it), reports progress and a heartbeat while it runs, and keeps its result or
its error in words. A job whose heartbeat stops (its process died) is retried, or marked failed
after its last attempt. An uploaded file waits in ``job_files`` until its job has run.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Text

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["job_files", "jobs"]

jobs = record_table(
    "jobs",
    Column("kind", String(40), nullable=False),
    Column("status", String(20), nullable=False, default="queued"),  # queued running done failed
    Column("params", JSON, nullable=False, default=dict),
    Column("progress", Float, nullable=False, default=0.0),
    Column("step", Text, nullable=False, default=""),
    Column("result", JSON, nullable=False, default=dict),
    Column("error", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False, default=3),
    Column("claimed_by", String(120), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("heartbeat_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Index("ix_jobs_status_created_at", "status", "created_at"),
)

job_files = record_table(
    "job_files",
    ref("job_id", "jobs", index=True),
    Column("name", String(300), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

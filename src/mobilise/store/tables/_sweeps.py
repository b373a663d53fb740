"""Access sweeps: many places x categories x catchments x decays x travel profiles of an access
measure, computed chunk by chunk (on Dask), with each chunk's state and its results.

A chunk (some origins of one place, for one profile) keeps its pass-1 sums (``partials``: the
demand each destination sees from its origins, compressed arrays) once pass 1 is done, and is
``done`` once its results are stored, in the same transaction; a resumed sweep skips both.
Catchments and nearest costs are in the profile's unit: metres on a straight line, minutes on a
street network.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Text

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["access_sweep_chunks", "access_sweep_results", "access_sweeps"]

access_sweeps = record_table(
    "access_sweeps",
    Column("title", String(300), nullable=False),
    Column("places", JSON, nullable=False, default=list),  # slugs, in the order given
    Column("parameters", JSON, nullable=False, default=dict),
    Column("status", String(20), nullable=False, default="queued"),  # queued running done failed
    Column("progress", Float, nullable=False, default=0.0),
    Column("step", String(300), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
    Column("summary", JSON, nullable=False, default=dict),
    Column("chunks_total", Integer, nullable=False, default=0),
    Column("job_id", String(36), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
)

access_sweep_chunks = record_table(
    "access_sweep_chunks",
    ref("sweep_id", "access_sweeps"),
    Column("number", Integer, nullable=False),
    Column("place_slug", String(80), nullable=False),
    Column("profile", String(20), nullable=False),
    Column("origins", JSON, nullable=False, default=list),  # area codes
    Column("state", String(20), nullable=False, default="pending"),  # pending partials done failed
    Column("attempts", Integer, nullable=False, default=0),  # passes run (1 or 2 per try)
    Column("partials", LargeBinary, nullable=True),
    Column("pass1_seconds", Float, nullable=True),
    Column("pass2_seconds", Float, nullable=True),
    Column("error", Text, nullable=False, default=""),
    Index("uq_access_sweep_chunks_number", "sweep_id", "number", unique=True),
)

access_sweep_results = record_table(
    "access_sweep_results",
    ref("sweep_id", "access_sweeps"),
    Column("chunk", Integer, nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("place_slug", String(80), nullable=False),
    Column("category", String(40), nullable=False),
    Column("catchment", Float, nullable=False),  # metres (straight-line) or minutes (network)
    Column("decay", String(20), nullable=False),
    Column("profile", String(20), nullable=False),
    Column("value", Float, nullable=False),
    Column("in_reach", Integer, nullable=False),
    Column("nearest", Float, nullable=True),  # None: nothing within the catchment
    Index(
        "uq_access_sweep_results_scenario_area",
        "sweep_id",
        "profile",
        "category",
        "catchment",
        "decay",
        "area_code",
        unique=True,
    ),
)

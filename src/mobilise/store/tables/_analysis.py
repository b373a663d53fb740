"""Analysis runs (access and disparities) and their results per area and scenario."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Text

from mobilise.store.tables._schema import UTCDateTime, record_table, ref

__all__ = ["analysis_results", "analysis_runs"]

# An analysis run: what was asked (place, categories, method, catchments, decays), the data it
# read, its state while it runs in the background, and a summary of its findings when done.
analysis_runs = record_table(
    "analysis_runs",
    Column("kind", String(20), nullable=False),
    ref("place_id", "places", index=True),
    Column("parameters", JSON, nullable=False, default=dict),
    Column("data_versions", JSON, nullable=False, default=dict),
    Column("status", String(20), nullable=False, default="queued"),
    Column("progress", Float, nullable=False, default=0.0),
    Column("step", String(300), nullable=False, default=""),
    Column("error", Text, nullable=False, default=""),
    Column("summary", JSON, nullable=False, default=dict),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    ref("rerun_of", "analysis_runs", nullable=True),
)

# One area's result in one scenario (category, catchment, decay) of a run: its access, what it
# can reach, its LISA cluster and whether it is a priority neighbourhood, with the reasons.
analysis_results = record_table(
    "analysis_results",
    ref("run_id", "analysis_runs"),
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

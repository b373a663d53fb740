"""Drivers of disparities: the results by area of a drivers run (an ``analysis_runs`` row of
kind ``drivers``; its models' coefficients and diagnostics are in the run's summary)."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, Index, String

from mobilise.store.tables._schema import record_table, ref

__all__ = ["driver_results"]

# One area's result in one model of a run: least squares ("ols": what the variables predict
# and what they leave unexplained), or a local model ("gwr", "mgwr": also its local R² and its
# coefficients, {term: [estimate, standard error, t, significant after correction]}).
driver_results = record_table(
    "driver_results",
    ref("run_id", "analysis_runs"),
    Column("model", String(20), nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("outcome", Float, nullable=False),  # as read by the run
    Column("predicted", Float, nullable=False),
    Column("residual", Float, nullable=False),
    Column("local_r2", Float, nullable=True),  # GWR only
    Column("terms", JSON, nullable=False, default=dict),
    Index("uq_driver_results_model_area", "run_id", "model", "area_code", unique=True),
)

"""Places, small areas and what is known of them: links, population, indicators, postcodes.

Geometries are GeoJSON text in WGS84 with their bounding box alongside, so the same schema runs
on SQLite and PostgreSQL without a spatial extension.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Text, UniqueConstraint

from mobilise.store.tables._schema import dataset_ref, record_table, ref

__all__ = [
    "area_links",
    "areas",
    "indicator_values",
    "indicators",
    "place_areas",
    "places",
    "population",
    "postcodes",
]


def _area_ref(*, index: bool = False) -> Column[Any]:
    return ref("area_code", "areas", length=12, column="code", index=index)


places = record_table(
    "places",
    Column("slug", String(80), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
)

areas = record_table(
    "areas",
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
    dataset_ref(),
)

# Parents (MSOA, local authority), successors (LSOA 2011 -> 2021) and classifications (rural-urban)
# of an area. The related area need not be stored as an area itself.
area_links = record_table(
    "area_links",
    _area_ref(index=True),
    Column("relation", String(20), nullable=False),
    Column("related_type", String(20), nullable=False),
    Column("related_code", String(20), nullable=False),
    Column("related_name", String(200), nullable=False, default=""),
    Column("detail", String(40), nullable=False, default=""),
    dataset_ref(),
    UniqueConstraint("area_code", "related_type", "related_code"),
    Index("ix_area_links_related", "related_type", "related_code"),
)

place_areas = record_table(
    "place_areas",
    ref("place_id", "places"),
    _area_ref(index=True),
    UniqueConstraint("place_id", "area_code"),
)

population = record_table(
    "population",
    _area_ref(),
    Column("period", String(40), nullable=False),
    Column("total", Integer, nullable=False),
    Column("age_0_15", Integer, nullable=True),
    Column("age_16_59", Integer, nullable=True),
    Column("age_60_plus", Integer, nullable=True),
    Column("working_age", Integer, nullable=True),
    dataset_ref(),
    UniqueConstraint("area_code", "period"),
)

indicators = record_table(
    "indicators",
    Column("name", String(300), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("unit", String(60), nullable=False, default=""),
    Column("polarity", String(20), nullable=False),
    Column("source", String(300), nullable=False, default=""),
    Column("licence", String(120), nullable=False, default=""),
    Column("period", String(40), nullable=False, default=""),
    Column("area_type", String(20), nullable=False),
    Column("national_breaks", JSON, nullable=True),
    # how the values were computed from counts (mobilise.analysis.rates); empty when imported
    Column("method", String(40), nullable=False, default="", server_default=""),
    Column("standard", String(40), nullable=False, default="", server_default=""),
    Column("confidence", Float, nullable=True),  # of lower_ci/upper_ci: 95.0
    Column("multiplier", Float, nullable=True),
    # the benchmark the values are compared with (England, or all areas computed)
    Column("benchmark_label", String(120), nullable=False, default="", server_default=""),
    Column("benchmark_value", Float, nullable=True),
    Column("benchmark_lower", Float, nullable=True),
    Column("benchmark_upper", Float, nullable=True),
    dataset_ref(),
    key=Column("id", String(120), primary_key=True),
)

indicator_values = record_table(
    "indicator_values",
    ref("indicator_id", "indicators", length=120),
    _area_ref(index=True),
    Column("value", Float, nullable=True),  # None: suppressed (see ``suppression``)
    Column("lower_ci", Float, nullable=True),
    Column("upper_ci", Float, nullable=True),
    Column("numerator", Float, nullable=True),
    Column("denominator", Float, nullable=True),
    Column("lower_99_8", Float, nullable=True),
    Column("upper_99_8", Float, nullable=True),
    Column("method", String(60), nullable=False, default="", server_default=""),
    Column("suppression", String(200), nullable=False, default="", server_default=""),
    UniqueConstraint("indicator_id", "area_code"),
)

postcodes = record_table(
    "postcodes",
    Column("lsoa11_code", String(12), nullable=True, index=True),
    Column("lon", Float, nullable=True),  # Code-Point quality 90: no coordinates
    Column("lat", Float, nullable=True),
    Column("easting", Float, nullable=True),
    Column("northing", Float, nullable=True),
    Column("lad_code", String(12), nullable=True),
    Column("quality", Integer, nullable=True),
    dataset_ref(),
    key=Column("postcode", String(8), primary_key=True),
)

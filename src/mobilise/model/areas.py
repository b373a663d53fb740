"""Small areas as read from a boundary file, and the kinds of area lookup the workspace imports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["LOOKUP_KINDS", "BoundaryData"]

LOOKUP_KINDS = {
    "msoa11": "LSOA 2011 -> MSOA 2011 parents (ONS lsoa11_msoa11 lookup)",
    "lsoa21": "LSOA 2011 -> LSOA 2021 successors and LAD 2022 parents (ONS lookup with CHGIND)",
    "rural-urban": "rural-urban classification 2011 of LSOAs",
    "centroids": "population-weighted centroids (lon/lat or British National Grid)",
}
"""The kinds of lookup file the workspace imports, with what each holds."""


@dataclass
class BoundaryData:
    """Areas read from one boundary file.

    ``areas`` has columns ``code``, ``name``, ``geometry`` (Polygon or MultiPolygon in EPSG:4326,
    coordinates rounded to 6 decimals, about 0.1 m), ``source_row`` (1-based feature number) and
    every other property of the file. ``area_type`` is e.g. ``"lsoa11"`` when the code field says.
    """

    areas: gpd.GeoDataFrame
    area_type: str | None
    file: str

"""A community asset as read from a source file or feed, before the workspace stores it.

Every asset reader in :mod:`mobilise.formats` (spreadsheets, GeoJSON, GeoPackage, OpenStreetMap,
Open Referral UK feeds) returns an :class:`AssetFile`; the workspace's asset register imports one.
Field values follow the vocabulary of :mod:`mobilise.model.asset_vocab`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from mobilise.errors import Problem

__all__ = ["AssetFile", "AssetRecord"]


@dataclass
class AssetRecord:
    """One community asset as read from a source, valid against the vocabulary."""

    name: str
    category: str  # a CATEGORIES id
    source: str  # e.g. "gla_cim", "osm", "oruk:https://host/feed", a file name
    source_id: str  # stable id within the source (re-import updates by it)
    kind: str = "place"
    description: str = ""
    status: str = "active"
    taxonomy_terms: list[str] = field(default_factory=list)  # "vocabulary:term"
    lon: float | None = None  # WGS84
    lat: float | None = None
    geometry: dict[str, Any] | None = None  # GeoJSON Polygon/MultiPolygon (WGS84)
    address: str = ""
    postcode: str | None = None  # normalised "NN1 1DE"
    organisation: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""
    schedule: list[dict[str, str]] = field(default_factory=list)  # byday, opens_at, closes_at
    step_free: bool | None = None
    accessible_toilet: bool | None = None
    hearing_loop: bool | None = None
    languages: list[str] = field(default_factory=list)
    cost: str | None = None  # COSTS
    age_min: int | None = None
    age_max: int | None = None
    target_groups: list[str] = field(default_factory=list)  # TARGET_GROUPS
    capacity: float | None = None
    capacity_unit: str = ""  # "m2" (site area) or "places_per_week"
    licence: str = ""
    assured_date: date | None = None
    visibility: str = "public"
    source_row: int = 0  # 1-based data row / feature number, for messages
    extra: dict[str, Any] = field(default_factory=dict)  # source fields not mapped


@dataclass
class AssetFile:
    """What one file gave: valid records, and the problems and raw rows of the invalid ones."""

    file: str
    records: list[AssetRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_rows: list[dict[str, Any]] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)  # source field -> rows present, unmapped

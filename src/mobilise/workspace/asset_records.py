"""The records of the asset register as its callers see them: an asset, a page of a search, what an
import did, and the filters a search and an export share.

Plain dataclasses over the standard library only, so the faces can name them (and the ORUK feed
can keep what it made of each asset) without loading the database or any analysis library.
"""

from __future__ import annotations

import io
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from mobilise.errors import Problem

if TYPE_CHECKING:
    from mobilise.workspace._files import FileTarget

__all__ = [
    "DAYS",
    "Asset",
    "AssetImportReport",
    "AssetSearch",
    "DeletedAsset",
    "DeletedAssets",
    "SearchFilters",
    "is_open",
]


@dataclass(frozen=True)
class Asset:
    """One asset as stored, with its organisation's name and, in searches, its distance."""

    id: str
    name: str
    description: str
    kind: str
    category: str
    status: str
    taxonomy_terms: list[str]
    lon: float | None
    lat: float | None
    geometry: dict[str, Any] | None
    geocode_precision: str
    address: str
    postcode: str | None
    lsoa11_code: str | None
    organisation_id: str | None
    organisation: str
    email: str
    phone: str
    url: str
    schedule: list[dict[str, Any]]
    step_free: bool | None
    accessible_toilet: bool | None
    hearing_loop: bool | None
    languages: list[str]
    cost: str | None
    age_min: int | None
    age_max: int | None
    target_groups: list[str]
    capacity: float | None
    capacity_unit: str
    source: str
    source_id: str
    licence: str
    provenance: list[dict[str, Any]]
    assured_date: date | None
    visibility: str
    extra: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime
    updated_by: str
    distance_m: float | None = None

    def as_mapping(self) -> dict[str, Any]:
        """The fields as a dict, values as they are (shallow: cheap for feeds of many assets)."""
        return dict(self.__dict__)

    def public_dict(self) -> dict[str, Any]:
        """What anyone may see: no editors' names, provenance notes or unmapped source fields;
        but the :meth:`marks`."""
        data = {**self.to_dict(), **self.marks()}
        for private in ("extra", "updated_by", "provenance"):
            data.pop(private, None)
        return data

    def marks(self) -> dict[str, Any]:
        """Which fields mobilise wrote from the source's facts (``derived``: field -> the value
        it wrote) and which it normalised (``normalised``: field -> what the source wrote and
        what changed), so an API user can tell them from the source's own words. A derived
        field an editor has since changed is no longer marked."""
        extra = self.extra or {}
        derived = {
            name: mark.get("value")
            for name, mark in (extra.get("mobilise:derived") or {}).items()
            if isinstance(mark, dict) and getattr(self, name, None) == mark.get("value")
        }
        return {"derived": derived, "normalised": dict(extra.get("mobilise:normalised") or {})}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates as ISO 8601 text)."""
        data = self.as_mapping()
        for key in ("assured_date", "created_at", "updated_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data


@dataclass
class AssetImportReport:
    """What an asset import did (or, in a dry run, would do).

    ``invalid_rows`` holds each invalid row of the file as it was, with its ``row`` number and
    its ``problems`` in words (for :meth:`save_invalid_rows`); it is not part of :meth:`to_dict`.
    """

    file: str
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    outside_place: int = 0
    not_geocoded: int = 0
    geocoded_by_postcode: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # action, source_id, name
    invalid_rows: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("invalid_rows")
        data["problems"] = [p.to_dict() for p in self.problems]
        data["changes"] = [{"action": a, "source_id": s, "name": n} for a, s, n in self.changes]
        return data

    def save_invalid_rows(self, target: FileTarget) -> int:
        """Write the invalid rows and their problems as CSV (UTF-8) to a path or a binary
        stream; a path is replaced only once the whole file is written. Returns how many rows."""
        from mobilise.formats.safe_cells import csv_writer
        from mobilise.workspace._files import write_bytes

        columns = sorted({key for row in self.invalid_rows for key in row})
        out = io.StringIO(newline="")
        writer = csv_writer(out)  # no cell is written as a spreadsheet formula
        writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in self.invalid_rows)
        write_bytes(target, out.getvalue().encode("utf-8"), name=f"{self.file}.invalid.csv")
        return len(self.invalid_rows)


@dataclass(frozen=True)
class AssetSearch:
    """One page of search results and how many matched in all.

    ``keys`` are the page's (id, version) pairs in order; ``items`` the assets themselves, unless
    the search was made with ``load=False``. ``not_recorded``: for each positive filter given
    (``free``, ``age``, ``open_at``, ...), how many assets pass every other filter but do not
    record that fact. ``also_listed``: in a search that folds duplicates, the other records of
    the same place under each card's id (``id``, ``name``, ``source``); ``total`` then counts
    the cards.
    """

    items: list[Asset]
    total: int
    page: int
    per_page: int
    keys: list[tuple[str, int]] = field(default_factory=list)
    not_recorded: dict[str, int] = field(default_factory=dict)
    also_listed: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    def with_unknowns(self, not_recorded: dict[str, int]) -> AssetSearch:
        """The same page, saying how many assets do not record each filter's fact."""
        return replace(self, not_recorded=dict(not_recorded))


@dataclass(frozen=True)
class DeletedAsset:
    """An asset deleted from the register: it has left search and the feeds, and can be restored
    unless it was merged into another asset (``merged_into``: a merge is not undone)."""

    id: str
    name: str
    category: str
    source: str
    postcode: str | None
    visibility: str
    version: int
    deleted_at: datetime
    deleted_by: str | None
    merged_into: str | None

    @property
    def restorable(self) -> bool:
        return self.merged_into is None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deleted_at"] = self.deleted_at.isoformat()
        data["restorable"] = self.restorable
        return data


@dataclass(frozen=True)
class DeletedAssets:
    """One page of deleted assets, the most recently deleted first, and how many in all."""

    items: list[DeletedAsset]
    total: int
    page: int
    per_page: int

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "total_pages": self.total_pages,
            "items": [a.to_dict() for a in self.items],
        }


class SearchFilters(TypedDict, total=False):
    """The filters of :meth:`mobilise.workspace.assets.AssetService.search` that an export takes
    too (see there for what each means)."""

    place: str | None
    near: tuple[float, float] | None
    radius_m: float | None
    category: str | None
    text: str | None
    free: bool
    step_free: bool
    accessible_toilet: bool
    hearing_loop: bool
    age: int | None
    language: str | None
    open_at: datetime | None
    include_unknown: Collection[str]
    organisation_id: str | None
    taxonomy_term: str | None
    target_group: str | None
    modified_after: datetime | None
    located: bool


DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def is_open(schedule: Sequence[Mapping[str, Any]], when: datetime) -> bool:
    """Whether a weekly HSDS-style schedule (``byday`` "MO,TU", ``opens_at``/``closes_at``
    "HH:MM") has the asset open at ``when`` (local time)."""
    day = DAYS[when.weekday()]
    minute = when.hour * 60 + when.minute
    for slot in schedule:
        days = {d.strip().upper()[:2] for d in str(slot.get("byday") or "").split(",") if d.strip()}
        if days and day not in days:
            continue
        opens, closes = _minutes(slot.get("opens_at")), _minutes(slot.get("closes_at"))
        if opens is None or closes is None:
            continue
        if opens <= minute < closes or (closes <= opens and (minute >= opens or minute < closes)):
            return True
    return False


def _minutes(text: Any) -> int | None:
    try:
        hours, minutes = str(text).split(":")[:2]
        return int(hours) * 60 + int(minutes)
    except (ValueError, TypeError):
        return None

"""How fresh and complete the asset register is, per place and per source."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.store.tables import assets, place_areas, places, population
from mobilise.workspace._asset_store import live_assets

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace


__all__ = ["COMPLETENESS_FIELDS", "QualityGroup", "QualityReport", "asset_quality"]

# Field label -> test of whether an asset row has it.
COMPLETENESS_FIELDS: dict[str, Any] = {
    "description": lambda r: bool(r.description),
    "location": lambda r: r.lon is not None,
    "postcode": lambda r: bool(r.postcode),
    "address": lambda r: bool(r.address),
    "contact (web, email or phone)": lambda r: bool(r.url or r.email or r.phone),
    "opening times": lambda r: bool(r.schedule),
    "accessibility": lambda r: any(
        v is not None for v in (r.step_free, r.accessible_toilet, r.hearing_loop)
    ),
    "cost": lambda r: r.cost is not None,
    "age range": lambda r: r.age_min is not None or r.age_max is not None,
    "organisation": lambda r: r.organisation_id is not None,
    "assured date": lambda r: r.assured_date is not None,
}


@dataclass
class QualityGroup:
    """Quality figures of one group of assets (a place or a source)."""

    name: str
    total: int = 0
    stale: int = 0
    never_assured: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_precision: dict[str, int] = field(default_factory=dict)
    complete: dict[str, int] = field(default_factory=dict)
    population: int | None = None

    @property
    def per_10k_residents(self) -> float | None:
        if not self.population:
            return None
        return round(self.total / self.population * 10_000, 2)

    def completeness(self) -> dict[str, float]:
        """Share of assets that have each field of :data:`COMPLETENESS_FIELDS` (0..1)."""
        return {
            k: (self.complete.get(k, 0) / self.total if self.total else 0.0)
            for k in COMPLETENESS_FIELDS
        }

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["per_10k_residents"] = self.per_10k_residents
        data["completeness"] = self.completeness()
        return data


@dataclass
class QualityReport:
    """Quality figures per place and per source; ``fields`` names the completeness figures."""

    stale_months: int
    places: list[QualityGroup]
    sources: list[QualityGroup]

    @property
    def fields(self) -> list[str]:
        """The labels of the fields whose completeness is counted, in order."""
        return list(COMPLETENESS_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "stale_months": self.stale_months,
            "places": [g.to_dict() for g in self.places],
            "sources": [g.to_dict() for g in self.sources],
        }


def _months_before(today: date, months: int) -> date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(today.day, 28))


def asset_quality(
    workspace: Workspace,
    *,
    place: str | None = None,
    stale_months: int = 12,
    today: date | None = None,
) -> QualityReport:
    """Freshness (assured within ``stale_months``), completeness per field and geocode precision of
    the live assets, grouped by place and by source."""
    today = today or datetime.now(UTC).date()
    cutoff = _months_before(today, stale_months)
    with workspace.read() as connection:
        rows = connection.execute(select(assets).where(*live_assets())).all()
        place_rows = connection.execute(
            select(places.c.slug, places.c.name, place_areas.c.area_code)
            .join(place_areas, place_areas.c.place_id == places.c.id)
            .where(places.c.deleted_at.is_(None), place_areas.c.deleted_at.is_(None))
        ).all()
        people = dict(connection.execute(select(population.c.area_code, population.c.total)).all())
    area_place: dict[str, list[tuple[str, str]]] = {}
    for slug, name, code in place_rows:
        area_place.setdefault(code, []).append((slug, name))
    by_place: dict[str, QualityGroup] = {}
    for slug, name, code in place_rows:
        group = by_place.setdefault(slug, QualityGroup(name, population=0))
        group.population = (group.population or 0) + int(people.get(code) or 0)
    by_source: dict[str, QualityGroup] = {}
    for row in rows:
        homes = area_place.get(row.lsoa11_code or "", [])
        if place is not None and place not in {slug for slug, _ in homes}:
            continue
        groups = [by_place[slug] for slug, _ in homes if slug in by_place]
        groups.append(by_source.setdefault(row.source, QualityGroup(row.source)))
        for group in groups:
            _count(group, row, cutoff)
    chosen = [g for slug, g in sorted(by_place.items()) if place is None or slug == place]
    return QualityReport(stale_months, chosen, sorted(by_source.values(), key=lambda g: g.name))


def _count(group: QualityGroup, row: Any, cutoff: date) -> None:
    group.total += 1
    if row.assured_date is None:
        group.never_assured += 1
    elif row.assured_date < cutoff:
        group.stale += 1
    group.by_category[row.category] = group.by_category.get(row.category, 0) + 1
    precision = row.geocode_precision
    group.by_precision[precision] = group.by_precision.get(precision, 0) + 1
    for label, test in COMPLETENESS_FIELDS.items():
        if test(row):
            group.complete[label] = group.complete.get(label, 0) + 1

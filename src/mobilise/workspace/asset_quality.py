"""How fresh and complete the asset register is, per place and per source; and how usable the
services of its Open Referral UK feed are, checked as the feed's consumers check them.

:func:`asset_quality`
    The register: freshness, completeness of each field, geocode precision (:class:`QualityReport`).
:func:`feed_quality`
    The feed: each public asset written as the feed writes it for ``GET /oruk/services?full=true``
    and scored by :mod:`mobilise.formats.oruk_quality` (valid id, active, name, description, web
    address, organisation, contact, opening times, location, usable), with the services that fail
    most first (:class:`FeedQualityReport`).
"""

from __future__ import annotations

import copy
import math
import threading
import weakref
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Text, cast, func, select

from mobilise.errors import Problem, ValidationError
from mobilise.formats.oruk_quality import CHECKS, USABLE, USABLE_NEEDS, score_service, tally
from mobilise.store.tables import assets, place_areas, places, population
from mobilise.workspace._asset_store import live_assets

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace


__all__ = [
    "COMPLETENESS_FIELDS",
    "FeedCheckFigure",
    "FeedQualityReport",
    "FeedServiceScore",
    "FeedSourceFigures",
    "QualityGroup",
    "QualityReport",
    "asset_quality",
    "feed_quality",
    "register_stamp",
]

# Field label -> test of whether an asset row has it.
COMPLETENESS_FIELDS: dict[str, Any] = {
    "description": lambda r: bool(r.description),
    "location": lambda r: r.lon is not None,
    "postcode": lambda r: bool(r.postcode),
    "address": lambda r: bool(r.address),
    "contact (web, email or phone)": lambda r: bool(r.url or r.email or r.phone),
    "opening times": lambda r: _has_items(r.schedule),
    "accessibility": lambda r: any(
        v is not None for v in (r.step_free, r.accessible_toilet, r.hearing_loop)
    ),
    "cost": lambda r: r.cost is not None,
    "age range": lambda r: r.age_min is not None or r.age_max is not None,
    "organisation": lambda r: r.organisation_id is not None,
    "assured date": lambda r: r.assured_date is not None,
}


# The columns the figures read: the JSON schedule comes as its text (not decoded: only whether
# it lists anything counts), so a register of 50,000 assets is read in a moment.
_QUALITY_COLUMNS = (
    *(
        assets.c[name]
        for name in (
            "source",
            "lsoa11_code",
            "category",
            "geocode_precision",
            "assured_date",
            "description",
            "lon",
            "postcode",
            "address",
            "url",
            "email",
            "phone",
            "step_free",
            "accessible_toilet",
            "hearing_loop",
            "cost",
            "age_min",
            "age_max",
            "organisation_id",
        )
    ),
    cast(assets.c.schedule, Text).label("schedule"),
)


def _has_items(value: Any) -> bool:
    """Whether a JSON list read as text (or already decoded) holds anything."""
    if isinstance(value, str):
        return value.strip() not in ("", "[]", "{}", "null")
    return bool(value)


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


def register_stamp(connection: Connection) -> tuple[Any, ...]:
    """What the register was: its rows, their latest change and the sum of their versions
    (every change of an asset, a merge or a deletion moves it). Kept results are keyed by it."""
    return tuple(
        connection.execute(
            select(func.count(), func.max(assets.c.updated_at), func.sum(assets.c.version))
        ).one()
    )


def _places_stamp(connection: Connection) -> tuple[Any, ...]:
    """What the places, their areas and the population were (for the per-place figures)."""
    return tuple(
        tuple(connection.execute(select(func.count(), func.max(table.c.updated_at))).one())
        for table in (places, place_areas, population)
    )


# Quality reports by (database, options, day, register and places stamps): the quality page
# asks on every view, and the register changes far less often than it is looked at.
_REPORTS: dict[tuple[Any, ...], QualityReport] = {}
_REPORTS_LOCK = threading.Lock()


def asset_quality(
    workspace: Workspace,
    *,
    place: str | None = None,
    stale_months: int = 12,
    today: date | None = None,
) -> QualityReport:
    """Freshness (assured within ``stale_months``), completeness per field and geocode precision of
    the live assets, grouped by place and by source (kept until an asset, a place or the
    population changes)."""
    today = today or datetime.now(UTC).date()
    with workspace.read() as connection:
        key = (
            workspace.url,
            place,
            stale_months,
            today,
            register_stamp(connection),
            _places_stamp(connection),
        )
    with _REPORTS_LOCK:
        found = _REPORTS.get(key)
    if found is None:
        found = _measure_quality(workspace, place=place, stale_months=stale_months, today=today)
        with _REPORTS_LOCK:
            _REPORTS[key] = found
            while len(_REPORTS) > 32:
                _REPORTS.pop(next(iter(_REPORTS)))
    return copy.deepcopy(found)


def _measure_quality(
    workspace: Workspace, *, place: str | None, stale_months: int, today: date
) -> QualityReport:
    """The quality report, counted from the register (see :func:`asset_quality`)."""
    cutoff = _months_before(today, stale_months)
    with workspace.read() as connection:
        rows = connection.execute(select(*_QUALITY_COLUMNS).where(*live_assets())).all()
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


# -- the ORUK feed ----------------------------------------------------------------------------

FEED_CHECKS = (*CHECKS.values(), USABLE)
_FEED_BASE = "http://localhost/oruk"  # the documents' links; no check reads them
_READ_CHUNK = 5_000
_KEPT_SCORES = 200_000


@dataclass(frozen=True)
class FeedCheckFigure:
    """How many of the feed's ``total`` services pass one check."""

    name: str
    label: str
    meaning: str
    passing: int
    total: int

    @property
    def share(self) -> float:
        """The share passing, 0..1 (0 for an empty feed)."""
        return self.passing / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "share": self.share}


@dataclass(frozen=True)
class FeedSourceFigures:
    """How many services of one source (``osm``, ``gla-cim`` ...) pass each check."""

    name: str
    total: int
    passing: dict[str, int]

    def share(self, check: str) -> float:
        return self.passing[check] / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "passing": self.passing,
            "share": {name: self.share(name) for name in self.passing},
        }


@dataclass(frozen=True)
class FeedServiceScore:
    """The checks one service of the feed fails (``"usable"`` last when it is not usable)."""

    id: str
    name: str
    source: str
    failing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failing": list(self.failing)}


@dataclass
class FeedQualityReport:
    """The feed's services scored check by check, and one page of those that fail.

    ``checks`` holds every check with ``usable`` last; ``services`` is page ``page`` of the
    services that fail ``check`` (any check when None), the most failures first, then by name.
    """

    place: str | None
    total: int
    checks: list[FeedCheckFigure]
    sources: list[FeedSourceFigures]
    check: str | None
    services: list[FeedServiceScore]
    failing_total: int
    page: int
    per_page: int
    usable_needs: tuple[str, ...] = USABLE_NEEDS

    @property
    def total_pages(self) -> int:
        return max(1, math.ceil(self.failing_total / self.per_page))

    def label(self, check: str) -> str:
        """The label of a check (``"url"`` -> ``"Web address"``)."""
        return next((c.label for c in self.checks if c.name == check), check)

    def to_dict(self) -> dict[str, Any]:
        return {
            "place": self.place,
            "total": self.total,
            "usable_needs": list(self.usable_needs),
            "checks": [c.to_dict() for c in self.checks],
            "sources": [s.to_dict() for s in self.sources],
            "failing": {
                "check": self.check,
                "total": self.failing_total,
                "page": self.page,
                "per_page": self.per_page,
                "total_pages": self.total_pages,
                "services": [s.to_dict() for s in self.services],
            },
        }


# What each asset version scored, per database (the engine: every request's workspace shares
# it). A service document is made from its asset's row alone, whose version goes up with every
# change (the feed keeps each item's text on the same ground, see web/routes/oruk.py), so a
# kept score is right for as long as its version is the asset's.
_scores: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], FeedServiceScore]] = (
    weakref.WeakKeyDictionary()
)


def _check_feed_options(check: str | None, page: int, per_page: int) -> None:
    problems = []
    if check is not None and check not in {c.name for c in FEED_CHECKS}:
        known = ", ".join(c.name for c in FEED_CHECKS)
        problems.append(Problem(f"{check!r} is not a check; use one of {known}", field="check"))
    if page < 1:
        problems.append(Problem(f"must be 1 or more, not {page}", field="page"))
    if not 1 <= per_page <= 500:
        problems.append(Problem(f"must be 1 to 500, not {per_page}", field="per_page"))
    if problems:
        raise ValidationError("The feed quality report was asked for wrongly.", problems=problems)


def _feed_keys(workspace: Workspace, place: str | None) -> list[tuple[str, int]]:
    """(id, version) of every asset the feed publishes (in ``place`` when given)."""
    keys: list[tuple[str, int]] = []
    page = 1
    while True:
        found = workspace.assets.search(place=place, page=page, per_page=_READ_CHUNK, load=False)
        keys += found.keys
        if len(found.keys) < _READ_CHUNK:
            return keys
        page += 1


def _feed_scores(workspace: Workspace, place: str | None) -> list[FeedServiceScore]:
    """The score of every service of the feed: kept ones as they are, the others written as
    the feed writes them (``full=true``) and scored, all read at once."""
    kept = _scores.setdefault(workspace.engine, {})
    keys = _feed_keys(workspace, place)
    scores = {key: kept_score for key in keys if (kept_score := kept.get(key)) is not None}
    missing = [asset_id for asset_id, version in keys if (asset_id, version) not in scores]
    for start in range(0, len(missing), _READ_CHUNK):
        chunk = missing[start : start + _READ_CHUNK]
        for asset in workspace.assets.get_many(chunk, include_private=False):
            document = workspace.oruk.service(asset, base_url=_FEED_BASE, full=True)
            found = score_service(document)
            scored = FeedServiceScore(asset.id, found.name, asset.source, found.failing)
            scores[(asset.id, asset.version)] = scored
            if len(kept) >= _KEPT_SCORES:
                kept.clear()
            kept[(asset.id, asset.version)] = scored
    # an asset changed, deleted or made private since its key was read is left out
    return [scores[key] for key in keys if key in scores]


def _figures(scores: list[FeedServiceScore]) -> dict[str, int]:
    return tally(s.failing for s in scores).passing


def feed_quality(
    workspace: Workspace,
    *,
    place: str | None = None,
    check: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> FeedQualityReport:
    """The services of the workspace's ORUK feed, scored as its consumers score them.

    Every public asset (of ``place`` when given) is written as ``GET /oruk/services?full=true``
    writes it and scored by :func:`mobilise.formats.oruk_quality.score_service`; the score of
    each asset version is kept, so a second look scores only what changed.

    Parameters
    ----------
    place
        Only the assets of this place (its slug); the whole feed when None.
    check
        List only the services failing this check (a name of
        :data:`mobilise.formats.oruk_quality.CHECKS`, or ``"usable"``); any check when None.
    page, per_page
        The page of failing services to list (from 1; 1 to 500 a page).
    """
    _check_feed_options(check, page, per_page)
    if place is not None:
        workspace.places.get(place)  # NotFound with the list of places
    scores = _feed_scores(workspace, place)
    passing = _figures(scores)
    checks = [
        FeedCheckFigure(c.name, c.label, c.meaning, passing[c.name], len(scores))
        for c in FEED_CHECKS
    ]
    by_source: dict[str, list[FeedServiceScore]] = {}
    for score in scores:
        by_source.setdefault(score.source, []).append(score)
    sources = [
        FeedSourceFigures(name, len(found), _figures(found))
        for name, found in sorted(by_source.items())
    ]
    failing = sorted(
        (s for s in scores if (check in s.failing if check else s.failing)),
        key=lambda s: (-len(s.failing), s.name.casefold(), s.id),
    )
    start = (page - 1) * per_page
    return FeedQualityReport(
        place=place,
        total=len(scores),
        checks=checks,
        sources=sources,
        check=check,
        services=failing[start : start + per_page],
        failing_total=len(failing),
        page=page,
        per_page=per_page,
    )

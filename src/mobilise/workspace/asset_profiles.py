"""What a resident or a link worker needs to rely on an asset: its profile.

An asset's stored record says "FR – (AM & PM (continuous))", "E01001762" and
"public_libraries_2023_target_areas.geojson". Its profile says the same in people's words:

- **opening hours** read by :mod:`mobilise.formats.opening_hours` (the week from Monday, closed
  days, what is not known, bank holidays of England and Wales) and whether it is open now;
- **the neighbourhood**: the LSOA's name ("Hackney 017D") and the MSOA and local authority the
  shipped lookups give (``area_links``);
- **the source** by its dataset's title (the data sources page), not a file name or key;
- **facts last checked** (``assured_date``) apart from **imported** (``created_at``);
- **ways to reach it**: a ``tel:`` link, a ``mailto:`` link, and directions that open the user's
  own map app (a ``geo:`` URI, RFC 5870) or OpenStreetMap's directions page: no key, no tracking.

Three uses: one asset's page (:meth:`AssetProfileService.get`), a link worker's shortlist
(:meth:`AssetProfileService.shortlist`, public assets only, at most
``MOBILISE_SHORTLIST_MAX_ASSETS``), and the home page's postcode search, nearest first
(:meth:`AssetProfileService.near`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import select

from mobilise.errors import Problem, ValidationError
from mobilise.formats.opening_hours import (
    OPEN,
    Week,
    open_at,
    read_schedule,
    state_words,
    uk_time,
)
from mobilise.model.asset_vocab import source_info
from mobilise.settings import load_settings
from mobilise.store.tables import area_links, areas

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import Asset
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.datasets import Dataset

__all__ = [
    "AssetProfile",
    "AssetProfileService",
    "Nearby",
    "Neighbourhood",
    "Shortlist",
    "SourceName",
    "directions_links",
]

# People's names for the sources mobilise knows by a short key (model.asset_vocab.KNOWN_SOURCES).
SOURCE_NAMES = {
    "gla_cim": "GLA Cultural Infrastructure Map",
    "osm": "OpenStreetMap",
    "mapping_museums": "Mapping Museums",
    "public_libraries": "Public libraries in England",
    "ace": "Arts Council England",
}
NEAR_RADIUS_M = 2000  # the home page's postcode search looks this far
_FILE_SUFFIX = re.compile(r"\.(csv|tsv|txt|xlsx|geojson|json|gpkg|osm|pbf|gz)$", re.IGNORECASE)


@dataclass(frozen=True)
class Neighbourhood:
    """An LSOA by its name, with the MSOA and local authority the lookups give."""

    code: str
    name: str
    msoa: str = ""
    local_authority: str = ""

    def text(self) -> str:
        """``"Hackney 017D (in Hackney 017, Hackney)"``."""
        around = ", ".join(p for p in (self.msoa, self.local_authority) if p)
        return f"{self.name} (in {around})" if around else self.name

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "text": self.text()}


@dataclass(frozen=True)
class SourceName:
    """Where an asset's facts come from, by a name people know."""

    key: str  # the asset's ``source`` as stored
    name: str
    dataset_id: str | None = None  # the data sources page's entry, when one matches
    licence: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class AssetProfile:
    """An asset and what people need to rely on it (see the module docstring)."""

    asset: Asset
    hours: Week
    open_now: bool | None
    neighbourhood: Neighbourhood | None
    source: SourceName
    links: dict[str, str] = field(default_factory=dict)  # tel, mailto, geo, directions
    today: int = 0  # the weekday (Monday 0) of the moment "open now" was told for, UK time

    @property
    def open_words(self) -> str:
        """ "Open now", "Closed now", "Open today (times not recorded)" or "Opening hours not
        known"."""
        today = self.hours.days[self.today]
        if self.open_now is None and today.state == OPEN and not today.times_recorded:
            return "Open today (times not recorded)"
        return state_words(self.open_now)

    @property
    def checked(self) -> date | None:
        """When someone last checked the facts (``assured_date``); None: not since import."""
        return self.asset.assured_date

    @property
    def imported(self) -> datetime:
        return self.asset.created_at

    def checked_words(self) -> str:
        if self.checked is None:
            return "not checked since import"
        return self.checked.strftime("%-d %B %Y")

    def to_dict(self) -> dict[str, Any]:
        """The public asset with its hours, open now, neighbourhood, source and links."""
        return {
            **self.asset.public_dict(),
            "opening_hours": self.hours.to_dict(),
            "open_now": self.open_now,
            "open_now_words": self.open_words,
            "neighbourhood": self.neighbourhood.to_dict() if self.neighbourhood else None,
            "source_name": self.source.to_dict(),
            "facts_checked": self.checked.isoformat() if self.checked else None,
            "facts_checked_words": self.checked_words(),
            "imported": self.imported.isoformat(),
            "links": dict(self.links),
        }


@dataclass(frozen=True)
class Shortlist:
    """The assets of a shortlist in the order given, and the ids no longer listed."""

    items: list[AssetProfile]
    missing: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"items": [p.to_dict() for p in self.items], "missing": list(self.missing)}


@dataclass(frozen=True)
class Nearby:
    """The assets nearest a postcode, with the postcode's own neighbourhood."""

    postcode: str
    neighbourhood: Neighbourhood | None
    radius_m: int
    total: int  # public assets within the radius
    items: list[AssetProfile]

    def to_dict(self) -> dict[str, Any]:
        return {
            "postcode": self.postcode,
            "neighbourhood": self.neighbourhood.to_dict() if self.neighbourhood else None,
            "radius_m": self.radius_m,
            "total": self.total,
            "items": [p.to_dict() for p in self.items],
        }


class AssetProfileService:
    """Asset profiles for pages and the API: one, a shortlist, or the nearest to a postcode."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def get(
        self, asset_id: str, *, include_private: bool = False, at: datetime | None = None
    ) -> AssetProfile:
        """One asset's profile; ``at`` is the moment "open now" is told for (default: now)."""
        asset = self._ws.assets.get(asset_id, include_private=include_private)
        return self._profiles([asset], at)[0]

    def shortlist(
        self, ids: Sequence[str], *, at: datetime | None = None, max_assets: int | None = None
    ) -> Shortlist:
        """The public assets of a shortlist, in the order given; unknown, deleted, merged and
        private ids are listed as ``missing``. More than ``max_assets`` ids (by default the
        setting ``MOBILISE_SHORTLIST_MAX_ASSETS``) is refused with a ValidationError (422)."""
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        limit = max_assets if max_assets is not None else load_settings().shortlist_max_assets
        if len(wanted) > limit:
            raise ValidationError(
                f"A shortlist holds at most {limit} assets; this one names {len(wanted)} "
                "(setting MOBILISE_SHORTLIST_MAX_ASSETS).",
                problems=[Problem(f"at most {limit} ids", field="ids")],
            )
        found = self._ws.assets.get_many(wanted, include_private=False)
        known = {a.id for a in found}
        return Shortlist(
            items=self._profiles(found, at), missing=[i for i in wanted if i not in known]
        )

    def near(
        self,
        postcode: str,
        *,
        limit: int = 10,
        radius_m: int = NEAR_RADIUS_M,
        at: datetime | None = None,
    ) -> Nearby:
        """The public assets nearest a postcode (within ``radius_m`` metres), nearest first.

        Raises ValidationError for text that is not a postcode, NotFound for one not in the
        lookup (each saying so)."""
        found = self._ws.postcodes.geocode(postcode)
        if found.lon is None or found.lat is None:
            point = self._ws.postcodes.point(found.postcode)  # raises NotFound, saying why
        else:
            point = (found.lon, found.lat)
        result = self._ws.assets.search(  # one card per place: duplicates folded
            near=point, radius_m=radius_m, page=1, per_page=limit, fold=True
        )
        names = self._neighbourhoods([found.lsoa11_code] if found.lsoa11_code else [])
        return Nearby(
            postcode=found.postcode,
            neighbourhood=names.get(found.lsoa11_code or ""),
            radius_m=radius_m,
            total=result.total,
            items=self._profiles(result.items, at),
        )

    # -- building profiles -----------------------------------------------------------------
    def _profiles(self, found: Sequence[Asset], at: datetime | None) -> list[AssetProfile]:
        moment = uk_time(at or datetime.now(UTC))
        names = self._neighbourhoods([a.lsoa11_code for a in found if a.lsoa11_code])
        datasets = self._ws.datasets.list() if found else []
        profiles = []
        for asset in found:
            week = read_schedule(asset.schedule)
            profiles.append(
                AssetProfile(
                    asset=asset,
                    hours=week,
                    open_now=open_at(week, moment),
                    neighbourhood=names.get(asset.lsoa11_code or ""),
                    source=source_name(asset.source, asset.licence, datasets),
                    links=contact_links(asset),
                    today=moment.weekday(),
                )
            )
        return profiles

    def _neighbourhoods(self, codes: Sequence[str]) -> dict[str, Neighbourhood]:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        with self._ws.read() as connection:
            named = dict(
                connection.execute(
                    select(areas.c.code, areas.c.name).where(areas.c.code.in_(wanted))
                ).all()
            )
            parents = connection.execute(
                select(area_links.c.area_code, area_links.c.related_type, area_links.c.related_name)
                .where(
                    area_links.c.area_code.in_(wanted),
                    area_links.c.relation == "parent",
                    area_links.c.deleted_at.is_(None),
                )
                .order_by(area_links.c.related_type)  # the newest vintage last, so it wins
            ).all()
        around: dict[str, dict[str, str]] = {}
        for code, kind, name in parents:
            around.setdefault(code, {})["msoa" if kind.startswith("msoa") else kind[:3]] = name
        return {
            code: Neighbourhood(
                code=code,
                name=named.get(code) or code,
                msoa=around.get(code, {}).get("msoa", ""),
                local_authority=around.get(code, {}).get("lad", ""),
            )
            for code in wanted
        }


def source_name(source: str, licence: str, datasets: Sequence[Dataset]) -> SourceName:
    """A source by the title of the dataset it came from (a file of it, or the same publisher);
    a known publisher's name or the source itself, made readable, when none matches."""
    plain = _FILE_SUFFIX.sub("", _FILE_SUFFIX.sub("", source.strip()))
    for dataset in datasets:
        files = {
            _FILE_SUFFIX.sub("", _FILE_SUFFIX.sub("", f.rsplit("/", 1)[-1])) for f in dataset.files
        }
        if plain and plain in files:
            return SourceName(source, dataset.title, dataset.id, licence or dataset.licence)
    key = source_info(source)[0]
    same = [d for d in datasets if source_info(d.title)[0] == key]
    if len(same) == 1:
        return SourceName(source, same[0].title, same[0].id, licence or same[0].licence)
    known = SOURCE_NAMES.get(key)
    return SourceName(source, known or plain.replace("_", " ") or "not recorded", None, licence)


def contact_links(asset: Asset) -> dict[str, str]:
    """``tel``, ``mailto``, ``geo`` and ``directions`` links where the asset has the facts."""
    links: dict[str, str] = {}
    digits = re.sub(r"[^\d+]", "", asset.phone or "")
    if len(re.sub(r"\D", "", digits)) >= 3:
        links["tel"] = "tel:" + (digits[0] + digits[1:].replace("+", ""))
    email = (asset.email or "").strip()
    if re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", email):
        links["mailto"] = "mailto:" + quote(email, safe="@.+-_")
    if asset.lat is not None and asset.lon is not None:
        links.update(directions_links(asset.lat, asset.lon, asset.name))
    return links


def directions_links(lat: float, lon: float, name: str) -> dict[str, str]:
    """Directions that open the user's own map app: a ``geo:`` URI (phones) and OpenStreetMap's
    directions page (everything else); neither needs a key nor tells anyone but the map."""
    at = f"{lat:.6f},{lon:.6f}"
    label = quote(re.sub(r"[()]", "", name)[:80])
    return {
        "geo": f"geo:{at}?q={at}({label})",
        "directions": f"https://www.openstreetmap.org/directions?to={quote(at)}#map=17/{lat:.5f}/{lon:.5f}",
    }

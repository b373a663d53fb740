"""Places: named sets of small areas (a consortium's footprint, e.g. a county or five boroughs)."""

from __future__ import annotations

import builtins
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, and_, func, insert, select

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.records import (
    audit,
    insert_record,
    new_id,
    record_values,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import (
    area_links,
    areas,
    indicator_values,
    place_areas,
    places,
    population,
)
from mobilise.workspace._common import chunked
from mobilise.workspace._files import FileSource, read_bytes, source_name

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["Place", "PlaceService"]

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
CORE20_INDICATOR = "imd2019_decile"


@dataclass(frozen=True)
class Place:
    """A place with its key figures."""

    id: str
    slug: str
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime
    n_areas: int = 0
    population: int | None = None
    population_period: str | None = None
    core20_areas: int | None = None
    core20_population: int | None = None
    authorities: list[tuple[str, str]] = field(default_factory=list)

    @property
    def core20_share(self) -> float | None:
        """Share of the place's areas among England's 20% most deprived (IMD deciles 1-2)."""
        if self.core20_areas is None or not self.n_areas:
            return None
        return self.core20_areas / self.n_areas

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "n_areas": self.n_areas,
            "population": self.population,
            "population_period": self.population_period,
            "core20_areas": self.core20_areas,
            "core20_share": self.core20_share,
            "core20_population": self.core20_population,
            "authorities": [{"code": c, "name": n} for c, n in self.authorities],
        }


class PlaceService:
    """Create, describe and change places."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- reading -----------------------------------------------------------------------------
    def list(self) -> list[Place]:
        """Every place that is not deleted, with its key figures."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(places).where(places.c.deleted_at.is_(None)).order_by(places.c.name)
            ).all()
            return [self._with_figures(connection, row) for row in rows]

    def names(self) -> dict[str, str]:
        """Every place's name by its slug (without the figures :meth:`list` computes)."""
        with self._ws.read() as connection:
            rows = connection.execute(
                select(places.c.slug, places.c.name)
                .where(places.c.deleted_at.is_(None))
                .order_by(places.c.name)
            )
            return {row.slug: row.name for row in rows}

    def get(self, slug: str) -> Place:
        with self._ws.read() as connection:
            return self._with_figures(connection, self._row(connection, slug))

    def area_codes(self, slug: str) -> builtins.list[str]:
        with self._ws.read() as connection:
            place = self._row(connection, slug)
            return list(
                connection.execute(
                    select(place_areas.c.area_code)
                    .where(place_areas.c.place_id == place.id, place_areas.c.deleted_at.is_(None))
                    .order_by(place_areas.c.area_code)
                ).scalars()
            )

    def bbox(self, slug: str) -> tuple[float, float, float, float]:
        """West, south, east, north (WGS84 degrees) around the place's areas."""
        codes = self.area_codes(slug)
        with self._ws.read() as connection:
            west = south = math.inf
            east = north = -math.inf
            for chunk in chunked(codes):
                row = connection.execute(
                    select(
                        func.min(areas.c.min_lon),
                        func.min(areas.c.min_lat),
                        func.max(areas.c.max_lon),
                        func.max(areas.c.max_lat),
                    ).where(areas.c.code.in_(chunk))
                ).one()
                if row[0] is not None:
                    west, south = min(west, row[0]), min(south, row[1])
                    east, north = max(east, row[2]), max(north, row[3])
        if west == math.inf:
            raise NotFound(f"Place {slug!r} has no area boundaries yet.")
        return (west, south, east, north)

    def areas_geojson(self, slug: str, *, indicator_id: str | None = None) -> str:
        """The areas of a place as GeoJSON text, with one indicator's values (and national
        deciles, 1 = worst 10% in England) in the properties.

        The stored geometry text is spliced in as it is (never parsed), which keeps this fast for
        thousands of areas.
        """
        from mobilise.workspace.areas import feature_collection

        codes = self.area_codes(slug)
        lads = self._ws.areas.frame(codes)["lad_name"].to_dict()
        values = (
            self._ws.indicators.values(indicator_id, codes=codes)[["value", "national_decile"]]
            .astype(object)
            .to_dict("index")
            if indicator_id
            else None
        )
        features = []
        for code, name, geometry in self._ws.areas.geojson_features(codes):
            properties: dict[str, Any] = {"code": code, "name": name, "lad": _clean(lads.get(code))}
            if values is not None:
                found = values.get(code, {})
                properties["value"] = _clean(found.get("value"))
                decile = _clean(found.get("national_decile"))
                properties["national_decile"] = int(decile) if decile is not None else None
            features.append((code, properties, geometry))
        return feature_collection(features)

    def _row(self, connection: Connection, slug: str) -> Any:
        row = connection.execute(select(places).where(places.c.slug == slug)).first()
        if row is None or row.deleted_at is not None:
            known = connection.execute(
                select(places.c.slug).where(places.c.deleted_at.is_(None))
            ).scalars()
            hint = ", ".join(known) or "none yet: create one with `mobilise places create`"
            raise NotFound(f"No place {slug!r}. Places: {hint}.")
        return row

    def _with_figures(self, connection: Connection, row: Any) -> Place:
        members = and_(place_areas.c.place_id == row.id, place_areas.c.deleted_at.is_(None))
        n_areas = connection.execute(
            select(func.count()).select_from(place_areas).where(members)
        ).scalar_one()
        # The newest population period of the place's areas.
        period = connection.execute(
            select(func.max(population.c.period))
            .join(place_areas, place_areas.c.area_code == population.c.area_code)
            .where(members)
        ).scalar_one()
        total = None
        if period is not None:
            total = connection.execute(
                select(func.sum(population.c.total))
                .join(place_areas, place_areas.c.area_code == population.c.area_code)
                .where(members, population.c.period == period)
            ).scalar_one()
        core20 = connection.execute(
            select(func.count(), func.sum(population.c.total))
            .select_from(indicator_values)
            .join(place_areas, place_areas.c.area_code == indicator_values.c.area_code)
            .outerjoin(
                population,
                and_(
                    population.c.area_code == indicator_values.c.area_code,
                    population.c.period == period,
                ),
            )
            .where(
                members,
                indicator_values.c.indicator_id == CORE20_INDICATOR,
                indicator_values.c.value <= 2,
            )
        ).one()
        has_imd = connection.execute(
            select(func.count())
            .select_from(indicator_values)
            .join(place_areas, place_areas.c.area_code == indicator_values.c.area_code)
            .where(members, indicator_values.c.indicator_id == CORE20_INDICATOR)
        ).scalar_one()
        authorities = connection.execute(
            select(area_links.c.related_code, area_links.c.related_name)
            .distinct()
            .join(place_areas, place_areas.c.area_code == area_links.c.area_code)
            .where(members, area_links.c.related_type == _newest_lad_type(connection, row.id))
            .order_by(area_links.c.related_name)
        ).all()
        return Place(
            id=row.id,
            slug=row.slug,
            name=row.name,
            description=row.description,
            version=row.version,
            created_at=row.created_at,
            updated_at=row.updated_at,
            n_areas=n_areas,
            population=int(total) if total is not None else None,
            population_period=period,
            core20_areas=int(core20[0]) if has_imd else None,
            core20_population=int(core20[1]) if has_imd and core20[1] is not None else None,
            authorities=[(code, name) for code, name in authorities],
        )

    # -- writing -----------------------------------------------------------------------------
    def create(
        self,
        slug: str,
        name: str,
        *,
        description: str = "",
        area_codes: Iterable[str] = (),
        authorities: Sequence[str] = (),
    ) -> Place:
        """Create a place from area codes and/or every stored area within local authorities.

        Parameters
        ----------
        slug
            Short name used in URLs and commands: lower-case letters, digits and hyphens.
        name
            The place's name as people say it.
        area_codes
            GSS codes of stored areas to include.
        authorities
            Local authority codes (any vintage stored as an area parent, e.g. LAD 2022 or 2019):
            every stored area within them is included.
        """
        problems = []
        if not SLUG.match(slug):
            problems.append(
                Problem(
                    f"{slug!r} is not a valid slug: use 2-80 lower-case letters, digits and "
                    "hyphens, e.g. 'northamptonshire'",
                    field="slug",
                )
            )
        if not name.strip():
            problems.append(Problem("a place needs a name", field="name"))
        if problems:
            raise ValidationError("Cannot create the place.", problems=problems)
        with self._ws.write() as connection:
            existing = connection.execute(select(places).where(places.c.slug == slug)).first()
            if existing is not None and existing.deleted_at is not None:
                raise Conflict(
                    f"A deleted place {slug!r} ({existing.name}) has that slug: restore it "
                    "(PlaceService.restore) or choose another slug."
                )
            if existing is not None:
                raise Conflict(f"A place {slug!r} exists already ({existing.name}).")
            codes = self._resolve_areas(connection, area_codes, authorities)
            row = insert_record(
                connection,
                places,
                {"slug": slug, "name": name.strip(), "description": description.strip()},
                actor=self._ws.actor,
                entity_type="place",
            )
            self._add(connection, row["id"], slug, codes)
        return self.get(slug)

    def read_area_codes(self, source: FileSource, *, name: str | None = None) -> builtins.list[str]:
        """The area codes of a text file, one per line (blank lines ignored), for :meth:`create`
        and :meth:`add_areas`; ``source`` is its path, bytes or a binary stream."""
        file = source_name(source, name)
        try:
            text = read_bytes(source, name=name).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                f"Cannot read {file}.",
                problems=[Problem("the file is not UTF-8 text; save it as UTF-8", file=file)],
            ) from None
        return [line.strip() for line in text.splitlines() if line.strip()]

    def add_areas(
        self, slug: str, *, area_codes: Iterable[str] = (), authorities: Sequence[str] = ()
    ) -> Place:
        """Add stored areas to a place (areas already in it are left as they are)."""
        with self._ws.write() as connection:
            place = self._row(connection, slug)
            codes = self._resolve_areas(connection, area_codes, authorities)
            present = set(
                connection.execute(
                    select(place_areas.c.area_code).where(place_areas.c.place_id == place.id)
                ).scalars()
            )
            self._add(connection, place.id, slug, [c for c in codes if c not in present])
        return self.get(slug)

    def update(
        self,
        slug: str,
        *,
        version: int,
        name: str | None = None,
        description: str | None = None,
    ) -> Place:
        """Change a place's name and/or description; ``version`` is the version you read.

        ``None`` leaves a field as it is; an empty description clears it.
        """
        changes = {
            k: v.strip()
            for k, v in {"name": name, "description": description}.items()
            if v is not None
        }
        problems = []
        if not changes:
            problems.append(Problem("nothing to change: give a name or a description"))
        if "name" in changes and not changes["name"]:
            problems.append(Problem("a place needs a name", field="name"))
        if problems:
            raise ValidationError("Cannot change the place.", problems=problems)
        with self._ws.write() as connection:
            place = self._row(connection, slug)
            update_record(
                connection,
                places,
                place.id,
                changes,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="place",
            )
        return self.get(slug)

    def delete(self, slug: str, *, version: int | None = None) -> None:
        with self._ws.write() as connection:
            place = self._row(connection, slug)
            soft_delete_record(
                connection,
                places,
                place.id,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="place",
            )

    def restore(self, slug: str) -> Place:
        with self._ws.write() as connection:
            row = connection.execute(select(places).where(places.c.slug == slug)).first()
            if row is None:
                raise NotFound(f"No place {slug!r}.")
            restore_record(
                connection,
                places,
                row.id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="place",
            )
        return self.get(slug)

    def _resolve_areas(
        self, connection: Connection, area_codes: Iterable[str], authorities: Sequence[str]
    ) -> builtins.list[str]:
        wanted = [c.strip().upper() for c in area_codes if c.strip()]
        stored = (
            set(
                connection.execute(
                    select(areas.c.code).where(
                        areas.c.code.in_(wanted), areas.c.deleted_at.is_(None)
                    )
                ).scalars()
            )
            if wanted
            else set()
        )
        problems = [
            Problem(f"no stored area {code!r}: import its boundaries first", field="area_codes")
            for code in wanted
            if code not in stored
        ]
        found = set(stored)
        for authority in authorities:
            within = set(
                connection.execute(
                    select(area_links.c.area_code).where(
                        area_links.c.related_code == authority.strip().upper(),
                        area_links.c.relation == "parent",
                    )
                ).scalars()
            )
            if not within:
                problems.append(
                    Problem(
                        f"no stored area lies within {authority!r}: import boundaries with a "
                        "local authority column or a lookup first",
                        field="authorities",
                    )
                )
            found |= within
        if problems:
            raise ValidationError("Cannot add those areas to the place.", problems=problems)
        return sorted(found)

    def _add(self, connection: Connection, place_id: str, slug: str, codes: Sequence[str]) -> None:
        if not codes:
            return
        stamp = record_values(self._ws.actor)
        connection.execute(
            insert(place_areas),
            [{"id": new_id(), "place_id": place_id, "area_code": c, **stamp} for c in codes],
        )
        audit(
            connection,
            actor=self._ws.actor,
            entity_type="place",
            entity_id=place_id,
            action="add_areas",
            after={"area_codes": list(codes)},
            summary=f"added {len(codes)} areas to {slug}",
        )


def _newest_lad_type(connection: Connection, place_id: str) -> str:
    """The newest local authority vintage linked to the place's areas (e.g. 'lad22')."""
    types = connection.execute(
        select(area_links.c.related_type)
        .distinct()
        .join(place_areas, place_areas.c.area_code == area_links.c.area_code)
        .where(place_areas.c.place_id == place_id, area_links.c.related_type.like("lad%"))
    ).scalars()
    return max(types, default="lad")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _clean(value.item())
    return value

"""Areas: small-area geographies (LSOA, MSOA, local authority...) with boundaries, centroids,
parents, classifications and population. Imports live in :mod:`mobilise.workspace.area_imports`."""

from __future__ import annotations

import builtins
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, func, select

from mobilise.errors import NotFound
from mobilise.store.tables import area_links, areas, place_areas, places, population
from mobilise.workspace._common import ImportSummary, chunked
from mobilise.workspace.area_imports import AreaImports

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["Area", "AreaLink", "AreaService", "ImportSummary", "feature_collection"]


@dataclass(frozen=True)
class AreaLink:
    relation: str  # parent, successor, classification
    related_type: str
    related_code: str
    related_name: str
    detail: str = ""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    area_type: str
    centroid: tuple[float, float] | None  # lon, lat (WGS84)
    centroid_method: str | None
    bbox: tuple[float, float, float, float] | None
    links: list[AreaLink]
    population: dict[str, Any] | None
    places: list[tuple[str, str]]  # slug, name
    version: int

    def parent(self, prefix: str) -> AreaLink | None:
        """The newest-vintage parent whose type starts with ``prefix`` (e.g. 'lad', 'msoa')."""
        found = [
            link
            for link in self.links
            if link.relation == "parent" and link.related_type.startswith(prefix)
        ]
        return max(found, key=lambda link: link.related_type) if found else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "area_type": self.area_type,
            "centroid": {"lon": self.centroid[0], "lat": self.centroid[1]}
            if self.centroid
            else None,
            "centroid_method": self.centroid_method,
            "bbox": list(self.bbox) if self.bbox else None,
            "links": [link.__dict__ for link in self.links],
            "population": self.population,
            "places": [{"slug": s, "name": n} for s, n in self.places],
            "version": self.version,
        }


class AreaService(AreaImports):
    """Import (see :class:`AreaImports`) and read areas."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def count(self, *, area_type: str | None = None) -> int:
        query = select(func.count()).select_from(areas).where(areas.c.deleted_at.is_(None))
        if area_type:
            query = query.where(areas.c.area_type == area_type)
        with self._ws.read() as connection:
            return int(connection.execute(query).scalar_one())

    def get(self, code: str) -> Area:
        """One area with its parents, classifications, population and places."""
        code = code.strip().upper()
        with self._ws.read() as connection:
            row = connection.execute(select(areas).where(areas.c.code == code)).first()
            if row is None or row.deleted_at is not None:
                raise NotFound(f"No area {code!r} in this workspace.")
            link_rows = connection.execute(
                select(area_links)
                .where(area_links.c.area_code == code, area_links.c.deleted_at.is_(None))
                .order_by(area_links.c.relation, area_links.c.related_type)
            ).all()
            pop = connection.execute(
                select(population)
                .where(population.c.area_code == code)
                .order_by(population.c.period.desc())
            ).first()
            place_rows = connection.execute(
                select(places.c.slug, places.c.name)
                .join(place_areas, place_areas.c.place_id == places.c.id)
                .where(
                    place_areas.c.area_code == code,
                    places.c.deleted_at.is_(None),
                    place_areas.c.deleted_at.is_(None),
                )
            ).all()
        return Area(
            code=row.code,
            name=row.name,
            area_type=row.area_type,
            centroid=(row.centroid_lon, row.centroid_lat) if row.centroid_lon is not None else None,
            centroid_method=row.centroid_method,
            bbox=(row.min_lon, row.min_lat, row.max_lon, row.max_lat)
            if row.min_lon is not None
            else None,
            links=[
                AreaLink(r.relation, r.related_type, r.related_code, r.related_name, r.detail)
                for r in link_rows
            ],
            population={
                "period": pop.period,
                "total": pop.total,
                "age_0_15": pop.age_0_15,
                "age_16_59": pop.age_16_59,
                "age_60_plus": pop.age_60_plus,
                "working_age": pop.working_age,
            }
            if pop
            else None,
            places=[(s, n) for s, n in place_rows],
            version=row.version,
        )

    def geometry(self, code: str) -> dict[str, Any]:
        """The GeoJSON geometry of one area."""
        with self._ws.read() as connection:
            text = connection.execute(
                select(areas.c.geometry).where(areas.c.code == code.strip().upper())
            ).scalar_one_or_none()
        if text is None:
            raise NotFound(f"No boundary for area {code!r}.")
        return dict(json.loads(text))

    def frame(self, codes: Sequence[str]) -> pd.DataFrame:
        """Code, name, type, centroid and local authority of areas, for tables and maps."""
        rows: builtins.list[Any] = []
        parents: builtins.list[Any] = []
        with self._ws.read() as connection:
            for chunk in chunked(list(codes)):
                rows += connection.execute(
                    select(
                        areas.c.code,
                        areas.c.name,
                        areas.c.area_type,
                        areas.c.centroid_lon,
                        areas.c.centroid_lat,
                    ).where(areas.c.code.in_(chunk))
                ).all()
                parents += parent_rows(connection, chunk)
        frame = pd.DataFrame(
            [tuple(r) for r in rows],
            columns=["code", "name", "area_type", "centroid_lon", "centroid_lat"],
        ).set_index("code")
        lads = _newest_parent(parents, "lad")
        frame["lad_code"] = pd.Series({c: v[0] for c, v in lads.items()}, dtype="object")
        frame["lad_name"] = pd.Series({c: v[1] for c, v in lads.items()}, dtype="object")
        return frame

    def geojson_features(self, codes: Sequence[str]) -> builtins.list[tuple[str, str, str]]:
        """(code, name, GeoJSON geometry text) of the areas, in code order, without parsing."""
        found: builtins.list[tuple[str, str, str]] = []
        with self._ws.read() as connection:
            for chunk in chunked(list(codes)):
                found += [
                    (r.code, r.name, r.geometry)
                    for r in connection.execute(
                        select(areas.c.code, areas.c.name, areas.c.geometry).where(
                            areas.c.code.in_(chunk), areas.c.geometry.is_not(None)
                        )
                    )
                ]
        return sorted(found)


def parent_rows(connection: Connection, codes: Sequence[str]) -> builtins.list[Any]:
    """(area code, related type, code and name) of the parents of areas (codes: one chunk)."""
    return builtins.list(
        connection.execute(
            select(
                area_links.c.area_code,
                area_links.c.related_type,
                area_links.c.related_code,
                area_links.c.related_name,
            ).where(area_links.c.area_code.in_(codes), area_links.c.relation == "parent")
        ).all()
    )


def _newest_parent(rows: Sequence[Any], prefix: str) -> dict[str, tuple[str, str]]:
    best: dict[str, tuple[str, str, str]] = {}
    for code, related_type, related_code, related_name in rows:
        if related_type.startswith(prefix) and (code not in best or related_type > best[code][0]):
            best[code] = (related_type, related_code, related_name)
    return {code: (v[1], v[2]) for code, v in best.items()}


def feature_collection(features: Iterable[tuple[str, dict[str, Any], str]]) -> str:
    """A GeoJSON FeatureCollection of areas from (code, properties, stored geometry text): the
    geometry text is spliced in as it is, never parsed, so thousands of areas stay fast."""
    parts = [
        '{"type":"Feature","id":'
        + json.dumps(code)
        + ',"properties":'
        + json.dumps(properties, separators=(",", ":"))
        + ',"geometry":'
        + geometry
        + "}"
        for code, properties, geometry in features
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"

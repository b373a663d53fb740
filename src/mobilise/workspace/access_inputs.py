"""What an access run reads: the place's areas, residents, IMD and health values, and the assets
in reach, with the versions of that data and a report, in words, of what was left out.

:class:`~mobilise.workspace.access.AccessService` calls :func:`read_inputs` when a run is
computed; this module loads the analysis libraries (pandas, GeoPandas, shapely), so it is imported
only then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, func, select

from mobilise.errors import NotFound, ValidationError
from mobilise.geo import METRES_PER_DEGREE, wgs84_to_bng
from mobilise.model.access_plan import AccessPlan
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.store.records import now
from mobilise.store.tables import areas, assets, indicator_values, indicators, population
from mobilise.workspace._common import chunked
from mobilise.workspace.access_compute import AccessInputs
from mobilise.workspace.assets import live_assets

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["IMD_DECILE", "IMD_RANK", "read_inputs"]

IMD_DECILE = "imd2019_decile"
IMD_RANK = "imd2019_rank"
_SHOWN_LEFT_OUT = 20  # assets named in a run's report before "and N more"


@dataclass(frozen=True)
class _Rows:
    """The stored rows a run reads, before they become frames."""

    areas: list[Any]
    people: dict[str, int]
    period: Any
    meta: dict[str, Any]
    values: dict[str, dict[str, float]]
    assets: list[Any]


def read_inputs(
    workspace: Workspace, place: str, plan: AccessPlan
) -> tuple[AccessInputs, dict[str, Any]]:
    """The origins, destinations and boundaries a run of ``plan`` reads, with data versions.

    Origins are the place's areas at their population-weighted centres; destinations the
    live assets of the categories (public and private) within the largest catchment of the
    place, so areas at its edge see assets just outside. What is left out is counted and
    named in the report (private assets without their names).
    """
    codes = workspace.places.area_codes(place)
    if not codes:
        raise ValidationError(f"Place {place!r} has no areas yet; add areas first.")
    network = workspace.networks.load(place, plan.travel) if plan.on_network else None
    report: dict[str, Any] = {"notes": []}
    with workspace.read() as connection:
        rows = _read_rows(connection, codes, plan)
    origins, boundaries = _origins(rows.areas, rows.people, rows.values, plan, report)
    destinations = _destinations(rows.assets, plan, report)
    health = rows.meta.get(plan.health_indicator or "")
    inputs = AccessInputs(
        origins=origins,
        destinations=destinations,
        areas=boundaries,
        report=report,
        health_label=health.name if health is not None else "",
        health_unit=health.unit if health is not None else "",
        health_higher_is_worse=health is None or health.polarity != "higher_is_better",
        network=network,
    )
    versions = _versions(rows, len(codes), len(destinations), health)
    if network is not None:
        versions["street_network"] = workspace.networks.get(place, plan.travel).to_dict()
        versions["street_network"].pop("coverage", None)
    return inputs, versions


def _read_rows(connection: Connection, codes: Sequence[str], plan: AccessPlan) -> _Rows:
    area_rows = _in_chunks(
        connection,
        select(
            areas.c.code,
            areas.c.centroid_lon,
            areas.c.centroid_lat,
            areas.c.geometry,
            areas.c.updated_at,
        ),
        areas.c.code,
        codes,
    )
    periods = _in_chunks(
        connection, select(func.max(population.c.period)), population.c.area_code, codes
    )
    period = max((p for (p,) in periods if p is not None), default=None)
    people = dict(
        _in_chunks(
            connection,
            select(population.c.area_code, population.c.total).where(population.c.period == period),
            population.c.area_code,
            codes,
        )
    )
    indicator_ids = [IMD_DECILE, IMD_RANK]
    if plan.health_indicator:
        indicator_ids.append(plan.health_indicator)
    meta = {
        r.id: r
        for r in connection.execute(select(indicators).where(indicators.c.id.in_(indicator_ids)))
    }
    if plan.health_indicator and plan.health_indicator not in meta:
        raise NotFound(
            f"No indicator {plan.health_indicator!r} for the health need rule. "
            "See `mobilise indicators list`."
        )
    return _Rows(
        areas=area_rows,
        people=people,
        period=period,
        meta=meta,
        values=_indicator_values(connection, indicator_ids, codes),
        assets=_asset_rows(connection, codes, plan, area_rows),
    )


def _indicator_values(
    connection: Connection, indicator_ids: list[str], codes: Sequence[str]
) -> dict[str, dict[str, float]]:
    values: dict[str, dict[str, float]] = {i: {} for i in indicator_ids}
    for chunk in chunked(codes):
        for r in connection.execute(
            select(
                indicator_values.c.indicator_id,
                indicator_values.c.area_code,
                indicator_values.c.value,
            ).where(
                indicator_values.c.indicator_id.in_(indicator_ids),
                indicator_values.c.area_code.in_(chunk),
            )
        ):
            values[r.indicator_id][r.area_code] = r.value
    return values


def _versions(rows: _Rows, n_areas: int, n_assets: int, health: Any) -> dict[str, Any]:
    """The versions of the data a run read, stored with the run."""
    return {
        "areas": n_areas,
        "population_period": rows.period,
        "imd": {
            "indicator": IMD_DECILE,
            "areas": len(rows.values[IMD_DECILE]),
            "updated_at": _stamp(rows.meta.get(IMD_DECILE)),
        },
        "health": (
            {"indicator": health.id, "period": health.period, "updated_at": _stamp(health)}
            if health is not None
            else None
        ),
        "assets": {
            "used": n_assets,
            "newest_change": max(
                (r.updated_at.isoformat() for r in rows.assets if r.lon is not None),
                default=None,
            ),
        },
        "read_at": now().isoformat(),
    }


def _asset_rows(
    connection: Connection, codes: Sequence[str], plan: AccessPlan, area_rows: Sequence[Any]
) -> list[Any]:
    lons = [r.centroid_lon for r in area_rows if r.centroid_lon is not None]
    lats = [r.centroid_lat for r in area_rows if r.centroid_lat is not None]
    columns = (
        assets.c.id,
        assets.c.name,
        assets.c.category,
        assets.c.lon,
        assets.c.lat,
        assets.c.capacity,
        assets.c.lsoa11_code,
        assets.c.visibility,
        assets.c.updated_at,
    )
    # Private assets count too (e.g. unnamed places of worship: real, but not fit for the
    # directory); the report never names them.
    base = select(*columns).where(*live_assets(), assets.c.category.in_(plan.categories))
    found: list[Any] = []
    if lons:
        reach = plan.straight_line_m(max(plan.catchments_m))  # no farther in minutes either
        dlat = reach / METRES_PER_DEGREE
        dlon = reach / (METRES_PER_DEGREE * math.cos(math.radians(max(map(abs, lats)))))
        found += connection.execute(
            base.where(
                assets.c.lat.between(min(lats) - dlat, max(lats) + dlat),
                assets.c.lon.between(min(lons) - dlon, max(lons) + dlon),
            )
        ).all()
    # Unlocated assets of the place (by LSOA) or of nowhere known: reported, left out.
    members = set(codes)
    found += [
        r
        for r in connection.execute(base.where(assets.c.lon.is_(None)))
        if r.lsoa11_code is None or r.lsoa11_code in members
    ]
    return found


def _in_chunks(connection: Connection, query: Any, column: Any, codes: Sequence[str]) -> list[Any]:
    rows: list[Any] = []
    for chunk in chunked(list(codes)):
        rows += connection.execute(query.where(column.in_(chunk))).all()
    return rows


def _origins(
    area_rows: Sequence[Any],
    people: dict[str, int],
    values: dict[str, dict[str, float]],
    plan: AccessPlan,
    report: dict[str, Any],
) -> tuple[pd.DataFrame, gpd.GeoSeries]:
    located = [r for r in area_rows if r.centroid_lon is not None]
    unlocated = sorted(r.code for r in area_rows if r.centroid_lon is None)
    if unlocated:
        report["notes"].append(
            f"{len(unlocated)} areas have no population-weighted centre and are left out: "
            + ", ".join(unlocated[:_SHOWN_LEFT_OUT])
        )
    report["areas_without_position"] = unlocated
    x, y = wgs84_to_bng([r.centroid_lon for r in located], [r.centroid_lat for r in located])
    index = pd.Index([r.code for r in located], name="area_code")
    population_values = [people.get(r.code) for r in located]
    no_people = [code for code, p in zip(index, population_values, strict=True) if p is None]
    if no_people:
        report["notes"].append(
            f"{len(no_people)} areas have no population figure; they count as 0 residents "
            "(their access is still shown, but they weigh nothing in the gradient)."
        )
    report["areas_without_population"] = no_people
    origins = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "population": [float(p or 0) for p in population_values],
            "imd_decile": [values[IMD_DECILE].get(c, np.nan) for c in index],
            "imd_rank": [values[IMD_RANK].get(c, np.nan) for c in index],
        },
        index=index,
    )
    if plan.health_indicator:
        origins["health"] = [values[plan.health_indicator].get(c, np.nan) for c in index]
    missing_imd = int(origins["imd_decile"].isna().sum())
    if missing_imd:
        report["notes"].append(
            f"{missing_imd} areas have no IMD 2019 decile (areas outside England, or IMD not "
            "imported); they are left out of the deprivation gradient and the Core20 rule."
        )
    with_boundary = [r for r in located if r.geometry]
    boundaries = gpd.GeoSeries(
        shapely.from_geojson([r.geometry for r in with_boundary]),
        index=pd.Index([r.code for r in with_boundary], name="area_code"),
        crs="EPSG:4326",
    )
    return origins, boundaries


def _destinations(
    asset_rows: Sequence[Any], plan: AccessPlan, report: dict[str, Any]
) -> pd.DataFrame:
    unlocated = [r for r in asset_rows if r.lon is None]
    located = [r for r in asset_rows if r.lon is not None]
    no_capacity: list[Any] = []
    if plan.supply == "capacity":
        no_capacity = [r for r in located if r.capacity is None or not r.capacity > 0]
        located = [r for r in located if r.capacity is not None and r.capacity > 0]
    report["assets_without_location"] = [_named_asset(r) for r in unlocated]
    report["assets_without_capacity"] = [_named_asset(r) for r in no_capacity]
    here = [r for r in unlocated if r.lsoa11_code is not None]
    nowhere = [r for r in unlocated if r.lsoa11_code is None]
    for label, left in (
        ("no location", here),
        ("no location or known area (so it may be in this place)", nowhere),
        ("no capacity", no_capacity),
    ):
        if left:
            names = ", ".join(_named_asset(r)["name"] for r in left[:_SHOWN_LEFT_OUT])
            more = len(left) - _SHOWN_LEFT_OUT
            counted = "1 asset has" if len(left) == 1 else f"{len(left):,} assets have"
            if len(left) > 1:
                label = label.replace("it may", "they may")
            report["notes"].append(
                f"{counted} {label} and {'is' if len(left) == 1 else 'are'} left out: {names}"
                + (f" and {more} more" if more > 0 else "")
                + "."
            )
    x, y = wgs84_to_bng([r.lon for r in located], [r.lat for r in located])
    frame = pd.DataFrame(
        {
            "category": [r.category for r in located],
            "name": [r.name for r in located],
            "x": x,
            "y": y,
            "supply": [float(r.capacity) if plan.supply == "capacity" else 1.0 for r in located],
        },
        index=pd.Index([r.id for r in located], name="asset_id"),
    )
    report["assets_used"] = {
        category: int((frame["category"] == category).sum()) for category in plan.categories
    }
    for category in plan.categories:
        if report["assets_used"][category] == 0:
            report["notes"].append(
                f"No {CATEGORIES[category].lower()} assets with a location are in or near the "
                "place: every area's access to them is 0."
            )
    return frame


def _named_asset(row: Any) -> dict[str, Any]:
    """How a left-out asset is reported: private ones without their name or id."""
    if row.visibility != "public":
        return {"id": None, "name": "a private asset", "category": row.category}
    return {"id": row.id, "name": row.name or row.id, "category": row.category}


def _stamp(row: Any) -> str | None:
    return row.updated_at.isoformat() if row is not None else None

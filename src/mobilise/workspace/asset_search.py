"""Searching the asset register in the database: filters, distance order and pages.

Each combination of filters gets its statements built once (:func:`_search_statements`) with the
values bound by name when they run, so a search spends its time in the database rather than in
building SQL. Distances use :func:`~mobilise.workspace._asset_store.distance_m`'s formula in SQL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Float, Integer, String, Text, bindparam, func, or_, select

from mobilise.geo import METRES_PER_DEGREE, box_around, grid_cell, grid_cells_around
from mobilise.store.tables import assets
from mobilise.workspace._asset_store import asset_from_row, live_assets, select_assets
from mobilise.workspace._common import chunked
from mobilise.workspace.asset_records import Asset, AssetSearch, is_open

__all__ = ["assets_by_id", "search_assets"]

_EAST = (assets.c.lon - bindparam("near_lon", type_=Float)) * bindparam("near_scale", type_=Float)
_NORTH = assets.c.lat - bindparam("near_lat", type_=Float)
_SQUARED = _EAST * _EAST + _NORTH * _NORTH
"""The squared distance from the search point, in degrees of latitude (see distance_m)."""


def _filter(name: str) -> list[Any]:
    """The conditions of one search filter, its values bound by name (see search_assets)."""
    c = assets.c
    within = _SQUARED <= bindparam("reach2", type_=Float)  # noqa: SIM300
    text = bindparam("text", type_=String)
    conditions: dict[str, list[Any]] = {
        "public": [c.visibility == "public"],
        "category": [c.category == bindparam("category")],
        "text": [or_(func.lower(c.name).like(text), func.lower(c.description).like(text))],
        "free": [c.cost == "free"],
        "step_free": [c.step_free.is_(True)],
        "age": [
            or_(c.age_min.is_(None), c.age_min <= bindparam("age")),
            or_(c.age_max.is_(None), c.age_max >= bindparam("age")),
        ],
        "organisation_id": [c.organisation_id == bindparam("organisation_id")],
        "modified_after": [c.updated_at > bindparam("modified_after")],
        "located": [or_(c.lon.is_not(None), c.address != "")],  # a position or an address
        "taxonomy_term": [
            c.taxonomy_terms.cast(Text()).like(bindparam("taxonomy_term"), escape="\\")
        ],
        "target_group": [c.target_groups.cast(Text()).like(bindparam("target_group"), escape="\\")],
        # any term of a vocabulary ("osm" for "osm:..."); any target group at all
        "vocabulary": [c.taxonomy_terms.cast(Text()).like(bindparam("vocabulary"), escape="\\")],
        "any_target_group": [c.target_groups.cast(Text()).like('%"%')],
        "near": [c.lon.is_not(None), c.lat.is_not(None)],
        # the grid cells a circle touches: the covering cell index finds and ranks them
        "cells": [c.cell.in_(bindparam("cells", expanding=True)), within],
        # a wide circle: the cells from its south-west to its north-east corner (a band of
        # latitude) and its longitudes, both read from the same index
        "box": [
            c.cell.between(bindparam("first_cell"), bindparam("last_cell")),
            c.lon.between(bindparam("west"), bindparam("east")),
            within,
        ],
        "place": [c.lsoa11_code.in_(bindparam("place_codes", expanding=True))],
    }
    return conditions[name]


@lru_cache(maxsize=256)
def _search_statements(shape: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """For one combination of search filters: the statements of a page's ids and versions, of
    the count, and of every matching row in order. Built once and reused, so a search spends
    its time in the database rather than building SQL."""
    where = [*live_assets(), *(condition for name in shape for condition in _filter(name))]
    order = (
        [_SQUARED, assets.c.name, assets.c.id] if "near" in shape else [assets.c.name, assets.c.id]
    )
    keys = (
        select(assets.c.id, assets.c.version)
        .where(*where)
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    count = select(func.count()).select_from(assets).where(*where)
    return keys, count, select_assets().where(*where).order_by(*order)


def _json_item(value: str, *, whole: bool = True) -> str:
    """A LIKE pattern matching ``value`` as one whole string inside a JSON list (or, not
    ``whole``, as the start of one)."""
    quoted = json.dumps(value) if whole else json.dumps(value)[:-1]
    return "%" + quoted.replace("%", "\\%").replace("_", "\\_") + "%"


def _given(
    *,
    include_private: bool,
    category: str | None = None,
    text: str | None = None,
    free: bool = False,
    step_free: bool = False,
    age: int | None = None,
    organisation_id: str | None = None,
    modified_after: datetime | None = None,
    located: bool = False,
    taxonomy_term: str | None = None,
    target_group: str | None = None,
    vocabulary: str | None = None,
    any_target_group: bool = False,
) -> tuple[list[str], dict[str, Any]]:
    """The names of the plain filters that are given, and the values they bind (a filter left
    out is not given)."""
    given = {
        "public": not include_private,
        "category": category or None,
        "text": f"%{text.strip().lower()}%" if text else None,
        "free": free,
        "step_free": step_free,
        "age": age,
        "organisation_id": organisation_id or None,
        "modified_after": modified_after,
        "located": located,
        # JSON lists hold each entry as a quoted string: match it whole, quotes included.
        "taxonomy_term": _json_item(taxonomy_term) if taxonomy_term else None,
        "target_group": _json_item(target_group) if target_group else None,
        "vocabulary": _json_item(f"{vocabulary}:", whole=False) if vocabulary else None,
        "any_target_group": any_target_group,
    }
    values = {
        name: value for name, value in given.items() if value is not None and value is not False
    }
    return list(values), values


def _around(
    near: tuple[float, float], radius_m: float | None, shape: list[str], values: dict[str, Any]
) -> None:
    """Add the filters of a search around ``near`` (within ``radius_m`` metres) and their values."""
    lon, lat = near
    shape.append("near")
    values.update(near_lon=lon, near_lat=lat, near_scale=math.cos(math.radians(lat)))
    if radius_m is None:
        return
    reach = radius_m / METRES_PER_DEGREE
    values["reach2"] = reach * reach
    cells = grid_cells_around(lon, lat, radius_m)
    if cells is not None:
        shape.append("cells")
        values["cells"] = cells
        return
    west, south, east, north = box_around(lon, lat, radius_m)  # a wide circle: the box around it
    shape.append("box")
    values.update(
        first_cell=grid_cell(west, south), last_cell=grid_cell(east, north), west=west, east=east
    )


def search_assets(
    connection: Connection,
    *,
    filters: dict[str, Any],
    near: tuple[float, float] | None = None,
    radius_m: float | None = None,
    place_codes: Collection[str] | None = None,
    open_at: datetime | None = None,
    include_private: bool = False,
    page: int = 1,
    per_page: int = 50,
    load: bool = True,
) -> AssetSearch:
    """One page of the assets matching ``filters`` (the keywords of :func:`_given`), around
    ``near``, in the areas ``place_codes`` and open at ``open_at``; see AssetService.search."""
    shape, values = _given(include_private=include_private, **filters)
    if near is not None:
        _around(near, radius_m, shape, values)
    if place_codes is not None:
        shape.append("place")
        values["place_codes"] = sorted(place_codes)
    values.update(limit=per_page, offset=(page - 1) * per_page)
    keys_of_page, count, rows_in_order = _search_statements(tuple(shape))
    if open_at is not None:  # schedules are checked in Python: read every match
        every = [asset_from_row(r, near=near) for r in connection.execute(rows_in_order, values)]
        matching = [a for a in every if is_open(a.schedule, open_at)]
        shown = matching[(page - 1) * per_page : page * per_page]
        keys = [(a.id, a.version) for a in shown]
        return AssetSearch(shown if load else [], len(matching), page, per_page, keys)
    # First the page's ids and versions (for a search around a point, from the covering index
    # alone; SQLite keeps only the page while sorting), then how many match in all (a count
    # reads no more than it must), then only the page's rows in full.
    ranked = connection.execute(keys_of_page, values).all()
    if ranked and len(ranked) < per_page:  # the last page: the count follows
        total = (page - 1) * per_page + len(ranked)
    elif not ranked and page == 1:
        total = 0
    else:
        total = connection.execute(count, values).scalar_one()
    keys = [(row.id, row.version) for row in ranked]
    found = (
        assets_by_id(connection, [k for k, _ in keys], near, include_private=include_private)
        if load
        else []
    )
    return AssetSearch(found, int(total), page, per_page, keys)


def assets_by_id(
    connection: Connection,
    ids: Sequence[str],
    near: tuple[float, float] | None,
    *,
    include_private: bool = True,
) -> list[Asset]:
    """The live assets with these ids, in the order given (see AssetService.get_many)."""
    position = {asset_id: number for number, asset_id in enumerate(ids)}
    found: list[Any] = []
    public = () if include_private else (assets.c.visibility == "public",)
    for chunk in chunked(list(position)):
        found += connection.execute(
            select_assets().where(assets.c.id.in_(chunk), *live_assets(), *public)
        ).all()
    return sorted((asset_from_row(r, near=near) for r in found), key=lambda a: position[a.id])

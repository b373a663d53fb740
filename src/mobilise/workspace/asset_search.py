"""Searching the asset register in the database: filters, words, distance order and pages.

Each combination of filters gets its statements built once (:func:`_search_statements`) with the
values bound by name when they run, so a search spends its time in the database rather than in
building SQL. Distances use :func:`~mobilise.workspace._asset_store.distance_m`'s formula in SQL.

**Words** are looked up in the word index of migration 0012: SQLite's FTS5 table (Porter
stemming, ranked by BM25 with the name weighing four times the description) or PostgreSQL's GIN
index on ``to_tsvector('english', ...)`` (ranked by ``ts_rank``, the name weighted A). Every word
must be found, the last one also as the start of a longer word (a search typed in part); the
best matches come first unless the search is around a point (nearest first).

**Facts not recorded.** A positive filter (free, step-free, accessible toilet, hearing loop, an
age, a language, open at a time) keeps only the assets that record the fact and have it, unless
its unknowns are asked for (``include_unknown``); either way the search says how many of the
assets that pass every other filter do not record it (:attr:`AssetSearch.not_recorded`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    false,
    func,
    literal_column,
    not_,
    or_,
    select,
    table,
)

from mobilise.geo import METRES_PER_DEGREE, box_around, grid_cell, grid_cells_around
from mobilise.store.tables import assets, organisations
from mobilise.store.tables._assets import WORD_INDEX, WORD_VECTOR
from mobilise.workspace._asset_store import asset_from_row, live_assets, select_assets
from mobilise.workspace._common import chunked
from mobilise.workspace.asset_records import Asset, AssetSearch

__all__ = ["POSITIVE_FILTERS", "assets_by_id", "search_assets", "word_query"]

POSITIVE_FILTERS = (
    "free",
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "age",
    "language",
    "open_at",
)
"""The filters that keep assets recording a fact, whose unknowns a search counts and can include."""
MAX_WORDS = 20
"""Words of a search beyond this many are not looked up."""

_EAST = (assets.c.lon - bindparam("near_lon", type_=Float)) * bindparam("near_scale", type_=Float)
_NORTH = assets.c.lat - bindparam("near_lat", type_=Float)
_SQUARED = _EAST * _EAST + _NORTH * _NORTH
"""The squared distance from the search point, in degrees of latitude (see distance_m)."""
_WORD = re.compile(r"\w+")


def word_query(text: str, dialect: str) -> str | None:
    """The full-text query of what was typed: every word, the last also as a prefix; None when
    it holds no word. Words are quoted, so nothing typed is read as query syntax."""
    words = _WORD.findall(text.lower())[:MAX_WORDS]
    if not words:
        return None
    if dialect == "postgresql":
        return " & ".join([*(f"'{w}'" for w in words[:-1]), f"'{words[-1]}':*"])
    return " ".join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*'])


def _facts() -> dict[str, tuple[Any, Any]]:
    """For each positive filter done in SQL: (the fact is recorded, the asset has it)."""
    c = assets.c
    languages = func.lower(c.languages.cast(Text()))
    return {
        "free": (c.cost.is_not(None), c.cost == "free"),
        "step_free": (c.step_free.is_not(None), c.step_free.is_(True)),
        "accessible_toilet": (c.accessible_toilet.is_not(None), c.accessible_toilet.is_(True)),
        "hearing_loop": (c.hearing_loop.is_not(None), c.hearing_loop.is_(True)),
        "age": (
            or_(c.age_min.is_not(None), c.age_max.is_not(None)),
            and_(
                or_(c.age_min.is_(None), c.age_min <= bindparam("age")),
                or_(c.age_max.is_(None), c.age_max >= bindparam("age")),
            ),
        ),
        "language": (
            c.languages.cast(Text()).not_in(["[]", ""]),
            languages.like(bindparam("language"), escape="\\"),
        ),
    }


def _fact_filter(name: str) -> list[Any] | None:
    """The condition of a positive filter done in SQL: ``free`` (recorded and free),
    ``free+unknown`` (free or not recorded), ``free?`` (not recorded); None for other names."""
    fact = name.removesuffix("?").removesuffix("+unknown")
    known_and_has = _facts().get(fact)
    if known_and_has is None:
        return None
    known, has = known_and_has
    if name.endswith("?"):
        return [not_(known)]
    if name.endswith("+unknown"):
        return [or_(not_(known), has)]
    return [known, has]


def _filter(name: str) -> list[Any]:
    """The conditions of one search filter, its values bound by name (see search_assets)."""
    fact = _fact_filter(name)
    if fact is not None:
        return fact
    c = assets.c
    within = _SQUARED <= bindparam("reach2", type_=Float)  # noqa: SIM300
    conditions: dict[str, list[Any]] = {
        "public": [c.visibility == "public"],
        "category": [c.category == bindparam("category")],
        "words": [],  # a join or a condition of its own: see _words
        "no_words": [false()],  # words given, none of them searchable
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


def _words(dialect: str) -> tuple[Any, list[Any], Any]:
    """How a search by words reads: (what the assets are joined with, the condition, the rank
    to order by, best first)."""
    words = bindparam("words", type_=String)
    if dialect == "postgresql":
        vector: Any = literal_column(f"({WORD_VECTOR})")
        query = func.to_tsquery(literal_column("'english'::regconfig"), words)
        return assets, [vector.op("@@")(query)], func.ts_rank(vector, query).desc()
    index: Any = literal_column(WORD_INDEX)
    matched = (
        select(
            literal_column("rowid").label("word_rowid"),
            func.bm25(index, 4.0, 1.0).label("word_rank"),
        )
        .select_from(table(WORD_INDEX))
        .where(index.op("MATCH")(words))
        .subquery("matched")
    )
    joined = assets.join(matched, matched.c.word_rowid == literal_column("assets.rowid"))
    return joined, [], matched.c.word_rank


@lru_cache(maxsize=512)
def _search_statements(shape: tuple[str, ...], dialect: str) -> dict[str, Any]:
    """For one combination of search filters: the statements of a page's ids and versions
    (``keys``), of the count, of every matching row in order (``rows``), of the first matches'
    names and positions in order (``places``, to fold duplicates) and of their schedules
    (``schedules``, for ``open_at``). Built once and reused."""
    where = [*live_assets(), *(condition for name in shape for condition in _filter(name))]
    source: Any = assets
    order: list[Any] = [assets.c.name, assets.c.id]
    if "words" in shape:
        source, matching, rank = _words(dialect)
        where += matching
        order = [rank, *order]
    if "near" in shape:
        order = [_SQUARED, *order[-2:]]
    limit = bindparam("limit", type_=Integer)

    def ordered(*columns: Any, within: Any = source) -> Any:
        return select(*columns).select_from(within).where(*where).order_by(*order)

    c = assets.c
    with_organisation = source.outerjoin(organisations, organisations.c.id == c.organisation_id)
    return {
        "keys": ordered(c.id, c.version).limit(limit).offset(bindparam("offset", type_=Integer)),
        "count": select(func.count()).select_from(source).where(*where),
        "rows": ordered(
            assets, organisations.c.name.label("organisation_name"), within=with_organisation
        ),
        "places": ordered(c.id, c.name, c.source, c.lon, c.lat, c.address, c.schedule).limit(limit),
        "schedules": select(c.schedule).select_from(source).where(*where),
    }


def _json_item(value: str, *, whole: bool = True) -> str:
    """A LIKE pattern matching ``value`` as one whole string inside a JSON list (or, not
    ``whole``, as the start of one)."""
    quoted = json.dumps(value) if whole else json.dumps(value)[:-1]
    return "%" + quoted.replace("%", "\\%").replace("_", "\\_") + "%"


def _given(
    dialect: str,
    *,
    include_private: bool,
    include_unknown: Collection[str] = (),
    category: str | None = None,
    text: str | None = None,
    free: bool = False,
    step_free: bool = False,
    accessible_toilet: bool = False,
    hearing_loop: bool = False,
    age: int | None = None,
    language: str | None = None,
    organisation_id: str | None = None,
    modified_after: datetime | None = None,
    located: bool = False,
    taxonomy_term: str | None = None,
    target_group: str | None = None,
    vocabulary: str | None = None,
    any_target_group: bool = False,
) -> tuple[list[str], dict[str, Any]]:
    """The names of the plain filters that are given, and the values they bind (a filter left
    out is not given). A positive filter whose unknowns are included is named ``name+unknown``."""
    words = word_query(text, dialect) if text and text.strip() else None
    given = {
        "public": not include_private,
        "category": category or None,
        "words": words,
        "no_words": bool(text and text.strip()) and words is None,
        "free": free,
        "step_free": step_free,
        "accessible_toilet": accessible_toilet,
        "hearing_loop": hearing_loop,
        "age": age,
        "language": _json_item(language.strip().lower(), whole=True)
        if language and language.strip()
        else None,
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
    shape = [
        f"{name}+unknown" if name in include_unknown and name in POSITIVE_FILTERS else name
        for name in values
    ]
    return shape, values


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


class _Search:
    """One search's statements and values, as :func:`search_assets` runs it."""

    def __init__(
        self,
        connection: Connection,
        shape: list[str],
        values: dict[str, Any],
        *,
        open_at: datetime | None,
        open_unknown: bool,
    ) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.shape, self.values = tuple(shape), values
        self.open_at, self.open_unknown = open_at, open_unknown
        self.statements = _search_statements(self.shape, self.dialect)

    def opens(self, schedule: Any) -> bool:
        """Whether a schedule passes the ``open_at`` filter (open, or not known if asked)."""
        if self.open_at is None:
            return True
        from mobilise.formats.opening_hours import open_at

        state = open_at(schedule, self.open_at)
        return bool(state) or (state is None and self.open_unknown)

    def not_recorded(self) -> dict[str, int]:
        """For each positive filter given: how many assets pass every other filter (the other
        positive filters' unknowns let through) and do not record its fact."""
        from mobilise.formats.opening_hours import open_at

        facts = [name.removesuffix("+unknown") for name in self.shape]
        counts: dict[str, int] = {}
        for fact in facts:
            if fact not in POSITIVE_FILTERS:
                continue
            shape = tuple(
                f"{fact}?"
                if other == fact
                else f"{other}+unknown"
                if other in POSITIVE_FILTERS
                else other
                for other in facts
            )
            statements = _search_statements(shape, self.dialect)
            if self.open_at is None:
                counts[fact] = int(
                    self.connection.execute(statements["count"], self.values).scalar_one()
                )
            else:
                schedules = self.connection.execute(statements["schedules"], self.values).scalars()
                counts[fact] = sum(1 for s in schedules if open_at(s, self.open_at) is not False)
        if self.open_at is not None:
            shape = tuple(f"{o}+unknown" if o in POSITIVE_FILTERS else o for o in facts)
            statements = _search_statements(shape, self.dialect)
            schedules = self.connection.execute(statements["schedules"], self.values).scalars()
            counts["open_at"] = sum(1 for s in schedules if open_at(s, self.open_at) is None)
        return counts


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
    fold: bool = False,
) -> AssetSearch:
    """One page of the assets matching ``filters`` (the keywords of :func:`_given`), around
    ``near``, in the areas ``place_codes`` and open at ``open_at``; see AssetService.search."""
    shape, values = _given(connection.dialect.name, include_private=include_private, **filters)
    if near is not None:
        _around(near, radius_m, shape, values)
    if place_codes is not None:
        shape.append("place")
        values["place_codes"] = sorted(place_codes)
    values.update(limit=per_page, offset=(page - 1) * per_page)
    search = _Search(
        connection,
        shape,
        values,
        open_at=open_at,
        open_unknown="open_at" in filters.get("include_unknown", ()),
    )
    unknown = search.not_recorded()
    if fold:
        from mobilise.workspace.asset_folding import folded_search

        def load_cards(ids: list[str]) -> list[Asset]:
            return assets_by_id(connection, ids, near, include_private=include_private)

        found = folded_search(search, load_cards, page=page, per_page=per_page)
    elif open_at is not None:
        found = _opening_search(search, near, page=page, per_page=per_page, load=load)
    else:
        found = _plain_search(
            search, near, include_private, page=page, per_page=per_page, load=load
        )
    return found.with_unknowns(unknown)


def _opening_search(
    search: _Search, near: tuple[float, float] | None, *, page: int, per_page: int, load: bool
) -> AssetSearch:
    """A page of a search with ``open_at``: schedules are checked in Python, so every match is
    read."""
    rows = search.connection.execute(search.statements["rows"], search.values)
    matching = [asset_from_row(r, near=near) for r in rows if search.opens(r.schedule)]
    shown = matching[(page - 1) * per_page : page * per_page]
    keys = [(a.id, a.version) for a in shown]
    return AssetSearch(shown if load else [], len(matching), page, per_page, keys)


def _plain_search(
    search: _Search,
    near: tuple[float, float] | None,
    include_private: bool,
    *,
    page: int,
    per_page: int,
    load: bool,
) -> AssetSearch:
    """A page of a search done wholly in SQL."""
    connection, values = search.connection, search.values
    # First the page's ids and versions (for a search around a point, from the covering index
    # alone; SQLite keeps only the page while sorting), then how many match in all (a count
    # reads no more than it must), then only the page's rows in full.
    ranked = connection.execute(search.statements["keys"], values).all()
    if ranked and len(ranked) < per_page:  # the last page: the count follows
        total = (page - 1) * per_page + len(ranked)
    elif not ranked and page == 1:
        total = 0
    else:
        total = connection.execute(search.statements["count"], values).scalar_one()
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

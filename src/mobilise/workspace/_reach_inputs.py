"""What "who was reached" reads: attendance at a place's events, the participants' answers, and
the population they are compared with (private helpers of :mod:`mobilise.workspace.engagement`).

The population
--------------
- **Age, sex, ethnic group and disability**: the Census 2021 usual residents of LSOA 2021,
  bundled with mobilise for the demo places' local authorities (``demo/data/census2021``, read
  with :func:`mobilise.formats.census2021.read_census2021` once per process). A place's areas
  are its LSOA 2011s (``place_areas``); their LSOA 2021s are their successors in the
  workspace's LSOA 2011 -> 2021 lookup (``area_links``), so a split area brings both halves
  and merged areas the merged one (see :mod:`mobilise.analysis.engagement`).
- **IMD decile and Core20**: deciles belong to LSOA 2011s, so their residents are the
  workspace's population of those areas (its newest period: mid-2015 in the demo, the IoD 2019
  denominators), with each area's IMD 2019 decile.

Why the Census is read from the bundled files and not stored: the ``population`` table holds a
fixed set of columns per stored area (LSOA 2011), while the Census tables are per LSOA 2021,
per dimension and group. Storing them needs a table of their own (asked of the schema's owner);
until then the bundled tables serve the places they cover, and a place outside them is told so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from mobilise.demo import DEMO_DATA
from mobilise.model.engagement_vocab import ETHNIC_GROUPS, PREFER_NOT_TO_SAY
from mobilise.store.tables import (
    area_links,
    datasets,
    engagement_events,
    indicator_values,
    participants,
    partners,
    place_areas,
    population,
    registrations,
)

__all__ = [
    "CENSUS_DATASET",
    "CENSUS_DIMENSIONS",
    "IMD_DECILE",
    "attendance",
    "census",
    "census_dataset",
    "deprivation",
    "partner_names",
    "people",
    "place_areas_of",
    "successors",
]

CENSUS_DIR = DEMO_DATA / "census2021"
CENSUS_DATASET = "ons_census2021_lsoa21_residents"
CENSUS_DIMENSIONS = ("age_band", "sex", "ethnic_group", "disability")
IMD_DECILE = "imd2019_decile"
_CHUNK = 500  # ids per IN (...) list


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def attendance(
    connection: Connection,
    place: str | None,
    *,
    since: date | None = None,
    until: date | None = None,
    event_kind: str | None = None,
) -> pd.DataFrame:
    """Who signed in at which of the place's events (not cancelled, not deleted).

    Columns ``participant_id``, ``event_id``, ``starts_at``, ``event_kind`` and ``brought_by``
    (the partner who brought them to that event, else None); no rows when ``place`` is None.
    """
    columns = ["participant_id", "event_id", "starts_at", "event_kind", "brought_by"]
    if place is None:
        return pd.DataFrame(columns=columns)
    events = engagement_events
    query = (
        select(
            registrations.c.participant_id,
            registrations.c.event_id,
            events.c.starts_at,
            events.c.kind.label("event_kind"),
            registrations.c.brought_by,
        )
        .join(events, events.c.id == registrations.c.event_id)
        .where(
            events.c.place_slug == place,
            events.c.deleted_at.is_(None),
            events.c.status != "cancelled",
            registrations.c.deleted_at.is_(None),
            registrations.c.attended_at.is_not(None),
        )
        .order_by(events.c.starts_at, events.c.id)
    )
    if since is not None:
        query = query.where(events.c.starts_at >= _start(since))
    if until is not None:
        query = query.where(events.c.starts_at < _start(until + timedelta(days=1)))
    if event_kind is not None:
        query = query.where(events.c.kind == event_kind)
    rows = connection.execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def people(connection: Connection, ids: Sequence[str]) -> pd.DataFrame:
    """The participants' areas and answers (ethnic group as its Census high-level group)."""
    columns = (
        participants.c.id,
        participants.c.lsoa11_code,
        participants.c.imd_decile,
        participants.c.age_band,
        participants.c.sex,
        participants.c.ethnic_group,
        participants.c.disability,
        participants.c.brought_by,
    )
    rows: list[Any] = []
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), _CHUNK):
        rows += connection.execute(
            select(*columns).where(
                participants.c.id.in_(wanted[start : start + _CHUNK]),
                participants.c.deleted_at.is_(None),
            )
        ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[c.name for c in columns],
    ).rename(columns={"id": "participant_id", "lsoa11_code": "area_code"})
    frame["ethnic_group"] = frame["ethnic_group"].map(_high_level).astype(object)
    frame["imd_decile"] = frame["imd_decile"].astype(object).where(frame["imd_decile"].notna())
    return frame


def _high_level(code: object) -> object:
    if code == PREFER_NOT_TO_SAY:
        return code
    found = ETHNIC_GROUPS.get(str(code)) if isinstance(code, str) else None
    return found[0] if found else None


def place_areas_of(connection: Connection, place_id: str) -> list[str]:
    """The place's LSOA 2011 codes."""
    return list(
        connection.execute(
            select(place_areas.c.area_code).where(
                place_areas.c.place_id == place_id, place_areas.c.deleted_at.is_(None)
            )
        ).scalars()
    )


def successors(connection: Connection, codes: Sequence[str]) -> dict[str, list[str]]:
    """Each LSOA 2011's LSOA 2021s, from the workspace's lookup (empty without one)."""
    found: dict[str, list[str]] = {}
    wanted = list(dict.fromkeys(codes))
    for start in range(0, len(wanted), _CHUNK):
        rows = connection.execute(
            select(area_links.c.area_code, area_links.c.related_code).where(
                area_links.c.area_code.in_(wanted[start : start + _CHUNK]),
                area_links.c.relation == "successor",
                area_links.c.related_type == "lsoa21",
                area_links.c.deleted_at.is_(None),
            )
        ).all()
        for area, related in rows:
            found.setdefault(area, []).append(related)
    return found


def deprivation(connection: Connection, codes: Sequence[str]) -> tuple[pd.DataFrame, str, str]:
    """Residents of the LSOA 2011s by IMD decile (``area_code``, ``group``, ``count``), the
    population's period and the title of its source."""
    wanted = list(dict.fromkeys(codes))
    deciles: dict[str, int] = {}
    newest: dict[str, tuple[str, int, str | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        for area, value in connection.execute(
            select(indicator_values.c.area_code, indicator_values.c.value).where(
                indicator_values.c.indicator_id == IMD_DECILE,
                indicator_values.c.area_code.in_(part),
                indicator_values.c.deleted_at.is_(None),
            )
        ):
            deciles[area] = int(value)
        for area, period, total, dataset in connection.execute(
            select(
                population.c.area_code,
                population.c.period,
                population.c.total,
                population.c.dataset_id,
            ).where(population.c.area_code.in_(part), population.c.deleted_at.is_(None))
        ):
            if area not in newest or period > newest[area][0]:
                newest[area] = (period, int(total), dataset)
    rows = [(a, deciles[a], n[1]) for a, n in newest.items() if a in deciles]
    frame = pd.DataFrame(rows, columns=["area_code", "group", "count"])
    periods = sorted({n[0] for n in newest.values()})
    sources = {n[2] for n in newest.values() if n[2]}
    titles = (
        list(
            connection.execute(select(datasets.c.title).where(datasets.c.id.in_(sources))).scalars()
        )
        if sources
        else []
    )
    return frame, ", ".join(periods), "; ".join(sorted(titles))


@cache
def _bundled(directory: Path) -> dict[str, pd.DataFrame]:
    from mobilise.formats.census2021 import read_census2021

    tables: dict[str, pd.DataFrame] = {}
    for path in sorted(directory.glob("*.csv.gz")):
        tidy = read_census2021(path)
        for dimension, rows in tidy.groupby("dimension", sort=False):
            tables[str(dimension)] = (
                rows.drop(columns="dimension")
                .rename(columns={"lsoa21_code": "area_code"})
                .reset_index(drop=True)
            )
    return tables


def census(dimension: str, codes: Sequence[str], directory: Path = CENSUS_DIR) -> pd.DataFrame:
    """The Census 2021 residents of the LSOA 2021s ``codes`` for one dimension (``area_code``,
    ``group``, ``count``); the areas the bundled tables lack are absent."""
    table = _bundled(directory).get(dimension)
    if table is None:
        return pd.DataFrame(columns=["area_code", "group", "count"])
    return table[table["area_code"].isin(set(codes))]


@cache
def census_dataset(directory: Path = DEMO_DATA) -> dict[str, Any]:
    """The bundled Census tables' source: title, publisher, licence, attribution, link."""
    for record in json.loads((directory / "datasets.json").read_text("utf-8")):
        if record.get("id") == CENSUS_DATASET:
            keys = ("id", "title", "publisher", "licence", "licence_url", "attribution")
            return {key: record.get(key, "") for key in (*keys, "source_url")}
    return {}


def partner_names(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    wanted = [i for i in dict.fromkeys(ids) if i]
    if not wanted:
        return {}
    rows = connection.execute(
        select(partners.c.id, partners.c.name).where(partners.c.id.in_(wanted))
    ).all()
    return {row.id: row.name for row in rows}

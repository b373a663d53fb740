"""The frames behind "who was reached" and the analysis run on them (private to
:mod:`mobilise.workspace.engagement`, imported when a reach is asked for: pandas and the
analysis load here, not when the workspace opens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from mobilise.analysis.engagement import (
    NOTE,
    core20_groups,
    disclose,
    over_time,
    per_kind,
    representation,
    retention,
)
from mobilise.formats.census2021 import CENSUS_DIMENSIONS as CENSUS_GROUPS
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.reach_words import group_label
from mobilise.workspace import _reach_inputs as inputs
from mobilise.workspace._reach_inputs import census_dataset

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.places import Place

__all__ = [
    "NOTE",
    "Gathered",
    "census_dataset",
    "compare",
    "gather",
    "partner_rows",
    "population_of_place",
    "retention_rows",
    "split_rows",
]

_GROUPS: dict[str, list[Any]] = {
    "imd_decile": list(range(1, 11)),
    "core20": ["core20", "not_core20"],
    **{name: list(groups) for name, groups in CENSUS_GROUPS.items()},
}
_NO_LOOKUP = (
    "The workspace has no LSOA 2011 to 2021 lookup for this place's areas, so they cannot be "
    "matched with the Census 2021 tables (import one: mobilise areas import-lookup FILE --kind "
    "lsoa21)."
)
_NOT_BUNDLED = (
    "The Census 2021 tables bundled with mobilise cover North and West Northamptonshire and "
    "Camden, Hackney, Islington, Newham and Tower Hamlets; this place's areas are not among "
    "them."
)
_NO_DEPRIVATION = "The workspace has no population and IMD 2019 deciles for this place's areas."


@dataclass(frozen=True)
class Gathered:
    """What a reach is computed from: the place's areas, the attendance and people whose
    take-part consent stands, and the populations."""

    place: Place
    areas: list[str]  # the place's LSOA 2011s
    successors: dict[str, list[str]]  # LSOA 2011 -> LSOA 2021, for place and participants
    attendance: pd.DataFrame
    people: pd.DataFrame  # one row per participant, with first_attended and event_kind
    left_out: int
    events: int
    deprivation: pd.DataFrame  # area_code (LSOA 2011), group (decile), count
    deprivation_source: str
    partner_names: dict[str, str]


def gather(
    workspace: Workspace,
    place: Place,
    *,
    since: date | None = None,
    until: date | None = None,
    event_kind: str | None = None,
    analysis_on: date | None = None,
    people: bool = True,
) -> Gathered:
    """Read everything one reach needs, in two short reads."""
    with workspace.read() as connection:
        areas = inputs.place_areas_of(connection, place.id)
        attended = inputs.attendance(
            connection,
            place.slug if people else None,
            since=since,
            until=until,
            event_kind=event_kind,
        )
    permitted = (
        workspace.consent.permitted("take_part", analysis_on=analysis_on) if people else set()
    )
    kept = attended[attended["participant_id"].isin(permitted)]
    with workspace.read() as connection:
        persons = inputs.people(connection, kept["participant_id"].unique().tolist())
        kept = kept[kept["participant_id"].isin(set(persons["participant_id"]))]
        codes = list(dict.fromkeys([*areas, *persons["area_code"].dropna()]))
        successors = inputs.successors(connection, codes)
        deprivation, period, title = inputs.deprivation(connection, codes)
        partner_ids = [*kept["brought_by"].dropna(), *persons["brought_by"].dropna()]
        names = inputs.partner_names(connection, partner_ids)
    first = kept.groupby("participant_id", sort=False).first()
    persons = persons.assign(
        first_attended=persons["participant_id"].map(first["starts_at"]),
        event_kind=persons["participant_id"].map(first["event_kind"]),
    )
    source = title if period and period in title else f"{title or 'Population'} ({period})"
    source = source if period or title else ""
    return Gathered(
        place=place,
        areas=areas,
        successors=successors,
        attendance=kept.reset_index(drop=True),
        people=persons,
        left_out=int(attended["participant_id"].nunique() - kept["participant_id"].nunique()),
        events=int(kept["event_id"].nunique()),
        deprivation=deprivation,
        deprivation_source=(source + " with IMD 2019 deciles") if source else "",
        partner_names=names,
    )


def population_of_place(
    gathered: Gathered, dimension: str, *, scope: str = "place"
) -> tuple[pd.DataFrame, str, str]:
    """The residents compared on ``dimension`` (``area_code``, ``group``, ``count``), their
    source, and why they are missing or partial (empty when whole).

    ``scope="place"``: the place's areas; ``"participants_areas"``: also the areas the
    participants came from (the analysis keeps only those)."""
    codes = list(gathered.areas)
    if scope == "participants_areas":
        codes += list(gathered.people["area_code"].dropna())
    if dimension in ("imd_decile", "core20"):
        frame = gathered.deprivation[gathered.deprivation["area_code"].isin(set(codes))]
        if dimension == "core20":
            frame = frame.assign(group=core20_groups(frame["group"]))
        return frame, gathered.deprivation_source, "" if len(frame) else _NO_DEPRIVATION
    lsoa21 = {new for old in codes for new in gathered.successors.get(old, ())}
    if not lsoa21:
        return inputs.census(dimension, []), "", _NO_LOOKUP
    frame = inputs.census(dimension, sorted(lsoa21))
    source = "Census 2021 (ONS), usual residents of the LSOA 2021s"
    if frame.empty:
        return frame, source, _NOT_BUNDLED
    found = frame["area_code"].nunique()
    place21 = {new for old in gathered.areas for new in gathered.successors.get(old, ())}
    missing = len(place21 - set(frame["area_code"]))
    partial = (
        f"Census figures for {found:,} areas; {missing:,} of the place's areas are not in the "
        "bundled tables."
        if missing
        else ""
    )
    return frame, source, partial


def _participants(gathered: Gathered, dimension: str) -> pd.DataFrame:
    people = gathered.people
    if dimension == "core20":
        return people.assign(core20=core20_groups(people["imd_decile"]))
    return people


def compare(gathered: Gathered, dimension: str, scope: str) -> tuple[pd.DataFrame | None, str, str]:
    """:func:`~mobilise.analysis.engagement.representation` for one dimension (None with the
    reason when there is no population to compare with)."""
    population, source, reason = population_of_place(gathered, dimension, scope=scope)
    if population.empty:
        return None, source, reason
    table = representation(
        _participants(gathered, dimension),
        population,
        by=dimension,
        population_of="participants_areas" if scope == "participants_areas" else "place",
        successors=None if dimension in ("imd_decile", "core20") else gathered.successors,
        groups=_GROUPS[dimension],
    )
    return table, source, reason


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    clean = table.astype(object).where(table.notna(), None)
    return [
        {str(k): v.item() if hasattr(v, "item") else v for k, v in row.items()}
        for row in clean.to_dict("records")
    ]


def retention_rows(gathered: Gathered, k: int | None) -> list[dict[str, Any]]:
    """Who came back, overall and by their first kind of event."""
    if gathered.attendance.empty:
        return []
    table = retention(gathered.attendance)
    if k is not None:
        table = disclose(table, k=k, counts=("participants", "returned"))
    rows = _records(table.drop(columns=["kind", "suppressed"], errors="ignore"))
    for row in rows:
        kind = row["first_kind"]
        row["label"] = "All participants" if kind == "all" else EVENT_KINDS.get(kind, kind)
        for count in ("participants", "returned"):
            if f"{count}_shown" not in row:  # not disclosure-controlled: every count shown
                row[f"{count}_shown"] = f"{row[count]:,}"
    return rows


def partner_rows(gathered: Gathered, k: int | None) -> list[dict[str, Any]]:
    """How many participants each partner brought (to any event, or as their recorded
    partner), most first; counts only."""
    brought = pd.concat(
        [
            gathered.attendance[["participant_id", "brought_by"]],
            gathered.people[["participant_id", "brought_by"]],
        ]
    ).dropna()
    if brought.empty:
        return []
    counts = brought.drop_duplicates().groupby("brought_by")["participant_id"].nunique()
    table = pd.DataFrame(
        {
            "partner_id": counts.index,
            "name": [gathered.partner_names.get(p, p) for p in counts.index],
            "participants": counts.to_numpy(),
        }
    ).sort_values(["participants", "name"], ascending=[False, True], kind="stable")
    if k is not None:
        table = disclose(table, k=k, counts=("participants",), additive=False)
    else:
        table["participants_shown"] = [f"{n:,}" for n in table["participants"]]
    return _records(table.drop(columns="suppressed", errors="ignore"))


def split_rows(
    gathered: Gathered, dimension: str, how: str, scope: str, k: int | None
) -> list[dict[str, Any]]:
    """:func:`~mobilise.analysis.engagement.over_time` (by quarter of the first event) or
    :func:`~mobilise.analysis.engagement.per_kind` for one dimension."""
    population, _, _ = population_of_place(gathered, dimension, scope=scope)
    if population.empty or gathered.people.empty:
        return []
    people = _participants(gathered, dimension)
    options: dict[str, Any] = {
        "by": dimension,
        "population_of": "participants_areas" if scope == "participants_areas" else "place",
        "successors": None if dimension in ("imd_decile", "core20") else gathered.successors,
        "groups": _GROUPS[dimension],
    }
    if how == "over_time":
        column, table = "period", over_time(people, population, at="first_attended", **options)
    else:
        kinds = gathered.attendance[["participant_id", "event_kind"]].drop_duplicates()
        answers = people.drop(columns="event_kind").merge(kinds, on="participant_id")
        column, table = "event_kind", per_kind(answers, population, **options)
    if k is not None:
        table = disclose(table, k=k, within=(column,))
    rows = _records(table.drop(columns="suppressed", errors="ignore"))
    for row in rows:
        row["split"] = row.pop(column)
        row["label"] = group_label(dimension, row["group"])
        row["group"] = str(row["group"])
        if "count_shown" not in row:
            row["count_shown"] = f"{row['count']:,}"
        if how == "per_kind":
            row["split_label"] = EVENT_KINDS.get(row["split"], row["split"])
    return rows

"""The summaries a project package holds, gathered from the workspace's services (private helper
of :mod:`mobilise.workspace.project`).

Only non-personal counts and measures leave, each already under the same rules as the pages an
outside viewer reads: reach and theme counts go through disclosure control with the project's
``disclosure_k``, and only people whose consent lets them take part are counted (the consent
ledger, as every page and export reads it: a withdrawn participant is in no figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mobilise.formats.project_package import RESOURCES
from mobilise.store.tables import actions as actions_table
from mobilise.store.tables import assets as assets_table
from mobilise.store.tables import engagement_events, event_contributions, feedback_items

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.workspace.core import Workspace

__all__ = ["Exporter", "gather"]


@dataclass(frozen=True)
class Exporter:
    """The viewer a package is gathered for: someone outside the project (never an admin), so
    every count of people is disclosure-controlled."""

    username: str = "project-package"
    role: str = "viewer"


def _frame(rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows, columns=list(columns))


def _assets(ws: Workspace, places: Sequence[str]) -> pd.DataFrame:
    from mobilise.workspace._asset_store import live_assets, place_codes

    rows: list[dict[str, Any]] = []
    with ws.read() as connection:
        for place in places:
            codes = place_codes(connection, place)
            query = (
                select(assets_table.c.category, func.count())
                .where(*live_assets(), assets_table.c.lsoa11_code.in_(codes))
                .group_by(assets_table.c.category)
                .order_by(assets_table.c.category)
            )
            for category, count in connection.execute(query):
                rows.append({"place": place, "category": category, "count": int(count)})
    return _frame(rows, ["place", "category", "count"])


def _partners(ws: Workspace) -> pd.DataFrame:
    from collections import Counter

    sectors = Counter(partner.sector for partner in ws.partners.list())
    rows = [{"sector": s, "count": n} for s, n in sorted(sectors.items())]
    return _frame(rows, ["sector", "count"])


_ROUND_COLUMNS = [name for name, _, _ in RESOURCES["network_rounds"]]


def _network_rounds(ws: Workspace) -> pd.DataFrame:
    """Each round's size, ties, density and centralisation, and the ties kept, faded and new
    since the round before among partners who answered both (hidden, like the change page
    hides them, when fewer than the rounds' ``min_raters`` answered both)."""
    from mobilise.analysis.network_change import compare_rounds
    from mobilise.workspace.network_measures import headline

    rounds = sorted(ws.surveys.rounds(), key=lambda r: (r.date, r.name))
    rows: list[dict[str, Any]] = []
    before: Any = None
    previous: Any = None
    for info in rounds:
        graph = ws.network.graph(info.id)
        measures = headline(graph)
        row: dict[str, Any] = {
            "round": info.name,
            "date": info.date.isoformat(),
            "partners": measures["partners"],
            "ties": measures["ties"],
            "density": measures["density"],
            "centralisation": measures["centralisation"],
        }
        if before is not None:
            change = compare_rounds(before, graph)
            if len(change.matched) >= min(previous.min_raters, info.min_raters):
                kept, lost = int(change.kept), int(change.lost)
                row.update(ties_kept=kept, ties_faded=lost, ties_new=int(change.new))
                row["retention"] = kept / (kept + lost) if kept + lost else None
        rows.append(row)
        before, previous = graph, info
    return _frame(rows, _ROUND_COLUMNS)


def _events(ws: Workspace, places: Sequence[str]) -> pd.DataFrame:
    """Events by kind (not cancelled) and the contributions made at them by people whose
    consent lets them take part now (or by a table or group, which names no one)."""
    taking_part = ws.consent.permitted("take_part")
    events = engagement_events
    with ws.read() as connection:
        kinds: dict[str, int] = dict(
            connection.execute(
                select(events.c.kind, func.count())
                .where(
                    events.c.deleted_at.is_(None),
                    events.c.status != "cancelled",
                    events.c.place_slug.in_(places),
                )
                .group_by(events.c.kind)
            ).all()
        )
        said = connection.execute(
            select(events.c.kind, event_contributions.c.participant_id)
            .join(events, events.c.id == event_contributions.c.event_id)
            .where(
                events.c.deleted_at.is_(None),
                events.c.status != "cancelled",
                events.c.place_slug.in_(places),
                event_contributions.c.deleted_at.is_(None),
            )
        ).all()
    contributions: dict[str, int] = {}
    for kind, participant in said:
        if participant is None or participant in taking_part:
            contributions[kind] = contributions.get(kind, 0) + 1
    rows = [
        {"kind": kind, "count": int(n), "contributions": contributions.get(kind, 0)}
        for kind, n in sorted(kinds.items())
    ]
    return _frame(rows, ["kind", "count", "contributions"])


def _reach(ws: Workspace, places: Sequence[str], k: int) -> pd.DataFrame:
    """Who the places' events reached, by dimension and group, pooled over the places and then
    disclosure-controlled within each dimension (primary and secondary suppression)."""
    import pandas as pd

    from mobilise.analysis.engagement import disclose

    counts: dict[tuple[str, str], int] = {}
    for place in places:
        reach = ws.engagement.reach(place)
        for dimension in reach.dimensions:
            if not dimension.available:
                continue
            for group in dimension.groups:
                if group.get("count") is None:
                    continue
                key = (dimension.dimension, str(group["group"]))
                counts[key] = counts.get(key, 0) + int(group["count"])
    if not counts:
        return _frame([], ["dimension", "group", "count", "suppressed"])
    table = pd.DataFrame([{"dimension": d, "group": g, "count": n} for (d, g), n in counts.items()])
    shown = disclose(table, k=k, counts=("count",), within=("dimension",))
    hidden = shown["suppressed"].astype(bool)
    out = pd.DataFrame(
        {
            "dimension": shown["dimension"],
            "group": shown["group"],
            "count": shown["count"].where(~hidden).astype("Int64"),
            "suppressed": hidden,
        }
    )
    return out.reset_index(drop=True)


_KIND_WORDS = (("enabler", "enabler"), ("barrier", "barrier"))


def _theme_kind(name: str, parent: str) -> str:
    words = f"{name} {parent}".lower()
    for word, kind in _KIND_WORDS:
        if word in words:
            return kind
    return "other"


def _themes(ws: Workspace, places: Sequence[str], every_place: bool) -> pd.DataFrame:
    """The codebook with each theme's coded segments and contributors, disclosure-controlled;
    a theme's kind is "enabler" or "barrier" when it or its parent theme says so, else
    "other"."""
    place = None if every_place or len(places) != 1 else places[0]
    counts = ws.themes.counts(place=place, viewer=Exporter())
    codebook = {t.id: t for t in ws.themes.list(every_place=True)}
    rows: list[dict[str, Any]] = []
    for row in counts["rows"]:
        theme = codebook.get(str(row["theme"]))
        if theme is None:
            continue
        parent = codebook.get(str(theme.parent_id)) if theme.parent_id else None
        voices = row.get("voices")
        rows.append(
            {
                "theme": theme.name,
                "definition": theme.definition,
                "kind": _theme_kind(theme.name, parent.name if parent else ""),
                "segments": int(row.get("contributions") or 0),
                "contributors": None if row.get("suppressed") or voices is None else int(voices),
            }
        )
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in rows:  # each place's codebook may hold the same theme: one row per theme
        key = (row["theme"], row["definition"], row["kind"])
        if key not in merged:
            merged[key] = dict(row)
            continue
        into = merged[key]
        into["segments"] += row["segments"]
        both = into["contributors"] is not None and row["contributors"] is not None
        into["contributors"] = into["contributors"] + row["contributors"] if both else None
    table = _frame(
        list(merged.values()), ["theme", "definition", "kind", "segments", "contributors"]
    )
    table["contributors"] = table["contributors"].astype("Int64")
    return table


def _actions(ws: Workspace, places: Sequence[str]) -> pd.DataFrame:
    """Actions by status, and how many of them were told back to people (feedback shared)."""
    table = actions_table
    with ws.read() as connection:
        told = select(feedback_items.c.action_id).where(
            feedback_items.c.deleted_at.is_(None), feedback_items.c.action_id.is_not(None)
        )
        rows = connection.execute(
            select(table.c.status, table.c.id.in_(told)).where(
                table.c.deleted_at.is_(None), table.c.place_slug.in_(places)
            )
        ).all()
    tally: dict[str, list[int]] = {}
    for status, fed_back in rows:
        counts = tally.setdefault(status, [0, 0])
        counts[0] += 1
        counts[1] += 1 if fed_back else 0
    out = [
        {"status": status, "count": n, "closed_with_feedback": closed}
        for status, (n, closed) in sorted(tally.items())
    ]
    return _frame(out, ["status", "count", "closed_with_feedback"])


_ACCESS_COLUMNS = [name for name, _, _ in RESOURCES["access"]]


def _access(ws: Workspace, places: Sequence[str]) -> pd.DataFrame:
    """The headlines of each place's latest finished access run: per scenario, the slope and
    relative index of inequality, the quintile gap, areas and areas with nothing in reach."""
    rows: list[dict[str, Any]] = []
    for place in places:
        run = ws.access.latest(place)
        if run is None:
            continue
        for scenario in run.scenarios:
            rows.append(_scenario_row(place, scenario))
    return _frame(rows, _ACCESS_COLUMNS)


def _value(item: Any, *keys: str) -> float | None:
    for key in keys:
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return float(item) if isinstance(item, int | float) and not isinstance(item, bool) else None


def _scenario_row(place: str, scenario: dict[str, Any]) -> dict[str, Any]:
    low = _value(scenario, "areas_with_nothing_in_reach")
    return {
        "place": place,
        "category": str(scenario.get("category", "")),
        "catchment": _value(scenario, "catchment_m"),
        "unit": str(scenario.get("catchment_unit") or "m"),
        "measure": str(scenario.get("method") or "access"),
        "sii": _value(scenario, "sii", "sii"),
        "rii": _value(scenario, "sii", "rii"),
        "gap": _value(scenario, "gap", "gap"),
        "areas": int(_value(scenario, "areas") or 0),
        "low_access_areas": int(low) if low is not None else None,
    }


def gather(
    ws: Workspace, places: Sequence[str], *, k: int, every_place: bool
) -> dict[str, pd.DataFrame]:
    """Every resource of a full package for ``places`` (slugs): an empty table is left out."""
    tables = {
        "assets": _assets(ws, places),
        "partners": _partners(ws),
        "network_rounds": _network_rounds(ws),
        "events": _events(ws, places),
        "reach": _reach(ws, places, k),
        "themes": _themes(ws, places, every_place),
        "actions": _actions(ws, places),
        "access": _access(ws, places),
    }
    return {name: table for name, table in tables.items() if len(table)}

"""The sections of a place comparison about what reaches people: access runs and priority
neighbourhoods, assets per 1,000 residents, the partnership, engagement reach, and what could
transfer (private helpers of :mod:`mobilise.workspace.place_comparison`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from mobilise.analysis import place_comparison as pc
from mobilise.analysis.network_ei import ei_index
from mobilise.analysis.network_structure import tie_graph
from mobilise.analysis.system_loops import feedback_loops
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.partner_vocab import sector_label
from mobilise.model.presentation import significant
from mobilise.model.visibility import sees_every_group
from mobilise.store.tables import assets as assets_table
from mobilise.workspace._common import chunked
from mobilise.workspace._comparison_people import Inputs
from mobilise.workspace._comparison_records import Section
from mobilise.workspace._comparison_records import section as _section

__all__ = [
    "access_section",
    "assets_section",
    "engagement_section",
    "partnership_section",
    "transfer_section",
]

THIN = 0.5  # a kind below half the rate of the place that has it is thin
LISTED = 12  # loops listed per pair of places (the total is given)
_COUNTED_STATUSES = ("active", "temporarily_closed", "developing")


def _scenario_key(scenario: Mapping[str, Any]) -> str:
    return f"{scenario['category']} within {scenario['catchment_m']:g} m, {scenario['decay']} decay"


def _scenario(scenario: Mapping[str, Any]) -> dict[str, Any]:
    sii = scenario.get("sii") or {}
    residents = sii.get("population")
    nothing = scenario.get("residents_with_nothing_in_reach")
    priority = scenario.get("priority") or {}
    return {
        "category": scenario["category"],
        "catchment_m": scenario["catchment_m"],
        "decay": scenario["decay"],
        "method": scenario["method"],
        "unit": scenario.get("unit", ""),
        "mean": scenario.get("mean"),
        "residents_with_nothing_in_reach": nothing,
        "share_with_nothing_in_reach": nothing / residents
        if residents and nothing is not None
        else None,
        "sii": sii.get("sii"),
        "sii_lower": sii.get("sii_lower"),
        "sii_upper": sii.get("sii_upper"),
        "priority_areas": priority.get("areas"),
        "priority_residents": priority.get("residents"),
    }


def access_section(inputs: Inputs) -> Section:
    """Each place's latest finished access run: per scenario the mean access, who has nothing
    in reach, the SII of access and the priority neighbourhoods."""
    places: dict[str, Any] = {}
    runs = []
    by_key: dict[str, dict[str, pc.Estimate]] = {}
    for place in inputs.places:
        run = inputs.ws.access.latest(place.slug)
        if run is None:
            places[place.slug] = {"run": None}
            continue
        scenarios = {_scenario_key(s): _scenario(s) for s in run.summary.get("scenarios", [])}
        places[place.slug] = {
            "run": run.id,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "method": run.plan.method,
            "scenarios": scenarios,
        }
        runs.append(
            f"{place.name}: run {run.id[:8]} of {run.finished_at:%Y-%m-%d}"
            if run.finished_at
            else run.id
        )
        for key, s in scenarios.items():
            if s["sii"] is not None:
                by_key.setdefault(f"{key} ({s['method']})", {})[place.slug] = pc.Estimate(
                    s["sii"], s["sii_lower"], s["sii_upper"], "SII", 0, inputs.confidence
                )
    differences: list[dict[str, Any]] = []
    sentences = [
        f"{inputs.names[slug]}: no finished access run yet."
        for slug, figures in places.items()
        if figures["run"] is None
    ]
    for key, estimates in by_key.items():
        if len(estimates) > 1:
            found, words = inputs.differences(estimates, f"The SII of access to {key}")
            differences += found
            sentences += words
    available = any(p["run"] for p in places.values())
    return _section(
        "access",
        source="; ".join(runs) or "no access runs",
        date=", ".join(p.get("finished_at") or "" for p in places.values() if p["run"]),
        licence="derived from the workspace's assets, areas and IMD 2019 (see each run's inputs)",
        method=(
            "The latest finished access run of each place (floating catchment measures, "
            "mobilise.analysis.access); its SII of access by IMD decile and its priority "
            "neighbourhoods (high need, low access). Only scenarios with the same category, "
            "catchment, decay and method are compared; differences of SII by MOVER."
        ),
        places=places,
        differences=differences,
        sentences=sentences,
        present=available,
        missing="No place has a finished access run.",
    )


def _asset_counts(inputs: Inputs, codes: list[str]) -> pd.DataFrame:
    rows: list[Any] = []
    query = (
        select(assets_table.c.lsoa11_code, assets_table.c.category, func.count())
        .where(
            assets_table.c.deleted_at.is_(None),
            assets_table.c.status.in_(_COUNTED_STATUSES),
        )
        .group_by(assets_table.c.lsoa11_code, assets_table.c.category)
    )
    with inputs.ws.read() as connection:
        for chunk in chunked(codes):
            rows += connection.execute(query.where(assets_table.c.lsoa11_code.in_(chunk))).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["area_code", "category", "n"])


def assets_section(inputs: Inputs) -> Section:
    """Assets (not closed) per 1,000 residents, by category, in the whole place and in its
    areas among England's most deprived fifth."""
    places: dict[str, Any] = {}
    for place in inputs.places:
        residents = inputs.residents(place.slug)
        counts = _asset_counts(inputs, inputs.ws.places.area_codes(place.slug))
        deprived = set(residents.index[residents["decile"] <= 2])
        population = float(residents["population"].sum()) or place.population
        core20 = float(residents.loc[residents["decile"] <= 2, "population"].sum())
        by_category = counts.groupby("category")["n"].sum()
        in_core20 = counts[counts["area_code"].isin(deprived)].groupby("category")["n"].sum()
        places[place.slug] = {
            "assets": int(by_category.sum()),
            "per_1000": pc.per_thousand(by_category.sum(), population),
            "core20_assets": int(in_core20.sum()),
            "core20_per_1000": pc.per_thousand(in_core20.sum(), core20),
            "categories": {
                str(c): {
                    "label": CATEGORIES.get(str(c), str(c)),
                    "assets": int(n),
                    "per_1000": pc.per_thousand(n, population),
                    "core20_assets": int(in_core20.get(c, 0)),
                    "core20_per_1000": pc.per_thousand(in_core20.get(c, 0), core20),
                }
                for c, n in by_category.items()
            },
        }
    sentences = [
        f"{inputs.names[slug]}: {fig['assets']:,} assets, "
        + (f"{fig['per_1000']:.2f} per 1,000 residents" if fig["per_1000"] is not None else "")
        + (
            f"; {fig['core20_per_1000']:.2f} per 1,000 in its most deprived fifth of areas."
            if fig["core20_per_1000"] is not None
            else "; no areas in England's most deprived fifth."
        )
        for slug, fig in places.items()
    ]
    return _section(
        "assets",
        source="The workspace's asset register (see each asset's source)",
        date="as registered now",
        licence="as each asset's source (mobilise datasets)",
        method=(
            "Assets that are open, temporarily closed or being developed, counted by the area "
            "they lie in, per 1,000 residents (IoD 2019 denominators, mid-2015); the most "
            "deprived fifth: the areas in England's IMD 2019 deciles 1 and 2. The register is a "
            "whole count, not a sample: no interval."
        ),
        places=places,
        sentences=sentences,
        present=any(p["assets"] for p in places.values()),
        missing="No assets registered.",
    )


def _shown(count: int, k: int | None) -> str:
    return f"fewer than {k}" if k is not None and 1 <= count < k else f"{count:,}"


def _latest_round(inputs: Inputs) -> Any:
    rounds = [r for r in inputs.ws.surveys.rounds(viewer=inputs.viewer) if r.submitted]
    return max(rounds, key=lambda r: r.date, default=None)


def _ties(inputs: Inputs, round_: Any, ids: set[str]) -> dict[str, Any] | None:
    hidden = (
        inputs.viewer is not None
        and inputs.viewer.role != "admin"
        and round_.submitted < round_.min_raters
    )
    if hidden:
        return None
    graph = inputs.ws.network.graph(round_.id)
    within = graph.subgraph([n for n in graph if n in ids]).copy()
    ties = tie_graph(within)
    n = ties.number_of_nodes()
    ei = ei_index(within) if ties.number_of_edges() else None
    return {
        "round": round_.name,
        "partners_in_round": n,
        "ties": ties.number_of_edges(),
        "density": 2 * ties.number_of_edges() / (n * (n - 1)) if n > 1 else None,
        "ei_index": ei.index if ei is not None else None,
    }


def partnership_section(inputs: Inputs) -> Section:
    """The partners serving each place by sector, and the ties among them in the latest round
    with answers."""
    places: dict[str, Any] = {}
    round_ = _latest_round(inputs)
    for place in inputs.places:
        partners = inputs.ws.partners.list(place=place.slug, include_former=False)
        organisations = [p for p in partners if p.kind != "individual"]
        people = len(partners) - len(organisations)
        sectors = Counter(p.sector for p in organisations)
        places[place.slug] = {
            "organisations": len(organisations),
            "individuals_shown": _shown(people, inputs.k),
            "sectors": {s: {"label": sector_label(s), "partners": n} for s, n in sectors.items()},
            "network": _ties(inputs, round_, {p.id for p in partners}) if round_ else None,
        }
    sentences = [
        f"{inputs.names[slug]}: {fig['organisations']} partner organisations in "
        f"{len(fig['sectors'])} sectors"
        + (
            f"; {fig['network']['ties']} ties among them in {fig['network']['round']}"
            f" (E-I index {fig['network']['ei_index']:+.2f})."
            if fig["network"] and fig["network"]["ei_index"] is not None
            else "."
        )
        for slug, fig in places.items()
    ]
    return _section(
        "partnership",
        source="The consortium's partner list and partnership survey",
        date=round_.date.isoformat() if round_ else "",
        licence="the consortium's own data",
        method=(
            "Current members serving each place, by sector (individuals counted only, under "
            "disclosure control). Ties: reports at collaboration level 1 or more between those "
            "partners in the latest round with answers, either side reporting; density over "
            "all pairs; Krackhardt and Stern's E-I index by sector (+1: every tie crosses "
            "sectors). Hidden below the round's minimum raters for everyone but admins."
        ),
        places=places,
        sentences=sentences,
        present=any(p["organisations"] for p in places.values()),
        missing="No partners yet.",
    )


def engagement_section(inputs: Inputs) -> Section:
    """Who each place's engagement events reached (disclosure-controlled as on its page)."""
    places: dict[str, Any] = {}
    sentences: list[str] = []
    for place in inputs.places:
        reach = inputs.ws.engagement.reach(place.slug, viewer=inputs.viewer)
        if not reach.events:
            places[place.slug] = {"events": 0}
            sentences.append(f"{place.name}: no engagement events recorded.")
            continue
        places[place.slug] = {
            "events": reach.events,
            "participants": reach.participants,
            "participants_shown": reach.participants_shown,
            "dissimilarity": {
                d.dimension: d.dissimilarity for d in reach.dimensions if d.available
            },
        }
        sentences.append(
            f"{place.name}: {reach.participants_shown} people at {reach.events} events."
        )
        sentences += [f"{place.name}: {s}" for d in reach.dimensions for s in d.sentences]
    census = inputs.dataset("ons_census2021_lsoa21_residents")
    return _section(
        "engagement",
        source="The workspace's engagement events and participants; " + census[0],
        date="events to date; Census 2021",
        licence="the consortium's own data; " + census[1],
        method=(
            "Participants who signed in at the place's events with take-part consent standing, "
            "against the place's residents (mobilise.analysis.engagement: representation "
            "ratios with Wilson intervals, dissimilarity index). Counts of 1 to k-1 read "
            "'fewer than k' for everyone but admins."
        ),
        places=places,
        sentences=sentences,
        present=any(p["events"] for p in places.values()),
        missing="No engagement events yet.",
    )


def _loops(inputs: Inputs, slug: str) -> tuple[list[dict[str, Any]], list[str]]:
    found: list[dict[str, Any]] = []
    titles = []
    viewer = inputs.viewer if not sees_every_group(inputs.viewer) else None
    for info in inputs.ws.maps.list(place=slug, viewer=viewer):
        graph = inputs.ws.maps.to_causal_map(info.id).to_graph()
        report = feedback_loops(graph, max_loops=2000, time_budget_s=2.0)
        found += [{"labels": list(loop.labels), "kind": loop.kind} for loop in report.loops]
        titles.append(info.title)
    return found, titles


def transfer_section(inputs: Inputs, done: Mapping[str, Section]) -> Section:
    """Asset categories and partner sectors present in one place and thin in another, and the
    loops of one place's systems maps that the other's lack."""
    asset_rates = {
        slug: {c: f["per_1000"] for c, f in fig.get("categories", {}).items()}
        for slug, fig in done["assets"].places.items()
    }
    sector_counts = {
        slug: {s: float(f["partners"]) for s, f in fig.get("sectors", {}).items()}
        for slug, fig in done["partnership"].places.items()
    }
    loops, maps = {}, {}
    for place in inputs.places:
        loops[place.slug], maps[place.slug] = _loops(inputs, place.slug)
    lacking = pc.loops_lacking({s: found for s, found in loops.items() if maps[s]})
    names = inputs.names
    categories = pc.thin_elsewhere(asset_rates, thin=THIN)
    sectors = pc.thin_elsewhere(sector_counts, thin=THIN)
    sentences = [
        f"{CATEGORIES.get(row['kind'], row['kind'])}: {significant(row['rate_present'])} per "
        f"1,000 residents in {names[row['present_in']]}, "
        + ("none" if row["absent"] else significant(row["rate_thin"]))
        + f" in {names[row['thin_in']]}."
        for row in categories
    ]
    sentences += [
        f"{sector_label(row['kind'])} partners: {row['rate_present']:.0f} in "
        f"{names[row['present_in']]}, {row['rate_thin']:.0f} in {names[row['thin_in']]}."
        for row in sectors
    ]
    listed: list[dict[str, Any]] = []
    for (source, target), rows in _pairs(lacking).items():
        sentences.append(
            f"{len(rows)} loops of {names[source]}'s systems maps are not in {names[target]}'s."
        )
        listed += rows[:LISTED]
    return _section(
        "transfer",
        source="The sections above; the places' systems maps ("
        + "; ".join(f"{names[s]}: {', '.join(t) or 'none'}" for s, t in maps.items())
        + ")",
        date="as stored now",
        licence="the consortium's own data",
        method=(
            f"A kind is thin in a place when its rate there is below {THIN:.0%} of the rate "
            "where it is present (assets per 1,000 residents; partners counted). A loop is "
            "lacking when the other place's maps have no loop through the same factors "
            "(labels matched as mobilise.analysis.map_compare matches them). These are leads "
            "for a conversation, not findings."
        ),
        places={
            s: {"maps": maps[s], "loops": len(loops[s])} for s in (p.slug for p in inputs.places)
        },
        differences=[
            *({**r, "what": "asset_category"} for r in categories),
            *({**r, "what": "partner_sector"} for r in sectors),
            *({**r, "what": "loop"} for r in listed),
        ],
        sentences=sentences,
        present=bool(categories or sectors or lacking),
        missing="Nothing present in one place only.",
    )


def _pairs(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((row["present_in"], row["lacking_in"]), []).append(row)
    return grouped


SECTIONS: dict[str, Callable[[Inputs], Section]] = {
    "access": access_section,
    "assets": assets_section,
    "partnership": partnership_section,
    "engagement": engagement_section,
}

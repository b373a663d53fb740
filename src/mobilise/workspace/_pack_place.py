"""The place's own facts in an evidence pack: population, deprivation, health against England,
access and priority neighbourhoods, community assets per 1,000 residents (private to
:mod:`mobilise.workspace.packs`)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from mobilise.errors import NotFound
from mobilise.formats import pack_svg
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.model.presentation import decile_words, gradient_words, number, theme_of
from mobilise.store.tables import assets, datasets, population
from mobilise.workspace._common import chunked
from mobilise.workspace._pack_parts import Figure, PackContext, Section, Source, Table

__all__ = ["access", "assets_per_thousand", "deprivation", "health", "population_facts"]

IMD_DECILE = "imd2019_decile"
# Each kind of asset as a plain sentence names it ("people can reach more libraries").
PLAIN_KINDS = {
    "green_blue_space": "parks, green and blue spaces",
    "arts_culture": "arts and culture venues",
    "community_space": "community spaces",
    "library": "libraries",
    "sport_physical_activity": "places for sport and exercise",
    "faith": "places of worship and faith groups",
    "community_group": "community groups",
    "learning": "places to learn",
    "food": "food projects",
    "advice_support": "advice and support services",
    "health_care": "health and care services",
}


def dataset_source(ctx: PackContext, dataset_id: str | None, *, date: str, method: str) -> Source:
    """The source of a figure from a stored dataset's title, publisher and licence."""
    row = None
    if dataset_id:
        with ctx.workspace.read() as connection:
            row = connection.execute(select(datasets).where(datasets.c.id == dataset_id)).first()
    if row is None:
        return Source(name=dataset_id or "not recorded", date=date, licence="", method=method)
    publisher = f" ({row.publisher})" if row.publisher else ""
    return Source(name=f"{row.title}{publisher}", date=date, licence=row.licence, method=method)


def population_facts(ctx: PackContext) -> Section:
    place = ctx.workspace.places.get(ctx.place)
    section = Section("population", "The place and its people")
    if place.population is None:
        section.available, section.note = False, "No population is stored for this place."
        return section
    with ctx.workspace.read() as connection:
        dataset_id = connection.execute(
            select(population.c.dataset_id)
            .where(population.c.period == place.population_period)
            .limit(1)
        ).scalar()
    authorities = ", ".join(name for _, name in place.authorities) or "its local authorities"
    section.key_fact = (
        f"About {place.population:,} people live in {place.name}, in {place.n_areas:,} "
        f"neighbourhoods across {authorities}."
    )
    section.sentences = [place.description] if place.description else []
    source = dataset_source(
        ctx,
        dataset_id,
        date=place.population_period or "",
        method="Sum of the residents of the place's neighbourhoods (LSOA 2011).",
    )
    rows = [
        ["Residents", f"{place.population:,} ({place.population_period})"],
        ["Neighbourhoods (LSOAs)", f"{place.n_areas:,}"],
    ]
    if place.core20_share is not None and place.core20_population is not None:
        rows.append(
            [
                "Neighbourhoods among England's 20% most deprived",
                f"{place.core20_areas:,} ({place.core20_share:.0%}); "
                f"{place.core20_population:,} residents",
            ]
        )
    section.tables.append(Table("The place in figures", ["Measure", "Figure"], rows, source))
    section.inputs = {"population_period": place.population_period, "dataset": dataset_id}
    return section


def deprivation(ctx: PackContext) -> Section:
    section = Section("deprivation", "Deprivation")
    ws = ctx.workspace
    try:
        indicator = ws.indicators.get(IMD_DECILE)
    except NotFound:  # no IMD stored: the pack says so
        section.available, section.note = False, "The IMD 2019 deciles are not stored."
        return section
    values = ws.indicators.place_values(IMD_DECILE, ctx.place)["value"].dropna()
    deciles = {str(code): int(v) for code, v in values.items()}
    counts = [sum(1 for d in deciles.values() if d == n) for n in range(1, 11)]
    total = sum(counts) or 1
    core20 = counts[0] + counts[1]
    section.key_fact = (
        f"{core20 / total:.0%} of neighbourhoods here are among England's 20% most deprived "
        f"(if the place were like England, it would be 20%)."
    )
    section.sentences = [
        f"{counts[0]:,} neighbourhoods are in England's most deprived tenth and "
        f"{counts[9]:,} in its least deprived tenth.",
    ]
    source = dataset_source(
        ctx,
        indicator.dataset_id,
        date=indicator.period,
        method="Each neighbourhood's national IMD 2019 decile (1 = England's most deprived "
        "10% of LSOAs), counted.",
    )
    geometries = [
        (json.loads(text), deciles.get(code))
        for code, _, text in ws.areas.geojson_features(list(deciles))
        if text
    ]
    section.figures.append(
        Figure(
            pack_svg.map_of_areas(
                geometries,
                title="Neighbourhoods by national deprivation decile",
                desc="Map of the place's neighbourhoods, darkest in England's most deprived "
                "tenth, lightest in its least deprived tenth.",
                legend=("1: most deprived 10%", "10: least deprived 10%"),
            ),
            "Map: each neighbourhood coloured by its national IMD 2019 decile.",
            source,
        )
    )
    section.figures.append(
        Figure(
            pack_svg.decile_columns(
                counts,
                title="Neighbourhoods in each national deprivation decile",
                desc=", ".join(f"decile {i + 1}: {c}" for i, c in enumerate(counts)),
            ),
            "Number of neighbourhoods in each tenth of England, from the most deprived (1) "
            "to the least (10). If the place were like England, every column would be equal.",
            source,
        )
    )
    section.inputs = {
        "indicator": IMD_DECILE,
        "areas": len(deciles),
        "dataset": indicator.dataset_id,
    }
    return section


def _worst_fifth(deciles: Any) -> float | None:
    known = deciles.dropna()
    return float((known <= 2).mean()) if len(known) else None


def health(ctx: PackContext) -> Section:
    section = Section("health", "Health against England")
    ws = ctx.workspace
    chosen = [
        i
        for i in ws.indicators.list(place=ctx.place)
        if theme_of(i.id) == "health"
        and i.polarity in ("higher_is_better", "higher_is_worse")
        and i.unit != "rank"  # a domain's rank says what its decile says
    ]
    rows, bars, sources, used = [], [], [], []
    for indicator in chosen:
        frame = ws.indicators.place_values(indicator.id, ctx.place)
        share = _worst_fifth(frame["national_decile"])
        if share is None:
            continue
        median = frame["national_decile"].dropna().median()
        typical = decile_words(round(float(median)), indicator.polarity)
        rows.append([indicator.name, indicator.period, f"{share:.0%}", typical])
        bars.append((indicator.name, round(share * 100, 1)))
        sources.append(f"{indicator.source} ({indicator.period}, {indicator.licence})")
        used.append({"indicator": indicator.id, "dataset": indicator.dataset_id})
    if not rows:
        section.available, section.note = False, "No health indicator is stored for this place."
        return section
    worst = max(bars, key=lambda b: b[1])
    section.key_fact = (
        f"{worst[0]}: {worst[1]:.0f}% of neighbourhoods are among England's worst 20% "
        "(20% if the place were like England)."
    )
    source = Source(
        name="; ".join(dict.fromkeys(sources)),
        date=", ".join(sorted({r[1] for r in rows})),
        licence=", ".join(sorted({i.licence for i in chosen})),
        method="Each neighbourhood's national decile of the indicator (1 = England's worst "
        "10%); the share of neighbourhoods in deciles 1 and 2, and the typical (median) decile.",
    )
    section.figures.append(
        Figure(
            pack_svg.bars(
                bars,
                title="Share of neighbourhoods among England's worst 20%",
                desc="; ".join(f"{label}: {value}%" for label, value in bars),
                unit="%",
            ),
            "Share of neighbourhoods among England's worst 20% on each health indicator "
            "(20% would be like England).",
            source,
        )
    )
    section.tables.append(
        Table(
            "Health indicators against England",
            ["Indicator", "Period", "In England's worst 20%", "Typical neighbourhood"],
            rows,
            source,
        )
    )
    section.inputs = {"indicators": used}
    return section


def access(ctx: PackContext) -> Section:
    section = Section("access", "Who can reach community assets, and where need is high")
    run = ctx.workspace.access.latest(ctx.place)
    if run is None or run.status != "done":
        section.available = False
        section.note = "No finished access run for this place: run `mobilise access run` first."
        return section
    seen: set[str] = set()
    rows, worst = [], None
    for scenario in run.summary.get("scenarios", []):
        if scenario["category"] in seen:  # the first catchment of each category
            continue
        seen.add(scenario["category"])
        what = CATEGORIES.get(scenario["category"], scenario["category"]).lower()
        plain_what = PLAIN_KINDS.get(scenario["category"], what)
        section.sentences.append(
            _plain_gradient(scenario, plain_what) if ctx.plain else gradient_words(scenario, what)
        )
        priority = scenario.get("priority") or {}
        row = [
            CATEGORIES.get(scenario["category"], scenario["category"]),
            f"{scenario['catchment_m']:,.0f} m",
            number(scenario.get("mean")),
            f"{scenario.get('areas_with_nothing_in_reach', 0):,}",
            f"{priority.get('areas', 0):,} ({priority.get('residents', 0):,} residents)",
        ]
        rows.append([row[0], row[3], row[4]] if ctx.plain else row)
        if worst is None or priority.get("areas", 0) > worst[1].get("areas", 0):
            worst = (what, priority)
    if worst is not None and worst[1].get("areas"):
        section.key_fact = (
            f"{worst[1]['areas']:,} neighbourhoods ({worst[1].get('residents', 0):,} residents) "
            f"have high need and little access to {worst[0]}: these are priority "
            "neighbourhoods."
        )
    source = Source(
        name=f"mobilise access run {run.id} (assets, population, IMD 2019, health indicator)",
        date=run.finished_at.date().isoformat() if run.finished_at else "",
        licence="as the input data (see Sources)",
        method=f"{run.to_dict()['method_label']}; gradient by the slope index of inequality; "
        "priority: in England's most deprived 20% or the highest 20% of need, and low access.",
    )
    section.tables.append(
        Table(
            "Access and priority neighbourhoods by kind of asset",
            ["Kind of asset", "Neighbourhoods with nothing in reach", "Priority neighbourhoods"]
            if ctx.plain
            else ["Kind of asset", "Catchment", "Mean access", "Nothing in reach", "Priority"],
            rows,
            source,
        )
    )
    section.inputs = {"access_run": run.id, "data_versions": run.data_versions}
    return section


def _plain_gradient(scenario: dict[str, Any], what: str) -> str:
    """How access follows deprivation, in the plainest words (a community pack)."""
    sii = scenario.get("sii") or {}
    value, low, high = sii.get("sii"), sii.get("sii_lower"), sii.get("sii_upper")
    if not isinstance(value, int | float) or value == 0:
        return f"Getting to {what} is about the same in poorer and better-off neighbourhoods."
    better_off = "better-off" if value > 0 else "poorer"
    words = f"People in {better_off} neighbourhoods can reach more {what}"
    if isinstance(low, int | float) and isinstance(high, int | float) and low < 0 < high:
        return words + ", but the difference is small enough to be chance."
    return words + "."


def _asset_counts(ctx: PackContext, codes: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    query = select(assets.c.category, func.count()).where(
        assets.c.deleted_at.is_(None),
        assets.c.visibility == "public",
        assets.c.status != "closed",
    )
    with ctx.workspace.read() as connection:
        for chunk in chunked(codes):
            for category, n in connection.execute(
                query.where(assets.c.lsoa11_code.in_(chunk)).group_by(assets.c.category)
            ).all():
                counts[category] = counts.get(category, 0) + int(n)
    return counts


def assets_per_thousand(ctx: PackContext) -> Section:
    section = Section("assets", "Community assets per 1,000 residents")
    ws = ctx.workspace
    place = ws.places.get(ctx.place)
    codes = ws.places.area_codes(ctx.place)
    counts = _asset_counts(ctx, codes)
    if not counts or not place.population:
        section.available, section.note = False, "No assets or population stored for this place."
        return section
    core20_codes: list[str] = []
    if place.core20_population:
        deciles = ws.indicators.place_values(IMD_DECILE, ctx.place)["value"]
        core20_codes = [str(code) for code, d in deciles.items() if d <= 2]
    core20 = _asset_counts(ctx, core20_codes) if core20_codes else {}
    rows, bars = [], []
    for category, n in sorted(counts.items(), key=lambda item: -item[1]):
        label = CATEGORIES.get(category, category)
        rate = n / place.population * 1000
        in_core20 = (
            f"{core20.get(category, 0) / place.core20_population * 1000:.2f}"
            if place.core20_population
            else "–"
        )
        rows.append([label, f"{n:,}", f"{rate:.2f}", in_core20])
        bars.append((label, round(rate, 2)))
    total = sum(counts.values())
    section.key_fact = (
        f"The register holds {total:,} public community assets here: "
        f"{total / place.population * 1000:.1f} for every 1,000 residents."
    )
    source = Source(
        name="The workspace's community asset register (public, not closed)",
        date=place.population_period or "",
        licence="as each asset's source (see Sources)",
        method="Assets counted by kind in the place's neighbourhoods, divided by residents "
        "and multiplied by 1,000; the last column counts only the most deprived fifth.",
    )
    section.figures.append(
        Figure(
            pack_svg.bars(
                bars,
                title="Community assets per 1,000 residents by kind",
                desc="; ".join(f"{label}: {value}" for label, value in bars),
            ),
            "Community assets for every 1,000 residents, by kind.",
            source,
        )
    )
    section.tables.append(
        Table(
            "Assets by kind",
            ["Kind", "Assets", "Per 1,000 residents", "Per 1,000 in the most deprived fifth"],
            rows,
            source,
        )
    )
    section.inputs = {"assets": total, "population_period": place.population_period}
    return section

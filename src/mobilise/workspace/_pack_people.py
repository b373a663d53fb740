"""The people's side of an evidence pack: the partnership, who engagement reached, what people
said and what was done, and the sections of the evidence services (drivers of disparities,
place comparison) when this workspace has them (private to :mod:`mobilise.workspace.packs`).

Every count of people here is disclosure-controlled: the services are asked as a reader who is
not an admin (:class:`~mobilise.workspace._pack_parts.PackReader`), so they hide small counts
themselves, and what the pack counts itself goes through ``ctx.people``. Contributions and
quotes come from the public "you said, we did" page, which shows only what consent allows now:
nothing from a withdrawn consent reaches a pack.
"""

from __future__ import annotations

from typing import Any

from mobilise.errors import MobiliseError
from mobilise.workspace._pack_parts import PackContext, Section, Source, Table

__all__ = ["comparison", "drivers", "engagement", "partnership", "you_said"]


def partnership(ctx: PackContext) -> Section:
    section = Section("partnership", "The partnership")
    ws = ctx.workspace
    rounds = [r for r in ws.surveys.rounds(viewer=ctx.reader) if r.submitted > 0]
    if not rounds:
        section.available, section.note = False, "No partnership survey round has answers yet."
        return section
    latest = max(rounds, key=lambda r: r.date)
    measures = ws.network.metrics(latest.id, viewer=ctx.reader)
    partners, ties = int(measures["partners"]), int(measures["ties"])
    sectors = len((measures.get("blocks") or {}).get("sectors", []))
    section.key_fact = (
        f"{partners:,} partners from {sectors} sectors work together through {ties:,} ties; "
        f"{measures['density']:.0%} of the ties that could exist do."
    )
    section.sentences.append(
        f"{ctx.people(int(measures['respondents']))} partners answered the survey "
        f"'{latest.name}' ({measures['response_rate']:.0%} of those asked); "
        f"{measures['reciprocity']:.0%} of ties are named by both sides."
    )
    scores = measures.get("scores") or {}
    rows = [
        ["Partners", f"{partners:,}"],
        ["Sectors", f"{sectors}"],
        ["Working ties", f"{ties:,}"],
        ["Density (share of possible ties)", f"{measures['density']:.0%}"],
        ["Reciprocity (ties named by both)", f"{measures['reciprocity']:.0%}"],
    ]
    for key, label in (("trust", "Mean trust (1 to 4)"), ("value", "Mean value (1 to 4)")):
        if isinstance(scores.get(key), int | float):
            rows.append([label, f"{scores[key]:.2f}"])
    source = Source(
        name=f"Partnership survey round '{latest.name}'",
        date=latest.date.isoformat(),
        licence="the consortium's own data",
        method="Ties as reported in the roster survey; density and reciprocity of the network "
        f"of ties; trust and value scores shown only when at least {measures['min_raters']} "
        "partners gave them.",
    )
    section.tables.append(Table("The partnership network", ["Measure", "Figure"], rows, source))
    section.inputs = {"round": latest.id, "round_name": latest.name}
    return section


def engagement(ctx: PackContext) -> Section:
    section = Section("engagement", "Who took part")
    reach = ctx.workspace.engagement.reach(ctx.place, viewer=ctx.reader)
    if not reach.events:
        section.available, section.note = False, "No engagement events are recorded here yet."
        return section
    section.key_fact = (
        f"{ctx.people(reach.participants)} people took part in {reach.events} events here."
    )
    census = reach.census_source or {}
    source = Source(
        name=f"Attendance of the place's events, against {census.get('title', 'Census 2021')}",
        date=census.get("period", "Census 2021"),
        licence=census.get("licence", "OGL-UK-3.0"),
        method=f"Participants with consent to take part, counted by group and compared with the "
        f"residents; counts from 1 to {ctx.k - 1} are not shown. {reach.note}",
    )
    for dimension in reach.dimensions:
        if not dimension.available:
            continue
        # Only the differences beyond chance: "in line with" for every group drowns them.
        section.sentences += [
            g["sentence"] for g in dimension.groups if g.get("sentence") and g.get("flag")
        ]
        rows = [
            [
                str(g["label"]),
                _shown(g.get("count_shown"), g.get("count"), ctx),
                _share(g.get("share")),
                _share(g.get("population_share")),
            ]
            for g in dimension.groups
        ]
        section.tables.append(
            Table(
                str(dimension.label),
                ["Group", "Took part", "Share of those who took part", "Share of residents"],
                rows,
                source,
            )
        )
    if not section.sentences:
        section.sentences.append(
            "Who took part was in line with who lives here on every measure: no difference "
            "was beyond chance."
        )
    if ctx.plain:
        section.tables = section.tables[:2]
    section.inputs = {"events": reach.events, "disclosure_k": ctx.k}
    return section


def _shown(shown: Any, count: Any, ctx: PackContext) -> str:
    if isinstance(count, int):
        return ctx.people(count)
    return str(shown) if shown else ctx.people(None)


def _share(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, int | float) else "–"


def you_said(ctx: PackContext) -> Section:
    section = Section("you_said", "You said, we did")
    page = ctx.workspace.actions.public_page(ctx.place)
    closure = page.closure
    if not page.themes and not (page.done or page.to_do):
        section.available, section.note = False, "No themes or actions are recorded here yet."
        return section
    section.key_fact = (
        f"People raised {closure.themes} themes; {closure.themes_with_action} have an action "
        f"answering them, and {closure.actions_done} of {closure.actions} actions are done."
    )
    source = Source(
        name="What people said at the place's events, coded into themes, and the actions taken",
        date=page.updated.date().isoformat() if page.updated else page.today.isoformat(),
        licence="the consortium's own data; quotes with the speakers' consent",
        method=f"Themes coded by the team; voices are distinct people, not shown below "
        f"{ctx.k}; quotes only where consent to quote stands today.",
    )
    quoted = any(theme.quotes for theme in page.themes)  # no empty column of quotes
    rows = []
    for theme in page.themes:
        row = [theme.name, ctx.people(theme.voices)]
        if quoted:
            row.append(f"“{theme.quotes[0][0]}” ({theme.quotes[0][1]})" if theme.quotes else "")
        rows.append(row)
    columns = ["Theme", "Voices", "In their words"] if quoted else ["Theme", "Voices"]
    section.tables.append(Table("What people said", columns, rows, source))
    actions = [
        [a.title, "done" if a.status == "done" else "to do", _when(a)]
        for a in [*page.done, *page.to_do]
    ]
    if actions:
        section.tables.append(Table("What was done", ["Action", "State", "When"], actions, source))
    section.inputs = {"themes": len(page.themes), "actions": len(actions)}
    return section


def _when(action: Any) -> str:
    day = action.done_on or action.due_on
    return day.strftime("%d %B %Y").lstrip("0") if day else ""


def _service(ctx: PackContext, name: str) -> Any:
    """An evidence service of the workspace when this version has it (``None`` if not)."""
    return getattr(ctx.workspace, name, None)


def drivers(ctx: PackContext) -> Section:
    section = Section("drivers", "What goes with poor health here")
    latest = getattr(_service(ctx, "drivers"), "latest", None)
    if latest is None:
        section.available = False
        section.note = "The drivers of disparities are not available in this workspace."
        return section
    run = latest(ctx.place)
    summary = run.summary if run is not None and run.status == "done" else {}
    words = [str(w) for w in summary.get("summary_words", []) if w]
    if not words:
        section.available = False
        section.note = "No finished drivers run for this place: run `mobilise drivers run` first."
        return section
    section.key_fact, section.sentences = words[0], words
    models = ["least squares with robust standard errors (statsmodels)"]
    if summary.get("dependence"):
        models.append("Moran's I and Lagrange multiplier tests of the residuals (PySAL spreg)")
    if summary.get("local"):
        models.append("geographically weighted regression (PySAL mgwr)")
    source = Source(
        name=f"mobilise drivers run {run.id}: {summary.get('outcome_label', '')}",
        date=run.finished_at.date().isoformat() if run.finished_at else "",
        licence="as the input data (see Sources)",
        method="; ".join(models) + f"; {summary.get('n', '?')} neighbourhoods.",
    )
    terms = (summary.get("ols") or {}).get("terms", [])[1:]
    rows = [
        [str(t.get("label", "")), _cell(t.get("standardised")), _cell(t.get("p_value"))]
        for t in terms
        if isinstance(t, dict)
    ]
    if rows:
        section.tables.append(
            Table("Least squares", ["Factor", "Standardised effect", "p-value"], rows, source)
        )
    section.inputs = {"drivers_run": run.id, "data_versions": run.data_versions}
    return section


def comparison(ctx: PackContext) -> Section:
    section = Section("comparison", "Side by side")
    if not ctx.compare:
        section.available, section.note = False, "No place to compare with was asked for."
        return section
    compare = getattr(_service(ctx, "comparison"), "compare", None)
    if compare is None:
        section.available = False
        section.note = "The place comparison is not available in this workspace."
        return section
    try:
        found = compare([ctx.place, *ctx.compare], viewer=ctx.reader).to_dict()
    except (MobiliseError, TypeError) as error:
        section.available, section.note = False, f"No comparison: {error}"
        return section
    names = {p["slug"]: p["name"] for p in found.get("places", [])}
    section.title = "Side by side: " + " and ".join(names.values())
    for part in found.get("sections", []):
        if not part.get("available", True):
            continue
        section.sentences += [str(s) for s in part.get("sentences", [])]
        table = _comparison_table(part, names)
        if table is not None:
            section.tables.append(table)
    section.key_fact = section.sentences[0] if section.sentences else ""
    section.inputs = {"places": list(names), "made_at": found.get("made_at")}
    return section


def _comparison_table(part: dict[str, Any], names: dict[str, str]) -> Table | None:
    """A comparison section's flat figures as a table: a row per measure, a column per place."""
    figures = {slug: part.get("places", {}).get(slug) or {} for slug in names}
    measures = [
        key
        for key in dict.fromkeys(k for f in figures.values() for k in f)
        if all(isinstance(f.get(key), int | float | str | type(None)) for f in figures.values())
    ]
    if not measures:
        return None
    rows = [
        [key.replace("_", " ")] + [_cell(figures[slug].get(key)) for slug in names]
        for key in measures[:12]
    ]
    source = Source(
        name=str(part.get("source", "")),
        date=str(part.get("date", "")),
        licence=str(part.get("licence", "")),
        method=str(part.get("method", "")),
    )
    return Table(str(part.get("title", "")), ["Measure", *names.values()], rows, source)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "–" if value is None else str(value)

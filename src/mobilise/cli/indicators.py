"""``mobilise indicators``: import, compute (rates, DSRs, ISRs, life expectancy) and list area
indicators, and show where areas fall on a funnel plot."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import (
    FileArg,
    JsonOpt,
    LicenceOpt,
    SourceOpt,
    Table,
    console,
    print_json,
    progress_bar,
    state,
)
from mobilise.errors import Problem, ValidationError
from mobilise.model.indicators import LAYOUTS, POLARITIES
from mobilise.model.rate_methods import METHODS, STANDARDS

app = typer.Typer(
    help="Indicators: deprivation, health and other measures per area.", no_args_is_help=True
)


Layout = StrEnum("Layout", {k: k for k in LAYOUTS})  # type: ignore[misc]
Polarity = StrEnum("Polarity", {p: p for p in POLARITIES})  # type: ignore[misc]
Method = StrEnum("Method", {m: m for m in METHODS})  # type: ignore[misc]


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    problems = []
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            problems.append(Problem(f"{pair!r} is not SOURCE=ID", field="--column"))
        mapping[source] = target
    if problems:
        raise ValidationError("Bad --column option.", problems=problems)
    return mapping


@app.command("import")
def import_indicators(
    ctx: typer.Context,
    file: FileArg,
    layout: Annotated[
        Layout,
        typer.Option(help="; ".join(f"{k}: {v}" for k, v in LAYOUTS.items()) + "."),
    ] = Layout("wide"),
    area_column: Annotated[str | None, typer.Option(help="Column of area codes.")] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="Wide: import column SOURCE as indicator ID "
            "(SOURCE=ID). Repeatable; without it every numeric column is imported.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Indicator name (one-indicator files).")] = None,
    unit: Annotated[str, typer.Option(help="Unit, e.g. '%', 'per 100,000', 'metres'.")] = "",
    polarity: Annotated[
        Polarity, typer.Option(help="Whether higher values are better or worse.")
    ] = Polarity("neutral"),
    period: Annotated[str, typer.Option(help="Period the values describe, e.g. 2019-21.")] = "",
    source: SourceOpt = None,
    licence: LicenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import indicator values for stored areas from a CSV (long or wide) or an IoD 2019 file."""
    with state(ctx).open() as ws, progress_bar(not as_json) as progress:
        summary = ws.indicators.import_file(
            file,
            layout=layout.value,
            area_column=area_column,
            columns=_column_map(column or []) or None,
            indicator_name=name,
            unit=unit,
            polarity=polarity.value,
            period=period,
            source=source,
            licence=licence,
            progress=progress,
        )
    if as_json:
        print_json(summary.to_dict())
    else:
        console.print(
            f"{file.name}: {summary.values:,} values of {len(summary.indicators)} indicators "
            f"({summary.created} new, {summary.updated} updated)."
        )


@app.command("list")
def list_indicators(
    ctx: typer.Context,
    place: Annotated[
        str | None, typer.Option(help="Only indicators with values in this place.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the stored indicators."""
    with state(ctx).open(create=False) as ws:
        found = ws.indicators.list(place=place)
    if as_json:
        print_json([i.to_dict() for i in found])
        return
    table = Table(title=f"Indicators{' in ' + place if place else ''}")
    for c in ("id", "name", "unit", "polarity", "period", "values", "national position"):
        table.add_column(c)
    for i in found:
        table.add_row(
            i.id,
            i.name,
            i.unit,
            i.polarity.replace("_", " "),
            i.period,
            f"{i.n_values:,}",
            "yes" if i.national_breaks else "-",
        )
    console.print(table)


@app.command("compute")
def compute_indicator(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Counts by area (and age band): area_code, [age_band,] count, population.",
            exists=True,
            dir_okay=False,
        ),
    ],
    indicator_id: Annotated[str, typer.Option("--id", help="Indicator id: a-z, 0-9 and _.")],
    method: Annotated[
        Method, typer.Option(help="; ".join(f"{m.name}: {m.description}" for m in METHODS.values()))
    ],
    standard: Annotated[
        str,
        typer.Option(
            help="DSR: the standard population, "
            + "; ".join(f"{k} ({v})" for k, v in STANDARDS.items())
            + ", or a CSV of age_band,population."
        ),
    ] = "esp2013",
    reference: Annotated[
        Path | None,
        typer.Option(
            help="ISR: a CSV of age_band,count,population of the reference (e.g. England); "
            "default: all areas of the file.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Confidence level of the stored interval (99.8% is kept too).")
    ] = 95.0,
    multiplier: Annotated[
        float | None, typer.Option(help="Per how many: 100000 for rates, 100 for a percentage.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Indicator name.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit (default: the method's).")] = None,
    polarity: Annotated[
        Polarity, typer.Option(help="Whether higher values are better or worse.")
    ] = Polarity("higher_is_worse"),
    period: Annotated[str, typer.Option(help="Period the counts describe, e.g. 2019-21.")] = "",
    benchmark_label: Annotated[
        str | None,
        typer.Option(help="What all areas of the file together are, e.g. England."),
    ] = None,
    area_column: Annotated[str | None, typer.Option(help="Column of area codes.")] = None,
    band_column: Annotated[str | None, typer.Option(help="Column of age bands.")] = None,
    count_column: Annotated[str | None, typer.Option(help="Column of counts.")] = None,
    population_column: Annotated[
        str | None, typer.Option(help="Column of populations or denominators.")
    ] = None,
    frequency_column: Annotated[
        str | None, typer.Option(help="DSR of non-independent events: column of event frequency.")
    ] = None,
    source: SourceOpt = None,
    licence: LicenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute an indicator from counts (OHID's methods) and store it with its intervals."""
    with state(ctx).open() as ws, progress_bar(not as_json) as progress:
        summary = ws.indicators.compute(
            file,
            indicator_id=indicator_id,
            method=method.value,
            indicator_name=name,
            standard=standard,
            reference=reference,
            confidence=confidence,
            multiplier=multiplier,
            unit=unit,
            polarity=polarity.value,
            period=period,
            source=source,
            licence=licence,
            benchmark_label=benchmark_label,
            columns={
                "area_column": area_column,
                "band_column": band_column,
                "count_column": count_column,
                "population_column": population_column,
                "frequency_column": frequency_column,
            },
            progress=progress,
        )
        indicator = ws.indicators.get(indicator_id)
    if as_json:
        print_json({**summary.to_dict(), "indicator": indicator.to_dict()})
        return
    console.print(
        f"{indicator_id}: {summary.values:,} values by {method.value} "
        f"({'; '.join(summary.notes)}); {indicator.benchmark_label}: "
        f"{'-' if indicator.benchmark_value is None else f'{indicator.benchmark_value:,.5g}'}."
    )


@app.command("funnel")
def funnel(
    ctx: typer.Context,
    indicator_id: Annotated[str, typer.Argument(help="A computed indicator's id.")],
    place: Annotated[str | None, typer.Option(help="Only the areas of this place.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Which areas fall outside an indicator's funnel plot limits (95% and 99.8%)."""
    with state(ctx).open() as ws:
        found = ws.indicators.funnel(indicator_id, place=place)
    if as_json:
        print_json(found)
        return
    outside = [a for a in found["areas"] if a["significance"] != "Not significant"]
    table = Table(
        title=f"{indicator_id}: {len(outside)} of {len(found['areas'])} areas outside the "
        f"95% limits (average {found['average']:,.4g})"
    )
    for c in ("area", "value", found["x_label"], "where"):
        table.add_column(c)
    for a in outside:
        table.add_row(a["area_code"], f"{a['value']:,.4g}", f"{a['x']:,.0f}", a["significance"])
    console.print(table)

"""``mobilise indicators``: import and list area indicators."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from mobilise.cli._common import (
    FileArg,
    JsonOpt,
    LicenceOpt,
    SourceOpt,
    console,
    print_json,
    progress_bar,
    state,
)
from mobilise.errors import Problem, ValidationError
from mobilise.model.indicators import LAYOUTS, POLARITIES

app = typer.Typer(
    help="Indicators: deprivation, health and other measures per area.", no_args_is_help=True
)


Layout = StrEnum("Layout", {k: k for k in LAYOUTS})  # type: ignore[misc]
Polarity = StrEnum("Polarity", {p: p for p in POLARITIES})  # type: ignore[misc]


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
    with state(ctx).open() as ws:
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

"""``mobilise inequality``: inequality measures on a table (PHE slope index of inequality)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json

app = typer.Typer(
    help="Inequality measures on a table: slope and relative index of inequality.",
    no_args_is_help=True,
)


class ValueType(StrEnum):
    mean = "mean"
    rate = "rate"
    proportion = "proportion"


@app.command("sii")
def sii(
    file: Annotated[Path, typer.Argument(help="CSV table.", exists=True, dir_okay=False)],
    value: Annotated[str, typer.Option(help="Column of the indicator value.")] = "value",
    population: Annotated[str, typer.Option(help="Column of the population.")] = "population",
    quantile: Annotated[
        str, typer.Option(help="Column of the deprivation quantile, 1 = most deprived.")
    ] = "quantile",
    se: Annotated[str | None, typer.Option(help="Column of standard errors.")] = None,
    lower: Annotated[str | None, typer.Option(help="Column of lower confidence limits.")] = None,
    upper: Annotated[str | None, typer.Option(help="Column of upper confidence limits.")] = None,
    areas: Annotated[
        bool,
        typer.Option(
            "--areas",
            help="Rows are small areas (e.g. LSOAs with their IMD decile): summarise per "
            "quantile first.",
        ),
    ] = False,
    value_type: Annotated[
        ValueType, typer.Option(help="mean, rate or proportion (for --transform).")
    ] = ValueType.mean,
    transform: Annotated[
        bool, typer.Option(help="Fit rates on the log scale, proportions on the logit scale.")
    ] = False,
    confidence: Annotated[float, typer.Option(help="Confidence level of the intervals.")] = 0.95,
    reps: Annotated[int, typer.Option(help="Monte Carlo simulations for the intervals.")] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Random seed, for the same intervals.")] = None,
    multiplier: Annotated[float, typer.Option(help="Scale (e.g. -1 to reverse polarity).")] = 1.0,
    as_json: JsonOpt = False,
) -> None:
    """Slope (SII) and relative (RII) index of inequality with Monte Carlo intervals (PHE)."""
    from mobilise.workspace.access_files import sii_on_file

    result, groups = sii_on_file(
        file,
        value=value,
        population=population,
        quantile=quantile,
        se=se,
        lower=lower,
        upper=upper,
        areas=areas,
        value_type=value_type.value,
        transform=transform,
        confidence=confidence,
        reps=reps,
        seed=seed,
        multiplier=multiplier,
    )
    if as_json:
        print_json(result.to_dict())
        return
    level = f"{confidence:.0%}"
    table = Table("measure", "value", f"{level} interval")
    for name, point, low, high in (
        ("SII (least - most deprived)", result.sii, result.sii_lower, result.sii_upper),
        ("RII (least / most deprived)", result.rii, result.rii_lower, result.rii_upper),
    ):
        band = "—" if low is None or high is None else f"{low:,.4g} to {high:,.4g}"
        table.add_row(name, "—" if point is None else f"{point:,.4g}", band)
    console.print(table)
    console.print(
        f"{result.groups} groups, population {result.population:,.0f}, population-weighted "
        f"mean {result.mean:,.4g}."
    )
    if areas:
        console.print(f"Summarised from {int(groups['areas'].sum()):,} areas.")
    for warning in result.warnings:
        console.print(f"[yellow]Note:[/] {warning}")

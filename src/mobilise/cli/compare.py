"""``mobilise places compare``: two or more places side by side (registered in
:mod:`mobilise.cli.places`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import Table, console, print_json, state

if TYPE_CHECKING:
    from mobilise.workspace.place_comparison import Comparison, Section

__all__ = ["compare"]


def _figure(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
        return f"{value:,.{digits}f}{unit}"
    return f"{value:,}{unit}" if isinstance(value, int) else str(value)


def _interval(figure: dict[str, Any]) -> str:
    low, high = figure.get("lower"), figure.get("upper")
    if low is None or high is None:
        return _figure(figure.get("value"))
    return f"{_figure(figure.get('value'))} ({_figure(low)} to {_figure(high)})"


def _health_table(found: Comparison, section: Section) -> Table | None:
    first = section.places.get(found.slugs[0], {}).get("indicators", {})
    if not first:
        return None
    table = Table(title=f"{section.title} ({found.confidence:.0%} intervals)")
    table.add_column("indicator")
    for name in found.names.values():
        table.add_column(name, justify="right")
    for indicator_id, figure in first.items():
        row = [figure["name"] + (" (age-standardised)" if figure.get("standardised") else "")]
        for slug in found.slugs:
            row.append(_interval(section.places[slug]["indicators"].get(indicator_id, {})))
        table.add_row(*row)
    return table


def _show(found: Comparison) -> None:
    console.print("[bold]" + " | ".join(found.names.values()) + "[/]")
    for section in found.sections:
        console.rule(f"[bold]{section.title}[/]")
        if not section.available:
            console.print(section.note or "Not available.")
            continue
        if section.key == "health":
            table = _health_table(found, section)
            if table is not None:
                console.print(table)
        for sentence in section.sentences:
            console.print(f"- {sentence}", markup=False)
        console.print(
            f"[dim]Source: {section.source}. {section.date}. Licence: {section.licence}.[/]"
        )
        console.print(f"[dim]Method: {section.method}[/]")


def compare(
    ctx: typer.Context,
    places: Annotated[
        list[str],
        typer.Argument(help="Two or more place slugs (or one list with commas: a,b)."),
    ],
    indicator: Annotated[
        list[str] | None,
        typer.Option(
            "--indicator",
            help="An indicator of the health and gradient sections (repeat; default: every "
            "computed indicator and the health ones).",
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Level of every interval, e.g. 0.95.", min=0.8, max=0.999)
    ] = 0.95,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Compare places side by side: population, deprivation, health against England, the
    deprivation gradient, access, assets per 1,000 residents, the partnership, engagement
    reach and what could transfer, with the differences' intervals."""
    with state(ctx).open(create=False) as ws:
        found = ws.comparison.compare(places, indicators=indicator, confidence=confidence)
    if as_json:
        print_json(found.to_dict())
        return
    _show(found)

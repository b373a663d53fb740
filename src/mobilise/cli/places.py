"""``mobilise places`` and ``mobilise geocode``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import Table, console, print_json, state
from mobilise.cli.compare import compare as compare_places

app = typer.Typer(help="Places: named sets of small areas.", no_args_is_help=True)


def _fmt(value: float | int | None, pattern: str = "{:,}") -> str:
    return "-" if value is None else pattern.format(value)


@app.command("list")
def list_places(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the places with their key figures."""
    with state(ctx).open(create=False) as ws:
        found = ws.places.list()
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    if not found:
        console.print("No places yet. Create one with [bold]mobilise places create[/].")
        return
    table = Table(title="Places")
    for column in ("slug", "name", "areas", "population", "in England's most deprived 20%"):
        table.add_column(column, justify="right" if column in ("areas", "population") else "left")
    for p in found:
        core20 = (
            f"{p.core20_areas:,} areas ({p.core20_share:.0%})"
            if p.core20_share is not None
            else "-"
        )
        table.add_row(p.slug, p.name, _fmt(p.n_areas), _fmt(p.population), core20)
    console.print(table)


@app.command("create")
def create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short name for URLs and commands, e.g. 'luton'.")],
    name: Annotated[str, typer.Option("--name", help="The place's name.")],
    description: Annotated[str, typer.Option(help="What and where the place is.")] = "",
    authority: Annotated[
        list[str] | None,
        typer.Option(
            "--authority",
            "-a",
            help="Include every stored area in this local authority "
            "(code, e.g. E06000061). Repeatable.",
        ),
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Include this area code. Repeatable.")
    ] = None,
    areas_file: Annotated[
        Path | None,
        typer.Option("--areas-file", help="A text file of area codes, one per line.", exists=True),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a place from stored areas."""
    with state(ctx).open(create=False) as ws:
        codes = list(area or [])
        if areas_file is not None:
            codes += ws.places.read_area_codes(areas_file)
        place = ws.places.create(
            slug, name, description=description, area_codes=codes, authorities=authority or []
        )
    if as_json:
        print_json(place.to_dict())
    else:
        console.print(
            f"Created place [bold]{place.slug}[/] ({place.name}) with {place.n_areas:,} areas."
        )


@app.command("show")
def show(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="The place's slug.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show a place: its areas, population, deprivation and indicators."""
    with state(ctx).open(create=False) as ws:
        place = ws.places.get(slug)
        indicators = ws.indicators.list(place=slug)
    if as_json:
        print_json({**place.to_dict(), "indicators": [i.id for i in indicators]})
        return
    console.print(f"[bold]{place.name}[/] ({place.slug})")
    if place.description:
        console.print(place.description)
    console.print(f"Areas: {place.n_areas:,}   Population: {_fmt(place.population)}")
    if place.core20_share is not None:
        console.print(
            f"In England's most deprived 20% (IMD 2019 deciles 1-2, NHS Core20): "
            f"{place.core20_areas:,} areas ({place.core20_share:.0%}), "
            f"{_fmt(place.core20_population)} people"
        )
    if place.authorities:
        console.print("Local authorities: " + ", ".join(f"{n} ({c})" for c, n in place.authorities))
    console.print(
        f"Indicators: {len(indicators)} (see [bold]mobilise indicators list --place {slug}[/])"
    )


app.command("compare")(compare_places)


def geocode(
    ctx: typer.Context,
    postcodes: Annotated[
        list[str], typer.Argument(help="One or more UK postcodes, e.g. 'NN1 1DE'.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find the coordinates and LSOA of postcodes, offline, from the stored lookup."""
    with state(ctx).open(create=False) as ws:
        results = [ws.postcodes.geocode(p) for p in postcodes]
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    table = Table()
    for column in ("postcode", "lat", "lon", "LSOA 2011", "area", "places"):
        table.add_column(column)
    for r in results:
        table.add_row(
            r.postcode,
            "-" if r.lat is None else f"{r.lat:.6f}",
            "-" if r.lon is None else f"{r.lon:.6f}",
            r.lsoa11_code or "-",
            r.area_name or "-",
            ", ".join(r.places) or "-",
        )
    console.print(table)

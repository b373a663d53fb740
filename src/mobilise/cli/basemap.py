"""``mobilise basemap``: the street map under every map, and the offline layer it falls back to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mobilise.cli._common import JsonOpt, console, print_json, state

app = typer.Typer(
    help="The maps' base: street tiles, and the offline layer drawn when they cannot load.",
    no_args_is_help=True,
)


@app.command("show")
def show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Say where the street tiles come from and which offline streets are shipped."""
    settings = state(ctx).settings
    tiles = settings.tile_url if settings.tile_url not in ("", "none") else None
    with state(ctx).open() as ws:
        layers = ws.basemap.street_layers()
    if as_json:
        print_json({"tiles": tiles, "streets": [layer.to_dict() for layer in layers]})
        return
    console.print(
        f"Street tiles: {tiles} (MOBILISE_TILE_URL)"
        if tiles
        else "Street tiles: none (MOBILISE_TILE_URL=none): the maps draw the offline layer."
    )
    table = Table("offline streets", "streets", "covers (W, S, E, N)", "attribution")
    for layer in layers:
        table.add_row(
            layer.name,
            f"{layer.streets:,}",
            ", ".join(f"{x:.3f}" for x in layer.bbox),
            layer.attribution,
        )
    console.print(table)


@app.command("outlines")
def outlines(
    ctx: typer.Context,
    bbox: Annotated[
        str, typer.Option("--bbox", help="The view: west,south,east,north in degrees.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="GeoJSON file to write (else stdout).")
    ] = None,
    area_type: Annotated[
        str | None, typer.Option(help="Kind of area, e.g. lsoa11 (default: the most common).")
    ] = None,
) -> None:
    """Write the neighbourhood outlines of a view, with their names, as GeoJSON."""
    with state(ctx).open() as ws:
        found = ws.basemap.outlines(bbox, area_type=area_type)
    if output is None:
        typer.echo(found.geojson)
    else:
        output.write_text(found.geojson, encoding="utf-8")
        console.print(f"{output}: {found.count:,} {found.area_type} outlines.")

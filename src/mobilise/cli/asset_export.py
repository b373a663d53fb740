"""``mobilise assets export``: the asset register as CSV, GeoJSON, GeoPackage or HSDS 3.0."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, console, print_json, state
from mobilise.model.asset_vocab import EXPORT_FORMATS

ExportFormat = StrEnum("ExportFormat", {f: f for f in EXPORT_FORMATS})  # type: ignore[misc]


def export(
    ctx: typer.Context,
    file_format: Annotated[
        ExportFormat,
        typer.Argument(
            metavar="FORMAT",
            help="csv, geojson, gpkg (GeoPackage) or hsds (HSDS 3.0 data package).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Argument(
            metavar="OUTPUT",
            help="The file to write; for hsds a folder, or a .zip file.",
            show_default=False,
        ),
    ],
    place: Annotated[str | None, typer.Option(help="Only assets in this place (its slug).")] = None,
    include_private: Annotated[
        bool,
        typer.Option(
            "--include-private",
            help="Include private assets (not for hsds, which is published data).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export the community assets: a spreadsheet, a GIS file or an Open Referral package."""
    with state(ctx).open(create=False) as ws:
        written = ws.assets.export(
            output, format=file_format.value, place=place, include_private=include_private
        )
    if as_json:
        print_json({"format": file_format.value, "output": str(output), "assets": written})
    else:
        console.print(f"{written:,} assets written to {output} ({file_format.value}).")


def register(app: typer.Typer) -> None:
    """Add ``export`` to ``app`` (``mobilise assets``)."""
    app.command("export")(export)

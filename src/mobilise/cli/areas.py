"""``mobilise areas``: import boundaries and lookups, show an area."""

from __future__ import annotations

from enum import StrEnum
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
from mobilise.model.areas import LOOKUP_KINDS
from mobilise.model.presentation import number

app = typer.Typer(
    help="Areas: boundaries, lookups and profiles of small areas.", no_args_is_help=True
)


@app.command("import")
def import_boundaries(
    ctx: typer.Context,
    file: FileArg,
    area_type: Annotated[
        str | None, typer.Option(help="Kind and vintage, e.g. lsoa11, lsoa21, msoa11, lad22.")
    ] = None,
    code_field: Annotated[str | None, typer.Option(help="Column of area codes.")] = None,
    name_field: Annotated[str | None, typer.Option(help="Column of area names.")] = None,
    layer: Annotated[str | None, typer.Option(help="GeoPackage layer.")] = None,
    fix_invalid: Annotated[
        bool, typer.Option(help="Repair invalid polygons instead of refusing them.")
    ] = False,
    place: Annotated[str | None, typer.Option(help="Also add the areas to this place.")] = None,
    source: SourceOpt = None,
    licence: LicenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import area boundaries (GeoJSON, GeoPackage or shapefile, e.g. from the ONS)."""
    with state(ctx).open() as ws, progress_bar(not as_json) as progress:
        summary = ws.areas.import_boundaries(
            file,
            area_type=area_type,
            code_field=code_field,
            name_field=name_field,
            layer=layer,
            fix_invalid=fix_invalid,
            source_title=source,
            source_licence=licence,
            place=place,
            progress=progress,
        )
    if as_json:
        print_json(summary.to_dict())
    else:
        console.print(
            f"{file.name}: {summary.created:,} areas created, {summary.updated:,} updated, "
            f"{summary.links:,} parent links."
        )


LookupKind = StrEnum("LookupKind", {k.replace("-", "_"): k for k in LOOKUP_KINDS})  # type: ignore[misc]


@app.command("import-lookup")
def import_lookup(
    ctx: typer.Context,
    file: FileArg,
    kind: Annotated[
        LookupKind,
        typer.Option(help="; ".join(f"{k}: {v}" for k, v in LOOKUP_KINDS.items()) + "."),
    ],
    source: SourceOpt = None,
    licence: LicenceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a lookup for stored areas (parents, successors, classification or centroids)."""
    with state(ctx).open() as ws:
        summary = ws.areas.import_lookup(
            file, kind=kind.value, source_title=source, source_licence=licence
        )
    if as_json:
        print_json(summary.to_dict())
    else:
        console.print(
            f"{file.name}: {summary.created or summary.updated:,} areas linked or updated."
        )
        for note in summary.notes:
            console.print(f"  {note}")


@app.command("show")
def show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Area code, e.g. E01027240.")],
    as_json: JsonOpt = False,
) -> None:
    """Show one area: parents, population and every indicator with its national decile."""
    with state(ctx).open(create=False) as ws:
        area = ws.areas.get(code)
        values = ws.indicators.for_area(code)
    if as_json:
        print_json({**area.to_dict(), "indicators": [v.to_dict() for v in values]})
        return
    console.print(f"[bold]{area.name}[/] ({area.code}, {area.area_type})")
    for link in area.links:
        console.print(
            f"  {link.relation} {link.related_type}: {link.related_name} ({link.related_code})"
        )
    if area.population:
        console.print(f"  population {area.population['period']}: {area.population['total']:,}")
    table = Table(title="Indicators (national decile: 1 = worst 10% in England)")
    for column in ("indicator", "value", "unit", "national decile"):
        table.add_column(column)
    for v in values:
        table.add_row(
            v.indicator.name,
            number(v.value, v.indicator.unit),
            v.indicator.unit,
            str(v.national_decile) if v.national_decile else "-",
        )
    console.print(table)

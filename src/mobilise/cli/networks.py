"""``mobilise networks``: a place's street networks (walk, cycle, step-free) from an
OpenStreetMap extract, for access runs that travel on streets (``access run --travel walk``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, progress_bar, state
from mobilise.model.access_plan import TRAVEL_SPEEDS_KMH

if TYPE_CHECKING:
    from mobilise.workspace.street_networks import NetworkInfo

PROFILE_NAMES = tuple(TRAVEL_SPEEDS_KMH)  # mobilise.workspace.street_networks.PROFILES

app = typer.Typer(
    help="Street networks from OpenStreetMap extracts (walk, cycle, step-free), for access on "
    "real streets.",
    no_args_is_help=True,
)

PlaceArg = Annotated[str, typer.Argument(help="The place (its slug).")]
ProfileOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        "-p",
        help=f"A travel profile: {', '.join(PROFILE_NAMES)} (repeatable; default: all three).",
    ),
]


@app.command("import")
def import_(
    ctx: typer.Context,
    place: PlaceArg,
    file: Annotated[Path, typer.Argument(help="The OpenStreetMap extract (.osm.pbf).")],
    profile: ProfileOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Build the place's street networks from an extract (replacing those stored)."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        found = ws.networks.import_extract(
            place, file, profiles=profile or PROFILE_NAMES, progress=report
        )
    if as_json:
        print_json([n.to_dict() for n in found])
        return
    _table(found)
    for network in found:
        for warning in network.warnings:
            console.print(f"[yellow]Warning ({network.profile}):[/] {warning}")


@app.command("list")
def list_(ctx: typer.Context, place: PlaceArg, as_json: JsonOpt = False) -> None:
    """The place's street networks."""
    with state(ctx).open(create=False) as ws:
        found = ws.networks.list(place)
    if as_json:
        print_json([n.to_dict() for n in found])
    elif not found:
        console.print(
            f"{place} has no street network: access runs there are straight-line. "
            f"Import one with `mobilise networks import {place} EXTRACT.osm.pbf`."
        )
    else:
        _table(found)


@app.command("show")
def show(
    ctx: typer.Context,
    place: PlaceArg,
    profile: Annotated[str, typer.Argument(help=f"One of {', '.join(PROFILE_NAMES)}.")] = "walk",
    as_json: JsonOpt = False,
) -> None:
    """One network: its source, date, licence, size, coverage and warnings."""
    with state(ctx).open(create=False) as ws:
        found = ws.networks.get(place, profile)
    if as_json:
        print_json(found.to_dict())
        return
    _table([found])
    console.print(f"Source: {found.source_name} (sha256 {found.source_sha256[:12]}…).")
    console.print(f"Licence: {found.licence}, {found.attribution}.")
    cover = found.coverage
    console.print(
        f"Covers {cover.get('covered', 0):,} of the place's {cover.get('areas', 0):,} areas."
    )
    for warning in found.warnings:
        console.print(f"[yellow]Warning:[/] {warning}")


@app.command("delete")
def delete(
    ctx: typer.Context,
    place: PlaceArg,
    profile: Annotated[
        str | None, typer.Argument(help="One profile (default: every profile).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove the place's street network (its access runs on streets stay as they were)."""
    with state(ctx).open(create=False) as ws:
        removed = ws.networks.delete(place, profile)
    if as_json:
        print_json({"place": place, "removed": removed})
    else:
        console.print(f"Removed {removed} street network{'s' if removed != 1 else ''} of {place}.")


def _table(found: list[NetworkInfo]) -> None:
    table = Table("profile", "nodes", "links", "km", "data date", "source", "areas covered")
    for n in found:
        table.add_row(
            n.profile,
            f"{n.n_nodes:,}",
            f"{n.n_edges:,}",
            f"{n.length_km:,.1f}",
            n.data_date[:10],
            n.source_name,
            f"{n.coverage.get('covered', 0):,} of {n.coverage.get('areas', 0):,}",
        )
    console.print(table)
    console.print("Street data © OpenStreetMap contributors (ODbL 1.0).")

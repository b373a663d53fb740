"""``mobilise access``: who can reach which assets, and how access follows deprivation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, progress_bar, state
from mobilise.model.access_plan import DECAYS, FILE_METHODS, METHODS, TRAVELS, AccessPlan
from mobilise.model.presentation import significant

if TYPE_CHECKING:
    from mobilise.workspace.access import AccessRun

app = typer.Typer(
    help="Access to community assets: floating catchments, deprivation gradients, priority areas.",
    no_args_is_help=True,
)

CategoryOpt = Annotated[
    list[str],
    typer.Option(
        "--category",
        "-c",
        help="Asset category, e.g. green_space, arts_culture, library (repeatable or comma list).",
    ),
]
MethodOpt = Annotated[
    str, typer.Option(help=f"Access measure: {', '.join(METHODS)}.", show_default=True)
]
CatchmentOpt = Annotated[
    str,
    typer.Option(
        help="Catchment sizes in metres, comma separated: several make a sensitivity sweep."
    ),
]
DecayOpt = Annotated[
    str | None,
    typer.Option(
        help=f"Distance decays, comma separated ({', '.join(DECAYS)}); default: the method's own."
    ),
]


@app.command("run")
def run(
    ctx: typer.Context,
    place: Annotated[str, typer.Option(help="The place (its slug).")],
    category: CategoryOpt,
    method: MethodOpt = "e2sfca",
    catchment: Annotated[
        str | None,
        typer.Option(
            help="Catchments, comma separated (several make a sensitivity sweep): metres in a "
            "straight line (default 800,1600), minutes with --travel on streets (default 10,20)."
        ),
    ] = None,
    travel: Annotated[
        str,
        typer.Option(
            help=f"How reach is measured: {', '.join(TRAVELS)} (on the place's street network, "
            "imported with `mobilise networks import`)."
        ),
    ] = "straight-line",
    decay: DecayOpt = None,
    supply: Annotated[
        str, typer.Option(help="count: each asset counts 1; capacity: each asset's capacity.")
    ] = "count",
    core20: Annotated[
        bool,
        typer.Option(help="Count England's most deprived 20% (IMD 2019, NHS Core20) as high need."),
    ] = True,
    health_indicator: Annotated[
        str | None,
        typer.Option(help="An indicator whose worst areas are also high need, e.g. cidr2019."),
    ] = None,
    permutations: Annotated[
        int,
        typer.Option(
            help="Permutations for the Moran's I and LISA p-values: 99 to 9,999, or 0 to skip "
            "the cluster analysis."
        ),
    ] = 999,
    as_json: JsonOpt = False,
) -> None:
    """Compute access to asset categories for every area of a place, and save the run."""
    plan = AccessPlan.build(
        categories=category,
        method=method,
        catchments_m=catchment or ("800,1600" if travel == "straight-line" else "10,20"),
        decays=decay,
        supply=supply,
        travel=travel,
        core20=core20,
        health_indicator=health_indicator,
        permutations=permutations,
    )
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        result = ws.access.run(place, plan, report)
    _print_run(result, as_json)


@app.command("runs")
def runs(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place's runs.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the saved access runs, newest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.access.list(place)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    table = Table("run", "place", "status", "method", "categories", "catchments", "when")
    for r in found:
        table.add_row(
            r.id,
            r.place,
            r.status,
            r.plan.method,
            ", ".join(r.plan.categories),
            ", ".join(r.plan.catchment_words(c) for c in r.plan.catchments_m),
            f"{r.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table if found else "No access runs yet: try `mobilise access run`.")


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a saved run: its plan, the data it read and what it found."""
    with state(ctx).open(create=False) as ws:
        found = ws.access.get(run_id)
    _print_run(found, as_json)


@app.command("rerun")
def rerun(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run to repeat on today's data.")],
    as_json: JsonOpt = False,
) -> None:
    """Run a saved run's plan again on the workspace's current data (a new run)."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        fresh = ws.access.rerun(run_id)
        result = ws.access.execute(fresh.id, report)
    _print_run(result, as_json)


@app.command("export")
def export(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run's id.")],
    output: Annotated[Path, typer.Argument(help="File to write: .csv or .gpkg (GeoPackage).")],
    as_json: JsonOpt = False,
) -> None:
    """Write a run's results per area to a spreadsheet or a GeoPackage (with boundaries)."""
    with state(ctx).open(create=False) as ws:
        written = ws.access.export(run_id, output)
    if as_json:
        print_json({"run": run_id, "output": str(output), "rows": written})
    else:
        console.print(f"{written:,} results written to {output}.")


@app.command("compute")
def compute(
    demand: Annotated[
        Path, typer.Option(help="CSV of origins: id, population (and x, y).", dir_okay=False)
    ],
    supply: Annotated[
        Path, typer.Option(help="CSV of destinations: id, capacity (and x, y).", dir_okay=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV to write.")],
    costs: Annotated[
        Path | None,
        typer.Option(help="CSV of travel costs (origin, dest, cost); without it, x/y distances."),
    ] = None,
    method: Annotated[str, typer.Option(help=f"{', '.join(FILE_METHODS)}.")] = "2sfca",
    catchment: CatchmentOpt = "1600",
    decay: DecayOpt = None,
    demand_id: Annotated[str, typer.Option(help="Id column of the demand table.")] = "id",
    demand_value: Annotated[str, typer.Option(help="Population column.")] = "population",
    supply_id: Annotated[str, typer.Option(help="Id column of the supply table.")] = "id",
    supply_value: Annotated[
        str | None, typer.Option(help="Capacity column; leave out to count each destination 1.")
    ] = "capacity",
    x: Annotated[str, typer.Option(help="Easting column (metres).")] = "x",
    y: Annotated[str, typer.Option(help="Northing column (metres).")] = "y",
    cost_origin: Annotated[str, typer.Option(help="Origin column of the cost table.")] = "origin",
    cost_dest: Annotated[str, typer.Option(help="Destination column of the cost table.")] = "dest",
    cost: Annotated[str, typer.Option(help="Cost column of the cost table.")] = "cost",
    as_json: JsonOpt = False,
) -> None:
    """Compute an access measure on plain files (no workspace), as PySAL access takes them."""
    from mobilise.workspace.access_files import compute_on_files

    catchments = AccessPlan.build(categories="library", catchments_m=catchment).catchments_m
    decays = [d.strip() for d in decay.split(",") if d.strip()] if decay else []
    with progress_bar(not as_json) as report:
        report("Reading the tables and computing", 0, 1)
        result = compute_on_files(
            demand,
            supply,
            method=method,
            catchments_m=catchments,
            decays=decays,
            costs=costs,
            output=output,
            demand_id=demand_id,
            demand_value=demand_value,
            supply_id=supply_id,
            supply_value=supply_value or None,
            x=x,
            y=y,
            cost_origin=cost_origin,
            cost_destination=cost_dest,
            cost=cost,
        )
        report("Done", 1, 1)
    warnings = [w for m in result.attrs["measures"] for w in m.get("warnings", [])]
    if as_json:
        print_json(
            {"output": str(output), "origins": len(result), "measures": result.attrs["measures"]}
        )
        return
    console.print(f"{len(result):,} origins written to {output}.")
    for warning in dict.fromkeys(warnings):
        console.print(f"[yellow]Note:[/] {warning}")


def _print_run(run: AccessRun, as_json: bool) -> None:
    if as_json:
        print_json(run.to_dict())
    else:
        _show(run)


def _show(run: AccessRun) -> None:
    console.print(
        f"[bold]Access run {run.id}[/] — {run.place_name}: {run.status}"
        + (f" ({run.error})" if run.error else "")
    )
    console.print(
        f"{METHODS[run.plan.method].label}; catchments "
        f"{', '.join(run.plan.catchment_words(c) for c in run.plan.catchments_m)}; decays "
        f"{', '.join(run.plan.decays)}; supply: {run.plan.supply}."
    )
    for note in run.summary.get("inputs", {}).get("notes", []):
        console.print(f"[yellow]Note:[/] {note}")
    if not run.scenarios:
        return
    if run.plan.on_network:
        _show_comparison(run)
    table = Table(
        "category",
        "catchment",
        "decay",
        "mean",
        "areas with none",
        "SII (95% CI)",
        "RII",
        "Moran's I",
        "priority areas",
        title=f"Access ({run.plan.unit})",
    )
    for s in run.scenarios:
        table.add_row(
            s["category"],
            run.plan.catchment_words(s["catchment_m"]),
            s["decay"],
            _fmt(s.get("mean")),
            f"{s['areas_with_nothing_in_reach']:,}",
            _interval(s.get("sii"), "sii"),
            _fmt((s.get("sii") or {}).get("rii")),
            _fmt((s.get("moran") or {}).get("i")),
            f"{s['priority']['areas']:,}",
        )
    console.print(table)


def _fmt(value: Any) -> str:
    return "—" if value is None else significant(value, 3)


def _interval(found: dict[str, Any] | None, key: str) -> str:
    if not found or found.get(key) is None:
        return "—"
    low, high = found.get(f"{key}_lower"), found.get(f"{key}_upper")
    band = f" ({_fmt(low)} to {_fmt(high)})" if low is not None and high is not None else ""
    return f"{_fmt(found[key])}{band}"


def _show_comparison(run: AccessRun) -> None:
    """A network run beside straight-line access, scenario by scenario."""
    table = Table(
        "category",
        "catchment",
        "straight line",
        "mean difference",
        "areas lower",
        "areas higher",
        "large detours",
        title=f"{run.plan.travel.capitalize()} on streets against straight-line access",
    )
    for s in run.scenarios:
        found = s.get("comparison") or {}
        table.add_row(
            s["category"],
            run.plan.catchment_words(s["catchment_m"]),
            f"{found.get('straight_line_catchment_m', 0):,.0f} m",
            _fmt(found.get("mean_difference")),
            f"{found.get('areas_lower', 0):,}",
            f"{found.get('areas_higher', 0):,}",
            f"{found.get('large_detours', 0):,}",
        )
    console.print(table)
    for warning in dict.fromkeys(w for s in run.scenarios for w in s.get("warnings", [])):
        console.print(f"[yellow]Warning:[/] {warning}")

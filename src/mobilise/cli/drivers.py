"""``mobilise drivers``: which area characteristics go with a health outcome, and where."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, progress_bar, state
from mobilise.model.drivers_plan import KERNELS, MODELS, SEARCHES, DriversPlan
from mobilise.model.presentation import significant

if TYPE_CHECKING:
    from mobilise.workspace.drivers import DriversRun

app = typer.Typer(
    help="Drivers of disparities: regression, spatial and local (GWR) models of an outcome.",
    no_args_is_help=True,
)


@app.command("run")
def run(
    ctx: typer.Context,
    place: Annotated[str, typer.Option(help="The place (its slug).")],
    outcome: Annotated[str, typer.Option(help="The outcome indicator, e.g. cidr2019.")],
    variable: Annotated[
        list[str],
        typer.Option(
            "--variable",
            "-v",
            help="Explanatory variable (repeatable or comma list): indicator:<id>, "
            "access:<category>, assets:<category>, census:<dimension>:<group>, rural. "
            "`mobilise drivers variables` lists them.",
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(help=f"Models (repeatable): {', '.join(MODELS)}. Default ols, spatial, gwr."),
    ] = None,
    neighbours: Annotated[
        int, typer.Option(help="Nearest areas counted as neighbours for the spatial tests.")
    ] = 6,
    kernel: Annotated[str, typer.Option(help=f"GWR kernel: {', '.join(KERNELS)}.")] = "bisquare",
    fixed: Annotated[
        bool, typer.Option(help="Fixed bandwidth in metres (default: adaptive, in neighbours).")
    ] = False,
    search: Annotated[
        str, typer.Option(help=f"Bandwidth search by AICc: {', '.join(SEARCHES)}.")
    ] = "golden_section",
    bandwidth_min: Annotated[float | None, typer.Option(help="Smallest bandwidth tried.")] = None,
    bandwidth_max: Annotated[float | None, typer.Option(help="Largest bandwidth tried.")] = None,
    interval: Annotated[float | None, typer.Option(help="Step of an interval search.")] = None,
    access_run: Annotated[
        str | None, typer.Option(help="Access run the access: variables read (default newest).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fit the models of an outcome on chosen variables over a place's areas, and save the run."""
    plan = DriversPlan.build(
        outcome=outcome,
        variables=variable,
        models=model,
        neighbours=neighbours,
        kernel=kernel,
        fixed=fixed,
        search=search,
        bandwidth_min=bandwidth_min,
        bandwidth_max=bandwidth_max,
        interval=interval,
        access_run=access_run,
    )
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        result = ws.drivers.run(place, plan, report)
    _print_run(result, as_json)


@app.command("list")
def list_runs(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place's runs.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the saved drivers runs, newest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.drivers.list(place)
    if as_json:
        print_json([r.to_dict() for r in found])
        return
    table = Table("run", "place", "status", "outcome", "variables", "models", "when")
    for r in found:
        table.add_row(
            r.id,
            r.place,
            r.status,
            r.plan.outcome,
            ", ".join(r.plan.variables),
            ", ".join(r.plan.models),
            f"{r.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table if found else "No drivers runs yet: try `mobilise drivers run`.")


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Show a saved run: its plan, the data it read and what each model found, in words."""
    with state(ctx).open(create=False) as ws:
        found = ws.drivers.get(run_id)
    _print_run(found, as_json)


@app.command("rerun")
def rerun(
    ctx: typer.Context,
    run_id: Annotated[str, typer.Argument(help="The run to repeat on today's data.")],
    as_json: JsonOpt = False,
) -> None:
    """Run a saved run's plan again on the workspace's current data (a new run)."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        fresh = ws.drivers.rerun(run_id)
        result = ws.drivers.execute(fresh.id, report)
    _print_run(result, as_json)


@app.command("variables")
def variables(
    ctx: typer.Context,
    place: Annotated[str, typer.Option(help="The place (its slug).")],
    as_json: JsonOpt = False,
) -> None:
    """List the explanatory variables a run of the place can use."""
    with state(ctx).open(create=False) as ws:
        found = ws.drivers.variables(place)
    if as_json:
        print_json(found)
        return
    table = Table("variable", "what it is")
    for item in found:
        table.add_row(item["id"], item["label"])
    console.print(table)


def _print_run(run: DriversRun, as_json: bool) -> None:
    if as_json:
        print_json(run.to_dict())
        return
    console.print(
        f"[bold]Drivers run {run.id}[/] — {run.place_name}: {run.status}"
        + (f" ({run.error})" if run.error else "")
    )
    summary = run.summary
    if not summary:
        return
    for note in summary.get("notes", []):
        console.print(f"[yellow]Note:[/] {note}")
    table = Table(
        "term", "estimate", "robust SE", "p", "standardised", "VIF", title=summary["ols"]["label"]
    )
    for term in summary["ols"]["terms"]:
        table.add_row(
            term["label"],
            _fmt(term["estimate"]),
            _fmt(term["std_error"]),
            _fmt(term["p_value"]),
            _fmt(term.get("standardised")),
            _fmt(term.get("vif")),
        )
    console.print(table)
    for model in summary.get("spatial", []):
        extra = "rho" if model["kind"] == "spatial_lag" else "lambda"
        console.print(
            f"{model['label']}: {extra} {_fmt(model['details'][extra])}, "
            f"AIC {_fmt(model['aic'])} (least squares {_fmt(summary['ols']['aic'])})."
        )
    for model in summary.get("local", []):
        widths = sorted({_fmt(b) for b in model["bandwidths"].values()})
        console.print(
            f"{model['label']}: bandwidth {', '.join(widths)}, AICc {_fmt(model['aicc'])}, "
            f"R² {_fmt(model['r2'])}."
        )
    for sentence in summary.get("summary_words", []):
        console.print(f"• {sentence}")


def _fmt(value: Any) -> str:
    return "—" if value is None else significant(value, 3)

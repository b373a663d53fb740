"""``mobilise sweeps``: access measures over many places x categories x catchments x decays x
travel profiles, in chunks of areas on Dask, resumable after a failure."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, progress_bar, state

if TYPE_CHECKING:
    from mobilise.workspace.sweeps import Sweep

app = typer.Typer(
    help="Access sweeps: many places x categories x catchments x decays x travel profiles of an "
    "access measure, in chunks of areas on Dask (a local cluster by default; "
    "MOBILISE_DASK_SCHEDULER names a real one). A sweep that fails resumes where it stopped.",
    no_args_is_help=True,
)

SweepArg = Annotated[str, typer.Argument(help="The sweep's id (see `mobilise sweeps list`).")]


def _print(sweep: Sweep, as_json: bool) -> None:
    if as_json:
        print_json(sweep.to_dict())
        return
    chunks = ", ".join(f"{n} {state}" for state, n in sweep.chunks.items() if n)
    console.print(f"[bold]{sweep.title}[/bold]: {sweep.status} ({chunks}).")
    console.print(
        f"Sweep {sweep.id}: {sweep.chunks_total} chunks; values in {sweep.parameters['unit']}."
    )
    for run in sweep.summary.get("runs", []):
        console.print(
            f"  Ran {len(run['pass1_chunks'])} pass-1 and {len(run['pass2_chunks'])} pass-2 "
            f"chunks on {run['where']} in {run['seconds']:.1f} s."
        )
    if sweep.error:
        console.print(f"[red]{sweep.error}[/red]")


@app.command("start")
def start(
    ctx: typer.Context,
    places: Annotated[str, typer.Option(help="Places (slugs, comma-separated).")],
    categories: Annotated[
        str, typer.Option("--categories", "-c", help="Asset categories, comma-separated.")
    ],
    method: Annotated[
        str, typer.Option(help="count, supply, gravity, 2sfca, e2sfca, 3sfca or bfca.")
    ] = "e2sfca",
    catchments: Annotated[
        str, typer.Option(help="Straight-line catchments in metres, comma-separated.")
    ] = "800,1600",
    minutes: Annotated[
        str, typer.Option(help="Network catchments in minutes (walk, cycle, step-free).")
    ] = "10,20",
    decays: Annotated[
        str | None, typer.Option(help="Decays, comma-separated (default: the method's).")
    ] = None,
    profiles: Annotated[
        str, typer.Option(help="straight-line, walk, cycle, step-free (comma-separated).")
    ] = "straight-line",
    supply: Annotated[str, typer.Option(help="count (1 per asset) or capacity.")] = "count",
    chunk_size: Annotated[int, typer.Option(help="Areas per chunk.")] = 500,
    as_json: JsonOpt = False,
) -> None:
    """Plan a sweep and run it now, its chunks on Dask, with a progress bar."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        sweep = ws.sweeps.start(
            places,
            categories=categories,
            method=method,
            catchments_m=catchments,
            catchments_min=minutes,
            decays=decays,
            profiles=profiles,
            supply=supply,
            chunk_size=chunk_size,
        )
        sweep = ws.sweeps.execute(sweep.id, report)
    _print(sweep, as_json)


@app.command("resume")
def resume(ctx: typer.Context, sweep_id: SweepArg, as_json: JsonOpt = False) -> None:
    """Go on with a failed or cancelled sweep: only what its chunks have not stored is computed."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        sweep = ws.sweeps.execute(sweep_id, report)
    _print(sweep, as_json)


@app.command("cancel")
def cancel(ctx: typer.Context, sweep_id: SweepArg, as_json: JsonOpt = False) -> None:
    """Stop a queued or running sweep (what it stored stays; `resume` goes on)."""
    with state(ctx).open(create=False) as ws:
        sweep = ws.sweeps.cancel(sweep_id)
    _print(sweep, as_json)


@app.command("status")
def status(ctx: typer.Context, sweep_id: SweepArg, as_json: JsonOpt = False) -> None:
    """A sweep's state, chunk by chunk."""
    with state(ctx).open(create=False) as ws:
        sweep = ws.sweeps.get(sweep_id)
        chunks = ws.sweeps.chunks(sweep_id)
    if as_json:
        print_json({**sweep.to_dict(), "chunk_list": chunks})
        return
    _print(sweep, False)
    table = Table("chunk", "place", "profile", "areas", "state", "passes run", "seconds", "error")
    for c in chunks:
        seconds = sum(s for s in (c["pass1_seconds"], c["pass2_seconds"]) if s)
        table.add_row(
            str(c["number"]), c["place"], c["profile"], str(c["origins"]), c["state"],
            str(c["attempts"]), f"{seconds:.2f}", c["error"],
        )  # fmt: skip
    console.print(table)


@app.command("list")
def list_sweeps(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the sweeps, newest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.sweeps.list()
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    table = Table("sweep", "title", "status", "chunks done", "made")
    for s in found:
        table.add_row(
            s.id, s.title, s.status, f"{s.chunks['done']} of {s.chunks_total}",
            f"{s.created_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    console.print(table if found else "No sweeps yet: try `mobilise sweeps start --help`.")


@app.command("results")
def results(
    ctx: typer.Context,
    sweep_id: SweepArg,
    profile: Annotated[str | None, typer.Option(help="Only this travel profile.")] = None,
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
    limit: Annotated[int, typer.Option(help="Rows to show.")] = 20,
) -> None:
    """Show a sweep's results (stored so far); `export` writes them all."""
    with state(ctx).open(create=False) as ws:
        frame = ws.sweeps.results(sweep_id, profile=profile, category=category)
    table = Table(*frame.columns)
    for row in frame.head(max(limit, 0)).itertuples(index=False):
        table.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    console.print(table)
    console.print(f"{len(frame):,} results.")


@app.command("export")
def export(
    ctx: typer.Context,
    sweep_id: SweepArg,
    output: Annotated[Path, typer.Argument(help="The .csv file to write.")],
) -> None:
    """Write a sweep's results as CSV."""
    with state(ctx).open(create=False) as ws:
        rows = ws.sweeps.export(sweep_id, output)
    console.print(f"{rows:,} results written to {output}.")

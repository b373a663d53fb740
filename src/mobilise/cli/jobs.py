"""``mobilise jobs``: background jobs (imports and runs submitted through the web app), and a
worker that runs them without the web app."""

from __future__ import annotations

import signal
import threading
from typing import Annotated, Any

import typer
from rich.markup import escape

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

app = typer.Typer(
    help="Background jobs: list, show and retry them; run a worker.", no_args_is_help=True
)

JobArg = Annotated[str, typer.Argument(help="The job's id (see `mobilise jobs list`).")]


@app.command("list")
def list_jobs(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="Only jobs that are queued, running, done or failed.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List jobs, newest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.jobs.list(status=status, limit=limit)
    if as_json:
        print_json([job.to_dict() for job in found])
        return
    if not found:
        console.print("No jobs.")
        return
    table = Table()
    table.add_column("id", no_wrap=True, min_width=36)  # whole: it is what the commands take
    for column in ("what", "status", "progress", "by", "submitted"):
        table.add_column(column)
    for job in found:
        table.add_row(
            job.id,
            job.label,
            job.status,
            f"{job.progress:.0%}",
            job.created_by,
            f"{job.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, job_id: JobArg, as_json: JsonOpt = False) -> None:
    """Show a job: its progress, and its result or its error in words."""
    with state(ctx).open(create=False) as ws:
        job = ws.jobs.get(job_id)
    if as_json:
        print_json(job.to_dict())
        return
    console.print(f"[bold]{escape(job.label)}[/] {job.id}: {job.status}, {job.progress:.0%}")
    console.print(f"Step: {escape(job.step)}")
    console.print(f"Submitted by {escape(job.created_by)} at {job.created_at:%Y-%m-%d %H:%M} UTC")
    console.print(f"Attempts: {job.attempts} of {job.max_attempts}")
    if job.status == "done":
        console.print(_result_words(job.result))
    if job.error:
        console.print(f"[red]{escape(job.error)}[/]")


def _result_words(result: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}: {v}" for k, v in result.items() if k != "notes" and v not in ("", []))
    return escape(shown + "".join(f"\n  {note}" for note in result.get("notes", [])))


@app.command("retry")
def retry(ctx: typer.Context, job_id: JobArg) -> None:
    """Queue a failed job again (a worker of `mobilise serve`, or `mobilise jobs work`, runs it)."""
    with state(ctx).open(create=False) as ws:
        job = ws.jobs.retry(job_id)
    console.print(f"Job {job.id} is queued again.")


@app.command("work")
def work(
    ctx: typer.Context,
    workers: Annotated[int, typer.Option(help="Jobs run at once (threads).")] = 1,
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="Stop once no job is waiting.")
    ] = False,
) -> None:
    """Run jobs without the web app, until stopped (Ctrl-C) or, with --until-idle, until none is
    waiting. A job a stopped worker left running is taken again (see docs/jobs.md)."""
    with state(ctx).open(create=False) as ws:
        if until_idle:
            ran = ws.jobs.work(until_idle=True)
            console.print(f"Ran {ran} jobs; none is waiting.")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        pool = ws.jobs.workers(workers).start()
        console.print(f"Running jobs with {workers} workers; Ctrl-C stops after the current ones.")
        stop.wait()
        pool.stop()

"""mobilise cafes: a World Café's questions, tables and host links, its harvest (table notes per
round and the plenary's), and its export; a group's notes are always shown, a person's only as
their consent allows now."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

app = typer.Typer(
    help="World Cafés: questions, tables, host links and the harvest.", no_args_is_help=True
)

EventArg = Annotated[str, typer.Argument(help="The event's id.")]


@app.command("show")
def show(
    ctx: typer.Context,
    event: EventArg,
    base_url: Annotated[
        str, typer.Option(help="The web app's address, for the hosts' links.")
    ] = "http://127.0.0.1:8000",
    as_json: JsonOpt = False,
) -> None:
    """The café's questions, and its tables with each host's link (keyed with
    MOBILISE_SECRET_KEY: give a link only to its table's host)."""
    from mobilise.settings import load_settings

    key = load_settings().secret_key
    with state(ctx).open(create=False) as ws:
        questions = ws.cafes.questions(event)
        tables = ws.cafes.tables(event)
        links = {
            t.id: f"{base_url.rstrip('/')}/harvest/{t.id}/{ws.cafes.host_token(t.id, key=key)}"
            for t in tables
        }
    if as_json:
        print_json(
            {
                "questions": [q.to_dict() for q in questions],
                "tables": [t.to_dict() | {"host_link": links[t.id]} for t in tables],
            }
        )
        return
    for q in questions:
        console.print(
            f"[bold]{f'Round {q.round_number}' if q.round_number else 'Plenary'}[/]: {q.text}"
        )
    table = Table("table", "host", "host link")
    for t in tables:
        table.add_row(t.label, t.host, links[t.id])
    console.print(table)


@app.command("add-question")
def add_question(
    ctx: typer.Context,
    event: EventArg,
    text: Annotated[str, typer.Argument(help="The question.")],
    round_number: Annotated[
        int | None, typer.Option("--round", help="Its round (1..12); none: the plenary's.")
    ] = None,
) -> None:
    """Add a question to a round, or the plenary's."""
    with state(ctx).open(create=False) as ws:
        added = ws.cafes.add_question(event, text, round_number=round_number)
    console.print(f"Added the question {added.id}.")


@app.command("add-table")
def add_table(
    ctx: typer.Context,
    event: EventArg,
    label: Annotated[str, typer.Argument(help="The table's label, e.g. 'Table 1'.")],
    host: Annotated[str, typer.Option(help="The host (a first name).")] = "",
) -> None:
    """Add a table with its host."""
    with state(ctx).open(create=False) as ws:
        position = len(ws.cafes.tables(event)) + 1
        added = ws.cafes.add_table(event, label, host=host, position=position)
    console.print(f"Added the table {added.label} ({added.id}).")


@app.command("add-note")
def add_note(
    ctx: typer.Context,
    event: EventArg,
    text: Annotated[str, typer.Argument(help="The note.")],
    table: Annotated[
        str | None, typer.Option(help="The table (label or id); none: plenary.")
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="The round.")] = None,
    client_key: Annotated[str | None, typer.Option(help="A key: sent twice, kept once.")] = None,
) -> None:
    """Add a table's note for a round, or the plenary's note."""
    with state(ctx).open(create=False) as ws:
        sent = ws.cafes.add_note(
            event, text, table=table, round_number=round_number, client_key=client_key
        )
    console.print(f"{'Added' if sent.stored else 'Already stored:'} the note {sent.note.id}.")


@app.command("harvest")
def harvest(ctx: typer.Context, event: EventArg, as_json: JsonOpt = False) -> None:
    """The harvest by round and table, then the plenary (as consent allows now)."""
    with state(ctx).open(create=False) as ws:
        found = ws.cafes.harvest(event)
    if as_json:
        print_json(found.to_dict())
        return
    for number, by_table in found.rounds.items():
        console.print(f"[bold]Round {number}[/]")
        for label, notes in by_table.items():
            for note in notes:
                console.print(f"  {label}: {'[photo] ' if note.kind == 'photo' else ''}{note.text}")
    console.print("[bold]Plenary[/]")
    for note in found.plenary:
        console.print(f"  {note.text}")


@app.command("export")
def export(
    ctx: typer.Context,
    event: EventArg,
    target: Annotated[Path, typer.Argument(help="The file to write.", dir_okay=False)],
    file_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Export the harvest (formula-safe CSV, or JSON): no names, no files."""
    with state(ctx).open(create=False) as ws:
        count = ws.cafes.export_harvest(target, event, file_format=file_format)
    console.print(f"{count} notes written to {target}.")

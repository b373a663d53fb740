"""mobilise contributions: what people gave at engagement events (notes, quotes, stories,
photos, drawings, audio, video, walks), shown and exported only as their consent allows now.

The command line is the operator's: it reads the names of people quoted by name (as an admin
would); exports carry pseudonym codes only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

app = typer.Typer(
    help="What people gave at engagement events, under their consent.", no_args_is_help=True
)

EventArg = Annotated[str, typer.Argument(help="The event's id.")]


@app.command("add")
def add(
    ctx: typer.Context,
    event: EventArg,
    kind: Annotated[
        str, typer.Option(help="note, quote, story, photo, drawing, audio, video or walk.")
    ],
    text: Annotated[str, typer.Option(help="The words (or a caption for a file).")] = "",
    participant: Annotated[str | None, typer.Option(help="Their pseudonym code.")] = None,
    group: Annotated[str, typer.Option(help="A table or group, when not one person.")] = "",
    media: Annotated[
        Path | None, typer.Option(help="A photo, drawing, audio or video file.", exists=True)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a contribution to an event, by a participant or a group."""
    with state(ctx).open() as ws:
        added = ws.event_contributions.add(
            event,
            kind=kind,
            text=text,
            participant=participant,
            group_label=group,
            media=_read(media, ws.limits.upload_bytes + 1) if media else None,
            file_name=media.name if media else None,
        )
    if as_json:
        print_json(added.to_dict())
        return
    console.print(f"Added the {added.kind} {added.id}.")


def _read(path: Path, at_most: int) -> bytes:
    with path.open("rb") as stream:
        return stream.read(at_most)


@app.command("list")
def list_contributions(
    ctx: typer.Context,
    event: EventArg,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The event's contributions that consent lets be shown now."""
    with state(ctx).open(create=False) as ws:
        found = ws.event_contributions.list(event, kind=kind)
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    table = Table("id", "kind", "by", "text", "file")
    for c in found:
        by = c.group_label if c.attribution == "group" else (c.code or "anonymous")
        table.add_row(c.id, c.kind, by, c.text, c.media_type)
    console.print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The file to write.", dir_okay=False)],
    event: Annotated[str | None, typer.Option(help="Only this event's.")] = None,
    file_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Export the contributions consent lets be shown (pseudonym codes, never names)."""
    with state(ctx).open(create=False) as ws:
        count = ws.event_contributions.export(target, event=event, file_format=file_format)
    console.print(f"{count} contributions written to {target}.")


@app.command("media")
def media(
    ctx: typer.Context,
    contribution: Annotated[str, typer.Argument(help="The contribution's id.")],
    target: Annotated[Path, typer.Argument(help="The file to write.", dir_okay=False)],
) -> None:
    """Save a contribution's file (when consent still lets it be shown)."""
    with state(ctx).open(create=False) as ws:
        data, media_type = ws.event_contributions.media(contribution)
    target.write_bytes(data)
    console.print(f"{len(data):,} bytes ({media_type}) written to {target}.")


@app.command("remove")
def remove(
    ctx: typer.Context, contribution: Annotated[str, typer.Argument(help="Its id.")]
) -> None:
    """Take a contribution away."""
    with state(ctx).open(create=False) as ws:
        ws.event_contributions.remove(contribution)
    console.print("The contribution is taken away.")

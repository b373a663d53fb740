"""mobilise media: the photos, drawings, audio and video clips people made at engagement events,
kept by content hash in the media folder (``MOBILISE_MEDIA_DIR``), their alt text, captions and
the makers' words, what contributions are about, and the public galleries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

app = typer.Typer(
    help="Event media: upload, describe (alt text, caption, the maker's words, public), "
    "what contributions are about, galleries.",
    no_args_is_help=True,
)

ContributionArg = Annotated[str, typer.Argument(help="The contribution's id.")]


@app.command("add")
def add(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="The event's id.")],
    file: Annotated[Path, typer.Argument(help="The picture, audio or video file.", exists=True)],
    kind: Annotated[str, typer.Option(help="photo, drawing, audio or video.")] = "photo",
    participant: Annotated[str | None, typer.Option(help="Their pseudonym code.")] = None,
    group: Annotated[str, typer.Option(help="A table or group, when not one person.")] = "",
    alt: Annotated[str, typer.Option(help="Alt text: what it shows (needed to be public).")] = "",
    caption: Annotated[str, typer.Option(help="A caption.")] = "",
    words: Annotated[str, typer.Option(help="The maker's own words.")] = "",
    public: Annotated[bool, typer.Option(help="Show it in public (needs --alt).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a file to an event: its type read from its bytes, location metadata removed."""
    with state(ctx).open() as ws, file.open("rb") as stream:
        added = ws.event_contributions.add(
            event,
            kind=kind,
            participant=participant,
            group_label=group,
            media=stream.read(ws.limits.upload_bytes + 1),
            file_name=file.name,
            alt_text=alt,
            caption=caption,
            maker_words=words,
            public=public,
        )
    if as_json:
        print_json(added.to_dict())
        return
    console.print(f"Added the {added.kind} {added.id} ({added.media_type}).")


@app.command("describe")
def describe(
    ctx: typer.Context,
    contribution: ContributionArg,
    alt: Annotated[str | None, typer.Option(help="Alt text.")] = None,
    caption: Annotated[str | None, typer.Option(help="A caption.")] = None,
    words: Annotated[str | None, typer.Option(help="The maker's own words.")] = None,
    public: Annotated[
        bool | None, typer.Option("--public/--private", help="Shown in public or not.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a contribution's alt text, caption, maker's words, and whether it is public."""
    with state(ctx).open(create=False) as ws:
        found = ws.media.describe(
            contribution, alt_text=alt, caption=caption, maker_words=words, public=public
        )
    if as_json:
        print_json(found.to_dict())
        return
    console.print(f"Described {found.id}: {'public' if found.public else 'not public'}.")


@app.command("link")
def link(
    ctx: typer.Context,
    contribution: ContributionArg,
    target_type: Annotated[str, typer.Argument(help="asset, area, factor or partner.")],
    target_id: Annotated[str, typer.Argument(help="Its id (an area's code).")],
) -> None:
    """Say what a contribution is about."""
    with state(ctx).open(create=False) as ws:
        made = ws.event_contributions.link(contribution, target_type, target_id)
    console.print(f"Linked: {made.id}.")


@app.command("unlink")
def unlink(
    ctx: typer.Context,
    contribution: ContributionArg,
    link_id: Annotated[str, typer.Argument(help="The link's id.")],
) -> None:
    """Take one of a contribution's links away."""
    with state(ctx).open(create=False) as ws:
        ws.event_contributions.unlink(contribution, link_id)
    console.print("The link is taken away.")


@app.command("links")
def links(ctx: typer.Context, contribution: ContributionArg, as_json: JsonOpt = False) -> None:
    """What a contribution is about."""
    with state(ctx).open(create=False) as ws:
        found = ws.event_contributions.links(contribution)
    if as_json:
        print_json([x.to_dict() for x in found])
        return
    table = Table("id", "about", "target")
    for x in found:
        table.add_row(x.id, x.target_type, x.target_id)
    console.print(table)


@app.command("gallery")
def gallery(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="One event's.")] = None,
    place: Annotated[str | None, typer.Option(help="A place's events'.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The public media (consented, with alt text; no pseudonyms) of an event or a place."""
    with state(ctx).open(create=False) as ws:
        found = ws.media.gallery(event=event, place=place)
    if as_json:
        print_json([x.to_dict() for x in found])
        return
    table = Table("id", "event", "kind", "alt text", "caption", "by")
    for x in found:
        table.add_row(x.id, x.event_title, x.kind, x.alt_text, x.caption, x.by)
    console.print(table)

"""``mobilise pack``: evidence packs for a place (or places side by side), as PDF and HTML."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, progress_bar, state

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.packs import Pack

AUDIENCE_NAMES = ("board", "community", "funder")  # mobilise.workspace._pack_parts.AUDIENCES

app = typer.Typer(
    help="Evidence packs: a place's key facts, maps, charts and tables as an accessible page "
    "and a PDF, for an ICS board, a community meeting or a funder.",
    no_args_is_help=True,
)

PackArg = Annotated[str, typer.Argument(help="The pack's id (see `mobilise pack list`).")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write the pack here: a .pdf, or a .html page that reads offline."
    ),
]


def _save(ws: Workspace, pack: Pack, output: Path | None) -> None:
    if output is not None:
        ws.packs.save(pack.id, output)


def _print(pack: Pack, output: Path | None, as_json: bool) -> None:
    if as_json:
        print_json({**pack.to_dict(), "output": str(output) if output else None})
        return
    console.print(f"[bold]{pack.title}[/bold] (version {pack.number}): {pack.status}.")
    console.print(f"Pack {pack.id}: {pack.pages or 0} pages.")
    for section in pack.manifest.get("sections", []):
        if not section.get("available", True):
            console.print(f"  Left out: {section['title']}: {section['note']}")
    if output is not None:
        console.print(f"Written to {output}.")


@app.command("build")
def build(
    ctx: typer.Context,
    place: Annotated[str, typer.Option(help="The place (its slug).")],
    compare: Annotated[
        list[str] | None,
        typer.Option(help="Another place to set beside it (its slug; repeatable)."),
    ] = None,
    audience: Annotated[
        str, typer.Option(help=f"Who the pack is for: {', '.join(AUDIENCE_NAMES)}.")
    ] = "board",
    output: OutputOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a dated, versioned evidence pack (kept in the workspace; -o writes it out too)."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        pack = ws.packs.build(place, compare=compare or [], audience=audience, progress=report)
        _save(ws, pack, output)
    _print(pack, output, as_json)


@app.command("rebuild")
def rebuild(
    ctx: typer.Context, pack_id: PackArg, output: OutputOpt = None, as_json: JsonOpt = False
) -> None:
    """Make a pack again from its manifest, on today's data (a new version)."""
    with state(ctx).open(create=False) as ws, progress_bar(not as_json) as report:
        pack = ws.packs.rebuild(pack_id, report)
        _save(ws, pack, output)
    _print(pack, output, as_json)


@app.command("list")
def list_packs(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place's packs.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the packs, newest first."""
    with state(ctx).open(create=False) as ws:
        found = ws.packs.list(place)
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    table = Table("pack", "title", "version", "audience", "status", "pages", "shared", "made")
    for p in found:
        table.add_row(
            p.id,
            p.title,
            str(p.number),
            p.audience,
            p.status,
            str(p.pages or ""),
            "yes" if p.shared else "no",
            f"{p.created_at:%Y-%m-%d %H:%M}",
        )
    console.print(table if found else "No packs yet: try `mobilise pack build --place SLUG`.")


@app.command("show")
def show(ctx: typer.Context, pack_id: PackArg, as_json: JsonOpt = False) -> None:
    """Show a pack's manifest: what it was made from (data versions, runs, settings)."""
    with state(ctx).open(create=False) as ws:
        pack = ws.packs.get(pack_id)
    if as_json:
        print_json({**pack.to_dict(), "manifest": pack.manifest})
        return
    _print(pack, None, False)
    for section in pack.manifest.get("sections", []):
        console.print(f"  {section['title']}: {section.get('inputs', {})}")


@app.command("save")
def save(
    ctx: typer.Context,
    pack_id: PackArg,
    output: Annotated[Path, typer.Argument(help="A .pdf, or a .html page that reads offline.")],
) -> None:
    """Write a stored pack out as a PDF or a stand-alone HTML page."""
    with state(ctx).open(create=False) as ws:
        written = ws.packs.save(pack_id, output)
    console.print(f"{written:,} bytes written to {output}.")


@app.command("share")
def share(ctx: typer.Context, pack_id: PackArg, as_json: JsonOpt = False) -> None:
    """Make (or show) the pack's share link: /p/TOKEN on the web app."""
    with state(ctx).open(create=False) as ws:
        token = ws.packs.share(pack_id)
    if as_json:
        print_json({"pack": pack_id, "token": token, "path": f"/p/{token}"})
    else:
        console.print(f"Shared: /p/{token} (withdraw with `mobilise pack unshare {pack_id}`).")


@app.command("unshare")
def unshare(ctx: typer.Context, pack_id: PackArg) -> None:
    """Withdraw the pack's share link: the link answers 'not found' from now on."""
    with state(ctx).open(create=False) as ws:
        ws.packs.unshare(pack_id)
    console.print(f"The share link of pack {pack_id} is withdrawn.")


@app.command("withdraw")
def withdraw(ctx: typer.Context, pack_id: PackArg) -> None:
    """Withdraw a pack: it leaves the lists, and its share link stops working."""
    with state(ctx).open(create=False) as ws:
        ws.packs.withdraw(pack_id)
    console.print(f"Pack {pack_id} is withdrawn.")

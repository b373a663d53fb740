"""``mobilise assets duplicates`` and ``mobilise assets merge``: reviewing duplicate assets."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

PlaceOpt = Annotated[str | None, typer.Option(help="Only assets in this place (its slug).")]


def duplicates(
    ctx: typer.Context,
    place: PlaceOpt = None,
    include_decided: Annotated[
        bool, typer.Option("--include-decided", help="Also list the pairs kept apart.")
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many pairs in the table.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List pairs of assets that may be the same venue, most likely first."""
    with state(ctx).open(create=False) as ws:
        service = ws.duplicates
        pairs = service.candidates(place=place, include_decided=include_decided)
        clusters = service.clusters(place) if not as_json else []
    if as_json:
        print_json({"total": len(pairs), "items": [p.to_dict() for p in pairs]})
        return
    table = Table(title=f"{len(pairs):,} possible duplicate pairs in {len(clusters):,} groups")
    for column in ("keep?", "or merge?", "sources", "why", "score"):
        table.add_column(column)
    for pair in pairs[:limit]:
        table.add_row(
            f"{escape(pair.a.name)}\n[dim]{pair.a.id}[/]",
            f"{escape(pair.b.name)}\n[dim]{pair.b.id}[/]",
            escape(f"{pair.a.source}\n{pair.b.source}"),
            pair.reason + (f" [bold]({pair.decision})[/]" if pair.decision else ""),
            f"{pair.score:.2f}",
        )
    console.print(table)
    if len(pairs) > limit:
        console.print(f"  ... and {len(pairs) - limit:,} more (--limit, or --json for all)")
    if pairs:
        console.print("  Merge one into the other with: mobilise assets merge KEEP_ID MERGE_ID")


def merge(
    ctx: typer.Context,
    keep_id: Annotated[str, typer.Argument(help="The asset to keep.")],
    merge_id: Annotated[
        str, typer.Argument(help="The asset merged into it (it leaves search and feeds).")
    ],
    note: Annotated[str, typer.Option(help="Why, for the audit trail.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Merge asset MERGE_ID into KEEP_ID: the kept one gains its sources and missing details."""
    with state(ctx).open(create=False) as ws:
        gone = ws.assets.get(merge_id)
        kept = ws.duplicates.merge(keep_id, merge_id, note=note)
    if as_json:
        print_json(kept.to_dict())
        return
    sources = ", ".join(sorted({str(p.get("source", "")) for p in kept.provenance}))
    console.print(
        escape(f"Merged {gone.name!r} ({gone.source}) into {kept.name!r}; its sources: {sources}.")
    )


def register(app: typer.Typer) -> None:
    """Add the ``duplicates`` and ``merge`` commands to ``app`` (``mobilise assets``)."""
    app.command("duplicates")(duplicates)
    app.command("merge")(merge)

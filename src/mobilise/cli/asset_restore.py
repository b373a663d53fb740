"""``mobilise assets delete``, ``deleted`` and ``restore``: taking assets out of the register and
bringing them back."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

AssetIdArg = Annotated[str, typer.Argument(help="The asset's id.")]
VersionOpt = Annotated[
    int | None,
    typer.Option(help="The version you read; a stale one is refused [default: the current one]."),
]


def delete(
    ctx: typer.Context, asset_id: AssetIdArg, version: VersionOpt = None, as_json: JsonOpt = False
) -> None:
    """Delete an asset: it leaves search, the directory and the feeds, and can be restored."""
    with state(ctx).open(create=False) as ws:
        asset = ws.assets.get(asset_id)
        ws.assets.delete(asset_id, version=version)
    if as_json:
        print_json({"id": asset.id, "name": asset.name, "deleted": True})
        return
    console.print(
        escape(f"Deleted {asset.name!r}. Bring it back with: mobilise assets restore {asset.id}")
    )


def deleted(
    ctx: typer.Context,
    page: Annotated[int, typer.Option(min=1, help="Page of the list.")] = 1,
    limit: Annotated[int, typer.Option(min=1, max=500, help="Assets per page.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List the deleted assets, the most recently deleted first."""
    with state(ctx).open(create=False) as ws:
        found = ws.assets.deleted(page=page, per_page=limit)
    if as_json:
        print_json(found.to_dict())
        return
    table = Table(
        title=f"{found.total:,} deleted assets (page {found.page} of {found.total_pages})"
    )
    table.add_column("id", no_wrap=True, min_width=36)  # what `restore` needs, whole
    for column in ("name", "category", "source", "deleted", "by"):
        table.add_column(column)
    for asset in found.items:
        name = escape(asset.name)
        if not asset.restorable:
            name += f"\n[dim]merged into {asset.merged_into}: not restorable[/]"
        table.add_row(
            asset.id,
            name,
            asset.category,
            escape(asset.source),
            f"{asset.deleted_at:%Y-%m-%d %H:%M}",
            escape(asset.deleted_by or ""),
        )
    console.print(table)
    if found.items:
        console.print("  Restore one with: mobilise assets restore ID")


def restore(
    ctx: typer.Context, asset_id: AssetIdArg, version: VersionOpt = None, as_json: JsonOpt = False
) -> None:
    """Restore a deleted asset (a duplicate merged into another cannot be: edit that one)."""
    with state(ctx).open(create=False) as ws:
        asset = ws.assets.restore(asset_id, version=version)
    if as_json:
        print_json(asset.to_dict())
        return
    console.print(
        escape(f"Restored {asset.name!r} ({asset.id}): it is back in search and the feeds.")
    )


def register(app: typer.Typer) -> None:
    """Add ``delete``, ``deleted`` and ``restore`` to ``app`` (``mobilise assets``)."""
    app.command("delete")(delete)
    app.command("deleted")(deleted)
    app.command("restore")(restore)

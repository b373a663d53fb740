"""``mobilise backup`` and ``mobilise restore``: a consistent copy of the workspace, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mobilise.cli._common import JsonOpt, console, print_json, state


def backup(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="Folder the backup is written into, as a new sub-folder "
            "mobilise-backup-<UTC time> [default: $MOBILISE_BACKUP_DIR, else ./backups].",
            show_default=False,
            file_okay=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the workspace: a consistent copy while the app may be writing, with a manifest
    (rows per table, schema, SHA-256 checksum). PostgreSQL needs pg_dump."""
    current = state(ctx)
    target = folder or Path(current.settings.backup_dir or "backups")
    with current.open(create=False) as ws:
        made = ws.backup.create(target)
    if as_json:
        print_json(made.to_dict())
        return
    manifest = made.manifest
    console.print(
        escape(
            f"Backup written to {made.path}: {manifest.rows:,} rows in "
            f"{len(manifest.tables)} tables, schema {manifest.schema_revision}, "
            f"{manifest.size:,} bytes, SHA-256 {manifest.sha256}."
        )
    )


def restore(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="The backup: its folder (mobilise-backup-...) or its manifest.json."),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Restore a backup into the workspace, which must be new and empty (-w names it).

    The checksum and manifest are checked first; afterwards every table's rows are compared with
    the manifest. A backup of an older schema is then brought up to date.
    """
    with state(ctx).open() as ws:
        report = ws.backup.restore(path)
        where = ws.url
    if as_json:
        print_json(report.to_dict())
        return
    manifest = report.backup.manifest
    console.print(
        escape(
            f"Restored {report.backup.path.name} (made {manifest.created_at:%Y-%m-%d %H:%M} UTC "
            f"by {manifest.created_by}) into {where}: {sum(report.tables.values()):,} rows in "
            f"{len(report.tables)} tables, as its manifest counts."
        )
    )
    if report.migrated:
        console.print(
            escape(
                f"  Schema brought up from {manifest.schema_revision} to {report.schema_revision}."
            )
        )

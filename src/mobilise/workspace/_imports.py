"""What the import verbs of areas, indicators and postcodes share: a table handed over or read
from a file, and the audit entry of an import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from mobilise.settings import Limits
from mobilise.store.records import audit
from mobilise.workspace._files import FileSource, reading_path

__all__ = ["audit_import", "table_of"]


def table_of(
    source: FileSource | pd.DataFrame,
    reader: Callable[[Path], pd.DataFrame],
    *,
    name: str | None,
    file: str | None,
    default: str,
    limits: Limits | None = None,
) -> tuple[pd.DataFrame, str]:
    """The table a notebook user handed over, or the one ``reader`` reads from the file (a path,
    bytes or a stream), with the name messages and the audit trail give it: the file's, else
    ``file`` or ``name``, else ``default``."""
    if isinstance(source, pd.DataFrame):
        return source, file or name or default
    with reading_path(source, name=name, limits=limits) as path:
        return reader(path), path.name


def audit_import(
    connection: Connection, actor: str, *, entity_type: str, entity_id: str, summary: str
) -> None:
    """One audit entry for an import; ``entity_id`` is the dataset, or the file when the import
    names no dataset."""
    audit(
        connection,
        actor=actor,
        entity_type=entity_type,
        entity_id=entity_id,
        action="import",
        summary=summary,
    )

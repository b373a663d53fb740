"""The media files of a backup (private to :mod:`mobilise.workspace.backup`): copied from the
workspace's media folder into the backup's ``media/`` folder, checked, and copied back into a
restored workspace's media folder. A file's name is its SHA-256, as in the media folder."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["MEDIA_FOLDER", "check_media", "copy_media", "restore_media", "sha256_of"]

MEDIA_FOLDER = "media"
log = logging.getLogger("mobilise.backup")


def sha256_of(path: Path) -> str:
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def copy_media(workspace: Workspace, target: Path) -> dict[str, int]:
    """Copy the media files the database refers to into ``target``; SHA-256 -> size of each.

    Read after the database is copied: files are written before the rows that name them and
    never removed, so every file the copy names is there (and perhaps a newer one). A file
    missing from, or damaged in, the media folder is logged and left out (the backup of all
    the rest goes on), and the manifest names only the files the backup holds."""
    from sqlalchemy import inspect, select

    from mobilise.store.tables import event_contributions
    from mobilise.workspace.media import media_folder

    column = event_contributions.c.media_hash
    with workspace.read() as connection:
        found = inspect(connection)
        if not found.has_table(event_contributions.name) or column.name not in {
            c["name"] for c in found.get_columns(event_contributions.name)
        }:
            return {}  # a workspace at a schema from before media files
        hashes = sorted(connection.execute(select(column).where(column.is_not(None)).distinct()))
    if not hashes:
        return {}
    source = media_folder(workspace)
    target.mkdir()
    copied: dict[str, int] = {}
    for (digest,) in hashes:
        path = source / digest
        if not path.is_file():
            log.warning("media file %s is missing from %s: not in the backup", digest, source)
            continue
        shutil.copyfile(path, target / digest)
        if sha256_of(target / digest) != digest:
            log.warning("media file %s in %s is damaged: not in the backup", digest, source)
            (target / digest).unlink()
            continue
        copied[digest] = (target / digest).stat().st_size
    return copied


def check_media(folder: Path, media: Mapping[str, int]) -> None:
    """Every media file of the manifest is in the backup, of its size and checksum."""
    problems = []
    for digest, size in sorted(media.items()):
        path = folder / MEDIA_FOLDER / digest
        name = f"{MEDIA_FOLDER}/{digest}"
        if not path.is_file():
            problems.append(Problem("missing", file=name))
        elif path.stat().st_size != size or sha256_of(path) != digest:
            problems.append(Problem("is not the file it was (size or SHA-256)", file=name))
    if problems:
        raise ValidationError(
            f"The backup {folder} is damaged: {len(problems):,} of its media files are missing "
            "or changed.",
            problems=problems,
        )


def restore_media(workspace: Workspace, source: Path, media: Mapping[str, int]) -> int:
    """Copy a backup's media files into the workspace's media folder (a file already there
    under its checksum is kept), each written whole and checked; how many were copied."""
    if not media:
        return 0
    from mobilise.workspace.media import media_folder

    target = media_folder(workspace)  # ConfigurationError (no folder) before any change
    copied = 0
    for digest in sorted(media):
        final = target / digest
        if final.is_file() and sha256_of(final) == digest:
            continue
        partial = target / f".restoring-{digest}"
        shutil.copyfile(source / digest, partial)
        if sha256_of(partial) != digest:
            partial.unlink()
            raise ValidationError(
                f"The media file {digest} changed while it was restored into {target}.",
                problems=[Problem("checksum differs", file=f"{MEDIA_FOLDER}/{digest}")],
            )
        os.replace(partial, final)
        copied += 1
    return copied

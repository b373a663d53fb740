"""One convention for every file the workspace reads or writes.

Every import verb takes a :data:`FileSource` — a path, the bytes of a file, or a binary stream
(an upload) — and parses it here in the workspace, through :mod:`mobilise.formats`. Every export
verb takes a :data:`FileTarget` — a path, or a writable binary stream (a web response). The faces
hand over what they were given and never parse or write files themselves.

Readers that need a path (GeoPackage, shapefiles, workbooks) get one: bytes and streams are copied
under the file's own name into a private temporary folder, so that messages name the file the user
chose and its suffix still says its format.

Given the workspace's ``limits``, an upload (bytes or a stream) larger than ``max_upload_mb`` is
refused, a stream while it is copied (never read whole first); a file given by its path is the
user's own and is not limited by size.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from mobilise.errors import Problem, ValidationError
from mobilise.settings import Limits

__all__ = [
    "FileSource",
    "FileTarget",
    "read_bytes",
    "reading_path",
    "source_name",
    "write_bytes",
    "writing_path",
]

FileSource = str | os.PathLike[str] | bytes | BinaryIO
"""A file to import: its path, its bytes, or a binary stream open for reading."""

FileTarget = str | os.PathLike[str] | BinaryIO
"""Where an export goes: a path, or a binary stream open for writing."""

_UNSAFE = re.compile(r"[^\w.\- ]")


def source_name(source: FileSource | FileTarget, name: str | None = None) -> str:
    """The file's name for messages: ``name`` when given, else the path's or stream's name.

    A path's name is kept as it is; a name that comes with bytes or a stream (an upload's) keeps
    only its last part, so a client's file name never chooses a folder.
    """
    if not name and isinstance(source, str | os.PathLike):
        return Path(source).name
    found = name or str(getattr(source, "name", "") or "upload")
    return Path(found.replace("\\", "/")).name.strip() or "upload"


def _safe_name(name: str) -> str:
    """A file name safe to create in a private folder (for a copy of bytes or a stream)."""
    return _UNSAFE.sub("_", name).strip(" .") or "upload"


def read_bytes(
    source: FileSource, *, name: str | None = None, limits: Limits | None = None
) -> bytes:
    """The whole file as bytes (an upload refused past ``limits.max_upload_mb``)."""
    if isinstance(source, bytes):
        _check_upload(len(source), source_name(source, name), limits)
        return source
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes()
        except OSError as error:
            raise _unreadable(source_name(source, name), error) from None
    if limits is None:
        return source.read()
    data = source.read(limits.upload_bytes + 1)
    _check_upload(len(data), source_name(source, name), limits)
    return data


@contextmanager
def reading_path(
    source: FileSource, *, name: str | None = None, limits: Limits | None = None
) -> Iterator[Path]:
    """A path to read the file from: the file itself, or a private copy of bytes or a stream
    under the file's name (removed afterwards; an upload refused past ``limits``)."""
    if isinstance(source, str | os.PathLike):
        yield Path(source)
        return
    file_name = source_name(source, name)
    with tempfile.TemporaryDirectory(prefix="mobilise-") as folder:
        path = Path(folder) / _safe_name(file_name)
        if isinstance(source, bytes):
            _check_upload(len(source), file_name, limits)
            path.write_bytes(source)
        else:
            with path.open("wb") as copy:
                _copy(source, copy, file_name, limits)
        yield path


def _copy(source: BinaryIO, target: BinaryIO, name: str, limits: Limits | None) -> None:
    """Copy a stream, counting against the upload limit as it goes."""
    if limits is None:
        shutil.copyfileobj(source, target)
        return
    copied = 0
    while chunk := source.read(1024 * 1024):
        copied += len(chunk)
        _check_upload(copied, name, limits)
        target.write(chunk)


def _check_upload(size: int, name: str, limits: Limits | None) -> None:
    if limits is not None and size > limits.upload_bytes:
        message = (
            f"the file is larger than {limits.max_upload_mb} MB (the limit max_upload_mb, set "
            "by MOBILISE_MAX_UPLOAD_MB)"
        )
        raise ValidationError(
            f"File {name} is over a limit: {message}.", problems=[Problem(message, file=name)]
        )


@contextmanager
def writing_path(target: FileTarget, *, name: str) -> Iterator[Path]:
    """A path to write the export to; the target gets it only once it is complete.

    For a path, the writer writes beside it and the result is moved into place at the end, so a
    writer that fails leaves nothing half-written. For a stream, the writer writes a private file
    whose bytes are then copied to the stream.
    """
    if isinstance(target, str | os.PathLike):
        final = Path(target)
        if final.is_dir():
            raise ValidationError(
                f"Cannot write {final}: it is a folder; name a file in it.",
                problems=[Problem("this is a folder; give a file name", file=final.name)],
            )
        final.parent.mkdir(parents=True, exist_ok=True)
        # The partial file keeps the suffix: some writers (GDAL) choose their driver by it.
        partial = final.with_name(f".{final.stem}.{secrets.token_hex(4)}.partial{final.suffix}")
        try:
            yield partial
            if partial.is_dir() and final.exists():
                raise ValidationError(
                    f"Cannot write {final}: it already exists.",
                    problems=[Problem("choose a new folder name", file=final.name)],
                )
            os.replace(partial, final)
        finally:
            if partial.is_dir():
                shutil.rmtree(partial, ignore_errors=True)
            else:
                partial.unlink(missing_ok=True)
        return
    with tempfile.TemporaryDirectory(prefix="mobilise-") as folder:
        path = Path(folder) / _safe_name(source_name(target, name))
        yield path
        with path.open("rb") as written:
            shutil.copyfileobj(written, target)


def write_bytes(target: FileTarget, data: bytes, *, name: str = "export") -> None:
    """Write a whole export to its target (a path is replaced only once it is written)."""
    if isinstance(target, str | os.PathLike):
        with writing_path(target, name=name) as path:
            path.write_bytes(data)
    else:
        target.write(data)


def _unreadable(name: str, error: OSError) -> ValidationError:
    message = f"cannot read the file: {error.strerror or error}"
    return ValidationError(f"Cannot read {name}.", problems=[Problem(message, file=name)])

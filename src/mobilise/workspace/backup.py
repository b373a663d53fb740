"""Backups of a workspace, restoring one into an empty workspace, and backups on a schedule.

A backup is a folder named ``mobilise-backup-<UTC time>`` (``mobilise-backup-20260501T020000Z``)
holding:

``database.sqlite`` or ``database.pgdump``
    A consistent copy of the database, made while the app may be writing: SQLite's online backup
    API, or ``pg_dump --format=custom`` for PostgreSQL (see :mod:`._backup_db`).
``media/``
    The media files the database refers to (event contributions' photos, drawings, clips), each
    under its SHA-256 as in the workspace's media folder (:mod:`mobilise.workspace.media`).
``manifest.json``
    What the copy is (:class:`BackupManifest`): the mobilise version and schema revision that made
    it, the kind of database, the rows of every table, when and by whom it was made, the size
    and SHA-256 checksum of the data file, and the size of every media file (its name is its
    checksum).

A backup is written under a hidden name (``.partial-mobilise-backup-...``) and renamed once whole,
so a folder with a backup's name always holds a complete backup.

Restoring checks the manifest and the checksums (the data file's and every media file's) before
writing anything, refuses a workspace that holds any rows, copies the media files into the
workspace's media folder (each checked again once written), restores the database, then compares
the rows of every table with the manifest. A backup made
at an older schema revision is then migrated forward, as opening it would.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobilise.errors import ConfigurationError, Conflict, Problem, ValidationError
from mobilise.store.engine import MIGRATIONS, current_revision, head_revision, migrate
from mobilise.workspace import _backup_db as db
from mobilise.workspace._backup_media import (
    MEDIA_FOLDER,
    check_media,
    copy_media,
    restore_media,
    sha256_of,
)
from mobilise.workspace._schedule import Repeating

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "DATA_FILES",
    "MANIFEST_NAME",
    "Backup",
    "BackupManifest",
    "BackupSchedule",
    "BackupService",
    "RestoreReport",
]

FORMAT = "mobilise-backup"
FORMAT_VERSION = 2  # 2: media files (version 1 backups hold none)
MANIFEST_NAME = "manifest.json"
DATA_FILES = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
"""The data file of a backup, by kind of database."""
PREFIX = "mobilise-backup-"
TRIGGERS = ("manual", "scheduled")
_SHA256 = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger("mobilise.backup")


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds (``manifest.json``)."""

    mobilise_version: str
    schema_revision: str
    database: str
    file: str
    size: int
    sha256: str
    created_at: datetime
    created_by: str
    trigger: str
    tables: dict[str, int]
    media: dict[str, int] = field(default_factory=dict)  # SHA-256 -> size of each media file

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat().replace("+00:00", "Z")
        return {"format": FORMAT, "format_version": FORMAT_VERSION, **data}

    @classmethod
    def from_dict(cls, data: Any, *, file: str) -> BackupManifest:
        """The manifest in ``data`` (read from ``file``), with every problem at once."""
        if not isinstance(data, dict):
            raise _invalid([Problem("not a JSON object", file=file)], file)
        problems = [Problem(m, file=file, field=f) for f, m in _manifest_problems(data)]
        if problems:
            raise _invalid(problems, file)
        return cls(
            mobilise_version=data["mobilise_version"],
            schema_revision=data["schema_revision"],
            database=data["database"],
            file=data["file"],
            size=data["size"],
            sha256=data["sha256"],
            created_at=datetime.fromisoformat(data["created_at"]),
            created_by=data["created_by"],
            trigger=data["trigger"],
            tables=dict(data["tables"]),
            media=dict(data.get("media", {})),
        )


def _invalid(problems: list[Problem], file: str) -> ValidationError:
    return ValidationError(f"{file} is not a mobilise backup manifest.", problems=problems)


def _manifest_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each field of a manifest that is missing or wrong."""
    problems: list[tuple[str, str]] = []
    if data.get("format") != FORMAT:
        problems.append(("format", f"must be {FORMAT!r}"))
    version = data.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        problems.append(("format_version", f"must be 1 to {FORMAT_VERSION} (a newer mobilise?)"))
    for key in ("mobilise_version", "schema_revision", "created_by"):
        if not isinstance(data.get(key), str):
            problems.append((key, "must be text"))
    database = data.get("database")
    if database not in DATA_FILES:
        problems.append(("database", f"must be one of {', '.join(DATA_FILES)}"))
    elif data.get("file") != DATA_FILES[database]:
        problems.append(("file", f"must be {DATA_FILES[database]!r}"))
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problems.append(("size", "must be a whole number of bytes"))
    if not isinstance(data.get("sha256"), str) or not _SHA256.fullmatch(data["sha256"]):
        problems.append(("sha256", "must be 64 lower-case hexadecimal digits"))
    try:
        datetime.fromisoformat(str(data.get("created_at")))
    except ValueError:
        problems.append(("created_at", "must be an ISO 8601 time"))
    if data.get("trigger") not in TRIGGERS:
        problems.append(("trigger", f"must be one of {', '.join(TRIGGERS)}"))
    tables = data.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in tables.values()
    ):
        problems.append(("tables", "must map each table to its number of rows"))
    media = data.get("media", {})
    if not isinstance(media, dict) or not all(
        isinstance(h, str) and _SHA256.fullmatch(h) and isinstance(n, int) and n >= 0
        for h, n in media.items()
    ):
        problems.append(("media", "must map each media file's SHA-256 to its size in bytes"))
    return problems


@dataclass(frozen=True)
class Backup:
    """A backup folder and its manifest."""

    path: Path
    manifest: BackupManifest

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "name": self.path.name, **self.manifest.to_dict()}


@dataclass(frozen=True)
class RestoreReport:
    """What a restore did: the backup, the rows found in every table (equal to the manifest's),
    and the schema revision the workspace is at now (newer than the backup's if migrated)."""

    backup: Backup
    tables: dict[str, int]
    schema_revision: str | None
    media: int = 0  # media files copied into the workspace's media folder

    @property
    def migrated(self) -> bool:
        return self.schema_revision != self.backup.manifest.schema_revision

    def to_dict(self) -> dict[str, Any]:
        return {
            "backup": self.backup.to_dict(),
            "tables": self.tables,
            "rows": sum(self.tables.values()),
            "schema_revision": self.schema_revision,
            "migrated": self.migrated,
            "media_files": self.media,
        }


class BackupService:
    """Back up the workspace, read and check backups, restore one into an empty workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def _kind(self) -> str:
        kind = self._ws.dialect
        if kind not in DATA_FILES:
            raise ConfigurationError(f"Cannot back up a {kind} database: use SQLite or PostgreSQL.")
        return kind

    def create(self, folder: str | os.PathLike[str], *, trigger: str = "manual") -> Backup:
        """Write a backup of the workspace into a new folder inside ``folder`` (made if needed).

        The copy is consistent while the app goes on writing. ``trigger`` says who asked:
        ``manual`` or ``scheduled`` (only scheduled backups are pruned).

        Raises
        ------
        mobilise.errors.ValidationError
            When ``folder`` cannot be written.
        mobilise.errors.ConfigurationError
            When a PostgreSQL workspace has no ``pg_dump``, or it fails.
        """
        if trigger not in TRIGGERS:
            raise ValueError(f"trigger must be one of {TRIGGERS}")
        kind = self._kind()
        parent = Path(folder)
        created = datetime.now(UTC).replace(microsecond=0)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            final = _free_name(parent, created)
            partial = parent / f".partial-{final.name}"
            partial.mkdir()
        except OSError as error:
            raise _unwritable(parent, error) from None
        try:
            data_file = partial / DATA_FILES[kind]
            copy = db.copy_sqlite if kind == "sqlite" else db.dump_postgresql
            tables = copy(self._ws.engine, data_file)
            media = copy_media(self._ws, partial / MEDIA_FOLDER)
            manifest = BackupManifest(
                mobilise_version=_version(),
                schema_revision=self._ws.schema_revision or "",
                database=kind,
                file=data_file.name,
                size=data_file.stat().st_size,
                sha256=sha256_of(data_file),
                created_at=created,
                created_by=self._ws.actor,
                trigger=trigger,
                tables=tables,
                media=media,
            )
            text = json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False)
            (partial / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")
            partial.rename(final)
        except OSError as error:
            shutil.rmtree(partial, ignore_errors=True)
            raise _unwritable(parent, error) from None
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return Backup(final, manifest)

    def read(self, path: str | os.PathLike[str]) -> Backup:
        """The backup at ``path`` (its folder or its ``manifest.json``), checked: a whole
        manifest, and a data file of the size and SHA-256 checksum it states.

        Raises
        ------
        mobilise.errors.ValidationError
            Naming the file and field of each problem (a corrupted copy fails its checksum).
        """
        folder = Path(path)
        if folder.name == MANIFEST_NAME and folder.is_file():
            folder = folder.parent
        manifest = _read_manifest(folder)
        data_file = folder / manifest.file
        if not data_file.is_file():
            raise ValidationError(
                f"The backup {folder} has no {manifest.file}.",
                problems=[Problem("missing", file=manifest.file)],
            )
        problems = []
        size = data_file.stat().st_size
        if size != manifest.size:
            problems.append(f"is {size:,} bytes, the manifest says {manifest.size:,}")
        found = sha256_of(data_file)
        if found != manifest.sha256:
            problems.append(f"has SHA-256 {found}, the manifest says {manifest.sha256}")
        if problems:
            raise ValidationError(
                f"The backup {folder} is damaged: {manifest.file} is not the file it was.",
                problems=[Problem(p, file=manifest.file, field="sha256") for p in problems],
            )
        check_media(folder, manifest.media)
        return Backup(folder, manifest)

    def list(self, folder: str | os.PathLike[str]) -> builtins.list[Backup]:
        """The complete backups in ``folder``, newest first (from their manifests; checksums
        are checked by :meth:`read`). An unreadable manifest is left out."""
        found = []
        for path in Path(folder).glob(f"{PREFIX}*"):
            try:
                found.append(Backup(path, _read_manifest(path)))
            except ValidationError:
                continue
        return sorted(found, key=lambda b: (b.manifest.created_at, b.path.name), reverse=True)

    def prune(self, folder: str | os.PathLike[str], *, keep: int) -> builtins.list[Path]:
        """Remove all but the newest ``keep`` scheduled backups in ``folder``; the removed
        folders. Backups made by hand are never removed."""
        scheduled = [b for b in self.list(folder) if b.manifest.trigger == "scheduled"]
        removed = [b.path for b in scheduled[max(keep, 1) :]]
        for path in removed:
            shutil.rmtree(path, ignore_errors=True)
        return removed

    def restore(self, path: str | os.PathLike[str]) -> RestoreReport:
        """Restore the backup at ``path`` into this workspace, which must hold no rows.

        Checks the manifest and the checksum first; afterwards, that every table holds the
        rows the manifest counts. A backup of an older schema is then migrated forward.

        Raises
        ------
        mobilise.errors.ValidationError
            When the backup is damaged, of another kind of database, of a schema this mobilise
            does not know, or the restored rows differ from the manifest.
        mobilise.errors.Conflict
            When the workspace is not empty (nothing is changed).
        """
        backup = self.read(path)
        manifest = backup.manifest
        kind = self._kind()
        if manifest.database != kind:
            raise ValidationError(
                f"The backup {backup.path} is of a {manifest.database} workspace; restore it "
                f"into a {manifest.database} workspace, not this {kind} one.",
                problems=[Problem(f"is {manifest.database}", file=MANIFEST_NAME, field="database")],
            )
        _check_revision(manifest)
        self._check_empty()
        media = restore_media(self._ws, backup.path / MEDIA_FOLDER, manifest.media)
        data_file = backup.path / manifest.file
        if kind == "sqlite":
            _compare(db.file_rows(data_file), manifest, where=f"{backup.path.name}'s copy")
            db.restore_sqlite(self._ws.engine, data_file)
        else:
            db.restore_postgresql(self._ws.engine, data_file)
        with self._ws.read() as connection:
            tables = db.count_rows(connection)
        _compare(tables, manifest, where="the restored workspace")
        migrate(self._ws.engine)
        return RestoreReport(backup, tables, current_revision(self._ws.engine), media)

    def _check_empty(self) -> None:
        from mobilise.store.tables import metadata

        with self._ws.read() as connection:
            rows = db.count_rows(connection)
        # the record tables only: an index kept in tables of its own (SQLite's full-text
        # search keeps its settings in rows) holds rows in a new workspace too
        filled = {t: n for t, n in rows.items() if n and t in metadata.tables}
        if filled:
            shown = ", ".join(f"{t} ({n:,} rows)" for t, n in sorted(filled.items())[:5])
            raise Conflict(
                f"The workspace {self._ws.url} is not empty ({shown}{', ...' if len(filled) > 5 else ''}"
                "): a backup is restored only into a new, empty workspace. Nothing was changed."
            )


def _version() -> str:
    from mobilise import __version__

    return __version__


def _unwritable(folder: Path, error: OSError) -> ValidationError:
    reason = error.strerror or str(error)
    return ValidationError(
        f"Cannot write a backup into {folder}: {reason}.",
        problems=[Problem(reason, file=str(folder))],
    )


def _free_name(parent: Path, created: datetime) -> Path:
    """A backup folder name not taken yet (two backups in one second get ``-2``, ``-3``...)."""
    stem = PREFIX + created.strftime("%Y%m%dT%H%M%SZ")
    candidate, number = parent / stem, 1
    while candidate.exists() or (parent / f".partial-{candidate.name}").exists():
        number += 1
        candidate = parent / f"{stem}-{number}"
    return candidate


def _read_manifest(folder: Path) -> BackupManifest:
    path = folder / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(
            f"{folder} is not a mobilise backup: it has no {MANIFEST_NAME}.",
            problems=[Problem("missing", file=MANIFEST_NAME)],
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = Problem(f"cannot be read: {error}", file=MANIFEST_NAME)
        raise _invalid([problem], MANIFEST_NAME) from None
    return BackupManifest.from_dict(data, file=MANIFEST_NAME)


def _check_revision(manifest: BackupManifest) -> None:
    """Refuse a backup whose schema revision this mobilise's migrations do not know."""
    revision = manifest.schema_revision
    if revision == head_revision():
        return
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        known = ScriptDirectory.from_config(config).get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise ValidationError(
            f"The backup was made by mobilise {manifest.mobilise_version} at schema revision "
            f"{revision!r}, which mobilise {_version()} does not know: restore it with that "
            "version of mobilise or a newer one.",
            problems=[Problem("unknown revision", file=MANIFEST_NAME, field="schema_revision")],
        )


def _compare(found: Mapping[str, int], manifest: BackupManifest, *, where: str) -> None:
    """Every table of the manifest holds its rows in ``found``; other tables are empty."""
    problems = [
        Problem(f"{where} has {found.get(t, 0):,} rows, the manifest says {n:,}", field=t)
        for t, n in sorted(manifest.tables.items())
        if found.get(t, 0) != n
    ]
    problems += [
        Problem(f"{where} has {n:,} rows in a table the manifest does not list", field=t)
        for t, n in sorted(found.items())
        if t not in manifest.tables and n
    ]
    if problems:
        raise ValidationError(
            f"The rows of {where} differ from the backup's manifest: do not use it; restore the "
            "backup again into a new, empty workspace.",
            problems=problems,
        )


class BackupSchedule(Repeating):
    """Backups on a schedule, in a thread, while a server runs.

    One backup every ``every`` into ``folder`` (the first when the newest scheduled backup
    there is ``every`` old, so restarting the server does not put it off), keeping the newest
    ``keep`` scheduled backups. A failed backup is logged (``mobilise.backup``) and the next one
    tried on time: it never stops the server.
    """

    def __init__(
        self,
        workspace: Workspace,
        folder: str | os.PathLike[str],
        *,
        every: timedelta,
        keep: int,
        report: Callable[[Backup], None] | None = None,
    ) -> None:
        if every <= timedelta(0):
            raise ConfigurationError("Scheduled backups need a positive interval.")
        if keep < 1:
            raise ConfigurationError("MOBILISE_BACKUP_KEEP must be 1 or more.")
        super().__init__(
            every, name="mobilise-backups", what=f"scheduled backup into {Path(folder)}"
        )
        self.workspace = workspace
        self.folder = Path(folder)
        self.keep = keep
        self._report = report or (lambda b: log.info("scheduled backup written: %s", b.path))

    def next_due(self) -> datetime:
        """When the next backup is due: ``every`` after the newest scheduled one, or now."""
        service = self.workspace.backup
        scheduled = [b for b in service.list(self.folder) if b.manifest.trigger == "scheduled"]
        return scheduled[0].manifest.created_at + self.every if scheduled else datetime.now(UTC)

    def run_once(self) -> Backup:
        """Write one scheduled backup and prune the old ones."""
        backup = self.workspace.backup.create(self.folder, trigger="scheduled")
        self.workspace.backup.prune(self.folder, keep=self.keep)
        self._report(backup)
        return backup

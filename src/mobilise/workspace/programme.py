"""The programme workspace: gathering many projects' packages and synthesising them.

A programme team (a funder, a national centre, an ICS with many neighbourhood projects) adds each
project's package (:mod:`mobilise.formats.project_package`), from a file, an upload, or an
address the project serves it at (:meth:`ProgrammeService.follow`, then
:meth:`~ProgrammeService.pull`, on a schedule while ``mobilise serve`` runs with
``MOBILISE_PROGRAMME_PULL_HOURS``). Every package is validated; one that fails is refused with
every problem named and nothing is stored.

Releases: a project's package carries a release number that grows with each export. The newest
release is ``current``; older ones are kept as ``history``. The same release twice is a no-op
(said plainly); a release lower than the current one is refused, as is the same release number
with different contents.

:meth:`~ProgrammeService.synthesis` compares the current packages
(:func:`mobilise.analysis.programme.synthesise`). Pooled reach uses the figures *held* for each
project (``programme_reach_held``): a new release moves a project's cell only when it changed by
at least the workspace's ``disclosure_k``, so no one is found by subtracting two releases.

The token of a followed project is stored as the project issued it: it is needed to pull. Treat
the programme workspace as holding those secrets (the tokens only read the package, which holds
nothing personal; a project can withdraw its token at any time).
"""

from __future__ import annotations

import builtins
import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.store.records import audit, insert_record, now, update_record
from mobilise.store.tables import programme_projects, programme_reach_held, programme_releases
from mobilise.workspace._files import FileSource, read_bytes, source_name
from mobilise.workspace._programme_store import (
    ProgrammeProject,
    ProgrammeRelease,
    PullOutcome,
    StoredPackage,
    held_frame,
    keep_held,
    tables_to_json,
)

if TYPE_CHECKING:
    import httpx

    from mobilise.analysis.programme import ProgrammeSynthesis
    from mobilise.workspace.core import Workspace

__all__ = [
    "ProgrammeProject",
    "ProgrammeRelease",
    "ProgrammeService",
    "ProgrammeSynthesis",
    "PullOutcome",
]

ENTITY = "programme project"


def __getattr__(name: str) -> Any:
    if name == "ProgrammeSynthesis":  # the analysis (pandas) loads only when asked for
        from mobilise.analysis.programme import ProgrammeSynthesis

        return ProgrammeSynthesis
    raise AttributeError(name)


def _release(
    row: Any, title: str = "", *, added: bool = True, message: str = ""
) -> ProgrammeRelease:
    meta = dict(row.meta or {})
    return ProgrammeRelease(
        id=row.id,
        project_key=row.project_key,
        release=row.release,
        sha256=row.sha256,
        released_at=row.released_at,
        received_at=row.received_at,
        source=row.source,
        status=row.status,
        title=title or str(meta.get("title", "")),
        meta=meta,
        public=dict(row.public or {}),
        resources=sorted((row.public or {}).keys()),
        methods=list(row.methods or []),
        added=added,
        message=message,
    )


_RELEASE_COLUMNS = [c for c in programme_releases.c if c.name not in ("package", "tables")]


class ProgrammeService:
    """``ws.programme``: the projects of a programme, their packages and the synthesis."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- adding packages -------------------------------------------------------------------

    def add(
        self, source: FileSource, *, name: str = "package", origin: str = "file"
    ) -> ProgrammeRelease:
        """Add a project's package (a path to a ``.zip`` or a package folder, bytes, or a
        stream); ``origin`` (``file``, ``upload``, ``url``) is recorded with the release.

        Raises
        ------
        ValidationError
            Naming every problem of a package that fails (nothing is stored).
        Conflict
            For a release older than the project's current one, or the same release number
            with other contents.
        """
        shown = source_name(source, name if name != "package" else None)
        data = self._package_bytes(source, shown)
        return self._add_bytes(data, shown, origin=origin)

    def _package_bytes(self, source: FileSource, shown: str) -> bytes:
        if isinstance(source, str | Path) and Path(source).is_dir():
            return _zip_folder(Path(source), self._ws.limits.max_upload_mb)
        return read_bytes(source, name=shown, limits=self._ws.limits)

    def _k(self) -> int:
        return int(self._ws.project_settings.get("disclosure_k"))

    def _add_bytes(
        self, data: bytes, shown: str, *, origin: str, follow: tuple[str, str, int] | None = None
    ) -> ProgrammeRelease:
        from mobilise.analysis.programme import hold_reach
        from mobilise.formats.project_package import read_package, sha256

        k = self._k()
        package = read_package(data, name=shown, k=k, limits=self._ws.limits)
        digest = sha256(data)
        meta, key, number = package.meta, str(package.meta["key"]), int(package.meta["release"])
        with self._ws.write() as connection:
            project = connection.execute(
                select(programme_projects).where(programme_projects.c.id == key)
            ).first()
            same = self._same_release(connection, key, number, digest, meta)
            if same is not None:
                if follow is not None:
                    self._store_follow(connection, project, follow)
                return same
            if project is not None and (project.current_release or 0) > number:
                raise Conflict(
                    f"{shown}: release {number} of {meta.get('title')!r} is older than the "
                    f"current release {project.current_release}; nothing was added."
                )
            self._store_project(connection, project, meta, number, origin, follow)
            connection.execute(
                update(programme_releases)
                .where(programme_releases.c.project_key == key)
                .values(status="history")
            )
            row = insert_record(
                connection,
                programme_releases,
                {
                    "project_key": key,
                    "release": number,
                    "sha256": digest,
                    "meta": meta,
                    "tables": tables_to_json(package.tables),
                    "public": dict(package.public),
                    "methods": _used_methods(package.tables.get("methods")),
                    "package": data,
                    "released_at": str(meta.get("released_at") or ""),
                    "received_at": now(),
                    "source": origin,
                    "status": "current",
                },
                actor=self._ws.actor,
                entity_type="programme release",
                omit_from_audit=("package", "tables", "meta"),
            )
            reach = package.tables.get("reach")
            if reach is not None:
                before = held_frame(connection, [key]).get(key)
                keep_held(
                    connection, key, hold_reach(before, reach, k=k, release=number), self._ws.actor
                )
        return ProgrammeRelease(
            id=row["id"], project_key=key, release=number, sha256=digest,
            released_at=row["released_at"], received_at=row["received_at"], source=origin,
            status="current", title=str(meta.get("title", "")), meta=meta,
            public=dict(package.public), resources=sorted(package.public),
            methods=_used_methods(package.tables.get("methods")),
            message=f"Added release {number} of {meta.get('title')!r}.",
        )  # fmt: skip

    def _same_release(
        self, connection: Connection, key: str, number: int, digest: str, meta: dict[str, Any]
    ) -> ProgrammeRelease | None:
        row = connection.execute(
            select(*_RELEASE_COLUMNS).where(
                programme_releases.c.project_key == key, programme_releases.c.release == number
            )
        ).first()
        if row is None:
            return None
        if row.sha256 != digest:
            raise Conflict(
                f"Release {number} of {meta.get('title')!r} is already held with other "
                "contents: a changed package must carry a higher release number (export it "
                "again); nothing was added."
            )
        return _release(
            row,
            added=False,
            message=f"Release {number} of {meta.get('title')!r} is already held; nothing changed.",
        )

    def _store_project(
        self,
        connection: Connection,
        project: Any,
        meta: dict[str, Any],
        number: int,
        origin: str,
        follow: tuple[str, str, int] | None,
    ) -> None:
        values: dict[str, Any] = {
            "title": str(meta.get("title", ""))[:300],
            "lead_organisation": str(meta.get("lead_organisation") or "")[:300],
            "current_release": number,
        }
        if follow is not None:
            values.update(url=follow[0], token=follow[1], every_hours=follow[2], source="url")
            values.update(last_pulled_at=now(), last_pull_error="")
        if project is None:
            insert_record(
                connection,
                programme_projects,
                {"id": str(meta["key"]), "source": origin, **values},
                actor=self._ws.actor,
                entity_type=ENTITY,
                omit_from_audit=("token",),
            )
        else:
            update_record(
                connection, programme_projects, project.id, values, expected_version=None,
                actor=self._ws.actor, entity_type=ENTITY, omit_from_audit=("token",),
            )  # fmt: skip

    def _store_follow(
        self, connection: Connection, project: Any, follow: tuple[str, str, int]
    ) -> None:
        url, token, every = follow
        update_record(
            connection, programme_projects, project.id,
            {"url": url, "token": token, "every_hours": every, "last_pulled_at": now(),
             "last_pull_error": ""},
            expected_version=None, actor=self._ws.actor, entity_type=ENTITY,
            omit_from_audit=("token",),
        )  # fmt: skip

    def add_folder(self, folder: str | Path) -> builtins.list[PullOutcome]:
        """Add every package in ``folder`` (``*.zip`` files and package folders, in name
        order), each on its own: one refused does not stop the others."""
        root = Path(folder)
        if not root.is_dir():
            raise NotFound(f"No folder {str(folder)!r}.")
        found = sorted(
            p for p in root.iterdir()
            if (p.is_file() and p.suffix.lower() == ".zip") or (p / "datapackage.json").is_file()
        )  # fmt: skip
        if not found:
            raise ValidationError(
                f"{root}: no package in it (a package is a .zip, or a folder holding "
                "datapackage.json)."
            )
        return [self._outcome(path.name, lambda p=path: self.add(p)) for path in found]

    def _outcome(self, shown: str, adding: Any) -> PullOutcome:
        try:
            release: ProgrammeRelease = adding()
        except (ValidationError, Conflict) as error:
            return PullOutcome(
                shown, "failed", error.message, problems=[str(p) for p in error.problems]
            )
        return PullOutcome(
            shown,
            "added" if release.added else "unchanged",
            release.message,
            project_key=release.project_key,
            title=release.title,
            release=release.release,
        )

    # -- following and pulling -------------------------------------------------------------

    def follow(
        self, url: str, token: str, *, every_hours: int = 24, client: httpx.Client | None = None
    ) -> ProgrammeProject:
        """Follow a project serving its package at ``url`` with ``token``: fetched now (so a
        wrong address or token is said at once), then pulled every ``every_hours``."""
        from mobilise.workspace._programme_pull import PullFailed, check_address, fetch_package

        address, secret = check_address(url, token)
        if (
            isinstance(every_hours, bool)
            or not isinstance(every_hours, int)
            or not 1 <= every_hours <= 24 * 366
        ):
            raise ValidationError(
                "Cannot follow that project.",
                problems=[
                    Problem(
                        "every_hours must be a whole number from 1 to 8784", field="every_hours"
                    )
                ],
            )
        try:
            data = fetch_package(address, secret, limits=self._ws.limits, client=client)
        except PullFailed as error:
            raise ValidationError(
                "Cannot follow that project.", problems=[Problem(str(error), field="url")]
            ) from None
        release = self._add_bytes(
            data, address, origin="url", follow=(address, secret, every_hours)
        )
        return self.get(release.project_key)

    def pull(
        self,
        project_key: str | None = None,
        *,
        due_only: bool = False,
        client: httpx.Client | None = None,
    ) -> builtins.list[PullOutcome]:
        """Fetch the followed projects' packages now (one, or all; ``due_only``: those whose
        ``every_hours`` have passed since their last pull). Each outcome says what happened;
        a failure is also recorded on the project (``last_pull_error``)."""
        from mobilise.workspace._programme_pull import PullFailed, fetch_package

        with self._ws.read() as connection:
            query = select(programme_projects).where(programme_projects.c.url.is_not(None))
            if project_key is not None:
                self._project_row(connection, project_key)
                query = query.where(programme_projects.c.id == project_key)
            followed = connection.execute(query.order_by(programme_projects.c.title)).all()
        outcomes = []
        for project in followed:
            if due_only and not _due(project):
                continue
            try:
                data = fetch_package(
                    project.url, project.token, limits=self._ws.limits, client=client
                )
            except PullFailed as error:
                outcomes.append(self._pull_failed(project, str(error)))
                continue
            follow = (project.url, project.token, project.every_hours)
            outcome = self._outcome(
                project.url,
                lambda d=data, u=project.url, f=follow: self._add_bytes(
                    d, u, origin="url", follow=f
                ),
            )
            if not outcome.ok:
                outcome = self._pull_failed(project, outcome.message, outcome.problems)
            outcomes.append(outcome)
        return outcomes

    def _pull_failed(self, project: Any, message: str, problems: Sequence[str] = ()) -> PullOutcome:
        with self._ws.write() as connection:
            connection.execute(
                update(programme_projects)
                .where(programme_projects.c.id == project.id)
                .values(last_pulled_at=now(), last_pull_error=message[:2000])
            )
        return PullOutcome(
            project.url, "failed", message, project_key=project.id, title=project.title,
            problems=list(problems),
        )  # fmt: skip

    # -- reading ---------------------------------------------------------------------------

    def _project_row(self, connection: Connection, key: str) -> Any:
        row = connection.execute(
            select(programme_projects).where(programme_projects.c.id == str(key))
        ).first()
        if row is None:
            raise NotFound(f"No project {key!r} in this programme.")
        return row

    def _projects(
        self, connection: Connection, keys: builtins.list[str] | None
    ) -> builtins.list[ProgrammeProject]:
        query = select(programme_projects).where(programme_projects.c.deleted_at.is_(None))
        if keys is not None:
            query = query.where(programme_projects.c.id.in_(keys))
        projects = connection.execute(query).all()
        releases = select(*_RELEASE_COLUMNS).order_by(programme_releases.c.release.desc())
        if keys is not None:
            releases = releases.where(programme_releases.c.project_key.in_(keys))
        by_project: dict[str, builtins.list[ProgrammeRelease]] = {}
        for row in connection.execute(releases):
            by_project.setdefault(row.project_key, []).append(_release(row))
        found = [_project(row, by_project.get(row.id, [])) for row in projects]
        return sorted(found, key=lambda p: (p.title.casefold(), p.key))

    def list(self) -> builtins.list[ProgrammeProject]:
        """Every project, by title, each with its releases (newest first)."""
        with self._ws.read() as connection:
            return self._projects(connection, None)

    def get(self, key: str) -> ProgrammeProject:
        with self._ws.read() as connection:
            self._project_row(connection, key)
            return self._projects(connection, [str(key)])[0]

    def history(self, key: str) -> builtins.list[ProgrammeRelease]:
        """A project's releases, newest first."""
        return self.get(key).releases

    def package(self, key: str, release: int | None = None) -> bytes:
        """The package as received (the current release, or ``release``)."""
        with self._ws.read() as connection:
            self._project_row(connection, key)
            query = select(programme_releases.c.package).where(
                programme_releases.c.project_key == str(key)
            )
            if release is None:
                query = query.where(programme_releases.c.status == "current")
            else:
                query = query.where(programme_releases.c.release == release)
            data = connection.execute(query).scalar_one_or_none()
        if data is None:
            raise NotFound(f"Project {key!r} has no release {release}.")
        return bytes(data)

    def remove(self, key: str) -> None:
        """Remove a project, its releases and its held figures (the audit trail keeps that it
        was removed, and by whom)."""
        with self._ws.write() as connection:
            project = self._project_row(connection, key)
            for table in (programme_reach_held, programme_releases):
                connection.execute(delete(table).where(table.c.project_key == project.id))
            connection.execute(
                delete(programme_projects).where(programme_projects.c.id == project.id)
            )
            audit(
                connection, actor=self._ws.actor, entity_type=ENTITY, entity_id=project.id,
                action="delete", before={"title": project.title, "url": project.url},
                summary=f"Removed {project.title!r} and its releases from the programme.",
            )  # fmt: skip

    def current_packages(self, *, public_only: bool = False) -> builtins.list[StoredPackage]:
        """Every project's current package as the synthesis reads it (resources the project
        did not mark public left out when ``public_only``)."""
        columns = [programme_releases.c[c] for c in ("meta", "tables", "public", "sha256")]
        with self._ws.read() as connection:
            rows = connection.execute(
                select(*columns).where(programme_releases.c.status == "current")
            ).all()
        found = []
        for row in rows:
            public = {str(k): bool(v) for k, v in (row.public or {}).items()}
            stored = {
                n: t for n, t in (row.tables or {}).items() if public.get(n) or not public_only
            }
            found.append(StoredPackage(dict(row.meta or {}), stored, public, row.sha256))
        return found

    def synthesis(self, *, public_only: bool = False) -> ProgrammeSynthesis:
        """The programme's sections (:func:`mobilise.analysis.programme.synthesise`), pooled
        reach from the held figures, disclosure-controlled with the workspace's ``disclosure_k``."""
        from mobilise.analysis.programme import synthesise

        packages = self.current_packages(public_only=public_only)
        with self._ws.read() as connection:
            held = held_frame(connection)
        return synthesise(packages, k=self._k(), public_only=public_only, held=held)


def _due(project: Any) -> bool:
    if project.last_pulled_at is None:
        return True
    return datetime.now(UTC) >= project.last_pulled_at + timedelta(hours=project.every_hours)


def _project(row: Any, releases: builtins.list[ProgrammeRelease]) -> ProgrammeProject:
    current = next(
        (r for r in releases if r.status == "current"), releases[0] if releases else None
    )
    meta = current.meta if current else {}
    methods = builtins.list(current.methods) if current else []
    return ProgrammeProject(
        key=row.id, title=row.title, lead_organisation=row.lead_organisation,
        places=[dict(p) for p in meta.get("places") or []], methods=methods,
        metadata_only=bool(meta.get("metadata_only", False)), releases=releases,
        latest_release_at=str(meta.get("released_at") or ""), source=row.source,
        focus=str(meta.get("focus") or ""), url=row.url, every_hours=row.every_hours,
        last_pulled_at=row.last_pulled_at, last_pull_error=row.last_pull_error,
        current_release=row.current_release, version=row.version,
    )  # fmt: skip


def _used_methods(methods: Any) -> builtins.list[str]:
    if methods is None or methods.empty:
        return []
    used = methods["used"].fillna(False).astype(bool)
    return [str(m) for m in methods.loc[used, "method"]]


def _zip_folder(folder: Path, max_mb: int) -> bytes:
    """A package folder as the bytes of a zip (``datapackage.json`` and ``data/*.csv``)."""
    buffer, size = io.BytesIO(), 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted([folder / "datapackage.json", *sorted((folder / "data").glob("*.csv"))]):
            if not path.is_file():
                continue
            size += path.stat().st_size
            if size > max_mb * 1024 * 1024:
                raise ValidationError(
                    f"{folder.name}: the package is larger than {max_mb} MB (the setting "
                    "MOBILISE_MAX_UPLOAD_MB); nothing was imported."
                )
            info = zipfile.ZipInfo(
                path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
            )
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()

"""The project's own profile and its project package (``ws.project``).

A project (the consortium this workspace serves) describes itself once: title, lead
organisation, places, dates, focus, partner types, the methods it used with what it said of each
(:data:`mobilise.model.methods_vocab.METHODS`) and which package resources it marks public.
:meth:`ProjectService.export` writes its project package
(:mod:`mobilise.formats.project_package`): that profile plus non-personal, disclosure-controlled
summaries of what the workspace holds, checked with ``frictionless`` and read back before it is
handed over. Each export is a new release (numbered, kept as the one the project serves).

A programme pulls the package from ``GET /api/v1/project/package`` with the token
:meth:`ProjectService.issue_token` shows once (only its SHA-256 is stored).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.errors import AuthenticationRequired, NotFound
from mobilise.store.records import insert_record, now, update_record
from mobilise.store.tables import project_profile
from mobilise.workspace._files import FileTarget, write_bytes
from mobilise.workspace._project_fields import PROFILE_FIELDS, checked_changes

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["ExportedPackage", "ProjectProfile", "ProjectService"]

_ENTITY = "project profile"


@dataclass(frozen=True)
class ProjectProfile:
    """What the project says of itself. ``key`` is ``None`` until it is first saved."""

    key: str | None
    title: str = ""
    lead_organisation: str = ""
    places: list[str] = field(default_factory=list)
    start_date: str | None = None
    end_date: str | None = None
    focus: str = ""
    partner_types: list[str] = field(default_factory=list)
    methods: list[dict[str, str]] = field(default_factory=list)
    public: dict[str, bool] = field(default_factory=dict)
    note: str = ""
    sources: list[str] = field(default_factory=list)
    release: int = 0
    released_at: datetime | None = None
    serving: bool = False
    version: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["released_at"] = self.released_at.isoformat() if self.released_at else None
        return out


@dataclass(frozen=True)
class ExportedPackage:
    """A release written: its number, its SHA-256, the resources it holds and its size."""

    release: int
    sha256: str
    resources: list[str]
    public: dict[str, bool]
    size: int
    metadata_only: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _profile(row: Any) -> ProjectProfile:
    return ProjectProfile(
        key=row.id,
        **{name: getattr(row, name) for name in PROFILE_FIELDS},
        release=row.release,
        released_at=row.released_at,
        serving=row.token_hash is not None,
        version=row.version,
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ProjectService:
    """The project's profile, its package and the token that serves it."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def _row(self, connection: Any) -> Any:
        return connection.execute(
            select(project_profile).where(project_profile.c.deleted_at.is_(None))
        ).first()

    def get(self) -> ProjectProfile:
        """The profile (an empty one, ``key`` ``None``, before it is first saved)."""
        with self._ws.read() as connection:
            row = self._row(connection)
        return ProjectProfile(key=None) if row is None else _profile(row)

    def update(self, changes: Mapping[str, Any], *, version: int | None = None) -> ProjectProfile:
        """Change the profile's fields (:data:`PROFILE_FIELDS`); ``version`` is the one read
        (a stale one is a :class:`~mobilise.errors.Conflict`).

        Raises
        ------
        ValidationError
            Naming every bad field: unknown fields, text too long, places the workspace does not
            have, dates out of order, methods outside the vocabulary, unknown resources.
        """
        known_places = {p.slug for p in self._ws.places.list()}
        values = checked_changes(changes, known_places=known_places)
        with self._ws.write() as connection:
            row = self._row(connection)
            if row is None:
                insert_record(
                    connection,
                    project_profile,
                    {**_EMPTY, **values},
                    actor=self._ws.actor,
                    entity_type=_ENTITY,
                )
            else:
                update_record(
                    connection,
                    project_profile,
                    row.id,
                    values,
                    expected_version=version,
                    actor=self._ws.actor,
                    entity_type=_ENTITY,
                    omit_from_audit=("package",),
                )
        return self.get()

    def add_method(self, method: str, *, said: str = "") -> ProjectProfile:
        """Say the project used ``method`` (a vocabulary id), with what it said of it (a second
        call replaces what was said)."""
        methods = [m for m in self.get().methods if m["method"] != method]
        return self.update({"methods": [*methods, {"method": method, "said": said}]})

    def remove_method(self, method: str) -> ProjectProfile:
        """Take ``method`` off the methods the project says it used."""
        current = self.get().methods
        if not any(m["method"] == method for m in current):
            raise NotFound(f"The project does not list the method {method!r}.")
        return self.update({"methods": [m for m in current if m["method"] != method]})

    # --- the package ---------------------------------------------------------------------

    def export(
        self,
        target: FileTarget | None = None,
        *,
        places: Sequence[str] | None = None,
        metadata_only: bool = False,
    ) -> ExportedPackage:
        """Write a new release of the project package to ``target`` (a path or a binary
        stream; ``None``: only keep it as the release the project serves).

        ``places`` (slugs) limits the summaries to those places (by default the profile's, else
        every place). The package is checked with ``frictionless`` and read back with
        :func:`~mobilise.formats.project_package.read_package` before anything is written; a
        path gets the file only once it is whole.

        Raises
        ------
        ValidationError
            The profile has no title or lead organisation yet, an unknown place, or the
            package fails its own checks (which would be a bug: the problems are named).
        """
        from mobilise.workspace._project_export import build

        profile = self.get()
        data, package = build(self._ws, profile, places=places, metadata_only=metadata_only)
        if target is not None:
            write_bytes(target, data, name="project.zip")
        with self._ws.write() as connection:
            row = self._row(connection)
            update_record(
                connection,
                project_profile,
                row.id,
                {
                    "release": package.meta["release"],
                    "released_at": datetime.fromisoformat(package.meta["released_at"]),
                    "package": data,
                    "package_sha256": package.sha256,
                },
                expected_version=None,
                actor=self._ws.actor,
                entity_type=_ENTITY,
                omit_from_audit=("package",),
            )
        return ExportedPackage(
            release=int(package.meta["release"]),
            sha256=package.sha256,
            resources=list(package.tables),
            public=dict(package.public),
            size=len(data),
            metadata_only=bool(package.meta.get("metadata_only")),
        )

    # --- serving ---------------------------------------------------------------------------

    def issue_token(self) -> str:
        """A new token for pulling the package (shown once: only its hash is kept); an older
        token stops working."""
        token = secrets.token_urlsafe(32)
        self._set_token(_hash(token))
        return token

    def withdraw_token(self) -> None:
        """Stop serving the package: the token stops working."""
        self._set_token(None)

    def _set_token(self, token_hash: str | None) -> None:
        if self.get().key is None:
            self.update({})
        with self._ws.write() as connection:
            row = self._row(connection)
            update_record(
                connection,
                project_profile,
                row.id,
                {"token_hash": token_hash, "token_issued_at": now() if token_hash else None},
                expected_version=None,
                actor=self._ws.actor,
                entity_type=_ENTITY,
                omit_from_audit=("token_hash", "package"),
            )

    def served_package(self, token: str | None) -> bytes:
        """The zip of the last release, for a caller holding the token.

        Raises
        ------
        NotFound
            The project does not serve its package (no token issued) or has no release yet.
        AuthenticationRequired
            No token, or not the project's.
        """
        with self._ws.read() as connection:
            row = self._row(connection)
        if row is None or row.token_hash is None:
            raise NotFound("This project does not serve its package.")
        if not token or not hmac.compare_digest(_hash(token), row.token_hash):
            raise AuthenticationRequired(
                "A valid token is needed to pull this project's package "
                "(Authorization: Bearer <token>)."
            )
        if row.package is None:
            raise NotFound("This project has not exported a release of its package yet.")
        return bytes(row.package)


_EMPTY: dict[str, Any] = {
    "title": "",
    "lead_organisation": "",
    "places": [],
    "focus": "",
    "partner_types": [],
    "methods": [],
    "public": {},
    "note": "",
    "sources": [],
    "release": 0,
}

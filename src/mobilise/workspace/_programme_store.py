"""The programme's records as the service hands them out, and how a package's tables are kept
(private to :mod:`mobilise.workspace.programme`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from mobilise.store.records import new_ids, record_values
from mobilise.store.tables import programme_reach_held

__all__ = [
    "ProgrammeProject",
    "ProgrammeRelease",
    "PullOutcome",
    "StoredPackage",
    "held_frame",
    "keep_held",
    "tables_from_json",
    "tables_to_json",
]


@dataclass(frozen=True)
class ProgrammeRelease:
    """One package received from a project. ``status`` is ``current`` (the newest) or
    ``history``. ``added`` is False when the same release was already held (then ``message``
    says so and nothing changed)."""

    id: str
    project_key: str
    release: int
    sha256: str
    released_at: str
    received_at: datetime
    source: str  # file, upload, url
    status: str  # current, history
    title: str
    meta: dict[str, Any] = field(default_factory=dict)
    public: dict[str, bool] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    added: bool = True
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project_key": self.project_key,
            "title": self.title,
            "release": self.release,
            "sha256": self.sha256,
            "released_at": self.released_at,
            "received_at": self.received_at.isoformat(),
            "source": self.source,
            "status": self.status,
            "resources": list(self.resources),
            "methods": list(self.methods),
            "public": dict(self.public),
            "added": self.added,
            "message": self.message,
        }


@dataclass(frozen=True)
class ProgrammeProject:
    """A project of the programme: what its current package says it is, its releases (newest
    first) and, when followed, the address it is pulled from (the token is never shown)."""

    key: str
    title: str
    lead_organisation: str
    places: list[dict[str, Any]]
    methods: list[str]
    metadata_only: bool
    releases: list[ProgrammeRelease]
    latest_release_at: str
    source: str
    focus: str = ""
    url: str | None = None
    every_hours: int = 24
    last_pulled_at: datetime | None = None
    last_pull_error: str = ""
    current_release: int | None = None
    version: int = 1

    @property
    def following(self) -> bool:
        return self.url is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "lead_organisation": self.lead_organisation,
            "focus": self.focus,
            "places": self.places,
            "methods": self.methods,
            "metadata_only": self.metadata_only,
            "current_release": self.current_release,
            "latest_release_at": self.latest_release_at,
            "source": self.source,
            "following": self.following,
            "url": self.url,
            "every_hours": self.every_hours,
            "last_pulled_at": self.last_pulled_at.isoformat() if self.last_pulled_at else None,
            "last_pull_error": self.last_pull_error,
            "releases": [r.to_dict() for r in self.releases],
            "version": self.version,
        }


@dataclass(frozen=True)
class PullOutcome:
    """What fetching (or importing) one package did: ``status`` ``added``, ``unchanged`` or
    ``failed``, with a plain ``message`` (and the problems of a refused package)."""

    source: str  # the address, or the file's name
    status: str
    message: str
    project_key: str | None = None
    title: str = ""
    release: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "failed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "project_key": self.project_key,
            "title": self.title,
            "release": self.release,
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class StoredPackage:
    """A current release as the synthesis reads it (what a ``ProjectPackage`` holds), its
    tables kept as stored (``{name: {"columns", "rows"}}``) and made frames only when asked."""

    meta: dict[str, Any]
    stored: dict[str, Any]
    public: dict[str, bool]
    sha256: str

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return tables_from_json(self.stored)

    def records(self, name: str) -> list[dict[str, Any]] | None:
        """One resource's rows as dicts, or None when the package has no such resource."""
        table = self.stored.get(name)
        if table is None:
            return None
        columns = table.get("columns") or []
        return [dict(zip(columns, row, strict=False)) for row in table.get("rows") or []]


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def tables_to_json(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """A package's tables as compact JSON: ``{name: {"columns": [...], "rows": [[...]]}}``."""
    return {
        name: {
            "columns": [str(c) for c in frame.columns],
            "rows": [[_plain(v) for v in row] for row in frame.itertuples(index=False)],
        }
        for name, frame in tables.items()
    }


def tables_from_json(stored: dict[str, Any]) -> dict[str, pd.DataFrame]:
    return {
        name: pd.DataFrame(table.get("rows") or [], columns=table.get("columns") or [])
        for name, table in (stored or {}).items()
    }


_HELD = ("dimension", "group_name", "kind", "count", "suppressed", "release")


def held_frame(connection: Connection, keys: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """``{project key: held reach figures}`` (of ``keys``, or of every project)."""
    query = select(programme_reach_held.c.project_key, *(programme_reach_held.c[c] for c in _HELD))
    if keys is not None:
        query = query.where(programme_reach_held.c.project_key.in_(keys))
    rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=["project_key", *_HELD]).rename(
        columns={"group_name": "group"}
    )
    return {
        str(key): part.drop(columns="project_key").reset_index(drop=True)
        for key, part in frame.groupby("project_key", sort=False)
    }


def keep_held(connection: Connection, key: str, held: pd.DataFrame, actor: str) -> None:
    """Replace a project's held reach figures."""
    connection.execute(
        delete(programme_reach_held).where(programme_reach_held.c.project_key == key)
    )
    if held.empty:
        return
    stamp = record_values(actor)
    ids = new_ids(len(held))
    connection.execute(
        insert(programme_reach_held),
        [
            {
                "id": ids[i],
                "project_key": key,
                "dimension": str(row.dimension),
                "group_name": str(row.group),
                "kind": str(row.kind),
                "count": None if _plain(counted) is None else int(_plain(counted)),
                "suppressed": bool(row.suppressed),
                "release": int(_plain(row.release)),
                **stamp,
            }
            for i, (row, counted) in enumerate(
                zip(held.itertuples(index=False), held["count"], strict=True)
            )
        ],
    )

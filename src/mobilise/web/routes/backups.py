"""Backups from the JSON API (admins): list those in ``MOBILISE_BACKUP_DIR`` and write one now.

A backup is written while the request waits (there is no job queue to hand it to yet); it does
not stop others writing. Restoring is done from the command line only (``mobilise restore``), into
a new, empty workspace, never under a running server.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mobilise.errors import Conflict
from mobilise.settings import Settings
from mobilise.web.deps import AdminDep, SettingsDep, WorkspaceDep
from mobilise.web.routes.api import ERRORS

api = APIRouter(prefix="/api/v1/admin", tags=["admin"])


def _folder(settings: Settings) -> str:
    if not settings.backup_dir:
        raise Conflict(
            "No backup folder is set: set MOBILISE_BACKUP_DIR where the server runs, or back up "
            "with `mobilise backup FOLDER`."
        )
    return str(settings.backup_dir)


@api.get("/backups", responses=ERRORS)
def list_backups(workspace: WorkspaceDep, settings: SettingsDep, _user: AdminDep) -> dict[str, Any]:
    """The backups in ``MOBILISE_BACKUP_DIR``, newest first, each with its manifest (admins)."""
    found = workspace.backup.list(_folder(settings))
    return {"total": len(found), "items": [b.to_dict() for b in found]}


@api.post("/backups", status_code=201, responses=ERRORS)
def create_backup(
    workspace: WorkspaceDep, settings: SettingsDep, _user: AdminDep
) -> dict[str, Any]:
    """Write a backup into ``MOBILISE_BACKUP_DIR`` now and return its manifest (admins); the
    request waits for it. 409 when no backup folder is set."""
    return workspace.backup.create(_folder(settings)).to_dict()

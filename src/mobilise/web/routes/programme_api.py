"""The programme's JSON API under ``/api/v1/programme``: its projects and their releases, a
package upload, following and pulling projects, and the synthesis by section.

Signed-in users read the projects; editors add and remove packages; admins follow and pull
(the server then fetches an address). The synthesis is open to anyone in a shared deployment,
but a visitor who is not signed in sees only what each project marked public.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.model.programme_vocab import SECTIONS
from mobilise.web.deps import (
    AdminDep,
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    UserDep,
    WorkspaceDep,
)
from mobilise.web.routes.api import ERRORS

router = APIRouter(prefix="/api/v1/programme", tags=["programme"])

KEY = r"^[0-9a-fA-F-]{32,36}$"
SECTION = "^(" + "|".join(SECTIONS) + ")$"
KeyPath = Annotated[str, Path(pattern=KEY, description="The project's key (a UUID).")]
PublicOnly = Annotated[
    bool,
    Query(description="Only what each project marked public (always so for visitors)."),
]
ZIP = "application/zip"
UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 413: ERRORS[422]}


class FollowBody(BaseModel):
    """A project serving its package at an address, with the token it issued."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="The package's address (http or https).")
    token: str = Field(max_length=500, description="The token the project issued.")
    every_hours: int = Field(24, ge=1, le=8784, description="Pull it every so many hours.")


class PullBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: str | None = Field(None, pattern=KEY, description="Only this project (its key).")


@router.get("/projects", responses=ERRORS)
def list_projects(workspace: WorkspaceDep, _u: UserDep) -> list[dict[str, Any]]:
    """Every project of the programme, by title, with its releases (newest first)."""
    return [p.to_dict() for p in workspace.programme.list()]


@router.post("/packages", status_code=201, responses=UPLOAD_ERRORS)
def add_package(
    workspace: WorkspaceDep,
    _u: EditorDep,
    file: Annotated[UploadFile, File(description="A project package (.zip).")],
) -> dict[str, Any]:
    """Add a project's package: refused with every problem named (422, nothing stored), a
    release older than the current one refused (409); the same release again changes nothing
    (``added`` false, with a message saying so)."""
    release = workspace.programme.add(file.file, name=file.filename or "package", origin="upload")
    return release.to_dict()


@router.get("/projects/{project_key}", responses=ERRORS)
def get_project(project_key: KeyPath, workspace: WorkspaceDep, _u: UserDep) -> dict[str, Any]:
    """One project and its releases."""
    return workspace.programme.get(project_key).to_dict()


@router.get("/projects/{project_key}/releases", responses=ERRORS)
def project_history(
    project_key: KeyPath, workspace: WorkspaceDep, _u: UserDep
) -> list[dict[str, Any]]:
    """A project's releases, newest first (the current one, then its history)."""
    return [r.to_dict() for r in workspace.programme.history(project_key)]


@router.get(
    "/projects/{project_key}/package.zip",
    responses={200: {"content": {ZIP: {}}}, **ERRORS},
    response_class=Response,
)
def project_package(
    project_key: KeyPath,
    workspace: WorkspaceDep,
    _u: UserDep,
    release: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The package as received (the current release, or ``release``)."""
    data = workspace.programme.package(project_key, release)
    name = f"project-{project_key[:8]}-release-{release or 'current'}.zip"
    return Response(
        data, media_type=ZIP, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.delete("/projects/{project_key}", status_code=204, responses=ERRORS)
def remove_project(project_key: KeyPath, workspace: WorkspaceDep, _u: EditorDep) -> Response:
    """Remove a project and every release of it."""
    workspace.programme.remove(project_key)
    return Response(status_code=204)


@router.post("/follow", status_code=201, responses=ERRORS)
def follow(body: FollowBody, workspace: WorkspaceDep, _u: AdminDep) -> dict[str, Any]:
    """Follow a project serving its package (fetched now; a wrong address or token is a 422)."""
    return workspace.programme.follow(body.url, body.token, every_hours=body.every_hours).to_dict()


@router.post("/pull", responses=ERRORS)
def pull(body: PullBody, workspace: WorkspaceDep, _u: AdminDep) -> list[dict[str, Any]]:
    """Fetch the followed projects' packages now; each outcome says what happened."""
    return [o.to_dict() for o in workspace.programme.pull(body.project)]


def _public_only(user: Any, asked: bool) -> bool:
    return asked or user.username == "anonymous"


@router.get("/synthesis", responses=ERRORS)
def synthesis(
    workspace: PublicWorkspaceDep, user: OptionalUserDep, public_only: PublicOnly = False
) -> dict[str, Any]:
    """Every section of the synthesis, with a plain sentence for each and the ``k`` below
    which pooled counts are hidden."""
    return workspace.programme.synthesis(public_only=_public_only(user, public_only)).to_dict()


@router.get("/synthesis/{section}", responses=ERRORS)
def synthesis_section(
    workspace: PublicWorkspaceDep,
    user: OptionalUserDep,
    section: Annotated[str, Path(pattern=SECTION, description=", ".join(SECTIONS))],
    public_only: PublicOnly = False,
) -> dict[str, Any]:
    """One section of the synthesis: its rows and its sentence."""
    found = workspace.programme.synthesis(public_only=_public_only(user, public_only))
    shown = found.to_dict([section])
    return {
        "section": section,
        "rows": shown[section],
        "words": shown["words"][section],
        "k": shown["k"],
        "public_only": shown["public_only"],
    }

"""The project's profile and its project package: the page ``/project``, the JSON API under
``/api/v1/project`` and the package a programme pulls, ``GET /api/v1/project/package`` with
``Authorization: Bearer <token>``.

Signed-in users read the profile; editors (facilitators, analysts, admins) change it, export a
release and issue or withdraw the serving token. The package holds only non-personal,
disclosure-controlled summaries; without the token it answers 401, and 404 when the project does
not serve it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from mobilise.web.deps import (
    EditorDep,
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes.api import ERRORS

api = APIRouter(prefix="/api/v1", tags=["project"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The API and the pages, for the app to include at once."""

SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
ZIP = "application/zip"
RESOURCE = r"^[a-z_]{1,40}$"


class MethodUsed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str = Field(max_length=60, description="A method id (mobilise project methods list).")
    said: str = Field("", max_length=2000, description="What the project says of it.")


class ProjectUpdate(BaseModel):
    """The fields to change (only those given); ``version`` is the one read."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, max_length=300)
    lead_organisation: str | None = Field(None, max_length=300)
    places: list[Annotated[str, Field(max_length=80, pattern=SLUG)]] | None = Field(
        None, max_length=50
    )
    start_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    end_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    focus: str | None = Field(None, max_length=2000)
    partner_types: list[Annotated[str, Field(max_length=200)]] | None = Field(None, max_length=50)
    methods: list[MethodUsed] | None = Field(None, max_length=40)
    public: dict[Annotated[str, Field(pattern=RESOURCE)], bool] | None = Field(None, max_length=20)
    note: str | None = Field(None, max_length=2000)
    sources: list[Annotated[str, Field(max_length=500)]] | None = Field(None, max_length=50)
    version: int | None = Field(None, ge=0, le=2**31 - 1)


class ReleaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    places: list[Annotated[str, Field(max_length=80, pattern=SLUG)]] | None = Field(
        None, max_length=50, description="Only these places (slugs)."
    )
    metadata_only: bool = False


# -- JSON API -------------------------------------------------------------------------------------
@api.get("/project", responses=ERRORS)
def get_project(workspace: WorkspaceDep) -> dict[str, Any]:
    """The project's profile: what it tells a programme about itself."""
    return workspace.project.get().to_dict()


@api.put("/project", responses=ERRORS)
def put_project(body: ProjectUpdate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Change the profile (only the fields given)."""
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    changes = {key: value for key, value in changes.items() if value is not None}
    return workspace.project.update(changes, version=body.version).to_dict()


@api.post("/project/releases", status_code=201, responses=ERRORS)
def post_release(body: ReleaseCreate, workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """Export a new release of the project package (the one the project serves from now)."""
    exported = workspace.project.export(places=body.places, metadata_only=body.metadata_only)
    return exported.to_dict()


@api.post("/project/token", status_code=201, responses=ERRORS)
def post_token(workspace: WorkspaceDep, _user: EditorDep) -> dict[str, Any]:
    """A new token for a programme to pull the package (shown only now; an older one stops)."""
    return {"token": workspace.project.issue_token(), "package": "/api/v1/project/package"}


@api.delete("/project/token", status_code=204, responses=ERRORS)
def delete_token(workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Stop serving the package: the token stops working."""
    workspace.project.withdraw_token()
    return Response(status_code=204)


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and 0 < len(token) <= 200 else None


@api.get(
    "/project/package",
    responses={200: {"content": {ZIP: {}}}, **ERRORS},
    response_class=Response,
)
def get_package(
    workspace: PublicWorkspaceDep,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
) -> Response:
    """The project package's last release (a zip), for a programme holding the token."""
    data = workspace.project.served_package(_bearer(authorization))
    return Response(
        data,
        media_type=ZIP,
        headers={
            "Content-Disposition": 'attachment; filename="project.zip"',
            "Cache-Control": "no-store",
        },
    )


# -- the page -------------------------------------------------------------------------------------
def _page(request: Request, workspace: Any, templates: Any, user: Any, token: str = "") -> Response:
    from mobilise.model.methods_vocab import METHODS

    profile = workspace.project.get()
    used = {m["method"]: m.get("said", "") for m in profile.methods}
    return templates.TemplateResponse(
        request,
        "project.html",
        {
            "user": user,
            "profile": profile,
            "methods": METHODS,
            "used": used,
            "places": workspace.places.names(),
            "resources": _RESOURCE_WORDS,
            "can_edit": is_editor(user),
            "token": token,
        },
    )


_RESOURCE_WORDS = {
    "methods": "Methods used and what we said of them",
    "assets": "Community assets by place and category",
    "partners": "Partners by sector",
    "network_rounds": "Partnership network measures by survey round",
    "events": "Events by kind",
    "reach": "Who we reached (small numbers hidden)",
    "themes": "Themes from what people said (small numbers hidden)",
    "actions": "Actions and feedback given ('you said, we did')",
    "access": "Access to assets and the deprivation gradient",
}


@pages.get("/project", response_class=HTMLResponse)
def project_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    """The project's profile in plain words; editors change it here."""
    return _page(request, workspace, templates, user)


@pages.post("/project")
async def project_form(request: Request, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Save the profile from the page's form."""
    from mobilise.model.methods_vocab import METHODS

    form = await request.form(max_files=0, max_fields=200)

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    def listed(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v]

    changes: dict[str, Any] = {
        "title": text("title"),
        "lead_organisation": text("lead_organisation"),
        "places": listed("places"),
        "start_date": text("start_date") or None,
        "end_date": text("end_date") or None,
        "focus": text("focus"),
        "partner_types": [p.strip() for p in text("partner_types").split(",") if p.strip()],
        "note": text("note"),
        "methods": [
            {"method": key, "said": text(f"said_{key}")} for key in METHODS if text(f"used_{key}")
        ],
        "public": {key: bool(text(f"public_{key}")) for key in _RESOURCE_WORDS},
    }
    version = text("version")
    await run_in_threadpool(
        workspace.project.update, changes, version=int(version) if version.isdigit() else None
    )
    return RedirectResponse("/project", status_code=303)


@pages.post("/project/release")
def release_from_form(
    workspace: WorkspaceDep,
    _user: EditorDep,
    metadata_only: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    workspace.project.export(metadata_only=bool(metadata_only))
    return RedirectResponse("/project", status_code=303)


@pages.post("/project/token", response_class=HTMLResponse)
def token_from_form(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: EditorDep
) -> Response:
    return _page(request, workspace, templates, user, token=workspace.project.issue_token())


@pages.post("/project/token/withdraw")
def withdraw_from_form(workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.project.withdraw_token()
    return RedirectResponse("/project", status_code=303)


router.include_router(api)
router.include_router(pages)

"""The programme's pages (issue 20, item 3): many projects, one picture.

``/programme`` (overview), ``/programme/projects`` (map and table) and each project's page,
``/programme/methods`` (the project x method matrix, with what each project said),
``/programme/partnership`` (sectors; density and centralisation side by side; keeping
collaborations), ``/programme/reach`` (pooled representation, small figures "fewer than k"),
``/programme/themes`` (shared and distinct, enablers and barriers) and ``/programme/outcomes``
("you said, we did" closure). The JSON API is :mod:`~mobilise.web.routes.programme_api`.

Who sees what: the pages are public. A visitor who is not signed in (in a shared deployment)
sees only what each project marked public (``synthesis(public_only=True)``); a signed-in user
sees every resource the programme holds. Everything a package holds is already a
disclosure-controlled summary, and pooled reach is controlled again by the synthesis. Editors
make a programme evidence pack from the overview; signed-in users see the packs made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mobilise.errors import NotFound
from mobilise.web.deps import (
    ANONYMOUS,
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    TemplatesDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes.jobs import wake_workers

if TYPE_CHECKING:
    from mobilise.workspace import Workspace
    from mobilise.workspace.users import User

pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The pages, for the app to include."""

ProjectKey = Annotated[str, Path(max_length=36, description="The project's key.")]


def _public_only(user: User) -> bool:
    """Whether ``user`` sees only what projects marked public (a visitor not signed in)."""
    return user.id == ANONYMOUS.id


def _synthesis(workspace: Workspace, user: User) -> Any:
    return workspace.programme.synthesis(public_only=_public_only(user))


def _render(
    request: Request, templates: Any, user: User, name: str, here: str, **context: Any
) -> Response:
    from mobilise.workspace.programme_views import PAGES

    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "programme_pages": PAGES,
            "here": here,
            "public_only": _public_only(user),
            **context,
        },
    )


@pages.get("/programme", response_class=HTMLResponse)
def overview_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """What the programme holds, each page's sentence, and the programme's evidence packs."""
    from mobilise.workspace.programme_views import overview

    synthesis = _synthesis(workspace, user)
    signed_in = not _public_only(user)
    return _render(
        request, templates, user, "programme.html", "overview",
        view=overview(synthesis),
        packs=workspace.packs.list_programme() if signed_in else [],
        can_edit=is_editor(user) and signed_in,
    )  # fmt: skip


@pages.post("/programme/packs")
def make_pack(request: Request, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Make a programme evidence pack (a background job); its page follows it."""
    pack = workspace.packs.submit_programme()
    wake_workers(request)
    return RedirectResponse(f"/packs/{pack.id}", status_code=303)


@pages.get("/programme/projects", response_class=HTMLResponse)
def projects_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """The projects on a map and in a table."""
    from mobilise.workspace.programme_views import projects_view

    view = projects_view(_synthesis(workspace, user))
    return _render(request, templates, user, "programme_projects.html", "projects", view=view)


@pages.get("/programme/projects/{project_key}", response_class=HTMLResponse)
def project_page(
    request: Request,
    project_key: ProjectKey,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
) -> Response:
    """One project: what it is, the methods it named, what it shared, and its releases."""
    from mobilise.workspace.programme_views import project_detail

    held = workspace.programme.get(project_key)
    project = project_detail(_synthesis(workspace, user), held)
    if project is None:
        raise NotFound(f"The programme holds no project {project_key!r}.")
    return _render(
        request, templates, user, "programme_project.html", "projects",
        project=project, history=held.releases,
    )  # fmt: skip


@pages.get("/programme/methods", response_class=HTMLResponse)
def methods_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """The methods catalogue: which project used which method, and what each said of it."""
    from mobilise.workspace.programme_views import methods_view

    view = methods_view(_synthesis(workspace, user))
    return _render(request, templates, user, "programme_methods.html", "methods", view=view)


def _figures_page(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: User,
    key: str,
    resources: tuple[str, ...],
) -> Response:
    """A page of one kind of figures, naming the projects that published none of them."""
    from mobilise.workspace import programme_views

    synthesis = _synthesis(workspace, user)
    view = getattr(programme_views, f"{key}_view")(synthesis)
    absent = programme_views.not_published(synthesis, workspace.programme.list(), *resources)
    return _render(
        request, templates, user, f"programme_{key}.html", key,
        view=view, absent=absent, k=synthesis.k,
    )  # fmt: skip


@pages.get("/programme/partnership", response_class=HTMLResponse)
def partnership_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """Sectors, density and centralisation side by side, and how collaborations were kept."""
    return _figures_page(
        request, workspace, templates, user, "partnership", ("partners", "network_rounds")
    )


@pages.get("/programme/reach", response_class=HTMLResponse)
def reach_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """Who the projects reached, pooled by deprivation decile and group."""
    return _figures_page(request, workspace, templates, user, "reach", ("reach",))


@pages.get("/programme/themes", response_class=HTMLResponse)
def themes_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """The themes across projects: shared and distinct, enablers and barriers."""
    return _figures_page(request, workspace, templates, user, "themes", ("themes",))


@pages.get("/programme/outcomes", response_class=HTMLResponse)
def outcomes_page(
    request: Request, workspace: PublicWorkspaceDep, templates: TemplatesDep, user: OptionalUserDep
) -> Response:
    """Actions and "you said, we did" closure, project by project."""
    return _figures_page(request, workspace, templates, user, "outcomes", ("actions",))


router.include_router(pages)

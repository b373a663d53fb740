"""Street networks of a place: the JSON API (list, upload an extract as a job, delete) and the
page showing each network's source, date, licence, size, coverage and warnings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from mobilise.model.access_plan import TRAVEL_SPEEDS_KMH, TRAVELS
from mobilise.web.deps import EditorDep, TemplatesDep, UserDep, WorkspaceDep, is_editor
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import ACCEPTED, accepted

api = APIRouter(prefix="/api/v1", tags=["street networks"])
pages = APIRouter(include_in_schema=False)

PROFILE_NAMES = tuple(TRAVEL_SPEEDS_KMH)  # walk, cycle, step-free


@api.get("/places/{slug}/networks", responses=ERRORS)
def list_networks(slug: str, workspace: WorkspaceDep) -> list[dict[str, Any]]:
    """The place's street networks: source, data date, licence and attribution, size,
    coverage of its areas and warnings (an empty list: the place's access is straight-line)."""
    return [n.to_dict() for n in workspace.networks.list(slug)]


@api.post("/places/{slug}/networks", status_code=202, responses=ACCEPTED)
def import_network(
    request: Request,
    slug: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    file: Annotated[UploadFile, File(description="An OpenStreetMap extract (.osm.pbf).")],
    profiles: Annotated[
        list[str] | None,
        Form(description=f"Profiles to build: {', '.join(PROFILE_NAMES)} (default: all)."),
    ] = None,
) -> JSONResponse:
    """Build the place's street networks from an extract, replacing those of the profiles, as a
    background job: answers 202 with the job. Its ``outcome_url`` then gives the networks (201),
    or a 422 naming the file (corrupt, empty, not covering the place: the areas outside named);
    nothing is stored then."""
    job = workspace.networks.submit(
        slug, file.file, name=file.filename or "extract.osm.pbf", profiles=profiles or PROFILE_NAMES
    )
    return accepted(request, job)


@api.delete("/places/{slug}/networks", responses=ERRORS)
def delete_networks(
    slug: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    profile: Annotated[
        str | None, Query(description=f"One of {', '.join(PROFILE_NAMES)}; default: all.")
    ] = None,
) -> dict[str, Any]:
    """Remove the place's street network of a profile (or all of them)."""
    if profile is not None:
        workspace.networks.check(slug, [profile])
    return {"place": slug, "removed": workspace.networks.delete(slug, profile)}


@pages.get("/places/{slug}/networks", response_class=HTMLResponse)
def networks_page(
    request: Request, slug: str, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    place = workspace.places.get(slug)
    return templates.TemplateResponse(
        request,
        "networks.html",
        {
            "place": place,
            "networks": workspace.networks.list(slug),
            "profiles": PROFILE_NAMES,
            "travels": TRAVELS,
            "speeds": TRAVEL_SPEEDS_KMH,
            "can_edit": is_editor(user),
            "user": user,
        },
    )


router = APIRouter()
router.include_router(api)
router.include_router(pages)

"""Evidence packs: the pages (``/packs``, ``/places/{slug}/packs``, a pack's page), the
pack's document and PDF, the shared link ``/p/{token}``, and the JSON API under
``/api/v1/packs``.

Signed-in users read packs; editors (facilitators, analysts, admins) make, share and withdraw
them. A pack holds only disclosure-controlled aggregates, so its share link may go to anyone;
a withdrawn link, or a withdrawn pack, answers 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mobilise.errors import NotFound
from mobilise.web.deps import (
    EditorDep,
    PublicWorkspaceDep,
    TemplatesDep,
    UserDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.jobs import job_links, wake_workers

api = APIRouter(prefix="/api/v1", tags=["packs"])
pages = APIRouter(include_in_schema=False)
router = APIRouter()
"""The API and the pages, for the app to include at once."""

AUDIENCES = ("board", "community", "funder")  # mobilise.workspace.packs.AUDIENCES
SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
TOKEN = r"^[A-Za-z0-9_-]{16,64}$"
PDF = "application/pdf"
PlaceQuery = Annotated[str | None, Query(max_length=80, pattern=SLUG, description="A place.")]


class PackCreate(BaseModel):
    """What pack to make; see ``mobilise pack build --help`` for the same options."""

    model_config = ConfigDict(extra="forbid")

    place: str = Field(max_length=80, pattern=SLUG, description="The place's slug.")
    compare: list[str] = Field(
        default_factory=list, max_length=3, description="Other places to set beside it (slugs)."
    )
    audience: str = Field("board", max_length=20, description="board, community or funder.")


def _queued(request: Request, pack: Any) -> dict[str, Any]:
    wake_workers(request)
    job = {"id": pack.job_id, **job_links(request, pack.job_id)} if pack.job_id else None
    return {**pack.to_dict(), "job": job}


def _attachment(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _file_name(pack: Any, suffix: str) -> str:
    return f"evidence-pack-{pack.place}-{pack.audience}-v{pack.number}.{suffix}"


# -- JSON API -------------------------------------------------------------------------------------
@api.get("/packs", responses=ERRORS)
def list_packs(workspace: WorkspaceDep, place: PlaceQuery = None) -> list[dict[str, Any]]:
    """The evidence packs, newest first (of one place, as its own or one compared)."""
    return [p.to_dict() for p in workspace.packs.list(place)]


@api.post("/packs", status_code=202, responses=ERRORS)
def build_pack(
    request: Request, body: PackCreate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Make a pack; a background job builds it. Follow ``GET /packs/{id}`` or the job."""
    pack = workspace.packs.submit(body.place, compare=body.compare, audience=body.audience)
    return _queued(request, pack)


@api.get("/packs/{pack_id}", responses=ERRORS)
def get_pack(pack_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """One pack: its state while it is made; then its pages and manifest."""
    pack = workspace.packs.get(pack_id)
    return {**pack.to_dict(), "manifest": pack.manifest}


@api.get("/packs/{pack_id}/manifest", responses=ERRORS)
def get_manifest(pack_id: str, workspace: WorkspaceDep) -> dict[str, Any]:
    """What the pack was made from: places, audience, data versions, run ids, settings."""
    return workspace.packs.manifest(pack_id)


@api.get(
    "/packs/{pack_id}/pack.pdf",
    responses={200: {"content": {PDF: {}}}, **ERRORS},
    response_class=Response,
)
def get_pdf(pack_id: str, workspace: WorkspaceDep) -> Response:
    """The pack as a PDF."""
    pack = workspace.packs.get(pack_id)
    return _attachment(workspace.packs.pdf(pack_id), PDF, _file_name(pack, "pdf"))


@api.post("/packs/{pack_id}/share", responses=ERRORS)
def share(
    request: Request, pack_id: str, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """The pack's share link (the same one while it stands)."""
    token = workspace.packs.share(pack_id)
    return {"pack": pack_id, "token": token, "url": str(request.url_for("shared", token=token))}


@api.delete("/packs/{pack_id}/share", status_code=204, responses=ERRORS)
def unshare(pack_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Withdraw the pack's share link: it answers 404 from now on."""
    workspace.packs.unshare(pack_id)
    return Response(status_code=204)


@api.delete("/packs/{pack_id}", status_code=204, responses=ERRORS)
def withdraw(pack_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    """Withdraw a pack: it leaves the lists and its share link stops working."""
    workspace.packs.withdraw(pack_id)
    return Response(status_code=204)


# -- pages ----------------------------------------------------------------------------------------
def _list_page(
    request: Request,
    workspace: Any,
    templates: Any,
    user: Any,
    place: str | None,
) -> Response:
    names = workspace.places.names()
    return templates.TemplateResponse(
        request,
        "packs.html",
        {
            "user": user,
            "packs": workspace.packs.list(place),
            "places": names,
            "place": place,
            "place_name": names.get(place, "") if place else "",
            "audiences": {
                "board": "an ICS board",
                "community": "a community meeting (plain words)",
                "funder": "a funder",
            },
            "can_edit": is_editor(user),
        },
    )


@pages.get("/packs", response_class=HTMLResponse)
def packs_page(
    request: Request, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    return _list_page(request, workspace, templates, user, None)


@pages.get("/places/{slug}/packs", response_class=HTMLResponse)
def place_packs_page(
    request: Request, slug: str, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    workspace.places.get(slug)
    return _list_page(request, workspace, templates, user, slug)


@pages.post("/packs")
def build_from_form(
    workspace: WorkspaceDep,
    _user: EditorDep,
    request: Request,
    place: Annotated[str, Form(max_length=80)],
    audience: Annotated[str, Form(max_length=20)] = "board",
    compare: Annotated[list[str] | None, Form(max_length=80)] = None,
) -> Response:
    pack = workspace.packs.submit(place, compare=[c for c in compare or [] if c], audience=audience)
    wake_workers(request)
    return RedirectResponse(f"/packs/{pack.id}", status_code=303)


@pages.get("/packs/{pack_id}", response_class=HTMLResponse)
def pack_page(
    request: Request, pack_id: str, workspace: WorkspaceDep, templates: TemplatesDep, user: UserDep
) -> Response:
    pack = workspace.packs.get(pack_id)
    return templates.TemplateResponse(
        request,
        "pack.html",
        {
            "user": user,
            "pack": pack,
            "names": workspace.places.names(),
            "can_edit": is_editor(user),
            "share_url": str(request.url_for("shared", token=pack.share_token))
            if pack.share_token
            else "",
        },
    )


@pages.get("/packs/{pack_id}/view", response_class=HTMLResponse)
def pack_document(pack_id: str, workspace: WorkspaceDep) -> Response:
    """The pack's own page, as the PDF was made from it."""
    return HTMLResponse(workspace.packs.html(pack_id, pdf_link=f"/packs/{pack_id}/pack.pdf"))


@pages.get("/packs/{pack_id}/pack.pdf")
def pack_pdf(pack_id: str, workspace: WorkspaceDep) -> Response:
    return get_pdf(pack_id, workspace)


@pages.get("/packs/{pack_id}/pack.html")
def pack_download(pack_id: str, workspace: WorkspaceDep) -> Response:
    """The pack's page with its stylesheet and fonts inside, to keep and read offline."""
    pack = workspace.packs.get(pack_id)
    data = workspace.packs.html(pack_id, standalone=True).encode("utf-8")
    return _attachment(data, "text/html; charset=utf-8", _file_name(pack, "html"))


@pages.post("/packs/{pack_id}/share")
def share_from_form(pack_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.packs.share(pack_id)
    return RedirectResponse(f"/packs/{pack_id}", status_code=303)


@pages.post("/packs/{pack_id}/unshare")
def unshare_from_form(pack_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    workspace.packs.unshare(pack_id)
    return RedirectResponse(f"/packs/{pack_id}", status_code=303)


@pages.post("/packs/{pack_id}/withdraw")
def withdraw_from_form(pack_id: str, workspace: WorkspaceDep, _user: EditorDep) -> Response:
    pack = workspace.packs.get(pack_id)
    workspace.packs.withdraw(pack_id)
    where = f"/places/{pack.place}/packs" if pack.place else "/programme"
    return RedirectResponse(where, status_code=303)


# -- the shared link ------------------------------------------------------------------------------
def _shared(workspace: Any, token: str) -> Any:
    if not token or len(token) > 64:
        raise NotFound("No evidence pack at this link: it was withdrawn, or never existed.")
    return workspace.packs.by_token(token)


@pages.get("/p/{token}", response_class=HTMLResponse)
def shared(token: str, workspace: PublicWorkspaceDep) -> Response:
    """A shared pack, for anyone with the link (until it is withdrawn)."""
    pack = _shared(workspace, token)
    return HTMLResponse(workspace.packs.html(pack.id, pdf_link=f"/p/{token}/pack.pdf"))


@pages.get("/p/{token}/pack.pdf")
def shared_pdf(token: str, workspace: PublicWorkspaceDep) -> Response:
    pack = _shared(workspace, token)
    return _attachment(workspace.packs.pdf(pack.id), PDF, _file_name(pack, "pdf"))


router.include_router(api)
router.include_router(pages)

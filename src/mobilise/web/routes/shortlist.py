"""A link worker's shortlist of assets, and the nearest assets to a postcode, as JSON.

The shortlist needs no account and keeps nothing on the server: the browser keeps the list
(``static/shortlist.js``, localStorage) and ``/shortlist?ids=a,b,c`` shows it as a printable page
with a QR code of its own link, so whoever opens the link, on any device, sees the same list.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from mobilise.errors import MobiliseError
from mobilise.web.deps import OptionalUserDep, PublicWorkspaceDep, SettingsDep, TemplatesDep
from mobilise.web.routes.api import ERRORS

api = APIRouter(prefix="/api/v1", tags=["assets"])
pages = APIRouter(include_in_schema=False)

IdsQuery = Annotated[
    str,
    Query(
        max_length=4000,
        description="Asset ids separated by commas, in the order to show them (at most "
        "MOBILISE_SHORTLIST_MAX_ASSETS of them).",
    ),
]
PostcodeQuery = Annotated[
    str, Query(min_length=1, max_length=16, description="A UK postcode, e.g. E8 1DY.")
]


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@api.get("/shortlist", responses=ERRORS)
def shortlist_api(
    workspace: PublicWorkspaceDep, settings: SettingsDep, ids: IdsQuery = ""
) -> dict[str, Any]:
    """The public assets of a shortlist in the order given, each with its opening hours in
    words, whether it is open now, its neighbourhood's name, its source's name and its links
    (``tel:``, ``mailto:``, ``geo:``, directions); ``missing`` lists the ids no longer found."""
    found = workspace.asset_profiles.shortlist(_ids(ids), max_assets=settings.shortlist_max_assets)
    return found.to_dict()


@api.get("/nearby", responses=ERRORS)
def nearby_api(
    workspace: PublicWorkspaceDep,
    postcode: PostcodeQuery,
    limit: Annotated[int, Query(ge=1, le=50, description="How many assets.")] = 10,
    radius: Annotated[int, Query(ge=100, le=10_000, description="Metres around it.")] = 2000,
) -> dict[str, Any]:
    """The public assets nearest a postcode, nearest first, with distance and open now, and
    the postcode's neighbourhood (for a link to its statistics)."""
    return workspace.asset_profiles.near(postcode, limit=limit, radius_m=radius).to_dict()


def _qr_data_uri(link: str) -> str:
    """The link as a QR code (an SVG data URL, made with segno); empty if it is too long."""
    import segno
    from segno import DataOverflowError

    try:
        code = segno.make(link, error="l")
    except DataOverflowError:
        return ""
    return str(code.svg_data_uri(scale=4, title="QR code of this shortlist's link"))


@pages.get("/shortlist", response_class=HTMLResponse)
def shortlist_page(
    request: Request,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: OptionalUserDep,
    ids: IdsQuery = "",
) -> Response:
    """The shortlist as a printable page: names, addresses, phones, hours, and a QR code of
    its link. Without ``ids`` the page's script shows the list this browser keeps."""
    error, status = "", 200
    found = None
    try:
        found = workspace.asset_profiles.shortlist(
            _ids(ids), max_assets=settings.shortlist_max_assets
        )
    except MobiliseError as refused:
        error, status = refused.message, refused.status_code
    kept = [p.asset.id for p in found.items] if found else []
    link = str(request.url_for("shortlist_page"))
    if kept:
        link += "?" + urlencode({"ids": ",".join(kept)})
    return templates.TemplateResponse(
        request,
        "shortlist.html",
        {
            "found": found,
            "error": error,
            "link": link,
            "qr": _qr_data_uri(link) if kept else "",
            "given": bool(_ids(ids)),
            "user": user,
        },
        status_code=status,
    )


router = APIRouter()
router.include_router(api)
router.include_router(pages)

"""Community assets: the JSON API under /api/v1/assets and the directory pages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, field_validator

from mobilise.errors import MobiliseError
from mobilise.web.deps import (
    EditorDep,
    OptionalUserDep,
    PublicWorkspaceDep,
    SettingsDep,
    TemplatesDep,
    WorkspaceDep,
    is_editor,
)
from mobilise.web.routes.api import ERRORS
from mobilise.workspace import Workspace

if TYPE_CHECKING:
    from mobilise.workspace.asset_records import AssetSearch, SearchFilters

api = APIRouter(prefix="/api/v1", tags=["assets"])
pages = APIRouter(include_in_schema=False)

RADII = (500, 1000, 2000, 5000)
MAP_LIMIT = 5000
MAX_VERSION = 2**31 - 1  # record versions and pages are 32-bit integers in the database


Unknowable = Literal[
    "free", "step_free", "accessible_toilet", "hearing_loop", "age", "language", "open_at"
]
# What each positive filter is called on the directory page.
FACTS = {
    "free": "Free",
    "step_free": "Step-free",
    "accessible_toilet": "Accessible toilet",
    "hearing_loop": "Hearing loop",
    "age": "Age",
    "language": "Language",
    "open_at": "Open at that time",
}


class AssetFilters(BaseModel):
    """The directory's filters, shared by the API, the map and the pages."""

    where: str = Field("", max_length=200, description="A postcode or a place name.")
    radius: int = Field(1000, ge=50, le=50_000, description="Metres around a postcode.")
    category: str = Field("", max_length=40)
    q: str = Field(
        "",
        max_length=300,
        description="Words in the name or description, best matches first (English stemming).",
    )
    free: bool = False
    step_free: bool = False
    accessible_toilet: bool = False
    hearing_loop: bool = False
    age: int | None = Field(None, ge=0, le=120)
    language: str = Field("", max_length=60, description="A language spoken or used there.")
    open_at: datetime | None = None
    include_unknown: list[Unknowable] = Field(
        [],
        max_length=7,
        description="Positive filters (free, step_free, ...) that also keep the assets not "
        "recording the fact; by default they are left out and counted in not_recorded.",
    )
    fold: bool = Field(
        False,
        description="One item per real place: records of the same place are folded into "
        "the first, the others named in its also_listed (the directory page always folds).",
    )
    page: int = Field(1, ge=1, le=MAX_VERSION)
    per_page: int = Field(20, ge=1, le=200)

    @field_validator("age", "open_at", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        # An HTML form sends an empty field as "": that means "not given".
        return None if value == "" else value


def search_filters(
    workspace: Workspace, filters: AssetFilters
) -> tuple[SearchFilters, str, tuple[float, float] | None]:
    """The workspace's search filters, what "where" was read as, and the point searched around
    (if "where" is a postcode)."""
    near, place, label = (None, None, "")
    if filters.where.strip():
        near, place, label = workspace.assets.where(filters.where)
    chosen: SearchFilters = {
        "place": place,
        "near": near,
        "radius_m": filters.radius if near else None,
        "category": filters.category or None,
        "text": filters.q or None,
        "free": filters.free,
        "step_free": filters.step_free,
        "accessible_toilet": filters.accessible_toilet,
        "hearing_loop": filters.hearing_loop,
        "age": filters.age,
        "language": filters.language.strip() or None,
        "open_at": filters.open_at,
        "include_unknown": list(filters.include_unknown),
    }
    return chosen, label, near


def run_search(
    workspace: Workspace, filters: AssetFilters, *, page: int, per_page: int, fold: bool = False
) -> tuple[AssetSearch, str, tuple[float, float] | None]:
    """The search, what "where" was read as, and the point searched around (if a postcode)."""
    chosen, label, near = search_filters(workspace, filters)
    found = workspace.assets.search(**chosen, page=page, per_page=per_page, fold=fold)
    return found, label, near


@api.get("/assets", responses=ERRORS)
def list_assets(
    workspace: PublicWorkspaceDep, filters: Annotated[AssetFilters, Query()]
) -> dict[str, Any]:
    """Public assets matching the filters, nearest first when ``where`` is a postcode, the best
    matches first for words. ``not_recorded``: for each positive filter given, how many assets
    pass every other filter but do not record the fact (kept only when named in
    ``include_unknown``). With ``fold``, ``total`` counts places and each item lists the other
    records of its place in ``also_listed``."""
    result, label, _ = run_search(
        workspace, filters, page=filters.page, per_page=filters.per_page, fold=filters.fold
    )
    items = [a.public_dict() for a in result.items]
    if filters.fold:
        items = [{**item, "also_listed": result.also_listed.get(item["id"], [])} for item in items]
    return {
        "where": label,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "total_pages": result.total_pages,
        "not_recorded": result.not_recorded,
        "include_unknown": list(filters.include_unknown),
        "items": items,
    }


@api.get("/assets.geojson", responses=ERRORS, response_class=JSONResponse)
def assets_geojson(
    workspace: PublicWorkspaceDep, filters: Annotated[AssetFilters, Query()]
) -> dict[str, Any]:
    """The located assets matching the filters as GeoJSON points (at most 5,000), for maps
    (with ``fold``, one point per real place, as the directory's cards)."""
    result, _, near = run_search(workspace, filters, page=1, per_page=MAP_LIMIT, fold=filters.fold)
    features = [
        {
            "type": "Feature",
            "id": a.id,
            "geometry": {"type": "Point", "coordinates": [a.lon, a.lat]},
            "properties": {
                "name": a.name,
                "category": a.category,
                "postcode": a.postcode,
                "distance_m": a.distance_m,
            },
        }
        for a in result.items
        if a.lon is not None and a.lat is not None
    ]
    centre = (
        {"lon": near[0], "lat": near[1], "radius_m": filters.radius} if near is not None else None
    )
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": result.total,
        "centre": centre,
    }


@api.get("/assets/quality", responses=ERRORS)
def quality_api(
    workspace: WorkspaceDep,
    place: Annotated[str | None, Query()] = None,
    stale_months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> dict[str, Any]:
    """The quality report as JSON."""
    return workspace.assets.quality(place=place or None, stale_months=stale_months).to_dict()


FeedCheckQuery = Annotated[
    str | None,
    Query(
        max_length=40,
        description="List only the services failing this check: id, active, name, description, "
        "url, organisation, contact, schedule, location or usable.",
    ),
]


@api.get("/oruk/quality", responses=ERRORS)
def feed_quality_api(
    workspace: WorkspaceDep,
    place: Annotated[str | None, Query(description="Only the services of this place.")] = None,
    check: FeedCheckQuery = None,
    page: Annotated[int, Query(ge=1, le=MAX_VERSION)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The ORUK feed's services checked as its consumers check them (valid id, active, name,
    description, web address, organisation, contact, opening times, location, usable): how many
    pass each check, overall and per source, and one page of the services that fail, the most
    failures first."""
    report = workspace.assets.feed_quality(
        place=place or None, check=check or None, page=page, per_page=per_page
    )
    return report.to_dict()


VersionQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_VERSION, description="The version you read; a stale one is a 409."),
]


@api.get("/assets/deleted", responses=ERRORS)
def deleted_assets(
    workspace: WorkspaceDep,
    _user: EditorDep,
    page: Annotated[int, Query(ge=1, le=MAX_VERSION)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The deleted assets, the most recently deleted first (analysts and facilitators); each
    says whether it can be restored (a duplicate merged into another cannot)."""
    return workspace.assets.deleted(page=page, per_page=per_page).to_dict()


@api.get("/assets/{asset_id}", responses=ERRORS)
def get_asset(
    asset_id: str, workspace: PublicWorkspaceDep, user: OptionalUserDep
) -> dict[str, Any]:
    private_ok = is_editor(user)
    asset = workspace.assets.get(asset_id, include_private=private_ok)
    return {**asset.to_dict(), **asset.marks()} if private_ok else asset.public_dict()


class AssetUpdate(BaseModel):
    version: int = Field(description="The version you read; a stale version is a 409 Conflict.")
    changes: dict[str, Any]


@api.patch("/assets/{asset_id}", responses=ERRORS)
def update_asset(
    asset_id: str, body: AssetUpdate, workspace: WorkspaceDep, _user: EditorDep
) -> dict[str, Any]:
    """Change an asset (analysts and facilitators); a stale version is refused with 409."""
    return workspace.assets.update(asset_id, version=body.version, changes=body.changes).to_dict()


@api.delete("/assets/{asset_id}", status_code=204, responses=ERRORS)
def delete_asset(
    asset_id: str, workspace: WorkspaceDep, _user: EditorDep, version: VersionQuery = None
) -> Response:
    """Delete an asset (analysts and facilitators): it leaves search and the feeds and can be
    restored."""
    workspace.assets.delete(asset_id, version=version)
    return Response(status_code=204)


@api.post("/assets/{asset_id}/restore", responses=ERRORS)
def restore_asset(
    asset_id: str, workspace: WorkspaceDep, _user: EditorDep, version: VersionQuery = None
) -> dict[str, Any]:
    """Restore a deleted asset (analysts and facilitators); returns it. A duplicate merged into
    another asset is refused with 409: restoring does not undo a merge."""
    return workspace.assets.restore(asset_id, version=version).to_dict()


def _categories() -> dict[str, str]:
    from mobilise.model.asset_vocab import CATEGORIES

    return dict(CATEGORIES)


@pages.get("/assets", response_class=HTMLResponse)
def directory(
    request: Request,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: OptionalUserDep,
    filters: Annotated[AssetFilters, Query()],
) -> Response:
    error = None
    result: AssetSearch | None = None
    label = ""
    try:
        result, label, _ = run_search(
            workspace, filters, page=filters.page, per_page=filters.per_page, fold=True
        )
    except MobiliseError as found:
        error = found.message
    query = request.url.query
    unknowns = _unknown_notes(request, filters, result)
    pages_of = {}
    if result is not None:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
        for link, number in (("previous", result.page - 1), ("next", result.page + 1)):
            if 1 <= number <= result.total_pages:
                pages_of[link] = "?" + urlencode([*params, ("page", str(number))])
    return templates.TemplateResponse(
        request,
        "assets.html",
        {
            "pages_of": pages_of,
            "filters": filters,
            "result": result,
            "where_label": label,
            "error": error,
            "categories": _categories(),
            "radii": RADII,
            "query": query,
            "unknowns": unknowns,
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
        status_code=404 if error else 200,
    )


def _unknown_notes(
    request: Request, filters: AssetFilters, result: AssetSearch | None
) -> list[dict[str, Any]]:
    """For each positive filter given: its name, how many assets do not record it, whether
    they are shown, and the link that shows them or leaves them out."""
    if result is None:
        return []
    notes = []
    for fact, count in result.not_recorded.items():
        included = fact in filters.include_unknown
        kept = [
            (k, v)
            for k, v in request.query_params.multi_items()
            if k != "page" and not (k == "include_unknown" and v == fact)
        ]
        toggled = kept if included else [*kept, ("include_unknown", fact)]
        notes.append(
            {
                "label": FACTS[fact],
                "count": count,
                "included": included,
                "href": "?" + urlencode(toggled),
            }
        )
    return notes


FEED_PER_PAGE = 25  # services failing a check, listed a page at a time on the quality page


@pages.get("/assets/quality", response_class=HTMLResponse)
def quality_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: OptionalUserDep,
    place: Annotated[str | None, Query()] = None,
    stale_months: Annotated[int, Query(ge=1, le=120)] = 12,
    check: FeedCheckQuery = None,
    page: Annotated[int, Query(ge=1, le=MAX_VERSION)] = 1,
) -> Response:
    """Freshness, completeness and geocoding of the register, per place and per source; and the
    ORUK feed's services checked as its consumers check them, the worst first, a page at a
    time (``check``: only those failing it)."""
    report = workspace.assets.quality(place=place or None, stale_months=stale_months)
    feed = workspace.assets.feed_quality(
        place=place or None, check=check or None, page=page, per_page=FEED_PER_PAGE
    )
    chosen = [p for p in workspace.places.list() if not place or p.slug == place]
    duplicate_groups = {p.name: len(workspace.duplicates.clusters(place=p.slug)) for p in chosen}
    return templates.TemplateResponse(
        request,
        "asset_quality.html",
        {
            "report": report,
            "feed": feed,
            "duplicate_groups": duplicate_groups,
            "fields": report.fields,
            "categories": _categories(),
            "places": workspace.places.list(),
            "place": place,
            "user": user,
        },
    )


# What the deleted-assets page says after an action (a fixed text per code, never from a link).
DONE = {
    "deleted": "Deleted. The asset has left search, the directory and the feeds; restore it below.",
    "restored": "Restored. The asset is back in search, the directory and the feeds.",
}
DELETED_PER_PAGE = 50


def _deleted_page(
    request: Request,
    workspace: Workspace,
    templates: Any,
    user: Any,
    *,
    page: int,
    done: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    found = workspace.assets.deleted(page=1, per_page=DELETED_PER_PAGE)
    page = min(page, found.total_pages)
    if page > 1:
        found = workspace.assets.deleted(page=page, per_page=DELETED_PER_PAGE)
    return templates.TemplateResponse(
        request,
        "assets_deleted.html",
        {
            "found": found,
            "categories": _categories(),
            "done": DONE.get(done, ""),
            "error": error,
            "user": user,
        },
        status_code=status_code,
    )


@pages.get("/assets/deleted", response_class=HTMLResponse)
def deleted_page(
    request: Request,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    page: Annotated[int, Query(ge=1, le=MAX_VERSION)] = 1,
    done: str = "",
) -> Response:
    """The deleted assets, each with a button to restore it (analysts and facilitators)."""
    return _deleted_page(request, workspace, templates, user, page=page, done=done)


@pages.post("/assets/{asset_id}/restore", response_class=HTMLResponse)
def restore_form(
    request: Request,
    asset_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    version: Annotated[int | None, Form(ge=1, le=MAX_VERSION)] = None,
    page: Annotated[int, Form(ge=1, le=MAX_VERSION)] = 1,
) -> Response:
    """Restore from the deleted-assets page; a refusal (merged, stale) re-shows it and why."""
    try:
        workspace.assets.restore(asset_id, version=version)
    except MobiliseError as error:
        return _deleted_page(
            request,
            workspace,
            templates,
            user,
            page=page,
            error=error.message,
            status_code=error.status_code,
        )
    return RedirectResponse(f"/assets/deleted?{urlencode({'page': page, 'done': 'restored'})}", 303)


@pages.post("/assets/{asset_id}/delete", response_class=HTMLResponse)
def delete_form(
    asset_id: str,
    workspace: WorkspaceDep,
    _user: EditorDep,
    version: Annotated[int, Form(ge=1, le=MAX_VERSION)],
) -> Response:
    """Delete from the asset's page (a stale version is a 409), then show the deleted assets."""
    workspace.assets.delete(asset_id, version=version)
    return RedirectResponse("/assets/deleted?done=deleted", status_code=303)


@pages.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_page(
    request: Request,
    asset_id: str,
    workspace: PublicWorkspaceDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    user: OptionalUserDep,
) -> Response:
    """An asset's page: its facts in people's words (hours and open now, neighbourhood,
    source, when the facts were checked) and ways to reach it (call, email, directions)."""
    private_ok = is_editor(user)
    profile = workspace.asset_profiles.get(asset_id, include_private=private_ok)
    asset = profile.asset
    return templates.TemplateResponse(
        request,
        "asset.html",
        {
            "asset": asset,
            "profile": profile,
            "stories": workspace.contributions.stories(asset.id),
            "categories": _categories(),
            "can_edit": is_editor(user),
            "tile_url": settings.tile_url,
            "tile_attribution": settings.tile_attribution,
            "user": user,
        },
    )


@pages.post("/assets/{asset_id}/edit", response_class=HTMLResponse)
def edit_asset(
    request: Request,
    asset_id: str,
    workspace: WorkspaceDep,
    templates: TemplatesDep,
    user: EditorDep,
    version: Annotated[int, Form()],
    name: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "active",
    url: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    """Save an edit; a stale version re-shows the form with who changed it and when."""
    changes = {
        "name": name,
        "description": description,
        "status": status,
        "url": url,
        "phone": phone,
        "email": email,
    }
    try:
        workspace.assets.update(asset_id, version=version, changes=changes)
    except MobiliseError as error:
        profile = workspace.asset_profiles.get(asset_id, include_private=True)
        return templates.TemplateResponse(
            request,
            "asset.html",
            {
                "asset": profile.asset,
                "profile": profile,
                "categories": _categories(),
                "can_edit": True,
                "user": user,
                "edit_error": error.message,
                "edit_values": changes,
                "tile_url": "",
                "tile_attribution": "",
            },
            status_code=error.status_code,
        )
    return RedirectResponse(f"/assets/{asset_id}", status_code=303)

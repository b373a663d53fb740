"""The offline layer of the maps (``static/mobilise-map.js``): what a map draws when its street
tiles cannot load. Public, as the open data it serves; cached by browsers, so a page that drew it
once draws it again without the network."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from mobilise.web.deps import PublicWorkspaceDep, SettingsDep
from mobilise.web.routes.api import ERRORS

router = APIRouter(prefix="/api/v1/basemap", tags=["basemap"])

GEOJSON = "application/geo+json"
STREETS_CACHE = "public, max-age=86400"  # a shipped file: it changes with a new version only
OUTLINES_CACHE = "public, max-age=600"  # stored boundaries: they change with an import


@router.get("", responses=ERRORS)
def basemap(
    workspace: PublicWorkspaceDep, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    """The base map in force: the street tiles (``MOBILISE_TILE_URL``) and the offline layer
    the maps fall back to (neighbourhood outlines; the shipped street files with where each
    applies and its attribution)."""
    response.headers["cache-control"] = OUTLINES_CACHE
    tiles = settings.tile_url if settings.tile_url not in ("", "none") else None
    return {
        "tiles": {"url": tiles, "attribution": settings.tile_attribution if tiles else None},
        "outlines": "/api/v1/basemap/areas.geojson",
        "streets": [
            layer.to_dict() | {"url": f"/api/v1/basemap/streets/{layer.id}.geojson"}
            for layer in workspace.basemap.street_layers()
        ],
    }


@router.get(
    "/streets/{layer_id}.geojson",
    responses=ERRORS | {200: {"content": {GEOJSON: {}}}},
    response_class=Response,
)
def streets(layer_id: str, workspace: PublicWorkspaceDep, request: Request) -> Response:
    """One shipped street file (OpenStreetMap, ODbL: "© OpenStreetMap contributors"), as
    GeoJSON: sent gzipped to clients that accept it, cached for a day."""
    layer = workspace.basemap.street_layer(layer_id)
    headers = {
        "cache-control": STREETS_CACHE,
        "etag": f'"{layer.etag}"',
        "vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response(status_code=304, headers=headers)
    gzipped = "gzip" in request.headers.get("accept-encoding", "").lower()
    if gzipped:
        headers["content-encoding"] = "gzip"
    return Response(
        workspace.basemap.street_bytes(layer.id, gzipped=gzipped),
        media_type=GEOJSON,
        headers=headers,
    )


@router.get(
    "/areas.geojson",
    responses=ERRORS | {200: {"content": {GEOJSON: {}}}},
    response_class=Response,
)
def outlines(
    workspace: PublicWorkspaceDep,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description="The view: west,south,east,north in degrees (WGS84).",
            examples=["-0.17,51.53,-0.13,51.55"],
        ),
    ],
    area_type: Annotated[
        str | None,
        Query(max_length=20, description="Kind of area, e.g. lsoa11; default: the most common."),
    ] = None,
) -> Response:
    """Outlines of the neighbourhoods in a view with their names, locality and local authority
    (at most 3,000: a wider view is a 422 asking to zoom in)."""
    found = workspace.basemap.outlines(bbox, area_type=area_type)
    return Response(
        found.geojson,
        media_type=GEOJSON,
        headers={"cache-control": OUTLINES_CACHE, "x-area-type": found.area_type},
    )

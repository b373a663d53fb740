"""Downloads of the public asset register: ``GET /api/v1/assets/export.{fmt}``.

Include this router before :data:`mobilise.web.routes.assets.api`, whose
``/api/v1/assets/{asset_id}`` would otherwise take ``export.csv`` for an asset id.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mobilise.web.deps import PublicWorkspaceDep
from mobilise.web.routes.api import ERRORS
from mobilise.web.routes.assets import AssetFilters, search_filters

router = APIRouter(prefix="/api/v1", tags=["assets"])


class DownloadFormat(StrEnum):
    csv = "csv"
    geojson = "geojson"
    gpkg = "gpkg"
    zip = "zip"  # the HSDS 3.0 data package


# download format -> (export format, media type)
_FORMATS = {
    DownloadFormat.csv: ("csv", "text/csv; charset=utf-8"),
    DownloadFormat.geojson: ("geojson", "application/geo+json"),
    DownloadFormat.gpkg: ("gpkg", "application/geopackage+sqlite3"),
    DownloadFormat.zip: ("hsds", "application/zip"),
}


def download_name(where: str, fmt: DownloadFormat, *, today: str) -> str:
    """``community-assets-e8-1dy-2026-05-01.csv``; the HSDS package is ``...-hsds-....zip``."""
    slug = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")[:40]
    parts = ["community-assets", slug, "hsds" if fmt is DownloadFormat.zip else "", today]
    return "-".join(p for p in parts if p) + f".{fmt.value}"


@router.get(
    "/assets/export.{fmt}",
    responses={**ERRORS, 200: {"description": "The file, as an attachment."}},
    response_class=Response,
)
def export_assets(
    request: Request,
    fmt: DownloadFormat,
    workspace: PublicWorkspaceDep,
    filters: Annotated[AssetFilters, Query()],
) -> Response:
    """Every public asset matching the filters of ``GET /api/v1/assets`` (all pages), as CSV,
    GeoJSON, GeoPackage or an Open Referral HSDS 3.0 data package (``zip``)."""
    chosen, _, _ = search_filters(workspace, filters)
    export_format, media_type = _FORMATS[fmt]
    written = io.BytesIO()
    feed = str(request.base_url).rstrip("/") + "/oruk"
    workspace.assets.export(written, format=export_format, base_url=feed, **chosen)
    name = download_name(filters.where, fmt, today=datetime.now(UTC).date().isoformat())
    return Response(
        written.getvalue(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )

"""Exporting the asset register: every page of a search, written in one of the export formats.

Shared by ``mobilise assets export`` and ``GET /api/v1/assets/export.{fmt}``; the files themselves
are written by :mod:`mobilise.formats.asset_export`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.asset_vocab import EXPORT_FORMATS
from mobilise.workspace.assets import Asset, AssetSearch

__all__ = ["PAGE_SIZE", "every_asset", "write_export"]


PAGE_SIZE = 5000
"""Assets read per search page while exporting."""


def every_asset(
    search: Callable[[int, int], AssetSearch], *, per_page: int = PAGE_SIZE
) -> list[Asset]:
    """Every asset a search finds, read page by page.

    ``search(page, per_page)`` runs the search (e.g. ``lambda page, per_page:
    ws.assets.search(place="hackney", page=page, per_page=per_page)``).
    """
    found: list[Asset] = []
    page = 1
    while True:
        result = search(page, per_page)
        found.extend(result.items)
        if not result.items or len(found) >= result.total or page >= result.total_pages:
            return found
        page += 1


def write_export(
    assets: Sequence[Asset],
    file_format: str,
    path: Path,
    *,
    include_private: bool = False,
    base_url: str | None = None,
) -> int:
    """Write ``assets`` to ``path`` in ``file_format`` (one of :data:`EXPORT_FORMATS`).

    ``include_private`` lets private assets into a CSV, GeoJSON or GeoPackage (an analyst's own
    copy); an HSDS package is published data and never holds them. ``base_url`` is the address
    of the ORUK feed, for the links of an HSDS package. Returns how many assets were written.
    """
    from mobilise.formats import asset_export as formats

    if file_format not in EXPORT_FORMATS:
        raise ValidationError(
            f"Cannot export assets as {file_format!r}.",
            problems=[Problem(f"use one of {', '.join(EXPORT_FORMATS)}", field="format")],
        )
    rows: list[dict[str, Any]] = [a.as_mapping() for a in assets]
    if file_format == "hsds":
        if include_private:
            raise ValidationError(
                "An HSDS package is published data and never holds private assets.",
                problems=[Problem("leave out --include-private for hsds", field="include_private")],
            )
        return formats.write_hsds_package(rows, path, base_url=base_url)
    writers = {
        "csv": formats.write_csv,
        "geojson": formats.write_geojson,
        "gpkg": formats.write_geopackage,
    }
    return writers[file_format](rows, path, include_private=include_private)

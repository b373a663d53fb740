"""Exporting the asset register: every page of a search, written in one of the export formats.

:meth:`mobilise.workspace.assets.AssetService.export` is the verb (``mobilise assets export`` and
``GET /api/v1/assets/export.{fmt}`` both use it); the files themselves are written by
:mod:`mobilise.formats.asset_export`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.asset_vocab import EXPORT_FORMATS
from mobilise.workspace._files import writing_path

if TYPE_CHECKING:
    from mobilise.workspace._files import FileTarget
    from mobilise.workspace.asset_records import Asset, AssetSearch

__all__ = ["PAGE_SIZE", "every_asset", "export_assets", "write_export"]


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


def export_assets(
    search: Callable[[int, int], AssetSearch],
    target: FileTarget,
    *,
    file_format: str,
    include_private: bool = False,
    base_url: str | None = None,
) -> int:
    """Write every asset ``search(page, per_page)`` finds to ``target`` (see
    :func:`write_export`); the format is checked before anything is read."""
    _checked_format(file_format, include_private)
    found = every_asset(search)
    return write_export(
        found, file_format, target, include_private=include_private, base_url=base_url
    )


def _checked_format(file_format: str, include_private: bool) -> None:
    if file_format not in EXPORT_FORMATS:
        raise ValidationError(
            f"Cannot export assets as {file_format!r}.",
            problems=[Problem(f"use one of {', '.join(EXPORT_FORMATS)}", field="format")],
        )
    if file_format == "hsds" and include_private:
        raise ValidationError(
            "An HSDS package is published data and never holds private assets.",
            problems=[Problem("leave out --include-private for hsds", field="include_private")],
        )


def write_export(
    assets: Sequence[Asset],
    file_format: str,
    target: FileTarget,
    *,
    include_private: bool = False,
    base_url: str | None = None,
) -> int:
    """Write ``assets`` to ``target`` in ``file_format`` (one of :data:`EXPORT_FORMATS`).

    ``target`` is a path or a writable binary stream. A path is written only once the export is
    complete (its folder is made if needed); an HSDS package goes to a folder, or to a ``.zip``
    file when the path ends so or the target is a stream. Into a folder that exists already, the
    package's files are moved once all are written, replacing files of the same names.

    ``include_private`` lets private assets into a CSV, GeoJSON or GeoPackage (an analyst's own
    copy); an HSDS package is published data and never holds them. ``base_url`` is the address
    of the ORUK feed, for the links of an HSDS package. Returns how many assets were written.
    """
    from mobilise.formats import asset_export as formats

    _checked_format(file_format, include_private)
    rows: list[dict[str, Any]] = [a.as_mapping() for a in assets]

    def write(path: Path) -> int:
        if file_format == "hsds":
            return formats.write_hsds_package(rows, path, base_url=base_url, as_zip=as_zip)
        writers = {
            "csv": formats.write_csv,
            "geojson": formats.write_geojson,
            "gpkg": formats.write_geopackage,
        }
        return writers[file_format](rows, path, include_private=include_private)

    as_zip = True  # a package sent to a stream
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        as_zip = path.suffix.lower() == ".zip"
        if file_format == "hsds" and path.is_dir():
            return _into_folder(path, write)
    suffix = "zip" if file_format == "hsds" else file_format
    with writing_path(target, name=f"assets.{suffix}") as path:
        return write(path)


def _into_folder(folder: Path, write: Callable[[Path], int]) -> int:
    """Write a package beside ``folder``, then move its files into it (replacing their names)."""
    with tempfile.TemporaryDirectory(prefix=f".{folder.name}.", dir=folder.parent) as scratch:
        package = Path(scratch) / "package"
        written = write(package)
        for file in sorted(package.iterdir()):
            os.replace(file, folder / file.name)
    return written

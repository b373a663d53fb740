"""A run's results as files: GeoJSON text for maps, CSV or GeoPackage downloads (the CSV's text
cells never run as spreadsheet formulas: :mod:`mobilise.formats.safe_cells`).

:class:`~mobilise.workspace.access.AccessService` reads the results and hands them here; this
module loads pandas, GeoPandas and shapely, so it is imported only when a file is made.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import geopandas as gpd
import pandas as pd
import shapely

from mobilise.formats.safe_cells import guard_frame
from mobilise.workspace._files import FileTarget, write_bytes
from mobilise.workspace.areas import feature_collection

if TYPE_CHECKING:
    from mobilise.workspace.access import AccessRun
    from mobilise.workspace.core import Workspace

__all__ = ["scenario_geojson", "write_results"]


def scenario_geojson(
    workspace: Workspace, frame: pd.DataFrame, extra: dict[str, dict[str, Any]] | None = None
) -> str:
    """One scenario's results (rows of :meth:`AccessService.results`) with each area's stored
    boundary, as a GeoJSON FeatureCollection; ``extra``: more properties by area code (a
    network run's comparison with straight-line access and its detour)."""
    rows: dict[str, Any] = {r.area_code: r for r in cast(Any, frame).itertuples(index=False)}
    extra = extra or {}
    features: list[tuple[str, dict[str, Any], str]] = []
    for code, name, geometry in workspace.areas.geojson_features(sorted(rows)):
        r = rows[code]
        properties = {
            "code": code,
            "name": name,
            "value": r.value,
            "in_reach": int(r.in_reach),
            "nearest_m": None if pd.isna(r.nearest_m) else round(float(r.nearest_m)),
            "cluster": r.cluster,
            "priority": bool(r.priority),
            "reasons": list(r.reasons),
            "imd_decile": None if pd.isna(r.imd_decile) else int(r.imd_decile),
            "population": int(r.population),
            **extra.get(code, {}),
        }
        features.append((code, properties, geometry))
    return feature_collection(features)


def write_results(
    workspace: Workspace, run: AccessRun, frame: pd.DataFrame, target: FileTarget, file_format: str
) -> int:
    """Write every result of ``run`` (``frame``) to ``target`` as ``csv`` or ``gpkg``; the
    number of rows written."""
    frame.insert(5, "unit", run.plan.unit)
    # The catchment and nearest columns hold the run's unit: metres, or minutes on streets.
    frame.insert(2, "catchment_unit", run.plan.catchment_unit)
    frame.insert(1, "travel", run.plan.travel)
    frame["reasons"] = ["; ".join(r) for r in frame["reasons"]]
    frame["run_id"] = run.id
    frame = frame[["run_id", *[c for c in frame.columns if c != "run_id"]]]
    name = f"access-{run.id}.{file_format}"
    if file_format == "csv":
        data = guard_frame(frame).to_csv(index=False).encode("utf-8")
    else:
        data = _geopackage(workspace, frame)
    write_bytes(target, data, name=name)
    return len(frame)


def _geopackage(workspace: Workspace, frame: pd.DataFrame) -> bytes:
    """The results with the areas' boundaries as the bytes of a GeoPackage (layer
    ``access_results``), written privately under a ``.gpkg`` name as GDAL expects."""
    codes = sorted(set(frame["area_code"]))
    features = {code: text for code, _name, text in workspace.areas.geojson_features(codes)}
    shapes = gpd.GeoSeries(
        shapely.from_geojson([features.get(c) for c in frame["area_code"]]),
        crs="EPSG:4326",
    )
    layer = gpd.GeoDataFrame(frame, geometry=shapes.values, crs="EPSG:4326")
    with tempfile.TemporaryDirectory(prefix="mobilise-") as folder:
        path = Path(folder) / "access_results.gpkg"
        layer.to_file(path, layer="access_results", driver="GPKG")
        return path.read_bytes()

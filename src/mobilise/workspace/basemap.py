"""The offline base map: what a map draws when its street tiles cannot load.

A deployment's maps draw street tiles from a tile service (``MOBILISE_TILE_URL``; OpenStreetMap's
by default). When those cannot load (no internet, a locked-down network, a laptop at a community
event) or the setting is ``none``, the page falls back to this layer instead of grey:

* **outlines** of the neighbourhoods in view (the stored area boundaries, LSOAs in the demo) with
  their names, the locality they sit in and their local authority, as labels for the map to show
  at suitable zooms. The locality is the House of Commons Library's name of the MSOA ("Belsize
  Park" for "Camden 011", OGL v3; ``demo/data/basemap/SOURCES.md``), else the MSOA's own name;
* **streets** where open data is shipped: simplified OpenStreetMap street lines (ODbL,
  "© OpenStreetMap contributors"), one gzipped GeoJSON file per covered area in
  ``demo/data/basemap/``, made by ``scripts/build_offline_streets.py``.

Reading stays light: the street files are served as they are stored (gzipped), and each is parsed
once per process for its extent and attribution.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from mobilise.demo import DEMO_DATA
from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.store.tables import areas
from mobilise.workspace._common import chunked
from mobilise.workspace.areas import _newest_parent, feature_collection, parent_rows

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "BASEMAP_DATA",
    "MAX_OUTLINES",
    "BaseMapService",
    "Outlines",
    "StreetLayer",
    "parse_bbox",
]

BASEMAP_DATA = DEMO_DATA / "basemap"
LOCALITY_FILE = "msoa21_hcl_names_ew.csv.gz"
MAX_OUTLINES = 3000
"""The most neighbourhood outlines one view may ask for (about a county's worth): beyond it the
map is too far out for outlines to be read, and the answer is a 422 asking to zoom in."""


@dataclass(frozen=True)
class StreetLayer:
    """One shipped street file: what it covers and how it must be credited."""

    id: str
    name: str
    bbox: tuple[float, float, float, float]  # west, south, east, north (WGS84)
    streets: int
    attribution: str
    licence: str
    source: str
    etag: str  # of the stored (gzipped) bytes
    path: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "bbox": list(self.bbox),
            "streets": self.streets,
            "attribution": self.attribution,
            "licence": self.licence,
            "source": self.source,
            "bytes": self.path.stat().st_size,
        }


@dataclass(frozen=True)
class Outlines:
    """The outlines of the neighbourhoods in a view, as GeoJSON text."""

    area_type: str
    count: int
    geojson: str


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """``"west,south,east,north"`` in degrees (WGS84) as four numbers, or a ValidationError
    naming what is wrong."""
    parts = text.split(",")
    problem = ""
    numbers: list[float] = []
    if len(parts) != 4:
        problem = "give four numbers: west,south,east,north (degrees)"
    else:
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            problem = "each of west,south,east,north must be a number of degrees"
    if not problem:
        west, south, east, north = numbers
        if not all(-180 <= x <= 180 for x in (west, east)) or not all(
            -90 <= y <= 90 for y in (south, north)
        ):
            problem = "longitudes lie in -180..180 and latitudes in -90..90"
        elif west > east or south > north:
            problem = "west must not be east of east, nor south north of north"
    if problem:
        raise ValidationError(
            f"The bounding box {text[:80]!r} cannot be used: {problem}.",
            problems=[Problem(problem, field="bbox")],
        )
    return numbers[0], numbers[1], numbers[2], numbers[3]


class BaseMapService:
    """The offline layer of the maps: street files shipped with mobilise and area outlines."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def street_layers(self) -> list[StreetLayer]:
        """Every shipped street file, by id."""
        return [_street_layer(p, p.stat().st_mtime_ns) for p in _street_files()]

    def street_layer(self, layer_id: str) -> StreetLayer:
        for layer in self.street_layers():
            if layer.id == layer_id:
                return layer
        raise NotFound(f"No offline street layer {layer_id[:80]!r}.")

    def street_bytes(self, layer_id: str, *, gzipped: bool = True) -> bytes:
        """The street file as stored (gzipped GeoJSON), or unzipped."""
        data = self.street_layer(layer_id).path.read_bytes()
        return data if gzipped else gzip.decompress(data)

    def outlines(
        self, bbox: str | tuple[float, float, float, float], *, area_type: str | None = None
    ) -> Outlines:
        """The stored areas whose bounding box meets ``bbox`` (``"west,south,east,north"`` or
        four numbers, degrees) of ``area_type``, else of the type with the most areas there,
        with code, name, locality, authority and label point."""
        west, south, east, north = parse_bbox(bbox) if isinstance(bbox, str) else bbox
        where = (
            areas.c.deleted_at.is_(None),
            areas.c.geometry.is_not(None),
            areas.c.min_lon <= east,
            areas.c.max_lon >= west,
            areas.c.min_lat <= north,
            areas.c.max_lat >= south,
        )
        with self._ws.read() as connection:
            counts: dict[str, int] = dict(
                connection.execute(
                    select(areas.c.area_type, func.count())
                    .where(*where)
                    .group_by(areas.c.area_type)
                ).all()
            )
            kind = area_type or max(counts, key=lambda k: (counts[k], k), default="")
            count = int(counts.get(kind, 0))
            if count > MAX_OUTLINES:
                raise ValidationError(
                    f"{count:,} areas lie in this view, more than the offline layer's limit of "
                    f"{MAX_OUTLINES:,} outlines: zoom in.",
                    problems=[Problem(f"more than {MAX_OUTLINES} areas", field="bbox")],
                )
            rows = connection.execute(
                select(
                    areas.c.code,
                    areas.c.name,
                    areas.c.centroid_lon,
                    areas.c.centroid_lat,
                    areas.c.min_lon,
                    areas.c.min_lat,
                    areas.c.max_lon,
                    areas.c.max_lat,
                    areas.c.geometry,
                )
                .where(*where, areas.c.area_type == kind)
                .order_by(areas.c.code)
            ).all()
            parents: list[Any] = []
            for chunk in chunked([r.code for r in rows]):
                parents += parent_rows(connection, chunk)
        msoas, lads = _newest_parent(parents, "msoa"), _newest_parent(parents, "lad")
        localities = _locality_names()
        features = []
        for r in rows:
            msoa_name = msoas.get(r.code, ("", ""))[1]
            label = (
                (r.centroid_lon, r.centroid_lat)
                if r.centroid_lon is not None
                else ((r.min_lon + r.max_lon) / 2, (r.min_lat + r.max_lat) / 2)
            )
            properties = {
                "code": r.code,
                "name": r.name,
                "locality": localities.get(msoa_name, msoa_name),
                "authority": lads.get(r.code, ("", ""))[1],
                "label": [round(label[0], 5), round(label[1], 5)],
            }
            features.append((r.code, properties, r.geometry))
        return Outlines(area_type=kind, count=len(features), geojson=feature_collection(features))


def _street_files() -> list[Path]:
    return sorted(BASEMAP_DATA.glob("*.geojson.gz"))


@lru_cache(maxsize=16)
def _street_layer(path: Path, mtime_ns: int) -> StreetLayer:
    """Read a street file once (per change of it) for its extent, count and credits."""
    data = path.read_bytes()
    collection = json.loads(gzip.decompress(data))
    xs: list[float] = []
    ys: list[float] = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        lines = geometry["coordinates"]
        for line in [lines] if geometry["type"] == "LineString" else lines:
            xs += [point[0] for point in line]
            ys += [point[1] for point in line]
    return StreetLayer(
        id=path.name.removesuffix(".geojson.gz"),
        name=str(collection.get("name", path.name)),
        bbox=(min(xs), min(ys), max(xs), max(ys)),
        streets=len(collection["features"]),
        attribution=str(collection.get("attribution", "© OpenStreetMap contributors, ODbL")),
        licence=str(collection.get("licence", "ODbL-1.0")),
        source=str(collection.get("source", "")),
        etag=hashlib.sha256(data).hexdigest()[:32],
        path=path,
    )


@lru_cache(maxsize=1)
def _locality_names() -> dict[str, str]:
    """MSOA name -> the House of Commons Library's name of it ("Camden 011" -> "Belsize
    Park"), for England and Wales."""
    path = BASEMAP_DATA / LOCALITY_FILE
    if not path.exists():
        return {}
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    return {
        row["msoa21nm"]: row["msoa21hclnm"]
        for row in csv.DictReader(io.StringIO(text))
        if row.get("msoa21nm") and row.get("msoa21hclnm")
    }

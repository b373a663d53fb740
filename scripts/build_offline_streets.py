#!/usr/bin/env python3
"""Build the offline street layer shipped with mobilise from an OpenStreetMap extract.

When a map's tiles cannot load (no internet, a locked-down network, a laptop at a community
event), the map falls back to an offline layer: area outlines with their names, and the streets
of this file where it covers the view. This script makes that file from an ``.osm.pbf`` extract:

* the named and unnamed ways tagged ``highway`` = motorway, trunk, primary, secondary, tertiary
  (kind ``main``) or unclassified, residential, living_street, pedestrian (kind ``street``);
  footways, paths, service roads and ``*_link`` ramps are left out to keep it small;
* the ways of one street (same name and kind) merged into one (multi)line, simplified with
  Douglas-Peucker at ``--tolerance`` metres (in British National Grid) and rounded to 5 decimals
  (about 1 m);
* each street's label point: the middle of its longest part;
* written as compact, gzipped GeoJSON in WGS84 with the licence and attribution as foreign
  members, so that whoever serves the file can show them.

The data is OpenStreetMap's, under the ODbL 1.0: "© OpenStreetMap contributors". The reader is
pyosmium (``pip install osmium``), used only here: mobilise reads the GeoJSON at run time.

Usage::

    python scripts/build_offline_streets.py \
        ../shared/data/street_network/camden_osm_2021-07.osm.pbf \
        src/mobilise/demo/data/basemap/camden_streets_2021-07.geojson.gz --area Camden
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

MAIN = frozenset({"motorway", "trunk", "primary", "secondary", "tertiary"})
STREET = frozenset({"unclassified", "residential", "living_street", "pedestrian"})
ATTRIBUTION = "© OpenStreetMap contributors, ODbL"
LICENCE = "ODbL-1.0"


def read_ways(pbf: Path) -> dict[tuple[str, str], list[list[tuple[float, float]]]]:
    """The coordinates of the kept ways, grouped by (name, kind)."""
    import osmium

    ways: dict[tuple[str, str], list[list[tuple[float, float]]]] = defaultdict(list)
    processor = (
        osmium.FileProcessor(str(pbf))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for item in processor:
        if not item.is_way():
            continue
        highway = item.tags.get("highway", "")
        kind = "main" if highway in MAIN else "street" if highway in STREET else ""
        if not kind or item.tags.get("area") == "yes":
            continue
        points = [(node.lon, node.lat) for node in item.nodes if node.location.valid()]
        if len(points) >= 2:
            ways[(item.tags.get("name", ""), kind)].append(points)
    return ways


def street_features(
    ways: dict[tuple[str, str], list[list[tuple[float, float]]]], *, tolerance_m: float
) -> list[dict[str, Any]]:
    """One GeoJSON feature per street: merged, simplified in metres, rounded, with a label
    point."""
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import LineString, MultiLineString, mapping
    from shapely.ops import linemerge

    def projector(source: int, target: int) -> Any:
        move = Transformer.from_crs(source, target, always_xy=True).transform
        return lambda xy: np.column_stack(move(xy[:, 0], xy[:, 1]))

    to_metres, to_degrees = projector(4326, 27700), projector(27700, 4326)
    features = []
    for (name, kind), lines in sorted(ways.items()):
        merged = linemerge(MultiLineString(lines))
        metres = shapely.transform(merged, to_metres).simplify(tolerance_m)
        simple = shapely.transform(metres, to_degrees)
        simple = shapely.set_precision(simple, 1e-5)
        parts = [p for p in getattr(simple, "geoms", [simple]) if isinstance(p, LineString)]
        parts = [p for p in parts if not p.is_empty and len(p.coords) >= 2]
        if not parts:
            continue
        geometry = parts[0] if len(parts) == 1 else MultiLineString(parts)
        longest = max(parts, key=lambda p: p.length)
        label = longest.interpolate(0.5, normalized=True)
        properties: dict[str, Any] = {"kind": kind}
        if name:
            properties |= {"name": name, "label": [round(label.x, 5), round(label.y, 5)]}
        features.append(
            {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}
        )
    return features


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pbf", type=Path, help="the OpenStreetMap extract (.osm.pbf)")
    parser.add_argument("out", type=Path, help="the gzipped GeoJSON to write")
    parser.add_argument("--area", required=True, help="what the extract covers, e.g. Camden")
    parser.add_argument("--date", default="", help="the data date, e.g. 2021-07")
    parser.add_argument("--tolerance", type=float, default=2.0, help="simplification, metres")
    args = parser.parse_args()
    features = street_features(read_ways(args.pbf), tolerance_m=args.tolerance)
    collection = {
        "type": "FeatureCollection",
        "name": f"Streets of {args.area}" + (f" ({args.date})" if args.date else ""),
        "attribution": ATTRIBUTION,
        "licence": LICENCE,
        "source": args.pbf.name,
        "features": features,
    }
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as zipped:
        zipped.write(text.encode("utf-8"))
    size = args.out.stat().st_size
    print(f"{args.out}: {len(features)} streets, {len(text):,} bytes, {size:,} gzipped")


if __name__ == "__main__":
    main()

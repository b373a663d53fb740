"""Tiny OpenStreetMap extracts for the street-network tests, drawn in metres.

Nodes are placed in British National Grid metres near Camden and written in WGS84 with pyosmium's
``SimpleWriter``, so a test can say "400 m east" and check times by hand: at the walking speed of
4.8 km/h one walks 80 m a minute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

ORIGIN_X, ORIGIN_Y = 529_000.0, 183_000.0  # near Euston, EPSG:27700
WALK_M_PER_MIN = 80.0  # 4.8 km/h
STAMP = datetime(2021, 7, 13, 17, 36, 11, tzinfo=UTC)

Node = tuple[float, float] | tuple[float, float, Mapping[str, str]]


@cache
def _to_wgs84() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lon_lat(x: float, y: float) -> tuple[float, float]:
    """WGS84 of a point ``x``, ``y`` metres east and north of :data:`ORIGIN_X`, ``ORIGIN_Y``."""
    lon, lat = _to_wgs84().transform(ORIGIN_X + x, ORIGIN_Y + y)
    return float(lon), float(lat)


def write_extract(
    path: Path,
    nodes: Mapping[int, Node],
    ways: Sequence[tuple[Sequence[int], Mapping[str, str]]],
) -> Path:
    """Write an extract: ``nodes`` {id: (x, y[, tags])} in metres, ``ways`` [(node ids, tags)].

    Way ids are 1, 2, ... in order; every object carries :data:`STAMP`, the last one a day more.
    """
    import osmium

    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for node_id in sorted(nodes):
            spec: tuple[Any, ...] = nodes[node_id]
            node_tags = dict(spec[2]) if len(spec) > 2 else {}
            writer.add_node(
                osmium.osm.mutable.Node(
                    id=node_id,
                    location=lon_lat(spec[0], spec[1]),
                    tags=node_tags,
                    timestamp=STAMP,
                    version=1,
                )
            )
        for way_id, (refs, way_tags) in enumerate(ways, start=1):
            writer.add_way(
                osmium.osm.mutable.Way(
                    id=way_id, nodes=list(refs), tags=dict(way_tags), timestamp=STAMP, version=1
                )
            )
    return path

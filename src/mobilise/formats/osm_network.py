"""OpenStreetMap extracts (``.osm.pbf``, ``.osm``) read into the streets a router needs.

:func:`read_osm_ways` reads a user's extract with pyosmium (the Python bindings of libosmium,
the library OSM's own tools are built on) and keeps only what the street profiles of
:mod:`mobilise.analysis.street_network` look at:

* every way with a ``highway`` tag, its node list in order, and the tags a profile reads
  (:data:`WAY_TAGS`: ``highway``, ``foot``, ``bicycle``, ``access``, ``oneway``,
  ``oneway:bicycle``, ``oneway:foot``, ``junction``, ``wheelchair``, ``step_count``,
  ``incline``, ``kerb``, ``surface``, ``name`` ...);
* the coordinates (WGS84) of the nodes those ways use, and the tags of those nodes that can stop
  someone (:data:`NODE_TAGS`: ``barrier``, ``kerb``, ``wheelchair``, ``access``, ``foot``,
  ``bicycle``, ``highway``);
* the file's name, its sha256 and its **data date**: the newest timestamp of the objects read
  (the streets and their tagged nodes; the untagged nodes are not looked at one by one, which
  keeps the read fast).

Licence: OpenStreetMap data is ODbL 1.0, attribution "© OpenStreetMap contributors"
(:data:`LICENCE`, :data:`ATTRIBUTION`); both travel with every network built from it.

A file that is not OSM data, is cut short, or holds no streets is refused with a
:class:`~mobilise.errors.ValidationError` naming the file; nothing is kept from it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import DEFAULT_LIMITS
from mobilise.settings import Limits

__all__ = ["ATTRIBUTION", "LICENCE", "NODE_TAGS", "WAY_TAGS", "OsmWays", "read_osm_ways"]

LICENCE = "ODbL 1.0"
ATTRIBUTION = "© OpenStreetMap contributors"

WAY_TAGS = frozenset(
    {
        "highway",
        "name",
        "ref",
        "foot",
        "bicycle",
        "access",
        "wheelchair",
        "oneway",
        "oneway:bicycle",
        "oneway:foot",
        "junction",
        "cycleway",
        "footway",
        "sidewalk",
        "step_count",
        "incline",
        "kerb",
        "surface",
        "area",
    }
)
NODE_TAGS = frozenset({"barrier", "kerb", "wheelchair", "access", "foot", "bicycle", "highway"})


@dataclass(frozen=True, eq=False, repr=False)
class OsmWays:
    """The highway ways of an OSM extract, with their nodes, as aligned arrays.

    Attributes
    ----------
    name
        The file name the data came from (shown to users, kept with the network).
    sha256
        Hex digest of the file's bytes.
    data_date
        Newest timestamp of the streets and tagged nodes read, ISO 8601 UTC (``None`` when the
        file carries no timestamps).
    node_ids, lon, lat
        OSM id and WGS84 position of every node used by a kept way, sorted by id.
    way_ids
        OSM id of every kept way, in file order.
    way_start, way_nodes
        Node lists in CSR form: way ``w`` runs through the node positions
        ``way_nodes[way_start[w]:way_start[w + 1]]`` (positions in ``node_ids``), in order.
    way_tags
        The kept tags (:data:`WAY_TAGS`) of each way.
    node_tags
        The kept tags (:data:`NODE_TAGS`) of the tagged nodes, by node position.
    size_bytes
        The file's size.
    """

    name: str
    sha256: str
    data_date: str | None
    node_ids: npt.NDArray[np.int64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    way_ids: npt.NDArray[np.int64]
    way_start: npt.NDArray[np.int64]
    way_nodes: npt.NDArray[np.int64]
    way_tags: list[dict[str, str]]
    node_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    size_bytes: int = 0

    @property
    def n_ways(self) -> int:
        return len(self.way_ids)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def source(self) -> dict[str, Any]:
        """Provenance kept with every network built from these ways."""
        return {
            "file": self.name,
            "sha256": self.sha256,
            "data_date": self.data_date,
            "licence": LICENCE,
            "attribution": ATTRIBUTION,
        }

    def __repr__(self) -> str:
        return (
            f"OsmWays({self.name!r}, {self.n_ways:,} ways, {self.n_nodes:,} nodes, "
            f"data date {self.data_date})"
        )


def read_osm_ways(
    source: str | Path | bytes,
    *,
    name: str = "extract",
    limits: Limits | None = None,
) -> OsmWays:
    """Read the highway ways of an OpenStreetMap extract.

    Parameters
    ----------
    source
        A path to an ``.osm.pbf`` (or ``.osm`` XML) file, or its bytes.
    name
        The file name to report (a path's own name is used when ``source`` is a path).
    limits
        The workspace's limits: more highway ways than ``max_rows`` is refused. Defaults to
        the settings' defaults.

    Returns
    -------
    The ways, their nodes and the extract's provenance.

    Raises
    ------
    ValidationError
        Naming the file: not OSM data, corrupt or cut short, empty, or no highway ways.
    """
    limits = limits or DEFAULT_LIMITS
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        name = path.name
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ValidationError(
                f"Cannot read {name}: {error.strerror or error}.",
                problems=[Problem("the file cannot be read", file=name)],
            ) from None
    if not data.strip():
        raise _refusal(name, "the file is empty; export an .osm.pbf extract of the place")
    if data.startswith((b"\x1f\x8b", b"BZh")):
        raise _refusal(
            name, "it is a compressed .osm file; give the .osm.pbf extract (PBF is compressed)"
        )
    collected = _collect(data, name)
    if not collected.way_tags:
        raise _refusal(
            name,
            "the extract holds no streets (no way with a highway tag and located nodes); "
            "export the OpenStreetMap extract of the place with its highways",
        )
    if len(collected.way_tags) > limits.max_rows:
        raise ValidationError(
            f"{name} holds {len(collected.way_tags):,} streets, more than the limit of "
            f"{limits.max_rows:,} (setting MOBILISE_MAX_ROWS); cut the extract to the place.",
            problems=[Problem("too many highway ways", file=name)],
        )
    return collected.ways(name, hashlib.sha256(data).hexdigest(), len(data))


def _refusal(name: str, message: str) -> ValidationError:
    return ValidationError(
        f"Cannot read the OpenStreetMap extract {name}: {message}.",
        problems=[Problem(message, file=name)],
    )


def _file_format(data: bytes) -> str:
    head = data[:64].lstrip()
    if head.startswith((b"<?xml", b"<osm")):
        return "osm"
    return "pbf"


_WAY_KEYS = tuple(sorted(WAY_TAGS))
_NODE_KEYS = tuple(sorted(NODE_TAGS))


def _kept(tags: Any, keys: tuple[str, ...]) -> dict[str, str]:
    # Asking for the few keys wanted is faster than walking every tag through Python.
    return {key: value for key in keys if (value := tags.get(key)) is not None}


class _Collector:
    """The ways, node positions and tags gathered in one pass over the file."""

    def __init__(self) -> None:
        self.newest: datetime | None = None
        self.way_ids: list[int] = []
        self.way_lengths: list[int] = []
        self.way_tags: list[dict[str, str]] = []
        self.refs: list[int] = []
        self.lons: list[float] = []
        self.lats: list[float] = []
        self.tagged_nodes: dict[int, dict[str, str]] = {}

    def see(self, timestamp: datetime) -> None:
        if timestamp.year > 1970 and (self.newest is None or timestamp > self.newest):
            self.newest = timestamp

    def node(self, node: Any) -> None:
        tags = _kept(node.tags, _NODE_KEYS)
        if tags:
            self.tagged_nodes[node.id] = tags

    def way(self, way: Any) -> None:
        tags = _kept(way.tags, _WAY_KEYS)
        run: list[tuple[int, float, float]] = []
        for node in way.nodes:
            location = node.location
            if location.valid():
                run.append((node.ref, location.lon, location.lat))
                continue
            self._add(way.id, tags, run)  # a way cut by the extract's edge: keep its pieces
            run = []
        self._add(way.id, tags, run)

    def _add(self, way_id: int, tags: dict[str, str], run: list[tuple[int, float, float]]) -> None:
        if len(run) < 2:
            return
        self.way_ids.append(way_id)
        self.way_lengths.append(len(run))
        self.way_tags.append(tags)
        for ref, lon, lat in run:
            self.refs.append(ref)
            self.lons.append(lon)
            self.lats.append(lat)

    def ways(self, name: str, sha256: str, size: int) -> OsmWays:
        refs = np.asarray(self.refs, dtype=np.int64)
        node_ids, first, positions = np.unique(refs, return_index=True, return_inverse=True)
        way_start = np.zeros(len(self.way_lengths) + 1, dtype=np.int64)
        np.cumsum(self.way_lengths, out=way_start[1:])
        lookup = {int(osm_id): position for position, osm_id in enumerate(node_ids)}
        node_tags = {
            lookup[osm_id]: tags for osm_id, tags in self.tagged_nodes.items() if osm_id in lookup
        }
        return OsmWays(
            name=name,
            sha256=sha256,
            data_date=self.newest.astimezone(UTC).isoformat() if self.newest else None,
            node_ids=node_ids,
            lon=np.asarray(self.lons, dtype=np.float64)[first],
            lat=np.asarray(self.lats, dtype=np.float64)[first],
            way_ids=np.asarray(self.way_ids, dtype=np.int64),
            way_start=way_start,
            way_nodes=positions.astype(np.int64).ravel(),
            way_tags=self.way_tags,
            node_tags=node_tags,
            size_bytes=size,
        )


def _collect(data: bytes, name: str) -> _Collector:
    import osmium  # heavy and optional at import time: only a reader of extracts needs it

    collector = _Collector()
    buffer = osmium.io.FileBuffer(data, _file_format(data))
    processor = (
        osmium.FileProcessor(buffer, osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EmptyTagFilter())
        .with_filter(osmium.filter.KeyFilter(*(NODE_TAGS | {"highway"})))
    )
    try:
        element: Any
        for element in processor:
            collector.see(element.timestamp)
            if element.is_node():
                collector.node(element)
            elif "highway" in element.tags:
                collector.way(element)
    except (RuntimeError, ValueError, OSError) as error:
        raise _refusal(
            name, f"it is not a readable OpenStreetMap file or is cut short ({error})"
        ) from None
    return collector

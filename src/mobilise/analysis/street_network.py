"""Street networks for walking, cycling and step-free travel, as compact directed graphs.

Built from the ways of an OpenStreetMap extract (:func:`mobilise.formats.osm_network.read_osm_ways`)
by :func:`build_network` for one of :data:`PROFILES`; see ``docs/street_networks.md`` for every
rule and its source.
"""

from __future__ import annotations

import functools
import io
import json
import weakref
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from mobilise.analysis import _street_profiles as _profiles
from mobilise.analysis._checks import FloatArray, raise_if
from mobilise.errors import Problem, ValidationError

__all__ = [
    "PROFILES",
    "Snapped",
    "StreetNetwork",
    "StreetWays",
    "build_network",
    "coverage",
    "snap",
]

PROFILES = ("walk", "cycle", "step-free")


class StreetWays(Protocol):
    """What :func:`build_network` reads: :class:`mobilise.formats.osm_network.OsmWays` (analysis
    does not import formats, so the shape is stated here)."""

    @property
    def node_ids(self) -> npt.NDArray[np.int64]: ...
    @property
    def lon(self) -> npt.NDArray[np.float64]: ...
    @property
    def lat(self) -> npt.NDArray[np.float64]: ...
    @property
    def way_start(self) -> npt.NDArray[np.int64]: ...
    @property
    def way_nodes(self) -> npt.NDArray[np.int64]: ...
    @property
    def way_tags(self) -> list[dict[str, str]]: ...
    @property
    def node_tags(self) -> dict[int, dict[str, str]]: ...
    @property
    def source(self) -> dict[str, Any]: ...


@dataclass(frozen=True, eq=False, repr=False)
class StreetNetwork:
    """A directed street graph for one profile, in CSR form.

    Attributes
    ----------
    profile
        One of :data:`PROFILES`.
    x, y
        Node positions, British National Grid (EPSG:27700) metres.
    indptr, indices
        Directed edges in CSR form: node ``u`` leads to ``indices[indptr[u]:indptr[u + 1]]``.
    seconds
        Travel time of each edge, seconds.
    source
        Provenance and build facts: ``file``, ``sha256``, ``data_date``, ``licence``,
        ``attribution``, ``profile``, ``speeds`` (km/h), ``speed_kmh`` (the profile's base
        speed), ``nodes_dropped`` (outside the largest strongly connected component).
    osm_ids
        OSM id of each node (``None`` when not known).
    """

    profile: str
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    seconds: npt.NDArray[np.float32]
    source: dict[str, Any] = field(default_factory=dict)
    osm_ids: npt.NDArray[np.int64] | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.indices)

    @property
    def length_km(self) -> float:
        """Length of the streets, each link counted once whatever its directions, km."""
        u, v = self.edges()
        metres = np.hypot(self.x[u] - self.x[v], self.y[u] - self.y[v])
        links = sparse.coo_matrix((metres, (u, v)), shape=(self.n_nodes, self.n_nodes)).tocsr()
        return float(links.maximum(links.T).sum() / 2 / 1000)

    @property
    def speed_kmh(self) -> float:
        """The profile's base speed (km/h), used for the legs between a point and the network."""
        return float(
            self.source.get("speed_kmh") or _profiles.DEFAULT_SPEEDS[self.profile]["default"]
        )

    def edges(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The tail and head node of every edge, in CSR order."""
        tails = np.repeat(np.arange(self.n_nodes, dtype=np.int64), np.diff(self.indptr))
        return tails, self.indices.astype(np.int64)

    def matrix(self) -> sparse.csr_matrix:
        """The edge travel times as a sparse matrix (seconds), as ``scipy.sparse.csgraph`` takes."""
        return sparse.csr_matrix(
            (self.seconds.astype(np.float64), self.indices, self.indptr),
            shape=(self.n_nodes, self.n_nodes),
        )

    def to_bytes(self) -> bytes:
        """The network as a compact ``.npz`` (arrays plus the profile and source as JSON)."""
        arrays: dict[str, Any] = {
            "x": self.x,
            "y": self.y,
            "indptr": self.indptr,
            "indices": self.indices,
            "seconds": self.seconds,
            "meta": np.frombuffer(
                json.dumps({"profile": self.profile, "source": self.source}).encode(), np.uint8
            ),
        }
        if self.osm_ids is not None:
            arrays["osm_ids"] = self.osm_ids
        out = io.BytesIO()
        np.savez_compressed(out, **arrays)
        return out.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> StreetNetwork:
        """A network written by :meth:`to_bytes`.

        Raises
        ------
        ValidationError
            When ``data`` is not a network written by :meth:`to_bytes`.
        """
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                meta = json.loads(stored["meta"].tobytes().decode())
                network = cls(
                    profile=str(meta["profile"]),
                    x=stored["x"].astype(np.float64),
                    y=stored["y"].astype(np.float64),
                    indptr=stored["indptr"].astype(np.int64),
                    indices=stored["indices"].astype(np.int32),
                    seconds=stored["seconds"].astype(np.float32),
                    source=dict(meta["source"]),
                    osm_ids=stored["osm_ids"].astype(np.int64) if "osm_ids" in stored else None,
                )
        except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile):
            raise ValidationError("The stored street network cannot be read.") from None
        _check_shape(network)
        return network

    def __repr__(self) -> str:
        return (
            f"StreetNetwork({self.profile!r}, {self.n_nodes:,} nodes, {self.n_edges:,} edges, "
            f"from {self.source.get('file')!r})"
        )


def _check_shape(network: StreetNetwork) -> None:
    n = network.n_nodes
    fine = (
        len(network.y) == n
        and len(network.indptr) == n + 1
        and network.indptr[0] == 0
        and network.indptr[-1] == network.n_edges == len(network.seconds)
        and bool(np.all(np.diff(network.indptr) >= 0))
        and (network.n_edges == 0 or (network.indices.min() >= 0 and network.indices.max() < n))
        and network.profile in PROFILES
    )
    if not fine:
        raise ValidationError("The stored street network is not valid (its arrays disagree).")


@dataclass(frozen=True, eq=False)
class Snapped:
    """The nearest network node of each point and how far it is (metres)."""

    node: npt.NDArray[np.int64]
    distance_m: npt.NDArray[np.float64]


def build_network(
    ways: StreetWays, profile: str, *, speeds: Mapping[str, float] | None = None
) -> StreetNetwork:
    """The street network of ``ways`` for one profile.

    Each pair of consecutive nodes of a way the profile allows is an edge, in the directions
    the profile allows, timed at the speed it gives the way; a node that stops the profile (a
    stile, a raised kerb...) is left out with its edges. Where two ways join the same two nodes
    the faster edge is kept.

    Parameters
    ----------
    ways
        The highway ways of an extract (:func:`mobilise.formats.osm_network.read_osm_ways`).
    profile
        ``"walk"``, ``"cycle"`` or ``"step-free"``.
    speeds
        Speeds in km/h replacing the profile's defaults: ``"default"`` (the base speed),
        ``"steps"`` (walking), ``"dismount"`` (cycling where one must walk the bike), or a
        highway value such as ``"footway"``.

    Returns
    -------
    The largest strongly connected component of the graph the profile allows (so every node
    reaches every other); the nodes dropped are counted in ``source["nodes_dropped"]``.

    Raises
    ------
    ValidationError
        Unknown profile, bad speeds, or no street the profile may use.
    """
    chosen = _check_profile(profile, speeds)
    x, y = _to_british_grid(ways.lon, ways.lat)
    tails, heads, seconds = _edges(ways, profile, chosen, x, y)
    n_nodes = len(x)
    stopped = np.zeros(n_nodes, dtype=bool)
    for position, tags in ways.node_tags.items():
        stopped[position] = _profiles.node_stops(tags, profile)
    keep = ~(stopped[tails] | stopped[heads]) & (tails != heads)
    tails, heads, seconds = tails[keep], heads[keep], seconds[keep]
    if len(tails) == 0:
        raise ValidationError(
            f"No street in {ways.source.get('file', 'the extract')} can be used for {profile}.",
            problems=[Problem(f"no usable street for the {profile} profile", field="profile")],
        )
    # The fastest of parallel edges: sort by (tail, head, seconds), keep each pair's first.
    order = np.lexsort((seconds, heads, tails))
    tails, heads, seconds = tails[order], heads[order], seconds[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    tails, heads, seconds = tails[first], heads[first], seconds[first]
    graph = sparse.csr_matrix((seconds, (tails, heads)), shape=(n_nodes, n_nodes))
    kept = _largest_component(graph)
    graph = graph[kept][:, kept].tocsr()
    graph.sort_indices()
    source = {
        **ways.source,
        "profile": profile,
        "speeds": chosen,
        "speed_kmh": chosen["default"],
        "nodes_dropped": int(np.count_nonzero(np.bincount(np.r_[tails, heads], minlength=n_nodes)))
        - len(kept),
    }
    return StreetNetwork(
        profile=profile,
        x=x[kept],
        y=y[kept],
        indptr=graph.indptr.astype(np.int64),
        indices=graph.indices.astype(np.int32),
        seconds=graph.data.astype(np.float32),
        source=source,
        osm_ids=np.asarray(ways.node_ids, dtype=np.int64)[kept],
    )


def _check_profile(profile: str, speeds: Mapping[str, float] | None) -> dict[str, float]:
    problems: list[Problem] = []
    if profile not in PROFILES:
        problems.append(
            Problem(
                f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}", field="profile"
            )
        )
        raise_if(problems, "Cannot build the street network")
    for key, value in (speeds or {}).items():
        if not isinstance(value, int | float) or not (0 < float(value) < 200):
            problems.append(
                Problem(
                    f"speed {key!r} must be a number of km/h above 0, not {value!r}", field="speeds"
                )
            )
    raise_if(problems, "Cannot build the street network")
    return {key: float(value) for key, value in _profiles.speeds_for(profile, speeds).items()}


def _edges(
    ways: StreetWays, profile: str, speeds: Mapping[str, float], x: FloatArray, y: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
    """Directed edges (tail, head, seconds) of every way the profile allows."""
    speed_of = _profiles.SPEED_OF[profile]
    n_ways = len(ways.way_tags)
    kmh = np.empty(n_ways)
    direction = np.empty(n_ways, dtype=np.int8)
    for w, tags in enumerate(ways.way_tags):
        kmh[w] = speed_of(tags, speeds)
        direction[w] = _profiles.directions(tags, profile)
    way_start = np.asarray(ways.way_start, dtype=np.int64)
    nodes = np.asarray(ways.way_nodes, dtype=np.int64)
    # Segment i joins nodes[i] and nodes[i + 1] unless i is the last node of its way.
    segment = np.ones(max(len(nodes) - 1, 0), dtype=bool)
    segment[way_start[1:-1] - 1] = False
    starts = np.flatnonzero(segment)
    way_of = np.searchsorted(way_start, starts, side="right") - 1
    allowed = kmh[way_of] > 0
    starts, way_of = starts[allowed], way_of[allowed]
    u, v = nodes[starts], nodes[starts + 1]
    seconds = np.hypot(x[u] - x[v], y[u] - y[v]) / (kmh[way_of] / 3.6)
    # Two nodes mapped at one spot would make a zero, which sparse matrices drop as no edge.
    np.maximum(seconds, 0.001, out=seconds)
    along = direction[way_of] >= 0
    against = direction[way_of] <= 0
    return (
        np.concatenate([u[along], v[against]]),
        np.concatenate([v[along], u[against]]),
        np.concatenate([seconds[along], seconds[against]]),
    )


def _to_british_grid(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x, y = _wgs84_to_british_grid().transform(
        np.asarray(lon, np.float64), np.asarray(lat, np.float64)
    )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


@functools.cache
def _wgs84_to_british_grid() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def _largest_component(graph: sparse.csr_matrix) -> npt.NDArray[np.int64]:
    """The nodes of the largest strongly connected component, in order."""
    _, labels = csgraph.connected_components(graph, directed=True, connection="strong")
    used = np.zeros(graph.shape[0], dtype=bool)
    used[graph.indices] = True
    used[np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))] = True
    sizes = np.bincount(labels[used])
    return np.flatnonzero(labels == int(np.argmax(sizes))).astype(np.int64)


def snap(network: StreetNetwork, x: npt.ArrayLike, y: npt.ArrayLike) -> Snapped:
    """The nearest node of ``network`` to each point, by a k-d tree on the nodes.

    Parameters
    ----------
    network
        The street network.
    x, y
        Point coordinates, EPSG:27700 metres.

    Returns
    -------
    For each point, its nearest node and the straight-line distance to it (metres).
    """
    points = np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])
    if network.n_nodes == 0 or len(points) == 0:
        return Snapped(np.zeros(len(points), np.int64), np.full(len(points), np.inf))
    distance, node = _tree(network).query(points)
    return Snapped(np.asarray(node, dtype=np.int64), np.asarray(distance, dtype=np.float64))


def coverage(
    network: StreetNetwork, x: npt.ArrayLike, y: npt.ArrayLike, *, limit_m: float = 500.0
) -> npt.NDArray[np.bool_]:
    """Which points the extract covers: a node of ``network`` within ``limit_m`` metres.

    A point outside the extract (or in a large park or water with no path) is farther.
    """
    return snap(network, x, y).distance_m <= limit_m


_TREES: weakref.WeakKeyDictionary[StreetNetwork, Any] = weakref.WeakKeyDictionary()


def _tree(network: StreetNetwork) -> Any:
    """The k-d tree of a network's nodes, built once per network."""
    tree = _TREES.get(network)
    if tree is None:
        from scipy.spatial import cKDTree

        tree = _TREES[network] = cKDTree(np.column_stack([network.x, network.y]))
    return tree

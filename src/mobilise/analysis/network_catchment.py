"""Travel-time catchment pairs on a street network.

:func:`pairs_from_network` snaps origins and destinations to a
:class:`~mobilise.analysis.street_network.StreetNetwork` and finds every origin-destination
pair within ``max_minutes`` by Dijkstra's algorithm bounded by the catchment
(``scipy.sparse.csgraph.dijkstra`` with ``limit``), giving the same sparse
:class:`~mobilise.analysis.catchment.CatchmentPairs` every access measure takes, with the cost in
minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from mobilise.analysis._checks import FloatArray, cost_limit, named, raise_if
from mobilise.analysis.catchment import CatchmentPairs, _coordinates, _trusted_pairs
from mobilise.analysis.street_network import StreetNetwork, snap
from mobilise.errors import Problem

__all__ = ["NetworkPairs", "pairs_from_network"]


@dataclass(frozen=True, eq=False)
class NetworkPairs:
    """Catchment pairs on a network, with how far each point was from it.

    Attributes
    ----------
    pairs
        The pairs, cost in minutes (the legs from each point to its nearest node included, at
        the snap speed).
    origin_snap_m, destination_snap_m
        Distance (metres) from each origin and destination to its nearest network node,
        indexed by their ids.
    warnings
        Plain sentences: points farther than the snap limit (named), points too far from any
        street to reach anything (named).
    """

    pairs: CatchmentPairs
    origin_snap_m: pd.Series
    destination_snap_m: pd.Series
    warnings: list[str] = field(default_factory=list)


def pairs_from_network(
    network: StreetNetwork,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    max_minutes: float,
    *,
    x: str = "x",
    y: str = "y",
    snap_limit_m: float = 500.0,
    off_network_m: float = 2000.0,
    walk_speed_kmh: float | None = None,
    search_from: str = "auto",
) -> NetworkPairs:
    """Every origin-destination pair within ``max_minutes`` of travel on ``network``.

    The time of a pair is the leg from the origin to its nearest node, the fastest path on the
    network, and the leg from the destination's nearest node to it; the legs are straight lines
    at ``walk_speed_kmh``.

    Parameters
    ----------
    network
        The street network of one profile.
    origins, destinations
        One row per point, ids on the index, ``x``/``y`` in EPSG:27700 metres.
    max_minutes
        The catchment, minutes; pairs at exactly this time are included.
    x, y
        Names of the coordinate columns.
    snap_limit_m
        Points farther than this (metres) from their nearest node are kept but warned about.
    off_network_m
        Points farther than this (metres) from every node reach nothing, and are warned about.
    walk_speed_kmh
        Speed on the legs between a point and its node (km/h); by default the profile's base
        speed.
    search_from
        ``"origins"``, ``"destinations"`` (searching the reversed network) or ``"auto"``: from
        the side with fewer distinct nodes. The result does not depend on it.

    Returns
    -------
    The pairs (cost in minutes), the snap distances and the warnings.

    Raises
    ------
    ValidationError
        Naming every problem: absent or missing coordinates, repeated ids, a bad limit.
    """
    problems: list[Problem] = []
    origin_xy = _coordinates(origins, x, y, "origins", problems)
    destination_xy = _coordinates(destinations, x, y, "destinations", problems)
    limit = cost_limit(max_minutes, "max_minutes", problems)
    snap_limit = cost_limit(snap_limit_m, "snap_limit_m", problems)
    off_network = cost_limit(off_network_m, "off_network_m", problems)
    speed = network.speed_kmh if walk_speed_kmh is None else walk_speed_kmh
    if not (isinstance(speed, int | float) and 0 < speed < 200):
        problems.append(
            Problem(f"must be a speed in km/h above 0, not {speed!r}", field="walk_speed_kmh")
        )
    if search_from not in ("auto", "origins", "destinations"):
        problems.append(Problem("must be 'auto', 'origins' or 'destinations'", field="search_from"))
    raise_if(problems, "Cannot build catchment pairs on the street network")

    origin_snap = snap(network, origin_xy[:, 0], origin_xy[:, 1])
    destination_snap = snap(network, destination_xy[:, 0], destination_xy[:, 1])
    metres_per_second = float(speed) / 3.6
    origin_leg = np.where(
        origin_snap.distance_m <= off_network, origin_snap.distance_m / metres_per_second, np.inf
    )
    destination_leg = np.where(
        destination_snap.distance_m <= off_network,
        destination_snap.distance_m / metres_per_second,
        np.inf,
    )
    forward = search_from == "origins" or (
        search_from == "auto"
        and len(np.unique(origin_snap.node)) <= len(np.unique(destination_snap.node))
    )
    ends = (origin_snap.node, origin_leg, destination_snap.node, destination_leg)
    if forward:
        origin, destination, seconds = _search(network.matrix(), *ends, limit * 60)
    else:
        destination, origin, seconds = _search(
            network.matrix().T.tocsr(), *ends[2:], *ends[:2], limit * 60
        )
    minutes = seconds / 60.0
    keep = minutes <= limit
    pairs = _trusted_pairs(
        origin[keep],
        destination[keep],
        minutes[keep],
        origins.index.copy(),
        destinations.index.copy(),
        limit,
    )
    warnings = [
        *_snap_warnings(origins.index, origin_snap.distance_m, "origin", snap_limit, off_network),
        *_snap_warnings(
            destinations.index, destination_snap.distance_m, "destination", snap_limit, off_network
        ),
    ]
    return NetworkPairs(
        pairs=pairs,
        origin_snap_m=pd.Series(origin_snap.distance_m, index=origins.index.copy(), name="snap_m"),
        destination_snap_m=pd.Series(
            destination_snap.distance_m, index=destinations.index.copy(), name="snap_m"
        ),
        warnings=warnings,
    )


# Rows of the dense distance block one Dijkstra call fills: about 64 MB of float64 at most.
_BLOCK_CELLS = 8_000_000


def _search(
    graph: sparse.csr_matrix,
    source_node: npt.NDArray[np.int64],
    source_leg: FloatArray,
    target_node: npt.NDArray[np.int64],
    target_leg: FloatArray,
    budget: float,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray]:
    """(source, target, seconds) of every pair within ``budget`` seconds, legs included.

    Dijkstra runs once per distinct source node, bounded by the budget less the shortest leg of
    its block of sources, filling a dense block of (sources x nodes) distances at a time.
    """
    found: list[tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], FloatArray]] = []
    reachable = np.flatnonzero(np.isfinite(source_leg) & (source_leg <= budget))
    targets = np.flatnonzero(np.isfinite(target_leg) & (target_leg <= budget))
    if len(reachable) == 0 or len(targets) == 0:
        return np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0, np.float64)
    nodes, row_of = np.unique(source_node[reachable], return_inverse=True)
    block = max(1, _BLOCK_CELLS // max(graph.shape[0], 1))
    for start in range(0, len(nodes), block):
        chunk = nodes[start : start + block]
        in_chunk = (row_of >= start) & (row_of < start + len(chunk))
        sources = reachable[in_chunk]
        bound = budget - float(source_leg[sources].min()) - float(target_leg[targets].min())
        distance = csgraph.dijkstra(graph, directed=True, indices=chunk, limit=max(bound, 0.0))
        total = distance[:, target_node[targets]][row_of[in_chunk] - start]
        total += source_leg[sources][:, None]
        total += target_leg[targets][None, :]
        rows, columns = np.nonzero(total <= budget)
        found.append(
            (
                sources[rows].astype(np.int32),
                targets[columns].astype(np.int32),
                total[rows, columns],
            )
        )
    return (
        np.concatenate([part[0] for part in found]),
        np.concatenate([part[1] for part in found]),
        np.concatenate([part[2] for part in found]),
    )


def _snap_warnings(
    ids: pd.Index, distance_m: FloatArray, what: str, snap_limit: float, off_network: float
) -> list[str]:
    warnings = []
    far = (distance_m > snap_limit) & (distance_m <= off_network)
    if far.any():
        warnings.append(
            f"{int(far.sum())} {what}s are more than {snap_limit:,.0f} m from the nearest street "
            f"of the network: {_with_distances(ids[far], distance_m[far])}; their times include "
            "that distance in a straight line."
        )
    off = distance_m > off_network
    if off.any():
        warnings.append(
            f"{int(off.sum())} {what}s are more than {off_network:,.0f} m from any street of the "
            f"network and reach nothing: {_with_distances(ids[off], distance_m[off])}. Check "
            "their position, and that the street extract covers them."
        )
    return warnings


def _with_distances(ids: pd.Index, distance_m: FloatArray) -> str:
    labels = [
        f"{identifier} ({metres / 1000:,.1f} km)" if np.isfinite(metres) else f"{identifier}"
        for identifier, metres in zip(ids, distance_m, strict=True)
    ]
    return named(labels)

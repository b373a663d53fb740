"""The two passes of a chunked access measure (private to :mod:`mobilise.analysis.sweep`).

A chunk's pairs join its origins (positions local to the chunk) to the destinations of its place
(positions in the sweep's destination list). Pass 1 sums, per destination touched, what the
floating catchment measures need from these origins; pass 2, given every destination's ratio
(the reduce of all chunks' sums), gives each origin its access. Only origin-local quantities are
computed inside a chunk: the origin's weight total ``sum_k f(c_ik)`` (3SFCA, BFCA), its pairs,
its nearest cost. The formulas are those of :mod:`mobilise.analysis.access`, term by term.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._access_steps import decay_weights, inverse

__all__ = [
    "FCA_METHODS",
    "METHODS",
    "ChunkPairs",
    "ChunkPartials",
    "Scenario",
    "access_of_chunk",
    "partials_of_chunk",
    "ratios",
]

METHODS = ("count", "supply", "gravity", "2sfca", "e2sfca", "3sfca", "bfca")
FCA_METHODS = ("2sfca", "e2sfca", "3sfca", "bfca")
"""The measures whose value at an origin depends on other origins' demand (two passes)."""


@dataclass(frozen=True)
class Scenario:
    """One result of a sweep for one profile: a category, a catchment (metres on a straight
    line, minutes on a network) and a decay (its name, and the weight function itself)."""

    category: str
    catchment: float
    decay: str
    weight: Any  # a mobilise.analysis.decay.Decay (or any function of cost)

    @property
    def key(self) -> str:
        return f"{self.category}|{self.catchment!r}|{self.decay}"


@dataclass(frozen=True)
class ChunkPairs:
    """A chunk's pairs: ``origin`` local to the chunk, ``destination`` a position in the sweep's
    destinations, ``cost`` in the profile's unit, and the warnings met while pairing."""

    origin_ids: pd.Index
    population: npt.NDArray[np.float64]
    origin: npt.NDArray[np.int32]
    destination: npt.NDArray[np.int64]
    cost: npt.NDArray[np.float64]
    warnings: tuple[str, ...] = ()


@dataclass
class ChunkPartials:
    """Pass 1 of one chunk: for each scenario key, the destinations its origins touch and their
    summed demand (row 0) and, for BFCA, summed weight (row 1)."""

    sums: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]

    def to_bytes(self) -> bytes:
        arrays: dict[str, Any] = {"keys": np.array(list(self.sums), dtype=str)}
        for number, (positions, values) in enumerate(self.sums.values()):
            arrays[f"p{number}"] = positions
            arrays[f"v{number}"] = values
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ChunkPartials:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            keys = [str(k) for k in stored["keys"]]
            return cls({k: (stored[f"p{n}"], stored[f"v{n}"]) for n, k in enumerate(keys)})


Groups = dict[Any, npt.NDArray[np.intp]]


def _groups(pairs: ChunkPairs, categories: npt.NDArray[Any]) -> Groups:
    """The positions of the chunk's pairs by their destination's category, found once."""
    of_pair = categories[pairs.destination]
    order = np.argsort(of_pair, kind="stable")
    found, starts = np.unique(of_pair[order], return_index=True)
    return dict(zip(found.tolist(), np.split(order, starts[1:]), strict=True))


def _pairs_of(
    pairs: ChunkPairs, groups: Groups, scenario: Scenario
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    at = groups.get(scenario.category, np.empty(0, dtype=np.intp))
    at = at[pairs.cost[at] <= scenario.catchment]
    return pairs.origin[at], pairs.destination[at], pairs.cost[at]


def _sum_by(
    index: npt.NDArray[np.integer[Any]], weights: npt.NDArray[np.float64], length: int
) -> npt.NDArray[np.float64]:
    """``weights`` summed by ``index`` (``np.bincount``, as float64)."""
    return np.bincount(index, weights=weights, minlength=length).astype(np.float64, copy=False)


def _origin_weight_inverse(
    origin: npt.NDArray[np.int32], weight: npt.NDArray[np.float64], n_origins: int
) -> npt.NDArray[np.float64]:
    """``1 / sum_k f(c_ik)`` of each origin (0 where the sum is 0): origin-local."""
    return inverse(_sum_by(origin, weight, n_origins))


def partials_of_chunk(
    pairs: ChunkPairs, categories: npt.NDArray[Any], method: str, scenarios: list[Scenario]
) -> ChunkPartials:
    """Pass 1: per scenario, the demand each touched destination sees from this chunk."""
    sums: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
    if method not in FCA_METHODS:
        return ChunkPartials(sums)
    n = len(pairs.origin_ids)
    groups = _groups(pairs, categories)
    for scenario in scenarios:
        origin, destination, cost = _pairs_of(pairs, groups, scenario)
        weight = decay_weights(scenario.weight, cost)
        demand = pairs.population[origin]
        rows = []
        if method in ("2sfca", "e2sfca"):
            rows.append(demand * weight)
        else:
            per_origin = _origin_weight_inverse(origin, weight, n)[origin]
            if method == "3sfca":
                rows.append(demand * per_origin * weight * weight)
            else:  # bfca
                rows.append(demand * per_origin * weight)
                rows.append(weight)
        touched, at = np.unique(destination, return_inverse=True)
        values = np.vstack([_sum_by(at, row, len(touched)) for row in rows])
        sums[scenario.key] = (touched.astype(np.int64), values)
    return ChunkPartials(sums)


def ratios(
    partials: list[ChunkPartials],
    supply: npt.NDArray[np.float64],
    method: str,
    scenarios: list[Scenario],
) -> dict[str, npt.NDArray[np.float64]]:
    """The reduce: every chunk's sums added (in chunk order), then each destination's
    supply-to-demand ratio (BFCA: its level of service over its weight total), 0 where no
    demand is in reach, as :func:`mobilise.analysis._access_steps.supply_ratio`."""
    found: dict[str, npt.NDArray[np.float64]] = {}
    if method not in FCA_METHODS:
        return found
    rows = 2 if method == "bfca" else 1
    for scenario in scenarios:
        total = np.zeros((rows, len(supply)))
        for chunk in partials:
            stored = chunk.sums.get(scenario.key)
            if stored is not None:
                positions, values = stored
                total[:, positions] += values
        ratio = supply * inverse(total[0])
        ratio[(total[0] <= 0) | ~np.isfinite(ratio)] = 0.0
        if method == "bfca":
            ratio = ratio * inverse(total[1])
        found[scenario.key] = ratio
    return found


def access_of_chunk(
    pairs: ChunkPairs,
    categories: npt.NDArray[Any],
    supply: npt.NDArray[np.float64],
    method: str,
    scenarios: list[Scenario],
    ratio: dict[str, npt.NDArray[np.float64]],
) -> pd.DataFrame:
    """Pass 2: every origin's value, assets in reach and nearest cost in every scenario."""
    n = len(pairs.origin_ids)
    groups = _groups(pairs, categories)
    values, counts, nearest = [], [], []
    for scenario in scenarios:
        origin, destination, cost = _pairs_of(pairs, groups, scenario)
        in_reach = np.bincount(origin, minlength=n)
        if method == "count":
            value = in_reach.astype(np.float64)
        elif method == "supply":
            value = _sum_by(origin, supply[destination], n)
        else:
            weight = decay_weights(scenario.weight, cost)
            if method == "gravity":
                value = _sum_by(origin, weight * supply[destination], n)
            elif method == "3sfca":
                per_origin = _origin_weight_inverse(origin, weight, n)
                shares = weight * weight * ratio[scenario.key][destination]
                value = _sum_by(origin, shares, n) * per_origin
            else:
                value = _sum_by(origin, weight * ratio[scenario.key][destination], n)
        near = np.full(n, np.inf)
        np.minimum.at(near, origin, cost)
        near[np.isinf(near)] = np.nan
        values.append(value)
        counts.append(in_reach)
        nearest.append(near)
    each = len(scenarios)
    return pd.DataFrame(
        {
            "area_code": np.tile(np.asarray(pairs.origin_ids, dtype=object), each),
            "category": np.repeat([s.category for s in scenarios], n),
            "catchment": np.repeat([float(s.catchment) for s in scenarios], n),
            "decay": np.repeat([s.decay for s in scenarios], n),
            "value": np.concatenate(values) if values else np.empty(0),
            "in_reach": np.concatenate(counts) if counts else np.empty(0, dtype=np.intp),
            "nearest": np.concatenate(nearest) if nearest else np.empty(0),
        }
    )

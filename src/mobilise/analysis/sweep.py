"""Access sweeps: many places x categories x catchments x decays x travel profiles of the access
measures of :mod:`mobilise.analysis.access`, in chunks of origins that run on Dask
(``distributed``) or, without a client, one after the other in this process.

Chunks and passes
-----------------
The origins (small areas at their population-weighted centres, with their population) are cut
into **chunks** of at most ``chunk_size`` origins of one place and one travel profile. Building a
chunk's pairs (a k-d tree search on a straight line, shortest paths on a street network) is the
costly part, and it is origin-local: every chunk pairs on its own. The floating catchment
measures are not origin-local (a destination's supply-to-demand ratio ``R_j = S_j / sum_k P_k
f(c_kj)`` needs the demand of every origin in its catchment), so a sweep runs in two passes:

1. per chunk: build the pairs, and sum per destination the demand its origins put on it, per
   scenario (2SFCA/E2SFCA: ``P_i f(c_ij)``; 3SFCA: ``P_i G_ij f(c_ij)`` with the origin-local
   selection weights ``G_ij = f(c_ij) / sum_k f(c_ik)``; BFCA: ``P_i f^o_ij`` and ``f(c_ij)``,
   whose total gives the destination standardisation);
2. reduce: add the chunks' sums (in chunk order, so the result does not depend on which chunk
   finished first) and form each destination's ratio; then per chunk: each origin's access from
   its pairs and the ratios. Count, supply and gravity measures are origin-local and need only
   pass 2; nearest cost and assets in reach come with it.

The results equal :mod:`mobilise.analysis.access` run in one process on all origins (to 1e-9:
only the order of the floating-point sums differs). A chunk's pairs stay in the memory of the
worker that built them until its pass 2 is done; pass 1's sums are small (one number per
destination touched and scenario) and handed to ``on_partials``, which stores them, so a sweep
that resumes after a failure skips the pass 1 of every chunk that has its sums, and both passes
of every chunk whose results were stored (``finished``).

Dask
----
With a ``dask.distributed.Client`` each place's destinations and each street network go to the
cluster once (``Client.scatter``), every chunk is a task that builds its pairs, and passes 1 and
2 are tasks on those pairs, so pairs never travel between workers and the client. Results come
back as they finish (``as_completed``) and are handed to ``on_results`` at once: they stream
into the workspace while the rest runs. A failed chunk does not stop the others: every chunk
that can finish does, then :class:`ChunkFailed` names the chunks that failed.

Fault hook (for tests)
----------------------
``fault=Fault(chunk, stage)`` makes that chunk raise :class:`ChunkFault` in ``stage`` (``"pass1"``
or ``"pass2"``). It travels with the task's arguments, so it works on any worker, in any process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis._sweep_measures import (
    FCA_METHODS,
    METHODS,
    ChunkPairs,
    ChunkPartials,
    Scenario,
    access_of_chunk,
    partials_of_chunk,
    ratios,
)
from mobilise.errors import MobiliseError, ValidationError

__all__ = [
    "FCA_METHODS",
    "METHODS",
    "STRAIGHT_LINE",
    "Chunk",
    "ChunkFailed",
    "ChunkFault",
    "ChunkPartials",
    "Fault",
    "Scenario",
    "SweepInput",
    "SweepOutcome",
    "make_chunks",
    "run_sweep",
]

STRAIGHT_LINE = "straight-line"


@dataclass(frozen=True)
class Chunk:
    """Some origins of one place, swept for one travel profile."""

    number: int
    place: str
    profile: str
    origin_ids: tuple[str, ...]


@dataclass(frozen=True)
class Fault:
    """Test hook: chunk ``chunk`` raises :class:`ChunkFault` in ``stage`` (pass1 or pass2)."""

    chunk: int
    stage: str = "pass2"


class ChunkFault(RuntimeError):
    """The failure :class:`Fault` injects."""


class ChunkFailed(MobiliseError):
    """One or more chunks failed; ``failures`` maps each chunk's number to its error in words."""

    def __init__(self, failures: Mapping[int, str]) -> None:
        self.failures = dict(sorted(failures.items()))
        named = "; ".join(f"chunk {n}: {text}" for n, text in self.failures.items())
        noun = "chunk" if len(self.failures) == 1 else "chunks"
        super().__init__(
            f"{len(self.failures)} {noun} of the sweep failed ({named}). The chunks that "
            "finished are kept: resume the sweep to compute only the rest."
        )


@dataclass(frozen=True)
class SweepInput:
    """What a sweep reads.

    ``origins``: indexed by area code, columns ``x``, ``y`` (EPSG:27700 metres) and
    ``population``. ``destinations``: indexed by asset id, columns ``category``, ``x``, ``y``,
    ``supply``. ``place_destinations``: for each place, the asset ids its chunks pair with (all
    destinations when a place is missing). ``scenarios``: for each profile, its scenarios.
    ``networks``: ``(place, profile)`` -> a :class:`mobilise.analysis.street_network.StreetNetwork`
    for every network profile (costs in minutes); the straight-line profile needs none (metres).
    """

    origins: pd.DataFrame
    destinations: pd.DataFrame
    method: str
    scenarios: Mapping[str, Sequence[Scenario]]
    place_destinations: Mapping[str, Sequence[str]] = field(default_factory=dict)
    networks: Mapping[tuple[str, str], Any] = field(default_factory=dict)

    def check(self) -> None:
        problems = []
        if self.method not in METHODS:
            problems.append(f"unknown method {self.method!r}; use one of {', '.join(METHODS)}")
        for name, frame, columns in (
            ("origins", self.origins, ("x", "y", "population")),
            ("destinations", self.destinations, ("category", "x", "y", "supply")),
        ):
            absent = [c for c in columns if c not in frame.columns]
            if absent:
                problems.append(f"{name} has no column {', '.join(absent)}")
        for profile, scenarios in self.scenarios.items():
            if not scenarios:
                problems.append(f"profile {profile!r} has no scenario")
        if problems:
            raise ValidationError("Cannot sweep: " + "; ".join(problems) + ".")


@dataclass
class SweepOutcome:
    """What a sweep did: chunks that ran each pass, warnings met while pairing, and seconds."""

    pass1_chunks: list[int] = field(default_factory=list)
    pass2_chunks: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


def make_chunks(
    places: Mapping[str, Sequence[str]], profiles: Sequence[str], chunk_size: int
) -> list[Chunk]:
    """The chunks of a sweep: each place's origins (in the order given, each area once, in the
    first place that lists it) cut into runs of ``chunk_size``, for every profile; numbered from
    0 in order of profile, place and run."""
    if chunk_size < 1:
        raise ValidationError("chunk_size must be at least 1.")
    seen: set[str] = set()
    owned: dict[str, list[str]] = {}
    for place, codes in places.items():
        owned[place] = [c for c in dict.fromkeys(codes) if c not in seen]
        seen.update(owned[place])
    chunks: list[Chunk] = []
    for profile in profiles:
        for place, codes in owned.items():
            for start in range(0, len(codes), chunk_size):
                run = tuple(codes[start : start + chunk_size])
                chunks.append(Chunk(len(chunks), place, profile, run))
    return chunks


# -- tasks (run on the workers) -------------------------------------------------------------------
def _pair_chunk(
    chunk: Chunk,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    positions: np.ndarray,
    max_cost: float,
    network: Any,
) -> ChunkPairs:
    """A chunk's pairs with every destination of its place within ``max_cost``."""
    if network is None:
        from mobilise.analysis.catchment import pairs_from_points

        pairs = pairs_from_points(origins, destinations, max_cost, x="x", y="y", workers=1)
        warnings: tuple[str, ...] = ()
    else:
        from mobilise.analysis.network_catchment import pairs_from_network

        found = pairs_from_network(network, origins, destinations, max_cost, x="x", y="y")
        pairs, warnings = found.pairs, tuple(found.warnings)
    return ChunkPairs(
        origin_ids=pd.Index(origins.index),
        population=origins["population"].to_numpy(dtype=np.float64),
        origin=np.asarray(pairs.origin, dtype=np.int32),
        destination=np.asarray(positions, dtype=np.int64)[pairs.destination],
        cost=np.asarray(pairs.cost, dtype=np.float64),
        warnings=warnings,
    )


def _pass1(
    number: int,
    pairs: ChunkPairs,
    categories: np.ndarray,
    method: str,
    scenarios: list[Scenario],
    fault: Fault | None,
) -> tuple[ChunkPartials, float]:
    started = time.perf_counter()
    if fault is not None and fault.chunk == number and fault.stage == "pass1":
        raise ChunkFault(f"fault injected in chunk {number}, pass 1")
    partials = partials_of_chunk(pairs, categories, method, scenarios)
    return partials, time.perf_counter() - started


def _pass2(
    number: int,
    pairs: ChunkPairs,
    categories: np.ndarray,
    supply: np.ndarray,
    method: str,
    scenarios: list[Scenario],
    ratio: dict[str, np.ndarray],
    fault: Fault | None,
) -> tuple[pd.DataFrame, float, tuple[str, ...]]:
    started = time.perf_counter()
    if fault is not None and fault.chunk == number and fault.stage == "pass2":
        raise ChunkFault(f"fault injected in chunk {number}, pass 2")
    frame = access_of_chunk(pairs, categories, supply, method, scenarios, ratio)
    return frame, time.perf_counter() - started, pairs.warnings


# -- running --------------------------------------------------------------------------------------
class _Done:
    """A task run at once in this process (the executor without Dask)."""

    def __init__(self, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.error: BaseException | None = None
        self.value: Any = None
        try:
            self.value = function(*(a.result() if isinstance(a, _Done) else a for a in args))
        except Exception as error:
            self.error = error

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class _Executor:
    """Submit tasks to Dask, or run them here when there is no client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def scatter(self, value: Any) -> Any:
        if self.client is None or value is None:
            return value
        return self.client.scatter(value, broadcast=False, hash=False)

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        if self.client is None:
            return _Done(function, args)
        return self.client.submit(function, *args, pure=False)

    def completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        if self.client is None:
            yield from futures
            return
        from distributed import as_completed

        yield from as_completed(list(futures))


def run_sweep(
    data: SweepInput,
    chunks: Sequence[Chunk],
    *,
    client: Any = None,
    partials: Mapping[int, ChunkPartials] | None = None,
    finished: Iterable[int] = (),
    on_partials: Callable[[Chunk, ChunkPartials, float], None] | None = None,
    on_results: Callable[[Chunk, pd.DataFrame, float], None] | None = None,
    fault: Fault | None = None,
) -> SweepOutcome:
    """Run a sweep's chunks (see the module docstring).

    Parameters
    ----------
    data
        The origins, destinations, method, scenarios and networks.
    chunks
        The chunks (from :func:`make_chunks`).
    client
        A ``dask.distributed.Client``; ``None`` runs every chunk here, one after the other.
    partials
        Pass-1 sums already stored, by chunk number: those chunks skip pass 1.
    finished
        Chunks whose results are stored: they skip both passes.
    on_partials, on_results
        Called in this thread as each chunk's pass 1 or pass 2 finishes, with the chunk, what it
        made and the seconds it took (store them there: they stream).
    fault
        Test hook (see :class:`Fault`).

    Returns
    -------
    What ran. Raises :class:`ChunkFailed` naming every chunk that failed, once every other chunk
    has finished.
    """
    data.check()
    started = time.perf_counter()
    outcome = SweepOutcome()
    stored = dict(partials or {})
    done = set(finished)
    executor = _Executor(client)
    categories = data.destinations["category"].to_numpy()
    supply = data.destinations["supply"].to_numpy(dtype=np.float64)
    scenarios = {p: list(s) for p, s in data.scenarios.items()}
    two_passes = data.method in FCA_METHODS
    need_pairs = [
        c for c in chunks if c.number not in done or (two_passes and c.number not in stored)
    ]
    pairs = _submit_pairs(executor, data, need_pairs)
    shared = {"categories": executor.scatter(categories), "supply": executor.scatter(supply)}
    failures: dict[int, str] = {}
    if two_passes:
        todo = [c for c in need_pairs if c.number not in stored]
        tasks = {
            executor.submit(
                _pass1,
                c.number,
                pairs[c.number],
                shared["categories"],
                data.method,
                scenarios[c.profile],
                fault,
            ): c
            for c in todo
        }
        for future in executor.completed(tasks):
            chunk = tasks[future]
            try:
                sums, seconds = future.result()
            except Exception as error:
                failures[chunk.number] = _words(error)
                continue
            stored[chunk.number] = sums
            outcome.pass1_chunks.append(chunk.number)
            if on_partials is not None:
                on_partials(chunk, sums, seconds)
        if failures:
            raise ChunkFailed(failures)
    ratio = {
        profile: ratios(
            [stored[c.number] for c in chunks if c.profile == profile and c.number in stored],
            supply,
            data.method,
            scenarios[profile],
        )
        for profile in scenarios
    }
    ratio_at = {p: executor.scatter(r) for p, r in ratio.items()}
    tasks = {
        executor.submit(
            _pass2,
            c.number,
            pairs[c.number],
            shared["categories"],
            shared["supply"],
            data.method,
            scenarios[c.profile],
            ratio_at[c.profile],
            fault,
        ): c
        for c in need_pairs
        if c.number not in done
    }
    for future in executor.completed(tasks):
        chunk = tasks[future]
        try:
            frame, seconds, warnings = future.result()
        except Exception as error:
            failures[chunk.number] = _words(error)
            continue
        outcome.pass2_chunks.append(chunk.number)
        outcome.warnings.extend(w for w in warnings if w not in outcome.warnings)
        frame.insert(1, "profile", chunk.profile)
        frame.insert(1, "place", chunk.place)
        if on_results is not None:
            on_results(chunk, frame, seconds)
    outcome.seconds = time.perf_counter() - started
    if failures:
        raise ChunkFailed(failures)
    return outcome


def _submit_pairs(executor: _Executor, data: SweepInput, chunks: Sequence[Chunk]) -> dict[int, Any]:
    """A pairing task per chunk, with each place's destinations and network sent once."""
    places = {c.place for c in chunks}
    index = data.destinations.index
    mine: dict[str, tuple[Any, Any]] = {}
    for place in sorted(places):
        wanted = data.place_destinations.get(place)
        positions = (
            np.arange(len(index)) if wanted is None else np.flatnonzero(index.isin(list(wanted)))
        )
        frame = data.destinations.iloc[positions][["x", "y"]]
        mine[place] = (executor.scatter(frame), executor.scatter(positions))
    networks = {key: executor.scatter(net) for key, net in data.networks.items()}
    largest = {p: max(s.catchment for s in scenarios) for p, scenarios in data.scenarios.items()}
    pairs = {}
    for chunk in chunks:
        if chunk.profile != STRAIGHT_LINE and (chunk.place, chunk.profile) not in networks:
            raise ValidationError(
                f"No {chunk.profile} street network for place {chunk.place!r} in the sweep."
            )
        frame, positions = mine[chunk.place]
        pairs[chunk.number] = executor.submit(
            _pair_chunk,
            chunk,
            data.origins.loc[list(chunk.origin_ids), ["x", "y", "population"]],
            frame,
            positions,
            largest[chunk.profile],
            networks.get((chunk.place, chunk.profile)),
        )
    return pairs


def _words(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if isinstance(error, MobiliseError) else f"{type(error).__name__}: {text}"

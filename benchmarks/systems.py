"""Systems-map figures: mobilise.analysis.systems on random maps, against plain NetworkX.

(a) A seeded random map of 300 factors and 1,000 links (random ends, no self-loops; polarity +
    45 %, - 40 %, unknown 15 %; a third of the links with a strength; 10 % interventions, 10 %
    outcomes): every analysis at once through ``summary()`` with its defaults (loops of up to 10
    links, at most 1,000 in 0.3 s; paths time-boxed at 0.3 s), then each part alone. Its loops
    cannot all be listed (there are astronomically many), so the loop search is cut and says so;
    for the loops alone, without a count limit, the NetworkX column is how many plain cycles
    ``networkx.simple_cycles(length_bound=10)`` lists in the same 0.3 s (no link ids, no
    classification).
(b) A seeded random map of 33 factors and 70 links (the size of a typical workshop map; seed
    chosen among the first twenty as the one with the most loops, so every loop can be listed):
    all its loops, classified, against ``list(networkx.simple_cycles(...))`` on the same graph,
    best of 5 runs each, in the same process.

(c) Edit propagation: ``mobilise serve`` on a fresh SQLite workspace in its own process on
    127.0.0.1; 50 editors each hold the map's live stream open (server-sent events) and each adds
    5 factors (250 edits): the time from an editor sending an edit to each of the 50 streams
    receiving it (12,500 deliveries), and whether every stream got every edit, once, in revision
    order. Two rounds: *paced*, each editor adding a factor every 2 s on average (a busy
    workshop; the rate printed is the one reached), which the target is judged on; and
    *burst*, all 250 edits sent at once, to show where queueing starts. The editors run in
    this process, the server in its own, on the same 2 cores. No peer runs here (PRSM and
    Kumu are hosted services).

Targets (systems-map issue): (a) under 2 s with the loop search flagged as truncated; (b) all
loops in under 0.2 s; (c) under 500 ms.

Run with ``.venv/bin/python benchmarks/systems.py``.
"""

from __future__ import annotations

import gc
import os
import random
import time
from collections.abc import Callable
from typing import TypeVar

import networkx as nx

from mobilise.analysis.systems import (
    centrality,
    communities,
    feedback_loops,
    intervention_effects,
    intervention_paths,
    summary,
)
from mobilise.model.causal_map import CausalMap, Factor, Link

LARGE = (300, 1_000, 20_240_605)  # factors, links, seed
SMALL = (33, 70, 5)
LOOP_BUDGET_S, LOOP_BOUND = 0.3, 10  # summary()'s defaults
T = TypeVar("T")


def random_map(n_factors: int, n_links: int, seed: int) -> nx.MultiDiGraph:
    """Random link ends first (so the structure depends on the seed alone), then attributes."""
    rng = random.Random(seed)
    ends: list[tuple[int, int]] = []
    while len(ends) < n_links:
        source, target = rng.randrange(n_factors), rng.randrange(n_factors)
        if source != target:
            ends.append((source, target))
    kinds = rng.choices(
        ["intervention", "outcome", "driver", "asset", "other"], [10, 10, 50, 15, 15], k=n_factors
    )
    factors = [Factor(f"f{i:03d}", f"Factor {i}", kind=kinds[i]) for i in range(n_factors)]
    links = []
    for number, (source, target) in enumerate(ends):
        polarity = rng.choices("+-?", [45, 40, 15])[0]
        strength = rng.choice(["weak", "medium", "strong"]) if rng.random() < 1 / 3 else None
        links.append(
            Link(f"k{number}", f"f{source:03d}", f"f{target:03d}", polarity, strength=strength)
        )
    return CausalMap("random map", factors, links).check().to_graph()


def best_of(run: Callable[[], T], repeats: int) -> tuple[float, T]:
    """The best wall time of ``repeats`` calls and the last result."""
    times, result = [], None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


def cycles_within(graph: nx.DiGraph, seconds: float) -> int:
    """How many cycles ``networkx.simple_cycles`` lists before ``seconds`` pass."""
    deadline, count = time.perf_counter() + seconds, 0
    for _ in nx.simple_cycles(graph, length_bound=LOOP_BOUND):
        count += 1
        if time.perf_counter() > deadline:
            break
    return count


def row(name: str, ours: float, peer: str, loops: str, note: str) -> None:
    print(f"{name:<48}{ours:>9.3f}{peer:>14}{loops:>10}  {note}")


def main() -> None:
    print(f"{os.cpu_count()} CPUs; networkx {nx.__version__}")
    print(f"{'analysis':<48}{'ours s':>9}{'NetworkX':>14}{'loops':>10}  note")

    n_factors, n_links, seed = LARGE
    large = random_map(n_factors, n_links, seed)
    simple = nx.DiGraph(large)
    seconds, found = best_of(lambda: summary(large), repeats=3)
    loops = found["loops"]
    verdict = "met" if seconds < 2 else "MISSED"
    row(
        f"(a) summary(), {n_factors} factors / {n_links:,} links",
        seconds,
        "",
        f"{loops['total']:,}",
        f"target < 2 s: {verdict}; loops truncated: {loops['truncated']} ({loops['reason']})",
    )
    loop_s, report = best_of(
        lambda: feedback_loops(
            large, max_length=LOOP_BOUND, max_loops=None, time_budget_s=LOOP_BUDGET_S
        ),
        repeats=1,
    )
    peer = cycles_within(simple, LOOP_BUDGET_S)
    row(
        f"    feedback_loops (<= {LOOP_BOUND} links, {LOOP_BUDGET_S} s)",
        loop_s,
        f"{peer:,} cycles",
        f"{len(report.loops):,}",
        f"truncated: {report.truncated} ({report.reason}); NetworkX: cycles in the same time",
    )
    measure_s, _ = best_of(lambda: centrality(large), 3)
    row("    centrality (betweenness, closeness, leverage)", measure_s, "", "", "")
    group_s, membership = best_of(lambda: communities(large), 3)
    row("    communities (Louvain)", group_s, "", "", f"{len(set(membership.values()))} found")
    path_s, paths = best_of(
        lambda: intervention_paths(large, max_paths=200, time_budget_s=LOOP_BUDGET_S), 1
    )
    effects = intervention_effects(paths)
    row(
        "    intervention paths and effects",
        path_s,
        "",
        "",
        f"{len(paths.paths):,} paths, {len(effects)} pairs; truncated: {paths.truncated}",
    )

    n_factors, n_links, seed = SMALL
    small = random_map(n_factors, n_links, seed)
    ours_s, everything = best_of(
        lambda: feedback_loops(small, max_loops=None, time_budget_s=None), repeats=5
    )
    peer_s, cycles = best_of(lambda: list(nx.simple_cycles(nx.DiGraph(small))), repeats=5)
    verdict = "met" if ours_s < 0.2 else "MISSED"
    counts = everything.counts
    row(
        f"(b) all loops, {n_factors} factors / {n_links} links",
        ours_s,
        f"{peer_s:.3f} s",
        f"{len(everything.loops):,}",
        f"target < 0.2 s: {verdict}; truncated: {everything.truncated}; "
        f"{counts['reinforcing']} reinforcing, {counts['balancing']} balancing, "
        f"{counts['undetermined']} undetermined; NetworkX: {len(cycles):,} cycles of factors",
    )

    propagation()

    print(
        "    ours: best of 3 (a) or 5 (b) runs, time-boxed parts run once; loops are counted by "
        "link (parallel links make several), NetworkX cycles by factor"
    )


EDITORS, EDITS_EACH = int(os.environ.get("BENCH_EDITORS", 50)), 5
PACED_S = 2.0  # each editor's mean time between edits in the paced round


def propagation() -> None:
    """(c): see the module docstring."""
    import shutil
    import socket
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    import httpx

    folder = Path(tempfile.mkdtemp(prefix="mobilise-bench-"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exe = shutil.which("mobilise", path=str(Path(sys.executable).parent)) or "mobilise"
    server = subprocess.Popen(
        [exe, "-w", str(folder / "bench.sqlite"), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        for name, pace_s in (("paced", PACED_S), ("burst", 0.0)):
            _propagation_round(base, name, pace_s)
    except Exception:
        print((folder / "server.log").read_text()[-3000:])
        raise
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def _propagation_round(base: str, name: str, pace_s: float) -> None:
    import asyncio
    import json
    import statistics

    import httpx

    map_id = httpx.post(f"{base}/api/v1/maps", json={"title": name}).json()["id"]
    sent: dict[str, float] = {}
    received: list[list[tuple[int, str, float]]] = [[] for _ in range(EDITORS)]
    total = EDITORS * EDITS_EACH

    async def listen(k: int, client: httpx.AsyncClient, ready: asyncio.Event) -> None:
        url = f"{base}/api/v1/maps/{map_id}/stream?after=1"
        async with client.stream("GET", url, timeout=120) as response:
            ready.set()
            kind = None
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "change":
                    event = json.loads(line[6:])
                    label = event["payload"]["label"]
                    received[k].append((event["revision"], label, time.perf_counter()))
                    if len(received[k]) == total:
                        return

    async def edit(k: int, client: httpx.AsyncClient) -> None:
        pacing = random.Random(k)
        for i in range(EDITS_EACH):
            await asyncio.sleep(pacing.uniform(0, 2 * pace_s))
            label = f"editor {k} factor {i}"
            sent[label] = time.perf_counter()
            response = await client.post(
                f"{base}/api/v1/maps/{map_id}/factors", json={"label": label}
            )
            response.raise_for_status()

    async def run() -> float:
        limits = httpx.Limits(max_connections=2 * EDITORS + 10)
        async with httpx.AsyncClient(limits=limits, timeout=120) as client:
            readies = [asyncio.Event() for _ in range(EDITORS)]
            listeners = [asyncio.create_task(listen(k, client, readies[k])) for k in range(EDITORS)]
            await asyncio.gather(*(r.wait() for r in readies))
            started = time.perf_counter()
            await asyncio.gather(*(edit(k, client) for k in range(EDITORS)))
            await asyncio.wait_for(asyncio.gather(*listeners), timeout=120)
            return time.perf_counter() - started

    elapsed = asyncio.run(run())
    delays = sorted(at - sent[label] for stream in received for _, label, at in stream)
    complete = all([r for r, _, _ in stream] == list(range(2, total + 2)) for stream in received)
    p95 = delays[int(0.95 * (len(delays) - 1))]
    how = (
        f"each editor every {pace_s:g} s on average"
        if pace_s
        else "all editors at once, back to back"
    )
    verdict = ("met" if p95 < 0.5 else "NOT met") if pace_s else "(stress, no target)"
    print(
        f"(c) edit propagation, {name}: {EDITORS} editors x {EDITS_EACH} edits ({how}), "
        f"{total / elapsed:.0f} edits/s: median {statistics.median(delays) * 1000:.0f} ms, "
        f"95th percentile {p95 * 1000:.0f} ms, max {delays[-1] * 1000:.0f} ms over "
        f"{len(delays):,} deliveries; every stream complete and in order: {complete}; "
        f"target < 500 ms (95th percentile): {verdict}"
    )


if __name__ == "__main__":
    main()

"""Access sweeps on Dask against one process (issue 19, item 4).

(a) Camden: 133 LSOAs, every amenity and park of the OpenStreetMap extract as assets in 10
    illustrative categories, E2SFCA with step weights, 10 categories x 3 catchments x 2 profiles
    (straight-line 400/800/1,600 m; walking 5/10/20 minutes on Camden's street network).
(b) Straight-line at England's density (33,755 LSOAs and ~20,000 assets over 130,000 km²): a
    square of ``--origins`` synthetic LSOAs with assets at the same density, 10 categories x 3
    catchments (800/1,600/3,200 m).

Each sweep runs once in this process (no Dask) and once on a local Dask cluster of
``--workers`` worker processes; the results must be equal (1e-9). The table gives seconds,
chunks, and the peak resident memory of each worker (and of this process for the one-process
run). Run: ``.venv/bin/python benchmarks/access_sweep.py``.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from mobilise.analysis.decay import step
from mobilise.analysis.sweep import (
    STRAIGHT_LINE,
    Scenario,
    SweepInput,
    make_chunks,
    run_sweep,
)

CATEGORIES = [f"category_{n}" for n in range(10)]
ENGLAND_KM2, ENGLAND_LSOAS, ENGLAND_ASSETS = 130_279.0, 33_755, 20_000


def _scenarios(catchments: list[float]) -> list[Scenario]:
    return [
        Scenario(c, m, "step", step({m / 3: 1.0, 2 * m / 3: 0.68, m: 0.22}))
        for c in CATEGORIES
        for m in catchments
    ]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(
    data: SweepInput, places: dict[str, list[str]], chunk_size: int, client: Any
) -> tuple[float, int, pd.DataFrame]:
    chunks = make_chunks(places, list(data.scenarios), chunk_size)
    frames: list[pd.DataFrame] = []
    started = time.perf_counter()
    run_sweep(data, chunks, client=client, on_results=lambda _c, f, _s: frames.append(f))
    seconds = time.perf_counter() - started
    keys = ["profile", "category", "catchment", "decay", "area_code"]
    return seconds, len(chunks), pd.concat(frames).sort_values(keys).reset_index(drop=True)


def _compare(
    name: str, data: SweepInput, places: dict[str, list[str]], chunk_size: int, workers: int
) -> list[str]:
    from distributed import Client, LocalCluster

    alone, chunks, expected = _run(data, places, chunk_size, None)
    alone_mb = _peak_mb()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: None)  # workers up before the clock starts
        started = time.perf_counter()
        data_on_cluster = data
        on_dask, _, found = _run(data_on_cluster, places, chunk_size, client)
        peaks = client.run(_peak_mb)
        total = time.perf_counter() - started
    difference = float(np.max(np.abs(found["value"].to_numpy() - expected["value"].to_numpy())))
    equal = len(found) == len(expected) and difference <= 1e-9 * max(
        1.0, float(expected["value"].abs().max())
    )
    per_worker = max(peaks.values())
    return [
        f"| {name} | one process | {alone:.2f} | {chunks} | {alone_mb:,.0f} (this process) "
        f"| {len(expected):,} | |",
        f"| {name} | Dask, {workers} workers | {on_dask:.2f} ({total:.2f} with start-up) | {chunks} | "
        f"{per_worker:,.0f} per worker | {len(found):,} | "
        f"{'equal' if equal else 'DIFFERENT'} (max diff {difference:.1e}) |",
    ]


def camden(workers: int, chunk_size: int) -> list[str]:
    from access_network import CAMDEN, camden_assets, camden_lsoas

    from mobilise.analysis.street_network import build_network
    from mobilise.formats.osm_network import read_osm_ways

    network = build_network(read_osm_ways(CAMDEN), "walk")
    origins = camden_lsoas()
    rng = np.random.default_rng(20261207)
    origins["population"] = rng.integers(1000, 2500, len(origins)).astype(float)
    assets = camden_assets(CAMDEN)
    assets["category"] = rng.choice(CATEGORIES, len(assets))
    assets["supply"] = 1.0
    data = SweepInput(
        origins,
        assets,
        "e2sfca",
        {STRAIGHT_LINE: _scenarios([400.0, 800.0, 1600.0]), "walk": _scenarios([5.0, 10.0, 20.0])},
        networks={("camden", "walk"): network},
    )
    return _compare(
        f"Camden: {len(origins)} LSOAs x {len(assets):,} assets, straight-line + walk",
        data,
        {"camden": list(origins.index)},
        chunk_size,
        workers,
    )


def england_density(n_origins: int, workers: int, chunk_size: int) -> list[str]:
    rng = np.random.default_rng(7)
    side = (n_origins / ENGLAND_LSOAS * ENGLAND_KM2) ** 0.5 * 1000
    n_assets = round(n_origins / ENGLAND_LSOAS * ENGLAND_ASSETS)
    origins = pd.DataFrame(
        {
            "x": rng.uniform(0, side, n_origins),
            "y": rng.uniform(0, side, n_origins),
            "population": rng.integers(1000, 3000, n_origins).astype(float),
        },
        index=[f"E0{n:07d}" for n in range(n_origins)],
    )
    assets = pd.DataFrame(
        {
            "category": rng.choice(CATEGORIES, n_assets),
            "x": rng.uniform(0, side, n_assets),
            "y": rng.uniform(0, side, n_assets),
            "supply": 1.0,
        },
        index=[f"asset-{n}" for n in range(n_assets)],
    )
    data = SweepInput(
        origins, assets, "e2sfca", {STRAIGHT_LINE: _scenarios([800.0, 1600.0, 3200.0])}
    )
    return _compare(
        f"England density: {n_origins:,} LSOAs x {n_assets:,} assets, straight-line",
        data,
        {"england": list(origins.index)},
        chunk_size,
        workers,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--origins", type=int, default=8000)
    parser.add_argument("--skip-camden", action="store_true")
    arguments = parser.parse_args()
    rows = [
        "| sweep | where | seconds | chunks | peak memory (MB) | results | vs one process |",
        "|---|---|---|---|---|---|---|",
    ]
    if not arguments.skip_camden:
        rows += camden(arguments.workers, min(arguments.chunk_size, 50))
    rows += england_density(arguments.origins, arguments.workers, arguments.chunk_size)
    print("\n".join(rows))


if __name__ == "__main__":
    main()

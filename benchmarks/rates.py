"""Directly standardised rates with Dobson's intervals for every LSOA in England.

33,755 LSOAs (2021) x 19 age bands of the European Standard Population 2013, counts and
populations drawn with a fixed seed (illustrative sizes: about 1,700 residents and 1% deaths per
LSOA), timed through ``mobilise.analysis.rates.dsr`` at 95% and 99.8%. Target: under 1 s.

Run: ``.venv/bin/python benchmarks/rates.py``
"""

from __future__ import annotations

import time

import numpy as np

from mobilise.analysis import rates

LSOAS = 33_755
TARGET_S = 1.0


def inputs(areas: int, seed: int = 2023) -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(seed)
    shares = np.asarray(rates.ESP2013, dtype=float) / 100_000
    populations = generator.poisson(1_700 * shares, size=(areas, 19)).astype(float) + 1
    risk = np.geomspace(0.0005, 0.15, 19)  # death rates rising with age
    counts = generator.binomial(populations.astype(int), risk).astype(float)
    return counts, populations


def timed(areas: int, repeats: int = 5) -> float:
    counts, populations = inputs(areas)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        found = rates.dsr(counts, populations, rates.ESP2013, confidence=(0.95, 0.998))
        best = min(best, time.perf_counter() - started)
    assert found.value.shape == (areas,)
    return best


def main() -> None:
    print(f"{'LSOAs':>8} {'bands':>6} {'best of 5 (s)':>14} {'per LSOA (µs)':>14}")
    for areas in (LSOAS // 8, LSOAS // 2, LSOAS):
        seconds = timed(areas)
        print(f"{areas:>8,} {19:>6} {seconds:>14.4f} {seconds / areas * 1e6:>14.2f}")
    seconds = timed(LSOAS)
    verdict = "meets" if seconds < TARGET_S else "MISSES"
    print(
        f"\n33,755 LSOAs x 19 bands, DSR with 95% and 99.8% intervals: {seconds:.3f} s "
        f"({verdict} the {TARGET_S:g} s target)"
    )


if __name__ == "__main__":
    main()

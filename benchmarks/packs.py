"""A full evidence pack of a demo place: every section of the board audience (population,
deprivation with its map, health against England, access and priority neighbourhoods, assets
per 1,000, the partnership, who took part, you said we did), the HTML page and its PDF.
Target: under 20 s for Northamptonshire (422 neighbourhoods) and Inner North and East London
(708).

It times the steps from the pack's own progress reports, so a slow section shows itself.

Run: ``.venv/bin/python benchmarks/packs.py [demo.sqlite]`` (without a path it builds the demo
workspace first, in a temporary folder; that takes a few minutes and is not timed).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from mobilise import open_workspace

TARGET_S = 20.0
PLACES = ("northamptonshire", "inner-north-east-london")


def _demo(folder: Path, given: str | None) -> Path:
    copy = folder / "demo.sqlite"
    if given:
        with sqlite3.connect(given) as live, sqlite3.connect(copy) as to:
            live.backup(to)
        return copy
    from mobilise.workspace.demo import build_demo

    with open_workspace(copy, actor="demo") as ws:
        build_demo(ws)
    return copy


def timed(path: Path, place: str) -> tuple[float, dict[str, float], int]:
    steps: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def report(step: str, _done: int, _total: int) -> None:
        at = time.perf_counter()
        if last[1]:
            steps[str(last[1])] = at - float(last[0])
        last[:] = [at, step]

    with open_workspace(path, actor="benchmark") as ws:
        started = time.perf_counter()
        pack = ws.packs.build(place, audience="board", progress=report)
        seconds = time.perf_counter() - started
    return seconds, steps, pack.pages or 0


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _demo(Path(folder), sys.argv[1] if len(sys.argv) > 1 else None)
        for place in PLACES:
            seconds, steps, pages = timed(path, place)
            verdict = "meets" if seconds < TARGET_S else "MISSES"
            print(
                f"\n{place}: {pages} pages in {seconds:.1f} s ({verdict} the {TARGET_S:.0f} s target)"
            )
            for step, spent in steps.items():
                print(f"  {step:<28} {spent:6.2f} s")


if __name__ == "__main__":
    main()

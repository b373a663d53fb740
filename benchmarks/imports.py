"""Big imports and the writers around them: a 200,000-row partner import and a 50,000-link map
import, each run as a background job on a SQLite workspace while 20 writers keep making ordinary
changes (a partner edit every 0.1 s each), against the targets of issue 14.

Targets: the partner import < 30 s, the map import < 1 s, writers' p95 wait < 1 s. The map
import is timed twice: reading the edge list (the parser) and the job's write alone.

Run with ``python benchmarks/imports.py`` (``--partners N --links N`` for other sizes,
``--only partners`` or ``--only maps`` for one of the two; run it on a quiet machine: the
figures are wall-clock times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from mobilise import open_workspace
from mobilise.model.causal_map import CausalMap
from mobilise.workspace import Workspace

WRITERS = 20
THINK_S = 0.1


def partner_file(n: int) -> bytes:
    sectors = ("vcse", "nhs_trust", "la_other", "academic", "arts_culture")
    rows = "".join(
        f"p{i},Partner {i},{sectors[i % 5]},Works on thing {i},https://example.org/{i}\n"
        for i in range(n)
    )
    return ("id,name,sector,description,url\n" + rows).encode()


def edge_list(n_links: int) -> bytes:
    """``n_links`` links among ``n_links / 5`` factors (each factor in about ten links)."""
    n_factors = max(2, n_links // 5)
    rows = "".join(
        f"Factor {i % n_factors},Factor {(i * 7 + 1) % n_factors},{'+-'[i % 2]}\n"
        for i in range(n_links)
    )
    return ("from,to,polarity\n" + rows).encode()


class Writers:
    """20 threads editing their own partner until stopped; each edit's wall time is kept."""

    def __init__(self, workspace: Workspace) -> None:
        self.waits: list[float] = []
        self.failures: list[BaseException] = []
        self._go = threading.Event()
        self._threads = [
            threading.Thread(target=self._write, args=(workspace.as_actor(f"writer-{n}"), n))
            for n in range(WRITERS)
        ]

    def __enter__(self) -> Writers:
        self._go.set()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._go.clear()
        for thread in self._threads:
            thread.join()

    def _write(self, workspace: Workspace, n: int) -> None:
        partner = workspace.partners.create(f"Writer {n}", sector="vcse")
        k = 0
        while self._go.is_set():
            started = time.monotonic()
            try:
                partner = workspace.partners.update(
                    partner.id, {"description": f"edit {k}"}, version=partner.version
                )
            except BaseException as error:
                self.failures.append(error)
                return
            self.waits.append(time.monotonic() - started)
            k += 1
            time.sleep(THINK_S)


def as_job(workspace: Workspace, kind: str, data: bytes, name: str) -> tuple[float, dict]:
    """Submit a job and run it in a worker thread; its wall time and result."""
    started = time.monotonic()
    job = workspace.jobs.submit(kind, file=data, name=name)
    workers = workspace.jobs.workers(1).start()
    try:
        while not workspace.jobs.get(job.id).finished:
            time.sleep(0.05)
    finally:
        workers.stop()
    done = workspace.jobs.get(job.id)
    if done.status != "done":
        raise SystemExit(f"{kind} failed: {done.error}")
    return time.monotonic() - started, done.result


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def row(what: str, seconds: float, target: float | None, waits: list[float]) -> str:
    verdict = "" if target is None else ("yes" if seconds < target else "NO")
    target_text = f"< {target:g} s" if target is not None else ""
    if len(waits) < 2:
        return f"| {what} | {seconds:.1f} s | {target_text} | {verdict} | 0 | | | | |"
    p95 = statistics.quantiles(waits, n=20)[-1]
    return (
        f"| {what} | {seconds:.1f} s | {target_text} | {verdict} | {len(waits)} | "
        f"{statistics.median(waits):.3f} | {p95:.3f} | {max(waits):.3f} | "
        f"{'yes' if p95 < 1 else 'NO'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--only", choices=("partners", "maps"), help="run one of the two")
    args = parser.parse_args()
    lines = [
        "| import | time | target | met | writes meanwhile | p50 wait (s) | p95 wait (s) | "
        "max wait (s) | p95 < 1 s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        workspace = open_workspace(Path(folder) / "bench.sqlite", actor="bench")
        if args.only != "maps":
            lines += partner_rows(workspace, args.partners)
        if args.only != "partners":
            lines += map_rows(workspace, args.links)
        workspace.close()
    print("\n".join(lines))


def partner_rows(workspace: Workspace, n: int) -> list[str]:
    """The partner import alone, then with the writers."""
    lines = []
    data = partner_file(n)
    seconds, result = as_job(workspace, "partners.import", data, "alone.csv")
    lines.append(row(f"{n:,} partners, no other writers", seconds, 30, []))
    data = data.replace(b"\np", b"\nq")  # new keys: the same import again, all new
    with Writers(workspace) as writers:
        seconds, result = as_job(workspace, "partners.import", data, "partners.csv")
    assert result["created"] == n and not writers.failures, writers.failures
    lines.append(row(f"{n:,} partners, 20 writers", seconds, 30, writers.waits))
    return lines


def map_rows(workspace: Workspace, n_links: int) -> list[str]:
    """The map import's write alone (the file read before), then the whole job, each with the
    writers."""
    lines = []
    data = edge_list(n_links)
    parsed: dict[str, CausalMap] = {}
    # A server has its readers loaded: a small file first, so the figure is the reading alone.
    workspace.map_analysis.causal_map(edge_list(100), name="warm.csv")
    cpu_before = sum(os.times()[:2])
    parse_s = timed(
        lambda: parsed.setdefault("map", workspace.map_analysis.causal_map(data, name="links.csv"))
    )
    parse_cpu = sum(os.times()[:2]) - cpu_before
    with Writers(workspace) as writers:
        write_s = timed(lambda: workspace.maps.import_map(parsed["map"]))
    lines.append(row(f"{n_links:,} links: the write", write_s, 1, writers.waits))
    with Writers(workspace) as writers:
        seconds, result = as_job(workspace, "maps.import", data, "links.csv")
    assert result["n_links"] == n_links and not writers.failures, result
    lines.append(row(f"{n_links:,} links (job: read + write)", seconds, 1, writers.waits))
    lines.append(
        f"\nReading the {len(data):,}-byte edge list alone: {parse_s:.2f} s "
        f"({parse_cpu:.2f} s of CPU; on a busy machine the wall times above wait for a core)."
    )
    return lines


if __name__ == "__main__":
    main()

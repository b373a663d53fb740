"""Asset register figures against the targets of the asset issue.

1. Import of 100,000 synthetic assets from CSV with offline postcode geocoding (target < 20 s),
   beside the bare minimum the same job needs with pandas alone (read the CSV, join the postcode
   lookup), in the same process on the same file.
2. ``GET /oruk/services?postcode=...&proximity=1000`` and ``GET /oruk/services?search=word``,
   each under 20 concurrent clients on loopback, **both loads at once**, with 50,000 assets on
   SQLite (target p95 < 100 ms for each). The server is a separate ``mobilise serve --workers 2``
   (one per core), so the load generator does not share its interpreter. The postcode load goes
   to 2,000 random postcodes of the two places, the word load to 2,000 searches drawn from
   :data:`N_WORDS` distinct words of the stored names (the demo's and the synthetic ones: each of
   the nine synthetic words matches thousands of assets, so a search for it ranks them and
   pages), a third of them typed in part. Each run draws its own postcodes and words, and wrk's
   two threads start at different places in them. The first 10 seconds after the server starts
   are reported apart ("cold": the feed has not yet written any item, see
   ``mobilise.web.routes.oruk.ItemTexts``, nor kept any search or answer, see
   ``mobilise.workspace.asset_search_cache`` and ``mobilise.web.routes.oruk.KeptAnswers``); the
   target is judged on the 20 seconds after them.

Run with ``make bench``.
"""

from __future__ import annotations

import csv
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pandas as pd

from mobilise import open_workspace
from mobilise.demo import DEMO_DATA
from mobilise.model.asset_vocab import CATEGORIES
from mobilise.workspace.demo import build_demo

N_IMPORT = 100_000
N_SERVE = 50_000
CLIENTS = 20
REQUESTS_PER_CLIENT = 50
N_POSTCODES = 2_000
N_WORDS = 500
COLD_SECONDS, MEASURED_SECONDS = 10, 20
POSTCODES = DEMO_DATA / "os_codepoint_open_2025_target_areas_with_lsoa11.csv.gz"


WORDS = ["Community", "Green", "Arts", "Youth", "Hub", "Garden", "Library", "Club", "Centre"]


def synthetic_csv(path: Path, n: int, seed: int = 1) -> list[str]:
    """``n`` assets with real postcodes of the demo places (no coordinates: they are geocoded)."""
    rng = random.Random(seed)
    lookup = pd.read_csv(POSTCODES, usecols=["postcode", "lsoa11cd"]).dropna()
    postcodes = lookup["postcode"].tolist()
    categories = list(CATEGORIES)
    words = WORDS
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "name", "category", "postcode", "description", "website"])
        for i in range(n):
            writer.writerow(
                [
                    f"s{i}",
                    f"{rng.choice(words)} {rng.choice(words)} {i}",
                    rng.choice(categories),
                    rng.choice(postcodes),
                    "A synthetic asset for the benchmark.",
                    f"https://example.org/{i}",
                ]
            )
    return postcodes


def bench_import(folder: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds of this process, the peer's wall seconds, assets created)."""
    workspace_path = folder / "import.sqlite"
    template = folder / "demo.sqlite"
    shutil.copy(template, workspace_path)
    source = folder / "assets.csv"
    synthetic_csv(source, N_IMPORT)
    started, cpu = time.perf_counter(), time.process_time()
    with open_workspace(workspace_path) as ws:
        report = ws.assets.import_file(source, source="synthetic")
    ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    frame = pd.read_csv(source)
    lookup = pd.read_csv(POSTCODES, usecols=["postcode", "lon", "lat", "lsoa11cd"])
    frame.merge(lookup, on="postcode", how="left")
    peer = time.perf_counter() - started
    return ours, ours_cpu, peer, report.created


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stored_words(workspace_path: Path) -> list[str]:
    """The distinct words (three letters or more, lower case) of the stored assets' names."""
    with sqlite3.connect(workspace_path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM assets")]
    return sorted({w for name in names for w in re.findall(r"[^\W\d_]{3,}", name.lower())})


def load_paths(kind: str, postcodes: list[str], words: list[str], seed: int) -> list[str]:
    """The request paths of one load: ``postcode`` (random postcodes, 1,000 m) or ``search``
    (:data:`N_WORDS` of the stored names' words, the synthetic ones always among them, a third
    typed in part)."""
    rng = random.Random(seed)
    if kind == "postcode":
        return [
            f"/oruk/services?postcode={p.replace(' ', '+')}&proximity=1000"
            for p in rng.sample(postcodes, N_POSTCODES)
        ]
    common = [w.lower() for w in WORDS]
    others = [w for w in words if w not in common]
    chosen = common + rng.sample(others, min(len(others), N_WORDS - len(common)))
    typed = [w[: max(3, len(w) * 2 // 3)] if rng.random() < 1 / 3 else w for w in chosen]
    return [f"/oruk/services?search={quote(rng.choice(typed))}" for _ in range(N_POSTCODES)]


def wrk_run(base: str, paths_of_load: list[str], seconds: int) -> dict[str, float]:
    """The load from wrk (C, Debian package): 20 connections over ``paths_of_load``."""
    paths = ",".join(f'"{path}"' for path in paths_of_load)
    script = Path(tempfile.mkdtemp()) / "feed.lua"
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\nlocal threads = 0\n"
        "setup = function(thread)\n  thread:set('number', threads)\n  threads = threads + 1\nend\n"
        "init = function(args)\n  i = (number or 0) * 997\nend\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  for _, p in pairs({50, 95, 99}) do\n"
        "    io.write(string.format('p%d %f\\n', p, latency:percentile(p) / 1000))\n"
        "  end\n"
        "  io.write(string.format('requests %d\\n', summary.requests))\n"
        "  io.write(string.format('seconds %f\\n', summary.duration / 1e6))\n"
        "end\n"
    )
    done = subprocess.run(
        ["wrk", "-t2", f"-c{CLIENTS}", f"-d{seconds}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = dict(
        line.split()
        for line in done.stdout.splitlines()
        if line[:1] in "prs" and len(line.split()) == 2
    )
    return {
        "requests": float(figures["requests"]),
        "p50": float(figures["p50"]),
        "p95": float(figures["p95"]),
        "p99": float(figures["p99"]),
        "throughput": float(figures["requests"]) / float(figures["seconds"]),
        "client": f"wrk, {CLIENTS} connections, {seconds} s",
    }


def python_run(base: str, paths_of_load: list[str], seed: int) -> dict[str, float]:
    """The load from Python threads when wrk is missing: 20 clients, 50 requests each."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(seed * 100 + number)
        with httpx.Client(base_url=base, timeout=30) as http:
            for _ in range(REQUESTS_PER_CLIENT):
                started = time.perf_counter()
                response = http.get(rng.choice(paths_of_load))
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * len(ordered)) - 1],
        "p99": ordered[int(0.99 * len(ordered)) - 1],
        "throughput": len(ordered) / wall,
        "client": f"Python threads, {CLIENTS} x {REQUESTS_PER_CLIENT} requests",
    }


LOADS = ("postcode", "search")


def both_at_once(
    base: str, postcodes: list[str], words: list[str], seconds: int
) -> dict[str, dict[str, float]]:
    """Each load of :data:`LOADS` at 20 clients, all of them running at the same time."""
    results: dict[str, dict[str, float]] = {}

    def run(kind: str) -> None:
        paths = load_paths(kind, postcodes, words, seconds)
        if shutil.which("wrk"):
            results[kind] = wrk_run(base, paths, seconds)
        else:
            results[kind] = python_run(base, paths, seed=seconds)

    threads = [threading.Thread(target=run, args=(kind,)) for kind in LOADS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server and its workers (0 without psutil)."""
    try:
        import psutil
    except ImportError:
        return 0.0
    server = psutil.Process(pid)
    processes = [server, *server.children(recursive=True)]
    return sum(sum(p.cpu_times()[:2]) for p in processes if p.is_running())


def measured(pid: int, run: Any, *args: Any) -> dict[str, dict[str, float]]:
    """``run(*args)``'s figures, with the server's CPU milliseconds per request (both loads
    together: on a shared machine, what one request costs, whatever else is running) and the
    machine's load average as it ended."""
    before = server_cpu(pid)
    results: dict[str, dict[str, float]] = run(*args)
    requests = sum(figures["requests"] for figures in results.values())
    spent = server_cpu(pid) - before
    results["server"] = {
        "cpu_ms_per_request": 1000 * spent / requests if requests and spent else float("nan"),
        "load": os.getloadavg()[0],
    }
    return results


def bench_feed(
    folder: Path,
) -> tuple[int, dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(assets served, the first runs after the server starts, the runs after them), per load."""
    workspace_path = folder / "feed.sqlite"
    shutil.copy(folder / "demo.sqlite", workspace_path)
    source = folder / "feed.csv"
    postcodes = synthetic_csv(source, N_SERVE, seed=2)
    with open_workspace(workspace_path) as ws:
        ws.assets.import_file(source, source="synthetic")
        total = ws.assets.count()
    words = stored_words(workspace_path)
    port = _free_port()
    exe = Path(sys.executable).with_name("mobilise")
    server = subprocess.Popen(
        [str(exe), "-w", str(workspace_path), "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/oruk/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("mobilise serve did not start") from None
                time.sleep(0.2)
        cold = measured(server.pid, both_at_once, base, postcodes, words, COLD_SECONDS)
        then = measured(server.pid, both_at_once, base, postcodes, words, MEASURED_SECONDS)
        return total, cold, then
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with open_workspace(folder / "demo.sqlite") as ws:
            build_demo(ws)
        ours, ours_cpu, peer, created = bench_import(folder)
        print(f"Import of {N_IMPORT:,} synthetic assets from CSV, geocoded by postcode (SQLite)")
        print(f"{'implementation':<52}{'seconds':>9}{'CPU s':>9}")
        print(
            f"{'mobilise (read, validate, geocode, locate, store)':<52}{ours:>9.2f}{ours_cpu:>9.2f}"
        )
        print(f"{'pandas read_csv + postcode join (no checks, no store)':<52}{peer:>9.2f}")
        print(
            f"load average of the machine (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        print(f"created {created:,}; target < 20 s: {'ok' if ours < 20 else 'MISSED'}\n")
        feed_ok = report_feed(folder)
        return 0 if ours < 20 and feed_ok else 1


def report_feed(folder: Path) -> bool:
    """Run and print the feed's two loads at once; whether each met its target."""
    served, cold, feed = bench_feed(folder)
    print(
        "GET /oruk/services?postcode=..&proximity=1000 and ?search=word, 20 clients each, both at "
        f"once, {served:,} assets (SQLite, loopback, serve --workers 2)"
    )
    print(f"{'load':<10}{'run':<44}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'req/s':>8}")
    for kind in LOADS:
        for label, run in (
            ("just started: " + cold[kind]["client"], cold[kind]),
            ("then", feed[kind]),
        ):
            print(
                f"{kind:<10}{label:<44}{run['p50']:>8.1f}{run['p95']:>8.1f}{run['p99']:>8.1f}"
                f"{run['throughput']:>8.1f}"
            )
    for label, server in (("just started", cold["server"]), ("then", feed["server"])):
        print(
            f"{label}: server CPU {server['cpu_ms_per_request']:.2f} ms a request; "
            f"load average of the machine {server['load']:.1f} on {os.cpu_count()} cores"
        )
    met = all(feed[kind]["p95"] < 100 for kind in LOADS)
    print(f"target p95 < 100 ms for each (second run): {'ok' if met else 'MISSED'}")
    return met


if __name__ == "__main__":
    sys.exit(main())

"""Foundation figures: demo build time and the place GeoJSON endpoint, against their targets.

Peer for the endpoint: GeoPandas building the same FeatureCollection from the same stored rows
(``GeoDataFrame.to_json``), in the same process on the same input. Run with ``make bench``.

Targets (foundation issue): demo build < 60 s after install; GeoJSON of the 708 inner-London
areas < 300 ms and < 2 MB.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import geopandas as gpd
import httpx
import shapely
import uvicorn

from mobilise import open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.workspace.demo import build_demo

PLACE = "inner-north-east-london"
INDICATOR = "imd2019_score"
REPEATS = 20


def timed(function, repeats: int = REPEATS) -> tuple[float, float, object]:
    """Median and worst wall time in ms of ``repeats`` calls, and the last result."""
    times = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), result


def serve(app: object) -> tuple[uvicorn.Server, str]:
    """The app on a real HTTP server on 127.0.0.1, in a thread of this process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        workspace = open_workspace(Path(folder) / "bench.sqlite")
        report = build_demo(workspace)
        build_seconds = time.perf_counter() - started

        print(f"Demo build ({report.areas:,} LSOAs, {report.postcodes:,} postcodes), SQLite")
        print(f"{'step':<14}{'seconds':>10}")
        for step, seconds in report.steps:
            print(f"{step:<14}{seconds:>10.2f}")
        verdict = "ok" if build_seconds < 60 else "MISSED"
        print(f"{'total':<14}{build_seconds:>10.2f}   target < 60 s: {verdict}\n")

        server, base = serve(create_app(Settings(), workspace=workspace))
        client = httpx.Client(base_url=base)
        url = f"/api/v1/places/{PLACE}/areas.geojson?indicator={INDICATOR}"
        first_started = time.perf_counter()
        cold = client.get(url)
        cold_ms = (time.perf_counter() - first_started) * 1000
        assert cold.status_code == 200
        ours_median, ours_worst, response = timed(lambda: client.get(url))
        size = len(response.content)  # type: ignore[attr-defined]
        n = len(json.loads(response.content)["features"])  # type: ignore[attr-defined]

        def geopandas_peer() -> bytes:
            codes = workspace.places.area_codes(PLACE)
            rows = workspace.areas.geojson_features(codes)
            values = workspace.indicators.values(INDICATOR, codes=codes)
            frame = gpd.GeoDataFrame(
                {
                    "code": [c for c, _, _ in rows],
                    "name": [nm for _, nm, _ in rows],
                    "value": [values.at[c, "value"] for c, _, _ in rows],
                    "national_decile": [values.at[c, "national_decile"] for c, _, _ in rows],
                },
                geometry=shapely.from_geojson([g for _, _, g in rows]),
                crs="EPSG:4326",
            )
            return frame.to_json(drop_id=True).encode()

        peer_median, peer_worst, peer_body = timed(geopandas_peer)
        print(f"GET {url} ({n} areas)")
        print(f"{'implementation':<36}{'median ms':>10}{'worst ms':>10}{'bytes':>11}")
        print(
            f"{'mobilise endpoint (HTTP, uvicorn)':<36}{ours_median:>10.1f}{ours_worst:>10.1f}{size:>11,}"
        )
        peer_size = len(peer_body)  # type: ignore[arg-type]
        print(
            f"{'GeoPandas to_json (no HTTP)':<36}{peer_median:>10.1f}{peer_worst:>10.1f}{peer_size:>11,}"
        )
        print(f"first (cold) request: {cold_ms:.1f} ms")
        ok = ours_worst < 300 and size < 2_000_000
        print(f"target < 300 ms and < 2 MB: {'ok' if ok else 'MISSED'}")
        client.close()
        server.should_exit = True
        workspace.close()
        return 0 if ok and build_seconds < 60 else 1


if __name__ == "__main__":
    sys.exit(main())

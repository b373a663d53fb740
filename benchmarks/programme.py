"""Programme synthesis: 200 projects' packages added to a programme workspace, then the synthesis.

Each package is written with :func:`mobilise.formats.project_package.write_package` (fixed
seed, realistic sizes: 4-12 methods, 3 places x 12 asset categories, 8 sectors, 3 survey
rounds, 6 kinds of events, reach over 5 dimensions (IMD deciles, age bands, ethnicity,
disability, gender) with small cells suppressed, 20-40 themes, 4 action statuses and 24 access
headlines), then added with ``ws.programme.add`` (validation with frictionless and our rules
included), then ``ws.programme.synthesis()`` timed (best of 3).

Target (issue 20): synthesis of 200 projects < 5 s. Also reported: seconds per package added.

Run with ``.venv/bin/python benchmarks/programme.py`` (``--projects 20`` for a dry run).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

from mobilise import open_workspace
from mobilise.analysis._reach_disclosure import hide_small
from mobilise.formats.project_package import write_package
from mobilise.model.methods_vocab import METHODS

K = 5
DIMENSIONS = {
    "imd_decile": [str(d) for d in range(1, 11)],
    "age_band": ["16-24", "25-34", "35-49", "50-64", "65+"],
    "ethnicity": ["White", "Asian", "Black", "Mixed", "Other"],
    "disability": ["yes", "no"],
    "gender": ["woman", "man", "other"],
}
WORDS = [
    "trust",
    "transport",
    "green space",
    "loneliness",
    "funding",
    "time",
    "food",
    "housing",
    "language",
    "safety",
    "youth",
    "caring",
    "digital",
    "arts",
    "faith",
]


def _reach(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for dimension, groups in DIMENSIONS.items():
        counts = rng.integers(0, 60, len(groups))
        counts[rng.integers(0, len(groups))] = rng.integers(1, K)  # a small cell
        hidden = hide_small(counts.tolist(), K)  # primary and secondary, as a project does
        for group, count, hide in zip(groups, counts, hidden, strict=True):
            rows.append((dimension, group, None if hide else int(count), bool(hide)))
    frame = pd.DataFrame(rows, columns=["dimension", "group", "count", "suppressed"])
    return frame.astype({"count": "Int64"})


def tables(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    methods = rng.choice(list(METHODS), int(rng.integers(4, 13)), replace=False)
    themes = [f"{a} {b}" for a, b in zip(rng.choice(WORDS, 40), rng.choice(WORDS, 40), strict=True)]
    themes = list(dict.fromkeys(themes))[: int(rng.integers(20, 41))]
    return {
        "methods": pd.DataFrame(
            {"method": methods, "used": True, "said": [f"What we did with {m}." for m in methods]}
        ),
        "assets": pd.DataFrame(
            [
                (f"Place {p}", f"category {c}", int(rng.integers(0, 300)))
                for p in range(3)
                for c in range(12)
            ],
            columns=["place", "category", "count"],
        ),
        "partners": pd.DataFrame(
            {"sector": [f"sector {s}" for s in range(8)], "count": rng.integers(0, 30, 8)}
        ),
        "network_rounds": pd.DataFrame(
            {
                "round": ["2024", "2025", "2026"],
                "date": ["2024-03-01", "2025-03-01", "2026-03-01"],
                "partners": [20, 24, 27],
                "ties": [40, 52, 60],
                "density": [0.21, 0.19, 0.17],
                "centralisation": [0.4, 0.35, 0.3],
                "ties_kept": [pd.NA, 30, 41],
                "ties_faded": [pd.NA, 10, 11],
                "ties_new": [pd.NA, 22, 19],
                "retention": [pd.NA, 0.75, 0.79],
            }
        ),
        "events": pd.DataFrame(
            {
                "kind": [f"kind {k}" for k in range(6)],
                "count": rng.integers(1, 20, 6),
                "contributions": rng.integers(0, 200, 6),
            }
        ),
        "reach": _reach(rng),
        "themes": pd.DataFrame(
            {
                "theme": themes,
                "definition": [f"About {t}." for t in themes],
                "kind": rng.choice(["enabler", "barrier", "other"], len(themes)),
                "segments": rng.integers(1, 80, len(themes)),
                "contributors": rng.integers(K, 40, len(themes)),
            }
        ),
        "actions": pd.DataFrame(
            {
                "status": ["open", "in_progress", "done", "dropped"],
                "count": rng.integers(0, 30, 4),
                "closed_with_feedback": [0, 0, 5, 0],
            }
        ),
        "access": pd.DataFrame(
            [
                (f"Place {p}", f"category {c}", 1600.0, "m", "e2sfca", 0.2, 1.3, 0.1, 150, 12)
                for p in range(3)
                for c in range(8)
            ],
            columns=[
                "place",
                "category",
                "catchment",
                "unit",
                "measure",
                "sii",
                "rii",
                "gap",
                "areas",
                "low_access_areas",
            ],
        ),
    }


def package(number: int, rng: np.random.Generator) -> bytes:
    found = tables(rng)
    meta = {
        "key": str(uuid.UUID(int=number + 1, version=4)),
        "title": f"Project {number:03d} (illustrative)",
        "lead_organisation": f"Organisation {number % 40}",
        "places": [
            {"name": f"Place {p}", "lat": 51 + rng.random() * 3, "lon": -2 + rng.random() * 2}
            for p in range(3)
        ],
        "focus": "Community assets and health inequalities",
        "partner_types": ["NHS", "local authority", "voluntary sector"],
        "metadata_only": False,
        "release": 1,
        "released_at": "2026-11-01T10:00:00+00:00",
        "software": "mobilise benchmark",
        "disclosure_k": K,
    }
    buffer = io.BytesIO()
    write_package(meta, found, buffer, public=dict.fromkeys(found, True))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(20)
    started = time.perf_counter()
    packages = [package(n, rng) for n in range(args.projects)]
    written = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        ws = open_workspace(Path(folder) / "programme.sqlite")
        ws.project_settings.set("disclosure_k", K)
        started = time.perf_counter()
        for number, data in enumerate(packages):
            ws.programme.add(data, name=f"project-{number}.zip")
        added = time.perf_counter() - started
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            synthesis = ws.programme.synthesis()
            timings.append(time.perf_counter() - started)
        ws.close()
    report = {
        "projects": args.projects,
        "package_kb_mean": round(sum(map(len, packages)) / len(packages) / 1024, 1),
        "write_seconds_per_package": round(written / args.projects, 4),
        "add_seconds_per_package": round(added / args.projects, 4),
        "synthesis_seconds_best_of_3": round(min(timings), 3),
        "target_seconds": 5.0,
        "themes_matched": len(synthesis.themes),
        "reach_rows": len(synthesis.reach),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

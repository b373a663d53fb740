"""Project packages for the programme tests, written with the package writer itself."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pandas as pd

from mobilise.formats.project_package import write_package

KEY_A = "0b6c5c1e-4d1b-4d5e-9b8e-0a0000000001"
KEY_B = "0b6c5c1e-4d1b-4d5e-9b8e-0a0000000002"


def meta(
    key: str | None = None, *, title: str = "Healthy Parks", release: int = 1, **more: Any
) -> dict[str, Any]:
    return {
        "key": key or str(uuid.uuid4()),
        "title": title,
        "lead_organisation": "University of Example (illustrative)",
        "places": [{"name": "Northampton", "code": "E06000061", "lat": 52.24, "lon": -0.9}],
        "focus": "Green spaces and mental health",
        "partner_types": ["NHS", "voluntary sector"],
        "metadata_only": False,
        "release": release,
        "released_at": f"2026-0{min(release, 9)}-01T10:00:00+00:00",
        "software": "mobilise 0.1",
        "disclosure_k": 3,
        **more,
    }


def reach(counts: dict[str, int], *, dimension: str = "imd_decile") -> pd.DataFrame:
    """A reach table of ``counts`` with no small cell (every count 0 or >= 3)."""
    return pd.DataFrame(
        {
            "dimension": dimension,
            "group": list(counts),
            "count": list(counts.values()),
            "suppressed": False,
        }
    ).astype({"count": "Int64"})


def tables(
    *, reach_counts: dict[str, int] | None = None, theme: str = "Trust"
) -> dict[str, pd.DataFrame]:
    counts = reach_counts or {"1": 12, "2": 9, "3": 7, "4": 5}
    return {
        "methods": pd.DataFrame(
            {
                "method": ["asset_mapping", "world_cafe"],
                "used": [True, True],
                "said": ["We walked the parks with residents.", "Three cafés in libraries."],
            }
        ),
        "partners": pd.DataFrame({"sector": ["NHS", "voluntary"], "count": [4, 9]}),
        "network_rounds": pd.DataFrame(
            {
                "round": ["2025", "2026"],
                "date": ["2025-03-01", "2026-03-01"],
                "partners": [12, 15],
                "ties": [20, 24],
                "density": [0.3, 0.23],
                "centralisation": [0.4, 0.35],
                "ties_kept": [pd.NA, 16],
                "ties_faded": [pd.NA, 4],
                "ties_new": [pd.NA, 8],
                "retention": [pd.NA, 0.8],
            }
        ),
        "reach": reach(counts),
        "themes": pd.DataFrame(
            {
                "theme": [theme, "Transport costs"],
                "definition": ["People believe what services tell them.", ""],
                "kind": ["enabler", "barrier"],
                "segments": [14, 6],
                "contributors": [8, 4],
            }
        ),
        "actions": pd.DataFrame(
            {"status": ["done", "open"], "count": [6, 4], "closed_with_feedback": [5, 0]}
        ),
    }


def package(
    key: str | None = None,
    *,
    release: int = 1,
    title: str = "Healthy Parks",
    table_set: dict[str, pd.DataFrame] | None = None,
    public: dict[str, bool] | None = None,
    **more: Any,
) -> bytes:
    """The bytes of a package's zip."""
    found = tables() if table_set is None else table_set
    buffer = io.BytesIO()
    write_package(
        meta(key, title=title, release=release, **more),
        found,
        buffer,
        public=public if public is not None else dict.fromkeys(found, True),
    )
    return buffer.getvalue()

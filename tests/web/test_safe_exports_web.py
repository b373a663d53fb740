"""Finding 6 of issue 14 as it was met: a systems map's CSV export, downloaded through the API,
wrote ``=cmd|' /C calc'!A0`` raw for a spreadsheet to run."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from .conftest import LOCAL

CALC, SUM = "=cmd|' /C calc'!A0", "+SUM(A1)"


@pytest.mark.parametrize("file_format", ["csv", "prsm-csv"])
def test_the_map_csv_export_writes_no_formula(sqlite_workspace, file_format) -> None:
    made = sqlite_workspace.maps.create("Hostile")
    a = sqlite_workspace.maps.add_factor(made.id, {"label": CALC})
    b = sqlite_workspace.maps.add_factor(made.id, {"label": SUM, "description": "@x"})
    sqlite_workspace.maps.add_link(
        made.id, {"source_id": a["id"], "target_id": b["id"], "polarity": "+"}
    )
    client = TestClient(
        create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace), **LOCAL
    )
    export = client.get(f"/api/v1/maps/{made.id}/export", params={"format": file_format})
    assert export.status_code == 200
    cells = [c for row in csv.reader(io.StringIO(export.text)) for c in row]
    assert "'" + CALC in cells and "'" + SUM in cells
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@") and c not in ("+", "-")] == []

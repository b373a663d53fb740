"""The maps export route (issue 22): PRSM's compressed form, and a warning when PRSM will cut
the map's title."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from mobilise.formats._lzstring import decompress_from_utf16
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from .conftest import LOCAL

LONG_TITLE = "Green space, physical activity and wellbeing in the eastern wards of the city"


@pytest.fixture
def local(sqlite_workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def test_compressed_prsm_export_with_a_title_warning(local):
    made = local.post("/api/v1/maps", json={"title": LONG_TITLE}).json()
    response = local.get(
        f"/api/v1/maps/{made['id']}/export", params={"format": "prsm", "compressed": "true"}
    )
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert not text.startswith("{")  # PRSM decompresses what does not start with "{"
    assert json.loads(decompress_from_utf16(text) or "")["mapTitle"] == LONG_TITLE
    warning = unquote(response.headers["x-mobilise-warning"])
    assert f"{len(LONG_TITLE)} characters" in warning and "first 50" in warning


def test_plain_export_of_a_short_title_has_no_warning(local):
    made = local.post("/api/v1/maps", json={"title": "Green space"}).json()
    response = local.get(f"/api/v1/maps/{made['id']}/export", params={"format": "prsm"})
    assert response.status_code == 200
    assert response.content.startswith(b"{")
    assert "x-mobilise-warning" not in response.headers


def test_compressed_is_refused_for_other_formats(local):
    made = local.post("/api/v1/maps", json={"title": "Green space"}).json()
    url = f"/api/v1/maps/{made['id']}/export"
    error_shape(
        local.get(url, params={"format": "csv", "compressed": "true"}), 422, "invalid_input"
    )
    assert local.get(url, params={"format": "prsm", "compressed": "maybe"}).status_code == 422

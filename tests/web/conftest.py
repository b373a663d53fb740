from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

LOCAL = {"base_url": "http://127.0.0.1:8765", "client": ("127.0.0.1", 50000)}


@pytest.fixture(scope="session")
def client(demo_workspace) -> TestClient:
    """The web app in local single-user mode on the (shared, read-only) demo workspace."""
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=demo_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


@pytest.fixture
def writable_client(sqlite_workspace) -> TestClient:
    """Local mode on an empty workspace of its own, for tests that change things."""
    from mobilise.formats.ons import read_boundaries

    from ..conftest import FIXTURES

    sqlite_workspace.areas.import_boundaries(
        read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    )
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)

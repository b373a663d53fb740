from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app


@pytest.fixture(scope="session")
def client(demo_workspace) -> TestClient:
    """The web app in local single-user mode on the demo workspace."""
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=demo_workspace)
    return TestClient(app, raise_server_exceptions=False)

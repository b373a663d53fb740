"""A real server on 127.0.0.1 and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Tests never reach the network: every host name but the test server's resolves to nothing, so
# the default street tiles (OpenStreetMap's) fail at once and the maps draw their offline layer.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    OFFLINE,
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_url(demo_workspace) -> Iterator[str]:
    import uvicorn

    from mobilise.settings import Settings
    from mobilise.web.app import create_app

    port = _free_port()
    # No street tiles (the default is OpenStreetMap's): the maps draw their offline layer.
    settings = Settings(host="127.0.0.1", port=port, tile_url="none")
    app = create_app(settings, workspace=demo_workspace)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)"
        if os.environ.get("MOBILISE_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 950})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.js_errors = errors
    yield opened
    context.close()


AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, from the npm registry (``make test`` installs it: see the Makefile)."""
    if not AXE.exists():
        reason = f"{AXE} is not installed (make test runs npm ci in tests/browser/axe)"
        if os.environ.get("MOBILISE_REQUIRE_AXE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """``axe(page, selector=None)``: axe-core's violations on the page (or in the part of it
    ``selector`` names), each as ``"rule-id: target"``. The script is evaluated by the browser's
    debugging protocol, which the page's Content-Security-Policy does not govern."""

    def violations(page: object, selector: str | None = None) -> list[str]:
        page.evaluate(axe_source)  # type: ignore[attr-defined]
        found = page.evaluate(  # type: ignore[attr-defined]
            """async (selector) => {
                const results = await axe.run(selector ? document.querySelector(selector)
                                                       : document);
                return results.violations.flatMap(
                    (v) => v.nodes.map((node) => `${v.id}: ${node.target.join(' ')}`));
            }""",
            selector,
        )
        return list(found)

    return violations

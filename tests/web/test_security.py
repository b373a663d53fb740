"""Security headers on every response, and changes refused unless they come from the app's own
pages (Origin, or else Referer), in shared and in local mode."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import no_browser_origin
from ._helpers import error_shape

TEMPLATES = Path(__file__).parents[2] / "src" / "mobilise" / "web" / "templates"
SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
OWN = "https://testserver"


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


@pytest.fixture
def shared(sqlite_workspace, hasher):
    sqlite_workspace.users.create("ana", "correct horse battery", role="analyst")
    return create_app(SHARED, workspace=sqlite_workspace)


def test_every_response_carries_the_security_headers(shared):
    client = TestClient(shared, base_url=OWN)
    responses = {
        "page": client.get("/login"),
        "api error": client.get("/api/v1/places"),
        "feed": client.get("/oruk/"),
        "static": client.get("/static/app.css"),
        "missing": client.get("/no/such/page"),
        "refused": client.post("/login", headers={"origin": "null"}),
    }
    for what, response in responses.items():
        headers = response.headers
        policy = _directives(headers["content-security-policy"])
        assert policy["script-src"] == ["'self'"], what
        assert policy["default-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"] and policy["object-src"] == ["'none'"]
        # images: mobilise's own, data: URLs and the default street tiles (issue 17: streets
        # by default, from OpenStreetMap's tile service; was "'self' data:" with no tiles)
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
        assert headers["x-frame-options"] == "DENY", what
        assert headers["x-content-type-options"] == "nosniff", what
        assert headers["referrer-policy"] == "same-origin", what
        assert "strict-transport-security" not in headers, what


def test_an_unexpected_error_carries_the_security_headers_too(shared):
    # A 500 is answered by Starlette's server-error layer, outside every middleware: it went
    # out without the headers.
    def broken() -> None:
        raise RuntimeError("a bug")

    shared.add_api_route("/api/v1/broken", broken)
    client = TestClient(shared, base_url=OWN, raise_server_exceptions=False)
    response = client.get("/api/v1/broken")
    assert response.status_code == 500
    assert "a bug" not in response.text and response.json()["error"]["message"].startswith(
        "Something went wrong"
    )
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert _directives(response.headers["content-security-policy"])["script-src"] == ["'self'"]


def test_hsts_and_the_tile_server_when_configured(sqlite_workspace):
    settings = dataclasses.replace(
        SHARED, hsts_seconds=31536000, tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png"
    )
    response = TestClient(create_app(settings, workspace=sqlite_workspace), base_url=OWN).get(
        "/login"
    )
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    policy = _directives(response.headers["content-security-policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://*.tile.example.org"]


def test_no_template_runs_inline_script():
    """Scripts come from static files: a <script> without src holds JSON data only, and no tag
    has an inline event handler (the Content-Security-Policy would block both)."""
    found = []
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text("utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{template.name}: {tag}")
        found += [f"{template.name}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+=[^>]*>", text)]
        found += [f"{template.name}: javascript: URL" for _ in re.findall(r"javascript:", text)]
    assert found == []


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({"origin": OWN}, True),
        ({"origin": "https://testserver:443"}, True),
        ({"referer": f"{OWN}/login?next=/"}, True),  # a browser that sends no Origin
        ({"origin": "null"}, False),
        ({}, False),
        ({"origin": "https://evil.example"}, False),
        ({"origin": "http://testserver"}, False),  # another scheme is another origin
        ({"referer": "https://evil.example/testserver"}, False),
        ({"origin": OWN, "sec-fetch-site": "cross-site"}, False),
    ],
)
def test_a_change_needs_the_apps_own_origin(shared, headers, allowed):
    client = TestClient(shared, base_url=OWN)
    with no_browser_origin():
        signed = client.post(
            "/login",
            data={"username": "ana", "password": "correct horse battery"},
            headers=headers,
            follow_redirects=False,
        )
        api = client.post("/api/v1/places", json={"slug": "x", "name": "X"}, headers=headers)
    if allowed:
        assert signed.status_code == 303
        assert api.status_code not in (401, 403), api.text  # signed in, and let through
    else:
        assert signed.status_code == 403 and "own pages" in signed.text
        error = error_shape(api, 403, "permission_denied")
        assert "Origin: https://testserver" in error["message"]


def test_reading_needs_no_origin(shared):
    with no_browser_origin():
        assert TestClient(shared, base_url=OWN).get("/login").status_code == 200


def test_local_mode_keeps_its_checks_and_gets_the_same_rule(sqlite_workspace):
    app = create_app(Settings(host="127.0.0.1"), workspace=sqlite_workspace)
    local = TestClient(app, base_url="http://127.0.0.1:8765", client=("127.0.0.1", 5000))
    body = {"slug": "x-place", "name": "X"}
    with no_browser_origin():
        error_shape(local.post("/api/v1/places", json=body), 403, "permission_denied")
        refused = local.post("/api/v1/places", json=body, headers={"origin": "null"})
        error_shape(refused, 403, "permission_denied")
    made = local.post("/api/v1/places", json=body)  # with the browser's Origin
    assert made.status_code != 403, made.text
    elsewhere = TestClient(app, base_url="http://127.0.0.1:8765", client=("203.0.113.9", 1))
    error_shape(elsewhere.get("/api/v1/places"), 403, "permission_denied")

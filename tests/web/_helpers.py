"""What the web tests share."""

from __future__ import annotations

from typing import Any


def error_shape(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error of a JSON API response, after checking its status and the one documented shape
    ``{"error": {"code", "message", "problems"}}`` (tests/web/test_api.py pins it)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "problems"}, body
    assert body["error"]["code"] == code, body
    return dict(body["error"])

"""What every request and response goes through: the forged-request and local-mode checks, and
the security headers.

Both are pure ASGI middleware (no per-request task or body copying).

Forged requests (CSRF). A change (POST, PUT, PATCH, DELETE) is taken only when the browser says
it comes from mobilise's own pages: an ``Origin`` equal to the app's own origin, or, when a
browser sends no Origin, a ``Referer`` on the app's own origin. ``Origin: null`` (a sandboxed
frame, a ``data:`` page, some redirects) and a request with neither header are refused. Browsers
send Origin with every such request, so mobilise's pages never meet the refusal; a script using
the JSON API sends ``Origin: https://its-mobilise-host`` itself. This is the OWASP "verifying
origin with standard headers" defence; with the session cookie's ``SameSite=Lax`` it needs no
token in forms.

Local single-user mode (no login) answers only this machine: the client must be a loopback
address (a proxy forwarding others is refused) and the Host must name this machine (a web page
elsewhere cannot reach it through DNS rebinding).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobilise.errors import PermissionDenied
from mobilise.settings import Settings
from mobilise.web.errors import render_error

__all__ = ["LOOPBACK", "RequestGuard", "SecurityHeaders", "content_security_policy"]

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}

LOCAL_MESSAGE = (
    "This mobilise runs in local single-user mode and answers only 127.0.0.1. To share it, add "
    "users and serve it with --host (see docs/settings.md)."
)
FORGED_MESSAGE = (
    "Changes can only be sent from mobilise's own pages: this request has no Origin (or "
    "Referer) of this site. A script using the API sends the header Origin: {origin}."
)


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """``(scheme, host, port)`` of a URL, the default port filled in; ``None`` if unreadable."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


def own_origin(request: Request) -> str:
    """The origin the app is being reached at (``X-Forwarded-Proto`` is applied by uvicorn for
    trusted proxies: ``FORWARDED_ALLOW_IPS``)."""
    return f"{request.url.scheme}://{request.url.netloc}"


def forged(request: Request) -> bool:
    """Whether a change request does not come from the app's own pages."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    own = _origin(own_origin(request))
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == "null" or _origin(origin) != own
    referer = request.headers.get("referer")
    return referer is None or _origin(referer) != own


class RequestGuard:
    """Refuse forged changes everywhere, and anything but this machine in local mode."""

    def __init__(self, app: ASGIApp, *, local_mode: bool) -> None:
        self.app = app
        self.local_mode = local_mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        error = self._refusal(request)
        if error is not None:
            await render_error(request, error)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request) -> PermissionDenied | None:
        if self.local_mode:
            client = request.client.host if request.client else ""
            if client not in LOOPBACK or request.url.hostname not in LOOPBACK:
                return PermissionDenied(LOCAL_MESSAGE)
        if request.method in UNSAFE_METHODS and forged(request):
            return PermissionDenied(FORGED_MESSAGE.format(origin=own_origin(request)))
        return None


def _tile_source(tile_url: str) -> str:
    """The CSP source of a Leaflet tile URL template: its origin, with a ``{s}`` subdomain as
    ``*`` (``https://{s}.tile.example.org/{z}/{x}/{y}.png`` -> ``https://*.tile.example.org``)."""
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    labels = parts.netloc.split(".")
    if labels[0].startswith("{") and labels[0].endswith("}"):
        labels[0] = "*"
    host = ".".join(labels)
    if "{" in host or "}" in host or any(c in host for c in " ;,'\""):
        return f"{parts.scheme}:"  # a template elsewhere in the host: the scheme is all CSP has
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    """The policy of every response: scripts, styles, fonts and data only from mobilise itself
    (the vendored libraries included), images also as ``data:`` URLs (Leaflet's and Swagger
    UI's icons) and from the base map's tile server when one is set.

    ``style-src-attr 'unsafe-inline'`` lets pages size bars and colour legend dots with a
    ``style`` attribute; it allows no ``<style>`` element and no script.
    """
    images = " ".join(s for s in ("'self'", "data:", _tile_source(settings.tile_url)) if s)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        )
    )


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (names in lower case)."""
    headers = [
        (b"content-security-policy", content_security_policy(settings).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if settings.hsts_seconds > 0:
        headers.append((b"strict-transport-security", f"max-age={settings.hsts_seconds}".encode()))
    return headers


class SecurityHeaders:
    """Add the security headers to every response (pages, API, feed, static files, errors)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)
        self.names = {name for name, _ in self.headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in self.names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Assemble the web app: settings, workspace, middleware, routers, error rendering. Nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from mobilise import __version__
from mobilise.errors import PermissionDenied
from mobilise.model.presentation import moran_words, significant
from mobilise.settings import Settings, load_settings
from mobilise.web import errors
from mobilise.web.deps import EDITOR_ROLES
from mobilise.web.errors import render_error
from mobilise.web.map_push import MapBroker
from mobilise.web.routes import (
    access,
    api,
    asset_export,
    asset_review,
    assets,
    auth,
    contributions,
    maps,
    network,
    oruk,
    pages,
    partners,
    survey,
)
from mobilise.workspace import Workspace, open_workspace

HERE = Path(__file__).parent
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


LOCAL_MESSAGE = (
    "This mobilise runs in local single-user mode and answers only 127.0.0.1. To share it, add "
    "users and serve it with --host (see docs/settings.md)."
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestGuard:
    """Pure ASGI middleware (no per-request task or body copying) with two checks.

    * Refuse changes sent by another site's page (a forged form post): browsers say where a
      request comes from in ``Sec-Fetch-Site`` and ``Origin``.
    * In local single-user mode (no login), answer only this machine: the client must be a
      loopback address (a proxy forwarding others is refused) and the Host must name this machine
      (a web page elsewhere cannot reach it through DNS rebinding).
    """

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
        if request.method in UNSAFE_METHODS:
            fetch_site = request.headers.get("sec-fetch-site")
            origin = request.headers.get("origin")
            own = f"{request.url.scheme}://{request.url.netloc}"
            if fetch_site == "cross-site" or (origin and origin != "null" and origin != own):
                return PermissionDenied("Changes can only be sent from mobilise's own pages.")
        if self.local_mode:
            client = request.client.host if request.client else ""
            if client not in LOOPBACK or request.url.hostname not in LOOPBACK:
                return PermissionDenied(LOCAL_MESSAGE)
        return None


def safe_url(url: str) -> str:
    """``url`` if it is an http(s) link, else an empty string (never javascript: or data:)."""
    return url if url.startswith(("https://", "http://")) else ""


def create_app(
    settings: Settings | None = None,
    *,
    location: str | None = None,
    workspace: Workspace | None = None,
) -> FastAPI:
    """The mobilise web app for a workspace (given, or opened at ``location`` or the settings')."""
    settings = settings or load_settings()
    settings.check_for_serving()
    workspace = workspace or open_workspace(location or settings.url, actor=settings.user)
    app = FastAPI(
        title="mobilise",
        version=__version__,
        description="Community assets, access and health inequalities. JSON API under /api/v1; "
        'errors always have the shape {"error": {"code", "message", "problems"}}.',
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.map_broker = MapBroker()  # wakes the live streams of a map when it changes
    app.state.map_analyses = {}  # (map id, revision) -> its summary, for the side panels
    app.state.oruk_items = oruk.ItemTexts()  # texts of ORUK list items, per asset version
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        version=__version__,
        local_mode=settings.local_mode,
        editor_roles=EDITOR_ROLES,
        honeypot=contributions.HONEYPOT,  # the bot-trap field of the public forms
    )
    templates.env.filters["safe_url"] = safe_url
    templates.env.filters["significant"] = significant
    templates.env.filters["moran_words"] = moran_words
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="mobilise_session",
        same_site="lax",
        https_only=not settings.local_mode,  # shared deployments are served over HTTPS
    )
    app.add_middleware(RequestGuard, local_mode=settings.local_mode)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(access.api)
    app.include_router(access.pages)
    # Fixed paths under /assets and /api/v1/assets come before /assets/{asset_id}.
    app.include_router(asset_export.router)
    app.include_router(asset_review.api)
    app.include_router(asset_review.pages)
    app.include_router(assets.api)
    app.include_router(contributions.api)
    app.include_router(contributions.router)  # before assets.pages: /assets/suggest
    app.include_router(assets.pages)
    app.include_router(maps.api)
    app.include_router(maps.pages)
    app.include_router(partners.api)
    app.include_router(partners.pages)
    app.include_router(survey.api)
    app.include_router(survey.pages)
    app.include_router(network.api)
    app.include_router(network.pages)
    app.include_router(oruk.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    errors.install(app)
    return app

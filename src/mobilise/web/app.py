"""Assemble the web app: settings, workspace, middleware, routers, error rendering. Nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from mobilise import __version__
from mobilise.settings import Settings, load_settings
from mobilise.web import errors
from mobilise.web.routes import api, auth, pages
from mobilise.workspace import Workspace, open_workspace

HERE = Path(__file__).parent


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
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(version=__version__, local_mode=settings.local_mode)
    app.state.templates = templates
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="mobilise_session",
        same_site="lax",
        https_only=False,  # shared deployments sit behind a TLS proxy
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(pages.router)
    errors.install(app)
    return app

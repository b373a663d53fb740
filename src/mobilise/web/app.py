"""Assemble the web app: settings, workspace, middleware, routers, error rendering. Nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from mobilise import __version__
from mobilise.model.presentation import moran_words, significant
from mobilise.settings import Settings, load_settings
from mobilise.web import errors, limits
from mobilise.web.deps import EDITOR_ROLES
from mobilise.web.map_push import MapBroker
from mobilise.web.routes import (
    access,
    actions,
    api,
    api_docs,
    asset_export,
    asset_review,
    assets,
    auth,
    backups,
    basemap,
    cafes,
    comparison,
    consent,
    contributions,
    drivers,
    engagement,
    event_contributions,
    events,
    gallery,
    indicator_stats,
    jobs,
    maps,
    network,
    networks,
    oruk,
    packs,
    pages,
    partners,
    payments,
    programme_api,
    programme_pages,
    project,
    shortlist,
    survey,
    sweeps,
    themes,
    users,
)
from mobilise.web.security import RequestGuard, SecurityHeaders, security_headers
from mobilise.workspace import Workspace, open_workspace

HERE = Path(__file__).parent


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
    workspace = workspace or open_workspace(
        location or settings.url, actor=settings.user, limits=settings.limits
    )
    app = FastAPI(
        title="mobilise",
        version=__version__,
        description="Community assets, access and health inequalities. JSON API under /api/v1; "
        'errors always have the shape {"error": {"code", "message", "problems"}}.',
        docs_url=None,  # api_docs serves Swagger UI from the vendored copy (no CDN, no inline script)
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
        max_age=max(1, settings.session_hours) * 3600,  # as the server-side session
    )
    app.add_middleware(RequestGuard, local_mode=settings.local_mode)
    app.add_middleware(limits.RequestLimits, limits=settings.limits)  # size, numbers, depth
    app.add_middleware(SecurityHeaders, settings=settings)  # outermost: on refusals too
    app.state.security_headers = security_headers(settings)  # and on a 500 (web/errors.py)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(oruk.router)  # first: a feed request is not tried against 140 routes
    app.include_router(comparison.router)  # before api: /places/compare (issue 18, K)
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
    app.include_router(auth.router)
    app.include_router(users.api)
    app.include_router(backups.api)
    app.include_router(jobs.api)
    app.include_router(consent.router)  # participants, identity, consent, sheets, settings
    app.include_router(payments.router)  # involvement payments, rates, finance export
    app.include_router(event_contributions.router)  # an event's contributions, under consent
    app.include_router(gallery.router)  # galleries, the exhibition, public media files
    app.include_router(cafes.router)  # World Cafés: set-up, table harvest, agenda, API
    jobs.install(app)  # the job workers: started with the app, stopped at its shutdown
    app.include_router(users.pages)
    app.include_router(events.router)  # engagement events: pages, door, join, API
    app.include_router(engagement.router)  # who was reached: the page and its API
    app.include_router(actions.router)  # you said, we did: public page, feeds, staff, API
    app.include_router(themes.router)  # themes: codebook, coding, agreement, counts, .qdpx
    app.include_router(basemap.router)  # the maps' offline layer (issue 17, item 2)
    app.include_router(api_docs.router)
    app.include_router(shortlist.router)  # a link worker's shortlist; nearest assets (issue 17)
    app.include_router(indicator_stats.router)  # rates, funnel plots, spine charts (issue 23)
    app.include_router(drivers.router)  # drivers of disparities: models, maps, API (issue 18)
    app.include_router(packs.router)  # evidence packs: pages, shared links, API (issue 18, L)
    app.include_router(programme_api.router)  # the programme's JSON API (issue 20, P2)
    app.include_router(programme_pages.router)  # the programme's pages (issue 20, P3)
    app.include_router(project.router)  # the project profile and package (issue 20, P1)
    app.include_router(networks.router)  # street networks: API and page (issue 19, N3)
    app.include_router(sweeps.router)  # access sweeps on Dask: API and pages (issue 19, N4)
    app.include_router(pages.router)
    errors.install(app)
    return app

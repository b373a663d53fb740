"""The one wiring point: builds the web app of a workspace and runs it, for ``mobilise serve``.

The command line and the web app are faces that never import each other; this module joins
them. ``mobilise serve`` calls :func:`serve`, which builds the app (:mod:`mobilise.web`) and runs
it under uvicorn, in one process or several. The layer contracts in ``pyproject.toml`` list the
command's import of this module as their one exception.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from mobilise.errors import ConfigurationError
from mobilise.settings import Settings, load_settings
from mobilise.store.engine import database_url

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["WORKER_HEALTHCHECK_S", "app_from_environment", "serve"]

WORKER_HEALTHCHECK_S = 60
"""How long a worker may take to answer uvicorn's health check (seconds). uvicorn's default (5 s)
killed and restarted workers that were still importing the app on a loaded machine; a worker
that hangs for a minute is still replaced."""


def serve(
    settings: Settings,
    *,
    location: str,
    host: str | None = None,
    port: int | None = None,
    workers: int = 1,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve the workspace at ``location`` until interrupted.

    Refuses unsafe settings (a shared address without a secret key, or without any user) before
    listening; ``announce`` is told the address once the app is built.
    """
    import uvicorn

    from mobilise.web.app import create_app

    settings = dataclasses.replace(settings, host=host or settings.host, port=port or settings.port)
    app = create_app(settings, location=location)  # refuses unsafe settings
    if not settings.local_mode and app.state.workspace.users.count() == 0:
        raise ConfigurationError(
            f"Serving on {settings.host} needs at least one user: run "
            "`mobilise users add NAME --role admin` first."
        )
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    announce(f"http://{shown}:{settings.port}/")
    if workers == 1:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
        return
    # Each worker process opens its own app from the environment.
    os.environ.update(
        {
            "MOBILISE_DATABASE_URL": database_url(location),
            "MOBILISE_HOST": settings.host,
            "MOBILISE_PORT": str(settings.port),
        }
    )
    app.state.workspace.close()
    uvicorn.run(
        "mobilise.serve:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
        log_level="warning",
    )


def app_from_environment() -> FastAPI:
    """A new app from the environment's settings (one per worker process; ``uvicorn --factory``)."""
    from mobilise.web.app import create_app

    return create_app(load_settings())

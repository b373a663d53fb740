"""The one wiring point: builds the web app of a workspace and runs it, for ``mobilise serve``.

The command line and the web app are faces that never import each other; this module joins
them. ``mobilise serve`` calls :func:`serve`, which builds the app (:mod:`mobilise.web`) and runs
it under uvicorn, in one process or several. The layer contracts in ``pyproject.toml`` list the
command's import of this module as their one exception.
"""

from __future__ import annotations

import dataclasses
import errno
import gc
import os
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobilise.errors import ConfigurationError
from mobilise.settings import Settings, load_settings
from mobilise.store.engine import database_url

if TYPE_CHECKING:
    from fastapi import FastAPI

    from mobilise.workspace._programme_pull import PullSchedule
    from mobilise.workspace.backup import Backup, BackupSchedule

__all__ = [
    "WORKER_HEALTHCHECK_S",
    "YOUNG_OBJECTS",
    "app_from_environment",
    "backup_schedule",
    "check_port",
    "pull_schedule",
    "serve",
    "settled",
]

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
    listening; ``announce`` is told the address once the app is built. With
    ``MOBILISE_BACKUP_EVERY_HOURS``, backups are written on schedule while it serves
    (:func:`backup_schedule`), in this process whatever the number of workers.
    """
    from mobilise.web.app import create_app

    settings = dataclasses.replace(settings, host=host or settings.host, port=port or settings.port)
    check_port(settings.host, settings.port)  # before anything says it serves
    app = create_app(settings, location=location)  # refuses unsafe settings
    if not settings.local_mode and app.state.workspace.users.count() == 0:
        raise ConfigurationError(
            f"Serving on {settings.host} needs at least one user: run "
            "`mobilise users add NAME --role admin` first."
        )
    schedule = backup_schedule(
        settings, location, report=lambda backup: announce(f"Scheduled backup: {backup.path}")
    )
    pulls = pull_schedule(settings, location)
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    announce(f"http://{shown}:{settings.port}/")
    for running in (schedule, pulls):
        if running is not None:
            running.start()
    try:
        _run(app, settings, location=location, workers=workers)
    finally:
        for running in (schedule, pulls):
            if running is not None:
                running.stop()
                running.workspace.close()


def check_port(host: str, port: int) -> None:
    """ConfigurationError naming the port and the ``--port`` option when ``host:port`` cannot
    be listened on (another program, or another mobilise, is serving there).

    It binds the address as uvicorn will (``SO_REUSEADDR``, so a port left in TIME_WAIT by a
    server just stopped is free) and lets it go at once.
    """
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigurationError(f"Cannot listen on {host}: {error.strerror}.") from None
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigurationError(
                    f"Port {port} on {host} is already in use (another program, or another "
                    f"mobilise, is serving there): stop it, or choose another port with "
                    f"--port, e.g. --port {port + 1 if port < 65535 else 8766}."
                ) from None
            raise ConfigurationError(
                f"Cannot listen on {host} port {port}: {error.strerror or error}. Choose "
                "another with --host or --port."
            ) from None


def backup_schedule(
    settings: Settings, location: str, *, report: Callable[[Backup], None] | None = None
) -> BackupSchedule | None:
    """The scheduled backups of ``mobilise serve``: every ``MOBILISE_BACKUP_EVERY_HOURS`` into
    ``MOBILISE_BACKUP_DIR``, keeping ``MOBILISE_BACKUP_KEEP``; None when not asked for.
    ``report`` is told of each backup written (a failed one is logged)."""
    if settings.backup_every_hours <= 0:
        return None
    if not settings.backup_dir:
        raise ConfigurationError(
            "MOBILISE_BACKUP_EVERY_HOURS is set but MOBILISE_BACKUP_DIR is not: set the folder "
            "scheduled backups are written into."
        )
    try:
        Path(settings.backup_dir).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigurationError(
            f"Cannot use MOBILISE_BACKUP_DIR {settings.backup_dir}: {error.strerror or error}."
        ) from None
    from mobilise.workspace import open_workspace
    from mobilise.workspace.backup import BackupSchedule

    return BackupSchedule(
        open_workspace(location, actor="scheduled backup"),
        settings.backup_dir,
        every=timedelta(hours=settings.backup_every_hours),
        keep=settings.backup_keep,
        report=report,
    )


def pull_schedule(settings: Settings, location: str) -> PullSchedule | None:
    """The scheduled pulls of a programme's followed projects while ``mobilise serve`` runs:
    every ``MOBILISE_PROGRAMME_PULL_HOURS`` (0: none), in this process whatever the workers."""
    if settings.programme_pull_hours <= 0:
        return None
    from mobilise.workspace import open_workspace
    from mobilise.workspace._programme_pull import PullSchedule

    return PullSchedule(
        open_workspace(location, actor="scheduled pull"),
        every=timedelta(hours=settings.programme_pull_hours),
    )


YOUNG_OBJECTS = 10_000
"""New objects (less those freed) after which a served app's youngest generation is collected
(Python's default is 700; see :func:`settled`)."""


def _run(app: FastAPI, settings: Settings, *, location: str, workers: int) -> None:
    """Run uvicorn on ``app``, or ``workers`` processes each building its own."""
    import uvicorn

    if workers == 1:
        uvicorn.run(settled(app), host=settings.host, port=settings.port, log_level="warning")
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

    return settled(create_app(load_settings()))


def settled(app: FastAPI) -> FastAPI:
    """``app``, whose heap is frozen once it has started, and whose young objects are collected
    less often: what Python's cyclic garbage collector costs a server answering many clients.

    A collection stops every request of the process while it walks the objects it holds.
    Measured with ``benchmarks/bench_assets.py`` (40 clients, two workers; each collection
    logged with ``gc.callbacks``): a worker ran 58-89 collections of over 5 ms in 30 s, nearly all
    full ones, the longest 200-270 ms, and the slowest twentieth of the feed's answers were
    those that waited for one.

    * The objects made by the time the app has started (the app, its routes, models and
      templates, the libraries: about 240,000) are frozen (:func:`gc.freeze`): never walked
      again. A full collection then walks only what requests made since: 23 ms after 2,000
      searches, against 123 ms (in one process, no other load).
    * The youngest generation is collected after :data:`YOUNG_OBJECTS` new objects, not 700: a
      request's objects are freed as it ends (reference counting), but collected every 700 they
      are caught alive, promoted, and soon make a full collection due. With both, a worker
      spent about 0.7 s of 30 s collecting, and the feed's p95 fell below 100 ms.

    What is frozen is what a server keeps until it stops."""
    before = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        async with before(served) as state:
            gc.collect()  # nothing unreachable is kept for ever
            gc.freeze()
            young, middle, old = gc.get_threshold()
            gc.set_threshold(max(young, YOUNG_OBJECTS), middle, old)
            yield state

    app.router.lifespan_context = lifespan
    return app

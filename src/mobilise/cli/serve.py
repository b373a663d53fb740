"""``mobilise demo`` and ``mobilise serve``."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from mobilise.cli._common import State, console, print_json, progress_bar, state
from mobilise.errors import ConfigurationError
from mobilise.store.engine import database_url

HostOpt = Annotated[
    str | None,
    typer.Option(
        help="Address to listen on [default: 127.0.0.1, local single-user mode]. Any "
        "other address needs users (mobilise users add) and MOBILISE_SECRET_KEY."
    ),
]
PortOpt = Annotated[int | None, typer.Option(help="Port [default: 8765].")]
WorkersOpt = Annotated[
    int, typer.Option(min=1, max=32, help="Worker processes (one per core suits busy feeds).")
]


def _serve(current: State, host: str | None, port: int | None, workers: int = 1) -> None:
    import dataclasses

    import uvicorn

    from mobilise.web.app import create_app

    settings = dataclasses.replace(
        current.settings,
        host=host or current.settings.host,
        port=port or current.settings.port,
    )
    app = create_app(settings, location=current.location)  # refuses unsafe settings
    if not settings.local_mode and app.state.workspace.users.count() == 0:
        raise ConfigurationError(
            f"Serving on {settings.host} needs at least one user: run "
            "`mobilise users add NAME --role admin` first."
        )
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    console.print(
        f"mobilise is serving [bold]{current.location}[/] at [bold]http://{shown}:{settings.port}/[/]"
    )
    console.print("Press Ctrl+C to stop.")
    if workers == 1:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
        return
    # Each worker process opens its own app from the environment.
    os.environ.update(
        {
            "MOBILISE_DATABASE_URL": database_url(current.location),
            "MOBILISE_HOST": settings.host,
            "MOBILISE_PORT": str(settings.port),
        }
    )
    app.state.workspace.close()
    uvicorn.run(
        "mobilise.web.asgi:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="warning",
    )


def serve(
    ctx: typer.Context, host: HostOpt = None, port: PortOpt = None, workers: WorkersOpt = 1
) -> None:
    """Serve the web app and JSON API of the workspace."""
    _serve(state(ctx), host, port, workers)


def demo(
    ctx: typer.Context,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build only; do not serve.")] = False,
    host: HostOpt = None,
    port: PortOpt = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the build report as JSON.")
    ] = False,
) -> None:
    """Build the demo workspace (Northamptonshire and inner North and East London) and serve it."""
    from mobilise.demo import build_demo

    current = state(ctx)
    with current.open() as ws, progress_bar(not as_json) as progress:
        report = build_demo(ws, progress=progress)
        places = ws.places.list()
    if as_json:
        print_json(
            {
                "workspace": report.workspace,
                "areas": report.areas,
                "postcodes": report.postcodes,
                "assets": report.assets,
                "seconds": round(report.seconds, 2),
                "steps": [{"step": s, "seconds": round(t, 3)} for s, t in report.steps],
                "places": [p.to_dict() for p in places],
            }
        )
    else:
        console.print(
            f"Demo workspace {report.workspace}: {report.areas:,} LSOAs, "
            f"{report.postcodes:,} postcodes, {report.assets:,} community assets, built in "
            f"{report.seconds:.1f} s."
        )
        for p in places:
            console.print(f"  {p.name}: {p.n_areas:,} areas, population {p.population or 0:,}")
            console.print(f"    access and disparities: /places/{p.slug}/access")
    if not no_serve:
        _serve(current, host, port)

"""``mobilise demo`` and ``mobilise serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from mobilise.cli._common import State, console, print_json, progress_bar, state

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
    from mobilise.serve import serve

    def announce(address: str) -> None:
        console.print(f"mobilise is serving [bold]{current.location}[/] at [bold]{address}[/]")
        console.print("Press Ctrl+C to stop.")

    serve(
        current.settings,
        location=current.location,
        host=host,
        port=port,
        workers=workers,
        announce=announce,
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
    current = state(ctx)
    if not no_serve:  # a busy port is said now, not after the build
        from mobilise.serve import check_port

        check_port(host or current.settings.host, port or current.settings.port)
    with current.open() as ws, progress_bar(not as_json) as progress:
        report = ws.demo.build(progress=progress)
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
        console.print(_next_steps(current))
    if not no_serve:
        _serve(current, host, port)


def _next_steps(current: State) -> str:
    """How plain commands reach the workspace just built: by default, or with the option."""
    if current.chosen_by() == "default":
        return (
            "Plain `mobilise` commands run in this folder use it (it is the default workspace): "
            "try `mobilise places list`."
        )
    if current.chosen_by() == "--workspace":
        return (
            f"Use it with `mobilise --workspace {current.location} places list`, or "
            f"`export MOBILISE_WORKSPACE={current.location}` first."
        )
    return f"Commands use it while {current.chosen_by()} is set: try `mobilise places list`."

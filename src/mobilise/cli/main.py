"""The ``mobilise`` command: assembles the capability commands and reports errors without tracebacks."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

try:  # Typer >= 0.20 carries its own copy of click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older Typer on click
    from click import ClickException  # type: ignore[assignment]
from rich.markup import escape

import mobilise
from mobilise.cli import (
    access,
    areas,
    asset_review,
    assets,
    indicators,
    inequality,
    maps,
    network,
    partners,
    places,
    serve,
    users,
)
from mobilise.cli._common import State, console, err_console, print_json, state
from mobilise.errors import MobiliseError
from mobilise.settings import load_settings

app = typer.Typer(
    name="mobilise",
    help="mobilise: community assets, access and health inequalities, in one workspace.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(places.app, name="places")
app.add_typer(areas.app, name="areas")
app.add_typer(indicators.app, name="indicators")
asset_review.register(assets.app)
app.add_typer(assets.app, name="assets")
app.add_typer(users.app, name="users")
app.add_typer(access.app, name="access")
app.add_typer(inequality.app, name="inequality")
app.add_typer(maps.app, name="maps")
app.add_typer(partners.app, name="partners")
app.add_typer(network.app, name="network")
app.command("geocode")(places.geocode)
app.command("demo")(serve.demo)
app.command("serve")(serve.serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mobilise {mobilise.__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            help="SQLite workspace file or database URL "
            "[default: $MOBILISE_DATABASE_URL, else $MOBILISE_WORKSPACE, else mobilise.sqlite]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = State(load_settings(), workspace)


@app.command()
def init(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create the workspace (or bring its schema up to date)."""
    current = state(ctx)
    with current.open() as ws:
        revision = ws.schema_revision
        info = {"workspace": ws.url, "schema": revision, "places": len(ws.places.list())}
    if as_json:
        print_json(info)
    else:
        console.print(f"Workspace [bold]{info['workspace']}[/] ready (schema {revision}).")
        if not info["places"]:
            console.print("Next: [bold]mobilise demo[/] or [bold]mobilise areas import FILE[/].")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv``; returns the exit code. Errors print as one message, no traceback."""
    try:
        result = app(args=argv, prog_name="mobilise", standalone_mode=False)
    except MobiliseError as error:
        err_console.print(f"[bold red]Error:[/] {escape(str(error))}", highlight=False)
        return error.exit_code
    except typer.Exit as stop:
        return int(stop.exit_code)
    except ClickException as error:
        error.show()
        return int(error.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        return 1
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        return 130
    return result if isinstance(result, int) else 0


def main() -> None:
    sys.exit(run(sys.argv[1:]))

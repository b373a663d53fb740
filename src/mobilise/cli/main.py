"""The ``mobilise`` command: assembles the capability commands and reports errors without tracebacks."""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Annotated, Any

import typer

try:  # Typer >= 0.20 carries its own copy of click
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older Typer on click
    from click import ClickException  # type: ignore[assignment]
from rich.markup import escape

import mobilise
from mobilise.cli._common import (
    State,
    console,
    err_console,
    error_text,
    print_json,
    show_flags_as_flags,
    state,
)
from mobilise.errors import MobiliseError
from mobilise.settings import load_settings

# The command groups, in the order `mobilise --help` lists them: name -> module of mobilise.cli.
GROUPS = (
    "places",
    "areas",
    "indicators",
    "assets",
    "users",
    "access",
    "sweeps",
    "drivers",
    "inequality",
    "maps",
    "partners",
    "network",
    "networks",
    "participants",
    "payments",
    "contributions",
    "media",
    "engagement",
    "actions",
    "events",
    "cafes",
    "themes",
    "jobs",
    "basemap",
    "pack",
    "programme",
    "project",
)
# Commands at the top level: name -> (module, function).
COMMANDS = {
    "geocode": ("places", "geocode"),
    "demo": ("serve", "demo"),
    "serve": ("serve", "serve"),
    "backup": ("backup", "backup"),
    "restore": ("backup", "restore"),
}
_ROOT_VALUES = ("-w", "--workspace")  # the root options that take a value


class _Root(typer.core.TyperGroup):
    """The root command: once built with its subcommands, their on/off options show as flags."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_flags_as_flags(self)


def build_app(only: str | None = None) -> typer.Typer:
    """The ``mobilise`` command; with ``only``, just that group or command (and ``init``).

    A command run by name imports and builds only its own group: Typer reads every command's
    signature when it builds the tree, and the other groups' modules need not load at all.
    """
    built = typer.Typer(
        name="mobilise",
        help="mobilise: community assets, access and health inequalities, in one workspace.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        cls=_Root,
    )
    built.callback()(root)
    for name in GROUPS:
        if only in (None, name):
            built.add_typer(import_module(f"mobilise.cli.{name}").app, name=name)
    for name, (module, function) in COMMANDS.items():
        if only in (None, name):
            built.command(name)(getattr(import_module(f"mobilise.cli.{module}"), function))
    built.command()(init)
    return built


def command_named(argv: list[str]) -> str | None:
    """The group or command ``argv`` runs (after the root options), if it names one."""
    words = iter(argv)
    for word in words:
        if word in ("--help", "--version"):
            return None
        if word in _ROOT_VALUES:
            next(words, None)
        elif not word.startswith("-"):
            return word if word in GROUPS or word in COMMANDS or word == "init" else None
    return None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mobilise {mobilise.__version__}")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            help="SQLite workspace file or database URL "
            "[default: $MOBILISE_DATABASE_URL, else $MOBILISE_WORKSPACE, else mobilise.sqlite "
            "in the current folder, the one `make demo` builds]",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = State(load_settings(), workspace)


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
        chosen = build_app(command_named(argv or []))
        result = chosen(args=argv, prog_name="mobilise", standalone_mode=False)
    except MobiliseError as error:
        # soft wrap: the terminal folds a long line; a path or a command in it stays whole
        err_console.print(
            f"[bold red]Error:[/] {escape(error_text(error))}", highlight=False, soft_wrap=True
        )
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


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command, built when first asked for (docs, tests)
        globals()["app"] = found = build_app()
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

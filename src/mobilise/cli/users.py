"""``mobilise users``: accounts for shared deployments."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from mobilise.cli._common import console, print_json, state
from mobilise.model.roles import ROLES

app = typer.Typer(help="Users and roles (needed to serve beyond 127.0.0.1).", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "viewer",
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="MOBILISE_NEW_PASSWORD",
            help="Password (prompted when not given).",
        ),
    ] = "",
) -> None:
    """Add a user."""
    with state(ctx).open() as ws:
        user = ws.users.create(username, password, role=role, display_name=display_name)
    console.print(f"Added user [bold]{user.username}[/] ({user.role}).")


@app.command("list")
def list_users(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users (never their passwords)."""
    with state(ctx).open() as ws:
        found = ws.users.list()
    if as_json:
        print_json([u.to_dict() for u in found])
        return
    table = Table()
    for c in ("username", "name", "role"):
        table.add_column(c)
    for u in found:
        table.add_row(u.username, u.display_name, u.role)
    console.print(table)

"""``mobilise users``: accounts for shared deployments."""

from __future__ import annotations

from typing import Annotated

import typer

from mobilise.cli._common import Table, console, print_json, state
from mobilise.model.roles import ROLES

app = typer.Typer(help="Users and roles (needed to serve beyond 127.0.0.1).", no_args_is_help=True)

UsernameArg = Annotated[str, typer.Argument(help="Login name.")]


def _password_option(help_text: str) -> object:
    return typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="MOBILISE_NEW_PASSWORD",
        help=help_text,
    )


@app.command("add")
def add(
    ctx: typer.Context,
    username: UsernameArg,
    role: Annotated[str, typer.Option(help=f"One of: {', '.join(ROLES)}.")] = "viewer",
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password: Annotated[str, _password_option("Password (prompted when not given).")] = "",
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
    """List users (never their passwords), disabled ones marked so."""
    with state(ctx).open(create=False) as ws:
        found = ws.users.list()
    if as_json:
        print_json([u.to_dict() for u in found])
        return
    table = Table()
    for c in ("username", "name", "role", "status"):
        table.add_column(c)
    for u in found:
        table.add_row(u.username, u.display_name, u.role, "disabled" if u.disabled else "active")
    console.print(table)


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    username: UsernameArg,
    role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}.")],
) -> None:
    """Give a user another role (signs them out everywhere)."""
    with state(ctx).open(create=False) as ws:
        user = ws.users.set_role(ws.users.find(username).id, role)
    console.print(f"{user.username} is now {user.role}; their sessions have ended.")


@app.command("set-password")
def set_password(
    ctx: typer.Context,
    username: UsernameArg,
    password: Annotated[str, _password_option("New password (prompted when not given).")] = "",
) -> None:
    """Set a user's password (signs them out everywhere)."""
    with state(ctx).open(create=False) as ws:
        user = ws.users.set_password(ws.users.find(username).id, password)
    console.print(f"New password set for {user.username}; their sessions have ended.")


@app.command("reset-link")
def reset_link(
    ctx: typer.Context,
    username: UsernameArg,
    base_url: Annotated[
        str, typer.Option(help="The web app's address as the user reaches it, for the link.")
    ] = "http://127.0.0.1:8765",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Give a user a one-time link to set a new password themselves (signed with
    MOBILISE_SECRET_KEY, as the server has it; works once, for MOBILISE_RESET_LINK_HOURS).
    Send it to them yourself."""
    settings = state(ctx).settings
    with state(ctx).open(create=False) as ws:
        link = ws.users.reset_link(
            ws.users.find(username).id,
            key=settings.secret_key,
            hours=settings.reset_link_hours,
        )
    url, until = link.url(base_url), link.expires_at.isoformat()
    if as_json:
        print_json({"username": link.user.username, "url": url, "expires_at": until})
        return
    console.print(f"One-time password link for {link.user.username}, until {until} (UTC):")
    console.print(url, soft_wrap=True, highlight=False)


@app.command("disable")
def disable(ctx: typer.Context, username: UsernameArg) -> None:
    """Stop a user signing in, and sign them out everywhere (`enable` undoes it)."""
    with state(ctx).open(create=False) as ws:
        user = ws.users.disable(ws.users.find(username).id)
    console.print(f"{user.username} is disabled; their sessions have ended.")


@app.command("enable")
def enable(ctx: typer.Context, username: UsernameArg) -> None:
    """Let a disabled user sign in again."""
    with state(ctx).open(create=False) as ws:
        user = ws.users.enable(ws.users.find(username).id)
    console.print(f"{user.username} can sign in again.")


@app.command("remove")
def remove(ctx: typer.Context, username: UsernameArg) -> None:
    """Remove a user (kept in the audit trail; the username stays reserved)."""
    with state(ctx).open(create=False) as ws:
        ws.users.remove(ws.users.find(username).id)
    console.print(f"Removed {username}; their sessions have ended.")

"""``mobilise project``: what the project says of itself, and its project package for a
programme (a Frictionless Data Package of non-personal, disclosure-controlled summaries)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, console, print_json, state

if TYPE_CHECKING:
    from mobilise.workspace.project import ProjectProfile

app = typer.Typer(
    help="The project's profile (title, places, methods used...) and its project package, "
    "which a programme gathers to learn across projects.",
    no_args_is_help=True,
)
methods_app = typer.Typer(
    help="The methods the project used (ids from the methods vocabulary).", no_args_is_help=True
)
app.add_typer(methods_app, name="methods")


def _show(profile: ProjectProfile, as_json: bool) -> None:
    if as_json:
        print_json(profile.to_dict())
        return
    from mobilise.model.methods_vocab import method_label

    console.print(f"[bold]{profile.title or '(no title yet)'}[/bold]")
    console.print(f"Lead organisation: {profile.lead_organisation or '(not set)'}")
    console.print(f"Places: {', '.join(profile.places) or 'every place of the workspace'}")
    if profile.start_date or profile.end_date:
        console.print(f"Dates: {profile.start_date or '?'} to {profile.end_date or '?'}")
    if profile.focus:
        console.print(f"Focus: {profile.focus}")
    if profile.partner_types:
        console.print(f"Partner types: {', '.join(profile.partner_types)}")
    for method in profile.methods:
        said = f": {method['said']}" if method.get("said") else ""
        console.print(f"  Method: {method_label(method['method'])}{said}")
    public = [name for name, flag in profile.public.items() if flag]
    console.print(f"Public in the package: {', '.join(public) or 'nothing'}")
    console.print(
        f"Release {profile.release}" + (" (served with a token)" if profile.serving else "")
    )


@app.command("show")
def show(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Show the project's profile."""
    with state(ctx).open(create=False) as ws:
        profile = ws.project.get()
    _show(profile, as_json)


@app.command("set")
def set_profile(
    ctx: typer.Context,
    title: Annotated[str | None, typer.Option(help="The project's title.")] = None,
    lead_organisation: Annotated[
        str | None, typer.Option(help="The organisation that leads it.")
    ] = None,
    place: Annotated[
        list[str] | None, typer.Option(help="A place of the project (slug; repeatable).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="When it started (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="When it ends (YYYY-MM-DD).")] = None,
    focus: Annotated[str | None, typer.Option(help="Its focus, in a sentence.")] = None,
    partner_type: Annotated[
        list[str] | None, typer.Option(help="A kind of partner involved (repeatable).")
    ] = None,
    public: Annotated[
        list[str] | None,
        typer.Option(help="A package resource to mark public (repeatable; e.g. methods)."),
    ] = None,
    private: Annotated[
        list[str] | None, typer.Option(help="A package resource to mark not public (repeatable).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="A note for the programme.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change the project's profile (only the options given)."""
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("title", title),
            ("lead_organisation", lead_organisation),
            ("places", place),
            ("start_date", start),
            ("end_date", end),
            ("focus", focus),
            ("partner_types", partner_type),
            ("note", note),
        )
        if value is not None
    }
    with state(ctx).open(create=False) as ws:
        if public or private:
            shown = dict(ws.project.get().public)
            shown.update({name: True for name in public or []})
            shown.update({name: False for name in private or []})
            changes["public"] = shown
        profile = ws.project.update(changes)
    _show(profile, as_json)


@methods_app.command("add")
def add_method(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(help="The method's id, e.g. world_cafe.")],
    said: Annotated[str, typer.Option(help="What the project says of it.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Say the project used a method (again: replaces what was said)."""
    with state(ctx).open(create=False) as ws:
        profile = ws.project.add_method(method, said=said)
    _show(profile, as_json)


@methods_app.command("remove")
def remove_method(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(help="The method's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Take a method off the project's list."""
    with state(ctx).open(create=False) as ws:
        profile = ws.project.remove_method(method)
    _show(profile, as_json)


@methods_app.command("list")
def list_methods(as_json: JsonOpt = False) -> None:
    """The methods vocabulary: id, label and what it means."""
    from mobilise.model.methods_vocab import METHODS

    if as_json:
        print_json({key: m._asdict() for key, m in METHODS.items()})
        return
    for key, method in METHODS.items():
        console.print(f"[bold]{key}[/bold] {method.label}: {method.definition}")


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="The package to write (a .zip).")],
    place: Annotated[
        list[str] | None, typer.Option(help="Only this place (slug; repeatable).")
    ] = None,
    metadata_only: Annotated[
        bool, typer.Option(help="Only the profile and methods, no figures.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a new release of the project package (checked with frictionless first)."""
    with state(ctx).open(create=False) as ws:
        exported = ws.project.export(out, places=place, metadata_only=metadata_only)
    if as_json:
        print_json({**exported.to_dict(), "output": str(out)})
        return
    console.print(
        f"Release {exported.release} written to {out}: {', '.join(exported.resources)} "
        f"({exported.size:,} bytes, sha256 {exported.sha256[:12]}...)."
    )


@app.command("token")
def token(
    ctx: typer.Context,
    withdraw: Annotated[bool, typer.Option(help="Stop serving the package.")] = False,
) -> None:
    """Issue a token for a programme to pull the package (shown once), or withdraw it."""
    with state(ctx).open(create=False) as ws:
        if withdraw:
            ws.project.withdraw_token()
            console.print("The package is no longer served; the old token stops working.")
            return
        issued = ws.project.issue_token()
    console.print("Give this token to the programme (it is shown only now):")
    console.print(issued, markup=False, highlight=False)
    console.print("It pulls GET /api/v1/project/package with 'Authorization: Bearer <token>'.")

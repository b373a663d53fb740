"""``mobilise programme``: gather many projects' packages and compare them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

if TYPE_CHECKING:
    from mobilise.workspace.programme import ProgrammeProject, PullOutcome

app = typer.Typer(
    help="A programme of many projects: add their packages (files or addresses), keep each "
    "release, and compare methods, partnerships, reach, themes and outcomes.",
    no_args_is_help=True,
)

KeyArg = Annotated[str, typer.Argument(help="The project's key (see `mobilise programme list`).")]


def _outcomes(found: list[PullOutcome], as_json: bool) -> None:
    """Print what each package did; exit 2 when any was refused."""
    if as_json:
        print_json([o.to_dict() for o in found])
    else:
        for outcome in found:
            mark = "refused" if not outcome.ok else outcome.status
            console.print(f"{outcome.source}: {mark}: {outcome.message}", markup=False)
            for problem in outcome.problems:
                console.print(f"  - {problem}", markup=False)
    if any(not o.ok for o in found):
        raise typer.Exit(code=2)


@app.command("add")
def add(
    ctx: typer.Context,
    package: Annotated[
        Path, typer.Argument(help="A project package: a .zip, or a folder with datapackage.json.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Add one project's package (validated; refused with every problem named)."""
    with state(ctx).open(create=False) as ws:
        release = ws.programme.add(package)
    if as_json:
        print_json(release.to_dict())
    else:
        console.print(release.message, markup=False)


@app.command("import")
def import_folder(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder of packages (.zip files or folders).")],
    as_json: JsonOpt = False,
) -> None:
    """Add every package in a folder, each on its own (exit 2 if any was refused)."""
    with state(ctx).open(create=False) as ws:
        found = ws.programme.add_folder(folder)
    _outcomes(found, as_json)


@app.command("follow")
def follow(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The address the project serves its package at.")],
    token: Annotated[
        str,
        typer.Option(
            envvar="MOBILISE_PROGRAMME_TOKEN",
            help="The token the project issued (or set MOBILISE_PROGRAMME_TOKEN). It is stored "
            "as given: it is needed to pull.",
        ),
    ],
    every_hours: Annotated[int, typer.Option(help="Pull it every so many hours.")] = 24,
    as_json: JsonOpt = False,
) -> None:
    """Follow a project serving its package: fetched now, then pulled on schedule."""
    with state(ctx).open(create=False) as ws:
        project = ws.programme.follow(url, token, every_hours=every_hours)
    if as_json:
        print_json(project.to_dict())
    else:
        console.print(
            f"Following {project.title!r} (release {project.current_release}), pulled every "
            f"{project.every_hours} hours while `mobilise serve` runs, or with "
            "`mobilise programme pull`.",
            markup=False,
        )


@app.command("pull")
def pull(
    ctx: typer.Context,
    key: Annotated[str | None, typer.Argument(help="Only this project (its key).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch the followed projects' packages now (exit 2 if any failed)."""
    with state(ctx).open(create=False) as ws:
        found = ws.programme.pull(key)
    if not found and not as_json:
        console.print("No project is followed: try `mobilise programme follow URL --token T`.")
        return
    _outcomes(found, as_json)


def _row(project: ProgrammeProject) -> list[str]:
    return [
        project.key,
        project.title,
        project.lead_organisation,
        ", ".join(str(p.get("name", "")) for p in project.places),
        str(len(project.methods)),
        "metadata only" if project.metadata_only else "figures",
        str(project.current_release or ""),
        str(len(project.releases)),
        project.url or project.source,
    ]


@app.command("list")
def list_projects(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the projects of the programme."""
    with state(ctx).open(create=False) as ws:
        found = ws.programme.list()
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    table = Table(
        "key", "title", "lead", "places", "methods", "shares", "release", "releases", "source"
    )
    for project in found:
        table.add_row(*_row(project))
    console.print(table if found else "No projects yet: try `mobilise programme add PACKAGE.zip`.")


@app.command("show")
def show(ctx: typer.Context, key: KeyArg, as_json: JsonOpt = False) -> None:
    """Show a project and its releases (newest first)."""
    with state(ctx).open(create=False) as ws:
        project = ws.programme.get(key)
    if as_json:
        print_json(project.to_dict())
        return
    console.print(f"[bold]{project.title}[/bold] ({project.lead_organisation})")
    if project.focus:
        console.print(project.focus, markup=False)
    if project.metadata_only:
        console.print("Metadata only: no figures published.")
    if project.url:
        console.print(f"Followed at {project.url}, every {project.every_hours} hours.")
    if project.last_pull_error:
        console.print(f"Last pull failed: {project.last_pull_error}", markup=False)
    for release in project.releases:
        console.print(
            f"  release {release.release} ({release.status}), released {release.released_at}, "
            f"received {release.received_at:%Y-%m-%d %H:%M} from {release.source}",
            markup=False,
        )


@app.command("remove")
def remove(ctx: typer.Context, key: KeyArg) -> None:
    """Remove a project and every release of it from the programme."""
    with state(ctx).open(create=False) as ws:
        title = ws.programme.get(key).title
        ws.programme.remove(key)
    console.print(f"Removed {title!r} and its releases from the programme.", markup=False)

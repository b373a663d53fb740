"""mobilise themes: the codebook, coding contributions, agreement between coders, theme counts,
suggested themes, and REFI-QDA (.qdpx) exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder.

The command line is the operator's: counts are shown without disclosure control (as an admin
sees them); only contributions consent lets be used are coded, counted or exported."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mobilise.cli._common import JsonOpt, Table, console, print_json, state

app = typer.Typer(
    help="Themes: the codebook, coding, agreement between coders, counts, REFI-QDA exchange.",
    no_args_is_help=True,
)

EventOpt = Annotated[str | None, typer.Option(help="Only this event's contributions.")]
PlaceOpt = Annotated[str | None, typer.Option(help="Only this place's (and its codebook).")]


def _figure(value: object) -> str:
    return "—" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


@app.command("codebook")
def codebook(ctx: typer.Context, place: PlaceOpt = None, as_json: JsonOpt = False) -> None:
    """The codebook: themes and sub-themes with their definitions."""
    with state(ctx).open(create=False) as ws:
        found = ws.themes.list(place)
    if as_json:
        print_json([t.to_dict() for t in found])
        return
    table = Table("id", "theme", "definition")
    for theme in found:
        indent = "  └ " if theme.parent_id else ""
        table.add_row(theme.id, indent + theme.name, theme.definition)
    console.print(table)


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The theme's name.")],
    definition: Annotated[str, typer.Option(help="What belongs under it.")] = "",
    parent: Annotated[str | None, typer.Option(help="The parent theme (id or name).")] = None,
    place: Annotated[str | None, typer.Option(help="A place's own theme.")] = None,
    colour: Annotated[str, typer.Option(help="A colour like #1b7837.")] = "",
) -> None:
    """Add a theme (or a sub-theme) to the codebook."""
    with state(ctx).open() as ws:
        theme = ws.themes.add(
            name, definition=definition, parent=parent, place=place, colour=colour
        )
    console.print(f"Theme {theme.name} added ({theme.id}).")


@app.command("code")
def code(
    ctx: typer.Context,
    contribution: Annotated[str, typer.Argument(help="The contribution's id.")],
    theme: Annotated[str, typer.Argument(help="The theme (id or name).")],
    coder: Annotated[str, typer.Option(help="Who codes (a username or initials).")],
    start: Annotated[int | None, typer.Option(help="A span's first character (from 0).")] = None,
    end: Annotated[int | None, typer.Option(help="The character after the span.")] = None,
    memo: str = "",
) -> None:
    """Put a theme on a contribution: the whole of it, or --start/--end of its text."""
    if (start is None) != (end is None):
        raise typer.BadParameter("give both --start and --end, or neither")
    span = (start, end) if start is not None and end is not None else None
    with state(ctx).open(create=False) as ws:
        coding = ws.themes.code(contribution, theme, coder=coder, span=span, memo=memo)
    console.print(f"Coded {coding.theme} by {coding.coder} ({coding.id}).")


@app.command("uncode")
def uncode(
    ctx: typer.Context, coding: Annotated[str, typer.Argument(help="The coding's id.")]
) -> None:
    """Take a coding away."""
    with state(ctx).open(create=False) as ws:
        ws.themes.uncode(coding)
    console.print("The coding is taken away.")


@app.command("agreement")
def agreement(
    ctx: typer.Context,
    event: EventOpt = None,
    place: PlaceOpt = None,
    coder: Annotated[
        list[str] | None, typer.Option(help="A coder to compare (repeat; default all).")
    ] = None,
    unit: Annotated[str, typer.Option(help="contribution or span.")] = "contribution",
    as_json: JsonOpt = False,
) -> None:
    """Agreement between coders per theme: percent agreement, Cohen's kappa (two coders),
    Krippendorff's alpha (any number, missing codes allowed)."""
    with state(ctx).open(create=False) as ws:
        found = ws.themes.agreement(event=event, place=place, coders=coder or None, unit=unit)
    if as_json:
        print_json(found)
        return
    table = Table("theme", "units", "given", "agreement", "kappa", "alpha")
    for row in found["themes"]:
        table.add_row(
            row["name"], str(row["units"]), str(row["given"]),
            *(_figure(row[k]) for k in ("agreement", "kappa", "alpha")),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"{', '.join(found['coders'])} over {found['units']} units: alpha "
        f"{_figure(found['alpha'])}, kappa {_figure(found['kappa'])}."
    )
    for warning in found["warnings"]:
        console.print(f"[yellow]{warning}[/yellow]")


@app.command("counts")
def counts(
    ctx: typer.Context,
    by: Annotated[
        str | None, typer.Option(help="event_kind, place, event, imd_decile or an equality answer.")
    ] = None,
    event: EventOpt = None,
    place: PlaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """How many contributions carry each theme, and how many voices gave them."""
    with state(ctx).open(create=False) as ws:
        found = ws.themes.counts(by=by, event=event, place=place)
    if as_json:
        print_json(found)
        return
    table = Table("theme", *((by,) if by else ()), "contributions", "voices")
    for row in found["rows"]:
        table.add_row(
            row["name"], *((str(row[by]),) if by else ()), str(row["contributions"]),
            str(row["voices"]),
        )  # fmt: skip
    console.print(table)


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    event: EventOpt = None,
    place: PlaceOpt = None,
    top: Annotated[int, typer.Option(help="Themes suggested per contribution (1-10).")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Suggested themes for contributions no one has coded, and groups of them as candidate
    new themes (TF-IDF and k-means): suggestions only, you decide."""
    with state(ctx).open(create=False) as ws:
        found = ws.themes.suggest(event=event, place=place, top=top)
    if as_json:
        print_json(found)
        return
    table = Table("contribution", "excerpt", "suggested themes", "keywords")
    for entry in found["suggestions"]:
        table.add_row(
            entry["contribution_id"], entry["excerpt"][:60],
            ", ".join(f"{t['name']} ({t['score']:.2f})" for t in entry["themes"]),
            ", ".join(entry["keywords"]),
        )  # fmt: skip
    console.print(table)
    for group in found["clusters"]:
        console.print(f"Group of {group['size']}: {', '.join(group['keywords'])}")


@app.command("export-qdpx")
def export_qdpx(
    ctx: typer.Context,
    target: Annotated[Path, typer.Argument(help="The .qdpx file to write.", dir_okay=False)],
    event: EventOpt = None,
    place: PlaceOpt = None,
) -> None:
    """Export the codebook and coding as a REFI-QDA project (checked against its schema)."""
    with state(ctx).open(create=False) as ws:
        count = ws.themes.export_qdpx(target, event=event, place=place)
    console.print(f"{count} sources written to {target}.")


@app.command("import-qdpx")
def import_qdpx(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="A .qdpx file.", exists=True, dir_okay=False)],
    as_json: JsonOpt = False,
) -> None:
    """Import codes and codings from a REFI-QDA project exported from here (sources that are
    not this workspace's contributions, or whose text changed, are left out)."""
    with state(ctx).open() as ws:
        found = ws.themes.import_qdpx(source)
    if as_json:
        print_json(found)
        return
    console.print(
        f"{found['themes']} themes and {found['codings']} codings added; "
        f"{found['skipped_sources']} sources and {found['skipped_codings']} codings left out."
    )


@app.command("to-factor")
def to_factor(
    ctx: typer.Context,
    theme: Annotated[str, typer.Argument(help="The theme (id or name).")],
    map_id: Annotated[str, typer.Argument(help="The systems map's id.")],
) -> None:
    """Add a theme to a systems map as a factor (the factor then shows its evidence)."""
    with state(ctx).open(create=False) as ws:
        factor = ws.themes.to_factor(theme, map_id)
    console.print(f"Factor {factor['label']} added ({factor['id']}).")

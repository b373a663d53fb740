"""mobilise partners: the consortium's partners — import, list, add, edit, leave, rejoin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from mobilise.cli._common import (
    SECTOR_HELP,
    FileArg,
    JsonOpt,
    Table,
    console,
    parse_day,
    parse_sector,
    print_json,
    state,
)

if TYPE_CHECKING:
    from mobilise.workspace.partners import Partner

app = typer.Typer(
    help="The consortium's partners: organisations across sectors and lived-experience members.",
    no_args_is_help=True,
)

# The options add and edit share (edit changes only those given).
PartnerArg = Annotated[str, typer.Argument(help="The partner's key or id.")]
SectorOpt = Annotated[str | None, typer.Option(help=SECTOR_HELP)]
KindOpt = Annotated[str | None, typer.Option(help="organisation or individual.")]


@app.command("import")
def import_partners(
    ctx: typer.Context,
    file: FileArg,
    default_sector: Annotated[
        str | None, typer.Option(help="Sector of rows that give none. " + SECTOR_HELP)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add or update partners from a CSV or XLSX list (matched by their id column).

    Columns: id, name (required), sector (required unless --default-sector), kind
    (organisation or individual), description, places, populations, postcode, latitude,
    longitude, url, joined, left. The file may use any delimiter, a BOM and CRLF line ends.
    """
    with state(ctx).open() as ws:
        summary = ws.partners.import_file(file, default_sector=parse_sector(default_sector))
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(
        f"{summary.file}: {summary.created} partners added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )


@app.command("list")
def list_partners(
    ctx: typer.Context,
    sector: Annotated[str | None, typer.Option(help="Only this sector.")] = None,
    place: Annotated[str | None, typer.Option(help="Only partners serving this place.")] = None,
    on: Annotated[str | None, typer.Option(help="Only members on this day (YYYY-MM-DD).")] = None,
    current: Annotated[bool, typer.Option(help="Only current members.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the partners."""
    with state(ctx).open(create=False) as ws:
        found = ws.partners.list(
            sector=parse_sector(sector), place=place, on=parse_day(on), include_former=not current
        )
    if as_json:
        print_json([p.to_dict() for p in found])
        return
    table = Table("key", "name", "sector", "kind", "places", "member")
    for p in found:
        spans = ", ".join(f"{m.joined_on}–{m.left_on or ''}" for m in p.memberships)
        table.add_row(p.key, p.name, p.sector_label, p.kind, ", ".join(p.places), spans)
    console.print(table)
    console.print(f"{len(found)} partners.")


@app.command("add")
def add_partner(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner's name (a pseudonym for a person).")],
    sector: SectorOpt,
    kind: KindOpt = "organisation",
    place: Annotated[list[str] | None, typer.Option(help="A place it serves (slug).")] = None,
    joined: Annotated[str | None, typer.Option(help="Joined on (YYYY-MM-DD; today).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add one partner."""
    with state(ctx).open() as ws:
        partner = ws.partners.create(
            name,
            sector=parse_sector(sector) or "",
            kind=kind or "organisation",
            places=place or [],
            joined_on=parse_day(joined),
        )
    _print_partner(
        partner,
        as_json=as_json,
        said=f"Added [bold]{partner.name}[/] ({partner.sector_label}) as {partner.key}.",
    )


@app.command("leave")
def leave(
    ctx: typer.Context,
    partner: PartnerArg,
    on: Annotated[str | None, typer.Option(help="Left on (YYYY-MM-DD; today).")] = None,
) -> None:
    """Record that a partner left the consortium."""
    with state(ctx).open(create=False) as ws:
        found = ws.partners.leave(partner, on=parse_day(on))
    console.print(f"{found.name} left on {found.memberships[-1].left_on}.")


@app.command("edit")
def edit_partner(
    ctx: typer.Context,
    partner: PartnerArg,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    sector: SectorOpt = None,
    kind: KindOpt = None,
    description: Annotated[str | None, typer.Option(help="What it does.")] = None,
    place: Annotated[
        list[str] | None, typer.Option(help="A place it serves (slug); replaces the list.")
    ] = None,
    population: Annotated[
        list[str] | None, typer.Option(help="A population it serves; replaces the list.")
    ] = None,
    postcode: Annotated[str | None, typer.Option(help="Postcode or postcode district.")] = None,
    url: Annotated[str | None, typer.Option(help="Its web site (http or https).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a partner's details (only the options given)."""
    changes = {
        "name": name,
        "sector": parse_sector(sector),
        "kind": kind,
        "description": description,
        "places": place,
        "populations": population,
        "postcode": postcode,
        "url": url,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise typer.BadParameter("Say what to change, e.g. --name or --sector.")
    with state(ctx).open(create=False) as ws:
        found = ws.partners.update(partner, changes, version=None)
    _print_partner(
        found, as_json=as_json, said=f"Updated [bold]{found.name}[/] ({', '.join(changes)})."
    )


@app.command("rejoin")
def rejoin(
    ctx: typer.Context,
    partner: PartnerArg,
    on: Annotated[str | None, typer.Option(help="Joined again on (YYYY-MM-DD; today).")] = None,
) -> None:
    """Record that a former partner joined the consortium again."""
    with state(ctx).open(create=False) as ws:
        found = ws.partners.rejoin(partner, on=parse_day(on))
    console.print(f"{found.name} joined again on {found.memberships[-1].joined_on}.")


def _print_partner(partner: Partner, *, as_json: bool, said: str) -> None:
    """The partner as JSON, or the sentence that says what was done."""
    if as_json:
        print_json(partner.to_dict())
    else:
        console.print(said)

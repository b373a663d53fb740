"""mobilise engagement: who a place's engagement events reached, against its residents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, parse_day, print_json, state
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.presentation import significant
from mobilise.model.reach_words import DIMENSIONS

if TYPE_CHECKING:
    from mobilise.workspace.engagement import Reach, ReachDimension

app = typer.Typer(
    help="Co-production: who the engagement events reached (representation).",
    no_args_is_help=True,
)


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _ratio(group: dict[str, Any]) -> str:
    if group["ratio"] is None:
        return "–"
    low, high = group["ratio_low"], group["ratio_high"]
    interval = "" if low is None or high is None else f" ({significant(low)}–{significant(high)})"
    return f"{significant(group['ratio'])}{interval}"


def _dimension_table(dimension: ReachDimension) -> Table:
    table = Table(
        "group", "people", "share", "of residents", "ratio (95% interval)", "flag",
        title=dimension.label,
        title_justify="left",
    )  # fmt: skip
    for group in dimension.groups:
        table.add_row(
            group["label"],
            group["count_shown"],
            _share(group["share"]),
            _share(group["population_share"]),
            _ratio(group),
            group["flag"],
        )
    return table


def _print(reach: Reach) -> None:
    console.print(
        f"[bold]{reach.place_name}[/bold]: {reach.participants_shown} people took part in "
        f"{reach.events:,} events"
        + (
            f" ({reach.left_out_shown} more left out: no take-part consent now)"
            if reach.left_out
            else ""
        )
    )
    if reach.k is not None:
        console.print(f"Counts of 1 to {reach.k - 1} are shown as 'fewer than {reach.k}'.")
    for dimension in reach.dimensions:
        if not dimension.available:
            console.print(f"{dimension.label}: {dimension.note}")
            continue
        console.print(_dimension_table(dimension))
        index = dimension.dissimilarity
        console.print(
            f"Dissimilarity index: {'–' if index is None else significant(index)}. "
            f"Residents: {dimension.population_source}. {dimension.note}".strip()
        )
        for sentence in dimension.sentences:
            console.print(f"  {sentence}")
    if reach.retention:
        table = Table("first event", "people", "came back", "share", title="Retention")
        for row in reach.retention:
            table.add_row(
                row["label"], row["participants_shown"], row["returned_shown"], _share(row["share"])
            )
        console.print(table)
    if reach.partners:
        table = Table("partner", "people they brought", title="Partners' reach")
        for row in reach.partners:
            table.add_row(row["name"], row["participants_shown"])
        console.print(table)
    console.print(reach.note)
    source = reach.census_source
    if source:
        console.print(f"Census: {source['title']}. {source['attribution']}")


@app.command("reach")
def reach(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="The place's slug (see `mobilise places list`).")],
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="A dimension to compare (repeat for more; default all): " + ", ".join(DIMENSIONS),
        ),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only events starting on or after this day (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only events starting on or before this day (YYYY-MM-DD).")
    ] = None,
    event_kind: Annotated[
        str | None, typer.Option(help="Only one kind of event: " + ", ".join(EVENT_KINDS))
    ] = None,
    population_of: Annotated[
        str,
        typer.Option(
            help="Compare with every resident of the place (place) or only with the residents "
            "of the areas the participants came from (participants_areas)."
        ),
    ] = "place",
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="What this user (a username) would see: disclosure-controlled unless an admin.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Who took part in a place's events, compared with its residents: count, share, ratio with
    its interval and flag per group, the dissimilarity index, retention and partners' reach."""
    with state(ctx).open(create=False) as ws:
        found = ws.engagement.reach(
            place,
            by=by or tuple(DIMENSIONS),
            since=parse_day(since),
            until=parse_day(until),
            event_kind=event_kind,
            population_of=population_of,
            viewer=ws.users.find(as_user) if as_user else None,
        )
    if as_json:
        print_json(found.to_dict())
        return
    _print(found)

"""mobilise events: engagement events — list, show, add, cancel, register, attend, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, parse_day, print_json, state
from mobilise.model.engagement_vocab import EVENT_KINDS

if TYPE_CHECKING:
    from mobilise.workspace.events import Event

app = typer.Typer(
    help="Engagement events: World Cafés, workshops, arts-based sessions, walks; registration "
    "with a waiting list, attendance at the door, the summary after the event.",
    no_args_is_help=True,
)

EventArg = Annotated[str, typer.Argument(help="The event's id.")]
ParticipantArg = Annotated[str, typer.Argument(help="The participant's id or pseudonym code.")]
KIND_HELP = "The kind of event: " + ", ".join(EVENT_KINDS) + "."
TIME_HELP = "YYYY-MM-DDTHH:MM, UK local time (or ISO 8601 with a zone)."


def _when(event: Event) -> str:
    return f"{event.local(event.starts_at):%Y-%m-%d %H:%M}–{event.local(event.ends_at):%H:%M}"


def _show(event: Event) -> None:
    console.print(f"[bold]{event.title}[/] ({event.kind_label}) · {event.status}")
    console.print(f"  id {event.id} · version {event.version}")
    console.print(f"  when {_when(event)} (UK time) · place {event.place or '–'}")
    venue = event.venue_name or event.venue_address or ("online" if event.online else "–")
    console.print(f"  venue {venue} · {'public' if event.public else 'not public'}")
    cap = "no cap" if event.capacity is None else f"capacity {event.capacity}"
    console.print(
        f"  {event.registered} registered, {event.waiting} waiting, {event.attended} came ({cap})"
    )
    if event.partners:
        console.print("  partners " + ", ".join(p["name"] for p in event.partners))
    if event.registration_token:
        console.print(f"  registration link /join/{event.registration_token}")


@app.command("list")
def list_events(
    ctx: typer.Context,
    place: Annotated[str | None, typer.Option(help="Only this place's events (slug).")] = None,
    when: Annotated[str | None, typer.Option(help="upcoming or past.")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Starting on or after this day (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Starting before this day (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (1 to 200).")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List events, soonest first (``--when past``: latest first)."""
    with state(ctx).open(create=False) as ws:
        found = ws.events.list(
            place=place, when=when, start=parse_day(start), end=parse_day(end), limit=limit
        )
    if as_json:
        print_json(found.to_dict())
        return
    table = Table("id", "when (UK)", "title", "kind", "place", "status", "reg.", "came")
    for e in found.items:
        table.add_row(
            e.id[:8],
            _when(e),
            e.title,
            e.kind_label,
            e.place or "",
            e.status,
            str(e.registered),
            str(e.attended),
        )
    console.print(table)
    console.print(f"{len(found.items)} of {found.total} events.")


@app.command("show")
def show_event(ctx: typer.Context, event: EventArg, as_json: JsonOpt = False) -> None:
    """Show one event."""
    with state(ctx).open(create=False) as ws:
        found = ws.events.get(event)
    if as_json:
        print_json(found.to_dict())
    else:
        _show(found)


@app.command("add")
def add_event(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The event's title.")],
    kind: Annotated[str, typer.Option(help=KIND_HELP)],
    starts: Annotated[str, typer.Option(help="Starts at: " + TIME_HELP)],
    ends: Annotated[str, typer.Option(help="Ends at: " + TIME_HELP)],
    place: Annotated[str | None, typer.Option(help="The place (slug).")] = None,
    venue_asset: Annotated[str | None, typer.Option(help="The venue: an asset's id.")] = None,
    address: Annotated[str, typer.Option(help="The venue's address.")] = "",
    online: Annotated[bool, typer.Option(help="Online.")] = False,
    facilitator: Annotated[list[str] | None, typer.Option(help="A facilitator.")] = None,
    partner: Annotated[
        list[str] | None, typer.Option(help="A partner involved (key or id).")
    ] = None,
    map_id: Annotated[str | None, typer.Option(help="The systems map made or used there.")] = None,
    accessibility: Annotated[str, typer.Option(help="Accessibility provisions.")] = "",
    capacity: Annotated[int | None, typer.Option(help="The cap (none: no cap).")] = None,
    public: Annotated[bool, typer.Option(help="Anyone may see it.")] = False,
    open_registration: Annotated[
        bool, typer.Option("--open-registration", help="Open online registration at once.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add a planned event."""
    fields: dict[str, Any] = {
        "venue_asset_id": venue_asset,
        "venue_address": address,
        "online": online,
        "facilitators": facilitator or [],
        "map_id": map_id,
        "accessibility": accessibility,
        "capacity": capacity,
        "public": public,
    }
    with state(ctx).open() as ws:
        made = ws.events.create(
            kind=kind,
            title=title,
            starts_at=starts,
            ends_at=ends,
            place=place,
            partners=partner or [],
            **fields,
        )
        if open_registration:
            made = ws.events.open_registration(made.id)
    if as_json:
        print_json(made.to_dict())
    else:
        _show(made)


@app.command("cancel")
def cancel_event(ctx: typer.Context, event: EventArg, as_json: JsonOpt = False) -> None:
    """Cancel an event: no more registration or attendance; its registration link closes."""
    with state(ctx).open(create=False) as ws:
        found = ws.events.cancel(event)
    if as_json:
        print_json(found.to_dict())
    else:
        console.print(f"Cancelled [bold]{found.title}[/].")


@app.command("register")
def register(
    ctx: typer.Context,
    event: EventArg,
    participant: ParticipantArg,
    brought_by: Annotated[
        str | None, typer.Option(help="The partner who brought them (id).")
    ] = None,
    cancel: Annotated[
        bool, typer.Option("--cancel", help="Cancel the registration instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Register a participant (beyond the cap: the waiting list); ``--cancel`` cancels it and
    moves the first waiting person up."""
    with state(ctx).open(create=False) as ws:
        if cancel:
            done = ws.events.cancel_registration(event, participant)
        else:
            done = ws.events.register(event, participant, brought_by=brought_by)
    if as_json:
        print_json(done.to_dict())
    else:
        console.print(f"{done.code}: {done.status}.")


@app.command("attend")
def attend(
    ctx: typer.Context, event: EventArg, participant: ParticipantArg, as_json: JsonOpt = False
) -> None:
    """Sign a participant in (registering them if they were not)."""
    with state(ctx).open(create=False) as ws:
        done = ws.events.attend(event, participant)
    if as_json:
        print_json(done.to_dict())
    else:
        console.print(f"{done.code} signed in.")


@app.command("summary")
def summary(ctx: typer.Context, event: EventArg, as_json: JsonOpt = False) -> None:
    """The summary after the event: who came by group, partners present, consent coverage
    (the operator sees every count)."""
    with state(ctx).open(create=False) as ws:
        found = ws.events.summary(event)
    if as_json:
        print_json(found)
        return
    console.print(f"[bold]{found['event']['title']}[/]: {found['attended']} came.")
    for group in found["groups"].values():
        table = Table(group["label"], "count")
        for row in group["rows"]:
            table.add_row(row["label"], row["shown"])
        console.print(table)
    table = Table("Consent", "of those who came")
    for row in found["consent"]:
        table.add_row(row["label"], row["shown"])
    console.print(table)
    for partner in found["partners"]:
        console.print(f"Partner present: {partner['name']} (brought {partner['brought']})")

"""mobilise actions: "you said, we did": actions answering themes, feedback given back to the
community, a place's closure figures and the overdue list."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from mobilise.cli._common import JsonOpt, Table, console, parse_day, print_json, state

app = typer.Typer(
    help='"You said, we did": actions answering themes, feedback, closure figures.',
    no_args_is_help=True,
)

PlaceOpt = Annotated[str | None, typer.Option(help="A place's slug.")]
ThemeOpt = Annotated[
    list[str] | None, typer.Option("--theme", help="A theme's id it answers (repeat).")
]


def _show(action: object) -> None:
    from mobilise.workspace.actions import Action

    assert isinstance(action, Action)
    due = f", due {action.due_on}" if action.due_on else ""
    line = f"{action.id} {action.title} ({action.status}{due}, version {action.version})"
    console.print(line, soft_wrap=True)


@app.command("list")
def list_actions(
    ctx: typer.Context,
    place: PlaceOpt = None,
    status: Annotated[
        str | None, typer.Option(help="planned, in_progress, done or dropped.")
    ] = None,
    overdue: Annotated[bool, typer.Option(help="Only those overdue today.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Actions by due date (of one place or status; only the overdue ones)."""
    from datetime import date

    with state(ctx).open(create=False) as ws:
        found = ws.actions.list(
            place=place, status=status, overdue_on=date.today() if overdue else None
        )
    if as_json:
        print_json([a.to_dict() for a in found])
        return
    table = Table("id", "title", "place", "owner", "due", "status", "themes")
    for a in found:
        table.add_row(
            a.id,
            a.title,
            a.place or "",
            a.owner_name,
            str(a.due_on or ""),
            a.status,
            ", ".join(a.theme_names),
        )
    console.print(table)


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="What will be done.")],
    place: Annotated[str, typer.Option(help="The place's slug.")],
    description: str = "",
    owner: Annotated[str | None, typer.Option(help="The owner partner's id.")] = None,
    due_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    status: Annotated[str, typer.Option(help="planned, in_progress, done or dropped.")] = "planned",
    cost_pence: Annotated[int | None, typer.Option(help="Its cost, in pence.")] = None,
    event: Annotated[str | None, typer.Option(help="The workshop that agreed it.")] = None,
    private: Annotated[bool, typer.Option(help="Keep it off the public page.")] = False,
    theme: ThemeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an action answering themes."""
    with state(ctx).open() as ws:
        made = ws.actions.add(
            title,
            place=place,
            description=description,
            owner=owner,
            due_on=parse_day(due_on),
            status=status,
            cost_pence=cost_pence,
            event=event,
            public=not private,
            themes=theme or [],
        )
    print_json(made.to_dict()) if as_json else _show(made)


@app.command("update")
def update(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="The action's id.")],
    version: Annotated[
        int | None, typer.Option(help="The version you read (409 if stale).")
    ] = None,
    title: str | None = None,
    description: str | None = None,
    owner: Annotated[str | None, typer.Option(help="The owner partner's id.")] = None,
    due_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD.")] = None,
    status: Annotated[
        str | None, typer.Option(help="planned, in_progress, done or dropped.")
    ] = None,
    evidence: str | None = None,
    cost_pence: int | None = None,
    public: Annotated[bool | None, typer.Option("--public/--private")] = None,
    theme: ThemeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an action's fields (given --theme, the themes it answers)."""
    given = {
        "title": title,
        "description": description,
        "owner": owner,
        "status": status,
        "evidence": evidence,
        "cost_pence": cost_pence,
        "public": public,
    }
    changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if due_on is not None:
        changes["due_on"] = parse_day(due_on)
    with state(ctx).open(create=False) as ws:
        changed = ws.actions.update(action, version=version, themes=theme, **changes)
    print_json(changed.to_dict()) if as_json else _show(changed)


@app.command("done")
def done(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="The action's id.")],
    evidence: Annotated[str, typer.Option(help="What was done, and how we know.")],
    done_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (today if not given).")] = None,
    version: int | None = None,
) -> None:
    """Mark an action done, with the evidence of what was done."""
    with state(ctx).open(create=False) as ws:
        _show(
            ws.actions.done(action, evidence=evidence, done_on=parse_day(done_on), version=version)
        )


@app.command("feedback")
def feedback(
    ctx: typer.Context,
    summary: Annotated[str, typer.Argument(help="What people were told.")],
    channel: Annotated[str, typer.Option(help="event, newsletter, web, social, letter, other.")],
    shared_on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (today if not given).")] = None,
    action: Annotated[str | None, typer.Option(help="The action it is about.")] = None,
    place: PlaceOpt = None,
    event: Annotated[str | None, typer.Option(help="The event where it was shared.")] = None,
    url: str = "",
) -> None:
    """Record feedback given back to the community (about an action, or a place)."""
    from datetime import date

    with state(ctx).open(create=False) as ws:
        item = ws.actions.add_feedback(
            summary,
            shared_on=parse_day(shared_on) or date.today(),
            channel=channel,
            action=action,
            place=place,
            event=event,
            url=url,
        )
    console.print(f"{item.id} shared {item.shared_on} ({item.channel}).")


@app.command("closure")
def closure(
    ctx: typer.Context,
    place: Annotated[str, typer.Argument(help="The place's slug.")],
    as_json: JsonOpt = False,
) -> None:
    """A place's closure figures: themes with an action, actions done, median days from the
    event to feedback, actions overdue."""
    with state(ctx).open(create=False) as ws:
        figures = ws.actions.closure(place)
    if as_json:
        print_json(figures.to_dict())
        return

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.0%}"

    table = Table("figure", "value")
    table.add_row(
        "themes with an action",
        f"{figures.themes_with_action} of {figures.themes} ({share(figures.theme_share)})",
    )
    table.add_row(
        "actions done", f"{figures.actions_done} of {figures.actions} ({share(figures.done_share)})"
    )
    table.add_row("actions dropped", str(figures.actions_dropped))
    median = figures.median_days_to_feedback
    table.add_row("median days, event to feedback", "-" if median is None else f"{median:g}")
    table.add_row("overdue", str(figures.overdue))
    console.print(table)

"""The demo's "you said, we did": illustrative actions answering each demo place's themes, owned
by the place's partners, with feedback given back.

**Everything here is illustrative**: made up for the demo with a fixed seed, marked
``illustrative`` and labelled so on the pages. Per place: three actions done (with the evidence
of what was done, and feedback at an event, in a newsletter and on the web), two under way, one
planned that is overdue, one dropped with the reason, and a place-wide update on the web. Each
answers one or two of the place's themes (those the themes part built; when a place has none
yet, a few illustrative themes are added through ``ws.themes``). Dates follow the place's first
engagement event; the overdue action's due date is a fortnight before today.
"""

from __future__ import annotations

import random
import zlib
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["build_actions"]

LABEL = " (illustrative)"
_THEMES = (
    ("Green space close to home", "Parks, gardens and paths people can reach and feel safe in."),
    ("Arts and making together", "Community arts, music and making as a way to meet people."),
    ("Getting to what helps", "Transport, cost and information that stand in the way."),
    ("Feeling safe out and about", "Lighting, routes and company, especially after dark."),
)
# title, description, status, evidence (done) or reason (dropped)
_ACTIONS = (
    (
        "Benches and shade along the park path",
        "More places to rest on the main path, so older people can walk the whole loop.",
        "done",
        "Eight benches and four trees installed; counted by the park's friends group.",
    ),
    (
        "A monthly community arts night at the library",
        "An evening of making and music, free, open to everyone.",
        "done",
        "Six nights held so far, about 30 people each (the library's own count).",
    ),
    (
        "A weekly health walk from the surgery",
        "A walk led by volunteers, starting at the GP surgery, with the social prescriber.",
        "done",
        "Walk running every Wednesday since spring; leaflet in the surgery.",
    ),
    (
        "A leaflet of what is on nearby, for link workers",
        "One page of local groups and spaces for social prescribing link workers to hand out.",
        "in_progress",
        "",
    ),
    (
        "Open the community garden at weekends",
        "Volunteer key-holders so the garden is open on Saturdays and Sundays.",
        "in_progress",
        "",
    ),
    (
        "Better lighting on the route to the park",
        "Ask the council to repair and add lights on the footpath people named.",
        "planned",
        "",
    ),
    (
        "A free minibus to the country park",
        "A monthly minibus for families without a car.",
        "dropped",
        "No funding this year; we will ask again in the next bid.",
    ),
)
_CHANNELS = ("event", "newsletter", "web")


def build_actions(workspace: Workspace, *, seed: int) -> dict[str, int]:
    """Add the illustrative actions and feedback of every place once (re-running adds nothing).

    Returns how many actions and feedback items were added.
    """
    added = {"actions": 0, "feedback": 0}
    for place in workspace.places.names():
        if any(a.illustrative for a in workspace.actions.list(place=place)):
            continue
        rng = random.Random(seed + zlib.crc32(place.encode()))
        with workspace.write():  # a place's actions arrive together or not at all
            _place(workspace, place, rng, added)
    return added


def _place(workspace: Workspace, place: str, rng: random.Random, added: dict[str, int]) -> None:
    themes = [t["id"] for t in workspace.actions.themes_of_place(place) if t["place"] == place]
    if not themes:
        themes = [
            workspace.themes.add(name + LABEL, definition=text, place=place, illustrative=True).id
            for name, text in _THEMES
        ]
    events = workspace.events.list(place=place, limit=200).items  # by start time
    start = events[0].starts_at.date() if events else date.today() - timedelta(days=150)
    # the workshop that agreed the actions (else the place's first event, where it was said)
    workshop = next(
        (e.id for e in events if e.kind == "whole_system_workshop"),
        events[0].id if events else None,
    )
    partners = workspace.partners.list(place=place)
    owners: list[str | None] = [p.id for p in partners if p.kind == "organisation"] or [None]
    today = date.today()
    for index, (title, description, status, words) in enumerate(_ACTIONS):
        answers = rng.sample(themes, min(len(themes), rng.choice((1, 2))))
        if index < len(themes):  # every theme gets an action before any gets two
            answers = list(dict.fromkeys([themes[index], *answers]))
        due = start + timedelta(days=rng.randrange(60, 120))
        if status == "planned":
            due = today - timedelta(days=14)  # the overdue one
        elif status == "in_progress":
            due = max(due, today + timedelta(days=rng.randrange(30, 90)))
        done_on = start + timedelta(days=rng.randrange(25, 70)) if status == "done" else None
        action = workspace.actions.add(
            title + LABEL,
            place=place,
            description=description,
            owner=rng.choice(owners),
            due_on=due,
            status=status,
            done_on=done_on,
            evidence=words,
            cost_pence=rng.randrange(5, 400) * 1_000 if status != "dropped" else None,
            event=workshop,
            themes=answers,
            illustrative=True,
        )
        added["actions"] += 1
        if done_on is not None:
            workspace.actions.add_feedback(
                f"We told people what happened: {words}{LABEL}",
                shared_on=min(done_on + timedelta(days=rng.randrange(3, 21)), today),
                channel=_CHANNELS[index % len(_CHANNELS)],
                action=action.id,
                illustrative=True,
            )
            added["feedback"] += 1
    workspace.actions.add_feedback(
        f"An update on what we heard and what we are doing, on the partnership's web page{LABEL}",
        shared_on=min(start + timedelta(days=90), today),
        channel="web",
        place=place,
        illustrative=True,
    )
    added["feedback"] += 1

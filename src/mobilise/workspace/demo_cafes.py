"""The demo's World Cafés: one illustrative café per demo place, with three rounds, five tables,
questions about green space, community arts and health, each table's notes per round and the
closing plenary's harvest.

**Everything here is illustrative.** The notes are short phrases written for the demo and drawn
with a fixed seed (never real people's words); each is marked ``illustrative`` and the hosts
are first names made up for the demo. The café is the place's held illustrative World Café of
:func:`~mobilise.workspace.demo_engagement.build_engagement` when there is one, or a new held
illustrative event. Photos of the paper sheets are the media builder's to add.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["QUESTIONS", "build_cafes"]

SEED = 2026
QUESTIONS = (
    "What makes a green space here feel like yours, and what keeps people away?",
    "What would bring you, or someone you know, to a community arts session?",
    "What would help people here stay well, and who should do it?",
)
PLENARY_QUESTION = "If one thing changed first, what should it be?"
HOSTS = ("Sam", "Ade", "Priya", "Jo", "Tomasz")
NOTES_PER_ROUND = (3, 6)
_NOTES = (
    (  # round 1: green space
        "More benches in the shade, and somewhere to sit out of the wind",
        "The park feels unsafe after dark: better lighting on the main path",
        "Toilets that are open would let older people stay longer",
        "A growing space on the estate, run by residents",
        "Dog mess and litter put families off the play area",
        "The canal towpath is lovely but hard to reach with a buggy",
        "Walking groups help people who would not go alone",
        "Signs in more languages at the park entrance",
        "Young people want somewhere to be that is not a playground",
        "Free outdoor exercise sessions in summer were well used",
    ),
    (  # round 2: community arts
        "A choir for carers, at a time carers can actually come",
        "Murals painted with young people on the underpass",
        "Free sessions with childcare, or nobody with small kids can come",
        "Craft groups at the library are where people make friends",
        "Music in the park on Sunday afternoons",
        "People do not know what is on: one noticeboard, online and on paper",
        "Arts sessions for men who would not come to a health group",
        "Use the empty shop on the high street for pop-up workshops",
        "Dance for older people to keep moving and meet others",
        "Let groups use the community centre cheaply in the evenings",
    ),
    (  # round 3: health
        "Social prescribers should know every group that runs locally",
        "A GP who can refer you to a walking group, not just tablets",
        "Health checks at the community centre, not only at the surgery",
        "Loneliness is the biggest health problem round here",
        "Warm spaces in winter with a cup of tea and company",
        "Mental health support for young people that does not mean a long wait",
        "Information about services in plain words",
        "Connect the food bank with advice on money and housing",
        "Volunteers need support too, or they burn out",
        "Transport to groups for people who cannot walk far",
    ),
)
_PLENARY = (
    "Open the park toilets and light the main path",
    "One shared list of what is on, kept up to date by the groups themselves",
    "Arts and walking groups that GPs and social prescribers refer people to",
    "Cheap evening space for resident-led groups",
    "Ask young people what they want, and fund what they choose",
)
_CAFE_TITLE = "World Café: green space, community arts and health (illustrative)"


def build_cafes(workspace: Workspace, *, seed: int = SEED) -> dict[str, int]:
    """Add an illustrative World Café harvest to each demo place once (re-running adds
    nothing). Returns how many cafés, questions, tables and notes were added."""
    added = dict.fromkeys(("cafes", "questions", "tables", "notes"), 0)
    rng = np.random.default_rng(seed)
    with workspace.write():  # one transaction: the cafés arrive together or not at all
        for place in workspace.places.list():
            event = _cafe_event(workspace, place.slug)
            if event is None or workspace.cafes.questions(event):
                continue
            _build(workspace, event, rng, added)
    return added


def _cafe_event(workspace: Workspace, place: str) -> str | None:
    """The place's held illustrative World Café, or a new one (None: not a demo place)."""
    events = workspace.events.list(place=place, status="held", limit=200).items
    if not any(e.illustrative for e in events):
        return None
    for found in events:
        if found.kind == "world_cafe" and found.illustrative:
            return str(found.id)
    starts = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    starts -= timedelta(days=60)
    made = workspace.events.create(
        kind="world_cafe",
        title=_CAFE_TITLE,
        place=place,
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        purpose="An illustrative event of the mobilise demo: people, events and words here "
        "are generated, not real.",
        facilitators=["A. Facilitator (illustrative)"],
        public=True,
        illustrative=True,
    )
    workspace.events.update(made.id, {"status": "held"}, version=None)
    return str(made.id)


def _build(
    workspace: Workspace, event: str, rng: np.random.Generator, added: dict[str, int]
) -> None:
    cafes = workspace.cafes
    for number, text in enumerate(QUESTIONS, start=1):
        cafes.add_question(event, text, round_number=number)
    cafes.add_question(event, PLENARY_QUESTION)
    added["questions"] += len(QUESTIONS) + 1
    tables = [
        cafes.add_table(event, f"Table {n}", host=f"{host} (illustrative)", position=n)
        for n, host in enumerate(HOSTS, start=1)
    ]
    added["tables"] += len(tables)
    notes: list[str] = []
    for number, phrases in enumerate(_NOTES, start=1):
        for table in tables:
            count = int(rng.integers(*NOTES_PER_ROUND))
            for index in rng.choice(len(phrases), size=min(count, len(phrases)), replace=False):
                sent = cafes.add_note(
                    event,
                    phrases[int(index)],
                    table=table.id,
                    round_number=number,
                    illustrative=True,
                )
                notes.append(sent.note.id)
    for index in rng.permutation(len(_PLENARY))[:4]:
        notes.append(cafes.add_note(event, _PLENARY[int(index)], illustrative=True).note.id)
    for note in notes:  # (the facilitators read the harvest and chose its words for the public)
        workspace.media.describe(note, public=True)
    added["notes"] += len(notes)
    added["cafes"] += 1

"""The demo's themes: an illustrative codebook per demo place and the coding of the demo's
contributions by two illustrative coders, so that agreement between coders has something to
show.

**Everything here is illustrative**: the themes are written for the demo (marked
``illustrative``, their names end "(illustrative)"), and the coders are two made-up coders,
"Coder A (illustrative)" and "Coder B (illustrative)". Coder A codes the words that name a
theme (a span: the clause around a keyword) in quotes and stories and whole notes; coder B
codes whole contributions, leaves about one in ten uncoded (a missing code), misses about one
theme in eight and adds another now and then, all drawn with a fixed seed, so agreement is high
but not perfect. Only contributions consent lets be used are coded.
"""

from __future__ import annotations

import random
import re
import zlib
from typing import TYPE_CHECKING

from mobilise.errors import Conflict
from mobilise.workspace._theme_rows import Scope, visible_contributions

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["CODERS", "build_themes"]

LABEL = " (illustrative)"
CODERS = ("Coder A (illustrative)", "Coder B (illustrative)")
# name, definition, keywords (lower case; a theme applies when one appears), sub-themes
_CODEBOOK: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    (
        "Green space",
        "Parks, gardens, allotments, paths and water people can reach and use.",
        ("park", "garden", "allotment", "green", "canal", "walk"),
        (("Growing and gardening", "Allotments, community gardens, growing food together."),),
    ),
    (
        "Safety",
        "Feeling safe getting there and being there: lighting, routes, company after dark.",
        ("safe", "lights", "dark", "moved on"),
        (),
    ),
    (
        "Cost and transport",
        "What it costs to take part and how people get there: fares, buses, cars, money.",
        ("bus", "cost", "free", "trip", "transport", "warm"),
        (),
    ),
    (
        "Belonging",
        "Feeling welcome, that a place or group is for people like me; being told and asked.",
        ("other people", "nobody told", "if someone came", "young people", "for us", "word"),
        (
            (
                "Trusted messengers",
                "Faith leaders, youth workers, the school gate: who people hear from.",
            ),
        ),
    ),
    (
        "Arts and wellbeing",
        "Arts, making, music and groups as a way to feel better and meet people.",
        ("art", "knit", "group", "prescription", "pain"),
        (),
    ),
    (
        "Information and access",
        "Knowing what is on and being able to book or use it: leaflets, forms, online only.",
        ("leaflet", "forms", "online", "calendar", "advice"),
        (),
    ),
)
_SUB_KEYWORDS = {
    "Growing and gardening": ("allotment", "garden", "growing"),
    "Trusted messengers": ("mosque", "school gate", "barber", "faith", "youth worker", "trusted"),
}
_CLAUSE = re.compile(r"[^.,;!?]+")


def build_themes(workspace: Workspace, *, seed: int = 16) -> dict[str, int]:
    """Add the illustrative codebook of every place and code the place's contributions by two
    illustrative coders, once (re-running adds nothing). Returns the themes and codings added."""
    added = {"themes": 0, "codings": 0}
    for place in workspace.places.names():
        if any(t.illustrative and t.place_slug == place for t in workspace.themes.list(place)):
            continue
        rng = random.Random(seed + zlib.crc32(place.encode()))
        with workspace.write():  # a place's codebook and coding arrive together or not at all
            _place(workspace, place, rng, added)
    return added


def _place(workspace: Workspace, place: str, rng: random.Random, added: dict[str, int]) -> None:
    keywords: dict[str, tuple[str, ...]] = {}
    for name, definition, words, subs in _CODEBOOK:
        parent = workspace.themes.add(
            name + LABEL, definition=definition, place=place, illustrative=True
        )
        keywords[parent.id] = words
        for sub_name, sub_definition in subs:
            sub = workspace.themes.add(
                sub_name + LABEL, definition=sub_definition, parent=parent.id, place=place,
                illustrative=True,
            )  # fmt: skip
            keywords[sub.id] = _SUB_KEYWORDS[sub_name]
        added["themes"] += 1 + len(subs)
    theme_ids = list(keywords)
    for row in visible_contributions(workspace, Scope(place=place)):
        text = row.text or ""
        found = {t: _match(text, words) for t, words in keywords.items()}
        found = {t: span for t, span in found.items() if span is not None}
        if not found:
            continue
        for theme, span in found.items():  # coder A: spans in quotes and stories
            whole = row.kind not in ("quote", "story")
            added["codings"] += _code(workspace, row.id, theme, CODERS[0], None if whole else span)
        if rng.random() < 0.1:
            continue  # coder B did not code this one: a missing code
        chosen = [t for t in found if rng.random() > 0.125]
        if rng.random() < 0.1:
            chosen.append(rng.choice(theme_ids))
        for theme in dict.fromkeys(chosen):
            added["codings"] += _code(workspace, row.id, theme, CODERS[1], None)


def _match(text: str, words: tuple[str, ...]) -> tuple[int, int] | None:
    """The clause around the first keyword found, as a span; None when none is there."""
    lower = text.lower()
    for word in words:
        at = lower.find(word)
        if at >= 0:
            for clause in _CLAUSE.finditer(text):
                if clause.start() <= at < clause.end():
                    start = clause.start() + len(clause.group()) - len(clause.group().lstrip())
                    return start, clause.end()
    return None


def _code(
    workspace: Workspace, contribution: str, theme: str, coder: str, span: tuple[int, int] | None
) -> int:
    try:
        workspace.themes.code(contribution, theme, coder=coder, span=span)
    except Conflict:
        return 0
    return 1

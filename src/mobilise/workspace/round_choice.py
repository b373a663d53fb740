"""Which survey round the partnership pages open on, and which two they compare.

A round being answered is not yet the network: while it is open (or has no answers at all) its
measures describe the few partners who answered so far, and a comparison with it reads as
collapse ("267 -> 0 pairs"). So the pages, the API's defaults and the command line open on the
newest round that is closed with answers, say of a newer one that it is "in progress, N of M
answered", and compare the two newest closed rounds with answers.

Light on purpose (no pandas, no NetworkX): the faces import it to word a round's state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mobilise.workspace._survey_fields import Round

__all__ = [
    "comparable",
    "compared_pair",
    "has_answers",
    "in_progress",
    "newer_in_progress",
    "progress_words",
    "shown_round",
]


def has_answers(round_: Round) -> bool:
    """Whether any partner has submitted answers to the round."""
    return round_.submitted > 0


def in_progress(round_: Round) -> bool:
    """Whether the round is still being prepared or answered (draft or open)."""
    return round_.status != "closed"


def comparable(round_: Round) -> bool:
    """Whether a comparison may take the round by default: closed, with answers."""
    return has_answers(round_) and not in_progress(round_)


def progress_words(round_: Round) -> str:
    """The round's state in words: "in progress, 5 of 41 answered", "closed, 31 of 41
    answered", "being prepared, not open for answers yet"."""
    answered = f"{round_.submitted:,} of {round_.roster:,} answered"
    if round_.status == "draft":
        return "being prepared, not open for answers yet"
    if round_.status == "open":
        return f"in progress, {answered}"
    return f"closed, {answered}"


def shown_round(rounds: Sequence[Round]) -> Round | None:
    """The round a page opens on, of ``rounds`` (oldest first): the newest closed round with
    answers, else the newest with any answers, else the newest; None when there are none."""
    for wanted in (comparable, has_answers):
        found = [r for r in rounds if wanted(r)]
        if found:
            return found[-1]
    return rounds[-1] if rounds else None


def newer_in_progress(rounds: Sequence[Round], shown: Round | None) -> list[Round]:
    """The rounds newer than ``shown`` that are still in progress (to say so beside it)."""
    if shown is None:
        return [r for r in rounds if in_progress(r)]
    ids = [r.id for r in rounds]
    later = rounds[ids.index(shown.id) + 1 :] if shown.id in ids else []
    return [r for r in later if in_progress(r) or not has_answers(r)]


def compared_pair(rounds: Sequence[Round]) -> tuple[Round, Round] | None:
    """The two rounds a comparison opens on: the two newest closed rounds with answers (oldest
    first); None when there are fewer than two."""
    found = [r for r in rounds if comparable(r)]
    return (found[-2], found[-1]) if len(found) >= 2 else None

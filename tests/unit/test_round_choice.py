"""Which round the partnership pages open on and which two they compare (issue 17, item 6)."""

from __future__ import annotations

from datetime import date

from mobilise.workspace._survey_fields import Round
from mobilise.workspace.round_choice import (
    compared_pair,
    newer_in_progress,
    progress_words,
    shown_round,
)


def made(name: str, status: str, submitted: int, roster: int = 41) -> Round:
    return Round(name, name, date(2026, 1, 1), status, "", 3, 1, roster, submitted)


def test_an_open_round_without_answers_is_neither_shown_nor_compared() -> None:
    one, two, three = made("1", "closed", 32), made("2", "closed", 31), made("3", "open", 0)
    assert shown_round([one, two, three]) == two
    assert compared_pair([one, two, three]) == (one, two)
    assert newer_in_progress([one, two, three], two) == [three]
    assert progress_words(three) == "in progress, 0 of 41 answered"
    assert progress_words(two) == "closed, 31 of 41 answered"
    assert progress_words(made("4", "draft", 0)) == "being prepared, not open for answers yet"


def test_without_a_closed_round_the_newest_with_answers_then_the_newest() -> None:
    open_with_answers, draft = made("1", "open", 5), made("2", "draft", 0)
    assert shown_round([open_with_answers, draft]) == open_with_answers
    assert shown_round([draft]) == draft
    assert shown_round([]) is None
    assert compared_pair([open_with_answers, draft]) is None

"""Disclosure control for partnership scores: hide a score given by too few raters.

A mean trust or value score built from one or two respondents reveals what those respondents
answered: a partner rated by a single respondent can read that respondent's answer straight off
its profile, and with two raters each can work out the other's. So a score is shown only when
at least ``k`` distinct respondents gave it (:data:`DEFAULT_MIN_RATERS`, configurable).

These functions blank the scores; who sees what is decided by the workspace: admins see the
unsuppressed figures, and individual answers are never shown outside admin views (public and
partner views only ever receive suppressed tables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.errors import Problem
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS

__all__ = ["DEFAULT_MIN_RATERS", "DEFAULT_RULES", "suppress_scores", "suppress_summary"]

"""Fewest distinct raters a shown score needs."""

DEFAULT_RULES: dict[str, list[str]] = {
    "raters_value": ["value"],
    "raters_trust": ["trust"],
    **{
        f"raters_{item}": [item]
        for item in (
            "value_influence",
            "value_involvement",
            "value_resources",
            "trust_reliability",
            "trust_purpose",
            "trust_openness",
        )
    },
}
"""Each rater-count column and the score columns it vouches for: every score its own raters
(a respondent may answer one trust statement and leave the others blank)."""


def _check(k: object, rules: object, problems: list[Problem]) -> dict[str, list[str]]:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        problems.append(Problem(f"k must be a whole number >= 1, not {k!r}", field="k"))
    if rules is None:
        return DEFAULT_RULES
    if not isinstance(rules, Mapping) or not all(
        isinstance(count, str)
        and isinstance(scores, Sequence)
        and not isinstance(scores, str)
        and all(isinstance(score, str) for score in scores)
        for count, scores in rules.items()
    ):
        problems.append(
            Problem(
                "rules must map each rater-count column to a list of score columns",
                field="rules",
            )
        )
        return {}
    return {count: list(scores) for count, scores in rules.items()}


def suppress_scores(
    frame: pd.DataFrame,
    *,
    k: int = DEFAULT_MIN_RATERS,
    rules: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """A copy of a score table with each score blanked where too few raters gave it.

    Parameters
    ----------
    frame
        Scores with rater counts, e.g. from
        :func:`~mobilise.analysis.network_scores.partner_scores` or ``sector_scores``.
    k
        Fewest raters a shown score needs (>= 1).
    rules
        Each rater-count column and the score columns it covers; :data:`DEFAULT_RULES` when
        omitted. Score columns absent from ``frame`` are skipped; a score whose count
        column is absent is hidden (nothing vouches for it).

    Returns
    -------
    pandas.DataFrame
        The scores NaN where their count is below ``k`` (counts kept), and a bool column
        ``suppressed``: true where any score in the row was hidden.
    """
    problems: list[Problem] = []
    if not isinstance(frame, pd.DataFrame):
        problems.append(
            Problem(f"frame must be a pandas DataFrame, not {type(frame).__name__}", field="frame")
        )
    checked = _check(k, rules, problems)
    raise_if(problems, "Cannot suppress the scores")
    shown = frame.copy()
    hidden = pd.Series(False, index=frame.index)
    for count, scores in checked.items():
        # a score whose count column is missing has no raters to vouch for it: hidden
        counts = frame[count] if count in frame.columns else pd.Series(0, index=frame.index)
        few = pd.to_numeric(counts, errors="coerce").fillna(0) < k
        for score in (s for s in scores if s in frame.columns):
            hidden |= few & frame[score].notna()
            shown[score] = frame[score].astype(float).where(~few)
    shown["suppressed"] = hidden.astype(bool)
    return shown


def suppress_summary(
    summary: Mapping[str, float | int | None],
    *,
    k: int = DEFAULT_MIN_RATERS,
    rules: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, float | int | bool | None]:
    """:func:`suppress_scores` for one summary, e.g. of
    :func:`~mobilise.analysis.network_scores.network_scores`: hidden scores become ``None``
    and ``suppressed`` says whether any was hidden."""
    problems: list[Problem] = []
    if not isinstance(summary, Mapping):
        problems.append(
            Problem(f"summary must be a mapping, not {type(summary).__name__}", field="summary")
        )
    checked = _check(k, rules, problems)
    raise_if(problems, "Cannot suppress the scores")
    shown: dict[str, float | int | bool | None] = dict(summary)
    hidden = False
    for count, scores in checked.items():
        if (summary.get(count) or 0) >= k:  # a missing count vouches for nothing
            continue
        for score in (s for s in scores if s in summary):
            hidden = hidden or summary[score] is not None
            shown[score] = None
    shown["suppressed"] = hidden
    return shown

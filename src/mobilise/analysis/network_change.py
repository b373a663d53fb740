"""Change in a partnership network between two survey rounds, ties that are fading, and
introductions that would close a gap between sectors (:func:`suggest_introductions`, from
:mod:`mobilise.analysis.network_introductions`).

Each round is a directed graph: an edge ``respondent -> partner`` is the respondent's report
about that partner, with ``level`` (0 none, 1 cooperative, 2 coordinated, 3 integrated, or None
for a tie of unknown level), ``trust`` and ``value`` (1-4). A report is a *tie* when its level is
None or at least 1; a level-0 report and a missing report both mean "no tie".

Change is measured on *matched respondents*: partners whose node has ``responded`` True in both
rounds (in a round where no node has a ``responded`` attribute, the partners with at least one
report count as respondents). Only their reports about partners present in both rounds are
compared, so a partner who joined, left or did not answer cannot make a tie look new or lost.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from mobilise.analysis._checks import json_records, named, raise_if
from mobilise.analysis._network_checks import by_id
from mobilise.analysis.network_introductions import suggest_introductions
from mobilise.errors import Problem
from mobilise.model.partner_vocab import LEVELS

__all__ = [
    "LEVEL_LABELS",
    "RoundChange",
    "compare_rounds",
    "fading_ties",
    "level_label",
    "suggest_introductions",
]

LEVEL_LABELS: tuple[str, ...] = (*(code for _, code, _ in LEVELS), "unspecified")
"""Rows and columns of the transition table: no tie, each level, and a tie of unknown level."""

_LEVEL_NAMES = {value: code for value, code, _ in LEVELS}
_LEVELS_BOTH = ["level_before", "level_after"]
_SCORE_CHANGES = [
    f"{s}_{when}" for s in ("trust", "value") for when in ("before", "after", "change")
]
_TIE_COLUMNS = ["respondent", "partner", "status", "tie_before", "tie_after", *_LEVELS_BOTH]
_TIE_COLUMNS += _SCORE_CHANGES
_PAIR_COLUMNS = ["a", "b", *_SCORE_CHANGES]
_FADING_COLUMNS = ["respondent", "partner", *_LEVELS_BOTH, "trust_before", "trust_after"]
_FADING_COLUMNS += ["value_before", "value_after", "reasons", "severity"]
_EPSILON = 1e-9  # a fall of exactly the threshold counts despite float rounding (3.67 - 3.17)


def level_label(level: int | None, *, tie: bool = True) -> str:
    """The label of a report's collaboration level: ``"none"`` when there is no tie (or the
    level is 0), ``"unspecified"`` for a tie without a level, else the level's code."""
    if not tie or level == 0:
        return "none"
    if level is None:
        return "unspecified"
    return _LEVEL_NAMES[level]


# --------------------------------------------------------------------------------------------
# Checks


def _round(graph: object, name: str, problems: list[Problem]) -> nx.DiGraph:
    """One round's reports; an empty graph after a problem."""
    if not isinstance(graph, nx.DiGraph) or graph.is_multigraph():
        problems.append(
            Problem(
                f"{name} must be a NetworkX DiGraph (one edge per report), "
                f"not {type(graph).__name__}",
                field=name,
            )
        )
        return nx.DiGraph()
    # one pass over the reports (a 14,000-report network was read three times)
    bad_levels: list[tuple[Hashable, Hashable]] = []
    bad_scores: dict[str, list[tuple[Hashable, Hashable]]] = {"trust": [], "value": []}
    for u, v, data in graph.edges(data=True):
        level = data.get("level")
        if level is not None and (isinstance(level, bool) or level not in (0, 1, 2, 3)):
            bad_levels.append((u, v))
        for score, bad in bad_scores.items():
            x = data.get(score)
            if x is not None and (isinstance(x, bool) or not isinstance(x, int | float)):
                bad.append((u, v))
    if bad_levels:
        problems.append(
            Problem(
                f"{len(bad_levels)} report(s) in {name} have a level other than 0-3 or None: "
                f"{named([f'{u} -> {v}' for u, v in bad_levels])}",
                field="level",
            )
        )
    for score, bad in bad_scores.items():
        if bad:
            problems.append(
                Problem(
                    f"{len(bad)} report(s) in {name} have a {score} that is not a number: "
                    f"{named([f'{u} -> {v}' for u, v in bad])}",
                    field=score,
                )
            )
    return graph


def _threshold(value: object, name: str, problems: list[Problem]) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    if not ok or not math.isfinite(float(value)):  # type: ignore[arg-type]
        problems.append(Problem(f"{name} must be a number >= 0, not {value!r}", field=name))
        return 0.0
    return float(value)  # type: ignore[arg-type]


def _respondents(graph: nx.DiGraph) -> set[Hashable]:
    flags = dict(graph.nodes(data="responded"))
    if any(flag is not None for flag in flags.values()):
        return {node for node, flag in flags.items() if flag is not None and bool(flag)}
    return {node for node in graph.nodes if any(v != node for v in graph.successors(node))}


# --------------------------------------------------------------------------------------------
# Change between rounds


@dataclass(frozen=True)
class RoundChange:
    """How the reports of the matched respondents changed from one round to the next.

    ``ties`` has one row per compared report that is a tie in either round (``status`` kept,
    new or lost); ``jaccard`` is kept / (kept + new + lost) over those reports and
    ``jaccard_pairs`` the same over undirected pairs (tied when either matched side reports
    it); both are None when there is nothing to compare. ``transitions`` crosstabs the level
    before (rows) by the level after (columns) over the rows of ``ties``; ``pair_change`` gives
    each such pair's mean trust and value in each round.
    """

    joiners: list[Hashable]
    leavers: list[Hashable]
    matched: list[Hashable]
    respondents_before: int
    respondents_after: int
    ties: pd.DataFrame = field(repr=False)
    kept: int
    new: int
    lost: int
    jaccard: float | None
    jaccard_pairs: float | None
    transitions: pd.DataFrame = field(repr=False)
    pair_change: pd.DataFrame = field(repr=False)

    def summary(self) -> dict[str, Any]:
        """The plain numbers, JSON-safe (ids as text, the transitions as nested counts)."""
        return {
            "joiners": [str(node) for node in self.joiners],
            "leavers": [str(node) for node in self.leavers],
            "matched": [str(node) for node in self.matched],
            "respondents_before": self.respondents_before,
            "respondents_after": self.respondents_after,
            "kept": self.kept,
            "new": self.new,
            "lost": self.lost,
            "jaccard": self.jaccard,
            "jaccard_pairs": self.jaccard_pairs,
            "transitions": {
                str(row): {str(col): int(n) for col, n in counts.items()}
                for row, counts in self.transitions.iterrows()
            },
        }

    def ties_records(self) -> list[dict[str, Any]]:
        """The rows of ``ties`` as plain JSON."""
        return json_records(self.ties)


def _score(report: dict[str, Any] | None, name: str) -> float:
    value = None if report is None else report.get(name)
    return math.nan if value is None else float(value)


def _is_tie(report: dict[str, Any] | None) -> bool:
    return report is not None and report.get("level") != 0


def _jaccard(kept: int, new: int, lost: int) -> float | None:
    total = kept + new + lost
    return kept / total if total else None


def compare_rounds(before: nx.DiGraph, after: nx.DiGraph) -> RoundChange:
    """Ties kept, new and lost between two survey rounds, on matched respondents.

    Parameters
    ----------
    before
        The earlier round's reports (see the module docstring for the graph it expects).
    after
        The later round's reports.

    Returns
    -------
    RoundChange
        Joiners and leavers (partners in one round only), the matched respondents, each
        compared tie with its status and its level, trust and value in both rounds (None or NaN
        when missing), counts, Jaccard indices, the level transition table and the change per
        pair.
    """
    problems: list[Problem] = []
    first = _round(before, "before", problems)
    second = _round(after, "after", problems)
    raise_if(problems, "Cannot compare the rounds")

    matched = _respondents(first) & _respondents(second)
    ties = _ties_frame(_compared_reports(first, second, matched))
    counts = Counter(ties["status"])
    kept, new, lost = counts["kept"], counts["new"], counts["lost"]
    pair_change, either = _pair_change(ties)
    return RoundChange(
        joiners=by_id(set(second.nodes) - set(first.nodes)),
        leavers=by_id(set(first.nodes) - set(second.nodes)),
        matched=by_id(matched),
        respondents_before=len(_respondents(first)),
        respondents_after=len(_respondents(second)),
        ties=ties.reset_index(drop=True),
        kept=kept,
        new=new,
        lost=lost,
        jaccard=_jaccard(kept, new, lost),
        jaccard_pairs=_jaccard(
            int((either["tie_before"] & either["tie_after"]).sum()),
            int((either["tie_after"] & ~either["tie_before"]).sum()),
            int((either["tie_before"] & ~either["tie_after"]).sum()),
        ),
        transitions=_transitions(ties),
        pair_change=pair_change,
    )


def _compared_reports(
    first: nx.DiGraph, second: nx.DiGraph, matched: set[Hashable]
) -> list[dict[str, Any]]:
    """One row per report of a matched respondent about a partner present in both rounds that
    is a tie in either round: its status and its level, trust and value in both."""
    present = set(first.nodes) & set(second.nodes)
    rows: list[dict[str, Any]] = []
    for respondent in by_id(matched):
        reported = (
            set(first.successors(respondent)) | set(second.successors(respondent))
        ) & present
        for partner in by_id(reported - {respondent}):
            old = first.edges.get((respondent, partner))
            now = second.edges.get((respondent, partner))
            tie_before, tie_after = _is_tie(old), _is_tie(now)
            if not (tie_before or tie_after):
                continue
            status = "kept" if tie_before and tie_after else "new" if tie_after else "lost"
            row: dict[str, Any] = {
                "respondent": respondent,
                "partner": partner,
                "status": status,
                "tie_before": tie_before,
                "tie_after": tie_after,
                "level_before": old.get("level") if tie_before and old else None,
                "level_after": now.get("level") if tie_after and now else None,
            }
            for score in ("trust", "value"):
                row[f"{score}_before"] = _score(old if tie_before else None, score)
                row[f"{score}_after"] = _score(now if tie_after else None, score)
                row[f"{score}_change"] = row[f"{score}_after"] - row[f"{score}_before"]
            rows.append(row)
    return rows


def _ties_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    ties = pd.DataFrame(rows, columns=_TIE_COLUMNS)
    for column in ("level_before", "level_after"):
        ties[column] = pd.Series([row[column] for row in rows], index=ties.index, dtype=object)
    for column in ("tie_before", "tie_after"):
        ties[column] = ties[column].astype(bool)
    return ties


def _pair_change(ties: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each pair's mean trust and value in each round and their change; and whether the pair
    is tied (either matched side reports it) before and after."""
    pairs = ties.assign(
        a=[min(r, p, key=str) for r, p in zip(ties["respondent"], ties["partner"], strict=True)],
        b=[max(r, p, key=str) for r, p in zip(ties["respondent"], ties["partner"], strict=True)],
    )
    by_pair = pairs.groupby(["a", "b"], sort=True)
    either = by_pair[["tie_before", "tie_after"]].any()
    pair_change = by_pair[["trust_before", "trust_after", "value_before", "value_after"]].mean()
    pair_change = pair_change.reset_index()
    for score in ("trust", "value"):
        pair_change[f"{score}_change"] = (
            pair_change[f"{score}_after"] - pair_change[f"{score}_before"]
        )
    pair_change = pair_change.reindex(columns=_PAIR_COLUMNS).astype(
        {column: float for column in _PAIR_COLUMNS[2:]}
    )
    return pair_change, either


def _transitions(ties: pd.DataFrame) -> pd.DataFrame:
    """The level before (rows) by the level after (columns) over the compared reports."""
    moves = Counter(
        (level_label(old, tie=was), level_label(now, tie=is_))
        for old, was, now, is_ in zip(
            ties["level_before"],
            ties["tie_before"],
            ties["level_after"],
            ties["tie_after"],
            strict=True,
        )
    )
    transitions = pd.DataFrame(
        [[moves[(row, column)] for column in LEVEL_LABELS] for row in LEVEL_LABELS], dtype=int
    )
    transitions.index = pd.Index(LEVEL_LABELS, name="before")
    transitions.columns = pd.Index(LEVEL_LABELS, name="after")
    return transitions


# --------------------------------------------------------------------------------------------
# Fading ties


def _number(x: float) -> str:
    return f"{round(x, 1):g}"


def fading_ties(
    before: nx.DiGraph,
    after: nx.DiGraph,
    *,
    trust_drop: float = 0.5,
    value_drop: float = 0.5,
) -> pd.DataFrame:
    """Ties reported in both rounds that are weaker now.

    A matched respondent's tie to a partner fades when it is a tie in both rounds and its
    level fell, or its trust fell by at least ``trust_drop``, or its value by at least
    ``value_drop``. A tie that was lost altogether is not fading: :func:`compare_rounds` counts
    it as lost.

    Parameters
    ----------
    before
        The earlier round's reports.
    after
        The later round's reports.
    trust_drop
        The smallest fall in trust (points on the 1-4 scale) that marks a tie as fading.
    value_drop
        The smallest fall in value (points on the 1-4 scale) that marks a tie as fading.

    Returns
    -------
    pandas.DataFrame
        One row per fading tie: respondent, partner, the level, trust and value in both rounds,
        ``reasons`` (plain-English sentences about the measures that fell) and ``severity``: the
        number of levels lost plus the trust and value points lost (each counted only when it
        is one of the reasons; a level counts like a scale point). Sorted by severity, highest
        first, then by respondent and partner.
    """
    problems: list[Problem] = []
    trust_limit = _threshold(trust_drop, "trust_drop", problems)
    value_limit = _threshold(value_drop, "value_drop", problems)
    _round(before, "before", problems)
    _round(after, "after", problems)
    raise_if(problems, "Cannot find fading ties")

    kept = compare_rounds(before, after).ties.query("status == 'kept'")
    rows: list[dict[str, Any]] = []
    for tie in kept.to_dict("records"):
        reasons: list[str] = []
        severity = 0.0
        old, now = tie["level_before"], tie["level_after"]
        if old is not None and now is not None and now < old:
            reasons.append(f"level fell from {level_label(old)} to {level_label(now)}")
            severity += old - now
        for score, limit in (("trust", trust_limit), ("value", value_limit)):
            fall = tie[f"{score}_before"] - tie[f"{score}_after"]  # NaN when either is missing
            if fall > 0 and fall >= limit - _EPSILON:
                reasons.append(
                    f"{score} fell from {_number(tie[f'{score}_before'])} "
                    f"to {_number(tie[f'{score}_after'])}"
                )
                severity += fall
        if reasons:
            row = {column: tie.get(column) for column in _FADING_COLUMNS[:-2]}
            rows.append({**row, "reasons": reasons, "severity": float(severity)})
    fading = pd.DataFrame(rows, columns=_FADING_COLUMNS)
    fading["severity"] = fading["severity"].astype(float)
    fading = fading.sort_values(
        ["severity", "respondent", "partner"],
        ascending=[False, True, True],
        key=lambda column: column if column.name == "severity" else column.map(str),
        kind="stable",
    )
    return fading.reset_index(drop=True)

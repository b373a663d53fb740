"""Trust and value scores per partner, per sector and for the whole network, and the profile of
collaboration levels.

A partnership network here is a directed graph of reports: the edge ``respondent -> partner``
carries the respondent's answers about that partner: ``level`` (0 none, 1 cooperative,
2 coordinated, 3 integrated, or ``None`` for a tie without a level), the six items of
:data:`~mobilise.model.partner_vocab.SCORE_ITEMS` (1-4) and ``value`` and ``trust`` (the mean
of each score's answered items). Missing answers are ``None`` or absent.

Conventions:

- A report with level 0 ("we do not work together") rates nobody: any scores on it are ignored.
- Self-reports (a respondent rating itself) are left out.
- Every report counts once in a mean; ``raters_*`` count the distinct respondents who gave that
  score, which is what disclosure control (:mod:`mobilise.analysis.disclosure`) checks.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._network_checks import groups_of, tie_reports
from mobilise.errors import Problem
from mobilise.model.partner_vocab import LEVEL_CODES, SCORE_ITEMS

__all__ = [
    "LEVEL_ROWS",
    "SCORES",
    "level_profile",
    "network_scores",
    "partner_scores",
    "sector_scores",
]

SCORES: tuple[str, ...] = ("value", "trust", *SCORE_ITEMS)
"""Score columns: the two scores, then their six items."""

LEVEL_ROWS: tuple[str, ...] = (*LEVEL_CODES, "unspecified")
"""Rows of :func:`level_profile`: the four levels, then ties reported without a level."""


def _reports(graph: object, what: str, problems: list[Problem] | None = None) -> pd.DataFrame:
    """One row per tie report (level-0 reports and self-reports left out), scores as floats."""
    problems = [] if problems is None else problems
    reports = tie_reports(graph, problems, directed=True)
    rows = [
        {"respondent": u, "partner": v, **{s: data.get(s) for s in SCORES}}
        for u, v, data in reports.edges(data=True)
        if u != v
    ]
    frame = pd.DataFrame(rows, columns=["respondent", "partner", *SCORES])
    for score in SCORES:
        raw = frame[score]
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & (numbers.isna() | raw.map(lambda x: isinstance(x, bool)))
        if bad.any():
            pairs = [f"{u}->{v}" for u, v in frame.loc[bad, ["respondent", "partner"]].to_numpy()]
            problems.append(
                Problem(
                    f"{int(bad.sum())} report(s) have a {score!r} that is not a number: "
                    f"{named(pairs)}",
                    field=score,
                )
            )
        frame[score] = numbers.astype(float)
    raise_if(problems, what)
    return frame


def _summary(reports: pd.DataFrame) -> dict[str, Any]:
    """Mean of each score, distinct raters of each score, tie reports and rated reports."""
    means = {score: reports[score].mean() for score in SCORES}
    return {
        **{score: None if pd.isna(mean) else float(mean) for score, mean in means.items()},
        "raters_value": int(reports.loc[reports["value"].notna(), "respondent"].nunique()),
        "raters_trust": int(reports.loc[reports["trust"].notna(), "respondent"].nunique()),
        # each item has its own raters: one may answer some items and leave others blank
        **{
            f"raters_{item}": int(reports.loc[reports[item].notna(), "respondent"].nunique())
            for item in SCORES[2:]
        },
        "ties_in": len(reports),
        "ratings": int(reports[list(SCORES)].notna().any(axis=1).sum()),
    }


def _table(reports: pd.DataFrame, by: str, index: pd.Index) -> pd.DataFrame:
    """:func:`_summary` of each group of reports, vectorised (one groupby per column, not a
    Python loop over 1,000 partners), in the order of ``index``."""
    empty = _summary(reports.iloc[0:0])
    groups = reports.groupby(by, sort=False)
    columns: dict[str, pd.Series] = {score: groups[score].mean() for score in SCORES}
    for score in SCORES:
        rated = reports.loc[reports[score].notna()]
        columns[f"raters_{score}"] = rated.groupby(by, sort=False)["respondent"].nunique()
    columns["ties_in"] = groups.size()
    columns["ratings"] = reports[list(SCORES)].notna().any(axis=1).groupby(reports[by]).sum()
    table = pd.DataFrame(columns).reindex(index)[list(empty)]
    counts = [column for column in empty if column not in SCORES]
    table[counts] = table[counts].fillna(0)
    table.index.name = index.name
    return table.astype({**dict.fromkeys(SCORES, float), **dict.fromkeys(counts, int)})


def partner_scores(graph: nx.DiGraph) -> pd.DataFrame:
    """Value and trust of each partner, as rated by the respondents who report a tie to it.

    Parameters
    ----------
    graph
        Directed network of reports (``respondent -> partner``).

    Returns
    -------
    pandas.DataFrame
        One row per organisation (index ``partner``, graph order): the mean ``value``,
        ``trust`` and six items over the reports it received, ``raters_value`` and
        ``raters_trust`` (respondents who gave that score) and ``ties_in`` (respondents
        reporting a tie to it). Scores are NaN and counts 0 for a partner nobody rated.
    """
    reports = _reports(graph, "Cannot compute the partner scores")
    index = pd.Index(list(graph.nodes), name="partner", dtype=object)
    return _table(reports, "partner", index).drop(columns="ratings")


def sector_scores(graph: nx.DiGraph, *, attribute: str = "sector") -> pd.DataFrame:
    """Value and trust of the partners in each sector, over every report about them.

    Parameters
    ----------
    graph
        Directed network of reports (``respondent -> partner``).
    attribute
        Node attribute naming each partner's sector (any grouping can be named).

    Returns
    -------
    pandas.DataFrame
        One row per sector (index named ``attribute``, sorted, every sector in the network):
        the mean scores over all reports about the sector's partners (each report once),
        ``raters_value`` and ``raters_trust`` (distinct respondents across the sector's
        partners), ``ties_in`` (tie reports about them) and ``ratings`` (those reports that
        gave at least one score).
    """
    problems: list[Problem] = []
    reports = _reports(graph, "Cannot compute the sector scores", problems)
    groups = groups_of(graph, attribute, problems)
    raise_if(problems, "Cannot compute the sector scores")
    reports[attribute] = reports["partner"].map(groups)
    labels = sorted(set(groups.values()), key=str)
    return _table(reports, attribute, pd.Index(labels, name=attribute, dtype=object))


def network_scores(graph: nx.DiGraph) -> dict[str, float | int | None]:
    """Value and trust over every report in the network.

    Returns
    -------
    dict
        The mean of each of :data:`SCORES` (``None`` when nobody gave it), ``raters_value``
        and ``raters_trust`` (distinct respondents who gave that score) and ``ratings`` (tie
        reports that gave at least one score).
    """
    summary = _summary(_reports(graph, "Cannot compute the network scores"))
    del summary["ties_in"]
    return summary


# --------------------------------------------------------------------------------------------
# Collaboration levels


def _level_row(levels: list[Any]) -> str:
    """The row of one report (a list of one level) or of one pair (its reports' levels).

    A pair takes its highest level; a level-0 report loses to any tie, and a tie without a
    level (``None``) counts as unspecified only when no report gave a level of 1 or more.
    """
    numbers = [level for level in levels if level is not None]
    top = max(numbers, default=0)
    if top >= 1:
        return LEVEL_CODES[int(top)]
    return "unspecified" if len(numbers) < len(levels) else LEVEL_CODES[0]


def _counted(rows: list[str]) -> pd.DataFrame:
    counts = pd.Series(rows, dtype=object).value_counts().reindex(LEVEL_ROWS, fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "count": counts.astype(int).to_numpy(),
            "share": counts.to_numpy() / total if total else np.full(len(LEVEL_ROWS), np.nan),
        },
        index=pd.Index(LEVEL_ROWS, name="level"),
    )


def level_profile(graph: nx.Graph, *, pairs: bool = False, by: str | None = None) -> pd.DataFrame:
    """How many reports (or pairs) sit at each collaboration level.

    Parameters
    ----------
    graph
        Partnership network; level-0 reports ("we do not work together") are counted here as
        ``none``. An undirected graph is read as one report per edge.
    pairs
        If true, count each pair of organisations once, at the highest level either side gave
        (a tie without a level is ``unspecified`` unless the other side gave a level >= 1).
    by
        Node attribute (e.g. ``"sector"``) to split the reports by the respondent's group.
        Needs a directed graph and ``pairs=False`` (a pair has two respondents).

    Returns
    -------
    pandas.DataFrame
        Without ``by``: rows :data:`LEVEL_ROWS` (index ``level``), columns ``count`` and
        ``share`` (of all counted reports or pairs; NaN when there are none). With ``by``: long
        format, columns ``by``'s name, ``level``, ``count`` and ``share`` (of that group's
        reports), every group in the network (sorted) with all five levels.
    """
    problems: list[Problem] = []
    tie_reports(graph, problems)
    if isinstance(graph, nx.Graph):
        bad = [
            f"{u}->{v}"
            for u, v, level in graph.edges(data="level")
            if level is not None
            and (
                isinstance(level, bool)
                or not isinstance(level, int | np.integer)
                or not 0 <= level <= 3
            )
        ]
        if bad:
            problems.append(
                Problem(
                    f"{len(bad)} report(s) have a level that is not 0-3 or None: {named(bad)}",
                    field="level",
                )
            )
    if not isinstance(pairs, bool):
        problems.append(Problem(f"pairs must be true or false, not {pairs!r}", field="pairs"))
    if by is not None:
        if not isinstance(by, str):
            problems.append(Problem(f"by must be a node attribute name, not {by!r}", field="by"))
        elif isinstance(graph, nx.Graph):
            groups_of(graph, by, problems)
        if isinstance(graph, nx.Graph) and not graph.is_directed():
            problems.append(Problem("by needs a directed graph of reports", field="by"))
        if pairs is True:
            problems.append(Problem("by cannot be combined with pairs=True", field="by"))
    raise_if(problems, "Cannot compute the collaboration-level profile")
    # level-0 reports count here, so read the edges of graph itself, not the checked copy
    edges = [(u, v, level) for u, v, level in graph.edges(data="level") if u != v]
    if pairs:
        levels: dict[frozenset[Any], list[Any]] = {}
        for u, v, level in edges:
            levels.setdefault(frozenset((u, v)), []).append(level)
        return _counted([_level_row(found) for found in levels.values()])
    if by is None:
        return _counted([_level_row([level]) for _, _, level in edges])
    groups = dict(graph.nodes(data=by))
    blocks = []
    for label in sorted(set(groups.values()), key=str):
        block = _counted([_level_row([level]) for u, _, level in edges if groups[u] == label])
        blocks.append(block.reset_index().assign(**{by: label}))
    if not blocks:
        return pd.DataFrame(columns=[by, "level", "count", "share"])
    return pd.concat(blocks, ignore_index=True)[[by, "level", "count", "share"]]

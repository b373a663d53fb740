"""A plain-language sentence for each section of a programme synthesis (private to
:mod:`mobilise.analysis.programme`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mobilise.analysis.programme import ProgrammeSynthesis

__all__ = ["section_words"]


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _projects(s: ProgrammeSynthesis) -> str:
    total = len(s.projects)
    if not total:
        return "No project has shared a package with this programme yet."
    bare = int(s.projects["metadata_only"].astype(bool).sum())
    places = sum(len(p) for p in s.projects["places"])
    words = f"{_n(total, 'project')} in {_n(places, 'place')}"
    if bare:
        words += f"; {_n(bare, 'project')} shared only what they are (no figures published)"
    return words + "."


def _methods(s: ProgrammeSynthesis) -> str:
    used = s.methods[s.methods["used"].astype(bool)]
    if used.empty:
        return "No project has said which methods it used yet."
    counts = used.groupby("method_label")["project"].nunique().sort_values(ascending=False)
    top = ", ".join(f"{label} ({_n(int(n), 'project')})" for label, n in counts.head(3).items())
    return f"{_n(len(counts), 'method')} used across the programme; most used: {top}."


def _partnership(s: ProgrammeSynthesis) -> str:
    rounds = s.partnership
    if rounds.empty:
        return "No project has shared partnership survey rounds yet."
    retention = pd.to_numeric(rounds["retention"], errors="coerce").dropna()
    words = (
        f"{_n(rounds['project'].nunique(), 'project')} shared "
        f"{_n(len(rounds), 'survey round')} of their partnership"
    )
    if len(retention):
        words += (
            f"; between rounds they kept {retention.median():.0%} of their ties (median), "
            f"from {retention.min():.0%} to {retention.max():.0%}"
        )
    return words + "."


def _reach(s: ProgrammeSynthesis) -> str:
    if s.reach.empty:
        return "No project has shared who it reached yet."
    totals = s.reach[s.reach["group"] == "total"]
    hidden = int(s.reach["suppressed"].astype(bool).sum())
    biggest = pd.to_numeric(totals["count"], errors="coerce").max()
    words = f"Who the projects reached, pooled over {_n(totals['dimension'].nunique(), 'measure')}"
    if pd.notna(biggest):
        words += f" (up to {int(biggest):,} people)"
    if hidden:
        words += (
            f"; {_n(hidden, 'figure')} read 'fewer than {s.k}' or hidden so that no one can be "
            "picked out"
        )
    return words + "."


def _themes(s: ProgrammeSynthesis) -> str:
    if s.themes.empty:
        return "No project has shared its themes yet."
    shared = int(s.themes["shared"].astype(bool).sum())
    enablers = int((s.themes["kind"] == "enabler").sum())
    barriers = int((s.themes["kind"] == "barrier").sum())
    return (
        f"{_n(len(s.themes), 'theme')} across the projects, {shared:,} shared by two or more; "
        f"{_n(enablers, 'enabler')} and {_n(barriers, 'barrier')}."
    )


def _outcomes(s: ProgrammeSynthesis) -> str:
    if s.outcomes.empty:
        return "No project has shared its actions yet."
    actions = int(s.outcomes["actions"].sum())
    closed = int(s.outcomes["closed_with_feedback"].sum())
    return (
        f"{_n(actions, 'action')} across {_n(len(s.outcomes), 'project')}; {closed:,} closed "
        'with a "you said, we did" reply to the community.'
    )


def _access(s: ProgrammeSynthesis) -> str:
    if s.access.empty:
        return "No project has shared access headlines yet."
    return (
        f"{_n(len(s.access), 'access headline')} from "
        f"{_n(s.access['project'].nunique(), 'project')}: how reaching assets follows deprivation."
    )


def _counted(frame: pd.DataFrame, what: str) -> str:
    if frame.empty:
        return f"No project has shared its {what} yet."
    total = int(pd.to_numeric(frame["count"], errors="coerce").fillna(0).sum())
    return f"{total:,} {what} counted by {_n(frame['project'].nunique(), 'project')}."


def section_words(s: ProgrammeSynthesis) -> dict[str, str]:
    """``{section: sentence}`` for every section of ``s``."""
    sectors = s.sectors
    return {
        "projects": _projects(s),
        "methods": _methods(s),
        "sectors": (
            f"Partners from {_n(sectors['sector'].nunique(), 'sector')} across "
            f"{_n(sectors['project'].nunique(), 'project')}."
            if not sectors.empty
            else "No project has shared its partners by sector yet."
        ),
        "partnership": _partnership(s),
        "reach": _reach(s),
        "themes": _themes(s),
        "outcomes": _outcomes(s),
        "access": _access(s),
        "assets": _counted(s.assets, "community assets"),
        "events": _counted(s.events, "events"),
    }

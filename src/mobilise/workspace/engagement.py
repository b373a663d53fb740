"""Who was reached: the people who took part in a place's events, set against its residents.

:meth:`EngagementService.reach` gathers the participants who signed in at the place's events
(cancelled events left out), keeps only those whose ``take_part`` consent stands
(:meth:`~mobilise.workspace.consent.ConsentService.permitted`: a withdrawal leaves them out of
the figures from then on; with the project's ``keep_analysed`` retention rule an analysis dated
``analysis_on`` keeps those who withdrew after that date), and compares them with the
population (:mod:`mobilise.workspace._reach_inputs` says which) through
:mod:`mobilise.analysis.engagement`: for each group the count, share, population share,
representation ratio with its Wilson interval and flag, the dissimilarity index, retention (who
came back for a second event), how the make-up changed quarter by quarter and per kind of event,
and the partners who brought people (counts only).

Every figure shown to someone who is not an admin goes through disclosure control
(:func:`~mobilise.analysis.engagement.disclose`, with the project's ``disclosure_k``): counts of
1 to k-1 read "fewer than k" and what derives from them is blank. The operator (the command line
and Python, ``viewer=None``) and admins see the figures whole. Nobody is ever listed: the
figures are counts of people, never rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem, ValidationError
from mobilise.model.engagement_vocab import EVENT_KINDS
from mobilise.model.reach_words import DIMENSIONS, group_label, ratio_sentence
from mobilise.model.visibility import Viewer

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.workspace.core import Workspace

__all__ = ["POPULATION_OF", "EngagementService", "Reach", "ReachDimension"]

POPULATION_OF: dict[str, str] = {
    "place": "every resident of the place",
    "participants_areas": "the residents of the areas the participants came from",
}
_FIGURES = (
    "share",
    "share_low",
    "share_high",
    "population",
    "population_share",
    "ratio",
    "ratio_low",
    "ratio_high",
)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _count(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


@dataclass(frozen=True)
class ReachDimension:
    """One dimension's comparison: a row per group (dicts of plain values), its dissimilarity
    index, and the plain-language sentences of the groups whose difference is beyond chance."""

    dimension: str
    label: str
    available: bool
    note: str = ""
    groups: list[dict[str, Any]] = field(default_factory=list)
    answered: int | None = None
    dissimilarity: float | None = None
    population_total: float | None = None
    population_source: str = ""
    areas: int = 0
    sentences: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Reach:
    """Who a place's events reached. Counts are ``None`` where disclosure control hid them;
    each has a ``*_shown`` text ("12", "fewer than 3")."""

    place: str
    place_name: str
    since: date | None
    until: date | None
    event_kind: str | None
    population_of: str
    k: int | None  # None: not disclosure-controlled (admins, the operator)
    participants: int | None
    participants_shown: str
    left_out: int | None  # attended but without take-part consent now
    left_out_shown: str
    events: int
    dimensions: list[ReachDimension]
    retention: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    over_time: list[dict[str, Any]]
    per_kind: list[dict[str, Any]]
    census_source: dict[str, Any]
    note: str

    def dimension(self, name: str) -> ReachDimension:
        return next(d for d in self.dimensions if d.dimension == name)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        out["dimensions"] = [d.to_dict() for d in self.dimensions]
        return out


def _shown(value: int | None, k: int | None) -> str:
    if value is None:
        return f"fewer than {k}"
    if k is not None and 1 <= value < k:
        return f"fewer than {k}"
    return f"{value:,}"


def _hidden(value: int, k: int | None) -> int | None:
    return None if k is not None and 1 <= value < k else value


def _checked(
    by: Sequence[str],
    since: date | None,
    until: date | None,
    event_kind: str | None,
    population_of: str,
) -> list[str]:
    wanted = [by] if isinstance(by, str) else list(dict.fromkeys(by))
    problems = [
        Problem(f"no dimension {d!r}; the dimensions: {', '.join(DIMENSIONS)}", field="by")
        for d in wanted
        if d not in DIMENSIONS
    ]
    if not wanted:
        problems.append(Problem("name at least one dimension", field="by"))
    if event_kind is not None and event_kind not in EVENT_KINDS:
        problems.append(
            Problem(f"one of {', '.join(EVENT_KINDS)}, not {event_kind!r}", field="event_kind")
        )
    if since is not None and until is not None and since > until:
        problems.append(Problem("since is after until", field="since"))
    if population_of not in POPULATION_OF:
        problems.append(
            Problem(
                f"one of {', '.join(POPULATION_OF)}, not {population_of!r}", field="population_of"
            )
        )
    if problems:
        raise ValidationError("Cannot work out who was reached.", problems=problems)
    return wanted


class EngagementService:
    """Who a place's engagement events reached, against its residents."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def disclosure_k(self, viewer: Viewer | None) -> int | None:
        """The smallest count ``viewer`` may see (None: every count, for admins and the
        operator)."""
        if viewer is None or viewer.role == "admin":
            return None
        return int(self._ws.project_settings.get("disclosure_k"))

    def reach(
        self,
        place: str,
        *,
        by: Sequence[str] | str = tuple(DIMENSIONS),
        since: date | None = None,
        until: date | None = None,
        event_kind: str | None = None,
        viewer: Viewer | None = None,
        population_of: str = "place",
        analysis_on: date | None = None,
    ) -> Reach:
        """Who the place's events reached, for each of ``by`` (:data:`~mobilise.model.
        reach_words.DIMENSIONS`), against the population of ``population_of``
        (:data:`POPULATION_OF`).

        ``since``/``until`` keep events starting on those days or between; ``event_kind`` one
        kind of event. ``viewer``: who will see the figures (disclosure control unless an
        admin; ``None``, the operator, sees them whole). ``analysis_on``: the date an analysis's
        data were taken, for the project's ``keep_analysed`` retention rule (pages and exports
        never pass it). Over time and per kind of event are given for the first of ``by``.

        Raises
        ------
        NotFound
            No such place.
        ValidationError
            An unknown dimension or kind of event, ``since`` after ``until``.
        """
        from mobilise.workspace import _reach_compute as compute

        wanted = _checked(by, since, until, event_kind, population_of)
        found = self._ws.places.get(place)
        k = self.disclosure_k(viewer)
        gathered = compute.gather(
            self._ws,
            found,
            since=since,
            until=until,
            event_kind=event_kind,
            analysis_on=analysis_on,
        )
        dimensions = [self._dimension(compute, gathered, name, population_of, k) for name in wanted]
        first = wanted[0]
        people = len(gathered.people)
        left = gathered.left_out
        return Reach(
            place=found.slug,
            place_name=found.name,
            since=since,
            until=until,
            event_kind=event_kind,
            population_of=population_of,
            k=k,
            participants=_hidden(people, k),
            participants_shown=_shown(people, k),
            left_out=_hidden(left, k),
            left_out_shown=_shown(left, k),
            events=gathered.events,
            dimensions=dimensions,
            retention=compute.retention_rows(gathered, k),
            partners=compute.partner_rows(gathered, k),
            over_time=compute.split_rows(gathered, first, "over_time", population_of, k),
            per_kind=compute.split_rows(gathered, first, "per_kind", population_of, k),
            census_source=compute.census_dataset(),
            note=compute.NOTE,
        )

    def population(self, place: str, dimension: str) -> pd.DataFrame:
        """The residents a place's participants are compared with on ``dimension``:
        ``area_code`` (LSOA 2021 for the Census dimensions, LSOA 2011 for deprivation),
        ``group``, ``count``."""
        from mobilise.workspace import _reach_compute as compute

        _checked([dimension], None, None, None, "place")
        found = self._ws.places.get(place)
        gathered = compute.gather(self._ws, found, people=False)
        return compute.population_of_place(gathered, dimension)[0]

    def _dimension(
        self, compute: Any, gathered: Any, name: str, population_of: str, k: int | None
    ) -> ReachDimension:
        table, source, reason = compute.compare(gathered, name, population_of)
        label = DIMENSIONS[name]
        if table is None:
            return ReachDimension(name, label, available=False, note=reason)
        if k is not None:
            from mobilise.analysis.engagement import disclose

            table = disclose(table, k=k)
        groups, sentences = [], []
        for row in table.to_dict("records"):
            ratio = _number(row.get("ratio"))
            sentence = ratio_sentence(
                name,
                row["group"],
                ratio,
                str(row.get("flag") or ""),
                _number(row.get("population_share")),
            )
            groups.append(
                {
                    "group": row["group"] if isinstance(row["group"], str) else str(row["group"]),
                    "label": group_label(name, row["group"]),
                    "kind": row["kind"],
                    "count": _count(row["count"]),
                    "count_shown": row.get("count_shown") or _shown(_count(row["count"]), k),
                    **{key: _number(row.get(key)) for key in _FIGURES},
                    "flag": str(row.get("flag") or ""),
                    "sentence": sentence,
                }
            )
            if row.get("flag") or (name == "core20" and row["group"] == "core20" and sentence):
                sentences.append(sentence)
        attrs = table.attrs
        return ReachDimension(
            name,
            label,
            available=True,
            note=reason,
            groups=groups,
            answered=_count(attrs.get("answered")),
            dissimilarity=_number(attrs.get("dissimilarity")),
            population_total=_number(attrs.get("population_total")),
            population_source=source,
            areas=int(attrs.get("areas") or 0),
            sentences=sentences,
        )

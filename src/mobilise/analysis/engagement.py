"""Who was reached: engagement participants compared with the population they came from.

A consortium wants to know whether its events reached the communities with the poorest health
or only the usual voices. For one dimension at a time (IMD decile, Core20, age band, sex, ethnic
group, disability) :func:`representation` sets the participants' answers beside the residents
of the same areas (Census 2021 counts, or the IoD population for IMD deciles) and says, group
by group, whether the group took part more or less than its share of residents.
:func:`dissimilarity_index` sums the whole comparison up in one number, :func:`retention` says
who came back for a second event, :func:`over_time` and :func:`per_kind` repeat the comparison
per period and per kind of event, and :func:`disclose` prepares any of these tables for a
viewer who may not see small numbers.

Conventions
-----------
- ``participants`` has one row per participant (per participant and event kind for
  :func:`per_kind`); the column named by ``by`` holds their answer, a group code of the
  population (``"white"``, ``"16_24"``, decile ``1`` ...).
- **"Prefer not to say" and unknown answers** (:data:`PREFER_NOT_TO_SAY`; an empty answer, the
  question not asked or not answered) are counted in rows of their own (``kind`` =
  ``"prefer_not_to_say"`` and ``"unknown"``) and **left out of the shares**: the shares are of
  the participants who gave an answer, because the residents' counts have no such rows.
  ``attrs["note"]`` says so beside the table.
- ``population`` is tidy: one row per area and group with a count of residents, for one
  dimension (as :func:`mobilise.formats.census2021.read_census2021` gives, filtered to it).
- The population of a group is summed over the place's areas (``population_of="place"``, the
  default: every row of ``population``) or over the areas the participants came from
  (``"participants_areas"``: the areas in the participants' ``area`` column). When the
  participants' areas are of another vintage than the population's (LSOA 2011 against the
  Census's LSOA 2021), ``successors`` maps each participant area to the population areas that
  cover it: an area **split** in two takes both successors (their counts add up to the old
  area exactly); areas **merged** into one take the merged area, whose published counts include
  the merged neighbours. No count is ever apportioned: the published figures are summed as they
  are, so the population of "the participants' areas" can be a little wider than the areas
  themselves, never an estimate.
- Every function checks its input and raises one :class:`~mobilise.errors.ValidationError`
  listing every problem.

Formulas
--------
For group *g* with ``c_g`` participants among the ``n`` who answered, and ``P_g`` residents
among the ``P`` of the areas:

- share ``s_g = c_g / n``; population share ``p_g = P_g / P``;
- representation ratio ``r_g = s_g / p_g`` (1: as many as its share of residents; 3: three
  times as likely to take part as its share of residents);
- the interval of ``r_g`` is the Wilson score interval of ``s_g`` at ``level`` (95%), from
  ``statsmodels.stats.proportion.proportion_confint(c_g, n, method="wilson")``, divided by
  ``p_g``. The residents' counts are a census of the population, not a sample, so they carry no
  interval of their own;
- ``flag`` is ``"under"`` when the whole interval lies below ``under`` (0.8) and ``"over"``
  when it lies above ``over`` (1.25): the four-fifths rule of adverse-impact monitoring and its
  reciprocal, so a flag needs both a large gap and enough participants to be sure of it;
- dissimilarity index ``D = 1/2 sum_g |c_g / n - P_g / P|`` (Duncan and Duncan 1955): the
  share of participants who would have to come from other groups for the participants to
  mirror the residents (0 mirrors them, 1 is wholly apart);
- retention: the share of participants who attended two or more distinct events, overall and
  by the kind of their first event (the earliest by start, ties by event id), with its Wilson
  interval.

Disclosure control (:func:`disclose`)
-------------------------------------
Counts of 1 to ``k - 1`` are shown as "fewer than k" and everything derived from them (shares,
ratios, intervals, flags) is blanked: the primary suppression of NHS small-number practice
(NHS Digital's Hospital Episode Statistics replaced counts of 1 to 5 with ``*``; k is the
project's ``disclosure_k``). **Zero is shown**: a zero describes nobody, and those rules replace
1 to k-1, not 0; a zero is hidden only when it is chosen for secondary suppression. Secondary
suppression is the rule the same practice adds: a hidden cell must not be recoverable by
subtraction from a total that is shown. So in every set of rows that adds up to a shown
total (the groups add up to the participants who answered, which the shares reveal; those,
"prefer not to say" and unknown add up to all participants; the kinds of first event add up to
the whole), when exactly one cell is hidden the next smallest cell of the set is hidden too.
When a row's first count (``counts[0]``) is hidden, its other counts are hidden with it.
Against the residents of the participants' own areas, a table (or period, or kind) of fewer
than k participants also hides the residents' figures: the published counts of a few people's
home areas would point to the areas themselves.
Tables that overlap (per event kind, where one person counts in every kind they attended) or
cumulate are not protected against differencing between tables; :func:`over_time` therefore
counts each participant once, in the period of their first event.

Differences from peers
----------------------
Decidim and Commonplace show participants' demographics on their own, not against residents.
A plain ``groupby`` (the peer in ``benchmarks/engagement.py``) gives the shares and the ratio;
this adds the Wilson interval of each ratio, the flags, the separate "prefer not to say" and
unknown rows, the population of the participants' areas across boundary vintages, and
disclosure control. The interval of a share is the Wilson score interval, the method of Public
Health England's tools for proportions (PHEindicatormethods ``phe_proportion``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._reach_disclosure import DERIVED_COLUMNS, disclose, hide_small
from mobilise.errors import Problem
from mobilise.model.engagement_vocab import PREFER_NOT_TO_SAY

__all__ = [
    "CORE20",
    "DERIVED_COLUMNS",
    "NOTE",
    "PREFER_NOT_TO_SAY",
    "UNKNOWN",
    "core20_groups",
    "disclose",
    "dissimilarity_index",
    "hide_small",
    "over_time",
    "per_kind",
    "representation",
    "retention",
]

UNKNOWN = "unknown"
"""The group of participants whose answer is empty (not asked, or not answered)."""
CORE20 = "core20"
"""Core20: the most deprived 20% of areas nationally (IMD deciles 1 and 2)."""
NOT_CORE20 = "not_core20"
NOTE = (
    "Shares are of the participants who answered: 'prefer not to say' and unknown answers are "
    "counted in their own rows and left out of the shares."
)
PopulationOf = Literal["place", "participants_areas"]
_FREQUENCIES = {"month": "M", "quarter": "Q", "year": "Y"}


def core20_groups(deciles: pd.Series) -> pd.Series:
    """IMD deciles as Core20 groups: ``"core20"`` for deciles 1 and 2, ``"not_core20"`` for 3
    to 10; other values (missing, "prefer not to say") pass through."""
    numbers = pd.to_numeric(deciles, errors="coerce")
    core = numbers.isin([1, 2])
    rest = numbers.between(3, 10)
    return deciles.astype(object).where(~core, CORE20).where(~rest, NOT_CORE20)


def _check_frame(frame: object, name: str, columns: Iterable[str], problems: list[Problem]) -> bool:
    if not isinstance(frame, pd.DataFrame):
        problems.append(
            Problem(f"{name} must be a pandas DataFrame, not {type(frame).__name__}", field=name)
        )
        return False
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(
            Problem(
                f"{name} has no column {', '.join(map(repr, missing))}; columns: "
                f"{named(list(map(str, frame.columns)))}",
                field=name,
            )
        )
        return False
    return True


def _counts(values: pd.Series, name: str, field: str, problems: list[Problem]) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    bad = ~np.isfinite(numbers) | (numbers < 0)
    if bool(bad.any()):
        problems.append(
            Problem(
                f"{name} counts must be finite numbers >= 0; rows {named(values.index[bad])} "
                "are not",
                field=field,
            )
        )
    return numbers.where(~bad, 0.0)


def _answers(values: pd.Series) -> tuple[pd.Series, int, int]:
    """How many gave each answer, said "prefer not to say", and gave none (counted over the
    distinct answers, so the work per participant stays in pandas)."""
    tally = values.value_counts(dropna=False)
    blank = np.array(
        [v is None or v != v or (isinstance(v, str) and not v.strip()) for v in tally.index],
        dtype=bool,
    )
    declined = np.array([v == PREFER_NOT_TO_SAY for v in tally.index], dtype=bool) & ~blank
    given = tally[~blank & ~declined]
    return given, int(tally[declined].sum()), int(tally[blank].sum())


def _population_areas(
    participants: pd.DataFrame,
    area: str,
    successors: Mapping[str, Sequence[str]] | None,
) -> set[Any]:
    codes = participants[area].dropna().unique()
    if successors is None:
        return set(codes)
    found: set[Any] = set()
    for code in codes:
        found.update(successors.get(code, (code,)))
    return found


def _wilson(counts: np.ndarray, n: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    if n <= 0:
        blank = np.full(len(counts), np.nan)
        return blank, blank
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(counts, n, alpha=1 - level, method="wilson")
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def _check_options(
    level: object, under: object, over: object, population_of: object, problems: list[Problem]
) -> None:
    if not isinstance(level, float | int) or not 0 < float(level) < 1:
        problems.append(Problem(f"level must be between 0 and 1, not {level!r}", field="level"))
    if not (isinstance(under, float | int) and isinstance(over, float | int) and 0 < under <= 1):
        problems.append(
            Problem(
                f"under must be in (0, 1] and over a number, not {under!r}, {over!r}", field="under"
            )
        )
    elif over < 1:
        problems.append(Problem(f"over must be >= 1, not {over!r}", field="over"))
    if population_of not in ("place", "participants_areas"):
        problems.append(
            Problem(
                f"population_of must be 'place' or 'participants_areas', not {population_of!r}",
                field="population_of",
            )
        )


def representation(
    participants: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: str,
    area: str = "area_code",
    group: str = "group",
    count: str = "count",
    population_of: PopulationOf = "place",
    successors: Mapping[str, Sequence[str]] | None = None,
    groups: Sequence[Hashable] | None = None,
    level: float = 0.95,
    under: float = 0.8,
    over: float = 1.25,
) -> pd.DataFrame:
    """Participants beside residents, group by group, for one dimension.

    Parameters
    ----------
    participants
        One row per participant: their answer in column ``by`` and, for
        ``population_of="participants_areas"``, the code of the area they came from in
        ``area``.
    population
        Residents of one dimension: ``area``, ``group`` and ``count`` columns, one row per area
        and group (the place's areas).
    by
        The participants' column with the answer (``"ethnic_group"``, ``"imd_decile"`` ...).
    area, group, count
        Column names: the area code (in both frames), the population's group and count.
    population_of
        ``"place"``: sum the residents of every area of ``population``;
        ``"participants_areas"``: only of the areas the participants came from.
    successors
        For ``"participants_areas"`` across boundary vintages: each participant area's codes in
        the population's vintage (an area absent from it keeps its own code).
    groups
        The groups in the order to show them; default: their order in ``population``.
    level
        Confidence level of the Wilson intervals.
    under, over
        A group is flagged ``"under"`` when its ratio's whole interval lies below ``under``,
        ``"over"`` when above ``over``.

    Returns
    -------
    pandas.DataFrame
        One row per group, then ``prefer_not_to_say`` and ``unknown``: ``group``, ``kind``
        (``"group"``, ``"prefer_not_to_say"``, ``"unknown"``), ``count``, ``share``,
        ``share_low``, ``share_high``, ``population``, ``population_share``, ``ratio``,
        ``ratio_low``, ``ratio_high``, ``flag`` (``"under"``, ``"over"`` or ``""``). The last two
        rows have a count only. ``attrs``: ``dimension``, ``participants``, ``answered``,
        ``population_total``, ``areas`` (population areas summed), ``population_of``,
        ``level``, ``under``, ``over``, ``dissimilarity`` (D of the answered against the
        residents; None without answers) and ``note``.
    """
    problems: list[Problem] = []
    needs_area = population_of == "participants_areas"
    ok = _check_frame(participants, "participants", [by, *([area] if needs_area else [])], problems)
    ok = _check_frame(population, "population", [area, group, count], problems) and ok
    _check_options(level, under, over, population_of, problems)
    raise_if(problems, "Cannot compare the participants with the population")
    residents = population
    if needs_area:
        wanted = _population_areas(participants, area, successors)
        residents = population[population[area].isin(wanted)]
    numbers = _counts(residents[count], "population", count, problems)
    order = list(dict.fromkeys(population[group])) if groups is None else list(groups)
    by_group = numbers.groupby(residents[group].to_numpy()).sum().reindex(order, fill_value=0.0)
    answered, declined, unknown = _answers(participants[by])
    strangers = sorted(set(answered.index) - set(order), key=str)
    if strangers:
        problems.append(
            Problem(
                f"answers {named(strangers)} are not groups of the population (groups: "
                f"{named(order)})",
                field=by,
            )
        )
    raise_if(problems, "Cannot compare the participants with the population")
    tally = answered.reindex(order, fill_value=0).to_numpy(dtype=float)
    n = float(tally.sum())
    table = _table(order, tally, by_group.to_numpy(dtype=float), n, level, under, over)
    extra = pd.DataFrame(
        {
            "group": [PREFER_NOT_TO_SAY, UNKNOWN],
            "kind": ["prefer_not_to_say", "unknown"],
            "count": [declined, unknown],
        }
    )
    table = pd.concat([table, extra], ignore_index=True)
    table["flag"] = table["flag"].fillna("")
    total = float(by_group.sum())
    table.attrs = {
        "dimension": by,
        "participants": len(participants),
        "answered": int(n),
        "population_total": total,
        "areas": int(residents[area].nunique()),
        "population_of": population_of,
        "level": float(level),
        "under": float(under),
        "over": float(over),
        "dissimilarity": (
            dissimilarity_index(tally, by_group.to_numpy()) if n > 0 and total > 0 else None
        ),
        "note": NOTE,
    }
    return table


def _table(
    order: list[Hashable],
    tally: np.ndarray,
    residents: np.ndarray,
    n: float,
    level: float,
    under: float,
    over: float,
) -> pd.DataFrame:
    total = residents.sum()
    share = tally / n if n > 0 else np.full(len(tally), np.nan)
    low, high = _wilson(tally, n, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        population_share = residents / total if total > 0 else np.full(len(tally), np.nan)
        scale = np.where(population_share > 0, population_share, np.nan)
        ratio, ratio_low, ratio_high = share / scale, low / scale, high / scale
    flag = np.where(ratio_high < under, "under", np.where(ratio_low > over, "over", ""))
    return pd.DataFrame(
        {
            "group": pd.Series(order, dtype=object),
            "kind": "group",
            "count": tally.astype(int),
            "share": share,
            "share_low": low,
            "share_high": high,
            "population": residents,
            "population_share": population_share,
            "ratio": ratio,
            "ratio_low": ratio_low,
            "ratio_high": ratio_high,
            "flag": flag,
        }
    )


def dissimilarity_index(counts_a: Iterable[float], counts_b: Iterable[float]) -> float:
    """Duncan's dissimilarity index ``D = 1/2 sum_i |a_i/A - b_i/B|`` of two distributions.

    Parameters
    ----------
    counts_a, counts_b
        Counts per group, in the same order (two pandas Series are aligned on their index,
        a group missing from one counting 0).

    Returns
    -------
    float
        From 0 (the same distribution) to 1 (no group in common).
    """
    if isinstance(counts_a, pd.Series) and isinstance(counts_b, pd.Series):
        counts_a, counts_b = counts_a.align(counts_b, fill_value=0)
    a = np.asarray(list(counts_a), dtype=float)
    b = np.asarray(list(counts_b), dtype=float)
    problems: list[Problem] = []
    if a.shape != b.shape:
        problems.append(Problem(f"the counts differ in length: {len(a)} and {len(b)}"))
    for name, values in (("counts_a", a), ("counts_b", b)):
        if not np.all(np.isfinite(values)) or bool((values < 0).any()):
            problems.append(Problem("counts must be finite numbers >= 0", field=name))
        elif values.sum() <= 0:
            problems.append(Problem("the counts add up to 0", field=name))
    raise_if(problems, "Cannot compute the dissimilarity index")
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def retention(
    attendance: pd.DataFrame,
    *,
    participant: str = "participant_id",
    event: str = "event_id",
    at: str = "starts_at",
    kind: str | None = "event_kind",
    level: float = 0.95,
) -> pd.DataFrame:
    """Who came back: the share of participants who attended a second, distinct event.

    Parameters
    ----------
    attendance
        One row per attendance: the participant, the event, its start and (optionally) kind.
        A participant signed in twice at one event attended one event.
    participant, event, at, kind
        Column names; ``kind=None`` gives the overall row only.
    level
        Confidence level of the Wilson interval of each share.

    Returns
    -------
    pandas.DataFrame
        A first row ``first_kind = "all"`` (``kind = "total"``), then one row per kind of first
        event (``kind = "group"``): ``participants``, ``returned`` (attended two or more
        events), ``share``, ``share_low``, ``share_high``.
    """
    problems: list[Problem] = []
    columns = [participant, event, at, *([kind] if kind else [])]
    _check_frame(attendance, "attendance", columns, problems)
    raise_if(problems, "Cannot compute retention")
    seen = attendance[columns].drop_duplicates([participant, event])
    seen = seen.assign(_at=pd.to_datetime(seen[at], utc=True, errors="coerce"))
    seen = seen.sort_values(["_at", event], kind="stable", na_position="last")
    events = seen.groupby(participant, sort=False)[event].nunique()
    people = pd.DataFrame({"returned": events >= 2})
    people["first_kind"] = seen.groupby(participant, sort=False)[kind].first() if kind else "all"
    rows: list[tuple[object, str, int, int]] = [
        ("all", "total", len(people), int(people["returned"].sum()))
    ]
    if kind:
        grouped = people.groupby("first_kind", sort=True)["returned"]
        rows += [(k, "group", int(v.size), int(v.sum())) for k, v in grouped]
    table = pd.DataFrame(rows, columns=["first_kind", "kind", "participants", "returned"])
    base = table["participants"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = np.where(base > 0, table["returned"] / base, np.nan)
    lows, highs = [], []
    for returned, n in zip(table["returned"], base, strict=True):
        low, high = _wilson(np.array([returned], dtype=float), float(n), level)
        lows.append(float(low[0]))
        highs.append(float(high[0]))
    table["share_low"], table["share_high"] = lows, highs
    return table


def _split(
    participants: pd.DataFrame,
    population: pd.DataFrame,
    column: str,
    options: dict[str, Any],
) -> pd.DataFrame:
    parts = []
    for value, rows in participants.groupby(column, sort=True):
        table = representation(rows, population, **options)
        table.insert(0, column, value)
        table["dissimilarity"] = table.attrs["dissimilarity"]
        table["participants"] = table.attrs["participants"]
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=[column])
    table = pd.concat(parts, ignore_index=True)
    table.attrs = {"population_of": options.get("population_of", "place")}
    return table


def over_time(
    participants: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: str,
    at: str = "first_attended",
    freq: Literal["month", "quarter", "year"] = "quarter",
    **options: Any,
) -> pd.DataFrame:
    """:func:`representation` of the participants who first took part in each period.

    Each participant counts once, in the period of ``at`` (their first event), so the periods'
    tables do not overlap and one cannot be subtracted from another to reveal a small number.

    Returns
    -------
    pandas.DataFrame
        A ``period`` column (``"2025Q1"``, ``"2025-03"``, ``"2025"``) before the columns of
        :func:`representation`, with that period's ``participants`` and ``dissimilarity``.
    """
    problems: list[Problem] = []
    _check_frame(participants, "participants", [at], problems)
    if freq not in _FREQUENCIES:
        problems.append(
            Problem(f"freq must be one of {', '.join(_FREQUENCIES)}, not {freq!r}", field="freq")
        )
    raise_if(problems, "Cannot compare the participants over time")
    when = pd.to_datetime(participants[at], utc=True, errors="coerce")
    periods = when.dt.tz_localize(None).dt.to_period(_FREQUENCIES[freq]).astype(str)
    dated = participants.assign(period=periods.where(when.notna(), None)).dropna(subset=["period"])
    return _split(dated, population, "period", {"by": by, **options})


def per_kind(
    participants: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: str,
    kind: str = "event_kind",
    **options: Any,
) -> pd.DataFrame:
    """:func:`representation` per kind of event.

    ``participants`` has one row per participant and kind of event they attended, so a person
    at a World Café and a community walk counts in both tables.
    """
    problems: list[Problem] = []
    _check_frame(participants, "participants", [kind], problems)
    raise_if(problems, "Cannot compare the participants per kind of event")
    return _split(participants, population, kind, {"by": by, **options})

"""Priority neighbourhoods: small areas where need is high and access to community assets is low.

:func:`priority_areas` flags each area and gives its reasons in words and numbers, so that a list
can be read out in a meeting and checked against the data.

High need
---------
An area has high need when **any** need criterion holds:

- Core20 (``core20=True``): the area is in England's most deprived 20% nationally, i.e. its
  national IMD decile is 1 or 2 (1 = the most deprived 10% of England's small areas). This is the
  "Core20" of NHS England's Core20PLUS5. Deciles are national, never re-ranked within the place.
- Each :class:`HealthNeed` rule: the area's value is beyond the rule's ``threshold`` (strictly
  above it when higher is worse, strictly below otherwise), or among the rule's
  ``worst_fraction`` of the areas given.

Low access
----------
For each asset category, an area has low access when its access is exactly 0 (no asset within
reach: always low), or when it is in the lowest ``low_access`` fraction of the areas given that
have an access value: at most ``low_access x n`` of the ``n`` areas have access at or below its
own. The rank is within the areas given (the place), one vote per area, not weighted by
population. Areas tied on the cut-off stay together: if counting them all would take more than
the fraction, none of them is counted, so every area said to be in the "lowest 20%" is; a warning
names such ties. ``worst_fraction`` rules rank the same way from the worst end.

A *priority* area has high need and low access in at least one category.

Missing values
--------------
A missing IMD decile, health value or access value never flags an area: the criterion using it
does not hold, the column is named in the area's ``missing`` list, and ``attrs["warnings"]`` counts
and names the areas. Ranks, cut-offs and medians are over the areas with a value.

Ranking
-------
``priority_rank`` orders the priority areas, 1 first to look at: most low-access categories first,
then the lowest (most deprived) IMD decile (missing last), then the worst access share (the
smallest share, across categories, of areas with access at or below the area's own), then area
code. Areas that are not a priority have ``<NA>`` (a nullable ``Int64`` column).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._priority_words import areas_have, number, percent, sentence, with_unit
from mobilise.errors import Problem

__all__ = ["HealthNeed", "priority_areas"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

CORE20_DECILES = (1, 2)
"""National IMD deciles of NHS England's Core20: the most deprived 20% of areas in England."""


@dataclass(frozen=True)
class HealthNeed:
    """A health indicator that marks an area as high need.

    Give exactly one rule: ``threshold`` or ``worst_fraction``.

    Attributes
    ----------
    column
        Column of the areas frame holding the indicator.
    label
        Its name in words, e.g. "Emergency admissions".
    higher_is_worse
        True when a higher value means more need (admissions); False when lower does (life
        expectancy).
    threshold
        High need beyond this: strictly above it (below when lower is worse).
    worst_fraction
        High need among this fraction of the areas given from the worst end (0.2: the worst
        20%), ranked as low access is (see the module notes).
    unit
        Written after each number in the reasons, e.g. "per 100,000" or "%".
    """

    column: str
    label: str
    higher_is_worse: bool = True
    threshold: float | None = None
    worst_fraction: float | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        for name in ("column", "label"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name).strip():
                problems.append(Problem(f"{name} must be a non-empty text", field=name))
        if (self.threshold is None) == (self.worst_fraction is None):
            problems.append(
                Problem("give exactly one rule: threshold or worst_fraction", field="threshold")
            )
        if self.threshold is not None and not _finite(self.threshold):
            problems.append(Problem("threshold must be a finite number", field="threshold"))
        if self.worst_fraction is not None and not _fraction(self.worst_fraction):
            problems.append(
                Problem("worst_fraction must be between 0 and 1, e.g. 0.2", field="worst_fraction")
            )
        raise_if(problems, f"Health need rule {self.label!r} is not valid")

    def describe(self) -> str:
        """The rule in words, e.g. "Emergency admissions above 250 per 100,000"."""
        if self.threshold is not None:
            side = "above" if self.higher_is_worse else "below"
            return f"{self.label} {side} {with_unit(self.threshold, self.unit)}"
        end = "highest" if self.higher_is_worse else "lowest"
        return f"{self.label} in the {end} {percent(self.worst_fraction)} of the areas"


def priority_areas(
    areas: pd.DataFrame,
    *,
    access: Mapping[str, str],
    imd_decile: str | None = "imd_decile",
    core20: bool = True,
    health: Sequence[HealthNeed] = (),
    low_access: float = 0.2,
    population: str | None = "population",
    names: str | None = None,
    imd_label: str = "IMD 2019",
) -> pd.DataFrame:
    """Flag the areas of high need and low access, each with its reasons.

    Parameters
    ----------
    areas
        One row per area, indexed by area code (e.g. LSOA), with the columns named below.
    access
        Each asset category's label and the column holding its access score (higher is better),
        e.g. ``{"green space": "access_green_space"}``.
    imd_decile
        Column of national IMD deciles (1 = most deprived 10% in England). Used for Core20 and
        for ranking; None to do without (only with ``core20=False``).
    core20
        Count the Core20 (deciles 1 and 2) as high need.
    health
        Further need rules; an area has high need when any criterion holds.
    low_access
        The fraction of areas, from the lowest access up, that counts as low access, e.g. 0.2.
    population
        Column of residents, carried through and summed for the priority areas; None for none.
    names
        Column of area names, carried through as ``name``.
    imd_label
        The IMD edition, named in the reasons.

    Returns
    -------
    A frame indexed like ``areas`` with ``name`` and ``population`` (when given), then:
    ``high_need`` (bool), ``need_reasons`` (list of str), one bool ``low_access:<category>`` per
    category, ``low_access_categories`` (list of str), ``priority`` (bool), ``reasons`` (every
    need and low-access reason, list of str), ``reason_text`` (them in one sentence),
    ``priority_rank`` (``Int64``; ``<NA>`` when not a priority) and ``missing`` (the input
    columns with no value for the area). ``attrs`` holds ``counts`` (``areas``, ``high_need``,
    ``low_access`` per category, ``priority``, ``priority_population``), ``criteria`` (each in
    words), ``cutoffs`` (the highest access counted low, per category), the parameters and
    ``warnings``.

    Raises
    ------
    ValidationError
        Naming every problem: absent or non-numeric columns, deciles not whole numbers 1..10,
        negative access or population, infinities, an empty ``access``, no need criterion, and
        a ``low_access`` outside (0, 1).
    """
    _check(areas, access, imd_decile, core20, health, low_access, population, names)
    ids = areas.index
    found = _Findings(ids)
    high_need, decile = _high_need(areas, imd_decile, core20, health, imd_label, found)
    labels = list(access)
    low_matrix, shares, cutoffs = _low_access(areas, access, low_access, found)
    found.criteria.append("Priority: high need and low access to at least one category.")
    low_any = np.asarray(low_matrix.any(axis=1), dtype=bool)
    priority = high_need & low_any
    reasons = [need + low for need, low in zip(found.need, found.access, strict=True)]

    result = pd.DataFrame(index=ids.copy())
    if names is not None:
        result["name"] = areas[names].array
    if population is not None:
        result["population"] = areas[population].array
    result["high_need"] = high_need
    result["need_reasons"] = _lists(ids, found.need)
    for j, label in enumerate(labels):
        result[f"low_access:{label}"] = low_matrix[:, j]
    result["low_access_categories"] = _lists(
        ids, [[labels[j] for j in np.flatnonzero(row)] for row in low_matrix]
    )
    result["priority"] = priority
    result["reasons"] = _lists(ids, reasons)
    result["reason_text"] = [
        sentence(bool(h), bool(lo), r, m)
        for h, lo, r, m in zip(high_need, low_any.tolist(), reasons, found.missing, strict=True)
    ]
    result["priority_rank"] = _ranks(ids, priority, low_matrix, decile, shares)
    result["missing"] = _lists(ids, found.missing)
    result.attrs.update(
        {
            "method": "Priority neighbourhoods: high need and low access",
            "counts": {
                "areas": len(ids),
                "high_need": int(high_need.sum()),
                "low_access": {
                    label: int(low_matrix[:, j].sum()) for j, label in enumerate(labels)
                },
                "priority": int(priority.sum()),
                "priority_population": _priority_population(areas, population, priority, found),
            },
            "criteria": found.criteria,
            "cutoffs": cutoffs,
            "access": dict(access),
            "low_access_fraction": float(low_access),
            "core20": bool(core20),
            "imd_decile": imd_decile,
            "imd_label": imd_label,
            "health": [rule.describe() for rule in health],
            "warnings": found.warnings,
        }
    )
    return result


@dataclass
class _Findings:
    """Reasons, missing inputs, warnings and criteria, gathered as the criteria are applied."""

    ids: pd.Index
    need: list[list[str]] = field(init=False)
    access: list[list[str]] = field(init=False)
    missing: list[list[str]] = field(init=False)
    warnings: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.need = [[] for _ in self.ids]
        self.access = [[] for _ in self.ids]
        self.missing = [[] for _ in self.ids]

    def read(self, areas: pd.DataFrame, column: str, what: str, effect: str) -> FloatArray:
        """The column as floats; areas without a value are noted as missing it."""
        values = _numbers(areas[column])
        absent = np.isnan(values)
        if absent.any():
            for i in np.flatnonzero(absent):
                self.missing[i].append(column)
            verb = "is" if absent.sum() == 1 else "are"
            self.warnings.append(
                f"{areas_have(int(absent.sum()))} {what} ({column}), "
                f"{effect.replace('{are}', verb)}: {named(self.ids[absent])}."
            )
        return values

    def tie_warning(self, tail: _Tail, what: str, end: str, fraction: float) -> None:
        share = f"the {end} {percent(fraction)}"
        if tail.tied_out and tail.tie_value is not None:
            self.warnings.append(
                f"{areas_have(tail.tied_out)} the same {what}, {number(tail.tie_value)}, on the edge "
                f"of {share}; counting them all would take more than {percent(fraction)} of "
                f"the {tail.count:,} areas, so none of them was counted in {share}."
            )
        elif tail.count and tail.cutoff is None:
            self.warnings.append(
                f"With {tail.count:,} areas, {percent(fraction)} is less than one area: no "
                f"area is in {share} on {what}."
            )


def _high_need(
    areas: pd.DataFrame,
    imd_decile: str | None,
    core20: bool,
    health: Sequence[HealthNeed],
    imd_label: str,
    found: _Findings,
) -> tuple[BoolArray, FloatArray]:
    """Which areas meet a need criterion (Core20, a health rule), and their IMD deciles."""
    high_need = np.zeros(len(areas.index), dtype=bool)
    decile = np.full(len(areas.index), np.nan)
    if imd_decile is not None:
        effect = "so cannot meet the Core20 criterion" if core20 else "so {are} ranked last"
        decile = found.read(areas, imd_decile, "no IMD decile", effect)
    if core20:
        core = np.isin(decile, CORE20_DECILES)
        high_need |= core
        for i in np.flatnonzero(core):
            found.need[i].append(
                f"In England's most deprived 20% ({imd_label} national decile {int(decile[i])} "
                "of 10)"
            )
        found.criteria.append(
            f"High need: in England's most deprived 20% nationally ({imd_label} national decile "
            "1 or 2; NHS England's Core20)."
        )
    for rule in health:
        values = found.read(areas, rule.column, f"no {rule.label} value", "so cannot meet it")
        high_need |= _health_flags(rule, values, found)
        found.criteria.append(f"High need: {rule.describe()}.")
    return high_need, decile


def _low_access(
    areas: pd.DataFrame, access: Mapping[str, str], low_access: float, found: _Findings
) -> tuple[BoolArray, FloatArray, dict[str, float | None]]:
    """Low access per category (one column each), each area's share of areas at or below its
    access, and each category's cut-off."""
    labels = list(access)
    low_matrix = np.zeros((len(areas.index), len(labels)), dtype=bool)
    shares = np.full((len(areas.index), len(labels)), np.nan)
    cutoffs: dict[str, float | None] = {}
    for j, label in enumerate(labels):
        effect = f"so {{are}} not counted as low access to {label}"
        values = found.read(areas, access[label], f"no access value for {label}", effect)
        tail = _Tail.of(values, low_access, lowest=True)
        zero = values == 0
        low_matrix[:, j] = tail.flagged | zero
        shares[:, j] = tail.share
        cutoffs[label] = tail.cutoff
        if tail.tie_value != 0:  # areas with access 0 are low whatever their rank
            found.tie_warning(tail, f"access to {label}", "lowest", low_access)
        for i in np.flatnonzero(low_matrix[:, j]):
            found.access[i].append(
                f"No {label} asset within reach (access 0)"
                if zero[i]
                else f"Access to {label} {number(values[i])}, {tail.where(low_access)}"
            )
        cut = "none" if tail.cutoff is None else f"at or below {number(tail.cutoff)}"
        found.criteria.append(
            f"Low access to {label}: no asset within reach (access 0), or access in the lowest "
            f"{percent(low_access)} of the {tail.count:,} areas with a value (cut-off: {cut})."
        )
    return low_matrix, shares, cutoffs


def _priority_population(
    areas: pd.DataFrame, population: str | None, priority: BoolArray, found: _Findings
) -> float | None:
    if population is None:
        return None
    residents = _numbers(areas[population])
    unknown = np.isnan(residents)
    if unknown.any():
        found.warnings.append(
            f"{areas_have(int(unknown.sum()))} no population ({population}); the priority "
            f"population counts only the others ({int((priority & unknown).sum())} of them "
            "priority areas)."
        )
    return _plain(float(np.nansum(residents[priority])))


# --------------------------------------------------------------------------------------------
# Ranks within the place


@dataclass(frozen=True)
class _Tail:
    """The areas among a fraction of the areas with a value, from one end, ties kept together."""

    flagged: BoolArray  # False where the value is missing
    share: FloatArray  # share of areas at or beyond each area's value; NaN where missing
    cutoff: float | None  # the last value inside the fraction
    median: float
    count: int  # areas with a value
    tied_out: int  # areas tied on the cut-off, left out so as not to pass the fraction
    tie_value: float | None

    @classmethod
    def of(cls, values: FloatArray, fraction: float, *, lowest: bool) -> _Tail:
        valid = ~np.isnan(values)
        series = pd.Series(values[valid])
        count = len(series)
        beyond = series.rank(method="max", ascending=lowest).to_numpy()
        first = series.rank(method="min", ascending=lowest).to_numpy()
        limit = math.floor(fraction * count + 1e-9)
        inside = beyond <= limit
        straddling = (first <= limit) & ~inside
        flagged = np.zeros(len(values), dtype=bool)
        flagged[valid] = inside
        share = np.full(len(values), np.nan)
        share[valid] = beyond / max(count, 1)
        kept = series[inside]
        cutoff = None if kept.empty else float(kept.max() if lowest else kept.min())
        tied = series[straddling]
        return cls(
            flagged=flagged,
            share=share,
            cutoff=cutoff,
            median=float(series.median()) if count else math.nan,
            count=count,
            tied_out=len(tied),
            tie_value=float(tied.iloc[0]) if len(tied) else None,
        )

    def where(self, fraction: float, *, end: str = "lowest", unit: str = "") -> str:
        """Where a flagged value sits, e.g. "lowest 20% of the 1,130 areas here (cut-off ...)"."""
        cutoff = math.nan if self.cutoff is None else self.cutoff
        return (
            f"{end} {percent(fraction)} of the {self.count:,} areas here "
            f"(cut-off {with_unit(cutoff, unit)}; median {with_unit(self.median, unit)})"
        )


def _health_flags(rule: HealthNeed, values: FloatArray, found: _Findings) -> BoolArray:
    if rule.threshold is not None:
        side = "above" if rule.higher_is_worse else "below"
        flagged = values > rule.threshold if rule.higher_is_worse else values < rule.threshold
        for i in np.flatnonzero(flagged):
            found.need[i].append(
                f"{rule.label} {with_unit(values[i], rule.unit)}, {side} the threshold of "
                f"{with_unit(rule.threshold, rule.unit)}"
            )
        return flagged
    assert rule.worst_fraction is not None
    tail = _Tail.of(values, rule.worst_fraction, lowest=not rule.higher_is_worse)
    end = "highest" if rule.higher_is_worse else "lowest"
    found.tie_warning(tail, rule.label, end, rule.worst_fraction)
    for i in np.flatnonzero(tail.flagged):
        found.need[i].append(
            f"{rule.label} {with_unit(values[i], rule.unit)}, "
            f"{tail.where(rule.worst_fraction, end=end, unit=rule.unit)}"
        )
    return tail.flagged


def _ranks(
    ids: pd.Index,
    priority: BoolArray,
    low_matrix: BoolArray,
    decile: FloatArray,
    shares: FloatArray,
) -> pd.Series:
    order = pd.DataFrame(
        {
            "low": -low_matrix.sum(axis=1),
            "decile": np.nan_to_num(decile, nan=11.0),
            "share": np.nan_to_num(np.nanmin(np.where(low_matrix, shares, np.inf), axis=1)),
            "code": [str(area) for area in ids],
        }
    )[priority]
    ranked = order.sort_values(["low", "decile", "share", "code"], kind="stable").index
    rank = pd.array([pd.NA] * len(ids), dtype="Int64")
    rank[ranked.to_numpy()] = np.arange(1, len(ranked) + 1)
    return pd.Series(rank, index=ids)


# --------------------------------------------------------------------------------------------
# Checks


def _check(
    areas: object,
    access: object,
    imd_decile: str | None,
    core20: bool,
    health: Sequence[HealthNeed],
    low_access: object,
    population: str | None,
    names: str | None,
) -> None:
    what = "Cannot find priority areas"
    if not isinstance(areas, pd.DataFrame):
        raise_if([Problem("areas must be a pandas DataFrame", field="areas")], what)
    assert isinstance(areas, pd.DataFrame)
    problems: list[Problem] = []
    if len(areas) == 0:
        problems.append(Problem("areas has no rows", field="areas"))
    if areas.index.has_duplicates:
        repeated = areas.index[areas.index.duplicated()].unique()
        problems.append(Problem(f"area codes repeat: {named(repeated)}", field="areas"))
    if not isinstance(access, Mapping) or not access:
        example = "{'green space': 'access_green_space'}"
        problems.append(
            Problem(f"access must map each category to its column, e.g. {example}", field="access")
        )
    else:
        for label, column in access.items():
            if not isinstance(label, str) or not label.strip():
                problems.append(Problem(f"category {label!r} must be a text", field="access"))
            _column(areas, column, problems, non_negative=True)
    if imd_decile is None and core20:
        problems.append(Problem("core20 needs the imd_decile column", field="imd_decile"))
    deciles = None if imd_decile is None else _column(areas, imd_decile, problems)
    if deciles is not None:
        bad = ~np.isnan(deciles) & ((deciles % 1 != 0) | (deciles < 1) | (deciles > 10))
        if bad.any():
            message = f"deciles are whole numbers 1 to 10; not for {named(areas.index[bad])}"
            problems.append(Problem(message, field=imd_decile))
    for rule in health:
        if not isinstance(rule, HealthNeed):
            problems.append(Problem(f"{rule!r} is not a HealthNeed", field="health"))
        else:
            _column(areas, rule.column, problems)
    if not core20 and not health:
        problems.append(
            Problem("no need criterion: set core20=True or give a health rule", field="health")
        )
    if not _fraction(low_access):
        problems.append(
            Problem(f"low_access must be between 0 and 1, not {low_access!r}", field="low_access")
        )
    if population is not None:
        _column(areas, population, problems, non_negative=True)
    if names is not None and names not in areas.columns:
        problems.append(Problem("no such column", field=names))
    raise_if(problems, what)


def _column(
    areas: pd.DataFrame, column: str, problems: list[Problem], *, non_negative: bool = False
) -> FloatArray | None:
    """The column's values, when it exists and holds numbers (missing values allowed)."""
    if column not in areas.columns:
        problems.append(Problem("no such column", field=str(column)))
        return None
    dtype = areas[column].dtype
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        problems.append(Problem(f"must hold numbers, not {dtype}", field=column))
        return None
    values = _numbers(areas[column])
    bad = np.isinf(values) | (non_negative & (values < 0))
    if bad.any():
        kind = "negative or infinite" if non_negative else "infinite"
        problems.append(Problem(f"{kind} for {named(areas.index[bad])}", field=column))
    return values


def _lists(ids: pd.Index, lists: list[list[str]]) -> pd.Series:
    return pd.Series(lists, index=ids, dtype=object)


def _numbers(series: pd.Series) -> FloatArray:
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _fraction(value: object) -> bool:
    return _finite(value) and 0 < value < 1  # type: ignore[operator]


def _plain(value: float) -> float | None:
    if not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else float(value)

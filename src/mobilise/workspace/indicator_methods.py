"""Indicators computed from counts (``ws.indicators.compute``), their funnel plots and an area's
spine chart against the benchmark: the workspace side of :mod:`mobilise.analysis.rates`.

Loaded only when one of these is used (numpy, scipy and the analysis load here)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mobilise.analysis import rates
from mobilise.errors import Problem, ValidationError
from mobilise.formats.count_tables import CountTable, read_count_table, read_standard
from mobilise.model.indicators import IndicatorData, IndicatorMeta
from mobilise.model.rate_methods import RatePlan, compared
from mobilise.store.tables import indicator_values
from mobilise.workspace._files import FileSource, reading_path, source_name
from mobilise.workspace.datasets import file_dataset

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mobilise.settings import Limits
    from mobilise.workspace._indicator_rows import IndicatorValue

__all__ = ["Benchmark", "Computed", "compute_from_counts", "funnel_of", "spine_rows"]


@dataclass(frozen=True)
class Benchmark:
    """The value an indicator's areas are compared with, and what it is."""

    label: str
    value: float | None
    lower: float | None
    upper: float | None


@dataclass(frozen=True)
class Computed:
    """An indicator computed from a count table, ready to store."""

    data: IndicatorData
    plan: RatePlan
    benchmark: Benchmark
    suppressed: int
    dataset: dict[str, Any] | None = None

    @property
    def method_fields(self) -> dict[str, Any]:
        """What the ``indicators`` table keeps of how the values were computed."""
        plan = self.plan
        return {
            "method": plan.method,
            "standard": plan.standard if plan.method == "dsr" else "",
            "confidence": plan.level,
            "multiplier": plan.scale,
            "benchmark_label": self.benchmark.label,
            "benchmark_value": self.benchmark.value,
            "benchmark_lower": self.benchmark.lower,
            "benchmark_upper": self.benchmark.upper,
        }


def _float(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def _estimate(
    plan: RatePlan,
    counts: np.ndarray,
    populations: np.ndarray,
    *,
    table: CountTable,
    standard: np.ndarray | None,
    reference: tuple[np.ndarray, np.ndarray] | None,
    labels: list[str],
) -> rates.Estimates:
    levels = sorted({plan.level / 100, 0.998} if plan.level != 99.8 else {0.95, 0.998})
    method, scale = plan.method, plan.scale
    if method in ("crude_rate", "proportion"):
        compute = rates.crude_rate if method == "crude_rate" else rates.proportion
        return compute(
            counts.sum(axis=1),
            populations.sum(axis=1),
            multiplier=scale,
            confidence=levels,
            labels=labels,
        )
    if method == "dsr":
        return rates.dsr(
            counts,
            populations,
            standard if standard is not None else rates.ESP2013,
            multiplier=scale,
            confidence=levels,
            frequencies=table.frequencies,
            labels=labels,
            bands=table.bands,
        )
    if method in ("isr", "isr_rate"):
        assert reference is not None
        return rates.isr(
            counts,
            populations,
            *reference,
            kind="ratio" if method == "isr" else "rate",
            multiplier=scale,
            confidence=levels,
            labels=labels,
            bands=table.bands,
        )
    return rates.life_expectancy(counts, populations, confidence=levels, labels=labels)


def _events(table: CountTable) -> np.ndarray:
    """Events by area and band (people times their event frequency, when given)."""
    if table.frequencies is None:
        return table.counts
    return np.asarray((np.nan_to_num(table.counts) * table.frequencies).sum(axis=2))


def _bands_for(plan: RatePlan, standard: str, limits: Limits) -> tuple[list[str] | None, Any]:
    if plan.method == "dsr":
        found = read_standard(standard, limits=limits)
        return found.bands, found
    if plan.method == "life_expectancy":
        ages = rates.LE_START_AGES
        return ["0", "1-4", *(f"{a}-{a + 4}" for a in ages[2:-1]), f"{ages[-1]}+"], None
    return None, None


def compute_from_counts(
    file: FileSource,
    *,
    indicator_id: str,
    method: str,
    limits: Limits,
    name: str | None = None,
    reference: FileSource | None = None,
    options: Mapping[str, Any] | None = None,
    columns: Mapping[str, str | None] | None = None,
) -> Computed:
    """Read a count table and compute the indicator's value, intervals, method and suppression
    for each area, and the benchmark over all of them; nothing is stored here. ``options`` are
    :meth:`~mobilise.workspace.indicators.IndicatorService.compute`'s."""
    given = dict(options or {})
    plan = RatePlan(
        method,
        standard=given.get("standard") or "esp2013",
        confidence=given.get("confidence") or 95.0,
        multiplier=given.get("multiplier"),
    )
    label = source_name(file, name)
    meta = IndicatorMeta(
        id=indicator_id,
        name=given.get("indicator_name") or indicator_id.replace("_", " ").capitalize(),
        unit=given["unit"] if given.get("unit") is not None else plan.about.unit,
        polarity=given.get("polarity") or "higher_is_worse",
        source=given.get("source") or label,
        licence=given.get("licence") or "unknown",
        period=given.get("period") or "",
        description=f"Computed by mobilise: {plan.about.description}.",
    )
    bands, standard = _bands_for(plan, plan.standard, limits)
    with reading_path(file, name=name, limits=limits) as path:
        table = read_count_table(
            path,
            limits=limits,
            bands=bands,
            counts_within=plan.method in ("proportion", "life_expectancy"),
            **{k: v for k, v in (columns or {}).items() if v},
        )
    if plan.method == "life_expectancy" and table.frequencies is not None:
        raise ValidationError(
            "Life expectancy takes deaths by age band, not event frequencies.",
            problems=[Problem("remove the frequency column", file=table.file, field="frequency")],
        )
    counts = table.counts if plan.method == "dsr" else _events(table)
    ref = _reference(reference, table, plan, limits) or (
        _events(table).sum(axis=0),
        table.populations.sum(axis=0),
    )
    std = None if standard is None else standard.populations
    estimates = _estimate(
        plan,
        counts,
        table.populations,
        table=table,
        standard=std,
        reference=ref,
        labels=table.areas,
    )
    pooled = _estimate(
        plan,
        counts.sum(axis=0)[None],
        table.populations.sum(axis=0)[None],
        table=table,
        standard=std,
        reference=ref,
        labels=["benchmark"],
    )
    benchmark = _benchmark(plan, pooled, given.get("benchmark_label"))
    return Computed(
        data=IndicatorData(
            indicators=[meta], values=_values(estimates, table, meta.id, plan), file=table.file
        ),
        plan=plan,
        benchmark=benchmark,
        suppressed=int((estimates.suppression != "").sum()),
        dataset=file_dataset(label, title=given.get("source"), licence=given.get("licence")),
    )


def _reference(
    reference: FileSource | None, table: CountTable, plan: RatePlan, limits: Limits
) -> tuple[np.ndarray, np.ndarray] | None:
    if reference is None or plan.method not in ("isr", "isr_rate"):
        return None
    with reading_path(reference, limits=limits) as path:
        found = read_standard(path, limits=limits, with_counts=True)
    wanted = {b.replace(" ", ""): i for i, b in enumerate(found.bands)}
    order = [wanted.get(b.replace(" ", "")) for b in table.bands]
    if None in order or len(order) != len(found.bands):
        raise ValidationError(
            f"The reference {found.name} has the age bands {', '.join(found.bands)}; the count "
            f"table has {', '.join(table.bands)}. Give the same bands in both.",
            problems=[Problem("age bands differ", file=found.name, field="age_band")],
        )
    index = [int(i) for i in order if i is not None]
    assert found.counts is not None
    return found.counts[index], found.populations[index]


def _benchmark(plan: RatePlan, pooled: rates.Estimates, label: str | None) -> Benchmark:
    if plan.method in ("isr", "isr_rate"):
        return Benchmark(label or "the reference", _float(pooled.value[0]), None, None)
    lower, upper = pooled.interval(plan.level / 100)
    return Benchmark(
        label or "all areas of the file",
        _float(pooled.value[0]),
        _float(lower[0]),
        _float(upper[0]),
    )


def _values(
    estimates: rates.Estimates, table: CountTable, indicator_id: str, plan: RatePlan
) -> pd.DataFrame:
    lower, upper = estimates.interval(plan.level / 100)
    wide_lower, wide_upper = estimates.interval(0.998)
    denominator = estimates.extras.get("expected", estimates.denominator)
    return pd.DataFrame(
        {
            "area_code": table.areas,
            "indicator_id": indicator_id,
            "value": estimates.value,
            "lower_ci": lower,
            "upper_ci": upper,
            "numerator": estimates.numerator,
            "denominator": denominator,
            "source_row": [table.rows[a] for a in table.areas],
            "lower_99_8": wide_lower,
            "upper_99_8": wide_upper,
            "method": estimates.method,
            "suppression": estimates.suppression,
        }
    )


def funnel_of(
    frame: pd.DataFrame, *, method: str, polarity: str, multiplier: float
) -> dict[str, Any]:
    """A funnel plot of an indicator's stored values (``frame`` indexed by area code with
    value, numerator and denominator): each area's significance and the control limits."""
    from mobilise.model.rate_methods import METHODS

    statistic = METHODS[method].funnel if method in METHODS else ""
    usable = frame.dropna(subset=["numerator", "denominator"])
    if not statistic or usable.empty:
        raise ValidationError(
            "A funnel plot needs an indicator computed from counts (a crude rate, proportion, "
            "DSR or ISR): compute it with `mobilise indicators compute`.",
            problems=[Problem(f"method {method or 'none'!r} has no funnel", field="indicator")],
        )
    if statistic == "dsr":  # plotted at the population its DSR implies, as PHE does
        usable = usable[usable["value"].notna() & (usable["numerator"] > 0)]
    observed = usable["numerator"].to_numpy(float)
    values = usable["value"].to_numpy(float)
    x = (
        observed / values * multiplier
        if statistic == "dsr"
        else usable["denominator"].to_numpy(float)
    )
    significance = rates.funnel_significance(
        observed,
        None if statistic == "dsr" else x,
        statistic=statistic,  # type: ignore[arg-type]
        values=values,
        multiplier=multiplier,
    )
    average = 1.0 if statistic == "ratio" else float(observed.sum() / x.sum())
    grid = np.geomspace(max(x.min(), 1.0) * 0.9, x.max() * 1.1, 60)
    limits = rates.funnel_limits(
        average,
        grid,
        statistic="rate" if statistic == "dsr" else statistic,  # type: ignore[arg-type]
        multiplier=multiplier,
    )
    return {
        "statistic": statistic,
        "average": average * multiplier,
        "x_label": {"ratio": "expected events", "proportion": "denominator"}.get(
            statistic, "population"
        ),
        "limits": {
            f"{level * 100:g}": {"lower": low.tolist(), "upper": high.tolist()}
            for level, (low, high) in limits.items()
        },
        "x": grid.tolist(),
        "areas": [
            {"area_code": code, "x": float(xi), "value": float(v), "significance": str(s)}
            for code, xi, v, s in zip(usable.index, x, values, significance, strict=True)
        ],
        "polarity": polarity,
    }


def _benchmark_of(value: IndicatorValue, spread: np.ndarray) -> tuple[float | None, str]:
    """The indicator's stored benchmark, else the median of every stored area."""
    indicator = value.indicator
    if indicator.benchmark_value is not None:
        return indicator.benchmark_value, indicator.benchmark_label
    if spread.size:
        return float(np.median(spread)), f"median of {spread.size:,} areas"
    return None, ""


def spine_rows(connection: Connection, values: Sequence[IndicatorValue]) -> list[dict[str, Any]]:
    """One row of a spine chart per indicator value of an area: the value and its interval, the
    benchmark, and the worst, 25th and 75th percentile and best of every stored area (worst on
    the left: by the indicator's polarity), with the comparison's words."""
    from sqlalchemy import select

    rows = []
    for value in values:
        spread = np.asarray(
            connection.execute(
                select(indicator_values.c.value).where(
                    indicator_values.c.indicator_id == value.indicator.id,
                    indicator_values.c.value.is_not(None),
                )
            )
            .scalars()
            .all(),
            dtype=float,
        )
        benchmark, label = _benchmark_of(value, spread)
        polarity = value.indicator.polarity
        low, q25, q75, high = (
            np.quantile(spread, [0, 0.25, 0.75, 1]).tolist() if spread.size else [None] * 4
        )
        worst, best = (high, low) if polarity == "higher_is_worse" else (low, high)
        rows.append(
            {
                **value.to_dict(),
                "benchmark": benchmark,
                "benchmark_label": label,
                "areas": int(spread.size),
                "worst": worst,
                "q25": q25,
                "q75": q75,
                "best": best,
                "comparison": compared(
                    value.value, value.lower_ci, value.upper_ci, benchmark, polarity
                ),
            }
        )
    return rows

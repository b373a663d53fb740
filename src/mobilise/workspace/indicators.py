"""Indicators: metadata and values per area, with each value's national position; indicators
computed from counts (:meth:`IndicatorService.compute`) keep their method, intervals and
suppression (the computing lives in :mod:`mobilise.workspace.indicator_methods`)."""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.indicators import LAYOUTS
from mobilise.store.records import insert_record, new_id, record_values, update_record
from mobilise.store.tables import areas, indicator_values, indicators, place_areas
from mobilise.workspace._common import (
    ImportSummary,
    Progress,
    chunked,
    no_progress,
    none_if_missing,
    stored_area_codes,
)
from mobilise.workspace._files import FileSource, reading_path, source_name
from mobilise.workspace._imports import audit_import
from mobilise.workspace._indicator_rows import (
    METHOD_FIELDS,
    Indicator,
    IndicatorValue,
    indicator_of,
    national_deciles,
)
from mobilise.workspace.datasets import file_dataset

if TYPE_CHECKING:
    from mobilise.model.indicators import IndicatorData, IndicatorMeta
    from mobilise.workspace.core import Workspace

__all__ = ["Indicator", "IndicatorImport", "IndicatorService", "IndicatorValue"]

_META_FIELDS = (
    "name",
    "description",
    "unit",
    "polarity",
    "source",
    "licence",
    "period",
    "area_type",
)
_EXTRAS = ("lower_ci", "upper_ci", "numerator", "denominator", "lower_99_8", "upper_99_8")
_WORDS = ("method", "suppression")
_BATCH = 5000  # rows per executemany batch


@dataclass(frozen=True)
class IndicatorImport(ImportSummary):
    """What an indicator import did: the ids of the indicators read, and how many values."""

    indicators: list[str] = field(default_factory=list)
    values: int = 0


class IndicatorService:
    """Import, list and read indicators."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- import ------------------------------------------------------------------------------
    def import_file(
        self,
        file: FileSource,
        *,
        name: str | None = None,
        layout: str = "wide",
        area_column: str | None = None,
        columns: Mapping[str, str] | None = None,
        meta: Mapping[str, IndicatorMeta] | None = None,
        indicator_name: str | None = None,
        unit: str = "",
        polarity: str = "neutral",
        period: str = "",
        source: str | None = None,
        licence: str | None = None,
        dataset_id: str | None = None,
        national_breaks: Mapping[str, Sequence[float]] | None = None,
        progress: Progress = no_progress,
    ) -> IndicatorImport:
        """Read an indicator file and store its indicators and values, in one transaction.

        Parameters
        ----------
        file
            The file's path, bytes or a binary stream: a CSV (``.csv`` or ``.csv.gz``) or an
            English Indices of Deprivation 2019 file.
        name
            The file's name, for bytes and streams.
        layout
            One of :data:`~mobilise.model.indicators.LAYOUTS`: ``wide`` (one column per
            indicator), ``long`` (area, indicator, value rows) or ``iod`` (an IoD 2019 file,
            recognised from its header; the options below do not apply to it).
        area_column
            The column of area codes (detected when ``None``).
        columns
            Wide layout: the columns to import, as source column -> indicator id (every numeric
            column when ``None``).
        meta
            Known indicators by id (their metadata is taken as it is).
        indicator_name, unit, polarity, period, source, licence
            Metadata of the other indicators: the name (for one-indicator files; else the column
            name), the unit, whether higher values are better or worse, the period, the title and
            publisher of the data (by default the file's name) and its licence. When ``source``
            or ``licence`` is given and ``dataset_id`` is not, the file is registered as the
            indicators' dataset in the same transaction.
        national_breaks
            Decile cut points of each indicator's national distribution, by indicator id.

        Raises
        ------
        mobilise.errors.ValidationError
            With every problem of the file, each naming its row and field; nothing is stored.
        """
        from mobilise.formats.imd import read_iod
        from mobilise.formats.indicators import read_indicator_csv

        if layout not in LAYOUTS:
            raise ValidationError(
                f"Unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}.",
                problems=[
                    Problem(
                        f"unknown layout {layout!r}", file=source_name(file, name), field="layout"
                    )
                ],
            )
        with reading_path(file, name=name, limits=self._ws.limits) as path:
            if layout == "iod":
                data = read_iod(path, limits=self._ws.limits)
            else:
                defaults: dict[str, Any] = {
                    "unit": unit,
                    "polarity": polarity,
                    "period": period,
                    "source": source or path.name,
                    "licence": licence or "unknown",
                }
                if indicator_name:
                    defaults["name"] = indicator_name
                data = read_indicator_csv(
                    path,
                    limits=self._ws.limits,
                    layout=layout,  # type: ignore[arg-type]
                    area_column=area_column,
                    columns=columns,
                    meta=meta,
                    default_meta=defaults,
                )
        described = None if dataset_id else file_dataset(path.name, title=source, licence=licence)
        return self.import_data(
            data,
            dataset_id=str(described["id"]) if described else dataset_id,
            dataset=described,
            national_breaks=national_breaks,
            area_field=area_column or "area code",
            progress=progress,
        )

    def import_data(
        self,
        data: IndicatorData,
        *,
        dataset_id: str | None = None,
        dataset: Mapping[str, Any] | None = None,
        national_breaks: Mapping[str, Sequence[float]] | None = None,
        area_field: str = "area code",
        progress: Progress = no_progress,
        method_fields: Mapping[str, Any] | None = None,
    ) -> IndicatorImport:
        """Store indicator metadata and values read by a ``formats`` reader, in one transaction.

        Every value must belong to a stored area: unknown codes are reported with their file row,
        and then nothing is stored. Values of the same indicator and area are replaced.

        Parameters
        ----------
        data
            Indicators and their values, as read from a file.
        national_breaks
            Decile cut points of each indicator's national distribution, by indicator id,
            overriding those in ``data``.
        area_field
            Name of the file's area code column, for messages.
        dataset
            A dataset description to register in the same transaction (see
            :meth:`~mobilise.workspace.datasets.DatasetService.register`).
        method_fields
            How the values were computed (method, standard, confidence, multiplier, benchmark),
            stored on each indicator; imported values have none.
        """
        values = data.values
        metas = {m.id: m for m in data.indicators}
        created = updated = stored = 0
        with self._ws.write() as connection:
            if dataset is not None:
                self._ws.datasets.register(dataset)
            _check_areas(connection, data, area_field)
            for indicator_id, group in values.groupby("indicator_id", sort=True):
                meta = metas[str(indicator_id)]
                breaks = (national_breaks or {}).get(meta.id) or meta.national_breaks
                is_new = self._upsert_meta(connection, meta, breaks, dataset_id, method_fields)
                created += is_new
                updated += not is_new
                count = self._replace_values(connection, meta.id, group)
                audit_import(
                    connection,
                    self._ws.actor,
                    entity_type="indicator",
                    entity_id=meta.id,
                    summary=f"{data.file}: {count} values",
                )
                stored += count
                progress(f"Importing {data.file}", stored, len(values))
        return IndicatorImport(
            data.file,
            created=created,
            updated=updated,
            notes=[f"{stored} values of {len(metas)} indicators"],
            indicators=list(metas),
            values=stored,
        )

    def _replace_values(
        self, connection: Connection, indicator_id: str, group: pd.DataFrame
    ) -> int:
        """Store one indicator's values, replacing those of the same areas; returns how many."""
        for chunk in chunked(group["area_code"].tolist()):
            connection.execute(
                delete(indicator_values).where(
                    indicator_values.c.indicator_id == indicator_id,
                    indicator_values.c.area_code.in_(chunk),
                )
            )
        stamp = record_values(self._ws.actor)
        rows = [
            {
                "id": new_id(),
                "indicator_id": indicator_id,
                "area_code": r["area_code"],
                "value": none_if_missing(r["value"]),
                **{column: none_if_missing(r.get(column)) for column in _EXTRAS},
                **{column: str(r.get(column) or "") for column in _WORDS},
                **stamp,
            }
            for r in group.to_dict("records")
        ]
        for batch in chunked(rows, _BATCH):
            connection.execute(insert(indicator_values), batch)
        return len(rows)

    def _upsert_meta(
        self,
        connection: Connection,
        meta: IndicatorMeta,
        breaks: Sequence[float] | None,
        dataset_id: str | None,
        method_fields: Mapping[str, Any] | None = None,
    ) -> bool:
        values: dict[str, Any] = {k: getattr(meta, k) for k in _META_FIELDS}
        values |= {
            k: (method_fields or {}).get(k, "" if k in _WORDS else None) for k in METHOD_FIELDS
        }
        values["method"] = values["method"] or ""
        values["standard"] = values["standard"] or ""
        values["benchmark_label"] = values["benchmark_label"] or ""
        values["national_breaks"] = [float(b) for b in breaks] if breaks else None
        values["dataset_id"] = dataset_id
        existing = connection.execute(select(indicators).where(indicators.c.id == meta.id)).first()
        if existing is None:
            insert_record(
                connection,
                indicators,
                {"id": meta.id, **values},
                actor=self._ws.actor,
                entity_type="indicator",
            )
            return True
        if any(getattr(existing, k) != v for k, v in values.items()):
            update_record(
                connection,
                indicators,
                meta.id,
                values,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="indicator",
            )
        return False

    # -- reading -----------------------------------------------------------------------------
    def list(self, *, place: str | None = None) -> list[Indicator]:
        """Indicators with their number of values (in ``place`` when given)."""
        count = select(indicator_values.c.indicator_id, func.count().label("n")).group_by(
            indicator_values.c.indicator_id
        )
        if place is not None:
            place_id = self._ws.places.get(place).id
            count = count.join(
                place_areas, place_areas.c.area_code == indicator_values.c.area_code
            ).where(place_areas.c.place_id == place_id, place_areas.c.deleted_at.is_(None))
        counts = count.subquery()
        query = (
            select(indicators, func.coalesce(counts.c.n, 0).label("n_values"))
            .outerjoin(counts, counts.c.indicator_id == indicators.c.id)
            .where(indicators.c.deleted_at.is_(None))
            .order_by(indicators.c.id)
        )
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        found = [indicator_of(r, r.n_values) for r in rows]
        return [i for i in found if i.n_values] if place is not None else found

    def get(self, indicator_id: str) -> Indicator:
        with self._ws.read() as connection:
            row = connection.execute(
                select(indicators).where(indicators.c.id == indicator_id)
            ).first()
            if row is None or row.deleted_at is not None:
                raise NotFound(
                    f"No indicator {indicator_id!r}. See `mobilise indicators list` for those stored."
                )
            n_values = connection.execute(
                select(func.count()).where(indicator_values.c.indicator_id == indicator_id)
            ).scalar_one()
        return indicator_of(row, n_values)

    def values(self, indicator_id: str, *, codes: Sequence[str] | None = None) -> pd.DataFrame:
        """Values of one indicator indexed by area code, with ``national_decile`` (1 = worst 10%)."""
        indicator = self.get(indicator_id)
        query = select(
            indicator_values.c.area_code,
            indicator_values.c.value,
            indicator_values.c.lower_ci,
            indicator_values.c.upper_ci,
            indicator_values.c.numerator,
            indicator_values.c.denominator,
            indicator_values.c.lower_99_8,
            indicator_values.c.upper_99_8,
            indicator_values.c.suppression,
        ).where(indicator_values.c.indicator_id == indicator_id)
        with self._ws.read() as connection:
            if codes is None:
                rows = connection.execute(query).all()
            else:
                rows = []
                codes = list(codes)
                for chunk in chunked(list(codes)):
                    rows += connection.execute(
                        query.where(indicator_values.c.area_code.in_(chunk))
                    ).all()
        frame = pd.DataFrame(
            [tuple(r) for r in rows],
            columns=[
                "area_code",
                "value",
                "lower_ci",
                "upper_ci",
                "numerator",
                "denominator",
                "lower_99_8",
                "upper_99_8",
                "suppression",
            ],
        ).set_index("area_code")
        frame["value"] = frame["value"].astype(float)
        frame["national_decile"] = national_deciles(indicator, frame["value"].to_numpy(dtype=float))
        return frame.sort_index()

    def place_values(self, indicator_id: str, place: str) -> pd.DataFrame:
        """Values of one indicator for the areas of a place."""
        return self.values(indicator_id, codes=self._ws.places.area_codes(place))

    def for_area(self, code: str) -> builtins.list[IndicatorValue]:
        """Every indicator value of one area, with its national decile."""
        code = code.strip().upper()
        with self._ws.read() as connection:
            rows = connection.execute(
                select(
                    indicators,
                    indicator_values.c.value,
                    indicator_values.c.lower_ci,
                    indicator_values.c.upper_ci,
                    indicator_values.c.numerator,
                    indicator_values.c.denominator,
                    indicator_values.c.lower_99_8,
                    indicator_values.c.upper_99_8,
                    indicator_values.c.method.label("value_method"),
                    indicator_values.c.suppression,
                )
                .join(indicator_values, indicator_values.c.indicator_id == indicators.c.id)
                .where(indicator_values.c.area_code == code, indicators.c.deleted_at.is_(None))
                .order_by(indicators.c.id)
            ).all()
        found = []
        for r in rows:
            indicator = indicator_of(r)
            decile = national_deciles(indicator, np.array([r.value], dtype=float))[0]
            found.append(
                IndicatorValue(
                    indicator=indicator,
                    value=r.value,
                    lower_ci=r.lower_ci,
                    upper_ci=r.upper_ci,
                    numerator=r.numerator,
                    denominator=r.denominator,
                    national_decile=None if np.isnan(decile) else int(decile),
                    lower_99_8=r.lower_99_8,
                    upper_99_8=r.upper_99_8,
                    method=r.value_method,
                    suppression=r.suppression,
                )
            )
        return found

    # -- computed from counts ------------------------------------------------------------------
    def compute(
        self,
        file: FileSource,
        *,
        indicator_id: str,
        method: str,
        name: str | None = None,
        indicator_name: str | None = None,
        standard: str = "esp2013",
        reference: FileSource | None = None,
        confidence: float = 95.0,
        multiplier: float | None = None,
        unit: str | None = None,
        polarity: str = "higher_is_worse",
        period: str = "",
        source: str | None = None,
        licence: str | None = None,
        benchmark_label: str | None = None,
        columns: Mapping[str, str | None] | None = None,
        progress: Progress = no_progress,
    ) -> IndicatorImport:
        """Compute an indicator from a count table and store it, in one transaction.

        ``method`` is one of :data:`mobilise.model.rate_methods.METHODS`; ``standard`` a DSR's
        standard population (``esp2013`` or a CSV of ``age_band,population``); ``reference`` an
        ISR's CSV of ``age_band,count,population`` (default: all areas of the file). Each value
        is stored with its interval at ``confidence`` and at 99.8%, its method and why PHE's
        rules suppressed it; the indicator with its method, standard, confidence, multiplier and
        benchmark (all areas of the file, or ``benchmark_label``: "England" for a file of all
        England). ``columns`` names columns not found by name (``area_column``,
        ``band_column``, ``count_column``, ``population_column``, ``frequency_column``).
        See :func:`mobilise.workspace.indicator_methods.compute_from_counts`.

        Raises
        ------
        mobilise.errors.ValidationError
            Naming every bad row and field (a missing age band, a negative population, a count
            above its denominator, a band the standard lacks); nothing is stored.
        """
        from mobilise.workspace.indicator_methods import compute_from_counts

        progress(f"Computing {indicator_id}", 0, 1)
        computed = compute_from_counts(
            file,
            indicator_id=indicator_id,
            method=method,
            limits=self._ws.limits,
            name=name,
            reference=reference,
            options={
                "indicator_name": indicator_name,
                "standard": standard,
                "confidence": confidence,
                "multiplier": multiplier,
                "unit": unit,
                "polarity": polarity,
                "period": period,
                "source": source,
                "licence": licence,
                "benchmark_label": benchmark_label,
            },
            columns=dict(columns or {}),
        )
        summary = self.import_data(
            computed.data,
            dataset_id=str(computed.dataset["id"]) if computed.dataset else None,
            dataset=computed.dataset,
            area_field=(columns or {}).get("area_column") or "area_code",
            progress=progress,
            method_fields=computed.method_fields,
        )
        notes = [*summary.notes, f"{computed.suppressed} values suppressed (PHE's rules)"]
        return dataclasses.replace(summary, notes=notes)

    def funnel(self, indicator_id: str, *, place: str | None = None) -> dict[str, Any]:
        """A funnel plot of a computed indicator: control limits at 95% and 99.8% around the
        average of every stored area, and where each area falls (only ``place``'s areas are
        plotted when given)."""
        from mobilise.workspace.indicator_methods import funnel_of

        indicator = self.get(indicator_id)
        found = funnel_of(
            self.values(indicator_id),
            method=indicator.method,
            polarity=indicator.polarity,
            multiplier=indicator.multiplier or 1.0,
        )
        if place is not None:
            codes = set(self._ws.places.area_codes(place))
            found["areas"] = [a for a in found["areas"] if a["area_code"] in codes]
        names: dict[str, str] = {}
        with self._ws.read() as connection:
            for chunk in chunked([a["area_code"] for a in found["areas"]]):
                query = select(areas.c.code, areas.c.name).where(areas.c.code.in_(chunk))
                names.update({r.code: r.name for r in connection.execute(query)})
        for a in found["areas"]:
            a["name"] = names.get(a["area_code"], a["area_code"])
        return {"indicator": indicator.to_dict(), "place": place, **found}

    def spine(self, code: str) -> builtins.list[dict[str, Any]]:
        """An area's profile against each indicator's benchmark, as Fingertips draws a spine
        chart (see :func:`mobilise.workspace.indicator_methods.spine_rows`)."""
        from mobilise.workspace.indicator_methods import spine_rows

        values = self.for_area(code)
        with self._ws.read() as connection:
            return spine_rows(connection, values)


def _check_areas(connection: Connection, data: IndicatorData, area_field: str) -> None:
    """Refuse the file, naming each row, when any value is for an area the workspace lacks."""
    values = data.values
    known = stored_area_codes(connection, values["area_code"].tolist())
    unknown = values.loc[~values["area_code"].isin(known)]
    problems = [
        Problem(
            f"unknown area code {code!r}: no such area in this workspace (import its "
            "boundaries first, or check the code)",
            data.file,
            int(row),
            area_field,
        )
        for code, row in zip(unknown["area_code"], unknown["source_row"], strict=True)
    ]
    error = ValidationError.collect(problems, what=f"Indicator file {data.file}")
    if error:
        raise error

"""Indicators: metadata and values per area, with each value's national position."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, func, insert, select

from mobilise.analysis.position import decile_from_breaks
from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.indicators import LAYOUTS
from mobilise.store.records import insert_record, new_id, record_values, update_record
from mobilise.store.tables import indicator_values, indicators, place_areas
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
_EXTRAS = ("lower_ci", "upper_ci", "numerator", "denominator")
_BATCH = 5000  # rows per executemany batch


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    description: str
    unit: str
    polarity: str
    source: str
    licence: str
    period: str
    area_type: str
    national_breaks: list[float] | None
    dataset_id: str | None
    version: int
    n_values: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IndicatorImport(ImportSummary):
    """What an indicator import did: the ids of the indicators read, and how many values."""

    indicators: list[str] = field(default_factory=list)
    values: int = 0


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator's value for one area, with where it stands nationally."""

    indicator: Indicator
    value: float
    lower_ci: float | None
    upper_ci: float | None
    numerator: float | None
    denominator: float | None
    national_decile: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator_id": self.indicator.id,
            "name": self.indicator.name,
            "unit": self.indicator.unit,
            "polarity": self.indicator.polarity,
            "period": self.indicator.period,
            "value": self.value,
            "lower_ci": self.lower_ci,
            "upper_ci": self.upper_ci,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "national_decile": self.national_decile,
        }


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
                is_new = self._upsert_meta(connection, meta, breaks, dataset_id)
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
                "value": float(r["value"]),
                **{column: none_if_missing(r.get(column)) for column in _EXTRAS},
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
    ) -> bool:
        values: dict[str, Any] = {k: getattr(meta, k) for k in _META_FIELDS}
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
        found = [_indicator(r, r.n_values) for r in rows]
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
        return _indicator(row, n_values)

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
            columns=["area_code", "value", "lower_ci", "upper_ci", "numerator", "denominator"],
        ).set_index("area_code")
        frame["national_decile"] = _deciles(indicator, frame["value"].to_numpy(dtype=float))
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
                )
                .join(indicator_values, indicator_values.c.indicator_id == indicators.c.id)
                .where(indicator_values.c.area_code == code, indicators.c.deleted_at.is_(None))
                .order_by(indicators.c.id)
            ).all()
        found = []
        for r in rows:
            indicator = _indicator(r)
            decile = _deciles(indicator, np.array([r.value], dtype=float))[0]
            found.append(
                IndicatorValue(
                    indicator=indicator,
                    value=r.value,
                    lower_ci=r.lower_ci,
                    upper_ci=r.upper_ci,
                    numerator=r.numerator,
                    denominator=r.denominator,
                    national_decile=None if np.isnan(decile) else int(decile),
                )
            )
        return found


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


def _deciles(indicator: Indicator, values: np.ndarray) -> np.ndarray:
    if not indicator.national_breaks:
        return np.full(values.shape, np.nan)
    polarity = (
        indicator.polarity
        if indicator.polarity in ("higher_is_better", "higher_is_worse")
        else "neutral"
    )
    return decile_from_breaks(values, indicator.national_breaks, polarity=polarity)  # type: ignore[arg-type]


def _indicator(row: Any, n_values: int = 0) -> Indicator:
    return Indicator(
        id=row.id,
        name=row.name,
        description=row.description,
        unit=row.unit,
        polarity=row.polarity,
        source=row.source,
        licence=row.licence,
        period=row.period,
        area_type=row.area_type,
        national_breaks=list(row.national_breaks) if row.national_breaks else None,
        dataset_id=row.dataset_id,
        version=row.version,
        n_values=int(n_values),
    )

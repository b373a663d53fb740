"""Importing community assets: the records of a file (read by AssetService.import_file) or of a
feed, located, planned and applied in one transaction.

An import is planned first (what would be created, updated, left alone, skipped) and then applied,
so a dry run shows exactly what a real run would do. Assets are matched to stored ones by
``(source, source_id)``: a re-import updates them instead of adding duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, func, literal_column, select, update

from mobilise.errors import Problem, ValidationError
from mobilise.formats.collector import collector_paused
from mobilise.geo import grid_cell
from mobilise.store.records import audit, insert_record, new_ids, record_values
from mobilise.store.tables import assets, organisations, postcodes
from mobilise.store.tables._assets import SQLITE_WORD_INDEX, WORD_INDEX
from mobilise.workspace._asset_store import (
    RECORD_FIELDS,
    areas_of,
    comparable,
    jsonable,
    place_codes,
    plain,
)
from mobilise.workspace._common import Progress, chunked, problems_renamed
from mobilise.workspace._driver_rows import DriverRows
from mobilise.workspace.asset_records import AssetImportReport

if TYPE_CHECKING:
    import httpx

    from mobilise.model.assets import AssetFile, AssetRecord
    from mobilise.settings import Limits
    from mobilise.workspace.core import Workspace

__all__ = ["import_records", "read_oruk_feed"]

_BATCH = 2000
_BULK = 1000
"""Imports creating this many assets or more index their words after storing them."""
_BULK_CACHE_KIB = 32_768
"""SQLite's page cache (KiB) while a bulk import stores its new assets."""
_HIGHEST_ROWID = 2**63 - 1
_INSERT_TRIGGER = next(
    s for s in SQLITE_WORD_INDEX if f"TRIGGER IF NOT EXISTS {WORD_INDEX}_insert" in s
)
Located = list[tuple["AssetRecord", dict[str, Any]]]


# -- reading ------------------------------------------------------------------------------------
def read_oruk_feed(
    url: str,
    *,
    per_page: int = 100,
    licence: str = "",
    client: httpx.Client | None = None,
    progress: Progress,
    limits: Limits | None = None,
) -> AssetFile:
    """The services of an Open Referral UK 3.0 feed (every page) as assets of the source
    ``oruk:<url>``, each page and the feed held to ``limits``."""
    from mobilise.formats.oruk import fetch_oruk_feed, read_oruk_services

    address = url.rstrip("/")
    pages = list(
        fetch_oruk_feed(
            address,
            client=client,
            per_page=per_page,
            progress=lambda done, total: progress("Reading the feed", done, total),
            limits=limits,
        )
    )
    return read_oruk_services(pages, source=f"oruk:{address}", licence=licence)


def _invalid_rows(data: AssetFile) -> list[dict[str, Any]]:
    """Each invalid row as it was, with its row number and its problems in words."""
    # invalid_rows come in file order, one per row that has problems.
    numbers = sorted({p.row for p in data.problems if p.row is not None})
    return [
        {
            "row": number,
            **row,
            "problems": "; ".join(
                f"{p.field}: {p.message}" for p in data.problems if p.row == number
            ),
        }
        for number, row in zip(numbers, data.invalid_rows, strict=False)
    ]


# -- importing ----------------------------------------------------------------------------------
def import_records(
    workspace: Workspace,
    data: AssetFile,
    *,
    place: str | None,
    dry_run: bool,
    skip_invalid: bool,
    progress: Progress,
) -> AssetImportReport:
    """Geocode and store the assets of ``data`` (see AssetService.import_file)."""
    if data.problems and not skip_invalid:
        error = ValidationError.collect(data.problems, what=f"Asset file {data.file}")
        assert error is not None
        raise error
    report = AssetImportReport(
        data.file,
        dry_run=dry_run,
        invalid=len(data.invalid_rows),
        dropped=dict(data.dropped),
        problems=list(data.problems),
        invalid_rows=_invalid_rows(data),
    )
    with collector_paused(), workspace.write() as connection:
        codes = place_codes(connection, place) if place else None
        located = _locate(connection, data.records, codes, report)
        plan = _plan(connection, located, report)
        if not dry_run:
            _apply(connection, plan, progress, actor=workspace.actor, file=data.file)
            audit(
                connection,
                actor=workspace.actor,
                entity_type="assets",
                entity_id=data.file,
                action="import",
                summary=f"{data.file}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.invalid} invalid skipped",
            )
    return report


def _postcode_points(
    connection: Connection, records: Sequence[AssetRecord]
) -> dict[str, tuple[float | None, float | None, str | None]]:
    """lon, lat and LSOA 2011 of each postcode the records name that the lookup knows."""
    wanted = sorted({r.postcode for r in records if r.postcode})
    found: dict[str, tuple[float | None, float | None, str | None]] = {}
    for chunk in chunked(wanted):
        for row in connection.execute(
            select(
                postcodes.c.postcode, postcodes.c.lon, postcodes.c.lat, postcodes.c.lsoa11_code
            ).where(postcodes.c.postcode.in_(chunk))
        ):
            found[row.postcode] = (row.lon, row.lat, row.lsoa11_code)
    return found


def _locate(
    connection: Connection,
    records: Sequence[AssetRecord],
    codes: set[str] | None,
    report: AssetImportReport,
) -> Located:
    """Each record with its location: coordinates (given, or from its postcode), LSOA 2011 (the
    stored area the point falls in, else the postcode's) and how precise that is. With ``codes``
    (a place's areas), records located outside them are left out and counted."""
    by_postcode = _postcode_points(connection, records)
    points: list[tuple[float | None, float | None, str]] = []
    for record in records:
        if record.lon is not None and record.lat is not None:
            points.append((record.lon, record.lat, "point"))
        elif record.postcode and by_postcode.get(record.postcode, (None,))[0] is not None:
            lon, lat, _ = by_postcode[record.postcode]
            points.append((lon, lat, "postcode"))
        else:
            points.append((None, None, "none"))
    in_area = areas_of(connection, [(lon, lat) for lon, lat, _ in points])
    located = []
    for record, (lon, lat, precision), area_code in zip(records, points, in_area, strict=True):
        if area_code is None and record.postcode in by_postcode:
            area_code = by_postcode[record.postcode][2]
        if precision == "none":
            report.not_geocoded += 1
        elif precision == "postcode":
            report.geocoded_by_postcode += 1
        if codes is not None and precision != "none" and area_code not in codes:
            report.outside_place += 1
            continue
        location = {
            "lon": lon,
            "lat": lat,
            "geometry": json.dumps(record.geometry) if record.geometry else None,
            "geocode_precision": precision,
            "lsoa11_code": area_code,
            "cell": grid_cell(lon, lat),
        }
        located.append((record, location))
    return located


def _stored(connection: Connection, located: Located) -> dict[tuple[str, str], Any]:
    """The stored rows of the located records, by (source, source_id)."""
    existing: dict[tuple[str, str], Any] = {}
    for source in sorted({r.source for r, _ in located}):
        ids = [r.source_id for r, _ in located if r.source == source]
        for chunk in chunked(ids):
            for row in connection.execute(
                select(assets).where(assets.c.source == source, assets.c.source_id.in_(chunk))
            ):
                existing[(row.source, row.source_id)] = row
    return existing


def _plan(connection: Connection, located: Located, report: AssetImportReport) -> dict[str, Any]:
    """What to create and what to update, counted in ``report``."""
    existing = _stored(connection, located)
    organisation_names = dict(
        connection.execute(select(organisations.c.id, organisations.c.name)).all()
    )
    wanted = sorted({(r.source, r.organisation) for r, _ in located if r.organisation})
    plan: dict[str, Any] = {"create": [], "update": [], "organisations": wanted}
    seen: set[tuple[str, str]] = set()
    for record, location in located:
        key = (record.source, record.source_id)
        if key in seen:
            message = (
                f"source id {record.source_id!r} appears twice in the file; the later row was "
                "skipped"
            )
            report.problems.append(Problem(message, row=record.source_row, field="source_id"))
            report.invalid += 1
            continue
        seen.add(key)
        values = {f: plain(getattr(record, f)) for f in RECORD_FIELDS}
        values.update(location)
        current = existing.get(key)
        if current is None:
            plan["create"].append((record, values))
            report.created += 1
            report.changes.append(("create", record.source_id, record.name))
            continue
        changed = {
            k: v for k, v in values.items() if comparable(getattr(current, k)) != comparable(v)
        }
        if record.organisation != organisation_names.get(current.organisation_id, ""):
            changed["organisation"] = record.organisation
        if current.deleted_at is not None or current.merged_into is not None:
            # Deleted or merged by a person: a source re-import does not bring it back.
            report.unchanged += 1
            continue
        # Visibility is the consortium's decision, not the source's.
        values["visibility"] = current.visibility
        changed.pop("visibility", None)
        if changed:
            plan["update"].append((record, values, current, changed))
            report.updated += 1
            report.changes.append(("update", record.source_id, record.name))
        else:
            report.unchanged += 1
    return plan


def _apply(
    connection: Connection, plan: dict[str, Any], progress: Progress, *, actor: str, file: str
) -> None:
    organisation_ids = _organisations(connection, plan["organisations"], actor=actor)
    stamp = record_values(actor)
    ids = new_ids(len(plan["create"]))
    creates = [
        {
            "id": key,
            **values,
            "source": record.source,
            "source_id": record.source_id,
            "organisation_id": organisation_ids.get((record.source, record.organisation)),
            "provenance": [
                {"source": record.source, "source_id": record.source_id, "licence": record.licence}
            ],
            "merged_into": None,
            **stamp,
        }
        for key, (record, values) in zip(ids, plan["create"], strict=True)
    ]
    total = len(creates) + len(plan["update"])
    with _pages_cached(connection, len(creates)), _words_indexed_after(connection, len(creates)):
        if creates:  # plain tuples to the driver; the store's limits screen each batch
            rows = DriverRows.of_rows(connection, assets, creates)
            for start in range(0, len(rows), _BATCH):
                with _rows_of_the_file(plan["create"], start, file):
                    rows.part(start, start + _BATCH).write(connection)
                progress("Storing assets", min(start + _BATCH, len(rows)), total)
    updates = [
        {
            **values,
            "organisation_id": organisation_ids.get((record.source, record.organisation)),
            "b_id": row.id,
        }
        for record, values, row, _changed in plan["update"]
    ]
    for _record, _values, row, changed in plan["update"]:
        audit(
            connection,
            actor=actor,
            entity_type="asset",
            entity_id=row.id,
            action="update",
            before={k: jsonable(getattr(row, k, None)) for k in changed},
            after={k: jsonable(v) for k, v in changed.items()},
            summary="updated by a re-import of its source",
        )
    if updates:
        columns: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "b_id"}
        for start, batch in enumerate(chunked(updates, _BATCH)):
            with _rows_of_the_file(plan["update"], start * _BATCH, file):
                connection.execute(
                    update(assets)
                    .where(assets.c.id == bindparam("b_id"))
                    .values(
                        **columns,
                        version=assets.c.version + 1,
                        updated_at=stamp["updated_at"],
                        updated_by=actor,
                    ),
                    list(batch),
                )
    progress("Storing assets", total, total)


def _rows_of_the_file(
    planned: Sequence[Any], start: int, file: str
) -> AbstractContextManager[None]:
    """A value the store's limits refuse, named by the file and its row there (the store counts
    rows within the batch written: row 1 is ``planned[start]``, whose record is its first item;
    it numbers no row when it writes one)."""
    in_batch = min(_BATCH, len(planned) - start)

    def named(problem: Problem) -> Problem:
        row = 1 if problem.row is None and in_batch == 1 else problem.row
        if row is None or not 0 < row <= in_batch:
            return problem
        record = planned[start + row - 1][0]
        return Problem(problem.message, file=file, row=record.source_row, field=problem.field)

    return problems_renamed(lambda problems: [named(p) for p in problems])


@contextmanager
def _pages_cached(connection: Connection, creating: int) -> Iterator[None]:
    """Let SQLite keep up to :data:`_BULK_CACHE_KIB` of pages in memory while many new assets
    are stored, and then the cache it had again (the connection goes back to the pool).

    The new rows change pages of seven indexes all over (ids are random), far more than 2 MB;
    with the usual cache SQLite writes changed pages out to the log before the commit and reads
    them back for the next rows, a quarter of the storing time.
    """
    if connection.dialect.name != "sqlite" or creating < _BULK:
        yield
        return
    usual = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size=-{_BULK_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size={usual}")


@contextmanager
def _words_indexed_after(connection: Connection, creating: int) -> Iterator[None]:
    """Add many new assets to SQLite's word index in one statement after they are stored.

    The index's insert trigger adds each new row on its own, which is a tenth of a large
    import's time; for :data:`_BULK` assets or more the trigger is dropped while they are stored
    and made again after, in the same transaction (a failed import rolls both back), and the
    rows stored since are indexed at once. A new row's rowid is above every earlier one (the
    transaction holds the only write). PostgreSQL's GIN index follows the rows by itself.
    """
    if connection.dialect.name != "sqlite" or creating < _BULK:
        yield
        return
    highest: Any = select(func.max(literal_column("rowid"))).select_from(assets)
    before = int(connection.execute(highest).scalar_one() or 0)
    if before >= _HIGHEST_ROWID // 2:  # rowids might be picked at random near the end
        yield
        return
    connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {WORD_INDEX}_insert")
    yield
    connection.exec_driver_sql(
        f"INSERT INTO {WORD_INDEX}(rowid, name, description) "
        "SELECT rowid, name, description FROM assets WHERE rowid > ?",
        (before,),
    )
    connection.exec_driver_sql(_INSERT_TRIGGER)


def _organisations(
    connection: Connection, wanted: Iterable[tuple[str, str]], *, actor: str
) -> dict[tuple[str, str], str]:
    """The id of each (source, organisation name), storing the ones not yet known."""
    found: dict[tuple[str, str], str] = {}
    for source, name in wanted:
        existing = connection.execute(
            select(organisations.c.id).where(
                organisations.c.source == source, organisations.c.name == name
            )
        ).scalar_one_or_none()
        if existing is None:
            existing = insert_record(
                connection,
                organisations,
                {"name": name, "source": source, "description": "", "url": "", "email": ""},
                actor=actor,
                entity_type="organisation",
            )["id"]
        found[(source, name)] = existing
    return found

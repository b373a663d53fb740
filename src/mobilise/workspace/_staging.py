"""Short writes for big imports: records written in bulk, or staged ahead and published at once.

SQLite has one write lock for the whole database, so a 200,000-row import written in one
transaction would make every other writer wait (or fail after the busy timeout). An import
therefore reads and checks its file first, without the lock, and then writes:

* a small import: every row in the import's one final transaction, in bulk (one statement per
  table and chunk, not one per row);
* a big import (more than :data:`STAGE_ABOVE` new records): its new rows *staged* ahead, in
  short transactions (each aims to hold the lock about a fifth of a second), pausing between
  them so that other writers get the lock. A staged row is hidden (its ``deleted_by`` is the
  import's marker, ``staged:<token>``, and its ``deleted_at`` is set), so no page, export or
  analysis sees it. The final transaction then publishes every staged row with one UPDATE per
  table, together with the import's changes to existing records. A failure discards the staged
  rows, so all or nothing still holds; staged rows left by a process that died are discarded
  when its job is retried or given up.

A record written here gets its record columns, and an audit entry as
:func:`mobilise.store.records.insert_record` gives it; except that, as for the other bulk
imports (areas, indicators), the records a big import stages are audited by one entry for the
import (who, when, the file and the counts), and their own ``created_by`` and ``created_at``.

Rows may be given as mappings (:meth:`Staging.add`) or column by column
(:meth:`Staging.add_columns`: a staged column goes to the driver's rows without a mapping per
row). New records get keys that sort in the order they are made
(:func:`~mobilise.store.records.new_ordered_ids`), so each staging transaction adds to the end
of the key's index (and of the indexes of the children's references to them) instead of to
pages all over it, and the final UPDATE reads just the range of keys staged (on SQLite).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from mobilise.errors import Conflict
from mobilise.store.records import (
    audit,
    audit_values,
    new_ordered_ids,
    now,
    record_values,
    refuse_columns,
    snapshot,
)
from mobilise.store.tables import (
    audit_log,
    map_factors,
    map_links,
    partner_memberships,
    partners,
    systems_maps,
)
from mobilise.workspace._common import Progress, chunked, no_progress
from mobilise.workspace._driver_rows import WRITE_BATCH, Columns, DriverRows, Same
from mobilise.workspace._write_turn import writers_waiting

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "MARK",
    "STAGE_ABOVE",
    "Change",
    "Columns",
    "Same",
    "Staging",
    "discard_staged",
    "insert_records",
    "staged_marker",
    "update_records",
    "worth_staging",
]

STAGE_ABOVE = 5_000
"""An import that adds more rows than this stages them ahead of its final transaction."""
ROWS_PER_TRANSACTION = 8_000
"""Rows of the first staging transaction (the next follow :data:`LOCK_TARGET_S`)."""
LOCK_TARGET_S = 0.2
"""How long a staging transaction aims to hold the write lock."""
MOST_ROWS_GROWTH = 8
"""The most rows of one staging transaction, however fast the last one went, as a multiple of
:data:`ROWS_PER_TRANSACTION`."""
GAP_SHARE = 0.5
"""On SQLite, the longest pause after a staging transaction, as a share of the time it held the
lock (at least 0.1 s): writers of this process queue for their turn (:func:`write_turn`) and go
in at once; those of other processes poll for the lock every 100 ms once they have waited."""
HOLD_BUDGET_S = 0.5
"""On SQLite, how long staging transactions may hold the lock one after another before a pause
that lets writers of other processes in (whom this process cannot see waiting). Writers of this
process are let in after any transaction they waited for."""
MARK = "staged:"
# Tables that can hold staged rows, children before parents (the order they are discarded in).
STAGED_TABLES: tuple[tuple[Table, str], ...] = (
    (map_links, "map_link"),
    (map_factors, "map_factor"),
    (systems_maps, "systems_map"),
    (partner_memberships, "partner_membership"),
    (partners, "partner"),
)


def worth_staging(rows: int) -> bool:
    """Whether an import adding ``rows`` rows stages them ahead."""
    return rows > STAGE_ABOVE


def staged_marker(token: str) -> str:
    """The ``deleted_by`` of rows staged by the import named ``token`` (a job's id)."""
    return f"{MARK}{token}"[:120]


def _records(
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    entity_type: str,
    omit_from_audit: Sequence[str] = (),
    hidden_by: str | None = None,
    audited: bool = True,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows with their key and record columns, and (when ``audited``) their "create" audit
    entries, which show the row as it will be once published."""
    at = now()
    stamp = record_values(actor, at)
    shown_stamp = snapshot(stamp)  # the same for every row: made JSON-safe once
    key = _key(table)
    hidden = {"deleted_at": at, "deleted_by": hidden_by} if hidden_by is not None else {}
    records, entries = [], []
    missing = _defaults(table)
    # a row's keys -> the defaults it leaves out: fixed values, and makers of fresh ones
    left_out: dict[tuple[str, ...], tuple[dict[str, Any], list[tuple[str, Any]]]] = {}
    keys = iter(new_ordered_ids(sum(1 for row in rows if key not in row)))
    for row in rows:
        if len(row) + len(stamp) < len(table.columns):  # the columns it leaves to defaults
            names = tuple(row)
            defaults = left_out.get(names)
            if defaults is None:
                makers = [(n, m) for n, m in missing.items() if n not in row]
                fixed = {n: m() for n, m in makers if getattr(m, "fixed", False)}
                defaults = left_out[names] = (fixed, [(n, m) for n, m in makers if n not in fixed])
            fixed, makers = defaults
            row = {**fixed, **{n: make() for n, make in makers}, **row}
        row_key = row[key] if key in row else next(keys)
        records.append({key: row_key, **row, **stamp, **hidden})
        if not audited:
            continue
        shown = {k: _jsonable(v) for k, v in row.items() if k not in omit_from_audit}
        after = {key: row_key, **shown, **shown_stamp}
        entries.append(audit_values(actor, entity_type, str(row_key), "create", after=after, at=at))
    return records, entries


def _key(table: Table) -> str:
    return next(iter(table.primary_key.columns)).name


def _defaults(table: Table) -> dict[str, Any]:
    """What each column a row may leave out gets: its default, else NULL (as Core gives)."""
    found: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        default: Any = column.default
        if default is None:
            found[column.name] = _fixed(None)
        elif default.is_callable:  # a fresh value for each row (a new dict, a time)
            found[column.name] = lambda default=default: default.arg(None)
        elif default.is_scalar and isinstance(default.arg, str | int | float | bool):
            found[column.name] = _fixed(default.arg)
        elif default.is_scalar:
            found[column.name] = lambda default=default: default.arg
    return found


def _fixed(value: Any) -> Any:
    """A maker of one unchanging (immutable) default, which rows may share."""

    def make() -> Any:
        return value

    make.fixed = True  # type: ignore[attr-defined]
    return make


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | list) or value is None:
        return value
    return snapshot({"v": value})["v"]


def _insert(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        DriverRows.of_rows(connection, table, rows).write(connection)


def insert_records(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: str,
    entity_type: str,
    omit_from_audit: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Insert records and their audit entries in bulk, inside the caller's transaction; returns
    the stored values (each with its new ``id`` unless the row named it)."""
    records, entries = _records(
        table, rows, actor=actor, entity_type=entity_type, omit_from_audit=omit_from_audit
    )
    _insert(connection, table, records)
    _insert(connection, audit_log, entries)
    return records


class Staging:
    """New records of one import: staged ahead when there are many, else written at the end.

    ``add`` takes the rows of each table in the order they must be written (parents first);
    ``publish`` runs inside the import's final transaction; ``discard`` undoes the staging.
    """

    def __init__(
        self,
        workspace: Workspace,
        token: str,
        *,
        stage: bool,
        progress: Progress = no_progress,
    ) -> None:
        self._ws = workspace
        self.marker = staged_marker(token)
        self.stage = stage
        self._progress = progress
        # what is still to write: records as mappings, or rows made ready for the driver
        self._pending: list[tuple[Table, Sequence[Mapping[str, Any]] | DriverRows]] = []
        self._entries: list[dict[str, Any]] = []  # per record, when not staged
        self._staged: list[Table] = []
        self._keys: dict[Table, tuple[str, str]] = {}  # the least and greatest key staged

    def add(
        self,
        table: Table,
        rows: Sequence[Mapping[str, Any]],
        *,
        entity_type: str,
        omit_from_audit: Sequence[str] = (),
    ) -> list[dict[str, Any]]:
        """Records for ``rows`` (ids given now, so children can refer to them)."""
        records, entries = _records(
            table,
            rows,
            actor=self._ws.actor,
            entity_type=entity_type,
            omit_from_audit=omit_from_audit,
            hidden_by=self.marker if self.stage else None,
            audited=not self.stage,
        )
        self._pending.append((table, records))
        self._entries.extend(entries)
        self._note_keys(table, [record[_key(table)] for record in records])
        return records

    def add_columns(
        self, table: Table, columns: Columns, *, count: int, entity_type: str
    ) -> list[str]:
        """New records for ``count`` rows given column by column; returns their ids (in row
        order). Staged rows go straight from the columns to the driver's rows, without a
        mapping per row; otherwise as :meth:`add` (an audit entry each)."""
        key = _key(table)
        given = columns.get(key)
        ids = new_ordered_ids(count) if given is None else list(given)  # type: ignore[arg-type]
        limit = self._ws.limits.max_text_chars  # screened first, rows numbered in the table
        if not self.stage:
            refuse_columns(table, columns, max_text_chars=limit)
            laid_out = [
                repeat(values.value, count) if isinstance(values, Same) else values
                for values in columns.values()
            ]
            rows = [
                dict(zip(columns, values, strict=True)) for values in zip(*laid_out, strict=True)
            ]
            for row, row_id in zip(rows, ids, strict=True):
                row[key] = row_id
            self.add(table, rows, entity_type=entity_type)
            return ids
        at = now()
        every: dict[str, Any] = {
            **{n: make() for n, make in _defaults(table).items() if n not in columns},
            **record_values(self._ws.actor, at),
            "deleted_at": at,
            "deleted_by": self.marker,
        }
        full = {key: ids, **columns, **{n: Same(v) for n, v in every.items()}}
        self._note_keys(table, ids)
        ready = DriverRows.of_columns(
            self._ws.engine.dialect, table, full, count, max_text_chars=limit
        )
        self._pending.append((table, ready))
        return ids

    def write_ahead(self) -> None:
        """Write the staged rows now, in short transactions (nothing when not staging).

        Each transaction aims to hold the lock for :data:`LOCK_TARGET_S` (its size follows the
        time the last one took, so a busy machine writes fewer rows at a time) and may take rows
        of several tables (parents first). On SQLite each is followed by a pause
        (:data:`GAP_SHARE`) in which writers kept waiting get their turn; the next rows are
        made ready meanwhile."""
        if not self.stage:
            return
        total = sum(len(rows) for _, rows in self._pending)
        done, size, pause = 0, ROWS_PER_TRANSACTION, _Pauses(self._ws)
        most = MOST_ROWS_GROWTH * ROWS_PER_TRANSACTION
        work = [(table, rows, 0) for table, rows in self._pending if len(rows)]
        try:
            while work:
                turn, work = self._turn(work, size)
                pause.before_next()
                with self._ws.write() as connection:
                    taken = time.monotonic()  # its turn came: the time it holds the lock from
                    for _, ready in turn:
                        ready.write(connection)
                held = max(time.monotonic() - taken, 1e-3)
                pause.held(held)
                size = int(min(max(size * LOCK_TARGET_S / held, 200), most))
                done += sum(len(ready) for _, ready in turn)
                self._progress(f"Writing ahead: {done:,} of {total:,} rows", done, total)
        except BaseException:
            self.discard()
            raise
        self._pending = []

    def _turn(
        self, work: list[tuple[Table, Any, int]], size: int
    ) -> tuple[list[tuple[Table, DriverRows]], list[tuple[Table, Any, int]]]:
        """The next ``size`` rows of ``work`` (each table's rows from where it was left),
        ready for the driver, and the work left after them."""
        turn: list[tuple[Table, DriverRows]] = []
        while work and size > 0:
            table, rows, start = work[0]
            stop = min(start + size, len(rows))
            if isinstance(rows, DriverRows):
                turn.append((table, rows.part(start, stop)))
            else:
                with self._ws.read() as reading:
                    turn.append((table, DriverRows.of_rows(reading, table, rows[start:stop])))
            if table not in self._staged:
                self._staged.append(table)
            size -= stop - start
            work = work[1:] if stop == len(rows) else [(table, rows, stop), *work[1:]]
        return turn, work

    def publish(
        self, connection: Connection, *, entity_type: str, entity_id: str, summary: str
    ) -> None:
        """Inside the final transaction: write what was not staged (with an audit entry per
        record), show what was (with one audit entry for the import, as bulk imports do)."""
        for table, rows in self._pending:
            if isinstance(rows, DriverRows):
                rows.write(connection)
            else:
                _insert(connection, table, rows)
            if self.stage:  # written hidden: shown below with the rest
                self._staged.append(table)
        _insert(connection, audit_log, self._entries)
        self._pending, self._entries = [], []
        for table in dict.fromkeys(self._staged):
            connection.execute(
                update(table)
                .where(table.c.deleted_by == self.marker, *self._key_range(table))
                .values(deleted_at=None, deleted_by=None)
            )
        if self._staged:
            audit(
                connection,
                actor=self._ws.actor,
                entity_type=entity_type,
                entity_id=entity_id,
                action="import",
                summary=summary,
            )
        self._staged = []

    def _note_keys(self, table: Table, keys: Sequence[str]) -> None:
        if self.stage and keys:
            known = self._keys.get(table)
            least, greatest = min(keys), max(keys)
            if known is not None:
                least, greatest = min(least, known[0]), max(greatest, known[1])
            self._keys[table] = (least, greatest)

    def _key_range(self, table: Table) -> list[Any]:
        """On SQLite (which compares text byte by byte, as Python does), the range of keys the
        staged rows of ``table`` are in: showing them then reads that range of the key's index
        (the keys are made in order), not the whole table. PostgreSQL compares text by the
        database's collation, which may order keys otherwise: there, none."""
        known = self._keys.get(table)
        if known is None or self._ws.dialect != "sqlite":
            return []
        return [table.c[_key(table)].between(*known)]

    def discard(self) -> None:
        """Remove every staged row and its audit entries (nothing if none was staged)."""
        if self._staged:
            self._staged = []
            discard_staged(self._ws, self.marker)


class _Pauses:
    """When staging pauses between its transactions on SQLite: when writers of this process
    wait (until they have had their turn), and when the lock has been held for
    :data:`HOLD_BUDGET_S` since the last pause (for writers of other processes); never on
    PostgreSQL, whose writers lock rows, not the database."""

    def __init__(self, workspace: Workspace) -> None:
        self._engine = workspace.engine
        self._sqlite = workspace.dialect == "sqlite"
        self._free_from = 0.0
        self._gap = 0.0
        self._since_pause = 0.0

    def held(self, seconds: float) -> None:
        self._free_from = time.monotonic()
        self._gap = min(max(seconds * GAP_SHARE, 0.1), 1.0)
        self._since_pause += seconds

    def before_next(self) -> None:
        if not self._sqlite or not self._free_from:
            return
        until = self._free_from + self._gap
        if self._since_pause >= HOLD_BUDGET_S:
            time.sleep(max(0.0, until - time.monotonic()))
        else:  # writers of this process that waited go in now (they queue at the gate)
            while writers_waiting(self._engine) and time.monotonic() < until:
                time.sleep(0.005)
            if time.monotonic() < until:
                return
        self._since_pause = 0.0


def discard_staged(workspace: Workspace, marker: str) -> int:
    """Remove the rows staged under ``marker`` (a :func:`staged_marker`) or a marker that
    starts with it (``staged:<job id>`` removes what every attempt of the job staged), and
    their audit entries, in short transactions; returns how many rows were removed."""
    if not marker.startswith(MARK):
        raise ValueError(f"not a staging marker: {marker!r}")
    removed = 0
    for table, entity_type in STAGED_TABLES:
        while True:
            with workspace.write() as connection:
                ids = list(
                    connection.execute(
                        select(table.c.id)
                        .where(table.c.deleted_by.startswith(marker, autoescape=True))
                        .limit(ROWS_PER_TRANSACTION)
                    ).scalars()
                )
                for batch in chunked(ids):
                    connection.execute(
                        delete(audit_log).where(
                            audit_log.c.entity_type == entity_type,
                            audit_log.c.entity_id.in_(batch),
                        )
                    )
                    connection.execute(delete(table).where(table.c.id.in_(batch)))
            removed += len(ids)
            if len(ids) < ROWS_PER_TRANSACTION:
                break
    return removed


@dataclass(frozen=True)
class Change:
    """A change to one stored record, to apply in bulk: the version it was read at, its new
    values, and the record as read (for the audit entry)."""

    id: str
    version: int
    values: dict[str, Any]
    before: dict[str, Any]
    action: str = "update"


def update_records(
    connection: Connection,
    table: Table,
    changes: Sequence[Change],
    *,
    actor: str,
    entity_type: str,
) -> None:
    """Apply ``changes`` in bulk inside the caller's transaction, each only if its record is
    still at the version read, with an audit entry each.

    Raises
    ------
    Conflict
        When any of the records changed since it was read (nothing is applied then: the caller's
        transaction rolls back).
    """
    at = now()
    groups: dict[tuple[str, ...], list[Change]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change.values)), []).append(change)
    for columns, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values(
                {
                    **{name: bindparam(f"v_{name}") for name in columns},
                    "updated_at": at,
                    "updated_by": actor,
                    "version": bindparam("b_next"),
                }
            )
        )
        for batch in chunked(group, WRITE_BATCH):
            params = [
                {
                    "b_id": c.id,
                    "b_version": c.version,
                    "b_next": c.version + 1,
                    **{f"v_{name}": c.values[name] for name in columns},
                }
                for c in batch
            ]
            if connection.execute(statement, params).rowcount != len(batch):
                raise Conflict(
                    f"Some {entity_type.replace('_', ' ')}s changed while the file was being "
                    "imported; nothing was imported. Import the file again."
                )
    stamp = {"updated_at": at, "updated_by": actor}
    entries = [
        audit_values(
            actor,
            entity_type,
            c.id,
            c.action,
            before=c.before,
            after=snapshot({**c.before, **c.values, **stamp, "version": c.version + 1}),
            at=at,
        )
        for c in changes
    ]
    _insert(connection, audit_log, entries)

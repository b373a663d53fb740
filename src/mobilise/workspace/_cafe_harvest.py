"""The harvest of a World Café: table notes per round, photos of the paper sheets and the
plenary's notes, written once per ``client_key`` and read under consent (see
:mod:`mobilise.workspace.cafes`)."""

from __future__ import annotations

import builtins
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.errors import Conflict, Problem, ValidationError
from mobilise.store.records import insert_record
from mobilise.store.tables import event_contributions
from mobilise.workspace._cafe_records import MAX_ROUNDS, CafeQuestion, CafeTable

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from mobilise.model.visibility import Viewer
    from mobilise.workspace._files import FileTarget
    from mobilise.workspace.core import Workspace

__all__ = ["HARVEST_COLUMNS", "Harvest", "HarvestNote", "HarvestService", "Harvested"]

PLENARY_LABEL = "Plenary"
NOT_AUDITED = ("text", "media", "thumbnail", "alt_text", "caption", "maker_words", "route")
"""What people gave never enters the audit trail."""
MAX_NOTE_CHARS = 2_000
CLIENT_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")
HARVEST_COLUMNS = (
    "id",
    "harvest",
    "round_number",
    "question",
    "table",
    "kind",
    "text",
    "attribution",
    "code",
    "media_type",
    "illustrative",
    "created_at",
)
"""The harvest export's columns: no names, no participant ids, no files."""


@dataclass(frozen=True)
class HarvestNote:
    """A note or photo of the harvest as it may be shown (``code`` only for a person's)."""

    id: str
    harvest: str
    round_number: int | None
    question_id: str | None
    table: str
    kind: str
    text: str
    attribution: str
    code: str | None
    media_type: str
    illustrative: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "harvest": self.harvest,
            "round_number": self.round_number,
            "question_id": self.question_id,
            "table": self.table,
            "kind": self.kind,
            "text": self.text,
            "attribution": self.attribution,
            "code": self.code,
            "media_type": self.media_type,
            "illustrative": self.illustrative,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Harvested:
    """What a send did: the note, and whether it was stored now (False: already stored)."""

    note: HarvestNote
    stored: bool

    def to_dict(self) -> dict[str, Any]:
        return self.note.to_dict() | {"stored": self.stored}


@dataclass(frozen=True)
class Harvest:
    """A café's whole harvest: by round, then table, then the plenary."""

    questions: builtins.list[CafeQuestion]
    tables: builtins.list[CafeTable]
    rounds: dict[int, dict[str, builtins.list[HarvestNote]]] = field(default_factory=dict)
    plenary: builtins.list[HarvestNote] = field(default_factory=list)

    def question_text(self, question_id: str | None) -> str:
        return next((q.text for q in self.questions if q.id == question_id), "")

    def notes(self) -> builtins.list[HarvestNote]:
        found = [n for by_table in self.rounds.values() for ns in by_table.values() for n in ns]
        return found + self.plenary

    def to_dict(self) -> dict[str, Any]:
        return {
            "questions": [q.to_dict() for q in self.questions],
            "tables": [t.to_dict() for t in self.tables],
            "notes": [n.to_dict() for n in self.notes()],
        }


class HarvestService:
    """Writing and reading a café's harvest (a part of :class:`~mobilise.workspace.cafes.
    CafeService`)."""

    _ws: Workspace

    if TYPE_CHECKING:

        def questions(self, event: str) -> builtins.list[CafeQuestion]: ...
        def tables(self, event: str) -> builtins.list[CafeTable]: ...
        def table(self, event: str, table: str) -> CafeTable: ...

    def add_note(
        self,
        event: str,
        text: str,
        *,
        table: str | None = None,
        round_number: int | None = None,
        question: str | None = None,
        client_key: str | None = None,
        illustrative: bool = False,
    ) -> Harvested:
        """Add a table's note for a round (``table`` by id or label), or the plenary's note
        (``table`` None). A ``client_key`` already stored for the same event, table and round
        answers "already stored" with the note as kept (``stored`` False), so a resend is
        never a duplicate; the key of another table or round is a Conflict."""
        text = str(text).strip()
        problems = _key_problems(client_key)
        if not text:
            problems.append(Problem("a note needs its words", field="text"))
        elif len(text) > MAX_NOTE_CHARS:
            problems.append(Problem(f"at most {MAX_NOTE_CHARS:,} characters", field="text"))
        values = self._place(event, table, round_number, question, problems)
        if problems:
            raise ValidationError("Cannot add the note.", problems=problems)
        if client_key and (kept := self._by_key(event, client_key, values)):
            return Harvested(kept, stored=False)
        values |= {"kind": "note", "text": text, "client_key": client_key or None}
        try:
            with self._ws.write() as connection:
                row = insert_record(
                    connection,
                    event_contributions,
                    values | {"event_id": event, "illustrative": illustrative},
                    actor=self._ws.actor,
                    entity_type="event contribution",
                    omit_from_audit=NOT_AUDITED,
                )
        except Conflict as error:  # the same key sent twice at once: the other send stored it
            return self._raced(event, client_key, values, error)
        return Harvested(_note(row, row["group_label"]), stored=True)

    def _raced(
        self, event: str, client_key: str | None, values: dict[str, Any], error: Conflict
    ) -> Harvested:
        """After a write refused as a Conflict: the note the other send of the same key stored
        (``Workspace.write`` turns the unique key's IntegrityError into a Conflict), or the
        Conflict itself when the key is not stored."""
        kept = self._by_key(event, client_key, values) if client_key else None
        if kept is None:
            raise error
        return Harvested(kept, stored=False)

    def add_photo(
        self,
        event: str,
        media: bytes,
        *,
        table: str | None = None,
        round_number: int | None = None,
        question: str | None = None,
        caption: str = "",
        client_key: str | None = None,
    ) -> Harvested:
        """Attach a photo of a table's (or the plenary's) paper sheet; its bytes are checked and
        stored by the event contributions service, with its place in the harvest, in one
        transaction. A known ``client_key`` (same event, table and round) is "already stored"."""
        problems = _key_problems(client_key)
        values = self._place(event, table, round_number, question, problems)
        if problems:
            raise ValidationError("Cannot add the photo.", problems=problems)
        if client_key and (kept := self._by_key(event, client_key, values)):
            return Harvested(kept, stored=False)
        place = {k: values[k] for k in ("harvest", "round_number", "question_id")}
        try:
            added = self._ws.event_contributions.add(
                event,
                kind="photo",
                text=caption,
                group_label=values["group_label"],
                media=media,
                harvest=place | {"client_key": client_key or None},
            )
        except Conflict as error:
            return self._raced(event, client_key, values, error)
        row = added.to_dict() | place | {"created_at": added.created_at}
        return Harvested(_note(row, values["group_label"]), stored=True)

    def harvest(self, event: str, *, viewer: Viewer | None = None) -> Harvest:
        """The café's harvest as consent lets it be shown: each round's notes by table, then the
        plenary's, oldest first."""
        found = Harvest(self.questions(event), self.tables(event))
        shown = {c.id: c for c in self._ws.event_contributions.list(event, viewer=viewer)}
        with self._ws.read() as connection:
            rows = connection.execute(
                select(
                    event_contributions.c.id,
                    event_contributions.c.harvest,
                    event_contributions.c.round_number,
                    event_contributions.c.question_id,
                ).where(
                    event_contributions.c.event_id == event,
                    event_contributions.c.harvest.in_(("table", "plenary")),
                    event_contributions.c.deleted_at.is_(None),
                )
            ).all()
        places = {row.id: row for row in rows}
        for contribution in shown.values():
            row = places.get(contribution.id)
            if row is None:
                continue
            note = HarvestNote(
                id=contribution.id,
                harvest=row.harvest,
                round_number=row.round_number,
                question_id=row.question_id,
                table=contribution.group_label,
                kind=contribution.kind,
                text=contribution.text,
                attribution=contribution.attribution,
                code=contribution.code,
                media_type=contribution.media_type,
                illustrative=contribution.illustrative,
                created_at=contribution.created_at,
            )
            if row.harvest == "plenary":
                found.plenary.append(note)
            else:
                by_table = found.rounds.setdefault(int(row.round_number or 0), {})
                by_table.setdefault(note.table, []).append(note)
        found.rounds.update(dict(sorted(found.rounds.items())))
        return found

    def export_harvest(self, target: FileTarget, event: str, *, file_format: str = "csv") -> int:
        """Write the harvest consent lets be shown as ``csv`` (formula-safe) or ``json`` to a
        path or binary stream; returns how many notes."""
        if file_format not in ("csv", "json"):
            raise ValidationError(
                f"No export format {file_format!r}.",
                problems=[Problem("csv or json", field="file_format")],
            )
        from mobilise.formats.safe_cells import csv_writer
        from mobilise.workspace._files import write_bytes

        found = self.harvest(event)
        notes = found.notes()
        rows = [_export_row(n, found.question_text(n.question_id)) for n in notes]
        if file_format == "json":
            data = json.dumps(found.to_dict(), ensure_ascii=False, indent=1)
            write_bytes(target, data.encode("utf-8"), name="harvest.json")
            return len(notes)
        out = io.StringIO(newline="")
        writer = csv_writer(out)  # no cell is written as a spreadsheet formula
        writer.writerow(HARVEST_COLUMNS)
        writer.writerows(rows)
        write_bytes(target, out.getvalue().encode("utf-8"), name="harvest.csv")
        return len(notes)

    # -- helpers -----------------------------------------------------------------------------
    def _place(
        self,
        event: str,
        table: str | None,
        round_number: int | None,
        question: str | None,
        problems: builtins.list[Problem],
    ) -> dict[str, Any]:
        """Where in the café a note goes: its table (or the plenary), round and question."""
        questions = self.questions(event)  # NotFound for no event
        if table:
            label = self.table(event, table).label
            if round_number is None or not 1 <= round_number <= MAX_ROUNDS:
                problems.append(Problem(f"a round from 1 to {MAX_ROUNDS}", field="round_number"))
            candidates = [q for q in questions if q.round_number == round_number]
        else:
            label, round_number = PLENARY_LABEL, None
            candidates = [q for q in questions if q.round_number is None]
        if question:
            if not any(q.id == question for q in questions):
                problems.append(Problem("not a question of this café", field="question_id"))
        elif len(candidates) == 1:
            question = candidates[0].id
        return {
            "group_label": label,
            "harvest": "table" if table else "plenary",
            "round_number": round_number,
            "question_id": question or None,
        }

    def _by_key(self, event: str, client_key: str, values: dict[str, Any]) -> HarvestNote | None:
        """The note or photo kept under ``client_key`` for this event, table (or plenary) and
        round (``values`` from :meth:`_place`); None when the key is new. A key kept anywhere
        else is a Conflict that shows nothing of what was kept there."""
        with self._ws.read() as connection:
            row = _keyed(connection, client_key)
        if row is None:
            return None
        if row.deleted_at is not None:
            raise Conflict(f"The note sent with key {client_key!r} has been taken away.")
        place = (row.event_id, row.harvest, row.group_label, row.round_number)
        wanted = (event, values["harvest"], values["group_label"], values["round_number"])
        if place != wanted:
            raise Conflict(
                f"The note key {client_key!r} is already used by another event, table or "
                "round: send the note again with a new key."
            )
        return _note(row._mapping, row.group_label)


def _keyed(connection: Connection, client_key: str) -> Any:
    columns = [c for c in event_contributions.c if c.name not in ("media", "thumbnail")]
    return connection.execute(
        select(*columns).where(event_contributions.c.client_key == client_key)
    ).one_or_none()


def _key_problems(client_key: str | None) -> builtins.list[Problem]:
    if client_key is None or CLIENT_KEY.match(client_key):
        return []
    return [Problem("8 to 64 letters, digits or dashes (a UUID)", field="client_key")]


def _note(row: Any, label: str) -> HarvestNote:
    return HarvestNote(
        id=row["id"],
        harvest=row["harvest"],
        round_number=row["round_number"],
        question_id=row["question_id"],
        table=label,
        kind=row["kind"],
        text=row["text"],
        attribution="group" if not row.get("participant_id") else "pseudonym",
        code=None,
        media_type=row.get("media_type") or "",
        illustrative=bool(row.get("illustrative")),
        created_at=row["created_at"],
    )


def _export_row(note: HarvestNote, question: str) -> builtins.list[Any]:
    record = note.to_dict() | {"question": question}
    return [record[column] for column in HARVEST_COLUMNS]

"""Relationship data from elsewhere into survey rounds (private to the survey service): new
partners added, rounds created when missing, each respondent's ties recorded as a submitted
response whose source is ``import``. All inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import Problem, ValidationError
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS
from mobilise.model.relationships import PartnerRow, RelationshipData, TieRow
from mobilise.store.records import insert_record
from mobilise.store.tables import partners, survey_rounds
from mobilise.workspace import _survey_store as store
from mobilise.workspace._common import ImportSummary
from mobilise.workspace._survey_fields import date_of

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["RelationshipImport", "import_relationships"]


class RelationshipImport:
    """Relationship data read from a file: checked against the workspace without the write
    lock (:meth:`check`), then stored inside the caller's transaction (:meth:`write`)."""

    def __init__(
        self, workspace: Workspace, data: RelationshipData, *, default_sector: str | None
    ) -> None:
        self._ws = workspace
        self.data = data
        self._default_sector = default_sector

    def check(self, connection: Connection) -> None:
        """Raise ``ValidationError`` naming every problem (a new partner without a sector,
        answers without a round), having written nothing."""
        _, problems = _problems(connection, self.data, self._default_sector)
        if problems:
            raise ValidationError(f"{self.data.name}: cannot import.", problems=problems)

    def write(self, connection: Connection) -> ImportSummary:
        return import_relationships(
            self._ws, connection, self.data, default_sector=self._default_sector
        )

    def discard(self) -> None:
        return None


def import_relationships(
    workspace: Workspace,
    connection: Connection,
    data: RelationshipData,
    *,
    default_sector: str | None = None,
) -> ImportSummary:
    """Store relationship data (see :meth:`~mobilise.workspace.surveys.SurveyService.import_file`)."""
    actor = workspace.actor
    new_partners, problems = _problems(connection, data, default_sector)
    if problems:
        raise ValidationError(f"{data.name}: cannot import.", problems=problems)
    summary = workspace.partners.import_rows(connection, new_partners, file=data.name)
    ids = {r.key: r.id for r in connection.execute(select(partners.c.key, partners.c.id))}
    notes = list(summary.notes)
    answers = 0
    for name in data.rounds:
        round_id = _round(connection, name, notes, actor=actor)
        ties = [t for t in data.ties if t.round == name]
        involved = {ids[t.respondent] for t in ties} | {ids[t.partner] for t in ties}
        on_roster = set(store.roster(connection, round_id))
        store.add_to_roster(connection, round_id, sorted(involved - on_roster), actor=actor)
        for respondent, given in _answers_by_respondent(ties, ids).items():
            store.record(
                connection,
                round_id,
                respondent,
                given,
                actor=actor,
                submit=True,
                source="import",
                partial=True,
            )
            answers += len(given)
    notes.append(f"{answers} answers in {len(data.rounds)} rounds")
    if data.left_out:
        notes.append(f"{len(data.left_out)} repeated rows left out")
        notes.extend(data.left_out)
    return ImportSummary(
        file=data.name,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        links=answers,
        notes=notes,
    )


def _problems(
    connection: Connection, data: RelationshipData, default_sector: str | None
) -> tuple[list[PartnerRow], list[Problem]]:
    """The file's new partners, and every problem with storing the file."""
    new_partners, problems = _new_partners(connection, data, default_sector)
    if any(tie.round is None for tie in data.ties):
        problems.insert(
            0, Problem("say which round these answers belong to (--round)", file=data.name)
        )
    return new_partners, problems


def _new_partners(
    connection: Connection, data: RelationshipData, default_sector: str | None
) -> tuple[list[PartnerRow], list[Problem]]:
    """The file's partners not stored yet, each with a sector (the file's or the default);
    a problem for each that has none."""
    known = set(connection.execute(select(partners.c.key)).scalars())
    problems: list[Problem] = []
    found = []
    for partner in data.partners:
        if partner.key in known:
            continue
        sector = partner.sector or default_sector
        if sector is None:
            problems.append(
                Problem(
                    f"partner {partner.key!r} is new and the file gives no sector: add it "
                    "to the partners first or give a default sector",
                    file=data.name,
                    row=partner.row,
                    field="sector",
                )
            )
            continue
        found.append(replace(partner, sector=sector))
    return found, problems


def _answers_by_respondent(
    ties: Sequence[TieRow], ids: Mapping[str, str]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each respondent's answers about each partner, by their ids (a "no" is only that)."""
    by_respondent: dict[str, dict[str, dict[str, Any]]] = {}
    for tie in ties:
        answer = {
            "works_together": tie.works_together
            if tie.works_together is not None
            else tie.level != 0,
            "level": tie.level,
            "frequency": tie.frequency,
            **tie.items,
        }
        if answer["works_together"] is False:
            answer = {"works_together": False}
        by_respondent.setdefault(ids[tie.respondent], {})[ids[tie.partner]] = answer
    return by_respondent


def _round(connection: Connection, name: str, notes: list[str], *, actor: str) -> str:
    """The id of the round called ``name``; a new closed round (dated by its name) if none."""
    row = connection.execute(
        select(survey_rounds.c.id).where(
            survey_rounds.c.name == name, survey_rounds.c.deleted_at.is_(None)
        )
    ).first()
    if row is not None:
        return str(row.id)
    day = date_of(name)
    made = insert_record(
        connection,
        survey_rounds,
        {
            "name": name,
            "date": day,
            "description": "",
            "min_raters": DEFAULT_MIN_RATERS,
            "status": "closed",
        },
        actor=actor,
        entity_type="survey_round",
    )
    notes.append(f"new round {name!r} dated {day.isoformat()}")
    return str(made["id"])

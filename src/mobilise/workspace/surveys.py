"""Survey rounds of the partnership: roster, single-use invitations, answers saved and resumed.

A round has a date, a roster (the partners asked about, by default the members on that date) and a
status: ``draft`` (being set up), ``open`` (answers accepted) or ``closed``. Each partner on the
roster answers once, through an invitation link that needs no login: the link carries a random
token of which only the hash is stored. The link opens the survey, saves a draft as often as the
respondent likes (to come back to later) and submits once; after that it no longer opens the
survey. Issuing a new link for a partner withdraws the old one.

Relationship data from elsewhere (edge lists, GraphML, GEXF) is imported into rounds as submitted
responses whose source is ``import``.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.formats.partner_files import read_relationships
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS
from mobilise.model.relationships import RelationshipData
from mobilise.store.records import insert_record, now, soft_delete_record, update_record
from mobilise.store.tables import (
    partners,
    round_roster,
    survey_answers,
    survey_invitations,
    survey_responses,
    survey_rounds,
)
from mobilise.workspace._common import ImportSummary
from mobilise.workspace._survey_fields import (
    ANSWER_FIELDS,
    Invitation,
    Round,
    SurveyForm,
    answer_problems,
    code_problems,
    date_of,
    round_problems,
    token_hash,
)

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["Invitation", "Round", "SurveyForm", "SurveyService"]


class SurveyService:
    """Rounds, rosters, invitations and answers (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- rounds --------------------------------------------------------------------------------
    def create_round(
        self,
        name: str,
        *,
        date: date,
        description: str = "",
        min_raters: int = DEFAULT_MIN_RATERS,
        status: str = "draft",
        roster: Sequence[str] | None = None,
    ) -> Round:
        """A new round; its roster is ``roster`` (ids or keys) or the members on ``date``."""
        values = {"name": name, "date": date, "description": description}
        problems = round_problems({**values, "min_raters": min_raters, "status": status})
        if problems:
            raise ValidationError(f"Cannot create round {name!r}.", problems=problems)
        with self._ws.write() as connection:
            if connection.execute(
                select(survey_rounds.c.id).where(survey_rounds.c.name == name.strip())
            ).first():
                raise Conflict(f"There is a round called {name!r} already.")
            row = insert_record(
                connection,
                survey_rounds,
                {
                    "name": name.strip(),
                    "date": date,
                    "description": description.strip(),
                    "min_raters": min_raters,
                    "status": status,
                },
                actor=self._ws.actor,
                entity_type="survey_round",
            )
            if roster is None:
                ids = [p.id for p in self._ws.partners.list(on=date)]
            else:
                ids = [self._ws.partners.resolve(connection, p) for p in roster]
            self._add_to_roster(connection, row["id"], ids)
        return self.get_round(row["id"])

    def rounds(self) -> builtins.list[Round]:
        """The rounds, oldest first."""
        with self._ws.read() as connection:
            ids = connection.execute(
                select(survey_rounds.c.id)
                .where(survey_rounds.c.deleted_at.is_(None))
                .order_by(survey_rounds.c.date, survey_rounds.c.name)
            ).scalars()
            return [self._round(connection, rid) for rid in ids]

    def get_round(self, round_: str) -> Round:
        """A round by id or name."""
        with self._ws.read() as connection:
            return self._round(connection, self.round_id(connection, round_))

    def update_round(
        self, round_: str, changes: Mapping[str, Any], *, version: int | None
    ) -> Round:
        problems = round_problems(changes, partial=True)
        if problems:
            raise ValidationError("Cannot change the round.", problems=problems)
        with self._ws.write() as connection:
            round_id = self.round_id(connection, round_)
            update_record(
                connection,
                survey_rounds,
                round_id,
                {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()},
                expected_version=version,
                actor=self._ws.actor,
                entity_type="survey_round",
            )
            return self._round(connection, round_id)

    def delete_round(self, round_: str) -> None:
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                survey_rounds,
                self.round_id(connection, round_),
                expected_version=None,
                actor=self._ws.actor,
                entity_type="survey_round",
            )

    # -- roster --------------------------------------------------------------------------------
    def roster(self, round_: str) -> builtins.list[str]:
        """The partner ids on a round's roster."""
        with self._ws.read() as connection:
            return self._roster(connection, self.round_id(connection, round_))

    def set_roster(self, round_: str, partner_ids: Sequence[str]) -> Round:
        """Replace a round's roster (partners who already answered cannot be taken off)."""
        with self._ws.write() as connection:
            round_id = self.round_id(connection, round_)
            wanted = {self._ws.partners.resolve(connection, p) for p in partner_ids}
            answered = set(
                connection.execute(
                    select(survey_responses.c.respondent_id).where(
                        survey_responses.c.round_id == round_id
                    )
                ).scalars()
            )
            current = set(self._roster(connection, round_id))
            kept_out = (answered & current) - wanted
            if kept_out:
                raise Conflict(
                    f"{len(kept_out)} partners on the roster have answered already; they stay."
                )
            removed = sorted(current - wanted)
            connection.execute(
                update(survey_invitations)
                .where(
                    survey_invitations.c.round_id == round_id,
                    survey_invitations.c.partner_id.in_(removed),
                    survey_invitations.c.deleted_at.is_(None),
                )
                .values(deleted_at=now(), deleted_by=self._ws.actor)
            )
            connection.execute(
                delete(round_roster).where(
                    round_roster.c.round_id == round_id,
                    round_roster.c.partner_id.in_(sorted(current - wanted)),
                )
            )
            self._add_to_roster(connection, round_id, sorted(wanted - current))
            return self._round(connection, round_id)

    # -- invitations ---------------------------------------------------------------------------
    def invite(
        self, round_: str, *, partners_: Sequence[str] | None = None
    ) -> builtins.list[Invitation]:
        """New single-use links for partners on the roster who have not submitted (all, or
        those named). A partner's earlier link stops working."""
        with self._ws.write() as connection:
            round_id = self.round_id(connection, round_)
            roster = self._roster(connection, round_id)
            if partners_ is None:
                chosen = roster
            else:
                chosen = [self._ws.partners.resolve(connection, p) for p in partners_]
                off = [p for p in chosen if p not in roster]
                if off:
                    raise ValidationError(
                        f"{len(off)} of those partners are not on the round's roster."
                    )
            submitted = self._submitted(connection, round_id)
            names = {
                r.id: r.name
                for r in connection.execute(
                    select(partners.c.id, partners.c.name).where(partners.c.id.in_(chosen))
                )
            }
            issued = []
            for partner_id in chosen:
                if partner_id in submitted:
                    continue
                connection.execute(
                    update(survey_invitations)
                    .where(
                        survey_invitations.c.round_id == round_id,
                        survey_invitations.c.partner_id == partner_id,
                        survey_invitations.c.deleted_at.is_(None),
                    )
                    .values(deleted_at=now(), deleted_by=self._ws.actor)
                )
                token = secrets.token_urlsafe(24)
                insert_record(
                    connection,
                    survey_invitations,
                    {
                        "round_id": round_id,
                        "partner_id": partner_id,
                        "token_hash": token_hash(token),
                    },
                    actor=self._ws.actor,
                    entity_type="survey_invitation",
                    omit_from_audit=("token_hash",),
                )
                issued.append(Invitation(partner_id, names[partner_id], token))
            return issued

    def completion(self, round_: str) -> builtins.list[dict[str, Any]]:
        """Where each partner on the roster is: not invited, invited, opened, draft, submitted."""
        with self._ws.read() as connection:
            round_id = self.round_id(connection, round_)
            roster = self._roster(connection, round_id)
            invited = {
                r.partner_id: r
                for r in connection.execute(
                    select(survey_invitations).where(
                        survey_invitations.c.round_id == round_id,
                        survey_invitations.c.deleted_at.is_(None),
                    )
                )
            }
            responses = {
                r.respondent_id: r
                for r in connection.execute(
                    select(survey_responses).where(survey_responses.c.round_id == round_id)
                )
            }
            names = (
                {
                    r.id: r
                    for r in connection.execute(select(partners).where(partners.c.id.in_(roster)))
                }
                if roster
                else {}
            )
        rows = []
        for partner_id in roster:
            response = responses.get(partner_id)
            invitation = invited.get(partner_id)
            if response is not None:
                status = "submitted" if response.status == "submitted" else "draft"
            elif invitation is not None:
                status = "opened" if invitation.opened_at else "invited"
            else:
                status = "not invited"
            partner = names[partner_id]
            rows.append(
                {
                    "partner_id": partner_id,
                    "partner": partner.name,
                    "sector": partner.sector,
                    "status": status,
                    "source": response.source if response is not None else None,
                    "submitted_at": (
                        response.submitted_at.isoformat()
                        if response is not None and response.submitted_at
                        else None
                    ),
                }
            )
        return sorted(rows, key=lambda r: r["partner"])

    # -- answering -----------------------------------------------------------------------------
    def form(self, token: str, *, mark_opened: bool = True) -> SurveyForm:
        """The survey an invitation link opens; ``mark_opened`` records that the link was
        opened (the page leaves that to its script, so a mail program's link preview, which
        fetches the page but runs no script, does not count as the person opening it)."""
        if not mark_opened:
            with self._ws.read() as connection:
                invitation = self._invitation(connection, token)
                return self._form(connection, invitation.round_id, invitation.partner_id)
        with self._ws.write() as connection:
            invitation = self._invitation(connection, token)
            self._mark_opened(connection, invitation)
            return self._form(connection, invitation.round_id, invitation.partner_id)

    def opened(self, token: str) -> None:
        """Record that the person opened their link (from the page's script)."""
        with self._ws.write() as connection:
            self._mark_opened(connection, self._invitation(connection, token))

    def _mark_opened(self, connection: Connection, invitation: Any) -> None:
        if invitation.opened_at is None:
            connection.execute(
                update(survey_invitations)
                .where(survey_invitations.c.id == invitation.id)
                .values(opened_at=now())
            )

    def save(
        self,
        token: str,
        answers: Mapping[str, Mapping[str, Any]],
        *,
        contributions: Sequence[str] = (),
        achievements: Sequence[str] = (),
        comment: str = "",
        submit: bool = False,
    ) -> SurveyForm:
        """Save a respondent's answers (a draft, or submitted with ``submit``: then complete)."""
        with self._ws.write() as connection:
            invitation = self._invitation(connection, token, lock=True)
            self._mark_opened(connection, invitation)  # answered without the page's script
            if invitation.partner_id in self._submitted(connection, invitation.round_id):
                raise Conflict("Answers for your organisation have been submitted already.")
            round_ = self._round(connection, invitation.round_id)
            if round_.status != "open":
                raise Conflict(
                    f"Round {round_.name!r} is {round_.status}: it takes no answers now."
                )
            self._record(
                connection,
                invitation.round_id,
                invitation.partner_id,
                answers,
                contributions=contributions,
                achievements=achievements,
                comment=comment,
                submit=submit,
                source="survey",
            )
            if submit:
                connection.execute(
                    update(survey_invitations)
                    .where(survey_invitations.c.id == invitation.id)
                    .values(used_at=now())
                )
            return self._form(connection, invitation.round_id, invitation.partner_id)

    def answers(self, round_: str) -> builtins.list[dict[str, Any]]:
        """Every answer of a round's submitted responses (individual answers: admins only)."""
        with self._ws.read() as connection:
            round_id = self.round_id(connection, round_)
            submitted = self._submitted(connection, round_id)
            rows = connection.execute(
                select(survey_answers).where(survey_answers.c.round_id == round_id)
            ).mappings()
            return [
                {k: row[k] for k in ("respondent_id", "partner_id", *ANSWER_FIELDS)}
                for row in rows
                if row["respondent_id"] in submitted
            ]

    def responses(self, round_: str) -> builtins.list[dict[str, Any]]:
        """The submitted responses' answers about the partnership itself."""
        with self._ws.read() as connection:
            round_id = self.round_id(connection, round_)
            submitted = self._submitted(connection, round_id)
            rows = [
                r
                for r in connection.execute(
                    select(survey_responses).where(
                        survey_responses.c.round_id == round_id,
                        survey_responses.c.status == "submitted",
                    )
                ).mappings()
                if r["respondent_id"] in submitted
            ]
            return [
                {
                    "respondent_id": r["respondent_id"],
                    "contributions": list(r["contributions"]),
                    "achievements": list(r["achievements"]),
                    "comment": r["comment"],
                    "source": r["source"],
                }
                for r in rows
            ]

    def set_details(
        self,
        round_: str,
        respondent: str,
        *,
        contributions: Sequence[str],
        achievements: Sequence[str],
        comment: str = "",
    ) -> None:
        """Record a submitted response's answers about the partnership itself (e.g. from a
        paper form or an import): what the respondent brings and what has been achieved."""
        problems = code_problems(contributions, achievements)
        if problems:
            raise ValidationError("Cannot record these answers.", problems=problems)
        with self._ws.write() as connection:
            round_id = self.round_id(connection, round_)
            respondent_id = self._ws.partners.resolve(connection, respondent)
            row = _response(connection, round_id, respondent_id)
            if row is None:
                raise NotFound(f"{respondent!r} has no response in round {round_!r}.")
            update_record(
                connection,
                survey_responses,
                row.id,
                {
                    "contributions": list(contributions),
                    "achievements": list(achievements),
                    "comment": comment.strip(),
                },
                expected_version=None,
                actor=self._ws.actor,
                entity_type="survey_response",
            )

    # -- import --------------------------------------------------------------------------------
    def import_file(
        self,
        path: Path,
        *,
        round_: str | None = None,
        default_sector: str | None = None,
        repeats: str = "refuse",
    ) -> ImportSummary:
        """Relationship data (CSV/XLSX edge list, GraphML, GEXF) into rounds, all or nothing.

        Partners are matched by key; new ones are added (their sector from the file or
        ``default_sector``). Rounds named in the file are created when missing (dated by the
        name when it is a year or a date, else today) and closed. ``repeats``: a pair reported
        twice in a round is refused, or its ``first`` or ``last`` row kept (see
        :func:`~mobilise.formats.partner_files.read_relationships`; the notes list the rest).
        """
        data = read_relationships(path, round=round_, repeats=repeats)
        with self._ws.write() as connection:
            return self.import_data(connection, data, default_sector=default_sector)

    def import_data(
        self, connection: Connection, data: RelationshipData, *, default_sector: str | None = None
    ) -> ImportSummary:
        problems: list[Problem] = []
        if any(tie.round is None for tie in data.ties):
            problems.append(
                Problem("say which round these answers belong to (--round)", file=data.name)
            )
        known = set(connection.execute(select(partners.c.key)).scalars())
        new_partners = []
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
            new_partners.append(replace(partner, sector=sector))
        if problems:
            raise ValidationError(f"{data.name}: cannot import.", problems=problems)
        summary = self._ws.partners.import_rows(connection, new_partners, file=data.name)
        ids = {r.key: r.id for r in connection.execute(select(partners.c.key, partners.c.id))}
        notes = list(summary.notes)
        answers = 0
        for name in data.rounds:
            round_id = self._import_round(connection, name, notes)
            ties = [t for t in data.ties if t.round == name]
            involved = {ids[t.respondent] for t in ties} | {ids[t.partner] for t in ties}
            roster = set(self._roster(connection, round_id))
            self._add_to_roster(connection, round_id, sorted(involved - roster))
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
            for respondent, given in by_respondent.items():
                self._record(
                    connection,
                    round_id,
                    respondent,
                    given,
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

    # -- helpers -------------------------------------------------------------------------------
    def round_id(self, connection: Connection, round_: str) -> str:
        row = connection.execute(
            select(survey_rounds.c.id).where(
                (survey_rounds.c.id == round_) | (survey_rounds.c.name == round_),
                survey_rounds.c.deleted_at.is_(None),
            )
        ).first()
        if row is None:
            raise NotFound(f"No survey round {round_!r}. See `mobilise network rounds`.")
        return str(row.id)

    def _round(self, connection: Connection, round_id: str) -> Round:
        row = connection.execute(select(survey_rounds).where(survey_rounds.c.id == round_id)).one()
        roster = connection.execute(
            select(func.count()).where(round_roster.c.round_id == round_id)
        ).scalar_one()
        return Round(
            id=row.id,
            name=row.name,
            date=row.date,
            status=row.status,
            description=row.description,
            min_raters=row.min_raters,
            version=row.version,
            roster=roster,
            submitted=len(self._submitted(connection, round_id)),
        )

    def _roster(self, connection: Connection, round_id: str) -> builtins.list[str]:
        return list(
            connection.execute(
                select(round_roster.c.partner_id)
                .join(partners, partners.c.id == round_roster.c.partner_id)
                .where(round_roster.c.round_id == round_id, partners.c.deleted_at.is_(None))
                .order_by(partners.c.name)
            ).scalars()
        )

    def _add_to_roster(self, connection: Connection, round_id: str, ids: Iterable[str]) -> None:
        for partner_id in ids:
            insert_record(
                connection,
                round_roster,
                {"round_id": round_id, "partner_id": partner_id},
                actor=self._ws.actor,
                entity_type="round_roster",
            )

    def _submitted(self, connection: Connection, round_id: str) -> set[str]:
        """Partners on the roster (not deleted) who have submitted."""
        return set(
            connection.execute(
                select(survey_responses.c.respondent_id).where(
                    survey_responses.c.round_id == round_id,
                    survey_responses.c.status == "submitted",
                )
            ).scalars()
        ) & set(self._roster(connection, round_id))

    def _invitation(self, connection: Connection, token: str, *, lock: bool = False) -> Any:
        """The live invitation of a token. With ``lock``, its row is locked until the end of
        the transaction (PostgreSQL: two submits of one link at once queue here, and the second
        finds the link used; SQLite serialises every write anyway)."""
        query = select(survey_invitations).where(
            survey_invitations.c.token_hash == token_hash(token)
        )
        row = connection.execute(query.with_for_update() if lock else query).first()
        if row is not None and row.deleted_at is None:
            # a partner deleted or taken off the roster since the link was sent cannot answer
            on_roster = row.partner_id in self._roster(connection, row.round_id)
            if not on_roster:
                row = None
        if row is None or row.deleted_at is not None:
            raise NotFound(
                "This survey link is not valid: it may have been replaced by a newer one. "
                "Ask the person who sent it for a new link."
            )
        if row.used_at is not None:
            raise Conflict("Answers from this link have been submitted already. Thank you!")
        return row

    def _form(self, connection: Connection, round_id: str, respondent_id: str) -> SurveyForm:
        round_ = self._round(connection, round_id)
        roster = self._roster(connection, round_id)
        rows = (
            {r.id: r for r in connection.execute(select(partners).where(partners.c.id.in_(roster)))}
            if roster
            else {}
        )
        me = connection.execute(select(partners).where(partners.c.id == respondent_id)).one()
        answers = {
            r["partner_id"]: {k: r[k] for k in ANSWER_FIELDS}
            for r in connection.execute(
                select(survey_answers).where(
                    survey_answers.c.round_id == round_id,
                    survey_answers.c.respondent_id == respondent_id,
                )
            ).mappings()
        }
        response = _response(connection, round_id, respondent_id)
        return SurveyForm(
            round=round_,
            respondent_id=respondent_id,
            respondent_name=me.name,
            roster=[
                {"id": pid, "name": rows[pid].name, "sector": rows[pid].sector}
                for pid in roster
                if pid != respondent_id
            ],
            answers=answers,
            contributions=list(response.contributions) if response else [],
            achievements=list(response.achievements) if response else [],
            comment=response.comment if response else "",
            status=response.status if response else "not started",
        )

    def _record(
        self,
        connection: Connection,
        round_id: str,
        respondent_id: str,
        answers: Mapping[str, Mapping[str, Any]],
        *,
        contributions: Sequence[str] = (),
        achievements: Sequence[str] = (),
        comment: str = "",
        submit: bool,
        source: str,
        partial: bool = False,
    ) -> None:
        """Write a respondent's answers and response (checked; all or nothing)."""
        problems: list[Problem] = []
        roster = set(self._roster(connection, round_id)) - {respondent_id}
        checked: dict[str, dict[str, Any]] = {}
        for partner_id, answer in answers.items():
            if partner_id not in roster:
                problems.append(Problem("not a partner on this round's roster", field=partner_id))
                continue
            if not isinstance(answer, Mapping):
                problems.append(Problem("an answer is a set of questions", field=partner_id))
                continue
            values, found = answer_problems(partner_id, answer, final=submit and not partial)
            checked[partner_id] = values
            problems.extend(found)
        if submit and not partial:
            for partner_id in sorted(roster - set(answers)):
                problems.append(
                    Problem(
                        "please say whether you work together", field=f"{partner_id}.works_together"
                    )
                )
        problems.extend(code_problems(contributions, achievements))
        if problems:
            what = "Some answers need another look" if submit else "Cannot save these answers"
            raise ValidationError(f"{what}: {len(problems)} to fix.", problems=problems)
        existing = {
            r.partner_id: r
            for r in connection.execute(
                select(survey_answers).where(
                    survey_answers.c.round_id == round_id,
                    survey_answers.c.respondent_id == respondent_id,
                )
            )
        }
        for partner_id, values in checked.items():
            stored = existing.get(partner_id)
            if stored is None:
                insert_record(
                    connection,
                    survey_answers,
                    {
                        "round_id": round_id,
                        "respondent_id": respondent_id,
                        "partner_id": partner_id,
                        "attributes": {},
                        **values,
                    },
                    actor=self._ws.actor,
                    entity_type="survey_answer",
                )
            elif any(getattr(stored, k) != v for k, v in values.items()):
                update_record(
                    connection,
                    survey_answers,
                    stored.id,
                    values,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="survey_answer",
                )
        response = {
            "contributions": list(contributions),
            "achievements": list(achievements),
            "comment": comment.strip(),
            "status": "submitted" if submit else "draft",
            "source": source,
            "submitted_at": now() if submit else None,
        }
        stored_response = _response(connection, round_id, respondent_id)
        if stored_response is None:
            insert_record(
                connection,
                survey_responses,
                {"round_id": round_id, "respondent_id": respondent_id, **response},
                actor=self._ws.actor,
                entity_type="survey_response",
            )
        else:
            update_record(
                connection,
                survey_responses,
                stored_response.id,
                response,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="survey_response",
            )

    def _import_round(self, connection: Connection, name: str, notes: builtins.list[str]) -> str:
        row = connection.execute(
            select(survey_rounds.c.id).where(
                survey_rounds.c.name == name, survey_rounds.c.deleted_at.is_(None)
            )
        ).first()
        if row is not None:
            return str(row.id)
        day = date_of(name)
        record = insert_record(
            connection,
            survey_rounds,
            {
                "name": name,
                "date": day,
                "description": "",
                "min_raters": DEFAULT_MIN_RATERS,
                "status": "closed",
            },
            actor=self._ws.actor,
            entity_type="survey_round",
        )
        notes.append(f"new round {name!r} dated {day.isoformat()}")
        return str(record["id"])


def _response(connection: Connection, round_id: str, respondent_id: str) -> Any:
    """A respondent's stored response row in a round (draft or submitted), or None."""
    return connection.execute(
        select(survey_responses).where(
            survey_responses.c.round_id == round_id,
            survey_responses.c.respondent_id == respondent_id,
        )
    ).first()

"""Survey rounds of the partnership: roster, single-use invitations, answers saved and resumed.

A round has a date, a roster (the partners asked about, by default the members on that date) and a
status: ``draft`` (being set up), ``open`` (answers accepted) or ``closed``. Each partner on the
roster answers once, through an invitation link that needs no login: the link carries a random
token of which only the hash is stored. The link opens the survey, saves a draft as often as the
respondent likes (to come back to later) and submits once; after that it no longer opens the
survey. Issuing a new link for a partner withdraws the old one.

Relationship data from elsewhere (edge lists, GraphML, GEXF) is imported into rounds as submitted
responses whose source is ``import`` (:meth:`SurveyService.import_file`: a path, the file's bytes
or a stream). How rounds and answers are read and written is in ``_survey_store``; the import's
steps in ``_survey_import``.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, select, update

from mobilise.errors import Conflict, NotFound, ValidationError
from mobilise.model.partner_vocab import DEFAULT_MIN_RATERS
from mobilise.model.relationships import RelationshipData
from mobilise.model.visibility import DEFAULT_VISIBILITY, Viewer
from mobilise.store.records import insert_record, now, soft_delete_record, update_record
from mobilise.store.tables import (
    partners,
    round_roster,
    survey_answers,
    survey_invitations,
    survey_responses,
    survey_rounds,
)
from mobilise.workspace import _survey_store as store
from mobilise.workspace._common import ImportSummary, Progress, no_progress
from mobilise.workspace._files import FileSource, reading_path
from mobilise.workspace._survey_fields import (
    ANSWER_FIELDS,
    Invitation,
    Round,
    SurveyForm,
    code_problems,
    round_problems,
    token_hash,
)
from mobilise.workspace._survey_import import RelationshipImport, import_relationships

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
        visibility: str = DEFAULT_VISIBILITY,
    ) -> Round:
        """A new round; its roster is ``roster`` (ids or keys) or the members on ``date``;
        seen by those ``visibility`` says (:mod:`mobilise.model.visibility`)."""
        values = {"name": name, "date": date, "description": description}
        checked = {**values, "min_raters": min_raters, "status": status, "visibility": visibility}
        problems = round_problems(checked)
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
                    "visibility": visibility,
                    "share_token": secrets.token_urlsafe(24) if visibility == "link" else None,
                },
                actor=self._ws.actor,
                entity_type="survey_round",
                omit_from_audit=("share_token",),
            )
            if roster is None:
                ids = [p.id for p in self._ws.partners.list(on=date)]
            else:
                ids = [self._ws.partners.resolve(connection, p) for p in roster]
            store.add_to_roster(connection, row["id"], ids, actor=self._ws.actor)
        return self.get_round(row["id"])

    def rounds(self, *, viewer: Viewer | None = None) -> builtins.list[Round]:
        """The rounds ``viewer`` may see (all, without one), oldest first."""
        with self._ws.read() as connection:
            ids = connection.execute(
                select(survey_rounds.c.id)
                .where(survey_rounds.c.deleted_at.is_(None), store.visible_rounds(viewer))
                .order_by(survey_rounds.c.date, survey_rounds.c.name)
            ).scalars()
            return [store.load_round(connection, rid) for rid in ids]

    def get_round(self, round_: str, *, viewer: Viewer | None = None) -> Round:
        """A round by id or name; NotFound when there is none, or ``viewer`` may not see it."""
        with self._ws.read() as connection:
            return store.load_round(connection, store.round_id(connection, round_, viewer))

    def set_visibility(self, round_: str, visibility: str) -> Round:
        """Who may see the round's measures: ``group``, ``consortium`` or ``link`` (see
        :mod:`mobilise.model.visibility`)."""
        return self.update_round(round_, {"visibility": visibility}, version=None)

    def share(self, round_: str) -> str:
        """The round's share token (made on first use): its visibility becomes ``link``, and
        anyone with the link sees its measures, disclosure-controlled."""
        if self.get_round(round_).visibility != "link":
            self.set_visibility(round_, "link")
        with self._ws.read() as connection:
            return str(
                connection.execute(
                    select(survey_rounds.c.share_token).where(
                        survey_rounds.c.id == store.round_id(connection, round_)
                    )
                ).scalar_one()
            )

    def unshare(self, round_: str) -> Round:
        """Withdraw the round's share link: it is then seen by the consortium."""
        if self.get_round(round_).visibility == "link":
            return self.set_visibility(round_, "consortium")
        return self.get_round(round_)

    def by_share_token(self, token: str) -> Round:
        """The round a share link opens (only while its visibility is ``link``)."""
        with self._ws.read() as connection:
            found = connection.execute(
                select(survey_rounds.c.id).where(
                    survey_rounds.c.share_token == token,
                    survey_rounds.c.visibility == "link",
                    survey_rounds.c.deleted_at.is_(None),
                )
            ).scalar_one_or_none()
            if found is None or not token:
                raise NotFound("This link does not open a survey round (it may be withdrawn).")
            return store.load_round(connection, found)

    def update_round(
        self, round_: str, changes: Mapping[str, Any], *, version: int | None
    ) -> Round:
        problems = round_problems(changes, partial=True)
        if problems:
            raise ValidationError("Cannot change the round.", problems=problems)
        values = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
        with self._ws.write() as connection:
            round_id = store.round_id(connection, round_)
            if "visibility" in values:  # a share link lives while the round is "link"
                token = connection.execute(
                    select(survey_rounds.c.share_token).where(survey_rounds.c.id == round_id)
                ).scalar_one()
                link = values["visibility"] == "link"
                values["share_token"] = (token or secrets.token_urlsafe(24)) if link else None
            update_record(
                connection,
                survey_rounds,
                round_id,
                values,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="survey_round",
                omit_from_audit=("share_token",),
            )
            return store.load_round(connection, round_id)

    def delete_round(self, round_: str) -> None:
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                survey_rounds,
                store.round_id(connection, round_),
                expected_version=None,
                actor=self._ws.actor,
                entity_type="survey_round",
            )

    # -- roster --------------------------------------------------------------------------------
    def roster(self, round_: str) -> builtins.list[str]:
        """The partner ids on a round's roster."""
        with self._ws.read() as connection:
            return store.roster(connection, store.round_id(connection, round_))

    def set_roster(self, round_: str, partner_ids: Sequence[str]) -> Round:
        """Replace a round's roster (partners who already answered cannot be taken off)."""
        with self._ws.write() as connection:
            round_id = store.round_id(connection, round_)
            wanted = {self._ws.partners.resolve(connection, p) for p in partner_ids}
            answered = set(
                connection.execute(
                    select(survey_responses.c.respondent_id).where(
                        survey_responses.c.round_id == round_id
                    )
                ).scalars()
            )
            current = set(store.roster(connection, round_id))
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
            store.add_to_roster(
                connection, round_id, sorted(wanted - current), actor=self._ws.actor
            )
            return store.load_round(connection, round_id)

    # -- invitations ---------------------------------------------------------------------------
    def invite(
        self, round_: str, *, partners_: Sequence[str] | None = None
    ) -> builtins.list[Invitation]:
        """New single-use links for partners on the roster who have not submitted (all, or
        those named). A partner's earlier link stops working."""
        with self._ws.write() as connection:
            round_id = store.round_id(connection, round_)
            roster = store.roster(connection, round_id)
            if partners_ is None:
                chosen = roster
            else:
                chosen = [self._ws.partners.resolve(connection, p) for p in partners_]
                off = [p for p in chosen if p not in roster]
                if off:
                    raise ValidationError(
                        f"{len(off)} of those partners are not on the round's roster."
                    )
            submitted = store.submitted(connection, round_id)
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
            round_id = store.round_id(connection, round_)
            roster = store.roster(connection, round_id)
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
                invitation = store.invitation(connection, token)
                return store.load_form(connection, invitation.round_id, invitation.partner_id)
        with self._ws.write() as connection:
            invitation = store.invitation(connection, token)
            self._mark_opened(connection, invitation)
            return store.load_form(connection, invitation.round_id, invitation.partner_id)

    def opened(self, token: str) -> None:
        """Record that the person opened their link (from the page's script)."""
        with self._ws.write() as connection:
            self._mark_opened(connection, store.invitation(connection, token))

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
            invitation = store.invitation(connection, token, lock=True)
            self._mark_opened(connection, invitation)  # answered without the page's script
            if invitation.partner_id in store.submitted(connection, invitation.round_id):
                raise Conflict("Answers for your organisation have been submitted already.")
            round_ = store.load_round(connection, invitation.round_id)
            if round_.status != "open":
                raise Conflict(
                    f"Round {round_.name!r} is {round_.status}: it takes no answers now."
                )
            store.record(
                connection,
                invitation.round_id,
                invitation.partner_id,
                answers,
                actor=self._ws.actor,
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
            return store.load_form(connection, invitation.round_id, invitation.partner_id)

    def answers(self, round_: str) -> builtins.list[dict[str, Any]]:
        """Every answer of a round's submitted responses (individual answers: admins only)."""
        with self._ws.read() as connection:
            round_id = store.round_id(connection, round_)
            submitted = store.submitted(connection, round_id)
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
            round_id = store.round_id(connection, round_)
            submitted = store.submitted(connection, round_id)
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
            round_id = store.round_id(connection, round_)
            respondent_id = self._ws.partners.resolve(connection, respondent)
            row = store.response(connection, round_id, respondent_id)
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
        source: FileSource,
        *,
        name: str | None = None,
        round_: str | None = None,
        default_sector: str | None = None,
        repeats: str = "refuse",
    ) -> ImportSummary:
        """Relationship data (CSV/XLSX edge list, GraphML, GEXF) into rounds, all or nothing.

        Parameters
        ----------
        source
            The file: a path, its bytes, or a binary stream (a web upload).
        name
            The file's name, for bytes and streams: messages name it and its suffix says its
            format.
        round_
            The round of every answer, for a file without a round column.
        default_sector
            The sector of new partners the file gives none.
        repeats
            A pair reported twice in a round is refused, or its ``first`` or ``last`` row kept
            (see :func:`~mobilise.formats.partner_files.read_relationships`; the summary's
            notes list the rest).

        Partners are matched by key; new ones are added. Rounds named in the file are created
        when missing (dated by the name when it is a year or a date, else today) and closed.

        Raises
        ------
        mobilise.errors.ValidationError
            Naming the file, and the row and field of every problem; nothing is imported.
        """
        prepared = self.prepare_import(
            source, name=name, round_=round_, default_sector=default_sector, repeats=repeats
        )
        with self._ws.write() as connection:
            return prepared.write(connection)

    def prepare_import(
        self,
        source: FileSource,
        *,
        name: str | None = None,
        round_: str | None = None,
        default_sector: str | None = None,
        repeats: str = "refuse",
        progress: Progress = no_progress,
    ) -> RelationshipImport:
        """Read and check a relationship file without the write lock (see :meth:`import_file`);
        its ``write`` stores it inside a transaction."""
        from mobilise.formats.partner_files import read_relationships

        progress("Reading the file", 0, 2)
        with reading_path(source, name=name, limits=self._ws.limits) as path:
            data = read_relationships(path, round=round_, repeats=repeats, limits=self._ws.limits)
        progress("Checking against the workspace", 1, 2)
        prepared = RelationshipImport(self._ws, data, default_sector=default_sector)
        with self._ws.read() as connection:
            prepared.check(connection)
        return prepared

    def import_data(
        self, connection: Connection, data: RelationshipData, *, default_sector: str | None = None
    ) -> ImportSummary:
        """Store relationship data already read, inside the caller's transaction."""
        return import_relationships(self._ws, connection, data, default_sector=default_sector)

    def round_id(self, connection: Connection, round_: str) -> str:
        """The id of a round named by id or name (for other services)."""
        return store.round_id(connection, round_)

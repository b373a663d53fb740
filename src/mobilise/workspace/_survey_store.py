"""How survey rounds, rosters, invitations and answers are read and written (private to the
survey service and its import): each function works inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, func, select, true

from mobilise.errors import Conflict, NotFound, Problem, ValidationError
from mobilise.model.visibility import Viewer, sees_every_group
from mobilise.store.records import insert_record, now, update_record
from mobilise.store.tables import (
    partners,
    round_roster,
    survey_answers,
    survey_invitations,
    survey_responses,
    survey_rounds,
)
from mobilise.workspace._survey_fields import (
    ANSWER_FIELDS,
    Round,
    SurveyForm,
    answer_problems,
    code_problems,
    token_hash,
)

__all__ = [
    "add_to_roster",
    "invitation",
    "load_form",
    "load_round",
    "record",
    "response",
    "roster",
    "round_id",
    "submitted",
    "visible_rounds",
]


def visible_rounds(viewer: Viewer | None) -> Any:
    """A condition on ``survey_rounds``: the rounds ``viewer`` may see (``group`` rounds are
    the staff's; the operator, ``None``, sees every round)."""
    return true() if sees_every_group(viewer) else survey_rounds.c.visibility != "group"


def round_id(connection: Connection, round_: str, viewer: Viewer | None = None) -> str:
    """The id of a round named by id or name (not deleted, and one ``viewer`` may see)."""
    row = connection.execute(
        select(survey_rounds.c.id).where(
            (survey_rounds.c.id == round_) | (survey_rounds.c.name == round_),
            survey_rounds.c.deleted_at.is_(None),
            visible_rounds(viewer),
        )
    ).first()
    if row is None:
        raise NotFound(f"No survey round {round_!r}. See `mobilise network rounds`.")
    return str(row.id)


def load_round(connection: Connection, round_id: str) -> Round:
    row = connection.execute(select(survey_rounds).where(survey_rounds.c.id == round_id)).one()
    size = connection.execute(
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
        roster=size,
        submitted=len(submitted(connection, round_id)),
        visibility=row.visibility,
        shared=row.share_token is not None,
    )


def roster(connection: Connection, round_id: str) -> list[str]:
    """The ids of the partners (not deleted) on a round's roster, by name."""
    return list(
        connection.execute(
            select(round_roster.c.partner_id)
            .join(partners, partners.c.id == round_roster.c.partner_id)
            .where(round_roster.c.round_id == round_id, partners.c.deleted_at.is_(None))
            .order_by(partners.c.name)
        ).scalars()
    )


def add_to_roster(connection: Connection, round_id: str, ids: Iterable[str], *, actor: str) -> None:
    for partner_id in ids:
        insert_record(
            connection,
            round_roster,
            {"round_id": round_id, "partner_id": partner_id},
            actor=actor,
            entity_type="round_roster",
        )


def submitted(connection: Connection, round_id: str) -> set[str]:
    """Partners on the roster (not deleted) who have submitted."""
    return set(
        connection.execute(
            select(survey_responses.c.respondent_id).where(
                survey_responses.c.round_id == round_id,
                survey_responses.c.status == "submitted",
            )
        ).scalars()
    ) & set(roster(connection, round_id))


def response(connection: Connection, round_id: str, respondent_id: str) -> Any:
    """A respondent's stored response row in a round (draft or submitted), or None."""
    return connection.execute(
        select(survey_responses).where(
            survey_responses.c.round_id == round_id,
            survey_responses.c.respondent_id == respondent_id,
        )
    ).first()


def invitation(connection: Connection, token: str, *, lock: bool = False) -> Any:
    """The live invitation of a token. With ``lock``, its row is locked until the end of
    the transaction (PostgreSQL: two submits of one link at once queue here, and the second
    finds the link used; SQLite serialises every write anyway)."""
    query = select(survey_invitations).where(survey_invitations.c.token_hash == token_hash(token))
    row = connection.execute(query.with_for_update() if lock else query).first()
    if row is not None and row.deleted_at is None:
        # a partner deleted or taken off the roster since the link was sent cannot answer
        on_roster = row.partner_id in roster(connection, row.round_id)
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


def load_form(connection: Connection, round_id: str, respondent_id: str) -> SurveyForm:
    """The survey of one respondent in a round, with what they have saved."""
    on_roster = roster(connection, round_id)
    rows = (
        {r.id: r for r in connection.execute(select(partners).where(partners.c.id.in_(on_roster)))}
        if on_roster
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
    saved = response(connection, round_id, respondent_id)
    return SurveyForm(
        round=load_round(connection, round_id),
        respondent_id=respondent_id,
        respondent_name=me.name,
        roster=[
            {"id": pid, "name": rows[pid].name, "sector": rows[pid].sector}
            for pid in on_roster
            if pid != respondent_id
        ],
        answers=answers,
        contributions=list(saved.contributions) if saved else [],
        achievements=list(saved.achievements) if saved else [],
        comment=saved.comment if saved else "",
        status=saved.status if saved else "not started",
    )


def record(
    connection: Connection,
    round_id: str,
    respondent_id: str,
    answers: Mapping[str, Mapping[str, Any]],
    *,
    actor: str,
    contributions: Sequence[str] = (),
    achievements: Sequence[str] = (),
    comment: str = "",
    submit: bool,
    source: str,
    partial: bool = False,
) -> None:
    """Write a respondent's answers and response (checked; all or nothing). ``partial``: the
    answers need not cover the whole roster nor every question (an import)."""
    others = set(roster(connection, round_id)) - {respondent_id}
    checked, problems = _checked(answers, others, final=submit and not partial)
    problems.extend(code_problems(contributions, achievements))
    if problems:
        what = "Some answers need another look" if submit else "Cannot save these answers"
        raise ValidationError(f"{what}: {len(problems)} to fix.", problems=problems)
    _write_answers(connection, round_id, respondent_id, checked, actor=actor)
    values = {
        "contributions": list(contributions),
        "achievements": list(achievements),
        "comment": comment.strip(),
        "status": "submitted" if submit else "draft",
        "source": source,
        "submitted_at": now() if submit else None,
    }
    stored = response(connection, round_id, respondent_id)
    if stored is None:
        insert_record(
            connection,
            survey_responses,
            {"round_id": round_id, "respondent_id": respondent_id, **values},
            actor=actor,
            entity_type="survey_response",
        )
    else:
        update_record(
            connection,
            survey_responses,
            stored.id,
            values,
            expected_version=None,
            actor=actor,
            entity_type="survey_response",
        )


def _checked(
    answers: Mapping[str, Mapping[str, Any]], others: set[str], *, final: bool
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """Each answer's stored values, and every problem (with ``final``, also each partner on
    the roster not answered)."""
    problems: list[Problem] = []
    checked: dict[str, dict[str, Any]] = {}
    for partner_id, answer in answers.items():
        if partner_id not in others:
            problems.append(Problem("not a partner on this round's roster", field=partner_id))
            continue
        if not isinstance(answer, Mapping):
            problems.append(Problem("an answer is a set of questions", field=partner_id))
            continue
        values, found = answer_problems(partner_id, answer, final=final)
        checked[partner_id] = values
        problems.extend(found)
    if final:
        for partner_id in sorted(others - set(answers)):
            problems.append(
                Problem(
                    "please say whether you work together", field=f"{partner_id}.works_together"
                )
            )
    return checked, problems


def _write_answers(
    connection: Connection,
    round_id: str,
    respondent_id: str,
    checked: Mapping[str, dict[str, Any]],
    *,
    actor: str,
) -> None:
    """Insert the new answers and update the changed ones (unchanged ones are left alone)."""
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
                actor=actor,
                entity_type="survey_answer",
            )
        elif any(getattr(stored, k) != v for k, v in values.items()):
            update_record(
                connection,
                survey_answers,
                stored.id,
                values,
                expected_version=None,
                actor=actor,
                entity_type="survey_answer",
            )

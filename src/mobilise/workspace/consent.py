"""The consent ledger and the information sheets it refers to.

Every consent is a record, and so is every withdrawal: nothing in the ledger is changed or
deleted. A ``given`` record says who consented, when, how (paper, online, verbally with a witness
named), against which version of which information sheet, and grants each scope one by one:

- ``take_part`` (a yes/no), ``quote`` (``named``, ``anonymous`` or ``none``), ``photos``,
  ``audio``, ``video``, ``recontact`` and ``archive`` (yes/no each);
- ``share_partners``: the partners that may receive the person's pseudonymised data.

A ``withdrawn`` record names the scopes withdrawn and a cut-off date. What a person has agreed
to now (:meth:`ConsentService.state`) is the ledger read in the order it was recorded (not the
dates records state, which may be in the past but never the future): a consent states every
scope afresh and replaces what came before, a withdrawal sets the scopes it names to "no" from
a cut-off date no later than itself. Everything that shows what people gave
asks :meth:`ConsentService.permitted` which people it may show, so a withdrawal reaches every
page, export and analysis at once. The project's retention rule (``retention`` in
:mod:`~mobilise.workspace.project_settings`) decides only whether analyses may keep what was
analysed before the cut-off date; pages, exports and packs never do.

Under-16s consent through a parent or guardian (``guardian=True``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, or_, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.engagement_vocab import (
    BOOLEAN_SCOPES,
    CONSENT_METHODS,
    INFORMATION_SHEET_AUDIENCES,
    QUOTE_LEVELS,
    SCOPES,
)
from mobilise.store.records import insert_record
from mobilise.store.tables import (
    consent_records,
    engagement_events,
    information_sheets,
    participants,
    partners,
)
from mobilise.workspace._consent_state import LEDGER_READ, ConsentState, read_states
from mobilise.workspace._participant_queries import chunks, filtered

if TYPE_CHECKING:
    from sqlalchemy import Row

    from mobilise.workspace.core import Workspace

__all__ = [
    "ConsentRecord",
    "ConsentService",
    "ConsentState",
    "ConsentSummary",
    "InformationSheet",
    "scopes_ticked",
]


@dataclass(frozen=True)
class InformationSheet:
    id: str
    title: str
    sheet_version: str
    audience: str
    body: str
    published_on: date

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "published_on": self.published_on.isoformat()}


@dataclass(frozen=True)
class ConsentRecord:
    """One entry of the ledger."""

    id: str
    participant_id: str
    kind: str  # "given" or "withdrawn"
    at: datetime
    method: str
    witness: str
    information_sheet_id: str | None
    scopes: Any  # given: a mapping of scope to grant; withdrawn: a list of scopes
    cut_off: date | None
    guardian: bool
    event_id: str | None
    note: str
    recorded_by: str

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["at"] = self.at.isoformat()
        out["cut_off"] = self.cut_off.isoformat() if self.cut_off else None
        return out


@dataclass(frozen=True)
class ConsentSummary:
    """Consent coverage of a set of participants: ``granted`` counts each scope granted now,
    ``no_record`` those with no consent recorded, ``withdrew`` those who withdrew a scope."""

    participants: int
    no_record: int
    withdrew: int
    granted: dict[str, int]
    quote: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _record_of(row: Row[Any]) -> ConsentRecord:
    return ConsentRecord(
        id=row.id,
        participant_id=row.participant_id,
        kind=row.kind,
        at=row.at,
        method=row.method,
        witness=row.witness,
        information_sheet_id=row.information_sheet_id,
        scopes=row.scopes,
        cut_off=row.cut_off,
        guardian=bool(row.guardian),
        event_id=row.event_id,
        note=row.note,
        recorded_by=row.created_by,
    )


def scopes_ticked(
    granted: Iterable[str] = (), *, quote: str = "none", share_partners: Sequence[str] = ()
) -> dict[str, Any]:
    """The scopes of a consent as a form or the command line gives them: the yes/no scopes
    ticked, the quote level, the partners to share with (checked by :meth:`ConsentService.give`)."""
    scopes: dict[str, Any] = {scope: True for scope in granted}
    scopes["quote"] = quote
    if share_partners:
        scopes["share_partners"] = list(share_partners)
    return scopes


class ConsentService:
    """Information sheets, consents, withdrawals, and who may be shown under which scope."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- information sheets -----------------------------------------------------------------
    def add_sheet(
        self,
        title: str,
        sheet_version: str,
        body: str,
        *,
        audience: str = "standard",
        published_on: date | None = None,
    ) -> InformationSheet:
        """Store one version of an information sheet (a version is never changed: add a new
        one)."""
        problems = []
        if not title.strip():
            problems.append(Problem("an information sheet needs a title", field="title"))
        if not sheet_version.strip():
            problems.append(Problem("say which version this is", field="sheet_version"))
        if not body.strip():
            problems.append(Problem("the sheet's text is empty", field="body"))
        if audience not in INFORMATION_SHEET_AUDIENCES:
            problems.append(
                Problem(f"one of {', '.join(INFORMATION_SHEET_AUDIENCES)}", field="audience")
            )
        if problems:
            raise ValidationError("Cannot store the information sheet.", problems=problems)
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                information_sheets,
                {
                    "title": title.strip(),
                    "sheet_version": sheet_version.strip(),
                    "audience": audience,
                    "body": body,
                    "published_on": published_on or date.today(),
                },
                actor=self._ws.actor,
                entity_type="information sheet",
            )
        return self.sheet(row["id"])

    def sheet(self, sheet_id: str, *, published: bool = False) -> InformationSheet:
        """One information sheet; with ``published``, only once its publication day has come
        (what the public may read)."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(information_sheets).where(
                    information_sheets.c.id == sheet_id, information_sheets.c.deleted_at.is_(None)
                )
            ).first()
        if row is None or (published and row.published_on > date.today()):
            raise NotFound(f"No information sheet {sheet_id!r}.")
        return _sheet_of(row)

    def sheets(self, *, audience: str | None = None) -> list[InformationSheet]:
        """Every information sheet (of one audience), newest version first within each title."""
        if audience is not None and audience not in INFORMATION_SHEET_AUDIENCES:
            raise ValidationError(
                "Cannot list information sheets.",
                problems=[
                    Problem(f"one of {', '.join(INFORMATION_SHEET_AUDIENCES)}", field="audience")
                ],
            )
        query = (
            select(information_sheets)
            .where(information_sheets.c.deleted_at.is_(None))
            .order_by(
                information_sheets.c.title,
                information_sheets.c.published_on.desc(),
                information_sheets.c.sheet_version.desc(),
            )
        )
        if audience is not None:
            query = query.where(information_sheets.c.audience == audience)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
        return [_sheet_of(row) for row in rows]

    # -- the ledger -------------------------------------------------------------------------
    def give(
        self,
        participant: str,
        *,
        information_sheet: str | None,
        method: str,
        scopes: Mapping[str, Any],
        witness: str = "",
        guardian: bool = False,
        event: str | None = None,
        at: datetime | None = None,
        note: str = "",
    ) -> ConsentRecord:
        """Record a consent: the scopes granted, one by one, against an information sheet.

        A consent states every scope afresh: scopes left out are not granted, whatever an
        earlier consent said (a form shows the current grants ticked). ``at`` (when it was
        given; now by default) may be in the past, never in the future. Raises
        :class:`ValidationError` naming each field that cannot be accepted (no information
        sheet, an unknown scope, a verbal consent without a witness, an under-16 without their
        parent or guardian, a date in the future ...).
        """
        problems = _scope_problems(scopes)
        problems += _method_problems(method, witness)
        problems += _when_problems(at)
        if not information_sheet:
            problems.append(
                Problem(
                    "a consent needs the information sheet the person saw",
                    field="information_sheet",
                )
            )
        with self._ws.write() as connection:
            participant_id, under_16 = self._participant(connection, participant)
            if under_16 and not guardian:
                problems.append(
                    Problem(
                        "this participant is under 16: a parent or guardian gives consent",
                        field="guardian",
                    )
                )
            if (
                information_sheet
                and not connection.execute(
                    select(information_sheets.c.id).where(
                        information_sheets.c.id == information_sheet
                    )
                ).first()
            ):
                problems.append(
                    Problem(
                        f"no information sheet {information_sheet!r}", field="information_sheet"
                    )
                )
            problems += _partner_problems(connection, scopes.get("share_partners", []))
            problems += _event_problems(connection, event)
            if problems:
                raise ValidationError("Cannot record the consent.", problems=problems)
            row = insert_record(
                connection,
                consent_records,
                {
                    "participant_id": participant_id,
                    "kind": "given",
                    "at": at or datetime.now(UTC),
                    "method": method,
                    "witness": witness.strip(),
                    "information_sheet_id": information_sheet,
                    "scopes": _granted(scopes),
                    "guardian": guardian,
                    "event_id": event,
                    "note": note,
                },
                actor=self._ws.actor,
                entity_type="consent",
            )
        return self._one(row["id"])

    def withdraw(
        self,
        participant: str,
        *,
        scopes: Sequence[str],
        method: str,
        cut_off: date | None = None,
        witness: str = "",
        at: datetime | None = None,
        note: str = "",
    ) -> ConsentRecord:
        """Record a withdrawal of ``scopes`` (``"all"`` among them: every scope) from ``cut_off``
        (today when not given). From now on nothing given under those scopes is shown."""
        wanted = list(SCOPES) if "all" in scopes else list(dict.fromkeys(scopes))
        problems = [
            Problem(f"no scope {scope!r}; the scopes: {', '.join(SCOPES)}", field="scopes")
            for scope in wanted
            if scope not in SCOPES
        ]
        if not wanted:
            problems.append(Problem("name the scopes withdrawn (or 'all')", field="scopes"))
        problems += _method_problems(method, witness)
        problems += _when_problems(at)
        when = at or datetime.now(UTC)
        if cut_off is not None and cut_off > when.date():
            problems.append(
                Problem("the cut-off date cannot be after the withdrawal itself", field="cut_off")
            )
        with self._ws.write() as connection:
            participant_id, _ = self._participant(connection, participant)
            if problems:
                raise ValidationError("Cannot record the withdrawal.", problems=problems)
            row = insert_record(
                connection,
                consent_records,
                {
                    "participant_id": participant_id,
                    "kind": "withdrawn",
                    "at": when,
                    "method": method,
                    "witness": witness.strip(),
                    "scopes": wanted,
                    "cut_off": cut_off or when.date(),
                    "note": note,
                },
                actor=self._ws.actor,
                entity_type="consent",
            )
        return self._one(row["id"])

    def ledger(self, participant: str) -> list[ConsentRecord]:
        """A participant's ledger, in the order it was recorded."""
        with self._ws.read() as connection:
            participant_id, _ = self._participant(connection, participant)
            rows = connection.execute(
                select(consent_records)
                .where(consent_records.c.participant_id == participant_id)
                .order_by(consent_records.c.created_at, consent_records.c.id)
            ).all()
        return [_record_of(row) for row in rows]

    def state(self, participant_ids: Iterable[str] | None = None) -> dict[str, ConsentState]:
        """What each participant (every one when ``participant_ids`` is None) agreed to now.
        Participants with no record are absent (they have agreed to nothing)."""
        states: dict[str, ConsentState] = {}
        with self._ws.read() as connection:
            if participant_ids is None:
                read_states(connection, LEDGER_READ, states)
            else:  # a page of people: read only their records
                for batch in chunks(list(dict.fromkeys(participant_ids))):
                    where = consent_records.c.participant_id.in_(batch)
                    read_states(connection, LEDGER_READ.where(where), states)
        return states

    def summary(self, *, place: str | None = None) -> ConsentSummary:
        """How many participants (of ``place``, or all) have consented, to which scopes, and
        how many withdrew something: for staff pages (counts of rows they may see)."""
        counted = select(func.count()).select_from(participants)
        ledger = LEDGER_READ.join(
            participants, participants.c.id == consent_records.c.participant_id
        )
        states: dict[str, ConsentState] = {}
        with self._ws.read() as connection:
            total = connection.execute(filtered(counted, place=place)).scalar_one()
            read_states(connection, filtered(ledger, place=place), states)
        found = list(states.values())
        return ConsentSummary(
            participants=int(total),
            no_record=int(total) - len(found),
            withdrew=sum(1 for state in found if state.withdrawn),
            granted={scope: sum(1 for state in found if state.grants(scope)) for scope in SCOPES},
            quote={
                level: sum(1 for state in found if state.quote == level)
                for level in QUOTE_LEVELS
                if level != "none"
            },
        )

    def permitted(self, scope: str, *, analysis_on: date | None = None) -> frozenset[str]:
        """The participants whose ``scope`` is granted now: what may be shown of them.

        With ``analysis_on`` (the date an analysis's data were taken) and the project's
        retention rule ``keep_analysed``, an analysis also keeps people who withdrew ``scope``
        with a cut-off after that date. Pages, exports and packs never pass ``analysis_on``.
        """
        if scope not in SCOPES:
            raise ValidationError(f"No consent scope {scope!r}.")
        keep = analysis_on is not None and (
            self._ws.project_settings.get("retention") == "keep_analysed"
        )
        out = set()
        for participant_id, state in self.state().items():
            if state.grants(scope) or (
                keep
                and analysis_on is not None
                and state.withdrawn.get(scope, analysis_on) > analysis_on
            ):
                out.add(participant_id)
        return frozenset(out)

    # -- helpers ----------------------------------------------------------------------------
    def _one(self, record_id: str) -> ConsentRecord:
        with self._ws.read() as connection:
            row = connection.execute(
                select(consent_records).where(consent_records.c.id == record_id)
            ).one()
        return _record_of(row)

    @staticmethod
    def _participant(connection: Connection, participant: str) -> tuple[str, bool]:
        row = connection.execute(
            select(participants.c.id, participants.c.under_16).where(
                or_(participants.c.id == participant, participants.c.code == participant),
                participants.c.deleted_at.is_(None),
            )
        ).first()
        if row is None:
            raise NotFound(f"No participant {participant!r}.")
        return row.id, bool(row.under_16)


def _sheet_of(row: Row[Any]) -> InformationSheet:
    return InformationSheet(
        id=row.id,
        title=row.title,
        sheet_version=row.sheet_version,
        audience=row.audience,
        body=row.body,
        published_on=row.published_on,
    )


def _granted(scopes: Mapping[str, Any]) -> dict[str, Any]:
    """Every scope's grant: those left out are not granted."""
    out: dict[str, Any] = {scope: False for scope in BOOLEAN_SCOPES}
    out["quote"] = "none"
    out["share_partners"] = []
    out.update({scope: value for scope, value in scopes.items()})
    out["share_partners"] = list(dict.fromkeys(out["share_partners"]))
    return out


def _scope_problems(scopes: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for scope, grant in scopes.items():
        if scope not in SCOPES:
            problems.append(
                Problem(f"no scope {scope!r}; the scopes: {', '.join(SCOPES)}", field=scope)
            )
        elif scope == "quote" and grant not in QUOTE_LEVELS:
            problems.append(Problem(f"one of {', '.join(QUOTE_LEVELS)}", field="quote"))
        elif scope == "share_partners" and (
            isinstance(grant, str) or not all(isinstance(p, str) for p in grant)
        ):
            problems.append(Problem("a list of partner ids", field="share_partners"))
        elif scope in BOOLEAN_SCOPES and not isinstance(grant, bool):
            problems.append(Problem("yes or no (true or false)", field=scope))
    return problems


# How far ahead of this machine's clock a stated time may be (another device's clock).
CLOCK_SKEW = timedelta(minutes=10)


def _when_problems(at: datetime | None) -> list[Problem]:
    if at is None:
        return []
    if at.tzinfo is None:
        return [Problem("give the time with its time zone", field="at")]
    if at > datetime.now(UTC) + CLOCK_SKEW:
        return [Problem("a consent or withdrawal cannot be dated in the future", field="at")]
    return []


def _method_problems(method: str, witness: str) -> list[Problem]:
    if method not in CONSENT_METHODS:
        return [Problem(f"one of {', '.join(CONSENT_METHODS)}", field="method")]
    if method == "verbal" and not witness.strip():
        return [Problem("a verbal consent needs the witness's name", field="witness")]
    return []


def _partner_problems(connection: Connection, partner_ids: Any) -> list[Problem]:
    if not partner_ids or isinstance(partner_ids, str):
        return []
    found = set(
        connection.execute(
            select(partners.c.id).where(
                partners.c.id.in_(list(partner_ids)), partners.c.deleted_at.is_(None)
            )
        ).scalars()
    )
    return [
        Problem(f"no partner {partner!r}", field="share_partners")
        for partner in partner_ids
        if partner not in found
    ]


def _event_problems(connection: Connection, event: str | None) -> list[Problem]:
    if event is None:
        return []
    found = connection.execute(
        select(engagement_events.c.id).where(engagement_events.c.id == event)
    ).first()
    return [] if found else [Problem(f"no event {event!r}", field="event")]

"""Participants of co-production, pseudonymised by design.

Each person gets a pseudonym code (``P-7KQ3MX``) used everywhere: registrations, consent,
contributions, maps, payments. Their identity (name, contact details, the full postcode when they
agree to it being kept, a parent or guardian's name for an under-16) sits in its own table:

- only :data:`~mobilise.model.roles.IDENTITY_ROLES` (admins and the data controller) read it;
  :meth:`ParticipantService.identity` refuses everyone else;
- its values never enter the audit trail (the entries say that identity changed, not what to);
- it is erased on its own (:meth:`ParticipantService.erase_identity`): the pseudonymous record,
  its consent ledger and what they contributed under consent stay, and the audit trail records
  only that an erasure happened.

The home postcode becomes its LSOA (2011) and IMD decile at entry; the full postcode is kept only
with ``keep_postcode``.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, or_, select

from mobilise.errors import NotFound, PermissionDenied, Problem, ValidationError
from mobilise.geo import normalise_postcode
from mobilise.model.roles import IDENTITY_ROLES
from mobilise.model.visibility import Viewer
from mobilise.store.records import (
    audit,
    erase_from_audit,
    insert_record,
    update_record,
)
from mobilise.store.tables import (
    indicator_values,
    participant_identities,
    participants,
    partners,
    places,
    postcodes,
)
from mobilise.workspace._participant_fields import (
    ANSWER_FIELDS,
    IDENTITY_FIELDS,
    Identity,
    Participant,
    answer_problems,
    identity_of,
    new_code,
    participant_of,
)
from mobilise.workspace._participant_queries import (
    IDENTITY_ENTITY,
    Attendance,
    ParticipantPage,
    attendance_counts,
    attended,
    erased_at,
    filtered,
    paging_problems,
)

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "Attendance",
    "Identity",
    "Participant",
    "ParticipantPage",
    "ParticipantService",
    "may_read_identity",
]

IMD_DECILE = "imd2019_decile"
_IDENTITY = IDENTITY_ENTITY


def may_read_identity(viewer: Viewer | None) -> bool:
    """Whether ``viewer`` reads identities: the operator (``None``) and the identity roles."""
    return viewer is None or viewer.role in IDENTITY_ROLES


class ParticipantService:
    """Add, find and change participants; read and erase their identities."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- the pseudonymous record ------------------------------------------------------------
    def add(
        self,
        *,
        place: str | None = None,
        postcode: str | None = None,
        keep_postcode: bool = False,
        answers: Mapping[str, str | None] | None = None,
        lived_experience: Sequence[str] = (),
        under_16: bool = False,
        brought_by: str | None = None,
        identity: Mapping[str, str | None] | None = None,
        illustrative: bool = False,
    ) -> Participant:
        """A new participant with a fresh pseudonym code.

        ``answers`` are the equality-monitoring answers (:data:`~mobilise.model.engagement_vocab.
        ANSWERS`; "prefer_not_to_say" is always an answer; a question left out was not asked).
        ``identity`` holds ``name``, ``email``, ``phone``, ``guardian_name`` and
        ``guardian_contact`` (all optional); the postcode joins it only with ``keep_postcode``.
        ``brought_by`` is the partner (id or key) who brought the person.

        Raises
        ------
        ValidationError
            Naming each field that cannot be accepted (an unknown answer, a malformed postcode,
            an unknown place or partner, an under-16 without a parent or guardian's name).
        """
        answers = dict(answers or {})
        # Someone who says they are 15 or under is under 16, whatever box was (not) ticked.
        under_16 = under_16 or answers.get("age_band") == "0_15"
        # A field left empty (None or blank) is not given.
        given: dict[str, Any] = {
            k: v for k, v in (identity or {}).items() if v is not None and v != ""
        }
        problems = answer_problems(answers, lived_experience, self._groups())
        problems += _identity_problems(given)
        home = _postcode(postcode, problems)
        guardian = given.get("guardian_name")
        if under_16 and not (isinstance(guardian, str) and guardian.strip()):
            problems.append(
                Problem("an under-16 needs a parent or guardian's name", field="guardian_name")
            )
        if problems:
            raise ValidationError("Cannot add the participant.", problems=problems)
        with self._ws.write() as connection:
            values = self._located(connection, home, place, problems)
            if brought_by is not None:
                values["brought_by"] = self._partner_id(connection, brought_by, problems)
            if problems:
                raise ValidationError("Cannot add the participant.", problems=problems)
            row = insert_record(
                connection,
                participants,
                {
                    "code": self._free_code(connection),
                    **{name: answers.get(name) for name in ANSWER_FIELDS},
                    "lived_experience": list(dict.fromkeys(lived_experience)),
                    "under_16": under_16,
                    "illustrative": illustrative,
                    **values,
                },
                actor=self._ws.actor,
                entity_type="participant",
            )
            if given or (home and keep_postcode):
                stored: dict[str, Any] = {name: given.get(name, "") for name in IDENTITY_FIELDS}
                stored["postcode"] = home if keep_postcode else None
                self._write_identity(connection, row["id"], stored, creating=True)
        return self.get(row["id"])

    def get(self, participant: str, *, deleted: bool = False) -> Participant:
        """One participant, by id or pseudonym code."""
        with self._ws.read() as connection:
            row = connection.execute(
                select(participants).where(
                    or_(participants.c.id == participant, participants.c.code == participant)
                )
            ).first()
        if row is None or (row.deleted_at is not None and not deleted):
            raise NotFound(f"No participant {participant!r}.")
        return participant_of(row)

    def id_of(self, connection: Connection, participant: str) -> str:
        """The id of a participant named by id or code, inside a caller's transaction."""
        found = connection.execute(
            select(participants.c.id).where(
                or_(participants.c.id == participant, participants.c.code == participant),
                participants.c.deleted_at.is_(None),
            )
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No participant {participant!r}.")
        return str(found)

    def list(
        self,
        *,
        place: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Participant]:
        """Participants (pseudonymous records), newest first; ``search`` is part of a code."""
        query = filtered(select(participants), place=place, search=search).order_by(
            participants.c.created_at.desc(), participants.c.code
        )
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self._ws.read() as connection:
            return [participant_of(row) for row in connection.execute(query)]

    def page(
        self,
        *,
        place: str | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> ParticipantPage:
        """One page of participants, newest first, and how many match in all.

        Raises :class:`ValidationError` for a ``limit`` outside 1 to
        :data:`~mobilise.workspace._participant_queries.MAX_PAGE`, a negative ``offset`` or a
        ``search`` that cannot be part of a code.
        """
        problems = paging_problems(limit, offset)
        if problems:
            raise ValidationError("Cannot list participants.", problems=problems)
        with self._ws.read() as connection:
            total = connection.execute(
                filtered(select(func.count()).select_from(participants), place=place, search=search)
            ).scalar_one()
        found = self.list(place=place, search=search, limit=limit, offset=offset)
        return ParticipantPage(found, int(total), limit, offset)

    def count(self, *, place: str | None = None) -> int:
        query = filtered(select(func.count()).select_from(participants), place=place, search=None)
        with self._ws.read() as connection:
            return int(connection.execute(query).scalar_one())

    def attended(self, participant: str) -> builtins.list[Attendance]:
        """The events a participant registered for (newest first) and whether they came."""
        with self._ws.read() as connection:
            return attended(connection, self.id_of(connection, participant))

    def attendance_counts(self, participant_ids: Iterable[str]) -> dict[str, int]:
        """How many events each of ``participant_ids`` attended (absent: none)."""
        with self._ws.read() as connection:
            return attendance_counts(connection, participant_ids)

    def update(
        self,
        participant: str,
        *,
        answers: Mapping[str, str | None] | None = None,
        lived_experience: Sequence[str] | None = None,
        brought_by: str | None = None,
        version: int | None = None,
    ) -> Participant:
        """Change a participant's answers, groups or who brought them."""
        answers = dict(answers or {})
        problems = answer_problems(answers, lived_experience or (), self._groups())
        with self._ws.write() as connection:
            participant_id = self.id_of(connection, participant)
            changes: dict[str, Any] = dict(answers)
            if lived_experience is not None:
                changes["lived_experience"] = list(dict.fromkeys(lived_experience))
            if brought_by is not None:
                changes["brought_by"] = self._partner_id(connection, brought_by, problems)
            if problems:
                raise ValidationError("Cannot change the participant.", problems=problems)
            update_record(
                connection,
                participants,
                participant_id,
                changes,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="participant",
            )
        return self.get(participant_id)

    # -- identity ---------------------------------------------------------------------------
    def identity(self, participant: str, *, viewer: Viewer | None = None) -> Identity | None:
        """Who a participant is (``None`` when nothing is held, or it was erased).

        Raises
        ------
        PermissionDenied
            When ``viewer`` is not an admin or the data controller.
        """
        _check_reader(viewer)
        with self._ws.read() as connection:
            participant_id = self.id_of(connection, participant)
            row = connection.execute(
                select(participant_identities).where(
                    participant_identities.c.participant_id == participant_id
                )
            ).first()
        return identity_of(row) if row is not None else None

    def identities(
        self, participant_ids: Iterable[str], *, viewer: Viewer | None = None
    ) -> dict[str, Identity]:
        """The identities held for ``participant_ids`` (for a sign-in sheet, say)."""
        _check_reader(viewer)
        wanted = list(dict.fromkeys(participant_ids))
        with self._ws.read() as connection:
            rows = connection.execute(
                select(participant_identities).where(
                    participant_identities.c.participant_id.in_(wanted)
                )
            ).all()
        return {row.participant_id: identity_of(row) for row in rows}

    def set_identity(
        self, participant: str, values: Mapping[str, str | None], *, viewer: Viewer | None = None
    ) -> Identity | None:
        """Change what is held of who a participant is (a postcode given here is kept)."""
        _check_reader(viewer)
        # None clears a field: the postcode is then not kept, the others are left empty.
        values = {k: "" if v is None and k != "postcode" else v for k, v in values.items()}
        problems = _identity_problems(values, allowed=IDENTITY_FIELDS)
        if values.get("postcode"):
            values["postcode"] = _postcode(values["postcode"], problems)
        if problems:
            raise ValidationError("Cannot change the identity.", problems=problems)
        with self._ws.write() as connection:
            participant_id = self.id_of(connection, participant)
            held = connection.execute(
                select(participant_identities).where(
                    participant_identities.c.participant_id == participant_id
                )
            ).first()
            if held is None:
                stored: dict[str, Any] = {name: values.get(name) or "" for name in IDENTITY_FIELDS}
                stored["postcode"] = values.get("postcode") or None
                self._write_identity(connection, participant_id, stored, creating=True)
            else:
                self._write_identity(connection, participant_id, values, creating=False)
        return self.identity(participant_id, viewer=viewer)

    def erase_identity(self, participant: str, *, viewer: Viewer | None = None) -> bool:
        """Erase who a participant is; their pseudonymous record and ledger stay.

        Returns whether anything was held. The audit trail keeps one entry, "identity erased",
        and loses every identity value it may have held.
        """
        _check_reader(viewer)
        with self._ws.write() as connection:
            participant_id = self.id_of(connection, participant)
            erased = connection.execute(
                delete(participant_identities).where(
                    participant_identities.c.participant_id == participant_id
                )
            ).rowcount
            erase_from_audit(connection, _IDENTITY, participant_id, IDENTITY_FIELDS)
            audit(
                connection,
                actor=self._ws.actor,
                entity_type=_IDENTITY,
                entity_id=participant_id,
                action="erase",
                summary="identity erased" if erased else "identity erased (none was held)",
            )
        return bool(erased)

    def identity_erased_at(self, participant: str) -> datetime | None:
        """When the participant's identity was last erased (the audit trail's date), if ever.
        Not personal data: anyone who sees the pseudonymous record may be told."""
        with self._ws.read() as connection:
            return erased_at(connection, self.id_of(connection, participant))

    # -- helpers ----------------------------------------------------------------------------
    def _write_identity(
        self,
        connection: Connection,
        participant_id: str,
        values: Mapping[str, Any],
        *,
        creating: bool,
    ) -> None:
        if creating:
            insert_record(
                connection,
                participant_identities,
                {"participant_id": participant_id, **values},
                actor=self._ws.actor,
                entity_type=_IDENTITY,
                omit_from_audit=IDENTITY_FIELDS,
            )
        else:
            update_record(
                connection,
                participant_identities,
                participant_id,
                values,
                expected_version=None,
                actor=self._ws.actor,
                entity_type=_IDENTITY,
                omit_from_audit=IDENTITY_FIELDS,
            )

    def _groups(self) -> dict[str, str]:
        groups: dict[str, str] = self._ws.project_settings.get("lived_experience")
        return groups

    def _located(
        self,
        connection: Connection,
        home: str | None,
        place: str | None,
        problems: builtins.list[Problem],
    ) -> dict[str, Any]:
        """The place, LSOA and IMD decile of a home postcode."""
        values: dict[str, Any] = {"place_slug": place}
        if (
            place is not None
            and not connection.execute(
                select(places.c.slug).where(places.c.slug == place, places.c.deleted_at.is_(None))
            ).first()
        ):
            problems.append(Problem(f"no place {place!r}", field="place"))
        if home is None:
            return values
        lsoa = connection.execute(
            select(postcodes.c.lsoa11_code).where(postcodes.c.postcode == home)
        ).scalar_one_or_none()
        values["lsoa11_code"] = lsoa
        if lsoa is not None:
            decile = connection.execute(
                select(indicator_values.c.value).where(
                    indicator_values.c.indicator_id == IMD_DECILE,
                    indicator_values.c.area_code == lsoa,
                )
            ).scalar_one_or_none()
            values["imd_decile"] = int(decile) if decile is not None else None
        return values

    @staticmethod
    def _partner_id(
        connection: Connection, partner: str, problems: builtins.list[Problem]
    ) -> str | None:
        found = connection.execute(
            select(partners.c.id).where(
                or_(partners.c.id == partner, partners.c.key == partner),
                partners.c.deleted_at.is_(None),
            )
        ).scalar_one_or_none()
        if found is None:
            problems.append(Problem(f"no partner {partner!r}", field="brought_by"))
        return found

    @staticmethod
    def _free_code(connection: Connection) -> str:
        while True:
            code = new_code()
            if not connection.execute(
                select(participants.c.id).where(participants.c.code == code)
            ).first():
                return code


def _check_reader(viewer: Viewer | None) -> None:
    if not may_read_identity(viewer):
        raise PermissionDenied(
            "Only an admin or the data controller reads or changes participants' identities."
        )


def _postcode(text: str | None, problems: builtins.list[Problem]) -> str | None:
    if text is None or not str(text).strip():
        return None
    try:
        return normalise_postcode(text)
    except ValidationError as error:
        problems.extend(error.problems)
        return None


_IDENTITY_LIMITS = {
    "name": 200,
    "email": 300,
    "phone": 60,
    "postcode": 8,
    "guardian_name": 200,
    "guardian_contact": 300,
}


def _identity_problems(
    values: Mapping[str, Any], *, allowed: Sequence[str] = tuple(_IDENTITY_LIMITS)
) -> list[Problem]:
    problems = []
    for name, value in values.items():
        if name not in allowed:
            problems.append(Problem(f"no identity field {name!r}", field=name))
        elif value is not None and not isinstance(value, str):
            problems.append(Problem("must be text", field=name))
        elif value and len(value) > _IDENTITY_LIMITS[name] and name != "postcode":
            problems.append(Problem(f"at most {_IDENTITY_LIMITS[name]} characters", field=name))
    return problems

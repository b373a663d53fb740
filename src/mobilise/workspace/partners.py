"""The consortium's partners: organisations across sectors, and individual lived-experience
members under a pseudonym; their representatives; membership over time.

A partner's ``key`` is its id in files (an import matches partners by key, so importing the same
list twice changes nothing). Representatives' names and e-mail addresses are the minimum needed
to send a survey: only editors read them, and they never appear on a public or partner page.
Individual members are stored under a pseudonym only.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.model.relationships import PartnerRow
from mobilise.store.records import (
    erase_from_audit,
    insert_record,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import partner_contacts, partner_memberships, partners, places
from mobilise.workspace._common import CHUNK, ImportSummary, Progress, no_progress
from mobilise.workspace._files import FileSource, reading_path
from mobilise.workspace._partner_fields import (
    CONTACT_PERSONAL,
    KINDS,
    Contact,
    Membership,
    Partner,
    contact_of,
    partner_of,
    partner_problems,
    slug,
    text_list,
)
from mobilise.workspace._partner_import import PartnerImport
from mobilise.workspace._staging import MARK

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["KINDS", "Contact", "Membership", "Partner", "PartnerService", "partner_problems"]


class PartnerService:
    """Add, change, list and import partners; their representatives and membership."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- partners ------------------------------------------------------------------------------
    def create(
        self, name: str, *, sector: str, joined_on: date | None = None, **fields: Any
    ) -> Partner:
        """A new partner, a member from ``joined_on`` (today when not given)."""
        values = {"name": name, "sector": sector, **fields}
        problems = partner_problems(values, creating=True)
        if problems:
            raise ValidationError(f"Cannot add partner {name!r}.", problems=problems)
        with self._ws.write() as connection:
            record = self._values(connection, values, problems)
            record.setdefault("key", self._free_key(connection, slug(name)))
            if problems:
                raise ValidationError(f"Cannot add partner {name!r}.", problems=problems)
            row = insert_record(
                connection, partners, record, actor=self._ws.actor, entity_type="partner"
            )
            self._join(connection, row["id"], joined_on or date.today())
        return self.get(row["id"])

    def update(self, partner: str, changes: Mapping[str, Any], *, version: int | None) -> Partner:
        """Change a partner's fields (``version`` is the one the caller read; None: any)."""
        problems = partner_problems(changes, creating=False)
        if "key" in changes or "joined_on" in changes:
            problems.append(Problem("a partner's key and membership change elsewhere"))
        if problems:
            raise ValidationError("Cannot change the partner.", problems=problems)
        with self._ws.write() as connection:
            partner_id = self._id(connection, partner)
            record = self._values(connection, changes, problems)
            if problems:
                raise ValidationError("Cannot change the partner.", problems=problems)
            update_record(
                connection,
                partners,
                partner_id,
                record,
                expected_version=version,
                actor=self._ws.actor,
                entity_type="partner",
            )
        return self.get(partner_id)

    def delete(self, partner: str, *, version: int | None = None) -> None:
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                partners,
                self._id(connection, partner),
                expected_version=version,
                actor=self._ws.actor,
                entity_type="partner",
            )

    def restore(self, partner: str) -> Partner:
        with self._ws.write() as connection:
            partner_id = self._id(connection, partner, deleted=True)
            restore_record(
                connection,
                partners,
                partner_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="partner",
            )
        return self.get(partner_id)

    def get(self, partner: str) -> Partner:
        """A partner by id or key (deleted ones too)."""
        with self._ws.read() as connection:
            partner_id = self._id(connection, partner, deleted=True)
            row = connection.execute(select(partners).where(partners.c.id == partner_id)).one()
            return partner_of(row, self._memberships(connection, [partner_id])[partner_id])

    def list(
        self,
        *,
        sector: str | None = None,
        place: str | None = None,
        on: date | None = None,
        include_former: bool = True,
    ) -> builtins.list[Partner]:
        """The partners by name (of a sector or serving a place; members on a day)."""
        query = select(partners).where(partners.c.deleted_at.is_(None)).order_by(partners.c.name)
        if sector is not None:
            query = query.where(partners.c.sector == sector)
        with self._ws.read() as connection:
            rows = connection.execute(query).all()
            memberships = self._memberships(connection, [r.id for r in rows])
        found = [partner_of(row, memberships[row.id]) for row in rows]
        if place is not None:
            found = [p for p in found if place in p.places]
        if on is not None:
            found = [p for p in found if p.member_on(on)]
        elif not include_former:
            found = [p for p in found if p.active]
        return found

    # -- membership ----------------------------------------------------------------------------
    def leave(self, partner: str, *, on: date | None = None, note: str = "") -> Partner:
        """The partner leaves the consortium on ``on`` (today when not given)."""
        day = on or date.today()
        with self._ws.write() as connection:
            partner_id = self._id(connection, partner)
            current = [m for m in self._memberships(connection, [partner_id])[partner_id]]
            open_ones = [m for m in current if m.left_on is None]
            if not open_ones:
                raise ValidationError("That partner is not a member now.")
            membership = open_ones[-1]
            if day < membership.joined_on:
                raise ValidationError(
                    f"It joined on {membership.joined_on}: it cannot leave before."
                )
            update_record(
                connection,
                partner_memberships,
                membership.id,
                {"left_on": day, "note": note or membership.note},
                expected_version=None,
                actor=self._ws.actor,
                entity_type="partner_membership",
            )
        return self.get(partner_id)

    def rejoin(self, partner: str, *, on: date | None = None, note: str = "") -> Partner:
        """A former partner joins again."""
        day = on or date.today()
        with self._ws.write() as connection:
            partner_id = self._id(connection, partner)
            current = self._memberships(connection, [partner_id])[partner_id]
            if any(m.left_on is None for m in current):
                raise ValidationError("That partner is a member already.")
            if current and day < max(m.left_on or day for m in current):
                raise ValidationError("It cannot rejoin before it left.")
            self._join(connection, partner_id, day, note)
        return self.get(partner_id)

    # -- representatives -----------------------------------------------------------------------
    def add_contact(self, partner: str, name: str, *, role: str = "", email: str = "") -> Contact:
        """A representative of a partner (the one its survey invitation is for)."""
        problems = []
        if not name.strip():
            problems.append(Problem("a representative needs a name", field="name"))
        if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email.strip()):
            problems.append(Problem(f"{email!r} is not an e-mail address", field="email"))
        if problems:
            raise ValidationError("Cannot add the representative.", problems=problems)
        with self._ws.write() as connection:
            row = insert_record(
                connection,
                partner_contacts,
                {
                    "partner_id": self._id(connection, partner),
                    "name": name.strip(),
                    "role": role.strip(),
                    "email": email.strip(),
                },
                actor=self._ws.actor,
                entity_type="partner_contact",
                omit_from_audit=CONTACT_PERSONAL,  # personal data stays out of the audit trail
            )
        return contact_of(row)

    def contacts(self, partner: str) -> builtins.list[Contact]:
        with self._ws.read() as connection:
            partner_id = self._id(connection, partner)
            rows = connection.execute(
                select(partner_contacts)
                .where(
                    partner_contacts.c.partner_id == partner_id,
                    partner_contacts.c.deleted_at.is_(None),
                )
                .order_by(partner_contacts.c.name)
            ).mappings()
            return [contact_of(dict(r)) for r in rows]

    def remove_contact(self, contact_id: str, *, partner: str | None = None) -> None:
        """Remove a representative: their name, role and e-mail are erased (from the record and
        from any audit entry that held them), not kept for a restore. With ``partner``, only one
        of that partner's."""
        with self._ws.write() as connection:
            found = connection.execute(
                select(partner_contacts.c.partner_id).where(
                    partner_contacts.c.id == contact_id, partner_contacts.c.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
            if found is None or (partner is not None and found != self._id(connection, partner)):
                raise NotFound(f"No representative {contact_id!r} for that partner.")
            update_record(
                connection,
                partner_contacts,
                contact_id,
                dict.fromkeys(CONTACT_PERSONAL, ""),
                expected_version=None,
                actor=self._ws.actor,
                entity_type="partner_contact",
                omit_from_audit=CONTACT_PERSONAL,
            )
            soft_delete_record(
                connection,
                partner_contacts,
                contact_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="partner_contact",
            )
            erase_from_audit(connection, "partner_contact", contact_id, CONTACT_PERSONAL)

    # -- import --------------------------------------------------------------------------------
    def import_file(
        self,
        source: FileSource,
        *,
        name: str | None = None,
        default_sector: str | None = None,
        progress: Progress = no_progress,
    ) -> ImportSummary:
        """Add or update partners from a CSV/XLSX list, all or none.

        ``source`` is the file's path, its bytes or a binary stream (a web upload); ``name``
        names bytes and streams (messages name it and its suffix says its format). The columns
        are those of :func:`~mobilise.formats.partner_files.read_partners`; partners are matched
        by their id column (``key``), so importing the same list twice changes nothing.

        The file is read and checked before anything is written, and the import then holds the
        database's write lock only briefly (a big list is staged ahead in short transactions,
        see :mod:`mobilise.workspace._staging`), so other writers are not kept waiting.

        Raises
        ------
        mobilise.errors.ValidationError
            Naming the file, and the row and field of every problem; nothing is imported.
        """
        prepared = self.prepare_import(
            source, name=name, default_sector=default_sector, progress=progress
        )
        try:
            with self._ws.write() as connection:
                return prepared.write(connection)
        except BaseException:
            prepared.discard()
            raise

    def prepare_import(
        self,
        source: FileSource,
        *,
        name: str | None = None,
        default_sector: str | None = None,
        token: str | None = None,
        progress: Progress = no_progress,
    ) -> PartnerImport:
        """Read, check and plan a partner file without the write lock (staging a big one
        ahead); :meth:`PartnerImport.write` finishes it inside a transaction. ``token`` names
        the staged rows (a job's id)."""
        from mobilise.formats.partner_files import read_partners

        progress("Reading the file", 0, 3)
        with reading_path(source, name=name, limits=self._ws.limits) as path:
            rows = read_partners(path, default_sector=default_sector, limits=self._ws.limits)
            file = path.name
        progress("Checking against the workspace", 1, 3)
        prepared = PartnerImport(self._ws, rows, file=file, token=token, progress=progress)
        with self._ws.read() as connection:
            prepared.prepare(connection)
        prepared.stage()
        progress("Saving", 2, 3)
        return prepared

    def import_rows(
        self, connection: Connection, rows: Sequence[PartnerRow], *, file: str
    ) -> ImportSummary:
        """Upsert partners by key inside the caller's transaction."""
        prepared = PartnerImport(self._ws, rows, file=file, stage=False)
        prepared.prepare(connection)
        return prepared.write(connection)

    # -- helpers -------------------------------------------------------------------------------
    def resolve(self, connection: Connection, partner: str) -> str:
        """The id of a partner named by id or key (for other services)."""
        return self._id(connection, partner)

    def _id(self, connection: Connection, partner: str, *, deleted: bool = False) -> str:
        query = select(partners.c.id, partners.c.deleted_at, partners.c.deleted_by).where(
            (partners.c.id == partner) | (partners.c.key == partner)
        )
        row = connection.execute(query).first()
        staged = row is not None and (row.deleted_by or "").startswith(MARK)  # not imported yet
        if row is None or staged or (row.deleted_at is not None and not deleted):
            raise NotFound(f"No partner {partner!r}. See `mobilise partners list`.")
        return str(row.id)

    def _values(
        self, connection: Connection, values: Mapping[str, Any], problems: builtins.list[Problem]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, value in values.items():
            if name in ("places", "populations"):
                record[name] = text_list(value, name, problems)
            elif name in ("latitude", "longitude"):
                record[name] = None if value is None else float(value)
            elif name in ("name", "description", "postcode", "url", "key"):
                record[name] = str(value).strip()
            elif name != "joined_on":
                record[name] = value
        if record.get("places"):
            known = set(connection.execute(select(places.c.slug)).scalars())
            for slug in record["places"]:
                if slug not in known:
                    problems.append(Problem(f"no place {slug!r}", field="places"))
        return record

    def _free_key(self, connection: Connection, base: str) -> str:
        taken = set(
            connection.execute(
                select(partners.c.key).where(partners.c.key.like(f"{base}%"))
            ).scalars()
        )
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        return key

    def _join(self, connection: Connection, partner_id: str, day: date, note: str = "") -> None:
        insert_record(
            connection,
            partner_memberships,
            {"partner_id": partner_id, "joined_on": day, "left_on": None, "note": note},
            actor=self._ws.actor,
            entity_type="partner_membership",
        )

    def _memberships(
        self, connection: Connection, partner_ids: Sequence[str]
    ) -> dict[str, tuple[Membership, ...]]:
        found: dict[str, builtins.list[Membership]] = {pid: [] for pid in partner_ids}
        if partner_ids:
            query = (
                select(partner_memberships)
                .where(partner_memberships.c.deleted_at.is_(None))
                .order_by(partner_memberships.c.joined_on)
            )
            if len(found) <= CHUNK:  # a few partners: theirs only, not every membership
                query = query.where(partner_memberships.c.partner_id.in_(list(found)))
            for row in connection.execute(query):
                if row.partner_id in found:
                    found[row.partner_id].append(
                        Membership(row.id, row.joined_on, row.left_on, row.note)
                    )
        return {pid: tuple(ms) for pid, ms in found.items()}

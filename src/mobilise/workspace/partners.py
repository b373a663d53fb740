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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, select

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.formats.partner_files import read_partners
from mobilise.model.partner_vocab import SECTOR_CODES, SECTORS, sector_label
from mobilise.model.relationships import PartnerRow
from mobilise.store.records import (
    erase_from_audit,
    insert_record,
    restore_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import partner_contacts, partner_memberships, partners, places
from mobilise.workspace._common import ImportSummary, chunked

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["KINDS", "Contact", "Membership", "Partner", "PartnerService"]

KINDS = ("organisation", "individual")
CONTACT_PERSONAL = ("name", "role", "email")  # a representative's personal data
PARTNER_FIELDS = (
    "name",
    "sector",
    "kind",
    "description",
    "places",
    "populations",
    "postcode",
    "latitude",
    "longitude",
    "url",
)


@dataclass(frozen=True)
class Membership:
    id: str
    joined_on: date
    left_on: date | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "joined_on": self.joined_on.isoformat(),
            "left_on": self.left_on.isoformat() if self.left_on else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Contact:
    id: str
    partner_id: str
    name: str
    role: str
    email: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "partner_id": self.partner_id,
            "name": self.name,
            "role": self.role,
            "email": self.email,
        }


@dataclass(frozen=True)
class Partner:
    """A partner of the consortium (see the module docstring)."""

    id: str
    key: str
    name: str
    sector: str
    kind: str
    description: str
    places: tuple[str, ...]
    populations: tuple[str, ...]
    postcode: str
    latitude: float | None
    longitude: float | None
    url: str
    version: int
    deleted: bool = False
    memberships: tuple[Membership, ...] = field(default=())

    @property
    def sector_label(self) -> str:
        return sector_label(self.sector)

    def member_on(self, day: date) -> bool:
        """Whether the partner was a member of the consortium on ``day``."""
        return any(
            m.joined_on <= day and (m.left_on is None or day < m.left_on) for m in self.memberships
        )

    @property
    def active(self) -> bool:
        return not self.deleted and any(m.left_on is None for m in self.memberships)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "key": self.key,
            "name": self.name,
            "sector": self.sector,
            "sector_label": self.sector_label,
            "kind": self.kind,
            "description": self.description,
            "places": list(self.places),
            "populations": list(self.populations),
            "postcode": self.postcode,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "url": self.url,
            "version": self.version,
            "active": self.active,
            "memberships": [m.to_dict() for m in self.memberships],
        }


def _text_list(value: object, name: str, problems: list[Problem]) -> list[str]:
    if isinstance(value, str):
        items = re.split(r"[;|]", value)
    elif isinstance(value, Sequence):
        items = [str(v) for v in value]
    else:
        problems.append(Problem(f"{name} must be a list of words", field=name))
        return []
    return [i.strip() for i in items if i and i.strip()]


def partner_problems(values: Mapping[str, Any], *, creating: bool) -> list[Problem]:
    """What is wrong with a partner's fields (all of them at once)."""
    problems = [
        Problem(f"unknown field {name!r}; partners have {', '.join(PARTNER_FIELDS)}", field=name)
        for name in values
        if name not in PARTNER_FIELDS and name not in ("key", "joined_on")
    ]
    name = values.get("name", "" if creating else None)
    if name is not None and not str(name).strip():
        problems.append(Problem("a partner needs a name", field="name"))
    if name is not None and len(str(name)) > 300:
        problems.append(Problem("a name has at most 300 characters", field="name"))
    sector = values.get("sector", "" if creating else None)
    if sector is not None and sector not in SECTOR_CODES:
        labels = "; ".join(f"{s.code} ({s.label})" for s in SECTORS)
        problems.append(Problem(f"sector {sector!r} is not one of: {labels}", field="sector"))
    for required in ("name", "sector", "kind"):
        if required in values and values[required] is None:
            problems.append(Problem(f"{required} cannot be empty", field=required))
    url = values.get("url")
    if url and not re.match(r"https?://", str(url).strip(), flags=re.I):
        problems.append(Problem("a web address starts with http:// or https://", field="url"))
    kind = values.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(Problem(f"kind must be one of {', '.join(KINDS)}", field="kind"))
    for coord, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        value = values.get(coord)
        if value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not low <= number <= high:
            problems.append(Problem(f"{coord} must be a number from {low} to {high}", field=coord))
    return problems


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
            record.setdefault("key", self._free_key(connection, _slug(name)))
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
            return _partner(row, self._memberships(connection, [partner_id])[partner_id])

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
        found = [_partner(row, memberships[row.id]) for row in rows]
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
        return _contact(row)

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
            return [_contact(dict(r)) for r in rows]

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
    def import_file(self, path: Path, *, default_sector: str | None = None) -> ImportSummary:
        """Add or update partners from a CSV/XLSX list (see :func:`read_partners`), all or none."""
        rows = read_partners(path, default_sector=default_sector)
        with self._ws.write() as connection:
            return self.import_rows(connection, rows, file=path.name)

    def import_rows(
        self, connection: Connection, rows: Sequence[PartnerRow], *, file: str
    ) -> ImportSummary:
        """Upsert partners by key inside the caller's transaction."""
        problems: list[Problem] = []
        known_places = set(connection.execute(select(places.c.slug)).scalars())
        for row in rows:
            if row.url and not re.match(r"https?://", row.url.strip(), flags=re.I):
                problems.append(
                    Problem(
                        "a web address starts with http:// or https://",
                        file=file,
                        row=row.row,
                        field="url",
                    )
                )
            for slug in row.places:
                if slug not in known_places:
                    problems.append(
                        Problem(
                            f"no place {slug!r} in this workspace (add it first, or leave it out)",
                            file=file,
                            row=row.row,
                            field="places",
                        )
                    )
        if problems:
            raise ValidationError(f"{file}: {len(problems)} problems.", problems=problems)
        keys = [row.key for row in rows]
        existing = {
            r.key: r
            for chunk in chunked(keys)
            for r in connection.execute(select(partners).where(partners.c.key.in_(chunk)))
        }
        created = updated = unchanged = 0
        for row in rows:
            values = {
                "name": row.name,
                "sector": row.sector or "",
                "kind": row.kind,
                "description": row.description or "",
                "places": list(row.places),
                "populations": list(row.populations),
                "postcode": row.postcode or "",
                "latitude": row.latitude,
                "longitude": row.longitude,
                "url": row.url or "",
            }
            stored = existing.get(row.key)
            if stored is None:
                record = insert_record(
                    connection,
                    partners,
                    {"key": row.key, **values},
                    actor=self._ws.actor,
                    entity_type="partner",
                )
                self._join(connection, record["id"], row.joined or date.today())
                if row.left is not None:
                    self._close_membership(connection, record["id"], row.left)
                created += 1
                continue
            changes = {k: v for k, v in values.items() if getattr(stored, k) != v}
            if stored.deleted_at is not None:
                restore_record(
                    connection,
                    partners,
                    stored.id,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="partner",
                )
            if changes:
                update_record(
                    connection,
                    partners,
                    stored.id,
                    changes,
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="partner",
                )
            membership_changed = self._sync_membership(connection, stored.id, row)
            if changes or membership_changed or stored.deleted_at is not None:
                updated += 1
            else:
                unchanged += 1
        return ImportSummary(file=file, created=created, updated=updated, unchanged=unchanged)

    # -- helpers -------------------------------------------------------------------------------
    def resolve(self, connection: Connection, partner: str) -> str:
        """The id of a partner named by id or key (for other services)."""
        return self._id(connection, partner)

    def _id(self, connection: Connection, partner: str, *, deleted: bool = False) -> str:
        query = select(partners.c.id, partners.c.deleted_at).where(
            (partners.c.id == partner) | (partners.c.key == partner)
        )
        row = connection.execute(query).first()
        if row is None or (row.deleted_at is not None and not deleted):
            raise NotFound(f"No partner {partner!r}. See `mobilise partners list`.")
        return str(row.id)

    def _values(
        self, connection: Connection, values: Mapping[str, Any], problems: builtins.list[Problem]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, value in values.items():
            if name in ("places", "populations"):
                record[name] = _text_list(value, name, problems)
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

    def _close_membership(self, connection: Connection, partner_id: str, day: date) -> None:
        for membership in self._memberships(connection, [partner_id])[partner_id]:
            if membership.left_on is None:
                update_record(
                    connection,
                    partner_memberships,
                    membership.id,
                    {"left_on": day},
                    expected_version=None,
                    actor=self._ws.actor,
                    entity_type="partner_membership",
                )

    def _sync_membership(self, connection: Connection, partner_id: str, row: PartnerRow) -> bool:
        """Make the first membership match a file's joined/left dates; True when it changed."""
        current = self._memberships(connection, [partner_id])[partner_id]
        if not current:
            self._join(connection, partner_id, row.joined or date.today())
            current = self._memberships(connection, [partner_id])[partner_id]
        first = current[0]
        changes: dict[str, Any] = {}
        if row.joined is not None and row.joined != first.joined_on:
            changes["joined_on"] = row.joined
        if len(current) == 1 and row.left != first.left_on and (row.left or row.joined):
            changes["left_on"] = row.left
        if not changes:
            return False
        update_record(
            connection,
            partner_memberships,
            first.id,
            changes,
            expected_version=None,
            actor=self._ws.actor,
            entity_type="partner_membership",
        )
        return True

    def _memberships(
        self, connection: Connection, partner_ids: Sequence[str]
    ) -> dict[str, tuple[Membership, ...]]:
        found: dict[str, builtins.list[Membership]] = {pid: [] for pid in partner_ids}
        if partner_ids:
            rows = connection.execute(
                select(partner_memberships)
                .where(partner_memberships.c.deleted_at.is_(None))
                .order_by(partner_memberships.c.joined_on)
            )
            for row in rows:
                if row.partner_id in found:
                    found[row.partner_id].append(
                        Membership(row.id, row.joined_on, row.left_on, row.note)
                    )
        return {pid: tuple(ms) for pid, ms in found.items()}


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100]
    return slug or "partner"


def _partner(row: Row[Any], memberships: tuple[Membership, ...]) -> Partner:
    return Partner(
        id=row.id,
        key=row.key,
        name=row.name,
        sector=row.sector,
        kind=row.kind,
        description=row.description,
        places=tuple(row.places or ()),
        populations=tuple(row.populations or ()),
        postcode=row.postcode,
        latitude=row.latitude,
        longitude=row.longitude,
        url=row.url,
        version=row.version,
        deleted=row.deleted_at is not None,
        memberships=memberships,
    )


def _contact(row: Mapping[str, Any]) -> Contact:
    return Contact(row["id"], row["partner_id"], row["name"], row["role"], row["email"])

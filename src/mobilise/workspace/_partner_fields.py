"""What the partner service checks and returns: partners, their memberships and
representatives, and the checks of a partner's fields (kept apart from the service so each file
reads in one sitting, and so that the faces can name these records without loading the service).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem
from mobilise.model.partner_vocab import SECTOR_CODES, SECTORS, sector_label

if TYPE_CHECKING:
    from sqlalchemy import Row

__all__ = [
    "CONTACT_PERSONAL",
    "KINDS",
    "PARTNER_FIELDS",
    "Contact",
    "Membership",
    "Partner",
    "contact_of",
    "partner_of",
    "partner_problems",
    "slug",
    "text_list",
]

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


def text_list(value: object, name: str, problems: list[Problem]) -> list[str]:
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


def slug(name: str) -> str:
    found = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100]
    return found or "partner"


def partner_of(row: Row[Any], memberships: tuple[Membership, ...]) -> Partner:
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


def contact_of(row: Mapping[str, Any]) -> Contact:
    return Contact(row["id"], row["partner_id"], row["name"], row["role"], row["email"])

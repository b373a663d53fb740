"""What the participant service checks and returns: a participant (the pseudonymous record), an
identity (read only by :data:`~mobilise.model.roles.IDENTITY_ROLES`), and the checks of the
equality-monitoring answers."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem
from mobilise.model.engagement_vocab import ANSWERS, PREFER_NOT_TO_SAY

if TYPE_CHECKING:
    from sqlalchemy import Row

__all__ = [
    "ANSWER_FIELDS",
    "IDENTITY_FIELDS",
    "Identity",
    "Participant",
    "answer_problems",
    "identity_of",
    "new_code",
    "participant_of",
]

ANSWER_FIELDS = tuple(ANSWERS)
IDENTITY_FIELDS = ("name", "email", "phone", "postcode", "guardian_name", "guardian_contact")
# No 0/O, 1/I/L: a code is read aloud and copied from paper.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 6


def new_code() -> str:
    """A fresh pseudonym code, e.g. ``P-7KQ3MX`` (31⁶ ≈ 887 million codes)."""
    return "P-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


@dataclass(frozen=True)
class Participant:
    """A person taking part, under their pseudonym: no name, contact or full postcode here."""

    id: str
    code: str
    place: str | None
    lsoa11_code: str | None
    imd_decile: int | None
    answers: dict[str, str | None]
    lived_experience: list[str]
    under_16: bool
    brought_by: str | None
    illustrative: bool
    created_at: datetime
    version: int
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["created_at"] = self.created_at.isoformat()
        out.pop("extra")
        return out


def participant_of(row: Row[Any]) -> Participant:
    return Participant(
        id=row.id,
        code=row.code,
        place=row.place_slug,
        lsoa11_code=row.lsoa11_code,
        imd_decile=row.imd_decile,
        answers={name: getattr(row, name) for name in ANSWER_FIELDS},
        lived_experience=list(row.lived_experience or []),
        under_16=bool(row.under_16),
        brought_by=row.brought_by,
        illustrative=bool(row.illustrative),
        created_at=row.created_at,
        version=row.version,
        deleted=row.deleted_at is not None,
    )


@dataclass(frozen=True)
class Identity:
    """Who a participant is: personal data, for the roles that may read it."""

    participant_id: str
    name: str
    email: str
    phone: str
    postcode: str | None
    guardian_name: str
    guardian_contact: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def identity_of(row: Row[Any]) -> Identity:
    return Identity(**{name: getattr(row, name) for name in ("participant_id", *IDENTITY_FIELDS)})


def answer_problems(
    answers: Mapping[str, Any], lived_experience: Iterable[Any], groups: Mapping[str, str]
) -> list[Problem]:
    """Every problem with equality-monitoring answers and lived-experience groups."""
    problems = []
    for name, value in answers.items():
        if name not in ANSWERS:
            problems.append(
                Problem(f"no question {name!r}; the questions: {', '.join(ANSWERS)}", field=name)
            )
        elif value is not None and value != PREFER_NOT_TO_SAY and value not in ANSWERS[name]:
            problems.append(
                Problem(
                    f"{value!r} is not an answer to {name}: one of "
                    f"{', '.join(ANSWERS[name])} or {PREFER_NOT_TO_SAY}",
                    field=name,
                )
            )
    for group in lived_experience:
        if group not in groups:
            problems.append(
                Problem(
                    f"{group!r} is not one of the project's lived-experience groups "
                    f"({', '.join(groups)})",
                    field="lived_experience",
                )
            )
    return problems

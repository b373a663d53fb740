"""What the survey service checks and returns: rounds, invitations, the form, and the checks of
answers and round fields (kept apart from the service so each file reads in one sitting)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mobilise.errors import Problem
from mobilise.model.partner_vocab import (
    ACHIEVEMENTS,
    CONTRIBUTIONS,
    ROUND_STATUSES,
    SCORE_ITEMS,
)
from mobilise.model.visibility import VISIBILITIES

__all__ = [
    "ANSWER_FIELDS",
    "ROUND_FIELDS",
    "Invitation",
    "Round",
    "SurveyForm",
    "answer_problems",
    "code_problems",
    "date_of",
    "round_problems",
    "token_hash",
]

ROUND_FIELDS = ("name", "date", "status", "description", "min_raters", "visibility")
ANSWER_FIELDS = ("works_together", "frequency", "level", *SCORE_ITEMS)
_CONTRIBUTION_CODES = {code for code, _ in CONTRIBUTIONS}
_ACHIEVEMENT_CODES = {code for code, _ in ACHIEVEMENTS}


@dataclass(frozen=True)
class Round:
    id: str
    name: str
    date: date
    status: str
    description: str
    min_raters: int
    version: int
    roster: int
    submitted: int
    visibility: str = "consortium"  # see mobilise.model.visibility
    shared: bool = False  # it has a share link

    @property
    def response_rate(self) -> float | None:
        return self.submitted / self.roster if self.roster else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "date": self.date.isoformat(),
            "status": self.status,
            "description": self.description,
            "min_raters": self.min_raters,
            "version": self.version,
            "roster": self.roster,
            "submitted": self.submitted,
            "response_rate": self.response_rate,
            "visibility": self.visibility,
            "shared": self.shared,
        }


@dataclass(frozen=True)
class Invitation:
    """A newly issued link: ``token`` is shown once (only its hash is stored)."""

    partner_id: str
    partner_name: str
    token: str

    @property
    def path(self) -> str:
        return f"/survey/{self.token}"

    def to_dict(self) -> dict[str, str]:
        return {
            "partner_id": self.partner_id,
            "partner_name": self.partner_name,
            "token": self.token,
            "path": self.path,
        }


@dataclass(frozen=True)
class SurveyForm:
    """What an invitation link opens: the round, who answers, the roster and saved answers."""

    round: Round
    respondent_id: str
    respondent_name: str
    roster: list[dict[str, Any]]  # the other partners: id, name, sector
    answers: dict[str, dict[str, Any]]  # by partner id
    contributions: list[str]
    achievements: list[str]
    comment: str
    status: str  # not started, draft, submitted

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round.to_dict(),
            "respondent": {"id": self.respondent_id, "name": self.respondent_name},
            "roster": self.roster,
            "answers": self.answers,
            "contributions": self.contributions,
            "achievements": self.achievements,
            "comment": self.comment,
            "status": self.status,
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_problems(
    partner_id: str, answer: Mapping[str, Any], *, final: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """One answer about one partner, checked: the stored values and what is wrong."""
    problems: list[Problem] = []
    values: dict[str, Any] = {name: None for name in ANSWER_FIELDS}
    for name in answer:
        if name not in ANSWER_FIELDS:
            problems.append(Problem(f"unknown question {name!r}", row=None, field=name))
    works = answer.get("works_together")
    if works is not None and not isinstance(works, bool):
        problems.append(Problem("works_together must be true or false", field="works_together"))
        works = None
    values["works_together"] = works
    ranges = {"level": (1, 3), "frequency": (1, 4), **{item: (1, 4) for item in SCORE_ITEMS}}
    wrong = {p.field for p in problems}
    for name, (low, high) in ranges.items():
        raw = answer.get(name)
        if raw is None or raw == "":
            continue
        wrong.add(name)  # until it is found good
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            problems.append(Problem(f"{name} must be a whole number", field=name))
            continue
        try:
            number = int(raw)
        except ValueError:
            problems.append(Problem(f"{name} must be a whole number", field=name))
            continue
        if not low <= number <= high:
            problems.append(Problem(f"{name} must be from {low} to {high}", field=name))
            continue
        values[name] = number
        wrong.discard(name)
    if works is False:
        if any(values[name] is not None for name in ranges):
            problems.append(
                Problem("you said you do not work together: leave the rest blank", field="level")
            )
        values["level"] = 0
    elif works is True and final:
        for name in ("level", "frequency"):
            if values[name] is None and name not in wrong:  # one problem per question
                problems.append(Problem(f"please answer {name}", field=name))
    elif works is None and final:
        problems.append(Problem("please say whether you work together", field="works_together"))
    return values, [
        Problem(p.message, field=f"{partner_id}.{p.field}" if p.field else partner_id)
        for p in problems
    ]


def code_problems(contributions: Sequence[str], achievements: Sequence[str]) -> list[Problem]:
    problems = [
        Problem(f"unknown contribution {code!r}", field="contributions")
        for code in contributions
        if code not in _CONTRIBUTION_CODES
    ]
    problems.extend(
        Problem(f"unknown achievement {code!r}", field="achievements")
        for code in achievements
        if code not in _ACHIEVEMENT_CODES
    )
    return problems


def date_of(name: str) -> date:
    if re.fullmatch(r"\d{4}", name.strip()):
        return date(int(name), 1, 1)
    try:
        return date.fromisoformat(name.strip()[:10])
    except ValueError:
        pass
    year = re.search(r"\b(19|20)\d\d\b", name)  # "Round 1 — spring 2025": 1 January 2025
    return date(int(year.group()), 1, 1) if year else date.today()


def round_problems(values: Mapping[str, Any], *, partial: bool = False) -> list[Problem]:
    problems = [
        Problem(f"unknown field {k!r}; rounds have {', '.join(ROUND_FIELDS)}", field=k)
        for k in values
        if k not in ROUND_FIELDS
    ]
    if "name" in values or not partial:
        name = values.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            problems.append(Problem("a round needs a name (up to 200 characters)", field="name"))
    if "date" in values and not isinstance(values["date"], date):
        problems.append(Problem("date must be a date (YYYY-MM-DD)", field="date"))
    if "status" in values and values["status"] not in ROUND_STATUSES:
        problems.append(
            Problem(f"status must be one of {', '.join(ROUND_STATUSES)}", field="status")
        )
    if "min_raters" in values:
        k = values["min_raters"]
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 50:
            problems.append(
                Problem("min_raters must be a whole number from 1 to 50", field="min_raters")
            )
    if "visibility" in values and values["visibility"] not in VISIBILITIES:
        problems.append(
            Problem(f"visibility must be one of {', '.join(VISIBILITIES)}", field="visibility")
        )
    return problems

"""Partners and relationship reports as read from a partner list or relationship file.

The partnership readers of :mod:`mobilise.formats` return these; the workspace imports them into
its partner register and survey rounds. Codes follow :mod:`mobilise.model.partner_vocab`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["PartnerRow", "RelationshipData", "TieRow"]


@dataclass(frozen=True)
class PartnerRow:
    """One partner of a partner list (or one node of a graph file)."""

    key: str  # the file's id for the partner: its ``id`` column, else its name
    name: str
    sector: str | None = None  # a code of partner_vocab.SECTOR_CODES, None when not given
    kind: str = "organisation"  # or "individual"
    description: str | None = None
    places: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    url: str | None = None
    joined: dt.date | None = None
    left: dt.date | None = None
    row: int | None = None


@dataclass(frozen=True)
class TieRow:
    """One respondent's report about one partner in one round."""

    respondent: str
    partner: str
    round: str | None = None
    works_together: bool | None = None
    level: int | None = None  # 0..3; None = a tie of unknown level
    frequency: int | None = None  # 1..4
    items: dict[str, int] = field(default_factory=dict)  # SCORE_ITEMS answered -> 1..4
    value: float | None = None
    trust: float | None = None
    attributes: dict[str, str | float] = field(default_factory=dict)
    row: int | None = None


@dataclass(frozen=True)
class RelationshipData:
    """The ties of a relationship file and every partner it names."""

    partners: list[PartnerRow]
    ties: list[TieRow]
    rounds: tuple[str, ...]  # distinct rounds, sorted naturally ("2" before "10")
    directed: bool
    name: str
    left_out: tuple[str, ...] = ()  # repeated rows left out (``repeats`` first or last), in words

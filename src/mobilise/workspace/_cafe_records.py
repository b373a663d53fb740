"""The records of a World Café and a workshop's agenda, as the cafés service gives them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["MAX_ROUNDS", "AgendaItem", "CafeQuestion", "CafeTable"]

MAX_ROUNDS = 12
"""The most rounds a café may have."""


@dataclass(frozen=True)
class CafeQuestion:
    """A café question: of a round (1..n), or the plenary's (``round_number`` None)."""

    id: str
    event_id: str
    round_number: int | None
    position: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CafeTable:
    """A café table and its host (a first name or a username)."""

    id: str
    event_id: str
    label: str
    host: str
    position: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AgendaItem:
    """An item of a whole-system workshop's agenda, with its notes."""

    id: str
    event_id: str
    position: int
    title: str
    notes: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

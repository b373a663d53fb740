"""The records of a place comparison: the comparison and its sections (private helpers of
:mod:`mobilise.workspace.place_comparison`, which re-exports them)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["SECTION_ORDER", "Comparison", "Section", "plain", "section"]

SECTION_ORDER: tuple[tuple[str, str], ...] = (
    ("population", "Population: age and ethnic group"),
    ("deprivation", "Deprivation"),
    ("health", "Health indicators against England"),
    ("gradient", "The deprivation gradient"),
    ("access", "Access to assets and priority neighbourhoods"),
    ("assets", "Community assets per 1,000 residents"),
    ("partnership", "The partnership"),
    ("engagement", "Engagement: who was reached"),
    ("transfer", "What could transfer"),
)
"""Every section's key and title, in the order a comparison always has them."""


def plain(value: Any) -> Any:
    """JSON-ready: NaN and infinities become None, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Section:
    """One part of a comparison.

    ``places``: each place's figures by slug (plain values); ``differences``: the pairs'
    differences with their intervals; ``sentences``: plain words, those about differences
    saying which are not distinguishable from chance. ``source``, ``date``, ``licence`` and
    ``method`` say where the figures come from and how they were made; ``available`` is False
    (with ``note`` saying why) when no place has the data.
    """

    key: str
    title: str
    source: str
    date: str
    licence: str
    method: str
    places: dict[str, Any] = field(default_factory=dict)
    differences: list[dict[str, Any]] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    available: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "key": self.key,
                "title": self.title,
                "available": self.available,
                "note": self.note,
                "source": self.source,
                "date": self.date,
                "licence": self.licence,
                "method": self.method,
                "places": self.places,
                "differences": self.differences,
                "sentences": self.sentences,
            }
        )


@dataclass(frozen=True)
class Comparison:
    """Two or more places side by side: ``places`` (slug, name, areas, population) in the order
    asked, and the sections in :data:`SECTION_ORDER`."""

    places: list[dict[str, Any]]
    sections: list[Section]
    made_at: datetime
    confidence: float
    viewer_k: int | None  # the disclosure threshold applied (None: whole figures)

    @property
    def slugs(self) -> list[str]:
        return [p["slug"] for p in self.places]

    @property
    def names(self) -> dict[str, str]:
        return {p["slug"]: p["name"] for p in self.places}

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        return plain(
            {
                "places": self.places,
                "made_at": self.made_at.isoformat(),
                "confidence": self.confidence,
                "disclosure_k": self.viewer_k,
                "sections": [s.to_dict() for s in self.sections],
            }
        )


def section(key: str, *, present: bool = True, missing: str = "", **fields: Any) -> Section:
    """A section titled as in :data:`SECTION_ORDER`; without data (``present`` false) it is not
    available and ``missing`` says why."""
    return Section(
        key=key,
        title=dict(SECTION_ORDER)[key],
        available=present,
        note=fields.pop("note", "") if present else missing,
        **fields,
    )

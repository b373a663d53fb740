"""The sections of a programme synthesis, in the order pages, packs and the API show them
(shared by :mod:`mobilise.analysis.programme` and the faces, which do not import the analysis)."""

from __future__ import annotations

__all__ = ["SECTIONS"]

SECTIONS = (
    "projects",
    "methods",
    "sectors",
    "partnership",
    "reach",
    "themes",
    "outcomes",
    "access",
    "assets",
    "events",
)
"""The synthesis's sections: projects, the methods matrix, partners by sector, partnership rounds,
pooled reach, matched themes, outcomes, access headlines, assets and events."""

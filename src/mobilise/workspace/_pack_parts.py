"""The pieces an evidence pack is made of (private to :mod:`mobilise.workspace.packs`).

A pack is a list of :class:`Section` s, each made by a *provider* (a function of a
:class:`PackContext`). A section says its key fact in one plain sentence (the pack opens with
them), then its sentences, figures and tables; every figure and table names its source, date,
licence and method. A provider whose data is missing returns a section that is not
``available`` with a note saying why: the pack says so rather than leaving a hole, and the
manifest records it.

Disclosure control: a pack is a published document, so every count of people (participants,
voices, contributions, respondents) goes through :func:`people` with the project's threshold
``k``: a count from 1 to ``k - 1`` is written "fewer than k", never as the number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = [
    "AUDIENCES",
    "Figure",
    "PackContext",
    "PackReader",
    "Section",
    "Source",
    "Table",
    "people",
]

AUDIENCES: dict[str, dict[str, Any]] = {
    "board": {
        "label": "ICS board",
        "for": "an ICS board",
        "sections": (
            "population",
            "deprivation",
            "health",
            "access",
            "assets",
            "drivers",
            "comparison",
            "partnership",
            "engagement",
            "you_said",
        ),
    },
    "community": {
        "label": "Community meeting",
        "for": "a community meeting",
        "sections": (
            "population",
            "deprivation",
            "assets",
            "access",
            "engagement",
            "you_said",
            "comparison",
        ),
    },
    "funder": {
        "label": "Funder",
        "for": "a funder",
        "sections": (
            "population",
            "deprivation",
            "health",
            "assets",
            "partnership",
            "engagement",
            "you_said",
            "comparison",
        ),
    },
}
"""Each audience's label, how a title names it, and the sections it gets, in order."""


@dataclass(frozen=True)
class PackReader:
    """Who a pack is written for: anyone (not an admin), so disclosure control applies."""

    username: str = "evidence pack"
    role: str = "viewer"


@dataclass(frozen=True)
class Source:
    """Where a figure comes from: the data's name, its date, licence and the method used."""

    name: str
    date: str
    licence: str
    method: str

    def to_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Figure:
    """A static figure (inline SVG) with its caption and source."""

    svg: str
    caption: str
    source: Source


@dataclass(frozen=True)
class Table:
    """A table of text cells with its caption and source."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    source: Source


@dataclass
class Section:
    """One section of a pack (see the module docstring)."""

    key: str
    title: str
    key_fact: str = ""
    sentences: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    available: bool = True
    note: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)

    def sources(self) -> list[Source]:
        found = [f.source for f in self.figures] + [t.source for t in self.tables]
        return list(dict.fromkeys(found))

    def manifest(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "available": self.available,
            "note": self.note,
            "inputs": self.inputs,
            "sources": [s.to_dict() for s in self.sources()],
        }


@dataclass
class PackContext:
    """What providers are given: the workspace, the place (and the places compared), the
    audience, the disclosure threshold and plain-language mode (community packs)."""

    workspace: Workspace
    place: str
    compare: list[str]
    audience: str
    k: int
    reader: PackReader = field(default_factory=PackReader)

    @property
    def plain(self) -> bool:
        return self.audience == "community"

    def people(self, count: int | None) -> str:
        return people(count, self.k)


def people(count: int | None, k: int) -> str:
    """A count of people as a pack may print it: "fewer than k" from 1 to k - 1."""
    if count is None or 1 <= count < k:
        return f"fewer than {k}"
    return f"{count:,}"


Provider = Callable[[PackContext], Section]

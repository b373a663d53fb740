"""Arts Council England's Investment Programme: the arts organisations it funds, and the venues
they run.

The Investment Programme file (National Portfolio Organisations and Investment Principles Support
Organisations, one row per organisation, as Arts Council England publishes it) names each
organisation, its local authority and its main art form, but gives no address: its organisations
are not places. :func:`read_funded_organisations` reads it; :func:`link_funded_organisations`
gives a venue read from another source (the GLA Cultural Infrastructure Map, Mapping Museums,
OpenStreetMap) the funded organisation of the same name in the same local authority as its
organisation, so the organisation reaches the Open Referral feed, and says so in the venue's
description. Both are marked as written by mobilise (``extra["mobilise:derived"]``, with the
dataset they came from).

Names are compared case-folded, with "&" read as "and", punctuation and the words "the",
"ltd", "limited", "cic", "plc", "trust" left out ("The Roundhouse Trust" is "Roundhouse").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mobilise.errors import ValidationError
from mobilise.formats._asset_facts import DERIVED, mark_derived
from mobilise.formats._tables import PathLike, missing_column, read_table
from mobilise.model.assets import AssetRecord
from mobilise.settings import Limits

__all__ = ["FundedOrganisation", "link_funded_organisations", "read_funded_organisations"]

_COLUMNS = {
    "name": "Applicant Name",
    "role": "Type of organisation (NPO/IPSO/Transfer)",
    "discipline": "Main Discipline",
    "local_authority": "Local authority",
}
_ROLES = {
    "NPO": "National Portfolio Organisation",
    "IPSO": "Investment Principles Support Organisation",
}
_PERIOD_RE = re.compile(r"^(\d{4}-\d{2}) Annual Funding")
_DROPPED_WORDS = frozenset({"the", "ltd", "limited", "cic", "plc", "trust"})
_VAGUE_DISCIPLINES = {"", "not discipline specific"}


@dataclass(frozen=True)
class FundedOrganisation:
    """One organisation of the Investment Programme."""

    name: str
    local_authority: str
    role: str  # "NPO" or "IPSO" (a "(Transfer)" dropped)
    discipline: str  # the main art form, e.g. "Theatre"
    period: str  # the funding period, e.g. "2023-26"

    @property
    def dataset(self) -> str:
        return f"Arts Council England Investment Programme {self.period}".strip()

    def words(self) -> str:
        """What the organisation is, in a sentence's words."""
        role = _ROLES.get(self.role, "funded organisation")
        art = "" if self.discipline.casefold() in _VAGUE_DISCIPLINES else self.discipline.lower()
        detail = ", ".join(p for p in (self.period, art) if p)
        return f"an Arts Council England {role}" + (f" ({detail})" if detail else "")


def read_funded_organisations(
    path: PathLike, *, limits: Limits | None = None
) -> list[FundedOrganisation]:
    """The organisations of an Investment Programme file (CSV as Arts Council England
    publishes it).

    Raises
    ------
    mobilise.errors.ValidationError
        When the file cannot be read or lacks one of the columns ``Applicant Name``,
        ``Type of organisation (NPO/IPSO/Transfer)``, ``Main Discipline``, ``Local authority``.
    """
    table = read_table(path, limits=limits)
    columns = [str(c) for c in table.frame.columns]
    problems = [
        missing_column(table.name, column, columns)
        for column in _COLUMNS.values()
        if column not in columns
    ]
    if problems:
        raise ValidationError(
            f"File {table.name} is not an Investment Programme file.", problems=problems
        )
    period = max((m.group(1) for m in map(_PERIOD_RE.match, columns) if m), default="")
    found = []
    for row in table.frame.to_dict("records"):
        name = " ".join(str(row[_COLUMNS["name"]]).split())
        if name:
            found.append(
                FundedOrganisation(
                    name=name,
                    local_authority=" ".join(str(row[_COLUMNS["local_authority"]]).split()),
                    role=str(row[_COLUMNS["role"]]).replace("(Transfer)", "").strip(),
                    discipline=" ".join(str(row[_COLUMNS["discipline"]]).split()),
                    period=period,
                )
            )
    return found


def _key(name: str) -> str:
    words = re.sub(r"[^\w\s]", " ", name.casefold().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in _DROPPED_WORDS)


def _local_authority(extra: Mapping[str, Any]) -> str:
    for column in ("lad22nm", "authority", "borough_name_src", "Local authority"):
        value = extra.get(column)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split()).casefold()
    return ""


def link_funded_organisations(
    records: Iterable[AssetRecord], funded: Iterable[FundedOrganisation]
) -> int:
    """Give each record without an organisation the funded organisation of the same name in
    the same local authority (the record's ``lad22nm``, ``authority`` or ``borough_name_src``).

    The record's description (when blank or written by mobilise) gains "Run by <name>, an Arts
    Council England National Portfolio Organisation (2023-26, theatre)."; both are marked as
    written from that dataset. Returns how many records were linked.
    """
    by_key = {(_key(f.name), f.local_authority.casefold()): f for f in funded}
    linked = 0
    for record in records:
        found = by_key.get((_key(record.name), _local_authority(record.extra)))
        if found is None or record.organisation:
            continue
        record.organisation = found.name
        mark_derived(record.extra, "organisation", found.name, facts_from=found.dataset)
        written = record.extra.get(DERIVED, {}).get("description", {}).get("value")
        if not record.description or record.description == written:
            sentence = f"Run by {found.name}, {found.words()}."
            record.description = f"{record.description} {sentence}".strip()
            mark_derived(record.extra, "description", record.description, facts_from=found.dataset)
        linked += 1
    return linked

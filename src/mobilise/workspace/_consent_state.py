"""What a person agrees to now: the consent ledger read in the order it was written (each
consent states every scope afresh, so it replaces what came before; a withdrawal sets the scopes
it names to "no" from its cut-off date). The order is the order of recording, not the dates
the records state: a withdrawal recorded today with yesterday's date still comes after this
morning's consent.

Read for every participant at once by :meth:`~mobilise.workspace.consent.ConsentService.state`
(and through it by ``permitted``, which everything that shows what people gave asks), so it
reads only the columns it needs and parses each distinct set of scopes once.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, select

from mobilise.model.engagement_vocab import SCOPES
from mobilise.store.tables import consent_records

__all__ = ["LEDGER_READ", "ConsentState", "read_states"]


@dataclass
class ConsentState:
    """What one person has agreed to now. ``withdrawn`` maps each scope ever withdrawn (and
    not granted again since) to its cut-off date."""

    take_part: bool = False
    quote: str = "none"
    photos: bool = False
    audio: bool = False
    video: bool = False
    recontact: bool = False
    archive: bool = False
    share_partners: list[str] = field(default_factory=list)
    withdrawn: dict[str, date] = field(default_factory=dict)
    information_sheet_id: str | None = None
    given_at: datetime | None = None

    def grants(self, scope: str) -> bool:
        """Whether the scope is granted now (``quote``: named or anonymous)."""
        if scope == "quote":
            return self.quote != "none"
        if scope == "share_partners":
            return bool(self.share_partners)
        return bool(getattr(self, scope))

    def granted(self) -> list[str]:
        """The scopes granted now, in the order of :data:`SCOPES`."""
        return [scope for scope in SCOPES if self.grants(scope)]

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["granted"] = self.granted()
        out["withdrawn"] = {scope: day.isoformat() for scope, day in self.withdrawn.items()}
        out["given_at"] = self.given_at.isoformat() if self.given_at else None
        return out


def _apply(
    state: ConsentState,
    kind: str,
    at: datetime,
    information_sheet_id: str | None,
    scopes: Any,
    cut_off: date | None,
) -> None:
    """One ledger entry read onto what a person agrees to."""
    if kind == "given":
        for scope, grant in scopes.items():
            setattr(state, scope, list(grant) if scope == "share_partners" else grant)
            state.withdrawn.pop(scope, None)
        state.information_sheet_id = information_sheet_id
        state.given_at = at
        return
    for scope in scopes:
        setattr(
            state,
            scope,
            [] if scope == "share_partners" else ("none" if scope == "quote" else False),
        )
        state.withdrawn[scope] = cut_off or at.date()


@functools.lru_cache(maxsize=4096)
def _scopes(text: str) -> Any:
    """The scopes of a ledger entry from their JSON text; the same few grants recur across
    thousands of people, so each distinct text is parsed once (the result is only read)."""
    return json.loads(text)


LEDGER_READ = select(
    consent_records.c.participant_id,
    consent_records.c.kind,
    consent_records.c.at,
    consent_records.c.information_sheet_id,
    cast(consent_records.c.scopes, Text).label("scopes"),
    consent_records.c.cut_off,
).order_by(consent_records.c.participant_id, consent_records.c.created_at, consent_records.c.id)
"""What :meth:`ConsentService.state` reads of the ledger: the columns the state needs, the
scopes as text (see :func:`_scopes`), each person's records in the order they were written."""


def read_states(connection: Connection, query: Any, states: dict[str, ConsentState]) -> None:
    for person, kind, at, sheet, scopes, cut_off in connection.execute(query):
        state = states.get(person)
        if state is None:
            state = states[person] = ConsentState()
        _apply(state, kind, at, sheet, _scopes(scopes), cut_off)

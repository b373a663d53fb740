"""One card per real place: the records of a search that list the same place, folded into one.

The directory shows a venue once even when two sources list it (a library in the libraries file and
in OpenStreetMap) or one source lists it twice (the GLA cultural map lists a venue once per cultural
use). It folds only what the duplicate review (:mod:`.asset_duplicates`) would call surest: records
whose names are the same once normalised by the review's own
:func:`~mobilise.analysis.duplicates.normalise_name` ("The Hackney Empire Ltd" is "hackney empire"),
located within :data:`FOLD_DISTANCE_M` of each other (the review's reach) or at one address (number
and street, within :data:`SAME_ADDRESS_DISTANCE_M`: the GLA map puts one "291 Mare Street" 160 m
from another), and not kept apart by a reviewer. Names that are only alike ("Hackney Attic" and
"Hackney Museum") stay two cards: a candidate pair is for a reviewer to decide, not for the
directory to hide.

The first record in the search's order is the card; the others are listed on it ("also listed as").
The first :data:`FOLD_LIMIT` matches are folded, which covers every search around a postcode; past
them a long list (a whole place, every library) goes on record by record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mobilise.store.tables import asset_pair_decisions
from mobilise.workspace._asset_store import distance_m
from mobilise.workspace.asset_records import Asset, AssetSearch

if TYPE_CHECKING:
    from mobilise.workspace.asset_search import _Search

__all__ = [
    "FOLD_DISTANCE_M",
    "FOLD_LIMIT",
    "SAME_ADDRESS_DISTANCE_M",
    "Folded",
    "fold_places",
    "folded_search",
]

FOLD_DISTANCE_M = 100.0
"""Records of one name further apart than this (metres) are different places."""
SAME_ADDRESS_DISTANCE_M = 500.0
"""Records of one name and one address (number and street) are the same place within this
distance (metres): sources geocode one address a few hundred metres apart."""
FOLD_LIMIT = 1000
"""How many of a search's first matches are folded."""
_NOT_WORD = re.compile(r"[^\w]+")
_STREET_WORDS = {"street": "st", "road": "rd", "avenue": "ave", "lane": "ln", "place": "pl"}


@dataclass(frozen=True)
class Folded:
    """The cards of a run of search matches: each card's id in order, and the other records
    folded into each (id, name, source)."""

    cards: list[str]
    also: dict[str, list[dict[str, str]]]


def fold_places(rows: Sequence[Any], kept_apart: set[tuple[str, str]]) -> Folded:
    """Fold ``rows`` (in the search's order, each with ``id``, ``name``, ``source``, ``lon``,
    ``lat``, ``address``) into one card per place; ``kept_apart`` holds the pairs (a < b) a reviewer said
    are different places."""
    from mobilise.analysis.duplicates import normalise_name

    by_name: dict[str, list[Any]] = {}
    for row in rows:
        if row.lon is not None and row.lat is not None:
            by_name.setdefault(normalise_name(row.name), []).append(row)
    card_of: dict[str, str] = {}
    for name, same in by_name.items():
        if not name or len(same) < 2:
            continue
        for later_number, later in enumerate(same):
            for earlier in same[:later_number]:
                card = card_of.get(earlier.id, earlier.id)
                if later.id not in card_of and _same_place(earlier, later, kept_apart):
                    card_of[later.id] = card
    also: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row.id in card_of:
            also.setdefault(card_of[row.id], []).append(
                {"id": row.id, "name": row.name, "source": row.source}
            )
    return Folded([row.id for row in rows if row.id not in card_of], also)


def _same_place(a: Any, b: Any, kept_apart: set[tuple[str, str]]) -> bool:
    """Two records of one name: the same place when close, or at one address not far apart."""
    pair = (a.id, b.id) if a.id < b.id else (b.id, a.id)
    if pair in kept_apart:
        return False
    apart = distance_m(a.lon, a.lat, b.lon, b.lat)
    if apart <= FOLD_DISTANCE_M:
        return True
    address = _address_key(a.address)
    return apart <= SAME_ADDRESS_DISTANCE_M and bool(address) and address == _address_key(b.address)


def _address_key(address: str | None) -> str:
    """An address's first line as words, street types shortened ("291 Mare Street" and
    "291 Mare St." are one); empty when it has no number (a street alone is not a place)."""
    words = [_STREET_WORDS.get(w, w) for w in _NOT_WORD.sub(" ", (address or "").lower()).split()]
    line = " ".join(words[:4])
    return line if any(w.isdigit() for w in words[:4]) else ""


def folded_search(
    search: _Search,
    load: Callable[[list[str]], list[Asset]],
    *,
    page: int,
    per_page: int,
) -> AssetSearch:
    """A page of cards: the first :data:`FOLD_LIMIT` matches folded, then the rest as they
    come; ``total`` counts the cards. ``load`` reads the cards' assets by id, in order."""
    connection = search.connection
    rest: Callable[[int, int], list[str]]
    if search.open_at is None:
        head = connection.execute(
            search.statements["places"], {**search.values, "limit": FOLD_LIMIT}
        ).all()
        total = len(head)
        if total == FOLD_LIMIT:
            total = int(connection.execute(search.statements["count"], search.values).scalar_one())

        def rest(offset: int, limit: int) -> list[str]:
            chosen = {**search.values, "offset": FOLD_LIMIT + offset, "limit": limit}
            return [row.id for row in connection.execute(search.statements["keys"], chosen)]
    else:
        every = [
            r
            for r in connection.execute(search.statements["rows"], search.values)
            if search.opens(r.schedule)
        ]
        head, total = every[:FOLD_LIMIT], len(every)

        def rest(offset: int, limit: int) -> list[str]:
            return [row.id for row in every[FOLD_LIMIT + offset : FOLD_LIMIT + offset + limit]]

    folded = fold_places(head, _kept_apart(connection, {row.id for row in head}))
    start, end = (page - 1) * per_page, page * per_page
    ids = folded.cards[start:end]
    if end > len(folded.cards) and total > len(head):
        ids += rest(max(0, start - len(folded.cards)), end - max(start, len(folded.cards)))
    shown = load(ids)
    return AssetSearch(
        shown,
        total - (len(head) - len(folded.cards)),
        page,
        per_page,
        [(a.id, a.version) for a in shown],
        also_listed={a.id: folded.also[a.id] for a in shown if a.id in folded.also},
    )


def _kept_apart(connection: Any, ids: set[str]) -> set[tuple[str, str]]:
    """The pairs among ``ids`` that a reviewer kept apart."""
    d = asset_pair_decisions.c
    rows = connection.execute(
        select(d.asset_a, d.asset_b).where(d.decision == "keep_apart", d.deleted_at.is_(None))
    ).all()
    return {(r.asset_a, r.asset_b) for r in rows if r.asset_a in ids and r.asset_b in ids}

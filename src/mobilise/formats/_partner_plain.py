"""A partner list without a single problem, read column by column (private to
``partner_files``): each distinct cell of a column of words (a sector, a kind, a date, a list)
is read once, so a big list costs little more than its rows. Any problem anywhere gives
``None``, and :func:`~mobilise.formats.partner_files.read_partners` then reads the file row by
row, naming each problem; both give the same partners.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mobilise.errors import Problem
from mobilise.formats import _partner_columns as cols
from mobilise.model.relationships import PartnerRow

__all__ = ["plain_partners"]


def plain_partners(
    table: cols.Cells, columns: dict[str, str | None], default: str | None
) -> list[PartnerRow] | None:
    """The file's partners, as ``partner_files._partner`` gives each row, or ``None`` when any
    row has a problem. ``columns`` maps each field to the file's column (``None``: absent);
    ``default`` is the sector of rows without one."""
    count = len(table.rows)

    def cells(key: str) -> list[str]:
        column = columns[key]
        return table.cells[column] if column else [""] * count

    names = cells("name")
    if not all(names):
        return None
    sectors = _read_each(
        cells("sector"), lambda cell: cols.sector(cell, _NOWHERE, _Refusing()) or default
    )
    kinds = _read_each(cells("kind"), lambda cell: cols.kind(cell, _NOWHERE, _Refusing()))
    joined = _read_each(cells("joined"), lambda cell: cols.date(cell, _NOWHERE, _Refusing()))
    left = _read_each(cells("left"), lambda cell: cols.date(cell, _NOWHERE, _Refusing()))
    places = _read_each(cells("places"), cols.many)
    populations = _read_each(cells("populations"), cols.many)
    where = _positions(cells("latitude"), cells("longitude"))
    if (
        sectors is None
        or None in sectors
        or kinds is None
        or joined is None
        or left is None
        or places is None
        or populations is None
        or where is None
        or any(a and b and b < a for a, b in zip(joined, left, strict=True))
    ):
        return None
    ids = cells("id")
    keys = [key or name for key, name in zip(ids, names, strict=True)]
    if len(set(keys)) != count:
        return None
    latitudes, longitudes = where
    return [
        PartnerRow(
            key=key,
            name=name,
            sector=sector,
            kind=kind,
            description=description or None,
            places=places_,
            populations=populations_,
            postcode=postcode or None,
            latitude=latitude,
            longitude=longitude,
            url=url or None,
            joined=joined_,
            left=left_,
            row=row,
        )
        for (
            key, name, sector, kind, description, places_, populations_, postcode, latitude,
            longitude, url, joined_, left_, row,
        ) in zip(
            keys, names, sectors, kinds, cells("description"), places, populations,
            cells("postcode"), latitudes, longitudes, cells("url"), joined, left, table.rows,
            strict=True,
        )
    ]  # fmt: skip


_NOWHERE = Problem("")


class _Refused(Exception):
    """A cell reader found a problem."""


class _Refusing(list[Problem]):
    """What a cell reader reports its problems to: the first one stops the reading."""

    def append(self, problem: Problem) -> None:
        raise _Refused


def _read_each(texts: list[str], read: Callable[[str], Any]) -> list[Any] | None:
    """Each cell read by ``read``, once per distinct text; ``None`` when any is refused."""
    try:
        seen = {text: read(text) for text in set(texts)}
    except _Refused:
        return None
    return [seen[text] for text in texts]


def _positions(
    latitudes: list[str], longitudes: list[str]
) -> tuple[list[float | None], list[float | None]] | None:
    """Each row's latitude and longitude, or ``None`` when one is not a coordinate or a row
    gives only one of them."""
    if not any(latitudes) and not any(longitudes):
        return [None] * len(latitudes), [None] * len(longitudes)
    try:
        found = [
            (
                cols.number(lat, _NOWHERE, _Refusing(), low=-90, high=90),
                cols.number(lon, _NOWHERE, _Refusing(), low=-180, high=180),
            )
            for lat, lon in zip(latitudes, longitudes, strict=True)
        ]
    except _Refused:
        return None
    if any((lat is None) != (lon is None) for lat, lon in found):
        return None
    return [lat for lat, _ in found], [lon for _, lon in found]

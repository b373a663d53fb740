"""What the services share: progress reports, import summaries, chunked IN-lists, stored-code
checks, missing values."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from mobilise.errors import Problem, ValidationError
from mobilise.store.tables import areas

__all__ = [
    "CHUNK",
    "ImportSummary",
    "Progress",
    "chunked",
    "no_progress",
    "none_if_missing",
    "problems_renamed",
    "stored_area_codes",
]

# Values per IN (...) list: below SQLite's oldest variable limit (999), so any build copes.
CHUNK = 900
T = TypeVar("T")

# progress(step description, done, total): long operations report through it.
Progress = Callable[[str, int, int], None]


def no_progress(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def problems_renamed(
    rename: Callable[[list[Problem]], list[Problem]], *, what: str | None = None
) -> Iterator[None]:
    """A :class:`ValidationError` raised in the block (the store's limits refusing what it was
    given, its rows numbered within that) raised again with its problems renamed as an import
    names its file's (``rename``); with ``what``, under the message
    :meth:`ValidationError.collect` makes for that input."""
    try:
        yield
    except ValidationError as error:
        problems = rename(error.problems)
        collected = ValidationError.collect(problems, what=what) if what is not None else None
        raise collected or ValidationError(error.message, problems=problems) from None


def stored_area_codes(
    connection: Connection, codes: Sequence[str], *, include_deleted: bool = False
) -> set[str]:
    """Which of ``codes`` are stored areas (soft-deleted ones only with ``include_deleted``)."""
    found: set[str] = set()
    for chunk in chunked(list(dict.fromkeys(codes))):
        query = select(areas.c.code).where(areas.c.code.in_(chunk))
        if not include_deleted:
            query = query.where(areas.c.deleted_at.is_(None))
        found.update(connection.execute(query).scalars())
    return found


def none_if_missing(value: Any) -> Any:
    """``None`` for NaN and None; numpy scalars as plain Python values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

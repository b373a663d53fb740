"""Rows screened column by column before a bulk write are refused as the store refuses rows
one by one: the same problems, each row numbered in the whole table (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from mobilise import ValidationError
from mobilise.store.records import Same, refuse_columns, value_problems
from mobilise.store.tables import map_links

LIMIT = 100


def refused(columns: dict[str, Any]) -> list[tuple[Any, ...]]:
    try:
        refuse_columns(map_links, columns, max_text_chars=LIMIT)
    except ValidationError as error:
        assert "nothing was saved" in str(error)
        return [(p.message, p.row, p.field) for p in error.problems]
    return []


@pytest.mark.parametrize(
    ("row", "field", "value"),
    [
        (3, "evidence", "e" * (LIMIT + 1)),  # free text: max_text_chars
        (5_000, "label", "l" * 301),  # String(300): its own length
        (40_000, "polarity", "+-"),
        (2, "version", 2**63),
        (7, "evidence", "a\x00b"),
    ],
)
def test_a_value_past_a_limit_is_named_by_its_row_in_the_table(
    row: int, field: str, value: Any
) -> None:
    rows = [{"evidence": "ok", "label": "", "polarity": "+", "version": 1}] * 40_000
    rows = [*rows[: row - 1], {**rows[0], field: value}, *rows[row:]]
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    expected = value_problems(map_links, [rows[row - 1]], max_text_chars=LIMIT)
    assert refused(columns) == [(p.message, row, p.field) for p in expected]
    assert len(expected) == 1 and expected[0].field == field


def test_one_value_for_every_row_names_no_row_and_blank_or_other_cells_pass() -> None:
    assert refused({"created_by": Same("x" * 121), "map_id": ["m", "m"]}) == [
        (
            "map_links.created_by is 121 characters long; at most 120 are kept "
            "(the length of this field)",
            None,
            "created_by",
        )
    ]
    assert refused({"evidence": ["", None, "x" * LIMIT], "weight": [1.5, None, 2**70]}) == []
    assert refused({"evidence": [3, "x" * (LIMIT + 1)]})[0][1] == 2  # not text, then too long

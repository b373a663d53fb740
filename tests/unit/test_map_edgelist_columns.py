"""An edge list without a single problem is read column by column (``_PlainLinks``); whatever
file it is given, the map (or the error) must be exactly what the row-by-row reading gives."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.formats import map_edgelist
from mobilise.formats.map_edgelist import read_edge_list

CELLS = {
    "from": ["A", "B", " A", "Åccess (%)", "a", "", "C"],
    "to": ["B", "C", "A", "b", "", "a "],
    "id": ["", "L1", "x", " x", "L2"],
    "polarity": ["", "+", "-", "?", "positive", "-ve", "up", "0"],
    "weight": ["", "0.5", "-0.5", "0", "1.5", "nope", "-1"],
    "strength": ["", "weak", "High", "huge"],
    "delay": ["", "yes", "0", "maybe", "TRUE"],
    "confidence": ["", "0.2", "2", "1"],
    "evidence": ["", "said so", " spaced "],
    "group": ["", "residents"],
    "contested": ["", "no", "y", "perhaps"],
    "label": ["", "a label"],
    "note": ["", "kept", "1"],
}
tables = st.lists(st.sampled_from(sorted(CELLS)), min_size=1, unique=True).flatmap(
    lambda columns: st.tuples(
        st.just(columns),
        st.lists(st.tuples(*(st.sampled_from(CELLS[c]) for c in columns)), max_size=8),
    )
)


def _text(columns: list[str], rows: list[tuple[str, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def _read(text: str) -> object:
    try:
        return read_edge_list(text.encode(), name="links.csv")
    except ValidationError as error:
        return ("refused", str(error), error.problems)


@given(table=tables)
@settings(max_examples=150, deadline=None)
def test_the_column_reading_gives_what_the_row_reading_gives(
    table: tuple[list[str], list[tuple[str, ...]]],
) -> None:
    text = _text(*table)
    fast = _read(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(map_edgelist._PlainLinks, "of", classmethod(lambda cls, *args: None))
        slow = _read(text)
    assert fast == slow


def test_a_plain_file_takes_the_column_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = []
    of = map_edgelist._PlainLinks.of.__func__  # type: ignore[attr-defined]

    def spy(cls: type, *args: object) -> object:
        taken.append(found := of(cls, *args))
        return found

    monkeypatch.setattr(map_edgelist._PlainLinks, "of", classmethod(spy))
    read = read_edge_list(b"from,to,polarity,weight\nA,B,+,0.5\nB,C,,-1\n", name="l.csv")
    assert taken and taken[0] is not None
    assert [(k.source, k.target, k.polarity, k.weight) for k in read.links] == [
        ("a", "b", "+", 0.5),
        ("b", "c", "-", -1.0),
    ]

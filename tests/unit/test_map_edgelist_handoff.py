"""An edge list read column by column hands its links on as columns (issue 14, the 50,000-link
map import): no :class:`Link` for each row unless something reads ``links``."""

from __future__ import annotations

from typing import Any

import pytest

from mobilise.formats import map_edgelist
from mobilise.formats.map_edgelist import EdgeListMap, link_count, read_edge_list
from mobilise.formats.map_formats import read_map
from mobilise.model.causal_map import Link

ROWS = "".join(
    f"F{i % 40},F{(i * 7 + 1) % 40},{'+-'[i % 2]},{i % 3 / 4},said {i}\n" for i in range(300)
)
FILE = ("from,to,polarity,confidence,evidence\n" + ROWS).encode()


@pytest.fixture
def links_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made = [0]

    class Counted(Link):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made[0] += 1
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(map_edgelist, "Link", Counted)
    return made


def test_a_plain_edge_list_is_read_without_a_link_per_row(links_made: list[int]) -> None:
    """Old: 50,000 Link dataclasses were made, then turned back into columns for the store."""
    read = read_map(FILE, name="links.csv")  # the limits' count of factors and links included
    assert isinstance(read, EdgeListMap) and links_made[0] == 0
    columns = read.link_columns()
    assert columns is not None and len(columns) == link_count(read) == 300
    assert len(read.factors) == 40 and links_made[0] == 0
    # made when asked for, once, and equal to the row-by-row reading
    assert len(read.links) == 300 and links_made[0] == 300 and read.links is read.links
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(map_edgelist._PlainLinks, "of", classmethod(lambda cls, *args: None))
        slow = read_edge_list(FILE, name="links.csv")
    assert type(slow) is not EdgeListMap
    assert read.links == slow.links and read == slow and slow == read
    assert read.check() is read


def test_links_once_read_are_the_map_s_own(links_made: list[int]) -> None:
    read = read_edge_list(FILE, name="links.csv")
    assert isinstance(read, EdgeListMap)
    read.links.append(Link(id="extra", source=read.factors[0].id, target=read.factors[1].id))
    assert read.link_columns() is None  # the columns no longer tell the whole map
    assert link_count(read) == 301
    read.links = []
    assert read.link_columns() is None and link_count(read) == 0

"""Every parser is linear in its input (issue 14, finding 2 and "every parser linear").

Each test reads a file of n rows and one of 8n rows, made so that a parser that compares each
new row with every earlier one (a set rebuilt per label, an id searched from 2 each time, a list
searched for each column) would take 64 times longer, and fails when the larger file takes more
than 20 times as long: far above what n log n growth gives (8 to 10 times), far below
quadratic, and stable on a busy machine: each time is the processor time of this process (not
the wall clock, which other jobs on the cores stretch), the best of three reads.

The map edge-list reader rebuilt the set of all labels for each new label: 2,000, 4,000 and
8,000 links took 0.06, 0.61 and 4.0 s, and 50,000 more than ten minutes; now 0.04, 0.05, 0.12
and 0.85 s.
"""

from __future__ import annotations

import gc
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mobilise.formats import (
    kumu,
    loopy,
    map_edgelist,
    map_graphml,
    mentalmodeler,
    partner_files,
    prsm,
    prsm_tables,
    vensim,
)
from mobilise.formats._tables import table_from_text

BOUND = 20  # time(8n) / time(n) above this is worse than n log n


def best_time(read: Callable[[], object]) -> float:
    """The best of three timings, with the garbage collector paused (its full collections come
    more often as objects pile up, which would count against the parser)."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            read()
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def assert_linear(make: Callable[[int], bytes], read: Callable[[bytes], object], n: int) -> None:
    small, large = make(n), make(8 * n)
    read(small)  # warm up imports and caches
    small_s, large_s = best_time(lambda: read(small)), best_time(lambda: read(large))
    ratio = large_s / max(small_s, 1e-4)
    assert ratio < BOUND, (
        f"8x the input took {ratio:.0f}x the time ({small_s:.4f}, {large_s:.4f} s)"
    )


def edge_list_new_labels(n: int) -> bytes:
    return ("from,to\n" + "".join(f"cause {i},effect {i}\n" for i in range(n))).encode()


def edge_list_one_slug(n: int) -> bytes:
    # Labels that differ only in case share one id: the id search goes parks, parks_2, ...
    word = "greenspacesandparks"
    labels = [
        "".join(c.upper() if i >> k & 1 else c for k, c in enumerate(word)) for i in range(2 * n)
    ]
    rows = "".join(f"{labels[2 * i]},{labels[2 * i + 1]}\n" for i in range(n))
    return ("from,to\n" + rows).encode()


@pytest.mark.parametrize("make", [edge_list_new_labels, edge_list_one_slug])
def test_edge_list_reading_is_linear(make: Callable[[int], bytes]) -> None:
    assert_linear(make, lambda data: map_edgelist.read_edge_list(data, name="links.csv"), 1500)


def test_delimited_tables_are_linear() -> None:
    def make(n: int) -> bytes:
        return ("code,value\n" + "".join(f"E0{i:07d},{i}\n" for i in range(n))).encode()

    assert_linear(make, lambda data: table_from_text(data, "values.csv"), 40_000)


def test_prsm_tables_are_linear() -> None:
    def make(n: int) -> bytes:
        rows = "".join(f"cause {i},effect {i},1,1,1\n" for i in range(n))
        return ("from,to,fromStyle,toStyle,linkStyle\n" + rows).encode()

    assert_linear(make, lambda data: prsm_tables.read_prsm_csv(data, name="map.csv"), 2000)


def test_kumu_json_is_linear() -> None:
    def make(n: int) -> bytes:
        elements = [{"label": f"factor {i}"} for i in range(n + 1)]
        links = [{"from": f"factor {i}", "to": f"factor {i + 1}"} for i in range(n)]
        return json.dumps({"elements": elements, "connections": links}).encode()

    assert_linear(make, lambda data: kumu.read_kumu_json(data, name="map.json"), 2000)


def test_prsm_json_is_linear() -> None:
    def make(n: int) -> bytes:
        nodes = [{"id": f"n{i}", "label": f"factor {i}"} for i in range(n + 1)]
        edges = [{"id": f"e{i}", "from": f"n{i}", "to": f"n{i + 1}"} for i in range(n)]
        return json.dumps({"nodes": nodes, "edges": edges}).encode()

    assert_linear(make, lambda data: prsm.read_prsm(data, name="map.prsm"), 2000)


def test_loopy_is_linear() -> None:
    def make(n: int) -> bytes:
        nodes = [[i, i * 10, 0, 0.5, f"factor {i}", 0] for i in range(n + 1)]
        edges = [[i, i + 1, 1, 0, 0] for i in range(n)]
        return json.dumps([nodes, edges, [], n + 1]).encode()

    assert_linear(make, lambda data: loopy.read_loopy(data, name="model.loopy"), 2000)


def test_mentalmodeler_repeated_link_ids_are_linear() -> None:
    # Every relationship joins the same two concepts, so each link id is taken: they become
    # 0->1#2, 0->1#3... (the search for a free id used to start again from 2 for each one).
    def make(n: int) -> bytes:
        concepts = [
            {"id": "0", "name": "hub", "relationships": [{"id": "1"} for _ in range(n)]},
            {"id": "1", "name": "spoke"},
        ]
        return json.dumps({"concepts": concepts}).encode()

    assert_linear(make, lambda data: mentalmodeler.read_mentalmodeler(data, name="m.mmp"), 3000)


def test_graphml_is_linear() -> None:
    def make(n: int) -> bytes:
        nodes = "".join(f'<node id="n{i}"/>' for i in range(n + 1))
        edges = "".join(f'<edge source="n{i}" target="n{i + 1}"/>' for i in range(n))
        return (
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
            f'<graph edgedefault="directed">{nodes}{edges}</graph></graphml>'
        ).encode()

    assert_linear(make, lambda data: map_graphml.read_map_graphml(data, name="m.graphml"), 1000)


def test_vensim_sketch_is_linear() -> None:
    def make(n: int) -> bytes:
        variables = "".join(
            f"10,{i + 1},factor {i},{i * 10},10,40,20,3,3,0,0,0,0,0,0\n" for i in range(n + 1)
        )
        arrows = "".join(
            f"1,{n + 2 + i},{i + 1},{i + 2},0,0,0,0,0,64,0,-1--1--1,,1|(0,0)|\n" for i in range(n)
        )
        return (
            "{UTF-8}\n\\\\\\---/// Sketch information\nV300  Do not put anything below this\n"
            f"*View 1\n{variables}{arrows}///---\\\\\\\n"
        ).encode()

    assert_linear(make, lambda data: vensim.read_vensim_mdl(data, name="m.mdl"), 1000)


def test_partner_graph_files_are_linear(tmp_path: Path) -> None:
    # Each tie has an attribute of its own: the columns were gathered by searching a list.
    def make(n: int) -> bytes:
        keys = "".join(
            f'<key id="d{i}" for="edge" attr.name="note{i}" attr.type="string"/>' for i in range(n)
        )
        nodes = "".join(f'<node id="p{i}"/>' for i in range(n + 1))
        edges = "".join(
            f'<edge source="p{i}" target="p{i + 1}"><data key="d{i}">x</data></edge>'
            for i in range(n)
        )
        return (
            f'<graphml xmlns="http://graphml.graphdrawing.org/xmlns">{keys}'
            f'<graph edgedefault="directed">{nodes}{edges}</graph></graphml>'
        ).encode()

    def read(data: bytes) -> object:
        path = tmp_path / "ties.graphml"
        path.write_bytes(data)
        return partner_files.read_relationships(path, round="2024")

    assert_linear(make, read, 500)


def test_workbooks_are_linear() -> None:
    openpyxl = pytest.importorskip("openpyxl")

    def make(n: int) -> bytes:
        book = openpyxl.Workbook()
        factors = book.active
        factors.title = "Factors"
        factors.append(["Label"])
        for i in range(n + 1):
            factors.append([f"factor {i}"])
        links = book.create_sheet("Links")
        links.append(["From", "To"])
        for i in range(n):
            links.append([f"factor {i}", f"factor {i + 1}"])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    assert_linear(make, lambda data: prsm_tables.read_prsm_xlsx(data, name="map.xlsx"), 500)

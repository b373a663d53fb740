"""LOOPY model reader and writers (mobilise.formats.loopy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from mobilise.errors import ValidationError
from mobilise.formats.loopy import LOOPY_URL, read_loopy, write_loopy, write_loopy_url
from mobilise.model.causal_map import CausalMap, Factor, Link

from ._map_helpers import refused_messages

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "systems_maps" / "loopy"
EXAMPLES: list[dict[str, Any]] = json.loads(
    (SAMPLE / "loopy_v1.1_examples.json").read_text(encoding="utf-8")
)
COUNTS = [(0, 2, 2), (1, 7, 8), (2, 6, 6)]  # (example, nodes, edges) from SOURCES.md


def _shape(causal_map: CausalMap) -> tuple[list[tuple[object, ...]], list[tuple[str, ...]]]:
    return (
        [(f.id, f.label, f.x, f.y, f.group) for f in causal_map.factors],
        [(k.source, k.target, k.polarity) for k in causal_map.links],
    )


@pytest.mark.parametrize(("index", "nodes", "edges"), COUNTS)
def test_each_example_reads_alike_from_wrapper_url_and_array(
    index: int, nodes: int, edges: int
) -> None:
    example = EXAMPLES[index]
    from_wrapper = read_loopy(json.dumps(example), name="example.json")
    from_url = read_loopy(example["source_url"])
    from_array = read_loopy(json.dumps(example["raw"]).encode())
    assert (len(from_wrapper.factors), len(from_wrapper.links)) == (nodes, edges)
    assert _shape(from_wrapper) == _shape(from_url) == _shape(from_array)
    decoded = example["decoded"]
    assert [f.label for f in from_url.factors] == [n["label"] for n in decoded["nodes"]]
    assert [(k.source, k.target) for k in from_url.links] == [
        (str(e["from"]), str(e["to"])) for e in decoded["edges"]
    ]


def test_the_sample_file_needs_an_index() -> None:
    data = (SAMPLE / "loopy_v1.1_examples.json").read_bytes()
    with pytest.raises(ValidationError, match="holds 3 LOOPY models; pass index="):
        read_loopy(data, name="loopy_v1.1_examples.json")
    depression = read_loopy(data, name="loopy_v1.1_examples.json", index=1)
    assert depression.factors[0].label == "depression"
    with pytest.raises(ValidationError, match="index 5 is out of range"):
        read_loopy(data, name="loopy_v1.1_examples.json", index=5)


def test_nodes_edges_and_notes_are_read_as_loopy_draws_them() -> None:
    rabbits = read_loopy(EXAMPLES[0]["source_url"], name="rabbits")
    assert rabbits.title == "rabbits"
    first = rabbits.factors[0]
    assert (first.id, first.label, first.x, first.y, first.group) == (
        "1", "rabbits", 227.0, 303.0, "red",
    )  # fmt: skip
    assert first.attributes == {"loopy_init": 0.66, "loopy_hue": "0"}
    assert rabbits.factors[1].group == "orange"
    foxes_eat_rabbits = rabbits.links[0]
    assert (foxes_eat_rabbits.source, foxes_eat_rabbits.target) == ("2", "1")
    assert (foxes_eat_rabbits.polarity, foxes_eat_rabbits.weight) == ("-", None)
    assert foxes_eat_rabbits.attributes == {"loopy_arc": 153.0, "loopy_rotation": 0.0}
    notes = rabbits.attributes["loopy_labels"]
    assert notes[0]["text"].startswith("A basic ecological\nfeedback loop.")
    assert "positive (+) relationship" in notes[1]["text"]
    assert rabbits.attributes["loopy_uid"] == 2


def test_depression_loops_have_their_signs() -> None:
    model = read_loopy(EXAMPLES[1]["source_url"])
    labels = {f.id: f.label for f in model.factors}
    signs = {(labels[k.source], labels[k.target]): k.polarity for k in model.links}
    assert signs[("depression", "de-motivation")] == "+"
    assert signs[("de-motivation", "doing things")] == "-"
    assert signs[("accepting mistakes", "anxiety")] == "-"


@pytest.mark.parametrize("index", [0, 1, 2])
def test_writers_give_back_what_loopy_wrote(index: int) -> None:
    example = EXAMPLES[index]
    model = read_loopy(example["source_url"])
    assert json.loads(write_loopy(model)) == example["raw"]
    url = write_loopy_url(model)
    assert url.startswith(LOOPY_URL + "?data=")
    assert url.endswith("%5D")
    assert unquote(url.split("?data=")[1]) == unquote(example["source_url"].split("?data=")[1])
    assert _shape(read_loopy(url)) == _shape(model)


def test_round_trip_of_a_map_from_elsewhere() -> None:
    causal_map = CausalMap(
        title="Parks",
        factors=[
            Factor("green", "Green space & parks", group="Environment"),
            Factor("walk", "Walking 50% more"),
            Factor("well", 'Wellbeing "score"\nof residents', group="blue", x=12.6, y=40.2),
        ],
        links=[
            Link("a", "green", "walk", polarity="+", weight=0.4),
            Link("b", "walk", "well", polarity="-"),
            Link("c", "well", "well", polarity="+"),
        ],
    )
    for text in (write_loopy(causal_map), write_loopy_url(causal_map)):
        again = read_loopy(text)
        assert [f.label for f in again.factors] == [f.label for f in causal_map.factors]
        assert [f.id for f in again.factors] == ["1", "2", "3"]  # LOOPY ids are numbers
        assert [(k.source, k.target, k.polarity) for k in again.links] == [
            ("1", "2", "+"), ("2", "3", "-"), ("3", "3", "+"),
        ]  # fmt: skip
        assert (again.factors[2].x, again.factors[2].y, again.factors[2].group) == (
            13.0, 40.0, "blue",
        )  # fmt: skip
        assert again.factors[0].group == "red"  # first group, first colour
        assert all(f.x is not None for f in again.factors)  # placed on a circle


def test_unknown_polarity_is_refused_unless_told_how_to_draw_it() -> None:
    causal_map = CausalMap(
        title="t",
        factors=[Factor("a", "A"), Factor("b", "B")],
        links=[Link("x", "a", "b", polarity="?")],
        source="t.prsm",
    )
    with pytest.raises(ValidationError) as caught:
        write_loopy(causal_map)
    (problem,) = caught.value.problems
    assert "link 'x' has unknown polarity" in problem.message
    assert problem.file == "t.prsm"
    assert json.loads(write_loopy(causal_map, unknown_as="-"))[1] == [[1, 2, 100, -1, 0]]
    with pytest.raises(ValidationError, match="unknown_as"):
        write_loopy_url(causal_map, unknown_as="maybe")


def test_later_loopy_forks_are_read_by_sign() -> None:
    model = [
        [[1, 10, 20, 0.5, "a%20b", 2, 1, 0.5], [2, 30, 40, 1, "c", 5]],
        [[1, 2, 50, 9, 0, 1], [2, 1, -50, -8, 0, 2]],
        [],
        [2, 0, 0],
    ]
    causal_map = read_loopy(json.dumps(model))
    assert [f.label for f in causal_map.factors] == ["a b", "c"]
    assert [k.polarity for k in causal_map.links] == ["+", "-"]
    assert causal_map.factors[0].attributes["loopy_extra"] == [1, 0.5]


def _problems(data: bytes | str, name: str = "broken.json") -> list[str]:
    return refused_messages(read_loopy, data, name)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", "the file is empty"),
        ("hello", "neither a LOOPY share URL nor a LOOPY JSON array"),
        ("[[1,2", "neither a LOOPY share URL nor a LOOPY JSON array"),
        ('{"nodes": []}', "no 'raw' model array"),
        ('"text"', "neither a LOOPY share URL"),
        ("[]", "nodes and edges must be lists"),
        ("[1, 2, 3, 4]", "nodes and edges must be lists"),
        ("https://ncase.me/loopy/v1.1/?data=[[[1,2", "cannot parse the model's JSON"),
    ],
)
def test_text_that_is_not_a_model_is_refused(data: str, expected: str) -> None:
    (message,) = _problems(data)
    assert expected in message


def test_every_bad_node_and_edge_is_reported_at_once() -> None:
    model = [
        [[1, 0, 0, 0.5, "a", 0], ["x", 0, 0, 0.5, "b", 0], [3]],
        [[1, 7, 0, 1], [1, 1, 0, "strong"], [1]],
        [],
        3,
    ]
    messages = _problems(json.dumps(model))
    assert messages == [
        "node id 'x' is not a whole number",
        "a node is not [id, x, y, init, label, hue]",
        "edge 1 ends at node 7, which is not in the model",
        "edge 2 has strength 'strong'; LOOPY uses 1 or -1",
        "an edge is not [from, to, arc, strength]",
    ]

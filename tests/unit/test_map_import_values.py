"""A big map's links are checked on a fast path (``_plain_link_values``) when they are plain;
whatever it gives must be exactly what the full check (``link_values``) gives, and anything
else must fall through to the full check."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.store.records import new_ids, new_ordered_ids
from mobilise.workspace._map_fields import (
    _factor_fields,
    _link_fields,
    _plain_factor_columns,
    _plain_link_columns,
    _plain_link_values,
    factor_values,
    import_columns,
    import_values,
    link_values,
)

texts = st.one_of(st.just(""), st.text(max_size=8), st.text(min_size=290, max_size=310))
numbers = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, -1.0, 0.5, -0.25, 1, 0, True]),
)
links = st.builds(
    Link,
    id=st.just("L1"),
    source=st.sampled_from(["a", "", "b"]),
    target=st.sampled_from(["b", "a"]),
    polarity=st.sampled_from(["+", "-", "?", "x"]),
    weight=numbers,
    strength=st.sampled_from([None, "", "weak", "medium", "strong", "huge"]),
    delay=st.sampled_from([False, True, 1]),
    confidence=numbers,
    evidence=texts,
    stakeholder_group=st.one_of(texts, st.text(min_size=115, max_size=125)),
    contested=st.sampled_from([False, True, "yes"]),
    label=texts,
    attributes=st.sampled_from([{}, {"a": 1}, {"n": float("nan")}]),
)


@given(link=links, group=st.sampled_from(["", "residents", " lived experience "]))
@settings(max_examples=400, deadline=None)
def test_the_fast_path_gives_exactly_what_the_full_check_gives(link: Link, group: str) -> None:
    fast = _plain_link_values(link, group)
    if fast is None:
        return  # the full check takes it
    full = link_values(_link_fields(link, group), partial=False)  # must not raise either
    assert fast == full and list(fast) == list(full)


def test_a_plain_link_takes_the_fast_path_and_a_bad_one_does_not() -> None:
    plain = Link(id="L1", source="a", target="b", polarity="+", weight=0.5, strength="weak")
    assert _plain_link_values(plain, "residents") == link_values(
        _link_fields(plain, "residents"), partial=False
    )
    for bad in (
        Link(id="L2", source="a", target="b", polarity="-", weight=0.5),  # at odds
        Link(id="L3", source="a", target="b", polarity="+", label="x" * 301),  # too long
        Link(id="L4", source="a", target="b", polarity="+", attributes={"n": float("nan")}),
    ):
        assert _plain_link_values(bad, "") is None
        try:
            link_values(_link_fields(bad, ""), partial=False)
        except ValidationError:
            continue
        raise AssertionError(f"{bad} passed the full check")  # pragma: no cover


def test_ids_made_in_bulk_are_distinct_version_4_uuids() -> None:
    made = new_ids(5_000)
    assert len(set(made)) == 5_000
    for text in made:
        found = uuid.UUID(text)
        assert str(found) == text and found.version == 4 and found.variant == uuid.RFC_4122
    assert new_ids(0) == []


factors = st.builds(
    Factor,
    id=st.just("f1"),
    label=st.one_of(texts, st.just("  "), st.integers(0, 3)),
    kind=st.sampled_from(["other", "outcome", "thing", ""]),
    description=st.one_of(texts, st.none()),
    group=st.one_of(texts, st.text(min_size=115, max_size=125)),
    populations=st.sampled_from([(), [], ("a",), "", "x"]),
    indicator_id=st.sampled_from([None, "", "ind"]),
    asset_category=st.sampled_from([None, "", "park", "nope"]),
    x=st.sampled_from([None, 1.0, float("nan")]),
    y=st.sampled_from([None, "", 2]),
    attributes=st.sampled_from([{}, {"a": 1}, None, []]),
)


@given(factor=factors)
@settings(max_examples=200, deadline=None)
def test_plain_factors_take_a_fast_path_that_gives_what_the_full_check_gives(
    factor: Factor,
) -> None:
    fast = _plain_factor_columns([factor])
    if fast is None:
        return
    full = factor_values(_factor_fields(factor), partial=False)  # must not raise either
    assert {name: values[0] for name, values in fast.items()} == full


def _first(columns: dict[str, list[Any]] | None) -> dict[str, Any] | None:
    return None if columns is None else {name: values[0] for name, values in columns.items()}


def _rows(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    count = len(next(iter(columns.values())))
    return [{name: values[i] for name, values in columns.items()} for i in range(count)]


@given(
    items=st.lists(links, min_size=1, max_size=6),
    many=st.lists(factors, min_size=1, max_size=6),
    group=st.sampled_from(["", "residents"]),
)
@settings(max_examples=100, deadline=None)
def test_the_columns_of_many_are_each_one_s_values_or_none(
    items: list[Link], many: list[Factor], group: str
) -> None:
    """Many parts at once: plain when each is, with each one's values in order."""
    for columns, each in (
        (_plain_link_columns(items, group), [_plain_link_values(k, group) for k in items]),
        (_plain_factor_columns(many), [_first(_plain_factor_columns([f])) for f in many]),
    ):
        if any(values is None for values in each):
            assert columns is None
        else:
            assert columns is not None and _rows(columns) == each


def test_a_map_of_plain_and_other_parts_is_laid_out_as_the_full_check_gives() -> None:
    plain = CausalMap(
        title="m",
        factors=[Factor(id="a", label=" A "), Factor(id="b", label="B", kind="outcome")],
        links=[Link(id="L1", source="a", target="b", polarity="+", weight=0.5)],
    )
    other = CausalMap(
        title="m",
        factors=[*plain.factors, Factor(id="c", label="C", x=1.0, attributes={"k": 1})],
        links=[*plain.links, Link(id="L2", source="b", target="c", attributes={"n": 2})],
    )
    for causal_map in (plain, other):
        laid_out = import_columns(causal_map, "residents")
        factor_rows, link_rows = import_values(causal_map, "residents")
        assert laid_out.factor_ids == [f.id for f in causal_map.factors]
        assert laid_out.ends == (
            [k.source for k in causal_map.links],
            [k.target for k in causal_map.links],
        )
        assert [
            {n: v[i] for n, v in laid_out.factors.items()} for i in range(len(factor_rows))
        ] == [values for _, values in factor_rows]
        assert [{n: v[i] for n, v in laid_out.links.items()} for i in range(len(link_rows))] == [
            values for _, values in link_rows
        ]


def test_ordered_ids_are_distinct_version_7_uuids_in_the_order_made() -> None:
    made = new_ordered_ids(5_000)
    later = new_ordered_ids(3)
    assert len(set(made + later)) == 5_003
    assert made == sorted(made)  # one call's ids sort in the order they were made
    for text in made[:50] + made[16_380:16_390] + later:
        found = uuid.UUID(text)
        assert str(found) == text and found.version == 7 and found.variant == uuid.RFC_4122
    assert new_ordered_ids(0) == []

"""A big map's links are checked on a fast path (``_plain_link_values``) when they are plain;
whatever it gives must be exactly what the full check (``link_values``) gives, and anything
else must fall through to the full check."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.model.causal_map import Link
from mobilise.store.records import new_ids
from mobilise.workspace._map_fields import _link_fields, _plain_link_values, link_values

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

"""Helpers shared by the tests of systems maps: small maps from tuples, random signed links for
hypothesis, and what a reader says when it refuses a file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx
import pytest
from hypothesis import strategies as st

from mobilise.errors import ValidationError
from mobilise.model.causal_map import CausalMap, Factor, Link


def map_graph(
    links: Iterable[tuple[Any, ...]],
    *,
    factors: Iterable[str] | Mapping[str, str] = (),
    labels: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    title: str = "test map",
) -> nx.MultiDiGraph:
    """A checked map's graph from ``(link id, source, target, polarity[, weight or
    attributes])`` tuples.

    Factors are ``factors`` (ids, or ``{id: label}``), then the link ends not among them; a
    factor's label is from ``labels`` or ``factors``, else its id in capitals.
    """
    links = list(links)
    labels = {**(factors if isinstance(factors, Mapping) else {}), **(labels or {})}
    kinds = kinds or {}
    ids = list(dict.fromkeys([*factors, *(end for link in links for end in link[1:3])]))
    made = []
    for link_id, source, target, polarity, *rest in links:
        extra = rest[0] if rest else {}
        extra = extra if isinstance(extra, Mapping) else {"weight": extra}
        made.append(Link(link_id, source, target, polarity, **extra))
    causal_map = CausalMap(
        title,
        factors=[Factor(f, labels.get(f, f.upper()), kind=kinds.get(f, "other")) for f in ids],
        links=made,
    )
    return causal_map.check().to_graph()


def weight_and_polarity(draw: st.DrawFn) -> tuple[float | None, str]:
    """A random link's weight (or none) and a polarity that agrees with it."""
    weight = draw(st.none() | st.floats(-1, 1))
    if weight is None:
        return None, draw(st.sampled_from(["+", "-", "?"]))
    return weight, "?" if weight == 0 else ("+" if weight > 0 else "-")


def refusal(read: Callable[..., object], data: object, name: str) -> ValidationError:
    """The error with which ``read`` refuses a file; it names the file."""
    with pytest.raises(ValidationError) as caught:
        read(data, name=name)
    assert name in str(caught.value)
    return caught.value


def refused_messages(read: Callable[..., object], data: object, name: str) -> list[str]:
    """The messages of the problems with which ``read`` refuses a file, each naming it."""
    error = refusal(read, data, name)
    assert all(p.file == name for p in error.problems)
    return [p.message for p in error.problems]

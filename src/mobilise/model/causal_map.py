"""A causal (systems) map in memory: factors, signed links and what-if scenarios.

Every systems-map format (PRSM, Kumu, Mental Modeler, LOOPY, GraphML, edge lists, Vensim, XMILE)
is read into a :class:`CausalMap` and written from one, so a map can move between tools and into
the workspace. The analyses (:mod:`mobilise.analysis.systems`) work on the NetworkX graph of
:meth:`CausalMap.to_graph`, whose attributes are documented there.

Polarity is one of ``"+"`` (more of the cause, more of the effect), ``"-"`` (more of the cause,
less of the effect) or ``"?"`` (not known). A link may also carry a ``weight`` in [-1, 1] (fuzzy
cognitive maps); when it does, its polarity is the weight's sign.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem, ValidationError

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FACTOR_KINDS",
    "MAP_STATUSES",
    "POLARITIES",
    "STRENGTHS",
    "STRENGTH_WEIGHTS",
    "CausalMap",
    "Factor",
    "Link",
    "Scenario",
    "map_from_dict",
    "map_to_dict",
    "polarity_of",
]

FACTOR_KINDS: dict[str, str] = {
    "outcome": "an outcome the map is about (e.g. mental wellbeing)",
    "intervention": "something people can change or do (e.g. a social prescribing scheme)",
    "driver": "a cause or condition (e.g. fear of crime)",
    "asset": "a community asset (e.g. a park, a choir, a community centre)",
    "other": "anything else",
}
POLARITIES = ("+", "-", "?")
MAP_STATUSES = ("draft", "active", "archived")
"""A stored map's status in the workspace."""
STRENGTHS = ("weak", "medium", "strong")
STRENGTH_WEIGHTS = {"weak": 0.25, "medium": 0.5, "strong": 1.0}
"""Magnitude of a link's weight when only its strength is known (used by scenarios)."""

_POLARITY_WORDS = {
    "+": "+",
    "++": "+",
    "--": "+",
    "+ve": "+",
    "positive": "+",
    "pos": "+",
    "same": "+",
    "s": "+",
    "increases": "+",
    "-": "-",
    "+-": "-",
    "-+": "-",
    "-ve": "-",
    "negative": "-",
    "neg": "-",
    "opposite": "-",
    "o": "-",
    "decreases": "-",
    "?": "?",
    "": "?",
    "unknown": "?",
    "+/-": "?",
    "±": "?",
}


def polarity_of(text: object) -> str | None:
    """``"+"``, ``"-"`` or ``"?"`` for the ways tools write a polarity (``"+ve"``, ``"++"``,
    ``"Negative influence"``, ``"-1"``...); ``None`` when the text says nothing of polarity."""
    if text is None:
        return "?"
    if isinstance(text, int | float) and not isinstance(text, bool):
        return "?" if text == 0 or math.isnan(text) else ("+" if text > 0 else "-")
    words = str(text).strip().lower()
    if words in _POLARITY_WORDS:
        return _POLARITY_WORDS[words]
    try:
        number = float(words)
    except ValueError:
        pass
    else:
        return "?" if number == 0 or math.isnan(number) else ("+" if number > 0 else "-")
    for head, sign in (("positive", "+"), ("negative", "-"), ("+", "+"), ("-", "-")):
        if words.startswith(head):
            return sign
    return None


@dataclass
class Factor:
    """A factor (node) of a map.

    ``id`` is unique in the map; ``label`` is what people read (labels may repeat). ``kind`` is
    one of :data:`FACTOR_KINDS`. ``group`` is its theme. ``populations`` are the groups of people
    it affects. ``indicator_id`` / ``asset_category`` link it to measured data in a workspace.
    ``x``, ``y`` are its position in screen pixels (y down), if known. ``attributes`` keeps what
    a format has that this model does not (written back by the same format).
    """

    id: str
    label: str
    kind: str = "other"
    description: str = ""
    group: str = ""
    populations: tuple[str, ...] = ()
    indicator_id: str | None = None
    asset_category: str | None = None
    x: float | None = None
    y: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Link:
    """A causal link (edge) from ``source`` to ``target`` (factor ids).

    ``polarity`` ``"+"``, ``"-"`` or ``"?"``; ``strength`` ``weak``/``medium``/``strong`` or
    ``None``; ``weight`` in [-1, 1] or ``None``; ``delay`` when the effect takes time;
    ``confidence`` in [0, 1] or ``None``; ``evidence`` the source or reasoning in words;
    ``stakeholder_group`` who asserted it; ``contested`` when people disagree about it. Parallel
    links (same source and target) are allowed: they are different claims.
    """

    id: str
    source: str
    target: str
    polarity: str = "?"
    strength: str | None = None
    weight: float | None = None
    delay: bool = False
    confidence: float | None = None
    evidence: str = ""
    stakeholder_group: str = ""
    contested: bool = False
    label: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def signed_weight(self) -> float | None:
        """The weight, or the strength's magnitude with the polarity's sign (``None`` when the
        polarity is unknown and there is no weight)."""
        if self.weight is not None:
            return self.weight
        if self.polarity == "?":
            return None
        magnitude = STRENGTH_WEIGHTS.get(self.strength or "", 1.0)
        return magnitude if self.polarity == "+" else -magnitude


@dataclass
class Scenario:
    """A what-if scenario: factors held (clamped) at values in [-1, 1] (by factor id)."""

    name: str
    clamps: dict[str, float] = field(default_factory=dict)
    description: str = ""


@dataclass
class CausalMap:
    """A whole map: its title, the question it answers, factors, links and scenarios.

    ``source`` names the file it was read from (for messages).
    """

    title: str
    factors: list[Factor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    question: str = ""
    description: str = ""
    scenarios: list[Scenario] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def factor(self, factor_id: str) -> Factor:
        for found in self.factors:
            if found.id == factor_id:
                return found
        raise KeyError(factor_id)

    def problems(self) -> list[Problem]:
        """Everything wrong with the map, each naming the factor or link (and its row: its
        place in the map's list)."""
        where = self.source or None
        found: list[Problem] = []
        ids = _factor_problems(self.factors, where, found)
        if not found and not self.scenarios and _links_sound(self.links, ids):
            return found  # (the quick look at whole columns: a big sound map costs little)
        link_ids: set[str] = set()
        for number, link in enumerate(self.links, start=1):
            if link.id in link_ids:
                name = f"link {link.id!r}" if link.id else f"link {number}"
                found.append(Problem(f"{name} id is used twice", file=where, row=number))
            link_ids.add(link.id)
            found += _link_problems(link, number, ids, where)
        for scenario in self.scenarios:
            found += _scenario_problems(scenario, ids, where)
        return found

    def check(self) -> CausalMap:
        """The map itself, or a :class:`ValidationError` listing every problem."""
        problems = self.problems()
        if problems:
            what = self.source or self.title or "the map"
            noun = "problem" if len(problems) == 1 else "problems"
            raise ValidationError(f"Cannot read {what}: {len(problems)} {noun}.", problems=problems)
        return self

    def to_graph(self) -> nx.MultiDiGraph:
        """The map as a NetworkX multi-digraph (parallel links kept).

        Graph attribute ``title``. Node = factor id, with attributes ``label``, ``kind``,
        ``group`` (its theme), ``description`` and ``group_of_contributor`` (the stakeholder
        group of whoever added it, when known). The edge ``weight`` is signed: pass it to a
        NetworkX algorithm that wants a distance or a positive weight only after taking its
        absolute value. Edge key = link id, with attributes ``polarity`` (``"+"``,
        ``"-"``, ``"?"``), ``sign`` (+1, -1 or 0 for unknown), ``weight`` (the signed weight of
        :attr:`Link.signed_weight`, or ``None``), ``strength``, ``delay``, ``confidence``,
        ``stakeholder_group``, ``contested``, ``label``.
        """
        import networkx as nx  # loaded when a map is analysed, not when one is read

        graph = nx.MultiDiGraph(title=self.title)
        for item in self.factors:
            graph.add_node(
                item.id,
                label=item.label,
                kind=item.kind,
                group=item.group,
                description=item.description,
                group_of_contributor=str(item.attributes.get("contributor_group", "")),
            )
        for link in self.links:
            graph.add_edge(
                link.source,
                link.target,
                key=link.id,
                polarity=link.polarity,
                sign={"+": 1, "-": -1}.get(link.polarity, 0),
                weight=link.signed_weight,
                strength=link.strength,
                delay=link.delay,
                confidence=link.confidence,
                stakeholder_group=link.stakeholder_group,
                contested=link.contested,
                label=link.label,
            )
        return graph


def _sign(weight: float) -> str:
    return "?" if weight == 0 else ("+" if weight > 0 else "-")


def _factor_problems(factors: list[Factor], where: str | None, found: list[Problem]) -> set[str]:
    """Add the problems of the factors to ``found``; return their ids."""
    ids: set[str] = set()
    for number, item in enumerate(factors, start=1):
        if not str(item.id).strip():
            found.append(Problem("a factor has no id", file=where, row=number, field="id"))
        elif item.id in ids:
            found.append(Problem(f"factor id {item.id!r} is used twice", file=where, row=number))
        ids.add(item.id)
        if not str(item.label).strip():
            found.append(Problem(f"factor {item.id!r} has no label", file=where, field="label"))
        if item.kind not in FACTOR_KINDS:
            found.append(
                Problem(
                    f"factor {item.label!r} has kind {item.kind!r}; use one of "
                    + ", ".join(FACTOR_KINDS),
                    file=where,
                    field="kind",
                )
            )
    return ids


def _links_sound(links: list[Link], ids: set[str]) -> bool:
    """Whether no link has a problem :func:`_link_problems` would name (or a repeated id),
    looked at column by column; ``False`` sends the map to the link-by-link look that names
    each problem."""
    try:  # (a value that cannot be hashed is a problem the slow look names)
        if len({link.id for link in links}) != len(links):
            return False
        if not ({link.source for link in links} | {link.target for link in links}) <= ids:
            return False
        if not {link.polarity for link in links} <= _POLARITY_SET:
            return False
        if not {link.strength for link in links} <= _STRENGTH_SET:
            return False
    except TypeError:
        return False
    weighted = [(link.weight, link.polarity) for link in links if link.weight is not None]
    if any(
        not (math.isfinite(weight) and -1 <= weight <= 1) or polarity != _sign(weight)
        for weight, polarity in weighted
    ):
        return False
    confidences = [link.confidence for link in links if link.confidence is not None]
    return all(0 <= confidence <= 1 for confidence in confidences)


_POLARITY_SET = frozenset(POLARITIES)
_STRENGTH_SET = frozenset((*STRENGTHS, None))


def _link_problems(link: Link, number: int, ids: set[str], where: str | None) -> list[Problem]:
    """What is wrong with one link (the ``number``-th) of a map whose factors have ``ids``."""
    name = f"link {link.id!r}" if link.id else f"link {number}"
    found: list[tuple[str, str]] = []  # (message, field)
    for end, factor_id in (("source", link.source), ("target", link.target)):
        if factor_id not in ids:
            verb = "starts" if end == "source" else "ends"
            found.append((f"{verb} at {factor_id!r}, which is not a factor of the map", end))
    if link.polarity not in POLARITIES:
        found.append((f"has polarity {link.polarity!r}; use +, - or ?", "polarity"))
    if link.strength is not None and link.strength not in STRENGTHS:
        found.append((f"has strength {link.strength!r}; use weak, medium or strong", "strength"))
    weight = link.weight
    if weight is not None and not (math.isfinite(weight) and -1 <= weight <= 1):
        found.append((f"has weight {weight!r}; a weight is from -1 to 1", "weight"))
    if weight is not None and link.polarity != _sign(weight):
        found.append((f"has weight {weight:g} but polarity {link.polarity!r}", "polarity"))
    if link.confidence is not None and not (0 <= link.confidence <= 1):
        found.append((f"has confidence {link.confidence!r}; use 0 to 1", "confidence"))
    return [
        Problem(f"{name} {message}", file=where, row=number, field=field)
        for message, field in found
    ]


def _scenario_problems(scenario: Scenario, ids: set[str], where: str | None) -> list[Problem]:
    """Clamps of factors the map does not have, or out of -1..1."""
    found = []
    for factor_id, value in scenario.clamps.items():
        if factor_id not in ids:
            message = f"clamps {factor_id!r}, which is not a factor of the map"
        elif not (math.isfinite(value) and -1 <= value <= 1):
            message = f"clamps {factor_id!r} at {value!r}; use -1 to 1"
        else:
            continue
        found.append(Problem(f"scenario {scenario.name!r} {message}", file=where, field="scenario"))
    return found


def map_to_dict(causal_map: CausalMap) -> dict[str, Any]:
    """The map as plain JSON (mobilise's own map format; :func:`map_from_dict` reads it)."""
    return {
        "format": "mobilise-map",
        "version": 1,
        "title": causal_map.title,
        "question": causal_map.question,
        "description": causal_map.description,
        "factors": [
            asdict(item) | {"populations": list(item.populations)} for item in causal_map.factors
        ],
        "links": [asdict(link) for link in causal_map.links],
        "scenarios": [asdict(s) for s in causal_map.scenarios],
        "attributes": causal_map.attributes,
    }


def map_from_dict(data: dict[str, Any], *, name: str = "map.json") -> CausalMap:
    """A map from :func:`map_to_dict`'s JSON, checked."""
    if not isinstance(data, dict) or not isinstance(data.get("factors"), list):
        raise ValidationError(
            f"Cannot read {name}: it is not a mobilise map (no list of factors).",
            problems=[Problem("expected an object with 'factors' and 'links'", file=name)],
        )
    try:
        factors = [
            Factor(**{**item, "populations": tuple(item.get("populations", ()))})
            for item in data["factors"]
        ]
        links = [Link(**item) for item in data.get("links", [])]
        scenarios = [Scenario(**item) for item in data.get("scenarios", [])]
    except TypeError as error:
        raise ValidationError(
            f"Cannot read {name}: {error}.", problems=[Problem(str(error), file=name)]
        ) from None
    return CausalMap(
        title=str(data.get("title", "")),
        factors=factors,
        links=links,
        question=str(data.get("question", "")),
        description=str(data.get("description", "")),
        scenarios=scenarios,
        attributes=dict(data.get("attributes", {})),
        source=name,
    ).check()

"""Building a causal map from a system dynamics model (Vensim ``.mdl`` or XMILE): factors merged
by name as the tools match names, links merged by pair, and the links each equation makes, with
their polarity from the equation (:mod:`mobilise.formats.sd_equations`).

A link's ``attributes["polarity_reason"]`` says where its polarity comes from: ``"drawn on the
diagram"``, ``"an inflow of the stock"``/``"an outflow of the stock"``, ``"from the equation"``,
or, for ``"?"``, why it cannot be said. Where the diagram draws a sign and the equation says the
other, the drawn sign is kept and the equation's is in ``attributes["equation_polarity"]``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import sympy

from mobilise.errors import Problem, ValidationError
from mobilise.formats._map_files import checked
from mobilise.formats.sd_equations import (
    SYMPY_FAILURES,
    Equation,
    Lookup,
    canonical_name,
    equation_names,
    lookup_function,
    number,
    parse_equation,
    polarity,
)
from mobilise.model.causal_map import CausalMap, Factor, Link

__all__ = ["Builder", "Variable", "label", "links_from_equations", "text_of", "unreadable"]

MAX_SIGNED_VARIABLES = 2_000
"""A model with more variables than this gets its structure from its equations but no polarity
from them (each link ``"?"`` with the reason): sympy takes milliseconds an equation."""
_TIME_NAMES = {"time", "time step", "dt", "initial time", "final time", "starttime", "stoptime"}


def label(name: str) -> str:
    """A variable's name as shown: without quotes, line breaks as spaces."""
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    return " ".join(text.replace("\\n", " ").split())


def text_of(data: bytes | str) -> str:
    """A model file's text: UTF-8, or the Windows code page Vensim writes without ``{UTF-8}``."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def unreadable(name: str, what: str, message: str, *, line: int | None = None) -> ValidationError:
    """The refusal of a file that cannot be read at all, naming the file (and line)."""
    return ValidationError(
        f"File {name} cannot be read as {what}.",
        problems=[Problem(message, file=name, row=line)],
    )


@dataclass
class Variable:
    """A model variable with its equation: ``factor`` its factor id, ``scope`` the module
    prefix its equation's names are resolved in (``""`` in the main model), ``graphical`` the
    direction of the graphical function its equation feeds (XMILE ``<gf>``), ``non_negative``
    when the model says it never goes below zero."""

    factor: str
    kind: str
    equation: str
    scope: str = ""
    graphical: Lookup | None = None
    non_negative: bool = False
    row: int | None = None


@dataclass
class Builder:
    """Factors and links gathered while reading, merged by canonical name and by pair."""

    name: str
    factors: dict[str, Factor] = field(default_factory=dict)
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def factor(
        self,
        raw_name: str,
        *,
        kind: str = "",
        x: float | None = None,
        y: float | None = None,
        prefix: tuple[str, str] = ("", ""),
    ) -> str:
        """The factor id of a variable (made on first sight); ``prefix`` the module's id and
        label prefixes."""
        factor_id = prefix[0] + canonical_name(raw_name)
        found = self.factors.get(factor_id)
        if found is None:
            found = Factor(id=factor_id, label=prefix[1] + (label(raw_name) or factor_id))
            self.factors[factor_id] = found
        if kind and "sd_type" not in found.attributes:
            found.attributes["sd_type"] = kind
        if found.x is None and x is not None and y is not None:
            found.x, found.y = x, y
        return factor_id

    def link(self, source: str, target: str, polarity: str, *, how: str, reason: str) -> None:
        found = self.links.get((source, target))
        if found is None:
            self.links[(source, target)] = Link(
                id=f"{source} -> {target}",
                source=source,
                target=target,
                polarity=polarity,
                attributes={"sd_link": how, "polarity_reason": reason},
            )
        elif found.polarity == "?" and polarity != "?":
            found.polarity = polarity
            found.attributes["polarity_reason"] = reason
        elif polarity not in ("?", found.polarity) and how == "equation":
            found.attributes["equation_polarity"] = polarity

    def finish(self, title: str) -> CausalMap:
        causal_map = CausalMap(
            title=title,
            factors=list(self.factors.values()),
            links=list(self.links.values()),
            source=self.name,
        )
        return checked(causal_map, self.problems, self.name)


class _Signs:
    """The sympy symbol of each variable, with what is known of its sign."""

    def __init__(self) -> None:
        self.symbols: dict[str, Any] = {}

    def set(self, key: str, sign: str | None) -> None:
        assumptions = {sign: True} if sign else {"real": True}
        self.symbols[key] = sympy.Symbol(key, **assumptions)

    def get(self, key: str) -> Any:
        if key not in self.symbols:
            self.set(key, "positive" if key in _TIME_NAMES else None)
        return self.symbols[key]


def _sign_of(expr: Any) -> str | None:
    try:
        for sign in ("positive", "negative", "nonnegative", "nonpositive"):
            if getattr(expr, f"is_{sign}"):
                return sign
    except SYMPY_FAILURES:
        return None
    return None


def links_from_equations(
    builder: Builder, variables: list[Variable], *, dialect: str, lookups: dict[str, Lookup]
) -> None:
    """Add the link from each input of each equation to its variable, signed from the
    equation where it can be."""
    known = set(builder.factors)
    by_factor = {v.factor: v for v in variables}

    def resolve(variable: Variable, key: str) -> str:
        scoped = variable.scope + key
        return scoped if scoped in known else key

    inputs: dict[str, list[str]] = {}
    for variable in variables:
        found = equation_names(variable.equation, dialect=dialect, lookups=lookups)
        inputs[variable.factor] = [resolve(variable, key) for key in found.inputs]
    if len(variables) > MAX_SIGNED_VARIABLES:
        reason = (
            f"the model has more than {MAX_SIGNED_VARIABLES:,} variables: no polarity is "
            "worked out from its equations"
        )
        for variable in variables:
            for source in dict.fromkeys(inputs[variable.factor]):
                if source in known and source != variable.factor:
                    builder.link(source, variable.factor, "?", how="equation", reason=reason)
        return
    signs = _Signs()
    for variable in variables:
        value = number(variable.equation) if variable.kind != "stock" else None
        if variable.non_negative and variable.kind in ("stock", "flow"):
            signs.set(variable.factor, "positive")
        elif value is not None:
            signs.set(
                variable.factor, "positive" if value > 0 else "negative" if value < 0 else None
            )
    equations: dict[str, Equation] = {}
    for key in _in_order(variables, inputs, signs.symbols):
        variable = by_factor[key]
        equation = _parse(
            variable, dialect, lookups, lambda k, v=variable: signs.get(resolve(v, k))
        )
        equations[key] = equation
        if key not in signs.symbols and variable.kind != "stock":
            signs.set(key, _sign_of(equation.expr) if equation.expr is not None else None)
    for variable in variables:
        equation = equations.get(variable.factor) or _parse(
            variable, dialect, lookups, lambda k, v=variable: signs.get(resolve(v, k))
        )
        for source in dict.fromkeys(inputs[variable.factor]):
            if source not in known or source == variable.factor:
                continue
            if equation.expr is None:
                sign, reason = "?", equation.error
            else:
                input_label = builder.factors[source].label
                sign, reason = polarity(equation.expr, signs.get(source), input_label=input_label)
            builder.link(source, variable.factor, sign, how="equation", reason=reason)


def _parse(variable: Variable, dialect: str, lookups: dict[str, Lookup], symbol: Any) -> Equation:
    equation = parse_equation(variable.equation, dialect=dialect, lookups=lookups, symbol=symbol)
    if equation.expr is not None and variable.graphical is not None:
        equation.expr = lookup_function(variable.graphical)(equation.expr)
    return equation


def _in_order(
    variables: list[Variable], inputs: dict[str, list[str]], settled: dict[str, Any]
) -> list[str]:
    """The variables in an order where each comes after the variables its equation uses
    (stocks and settled ones count as known; variables in a cycle of equations come last)."""
    keys = {v.factor for v in variables}
    waiting = {
        key: {s for s in inputs[key] if s in keys and s != key and s not in settled} for key in keys
    }
    stocks = {v.factor for v in variables if v.kind == "stock"}
    for key in keys:
        waiting[key] -= stocks
    users: dict[str, list[str]] = {}
    for key, needs in waiting.items():
        for need in needs:
            users.setdefault(need, []).append(key)
    ready = deque(v.factor for v in variables if not waiting[v.factor])
    order: list[str] = []
    while ready:
        key = ready.popleft()
        order.append(key)
        for user in users.get(key, ()):
            waiting[user].discard(key)
            if not waiting[user]:
                ready.append(user)
    placed = set(order)
    return order + [v.factor for v in variables if v.factor not in placed]

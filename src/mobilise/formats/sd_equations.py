"""The equations of system dynamics models (Vensim ``.mdl`` and XMILE), read for what they say
about structure and polarity: which variables each equation uses, and which way each of them
pushes it.

An equation is parsed (a small recursive-descent parser for the two dialects, linear in its
text) into a `sympy <https://www.sympy.org>`_ expression, sympy being the maintained library
for the algebra; the polarity of the link from an input to the variable is the sign of the
partial derivative of the equation with respect to that input, where sympy can determine it
from what is known of the symbols' signs (stocks and flows the model says are non-negative
are positive, constants have the sign of their value, other variables the sign of their own
equation). The common built-ins have the derivative a modeller expects:

- ``MIN``/``MAX``, ``SMOOTH``/``DELAY`` (and their variants, in their input), ``EXP``, ``LN``,
  ``SQRT``: increasing;
- ``IF THEN ELSE(c, a, b)`` (XMILE ``IF c THEN a ELSE b``): increasing in ``a`` and ``b``;
  what pushes through the condition ``c`` cannot be said;
- lookups (Vensim lookup tables, ``WITH LOOKUP``, XMILE graphical functions): increasing or
  decreasing by the monotonicity of their points, neither when their points go up and down;
- ``ZIDZ``/``XIDZ``: the division they guard.

Anything else (a function not listed, a condition, an equation that cannot be parsed) leaves
the link ``"?"`` with the reason.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy

__all__ = [
    "SYMPY_FAILURES",
    "Equation",
    "Lookup",
    "canonical_name",
    "equation_names",
    "lookup_direction",
    "lookup_function",
    "lookup_points",
    "number",
    "parse_equation",
    "polarity",
]

_MAX_DEPTH = 60  # nesting deeper than this is not an equation anyone wrote
_INCREASING_ALL = {"min", "max"}
_INCREASING_FIRST = {
    "smooth", "smoothi", "smooth3", "smooth3i", "smooth n", "smth1", "smth3", "smthn",
    "delay", "delay1", "delay1i", "delay3", "delay3i", "delay fixed", "delay n", "delayn",
    "delay information", "delay material", "delay conveyor", "exp", "ln", "log", "sqrt",
    "trend", "forecast", "sample if true", "active initial",
}  # fmt: skip
_TOKEN = {
    "vensim": re.compile(
        r'\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>"(?:[^"\\]|\\.)*"'
        r"|[^\W\d][\w $'&.]*)|(?P<op><=|>=|<>|:AND:|:OR:|:NOT:|[-+*/^()\[\],=<>!]))",
        re.IGNORECASE,
    ),
    "xmile": re.compile(
        r'\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>"(?:[^"\\]|\\.)*"'
        r"|[^\W\d][\w.$]*)|(?P<op><=|>=|<>|!=|[-+*/^()\[\],=<>!]))",
        re.IGNORECASE,
    ),
}
_POINT = re.compile(
    r"\(\s*([-+]?[\d.]+(?:[eE][+-]?\d+)?)\s*,\s*([-+]?[\d.]+(?:[eE][+-]?\d+)?)\s*\)"
)


def canonical_name(name: str) -> str:
    """A variable name as Vensim and XMILE compare names: without quotes, lower case, ``_``
    and line breaks as spaces, runs of spaces as one."""
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    text = text.replace("\\n", " ").replace("_", " ")
    return " ".join(text.split()).casefold()


def number(text: str) -> float | None:
    """The value of an equation that is a plain number (a constant), else ``None``."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


@dataclass(frozen=True)
class Lookup:
    """What a lookup table (a graphical function) says: its ``direction`` (``"+"`` when its
    points never go down as x grows, ``"-"`` when they never go up, ``"?"`` when they do both
    or are flat) and the ``sign`` of every value it gives (``"positive"``, ``"nonnegative"``...
    or ``None``)."""

    direction: str
    sign: str | None = None


def lookup_direction(points: list[tuple[float, float]]) -> Lookup:
    """What a lookup's points say of its direction and the sign of its values."""
    ys = [y for _, y in sorted(points)]
    steps = [b - a for a, b in itertools.pairwise(ys)]
    direction = "?"
    if any(s > 0 for s in steps) and all(s >= 0 for s in steps):
        direction = "+"
    elif any(s < 0 for s in steps) and all(s <= 0 for s in steps):
        direction = "-"
    sign = None
    if ys and min(ys) > 0:
        sign = "positive"
    elif ys and min(ys) >= 0:
        sign = "nonnegative"
    elif ys and max(ys) < 0:
        sign = "negative"
    return Lookup(direction, sign)


def lookup_points(text: str) -> list[tuple[float, float]]:
    """The ``(x, y)`` points of a Vensim lookup's text (its ``[(..)-(..)]`` range left out)."""
    text = re.sub(r"\[[^\]]*\]", "", text)
    return [(float(x), float(y)) for x, y in _POINT.findall(text)]


_UNKNOWN_LOOKUP = Lookup("?")
SYMPY_FAILURES = (
    TypeError,
    ValueError,
    ArithmeticError,
    AttributeError,
    RecursionError,
    NotImplementedError,
)
"""What sympy may raise on an expression it cannot handle (an equation then says "?")."""

# -- the sympy functions of the built-ins -------------------------------------------------------


class _Increasing(sympy.Function):
    """Increasing in every argument (MIN, MAX, an increasing lookup)."""

    def fdiff(self, argindex: int = 1) -> Any:
        return sympy.Dummy("rises", nonnegative=True)


class _Decreasing(sympy.Function):
    """Decreasing in its argument (a decreasing lookup)."""

    def fdiff(self, argindex: int = 1) -> Any:
        return -sympy.Dummy("falls", nonnegative=True)


class _FirstIncreasing(sympy.Function):
    """Increasing in its first argument, of unknown effect in the others (SMOOTH, DELAY)."""

    def fdiff(self, argindex: int = 1) -> Any:
        if argindex == 1:
            return sympy.Dummy("rises", nonnegative=True)
        return sympy.Dummy(f"the {_name(self)} time", real=True)


class _IfThenElse(sympy.Function):
    nargs = 3

    def fdiff(self, argindex: int = 1) -> Any:
        if argindex == 1:
            return sympy.Dummy("the IF THEN ELSE condition", real=True)
        return sympy.Dummy("branch", nonnegative=True)


class _Opaque(sympy.Function):
    """A function whose derivative cannot be said (a condition, an unknown function)."""

    def fdiff(self, argindex: int = 1) -> Any:
        return sympy.Dummy(_name(self), real=True)


def _name(function: Any) -> str:
    return str(getattr(function, "what", "") or type(function).__name__)


def _opaque(what: str) -> type[sympy.Function]:
    return type(f"{what}", (_Opaque,), {"what": what})


def _first_increasing(what: str) -> type[sympy.Function]:
    return type(f"{what}", (_FirstIncreasing,), {"what": what})


# -- parsing ---------------------------------------------------------------------------------


@dataclass
class Equation:
    """An equation read: its expression (``None`` when it cannot be read, with ``error``), the
    canonical names of the variables it uses (in order), and, for a Vensim ``INTEG``, the
    rate alone (the initial value's variables are not inputs)."""

    expr: Any = None
    inputs: dict[str, None] = field(default_factory=dict)
    error: str = ""


class _Unreadable(Exception):
    pass


class _Parser:
    def __init__(
        self,
        text: str,
        dialect: str,
        symbol: Callable[[str], Any] | None,
        lookups: Mapping[str, Lookup],
    ) -> None:
        self.tokens: list[tuple[str, str]] = []
        self.at = 0
        self.dialect = dialect
        self.symbol = symbol
        self.lookups = lookups
        self.inputs: dict[str, None] = {}
        self.depth = 0
        self.recording = True

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (text is not None and token[1].casefold() != text):
            raise _Unreadable(f"expected {text or 'more'} at {token[1] or 'the end'!r}")
        self.at += 1
        return token

    def is_op(self, *texts: str) -> bool:
        kind, text = self.peek()
        return kind in ("op", "name") and text.casefold() in texts

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _Unreadable("it nests too deeply")
        try:
            return self.logical()
        finally:
            self.depth -= 1

    def logical(self) -> Any:
        left = self.comparison()
        while self.is_op(":and:", ":or:", "and", "or"):
            self.take()
            left = _opaque("a condition")(left, self.comparison())
        return left

    def comparison(self) -> Any:
        if self.is_op(":not:", "not", "!"):
            self.take()
            return _opaque("a condition")(self.comparison())
        left = self.additive()
        while self.is_op("=", "<", ">", "<=", ">=", "<>", "!="):
            self.take()
            left = _opaque("a condition")(left, self.additive())
        return left

    def additive(self) -> Any:
        left = self.multiplicative()
        while self.is_op("+", "-"):
            sign = self.take()[1]
            right = self.multiplicative()
            left = left + right if sign == "+" else left - right
        return left

    def multiplicative(self) -> Any:
        left = self.unary()
        while self.is_op("*", "/", "mod"):
            op = self.take()[1].casefold()
            right = self.unary()
            left = (
                left * right
                if op == "*"
                else left / right
                if op == "/"
                else _opaque("MOD")(left, right)
            )
        return left

    def unary(self) -> Any:
        if self.is_op("-", "+"):
            sign = self.take()[1]
            value = self.unary()
            return -value if sign == "-" else value
        base = self.primary()
        if self.is_op("^"):
            self.take()
            exponent = self.unary()
            return _power(base, exponent)
        return base

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return sympy.Rational(text) if len(text) < 40 else sympy.Float(text)
        if kind == "op" and text == "(":
            value = self.expression()
            self.take(")")
            return value
        if kind != "name":
            raise _Unreadable(f"unexpected {text!r}")
        key = canonical_name(text)
        if self.dialect == "xmile" and key == "if":
            return self.xmile_if()
        if self.is_op("("):
            return self.call(key, text)
        if self.is_op("["):
            self.subscript()
        return self.variable(key)

    def variable(self, key: str) -> Any:
        if self.recording:
            self.inputs.setdefault(key, None)
        return self.symbol(key) if self.symbol else sympy.Symbol("x")

    def subscript(self) -> None:
        self.take("[")
        while not self.is_op("]"):
            self.take()
        self.take("]")

    def xmile_if(self) -> Any:
        condition = self.expression()
        self.take("then")
        then = self.expression()
        self.take("else")
        return _IfThenElse(condition, then, self.expression())

    def arguments(self) -> list[Any]:
        self.take("(")
        values: list[Any] = []
        if self.is_op(")"):
            self.take()
            return values
        while True:
            values.append(self.expression())
            if self.is_op(")"):
                self.take()
                return values
            self.take(",")

    def call(self, key: str, text: str) -> Any:
        if key == "integ":
            self.take("(")
            rate = self.expression()
            self.recording = False
            while not self.is_op(")"):
                self.take(",")
                self.expression()
            self.recording = True
            self.take(")")
            return rate
        if key == "with lookup":
            self.take("(")
            value = self.expression()
            self.take(",")
            raw = self.raw_until_close()
            return lookup_function(lookup_direction(lookup_points(raw)))(value)
        if key == "lookup" and self.dialect == "xmile":
            self.take("(")
            table = canonical_name(self.take()[1])
            self.take(",")
            value = self.expression()
            self.take(")")
            return lookup_function(self.lookups.get(table, _UNKNOWN_LOOKUP))(value)
        if key in self.lookups:
            (value, *_) = self.arguments() or [sympy.Integer(0)]
            return lookup_function(self.lookups[key])(value)
        args = self.arguments()
        return _function(key, text, args)

    def raw_until_close(self) -> str:
        depth, parts = 1, []
        while depth:
            kind, text = self.take()
            depth += {"(": 1, ")": -1}.get(text, 0) if kind == "op" else 0
            parts.append(text)
        return " ".join(parts[:-1])


def _power(base: Any, exponent: Any) -> Any:
    if exponent.is_number and exponent.is_positive and (base.is_nonnegative or exponent.is_integer):
        return base**exponent
    return _opaque("a power")(base, exponent)


def lookup_function(lookup: Lookup) -> type[sympy.Function]:
    """The sympy function of a lookup: increasing, decreasing or neither, with the sign of
    its values."""
    base: type[sympy.Function] = (
        _Increasing
        if lookup.direction == "+"
        else _Decreasing
        if lookup.direction == "-"
        else _opaque("a lookup whose points go up and down")
    )
    attributes: dict[str, Any] = {}
    if lookup.sign:
        for sign in ("positive", "nonnegative", "negative", "nonpositive", "real"):
            attributes[f"_eval_is_{sign}"] = _constant(_implies(lookup.sign, sign))
    return type(f"lookup_{lookup.direction}_{lookup.sign}", (base,), attributes)


def _implies(known: str, asked: str) -> bool | None:
    table = {
        "positive": {"positive", "nonnegative", "real"},
        "nonnegative": {"nonnegative", "real"},
        "negative": {"negative", "nonpositive", "real"},
    }
    if asked in table[known]:
        return True
    if known == "positive" and asked in ("negative", "nonpositive"):
        return False
    if known == "negative" and asked in ("positive", "nonnegative"):
        return False
    return None


def _constant(value: bool | None) -> Callable[[Any], bool | None]:
    return lambda self: value


def _function(key: str, text: str, args: list[Any]) -> Any:
    if not args:
        return _opaque(text.strip())()
    if key in _INCREASING_ALL:
        return _Increasing(*args)
    if key in _INCREASING_FIRST:
        return _first_increasing(text.strip().upper())(*args)
    if key == "if then else" and len(args) == 3:
        return _IfThenElse(*args)
    if key in ("zidz", "xidz") and len(args) >= 2:
        return args[0] / args[1]
    return _opaque(f"the function {text.strip().upper()}")(*args)


def _tokens(text: str, dialect: str) -> list[tuple[str, str]]:
    pattern = _TOKEN[dialect]
    tokens: list[tuple[str, str]] = []
    text = text.replace("\\\n", " ").rstrip()
    at = 0
    while at < len(text):
        match = pattern.match(text, at)
        if match is None or match.end() == at:
            if not text[at:].strip():
                break
            raise _Unreadable(f"cannot read {text[at : at + 20].strip()!r}")
        kind = match.lastgroup or "op"
        tokens.append((kind, match.group(kind).strip()))
        at = match.end()
    return tokens


def equation_names(text: str, *, dialect: str, lookups: Mapping[str, Lookup]) -> Equation:
    """The variables an equation uses (its expression is not built with their signs)."""
    return parse_equation(text, dialect=dialect, lookups=lookups, symbol=None)


def parse_equation(
    text: str,
    *,
    dialect: str,
    lookups: Mapping[str, Lookup],
    symbol: Callable[[str], Any] | None,
) -> Equation:
    """An equation's expression and inputs. ``dialect`` is ``"vensim"`` or ``"xmile"``;
    ``lookups`` each lookup table by canonical name; ``symbol`` the sympy symbol of a
    variable (by canonical name)."""
    parser = _Parser(text, dialect, symbol, lookups)
    try:
        parser.tokens = _tokens(text, dialect)
        if not parser.tokens:
            raise _Unreadable("it is empty")
        expr = parser.expression()
        if parser.at != len(parser.tokens):
            raise _Unreadable(f"{parser.peek()[1]!r} is not expected there")
    except _Unreadable as exc:
        return Equation(None, parser.inputs, f"the equation cannot be read: {exc}")
    except SYMPY_FAILURES as exc:
        return Equation(None, parser.inputs, f"the equation cannot be read ({type(exc).__name__})")
    return Equation(expr, parser.inputs)


def polarity(expr: Any, symbol: Any, *, input_label: str) -> tuple[str, str]:
    """The sign of ``d expr / d symbol`` as a link's polarity, with its reason."""
    try:
        derivative = sympy.diff(expr, symbol)
        if derivative.is_zero:
            return "?", f"the equation does not change with {input_label}"
        if derivative.is_nonnegative:
            return "+", "from the equation"
        if derivative.is_nonpositive:
            return "-", "from the equation"
        unknown = sorted(
            {str(s.name) for s in derivative.free_symbols if isinstance(s, sympy.Dummy)}
            - {"rises", "falls", "branch"}
        )
    except SYMPY_FAILURES:
        return "?", "from the equation: its derivative cannot be computed"
    if unknown:
        return "?", f"from the equation: it depends on {', '.join(unknown)}"
    return "?", "from the equation: its sign depends on the values of the variables"

"""Property (issue 22): for random equations of + - * / and monotone functions over positive
variables, the polarity derived from the equation agrees with a numerical finite difference."""

from __future__ import annotations

import math
from collections.abc import Callable

import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mobilise.formats.sd_equations import Lookup, parse_equation, polarity

Term = tuple[str, Callable[[dict[str, float]], float]]
NAMES = ("alpha", "beta", "gamma")
LOOKUPS = {"up": Lookup("+", "positive"), "down": Lookup("-", "positive")}
SYMBOLS = {name: sympy.Symbol(name, positive=True) for name in NAMES}


def _up(x: float) -> float:  # positive and increasing, as the lookup "up" says
    return 2 + x / (1 + abs(x))


def _down(x: float) -> float:  # positive and decreasing, as the lookup "down" says
    return 1 / (1 + math.exp(min(x, 700)))


def _leaf() -> st.SearchStrategy[Term]:
    variables = st.sampled_from(NAMES).map(lambda n: (n, lambda v, n=n: v[n]))
    constants = st.integers(1, 5).map(lambda c: (str(c), lambda v, c=c: float(c)))
    return st.one_of(variables, constants)


def _combine(children: st.SearchStrategy[Term]) -> st.SearchStrategy[Term]:
    def binary(op: str) -> st.SearchStrategy[Term]:
        functions: dict[str, Callable[[float, float], float]] = {
            "+": lambda x, y: x + y,
            "-": lambda x, y: x - y,
            "*": lambda x, y: x * y,
            "/": lambda x, y: x / y,
        }
        return st.tuples(children, children).map(
            lambda pair: (
                f"({pair[0][0]} {op} {pair[1][0]})",
                lambda v, p=pair: functions[op](p[0][1](v), p[1][1](v)),
            )
        )

    def call(name: str, function: Callable[..., float], arity: int) -> st.SearchStrategy[Term]:
        return st.lists(children, min_size=arity, max_size=arity).map(
            lambda args: (
                f"{name}({', '.join(a[0] for a in args)})",
                lambda v, a=args: function(*(x[1](v) for x in a)),
            )
        )

    return st.one_of(
        *(binary(op) for op in "+-*/"),
        call("MIN", min, 2),
        call("MAX", max, 2),
        call("up", _up, 1),
        call("down", _down, 1),
        call("SMOOTH", lambda x, _t: x, 2),  # in equilibrium a smooth is its input
    )


EQUATIONS = st.recursive(_leaf(), _combine, max_leaves=8)
POINT = st.fixed_dictionaries({n: st.floats(0.1, 10) for n in NAMES})


@settings(max_examples=300, deadline=None)
@given(EQUATIONS, POINT, st.sampled_from(NAMES))
def test_derived_sign_agrees_with_a_finite_difference(
    equation: Term, point: dict[str, float], name: str
) -> None:
    text, function = equation
    parsed = parse_equation(text, dialect="vensim", lookups=LOOKUPS, symbol=SYMBOLS.__getitem__)
    assert parsed.expr is not None, parsed.error
    if name not in parsed.inputs:
        return
    sign, reason = polarity(parsed.expr, SYMBOLS[name], input_label=name)
    assert reason
    step = 1e-6 * max(1.0, point[name])
    try:
        above = function({**point, name: point[name] + step})
        below = function({**point, name: point[name] - step})
    except (ZeroDivisionError, OverflowError):
        assume(False)
        return
    assume(math.isfinite(above) and math.isfinite(below))
    slope = (above - below) / (2 * step)
    tolerance = 1e-9 * (1 + abs(above) + abs(below)) / step  # rounding of f
    if sign == "+":
        assert slope >= -tolerance, (text, point, name, slope)
    elif sign == "-":
        assert slope <= tolerance, (text, point, name, slope)


def test_simple_monotone_equations_get_their_sign() -> None:
    # The property above would hold vacuously if everything were "?": these are determined.
    for text, name, expected in [
        ("alpha * beta / gamma", "gamma", "-"),
        ("MIN(alpha, 3) + up(beta)", "alpha", "+"),
        ("down(alpha) * beta", "alpha", "-"),
        ("SMOOTH(alpha - beta, 3)", "beta", "-"),
    ]:
        parsed = parse_equation(text, dialect="vensim", lookups=LOOKUPS, symbol=SYMBOLS.__getitem__)
        assert polarity(parsed.expr, SYMBOLS[name], input_label=name)[0] == expected

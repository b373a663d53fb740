"""The causal structure of Vensim ``.mdl`` models, read into a
:class:`~mobilise.model.causal_map.CausalMap` (XMILE models are read by
:mod:`mobilise.formats.xmile`; :func:`read_xmile` is here too, for the format registry).

The structure comes from the **equations** (every variable an equation uses is a link to the
equation's variable, signed by the derivative of the equation where it can be:
:mod:`mobilise.formats.sd_equations`) and from the **sketch**, where there is one (positions,
arrows and the signs drawn on them, flow pipes). A file with equations and no sketch is read
from its equations alone; a file with neither is refused. Variables are matched by name as
Vensim matches them: ignoring case, with ``_`` the same as a space and runs of spaces as one;
the factor id is that canonical name, the label the name as first written. A variable drawn
again (a shadow variable) is the same factor, and a link found twice is one link; where the
sketch draws a sign, that sign is kept. The type (``stock`` for an ``INTEG``, ``flow`` for a
rate of one, ``aux``) is kept in ``attributes["sd_type"]``; a stock whose initial value is a
number not below zero is taken as non-negative (Vensim has no flag for it). Control variables
(``INITIAL TIME``, ``FINAL TIME``, ``TIME STEP``, ``SAVEPER``) are not factors; lookup tables
are functions, not factors.

**Equations**: the records before the sketch, each ending with ``|``: ``name = expression ~
units ~ comment``; ``name(points)`` a lookup table; ``:=`` data and subscripts (``name[s]``)
are read as one variable.

**Sketch**: from ``\\\\\\---///`` to ``///---\\\\\\``, one record a line, numbered within
each view (``*View name``):

- ``10,id,name,x,y,w,h,shape,bits,...`` is a variable: a factor at (x, y);
- ``11,id,...`` is a flow's valve, whose variable is the ``10`` record written right after it;
- ``12,...`` a comment or cloud (when its bits have 4, its text is on the next line);
- ``1,id,from,to,shape,hidden,polarity,thickness,...`` is an arrow; ``polarity`` is the ASCII
  code of the sign drawn at its head: 43 ``+``, 45 ``-``, 83 or 115 ``S`` (same: ``+``), 79 or
  48 ``O`` (opposite: ``-``), 0 or anything else ``"?"`` (then the equation's sign, if any).
  An arrow to a valve ends at its flow variable. A flow pipe (an arrow from a valve to a stock)
  is a link from the flow to the stock: ``+`` where the pipe ends at the stock (shape 4, an
  inflow), ``-`` where it starts there (shape 100, an outflow); pipes to clouds are not links.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePath

from mobilise.errors import Problem
from mobilise.formats.sd_build import Builder, Variable, links_from_equations, text_of, unreadable
from mobilise.formats.sd_equations import (
    Lookup,
    canonical_name,
    lookup_direction,
    lookup_points,
    number,
)
from mobilise.formats.xmile import read_xmile
from mobilise.model.causal_map import CausalMap
from mobilise.settings import Limits

__all__ = ["read_vensim_mdl", "read_xmile"]

_ARROW_POLARITIES = {43: "+", 45: "-", 83: "+", 115: "+", 79: "-", 48: "-"}
_PIPE_INTO = 4  # arrow shape of a pipe at the end the flow fills
_PIPE_OUT_OF = 100  # arrow shape of a pipe at the end the flow drains
_PIPE_THICKNESS = 22
_SKETCH_START = "\\\\\\---///"
_SKETCH_END = "///---\\\\\\"
_CONTROL = {"initial time", "final time", "time step", "saveper"}
_INTEG = re.compile(r"\s*integ\s*\(", re.IGNORECASE)
_INTEG_INITIAL = re.compile(r",([^,()]*)\)\s*$")


def read_vensim_mdl(
    data: bytes | str, *, name: str = "model.mdl", limits: Limits | None = None
) -> CausalMap:
    """Read the causal structure of a Vensim ``.mdl`` model, from its equations and its sketch
    (the file's bytes or text; ``name`` for messages and the map's title), as a checked causal
    map.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file has neither equations nor a sketch, or listing every arrow that joins a
        record its view does not have (with the file's line number).
    """
    lines = text_of(data).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(_SKETCH_START)), None)
    equations, lookups = _equations(lines[: len(lines) if start is None else start])
    if start is None and not equations:
        raise unreadable(
            name,
            "a Vensim model",
            "there are no equations (name = expression ~ units ~ comment |) and no sketch "
            "section (a line starting \\\\\\---///); save the model from Vensim as a text .mdl "
            "file",
            line=1,
        )
    builder = Builder(name)
    if start is not None:
        _read_sketch(builder, lines, start)
    variables = _equation_variables(builder, equations)
    links_from_equations(builder, variables, dialect="vensim", lookups=lookups)
    return builder.finish(PurePath(name).stem)


def _equations(lines: list[str]) -> tuple[list[tuple[int, str, str]], dict[str, Lookup]]:
    """The equations (line, left side, right side) and the lookup tables (name -> direction)
    of the text before the sketch."""
    equations: list[tuple[int, str, str]] = []
    lookups: dict[str, Lookup] = {}
    record: list[str] = []
    first = 1
    in_macro = False
    for number_, line in enumerate(lines, start=1):
        if not record:
            first = number_
        if line.lstrip().upper().startswith(":MACRO:"):
            in_macro = True
        if in_macro:
            in_macro = not line.lstrip().upper().startswith(":END OF MACRO:")
            continue
        record.append(line)
        if "|" not in line:
            continue
        text = " ".join(record)
        record = []
        body = text.split("~", 1)[0].replace("{UTF-8}", "").strip()
        equal = re.search(r"(?<![<>=:])(:?=)(?!=)", body)
        paren = body.find("(")
        if paren > 0 and (equal is None or paren < equal.start()):
            key = canonical_name(re.sub(r"\[[^\]]*\]", "", body[:paren]))
            lookups[key] = lookup_direction(lookup_points(body[paren:]))
        elif equal is not None:
            left = canonical_name(re.sub(r"\[[^\]]*\]", "", body[: equal.start()]))
            right = body[equal.end() :].strip()
            if left and left not in _CONTROL and not left.startswith("*"):
                equations.append((first, body[: equal.start()], right))
    return equations, lookups


def _equation_variables(builder: Builder, equations: list[tuple[int, str, str]]) -> list[Variable]:
    variables: dict[str, Variable] = {}
    for row, left, right in equations:
        raw = re.sub(r"\[[^\]]*\]", "", left)
        stock = bool(_INTEG.match(right))
        factor_id = builder.factor(raw, kind="stock" if stock else "aux")
        if factor_id in variables:
            continue  # a subscripted variable's other equations
        non_negative = False
        if stock:
            builder.factors[factor_id].attributes["sd_type"] = "stock"
            initial = _INTEG_INITIAL.search(right)
            value = number(initial.group(1)) if initial else None
            non_negative = value is not None and value >= 0
        variables[factor_id] = Variable(
            factor_id, "stock" if stock else "aux", right, non_negative=non_negative, row=row
        )
    return list(variables.values())


def _read_sketch(builder: Builder, lines: list[str], start: int) -> None:
    view: dict[str, _Record] = {}
    views: list[dict[str, _Record]] = [view]
    arrows: list[tuple[int, dict[str, _Record], list[str]]] = []
    pending_valve: _Record | None = None
    skip_next = False
    for number_, line in enumerate(lines[start + 1 :], start=start + 2):
        if skip_next:
            skip_next = False
            continue
        if line.startswith(_SKETCH_END):
            break
        if line.startswith("*"):
            view = {}
            views.append(view)
            pending_valve = None
            continue
        if line.startswith(_SKETCH_START):
            continue
        fields = _split_record(line)
        if len(fields) < 2 or not fields[0].strip().isdecimal():
            continue
        kind, record_id = int(fields[0]), fields[1].strip()
        if kind == 1:
            arrows.append((number_, view, fields))
        elif kind == 10 and len(fields) >= 5:
            record = _Record("variable", fields[2], _float(fields[3]), _float(fields[4]))
            record.shape = _int(fields[7]) if len(fields) > 7 else 0
            view[record_id] = record
            if pending_valve is not None:
                pending_valve.name = record.name
                record.kind = "flow"
                pending_valve = None
        elif kind == 11:
            pending_valve = view[record_id] = _Record("valve", "", None, None)
        elif kind == 12:
            view[record_id] = _Record("comment", "", None, None)
            bits = _int(fields[8]) if len(fields) > 8 else 0
            skip_next = bool(bits & 4)
    for view in views:
        for record in view.values():
            if record.kind in ("variable", "flow"):
                sd_type = "aux" if record.kind == "variable" else "flow"
                builder.factor(record.name, kind=sd_type, x=record.x, y=record.y)
    for number_, arrow_view, fields in arrows:
        _mdl_arrow(builder, number_, arrow_view, fields)


@dataclass
class _Record:
    kind: str  # variable, flow, valve, comment
    name: str
    x: float | None
    y: float | None
    shape: int = 0


def _split_record(line: str) -> list[str]:
    """A sketch record's fields; a name may be in double quotes and hold commas."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(line):
        char = line[index]
        if quoted:
            if char == "\\" and index + 1 < len(line):
                current.append(line[index : index + 2])
                index += 2
                continue
            if char == '"':
                quoted = False
            current.append(char)
        elif char == '"' and not current:
            quoted = True
            current.append(char)
        elif char == ",":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    fields.append("".join(current))
    return fields


def _int(text: str) -> int:
    match = re.match(r"\s*-?\d+", text)
    return int(match.group()) if match else 0


def _float(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _mdl_arrow(builder: Builder, number: int, view: dict[str, _Record], fields: list[str]) -> None:
    if len(fields) < 7:
        builder.problems.append(
            Problem(
                "an arrow record has fewer than 7 fields", file=builder.name, row=number, field="1"
            )
        )
        return
    ends: dict[str, _Record] = {}
    for end, record_id in (("from", fields[2].strip()), ("to", fields[3].strip())):
        record = view.get(record_id)
        if record is None:
            builder.problems.append(
                Problem(
                    f"arrow {fields[1].strip()} {'starts' if end == 'from' else 'ends'} at "
                    f"record {record_id}, which its view does not have",
                    file=builder.name,
                    row=number,
                    field=end,
                )
            )
        else:
            ends[end] = record
    if len(ends) < 2:
        return
    source, target = ends["from"], ends["to"]
    is_pipe = _int(fields[7] if len(fields) > 7 else "") == _PIPE_THICKNESS or _int(fields[4]) in (
        _PIPE_INTO,
        _PIPE_OUT_OF,
    )
    if source.kind == "valve" and is_pipe:
        # A flow pipe: material moves between the flow's valve and a stock (or a cloud).
        if target.kind not in ("variable", "flow") or not source.name:
            return
        flow = builder.factor(source.name)
        stock = builder.factor(target.name)
        builder.factors[stock].attributes["sd_type"] = "stock"
        into = _int(fields[4]) == _PIPE_INTO
        builder.link(
            flow,
            stock,
            "+" if into else "-",
            how="inflow" if into else "outflow",
            reason=f"an {'inflow' if into else 'outflow'} of the stock",
        )
        return
    if source.kind == "valve":
        source = _Record("flow", source.name, None, None)
    if target.kind == "valve":
        target = _Record("flow", target.name, None, None)
    if source.kind not in ("variable", "flow") or not target.name:
        return  # an arrow from or to a comment
    polarity = _ARROW_POLARITIES.get(_int(fields[6]), "?")
    reason = "drawn on the diagram" if polarity != "?" else "no sign drawn on the diagram"
    builder.link(
        builder.factor(source.name),
        builder.factor(target.name),
        polarity,
        how="arrow",
        reason=reason,
    )

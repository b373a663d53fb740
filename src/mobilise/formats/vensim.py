"""The causal structure of system dynamics models: Vensim ``.mdl`` sketches and XMILE (Stella,
iThink, ``.stmx``, ``.xmile``) diagrams, read into a
:class:`~mobilise.model.causal_map.CausalMap`.

Only the diagram's structure and polarities are read: which variables there are, where they are
drawn, which arrows join them and the sign drawn on each arrow. Equations, units, lookups and
simulation settings are not read, and no polarity is inferred from an equation: an arrow drawn
without a sign is ``"?"``. Variables are matched by name as both tools match them: ignoring
case, with ``_`` the same as a space and runs of spaces as one; the factor id is that
canonical name, the label the name as first drawn. A variable drawn again (a Vensim shadow
variable, an XMILE alias) is the same factor, and an arrow drawn twice is one link. The
tool's type (``stock``, ``flow``, ``aux``...) is kept in ``attributes["sd_type"]``.

**Vensim** ``.mdl``: the sketch section, from ``\\\\\\---///`` to ``///---\\\\\\``, one record a
line, numbered within each view (``*View name``):

- ``10,id,name,x,y,w,h,shape,bits,...`` is a variable: a factor at (x, y);
- ``11,id,...`` is a flow's valve, whose variable is the ``10`` record written right after it;
- ``12,...`` a comment or cloud (when its bits have 4, its text is on the next line);
- ``1,id,from,to,shape,hidden,polarity,thickness,...`` is an arrow; ``polarity`` is the ASCII
  code of the sign drawn at its head: 43 ``+``, 45 ``-``, 83 or 115 ``S`` (same: ``+``), 79 or
  48 ``O`` (opposite: ``-``), 0 or anything else ``"?"``. An arrow to a valve ends at its flow
  variable. A flow pipe (an arrow from a valve to a stock) is a link from the flow to the stock:
  ``+`` where the pipe ends at the stock (shape 4, an inflow), ``-`` where it starts there
  (shape 100, an outflow); pipes to clouds are not links.

**XMILE**: ``<stock>``, ``<flow>`` and ``<aux>`` in ``<model><variables>`` are factors (their
``<doc>`` the description); a stock's ``<inflow>`` and ``<outflow>`` are ``+`` and ``-`` links
from the flow to the stock; in ``<views>`` each ``<connector polarity="+|-">`` with its
``<from>`` and ``<to>`` is a link (no polarity is ``"?"``), an ``<alias>`` being the variable
its ``<of>`` names; the first view that draws a variable gives its position. Only the main
(first) model is read, not modules.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import parse_xml
from mobilise.formats._map_files import checked
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.settings import Limits

__all__ = ["read_vensim_mdl", "read_xmile"]

_ARROW_POLARITIES = {43: "+", 45: "-", 83: "+", 115: "+", 79: "-", 48: "-"}
_PIPE_INTO = 4  # arrow shape of a pipe at the end the flow fills
_PIPE_OUT_OF = 100  # arrow shape of a pipe at the end the flow drains
_PIPE_THICKNESS = 22
_SKETCH_START = "\\\\\\---///"
_SKETCH_END = "///---\\\\\\"
_XMILE_VARIABLES = ("stock", "flow", "aux")


def _canonical_name(name: str) -> str:
    """A variable name as Vensim and XMILE compare names: without quotes, lower case, ``_``
    and line breaks as spaces, runs of spaces as one."""
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    text = text.replace("\\n", " ").replace("_", " ")
    return " ".join(text.split()).casefold()


def _label(name: str) -> str:
    text = name.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('\\"', '"')
    return " ".join(text.replace("\\n", " ").split())


@dataclass
class _Builder:
    """Factors and links gathered while reading, merged by canonical name and by pair."""

    name: str
    factors: dict[str, Factor] = field(default_factory=dict)
    links: dict[tuple[str, str], Link] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def factor(
        self, raw_name: str, *, kind: str = "", x: float | None = None, y: float | None = None
    ) -> str:
        factor_id = _canonical_name(raw_name)
        found = self.factors.get(factor_id)
        if found is None:
            found = Factor(id=factor_id, label=_label(raw_name) or factor_id)
            self.factors[factor_id] = found
        if kind and "sd_type" not in found.attributes:
            found.attributes["sd_type"] = kind
        if found.x is None and x is not None and y is not None:
            found.x, found.y = x, y
        return factor_id

    def link(self, source: str, target: str, polarity: str, *, how: str) -> None:
        found = self.links.get((source, target))
        if found is None:
            self.links[(source, target)] = Link(
                id=f"{source} -> {target}",
                source=source,
                target=target,
                polarity=polarity,
                attributes={"sd_link": how},
            )
        elif found.polarity == "?":
            found.polarity = polarity

    def finish(self, title: str) -> CausalMap:
        causal_map = CausalMap(
            title=title,
            factors=list(self.factors.values()),
            links=list(self.links.values()),
            source=self.name,
        )
        return checked(causal_map, self.problems, self.name)


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Vensim files without a {UTF-8} mark are in the Windows code page.
        return data.decode("cp1252", errors="replace")


def _unreadable(name: str, what: str, message: str) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as {what}.", problems=[Problem(message, file=name)]
    )


# -- Vensim ----------------------------------------------------------------------------------


def read_vensim_mdl(
    data: bytes | str, *, name: str = "model.mdl", limits: Limits | None = None
) -> CausalMap:
    """Read the causal structure of a Vensim ``.mdl`` model's sketch (the file's bytes or text;
    ``name`` for messages and the map's title) as a checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file has no sketch, or listing every arrow that joins a record its view does
        not have (with the file's line number).
    """
    lines = _text(data).splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(_SKETCH_START)), None)
    if start is None:
        raise _unreadable(
            name,
            "a Vensim model",
            "there is no sketch section (a line starting \\\\\\---///); save the model from "
            "Vensim as a text .mdl file",
        )
    builder = _Builder(name)
    view: dict[str, _Record] = {}
    views: list[dict[str, _Record]] = [view]
    arrows: list[tuple[int, dict[str, _Record], list[str]]] = []
    pending_valve: _Record | None = None
    skip_next = False
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
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
            arrows.append((number, view, fields))
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
    for number, arrow_view, fields in arrows:
        _mdl_arrow(builder, number, arrow_view, fields)
    return builder.finish(PurePath(name).stem)


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


def _mdl_arrow(builder: _Builder, number: int, view: dict[str, _Record], fields: list[str]) -> None:
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
        builder.link(flow, stock, "+" if into else "-", how="inflow" if into else "outflow")
        return
    if source.kind == "valve":
        source = _Record("flow", source.name, None, None)
    if target.kind == "valve":
        target = _Record("flow", target.name, None, None)
    if source.kind not in ("variable", "flow") or not target.name:
        return  # an arrow from or to a comment
    polarity = _ARROW_POLARITIES.get(_int(fields[6]), "?")
    builder.link(builder.factor(source.name), builder.factor(target.name), polarity, how="arrow")


# -- XMILE -----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, *tags: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) in tags)


def _child(element: ET.Element, tag: str) -> ET.Element | None:
    return next(_children(element, tag), None)


def read_xmile(
    data: bytes | str, *, name: str = "model.xmile", limits: Limits | None = None
) -> CausalMap:
    """Read the causal structure of an XMILE model, Stella ``.stmx`` or ``.xmile`` (the file's
    bytes or text; ``name`` for messages, and for the map's title when the model has none), as
    a checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        When the text is not XMILE, or listing every connector or flow that names a variable
        the model does not have.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = parse_xml(raw, name=name, limits=limits)
    except (ET.ParseError, LookupError) as exc:  # LookupError: an unknown declared encoding
        raise _unreadable(name, "an XMILE model", f"cannot parse the XML: {exc}") from exc
    if _local(root.tag) != "xmile":
        raise _unreadable(name, "an XMILE model", f"the root element is <{root.tag}>, not <xmile>")
    model = _child(root, "model")
    if model is None:
        raise _unreadable(name, "an XMILE model", "there is no <model> element")
    builder = _Builder(name)
    variables = _child(model, "variables")
    flows: list[tuple[str, str, str, int]] = []
    for number, element in enumerate(
        [] if variables is None else _children(variables, *_XMILE_VARIABLES), start=1
    ):
        variable_name = element.get("name", "")
        if not variable_name.strip():
            builder.problems.append(
                Problem(
                    f"a <{_local(element.tag)}> has no name",
                    file=name,
                    row=number,
                    field="name",
                )
            )
            continue
        factor_id = builder.factor(variable_name, kind=_local(element.tag))
        doc = _child(element, "doc")
        if doc is not None and doc.text:
            builder.factors[factor_id].description = doc.text.strip()
        for tag, polarity in (("inflow", "+"), ("outflow", "-")):
            for flow in _children(element, tag):
                flows.append((flow.text or "", factor_id, polarity, number))
    known = set(builder.factors)
    for flow_name, stock, polarity, number in flows:
        flow_id = _canonical_name(flow_name)
        if flow_id not in known:
            builder.problems.append(
                Problem(
                    f"stock {builder.factors[stock].label!r} has {flow_name!r} as a flow, "
                    "which the model does not have",
                    file=name,
                    row=number,
                    field="inflow" if polarity == "+" else "outflow",
                )
            )
            continue
        builder.link(flow_id, stock, polarity, how="inflow" if polarity == "+" else "outflow")
    views = _child(model, "views")
    for view in [] if views is None else _children(views, "view"):
        _xmile_view(builder, view, known)
    header = _child(root, "header")
    title = ""
    if header is not None:
        title_element = _child(header, "name")
        title = (title_element.text or "").strip() if title_element is not None else ""
    return builder.finish(title or model.get("name") or PurePath(name).stem)


def _xmile_view(builder: _Builder, view: ET.Element, known: set[str]) -> None:
    aliases: dict[str, str] = {}
    for element in view:
        tag = _local(element.tag)
        if tag in _XMILE_VARIABLES:
            factor_id = _canonical_name(element.get("name", ""))
            if factor_id in known:
                builder.factor(
                    element.get("name", ""),
                    x=_float(element.get("x", "")),
                    y=_float(element.get("y", "")),
                )
        elif tag == "alias":
            of = _child(element, "of")
            if of is not None and of.text:
                aliases[element.get("uid", "")] = of.text
    for number, connector in enumerate(_children(view, "connector"), start=1):
        ends: dict[str, str] = {}
        for end in ("from", "to"):
            referred, what = _xmile_end(_child(connector, end), aliases)
            factor_id = _canonical_name(referred)
            if factor_id not in known:
                builder.problems.append(
                    Problem(
                        f"connector {connector.get('uid', number)} "
                        f"{'starts' if end == 'from' else 'ends'} at {what}",
                        file=builder.name,
                        row=number,
                        field=end,
                    )
                )
            ends[end] = factor_id
        if ends["from"] in known and ends["to"] in known:
            polarity = connector.get("polarity", "").strip()
            builder.link(
                ends["from"],
                ends["to"],
                polarity if polarity in ("+", "-") else "?",
                how="connector",
            )


def _xmile_end(element: ET.Element | None, aliases: dict[str, str]) -> tuple[str, str]:
    """The variable a connector's ``<from>`` or ``<to>`` names, and what to say when the model
    does not have it."""
    if element is None:
        return "", "nothing"
    alias = _child(element, "alias")
    if alias is None:
        return element.text or "", f"{element.text or ''!r}, which the model does not have"
    uid = alias.get("uid", "")
    if uid not in aliases:
        return "", f"alias {uid!r}, which this view does not have"
    return aliases[uid], f"{aliases[uid]!r} (by alias {uid!r}), which the model does not have"

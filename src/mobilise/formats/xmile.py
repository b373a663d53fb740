"""The causal structure of XMILE models (Stella, iThink, ``.stmx``, ``.itmx``, ``.xmile``), read
as tools read them, into a :class:`~mobilise.model.causal_map.CausalMap`.

- ``<stock>``, ``<flow>`` and ``<aux>`` are factors (their ``<doc>`` the description, the tool's
  type in ``attributes["sd_type"]``), whether in ``<model><variables>`` or, in the pre-standard
  Stella layout, straight in ``<model>``; a model with none is refused, never read as empty.
- Links come from the equations (``<eqn>``): each variable an equation uses is a link to the
  equation's variable, with the sign of the equation's derivative
  (:mod:`mobilise.formats.sd_equations`: a ``<gf>`` graphical function by the monotonicity of
  its ``<ypts>``); a stock's ``<inflow>`` and ``<outflow>`` are ``+`` and ``-`` links from the
  flow. Connectors drawn in the first model's ``<views>`` are links too (their ``polarity``
  drawn), and the first view that draws a variable gives its position; an ``<alias>`` is the
  variable its ``<of>`` names.
- Modules: a ``<module name="M">`` in a model is the ``<model name="M">`` of the file; its
  variables are factors named with the module (``M.variable``), and each ``<connect to="a"
  from="b">`` is a ``+`` link from ``b`` (in the outer model, or another module's ``N.b``) to
  the module's input ``a``.
- Vendor elements (``isee:``, ``stella:``...) are read even when the file forgets to declare
  their prefix, as the tools read them; a file that is not well-formed XML is refused naming
  its line. The XML is parsed as every reader here parses it
  (:func:`~mobilise.formats._limits.parse_xml`: no DTD entities, nesting bounded).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from mobilise.errors import Problem
from mobilise.formats._limits import parse_xml
from mobilise.formats.sd_build import Builder, Variable, label, links_from_equations, unreadable
from mobilise.formats.sd_equations import Lookup, canonical_name, lookup_direction
from mobilise.model.causal_map import CausalMap
from mobilise.settings import Limits

__all__ = ["read_xmile"]

_VARIABLES = ("stock", "flow", "aux")
_MAX_MODULE_DEPTH = 20
_PREFIX_USED = re.compile(
    rb"</?([A-Za-z_][\w.-]*):[A-Za-z_]|\s([A-Za-z_][\w.-]*):[A-Za-z_][\w.-]*\s*=\s*[\"']"
)
_PREFIX_DECLARED = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")
_ROOT_START = re.compile(rb"<(?![?!])[A-Za-z_][\w.:-]*")
_WHAT = "an XMILE model"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, *tags: str) -> Iterator[ET.Element]:
    return (child for child in element if _local(child.tag) in tags)


def _child(element: ET.Element, tag: str) -> ET.Element | None:
    return next(_children(element, tag), None)


def _float(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if abs(value) != float("inf") and value == value else None


def declare_prefixes(raw: bytes) -> bytes:
    """The file with every namespace prefix it uses but does not declare declared on its root
    element (as Stella and other tools accept ``isee:`` elements undeclared)."""
    used = {a or b for a, b in _PREFIX_USED.findall(raw)}
    missing = sorted(used - set(_PREFIX_DECLARED.findall(raw)) - {b"xml", b"xmlns"})
    root = _ROOT_START.search(raw)
    if not missing or root is None:
        return raw
    declarations = b"".join(
        b" xmlns:" + p + b'="urn:mobilise:undeclared:' + p + b'"' for p in missing
    )
    return raw[: root.end()] + declarations + raw[root.end() :]


@dataclass
class _Reading:
    builder: Builder
    models: dict[str, ET.Element]
    variables: list[Variable] = field(default_factory=list)
    lookups: dict[str, Lookup] = field(default_factory=dict)
    flows: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    connects: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)


def read_xmile(
    data: bytes | str, *, name: str = "model.xmile", limits: Limits | None = None
) -> CausalMap:
    """Read the causal structure of an XMILE model (the file's bytes or text; ``name`` for
    messages, and for the map's title when the model has none) as a checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file is not well-formed XML (naming its line), is not XMILE or has no
        variables, or listing every connector, flow or module connection that names a
        variable the model does not have.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        root = parse_xml(declare_prefixes(raw), name=name, limits=limits)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise unreadable(name, _WHAT, f"cannot parse the XML: {exc}", line=line) from exc
    except LookupError as exc:  # an unknown declared encoding
        raise unreadable(name, _WHAT, f"cannot parse the XML: {exc}", line=1) from exc
    if _local(root.tag) != "xmile":
        raise unreadable(name, _WHAT, f"the root element is <{root.tag}>, not <xmile>")
    models = list(_children(root, "model"))
    if not models:
        raise unreadable(name, _WHAT, "there is no <model> element")
    main = next((m for m in models if not m.get("name")), models[0])
    named = {canonical_name(m.get("name", "")): m for m in models if m is not main}
    reading = _Reading(Builder(name), named)
    for gf in root.iter():
        if _local(gf.tag) == "gf" and gf.get("name"):
            reading.lookups[canonical_name(gf.get("name", ""))] = _gf_direction(gf)
    _read_model(reading, main, ("", ""), 0)
    builder = reading.builder
    if not builder.factors:
        raise unreadable(
            name, _WHAT, "the model has no variables: no <stock>, <flow> or <aux> in its <model>"
        )
    _link_flows(reading)
    _link_modules(reading)
    views = _child(main, "views")
    for view in [] if views is None else _children(views, "view"):
        _read_view(reading, view)  # first: a sign drawn is what the modeller says
    links_from_equations(builder, reading.variables, dialect="xmile", lookups=reading.lookups)
    header = _child(root, "header")
    title_element = _child(header, "name") if header is not None else None
    title = (title_element.text or "").strip() if title_element is not None else ""
    return builder.finish(title or main.get("name") or PurePath(name).stem)


def _variables_of(model: ET.Element) -> Iterator[ET.Element]:
    """The variable elements of a model: in ``<variables>``, or straight in ``<model>`` in the
    pre-standard layout."""
    container = _child(model, "variables")
    yield from _children(model if container is None else container, *_VARIABLES, "module")


def _read_model(reading: _Reading, model: ET.Element, prefix: tuple[str, str], depth: int) -> None:
    builder = reading.builder
    for number, element in enumerate(_variables_of(model), start=1):
        tag = _local(element.tag)
        raw_name = element.get("name", "")
        if not raw_name.strip():
            builder.problems.append(
                Problem(f"a <{tag}> has no name", file=builder.name, row=number, field="name")
            )
            continue
        if tag == "module":
            _read_module(reading, element, prefix, depth, number)
            continue
        factor_id = builder.factor(raw_name, kind=tag, prefix=prefix)
        doc = _child(element, "doc")
        if doc is not None and doc.text and not builder.factors[factor_id].description:
            builder.factors[factor_id].description = doc.text.strip()
        for flow_tag, polarity in (("inflow", "+"), ("outflow", "-")):
            for flow in _children(element, flow_tag):
                reading.flows.append((prefix[0], flow.text or "", factor_id, polarity, number))
        eqn = _child(element, "eqn")
        gf = _child(element, "gf")
        reading.variables.append(
            Variable(
                factor=factor_id,
                kind=tag,
                equation="" if tag == "stock" or eqn is None else (eqn.text or ""),
                scope=prefix[0],
                graphical=_gf_direction(gf) if gf is not None else None,
                non_negative=_child(element, "non_negative") is not None,
                row=number,
            )
        )


def _read_module(
    reading: _Reading, element: ET.Element, prefix: tuple[str, str], depth: int, number: int
) -> None:
    raw_name = element.get("name", "")
    key = canonical_name(raw_name)
    reading.modules.add(prefix[0] + key)
    inner = (prefix[0] + key + ".", prefix[1] + label(raw_name) + ".")
    for connect in _children(element, "connect"):
        reading.connects.append(
            (inner[0], prefix[0], connect.get("to", ""), connect.get("from", ""), number)
        )
    model = reading.models.get(canonical_name(element.get("model_name") or raw_name))
    if model is None:
        resource = element.get("resource") or ""
        model = reading.models.get(canonical_name(PurePath(resource).stem)) if resource else None
    wrong = (
        "is a model the file does not have"
        if model is None
        else f"nests more than {_MAX_MODULE_DEPTH} modules deep"
        if depth >= _MAX_MODULE_DEPTH
        else ""
    )
    if model is None or wrong:
        reading.builder.problems.append(
            Problem(
                f"module {label(raw_name)!r} {wrong}",
                file=reading.builder.name,
                row=number,
                field="module",
            )
        )
        return
    _read_model(reading, model, inner, depth + 1)


def _gf_direction(gf: ET.Element) -> Lookup:
    """The direction of a graphical function (``"+"``, ``"-"`` or ``"?"``), from its points."""
    ypts = _child(gf, "ypts")
    xpts = _child(gf, "xpts")
    ys = _numbers(ypts)
    xs = _numbers(xpts) if xpts is not None else [float(i) for i in range(len(ys))]
    if len(xs) != len(ys):
        return Lookup("?")
    return lookup_direction(list(zip(xs, ys, strict=True)))


def _numbers(element: ET.Element | None) -> list[float]:
    if element is None or not element.text:
        return []
    separator = element.get("sep") or ","
    values = [_float(part) for part in element.text.split(separator)]
    return [v for v in values if v is not None]


def _link_flows(reading: _Reading) -> None:
    builder = reading.builder
    for scope, flow_name, stock, polarity, number in reading.flows:
        flow_id = scope + canonical_name(flow_name)
        if flow_id not in builder.factors:
            builder.problems.append(
                Problem(
                    f"stock {builder.factors[stock].label!r} has {flow_name!r} as a flow, "
                    "which the model does not have",
                    file=builder.name,
                    row=number,
                    field="inflow" if polarity == "+" else "outflow",
                )
            )
            continue
        into = polarity == "+"
        builder.link(
            flow_id,
            stock,
            polarity,
            how="inflow" if into else "outflow",
            reason=f"an {'inflow' if into else 'outflow'} of the stock",
        )


def _resolve(builder: Builder, name: str, *scopes: str) -> str | None:
    key = canonical_name(name.lstrip("."))
    return next((s + key for s in scopes if s + key in builder.factors), None)


def _link_modules(reading: _Reading) -> None:
    builder = reading.builder
    for inner, outer, to, source, number in reading.connects:
        target_id = _resolve(builder, to, inner, outer, "")
        source_id = _resolve(builder, source, outer, "")
        for end, found, raw in (("to", target_id, to), ("from", source_id, source)):
            if found is None:
                builder.problems.append(
                    Problem(
                        f"module {inner[:-1]!r} connects {end} {raw!r}, which the model does "
                        "not have",
                        file=builder.name,
                        row=number,
                        field=end,
                    )
                )
        if target_id and source_id and target_id != source_id:
            builder.link(
                source_id, target_id, "+", how="module", reason="a module input: the same value"
            )


def _read_view(reading: _Reading, view: ET.Element) -> None:
    builder = reading.builder
    known = set(builder.factors)
    aliases: dict[str, str] = {}
    for element in view:
        tag = _local(element.tag)
        if tag in _VARIABLES and canonical_name(element.get("name", "")) in known:
            builder.factor(
                element.get("name", ""), x=_float(element.get("x")), y=_float(element.get("y"))
            )
        elif tag == "alias":
            of = _child(element, "of")
            if of is not None and of.text:
                aliases[element.get("uid", "")] = of.text
    for number, connector in enumerate(_children(view, "connector"), start=1):
        ends: dict[str, str] = {}
        for end in ("from", "to"):
            referred, what = _end(_child(connector, end), aliases)
            factor_id = canonical_name(referred)
            if factor_id in reading.modules:
                break  # a connector to or from a module: its equations say what it carries
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
        if ends.get("from") in known and ends.get("to") in known:
            polarity = connector.get("polarity", "").strip()
            drawn = polarity in ("+", "-")
            builder.link(
                ends["from"],
                ends["to"],
                polarity if drawn else "?",
                how="connector",
                reason="drawn on the diagram" if drawn else "no sign drawn on the diagram",
            )


def _end(element: ET.Element | None, aliases: dict[str, str]) -> tuple[str, str]:
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

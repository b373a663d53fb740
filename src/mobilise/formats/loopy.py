"""LOOPY (ncase.me/loopy, v1.1) models, read into and written from a
:class:`~mobilise.model.causal_map.CausalMap`.

LOOPY keeps a whole model in its share URL, ``https://ncase.me/loopy/v1.1/?data=...``. The
data is the JSON array ``[nodes, edges, labels, uid]``:

- node ``[id, x, y, init, label, hue]``: an integer id, its position in pixels, its starting
  amount (0 to 1), its name and its colour (0 red, 1 orange, 2 yellow, 3 green, 4 blue,
  5 purple);
- edge ``[from, to, arc, strength, rotation]``: node ids, how far the arrow bends, ``1`` for a
  positive and ``-1`` for a negative link, and the angle of an arrow from a node to itself
  (LOOPY v1.1 writes 0 for the others; older models may leave it out);
- label ``[x, y, text]``: a free text note on the canvas;
- uid: the last node id LOOPY gave out.

LOOPY URL-encodes each label and note twice when it makes the URL (``encodeURIComponent``),
and the browser's decoding of the query undoes one of them; the array LOOPY parses (and the
``raw`` field of the sample files) still has them encoded once. :func:`read_loopy` takes:

- a share URL (or just its ``data`` value), decoded as LOOPY decodes it;
- the JSON array, with node labels encoded once as LOOPY parses them (plain text reads as
  itself unless it holds ``%`` escapes);
- a wrapper object ``{"raw": [...], ...}`` or ``{"source_url": "..."}``, as in the sample
  files, or a list of such wrappers with ``index=`` choosing one.

Each node is a :class:`Factor` (``id`` the node id as text, the colour's name as its group, the
node's ``init`` and ``hue`` in ``attributes``). Each edge is a :class:`Link` whose polarity is
the sign of its strength (LOOPY links have no weight), with ``arc`` and ``rotation`` kept in
``attributes``. Later LOOPY forks write strengths of ±8 and ±9 and more fields per node and
edge; they are read by their sign and the extra fields kept. The notes are kept in
``map.attributes["loopy_labels"]``.

:func:`write_loopy` and :func:`write_loopy_url` write what LOOPY v1.1 itself writes. LOOPY has
no unknown polarity: a map with ``"?"`` links is refused unless ``unknown_as`` says how to draw
them. Factors without a position are placed on a circle.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote, unquote

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import load_json
from mobilise.formats._map_files import checked
from mobilise.formats._tables import _decode
from mobilise.model.causal_map import CausalMap, Factor, Link
from mobilise.settings import Limits

__all__ = ["LOOPY_COLOURS", "LOOPY_URL", "read_loopy", "write_loopy", "write_loopy_url"]

LOOPY_URL = "https://ncase.me/loopy/v1.1/"
"""Where :func:`write_loopy_url` points by default."""

LOOPY_COLOURS = ("red", "orange", "yellow", "green", "blue", "purple")
"""LOOPY's node colours by hue number (0 to 5); a node's colour is read as its group."""

_DEFAULT_INIT = 0.5  # Node.defaultValue in LOOPY v1.1
_DEFAULT_ARC = 100  # Edge's default bend in LOOPY v1.1
_DATA_RE = re.compile(r"[?&]data=([^&#]*)")
_URI_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves alone


def read_loopy(
    data: bytes | str,
    *,
    name: str = "model.loopy",
    index: int | None = None,
    limits: Limits | None = None,
) -> CausalMap:
    """Read a LOOPY model (share URL, JSON array or sample wrapper) as a checked causal map.

    Parameters
    ----------
    data
        The URL or the file's content.
    name
        The file name, for messages and the map's title.
    index
        Which model (from 0) of a file holding a list of them.
    limits
        What the file may hold (nesting); by default the settings' defaults.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every problem: text that is not a LOOPY model, a node without a numeric id,
        an edge to a node that is not in the model, a strength that is not a number.
    """
    text = _decode(data, name).strip() if isinstance(data, bytes) else data.lstrip("\ufeff").strip()
    model = _model_from_text(text, name, index, limits)
    return _map_from_model(model, name)


def write_loopy(causal_map: CausalMap, *, unknown_as: str | None = None) -> bytes:
    """The map as LOOPY's JSON array (UTF-8), node labels and notes URL-encoded once.

    ``unknown_as`` (``"+"`` or ``"-"``) draws links of unknown polarity with that sign;
    without it such links are a :class:`~mobilise.errors.ValidationError`.
    """
    model = _model_from_map(causal_map, unknown_as=unknown_as, encodings=1)
    return json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_loopy_url(
    causal_map: CausalMap, *, base: str = LOOPY_URL, unknown_as: str | None = None
) -> str:
    """A LOOPY share URL that opens the map, made as LOOPY v1.1 makes its own."""
    model = _model_from_map(causal_map, unknown_as=unknown_as, encodings=2)
    data = json.dumps(model, separators=(",", ":"))
    # As LOOPY: URL-encode only the quotes, and the final "]" so that the link survives
    # being pasted into text that ends it there.
    data = data.replace('"', "%22")[:-1] + "%5D"
    return f"{base}?data={data}"


# -- reading ---------------------------------------------------------------------------------


def _not_a_model(name: str, message: str) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as a LOOPY model.", problems=[Problem(message, file=name)]
    )


class _NotJson(ValidationError):
    """Text that is not JSON (it may still be the data of a share URL)."""


def _from_url(text: str, name: str, limits: Limits | None) -> list[Any]:
    match = _DATA_RE.search(text)
    value = match.group(1) if match else text
    # LOOPY reads the parameter with decodeURIComponent after turning "+" into spaces.
    decoded = unquote(value.replace("+", " "))
    return _parse_array(decoded, name, limits)


def _parse_array(text: str, name: str, limits: Limits | None) -> list[Any]:
    parsed = load_json(
        text,
        name=name,
        limits=limits,
        unreadable=lambda error: _not_a_model(name, f"cannot parse the model's JSON: {error}"),
    )
    if not isinstance(parsed, list):
        raise _not_a_model(name, "the model is not a JSON array [nodes, edges, labels, uid]")
    return parsed


def _model_from_text(text: str, name: str, index: int | None, limits: Limits | None) -> list[Any]:
    if not text:
        raise _not_a_model(name, "the file is empty")
    if not text.startswith(("{", "[")):
        if "data=" in text:
            return _from_url(text, name, limits)
        raise _not_a_model(name, "this is neither a LOOPY share URL nor a LOOPY JSON array")
    try:
        parsed = load_json(text, name=name, limits=limits, unreadable=_NotJson)
    except _NotJson:
        if text.startswith("[") and "%22" in text:
            return _from_url(text, name, limits)  # the data value of a URL, still encoded
        raise _not_a_model(
            name, "this is neither a LOOPY share URL nor a LOOPY JSON array"
        ) from None
    if isinstance(parsed, list) and parsed and all(isinstance(p, dict) for p in parsed):
        if index is None and len(parsed) > 1:
            raise _not_a_model(
                name, f"the file holds {len(parsed)} LOOPY models; pass index= to choose one"
            )
        chosen = index or 0
        if not 0 <= chosen < len(parsed):
            raise _not_a_model(
                name, f"index {chosen} is out of range; the file holds {len(parsed)} models"
            )
        parsed = parsed[chosen]
    if isinstance(parsed, dict):
        if isinstance(parsed.get("raw"), list):
            return list(parsed["raw"])
        for key in ("source_url", "url"):
            if isinstance(parsed.get(key), str):
                return _from_url(parsed[key], name, limits)
        raise _not_a_model(name, "the JSON object has no 'raw' model array nor 'source_url'")
    assert isinstance(parsed, list)  # the text starts with "{" or "["
    return parsed


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _node_id(value: object) -> str | None:
    number = _number(value)
    if number is None or not number.is_integer():
        return None
    return str(int(number))


def _map_from_model(model: Sequence[Any], name: str) -> CausalMap:
    if len(model) < 2 or not isinstance(model[0], list) or not isinstance(model[1], list):
        raise _not_a_model(
            name,
            "the model is not a LOOPY array [nodes, edges, labels, uid]: nodes and edges "
            "must be lists",
        )
    problems: list[Problem] = []
    factors: list[Factor] = []
    for number, node in enumerate(model[0], start=1):
        factor = _factor(node, number, name, problems)
        if factor is not None:
            factors.append(factor)
    known = {f.id for f in factors}
    links: list[Link] = []
    for number, edge in enumerate(model[1], start=1):
        link = _link(edge, number, known, name, problems)
        if link is not None:
            links.append(link)
    notes = []
    raw_labels = model[2] if len(model) > 2 and isinstance(model[2], list) else []
    for label in raw_labels:
        if isinstance(label, list) and len(label) >= 3:
            notes.append({"x": _number(label[0]), "y": _number(label[1]), "text": _label(label[2])})
    attributes: dict[str, Any] = {"loopy_labels": notes}
    if len(model) > 3:
        attributes["loopy_uid"] = model[3]
    causal_map = CausalMap(
        title=PurePath(name).stem if "." in name else name,
        factors=factors,
        links=links,
        attributes=attributes,
        source=name,
    )
    return checked(causal_map, problems, name)


def _label(value: object) -> str:
    return unquote(str(value)) if value is not None else ""


def _factor(node: object, number: int, name: str, problems: list[Problem]) -> Factor | None:
    if not isinstance(node, list) or len(node) < 5:
        problems.append(
            Problem(
                "a node is not [id, x, y, init, label, hue]", file=name, row=number, field="nodes"
            )
        )
        return None
    node_id = _node_id(node[0])
    if node_id is None:
        problems.append(
            Problem(f"node id {node[0]!r} is not a whole number", file=name, row=number, field="id")
        )
        return None
    hue = _node_id(node[5]) if len(node) > 5 else "0"
    attributes: dict[str, Any] = {"loopy_init": _number(node[3]), "loopy_hue": hue}
    if len(node) > 6:
        attributes["loopy_extra"] = list(node[6:])
    label = _label(node[4])
    return Factor(
        id=node_id,
        label=label if label.strip() else "?",
        group=LOOPY_COLOURS[int(hue)] if hue is not None and 0 <= int(hue) < 6 else "",
        x=_number(node[1]),
        y=_number(node[2]),
        attributes=attributes,
    )


def _link(
    edge: object, number: int, known: set[str], name: str, problems: list[Problem]
) -> Link | None:
    if not isinstance(edge, list) or len(edge) < 4:
        problems.append(
            Problem(
                "an edge is not [from, to, arc, strength]", file=name, row=number, field="edges"
            )
        )
        return None
    ends = {}
    for field, value in (("from", edge[0]), ("to", edge[1])):
        node_id = _node_id(value)
        if node_id is None or node_id not in known:
            problems.append(
                Problem(
                    f"edge {number} {'starts' if field == 'from' else 'ends'} at node {value!r}, "
                    "which is not in the model",
                    file=name,
                    row=number,
                    field=field,
                )
            )
        ends[field] = node_id
    strength = _number(edge[3])
    if strength is None:
        problems.append(
            Problem(
                f"edge {number} has strength {edge[3]!r}; LOOPY uses 1 or -1",
                file=name,
                row=number,
                field="strength",
            )
        )
    source, target = ends["from"], ends["to"]
    if source is None or target is None or source not in known or target not in known:
        return None
    if strength is None:
        return None
    attributes: dict[str, Any] = {"loopy_arc": _number(edge[2])}
    if len(edge) > 4:
        attributes["loopy_rotation"] = _number(edge[4])
    if len(edge) > 5:
        attributes["loopy_extra"] = list(edge[5:])
    return Link(
        id=f"e{number}",
        source=source,
        target=target,
        polarity="?" if strength == 0 else ("+" if strength > 0 else "-"),
        attributes=attributes,
    )


# -- writing ---------------------------------------------------------------------------------


def _encode(text: str, times: int) -> str:
    for _ in range(times):
        text = quote(text, safe=_URI_SAFE)
    return text


def _js_number(value: float) -> float | int:
    """A number as JavaScript's JSON.stringify writes it (no ".0" on whole numbers)."""
    return int(value) if value.is_integer() else value


def _loopy_ids(factors: Sequence[Factor]) -> dict[str, int]:
    ids = [f.id for f in factors]
    if all(i.isdigit() and int(i) > 0 for i in ids) and len({int(i) for i in ids}) == len(ids):
        return {i: int(i) for i in ids}
    return {factor_id: number for number, factor_id in enumerate(ids, start=1)}


def _hue(item: Factor, groups: list[str]) -> int:
    saved = _node_id(item.attributes.get("loopy_hue"))
    if saved is not None and 0 <= int(saved) < len(LOOPY_COLOURS):
        return int(saved)
    if item.group.casefold() in LOOPY_COLOURS:
        return LOOPY_COLOURS.index(item.group.casefold())
    if item.group:
        return groups.index(item.group) % len(LOOPY_COLOURS)
    return 0


def _model_from_map(causal_map: CausalMap, *, unknown_as: str | None, encodings: int) -> list[Any]:
    if unknown_as not in (None, "+", "-"):
        raise ValidationError(
            "unknown_as must be '+' or '-'.",
            problems=[Problem(f"{unknown_as!r} is not '+' or '-'", field="unknown_as")],
        )
    unknown = [link for link in causal_map.links if link.polarity not in ("+", "-")]
    if unknown and unknown_as is None:
        problems = [
            Problem(
                f"link {link.id!r} has unknown polarity; LOOPY links are positive or negative "
                "(set the polarity, or pass unknown_as='+' or '-')",
                file=causal_map.source or None,
                field="polarity",
            )
            for link in unknown
        ]
        error = ValidationError.collect(problems, what=f"Map {causal_map.title!r} as LOOPY")
        assert error is not None
        raise error
    ids = _loopy_ids(causal_map.factors)
    groups = list(dict.fromkeys(f.group for f in causal_map.factors if f.group))
    count = max(len(causal_map.factors), 1)
    nodes = []
    for number, item in enumerate(causal_map.factors):
        angle = 2 * math.pi * number / count
        x = item.x if item.x is not None else 400 + 300 * math.cos(angle)
        y = item.y if item.y is not None else 400 + 300 * math.sin(angle)
        init = _number(item.attributes.get("loopy_init"))
        nodes.append(
            [
                ids[item.id],
                round(x),
                round(y),
                _js_number(init if init is not None else _DEFAULT_INIT),
                _encode(item.label, encodings),
                _hue(item, groups),
            ]
        )
    edges = []
    for link in causal_map.links:
        if link.source not in ids or link.target not in ids:
            continue
        polarity = link.polarity if link.polarity in ("+", "-") else unknown_as
        arc = _number(link.attributes.get("loopy_arc"))
        edge: list[Any] = [
            ids[link.source],
            ids[link.target],
            round(arc) if arc is not None else _DEFAULT_ARC,
            1 if polarity == "+" else -1,
        ]
        rotation = _number(link.attributes.get("loopy_rotation"))
        edge.append(round(rotation) if rotation is not None else 0)
        edges.append(edge)
    labels = []
    for note in causal_map.attributes.get("loopy_labels") or []:
        if isinstance(note, dict):
            labels.append(
                [
                    round(_number(note.get("x")) or 0),
                    round(_number(note.get("y")) or 0),
                    _encode(str(note.get("text", "")), encodings),
                ]
            )
    return [nodes, edges, labels, max(ids.values(), default=0)]

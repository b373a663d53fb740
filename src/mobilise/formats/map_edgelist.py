"""Edge-list CSV files of causal maps: one row per link, read into and written from a
:class:`~mobilise.model.causal_map.CausalMap`.

Columns (names case-insensitive; only the two ends are required):

=====================  ========================================================================
``from``, ``to``       the cause and the effect, as labels (also ``source`` and ``target``,
                       or ``cause`` and ``effect``)
``id``                 the link's id (also ``link_id``; default ``L<row>``)
``polarity``           ``+``, ``-`` or ``?``, or words such as ``positive``, ``-ve``, ``same``
                       (also ``sign``)
``weight``             a number from -1 to 1; it gives the polarity when that is blank
``strength``           ``weak``, ``medium`` or ``strong`` (also ``low``, ``moderate``, ``high``)
``delay``              ``true`` or ``false`` (also ``yes``/``no``, ``1``/``0``; blank is false;
                       also ``delayed``)
``confidence``         a number from 0 to 1
``evidence``           the source or reasoning, in words
``stakeholder_group``  who said so (also ``group``, ``stakeholder group``)
``contested``          ``true`` or ``false``, as ``delay``
``label``              text shown on the link
=====================  ========================================================================

Other columns are kept in each link's ``attributes``. The file may use any of ``, ; tab |``
as delimiter, be UTF-8 (with or without a byte-order mark) or Windows-1252, and have CRLF line
ends and blank lines. Rows are numbered as data rows (the header is row 0; blank lines count).

Factors are the distinct labels in ``from`` and ``to``, in order of first appearance. A label
is taken exactly as written, case and surrounding spaces included: two cells are the same
factor only when their text is identical (``"Obesity"``, ``"obesity"`` and ``"Obesity "`` are
three factors; normalising labels is a separate, deliberate step). A factor's id is derived
from its label: lower-case letters and digits joined by ``_`` (``"Access to parks (%)"`` ->
``access_to_parks``), ``factor`` when nothing is left, and ``_2``, ``_3``... in order of first
appearance when two labels give the same id; reading the same file always gives the same ids.

:func:`write_edge_list` writes the same columns. An edge list cannot hold a factor without links
nor a factor's other fields, and it identifies factors by label: a map in which two linked
factors share a label is refused.
"""

from __future__ import annotations

import dataclasses
import io
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

import pandas as pd

from mobilise.errors import Problem, ValidationError
from mobilise.formats._tables import (
    find_column,
    missing_column,
    parse_numbers,
    raise_problems,
    row_of,
    table_from_text,
)
from mobilise.formats.safe_cells import csv_writer
from mobilise.model.causal_map import CausalMap, Factor, Link, polarity_of
from mobilise.settings import Limits

__all__ = [
    "EDGE_LIST_COLUMNS",
    "EdgeListMap",
    "LinkColumns",
    "link_count",
    "read_edge_list",
    "write_edge_list",
]

EDGE_LIST_COLUMNS = (
    "id", "from", "to", "polarity", "weight", "strength", "delay", "confidence", "evidence",
    "stakeholder_group", "contested", "label",
)  # fmt: skip
"""The columns :func:`write_edge_list` writes, in order."""

_ALIASES = {
    "from": ("from", "source", "cause"),
    "to": ("to", "target", "effect"),
    "id": ("id", "link_id"),
    "polarity": ("polarity", "sign"),
    "weight": ("weight",),
    "strength": ("strength",),
    "delay": ("delay", "delayed"),
    "confidence": ("confidence",),
    "evidence": ("evidence",),
    "stakeholder_group": ("stakeholder_group", "stakeholder group", "group"),
    "contested": ("contested",),
    "label": ("label",),
}
_STRENGTHS = {
    "weak": "weak", "low": "weak", "l": "weak",
    "medium": "medium", "moderate": "medium", "m": "medium",
    "strong": "strong", "high": "strong", "h": "strong",
}  # fmt: skip
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f", ""}


def read_edge_list(
    data: bytes | str, *, name: str = "links.csv", limits: Limits | None = None
) -> CausalMap:
    """Read an edge-list CSV (its bytes or text; ``name`` for messages and the map's title) as a
    checked causal map.

    Raises
    ------
    mobilise.errors.ValidationError
        Listing every bad row at once, with its row number and column: a blank ``from`` or
        ``to``, a polarity that is not one, a weight out of -1..1 or at odds with the
        polarity, an unknown strength, a confidence out of 0..1, a yes/no that is neither, a
        repeated id. Also when the file is not a table or has no ``from``/``to`` columns.
    """
    frame = _table(data, name, limits)
    columns = list(frame.columns)
    found = {field: find_column(columns, *names) for field, names in _ALIASES.items()}
    problems: list[Problem] = []
    for field, hint in (("from", "or 'source'"), ("to", "or 'target'")):
        if found[field] is None:
            problems.append(missing_column(name, field, columns, hint=f"name it {field!r} {hint}"))
    raise_problems(problems, what=f"File {name}")

    weights, weight_problems = _numbers(frame, found["weight"], name)
    confidences, confidence_problems = _numbers(frame, found["confidence"], name)
    problems += weight_problems + confidence_problems
    used = {c for c in found.values() if c is not None}
    extra_columns = [c for c in columns if c not in used]
    plain = _plain_cells(frame, ("evidence", "stakeholder_group", "label"), found)
    extras = [(c, frame[c].tolist()) for c in extra_columns]
    if not problems:  # every row at once; a file with any problem takes the row-by-row check
        fast = _PlainLinks.of(frame, found, weights, confidences)
        if fast is not None:
            return fast.causal_map(name, plain, extras)
    factor_id = _FactorIds()
    link_ids: dict[str, int] = {}  # link id -> the row that first has it
    links: list[Link] = []
    for position, (index, cells) in enumerate(_text_cells(frame, found)):
        row = row_of(index)
        problem = _RowProblems(name, row, found)
        fields = _link_fields(
            cells, _finite(weights.get(index)), _finite(confidences.get(index)), problem
        )
        link_id = cells["id"].strip() or f"L{row}"
        if link_id in link_ids:
            problem(f"link id {link_id!r} is used again (first at row {link_ids[link_id]})", "id")
        link_ids.setdefault(link_id, row)
        if problem.found:
            problems += problem.found
            continue
        links.append(
            Link(
                id=link_id,
                source=factor_id(cells["from"]),
                target=factor_id(cells["to"]),
                **fields,
                evidence=plain["evidence"][position],
                stakeholder_group=plain["stakeholder_group"][position],
                label=plain["label"][position],
                attributes={c: values[position] for c, values in extras if values[position]},
            )
        )
    raise_problems(problems, what=f"File {name}")
    return _map_of(name, factor_id, links)


def _map_of(name: str, factor_id: _FactorIds, links: list[Link]) -> CausalMap:
    """The checked map of a file's links, its factors those ``factor_id`` named."""
    factors = [Factor(id=id_, label=label) for label, id_ in factor_id.labels.items()]
    return CausalMap(title=PurePath(name).stem, factors=factors, links=links, source=name).check()


_BAD = object()
"""What a cell reader gives a cell that is not one of its words."""
_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})
"""The attributes of every link of a file without extra columns, until links are made."""


@dataclass
class _PlainLinks:
    """The links of a file in which no row has a problem, read column by column: the distinct
    texts of a column of words (polarity, strength, yes/no) are each read once, so a big file
    costs little more than its rows. :meth:`of` gives ``None`` when any row has a problem; the
    row-by-row reading then names each. Both give the same links."""

    ids: list[str]
    ends: tuple[list[str], list[str]]
    fields: dict[str, list[Any]]

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        found: dict[str, str | None],
        weights: dict[Any, float],
        confidences: dict[Any, float],
    ) -> _PlainLinks | None:
        cells = _plain_cells(frame, _TEXT_FIELDS, found)
        ends = (cells["from"], cells["to"])
        if not all(map(str.strip, chain(*ends))):  # a blank end
            return None
        none: list[float | None] = [None] * len(frame)
        weight = [_finite(weights.get(i)) for i in frame.index] if weights else none
        confidence = [_finite(confidences.get(i)) for i in frame.index] if confidences else none
        if any(c is not None and not 0 <= c <= 1 for c in confidence):
            return None
        said = _words(cells["polarity"], lambda t: (polarity_of(t) or _BAD) if t.strip() else "")
        strength = _words(
            cells["strength"],
            lambda t: _STRENGTHS.get(t.strip().lower(), _BAD) if t.strip() else None,
        )
        delay = _words(cells["delay"], _yes_no_word)
        contested = _words(cells["contested"], _yes_no_word)
        if said is None or strength is None or delay is None or contested is None:
            return None
        polarity = _polarities(said, weight)
        rows = frame.index.tolist()  # (each row's number in the file)
        ids = (
            [t.strip() or f"L{i}" for t, i in zip(cells["id"], rows, strict=True)]
            if found.get("id") is not None
            else [f"L{i}" for i in rows]
        )
        if polarity is None or len(set(ids)) != len(ids):
            return None
        fields = {
            "polarity": polarity,
            "strength": strength,
            "weight": weight,
            "delay": delay,
            "confidence": confidence,
            "contested": contested,
        }
        return cls(ids=ids, ends=ends, fields=fields)

    def causal_map(
        self, name: str, plain: dict[str, list[str]], extras: list[tuple[str, list[Any]]]
    ) -> EdgeListMap:
        """The map, its links kept as columns (every value was checked above, column by
        column, as :meth:`CausalMap.check` would: the map is sound)."""
        factor_id = _FactorIds()
        sources, targets = self.ends
        # each distinct label once, in order of first appearance (a row's from before its to)
        for label in dict.fromkeys(chain.from_iterable(zip(sources, targets, strict=True))):
            factor_id(label)
        id_of = factor_id.labels
        attributes = (
            [{c: values[n] for c, values in extras if values[n]} for n in range(len(self.ids))]
            if extras
            else [_NO_ATTRIBUTES] * len(self.ids)  # one, read-only: each Link gets its own
        )
        columns = LinkColumns(
            ids=self.ids,
            sources=list(map(id_of.__getitem__, sources)),
            targets=list(map(id_of.__getitem__, targets)),
            fields={
                **self.fields,
                "evidence": plain["evidence"],
                "stakeholder_group": plain["stakeholder_group"],
                "label": plain["label"],
                "attributes": attributes,
            },
        )
        factors = [Factor(id=id_, label=label) for label, id_ in id_of.items()]
        return EdgeListMap(PurePath(name).stem, factors, columns, source=name)


@dataclass(frozen=True)
class LinkColumns:
    """The links of an edge list column by column, each list in row order: ``fields`` has one
    list per :class:`~mobilise.model.causal_map.Link` field but the id and the ends."""

    ids: list[str]
    sources: list[str]
    targets: list[str]
    fields: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.ids)

    def links(self) -> list[Link]:
        """A :class:`~mobilise.model.causal_map.Link` for each row."""
        names = tuple(self.fields)
        links = [
            Link(link_id, source, target, **dict(zip(names, values, strict=True)))
            for link_id, source, target, *values in zip(
                self.ids, self.sources, self.targets, *self.fields.values(), strict=True
            )
        ]
        for link in links:
            if link.attributes is _NO_ATTRIBUTES:
                link.attributes = {}
        return links


class EdgeListMap(CausalMap):
    """A causal map read from an edge list, its links kept column by column until something
    reads :attr:`links` (then made, once): a store takes :meth:`link_columns` without a
    :class:`~mobilise.model.causal_map.Link` for each of tens of thousands of rows."""

    def __init__(
        self, title: str, factors: list[Factor], columns: LinkColumns, *, source: str
    ) -> None:
        super().__init__(title=title, factors=factors, source=source)
        self._columns: LinkColumns | None = columns
        self._links: list[Link] | None = None

    @property
    def links(self) -> list[Link]:
        if self._links is None:
            self._links = self._columns.links() if self._columns is not None else []
        return self._links

    @links.setter
    def links(self, value: list[Link]) -> None:
        self._links, self._columns = value, None

    def __eq__(self, other: object) -> bool:
        """Equal to any causal map with the same fields (a map read row by row, too)."""
        if not isinstance(other, CausalMap):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name)
            for name in (field.name for field in dataclasses.fields(CausalMap))
        )

    __hash__ = None  # type: ignore[assignment]  # (as the dataclass it extends)

    def link_columns(self) -> LinkColumns | None:
        """The links as read, column by column; ``None`` once :attr:`links` has been read (the
        list may have been changed since)."""
        return self._columns if self._links is None else None


def link_count(causal_map: CausalMap) -> int:
    """How many links a map has, without making those an :class:`EdgeListMap` keeps."""
    if isinstance(causal_map, EdgeListMap):
        columns = causal_map.link_columns()
        if columns is not None:
            return len(columns)
    return len(causal_map.links)


def _words(texts: list[str], read: Any) -> list[Any] | None:
    """Each cell read by ``read`` (once per distinct text), or ``None`` if any is not a word
    ``read`` knows (it gives :data:`_BAD` for those)."""
    seen = {text: read(text) for text in set(texts)}
    if any(value is _BAD for value in seen.values()):
        return None
    return [seen[text] for text in texts]


def _yes_no_word(text: str) -> Any:
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else _BAD


def _polarities(said: list[str | None], weights: list[float | None]) -> list[str] | None:
    """Each row's polarity from its cell (``""`` when blank) and its weight, as
    :func:`_polarity` gives it, or ``None`` when any disagrees or a weight is out of range."""
    if all(weight is None for weight in weights):
        return [polarity or "?" for polarity in said]
    found = []
    for polarity, weight in zip(said, weights, strict=True):
        if weight is None:
            found.append(polarity or "?")
            continue
        if not -1 <= weight <= 1:
            return None
        from_weight = polarity_of(weight)
        if polarity and polarity != from_weight:
            return None
        found.append(polarity or from_weight or "?")
    return found


_TEXT_FIELDS = ("from", "to", "id", "polarity", "strength", "delay", "contested")


@dataclass
class _RowProblems:
    """The problems of one row, each naming the file, the row and the column of its field."""

    name: str
    row: int
    columns: dict[str, str | None]
    found: list[Problem] = dataclasses.field(default_factory=list)

    def __call__(self, message: str, field: str) -> None:
        self.found.append(Problem(message, file=self.name, row=self.row, field=self.columns[field]))


def _text_cells(
    frame: pd.DataFrame, found: dict[str, str | None]
) -> Iterator[tuple[Any, dict[str, str]]]:
    """Each row's index and its cells of :data:`_TEXT_FIELDS` as text (blank for a field the
    file has no column for)."""

    columns = _plain_cells(frame, _TEXT_FIELDS, found)
    for index, *values in zip(frame.index, *columns.values(), strict=True):
        yield index, dict(zip(_TEXT_FIELDS, values, strict=True))


def _link_fields(
    cells: dict[str, str], weight: float | None, confidence: float | None, problem: _RowProblems
) -> dict[str, Any]:
    """A row's polarity, strength, weight, delay, confidence and contested, each problem
    reported (a blank end too)."""
    for field in ("from", "to"):
        if not cells[field].strip():
            problem(f"the {field!r} cell is blank; every row needs a {field!r} factor", field)
    polarity = _polarity(cells["polarity"], weight, problem)
    if weight is not None and not -1 <= weight <= 1:
        problem(f"weight {weight:g} is out of range; a weight is from -1 to 1", "weight")
    if confidence is not None and not 0 <= confidence <= 1:
        problem(f"confidence {confidence:g} is out of range; use 0 to 1", "confidence")
    strength_text = cells["strength"]
    strength = _STRENGTHS.get(strength_text.strip().lower())
    if strength_text.strip() and strength is None:
        problem(f"strength {strength_text!r} is not one; use weak, medium or strong", "strength")
    return {
        "polarity": polarity,
        "strength": strength,
        "weight": weight,
        "delay": _yes_no(cells["delay"], "delay", problem),
        "confidence": confidence,
        "contested": _yes_no(cells["contested"], "contested", problem),
    }


def write_edge_list(causal_map: CausalMap) -> bytes:
    """The map's links as an edge-list CSV (UTF-8, comma-delimited, columns
    :data:`EDGE_LIST_COLUMNS`).

    Raises
    ------
    mobilise.errors.ValidationError
        When two factors that have links share a label (an edge list cannot tell them apart).
    """
    labels = {f.id: f.label for f in causal_map.factors}
    linked = {end for link in causal_map.links for end in (link.source, link.target)}
    seen: dict[str, str] = {}
    problems = []
    for factor_id in (f.id for f in causal_map.factors if f.id in linked):
        label = labels[factor_id]
        if label in seen:
            problems.append(
                Problem(
                    f"factors {seen[label]!r} and {factor_id!r} are both labelled {label!r}; "
                    "an edge list names factors by label, so give them different labels",
                    file=causal_map.source or None,
                    field="label",
                )
            )
        seen.setdefault(label, factor_id)
    raise_problems(problems, what=f"Map {causal_map.title!r} as an edge list")
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(EDGE_LIST_COLUMNS)
    for link in causal_map.links:
        writer.writerow(
            [
                link.id,
                labels.get(link.source, link.source),
                labels.get(link.target, link.target),
                link.polarity,
                _number_text(link.weight),
                link.strength or "",
                "true" if link.delay else "false",
                _number_text(link.confidence),
                link.evidence,
                link.stakeholder_group,
                "true" if link.contested else "false",
                link.label,
            ]
        )
    return buffer.getvalue().encode("utf-8")


# -- helpers ---------------------------------------------------------------------------------


def _table(data: bytes | str, name: str, limits: Limits | None) -> pd.DataFrame:
    """The file as text cells indexed by data row (1-based; blank rows dropped)."""
    try:
        return table_from_text(data, name, limits=limits).frame
    except ValidationError as error:
        raise ValidationError(
            f"File {name} cannot be read as an edge list.", problems=error.problems
        ) from None


def _number_text(value: float | None) -> str:
    """Blank for no number, else the shortest text that reads back as the same number."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _unreadable(name: str, message: str) -> ValidationError:
    return ValidationError(
        f"File {name} cannot be read as an edge list.", problems=[Problem(message, file=name)]
    )


def _plain_cells(
    frame: pd.DataFrame, fields: tuple[str, ...], found: dict[str, str | None]
) -> dict[str, list[str]]:
    """Each of ``fields``'s cells as text, row by row (blank for a field without a column)."""
    return {
        field: ([""] * len(frame) if found[field] is None else _texts(frame[found[field]].tolist()))
        for field in fields
    }


def _texts(values: list[Any]) -> list[str]:
    """The cells as text (blank for none): as they are when all are text, as read."""
    if {*map(type, values)} <= {str}:
        return values
    return ["" if v is None else str(v) for v in values]


def _numbers(
    frame: pd.DataFrame, column: str | None, name: str
) -> tuple[dict[Any, float], list[Problem]]:
    if column is None:
        return {}, []
    numbers, problems = parse_numbers(frame[column], file=name, field=column)
    return numbers.to_dict(), problems


def _finite(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _polarity(text: str, weight: float | None, problem: _RowProblems) -> str:
    from_weight = None if weight is None else polarity_of(weight)
    if not text.strip():
        return from_weight or "?"
    polarity = polarity_of(text)
    if polarity is None:
        problem(f"polarity {text!r} is not one; use +, - or ? (or positive, negative)", "polarity")
        return "?"
    if from_weight is not None and polarity != from_weight:
        problem(
            f"polarity {text!r} disagrees with weight {weight:g}; a weight's sign is its polarity",
            "polarity",
        )
    return polarity


def _yes_no(text: str, field: str, problem: _RowProblems) -> bool:
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word not in _FALSE:
        problem(f"{text!r} is not yes or no; use true or false", field)
    return False


class _FactorIds:
    """Factor ids made from labels on first sight, in time linear in the number of labels.

    ``labels`` maps each label to its id. An id is the label's slug, or the first of
    ``slug_2``, ``slug_3``... not yet taken; the search for a slug resumes where it last
    stopped (taken ids are never freed), so many labels with one slug cost no more than one
    step each."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def __call__(self, label: str) -> str:
        found = self.labels.get(label)
        if found is not None:
            return found
        ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "factor"
        candidate, count = base, self._next.get(base, 2)
        if candidate in self._taken:
            candidate = f"{base}_{count}"
            while candidate in self._taken:
                count += 1
                candidate = f"{base}_{count}"
            self._next[base] = count + 1
        self._taken.add(candidate)
        self.labels[label] = candidate
        return candidate

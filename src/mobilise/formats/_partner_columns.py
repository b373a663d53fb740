"""Column names and cell parsers of partner and relationship files (private to ``partner_files``).

A source file (CSV, XLSX, GraphML, GEXF) is first turned into :class:`Records`: the columns as
written and the data rows as ``(row number, {column: text})``, every cell as stripped text. The
parsers here then turn one cell into a value or append a :class:`~mobilise.errors.Problem`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from mobilise.errors import Problem
from mobilise.formats._limits import parse_xml
from mobilise.formats._map_files import read_workbook
from mobilise.formats._tables import PathLike, file_name, find_column, read_table, row_of
from mobilise.formats.safe_cells import csv_writer
from mobilise.model import partner_vocab
from mobilise.settings import Limits

# Accepted column names (case-insensitive), the canonical name first.
PARTNER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "key", "partner_id"),
    "name": ("name", "organisation", "organization", "partner", "label"),
    "sector": ("sector", "type", "category"),
    "kind": ("kind",),
    "description": ("description",),
    "places": ("places", "place"),
    "populations": ("populations", "population"),
    "postcode": ("postcode", "post code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng", "long"),
    "url": ("url", "website"),
    "joined": ("joined",),
    "left": ("left",),
}
TIE_ALIASES: dict[str, tuple[str, ...]] = {
    "respondent": ("respondent", "from", "source", "ego", "rater"),
    "partner": ("partner", "to", "target", "alter"),
    "round": ("round", "year", "wave"),
    "works_together": ("works_together", "works together"),
    "level": ("level",),
    "frequency": ("frequency",),
    **{item: (item,) for item in partner_vocab.SCORE_ITEMS},
    "value": ("value",),
    "trust": ("trust",),
    "respondent_name": ("respondent_name",),
    "partner_name": ("partner_name",),
    "respondent_sector": ("respondent_sector",),
    "partner_sector": ("partner_sector",),
    "respondent_kind": ("respondent_kind",),
    "partner_kind": ("partner_kind",),
}
PARTNER_SHEETS = ("partners", "organisations", "organizations")
TIE_SHEETS = ("ties", "relationships", "edges")

_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}
_INDIVIDUAL = {
    "individual", "person", "member", "resident", "lived experience member",
    "lived experience", "lived experience individual", "expert by experience",
}  # fmt: skip
_ORGANISATION = {"organisation", "organization", "org", "group", "organisation member"}
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class Records:
    """A source file as text: its name, its columns as written and its numbered data rows."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]

    def column(self, aliases: Sequence[str]) -> str | None:
        """The file's column for one of ``aliases`` (case-insensitive), or None."""
        return find_column(self.columns, *aliases)


def text(value: Any) -> str:
    """A cell value (from a workbook or a graph attribute) as stripped text; None is ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_records(path: PathLike, *, sheets: Sequence[str], limits: Limits | None = None) -> Records:
    """Read a delimited file, or an ``.xlsx`` workbook's sheet named one of ``sheets`` (else its
    first sheet), as :class:`Records`, within ``limits``."""
    name = file_name(path)
    if Path(os.fspath(path)).suffix.lower() == ".xlsx":
        return _read_sheet(Path(os.fspath(path)).read_bytes(), name, sheets, limits)
    table = read_table(path, limits=limits)
    frame = table.frame
    columns = tuple(str(c) for c in frame.columns)
    rows = [
        (row_of(label), {c: str(v).strip() for c, v in zip(columns, values, strict=True)})
        for label, values in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    return Records(name=name, columns=columns, rows=rows)


@dataclass(frozen=True)
class Cells:
    """A source file as text, column by column: its name, its columns as written, each data
    row's number, and each column's cells (stripped text, ``""`` where a row has none)."""

    name: str
    columns: tuple[str, ...]
    rows: list[int]
    cells: dict[str, list[str]]

    def column(self, aliases: Sequence[str]) -> str | None:
        """The file's column for one of ``aliases`` (case-insensitive), or None."""
        return find_column(self.columns, *aliases)

    def records(self) -> Records:
        """The same file row by row."""
        columns = [(c, self.cells[c]) for c in self.columns]
        rows = [(row, {c: cells[n] for c, cells in columns}) for n, row in enumerate(self.rows)]
        return Records(name=self.name, columns=self.columns, rows=rows)


def read_cells(path: PathLike, *, sheets: Sequence[str], limits: Limits | None = None) -> Cells:
    """:func:`read_records`'s file column by column (a delimited file is read so, without a
    mapping per row)."""
    if Path(os.fspath(path)).suffix.lower() == ".xlsx":
        records = read_records(path, sheets=sheets, limits=limits)
        cells = {c: [r.get(c, "") for _, r in records.rows] for c in records.columns}
        return Cells(records.name, records.columns, [row for row, _ in records.rows], cells)
    frame = read_table(path, limits=limits).frame
    columns = tuple(str(c) for c in frame.columns)
    cells = {
        c: [str(v).strip() for v in values]
        for c, values in zip(
            columns, (frame.iloc[:, i].tolist() for i in range(len(columns))), strict=True
        )
    }
    return Cells(file_name(path), columns, [row_of(label) for label in frame.index], cells)


def _read_sheet(data: bytes, name: str, wanted: Sequence[str], limits: Limits | None) -> Records:
    workbook = read_workbook(data, name, limits=limits)
    titles = {title.casefold(): title for title in workbook}
    title = next((titles[w] for w in wanted if w in titles), next(iter(workbook), None))
    cells = workbook[title] if title is not None else []
    if not cells:
        return Records(name=name, columns=(), rows=[])
    columns = [text(c) for c in cells[0]]
    rows = []
    for number, values in enumerate(cells[1:], start=1):
        if all(v is None or text(v) == "" for v in values):
            continue
        record = {c: text(v) for c, v in zip(columns, values, strict=False) if c}
        rows.append((number, record))
    return Records(name=name, columns=tuple(c for c in columns if c), rows=rows)


def natural_key(name: str) -> tuple[tuple[int, float, str], ...]:
    """Sort key putting ``"2"`` before ``"10"`` and ``"wave 2"`` before ``"wave 10"``."""
    parts = re.findall(r"\d+(?:\.\d+)?|\D+", name)
    return tuple((0, float(p), "") if p[0].isdigit() else (1, 0.0, p.casefold()) for p in parts)


def _key(cell: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", cell.lower()).strip()


def number(
    cell: str, where: Problem, problems: list[Problem], *, low: float, high: float
) -> float | None:
    """A number in ``[low, high]``; blank is None; anything else a problem at ``where``."""
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        problems.append(problem_at(where, f"{cell!r} is not a number from {low:g} to {high:g}"))
        return None
    return value


def score(cell: str, where: Problem, problems: list[Problem]) -> int | None:
    """An item answer, a whole number 1 to 4."""
    value = number(cell, where, problems, low=1, high=4)
    if value is not None and not value.is_integer():
        problems.append(problem_at(where, f"{cell!r} is not a whole number from 1 to 4"))
        return None
    return None if value is None else int(value)


def level(cell: str, where: Problem, problems: list[Problem]) -> int | None:
    """A collaboration level 0-3, by number or word (none, cooperative, ...)."""
    if not cell:
        return None
    found = partner_vocab.level_code(cell)
    if found is None and re.fullmatch(r"[0-3]\.0+", cell):
        found = int(float(cell))
    if found is None:
        names = ", ".join(f"{n} ({c})" for n, c, _ in partner_vocab.LEVELS)
        problems.append(
            problem_at(where, f"{cell!r} is not a collaboration level; use one of {names}")
        )
    return found


def frequency(cell: str, where: Problem, problems: list[Problem]) -> int | None:
    """How often partners work together, 1 (yearly) to 4 (weekly)."""
    if not cell:
        return None
    found = partner_vocab.frequency_code(cell)
    if found is None and re.fullmatch(r"[1-4]\.0+", cell):
        found = int(float(cell))
    if found is None:
        names = ", ".join(f"{n} ({c})" for n, c, _ in partner_vocab.FREQUENCIES)
        problems.append(problem_at(where, f"{cell!r} is not a frequency; use one of {names}"))
    return found


def flag(cell: str, where: Problem, problems: list[Problem]) -> bool | None:
    """yes/no, true/false, 1/0 as a bool; blank is None."""
    if not cell:
        return None
    key = _key(cell)
    if key in _YES or key in _NO:
        return key in _YES
    problems.append(problem_at(where, f"{cell!r} is not yes or no"))
    return None


def sector(cell: str, where: Problem, problems: list[Problem]) -> str | None:
    """A sector code from a code, label or alias; an unknown sector lists the valid labels."""
    if not cell:
        return None
    found = partner_vocab.sector_code(cell)
    if found is None:
        labels = "; ".join(s.label for s in partner_vocab.SECTORS)
        problems.append(problem_at(where, f"{cell!r} is not a sector; use one of: {labels}"))
    return found


def kind(cell: str, where: Problem, problems: list[Problem]) -> str:
    """``"organisation"`` (also the default) or ``"individual"``."""
    key = _key(cell)
    if not key or key in _ORGANISATION:
        return "organisation"
    if key in _INDIVIDUAL or key.endswith(("member", "individual", "person")):
        return "individual"
    problems.append(problem_at(where, f"{cell!r} is not a kind; use organisation or individual"))
    return "organisation"


def date(cell: str, where: Problem, problems: list[Problem]) -> dt.date | None:
    """An ISO date (``2024-03-01``, a time after it ignored) or ``dd/mm/yyyy``."""
    if not cell:
        return None
    try:
        match = _DMY.fullmatch(cell)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.date.fromisoformat(cell[:10] if len(cell) > 10 and cell[10] in "T " else cell)
    except ValueError:
        problems.append(
            problem_at(where, f"{cell!r} is not a date; write 2024-03-31 or 31/03/2024")
        )
        return None


def many(cell: str) -> tuple[str, ...]:
    """A list written with ``;`` or ``|`` between its items."""
    return tuple(part.strip() for part in re.split(r"[;|]", cell) if part.strip())


def attribute(cell: str) -> str | float:
    """An extra column's cell: a number as float, else the text."""
    try:
        value = float(cell)
    except ValueError:
        return cell
    return value if math.isfinite(value) else cell


def problem_at(where: Problem, message: str) -> Problem:
    return Problem(message, file=where.file, row=where.row, field=where.field)


def plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def plain_edge(attributes: dict[str, Any]) -> dict[str, Any]:
    # One type per attribute, so GraphML declares each key once.
    kept = {k: v for k, v in attributes.items() if plain(v)}
    for key in ("value", "trust"):
        if key in kept:
            kept[key] = float(kept[key])
    return kept


def csv_text(graph: nx.DiGraph, edge_fields: Sequence[str]) -> str:
    """A partnership graph's edges as CSV text with the columns ``read_relationships`` reads."""
    extra: list[str] = []
    for _, _, attributes in graph.edges(data=True):
        extra += [k for k in attributes if k not in edge_fields and k not in extra]
    header = ["respondent", "partner", "respondent_name", "partner_name"]
    header += ["respondent_sector", "partner_sector", "respondent_kind", "partner_kind"]
    header += ["round"] if "round" in graph.graph else []
    header += [*edge_fields, *extra]
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(header)
    for source, target, attributes in graph.edges(data=True):
        nodes = graph.nodes
        cells: list[Any] = [source, target, nodes[source].get("name", source)]
        cells += [nodes[target].get("name", target), nodes[source].get("sector")]
        cells += [nodes[target].get("sector"), nodes[source].get("kind")]
        cells += [nodes[target].get("kind")]
        cells += [graph.graph["round"]] if "round" in graph.graph else []
        cells += [attributes.get(k) for k in (*edge_fields, *extra)]
        writer.writerow(cells_text(cells))
    return out.getvalue()


def cells_text(values: Iterable[Any]) -> list[str]:
    return ["" if v is None else text(v) for v in values]


def edge_order(raw: bytes, name: str, limits: Limits | None) -> dict[tuple[str, str], deque[int]]:
    """Each (source, target) pair's edge numbers (1-based, in file order). Parsing the file
    first, it refuses one that nests deeper than ``max_json_depth``."""
    order: dict[tuple[str, str], deque[int]] = defaultdict(deque)
    number = 0
    for element in parse_xml(raw, name=name, limits=limits).iter():
        if element.tag.rsplit("}", 1)[-1] == "edge":
            number += 1
            order[(element.get("source", ""), element.get("target", ""))].append(number)
    return order

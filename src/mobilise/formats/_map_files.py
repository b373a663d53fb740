"""Helpers shared by the systems-map formats (private): decoding files, reporting problems,
workbooks, unique labels, and the link fields a format has no place for."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mobilise.errors import ConfigurationError, Problem, ValidationError
from mobilise.formats._limits import DEFAULT_LIMITS, check_rows, check_zip, limit_error
from mobilise.formats.safe_cells import needs_guard
from mobilise.model.causal_map import (
    STRENGTHS,
    CausalMap,
    Factor,
    Link,
    Scenario,
)
from mobilise.settings import Limits

XLSX_HINT = "pip install 'mobilise[xlsx]'"
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def read_mobilise_extra(
    value: object, name: str, problems: list[Problem]
) -> tuple[str, list[Scenario]]:
    """The question and scenarios mobilise writes under a ``"mobilise"`` key (see
    :func:`mobilise_extra`)."""
    extra = as_dict(value)
    items = extra.get("scenarios")
    scenarios: list[Scenario] = []
    for number, item in enumerate(items if isinstance(items, list) else [], start=1):
        clamps = as_dict(item).get("clamps") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(clamps, dict):
            problems.append(Problem(f"scenario {number} is not an object with 'clamps'", file=name))
            continue
        values = {str(k): as_number(v) for k, v in clamps.items()}
        bad = [k for k, v in values.items() if v is None]
        if bad:
            problems.append(
                Problem(
                    f"scenario {item.get('name')!r} clamps {bad[0]!r} at a value that is not a "
                    "number",
                    file=name,
                    field="scenario",
                )
            )
            continue
        scenarios.append(
            Scenario(
                name=str(item.get("name") or f"Scenario {number}"),
                clamps={k: v for k, v in values.items() if v is not None},
                description=str(item.get("description") or ""),
            )
        )
    return str(extra.get("question") or ""), scenarios


def mobilise_extra(causal_map: CausalMap) -> dict[str, Any]:
    """The map's question and scenarios, which map tools have no place for (empty if none)."""
    extra: dict[str, Any] = {}
    if causal_map.question:
        extra["question"] = causal_map.question
    if causal_map.scenarios:
        extra["scenarios"] = [
            {"name": s.name, "clamps": dict(s.clamps), "description": s.description}
            for s in causal_map.scenarios
        ]
    return extra


# -- helpers shared with the other map formats ------------------------------------------------


def unreadable(name: str, message: str, field: str | None = None) -> ValidationError:
    """The error for a file that cannot be read at all."""
    return ValidationError(
        f"Cannot read {name}: {message}.", problems=[Problem(message, file=name, field=field)]
    )


def raise_if(problems: Iterable[Problem], name: str) -> None:
    """Raise one ValidationError for every problem, if there are any."""
    error = ValidationError.collect(problems, what=f"Cannot read {name}")
    if error is not None:
        raise error


def checked(causal_map: CausalMap, problems: Sequence[Problem], name: str) -> CausalMap:
    """The map a reader made, checked: one ValidationError lists the reader's ``problems``
    and then the map's own (:meth:`CausalMap.problems`), if there are any."""
    if problems:
        error = ValidationError.collect([*problems, *causal_map.problems()], what=f"File {name}")
        assert error is not None
        raise error
    return causal_map.check()


def _decode_csv(data: bytes, name: str) -> str:
    if data[:4] == b"PK\x03\x04":
        raise unreadable(name, "this is a zip file (perhaps an Excel workbook), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # CSV saved from Excel on Windows
    except UnicodeDecodeError as exc:
        raise unreadable(name, "the text is not UTF-8; save it as UTF-8") from exc


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 text (a byte order mark dropped), or a ValidationError naming the file."""
    if data[:4] == b"PK\x03\x04":
        raise unreadable(name, "this is a zip file (perhaps an Excel workbook), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise unreadable(name, f"the text is not UTF-8 (byte {exc.start} is not)") from exc


def note_text(note: object) -> str:
    """The plain text of a PRSM note: a Quill delta ``{"ops": [...]}``, ``{"text": delta}`` or
    text (trailing line breaks dropped)."""
    if note is None:
        return ""
    if isinstance(note, dict):
        if "ops" in note:
            ops = note.get("ops")
            text = "".join(
                op["insert"]
                for op in (ops if isinstance(ops, list) else [])
                if isinstance(op, dict) and isinstance(op.get("insert"), str)
            )
        else:
            text = note_text(note.get("text"))
    elif isinstance(note, str):
        text = note
    else:
        text = str(note)
    return text.strip()


def unique_labels(factors: Sequence[Factor], *, avoid: str = "") -> dict[str, str]:
    """Factor id -> a label no other factor has: later repeats get `` (2)``, `` (3)``...

    Characters in ``avoid`` (which a format cannot have in a label) become ``/`` first.
    """
    labels = [f.label.translate({ord(c): "/" for c in avoid}) for f in factors]
    return dict(zip((f.id for f in factors), _unique(labels), strict=True))


def _unique(labels: Sequence[str]) -> list[str]:
    seen = {label.casefold() for label in labels}
    used: set[str] = set()
    result = []
    for label in labels:
        written = label
        if label.casefold() in used:
            number = 2
            while f"{label} ({number})".casefold() in seen:
                number += 1
            written = f"{label} ({number})"
            seen.add(written.casefold())
        used.add(written.casefold())
        result.append(written)
    return result


def plain_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes that are plain values (text, numbers, booleans, lists of them), which any
    format can write; format-specific records (dicts such as ``"prsm"``) are left out."""
    plain: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, str | int | float | bool) and not (
            isinstance(value, float) and not math.isfinite(value)
        ):
            plain[str(key)] = value
        elif isinstance(value, list | tuple) and all(
            isinstance(v, str | int | float | bool) for v in value
        ):
            plain[str(key)] = list(value)
    return plain


def link_fields(values: Mapping[str, Any], polarity: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Link fields from ``values`` named strength, weight, confidence, delayed (or delay),
    stakeholder group and contested (any case); and the values left over.

    A value that does not fit its field (a strength of 3, a weight whose sign is not the
    polarity, ...) is left over rather than refused, since other tools use these names too.
    """
    fields: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in values.items():
        name = str(key).strip().casefold().replace("_", " ")
        name = {"delay": "delayed", "stakeholder": "stakeholder group"}.get(name, name)
        if name == "strength" and str(value).strip().casefold() in STRENGTHS:
            fields["strength"] = str(value).strip().casefold()
        elif name == "weight" and (weight := as_number(value)) is not None and -1 <= weight <= 1:
            sign = "?" if weight == 0 else ("+" if weight > 0 else "-")
            if sign == polarity:
                fields["weight"] = weight
            else:
                rest[key] = value
        elif name == "confidence" and (share := as_number(value)) is not None and 0 <= share <= 1:
            fields["confidence"] = share
        elif name in {"delayed", "contested"} and (flag := as_flag(value)) is not None:
            fields["delay" if name == "delayed" else "contested"] = flag
        elif name == "stakeholder group" and isinstance(value, str | int | float):
            fields["stakeholder_group"] = str(value).strip()
        else:
            rest[key] = value
    return fields, rest


def link_extras(link: Link) -> dict[str, Any]:
    """The link's fields most formats have no place for, by the names :func:`link_fields`
    reads (only those set)."""
    extras: dict[str, Any] = {}
    if link.strength:
        extras["strength"] = link.strength
    if link.weight is not None:
        extras["weight"] = link.weight
    if link.confidence is not None:
        extras["confidence"] = link.confidence
    if link.delay:
        extras["delayed"] = True
    if link.stakeholder_group:
        extras["stakeholder group"] = link.stakeholder_group
    if link.contested:
        extras["contested"] = True
    return extras


def split_extras(
    values: Mapping[str, Any], names: Sequence[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    extras: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    for key, value in values.items():
        name = str(key).strip().casefold().replace("_", " ")
        if name in names and name not in extras:
            extras[name] = value
        else:
            rest[str(key)] = value
    return extras, rest


def as_flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    return True if text in _TRUE else False if text in _FALSE else None


def one_line(value: object) -> str:
    """Text with runs of white space (PRSM's wrapping line breaks) as single spaces."""
    return "" if value is None else " ".join(str(value).split())


def text_or_none(value: object) -> str | None:
    text = one_line(value)
    return text or None


def many(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"\s*\|\s*", str(value))
    return tuple(text for item in items if (text := one_line(item)))


def as_number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- workbooks -------------------------------------------------------------------------------


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError as exc:
        raise ConfigurationError(f"Excel workbooks need openpyxl: {XLSX_HINT}") from exc
    return openpyxl


def read_workbook(
    data: bytes, name: str, *, limits: Limits | None = None
) -> dict[str, list[list[Any]]]:
    """Every sheet of an ``.xlsx`` workbook: title -> rows of cell values (text stripped,
    dates as ISO text, trailing empty rows dropped).

    Refused past ``limits``: a workbook that would inflate too far (checked before it is
    opened), more than ``max_rows`` rows in all, or more cells than ``max_rows`` rows of
    :data:`CELLS_PER_ROW` (a sheet's declared size or one far cell is not padded out)."""
    openpyxl = _openpyxl()
    if data[:4] != b"PK\x03\x04":
        raise unreadable(name, "this is not an Excel workbook (.xlsx)")
    check_zip(data, name=name, limits=limits)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors for damaged workbooks
        raise _damaged(name, exc) from exc
    sheets: dict[str, list[list[Any]]] = {}
    budget = _CellBudget(name, limits or DEFAULT_LIMITS)
    try:
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # the cells it holds, not the size it declares
            rows = [
                budget.row([_cell(v) for v in row]) for row in sheet.iter_rows(values_only=True)
            ]
            while rows and all(value is None for value in rows[-1]):
                rows.pop()
            sheets[str(sheet.title)] = rows
    except ValidationError:
        raise
    except Exception as exc:  # a read-only workbook reads its sheets only now: damage shows here
        raise _damaged(name, exc) from exc
    finally:
        book.close()
    return sheets


CELLS_PER_ROW = 64
"""Cells a workbook row may average before :func:`read_workbook` counts the workbook as over
``max_rows`` (a sheet with one cell in its last column would otherwise make 16,384 of each
row)."""


class _CellBudget:
    """Counts a workbook's rows and cells as they are read; refuses past the limits."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.rows = self.cells = 0

    def row(self, cells: list[Any]) -> list[Any]:
        self.rows += 1
        self.cells += len(cells)
        if self.cells > self.limits.max_rows * CELLS_PER_ROW:
            message = (
                f"it holds more than {self.limits.max_rows * CELLS_PER_ROW:,} cells "
                f"({self.limits.max_rows:,} rows of {CELLS_PER_ROW})"
            )
            raise limit_error(self.name, message, "max_rows")
        if self.rows > self.limits.max_rows:
            check_rows(self.rows, name=self.name, limits=self.limits)
        return cells


def _damaged(name: str, exc: Exception) -> ValidationError:
    return unreadable(
        name, f"this is not an Excel workbook (.xlsx) or it is damaged ({type(exc).__name__})"
    )


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def sheet_records(rows: list[list[Any]]) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]]]:
    """The header (casefolded name -> name as written) and the data rows as dicts by casefolded
    name, numbered from 1, blank rows skipped."""
    if not rows:
        return {}, []
    names = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    header: dict[str, str] = {}
    for column in names:
        if column:
            header.setdefault(column.casefold(), column)
    records = []
    for number, row in enumerate(rows[1:], start=1):
        if all(value is None for value in row):
            continue
        record: dict[str, Any] = {}
        for column, value in zip(names, row, strict=False):
            if column and column.casefold() not in record:
                record[column.casefold()] = value
        records.append((number, record))
    return header, records


def missing_sheet_column(name: str, sheet: str, column: str, header: Mapping[str, str]) -> Problem:
    found = ", ".join(repr(c) for c in header.values()) or "none"
    return Problem(
        f"sheet {sheet} has no {column!r} column in its header row (columns found: {found})",
        file=name,
        field=column,
    )


def sheet_columns(rows: Sequence[Mapping[str, Any]], first: Sequence[str]) -> list[str]:
    columns = list(first)
    for row in rows:
        for key, value in row.items():
            if key not in columns and not (value is None or value == "" or value is False):
                columns.append(key)
    return columns


def workbook_bytes(
    sheets: Sequence[tuple[str, Sequence[str], Sequence[Mapping[str, Any]]]],
) -> bytes:
    """An ``.xlsx`` workbook of (title, columns, rows) sheets. Text (headers too) is stored as
    text, never as a formula; text a spreadsheet would run as one also gets Excel's quote prefix
    (:mod:`mobilise.formats.safe_cells`), so it stays text when a cell is edited."""
    openpyxl = _openpyxl()
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def put(sheet: Any, row: int, column: int, value: Any) -> None:
        if not isinstance(value, str):
            sheet.cell(row=row, column=column, value=value)
            return
        cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # a label such as "=x" stays text, not a formula
        if needs_guard(value):
            cell.quotePrefix = True

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        for column_number, column in enumerate(columns, start=1):
            put(sheet, 1, column_number, column)
        for row_number, row in enumerate(rows, start=2):
            for column_number, column in enumerate(columns, start=1):
                value = row.get(column)
                if value is not None and value != "":
                    put(sheet, row_number, column_number, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Reading delimited text tables and checking their cells (private helpers of ``formats``).

Every reader here reports problems instead of raising on the first one: the caller gathers them and
raises one :class:`~mobilise.errors.ValidationError`. Row numbers are 1-based data rows (the header
is row 0), which is what a spreadsheet user sees minus one.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from mobilise.errors import Problem, ValidationError
from mobilise.formats._limits import GZIP_MAGIC, check_rows, inflate_gzip
from mobilise.formats.safe_cells import unguard_frame
from mobilise.settings import Limits

PathLike = str | os.PathLike[str]

GSS_PATTERN = r"[EWSNK][0-9]{8}"
GSS_HINT = "a GSS code is a letter E, W, S, N or K followed by 8 digits, e.g. E01000001"
DELIMITERS = (",", ";", "\t", "|")
_MISSING_PATTERN = r"(?i)|na|n/a|nan|null|#n/a"
_THOUSANDS_PATTERN = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
_FIELD_AREA_RE = re.compile(r"^([a-z]{2,5}?)(\d{2})(?:cd|_?code)$")
_PHRASE_AREA_RE = re.compile(r"^(lsoa|msoa|lad|oa|ward|icb)\s+code\s*\((?:20)?(\d{2})\)$")


@dataclass
class Table:
    """A delimited file read as text: every cell a string, empty rows dropped.

    ``frame`` is indexed by the 1-based data row of the file.
    """

    frame: pd.DataFrame
    name: str
    delimiter: str


def row_of(label: Hashable) -> int:
    """A frame index label (the 1-based source row) as an int."""
    return int(cast(int, label))


def file_name(path: PathLike) -> str:
    """The file's name without its folder, for messages."""
    return Path(os.fspath(path)).name


def _decode(data: bytes, name: str, limits: Limits | None = None) -> str:
    if data[:2] == GZIP_MAGIC:
        data = inflate_gzip(data, name=name, limits=limits)
    if data[:4] == b"PK\x03\x04":
        raise _unreadable(name, "this is a zip file (perhaps an Excel workbook); save it as CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Spreadsheets saved on Windows ("CSV" in Excel) are often cp1252, e.g. for the £ sign.
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise _unreadable(
            name, "the text is neither UTF-8 nor Windows-1252; save as UTF-8"
        ) from exc


def _unreadable(name: str, message: str) -> ValidationError:
    error = ValidationError.collect([Problem(message, file=name)], what=f"File {name}")
    assert error is not None
    return error


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab |`` splitting the first records into the most equal fields."""
    sample = text[:65536]
    best, best_score = ",", (False, 1)
    for delimiter in DELIMITERS:
        try:
            records = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:  # e.g. a bare carriage return inside an unquoted field
            continue
        if len(sample) == 65536 and len(records) > 1:
            records = records[:-1]  # the last record may be cut off by the sample
        records = records[:50]
        if not records:
            continue
        width = len(records[0])
        score = (all(len(r) == width for r in records), width)
        if width > 1 and score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(path: PathLike, *, limits: Limits | None = None) -> Table:
    """Read a delimited text file (any of ``, ; tab |``; UTF-8 with or without BOM; gzip) as text.

    Raises
    ------
    mobilise.errors.ValidationError
        When the file cannot be read or parsed as a table, or is over ``limits`` (a gzip bomb,
        more rows than ``max_rows``).
    """
    name = file_name(path)
    try:
        data = Path(os.fspath(path)).read_bytes()
    except OSError as exc:
        raise _unreadable(name, f"cannot read the file: {exc.strerror or exc}") from exc
    return table_from_text(data, name, limits=limits)


def table_from_text(data: bytes | str, name: str, *, limits: Limits | None = None) -> Table:
    """A delimited table from a file's bytes (decoded as :func:`read_table` does) or its text.

    Raises
    ------
    mobilise.errors.ValidationError
        When the data cannot be parsed as a table; ``name`` names the file in the problems.
    """
    text = _decode(data, name, limits) if isinstance(data, bytes) else data.lstrip("\ufeff")
    if not text.strip():
        raise _unreadable(name, "the file is empty")
    delimiter = sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise _parse_error(name, str(exc)) from exc
    check_rows(len(frame), name=name, limits=limits)
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    # mobilise's own exports put a ' before text a spreadsheet would run (formats.safe_cells):
    # take it off, so an export reads back as it was written (a file without a ' has none).
    if "'" in text:
        frame = unguard_frame(frame)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    # Cells keep their spaces (stripping every cell is slow); readers strip what they use.
    frame = frame[(frame.to_numpy(dtype=object) != "").any(axis=1)]
    return Table(frame=frame, name=name, delimiter=delimiter)


def _parse_error(name: str, detail: str) -> ValidationError:
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", detail)
    if match:
        expected, line, saw = (int(g) for g in match.groups())
        problem = Problem(
            f"this row has {saw} fields but the header has {expected}; check the delimiter and "
            "that text containing the delimiter is in double quotes",
            file=name,
            row=line - 1,
        )
    else:
        problem = Problem(f"cannot parse the file as a table: {detail}", file=name)
    error = ValidationError.collect([problem], what=f"File {name}")
    assert error is not None
    return error


def find_column(columns: Iterable[str], *names: str, pattern: str | None = None) -> str | None:
    """The first column equal to one of ``names`` (case-insensitive), else matching ``pattern``."""
    by_key = {c.casefold(): c for c in reversed(list(columns))}
    for wanted in names:
        if wanted.casefold() in by_key:
            return by_key[wanted.casefold()]
    if pattern is not None:
        regex = re.compile(pattern, re.IGNORECASE)
        for column in columns:
            if regex.fullmatch(column):
                return column
    return None


@dataclass(frozen=True)
class Coordinates:
    """The coordinate columns of a table: longitude/latitude in degrees and/or British National
    Grid easting/northing in metres (``None`` where the table has no such column)."""

    lon: str | None
    lat: str | None
    east: str | None
    north: str | None

    @property
    def degrees(self) -> bool:
        return self.lon is not None and self.lat is not None

    @property
    def grid(self) -> bool:
        return self.east is not None and self.north is not None


def find_coordinates(
    name: str, columns: Sequence[str], *, east: Sequence[str], north: Sequence[str]
) -> tuple[Coordinates, list[Problem]]:
    """The coordinate columns among ``columns`` (``east``/``north``: the grid columns' names, in
    order of preference), and a problem when there is neither pair."""
    found = Coordinates(
        lon=find_column(columns, "lon", "long", "longitude", "lng"),
        lat=find_column(columns, "lat", "latitude"),
        east=find_column(columns, *east),
        north=find_column(columns, *north),
    )
    if found.degrees or found.grid:
        return found, []
    hint = f"give lon/lat or {east[0]}/{north[0]}"
    return found, [missing_column(name, "lon", columns, hint=hint)]


def missing_column(name: str, field: str, columns: Sequence[str], *, hint: str = "") -> Problem:
    """A problem for a required column that is not in the file, listing the columns found."""
    found = ", ".join(repr(c) for c in columns) or "none"
    extra = f"; {hint}" if hint else ""
    return Problem(f"no {field!r} column; columns found: {found}{extra}", file=name, field=field)


def _to_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers (NaN when missing or bad) and the mask of cells that are present but not numbers."""
    cells = values.to_numpy(dtype=object)
    blank = cells == ""
    bad = pd.Series(False, index=values.index)
    try:
        # Fast path: every cell is a plain number or blank.
        numbers = pd.Series(np.where(blank, "nan", cells).astype(float), index=values.index)
    except (TypeError, ValueError):
        pass
    else:
        bad |= np.isinf(numbers)
        return numbers.where(~bad), bad
    text = values.astype(object).fillna("").map(str)
    numbers = pd.to_numeric(text.where(~blank), errors="coerce").astype(float)
    unparsed = numbers.isna() & ~blank
    if bool(unparsed.any()):
        # Only the few cells the fast parser refused go through the regular expressions.
        rest = text[unparsed].str.strip()
        missing = rest.str.fullmatch(_MISSING_PATTERN)
        grouped = rest.str.fullmatch(_THOUSANDS_PATTERN)
        if bool(grouped.any()):
            ungrouped = rest[grouped].str.replace(",", "", regex=False)
            numbers.loc[ungrouped.index] = pd.to_numeric(ungrouped, errors="coerce")
        bad.loc[rest.index[~missing & ~grouped]] = True
    bad |= np.isinf(numbers)
    return numbers.where(~bad), bad


def parse_numbers(values: pd.Series, *, file: str, field: str) -> tuple[pd.Series, list[Problem]]:
    """Parse text cells as numbers.

    Blank cells (and ``NA``, ``N/A``, ``NaN``, ``null``, ``#N/A``) become ``NaN``. Thousands
    separators are accepted when the number is grouped properly, e.g. ``"29,199"``. Anything else
    that is not a finite number is a problem naming its row and the bad value.
    """
    numbers, bad = _to_numbers(values)
    problems = [
        Problem(
            f"{value!r} is not a number; write digits with '.' for decimals, or leave the cell "
            "blank for a missing value",
            file=file,
            row=row_of(row),
            field=field,
        )
        for row, value in values[bad].items()
    ]
    return numbers, problems


def numeric_share(values: pd.Series, *, sample: int = 1000) -> float:
    """Share of the first ``sample`` non-blank cells that parse as numbers (0 if all blank)."""
    present = values[values.to_numpy(dtype=object) != ""].iloc[:sample]
    numbers, bad = _to_numbers(present)
    parsed, refused = int(numbers.notna().sum()), int(bad.sum())
    return parsed / (parsed + refused) if parsed + refused else 0.0


def clean_codes(values: pd.Series) -> pd.Series:
    """Area codes stripped and upper-cased; blank cells become empty strings."""
    codes = values.astype(object).fillna("").map(str)
    tidy = codes.str.fullmatch(GSS_PATTERN)
    if bool(tidy.all()):
        return codes
    return codes.where(tidy, codes[~tidy].str.strip().str.upper())


def check_codes(
    codes: pd.Series, *, file: str, field: str, allow_blank: bool = False
) -> list[Problem]:
    """Problems for blank codes (unless ``allow_blank``) and codes that are not GSS-shaped."""
    blank = codes == ""
    bad = ~blank & ~codes.str.fullmatch(GSS_PATTERN)
    problems: list[Problem] = []
    if not allow_blank:
        problems += [
            Problem("the area code is blank", file=file, row=row_of(row), field=field)
            for row in codes.index[blank]
        ]
    problems += [
        Problem(
            f"{code!r} is not a GSS area code; {GSS_HINT}", file=file, row=row_of(row), field=field
        )
        for row, code in codes[bad].items()
    ]
    return problems


def check_duplicates(
    keys: pd.DataFrame, *, file: str, field: str, what: str = "area"
) -> list[Problem]:
    """Problems for rows whose key columns repeat an earlier row (index = source row)."""
    repeated = keys.duplicated(keep="first")
    if not bool(repeated.any()):
        return []
    first_rows = keys.reset_index().groupby(list(keys.columns), sort=False)["index"].first()
    problems = []
    for row, key in zip(keys.index[repeated], keys[repeated].itertuples(index=False), strict=True):
        first = first_rows.loc[tuple(key) if len(key) > 1 else key[0]]
        label = " / ".join(str(k) for k in key)
        problems.append(
            Problem(
                f"{what} {label} appears again (first at row {first}); keep one row per {what}",
                file=file,
                row=row_of(row),
                field=field,
            )
        )
    return problems


def slugify(text: str) -> str:
    """An identifier ``[a-z0-9_]+`` from free text.

    ``"Life expectancy (%)"`` -> ``"life_expectancy_pct"``.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.replace("%", " pct ")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug or "indicator"


def area_type_from_field(field: str) -> str | None:
    """The area type a code column names: ``LSOA11CD`` -> ``lsoa11``, ``LAD22CD`` -> ``lad22``."""
    key = field.strip().casefold()
    match = _FIELD_AREA_RE.match(key) or _PHRASE_AREA_RE.match(key)
    if match is None:
        return None
    prefix = "wd" if match.group(1) == "ward" else match.group(1)
    return f"{prefix}{match.group(2)}"


def raise_problems(problems: Iterable[Problem], *, what: str) -> None:
    """Raise one ValidationError for all ``problems``, sorted by row, if there are any."""
    ordered = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
    error = ValidationError.collect(ordered, what=what)
    if error is not None:
        raise error


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold at all (most control characters,
    surrogates, U+FFFE and U+FFFF): a document written with them could not be read back."""
    return _XML_INVALID.sub("", text)

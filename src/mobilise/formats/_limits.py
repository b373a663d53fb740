"""The limits every reader holds a file to (private helpers of ``formats``).

A reader is given the workspace's :class:`~mobilise.settings.Limits` as a parameter (it never
reads settings or the environment itself; with none given, the settings' defaults apply) and
calls these helpers before the work a hostile file could make unbounded:

* :func:`inflate_gzip` and :func:`check_zip` refuse a decompression bomb: first from what the
  file declares (a zip's member sizes, a gzip's trailer) against ``max_decompressed_mb`` and
  ``max_compression_ratio``, before anything is inflated; then, for gzip, while inflating, so
  a stream that lies about its size stops at the limit. Python's ``zipfile`` itself never
  inflates a member past its declared size (it stops there and checks the CRC), so a workbook
  read with openpyxl is bound by the declared sizes; :func:`check_zip` with ``verify=True``
  also inflates every member once, counting, for files GDAL opens itself (zipped shapefiles).
* :func:`load_json` and :func:`parse_xml` refuse nesting deeper than ``max_json_depth`` before
  a parser or a reader could recurse (no ``RecursionError``), and numbers too long to be one.
* :func:`check_rows` refuses a file with more than ``max_rows`` rows (features, links).

Every refusal is a :class:`~mobilise.errors.ValidationError` (422) naming the file, the limit
and the setting that raises it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from mobilise.errors import Problem, ValidationError
from mobilise.settings import Limits

__all__ = [
    "DEFAULT_LIMITS",
    "check_rows",
    "check_zip",
    "inflate_gzip",
    "inflation_allowed",
    "json_depth",
    "limit_error",
    "load_json",
    "parse_xml",
    "too_much",
]

DEFAULT_LIMITS = Limits()
GZIP_MAGIC = b"\x1f\x8b"
# A small file may inflate past the ratio as long as the result stays this small: the ratio is
# there to stop bombs, not a 2 KB file of repeated rows.
RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
# JSON strings (which may hold brackets) and the brackets that nest.
# Possessive, and a string left open runs to the end: one pass, never a retry from each quote.
_JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_OPENERS, _CLOSERS = b"[{", b"]}"
# Brackets to +1 / -1 (as int8 bytes), every other byte deleted.
_BRACKET_STEPS = bytes.maketrans(_OPENERS + _CLOSERS, b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _OPENERS + _CLOSERS)


def limit_error(
    name: str, message: str, setting: str, *, field: str | None = None
) -> ValidationError:
    """The refusal of a file over a limit: names the file, what is over, the limit's setting."""
    detail = f"{message} (the limit {setting}, set by MOBILISE_{setting.upper()})"
    return ValidationError(
        f"File {name} is over a limit: {detail}.",
        problems=[Problem(detail, file=name, field=field)],
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


def inflation_allowed(compressed: int, limits: Limits) -> tuple[int, str]:
    """How far ``compressed`` bytes may inflate, and the setting that says so."""
    by_ratio = max(compressed * limits.max_compression_ratio, RATIO_FLOOR_BYTES)
    if by_ratio < limits.decompressed_bytes:
        return by_ratio, "max_compression_ratio"
    return limits.decompressed_bytes, "max_decompressed_mb"


def too_much(name: str, compressed: int, inflated: int, limits: Limits) -> ValidationError:
    """The refusal of a file that would inflate from ``compressed`` to ``inflated`` bytes."""
    allowed, setting = inflation_allowed(compressed, limits)
    if setting == "max_decompressed_mb":
        message = (
            f"it would inflate to more than {_megabytes(allowed)} (at least {_megabytes(inflated)})"
        )
    else:
        message = (
            f"it would inflate more than {limits.max_compression_ratio} times its size "
            f"({_megabytes(compressed)} to at least {_megabytes(inflated)}): a decompression bomb"
        )
    return limit_error(name, message, setting)


def inflate_gzip(
    data: bytes, *, name: str, limits: Limits | None = None, target: IO[bytes] | None = None
) -> bytes:
    """The content of gzip ``data`` (every member), refused past the limits.

    The trailer's declared size is checked before inflating, and the output is counted while
    inflating (the trailer holds the size modulo 4 GiB and can lie). With ``target``, the
    content is written there and ``b""`` returned, so a large file need not sit in memory.

    Raises
    ------
    mobilise.errors.ValidationError
        When the data would inflate past ``max_decompressed_mb`` or ``max_compression_ratio``,
        or is damaged.
    """
    limits = limits or DEFAULT_LIMITS
    allowed, _ = inflation_allowed(len(data), limits)
    declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    if declared > allowed:
        raise too_much(name, len(data), declared, limits)
    output = bytearray()
    written = 0
    rest = data
    try:
        while rest[:2] == GZIP_MAGIC:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
            while pending and not inflater.eof:
                chunk = inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
                written += len(chunk)
                if written > allowed:
                    raise too_much(name, len(data), written, limits)
                if target is not None:
                    target.write(chunk)
                else:
                    output += chunk
            if not inflater.eof:
                raise zlib.error("the data ends before the gzip stream does")
            rest = inflater.unused_data
    except zlib.error as error:
        raise ValidationError(
            f"File {name} cannot be read.",
            problems=[Problem(f"the gzip data is damaged ({error})", file=name)],
        ) from None
    return bytes(output)


def check_zip(
    source: bytes | str | Path, *, name: str, limits: Limits | None = None, verify: bool = False
) -> None:
    """Refuse a zip file (an ``.xlsx`` workbook, a zipped shapefile) that would inflate past the
    limits, from the sizes its members declare, before anything is inflated.

    ``verify`` also inflates every member once, counting (for files another library such as
    GDAL will inflate itself): a member that holds more than it declares fails its CRC check.
    A file that is not a zip is left to its reader to refuse.
    """
    limits = limits or DEFAULT_LIMITS
    compressed = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
    try:
        with zipfile.ZipFile(BytesIO(source) if isinstance(source, bytes) else source) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            allowed, _ = inflation_allowed(compressed, limits)
            if declared > allowed:
                raise too_much(name, compressed, declared, limits)
            if verify:
                for member in members:
                    with archive.open(member) as stream:
                        while stream.read(_CHUNK):
                            pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error) as error:
        if not verify:
            return  # not a zip, or a damaged one: the reader says so in its own words
        raise ValidationError(
            f"File {name} cannot be read.",
            problems=[Problem(f"the zip file is damaged ({error})", file=name)],
        ) from None
    except (NotImplementedError, RuntimeError) as error:  # unknown compression, encrypted
        raise ValidationError(
            f"File {name} cannot be read.",
            problems=[Problem(f"the zip file cannot be opened ({error})", file=name)],
        ) from None


def json_depth(data: bytes) -> int:
    """How deeply the arrays and objects of JSON text nest (brackets in strings not counted).

    Linear in the text; for text that is not JSON the figure is approximate (the parser then
    refuses it)."""
    import numpy as np

    steps = _JSON_STRING.sub(b'""', data).translate(_BRACKET_STEPS, _NOT_BRACKETS)
    depth = deepest = 0
    for start in range(0, len(steps), _CHUNK * 8):
        levels = np.cumsum(np.frombuffer(steps, np.int8, count=-1, offset=start)[: _CHUNK * 8])
        if len(levels):
            deepest = max(deepest, depth + int(levels.max()))
            depth += int(levels[-1])
    return deepest


def load_json(
    data: bytes | str,
    *,
    name: str,
    limits: Limits | None = None,
    unreadable: Callable[[str], ValidationError] | None = None,
) -> Any:
    """Parse JSON text (bytes are UTF-8, with or without a byte-order mark) after checking its
    nesting against ``max_json_depth``.

    ``unreadable`` makes the reader's own error for text that is not JSON, from what is wrong.

    Raises
    ------
    mobilise.errors.ValidationError
        When the JSON nests too deeply, is not JSON, or holds a number too long to read.
    """
    limits = limits or DEFAULT_LIMITS
    raw = data if isinstance(data, bytes) else data.encode("utf-8", errors="surrogatepass")
    depth = json_depth(raw)
    if depth > limits.max_json_depth:
        message = f"its JSON nests {depth} levels deep; at most {limits.max_json_depth} are read"
        raise limit_error(name, message, "max_json_depth")
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        # ValueError: JSONDecodeError, and numbers longer than Python reads (4,300 digits)
        if unreadable is not None:
            raise unreadable(str(error)) from None
        raise ValidationError(
            f"Cannot read {name}: it is not JSON ({error}).",
            problems=[Problem(f"not JSON: {error}", file=name)],
        ) from None


def parse_xml(data: bytes | str, *, name: str, limits: Limits | None = None) -> ET.Element:
    """The root element of an XML document, refused when it nests deeper than
    ``max_json_depth`` (counted while it is parsed, so no reader meets a deeper tree).

    Raises
    ------
    xml.etree.ElementTree.ParseError
        When the document is not well-formed (each reader says so in its own words).
    mobilise.errors.ValidationError
        When it nests too deeply.
    """
    limits = limits or DEFAULT_LIMITS
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    root: ET.Element | None = None
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if isinstance(data, str) and raw.lstrip().startswith(b"<?xml"):
        raw = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", raw, count=1)  # the text is already decoded
    for start in range(0, max(len(raw), 1), _CHUNK):
        parser.feed(raw[start : start + _CHUNK])
        for event, element in parser.read_events():  # type: ignore[misc]
            if event == "start":
                depth += 1
                if root is None:
                    root = element  # type: ignore[assignment]
                if depth > limits.max_json_depth:
                    message = f"its XML nests deeper than {limits.max_json_depth} elements"
                    raise limit_error(name, message, "max_json_depth")
            else:
                depth -= 1
    parser.close()
    if root is None:
        raise ET.ParseError("no element found")
    return root


def check_rows(count: int, *, name: str, limits: Limits | None = None, what: str = "rows") -> None:
    """Refuse a file of more than ``max_rows`` rows (``what``: rows, features, links...)."""
    limits = limits or DEFAULT_LIMITS
    if count > limits.max_rows:
        message = f"it has {count:,} {what}; at most {limits.max_rows:,} are imported at once"
        raise limit_error(name, message, "max_rows")

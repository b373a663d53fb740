"""Every systems-map file format: read a file whatever tool made it, write one for any tool that
can take it.

The formats are those of the catalogue :data:`mobilise.model.map_files.MAP_FILE_FORMATS` (names,
labels, suffixes, media types); this module attaches a reader and a writer to each name.
:func:`read_map` picks the format from the file name and, where names are shared (``.json``,
``.xlsx``, ``.csv``), from what the file holds; :func:`write_map` writes a named format.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from mobilise.errors import Problem, ValidationError
from mobilise.formats import (
    kumu,
    loopy,
    map_edgelist,
    map_graphml,
    mentalmodeler,
    prsm,
    prsm_tables,
    vensim,
)
from mobilise.formats._limits import check_rows, check_zip, load_json
from mobilise.model.causal_map import CausalMap, map_from_dict, map_to_dict
from mobilise.model.map_files import MAP_FILE_FORMATS, WRITABLE_MAP_FORMATS, MapFileFormat
from mobilise.settings import Limits

__all__ = ["MAP_FORMATS", "MapFormat", "detect_format", "read_map", "write_map"]

Reader = Callable[..., CausalMap]
Writer = Callable[[CausalMap], bytes]


@dataclass(frozen=True)
class MapFormat(MapFileFormat):
    """A format of the catalogue (:data:`~mobilise.model.map_files.MAP_FILE_FORMATS`) with the
    functions that read and (when the format allows) write it."""

    read: Reader
    write: Writer | None


def _read_mobilise(data: bytes, *, name: str, limits: Limits | None = None) -> CausalMap:
    return map_from_dict(load_json(data, name=name, limits=limits), name=name)


def _write_mobilise(causal_map: CausalMap) -> bytes:
    return json.dumps(map_to_dict(causal_map), indent=1, ensure_ascii=False).encode("utf-8")


_READERS: dict[str, Reader] = {
    "mobilise": _read_mobilise,
    "prsm": prsm.read_prsm,
    "prsm-xlsx": prsm_tables.read_prsm_xlsx,
    "prsm-csv": prsm_tables.read_prsm_csv,
    "kumu": kumu.read_kumu_json,
    "kumu-xlsx": kumu.read_kumu_xlsx,
    "mentalmodeler": mentalmodeler.read_mentalmodeler,
    "loopy": loopy.read_loopy,
    "graphml": map_graphml.read_map_graphml,
    "csv": map_edgelist.read_edge_list,
    "vensim": vensim.read_vensim_mdl,
    "xmile": vensim.read_xmile,
}
_WRITERS: dict[str, Writer] = {
    "mobilise": _write_mobilise,
    "prsm": prsm.write_prsm,
    "prsm-xlsx": prsm_tables.write_prsm_xlsx,
    "prsm-csv": prsm_tables.write_prsm_csv,
    "kumu": kumu.write_kumu_json,
    "kumu-xlsx": kumu.write_kumu_xlsx,
    "mentalmodeler": mentalmodeler.write_mentalmodeler,
    "loopy": lambda m: loopy.write_loopy(m, unknown_as="+"),
    "graphml": map_graphml.write_map_graphml,
    "csv": map_edgelist.write_edge_list,
}

MAP_FORMATS: dict[str, MapFormat] = {
    name: MapFormat(
        **vars(entry), read=_READERS[name], write=_WRITERS[name] if entry.writable else None
    )
    for name, entry in MAP_FILE_FORMATS.items()
}
"""Format name -> format with its reader and writer, for every format of the catalogue."""

_BY_SUFFIX = {
    ".prsm": "prsm",
    ".mmp": "mentalmodeler",
    ".graphml": "graphml",
    ".mdl": "vensim",
    ".xmile": "xmile",
    ".stmx": "xmile",
    ".itmx": "xmile",
}


def detect_format(data: bytes, name: str) -> str:
    """The format of a file, from its name and, for JSON, spreadsheets and CSV, its content."""
    suffix = PurePath(name).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    head = data[:4096].decode("utf-8-sig", errors="replace").lstrip()
    if suffix == ".xlsx" or data[:2] == b"PK":
        return "prsm-xlsx" if _sheets(data) >= {"Factors", "Links"} else "kumu-xlsx"
    if suffix in (".csv", ".tsv", ".txt"):
        first = head.split("\n", 1)[0].lower()
        return "prsm-csv" if "fromstyle" in first.replace(" ", "") else "csv"
    if head.startswith("<"):
        if "<mentalmodeler" in head:
            return "mentalmodeler"
        if "<xmile" in head:
            return "xmile"
        return "graphml"
    if head.startswith("{{") or "loopy" in head[:200] or head.startswith("[["):
        return "loopy"
    if head.startswith("{"):
        if '"mobilise-map"' in head:
            return "mobilise"
        if '"mentalmodeler"' in head or '"concepts"' in head:
            return "mentalmodeler"
        if '"raw"' in head:
            return "loopy"
        if '"mapTitle"' in head or '"lastNodeSample"' in head or '"styles"' in head:
            return "prsm"
        if '"elements"' in head or '"connections"' in head:
            return "kumu"
        return "prsm" if suffix == ".prsm" else "kumu"
    if suffix == "" and head and not head.startswith(("{", "[", "<")):
        return "prsm"  # compressed PRSM files start with lz-string text
    raise ValidationError(
        f"Cannot tell what kind of map {name} is; name its format ({', '.join(MAP_FORMATS)}).",
        problems=[Problem("unknown map format", file=name, field="format")],
    )


def read_map(
    data: bytes, *, name: str, format: str | None = None, limits: Limits | None = None
) -> CausalMap:
    """A map from a file's bytes, in the named format or the one :func:`detect_format` finds.

    ``limits`` (by default the settings' defaults) bound what the file may hold: a workbook's
    inflated size, the nesting of JSON and XML, and the factors and links (``max_rows``).
    """
    if data[:2] == b"PK":
        check_zip(data, name=name, limits=limits)  # before its sheet names are read
    chosen = format or detect_format(data, name)
    found = MAP_FORMATS.get(chosen)
    if found is None:
        raise ValidationError(
            f"Unknown map format {chosen!r}; use one of {', '.join(MAP_FORMATS)}.",
            problems=[Problem(f"unknown format {chosen!r}", field="format")],
        )
    causal_map = found.read(data, name=name, limits=limits)
    size = len(causal_map.factors) + map_edgelist.link_count(causal_map)
    check_rows(size, name=name, limits=limits, what="factors and links")
    return causal_map


def write_map(causal_map: CausalMap, format: str) -> bytes:
    """A map as a file of the named format."""
    found = MAP_FORMATS.get(format)
    if found is None or found.write is None:
        raise ValidationError(
            f"Cannot write a map as {format!r}; use one of {', '.join(WRITABLE_MAP_FORMATS)}.",
            problems=[Problem(f"cannot write {format!r}", field="format")],
        )
    return found.write(causal_map)


def _sheets(data: bytes) -> set[str]:
    """The sheet names of an XLSX file (without openpyxl: it is an optional dependency)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except Exception:  # a damaged zip fails in many ways; the reader then says it is damaged
        return set()
    return set(re.findall(r'<sheet[^>]*\bname="([^"]+)"', workbook))

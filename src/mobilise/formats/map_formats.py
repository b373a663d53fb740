"""Every systems-map file format in one table: read a file whatever tool made it, write one for
any tool that can take it.

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
from mobilise.model.causal_map import CausalMap, map_from_dict, map_to_dict

__all__ = ["MAP_FORMATS", "MapFormat", "detect_format", "read_map", "write_map"]

Reader = Callable[..., CausalMap]
Writer = Callable[[CausalMap], bytes]


@dataclass(frozen=True)
class MapFormat:
    """A file format: its name, what people call it, its file suffix and media type, and the
    functions that read and (when the format allows) write it."""

    name: str
    label: str
    suffix: str
    media_type: str
    read: Reader
    write: Writer | None


def _read_mobilise(data: bytes, *, name: str) -> CausalMap:
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError(
            f"Cannot read {name}: it is not JSON ({error}).",
            problems=[Problem(str(error), file=name)],
        ) from None
    return map_from_dict(parsed, name=name)


def _write_mobilise(causal_map: CausalMap) -> bytes:
    return json.dumps(map_to_dict(causal_map), indent=1, ensure_ascii=False).encode("utf-8")


_JSON = "application/json"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV = "text/csv; charset=utf-8"

MAP_FORMATS: dict[str, MapFormat] = {
    f.name: f
    for f in (
        MapFormat(
            "mobilise", "mobilise map (JSON)", ".json", _JSON, _read_mobilise, _write_mobilise
        ),
        MapFormat("prsm", "PRSM (.prsm)", ".prsm", _JSON, prsm.read_prsm, prsm.write_prsm),
        MapFormat(
            "prsm-xlsx",
            "PRSM spreadsheet",
            ".xlsx",
            _XLSX,
            prsm_tables.read_prsm_xlsx,
            prsm_tables.write_prsm_xlsx,
        ),
        MapFormat(
            "prsm-csv",
            "PRSM links CSV",
            ".csv",
            _CSV,
            prsm_tables.read_prsm_csv,
            prsm_tables.write_prsm_csv,
        ),
        MapFormat("kumu", "Kumu (JSON)", ".json", _JSON, kumu.read_kumu_json, kumu.write_kumu_json),
        MapFormat(
            "kumu-xlsx",
            "Kumu spreadsheet",
            ".xlsx",
            _XLSX,
            kumu.read_kumu_xlsx,
            kumu.write_kumu_xlsx,
        ),
        MapFormat(
            "mentalmodeler",
            "Mental Modeler (.mmp)",
            ".mmp",
            "application/xml",
            mentalmodeler.read_mentalmodeler,
            mentalmodeler.write_mentalmodeler,
        ),
        MapFormat(
            "loopy",
            "LOOPY (JSON)",
            ".json",
            _JSON,
            loopy.read_loopy,
            lambda m: loopy.write_loopy(m, unknown_as="+"),
        ),
        MapFormat(
            "graphml",
            "GraphML",
            ".graphml",
            "application/graphml+xml",
            map_graphml.read_map_graphml,
            map_graphml.write_map_graphml,
        ),
        MapFormat(
            "csv",
            "Edge list (CSV)",
            ".csv",
            _CSV,
            map_edgelist.read_edge_list,
            map_edgelist.write_edge_list,
        ),
        MapFormat("vensim", "Vensim (.mdl)", ".mdl", "text/plain", vensim.read_vensim_mdl, None),
        MapFormat("xmile", "XMILE / Stella", ".xmile", "application/xml", vensim.read_xmile, None),
    )
}
"""Format name -> format. Vensim and XMILE are read only (structure and polarity)."""

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


def read_map(data: bytes, *, name: str, format: str | None = None) -> CausalMap:
    """A map from a file's bytes, in the named format or the one :func:`detect_format` finds."""
    chosen = format or detect_format(data, name)
    found = MAP_FORMATS.get(chosen)
    if found is None:
        raise ValidationError(
            f"Unknown map format {chosen!r}; use one of {', '.join(MAP_FORMATS)}.",
            problems=[Problem(f"unknown format {chosen!r}", field="format")],
        )
    return found.read(data, name=name)


def write_map(causal_map: CausalMap, format: str) -> bytes:
    """A map as a file of the named format."""
    found = MAP_FORMATS.get(format)
    writable = [name for name, f in MAP_FORMATS.items() if f.write is not None]
    if found is None or found.write is None:
        raise ValidationError(
            f"Cannot write a map as {format!r}; use one of {', '.join(writable)}.",
            problems=[Problem(f"cannot write {format!r}", field="format")],
        )
    return found.write(causal_map)


def _sheets(data: bytes) -> set[str]:
    """The sheet names of an XLSX file (without openpyxl: it is an optional dependency)."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError):
        return set()
    return set(re.findall(r'<sheet[^>]*\bname="([^"]+)"', workbook))

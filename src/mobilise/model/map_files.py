"""The systems-map file formats: what each is called, its file suffix and media type, and
whether mobilise can write it.

This is the one catalogue of map formats. :mod:`mobilise.formats.map_formats` attaches a reader
and (for the writable ones) a writer to each name; the command line and the web app offer these
names and labels without loading the readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

__all__ = ["MAP_FILE_FORMATS", "WRITABLE_MAP_FORMATS", "MapFileFormat", "map_format_to_write"]


@dataclass(frozen=True)
class MapFileFormat:
    """A map file format: its name, what people call it, its file suffix and media type, and
    whether mobilise writes it (Vensim and XMILE are read only: structure and polarity)."""

    name: str
    label: str
    suffix: str
    media_type: str
    writable: bool


_JSON = "application/json"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV = "text/csv; charset=utf-8"

MAP_FILE_FORMATS: dict[str, MapFileFormat] = {
    f.name: f
    for f in (
        MapFileFormat("mobilise", "mobilise map (JSON)", ".json", _JSON, True),
        MapFileFormat("prsm", "PRSM (.prsm)", ".prsm", _JSON, True),
        MapFileFormat("prsm-xlsx", "PRSM spreadsheet", ".xlsx", _XLSX, True),
        MapFileFormat("prsm-csv", "PRSM links CSV", ".csv", _CSV, True),
        MapFileFormat("kumu", "Kumu (JSON)", ".json", _JSON, True),
        MapFileFormat("kumu-xlsx", "Kumu spreadsheet", ".xlsx", _XLSX, True),
        MapFileFormat("mentalmodeler", "Mental Modeler (.mmp)", ".mmp", "application/xml", True),
        MapFileFormat("loopy", "LOOPY (JSON)", ".json", _JSON, True),
        MapFileFormat("graphml", "GraphML", ".graphml", "application/graphml+xml", True),
        MapFileFormat("csv", "Edge list (CSV)", ".csv", _CSV, True),
        MapFileFormat("vensim", "Vensim (.mdl)", ".mdl", "text/plain", False),
        MapFileFormat("xmile", "XMILE / Stella", ".xmile", "application/xml", False),
    )
}
"""Format name -> format, in the order the faces list them."""

WRITABLE_MAP_FORMATS: tuple[str, ...] = tuple(
    name for name, found in MAP_FILE_FORMATS.items() if found.writable
)
"""The formats a map can be exported as."""

_WRITTEN_BY_SUFFIX = {
    ".json": "mobilise",
    ".prsm": "prsm",
    ".xlsx": "prsm-xlsx",
    ".csv": "csv",
    ".mmp": "mentalmodeler",
    ".graphml": "graphml",
}


def map_format_to_write(file_name: str) -> str | None:
    """The format a map file of this name is written in when none is named (``None`` when its
    suffix says none): ``.json`` is a mobilise map, ``.xlsx`` a PRSM spreadsheet, ``.csv`` an
    edge list."""
    return _WRITTEN_BY_SUFFIX.get(PurePath(file_name).suffix.lower())

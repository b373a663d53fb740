"""Every importer of the workspace fuzzed with hypothesis (issue 14, item 9: zero crashes, zero
half-imports).

Each test takes real files (the fixtures) and damages them as a careless export or a hostile
user would: bytes flipped, cut short, brackets, quotes, delimiters, far too long numbers and
control characters dropped in, slices repeated; and sometimes sends bytes that are no file at
all. Whatever comes in, an import either succeeds or is refused with a 4xx error of the
:mod:`mobilise.errors` tree (a ``ValidationError`` naming the problem), and a refused import
leaves every table of the workspace as it was.

The budget is fixed (``derandomize``: the same files each run) and small; raise
``MOBILISE_FUZZ_EXAMPLES`` to fuzz harder by hand.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mobilise import Workspace
from mobilise.demo import DEMO_DATA
from mobilise.errors import MobiliseError
from mobilise.store.tables import audit_log

from ..conftest import FIXTURES

EXAMPLES = int(os.environ.get("MOBILISE_FUZZ_EXAMPLES", "12"))
MAPS = FIXTURES / "systems_maps"
TOKENS = [
    b"[", b"]", b"{", b"}", b'"', b"'", b",", b";", b"\t", b"\n", b"\r", b"<", b">", b"</",
    b"\x00", b"\xff\xfe", b"=cmd", b"NaN", b"-inf", b"1e999", b"9" * 30, b"-" + b"9" * 25,
    b"\\", b"&amp;", b"<!ENTITY", b"\xef\xbb\xbf", b"E01000001", b"null", b"true",
]  # fmt: skip

Importer = Callable[[Workspace, bytes, str], Any]


@st.composite
def damaged(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few damages, or (now and then) bytes of no file at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "drop"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            token = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=6))
            data[at:at] = token * draw(st.integers(1, 3))
        elif kind == "repeat":
            end = draw(st.integers(at, min(len(data), at + 200)))
            data[at:at] = data[at:end] * draw(st.integers(1, 5))
        else:
            end = draw(st.integers(at, min(len(data), at + 50)))
            del data[at:end]
    return bytes(data)


def table_counts(workspace: Workspace) -> dict[str, int]:
    """The number of rows of every table (one query)."""
    tables = audit_log.metadata.sorted_tables
    query = select(*(select(func.count()).select_from(t).scalar_subquery() for t in tables))
    with workspace.read() as connection:
        row = connection.execute(query).one()
    return dict(zip((t.name for t in tables), row, strict=True))


def import_or_refuse(workspace: Workspace, importer: Importer, data: bytes, name: str) -> None:
    """Import; a refusal must be a 4xx error of the tree and leave every table as it was."""
    before = table_counts(workspace)
    try:
        importer(workspace, data, name)
    except MobiliseError as error:
        assert error.status_code < 500, f"{type(error).__name__}: {error}"
        assert table_counts(workspace) == before, f"half-imported after: {error}"


def fuzz(importer: Importer, original: Path, name: str | None = None) -> Callable[..., None]:
    """A hypothesis test of ``importer`` on damaged copies of ``original``."""

    @given(data=damaged(original.read_bytes()))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def run(workspace: Workspace, data: bytes) -> None:
        import_or_refuse(workspace, importer, data, name or original.name)

    return run


@pytest.fixture
def areas(sqlite_workspace: Workspace) -> Workspace:
    """A workspace with three LSOAs, so lookups, indicators and population have areas."""
    sqlite_workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    return sqlite_workspace


def assets(ws: Workspace, data: bytes, name: str) -> Any:
    return ws.assets.import_file(data, name=name, format="overpass" if "overpass" in name else None)


def lookup(kind: str) -> Importer:
    return lambda ws, data, name: ws.areas.import_lookup(data, kind=kind, name=name)


WORKSPACE = FIXTURES / "workspace"
PARTNERSHIP = DEMO_DATA / "partnership"
IMPORTERS: dict[str, tuple[Importer, Path]] = {
    "assets-geojson": (assets, WORKSPACE / "assets_small.geojson"),
    "assets-csv": (assets, WORKSPACE / "assets_bad.csv"),
    "assets-osm": (assets, FIXTURES / "assets" / "small.osm"),
    "assets-overpass": (assets, FIXTURES / "assets" / "overpass_small.json"),
    "indicators": (lambda ws, d, n: ws.indicators.import_file(d, name=n), WORKSPACE / "indicator_wide.csv"),
    "boundaries": (lambda ws, d, n: ws.areas.import_boundaries(d, name=n), WORKSPACE / "three_lsoas.geojson"),
    "lookup-msoa": (lookup("msoa11"), WORKSPACE / "msoa_lookup.csv"),
    "lookup-centroids": (lookup("centroids"), FIXTURES / "lsoa21_centroids_excerpt.csv"),
    "lookup-lsoa21": (lookup("lsoa21"), FIXTURES / "lsoa11_lsoa21_lad22_excerpt.csv"),
    "population": (
        lambda ws, d, n: ws.areas.import_population(d, period="2015", name=n),
        FIXTURES / "iod2019_file6_excerpt.csv",
    ),
    "postcodes": (lambda ws, d, n: ws.postcodes.import_lookup(d, name=n), FIXTURES / "codepoint_excerpt.csv"),
    "partners": (lambda ws, d, n: ws.partners.import_file(d, name=n), PARTNERSHIP / "partners.csv"),
    "relationships": (lambda ws, d, n: ws.surveys.import_file(d, name=n), PARTNERSHIP / "ties.csv"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(IMPORTERS))
def test_importers_never_crash_nor_half_import(areas: Workspace, kind: str) -> None:
    importer, original = IMPORTERS[kind]
    fuzz(importer, original)(areas)


MAP_FILES = [
    "edgelist_messy.csv",
    "green_space.prsm",
    "green_space_compressed.prsm",
    "green_space_kumu_blueprint.json",
    "green_space_kumu_export.json",
    "green_space_prsm.csv",
    "vensim_green_space.mdl",
    "xmile_green_space.xmile",
    "loopy/loopy_v1.1_examples.json",
    "mentalmodeler/fire_model.json.mmp",
    "mentalmodeler/fish_wetland.mmp",
]


@pytest.mark.parametrize("file", MAP_FILES)
def test_map_imports_never_crash_nor_half_import(sqlite_workspace: Workspace, file: str) -> None:
    def importer(ws: Workspace, data: bytes, name: str) -> Any:
        return ws.map_analysis.import_file(data, name=name)

    fuzz(importer, MAPS / file)(sqlite_workspace)


@pytest.mark.parametrize("format", ["graphml", "mobilise", "kumu-xlsx", "prsm-xlsx"])
def test_maps_written_by_mobilise_fuzzed_back(
    sqlite_workspace: Workspace, tmp_path: Path, format: str
) -> None:
    """The formats mobilise writes (GraphML, its own JSON, workbooks) read back damaged."""
    if format.endswith("xlsx"):
        pytest.importorskip("openpyxl")
    found = sqlite_workspace.map_analysis.import_file(MAPS / "green_space.prsm")
    written = tmp_path / f"map.{ {'graphml': 'graphml', 'mobilise': 'json'}.get(format, 'xlsx') }"
    sqlite_workspace.map_analysis.export(found.id, written, format=format)

    def importer(ws: Workspace, data: bytes, name: str) -> Any:
        return ws.map_analysis.import_file(data, name=name)

    fuzz(importer, written)(sqlite_workspace)

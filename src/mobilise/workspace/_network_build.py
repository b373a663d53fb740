"""Build a place's street networks from an extract and check they cover it (private to
:mod:`mobilise.workspace.street_networks`; loads pyosmium, numpy and SciPy, so imported only
when an extract is imported)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from mobilise.analysis.street_network import build_network, coverage
from mobilise.errors import Problem, ValidationError
from mobilise.formats.osm_network import read_osm_ways
from mobilise.geo import wgs84_to_bng
from mobilise.store.tables import areas
from mobilise.workspace._common import chunked

if TYPE_CHECKING:
    from mobilise.analysis.street_network import StreetNetwork
    from mobilise.workspace.core import Workspace

__all__ = ["Built", "area_points", "build_all"]

REFUSE_OUTSIDE = 0.5  # refuse an extract that leaves more than this share of the areas outside
_SHOWN = 20  # areas named before "and N more"


@dataclass
class Built:
    """One profile's network, ready to store."""

    profile: str
    network: StreetNetwork
    coverage: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        source = dict(self.network.source)
        return {
            "profile": self.profile,
            "source_name": str(source.get("file") or "extract")[:300],
            "source_sha256": str(source.get("sha256", "")),
            "data_date": str(source.get("data_date") or "")[:40],
            "licence": str(source.get("licence", "ODbL 1.0"))[:120],
            "attribution": str(source.get("attribution", "© OpenStreetMap contributors"))[:300],
            "n_nodes": int(self.network.n_nodes),
            "n_edges": int(self.network.n_edges),
            "length_km": float(self.network.length_km),
            "arrays": self.network.to_bytes(),
            "coverage": self.coverage,
            "warnings": self.warnings,
        }


def area_points(workspace: Workspace, place: str) -> tuple[list[str], dict[str, str], Any, Any]:
    """The place's area codes with a centre, their names, and the centres' x and y (British
    National Grid metres)."""
    codes = workspace.places.area_codes(place)
    rows: list[Any] = []
    with workspace.read() as connection:
        for chunk in chunked(codes, 500):
            rows.extend(
                connection.execute(
                    select(areas.c.code, areas.c.name, areas.c.centroid_lon, areas.c.centroid_lat)
                    .where(areas.c.code.in_(list(chunk)))
                    .where(areas.c.centroid_lon.is_not(None))
                ).all()
            )
    rows.sort(key=lambda r: r.code)
    x, y = wgs84_to_bng(
        np.array([r.centroid_lon for r in rows], dtype=float),
        np.array([r.centroid_lat for r in rows], dtype=float),
    )
    return [r.code for r in rows], {r.code: r.name for r in rows}, x, y


def build_all(
    workspace: Workspace,
    place: str,
    data: bytes,
    file_name: str,
    profiles: Sequence[str],
    *,
    progress: Callable[[str, int], None],
) -> list[Built]:
    """Every profile's network from the extract's bytes, each checked for coverage of the
    place (a :class:`ValidationError` naming the areas outside when most are)."""
    ways = read_osm_ways(data, name=file_name, limits=workspace.limits)
    digest = hashlib.sha256(data).hexdigest()
    codes, names, x, y = area_points(workspace, place)
    built: list[Built] = []
    for number, profile in enumerate(profiles, start=1):
        progress(f"Building the {profile} network", number)
        network = build_network(ways, profile)
        network = _with_source(network, file_name, digest)
        covered = np.asarray(coverage(network, x, y), dtype=bool) if codes else np.array([])
        summary, warning = _coverage(file_name, profile, codes, names, covered)
        dropped = int(network.source.get("nodes_dropped") or 0)
        notes = (
            [
                f"{dropped:,} nodes outside the largest connected part of the {profile} network "
                "were left out (streets that cannot be reached, or left, both ways)."
            ]
            if dropped
            else []
        )
        built.append(Built(profile, network, summary, [*notes, *([warning] if warning else [])]))
    return built


def _with_source(network: StreetNetwork, file_name: str, digest: str) -> StreetNetwork:
    """The network with its source naming the file the user chose and its sha256."""
    from dataclasses import replace

    source = {**dict(network.source), "file": file_name, "sha256": digest}
    source.setdefault("licence", "ODbL 1.0")
    source.setdefault("attribution", "© OpenStreetMap contributors")
    return replace(network, source=source)


def _coverage(
    file_name: str, profile: str, codes: list[str], names: dict[str, str], covered: Any
) -> tuple[dict[str, Any], str]:
    """The coverage summary, and a warning naming the areas outside (refused past
    :data:`REFUSE_OUTSIDE`)."""
    outside = [code for code, inside in zip(codes, covered, strict=True) if not inside]
    summary: dict[str, Any] = {
        "areas": len(codes),
        "covered": len(codes) - len(outside),
        "outside": [{"code": c, "name": names.get(c, c)} for c in outside],
    }
    if not outside:
        return summary, ""
    named = ", ".join(f"{names.get(c, c)} ({c})" for c in outside[:_SHOWN])
    more = f" and {len(outside) - _SHOWN} more" if len(outside) > _SHOWN else ""
    words = (
        f"{len(outside)} of the place's {len(codes)} areas fall outside {file_name}: {named}{more}"
    )
    if len(outside) > REFUSE_OUTSIDE * len(codes):
        raise ValidationError(
            f"The extract does not cover the place: {words}. Use an extract of the whole place.",
            problems=[Problem(f"{len(outside)} areas outside the extract", file=file_name)],
        )
    return summary, f"The {profile} network does not reach every area: {words}."

"""Contiguity weights between areas, built with libpysal (private to
:mod:`mobilise.analysis.spatial`).

libpysal (and, through it, esda's dependencies and SQLAlchemy when installed) loads only when
weights are built or tested: every import of it is inside a function, and
:class:`~mobilise.analysis.spatial.AreaWeights`, a subclass of libpysal's ``W``, is made the
first time it is needed (:func:`area_weights_class`).
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from mobilise.analysis._checks import named
from mobilise.geo import BNG

if TYPE_CHECKING:
    import geopandas as gpd
    from libpysal.weights import W

_AREA_WEIGHTS_DOC = """Row-standardised contiguity weights that remember the areas that had no
neighbour.

A :class:`libpysal.weights.W` whose ids are the area codes, from :func:`contiguity_weights`,
with ``kind`` ("queen" or "rook"), ``island_handling`` ("nearest", "drop" or "keep"),
``isolated`` (the codes of the areas that touched no other, whatever was done with them) and
``joined_to`` (for "nearest": each island and the area it was joined to).
"""


class IslandNotes:
    """What :class:`~mobilise.analysis.spatial.AreaWeights` adds to libpysal's ``W``."""

    kind: str
    island_handling: str
    isolated: tuple[Hashable, ...]
    joined_to: dict[Hashable, Hashable]

    def island_note(self) -> str | None:
        """One sentence on the islands and how they were handled, or None without islands."""
        count = len(self.isolated)
        if not count:
            return None
        areas = "1 area" if count == 1 else f"{count:,} areas"
        had = f"{areas} had no neighbour ({self.kind} contiguity) and {_were(count)}"
        if self.island_handling == "nearest":
            pairs = [f"{island} to {area}" for island, area in self.joined_to.items()]
            return f"{had} joined to the nearest area by centroid: {named(pairs)}."
        if self.island_handling == "drop":
            return f"{had} left out: {named(self.isolated)}."
        return f"{had} kept without neighbours: {named(self.isolated)}."


@cache
def area_weights_class() -> type[Any]:
    """``AreaWeights``: libpysal's ``W`` with :class:`IslandNotes`, made once, when first used.

    It is named as :mod:`mobilise.analysis.spatial` offers it, so that its instances pickle.
    """
    from libpysal.weights import W

    namespace = {"__module__": "mobilise.analysis.spatial", "__doc__": _AREA_WEIGHTS_DOC}
    return type("AreaWeights", (IslandNotes, W), namespace)


def build_contiguity(geometries: gpd.GeoSeries, kind: str, islands: str) -> Any:
    """The weights of :func:`mobilise.analysis.spatial.contiguity_weights` from checked areas:
    an ``AreaWeights``."""
    import geopandas as gpd
    from libpysal.weights import Queen, Rook

    frame = gpd.GeoDataFrame(geometry=geometries)
    builder = {"queen": Queen, "rook": Rook}[kind]
    contiguity = builder.from_dataframe(frame, use_index=True, silence_warnings=True)
    ids = list(frame.index)
    neighbours = {area: list(contiguity.neighbors[area]) for area in ids}
    isolated = tuple(area for area in ids if not neighbours[area])
    joined_to: dict[Hashable, Hashable] = {}
    if isolated and islands == "nearest":
        joined_to = _nearest_areas(geometries, isolated)
        for island, area in joined_to.items():
            for one, other in ((island, area), (area, island)):
                if other not in neighbours[one]:
                    neighbours[one].append(other)
    elif isolated and islands == "drop":
        for island in isolated:
            del neighbours[island]
        ids = [area for area in ids if area in neighbours]
    weights = area_weights_class()(neighbours, id_order=ids, silence_warnings=True)
    weights.transform = "r"
    weights.kind = kind
    weights.island_handling = islands
    weights.isolated = isolated
    weights.joined_to = joined_to
    return weights


def _nearest_areas(
    geometries: gpd.GeoSeries, islands: tuple[Hashable, ...]
) -> dict[Hashable, Hashable]:
    """The area with the nearest centroid to each island, measured in a projected CRS.

    libpysal's ``attach_islands`` would do this, but it links two islands that are each other's
    nearest twice (a weight of 2), so the join is made here from libpysal's ``KNN``.
    """
    from libpysal.weights import KNN

    projected = geometries.to_crs(BNG) if geometries.crs.is_geographic else geometries
    centroids = projected.centroid
    xy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    nearest = KNN.from_array(xy, k=1, silence_warnings=True)
    position = {area: i for i, area in enumerate(geometries.index)}
    return {island: geometries.index[nearest.neighbors[position[island]][0]] for island in islands}


def sub_weights(weights: W, ids: list[Hashable]) -> W:
    """Fresh weights between ``ids`` only, keeping the original (untransformed) weights.

    Like ``libpysal.weights.w_subset``, which makes every weight 1; and a new object, since esda
    transforms the weights it is given in place.
    """
    from libpysal.weights import W

    original = weights.transformations.get("O", weights.weights)
    keep = set(ids)
    neighbours: dict[Hashable, list[Hashable]] = {}
    link_weights: dict[Hashable, list[float]] = {}
    for area in ids:
        links = [
            (other, weight)
            for other, weight in zip(weights.neighbors[area], original[area], strict=True)
            if other in keep
        ]
        neighbours[area] = [other for other, _ in links]
        link_weights[area] = [float(weight) for _, weight in links]
    return W(neighbours, link_weights, id_order=list(ids), silence_warnings=True)


def _were(count: int) -> str:
    return "was" if count == 1 else "were"

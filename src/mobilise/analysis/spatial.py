"""Spatial autocorrelation of a measure over small areas: is it clustered, and where?

Thin layers over PySAL (``libpysal`` weights, ``esda`` statistics):

1. :func:`contiguity_weights`: which areas are neighbours (queen: sharing any boundary point;
   rook: sharing an edge), dealing openly with *islands* (areas touching no other, common with
   generalised boundaries): join each to its nearest area, drop them, or keep them. The weights
   are row-standardised, so an area's *spatial lag* is the average of its neighbours' values.
2. :func:`morans_i`: global Moran's I, above its expectation ``-1/(n-1)`` when similar values sit
   together, below it when neighbours differ (a checkerboard under rook contiguity gives -1).
3. :func:`local_morans`: local Moran's I (LISA, Anselin 1995) of every area, the significant ones
   labelled hot spots (High-High), cold spots (Low-Low) or outliers (:data:`CLUSTER_MEANINGS`).

Conventions: ``values`` are aligned to the weights by area code; areas without a value are left
out and the weights rebuilt without them, and the areas left out, or left without a neighbour,
are named in the warnings (never a silent NaN). Constant values make Moran's I undefined (0/0): a
:class:`~mobilise.errors.ValidationError`. ``p_sim`` is esda's pseudo p-value, directed: with
``k`` of the random rearrangements at or above the observed statistic, ``(min(k, permutations -
k) + 1) / (permutations + 1)``; local ones hold the area's own value fixed (conditional
permutation). A ``seed`` makes them reproducible, leaving numpy's global random state as it was.

esda 2.9 quirks handled here: ``Moran`` draws from numpy's global random state and has no seed
argument (we seed and restore it); ``Moran_Local`` warns that its default alternative will become
two-sided in esda 3 but cannot be told which to use (we silence that warning: p-values here are
the current directed ones and would double if two-sided); it resets a process-wide warnings
filter (contained here) and gives an area without neighbours the smallest possible p-value (here
such an area is never significant).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._weights import (
    IslandNotes,
    area_weights_class,
    build_contiguity,
    sub_weights,
)
from mobilise.errors import Problem

if TYPE_CHECKING:
    import geopandas as gpd
    from libpysal.weights import W

    class AreaWeights(IslandNotes, W):  # made at run time by _weights.area_weights_class
        ...


__all__ = [
    "CLUSTER_MEANINGS",
    "AreaWeights",
    "GlobalMoran",
    "contiguity_weights",
    "local_morans",
    "morans_i",
]

CLUSTER_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "High-High": "A high value surrounded by high values: a hot spot.",
        "Low-Low": "A low value surrounded by low values: a cold spot.",
        "High-Low": "A high value surrounded by low values: an outlier above its neighbours.",
        "Low-High": "A low value surrounded by high values: an outlier below its neighbours.",
        "Not significant": (
            "No clear pattern: the value and its neighbours' values could well be a chance "
            "arrangement."
        ),
    }
)
"""Each cluster label of :func:`local_morans` and its meaning in one plain-English sentence."""

_QUADRANTS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}  # esda's q
_ISLAND_HANDLING = ("nearest", "drop", "keep")
_KINDS = ("queen", "rook")
_MIN_AREAS = 4  # esda's variance under randomisation divides by (n - 1)(n - 2)(n - 3)


# --------------------------------------------------------------------------------------------
# Weights


def __getattr__(name: str) -> Any:
    """:class:`AreaWeights` (a libpysal ``W``) loads libpysal only when it is asked for."""
    if name == "AreaWeights":
        return area_weights_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def contiguity_weights(
    areas: gpd.GeoDataFrame | gpd.GeoSeries, *, kind: str = "queen", islands: str = "nearest"
) -> AreaWeights:
    """Which areas are neighbours, from their boundaries; row-standardised.

    Parameters
    ----------
    areas
        Area polygons indexed by area code (e.g. LSOA codes), in any CRS. Contiguity comes from
        shared boundary points, as libpysal finds them (``Queen``/``Rook.from_dataframe``).
    kind
        ``"queen"``: areas sharing any boundary point are neighbours; ``"rook"``: only areas
        sharing an edge.
    islands
        What to do with areas that touch no other: ``"nearest"`` joins each to the area with the
        nearest centroid (both ways, so the weights stay symmetric; distances in metres, in
        British National Grid when the CRS is geographic); ``"drop"`` leaves them out of the
        weights; ``"keep"`` keeps them without neighbours (they then add nothing to Moran's I).

    Returns
    -------
    The weights, recording the islands and what was done (:meth:`AreaWeights.island_note`).

    Raises
    ------
    ValidationError
        Naming every problem: not a GeoDataFrame/GeoSeries, repeated codes, missing, empty or
        non-polygon geometries, fewer than two areas, an unknown ``kind`` or ``islands``, or no
        CRS when islands are to be joined by distance.
    """
    problems: list[Problem] = []
    geometries = _check_areas(areas, problems)
    if kind not in _KINDS:
        problems.append(Problem(f"kind must be 'queen' or 'rook', not {kind!r}", field="kind"))
    if islands not in _ISLAND_HANDLING:
        message = f"islands must be 'nearest', 'drop' or 'keep', not {islands!r}"
        problems.append(Problem(message, field="islands"))
    elif islands == "nearest" and geometries is not None and geometries.crs is None:
        message = (
            "no CRS, so islands cannot be joined by distance; set one (e.g. "
            "areas.set_crs('EPSG:27700')) or use islands='drop' or 'keep'"
        )
        problems.append(Problem(message, field="areas"))
    raise_if(problems, "Cannot build contiguity weights")
    assert geometries is not None  # checked above
    return build_contiguity(geometries, kind, islands)


def _check_areas(areas: object, problems: list[Problem]) -> gpd.GeoSeries | None:
    import geopandas as gpd

    if isinstance(areas, gpd.GeoDataFrame):
        geometries = areas.geometry
    elif isinstance(areas, gpd.GeoSeries):
        geometries = areas
    else:
        problems.append(Problem("areas must be a GeoDataFrame or GeoSeries", field="areas"))
        return None
    codes = geometries.index
    if len(geometries) < 2:
        problems.append(Problem("at least two areas are needed", field="areas"))
    if codes.has_duplicates:
        problems.append(Problem(f"codes repeat: {named(codes[codes.duplicated()])}", field="areas"))
    absent = geometries.isna() | geometries.is_empty
    if absent.any():
        problems.append(Problem(f"no geometry for {named(codes[absent])}", field="geometry"))
    odd = ~absent & ~geometries.geom_type.isin(["Polygon", "MultiPolygon"])
    if odd.any():
        problems.append(Problem(f"not a polygon for {named(codes[odd])}", field="geometry"))
    return geometries


# --------------------------------------------------------------------------------------------
# Global Moran's I


@dataclass(frozen=True)
class GlobalMoran:
    """Global Moran's I of one measure over the areas.

    ``i`` is ``n / S0 * z'Wz / z'z`` (``z`` the deviations from the mean, ``W`` row-standardised):
    above ``expected`` (``-1 / (n - 1)``, its expectation under spatial randomness) similar values
    cluster; below it neighbours differ. ``z`` and ``p_norm`` (two-sided) assume normality;
    ``p_sim`` is the permutation pseudo p-value (None with no permutations). ``n`` counts the areas
    in the analysis; ``left_out`` names those left out (in the weights without a value, or with a
    value but not in the weights); ``islands`` those in it without a neighbour (they add nothing
    to I); ``warnings`` explains both in plain English.
    """

    i: float
    expected: float
    z: float
    p_norm: float
    p_sim: float | None
    permutations: int
    seed: int | None
    n: int
    left_out: tuple[Hashable, ...]
    islands: tuple[Hashable, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON types: numbers, strings, lists; None instead of NaN."""
        result = {name: _plain(getattr(self, name)) for name in ("i", "expected", "z", "p_norm")}
        return result | {
            "p_sim": _plain(self.p_sim),
            **{"permutations": self.permutations, "seed": self.seed, "n": self.n},
            "left_out": [str(area) for area in self.left_out],
            "islands": [str(area) for area in self.islands],
            "warnings": list(self.warnings),
        }


def morans_i(
    values: pd.Series, weights: W, *, permutations: int = 999, seed: int | None = None
) -> GlobalMoran:
    """Global Moran's I of ``values`` over the areas of ``weights`` (``esda.Moran``).

    Parameters
    ----------
    values
        One value per area, indexed by area code.
    weights
        Spatial weights whose ids are the area codes, e.g. from :func:`contiguity_weights`. They
        are row-standardised for the test (the caller's object is not changed).
    permutations
        Random rearrangements for ``p_sim``; 0 for none.
    seed
        Makes ``p_sim`` reproducible.

    Returns
    -------
    The statistic, with the areas left out and the islands listed and explained in ``warnings``.

    Raises
    ------
    ValidationError
        Naming every problem: values not numeric or with repeated codes or infinities, weights
        not a libpysal ``W``, a bad ``permutations`` or ``seed``, fewer than four areas with a
        value, values all equal, or no two areas with values neighbours.
    """
    import esda

    used = _prepare(values, weights, permutations, seed, "Cannot compute Moran's I")
    with _esda_context(seed):
        moran = esda.Moran(
            used.y, used.weights, transformation="r", permutations=permutations, two_tailed=True
        )
    return GlobalMoran(
        i=float(moran.I),
        expected=float(moran.EI),
        z=float(moran.z_norm),
        p_norm=float(moran.p_norm),
        p_sim=float(moran.p_sim) if permutations else None,
        permutations=permutations,
        seed=seed,
        n=len(used.y),
        left_out=used.left_out,
        islands=used.islands,
        warnings=tuple(used.warnings),
    )


# --------------------------------------------------------------------------------------------
# Local Moran's I


def local_morans(
    values: pd.Series,
    weights: W,
    *,
    permutations: int = 999,
    seed: int | None = None,
    significance: float = 0.05,
    fdr: bool = False,
) -> pd.DataFrame:
    """Local Moran's I (LISA) of every area, labelled as hot spots, cold spots or outliers.

    An area is significant when its ``p_sim`` is below the cut-off (``p_sim < significance``, as
    esda's cluster labels; with ``fdr=True`` the cut-off is esda's false discovery rate bound
    ``esda.fdr(p_sim, significance)``, which falls back to the Bonferroni bound
    ``significance / n`` when no area passes). Its cluster is then its quadrant; otherwise it is
    "Not significant". With ``permutations`` p-values no smaller than ``1 / (permutations + 1)``
    are possible: a warning says so when that is not below the cut-off.

    Parameters
    ----------
    values, weights, permutations, seed
        As for :func:`morans_i`; ``permutations`` must be at least 1.
    significance
        The significance level, between 0 and 1.
    fdr
        Control the false discovery rate over all the areas' tests.

    Returns
    -------
    One row per area in the analysis, indexed by area code, in the order of the weights:
    ``value``; ``lag``, the spatial lag of the value (the average of its neighbours' values);
    ``neighbours``, their number; ``local_i``, ``(n - 1) z_i (Wz)_i / z'z`` with ``z`` the
    standardised values; ``p_sim``; ``quadrant``, esda's ``q`` of value and lag against the mean
    (1 High-High, 2 Low-High, 3 Low-Low, 4 High-Low; a value equal to the mean counts as low);
    ``cluster``, the quadrant's label when significant, else "Not significant"; ``significant``.
    An area with no neighbour in the analysis has no local statistic: its ``lag``, ``local_i``,
    ``p_sim`` and ``quadrant`` are empty, it is "Not significant", and the warnings say so.

    ``attrs`` records ``method``, ``permutations``, ``seed``, ``significance``, ``fdr``,
    ``p_cutoff``, ``n``, ``left_out`` and ``islands`` (lists of codes), ``counts`` (areas per
    cluster label) and ``warnings``.

    Raises
    ------
    ValidationError
        As :func:`morans_i`, and for a ``significance`` outside (0, 1).
    """
    import esda
    from libpysal.weights import lag_spatial

    what = "Cannot compute local Moran's I"
    used = _prepare(values, weights, permutations, seed, what, local=True, level=significance)
    with _esda_context(seed):
        lisa = esda.Moran_Local(
            used.y,
            used.weights,
            transformation="r",
            permutations=permutations,
            keep_simulations=False,  # n x permutations floats are not needed for p_sim
            seed=seed,
        )
        lag = np.asarray(lag_spatial(lisa.w, used.y), dtype=np.float64)
    result, cutoff = _lisa_frame(used, lisa, lag, significance, fdr=fdr)
    result.attrs.update(
        {
            "method": "Local Moran's I (LISA), esda.Moran_Local, conditional permutation",
            "weights": "row-standardised",
            "permutations": permutations,
            "seed": seed,
            "significance": float(significance),
            "fdr": bool(fdr),
            "p_cutoff": cutoff,
            "n": len(result),
            "left_out": [str(area) for area in used.left_out],
            "islands": [str(area) for area in used.islands],
            "counts": {
                label: int((result["cluster"] == label).sum()) for label in CLUSTER_MEANINGS
            },
            "warnings": _lisa_notes(used, permutations, cutoff),
        }
    )
    return result


def _lisa_frame(
    used: _Prepared, lisa: Any, lag: np.ndarray, significance: float, *, fdr: bool
) -> tuple[pd.DataFrame, float]:
    """One row per area of esda's local statistics (blank for areas without a neighbour), and
    the p-value cut-off the areas were judged by."""
    import esda

    ids = pd.Index(used.weights.id_order)
    island = ids.isin(used.islands)
    p_sim = np.where(island, np.nan, lisa.p_sim)
    tested = p_sim[~island]
    cutoff = float(esda.fdr(tested, significance)) if fdr and len(tested) else float(significance)
    significant = ~island & (np.nan_to_num(p_sim, nan=1.0) < cutoff)
    quadrant = pd.array(lisa.q, dtype="Int64")
    quadrant[island] = pd.NA
    cluster = [
        _QUADRANTS[int(q)] if flag else "Not significant"
        for q, flag in zip(lisa.q, significant, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "value": used.y,
            "lag": np.where(island, np.nan, lag),
            "neighbours": np.asarray(
                [used.weights.cardinalities[area] for area in ids], dtype=np.int64
            ),
            "local_i": np.where(island, np.nan, lisa.Is),
            "p_sim": p_sim,
            "quadrant": quadrant,
            "cluster": cluster,
            "significant": significant,
        },
        index=ids.copy(),
    )
    return frame, cutoff


def _lisa_notes(used: _Prepared, permutations: int, cutoff: float) -> list[str]:
    """The warnings of the preparation, and on areas without a local statistic and on a cut-off
    no p-value can pass."""
    notes = list(used.warnings)
    if used.islands:
        notes.append(
            f"{_areas(len(used.islands))} no neighbour in the analysis, so no local statistic: "
            f"lag, local_i, p_sim and quadrant are left empty and they are 'Not significant' "
            f"({named(used.islands)})."
        )
    smallest = 1.0 / (permutations + 1)
    if smallest >= cutoff:
        notes.append(
            f"With {permutations:,} permutations no p-value can be below {smallest:.2g}, which is "
            f"not below the cut-off {cutoff:.2g}: no area can be significant. Use more "
            "permutations."
        )
    return notes


# --------------------------------------------------------------------------------------------
# Shared steps


@dataclass(frozen=True)
class _Prepared:
    """The values aligned to fresh sub-weights of the areas that have one."""

    y: np.ndarray
    weights: W
    left_out: tuple[Hashable, ...]
    islands: tuple[Hashable, ...]
    warnings: list[str]


def _prepare(
    values: object,
    weights: object,
    permutations: object,
    seed: object,
    what: str,
    *,
    local: bool = False,
    level: object = None,
) -> _Prepared:
    """Check the inputs (for local statistics, also the significance ``level``) and align."""
    from libpysal.weights import W

    problems = _input_problems(values, weights, permutations, seed, local=local, level=level)
    raise_if(problems, what)
    assert isinstance(values, pd.Series) and isinstance(weights, W)

    ids = pd.Index(weights.id_order)
    y_all = values.reindex(ids).to_numpy(dtype=np.float64, na_value=np.nan)
    has_value = ~np.isnan(y_all)
    kept = list(ids[has_value])
    notes: list[str] = []
    note = weights.island_note() if isinstance(weights, IslandNotes) else None
    if note:
        notes.append(note)
    without = ids[~has_value]
    if len(without):
        notes.append(
            f"{_areas(len(without))} no value and {_were(len(without))} left out: {named(without)}."
        )
    strangers = values.index[~values.index.isin(ids)]
    dropped = weights.isolated if isinstance(weights, IslandNotes) else ()
    unexplained = strangers[~strangers.isin(list(dropped))]
    if len(unexplained):
        notes.append(
            f"{_areas(len(unexplained))} a value but no place in the weights and "
            f"{_were(len(unexplained))} left out: {named(unexplained)}."
        )
    sub = sub_weights(weights, kept)
    islands = tuple(area for area in kept if sub.cardinalities[area] == 0)
    y = y_all[has_value]
    if len(y) < _MIN_AREAS:
        found = f"at least {_MIN_AREAS} areas with a value are needed; found {len(y)}", "values"
    elif (y == y[0]).all():
        found = (
            f"all {len(y)} values are {y[0]:g}: with no variation Moran's I is undefined",
            "values",
        )
    elif sub.s0 == 0:
        found = "no two areas with a value are neighbours", "weights"
    else:
        found = None
    if found:
        problems.append(Problem(found[0], field=found[1]))
    raise_if(problems, what)
    return _Prepared(y, sub, tuple(without) + tuple(strangers), islands, notes)


def _input_problems(
    values: object,
    weights: object,
    permutations: object,
    seed: object,
    *,
    local: bool,
    level: object,
) -> list[Problem]:
    """What is wrong with the arguments of :func:`morans_i` or :func:`local_morans`."""
    from libpysal.weights import W

    problems: list[Problem] = []
    least = 1 if local else 0  # local statistics are judged by their permutations
    if local and not (_is_number(level) and 0 < level < 1):  # type: ignore[operator]
        problems.append(
            Problem(f"significance must be between 0 and 1, not {level!r}", field="significance")
        )
    if not isinstance(values, pd.Series):
        problems.append(Problem("must be a pandas Series indexed by area code", field="values"))
    elif not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        problems.append(Problem(f"must be numbers, not {values.dtype}", field="values"))
    elif values.index.has_duplicates:
        repeated = values.index[values.index.duplicated()].unique()
        problems.append(Problem(f"area codes repeat: {named(repeated)}", field="values"))
    elif (infinite := np.isinf(values.to_numpy(dtype=np.float64, na_value=np.nan))).any():
        problems.append(Problem(f"infinite for {named(values.index[infinite])}", field="values"))
    if not isinstance(weights, W):
        problems.append(
            Problem("must be libpysal weights, e.g. contiguity_weights", field="weights")
        )
    if not _is_int(permutations) or permutations < least:  # type: ignore[operator]
        problems.append(
            Problem(f"must be a whole number >= {least}, e.g. 999", field="permutations")
        )
    if seed is not None and not (_is_int(seed) and 0 <= seed < 2**32):  # type: ignore[operator]
        problems.append(Problem(f"must be None or a whole number >= 0, not {seed!r}", field="seed"))
    return problems


@contextmanager
def _esda_context(seed: int | None) -> Iterator[None]:
    """Run esda reproducibly and quietly, leaving numpy's random state and warnings as they were.

    Without a seed the global random state runs on, so repeated calls differ. 0/0 arises only for
    areas without neighbours, whose results are blanked.
    """
    state = np.random.get_state() if seed is not None else None
    try:
        with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
            warnings.filterwarnings(
                "ignore",
                message="The alternative hypothesis for conditional randomization",
                category=DeprecationWarning,
            )
            if seed is not None:
                np.random.seed(seed)
            yield
    finally:
        if state is not None:
            np.random.set_state(state)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _areas(count: int) -> str:
    return "1 area has" if count == 1 else f"{count:,} areas have"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _plain(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)

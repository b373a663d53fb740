"""Candidate duplicate assets: the same venue listed twice, by two sources or by one.

Pairs come from a spatial index in British National Grid metres (never all pairs), plus assets that
share a postcode; each is kept when the names are alike enough. A reviewer decides: merge or keep
apart. Nothing here touches storage.

Examples
--------
>>> import pandas as pd
>>> assets = pd.DataFrame(
...     {
...         "id": ["a", "b"],
...         "name": ["Hackney Empire", "The Hackney Empire Ltd"],
...         "source": ["gla_cim", "osm"],
...         "lon": [-0.0555, -0.0556],
...         "lat": [51.5455, 51.5455],
...         "postcode": ["E8 1EJ", None],
...     }
... )
>>> candidate_pairs(assets)[["asset_a", "asset_b", "name_similarity"]].to_dict("records")
[{'asset_a': 'a', 'asset_b': 'b', 'name_similarity': 1.0}]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from mobilise.errors import Problem, ValidationError
from mobilise.geo import wgs84_to_bng

__all__ = [
    "PAIR_COLUMNS",
    "SAME_SOURCE_MAX_DISTANCE_M",
    "SAME_SOURCE_MIN_SIMILARITY",
    "candidate_pairs",
    "duplicate_clusters",
    "name_similarity",
    "normalise_name",
]

REQUIRED = ("id", "name", "source", "lon", "lat", "postcode")
PAIR_COLUMNS = (
    "asset_a",
    "asset_b",
    "distance_m",
    "name_similarity",
    "same_postcode",
    "same_source",
    "score",
    "reason",
)
# One source rarely lists a venue twice on purpose; the GLA map lists a venue once per cultural
# use, at the same point. So pairs within a source need near-identical names almost on top.
SAME_SOURCE_MIN_SIMILARITY = 0.9
SAME_SOURCE_MAX_DISTANCE_M = 25.0

# Words that say nothing about which venue it is.
_IGNORED = frozenset({"the", "ltd", "limited", "plc", "cic", "llp", "inc", "co", "and", "of"})
# Spellings of one word.
_SAME_WORD = {
    "center": "centre",
    "centres": "centre",
    "centers": "centre",
    "theater": "theatre",
    "saint": "st",
    "ctr": "centre",
}
# Words naming the kind of venue: two theatres 50 m apart are not alike for being theatres.
_KIND_WORDS = frozenset(
    {
        "art",
        "arts",
        "centre",
        "chapel",
        "church",
        "cinema",
        "club",
        "collection",
        "community",
        "foundation",
        "gallery",
        "group",
        "hall",
        "library",
        "museum",
        "project",
        "society",
        "space",
        "studio",
        "studios",
        "theatre",
        "trust",
    }
)
_NOT_WORD = re.compile(r"[^\w\s]")


def normalise_name(name: str) -> str:
    """A name reduced to the words that tell venues apart, in their original order.

    Lower case, accents and punctuation removed ("St. Mary's" -> "st marys"), "&" read as "and",
    words such as "the", "ltd" and "and" dropped, "center"/"centre" and "theater"/"theatre" read
    as one word.

    >>> normalise_name("The Hackney Empire Ltd.")
    'hackney empire'
    >>> normalise_name("St. Mary's Community Center")
    'st marys community centre'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = _NOT_WORD.sub("", text.lower().replace("&", " and ").replace("-", " "))
    words = [_SAME_WORD.get(w, w) for w in text.replace("_", " ").split()]
    return " ".join(w for w in words if w not in _IGNORED)


def name_similarity(a: str, b: str) -> float:
    """How alike two names are, 0 (nothing shared) to 1 (the same words), after normalising.

    The mean of two ratios (difflib's, 2 x matching characters / all characters): one over the
    whole names, one over the words that are not a kind of venue ("museum", "theatre", "centre"),
    so "Camera Museum" and "Museum Tavern" are not alike for both being about a museum. Within
    each, the words both names share are compared first, so word order does not count. When
    either name is only kind words, the whole names alone decide.

    >>> name_similarity("Hackney Central Library", "Library, Hackney Central")
    1.0
    >>> round(name_similarity("Hackney Empire", "Hackney Empire Theatre"), 3)  # (28/36 + 1) / 2
    0.889
    """
    return _similarity(normalise_name(a), normalise_name(b))


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    whole = _ratio(a, b)
    own_a = " ".join(w for w in a.split() if w not in _KIND_WORDS)
    own_b = " ".join(w for w in b.split() if w not in _KIND_WORDS)
    if not own_a or not own_b:
        return whole
    return (whole + _ratio(own_a, own_b)) / 2


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    words_a, words_b = set(a.split()), set(b.split())
    common = sorted(words_a & words_b)
    first = " ".join(common + sorted(words_a - words_b))
    second = " ".join(common + sorted(words_b - words_a))
    return max(SequenceMatcher(None, a, b).ratio(), SequenceMatcher(None, first, second).ratio())


def _check(assets: pd.DataFrame, max_distance_m: float, min_name_similarity: float) -> None:
    problems = [
        Problem(f"column {c!r} is missing", field=c) for c in REQUIRED if c not in assets.columns
    ]
    if not max_distance_m > 0:
        problems.append(Problem("must be more than 0 metres", field="max_distance_m"))
    if not 0 <= min_name_similarity <= 1:
        problems.append(Problem("must be between 0 and 1", field="min_name_similarity"))
    if "id" in assets.columns and assets["id"].duplicated().any():
        problems.append(Problem("ids must be unique", field="id"))
    if problems:
        raise ValidationError(
            f"Cannot look for duplicates: the assets need the columns {', '.join(REQUIRED)} "
            "and the options sensible values.",
            problems=problems,
        )


def _nearby(lon: np.ndarray, lat: np.ndarray, max_distance_m: float) -> np.ndarray:
    """Index pairs (i < j) of located points within ``max_distance_m`` metres (BNG)."""
    easting, northing = wgs84_to_bng(lon, lat)
    # Missing or impossible coordinates project to NaN or infinity: those assets are not located.
    located = np.flatnonzero(np.isfinite(easting) & np.isfinite(northing))
    if len(located) < 2:
        return np.empty((0, 2), dtype=np.int64)
    easting, northing = easting[located], northing[located]
    tree = cKDTree(np.column_stack([easting, northing]))
    pairs = tree.query_pairs(r=max_distance_m, output_type="ndarray")
    return np.sort(located[pairs], axis=1) if len(pairs) else np.empty((0, 2), dtype=np.int64)


def _same_postcode(postcodes: pd.Series) -> np.ndarray:
    """Index pairs (i < j) of assets that share a postcode."""
    keys = postcodes.astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    groups = pd.Series(np.arange(len(keys)))[keys.notna().to_numpy() & (keys != "").to_numpy()]
    pairs: list[tuple[int, int]] = []
    for members in groups.groupby(keys[groups.index].to_numpy()).groups.values():
        found = groups.loc[members].to_numpy()
        pairs.extend(
            (int(found[i]), int(found[j]))
            for i in range(len(found))
            for j in range(i + 1, len(found))
        )
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _reason(same_postcode: bool, similarity: float, distance: float, same_source: bool) -> str:
    words = []
    if same_postcode:
        words.append("same postcode")
    words.append("same name" if similarity >= 0.995 else f"names {similarity:.0%} alike")
    if not np.isnan(distance):
        words.append(f"{distance:,.0f} m apart")
    if same_source:
        words.append("both from one source")
    return ", ".join(words)


def candidate_pairs(
    assets: pd.DataFrame,
    *,
    max_distance_m: float = 100,
    min_name_similarity: float = 0.6,
) -> pd.DataFrame:
    """Pairs of assets that may be the same venue, most likely first.

    A pair is a candidate when the names are at least ``min_name_similarity`` alike and the two
    are within ``max_distance_m`` metres of each other or share a postcode. Two assets from the
    same source must be nearly the same name (at least 0.9 alike) and less than 25 m apart.

    Parameters
    ----------
    assets
        One row per asset with columns ``id``, ``name``, ``source``, ``lon``, ``lat`` (WGS84
        degrees; missing when not located) and ``postcode`` (may be missing).
    max_distance_m
        How far apart (metres, British National Grid) two assets may be.
    min_name_similarity
        How alike (0 to 1, see :func:`name_similarity`) the names must be.

    Returns
    -------
    pandas.DataFrame
        Columns ``asset_a`` < ``asset_b`` (ids), ``distance_m`` (metres, rounded to 0.1; NaN when
        either is not located), ``name_similarity`` (0 to 1), ``same_postcode``, ``same_source``,
        ``score`` (0 to 1: 0.6 for alike names, 0.3 for closeness, 0.1 for a shared postcode) and
        ``reason`` in plain words ("same postcode, names 92% alike, 12 m apart"), sorted by score
        (highest first), then ids.

    Raises
    ------
    ValidationError
        When a column is missing or an option is out of range (every problem at once).
    """
    _check(assets, max_distance_m, min_name_similarity)
    frame = assets.reset_index(drop=True)
    lon = pd.to_numeric(frame["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(frame["lat"], errors="coerce").to_numpy(dtype=float)
    found = np.unique(
        np.vstack([_nearby(lon, lat, max_distance_m), _same_postcode(frame["postcode"])]), axis=0
    )
    if len(found) == 0:
        return _empty()
    measures = _measures(frame, lon, lat, found)
    distance, similarity = measures["distance_m"], measures["name_similarity"]
    keep = (similarity >= min_name_similarity) & (
        (distance <= max_distance_m) | measures["same_postcode"]
    )
    keep &= ~measures["same_source"] | (
        (similarity >= SAME_SOURCE_MIN_SIMILARITY) & (distance < SAME_SOURCE_MAX_DISTANCE_M)
    )
    kept = {name: values[keep] for name, values in measures.items()}
    return _pairs(frame["id"], found[keep], kept, max_distance_m)


def _measures(
    frame: pd.DataFrame, lon: np.ndarray, lat: np.ndarray, found: np.ndarray
) -> dict[str, np.ndarray]:
    """For each index pair of ``found``: distance (metres, NaN when either is not located),
    name similarity, and whether the two share a postcode and a source."""
    first, second = found[:, 0], found[:, 1]
    easting, northing = wgs84_to_bng(lon, lat)
    easting[~np.isfinite(easting)] = np.nan
    northing[~np.isfinite(northing)] = np.nan
    names = [normalise_name(n) for n in frame["name"].fillna("").astype(str)]
    postcode = frame["postcode"].astype("string").str.upper().str.replace(r"\s+", "", regex=True)
    postcodes = postcode.fillna("").to_numpy(dtype=object)
    sources = frame["source"].astype(str).to_numpy(dtype=object)
    return {
        "distance_m": np.hypot(
            easting[first] - easting[second], northing[first] - northing[second]
        ),
        "name_similarity": np.array(
            [_similarity(names[i], names[j]) for i, j in found], dtype=float
        ),
        "same_postcode": (postcodes[first] == postcodes[second]) & (postcodes[first] != ""),
        "same_source": sources[first] == sources[second],
    }


def _pairs(
    ids: pd.Series, found: np.ndarray, measures: dict[str, np.ndarray], max_distance_m: float
) -> pd.DataFrame:
    """The candidate pairs' frame (see :func:`candidate_pairs`), most likely first."""
    names = ids.astype(str).to_numpy(dtype=object)
    a_ids, b_ids = names[found[:, 0]], names[found[:, 1]]
    swap = a_ids > b_ids
    distance, similarity = measures["distance_m"], measures["name_similarity"]
    closeness = np.where(
        np.isnan(distance), 0.0, 1 - np.minimum(distance, max_distance_m) / max_distance_m
    )
    score = 0.6 * similarity + 0.3 * closeness + 0.1 * measures["same_postcode"]
    pairs = pd.DataFrame(
        {
            "asset_a": np.where(swap, b_ids, a_ids).astype(str),
            "asset_b": np.where(swap, a_ids, b_ids).astype(str),
            "distance_m": np.round(distance, 1),
            "name_similarity": np.round(similarity, 3),
            "same_postcode": measures["same_postcode"].astype(bool),
            "same_source": measures["same_source"].astype(bool),
            "score": np.round(score, 3),
        }
    )
    pairs["reason"] = [
        _reason(bool(p), float(s), float(d), bool(o))
        for p, s, d, o in zip(
            pairs["same_postcode"],
            pairs["name_similarity"],
            pairs["distance_m"],
            pairs["same_source"],
            strict=True,
        )
    ]
    return pairs.sort_values(
        ["score", "asset_a", "asset_b"], ascending=[False, True, True], ignore_index=True
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "asset_a": pd.Series(dtype=str),
            "asset_b": pd.Series(dtype=str),
            "distance_m": pd.Series(dtype=float),
            "name_similarity": pd.Series(dtype=float),
            "same_postcode": pd.Series(dtype=bool),
            "same_source": pd.Series(dtype=bool),
            "score": pd.Series(dtype=float),
            "reason": pd.Series(dtype=str),
        }
    )


def duplicate_clusters(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Groups of ids joined by candidate pairs (connected components), biggest first.

    Each group's ids are sorted; groups of the same size are ordered by their first id.

    >>> duplicate_clusters([("a", "b"), ("c", "b"), ("x", "y")])
    [['a', 'b', 'c'], ['x', 'y']]
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))

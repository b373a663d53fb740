"""Themes matched across a programme's projects (private to :mod:`mobilise.analysis.programme`).

Two projects' themes are one theme when their labels share the matching key of the systems-map
comparison (:func:`~mobilise.analysis.map_compare.normalise_label`: case, punctuation, plurals),
or when their definitions do (a theme called "Trust" in one project and "Trusted relationships"
in another, both defined as "people believe what they are told by services"). The matches are
joined transitively (union-find).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mobilise.analysis._programme_reach import column
from mobilise.analysis.map_compare import normalise_label

__all__ = ["THEME_COLUMNS", "match_themes"]

THEME_COLUMNS = (
    "theme",
    "definition",
    "kind",
    "projects",
    "project_keys",
    "project_titles",
    "labels",
    "segments",
    "contributors",
    "contributors_hidden",
    "shared",
)


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _groups(labels: Sequence[str], definitions: Sequence[str]) -> list[int]:
    """For each theme, the index of the first theme it is matched with (itself if none)."""
    parent = list(range(len(labels)))
    first: dict[tuple[str, str], int] = {}
    for i, (label, definition) in enumerate(zip(labels, definitions, strict=True)):
        for key in (("label", normalise_label(label)), ("definition", normalise_label(definition))):
            if not key[1]:
                continue
            seen = first.setdefault(key, i)
            a, b = _root(parent, seen), _root(parent, i)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [_root(parent, i) for i in range(len(labels))]


def match_themes(themes: pd.DataFrame) -> pd.DataFrame:
    """One row per theme matched across projects.

    Parameters
    ----------
    themes
        Every project's themes: ``project``, ``title``, ``theme``, ``definition``, ``kind``,
        ``segments``, ``contributors`` (empty where the project suppressed it).

    Returns
    -------
    pandas.DataFrame
        :data:`THEME_COLUMNS`: the most common label and the first definition, the most common
        kind (``mixed`` when enabler and barrier are equally common), how many projects and
        which, the labels used, segments and shown contributors summed (``contributors_hidden``
        counts the projects whose figure was suppressed), and ``shared`` (two projects or
        more). Shared themes first, then by projects and segments.
    """
    if themes.empty:
        return pd.DataFrame(columns=list(THEME_COLUMNS))
    labels = themes["theme"].fillna("").astype(str).str.strip().tolist()
    definitions = column(themes, "definition", "").fillna("").astype(str).tolist()
    kinds = column(themes, "kind", "other").fillna("other").astype(str).tolist()
    segments = pd.to_numeric(column(themes, "segments", 0), errors="coerce").fillna(0).tolist()
    contributors = (
        pd.to_numeric(column(themes, "contributors", pd.NA), errors="coerce").astype(float).tolist()
    )
    projects = themes["project"].astype(str).tolist()
    titles = themes["title"].astype(str).tolist()
    members: dict[int, list[int]] = {}
    for i, root in enumerate(_groups(labels, definitions)):
        members.setdefault(root, []).append(i)
    rows = []
    for found in members.values():
        shown = [contributors[i] for i in found if not math.isnan(contributors[i])]
        keys = list(dict.fromkeys(projects[i] for i in found))
        rows.append(
            (
                Counter(labels[i] for i in found).most_common(1)[0][0],
                next((definitions[i] for i in found if definitions[i].strip()), ""),
                _kind(Counter(kinds[i] for i in found)),
                len(keys),
                keys,
                list(dict.fromkeys(titles[i] for i in found)),
                sorted({labels[i] for i in found}),
                int(sum(segments[i] for i in found)),
                int(sum(shown)) if shown else np.nan,
                len(found) - len(shown),
                len(keys) >= 2,
            )
        )
    table = pd.DataFrame(rows, columns=list(THEME_COLUMNS))
    table["contributors"] = table["contributors"].astype("Int64")
    return table.sort_values(
        ["shared", "projects", "segments"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def _kind(kinds: Counter[str]) -> str:
    """The most common kind; ``mixed`` when enabler and barrier are equally common."""
    top = kinds.most_common()
    if len(top) > 1 and top[0][1] == top[1][1] and {top[0][0], top[1][0]} == {"enabler", "barrier"}:
        return "mixed"
    return str(top[0][0])

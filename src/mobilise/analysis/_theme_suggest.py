"""Suggested themes for text no one has coded (private to :mod:`mobilise.analysis.themes`, whose
docstring states the method: TF-IDF and k-means from scikit-learn; suggestions only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis._checks import raise_if
from mobilise.errors import Problem

__all__ = ["keyword_clusters", "suggest_themes"]


def _vectoriser(texts: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )
    try:
        vectoriser.fit(texts)
    except ValueError:  # nothing but stop words
        return None
    return vectoriser


def _keywords(row: Any, terms: np.ndarray, top: int) -> list[str]:
    weights = np.asarray(row.todense()).ravel() if hasattr(row, "todense") else np.asarray(row)
    order = np.argsort(-weights, kind="stable")[:top]
    return [str(terms[i]) for i in order if weights[i] > 0]


def _check_texts(texts: object, problems: list[Problem]) -> None:
    if not isinstance(texts, Mapping) or not all(isinstance(t, str) for t in texts.values()):
        problems.append(Problem("a mapping of unit to text", field="texts"))


def suggest_themes(
    texts: Mapping[Any, str],
    themes: Mapping[Any, str],
    *,
    top: int = 3,
    keywords: int = 5,
    minimum: float = 0.05,
) -> pd.DataFrame:
    """For each uncoded text, the existing themes nearest to it.

    ``themes`` maps each theme to its evidence text (its name, definition and the text of the
    contributions coded with it). Each text's and each theme's TF-IDF vectors are compared by
    cosine similarity; up to ``top`` themes scoring at least ``minimum`` are suggested, with the
    text's own ``keywords``. Returns ``unit``, ``theme``, ``score``, ``keywords`` (a
    ``;``-joined list), best first per unit."""
    problems: list[Problem] = []
    _check_texts(texts, problems)
    _check_texts(themes, problems)
    if not isinstance(top, int) or top < 1:
        problems.append(Problem("a whole number >= 1", field="top"))
    raise_if(problems, "Cannot suggest themes")
    columns = ["unit", "theme", "score", "keywords"]
    units, theme_keys = list(texts), list(themes)
    vectoriser = _vectoriser([*texts.values(), *themes.values()]) if units else None
    if vectoriser is None:
        return pd.DataFrame(columns=columns)
    terms = vectoriser.get_feature_names_out()
    text_vectors = vectoriser.transform(list(texts.values()))
    rows: list[dict[str, Any]] = []
    scores = (
        (text_vectors @ vectoriser.transform(list(themes.values())).T).toarray()
        if theme_keys
        else np.zeros((len(units), 0))
    )
    for i, unit in enumerate(units):
        words = ";".join(_keywords(text_vectors[i], terms, keywords))
        ranked = [j for j in np.argsort(-scores[i], kind="stable")[:top] if scores[i, j] >= minimum]
        for j in ranked:
            rows.append(
                {
                    "unit": unit,
                    "theme": theme_keys[j],
                    "score": float(scores[i, j]),
                    "keywords": words,
                }
            )
        if not ranked:
            rows.append({"unit": unit, "theme": None, "score": 0.0, "keywords": words})
    return pd.DataFrame(rows, columns=columns)


def keyword_clusters(
    texts: Mapping[Any, str], *, clusters: int | None = None, keywords: int = 6, seed: int = 0
) -> pd.DataFrame:
    """Candidate new themes: the texts grouped by k-means on their TF-IDF vectors, each group
    named by its strongest words. ``clusters`` defaults to about the square root of half the
    texts (at least 1, at most 12). Returns ``cluster``, ``keywords`` (``;``-joined), ``size``,
    ``units`` (a list), largest first."""
    problems: list[Problem] = []
    _check_texts(texts, problems)
    if clusters is not None and (not isinstance(clusters, int) or clusters < 1):
        problems.append(Problem("a whole number >= 1", field="clusters"))
    raise_if(problems, "Cannot group the texts")
    columns = ["cluster", "keywords", "size", "units"]
    units = list(texts)
    vectoriser = _vectoriser(list(texts.values())) if units else None
    if vectoriser is None:
        return pd.DataFrame(columns=columns)
    vectors = vectoriser.transform(list(texts.values()))
    count = clusters or int(np.clip(round(np.sqrt(len(units) / 2)), 1, 12))
    count = min(count, len(units))
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=count, n_init=4, random_state=seed).fit(vectors)
    terms = vectoriser.get_feature_names_out()
    rows = []
    for cluster in range(count):
        members = [u for u, label in zip(units, model.labels_, strict=True) if label == cluster]
        if members:
            rows.append(
                {
                    "cluster": cluster + 1,
                    "keywords": ";".join(
                        _keywords(model.cluster_centers_[cluster], terms, keywords)
                    ),
                    "size": len(members),
                    "units": members,
                }
            )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["size", "cluster"], ascending=[False, True], ignore_index=True)

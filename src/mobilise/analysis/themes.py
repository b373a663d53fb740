"""Themes in what people said: agreement between coders, theme counts, co-occurrence, and
suggested themes for text no one has coded yet.

A *coding* is one coder's theme on one contribution: the whole of it, or a span of its text
(characters ``[span_start, span_end)``). The functions here take codings as a frame with the
columns ``unit`` (the contribution), ``coder``, ``theme`` and, for spans, ``span_start`` and
``span_end`` (missing for a whole contribution).

Conventions
-----------
- **Units of agreement.** With ``unit="contribution"`` a coder *gave* a theme to a contribution
  when any of their codings of that theme is on it. With ``unit="span"`` each contribution is cut
  at every span boundary any coder drew, and each piece is a unit: a coder gave a theme to a piece
  when one of their spans of that theme (or a whole-contribution coding) covers it.
- **Missing codes.** A coder who put no code at all on a contribution did not code it: their value
  is *missing* there (not "absent"), and that unit counts only among the coders who did. A
  contribution a coder coded without a theme reads 0 (absent) for that theme.
- **Per theme.** Agreement is computed per theme on presence (1) or absence (0), as NVivo's
  coding comparison and Taguette do, plus one pooled figure over every theme x unit (``attrs``).
- No silent NaN: a figure that is undefined (fewer than two coders on any unit, or one value
  only, so that expected disagreement is 0) is ``None`` and the reason is in
  ``attrs["warnings"]``.

Formulas
--------
- **Percent agreement**: over units with ``m_u >= 2`` values, the share of agreeing ordered
  pairs of coders, ``sum_v n_uv (n_uv - 1) / (m_u (m_u - 1))``, averaged over the units.
- **Cohen's kappa** (Cohen 1960), two coders, units both coded: ``(p_o - p_e) / (1 - p_e)``
  with ``p_e`` from each coder's own marginals; computed by scikit-learn's
  ``cohen_kappa_score`` (optionally ``linear`` or ``quadratic`` weights in
  :func:`cohen_kappa`).
- **Krippendorff's alpha** (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"),
  any number of coders, missing values allowed: ``1 - D_o / D_e`` from the coincidence matrix of
  pairable values, with the nominal, ordinal, interval or ratio difference function; computed by
  the ``krippendorff`` package (Castro, maintained, vectorised with numpy). On Krippendorff's own
  reliability data (4 coders x 12 units with missing values) it gives 0.743 nominal, 0.815
  ordinal, 0.849 interval (the tests pin these).

Where this differs from peers: NVivo's coding comparison weighs span agreement by characters;
here each piece is one unit whatever its length (as in Krippendorff's alpha for pre-divided
units, not his unitizing alpha ``u-alpha``). QualCoder and Taguette give no kappa or alpha for
more than two coders; NVivo's kappa is two coders only.

Theme counts (:func:`theme_counts`) count a contribution once per theme whichever coders coded
it, and the *voices* behind them: distinct participants, a table or group counting as one voice.
Outside admins the counts are shown through :func:`mobilise.analysis.engagement.disclose` (the one
disclosure control of the package): counts of voices from 1 to k-1 read "fewer than k", and the
contributions of those rows with them.

Suggestions (:func:`suggest_themes`, :func:`keyword_clusters`) use TF-IDF (scikit-learn's
``TfidfVectorizer``, English stop words, words and two-word phrases) and k-means: they only
*suggest*; a person decides whether a theme fits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.analysis._theme_suggest import keyword_clusters, suggest_themes
from mobilise.errors import Problem

__all__ = [
    "LEVELS",
    "agreement",
    "co_occurrence",
    "cohen_kappa",
    "keyword_clusters",
    "krippendorff_alpha",
    "reliability_data",
    "suggest_themes",
    "theme_counts",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio")
"""Krippendorff's levels of measurement."""
UNITS = ("contribution", "span")
CODING_COLUMNS = ("unit", "coder", "theme")


# -- the two coefficients ------------------------------------------------------------------
def cohen_kappa(
    first: Sequence[Any], second: Sequence[Any], *, weights: str | None = None
) -> float | None:
    """Cohen's kappa between two coders' codes of the same units (``None`` codes are missing:
    those units are left out). ``None`` when undefined (every code the same, so ``p_e = 1``).

    ``weights``: ``None`` (nominal), ``"linear"`` or ``"quadratic"`` (ordered codes)."""
    problems = []
    if len(first) != len(second):
        problems.append(
            Problem(f"the coders coded {len(first)} and {len(second)} units", field="second")
        )
    if weights not in (None, "linear", "quadratic"):
        problems.append(Problem("None, 'linear' or 'quadratic'", field="weights"))
    raise_if(problems, "Cannot compute Cohen's kappa")
    pairs = [(a, b) for a, b in zip(first, second, strict=True) if not _missing(a, b)]
    if len({value for pair in pairs for value in pair}) < 2:
        return None
    from sklearn.metrics import cohen_kappa_score

    a, b = zip(*pairs, strict=True)
    return float(cohen_kappa_score(list(a), list(b), weights=weights))


def _missing(*values: Any) -> bool:
    return any(v is None or (isinstance(v, float) and np.isnan(v)) for v in values)


def krippendorff_alpha(data: Any, *, level: str = "nominal") -> float | None:
    """Krippendorff's alpha of reliability data: one row per coder, one column per unit,
    ``NaN`` (or ``None``) where a coder did not code a unit. Codes are numbers (for nominal data
    any numbers standing for the categories). ``None`` when undefined: fewer than one unit coded
    by two coders, or one value only."""
    if level not in LEVELS:
        raise_if([Problem(f"one of {', '.join(LEVELS)}", field="level")], "Cannot compute alpha")
    matrix = (
        np.array([[np.nan if _missing(v) else float(v) for v in row] for row in data], dtype=float)
        if not isinstance(data, np.ndarray)
        else data.astype(float)
    )
    if matrix.ndim != 2 or matrix.shape[0] < 2:
        return None
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    values = matrix[:, pairable]
    if values.size == 0 or len(np.unique(values[~np.isnan(values)])) < 2:
        return None
    import krippendorff

    return float(
        krippendorff.alpha(reliability_data=values, level_of_measurement=level)  # type: ignore[arg-type]
    )


# -- coding frames to reliability data -----------------------------------------------------
def _check_codings(codings: object, unit: str, lengths: object, problems: list[Problem]) -> None:
    if not isinstance(codings, pd.DataFrame):
        problems.append(Problem("codings must be a pandas DataFrame", field="codings"))
        return
    needed = [*CODING_COLUMNS, *(("span_start", "span_end") if unit == "span" else ())]
    missing = [c for c in needed if c not in codings.columns]
    if missing:
        problems.append(
            Problem(
                f"codings has no column {', '.join(map(repr, missing))}; columns: "
                f"{named(list(map(str, codings.columns)))}",
                field="codings",
            )
        )
    if unit not in UNITS:
        problems.append(Problem(f"one of {', '.join(UNITS)}", field="unit"))
    if unit == "span" and not isinstance(lengths, Mapping):
        problems.append(
            Problem("span agreement needs each contribution's text length", field="lengths")
        )


def _pieces(codings: pd.DataFrame, lengths: Mapping[Any, int]) -> pd.DataFrame:
    """Span codings as codings of pieces: each contribution cut at every boundary any coder
    drew; one row per (piece, coder, theme) covered. Pieces are named ``"<unit>@<start>"``."""
    units, unit_codes = np.unique(codings["unit"].astype(str), return_inverse=True)
    size = np.array([int(lengths.get(u, 0)) for u in units], dtype=np.int64)
    width = int(size.max(initial=0)) + 1
    start = codings["span_start"].to_numpy(dtype=float)
    end = codings["span_end"].to_numpy(dtype=float)
    whole = np.isnan(start) | np.isnan(end)
    start = np.clip(np.where(whole, 0, start), 0, size[unit_codes]).astype(np.int64)
    end = np.clip(np.where(whole, size[unit_codes], end), 0, size[unit_codes]).astype(np.int64)
    base = unit_codes.astype(np.int64) * width
    bounds = np.unique(
        np.concatenate(
            [
                np.arange(len(units)) * width,
                np.arange(len(units)) * width + size,
                base + start,
                base + end,
            ]
        )
    )
    first = np.searchsorted(bounds, base + start)
    last = np.searchsorted(bounds, base + end)
    counts = np.maximum(last - first, 0)
    rows = np.repeat(np.arange(len(codings)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    piece = first[rows] + offsets
    names = np.char.add(
        np.char.add(units[bounds[piece] // width], "@"), (bounds[piece] % width).astype(str)
    )
    return pd.DataFrame(
        {
            "unit": names,
            "coder": codings["coder"].to_numpy()[rows],
            "theme": codings["theme"].to_numpy()[rows],
            "contribution": units[bounds[piece] // width],
        }
    )


def reliability_data(
    codings: pd.DataFrame,
    *,
    unit: str = "contribution",
    lengths: Mapping[Any, int] | None = None,
    coders: Sequence[str] | None = None,
) -> tuple[dict[Any, np.ndarray], list[str], list[Any]]:
    """Per theme, a coders x units matrix of 1 (gave the theme), 0 (coded the unit without it)
    and NaN (did not code the unit); with the coders and units in their order. See the module's
    conventions."""
    problems: list[Problem] = []
    _check_codings(codings, unit, lengths, problems)
    raise_if(problems, "Cannot compare the coders")
    frame = codings[list(CODING_COLUMNS)].copy()
    if unit == "span":
        pieces = _pieces(codings, lengths or {})
        # a coder saw every piece of each contribution they coded
        seen_pairs = codings[["unit", "coder"]].drop_duplicates()
        all_pieces = pieces[["unit", "contribution"]].drop_duplicates()
        seen = all_pieces.merge(
            seen_pairs.rename(columns={"unit": "contribution"}), on="contribution"
        )[["unit", "coder"]]
        frame = pieces[list(CODING_COLUMNS)]
    else:
        seen = frame[["unit", "coder"]].drop_duplicates()
    if coders is not None:
        frame = frame[frame["coder"].isin(coders)]
        seen = seen[seen["coder"].isin(coders)]
    coder_list = list(coders) if coders is not None else sorted(seen["coder"].unique())
    unit_index = pd.Index(pd.unique(seen["unit"]))
    coder_index = pd.Index(coder_list)
    base = np.full((len(coder_index), len(unit_index)), np.nan)
    base[
        coder_index.get_indexer(pd.Index(seen["coder"])),
        unit_index.get_indexer(pd.Index(seen["unit"])),
    ] = 0.0
    given = frame.drop_duplicates()
    c = coder_index.get_indexer(pd.Index(given["coder"]))
    u = unit_index.get_indexer(pd.Index(given["unit"]))
    matrices: dict[Any, np.ndarray] = {}
    for theme, rows in pd.Series(np.arange(len(given))).groupby(given["theme"].to_numpy()):
        matrix = base.copy()
        matrix[c[rows.to_numpy()], u[rows.to_numpy()]] = 1.0
        matrices[theme] = matrix
    return matrices, coder_list, list(unit_index)


def _percent_agreement(matrix: np.ndarray) -> float | None:
    present = np.nansum(matrix, axis=0)
    coded = (~np.isnan(matrix)).sum(axis=0)
    pairable = coded >= 2
    if not pairable.any():
        return None
    n1, m = present[pairable], coded[pairable]
    n0 = m - n1
    return float(np.mean((n1 * (n1 - 1) + n0 * (n0 - 1)) / (m * (m - 1))))


def _kappa_of(matrix: np.ndarray) -> float | None:
    both = ~np.isnan(matrix).any(axis=0)
    if matrix.shape[0] != 2 or not both.any():
        return None
    return cohen_kappa(list(matrix[0, both]), list(matrix[1, both]))


def agreement(
    codings: pd.DataFrame,
    *,
    unit: str = "contribution",
    lengths: Mapping[Any, int] | None = None,
    coders: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Agreement between coders on each theme (see the module's conventions and formulas).

    Parameters
    ----------
    codings
        Columns ``unit``, ``coder``, ``theme`` (and ``span_start``, ``span_end`` for spans).
    unit
        ``contribution`` (whole contributions) or ``span`` (pieces cut at every boundary).
    lengths
        For spans: each contribution's text length in characters.
    coders
        The coders compared (default: every coder in ``codings``).

    Returns
    -------
    pandas.DataFrame
        One row per theme: ``theme``, ``units`` (coded by at least two coders), ``given``
        (units any coder gave the theme), ``agreement`` (percent agreement, 0 to 1), ``kappa``
        (two coders only) and ``alpha`` (nominal). ``attrs``: ``coders``, ``unit``, ``units``,
        the pooled ``alpha`` and ``kappa`` over every theme x unit, and ``warnings``.
    """
    matrices, coder_list, units = reliability_data(
        codings, unit=unit, lengths=lengths, coders=coders
    )
    rows = []
    for theme, matrix in matrices.items():
        coded = (~np.isnan(matrix)).sum(axis=0) >= 2
        rows.append(
            {
                "theme": theme,
                "units": int(coded.sum()),
                "given": int((np.nansum(matrix, axis=0) > 0).sum()),
                "agreement": _percent_agreement(matrix),
                "kappa": _kappa_of(matrix),
                "alpha": krippendorff_alpha(matrix),
            }
        )
    table = pd.DataFrame(rows, columns=["theme", "units", "given", "agreement", "kappa", "alpha"])
    pooled = np.hstack(list(matrices.values())) if matrices else np.empty((0, 0))
    warnings = []
    if len(coder_list) < 2:
        warnings.append("fewer than two coders: agreement cannot be computed")
    elif table["alpha"].isna().any():
        warnings.append(
            "alpha is blank where fewer than two coders coded a unit or every code was the same"
        )
    table.attrs = {
        "coders": coder_list,
        "unit": unit,
        "units": len(units),
        "alpha": krippendorff_alpha(pooled) if pooled.size else None,
        "kappa": _kappa_of(pooled) if pooled.size else None,
        "agreement": _percent_agreement(pooled) if pooled.size else None,
        "warnings": warnings,
    }
    return table


# -- counts and co-occurrence -------------------------------------------------------------
def theme_counts(
    codings: pd.DataFrame, contributions: pd.DataFrame, *, by: str | None = None
) -> pd.DataFrame:
    """How many contributions carry each theme (whichever coder coded it), and how many voices
    gave them, overall or split ``by`` a column of ``contributions`` (event kind, place, IMD
    decile, a group).

    ``contributions`` has columns ``unit``, ``voice`` (a participant id, or the table or group
    label) and the ``by`` column; a missing value of ``by`` reads ``"unknown"``. Returns
    ``theme``, [``by``], ``contributions``, ``voices``, sorted by theme then ``by``."""
    problems: list[Problem] = []
    for frame, columns, field in (
        (codings, ("unit", "theme"), "codings"),
        (contributions, ("unit", "voice", *((by,) if by else ())), "contributions"),
    ):
        missing = [c for c in columns if c not in getattr(frame, "columns", ())]
        if missing:
            problems.append(Problem(f"no column {', '.join(map(repr, missing))}", field=field))
    raise_if(problems, "Cannot count themes")
    keys = ["theme", *((by,) if by else ())]
    given = codings[["unit", "theme"]].drop_duplicates()
    joined = given.merge(contributions, on="unit", how="inner")
    if by:
        joined[by] = joined[by].astype(object).where(joined[by].notna(), "unknown")
    table = (
        joined.groupby(keys, sort=True)
        .agg(contributions=("unit", "nunique"), voices=("voice", "nunique"))
        .reset_index()
    )
    table.attrs = {"by": by}
    return table


def co_occurrence(codings: pd.DataFrame, contributions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairs of themes given to the same contributions (by any coder): ``theme_a``, ``theme_b``
    (``theme_a < theme_b``), ``contributions`` (with both themes), ``voices`` (the distinct
    voices behind them, when ``contributions`` with ``unit`` and ``voice`` is given; else the
    contributions again) and ``jaccard`` (contributions with both over those with either).
    Pairs that never meet are left out; the most frequent first."""
    if not isinstance(codings, pd.DataFrame) or {"unit", "theme"} - set(codings.columns):
        raise_if([Problem("a frame with unit and theme", field="codings")], "Cannot pair themes")
    given = codings[["unit", "theme"]].drop_duplicates()
    given = given.assign(theme=given["theme"].astype(str))
    either = given.groupby("theme")["unit"].nunique()
    pairs = given.merge(given, on="unit", suffixes=("_a", "_b"))
    pairs = pairs[pairs["theme_a"] < pairs["theme_b"]]
    if contributions is not None:
        pairs = pairs.merge(contributions[["unit", "voice"]], on="unit", how="left")
    else:
        pairs = pairs.assign(voice=pairs["unit"])
    table = (
        pairs.groupby(["theme_a", "theme_b"], sort=True)
        .agg(contributions=("unit", "nunique"), voices=("voice", "nunique"))
        .reset_index()
    )
    both = table["contributions"].to_numpy(dtype=float)
    table["jaccard"] = both / (
        either.reindex(table["theme_a"]).to_numpy()
        + either.reindex(table["theme_b"]).to_numpy()
        - both
    )
    return table.sort_values(
        ["contributions", "theme_a", "theme_b"], ascending=[False, True, True], ignore_index=True
    )

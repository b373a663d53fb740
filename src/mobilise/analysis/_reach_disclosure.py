"""Disclosure control of the "who was reached" tables (private to
:mod:`mobilise.analysis.engagement`, whose docstring states the rules: primary suppression of
counts 1 to k-1, zero shown, secondary suppression wherever rows add up to a shown total)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mobilise.analysis._checks import named, raise_if
from mobilise.errors import Problem

__all__ = ["DERIVED_COLUMNS", "disclose", "hide_small"]

DERIVED_COLUMNS = (
    "share",
    "share_low",
    "share_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "flag",
)
"""The columns :func:`disclose` blanks where a count behind them is hidden."""


def _check_columns(table: object, columns: Sequence[str], problems: list[Problem]) -> None:
    if not isinstance(table, pd.DataFrame):
        problems.append(
            Problem(f"table must be a pandas DataFrame, not {type(table).__name__}", field="table")
        )
        return
    missing = [c for c in columns if c not in table.columns]
    if missing:
        problems.append(
            Problem(
                f"table has no column {', '.join(map(repr, missing))}; columns: "
                f"{named(list(map(str, table.columns)))}",
                field="table",
            )
        )


def _secondary(
    values: np.ndarray, hidden: np.ndarray, k: int, fixed: np.ndarray | None = None
) -> np.ndarray:
    """``hidden`` with more cells hidden until the hidden cells of a group whose sum is shown
    elsewhere cannot be worked out from it: at least two hidden, their sum at least ``k``, and
    not a sum that only one set of values gives (every hidden cell 1, or, while only small
    cells are hidden, every one ``k - 1``). The next smallest non-zero cell goes first; a zero
    only when no other is left; never a ``fixed`` cell (one shown elsewhere)."""
    chosen = hidden.copy()
    if not chosen.any() or len(values) < 2:
        return chosen
    fixed = np.zeros(len(values), dtype=bool) if fixed is None else fixed

    def revealing() -> bool:
        n, total = int(chosen.sum()), float(values[chosen].sum())
        all_small = bool(((values[chosen] >= 1) & (values[chosen] < k)).all())
        return n < 2 or total < k or total == n or (all_small and total == n * (k - 1))

    while revealing():
        free = ~chosen & ~fixed
        candidates = np.where(free & (values > 0), values, np.inf)
        if not np.isfinite(candidates).any():
            candidates = np.where(free, values, np.inf)  # only zeros are left
        if not np.isfinite(candidates).any():
            break  # nothing left to hide
        chosen[int(np.argmin(candidates))] = True
    return chosen


def hide_small(counts: Sequence[float], k: int) -> list[bool]:
    """Which of a group's counts (cells that add up to a shown total) are hidden: 1 to k-1
    (primary), then :func:`_secondary`. Zero is shown. For tables outside this module (an
    event's summary), so that every count shown outside admins follows one rule."""
    values = np.asarray(counts, dtype=float)
    return [bool(h) for h in _secondary(values, (values >= 1) & (values < k), k)]


def _hide(
    values: np.ndarray, forced: np.ndarray, kinds: pd.Series, k: int, additive: bool
) -> np.ndarray:
    """Primary and secondary suppression of one count column (see the module's section)."""
    parts = (kinds == "group").to_numpy()
    others = ((kinds != "group") & (kinds != "total")).to_numpy()
    small = ((values >= 1) & (values < k)) | forced
    if not additive:
        return small
    small[parts] = _secondary(values[parts], small[parts], k)
    if others.any():
        # the answered (the groups' sum, which their shares reveal), "prefer not to say" and
        # unknown add up to all participants: one set of three cells
        answered = values[parts].sum()
        block = np.concatenate([[answered], values[others]])
        block_hidden = np.concatenate([[1 <= answered < k], small[others]])
        fixed = np.zeros(len(block), dtype=bool)
        fixed[0] = True  # the answered are shown (their shares reveal them)
        small[others] = _secondary(block, block_hidden, k, fixed)[1:]
    return small


_AREA_FIGURES = ("population", "population_share")


def _suppress_table(
    table: pd.DataFrame,
    counts: Sequence[str],
    k: int,
    additive: bool = True,
    own_areas: bool = False,
) -> pd.DataFrame:
    kinds = table["kind"] if "kind" in table.columns else pd.Series("group", index=table.index)
    hidden: dict[str, np.ndarray] = {}
    base = np.zeros(len(table), dtype=bool)
    for column in counts:
        hidden[column] = _hide(table[column].to_numpy(dtype=float), base, kinds, k, additive)
        if column == counts[0]:
            base = hidden[column]
    shown = table.copy()
    any_hidden = np.zeros(len(table), dtype=bool)
    for column, mask in hidden.items():
        any_hidden |= mask
        shown[column] = pd.array(np.where(mask, np.nan, table[column]), dtype="Int64")
        shown[f"{column}_shown"] = [
            (f"fewer than {k}" if v < k else "hidden (small numbers)") if m else f"{int(v):,}"
            for m, v in zip(mask, table[column].to_numpy(), strict=True)
        ]
    for column in (c for c in DERIVED_COLUMNS if c in table.columns):
        blank = "" if column == "flag" else np.nan
        shown[column] = table[column].where(~any_hidden, blank)
    if "participants" in table.columns and "participants" not in counts:
        # a split table's own total (per period or kind): hidden when small, with its index
        total = table["participants"].to_numpy(dtype=float)
        few = (total >= 1) & (total < k)
        shown["participants"] = pd.array(np.where(few, np.nan, total), dtype="Int64")
        if "dissimilarity" in table.columns:
            shown["dissimilarity"] = table["dissimilarity"].where(~few)
        if own_areas:  # the residents of a few people's own areas would point to the areas
            for column in (c for c in _AREA_FIGURES if c in table.columns):
                shown[column] = table[column].where(~few)
    shown["suppressed"] = any_hidden
    return shown


def disclose(
    table: pd.DataFrame,
    *,
    k: int,
    counts: Sequence[str] = ("count",),
    within: Sequence[str] = (),
    additive: bool = True,
) -> pd.DataFrame:
    """A table fit to show a viewer who may not see small numbers (see the section
    "Disclosure control" of :mod:`mobilise.analysis.engagement`).

    Parameters
    ----------
    table
        From :func:`~mobilise.analysis.engagement.representation`, ``retention``, ``over_time``
        or ``per_kind``.
    k
        Smallest count shown; 1 to ``k - 1`` become "fewer than k" (``k = 1`` hides nothing).
    counts
        The count columns, the first being the base of its row (``("participants",
        "returned")`` for :func:`retention`).
    within
        Columns that separate tables in one frame (``("period",)`` for ``over_time``).
    additive
        Whether the rows add up to a total that is shown (secondary suppression); ``False``
        for rows that overlap and have no shown total (e.g. the participants each partner
        brought), where only the small counts themselves are hidden.

    Returns
    -------
    pandas.DataFrame
        A copy with each count a nullable integer (``<NA>`` where hidden), a text column
        ``<count>_shown`` ("12" or "fewer than 3"), the :data:`DERIVED_COLUMNS` of hidden rows
        blank, and a bool ``suppressed``. ``attrs`` keep the table's, with ``k``, and with
        ``participants_shown`` and ``dissimilarity`` (None) hidden when fewer than ``k`` took part;
        then too, against the residents of the participants' own areas, the residents' figures
        (which would point to the areas those few came from).
    """
    problems: list[Problem] = []
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        problems.append(Problem(f"k must be a whole number >= 1, not {k!r}", field="k"))
    _check_columns(table, [*counts, *within], problems)
    if not counts:
        problems.append(Problem("name at least one count column", field="counts"))
    raise_if(problems, "Cannot apply disclosure control")
    own_areas = table.attrs.get("population_of") == "participants_areas"
    if within:
        parts = [
            _suppress_table(rows, counts, int(k), additive, own_areas)
            for _, rows in table.groupby(list(within), sort=False)
        ]
        shown = pd.concat(parts).loc[table.index] if parts else table.copy()
    else:
        shown = _suppress_table(table, counts, int(k), additive, own_areas)
    attrs = dict(table.attrs)
    participants = attrs.get("participants")
    if isinstance(participants, int | np.integer):
        few = 1 <= participants < k
        attrs["participants_shown"] = f"fewer than {k}" if few else f"{int(participants):,}"
        if few:
            attrs["dissimilarity"] = None
            attrs["answered"] = None
        if few and own_areas:
            # the residents of the areas a few people came from would point to those areas
            attrs["population_total"] = attrs["areas"] = None
            for column in (c for c in _AREA_FIGURES if c in shown.columns):
                shown[column] = np.nan
    shown.attrs = {**attrs, "k": int(k)}
    return shown

"""Themes: agreement between coders and theme counts over 100,000 coded segments.

An illustrative coding (fixed seed): 20,000 contributions, 20 themes, three coders; each coder
codes 85% of the contributions (so codes are missing), 1 to 3 themes each, and the coders agree
on most of them: 100,000 coded segments in all. In the same process:

(a) :func:`mobilise.analysis.themes.agreement` by contribution: per theme percent agreement,
    Krippendorff's alpha (nominal, missing codes) and the pooled alpha;
(b) :func:`~mobilise.analysis.themes.theme_counts` by a column of 10 groups, then disclosure
    control with :func:`mobilise.analysis.engagement.disclose`;
(c) :func:`~mobilise.analysis.themes.co_occurrence`;
(d) the peer: a plain pandas pivot per theme into a coders x units matrix and
    ``krippendorff.alpha``, and a pandas groupby for the counts, written as one would by hand;
(e) agreement by span (pieces cut at every boundary), for 100,000 span segments.

Target (issue 16): agreement and theme counts over 100,000 coded segments in under 1 s.

Run with ``.venv/bin/python benchmarks/themes.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import krippendorff
import numpy as np
import pandas as pd

from mobilise.analysis.engagement import disclose
from mobilise.analysis.themes import agreement, co_occurrence, theme_counts

SEED = 20_261_206
UNITS, THEMES, CODERS, SEGMENTS = 20_000, 20, ("ana", "bo", "cy"), 100_000


def coding(seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    truth = [rng.choice(THEMES, size=rng.integers(1, 4), replace=False) for _ in range(UNITS)]
    rows: list[tuple[int, str, int, int, int]] = []
    for coder in CODERS:
        for unit in np.flatnonzero(rng.random(UNITS) < 0.85):
            for theme in truth[unit]:
                if rng.random() < 0.9:  # agrees with the truth
                    start = int(rng.integers(0, 200))
                    rows.append((unit, coder, int(theme), start, start + int(rng.integers(5, 80))))
            if rng.random() < 0.2:
                start = int(rng.integers(0, 200))
                rows.append((unit, coder, int(rng.integers(THEMES)), start, start + 30))
    frame = pd.DataFrame(rows, columns=["unit", "coder", "theme", "span_start", "span_end"])
    frame = frame.drop_duplicates(["unit", "coder", "theme"]).head(SEGMENTS)
    frame = frame.astype({"span_start": float, "span_end": float})
    contributions = pd.DataFrame(
        {
            "unit": np.arange(UNITS),
            "voice": rng.integers(0, 6_000, UNITS),
            "group": rng.integers(1, 11, UNITS),
        }
    )
    return frame.reset_index(drop=True), contributions


def timed(run: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def peer_agreement(codings: pd.DataFrame) -> dict[int, float]:
    """By hand: a pivot per theme (1 given, 0 coded without it, NaN not coded) and alpha."""
    seen = codings[["unit", "coder"]].drop_duplicates().assign(value=0.0)
    base = seen.pivot(index="coder", columns="unit", values="value")
    out = {}
    for theme, rows in codings.groupby("theme"):
        given = rows[["unit", "coder"]].drop_duplicates().assign(value=1.0)
        pivot = given.pivot(index="coder", columns="unit", values="value")
        matrix = pivot.reindex(index=base.index, columns=base.columns).fillna(base)
        out[int(theme)] = float(
            krippendorff.alpha(matrix.to_numpy(), level_of_measurement="nominal")
        )
    return out


def peer_counts(codings: pd.DataFrame, contributions: pd.DataFrame) -> pd.DataFrame:
    joined = codings[["unit", "theme"]].drop_duplicates().merge(contributions, on="unit")
    return joined.groupby(["theme", "group"]).agg(
        contributions=("unit", "nunique"), voices=("voice", "nunique")
    )


def main() -> None:
    codings, contributions = coding()
    lengths = dict.fromkeys(range(UNITS), 300)

    def ours_counts() -> pd.DataFrame:
        table = theme_counts(codings, contributions, by="group")
        return disclose(table, k=5, counts=("voices", "contributions"), additive=False)

    def both() -> None:
        agreement(codings)
        ours_counts()

    rows = [
        ("mobilise agreement (per theme + pooled)", *timed(lambda: agreement(codings))),
        ("mobilise counts by group + disclosure", *timed(ours_counts)),
        ("mobilise agreement + counts", *timed(both)),
        ("mobilise co-occurrence", *timed(lambda: co_occurrence(codings, contributions))),
        ("peer: pandas pivot + krippendorff.alpha", *timed(lambda: peer_agreement(codings))),
        ("peer: pandas groupby counts", *timed(lambda: peer_counts(codings, contributions))),
        ("mobilise agreement by span", *timed(
            lambda: agreement(codings, unit="span", lengths=lengths), repeat=1
        )),
    ]  # fmt: skip
    ours = rows[0][2].set_index("theme")["alpha"]
    peer = rows[4][2]
    difference = max(abs(ours[t] - peer[t]) for t in peer)
    print(f"{len(codings):,} coded segments, {UNITS:,} contributions, {THEMES} themes, "
          f"{len(CODERS)} coders (about 15% of codes missing per coder)\n")  # fmt: skip
    print(f"{'step':<45} {'seconds':>8}")
    for name, seconds, _ in rows:
        print(f"{name:<45} {seconds:>8.3f}")
    print(f"\nlargest |alpha(mobilise) - alpha(peer)| over the themes: {difference:.2e}")
    print(f"pooled alpha {rows[0][2].attrs['alpha']:.3f}")
    print("target: agreement + counts < 1 s:", "met" if rows[2][1] < 1 else "NOT met")


if __name__ == "__main__":
    main()

"""The demo's illustrative co-production draws plausible people (issue 15)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mobilise.model.engagement_vocab import ETHNIC_GROUPS, PREFER_NOT_TO_SAY
from mobilise.workspace import demo_engagement


def test_every_detailed_ethnic_group_is_drawn_within_its_census_group():
    within = demo_engagement._ETHNIC_WITHIN
    assert {code for group in within.values() for code in group} == set(ETHNIC_GROUPS)
    for high, codes in within.items():
        assert {ETHNIC_GROUPS[code][0] for code in codes} == {high}


def test_answers_follow_the_area_with_some_left_unsaid():
    rng = np.random.default_rng(1)
    shares = pd.Series({"white": 0.75, "asian": 0.25})
    drawn = pd.Series([demo_engagement._draw(rng, shares) for _ in range(4000)])
    counts = drawn.value_counts(dropna=False, normalize=True)
    assert 0.08 < counts[PREFER_NOT_TO_SAY] + counts[None] < 0.12
    assert 2.6 < counts["white"] / counts["asian"] < 3.4


def test_fewer_men_come_than_live_there():
    rng = np.random.default_rng(2)
    shares = pd.Series({"female": 0.5, "male": 0.5})
    drawn = pd.Series([demo_engagement._draw(rng, shares) for _ in range(4000)])
    ratio = (drawn == "male").sum() / (drawn == "female").sum()
    assert abs(ratio - demo_engagement._TURNOUT["male"]) < 0.08

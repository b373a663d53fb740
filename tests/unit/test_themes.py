"""Agreement between coders, theme counts, co-occurrence and suggestions (issue 16, item 4):
checked against published worked examples (named in each test) and by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis import themes
from mobilise.errors import ValidationError

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12
# units, values 1-5, with missing values.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)],
)
def test_alpha_matches_krippendorffs_own_worked_example(level, published):
    """Krippendorff 2011: alpha = 0.743 nominal, 0.815 ordinal, 0.849 interval."""
    assert themes.krippendorff_alpha(KRIPPENDORFF_2011, level=level) == pytest.approx(
        published, abs=5e-4
    )


def test_alpha_at_ratio_level_and_missing_given_as_none():
    data = [
        [None if isinstance(v, float) and math.isnan(v) else v for v in row]
        for row in KRIPPENDORFF_2011
    ]
    assert themes.krippendorff_alpha(data, level="ratio") == pytest.approx(0.797, abs=5e-4)
    assert themes.krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_alpha_and_kappa_by_hand_for_two_coders():
    # units (a,a) (a,b) (b,b) (b,b): o_aa=2, o_ab=o_ba=1, o_bb=4, n=8, n_a=3, n_b=5;
    # D_o = 2/8, D_e = 2*3*5/(8*7) = 30/56, alpha = 1 - (1/4)/(30/56) = 8/15.
    # kappa: p_o = 3/4, p_e = 1/2*1/4 + 1/2*3/4 = 1/2, kappa = 1/2.
    first, second = [0, 0, 1, 1], [0, 1, 1, 1]
    assert themes.krippendorff_alpha([first, second]) == pytest.approx(8 / 15)
    assert themes.cohen_kappa(first, second) == pytest.approx(0.5)


def test_kappa_matches_the_textbook_example():
    """Wikipedia, "Cohen's kappa", worked example: 50 grant proposals read by two readers,
    20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert themes.cohen_kappa(first, second) == pytest.approx(0.4)


def test_undefined_coefficients_are_none_not_nan():
    assert themes.cohen_kappa([1, 1, 1], [1, 1, 1]) is None
    assert themes.krippendorff_alpha([[1, 1], [1, 1]]) is None
    assert themes.krippendorff_alpha([[1, NAN], [NAN, 2]]) is None  # no unit coded twice
    assert themes.cohen_kappa([1, None, 2], [1, 2, None]) is None
    with pytest.raises(ValidationError):
        themes.cohen_kappa([1, 2], [1])
    with pytest.raises(ValidationError):
        themes.krippendorff_alpha([[1, 2], [1, 2]], level="cardinal")


def _codings(rows):
    return pd.DataFrame(rows, columns=["unit", "coder", "theme"])


def test_three_coders_with_missing_codes_by_hand():
    # theme T: x = 1 1 0 . ; y = 1 0 0 1 ; z = . 1 0 1 ("." : the coder did not code the unit;
    # 0: they coded it with another theme, O).
    # Coincidences: u1 o11 += 2; u2 (1,0,1) o11 += 1, o10 += 1, o01 += 1; u3 o00 += 3; u4 o11 += 2.
    # n1 = 6, n0 = 4, n = 10; D_o = 2/10; D_e = 2*6*4/90; alpha = 1 - 0.2/(48/90) = 0.625.
    # Percent agreement: (1 + 1/3 + 1 + 1) / 4.
    codings = _codings(
        [
            ("u1", "x", "T"), ("u2", "x", "T"), ("u3", "x", "O"),
            ("u1", "y", "T"), ("u2", "y", "O"), ("u3", "y", "O"), ("u4", "y", "T"),
            ("u2", "z", "T"), ("u3", "z", "O"), ("u4", "z", "T"),
        ]
    )  # fmt: skip
    table = themes.agreement(codings).set_index("theme")
    assert table.attrs["coders"] == ["x", "y", "z"]
    assert table.loc["T", "alpha"] == pytest.approx(0.625)
    assert table.loc["T", "agreement"] == pytest.approx((3 + 1 / 3) / 4)
    assert table.loc["T", "kappa"] is None  # three coders: no Cohen's kappa
    assert table.loc["T", "units"] == 4
    two = themes.agreement(codings, coders=["x", "y"]).set_index("theme")
    # x and y on u1..u3: T = (1,1) (1,0) (0,0): p_o = 2/3, p_e = 2/3*1/3 + 1/3*2/3 = 4/9
    assert two.loc["T", "kappa"] == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))


def test_span_agreement_cuts_contributions_at_every_boundary():
    # a text of 10 characters; x codes T on [0, 6), y on [3, 10): pieces [0,3) [3,6) [6,10);
    # x = 1 1 0, y = 0 1 1: one piece of three agrees.
    codings = pd.DataFrame(
        {
            "unit": ["c", "c"],
            "coder": ["x", "y"],
            "theme": ["T", "T"],
            "span_start": [0, 3],
            "span_end": [6, 10],
        }
    )
    table = themes.agreement(codings, unit="span", lengths={"c": 10})
    assert table.attrs["units"] == 3
    assert table.loc[0, "agreement"] == pytest.approx(1 / 3)
    matrices, _, units = themes.reliability_data(codings, unit="span", lengths={"c": 10})
    assert units == ["c@0", "c@3", "c@6"]
    assert matrices["T"].tolist() == [[1, 1, 0], [0, 1, 1]]
    with pytest.raises(ValidationError):
        themes.agreement(codings, unit="span")  # no lengths


def test_counts_count_a_contribution_once_and_groups_as_one_voice():
    codings = _codings(
        [("a", "x", "T"), ("a", "y", "T"), ("b", "x", "T"), ("c", "x", "S"), ("c", "y", "T")]
    )
    contributions = pd.DataFrame(
        {"unit": ["a", "b", "c"], "voice": ["p1", "p1", "table 1"], "kind": ["cafe", None, "cafe"]}
    )
    table = themes.theme_counts(codings, contributions, by="kind")
    rows = {(r.theme, r.kind): (r.contributions, r.voices) for r in table.itertuples()}
    assert rows == {("S", "cafe"): (1, 1), ("T", "cafe"): (2, 2), ("T", "unknown"): (1, 1)}
    overall = themes.theme_counts(codings, contributions).set_index("theme")
    assert overall.loc["T", "contributions"] == 3 and overall.loc["T", "voices"] == 2


def test_co_occurrence_by_hand():
    codings = _codings(
        [("a", "x", "T"), ("a", "x", "S"), ("b", "y", "T"), ("b", "x", "S"), ("c", "x", "T")]
    )
    table = themes.co_occurrence(codings)
    assert table.to_dict("records") == [
        {"theme_a": "S", "theme_b": "T", "contributions": 2, "voices": 2, "jaccard": 2 / 3}
    ]


def test_suggestions_point_to_the_nearest_theme_and_are_stable():
    texts = {"u1": "The bus fares are far too expensive", "u2": "Lovely trees in the park"}
    evidence = {"cost": "cost transport bus fares expensive", "green": "green space park trees"}
    found = themes.suggest_themes(texts, evidence, top=1)
    assert dict(zip(found["unit"], found["theme"], strict=True)) == {"u1": "cost", "u2": "green"}
    groups = themes.keyword_clusters({**texts, "u3": "bus fares again"}, clusters=2, seed=1)
    assert sorted(groups["size"]) == [1, 2]
    assert groups.equals(
        themes.keyword_clusters({**texts, "u3": "bus fares again"}, clusters=2, seed=1)
    )
    assert themes.suggest_themes({}, evidence).empty
    assert themes.keyword_clusters({"u": "the and of"}).empty  # stop words only

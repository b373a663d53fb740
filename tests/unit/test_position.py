import numpy as np
import pytest

from mobilise.analysis.position import decile_from_breaks

CUTS = [10, 20, 30, 40, 50, 60, 70, 80, 90]


@pytest.mark.parametrize(
    ("value", "worse", "better"),
    [(5, 10, 1), (10, 10, 1), (10.5, 9, 2), (55, 5, 6), (90, 2, 9), (95, 1, 10)],
)
def test_deciles_by_hand(value, worse, better):
    assert decile_from_breaks([value], CUTS, polarity="higher_is_worse")[0] == worse
    assert decile_from_breaks([value], CUTS, polarity="higher_is_better")[0] == better


def test_missing_values_stay_missing():
    assert np.isnan(decile_from_breaks([np.nan], CUTS)[0])


def test_breaks_must_be_nine_ascending():
    with pytest.raises(ValueError):
        decile_from_breaks([1], [3, 2, 1, 4, 5, 6, 7, 8, 9])
    with pytest.raises(ValueError):
        decile_from_breaks([1], [1, 2])

"""The programme synthesis on packages read back from the package writer: held reach figures
against differencing, pooled small-cell suppression, theme matching, public-only, methods."""

from __future__ import annotations

import pandas as pd
import pytest

from mobilise.analysis.programme import SECTIONS, hold_reach, synthesise
from mobilise.formats.project_package import read_package
from tests import _programme as make

K = 3


def _read(data: bytes):
    return read_package(data, k=K)


def _pooled(held: dict[str, pd.DataFrame]) -> pd.DataFrame:
    from mobilise.analysis._programme_reach import pool_reach

    return pool_reach(held, k=K)


def test_two_releases_one_participant_apart_pool_to_the_same_figures():
    """Issue 20 acceptance: release 2 adds one person in decile 3; the pooled tables with
    release 1 and with release 2 are identical, so nobody's group is revealed."""
    other = make.reach({"1": 20, "2": 15, "3": 11, "4": 9})
    first = make.reach({"1": 12, "2": 9, "3": 7, "4": 5})
    second = make.reach({"1": 12, "2": 9, "3": 8, "4": 5})  # one more person, in decile 3
    held_other = hold_reach(None, other, k=K, release=1)
    held_1 = hold_reach(None, first, k=K, release=1)
    held_2 = hold_reach(held_1, second, k=K, release=2)
    before = _pooled({"a": held_1, "b": held_other})
    after = _pooled({"a": held_2, "b": held_other})
    pd.testing.assert_frame_equal(before, after)
    # pooling the raw figures instead would show the difference in exactly one group
    naive = _pooled({"a": hold_reach(None, second, k=K, release=2), "b": held_other})
    moved = (naive["count"] != before["count"]).fillna(True)
    assert naive.loc[moved, "group"].tolist() == ["3", "total"]


def test_one_person_leaving_a_group_of_k_does_not_hide_it_in_the_pool():
    """A group shown at k whose release drops it to k - 1 (now suppressed by the project) keeps
    its held figure: hiding it would show that one person left that group."""
    other = make.reach({"1": 20, "2": 15, "3": 11})
    first = make.reach({"1": 12, "2": 9, "3": K})
    second = make.reach({"1": 12, "2": 9, "3": K}).astype({"count": "Int64"})
    second.loc[second["group"] == "3", ["count", "suppressed"]] = [pd.NA, True]
    held_other = hold_reach(None, other, k=K, release=1)
    held_1 = hold_reach(None, first, k=K, release=1)
    held_2 = hold_reach(held_1, second, k=K, release=2)
    before = _pooled({"a": held_1, "b": held_other})
    after = _pooled({"a": held_2, "b": held_other})
    pd.testing.assert_frame_equal(before, after)
    # a figure far above k that is now hidden has surely moved by k: it is hidden
    gone = make.reach({"1": 12, "2": 9, "3": 2 * K}).astype({"count": "Int64"})
    gone.loc[gone["group"] == "3", ["count", "suppressed"]] = [pd.NA, True]
    shown = hold_reach(None, make.reach({"1": 12, "2": 9, "3": 2 * K}), k=K, release=1)
    held_big = hold_reach(shown, gone, k=K, release=2)
    assert bool(held_big.set_index("group").loc["3", "suppressed"])


def test_a_held_figure_moves_once_the_change_reaches_k():
    held = hold_reach(None, make.reach({"1": 10, "2": 6}), k=K, release=1)
    small = hold_reach(held, make.reach({"1": 12, "2": 6}), k=K, release=2)
    assert small.set_index("group").loc["1", "count"] == 10  # +2 < k: held
    big = hold_reach(small, make.reach({"1": 13, "2": 6}), k=K, release=3)
    assert big.set_index("group").loc["1", "count"] == 13  # +3 since the held 10: moves
    assert big.set_index("group").loc["1", "release"] == 3


def test_pooled_small_cells_are_hidden_with_secondary_suppression():
    held = {
        "a": hold_reach(None, make.reach({"White": 30, "Asian": 0, "Black": 0}), k=K, release=1),
        "b": hold_reach(None, make.reach({"White": 25, "Asian": 0, "Black": 4}), k=K, release=1),
    }
    held["c"] = hold_reach(
        None,
        pd.DataFrame(
            {
                "dimension": "imd_decile",
                "group": ["White", "Asian", "Black"],
                "count": [10, 1, 0],
                "suppressed": False,
            }
        ),
        k=K,
        release=1,
    )
    pooled = _pooled(held).set_index("group")
    assert pooled.loc["Asian", "suppressed"]  # 1 < k: primary
    assert pooled.loc["Asian", "count_shown"] == f"fewer than {K}"
    assert pooled.loc["Black", "suppressed"]  # secondary: else Asian = total - the rest
    assert not pooled.loc["White", "suppressed"]
    assert pooled.loc["total", "count"] == 70


def test_themes_match_by_label_and_by_definition():
    a = _read(make.package(make.KEY_A, title="Alpha"))
    b = _read(make.package(make.KEY_B, title="Beta", table_set=make.tables(theme="TRUSTS!")))
    c_tables = make.tables(theme="Believing services")  # same definition, other label
    c = _read(make.package(title="Gamma", table_set=c_tables))
    themes = synthesise([a, b, c], k=K).themes
    trust = themes[themes["labels"].map(lambda labels: "Trust" in labels)].iloc[0]
    assert trust["projects"] == 3
    assert set(trust["labels"]) == {"Trust", "TRUSTS!", "Believing services"}
    assert trust["kind"] == "enabler" and trust["shared"]
    assert trust["segments"] == 42 and trust["contributors"] == 24


def test_public_only_uses_only_what_each_project_marked_public():
    public = {"methods": True, "reach": False, "themes": False, "partners": True,
              "network_rounds": True, "actions": False}  # fmt: skip
    package = _read(make.package(make.KEY_A, public=public))
    shown = synthesise([package], k=K, public_only=True)
    assert shown.reach.empty and shown.themes.empty and shown.outcomes.empty
    assert not shown.sectors.empty and shown.methods["used"].any()
    full = synthesise([package], k=K)
    assert not full.reach.empty and not full.outcomes.empty


def test_methods_matrix_has_every_vocabulary_method_and_what_was_said():
    a = _read(make.package(make.KEY_A))
    bare = _read(
        make.package(
            make.KEY_B,
            title="Metadata only",
            metadata_only=True,
            table_set={
                "methods": pd.DataFrame({"method": ["photovoice"], "used": [True], "said": [""]})
            },
        )
    )
    found = synthesise([a, bare], k=K)
    methods = found.methods.set_index(["title", "method"])
    assert methods.loc[("Healthy Parks", "world_cafe"), "said"] == "Three cafés in libraries."
    assert methods.loc[("Metadata only", "photovoice"), "used"]
    assert not methods.loc[("Metadata only", "world_cafe"), "used"]
    assert found.projects.set_index("title").loc["Metadata only", "metadata_only"]
    assert "no figures published" in found.words["projects"]


def test_every_section_is_plain_json_with_a_sentence():
    found = synthesise([_read(make.package(make.KEY_A))], k=K)
    shown = found.to_dict()
    assert set(SECTIONS) <= set(shown) and shown["k"] == K
    assert all(shown["words"][name] for name in SECTIONS)
    assert shown["outcomes"][0]["closed_with_feedback"] == 5


@pytest.mark.parametrize("counts", [{"1": 3}, {"1": 0, "2": 9}])
def test_no_pooled_cell_below_k_is_shown(counts):
    held = {"a": hold_reach(None, make.reach(counts), k=K, release=1)}
    pooled = _pooled(held)
    shown = pd.to_numeric(pooled["count"], errors="coerce").dropna()
    assert not ((shown >= 1) & (shown < K)).any()

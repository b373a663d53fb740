"""The directory's search (issue 17, items 1 and 7), on SQLite and PostgreSQL: words through the
full-text index (ranked, English stemming), filters that say what is not recorded, migration 0012
on a workspace that already holds assets, and one card per place on the demo."""

from __future__ import annotations

import importlib.util
from datetime import datetime

import pytest
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from mobilise import ValidationError
from mobilise.store.engine import MIGRATIONS

CSV = b"""name,category,latitude,longitude,description
Testtown Library,library,51.505,-0.095,Books and a quiet room
Riverside Reading Group,group,51.506,-0.094,Meets at the library on Mondays
Otherby Choir,group,51.507,-0.093,Singing for everyone
Libraries Week Fair,community_space,51.508,-0.092,
Gardening Club,group,51.509,-0.091,Growing vegetables together
"""


def names(found):
    return [a.name for a in found.items]


@pytest.fixture
def register(workspace):
    workspace.assets.import_file(CSV, name="assets.csv", source="test")
    return workspace


def _set(ws, asset_name, **changes):
    asset = next(a for a in ws.assets.search(per_page=50).items if a.name == asset_name)
    ws.assets.update(asset.id, version=asset.version, changes=changes)


def test_words_are_stemmed_and_ranked(register):
    # "libraries" finds "Library" (English stemming); a match in the name ranks above one in
    # the description only
    found = names(register.assets.search(text="libraries"))
    assert set(found) == {"Testtown Library", "Riverside Reading Group", "Libraries Week Fair"}
    assert found[-1] == "Riverside Reading Group"
    assert names(register.assets.search(text="garden")) == ["Gardening Club"]  # gardening
    assert names(register.assets.search(text="CHOIR singing")) == ["Otherby Choir"]
    assert names(register.assets.search(text="choir books")) == []  # every word must match
    assert names(register.assets.search(text="vege")) == ["Gardening Club"]  # typed in part
    assert names(register.assets.search(text="!!! ...")) == []  # no word at all
    assert register.assets.search(text='"library" OR NEAR(x') is not None  # not query syntax


def test_the_index_follows_edits_deletes_and_restores(register):
    _set(register, "Otherby Choir", name="Otherby Singers")
    assert names(register.assets.search(text="choir")) == []
    assert names(register.assets.search(text="singers")) == ["Otherby Singers"]
    singers = register.assets.search(text="singers").items[0]
    register.assets.delete(singers.id)
    assert names(register.assets.search(text="singers")) == []
    register.assets.restore(singers.id)
    assert names(register.assets.search(text="singers")) == ["Otherby Singers"]


def test_positive_filters_leave_out_and_count_what_is_not_recorded(register):
    _set(register, "Testtown Library", cost="free", step_free=True, age_min=0)
    _set(register, "Otherby Choir", cost="paid", age_min=16, age_max=25)
    found = register.assets.search(free=True)
    assert names(found) == ["Testtown Library"]
    assert found.not_recorded == {"free": 3}  # the paid choir records its cost
    with_unknowns = register.assets.search(free=True, include_unknown=["free"], per_page=10)
    assert with_unknowns.total == 4 and "Otherby Choir" not in names(with_unknowns)
    # an unknown age no longer counts as a match (it did: 4 of 5 for "age 70")
    aged = register.assets.search(age=70)
    assert (names(aged), aged.not_recorded) == (["Testtown Library"], {"age": 3})
    assert register.assets.search(age=70, include_unknown=["age"]).total == 4
    # two filters: each counts the unknowns that pass the other (its unknowns let through)
    both = register.assets.search(free=True, step_free=True)
    assert both.not_recorded == {"free": 3, "step_free": 3}  # not the paid choir
    assert register.assets.search(hearing_loop=True).not_recorded == {"hearing_loop": 5}


def test_open_at_says_when_hours_are_not_recorded(register):
    _set(
        register,
        "Otherby Choir",
        schedule=[{"byday": "TU", "opens_at": "19:00", "closes_at": "21:00"}],
    )
    tuesday_evening = datetime(2026, 11, 24, 19, 30)
    found = register.assets.search(open_at=tuesday_evening)
    assert (names(found), found.not_recorded) == (["Otherby Choir"], {"open_at": 4})
    wednesday = datetime(2026, 11, 25, 19, 30)
    closed = register.assets.search(open_at=wednesday)
    assert (closed.total, closed.not_recorded) == (0, {"open_at": 4})
    included = register.assets.search(open_at=wednesday, include_unknown=["open_at"])
    assert included.total == 4  # not the choir: it is known to be closed


def test_an_unknown_filter_name_is_refused(register):
    with pytest.raises(ValidationError) as caught:
        register.assets.search(include_unknown=["cheap"])
    assert caught.value.problems[0].field == "include_unknown"


def _migration_0012():
    path = MIGRATIONS / "versions" / "0012_word_search.py"
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _operations(connection):
    return Operations.context(MigrationContext.configure(connection))


def test_migration_0012_indexes_the_assets_already_stored(workspace):
    migration = _migration_0012()
    with workspace.engine.begin() as connection, _operations(connection):
        migration.downgrade()  # as before 0012: no word index
    workspace.assets.import_file(CSV, name="assets.csv", source="test")
    with workspace.engine.begin() as connection, _operations(connection):
        migration.upgrade()
    assert names(workspace.assets.search(text="choir")) == ["Otherby Choir"]
    assert len(names(workspace.assets.search(text="library"))) == 3


def test_one_card_per_place_near_e8_1dy(demo_workspace):
    near = demo_workspace.postcodes.point("E8 1DY")
    plain = demo_workspace.assets.search(near=near, radius_m=1000, per_page=6)
    assert [a.name for a in plain.items].count("Hackney Empire") == 3  # the finding
    found = demo_workspace.assets.search(near=near, radius_m=1000, per_page=6, fold=True)
    shown = [a.name for a in found.items]
    assert shown.count("Hackney Empire") == 1 and shown.count("Hackney Central Library") == 1
    assert "Hackney Museum" in shown  # only alike ("Hackney Attic"): not folded
    library = next(a for a in found.items if a.name == "Hackney Central Library")
    assert [o["source"] for o in found.also_listed[library.id]] == ["osm"]
    assert found.total <= plain.total - 3  # at least two more Empires and one more library
    second = demo_workspace.assets.search(near=near, radius_m=1000, per_page=6, page=2, fold=True)
    assert not {a.id for a in second.items} & {a.id for a in found.items}

"""Duplicate assets through the workspace, on SQLite and PostgreSQL: find, merge, keep apart."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mobilise import Conflict, NotFound, ValidationError
from mobilise.formats.ons import read_boundaries
from mobilise.workspace.asset_duplicates import DuplicateService

from ..conftest import FIXTURES

HERE = FIXTURES / "workspace"

# 0.00029 degrees of longitude at 51.505 N is about 20 m; 0.00005 about 3.5 m.
ASSETS = pd.DataFrame(
    [
        ("Testtown Library", "library", -0.095, 51.505, "TT1 1AA", "alpha", "lib", "", "https://a.example/lib"),
        ("The Testtown Library", "library", -0.09471, 51.505, "TT1 1AA", "beta", "b-lib", "01234 567890", ""),
        ("Riverside Park", "green_space", -0.085, 51.505, "", "alpha", "park", "", ""),
        ("Riverside Park", "green_space", -0.08505, 51.505, "", "beta", "b-park", "", ""),
        ("Otherby Choir", "community_group", -0.075, 51.505, "", "alpha", "choir", "", ""),
    ],
    columns=["name", "category", "lon", "lat", "postcode", "source", "source_id", "phone", "url"],
)  # fmt: skip


@pytest.fixture
def register(workspace, tmp_path):
    """Two sources listing the same library and park, and a choir listed once."""
    workspace.areas.import_boundaries(read_boundaries(HERE / "three_lsoas.geojson"))
    workspace.places.create("testtown", "Testtown", area_codes=["E01000001"])
    path = tmp_path / "assets.csv"
    ASSETS.to_csv(path, index=False)
    report = workspace.assets.import_file(path, licence="OGL-UK-3.0")
    assert report.created == 5
    return workspace


@pytest.fixture
def duplicates(register):
    return DuplicateService(register)


def asset_named(workspace, name, source):
    found = workspace.assets.search(text=name, include_private=True, per_page=10).items
    return next(a for a in found if a.name == name and a.source == source)


def test_candidates_pair_each_venue_across_sources(duplicates):
    pairs = duplicates.candidates()
    assert sorted(tuple(sorted((p.a.name, p.b.name))) for p in pairs) == [
        ("Riverside Park", "Riverside Park"),
        ("Testtown Library", "The Testtown Library"),
    ]
    library = next(p for p in pairs if "Library" in p.a.name)
    assert library.a.id < library.b.id
    assert library.same_postcode and not library.same_source
    assert library.reason == "same postcode, same name, 20 m apart"
    assert duplicates.clusters() == sorted(sorted(p.ids) for p in pairs)


def test_candidates_in_a_place(duplicates):
    [pair] = duplicates.candidates(place="testtown")
    assert {pair.a.name, pair.b.name} == {"Testtown Library", "The Testtown Library"}
    with pytest.raises(NotFound):
        duplicates.candidates(place="atlantis")


def test_merge_keeps_both_provenances_and_the_history(register, duplicates):
    keep = asset_named(register, "Testtown Library", "alpha")
    gone = asset_named(register, "The Testtown Library", "beta")
    kept = duplicates.merge(
        keep.id,
        gone.id,
        note="same building",
        keep_version=keep.version,
        merge_version=gone.version,
    )
    assert [(p["source"], p["source_id"]) for p in kept.provenance] == [
        ("alpha", "lib"),
        ("beta", "b-lib"),
    ]
    assert kept.provenance[1]["merged_from"] == gone.id
    assert kept.phone == "01234 567890"  # filled: the kept one had none
    assert kept.url == "https://a.example/lib"  # kept: it had one
    assert (kept.name, kept.version) == ("Testtown Library", keep.version + 1)
    # The merged asset leaves search but stays stored with its history.
    assert [a.id for a in register.assets.search(text="library").items] == [keep.id]
    assert register.assets.count() == 4
    with pytest.raises(NotFound, match="merged into"):
        register.assets.get(gone.id)  # gone for readers, still stored with its history
    [merged_entry, *_] = register.audit.entries(entity_type="asset", entity_id=gone.id)
    assert merged_entry.action == "update" and merged_entry.actor == "tester"
    assert merged_entry.before["merged_into"] is None
    assert merged_entry.after["merged_into"] == keep.id
    [kept_entry, *_] = register.audit.entries(entity_type="asset", entity_id=keep.id)
    assert len(kept_entry.before["provenance"]) == 1 and len(kept_entry.after["provenance"]) == 2
    assert (kept_entry.before["phone"], kept_entry.after["phone"]) == ("", "01234 567890")
    [decision] = duplicates.decisions()
    assert (decision.decision, decision.note, decision.decided_by) == (
        "merged",
        "same building",
        "tester",
    )
    assert {decision.asset_a, decision.asset_b} == {keep.id, gone.id}
    assert [{p.a.name, p.b.name} for p in duplicates.candidates()] == [{"Riverside Park"}]


def test_merge_is_all_or_nothing_and_checks_versions(register, duplicates):
    keep = asset_named(register, "Riverside Park", "alpha")
    gone = asset_named(register, "Riverside Park", "beta")
    register.assets.update(gone.id, version=gone.version, changes={"phone": "999"})
    with pytest.raises(Conflict, match="version"):
        duplicates.merge(keep.id, gone.id, keep_version=keep.version, merge_version=gone.version)
    assert register.assets.get(keep.id).version == keep.version  # nothing half-done
    assert register.assets.count() == 5 and duplicates.decisions() == []
    duplicates.merge(keep.id, gone.id)  # without versions: whatever is current
    with pytest.raises(Conflict, match="already merged"):
        duplicates.merge(keep.id, gone.id)
    with pytest.raises(Conflict, match="already merged"):
        duplicates.merge(gone.id, keep.id)


def test_merge_refuses_nonsense(duplicates, register):
    choir = asset_named(register, "Otherby Choir", "alpha")
    with pytest.raises(ValidationError):
        duplicates.merge(choir.id, choir.id)
    with pytest.raises(NotFound):
        duplicates.merge(choir.id, "no-such-asset")


def test_merging_the_kept_asset_again_moves_earlier_merges_along(register, duplicates):
    first = asset_named(register, "Riverside Park", "alpha")
    second = asset_named(register, "Riverside Park", "beta")
    choir = asset_named(register, "Otherby Choir", "alpha")
    duplicates.merge(first.id, second.id)
    kept = duplicates.merge(choir.id, first.id)
    assert [p["source_id"] for p in kept.provenance] == ["choir", "park", "b-park"]
    audit = register.audit.entries(entity_type="asset", entity_id=second.id)
    assert audit[0].after["merged_into"] == choir.id


def test_keep_apart_hides_the_pair(register, duplicates):
    keep = asset_named(register, "Riverside Park", "alpha")
    other = asset_named(register, "Riverside Park", "beta")
    decision = duplicates.keep_apart(other.id, keep.id, note="two parks of one name")
    assert (decision.asset_a, decision.asset_b) == tuple(sorted((keep.id, other.id)))
    assert decision.decision == "keep_apart"
    assert all("Park" not in p.a.name for p in duplicates.candidates())
    decided = [p for p in duplicates.candidates(include_decided=True) if p.decision]
    assert [(p.a.name, p.decision) for p in decided] == [("Riverside Park", "keep_apart")]
    assert len(duplicates.clusters()) == 1
    # Deciding again only updates the note; a reviewer may still merge them later.
    duplicates.keep_apart(keep.id, other.id, note="checked on site")
    assert [d.note for d in duplicates.decisions()] == ["checked on site"]
    duplicates.merge(keep.id, other.id)
    assert [d.decision for d in duplicates.decisions()] == ["merged"]
    assert register.audit.entries(entity_type="asset_pair_decision")[0].action == "update"
    with pytest.raises(NotFound):
        duplicates.keep_apart(keep.id, "no-such-asset")
    with pytest.raises(ValidationError):
        duplicates.keep_apart(keep.id, keep.id)


@pytest.fixture
def cli():
    """``mobilise`` with ``assets duplicates`` and ``assets merge`` (registered for this test only
    when not yet wired, so the CLI reference test still sees the real command tree)."""
    from mobilise.cli import asset_review, assets
    from mobilise.cli.main import run

    before = list(assets.app.registered_commands)
    if "duplicates" not in {c.name for c in before}:
        asset_review.register(assets.app)
    yield run
    assets.app.registered_commands[:] = before


def test_cli_lists_and_merges(cli, register, capsys):
    location = (
        register.url.replace("sqlite:///", "") if register.dialect == "sqlite" else register.url
    )
    assert cli(["-w", location, "assets", "duplicates", "--place", "testtown", "--json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)["items"]
    assert pair["asset_a"]["name"] != "Riverside Park"
    assert cli(["-w", location, "assets", "duplicates"]) == 0
    table = capsys.readouterr().out
    assert "2 possible duplicate pairs in 2 groups" in table and "Riverside Park" in table
    keep, gone = pair["asset_a"]["id"], pair["asset_b"]["id"]
    assert cli(["-w", location, "assets", "merge", keep, gone, "--note", "same"]) == 0
    assert "alpha, beta." in " ".join(capsys.readouterr().out.split())
    assert cli(["-w", location, "assets", "merge", keep, gone]) == 3  # the merged one is gone
    assert "merged into" in capsys.readouterr().err

"""The ORUK feed's own searches and lookups, on SQLite and PostgreSQL (issue 21, items 1 and 2):
``taxonomy_id`` (any term of a vocabulary, matched in the stored JSON lists), ``modified_after``
on or after, and a service at location found by the id the lists give."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mobilise.errors import NotFound
from mobilise.formats.oruk_feed import service_at_location_id, taxonomy_id, taxonomy_term_id

BASE = "http://127.0.0.1/oruk"
ASSETS = b"""name,category,lon,lat,taxonomy_terms,target_groups,source_id
Town Library,library,-0.05,51.54,osm:amenity=library,older_people,1
Town Theatre,arts_culture,-0.06,51.55,gla:Theatres;osm:amenity=theatre,,2
Underscore Hall,community_space,-0.07,51.56,aXb:thing,,3
Snake Hall,community_space,-0.07,51.57,a_b:thing,,4
Quiet Chapel,faith,-0.08,51.58,osm:amenity=place_of_worship,,5
"""


@pytest.fixture
def feed(workspace):
    workspace.assets.import_file(ASSETS, name="assets.csv", source="test")
    chapel = workspace.assets.search(text="chapel").items[0]
    workspace.assets.update(chapel.id, version=chapel.version, changes={"visibility": "private"})
    return workspace


def names(workspace, **filters) -> list[str]:
    found = workspace.oruk.search(**filters)
    return sorted(a.name for a in workspace.assets.get_many([k for k, _ in found.keys]))


def test_taxonomy_id_is_any_term_of_the_vocabulary(feed):
    assert names(feed, taxonomy_id=taxonomy_id("osm")) == ["Town Library", "Town Theatre"]
    assert names(feed, taxonomy_id=taxonomy_id("gla")) == ["Town Theatre"]
    # "_" is a letter here, not LIKE's any-character
    assert names(feed, taxonomy_id=taxonomy_id("a_b")) == ["Snake Hall"]
    assert names(feed, taxonomy_id=taxonomy_id("mobilise-target-group")) == ["Town Library"]
    assert len(names(feed, taxonomy_id=taxonomy_id("mobilise"))) == 4  # every public asset
    both = {"taxonomy_id": taxonomy_id("osm"), "taxonomy_term_id": taxonomy_term_id("library")}
    assert names(feed, **both) == ["Town Library"]
    with pytest.raises(NotFound) as refused:
        feed.oruk.search(taxonomy_id=taxonomy_id("nowhere"))
    assert refused.value.problems[0].field == "taxonomy_id"


def test_modified_after_is_on_or_after(feed):
    theatre = feed.assets.search(text="theatre").items[0]
    changed = feed.assets.update(theatre.id, version=theatre.version, changes={"url": "x.org"})
    assert names(feed, modified_after=changed.updated_at) == ["Town Theatre"]
    assert names(feed, modified_after=changed.updated_at + timedelta(microseconds=1)) == []


def test_a_service_at_location_by_the_id_the_lists_give(feed):
    library = feed.assets.search(text="library").items[0]
    sal_id = service_at_location_id(library.as_mapping())
    document = feed.oruk.service_at_location_by_id(sal_id, base_url=BASE)
    assert document["id"] == sal_id and document["service"]["id"] == library.id
    assert "location" in document
    # an asset added after the first lookup is found too
    more = ASSETS.splitlines()[:2]
    more[1] = b"New Library,library,-0.09,51.59,,,6"
    feed.assets.import_file(b"\n".join(more), name="more.csv", source="test")
    new = feed.assets.search(text="new library").items[0]
    new_id = service_at_location_id(new.as_mapping())
    assert feed.oruk.service_at_location_by_id(new_id, base_url=BASE)["service"]["id"] == new.id
    # a private one is not
    chapel = feed.assets.search(text="chapel", include_private=True).items[0]
    with pytest.raises(NotFound):
        feed.oruk.service_at_location_by_id(
            service_at_location_id(chapel.as_mapping()), base_url=BASE
        )
    feed.assets.update(library.id, version=library.version, changes={"visibility": "private"})
    with pytest.raises(NotFound):
        feed.oruk.service_at_location_by_id(sal_id, base_url=BASE)

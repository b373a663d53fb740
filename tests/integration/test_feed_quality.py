"""The ORUK feed's data quality through the workspace (issue 21, item 4), on SQLite and PostgreSQL:
the feed's own documents scored as a consumer scores them."""

from __future__ import annotations

import pytest

from mobilise import NotFound, ValidationError
from mobilise.formats.ons import read_boundaries
from mobilise.formats.oruk_quality import score_service, tally

from ..conftest import FIXTURES

BASE = "https://feed.example.org/oruk"
# Five assets made up for these tests (feed_quality_assets.csv): in Testtown (the areas E01000001
# and E01000002), a complete hall, a club with a phone and no opening times, a bare park and a
# private garden; in Otherby (E01000003) a closed library.
ASSETS = FIXTURES / "workspace" / "feed_quality_assets.csv"


def make_feed(workspace):
    """The workspace with Testtown, Otherby and the five assets."""
    workspace.areas.import_boundaries(
        read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    )
    workspace.places.create("testtown", "Testtown", area_codes=["E01000001", "E01000002"])
    assert workspace.assets.import_file(ASSETS).created == 5
    return workspace


@pytest.fixture
def feed(workspace):
    return make_feed(workspace)


def ids(ws):
    return {a.name: a.id for a in ws.assets.search(include_private=True, per_page=10).items}


def test_the_feed_is_scored_as_its_consumers_score_it(feed):
    report = feed.assets.feed_quality()
    named = ids(feed)
    # the private asset is not in the feed; each of the four public ones is scored from the
    # very document GET /oruk/services/{id} gives
    assert report.total == 4
    documents = [
        feed.oruk.service_by_id(named[name], base_url=BASE)
        for name in ("Complete Hall", "Phone Club", "Bare Park", "Closed Library")
    ]
    expected = tally(score_service(d).failing for d in documents)
    assert {c.name: c.passing for c in report.checks} == expected.passing
    assert [c.name for c in report.checks][-1] == "usable"
    failing = {s.name: s.failing for s in report.services}
    assert "Complete Hall" not in failing  # passes every check
    assert failing["Phone Club"] == ("schedule",)  # usable: no opening times needed
    assert {"active", "usable"} <= set(failing["Closed Library"])
    assert {"url", "organisation", "contact", "usable"} <= set(failing["Bare Park"])
    usable = next(c for c in report.checks if c.name == "usable")
    assert (usable.passing, usable.total, usable.share) == (2, 4, 0.5)
    # the worst first
    assert [len(s.failing) for s in report.services] == sorted(
        (len(s.failing) for s in report.services), reverse=True
    )
    assert report.services[0].name == "Bare Park"
    [source] = report.sources
    assert (source.name, source.total, source.passing["usable"]) == ("test", 4, 2)


def test_a_check_a_place_and_pages(feed):
    by_url = feed.assets.feed_quality(check="url")
    assert [s.name for s in by_url.services] == ["Bare Park"]
    assert by_url.failing_total == 1
    in_town = feed.assets.feed_quality(place="testtown", check="active")
    assert in_town.total == 3 and in_town.services == []  # the library is in Otherby
    first = feed.assets.feed_quality(per_page=1)
    second = feed.assets.feed_quality(per_page=1, page=2)
    assert first.failing_total == second.failing_total == 3
    assert first.total_pages == 3
    assert first.services[0].name == "Bare Park"
    assert second.services[0].name != "Bare Park"
    assert feed.assets.feed_quality(page=9).services == []


def test_a_change_is_scored_again(feed):
    """The scores are kept per asset version: an edit, a deletion or a service made private
    shows at once."""
    before = feed.assets.feed_quality(check="url")
    park = feed.assets.get(ids(feed)["Bare Park"])
    feed.assets.update(park.id, version=park.version, changes={"url": "https://park.example.org"})
    after = feed.assets.feed_quality(check="url")
    assert (before.failing_total, after.failing_total) == (1, 0)
    hall = feed.assets.get(ids(feed)["Complete Hall"])
    feed.assets.update(hall.id, version=hall.version, changes={"visibility": "private"})
    feed.assets.delete(ids(feed)["Phone Club"])
    assert feed.assets.feed_quality().total == 2


def test_wrong_requests_are_refused(feed):
    with pytest.raises(ValidationError) as caught:
        feed.assets.feed_quality(check="colour", page=0, per_page=501)
    assert [p.field for p in caught.value.problems] == ["check", "page", "per_page"]
    assert "usable" in caught.value.problems[0].message
    with pytest.raises(NotFound):
        feed.assets.feed_quality(place="nowhere")


def test_an_empty_feed(workspace):
    report = workspace.assets.feed_quality()
    assert report.total == 0 and report.services == [] and report.total_pages == 1
    assert all(c.share == 0.0 for c in report.checks)

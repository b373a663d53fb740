"""Systems maps through the JSON API and pages: edits, conflicts, roles, the live stream, the
read-only share link."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from ..conftest import serving
from ._jobs import outcome
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


@pytest.fixture
def local(sqlite_workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def new_map(client, title="Green space and wellbeing"):
    response = client.post("/api/v1/maps", json={"title": title, "question": "Why?"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_build_a_map_through_the_api(local):
    map_id = new_map(local)
    base = f"/api/v1/maps/{map_id}"
    amy = local.post(
        f"{base}/participants", json={"pseudonym": "Amy", "stakeholder_group": "Residents"}
    ).json()
    park = local.post(f"{base}/factors", json={"label": "Park near home", "kind": "asset"}).json()
    assert amy == {"pseudonym": "Amy", "stakeholder_group": "Residents"}  # no id, no user name
    # the server attributes it to who joined (this browser, in local mode), not to a sent id
    mood = local.post(f"{base}/factors", json={"label": "Low mood", "kind": "outcome"}).json()
    assert "participant_id" not in mood
    link = local.post(
        f"{base}/links", json={"source_id": park["id"], "target_id": mood["id"], "polarity": "-"}
    )
    assert link.status_code == 201, link.text
    content = local.get(base).json()
    assert [f["label"] for f in content["factors"]] == ["Park near home", "Low mood"]
    assert [f["contributor"] for f in content["factors"]] == ["Amy", "Amy"]
    assert content["me"] == amy
    assert content["links"][0]["polarity"] == "-"
    assert content["revision"] == 5  # made, joined, two factors, a link
    events = local.get(f"{base}/events", params={"after": 3}).json()
    assert [(e["revision"], e["entity_type"]) for e in events] == [(4, "factor"), (5, "link")]
    assert local.get("/api/v1/maps").json()[0]["n_links"] == 1

    moved = local.patch(f"{base}/factors/{park['id']}", json={"version": 1, "x": 40, "y": 50})
    assert moved.json()["version"] == 2
    stale = local.patch(f"{base}/factors/{park['id']}", json={"version": 1, "label": "Old"})
    error_shape(stale, 409, "conflict")
    gone = local.delete(f"{base}/factors/{park['id']}").json()
    assert gone["links"] == [link.json()["id"]]
    assert local.get(base).json()["links"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"polarity": "up"}, "polarity"),
        ({"weight": 3}, "weight"),
        ({"confidence": 2}, "confidence"),
    ],
)
def test_a_bad_link_is_a_422_naming_the_field(local, body, field):
    map_id = new_map(local)
    base = f"/api/v1/maps/{map_id}"
    a = local.post(f"{base}/factors", json={"label": "A"}).json()["id"]
    b = local.post(f"{base}/factors", json={"label": "B"}).json()["id"]
    response = local.post(f"{base}/links", json={"source_id": a, "target_id": b, **body})
    assert [p["field"] for p in error_shape(response, 422, "invalid_input")["problems"]] == [field]


def test_unknown_map_is_404(local):
    error_shape(local.get("/api/v1/maps/nope"), 404, "not_found")
    error_shape(local.post("/api/v1/maps/nope/factors", json={"label": "x"}), 404, "not_found")
    assert local.get("/maps/nope").status_code == 404


def test_pages(local):
    assert "No systems maps yet" in local.get("/maps").text
    map_id = new_map(local)
    listing = local.get("/maps").text
    assert f'href="/maps/{map_id}"' in listing
    page = local.get(f"/maps/{map_id}")
    assert page.status_code == 200
    assert 'id="cy"' in page.text and 'data-edit="true"' in page.text
    assert "/static/vendor/cytoscape/cytoscape.min.js" in page.text


def test_share_link_is_read_only_and_hides_who_took_part(sqlite_workspace):
    sqlite_workspace.users.create("pat", "a partner's long secret", role="partner")
    client = TestClient(
        create_app(SHARED, workspace=sqlite_workspace), base_url="https://testserver"
    )
    client.post("/login", data={"username": "pat", "password": "a partner's long secret"})
    map_id = new_map(client)
    base = f"/api/v1/maps/{map_id}"
    client.post(f"{base}/participants", json={"pseudonym": "Amy"})
    client.post(f"{base}/factors", json={"label": "Park"})
    shared = client.post(f"{base}/share").json()
    assert shared["url"].endswith(f"/maps/shared/{shared['token']}")
    client.post("/logout")

    anonymous = TestClient(
        create_app(SHARED, workspace=sqlite_workspace), base_url="https://testserver"
    )
    assert anonymous.get(base).status_code == 401
    content = anonymous.get(f"/api/v1/shared-maps/{shared['token']}").json()
    assert [f["label"] for f in content["factors"]] == ["Park"]
    assert content["participants"] == []
    private = {"participant_id", "created_by", "updated_by", "contributor", "contributor_group"}
    assert not private & set(content["factors"][0])
    assert "pat" not in json.dumps(content)  # no user names
    page = anonymous.get(f"/maps/shared/{shared['token']}")
    assert page.status_code == 200 and 'data-edit="false"' in page.text
    assert anonymous.post(f"{base}/factors", json={"label": "Sneaky"}).status_code == 401
    error_shape(anonymous.get("/api/v1/shared-maps/not-a-token"), 404, "not_found")


def test_a_viewer_reads_but_cannot_edit(sqlite_workspace):
    sqlite_workspace.users.create("vic", "another long secret", role="viewer")
    made = sqlite_workspace.maps.create("A map")
    client = TestClient(
        create_app(SHARED, workspace=sqlite_workspace), base_url="https://testserver"
    )
    client.post("/login", data={"username": "vic", "password": "another long secret"})
    assert client.get(f"/api/v1/maps/{made.id}").status_code == 200
    denied = client.post(f"/api/v1/maps/{made.id}/factors", json={"label": "x"})
    error_shape(denied, 403, "permission_denied")
    assert 'data-edit="false"' in client.get(f"/maps/{made.id}").text


def read_events(url, count, seen, ready):
    """Read ``count`` change events from the stream at ``url`` into ``seen``."""
    with httpx.stream("GET", url, timeout=10) as response:
        ready.set()
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "change":
                seen.append((time.monotonic(), json.loads(line[6:])))
                if len(seen) == count:
                    return


def test_the_stream_pushes_each_change_within_a_second(sqlite_workspace):
    """Two editors: what one adds reaches the other's stream, in revision order, at once."""
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    map_id = sqlite_workspace.maps.create("Live").id
    with serving(app) as url:
        seen: list = []
        ready = threading.Event()
        stream = f"{url}/api/v1/maps/{map_id}/stream?after=1"
        reader = threading.Thread(target=read_events, args=(stream, 3, seen, ready))
        reader.start()
        assert ready.wait(10)
        sent = []
        with httpx.Client(base_url=url) as editor:
            for label in ("Park", "Walking", "Mood"):
                sent.append(time.monotonic())
                assert (
                    editor.post(f"/api/v1/maps/{map_id}/factors", json={"label": label}).status_code
                    == 201
                )
        reader.join(timeout=10)
    assert [event["payload"]["label"] for _, event in seen] == ["Park", "Walking", "Mood"]
    assert [event["revision"] for _, event in seen] == [2, 3, 4]
    assert max(at - start for (at, _), start in zip(seen, sent, strict=True)) < 1.0


def test_a_reconnecting_stream_catches_up_from_its_last_event(sqlite_workspace):
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    made = sqlite_workspace.maps.create("Catch up")
    for label in "ABC":
        sqlite_workspace.maps.add_factor(made.id, {"label": label})  # made elsewhere (the CLI)
    with serving(app) as url:
        seen: list = []
        ready = threading.Event()
        with httpx.stream(
            "GET", f"{url}/api/v1/maps/{made.id}/stream", headers={"Last-Event-ID": "2"}, timeout=10
        ) as response:
            ready.set()
            kind = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "change":
                    seen.append(json.loads(line[6:]))
                    if len(seen) == 2:
                        break
    assert [(e["revision"], e["payload"]["label"]) for e in seen] == [(3, "B"), (4, "C")]


def loop_map(client):
    """Use -> Safety (+), Safety -> Use (+): a reinforcing loop; Use -> Wear (+), Wear -> Use (-):
    a balancing one; Walks (intervention) -> Use -> Mood (outcome)."""
    map_id = new_map(client, "Loops")
    base = f"/api/v1/maps/{map_id}"
    ids = {}
    for label, kind in (
        ("Use", "driver"),
        ("Safety", "driver"),
        ("Wear", "driver"),
        ("Walks", "intervention"),
        ("Mood", "outcome"),
    ):
        ids[label] = client.post(f"{base}/factors", json={"label": label, "kind": kind}).json()[
            "id"
        ]
    for a, b, sign in (
        ("Use", "Safety", "+"),
        ("Safety", "Use", "+"),
        ("Use", "Wear", "+"),
        ("Wear", "Use", "-"),
        ("Walks", "Use", "+"),
        ("Use", "Mood", "+"),
    ):
        client.post(
            f"{base}/links", json={"source_id": ids[a], "target_id": ids[b], "polarity": sign}
        )
    return map_id, ids


def test_analysis_submap_and_scenario(local):
    map_id, ids = loop_map(local)
    base = f"/api/v1/maps/{map_id}"
    found = local.get(f"{base}/analysis").json()
    assert found["loops"]["counts"] == {"reinforcing": 1, "balancing": 1, "undetermined": 0}
    (effect,) = found["interventions"]["effects"]
    assert (effect["intervention_label"], effect["outcome_label"], effect["effect"]) == (
        "Walks",
        "Mood",
        "+",
    )
    upstream = local.get(
        f"{base}/submap", params={"focus": "Mood", "direction": "upstream", "steps": 1}
    ).json()
    assert sorted(upstream["factors"]) == sorted([ids["Mood"], ids["Use"]])
    rows = local.post(f"{base}/scenario", json={"clamps": {"Walks": 1}}).json()
    assert [r["id"] for r in rows if r["clamped"]] == [ids["Walks"]]
    assert {r["label"] for r in rows} == set(ids)
    error_shape(local.get(f"{base}/submap", params={"focus": "Nobody"}), 422, "invalid_input")


@pytest.mark.parametrize("file_format", ["prsm", "kumu", "mentalmodeler", "graphml", "csv"])
def test_export_and_import_round_trip(local, file_format):
    map_id, _ids = loop_map(local)
    exported = local.get(f"/api/v1/maps/{map_id}/export", params={"format": file_format})
    assert exported.status_code == 200, exported.text
    name = exported.headers["content-disposition"].split('filename="')[1].rstrip('"')
    imported = outcome(
        local,
        local.post(
            "/api/v1/maps/import",
            files={"file": (name, exported.content)},
            data={"format": file_format},
        ),
    )
    assert imported.status_code == 201, imported.text
    again = imported.json()
    assert (again["n_factors"], again["n_links"]) == (5, 6)
    loops = local.get(f"/api/v1/maps/{again['id']}/analysis").json()["loops"]["counts"]
    assert loops == {"reinforcing": 1, "balancing": 1, "undetermined": 0}


def test_a_malformed_import_is_a_422_naming_the_file(local):
    response = outcome(
        local,
        local.post(
            "/api/v1/maps/import", files={"file": ("broken.mmp", b"<mentalmodeler><concepts>")}
        ),
    )
    assert "broken.mmp" in error_shape(response, 422, "invalid_input")["message"]
    assert local.get("/api/v1/maps").json() == []


def test_compare_two_groups_maps_and_contributions(local):
    first, _ = loop_map(local)
    second, ids = loop_map(local)
    base = f"/api/v1/maps/{second}"
    local.post(f"{base}/participants", json={"pseudonym": "Amy", "stakeholder_group": "Residents"})
    local.post(
        f"{base}/links",
        json={
            "source_id": ids["Mood"],
            "target_id": ids["Use"],
            "polarity": "+",
            "stakeholder_group": "Residents",
        },
    )
    found = local.get(
        "/api/v1/maps/compare", params={"map": [first, second], "min_share": 1}
    ).json()
    assert len(found["consensus"]["links"]) == 6  # the six both drew
    assert found["difference"]["counts"]["only_b"] == 1  # Mood -> Use
    shares = {r["stakeholder_group"]: r["links"] for r in local.get(f"{base}/contributions").json()}
    assert shares["Residents"] == 1
    error_shape(local.get("/api/v1/maps/compare", params={"map": [first]}), 422, "invalid_input")


def test_saved_versions_are_listed_and_downloaded(local):
    map_id, _ids = loop_map(local)
    base = f"/api/v1/maps/{map_id}"
    saved = local.post(f"{base}/snapshots", json={"label": "After the workshop"}).json()
    assert [v["label"] for v in local.get(f"{base}/snapshots").json()] == ["After the workshop"]
    local.delete(f"{base}/factors/{local.get(base).json()['factors'][0]['id']}")
    then = local.get(f"{base}/snapshots/{saved['id']}")
    assert then.status_code == 200
    assert len(then.json()["factors"]) == 5  # as it was, before the deletion
    other, _ = loop_map(local)
    error_shape(local.get(f"/api/v1/maps/{other}/snapshots/{saved['id']}"), 404, "not_found")


# -- after review: what the web must never do ---------------------------------------------------
def test_a_map_id_never_opens_a_file_on_the_server(local, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("from,to\npassword,hunter2\n")
    map_id = new_map(local)
    for path in (str(secret), "/etc/hostname", "secret.csv"):
        compared = local.get("/api/v1/maps/compare", params={"map": [map_id, path]})
        error_shape(compared, 404, "not_found")
        error_shape(local.get(f"/api/v1/maps/{path}/export"), 404, "not_found")
    assert "hunter2" not in local.get("/api/v1/maps").text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "x", "attributes": {"score": float("nan")}}, "attributes"),
        ({"label": "x", "attributes": {"nested": [1, float("inf")]}}, "attributes"),
        ({"label": "x", "colour": "red"}, "colour"),
    ],
)
def test_not_finite_numbers_and_unknown_fields_are_refused(local, body, field):
    map_id = new_map(local)
    response = local.post(
        f"/api/v1/maps/{map_id}/factors",
        content=json.dumps(body, allow_nan=True),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert field in response.text
    assert local.get(f"/api/v1/maps/{map_id}").json()["factors"] == []


def test_patching_a_map_with_null_or_unknown_fields_is_a_422(local):
    map_id = new_map(local)
    error_shape(
        local.patch(f"/api/v1/maps/{map_id}", json={"version": 1, "title": None}),
        422,
        "invalid_input",
    )
    assert (
        local.patch(f"/api/v1/maps/{map_id}", json={"version": 1, "titel": "x"}).status_code == 422
    )
    assert local.get(f"/api/v1/maps/{map_id}").json()["map"]["version"] == 1


def test_a_title_in_any_script_downloads(local):
    made = local.post("/api/v1/maps", json={"title": "সবুজ স্থান Łódź"}).json()
    response = local.get(f"/api/v1/maps/{made['id']}/export", params={"format": "csv"})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]


def read_stream(url, *, count, timeout=10, into=None, **options):
    """The first ``count`` named events of a stream: (event name, data), also appended to
    ``into`` as they arrive (for a reader in a thread)."""
    found = [] if into is None else into
    with httpx.stream("GET", url, timeout=timeout, **options) as response:
        kind = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                found.append((kind, json.loads(line[6:])))
                if len(found) == count:
                    break
    return found


def watch(url, *, count=3):
    """A thread reading ``count`` events of a stream (for a minute at most), and the list it
    appends them to."""
    seen: list = []
    watcher = threading.Thread(
        target=read_stream, args=(url,), kwargs={"count": count, "timeout": 60, "into": seen}
    )
    watcher.start()
    return watcher, seen


def wait_for(seen, seconds=30):
    """Until a watcher has seen an event (not a fixed time: a busy machine may take longer)."""
    deadline = time.monotonic() + seconds
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_share_screen_stream_hides_who_took_part_and_stops_when_withdrawn(sqlite_workspace):
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    ws = sqlite_workspace
    made = ws.maps.create("Shared")
    token = ws.maps.share(made.id)
    amy = ws.maps.join(made.id, "Amy", "Residents")
    park = ws.maps.add_factor(made.id, {"label": "Park"}, participant_id=amy["id"])
    ws.map_talk.comment(
        made.id, "factor", park["id"], "Too dark at night", participant_id=amy["id"]
    )
    with serving(app) as url:
        events = read_stream(f"{url}/api/v1/shared-maps/{token}/stream", count=6)
        text = json.dumps(events)
        assert "Amy" not in text and "Residents" not in text and "Too dark" not in text
        assert "tester" not in text  # no user names either
        # made; shared (its visibility became "link": the map's version, then who may see it);
        # Amy joined; the factor; the comment
        kinds = [e["entity_type"] for _, e in events]
        assert kinds == ["map", "map", "hidden", "hidden", "factor", "hidden"]
        assert events[4][1]["payload"]["label"] == "Park"

        watcher, seen = watch(f"{url}/api/v1/shared-maps/{token}/stream?after=6")
        with httpx.Client(base_url=url) as editor:
            editor.post(f"/api/v1/maps/{made.id}/factors", json={"label": "Benches"})
            wait_for(seen)  # the change reached the screen
            editor.delete(f"/api/v1/maps/{made.id}/share")
            editor.post(f"/api/v1/maps/{made.id}/factors", json={"label": "After"})
        watcher.join(timeout=60)
        # the stream ends once the link is withdrawn (even when a change is stored as it ends)
        assert not watcher.is_alive()
    names = [name for name, _ in seen]
    assert names[0] == "change" and seen[0][1]["payload"]["label"] == "Benches"
    assert "closed" in names and "After" not in json.dumps(seen)


def test_a_deleted_map_closes_its_streams_and_a_failing_read_does_not(
    sqlite_workspace, monkeypatch
):
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    made = sqlite_workspace.maps.create("Going")
    real_events = type(sqlite_workspace.maps).events
    failed = []

    def flaky(self, map_id, *, after=0, limit=1000, **options):
        if not failed and after >= 1:
            failed.append(after)
            raise OSError("the database went away for a moment")
        return real_events(self, map_id, after=after, limit=limit, **options)

    monkeypatch.setattr(type(sqlite_workspace.maps), "events", flaky)
    with serving(app) as url:
        watcher, seen = watch(f"{url}/api/v1/maps/{made.id}/stream?after=1")
        with httpx.Client(base_url=url) as editor:
            editor.post(f"/api/v1/maps/{made.id}/factors", json={"label": "Still here"})
            wait_for(seen)  # the feed retries after its failure: the change, then the deletion
            editor.delete(f"/api/v1/maps/{made.id}")
        watcher.join(timeout=60)
    assert failed  # the read did fail once
    assert [name for name, _ in seen] == ["change", "change", "closed"]
    assert seen[0][1]["payload"]["label"] == "Still here"
    assert seen[1][1]["entity_type"] == "map" and seen[1][1]["action"] == "delete"


def test_a_stream_asked_for_a_future_revision_says_reset(sqlite_workspace):
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=sqlite_workspace)
    made = sqlite_workspace.maps.create("Reset")
    with serving(app) as url:
        ((name, data),) = read_stream(f"{url}/api/v1/maps/{made.id}/stream?after=99", count=1)
    assert (name, data) == ("reset", {"revision": 1})


def test_the_editor_offers_indicators_and_asset_kinds_and_edits_the_map(local):
    map_id = new_map(local)
    page = local.get(f"/maps/{map_id}").text
    choices = json.loads(
        page.split('<script type="application/json" id="map-choices">')[1].split("</script>")[0]
    )
    assert ["library", "Libraries"] in choices["categories"] or any(
        c[0] == "library" for c in choices["categories"]
    )
    assert choices["statuses"] == ["draft", "active", "archived"]
    changed = local.patch(
        f"/api/v1/maps/{map_id}", json={"version": 1, "title": "Parks", "status": "active"}
    ).json()
    assert (changed["title"], changed["status"], changed["version"]) == ("Parks", "active", 2)
    (event,) = local.get(f"/api/v1/maps/{map_id}/events", params={"after": 1}).json()
    assert event["payload"] == {"title": "Parks", "status": "active", "version": 2}
    factor = local.post(
        f"/api/v1/maps/{map_id}/factors",
        json={"label": "Libraries nearby", "kind": "asset", "asset_category": "library"},
    ).json()
    assert factor["asset_category"] == "library"


def test_a_stream_closes_when_its_viewer_may_no_longer_see_the_map(sqlite_workspace):
    """Issue 14: a partner watching a map is cut off when it becomes its group's (visibility
    ``group``, and they are not in the group); the facilitator who changed it watches on."""
    ws = sqlite_workspace
    for name, role in (("fran", "facilitator"), ("ollie", "partner")):
        ws.users.create(name, f"the long secret of {name}", role=role)
    made = ws.maps.create("Going private")
    with serving(create_app(SHARED, workspace=ws)) as url:
        cookies = {}
        for name in ("fran", "ollie"):
            with httpx.Client(base_url=url, headers={"Origin": url}) as client:
                signed = client.post(
                    "/login", data={"username": name, "password": f"the long secret of {name}"}
                )
                assert signed.status_code < 400, signed.text
                cookies[name] = dict(client.cookies)
        stream = f"{url}/api/v1/maps/{made.id}/stream?after=1"
        ollie = watch_as(stream, cookies["ollie"], count=3)
        fran = watch_as(stream, cookies["fran"], count=3)
        with httpx.Client(base_url=url, headers={"Origin": url}, cookies=cookies["fran"]) as editor:
            editor.post(f"/api/v1/maps/{made.id}/factors", json={"label": "Before"})
            wait_for(ollie[1])
            wait_for(fran[1])
            editor.patch(f"/api/v1/maps/{made.id}", json={"version": 1, "visibility": "group"})
            ollie[0].join(timeout=60)
            assert not ollie[0].is_alive()
            editor.post(f"/api/v1/maps/{made.id}/factors", json={"label": "After"})
            fran[0].join(timeout=60)
    assert [name for name, _ in ollie[1]] == ["change", "closed"]
    assert "After" not in json.dumps(ollie[1])
    assert [name for name, _ in fran[1]] == ["change", "change", "change"]  # the map's update too


def watch_as(url, cookies, *, count):
    seen: list = []
    watcher = threading.Thread(
        target=read_stream,
        args=(url,),
        kwargs={"count": count, "timeout": 60, "into": seen, "cookies": cookies},
    )
    watcher.start()
    return watcher, seen

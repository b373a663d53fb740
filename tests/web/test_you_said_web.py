""" "You said, we did" on the web (issue 16, item 5): the public page shows consented words as
"a resident" only, never a pseudonym or a name, and a withdrawal takes them off the page, the
JSON and the Atom feed; the Atom feed is valid Atom 1.0; staff pages and the API write actions
and feedback with errors naming the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest

from .._coproduction import add_event, consenting
from .._you_said import add_theme, code, say
from ._helpers import error_shape

ATOM = "{http://www.w3.org/2005/Atom}"
NAMED = "The bus stops before the park, so we never go"
WITHHELD = "Said without consent to be quoted"
GROUP = "Table 3 wants a community orchard"


@pytest.fixture
def town(writable_client):
    """testtown with a public café: a named quote (consented), a quote by someone who gave
    take_part only, a table's note, all marked public; two themes, a public action done with
    feedback, a private one."""
    ws = writable_client.app.state.workspace
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    sheet = ws.consent.add_sheet("Taking part", "v1", "What taking part means ...")
    named = consenting(ws, sheet.id, quote="named")
    ws.participants.set_identity(named.id, {"name": "Rani Example"})
    silent = consenting(ws, sheet.id)
    event = add_event(ws, place="testtown", public=True)  # public pages read public events
    buses, food = add_theme(ws, "Getting there"), add_theme(ws, "Food growing")
    code(ws, say(ws, event, NAMED, kind="quote", participant=named.id, public=True), buses)
    code(ws, say(ws, event, WITHHELD, kind="quote", participant=silent.id, public=True), buses)
    code(ws, say(ws, event, GROUP, group_label="Table 3", public=True), food)
    done = ws.actions.add("Bus stop moved", place="testtown", themes=[buses])
    ws.actions.done(done.id, evidence="The stop is now at the park gate", done_on=date(2026, 6, 1))
    ws.actions.add_feedback(
        "We moved the stop", shared_on=date(2026, 6, 2), channel="newsletter", action=done.id
    )
    ws.actions.add("Secret plan", place="testtown", public=False, themes=[food])
    return {"ws": ws, "named": named, "done": done}


def _everything(client) -> str:
    return "".join(
        client.get(path).text
        for path in (
            "/places/testtown/you-said-we-did",
            "/api/v1/places/testtown/you-said-we-did",
            "/places/testtown/you-said-we-did.atom",
        )
    )


def test_public_page_shows_consented_words_as_a_resident_only(writable_client, town):
    page = writable_client.get("/places/testtown/you-said-we-did")
    assert page.status_code == 200
    text = page.text
    assert NAMED in text and "a resident" in text and GROUP in text and "Table 3" in text
    assert WITHHELD not in text  # no quote consent
    everything = _everything(writable_client)
    assert town["named"].code not in everything and "Rani" not in everything
    assert town["named"].id not in everything
    assert "Secret plan" not in everything  # not public
    assert "Bus stop moved" in text and "The stop is now at the park gate" in text
    # one person's words under "Getting there": a count about people, under disclosure control
    assert "Fewer than" in text
    body = writable_client.get("/api/v1/places/testtown/you-said-we-did").json()
    theme = next(t for t in body["themes"] if t["name"] == "Getting there")
    assert theme["contributions"] is None and theme["quotes"] == [
        {"text": NAMED, "who": "a resident"}
    ]
    assert body["closure"]["actions_done"] == 1 and body["closure"]["actions"] == 1


def test_a_withdrawn_quote_disappears_everywhere(writable_client, town):
    assert NAMED in _everything(writable_client)
    town["ws"].consent.withdraw(town["named"].id, scopes=["quote"], method="online")
    everything = _everything(writable_client)
    assert NAMED not in everything
    assert GROUP in everything  # group notes stay


def test_taking_part_withdrawn_hides_the_quote_too(writable_client, town):
    town["ws"].consent.withdraw(town["named"].id, scopes=["all"], method="online")
    assert NAMED not in _everything(writable_client)


def test_the_atom_feed_is_valid_atom(writable_client, town):
    response = writable_client.get("/places/testtown/you-said-we-did.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["self"].endswith("/places/testtown/you-said-we-did.atom")
    assert links["alternate"].endswith("/places/testtown/you-said-we-did")
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2  # the public action and its feedback; the private one is not
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        updated = entry.find(f"{ATOM}updated").text
        assert datetime.strptime(updated, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Done: Bus stop moved" in titles


def test_an_unknown_place_is_a_404(writable_client):
    assert writable_client.get("/places/nowhere/you-said-we-did").status_code == 404
    error_shape(writable_client.get("/api/v1/places/nowhere/you-said-we-did"), 404, "not_found")
    assert writable_client.get("/places/nowhere/you-said-we-did.atom").status_code == 404


def test_staff_page_creates_an_action_that_appears_on_the_public_page(writable_client, town):
    ws = town["ws"]
    theme = ws.actions.themes_of_place("testtown")[0]["id"]
    made = writable_client.post(
        "/actions",
        data={
            "place": "testtown",
            "title": "Orchard on the green",
            "due_on": "2026-01-10",
            "status": "in_progress",
            "public": "yes",
            "themes": [theme],
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    action_page = writable_client.get(made.headers["location"])
    assert "Orchard on the green" in action_page.text and 'id="late"' in action_page.text
    listing = writable_client.get("/actions?place=testtown")
    assert "Orchard on the green" in listing.text and 'id="overdue"' in listing.text
    public = writable_client.get("/places/testtown/you-said-we-did").text
    assert "Orchard on the green" in public and "(late)" in public


def test_api_writes_with_versions_and_errors_naming_the_field(writable_client, town):
    made = writable_client.post(
        "/api/v1/actions", json={"title": "Library hours", "place": "testtown"}
    )
    assert made.status_code == 201, made.text
    action = made.json()
    url = f"/api/v1/actions/{action['id']}"
    ok = writable_client.patch(url, json={"version": action["version"], "due_on": "2030-01-01"})
    assert ok.status_code == 200 and ok.json()["due_on"] == "2030-01-01"
    stale = writable_client.patch(url, json={"version": action["version"], "title": "Again"})
    error_shape(stale, 409, "conflict")
    bad = error_shape(writable_client.patch(url, json={"status": "finished"}), 422, "invalid_input")
    assert [p["field"] for p in bad["problems"]] == ["status"]
    missing = error_shape(
        writable_client.post(f"{url}/done", json={"evidence": " "}), 422, "invalid_input"
    )
    assert [p["field"] for p in missing["problems"]] == ["evidence"]
    done = writable_client.post(f"{url}/done", json={"evidence": "Open till 8"})
    assert done.json()["status"] == "done"
    fed = writable_client.post(
        "/api/v1/feedback",
        json={
            "summary": "Told at the café",
            "shared_on": "2026-07-01",
            "channel": "event",
            "action": action["id"],
        },
    )
    assert fed.status_code == 201 and fed.json()["place"] == "testtown"
    assert writable_client.get("/api/v1/feedback", params={"action": action["id"]}).json()
    closure = writable_client.get("/api/v1/places/testtown/closure").json()
    assert closure["actions_done"] == 2 and closure["actions"] == 3  # the private one counts here
    error_shape(
        writable_client.get("/api/v1/actions", params={"status": "nope"}), 422, "invalid_input"
    )
    assert writable_client.delete(url).status_code == 204
    error_shape(writable_client.get(url), 404, "not_found")

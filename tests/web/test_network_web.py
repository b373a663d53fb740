"""The partnership network through the JSON API and pages: measures, drawing, comparison,
introductions, partner profiles and the map; disclosure by role; error shapes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.model.network_words import MEASURES
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from .._partnership import partnership_workspace
from .conftest import LOCAL
from .test_visibility_matrix import TIES

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
FEW_RATERS = "Eastside Lived Experience Panel"  # one rater in round 1 of the demo consortium
PER_REPORT_KEYS = {"ties", "pair_change", "respondent", "respondent_name"}


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The illustrative consortium (43 partners, two closed rounds) in a workspace of its own."""
    ws = partnership_workspace(tmp_path_factory.mktemp("partnership") / "ws.sqlite")
    ws.users.create("vic", "a viewer's long secret", role="viewer")
    ws.users.create("ada", "an admin's long secret", role="admin")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def local(partnership: Workspace) -> TestClient:
    """Local single-user mode: the user is an admin."""
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=partnership)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def signed_in(workspace: Workspace, username: str, password: str) -> TestClient:
    client = TestClient(create_app(SHARED, workspace=workspace), base_url="https://testserver")
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code < 400, response.text
    return client


@pytest.fixture(scope="module")
def viewer(partnership: Workspace) -> TestClient:
    return signed_in(partnership, "vic", "a viewer's long secret")


@pytest.fixture(scope="module")
def admin(partnership: Workspace) -> TestClient:
    return signed_in(partnership, "ada", "an admin's long secret")


@pytest.fixture(scope="module")
def rounds(local: TestClient) -> list[dict[str, Any]]:
    response = local.get("/api/v1/network/rounds")
    assert response.status_code == 200, response.text
    return list(response.json())


def partner_id(workspace: Workspace, key: str) -> str:
    return workspace.partners.get(key).id


def row_of(metrics: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in metrics["partners_table"] if r["name"] == name)


def keys_in(value: Any) -> set[str]:
    """Every key of every mapping in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


# -- the API --------------------------------------------------------------------------------------
def test_rounds_are_listed_oldest_first(rounds: list[dict[str, Any]]) -> None:
    assert [r["name"] for r in rounds] == ["Round 1 — spring 2025", "Round 2 — spring 2026"]
    assert [r["roster"] for r in rounds] == [40, 41]
    assert all(r["status"] == "closed" for r in rounds)


def test_metrics_carry_every_measure_and_plain_sentences(local, rounds) -> None:
    metrics = local.get(f"/api/v1/network/{rounds[0]['id']}/metrics").json()
    assert metrics["partners"] == 40 and metrics["respondents"] == 32
    assert metrics["response_rate"] == pytest.approx(0.8)
    for key in ("density", "valued_density", "reciprocity", "centralisation", "assortativity"):
        assert metrics[key] is not None, key
    assert set(metrics["ei"]) >= {"index", "expected", "p_value", "permutations", "groups"}
    assert metrics["sentences"][0] == "32 of 40 partners answered (80%)."
    assert len(metrics["partners_table"]) == 40
    # by name too
    by_name = local.get(f"/api/v1/network/{rounds[0]['name']}/metrics")
    assert by_name.status_code == 200 and by_name.json()["ties"] == metrics["ties"]


def test_drawing_has_the_roster_and_pair_ties(local, rounds) -> None:
    first = local.get(f"/api/v1/network/{rounds[0]['id']}/drawing").json()
    second = local.get(f"/api/v1/network/{rounds[1]['id']}/drawing").json()
    assert len(first["nodes"]) == 40 and len(second["nodes"]) == 41
    assert len(first["edges"]) != len(second["edges"])
    node = first["nodes"][0]
    assert set(node) >= {"id", "name", "sector", "sector_label", "colour", "latitude", "degree"}
    levels = {e["level_label"] for e in first["edges"]}
    assert levels <= {"cooperative", "coordinated", "integrated", "unspecified"}
    assert {e["mutual"] for e in first["edges"]} == {True, False}
    assert all(e["source"] < e["target"] for e in first["edges"])  # pairs, not reports


def test_compare_two_rounds(local, rounds) -> None:
    a, b = rounds[0]["id"], rounds[1]["id"]
    change = local.get("/api/v1/network/compare", params={"a": a, "b": b}).json()
    assert {p["name"] for p in change["joiners"]} == {
        "Bow Common Parents Network",
        "Kentish Town Songbirds",
        "Lived-experience member D",
    }
    assert {p["name"] for p in change["leavers"]} == {
        "Corby Old Town Walking Group",
        "Shoreditch Yard Workspace Ltd",
    }
    assert change["kept"] > change["new"] > change["lost"] > 0
    assert 0 < change["jaccard"] < 1
    assert len(change["transitions"]["counts"]) == len(change["transitions"]["levels"])
    assert any(
        "Stepney Green" in (f.get("a_name", "") + f.get("respondent_name", ""))
        for f in change["fading"]
    )
    assert change["sentences"][0].endswith("partners answered both rounds.")


def test_introductions_come_with_reasons(local, rounds) -> None:
    rows = local.get(f"/api/v1/network/{rounds[1]['id']}/introductions?limit=3").json()
    assert 0 < len(rows) <= 3
    assert all(r["reason"] and r["a_name"] and r["b_name"] for r in rows)
    assert all(r["sector_a"] != r["sector_b"] for r in rows)


def test_partner_profile(local, partnership, rounds) -> None:
    pid = partner_id(partnership, "p-kingsmead")
    profile = local.get(f"/api/v1/partners/{pid}/profile").json()
    assert profile["partner"]["name"] == "Kingsmead University Centre for Community Health"
    assert [r["round"] for r in profile["rounds"]] == [r["name"] for r in rounds]
    one = local.get(f"/api/v1/partners/{pid}/profile", params={"round": rounds[0]["id"]}).json()
    assert [r["round"] for r in one["rounds"]] == [rounds[0]["name"]]
    assert one["rounds"][0]["degree"] == len(one["rounds"][0]["ties"])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/network/no-such-round/metrics",
        "/api/v1/network/no-such-round/drawing",
        "/api/v1/network/no-such-round/introductions",
        "/api/v1/partners/no-such-partner/profile",
    ],
)
def test_unknown_rounds_and_partners_are_404_json(local, url) -> None:
    error_shape(local.get(url), 404, "not_found")


def test_unknown_round_in_a_comparison_or_profile_is_404(local, partnership, rounds) -> None:
    error_shape(
        local.get("/api/v1/network/compare", params={"a": rounds[0]["id"], "b": "nope"}),
        404,
        "not_found",
    )
    pid = partner_id(partnership, "p-kingsmead")
    error_shape(local.get(f"/api/v1/partners/{pid}/profile?round=nope"), 404, "not_found")


def test_bad_queries_are_422_naming_the_field(local, rounds) -> None:
    error = error_shape(local.get("/api/v1/network/compare?a=x"), 422, "invalid_input")
    assert [p["field"] for p in error["problems"]] == ["b"]
    error = error_shape(
        local.get(f"/api/v1/network/{rounds[0]['id']}/introductions?limit=0"), 422, "invalid_input"
    )
    assert [p["field"] for p in error["problems"]] == ["limit"]


def test_signing_in_is_needed(partnership) -> None:
    anonymous = TestClient(create_app(SHARED, workspace=partnership), base_url="https://testserver")
    error_shape(anonymous.get("/api/v1/network/rounds"), 401, "authentication_required")
    page = anonymous.get("/network", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


# -- disclosure -----------------------------------------------------------------------------------
def test_scores_from_few_raters_are_hidden_from_non_admins(viewer, admin, rounds) -> None:
    url = f"/api/v1/network/{rounds[0]['id']}/metrics"
    seen_by_admin = admin.get(url).json()
    seen_by_viewer = viewer.get(url).json()
    few = row_of(seen_by_admin, FEW_RATERS)
    assert 0 < few["raters_trust"] < seen_by_admin["min_raters"]
    assert few["trust"] is not None and few["value"] is not None
    hidden = row_of(seen_by_viewer, FEW_RATERS)
    assert hidden["trust"] is None and hidden["value"] is None
    assert all(hidden[k] is None for k in ("trust_reliability", "value_influence"))
    assert seen_by_viewer["suppressed"] is True and seen_by_admin["suppressed"] is False
    # a partner with many raters keeps its scores for everyone
    many = row_of(seen_by_viewer, "Kingsmead University Centre for Community Health")
    assert many["trust"] is not None


def test_non_admins_never_receive_per_report_answers(viewer, admin, partnership, rounds) -> None:
    a, b = rounds[0]["id"], rounds[1]["id"]
    for_viewer = viewer.get("/api/v1/network/compare", params={"a": a, "b": b}).json()
    for_admin = admin.get("/api/v1/network/compare", params={"a": a, "b": b}).json()
    assert not PER_REPORT_KEYS & set(for_viewer)
    assert {"ties", "pair_change"} <= set(for_admin)
    for fading in for_viewer["fading"]:
        assert set(fading) == {"a", "b", "a_name", "b_name", "reasons"}
    drawing = viewer.get(f"/api/v1/network/{a}/drawing").json()
    for edge in drawing["edges"]:
        assert set(edge) == {"source", "target", "level", "level_label", "mutual"}
    metrics = viewer.get(f"/api/v1/network/{a}/metrics").json()
    assert not {"respondent", "frequency", "level"} & keys_in(metrics["partners_table"])
    pid = partner_id(partnership, "p-kingsmead")
    profile = viewer.get(f"/api/v1/partners/{pid}/profile").json()
    assert not {"respondent", "respondent_name", "frequency"} & keys_in(profile)


def test_pages_hide_few_rater_scores_from_non_admins(viewer, admin, partnership, rounds) -> None:
    panel = next(p for p in partnership.partners.list() if p.name == FEW_RATERS)
    url = f"/partners/{panel.id}/profile?round={rounds[0]['id']}"
    assert "hidden: fewer than 3 raters" in viewer.get(url).text
    assert "hidden: fewer than 3 raters" not in admin.get(url).text
    page = viewer.get(f"/network?round={rounds[0]['id']}").text
    assert "hidden: fewer than 3 raters" in page


# -- pages ----------------------------------------------------------------------------------------
def test_network_page_explains_every_measure(local, rounds) -> None:
    page = local.get("/network")
    assert page.status_code == 200
    text = page.text
    for key in ("response_rate", "density", "reciprocity", "centralisation", "ei", "k_max"):
        name, explanation = MEASURES[key]
        assert name in text, key
        assert explanation.replace("'", "&#39;") in text, key
    for heading in (
        "How closely pairs work together",
        "Trust and value by sector",
        "Ties between sectors",
        "Who brokers between others",
        "What the partnership has achieved",
        "What partners bring",
        "Suggested introductions",
    ):
        assert heading in text
    assert 'id="round-slider"' in text and 'max="1"' in text
    assert "/static/vendor/cytoscape/cytoscape.min.js" in text
    assert rounds[1]["name"] in text  # the newest round by default
    for link in (
        'href="/network/compare"',
        'href="/network/map"',
        'href="/partners"',
        'href="/rounds"',
    ):
        assert link in text


def test_network_page_for_a_chosen_round(local, rounds) -> None:
    page = local.get(f"/network?round={rounds[0]['id']}").text
    assert "The measures of Round 1 — spring 2025" in page
    assert "32 of 40 partners answered (80%)." in page


def test_compare_page(local, rounds) -> None:
    page = local.get("/network/compare")
    assert page.status_code == 200
    text = page.text
    assert "partners answered both rounds." in text
    assert 'id="transitions"' in text and "Fading ties" in text
    assert "Kentish Town Songbirds" in text and "Corby Old Town Walking Group" in text
    chosen = local.get(f"/network/compare?a={rounds[1]['id']}&b={rounds[0]['id']}").text
    assert "From <strong>Round 2 — spring 2026</strong>" in chosen


def test_profile_page(local, partnership) -> None:
    pid = partner_id(partnership, "p-kingsmead")
    page = local.get(f"/partners/{pid}/profile")
    assert page.status_code == 200
    text = page.text
    assert "Kingsmead University Centre for Community Health" in text
    assert "Brokerage roles" in text and 'id="ties"' in text and 'id="trend"' in text
    assert "Round 1 — spring 2025" in text and "Round 2 — spring 2026" in text


def test_map_page(local, rounds) -> None:
    page = local.get("/network/map")
    assert page.status_code == 200
    assert "/static/vendor/leaflet/leaflet.js" in page.text
    data = page.text.split('<script type="application/json" id="map-data">')[1].split("</script>")[
        0
    ]
    located = json.loads(data)
    # the 37 organisations of round 2 are on the map; its 4 individual members never (their
    # location may be their home)
    assert len(located["nodes"]) == 37 and located["edges"]
    assert all(n["kind"] == "organisation" for n in located["nodes"])


def test_unknown_things_on_pages_are_html_404s(local) -> None:
    for url in ("/network?round=nope", "/partners/nope/profile", "/network/compare?a=x&b=y"):
        page = local.get(url)
        assert page.status_code == 404 and "<html" in page.text, url


def test_empty_workspace_pages_say_what_to_do(tmp_path) -> None:
    ws = open_workspace(tmp_path / "empty.sqlite", actor="tester")
    try:
        client = TestClient(
            create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws),
            raise_server_exceptions=False,
            **LOCAL,
        )
        assert client.get("/api/v1/network/rounds").json() == []
        for url, words in (
            ("/network", "No survey rounds yet"),
            ("/network/compare", "A comparison needs two survey rounds"),
            ("/network/map", "Map of partners"),
        ):
            page = client.get(url)
            assert page.status_code == 200 and words in page.text, url
    finally:
        ws.close()


# -- issue 14 --------------------------------------------------------------------------------------


def test_every_role_can_compare_rounds_also_when_the_change_is_hidden(tmp_path):
    """Finding 7: with fewer partners in both rounds than the threshold, the comparison hides
    its counts from non-admins, and the page failed on them (a 500 for every role but admin)."""
    ws = open_workspace(tmp_path / "compare.sqlite", actor="tester")
    try:
        ws.surveys.import_file(TIES.encode(), name="ties.csv", default_sector="vcse")
        for r in ws.surveys.rounds():  # three partners answered both: fewer than 5
            ws.surveys.update_round(r.id, {"min_raters": 5}, version=None)
        empty = ws.surveys.create_round("Not yet answered", date=dt.date(2027, 1, 1))
        for role in ("viewer", "partner", "facilitator", "analyst", "admin"):
            ws.users.create(role, f"a long secret of the {role}", role=role)
            client = signed_in(ws, role, f"a long secret of the {role}")
            page = client.get("/network/compare", params={"a": "2025", "b": "2026"})
            assert page.status_code == 200, (role, page.text[-500:])
            hidden = role != "admin"
            assert ("fewer partners than the rounds' threshold" in page.text) == hidden, role
            # a round without ties has no E-I index: the other's is still shown
            with_empty = client.get("/network/compare", params={"a": "2026", "b": empty.id})
            assert with_empty.status_code == 200, (role, with_empty.text[-500:])
    finally:
        ws.close()


def test_a_round_shared_by_link_shows_its_measures_and_no_one(partnership, admin, viewer) -> None:
    first = partnership.surveys.rounds()[0]
    made = admin.post(f"/api/v1/rounds/{first.id}/share")
    assert made.status_code == 200, made.text
    anonymous = TestClient(create_app(SHARED, workspace=partnership), base_url="https://testserver")
    shared = anonymous.get(f"/api/v1/shared-rounds/{made.json()['token']}").json()
    assert shared["partners"] == 40 and "partners_table" not in shared
    assert shared["sentences"][0] == "32 of 40 partners answered (80%)."
    names = {p.name for p in partnership.partners.list()}
    text = json.dumps(shared)
    assert not [name for name in names if name in text]  # no partner is named
    page = anonymous.get(made.json()["url"].replace("https://testserver", ""))
    assert page.status_code == 200 and "32 of 40 partners answered" in page.text
    assert viewer.get(f"/api/v1/rounds/{first.id}").json()["visibility"] == "link"
    assert (
        admin.patch(
            f"/api/v1/rounds/{first.id}", json={"version": first.version + 1, "visibility": "group"}
        ).json()["shared"]
        is False
    )
    error_shape(anonymous.get(f"/api/v1/shared-rounds/{made.json()['token']}"), 404, "not_found")
    error_shape(viewer.get(f"/api/v1/network/{first.id}/metrics"), 404, "not_found")
    assert first.name not in viewer.get("/network").text
    profile = viewer.get(f"/api/v1/partners/{partnership.partners.list()[0].id}/profile").json()
    assert first.name not in {r["round"] for r in profile["rounds"]}
    admin.patch(
        f"/api/v1/rounds/{first.id}",
        json={"version": first.version + 2, "visibility": "consortium"},
    )
    assert viewer.get(f"/api/v1/network/{first.id}/metrics").status_code == 200

"""Partnership pages that open on the latest round with answers (issue 17, item 6): a newer
round still open with no answers is said to be "in progress, N of M answered"; the network,
the map, the profile and the API's defaults open on the latest closed round with answers; the
comparison skips the open round; introductions are not computed from nothing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from .._partnership import partnership_workspace
from .conftest import LOCAL

ROUND_2 = "Round 2 — spring 2026"


@pytest.fixture(scope="module")
def partnership(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The demo consortium's two closed rounds and a third, open, that no one has answered."""
    ws = partnership_workspace(tmp_path_factory.mktemp("open-round") / "ws.sqlite")
    ws.surveys.create_round("Round 3 — autumn 2026", date=dt.date(2026, 10, 15), status="open")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def local(partnership: Workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=partnership)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


@pytest.fixture(scope="module")
def rounds(local: TestClient) -> list[dict[str, Any]]:
    return list(local.get("/api/v1/network/rounds").json())


def test_the_api_says_which_round_is_in_progress_and_which_are_shown(rounds) -> None:
    assert [r["progress"] for r in rounds] == [
        "closed, 32 of 40 answered",
        "closed, 31 of 41 answered",
        "in progress, 0 of 41 answered",
    ]
    assert [r["in_progress"] for r in rounds] == [False, False, True]
    assert [r["shown"] for r in rounds] == [False, True, False]
    assert [r["compared"] for r in rounds] == [True, True, False]


def test_the_network_page_opens_on_the_latest_round_with_answers(local) -> None:
    """It opened on the open round: a blank network, every measure 0."""
    page = local.get("/network").text
    assert f"The measures of {ROUND_2}" in page
    assert "31 of 41 partners answered (76%)." in page
    assert "Round 3 — autumn 2026 is in progress, 0 of 41 answered" in page
    assert 'id="no-answers"' not in page
    assert 'id="introductions"' in page and "No introductions to suggest" not in page


def test_the_open_round_asked_for_says_it_has_no_answers(local, rounds) -> None:
    page = local.get("/network", params={"round": rounds[2]["id"]}).text
    assert 'id="no-answers"' in page and "No one has answered Round 3" in page
    assert "in progress, 0 of 41 answered" in page
    assert 'id="level-profile"' not in page and 'id="introductions"' not in page


def test_introductions_are_not_computed_from_nothing(local, rounds) -> None:
    assert local.get(f"/api/v1/network/{rounds[2]['id']}/introductions").json() == []
    assert local.get(f"/api/v1/network/{rounds[1]['id']}/introductions").json()


def test_the_comparison_skips_the_open_round(local) -> None:
    """It compared round 2 with the open round: "267 -> 0 pairs" in red."""
    page = local.get("/network/compare").text
    assert f"to <strong>{ROUND_2}</strong>" in page
    assert "From <strong>Round 1 — spring 2025</strong>" in page
    assert "Round 3 — autumn 2026 is in progress, 0 of 41 answered" in page
    assert "nothing to compare" not in page


def test_a_comparison_asked_with_the_open_round_says_there_is_nothing_to_compare(
    local, rounds
) -> None:
    page = local.get("/network/compare", params={"a": rounds[1]["id"], "b": rounds[2]["id"]})
    assert page.status_code == 200
    assert 'id="nothing-to-compare"' in page.text and 'id="transitions"' not in page.text
    change = local.get(
        "/api/v1/network/compare", params={"a": rounds[1]["id"], "b": rounds[2]["id"]}
    ).json()
    assert change["sentences"] == [
        "Round 3 — autumn 2026 has no answers yet (in progress, 0 of 41 answered): there is "
        "nothing to compare."
    ]
    assert change["in_progress"][0]["progress"] == "in progress, 0 of 41 answered"


def test_one_round_asked_for_is_compared_with_the_latest_closed_one(local, rounds) -> None:
    page = local.get("/network/compare", params={"a": rounds[0]["id"]}).text
    assert f"to <strong>{ROUND_2}</strong>" in page


def test_the_profile_and_map_open_on_the_latest_round_with_answers(local, partnership) -> None:
    pid = partnership.partners.get("p-kingsmead").id
    profile = local.get(f"/api/v1/partners/{pid}/profile").json()
    assert [r["round"] for r in profile["rounds"]][-1] == ROUND_2  # no row of zeros for round 3
    assert local.get(f"/partners/{pid}/profile").status_code == 200
    page = local.get("/network/map").text
    data = page.split('<script type="application/json" id="map-data">')[1].split("</script>")[0]
    assert json.loads(data)["edges"]  # the ties of round 2, not the empty round 3


def test_a_workspace_without_rounds_still_says_what_to_do(tmp_path) -> None:
    """With no rounds at all, the pages still say what to do (the earlier behaviour)."""
    from mobilise import open_workspace

    ws = open_workspace(tmp_path / "empty.sqlite", actor="tester")
    try:
        client = TestClient(
            create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws),
            raise_server_exceptions=False,
            **LOCAL,
        )
        assert "No survey rounds yet" in client.get("/network").text
        assert "A comparison needs two survey rounds" in client.get("/network/compare").text
    finally:
        ws.close()

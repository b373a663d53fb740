"""Who we reached on the web (issue 15, item 4): the Census figures of one LSOA traced from the
shipped file to the page, the chart drawn without script, a partner shown counts (suppressed)
and never rows, the place page's link, and bad queries refused with the one error shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app
from tests.web._helpers import error_shape

from .._reach import PLACE, UNCHANGED, build_place, event, person, shipped_census_row
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
PASSWORD = "a long enough test password"
ETHNIC_LABELS = ("Asian", "Black", "Mixed", "White", "Other ethnic group")


@pytest.fixture(scope="module")
def reached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Camden (test) with eight participants from Camden 011A at one café, two of them men and
    two brought by a partner."""
    from mobilise.workspace import users

    folder: Path = tmp_path_factory.mktemp("reach")
    ws = open_workspace(folder / "ws.sqlite", actor="tester")
    build_place(ws, folder)
    sheet = ws.consent.add_sheet("Taking part", "1.0", "What happens.")
    friends = ws.partners.create("Friends of the Park", sector="vcse")
    cafe = event(ws, "world_cafe", "2026-03-02")
    for number, (sex, ethnic) in enumerate(
        [("female", "white_british")] * 4
        + [("female", "asian_bangladeshi")] * 2
        + [("male", "black_african")] * 2
    ):
        extra = {"brought_by": friends.key} if number < 2 else {}
        found = person(ws, sheet.id, sex=sex, ethnic_group=ethnic, **extra)
        ws.events.attend(cafe.id, found.id)
    cheap = users._hasher
    from argon2 import PasswordHasher

    users._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        for role in ("partner", "admin"):
            ws.users.create(role, PASSWORD, role=role)
        yield ws
    finally:
        users._hasher = cheap
        ws.close()


@pytest.fixture(scope="module")
def local(reached: Workspace) -> TestClient:
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=reached)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def _signed_in(workspace: Workspace, username: str) -> TestClient:
    from argon2 import PasswordHasher

    from mobilise.workspace import users

    cheap, users._hasher = users._hasher, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    client = TestClient(
        create_app(SHARED, workspace=workspace),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )
    try:
        answer = client.post("/login", data={"username": username, "password": PASSWORD})
        assert answer.status_code in (200, 303), answer.text
    finally:
        users._hasher = cheap
    return client


def _row(page: str, dimension: str, group: str) -> str:
    section = page.split(f'data-dimension="{dimension}"', 1)[1].split("</ol>", 1)[0]
    return section.split(f'data-group="{group}"', 1)[1].split("</li>", 1)[0]


def test_the_census_of_one_lsoa_reaches_the_page(local: TestClient) -> None:
    page = local.get(f"/places/{PLACE}/reach?population_of=participants_areas")
    assert page.status_code == 200, page.text
    # every participant came from Camden 011A: the residents shown are its row of TS021
    asian, black, mixed, white, other = shipped_census_row("ethnic_group", UNCHANGED)
    total = asian + black + mixed + white + other
    row = _row(page.text, "ethnic_group", "white")
    assert f"({white:,})" in row
    assert f"{white / total:.0%} of residents" in row
    assert "50% of participants (4)" in row
    female, _male = shipped_census_row("sex", UNCHANGED)
    assert f"({female:,})" in _row(page.text, "sex", "female")
    # the chart: an SVG bar for participants and for residents, no script on the page
    assert _row(page.text, "ethnic_group", "white").count("<rect") == 3
    assert "<script>" not in page.text and "onclick" not in page.text
    assert "Open Government Licence v3.0" in page.text
    assert "OGL-UK-3.0" in page.text


def test_plain_words_and_the_place_link(local: TestClient) -> None:
    page = local.get(f"/places/{PLACE}/reach").text
    # all eight came from Camden 011A, IMD decile 9: far beyond its share of the place
    assert re.search(
        r"People from decile 9 areas were [\d.]+ times as likely to take part as their share "
        r"of residents\.",
        page,
    )
    assert "People from the most deprived fifth of areas did not take part at all" in page
    assert "Dissimilarity index" in page and "Who came back" in page
    assert "Friends of the Park" in page
    place = local.get(f"/places/{PLACE}").text
    assert f'href="/places/{PLACE}/reach"' in place


def test_a_partner_sees_counts_suppressed_never_rows(reached: Workspace) -> None:
    partner = _signed_in(reached, "partner")
    answer = partner.get(f"/api/v1/places/{PLACE}/reach?by=sex&by=ethnic_group")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["k"] == 3 and body["participants_shown"] == "8"
    sex = {g["group"]: g for g in body["dimensions"][0]["groups"]}
    assert sex["male"]["count"] is None and sex["male"]["count_shown"] == "fewer than 3"
    assert sex["male"]["ratio"] is None and sex["male"]["share"] is None
    assert body["partners"][0]["participants_shown"] == "fewer than 3"
    codes = [p.code for p in reached.participants.list(place=PLACE)]
    ids = [p.id for p in reached.participants.list(place=PLACE)]
    assert not any(c in answer.text for c in [*codes, *ids])
    page = partner.get(f"/places/{PLACE}/reach").text
    assert "fewer than 3" in page and not any(c in page for c in codes)
    admin = _signed_in(reached, "admin").get(f"/api/v1/places/{PLACE}/reach?by=sex").json()
    assert admin["k"] is None
    assert {g["group"]: g["count"] for g in admin["dimensions"][0]["groups"]}["male"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("by=wealth", "by"),
        ("event_kind=rave", "event_kind"),
        ("population_of=nearby", "population_of"),
        ("since=2026-06-01&until=2026-01-01", "since"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(
    local: TestClient, query: str, field: str
) -> None:
    error = error_shape(local.get(f"/api/v1/places/{PLACE}/reach?{query}"), 422, "invalid_input")
    assert field in {p["field"] for p in error["problems"]}
    assert local.get(f"/places/{PLACE}/reach?since=soon").status_code == 422
    assert local.get("/api/v1/places/nowhere/reach").status_code == 404


def test_the_page_form_sends_empty_fields(local: TestClient) -> None:
    answer = local.get(f"/places/{PLACE}/reach?since=&until=&event_kind=&population_of=place")
    assert answer.status_code == 200
    assert ETHNIC_LABELS[0] in answer.text


def test_the_demo_places_have_their_census_and_its_source(client: TestClient) -> None:
    """The shipped Census covers both demo places, and the dataset is on the sources page."""
    for slug in ("northamptonshire", "inner-north-east-london"):
        found = client.get(f"/api/v1/places/{slug}/reach?by=ethnic_group&by=age_band").json()
        assert all(d["available"] for d in found["dimensions"]), found["dimensions"]
        assert all(d["areas"] > 400 for d in found["dimensions"])
    sources = client.get("/sources").text
    assert "Census 2021: usual residents by age" in sources

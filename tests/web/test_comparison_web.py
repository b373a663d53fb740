"""Place comparison over the web and the command line, on the demo places: hand-checked
figures, the page (SVG charts, no script), and bad input as 404/422 and one line."""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from mobilise.cli.main import run
from mobilise.demo import DEMO_DATA

PAIR = "northamptonshire,inner-north-east-london"
NORTHANTS_LADS = {"E06000061", "E06000062"}


@pytest.fixture(scope="module")
def compared(client) -> dict:
    response = client.get("/api/v1/places/compare", params={"places": PAIR})
    assert response.status_code == 200
    return response.json()


def _aged_65_plus_in_northamptonshire() -> tuple[int, int]:
    """From the shipped Census file, read with the csv module: 65 and over, and everyone."""
    path = DEMO_DATA / "census2021" / "age_6cat_lsoa21.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["lad22cd"] in NORTHANTS_LADS]
    older = sum(int(r["Aged 65 years and over"]) for r in rows)
    return older, sum(int(r["total_usual_residents"]) for r in rows)


def test_hand_checked_figures(compared: dict, demo_workspace) -> None:
    sections = {s["key"]: s for s in compared["sections"]}
    assert list(sections) == [
        "population",
        "deprivation",
        "health",
        "gradient",
        "access",
        "assets",
        "partnership",
        "engagement",
        "transfer",
    ]
    northants = sections["population"]["places"]["northamptonshire"]
    assert northants["population"] == demo_workspace.places.get("northamptonshire").population
    older, everyone = _aged_65_plus_in_northamptonshire()
    band = next(g for g in northants["age"]["groups"] if g["group"] == "65_plus")
    assert band["count"] == older
    assert band["share"] == pytest.approx(older / everyone, abs=1e-9)
    assets = sections["assets"]["places"]["northamptonshire"]
    counted = demo_workspace.assets.count(place="northamptonshire")
    assert assets["assets"] <= counted
    assert assets["per_1000"] == pytest.approx(1000 * assets["assets"] / northants["population"])


def test_differences_have_intervals_and_words(compared: dict) -> None:
    health = next(s for s in compared["sections"] if s["key"] == "health")
    assert {d["indicator"] for d in health["differences"]} >= {"cidr2019", "ypll2019"}
    for gap in health["differences"]:
        assert gap["lower"] <= gap["value"] <= gap["upper"]
    unclear = [d for d in health["differences"] if not d["distinguishable"]]
    words = " ".join(health["sentences"])
    assert len(unclear) == words.count("not distinguishable from chance")
    for key in ("source", "date", "licence", "method"):
        assert health[key]


def test_page_draws_svg_charts_without_inline_script(client) -> None:
    response = client.get("/places/compare", params={"places": PAIR})
    assert response.status_code == 200
    page = response.text
    assert "Comparing Northamptonshire and Inner North and East London" in page
    assert page.count("<svg") >= 2 and 'role="img"' in page
    assert "<script>" not in page and "style=" not in page
    assert "not distinguishable from chance" in page
    assert client.get("/places/compare").status_code == 200  # the form alone


@pytest.mark.parametrize(
    ("places", "status", "words"),
    [
        ("northamptonshire", 422, "at least two different places"),
        ("northamptonshire,nowhere", 404, "No place 'nowhere'"),
        ("Not A Slug", 422, ""),
    ],
)
def test_bad_input_is_a_4xx(client, places: str, status: int, words: str) -> None:
    response = client.get("/api/v1/places/compare", params={"places": places})
    assert response.status_code == status
    assert words in json.dumps(response.json())
    page = client.get("/places/compare", params={"places": places})
    if places == "northamptonshire":  # the page asks for one more place
        assert page.status_code == 200 and "Tick at least one more place" in page.text
    else:
        assert page.status_code == status


def test_command_line(demo_workspace, capsys: pytest.CaptureFixture[str]) -> None:
    where = demo_workspace.url.removeprefix("sqlite:///")
    assert run(["-w", where, "places", "compare", *PAIR.split(","), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [p["slug"] for p in found["places"]] == PAIR.split(",")
    assert run(["-w", where, "places", "compare", "northamptonshire"]) != 0
    error = capsys.readouterr().err
    assert "at least two different places" in error and "Traceback" not in error
    assert run(["-w", where, "places", "compare", *PAIR.split(",")]) == 0
    shown = capsys.readouterr().out
    assert "What could transfer" in shown and "Method:" in shown

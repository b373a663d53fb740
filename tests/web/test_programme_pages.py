"""The programme's pages, demo and evidence pack (issue 20, items 2 (pack), 3 and 4: part P3).

A programme of the ten real projects' public facts (metadata only, from the shipped file) and
two illustrative projects with figures: one marks everything public, the other keeps its reach
and themes private. The pages say "no figures published" for the ten; the public sees only what
each project marked public; suppressed pooled figures read "fewer than k".
"""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace, open_workspace
from mobilise.formats.project_package import RESOURCES, read_package, write_package
from mobilise.settings import Settings
from mobilise.web.app import create_app
from mobilise.workspace.demo_programme import PROGRAMME_DATA, build_programme, real_projects

from ..conftest import _copy_of_template
from .conftest import LOCAL

SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")
VERA = "the long secret of vera"
PAGES = (
    "/programme",
    "/programme/projects",
    "/programme/methods",
    "/programme/partnership",
    "/programme/reach",
    "/programme/themes",
    "/programme/outcomes",
)
ALPHA, BETA = str(uuid.uuid4()), str(uuid.uuid4())
EVERY = dict.fromkeys(("methods", "partners", "network_rounds", "reach", "themes", "actions"), True)


def illustrative(
    title: str, key: str, *, public: dict[str, bool], reach: list[tuple], barrier: tuple[str, str]
) -> bytes:
    """A full illustrative package: methods, sectors, two rounds, reach, themes, actions."""
    meta = {
        "key": key, "title": title, "lead_organisation": "An illustrative consortium",
        "places": [{"name": "Testtown", "lat": 52.2, "lon": -0.9}], "metadata_only": False,
        "release": 1, "released_at": "2026-11-01T09:00:00+00:00", "software": "mobilise 1.0",
        "disclosure_k": 5, "partner_types": ["NHS", "VCSE"], "sources": [],
    }  # fmt: skip
    rounds = [
        {"round": "Spring", "date": "2025-03-01", "partners": 10, "ties": 20, "density": 0.44,
         "centralisation": 0.31, "ties_kept": None, "ties_faded": None, "ties_new": None,
         "retention": None},
        {"round": "Autumn", "date": "2025-10-01", "partners": 12, "ties": 24, "density": 0.36,
         "centralisation": 0.22, "ties_kept": 15, "ties_faded": 5, "ties_new": 9,
         "retention": 0.75},
    ]  # fmt: skip
    tables = {
        "methods": pd.DataFrame(
            [
                {"method": "world_cafe", "used": True, "said": f"Cafés in {title}"},
                {"method": "photovoice", "used": True, "said": ""},
            ]
        ),
        "partners": pd.DataFrame([{"sector": "nhs", "count": 4}, {"sector": "vcse", "count": 9}]),
        "network_rounds": pd.DataFrame(rounds),
        "reach": pd.DataFrame(
            [
                {"dimension": "imd_decile", "group": g, "count": c, "suppressed": c is None}
                for g, c in reach
            ]
        ),
        "themes": pd.DataFrame(
            [
                {
                    "theme": "Green space",
                    "definition": "Parks close to home",
                    "kind": "enabler",
                    "segments": 12,
                    "contributors": 8,
                },
                {
                    "theme": barrier[0],
                    "definition": barrier[1],
                    "kind": "barrier",
                    "segments": 6,
                    "contributors": 6,
                },
            ]
        ),
        "actions": pd.DataFrame(
            [
                {"status": "done", "count": 5, "closed_with_feedback": 3},
                {"status": "in_progress", "count": 2, "closed_with_feedback": 0},
            ]
        ),
    }
    buffer = io.BytesIO()
    write_package(meta, tables, buffer, public=public)
    return buffer.getvalue()


def add_programme(ws: Any) -> None:
    """The ten real projects and two illustrative ones (Beta keeps reach and themes private)."""
    assert build_programme(ws) == 10  # the workspace has no place: the ten only
    big = [("1", 40), ("2", 30), ("3", 20), ("total", 90)]
    fares = ("Bus fares", "What travel costs")
    ws.programme.add(
        illustrative("Alpha (illustrative)", ALPHA, public=EVERY, reach=big, barrier=fares)
    )
    small = [("1", 60), ("2", 25), ("3", 7), ("total", 92)]
    private = {**EVERY, "reach": False, "themes": False}
    damp = ("Damp homes", "Cold and damp housing that makes people ill")
    ws.programme.add(
        illustrative("Beta (illustrative)", BETA, public=private, reach=small, barrier=damp)
    )


@pytest.fixture(scope="module")
def programme(tmp_path_factory, _sqlite_template) -> Iterator[Workspace]:
    """One programme for the module's tests (they read it; one sets k and puts it back), with a
    viewer to sign in."""
    path = tmp_path_factory.mktemp("programme") / "workspace.sqlite"
    ws = open_workspace(_copy_of_template(_sqlite_template, path), actor="tester")
    add_programme(ws)
    ws.users.create("vera", VERA, role="viewer")
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture(scope="module")
def local(programme) -> TestClient:
    """Local mode (the local user is an admin): one app for the module (an app's first request
    costs seconds)."""
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=programme)
    return TestClient(app, raise_server_exceptions=False, **LOCAL)


def _text(html: str) -> str:
    main = html[html.index("<main>") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace("&#34;", '"')


def test_every_page_answers_with_plain_words(local):
    for path in PAGES:
        page = local.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert "<script>" not in page.text  # the strict CSP: page scripts live in static files
    overview = _text(local.get("/programme").text)
    assert "12 projects" in overview and "10 projects published no figures" in overview
    for title, _href in (("Methods", ""), ("Partnership", ""), ("Who was reached", "")):
        assert title in overview


def test_the_ten_real_projects_say_no_figures_published(local, programme):
    """Issue 20, item 4: metadata only, every page saying so, no figure invented."""
    for path in PAGES[3:]:
        text = _text(local.get(path).text)
        assert "No figures published by 10 projects" in text, path
    weston = next(p for p in real_projects() if p["title"].startswith("Weston"))
    page = _text(local.get(f"/programme/projects/{weston['key']}").text)
    assert "No figures published." in page
    assert "Members of the public employed as co-researchers" in page
    assert "What it shared" not in page
    for project in programme.programme.list():
        if project.key in (ALPHA, BETA):
            continue
        assert project.metadata_only
        package = read_package(programme.programme.package(project.key))
        assert set(package.tables) == {"methods"}  # nothing but the methods named


def test_the_methods_matrix_shows_who_used_what_and_what_they_said(local):
    page = local.get("/programme/methods").text
    matrix = page[page.index('id="methods-matrix"') : page.index("</tbody>")]
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", matrix, re.S)
    assert len(rows) == 12  # a row per project
    weston = next(r for r in rows if "Weston-super-Mare" in r)
    assert weston.count('class="used"') == 4  # asset mapping, interviews, researchers, arts
    text = _text(page)
    assert "Cafés in Alpha (illustrative)" in text and "A partner mapping exercise." in text
    assert "Methods no project named" in text and "Ripple effects mapping" in text


def test_partnership_compares_density_centralisation_and_keeping_ties(local):
    text = _text(local.get("/programme/partnership").text)
    assert "0.36" in text and "0.22" in text  # the latest round's density, centralisation
    assert "Spring → Autumn" in text and "75%" in text  # retention between the rounds


def _pooled_total(html: str) -> str:
    found = re.search(r"All projects together: <strong>([^<]+)</strong>", html)
    assert found, html
    return found.group(1)


def test_the_public_sees_only_what_each_project_marked_public(programme):
    """Beta keeps its reach and themes private: a visitor's pooled reach is Alpha's alone and
    Beta's themes are not there; a signed-in viewer sees both."""
    app = create_app(SHARED, workspace=programme)
    visitor = TestClient(app, base_url="https://testserver")
    reach = visitor.get("/programme/reach")
    assert reach.status_code == 200
    assert _pooled_total(reach.text) == "90"
    assert "Not shared publicly by 1 project" in _text(reach.text)
    assert "Damp homes" not in visitor.get("/programme/themes").text
    assert "Sign in" in _text(reach.text)
    viewer = TestClient(app, base_url="https://testserver")
    signed = viewer.post("/login", data={"username": "vera", "password": VERA})
    assert signed.status_code < 400
    assert _pooled_total(viewer.get("/programme/reach").text) == "182"
    assert "Damp homes" in viewer.get("/programme/themes").text
    # the packs are for signed-in users; only editors may make one
    assert "Programme evidence packs" not in visitor.get("/programme").text
    assert "Make a programme evidence pack" not in viewer.get("/programme").text
    made = viewer.post("/programme/packs", headers={"Origin": "https://testserver"})
    assert made.status_code == 403


def test_small_pooled_figures_read_fewer_than_k(local):
    """Decile 3 pools to 27 (20 + 7); with k = 30 (set here) it and a second cell are hidden,
    shown as "fewer than 30" and never as the number."""
    settings = local.app.state.workspace.project_settings
    was = settings.get("disclosure_k")
    settings.set("disclosure_k", 30)
    try:
        page = local.get("/programme/reach").text
    finally:
        settings.set("disclosure_k", was)
    rows = dict(re.findall(r'<th scope="row">(\d+)</th><td class="num">([^<]+)</td>', page))
    assert rows["3"] == "fewer than 30"
    assert sum(value == "fewer than 30" for value in rows.values()) >= 2  # secondary too
    assert ">27<" not in page


def test_an_unknown_project_is_a_404(local):
    assert local.get(f"/programme/projects/{uuid.uuid4()}").status_code == 404
    assert local.get("/programme/projects/" + "x" * 40).status_code == 422


def test_the_demo_data_carries_its_sources_and_maps_methods_to_the_vocabulary():
    from mobilise.model.methods_vocab import METHODS

    document = json.loads((PROGRAMME_DATA / "mca_phase2_projects.json").read_text("utf-8"))
    assert "licence" in document and (PROGRAMME_DATA / "README.md").exists()
    assert len(document["projects"]) == 10
    for project in document["projects"]:
        assert project["sources"] and all(s.startswith("http") for s in project["sources"])
        assert all(m["method"] in METHODS for m in project["methods"])
        assert not {"count", "figures", "participants"} & set(project)


def test_a_rebuilt_demo_programme_adds_nothing(programme):
    assert build_programme(programme) == 0
    assert len(programme.programme.list()) == 12


def test_the_demo_places_become_illustrative_projects(sqlite_workspace):
    """Each demo place is exported as a project of its own, labelled illustrative; its key is
    stable, so a rebuild adds nothing."""
    from mobilise.formats.ons import read_boundaries

    from ..conftest import FIXTURES

    ws = sqlite_workspace
    ws.areas.import_boundaries(read_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson"))
    ws.places.create("testtown", "Testtown", authorities=["E09000001"])
    assert build_programme(ws) == 11
    [made] = [p for p in ws.programme.list() if not p.metadata_only]
    assert made.title == "The demo consortium: Testtown (illustrative)"
    package = read_package(ws.programme.package(made.key))
    assert "Illustrative" in package.meta["note"] and package.public.get("methods")
    assert build_programme(ws) == 0


def test_the_programme_pack_holds_every_section(programme):
    """The pack's sections (no PDF here: the page is made from them), each saying its fact."""
    from mobilise.workspace import _pack_programme, _pack_render

    keys = _pack_programme.SECTIONS
    sections = _pack_programme.sections(programme, keys, lambda *_: None, len(keys))
    assert [s.key for s in sections] == list(keys)
    assert all(s.available for s in sections)
    html = _pack_render.render_html(
        sections,
        title="The programme",
        subtitle="",
        made_on="today",
        number=1,
        pack_id="p",
        k=5,
        plain=False,
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "No figures published by:" in text and "Weston-super-Mare" in text
    assert "Spring to Autumn" in text and "Green space" in text
    assert set(sections[0].inputs["projects"]) >= {ALPHA, BETA}


def test_a_programme_pack_is_made_listed_and_rebuilt(programme):
    pack = programme.packs.build_programme()
    assert pack.status == "done" and pack.pages and pack.place == ""
    assert pack.to_dict()["audience_label"] == "Programme"
    assert programme.packs.pdf(pack.id).startswith(b"%PDF")
    assert [p.id for p in programme.packs.list_programme()] == [pack.id]
    assert pack.manifest["sections"][0]["inputs"]["projects"]
    assert pack.manifest["rebuild"] == f"mobilise pack rebuild {pack.id}"


def test_every_resource_name_is_known_to_the_pages():
    from mobilise.workspace.programme_views import RESOURCE_NAMES

    assert set(RESOURCE_NAMES) == set(RESOURCES) - {"methods"}

"""The acceptance test of the roster survey: an invitation link opened in Chromium by nobody
signed in, on a shared (not local) deployment: answer, save, come back, submit, and the network
of the round has the new respondent and ties."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from mobilise import Workspace, open_workspace
from mobilise.demo import DEMO_DATA
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import serving

SHOTS = Path("/tmp/p6/shots")
SHARED = Settings(host="0.0.0.0", secret_key="a-long-random-test-secret-0123456789")


@pytest.fixture
def consortium(tmp_path: Path) -> Iterator[Workspace]:
    """A fresh workspace with the illustrative consortium's 43 partners and an open round."""
    ws = open_workspace(tmp_path / "ws.sqlite", actor="tester")
    ws.places.create("northamptonshire", "Northamptonshire")
    ws.places.create("inner-north-east-london", "Inner north-east London")
    ws.partners.import_file(DEMO_DATA / "partnership" / "partners.csv")
    ws.surveys.create_round("Round 3 — autumn 2026", date=date(2026, 10, 1), status="open")
    try:
        yield ws
    finally:
        ws.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=False)


def pick(page, partner_id: str, question: str, value: str) -> None:
    page.locator(f'input[name="{partner_id}.{question}"][value="{value}"]').check()


def test_a_partner_answers_through_its_link_and_the_network_updates(browser, consortium):
    ws = consortium
    round_ = ws.surveys.get_round("Round 3 — autumn 2026")
    me = ws.partners.get("p-kingsmead")
    link = ws.surveys.invite(round_.id, partners_=[me.id])[0]
    roster = {p.key: p.id for p in ws.partners.list()}
    nene, lea, fleet, icb = (
        roster[k] for k in ("p-nene-nhs", "p-lea-nhs", "p-fleet-nhs", "p-nene-icb")
    )

    with serving(create_app(SHARED, workspace=ws)) as url:
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url + link.path)
        assert page.locator("h1").inner_text().startswith("How do you work")
        assert me.name in page.locator(".lead").inner_text()
        total = len(ws.surveys.roster(round_.id)) - 1
        assert page.locator("#progress-text").inner_text() == f"0 of {total} partners answered"
        shot(page, "survey-phone-top.png")

        # The NHS trusts are the first sector group, open at the start.
        pick(page, nene, "works_together", "yes")
        assert page.locator(f"#partner-{nene} .more").is_visible()
        pick(page, nene, "frequency", "3")
        pick(page, nene, "level", "2")
        pick(page, nene, "trust_reliability", "4")
        pick(page, nene, "value_influence", "3")
        pick(page, lea, "works_together", "no")
        assert not page.locator(f"#partner-{lea} .more").is_visible()
        page.locator(f"#partner-{nene}").scroll_into_view_if_needed()
        shot(page, "survey-phone-answering.png")
        # A partner in a closed group: found with the search box.
        page.fill("#find-partner", "Fleet River")
        page.wait_for_function(
            f"() => !document.getElementById('partner-{fleet}').hidden && "
            f"document.getElementById('partner-{lea}').hidden",
            polling=50,
        )
        pick(page, fleet, "works_together", "yes")
        pick(page, fleet, "frequency", "4")
        pick(page, fleet, "level", "3")
        pick(page, fleet, "trust_openness", "2")
        page.fill("#find-partner", "")
        page.locator('input[name="contributions"][value="data"]').check()
        page.fill("#comment", "Good to be asked.")
        assert page.locator("#progress-text").inner_text() == f"3 of {total} partners answered"
        page.click("#save")
        page.wait_for_function(
            "() => document.getElementById('status').textContent.startsWith('Saved')", polling=50
        )

        # Come back with the same link: the answers are there.
        page.reload()
        assert page.locator(f'input[name="{nene}.level"][value="2"]').is_checked()
        assert page.locator(f'input[name="{nene}.trust_reliability"][value="4"]').is_checked()
        assert page.locator(f'input[name="{lea}.works_together"][value="no"]').is_checked()
        assert page.locator(f'input[name="{fleet}.level"][value="3"]').is_checked()
        assert page.locator('input[name="contributions"][value="data"]').is_checked()
        assert page.locator("#comment").input_value() == "Good to be asked."
        assert page.locator("#progress-text").inner_text() == f"3 of {total} partners answered"

        # Submitting too early shows the problems next to the partners, in words.
        page.click("#submit")
        page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('another look')",
            polling=50,
        )
        problem = page.locator(f"#partner-{icb} .problem").first.inner_text()
        assert "Do you work with them?" in problem and ws.partners.get(icb).name in problem
        shot(page, "survey-phone-problems.png")

        # Answer everyone else "no" (quickly, as a script would), then yes for the ICB.
        page.evaluate(
            """() => document.querySelectorAll('input[value="no"]').forEach(input => {
                 const yes = document.querySelector(`input[name="${input.name}"][value="yes"]`);
                 if (!input.checked && !yes.checked) input.click();
               })"""
        )
        pick(page, icb, "works_together", "yes")
        pick(page, icb, "frequency", "2")
        pick(page, icb, "level", "1")
        assert (
            page.locator("#progress-text").inner_text() == f"{total} of {total} partners answered"
        )
        page.click("#submit")
        page.wait_for_url("**/survey/done")
        assert "Thank you" in page.locator("h1").inner_text()
        shot(page, "survey-phone-done.png")

        # The link is used now: a friendly page, not an error in JSON.
        page.goto(url + link.path)
        assert "thank you" in page.locator("h1").inner_text().lower()
        assert errors == []
        context.close()

        # The same survey on a desktop (another partner's link), for the record.
        other = ws.surveys.invite(round_.id, partners_=[lea])[0]
        desk = browser.new_page(viewport={"width": 1280, "height": 900})
        desk.goto(url + other.path)
        shot(desk, "survey-desktop.png")
        desk.close()

    metrics = ws.network.metrics(round_.id, admin=True)
    assert metrics["respondents"] == 1
    assert metrics["ties"] == 3  # Nene NHS, Fleet River, the ICB
    graph = ws.network.graph(round_.id)
    assert graph.nodes[me.id]["responded"]
    assert graph.edges[me.id, fleet]["level"] == 3 and graph.edges[me.id, nene]["frequency"] == 3
    assert graph.edges[me.id, lea]["level"] == 0

    # ... and a facilitator signed in sees it on the network page: the respondent's three ties
    ws.users.create("fay", "a-long-test-password-123", role="facilitator")
    with serving(create_app(SHARED, workspace=ws)) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/login?next=/network")
        page.fill("#username", "fay")
        page.fill("#password", "a-long-test-password-123")
        page.click("form.login button")
        page.wait_for_url("**/network")
        page.wait_for_function(
            "() => window.mobiliseNetwork !== undefined", polling=50, timeout=10000
        )
        page.wait_for_function("() => window.mobiliseNetwork.edges().length === 3", polling=50)
        drawn = page.evaluate(
            f"window.mobiliseNetwork.getElementById('{me.id}').connectedEdges()"
            f".map(e => e.source().id() === '{me.id}' ? e.target().id() : e.source().id())"
        )
        assert sorted(drawn) == sorted([nene, fleet, icb])
        assert "1 of 41 partners answered" in page.locator("main").inner_text()
        page.close()


def test_the_round_page_issues_links_and_tracks_completion(browser, consortium):
    ws = consortium
    round_ = ws.surveys.get_round("Round 3 — autumn 2026")
    app = create_app(Settings(host="127.0.0.1", user="tester"), workspace=ws)
    with serving(app) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/rounds/{round_.id}")
        page.select_option("#invite-who", "all")
        page.click("#invite button")
        page.wait_for_selector("#links-list li")
        links = page.locator("#links-list input")
        assert links.count() == round_.roster
        first = links.first.input_value()
        assert first.startswith(f"{url}/survey/")
        shot(page, "round-links.png")
        with page.expect_response(lambda response: response.url.endswith("/opened")):
            page.goto(first)  # the page's script marks the link opened
        page.goto(f"{url}/rounds/{round_.id}")
        assert "Opened the link: <strong>1</strong>" in page.content()
        page.locator("#completion-table").evaluate("t => t.closest('details').open = true")
        shot(page, "round-completion.png")
        page.goto(f"{url}/rounds")
        shot(page, "rounds.png")
        page.goto(f"{url}/partners")
        shot(page, "partners.png")
        assert errors == []
        page.close()


def test_the_survey_works_with_javascript_switched_off(browser, consortium):
    ws = consortium
    round_ = ws.surveys.get_round("Round 3 — autumn 2026")
    me = ws.partners.get("p-lea-nhs")
    link = ws.surveys.invite(round_.id, partners_=[me.id])[0]
    roster = {p.key: p.id for p in ws.partners.list()}
    kingsmead, icb = roster["p-kingsmead"], roster["p-nene-icb"]

    with serving(create_app(SHARED, workspace=ws)) as url:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False
        )
        page = context.new_page()
        page.goto(url + link.path)
        # Every follow-up question is on the page, with a word on when to answer it.
        page.click('details[data-sector="icb"] summary')
        assert page.locator(f"#partner-{icb} .more").is_visible()
        assert page.locator(f"#partner-{icb} .no-script").is_visible()
        pick(page, icb, "works_together", "yes")
        pick(page, icb, "frequency", "4")
        pick(page, icb, "level", "3")
        pick(page, icb, "trust_purpose", "4")
        page.click('details[data-sector="academic"] summary')
        pick(page, kingsmead, "works_together", "no")
        pick(page, kingsmead, "level", "1")  # answered by mistake: "no" wins, as with the script
        page.click("#save")
        page.wait_for_url(lambda address: "saved=true" in address)
        assert page.locator("#status").inner_text().startswith("Saved.")
        assert page.locator(f'input[name="{icb}.level"][value="3"]').is_checked()
        assert "2 of " in page.locator("#progress-text").inner_text()

        page.click("#submit")  # too early: the page again, with the problems in words
        problems = page.locator("#problems")
        assert problems.is_visible()
        assert "another look" in problems.inner_text() and "(nothing was sent yet)" in (
            problems.inner_text()
        )
        nene = ws.partners.get(roster["p-nene-nhs"])
        assert (
            "please choose yes or no"
            in page.locator(f"#partner-{nene.id} .problem").first.inner_text()
        )
        shot(page, "survey-no-script-problems.png")
        for input_ in page.locator('input[value="no"]').all():
            name = input_.get_attribute("name")
            if not page.locator(f'input[name="{name}"]:checked').count():
                input_.check()
        page.click("#submit")
        page.wait_for_url(lambda address: "/survey/done" in address)
        assert "Thank you" in page.locator("h1").inner_text()
        context.close()

    graph = ws.network.graph(round_.id)
    assert graph.nodes[me.id]["responded"]
    assert graph.edges[me.id, icb]["level"] == 3 and graph.edges[me.id, icb]["frequency"] == 4
    assert graph.edges[me.id, kingsmead]["level"] == 0

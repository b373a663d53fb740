"""The JSON API fuzzed from its own OpenAPI schema with schemathesis: no input may bring a 5xx
(issue 14, finding 7: "Schemathesis found 2 unique 5xx in 10,411 cases"; item 9: schemathesis in
CI with a bounded budget and zero 5xx allowed).

Every operation of ``/api/openapi.json`` is called in process (ASGI) with a few generated
requests, in local mode and in shared mode signed in as an admin, on a small workspace of its
own (places, areas, assets, partners, survey rounds and a map). Half of the requests name
records that exist (a real map, partner, asset...), so that the fuzzing gets past 404s into the
handlers. The budget is fixed (a seed, ``EXAMPLES`` per operation) so the run is the same every
time; raise ``MOBILISE_SCHEMATHESIS_EXAMPLES`` to fuzz harder by hand.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mobilise import Workspace
from mobilise.settings import Settings
from mobilise.web.app import create_app

from ..conftest import FIXTURES

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

EXAMPLES = int(os.environ.get("MOBILISE_SCHEMATHESIS_EXAMPLES", "3"))
ADMIN = ("root", "a long admin password")
SECRET = "a-long-random-test-secret-0123456789"


def build(workspace: Workspace) -> dict[str, str]:
    """A little of everything, and the path parameters that name it."""
    from mobilise.workspace.demo import build_partnership
    from tests._partnership import PARTNERSHIP

    workspace.areas.import_boundaries(FIXTURES / "workspace" / "three_lsoas.geojson")
    workspace.places.create("northamptonshire", "Northamptonshire")
    workspace.places.create("inner-north-east-london", "Inner north-east London")
    workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    build_partnership(workspace, PARTNERSHIP)
    found = workspace.map_analysis.import_file(
        b"from,to,polarity\nparks,activity,+\nactivity,health,+\n", name="map.csv"
    )
    causal_map = workspace.map_analysis.causal_map(found.id)
    asset = workspace.assets.search().items[0]
    area = workspace.areas.codes()[0] if hasattr(workspace.areas, "codes") else "E01000001"
    # co-production: an event with a participant who consented, came, was paid and was quoted
    sheet = workspace.consent.add_sheet("Taking part", "1", "What taking part means.")
    event = workspace.events.create(
        kind="world_cafe",
        title="Café",
        place="northamptonshire",
        starts_at="2026-05-01T10:00:00+00:00",
        ends_at="2026-05-01T12:00:00+00:00",
    )
    person = workspace.participants.add(place="northamptonshire")
    workspace.consent.give(
        person.id,
        information_sheet=sheet.id,
        method="paper",
        scopes={"take_part": True, "quote": "anonymous"},
    )
    workspace.events.attend(event.id, person.id)
    payment = workspace.payments.add(person.id, activity="Involvement activity (hourly)")
    quote = workspace.event_contributions.add(
        event.id, kind="quote", text="A fine day.", participant=person.id
    )
    # the café: a round's question and a table of the event
    workspace.cafes.add_question(event.id, "What keeps you well here?", round_number=1)
    workspace.cafes.add_table(event.id, "Table 1", host="Sam")
    return {
        "event_id": event.id,
        "participant": person.code,
        "participant_id": person.id,
        "sheet_id": sheet.id,
        "payment_id": payment.id,
        "event_contribution_id": quote.id,
        "key": "retention",
        "map_id": found.id,
        "factor_id": causal_map.factors[0].id,
        "link_id": causal_map.links[0].id,
        "slug": "northamptonshire",
        "asset_id": asset.id,
        "service_id": asset.id,
        "partner_id": workspace.partners.list()[0].id,
        "round_id": workspace.surveys.rounds()[0].id,
        "round_": workspace.surveys.rounds()[0].id,
        "code": area,
        # "you said, we did": an action of the place
        "action_id": workspace.actions.add("Benches", place="northamptonshire").id,
        # themes: a theme and a coding of the quote
        **_themes(workspace, quote.id),
        # media: the quote is about the asset
        "contribution_link_id": workspace.event_contributions.link(quote.id, "asset", asset.id).id,
        # the maps' offline layer: a shipped street file
        "layer_id": "camden_streets_2021-07",
        # public-health statistics: an SMR computed from counts (its funnel)
        "indicator_id": workspace.indicators.compute(
            FIXTURES / "rates" / "deaths_by_age.csv", indicator_id="mortality_smr", method="isr"
        ).indicators[0],
        # access sweeps (N4): none stored (a sweep needs a place with areas); ids answer 404
        "sweep_id": "00000000-0000-4000-8000-000000000000",
        # evidence packs: a small community pack of the place
        "pack_id": workspace.packs.build("northamptonshire", audience="community").id,
        # the programme (P2): a project's package, and a section of the synthesis
        "project_key": _programme(workspace),
        "section": "reach",
    }


def _programme(workspace: Workspace) -> str:
    from tests._programme import KEY_A, package

    return workspace.programme.add(package(KEY_A), name="project.zip").project_key


def _themes(workspace: Workspace, contribution_id: str) -> dict[str, str]:
    theme = workspace.themes.add("Fuzzed theme")
    coding = workspace.themes.code(contribution_id, theme.id, coder="fuzzer")
    return {"theme_id": theme.id, "coding_id": coding.id}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, str]]]:
    from mobilise import open_workspace

    path: Path = tmp_path_factory.mktemp("schemathesis") / "fuzzed.sqlite"
    workspace = open_workspace(path, actor="fuzzer")
    try:
        workspace.users.create(*ADMIN, role="admin")
        yield workspace, build(workspace)
    finally:
        workspace.close()


def loopback(app: Any) -> Any:
    """The app as seen from this machine (schemathesis's client says it is "testclient")."""

    async def on_loopback(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": ("127.0.0.1", 50000)}
        await app(scope, receive, send)

    return on_loopback


def server_errors(app: Any, base: str, cookies: dict[str, str], known: dict[str, str]) -> list[str]:
    """Every 5xx the app answers to generated requests, as a line to reproduce each."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = loopback(app)
    found: list[str] = []
    headers = {"Origin": base}
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy(), named=st.booleans())
        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,  # a fixed seed: the same requests every run
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def call(case: Any, named: bool) -> None:
            if named:
                for key in case.path_parameters or {}:
                    if key in known:
                        case.path_parameters[key] = known[key]
            found.extend(call_case(case, base, headers, cookies))

        with contextlib.suppress(hypothesis.errors.Unsatisfiable):
            call()  # Unsatisfiable: nothing to generate (a path of fixed words only)
        found.extend(edge_numbers(operation, base, headers, cookies, known))
    return sorted(set(found))


# Numbers at the edges of what is stored, which random generation seldom tries: 2**58 pages of
# 50 items is past every 64-bit offset (the ORUK feed answered such a page with a 500).
EDGE_NUMBERS = ("288230376151711743", str(2**62), str(2**63 - 1), str(-(2**63)), "1e308")


def _numeric(schema: dict[str, Any]) -> bool:
    kinds = [schema.get("type"), *(s.get("type") for s in schema.get("anyOf", []))]
    return "integer" in kinds or "number" in kinds


def edge_numbers(
    operation: Any, base: str, headers: dict[str, str], cookies: dict[str, str], known: dict
) -> list[str]:
    """Each numeric query parameter of ``operation`` called alone with :data:`EDGE_NUMBERS`."""
    parameters = list(operation.iter_parameters())
    path = {p.name: known.get(p.name, "x") for p in parameters if p.location.value == "path"}
    found = []
    for parameter in parameters:
        if parameter.location.value != "query" or not _numeric(parameter.definition["schema"]):
            continue
        for value in EDGE_NUMBERS:
            case = operation.Case(path_parameters=path, query={parameter.name: value})
            found += call_case(case, base, headers, cookies)
    return found


def call_case(case: Any, base: str, headers: dict[str, str], cookies: dict[str, str]) -> list[str]:
    """A line to reproduce ``case`` if the app answers it with a 5xx, else nothing."""
    try:
        response = case.call(base_url=base, headers=headers, cookies=cookies)
    except Exception as error:  # the app's error escaped after a 500 was sent
        return [f"500 {type(error).__name__}: {error}: {case.as_curl_command()}"]
    if response.status_code >= 500:
        return [f"{response.status_code} {case.as_curl_command()}"]
    return []


def test_no_5xx_in_local_mode(fuzzed) -> None:
    workspace, known = fuzzed
    app = create_app(Settings(host="127.0.0.1", user="fuzzer"), workspace=workspace)
    errors = server_errors(app, "http://127.0.0.1:8765", {}, known)
    assert not errors, "\n".join(errors)


def test_no_5xx_in_shared_mode_as_an_admin(fuzzed) -> None:
    workspace, known = fuzzed
    app = create_app(Settings(host="0.0.0.0", secret_key=SECRET), workspace=workspace)
    base = "https://testserver"
    client = TestClient(app, base_url=base)
    signed_in = client.post(
        "/login", data={"username": ADMIN[0], "password": ADMIN[1]}, headers={"Origin": base}
    )
    assert signed_in.status_code == 200, signed_in.text
    errors = server_errors(app, base, dict(client.cookies), known)
    assert not errors, "\n".join(errors)

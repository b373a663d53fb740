"""Every filter of the ORUK 3.0 OpenAPI description works on every endpoint that defines it, and a
parameter an endpoint does not define is a 400 naming it (issue 21, item 2).

Before issue 21 the feed answered the whole list, 200, to ``taxonomy_id`` and ``minimal`` on
``/services``; ``search``, ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id``,
``modified_after`` and ``full`` on ``/service_at_locations`` (3,502 before and after);
``search`` on ``/organizations``, ``/taxonomies`` and ``/taxonomy_terms``; ``full`` and
``full_service`` on ``/organizations``; ``taxonomy_id``, ``top_only`` and ``parent_id`` on
``/taxonomy_terms``; ``format=ndjson`` on the lists but ``/services``; and to any parameter it did
not know. A time without a zone in ``modified_after`` was a 500.

The expected counts are worked out by hand from the demo's source files
(``src/mobilise/demo/data/community_assets/``), each comment says how: the demo publishes 3,502
assets, the 2,635 features of the GLA Cultural Infrastructure Map, 110 Mapping Museums museums,
86 public libraries, 203 OpenStreetMap amenities and the 508 OpenStreetMap places of worship but
their 40 unnamed ones (kept private). The organisations and descriptions the demo carries are
written from its sources' facts (issue 21, item 3) and may grow with them: where a count depends
on them it is counted from the unfiltered list in the test instead.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from mobilise.formats.oruk import validate
from mobilise.formats.oruk_feed import taxonomy_id, taxonomy_term_id
from mobilise.web.routes.oruk import query_parameters, router

from ..conftest import FIXTURES

ROOT = Path(__file__).parent.parent.parent
ALL = 3502
OSM = taxonomy_id("osm")
LIBRARY = taxonomy_term_id("mobilise:library")


def total(client, path: str, **params: Any) -> int:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    count: int = response.json()["total_items"]
    return count


def every(client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a list, in one answer (format=ndjson without page or per_page)."""
    response = client.get(path, params={**params, "format": "ndjson"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def service_of(item: dict[str, Any]) -> dict[str, Any]:
    """The service of a /services or a /service_at_locations item."""
    return item.get("service", item)


# -- the endpoints and parameters of the ORUK 3.0 OpenAPI description ------------------------


def oruk_parameters() -> dict[str, set[str]]:
    """Each GET path of the official ORUK 3.0 OpenAPI description -> its query parameters."""
    description = json.loads((FIXTURES / "oruk" / "openapi_3.0.json").read_text())
    shared = description["components"]["parameters"]
    found = {}
    for path, operations in description["paths"].items():
        parameters = [
            shared[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
            for p in operations["get"].get("parameters", [])
        ]
        found[path] = {p["name"] for p in parameters if p["in"] == "query"}
    return found


def app_parameters() -> dict[str, set[str]]:
    """Each GET path of the app's feed (items as ``{id}``) -> the query parameters it takes."""
    found = {}
    for route in router.routes:
        assert isinstance(route, APIRoute) and route.methods == {"GET"}
        path = route.path.removeprefix("/oruk")
        if "{" in path:
            path = path[: path.index("{")] + "{id}"
        found[path] = query_parameters(route.dependant)
    return found


def test_the_feed_has_every_endpoint_and_parameter_of_the_oruk_openapi():
    official, ours = oruk_parameters(), app_parameters()
    assert set(ours) == set(official)
    for path, parameters in official.items():
        extra = {"postcode", "proximity"} if path == "/services" else set()  # mobilise's own
        assert ours[path] == parameters | extra, path


def test_the_feed_doc_lists_every_endpoint_and_parameter():
    text = (ROOT / "docs" / "oruk.md").read_text()
    for path, parameters in app_parameters().items():
        heading = f"### `{path}`\n"
        assert heading in text, path
        section = text[text.index(heading) :].split("\n### ", 1)[0]
        for name in parameters:
            assert f"`{name}`" in section, f"{path}: {name}"


# -- 400 for a parameter an endpoint does not define -----------------------------------------


def item_paths(client) -> list[str]:
    ids = {
        kind: client.get(f"/oruk/{kind}", params={"per_page": 1}).json()["contents"][0]["id"]
        for kind in ("services", "service_at_locations", "organizations", "taxonomies")
    }
    return [f"/oruk/{kind}/{item}" for kind, item in ids.items()] + [
        f"/oruk/taxonomy_terms/{LIBRARY}",
        "/oruk/",
    ]


LISTS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]


@pytest.mark.parametrize("unknown", ["sort_by", "vocabulary", "per_pgae"])
def test_a_parameter_an_endpoint_does_not_define_is_a_400_naming_it(client, unknown):
    for path in [f"/oruk/{kind}" for kind in LISTS] + item_paths(client):
        known = {"page": "1"} if path.removeprefix("/oruk/") in LISTS else {}
        response = client.get(path, params={unknown: "1", **known})
        assert response.status_code == 400, (path, response.status_code)
        assert response.headers["access-control-allow-origin"] == "*"
        error = response.json()["error"]
        assert error["code"] == "unknown_parameter" and unknown in error["message"]
        assert [p["field"] for p in error["problems"]] == [unknown]


def test_a_parameter_of_another_endpoint_is_not_taken_either(client):
    for path, unknown in [
        ("/oruk/taxonomies", "taxonomy_id"),
        ("/oruk/services", "top_only"),
        ("/oruk/service_at_locations", "minimal"),
        ("/oruk/organizations", "organization_id"),
        (f"/oruk/services/{LIBRARY}", "full"),
    ]:
        response = client.get(path, params={unknown: "true"})
        assert (
            response.status_code == 400
            and response.json()["error"]["problems"][0]["field"] == unknown
        )


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/oruk/services", {"page": "0"}, 422),
        ("/oruk/services", {"page": "two"}, 422),
        ("/oruk/taxonomy_terms", {"per_page": "501"}, 422),
        ("/oruk/organizations", {"per_page": "0"}, 422),
        ("/oruk/services", {"modified_after": "yesterday"}, 422),
        ("/oruk/service_at_locations", {"modified_after": "2025-13-01"}, 422),
        (
            "/oruk/services",
            {"modified_after": "0001-01-01T00:00:00+05:00"},
            422,
        ),  # before year 1 in UTC
        ("/oruk/services", {"postcode": "E8 1GQ", "proximity": "inf"}, 422),
        ("/oruk/services", {"postcode": "E8 1GQ", "proximity": "1e300"}, 422),
        ("/oruk/service_at_locations", {"postcode": "E8 1GQ", "proximity": "-5"}, 422),
        ("/oruk/services", {"proximity": "100"}, 422),  # from where?
        ("/oruk/taxonomies", {"format": "xml"}, 422),
        ("/oruk/services", {"full": "perhaps"}, 422),
        ("/oruk/services", {"minimal": "true", "full": "true"}, 422),
        ("/oruk/services", {"taxonomy_id": "not-a-taxonomy"}, 404),
        ("/oruk/service_at_locations", {"taxonomy_term_id": "not-a-term"}, 404),
        ("/oruk/taxonomy_terms", {"taxonomy_id": "not-a-taxonomy"}, 404),
        ("/oruk/taxonomy_terms", {"parent_id": "not-a-term"}, 404),
    ],
)
def test_bad_values_are_refused_with_4xx_naming_the_parameter(client, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    fields = {p["field"] for p in response.json()["error"]["problems"]}
    assert fields & set(params), fields


# -- /services and /service_at_locations -----------------------------------------------------

ASSET_LISTS = ["/oruk/services", "/oruk/service_at_locations"]


@pytest.mark.parametrize("path", ASSET_LISTS)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # the 23 GLA map features with "crown" in their name (pubs: The Crown, Rose and Crown...);
        # no other source names one so, and no description says it
        ({"search": "crown"}, 23),
        ({"search": "CROWN"}, 23),
        # 86 public libraries, the 49 GLA "Libraries" and the 22 OpenStreetMap amenity=library
        ({"taxonomy_term_id": LIBRARY}, 86 + 49 + 22),
        # the GLA map's "Pubs" features
        ({"taxonomy_term_id": taxonomy_term_id("gla:Pubs")}, 912),
        ({"taxonomy_term_id": taxonomy_term_id("osm:amenity=library")}, 22),
        # no demo source gives target groups
        ({"taxonomy_term_id": taxonomy_term_id("mobilise-target-group:older_people")}, 0),
        # every OpenStreetMap asset carries its tag as an osm: term, no other asset does
        ({"taxonomy_id": OSM}, 508 - 40 + 203),
        ({"taxonomy_id": taxonomy_id("gla")}, 2635),
        ({"taxonomy_id": taxonomy_id("mapping_museums")}, 110),
        ({"taxonomy_id": taxonomy_id("public_libraries_2023_target_areas")}, 86),
        ({"taxonomy_id": taxonomy_id("mobilise")}, ALL),  # every asset has a category
        ({"taxonomy_id": taxonomy_id("mobilise-target-group")}, 0),
        ({"taxonomy_id": OSM, "taxonomy_term_id": LIBRARY}, 22),  # both: OSM libraries
        # the demo was built after 2000 and before 2100
        ({"modified_after": "2000-01-01"}, ALL),
        ({"modified_after": "2100-01-01T00:00:00Z"}, 0),
        ({"modified_after": "2100-01-01T00:00:00"}, 0),  # no zone: UTC (was a 500)
        ({"taxonomy_id": OSM, "modified_after": "2000-01-01T00:00:00+01:00"}, 671),
    ],
)
def test_asset_list_filters(client, path, params, expected):
    assert total(client, path, **params) == expected


@pytest.mark.parametrize("path", ASSET_LISTS)
def test_asset_list_filters_match_the_unfiltered_list(client, path):
    """Filters whose counts move with the sources' facts, against the unfiltered list."""
    services = every(client, "/oruk/services", full="true")  # with their terms
    assert len(services) == ALL
    # words, stemmed, the last one also as a prefix (issue 17, item 7): "library" finds
    # "libraries" and "librarian" too
    words = re.compile(r"\blibrar(y|i\w*)")
    library = [
        s for s in services if words.search(f"{s['name']} {s.get('description', '')}".lower())
    ]
    assert 0 < total(client, path, search="library") == len(library) < ALL
    in_osm = {
        s["id"]
        for s in services
        if any(a["taxonomy_term"]["taxonomy_id"] == OSM for a in s.get("attributes", []))
    }
    assert len(in_osm) == 671
    listed = every(client, path, taxonomy_id=OSM)
    assert {service_of(item)["id"] for item in listed} == in_osm
    organisations = {s["organization_id"] for s in services if "organization_id" in s}
    for organisation in sorted(organisations)[:5]:
        runs = {s["id"] for s in services if s.get("organization_id") == organisation}
        listed = every(client, path, organization_id=organisation)
        assert {service_of(item)["id"] for item in listed} == runs
    newest = max(s["last_modified"] for s in services)
    changed = sum(s["last_modified"] >= newest for s in services)
    assert total(client, path, modified_after=newest) == changed > 0


@pytest.mark.parametrize("path", ASSET_LISTS)
def test_asset_list_paging_format_and_full(client, path):
    page = client.get(path, params={"per_page": 7, "page": 2}).json()
    assert page["page_number"] == 2 and page["size"] == 7 and page["total_pages"] == 501
    last = client.get(path, params={"per_page": 7, "page": 501}).json()
    assert last["size"] == ALL - 500 * 7 and last["last_page"] is True
    assert len(every(client, path)) == ALL  # ndjson: every item, without pages
    assert len(every(client, path, per_page=5)) == 5  # ... or the page asked for
    assert len(every(client, path, page=2, search="crown")) == 0  # 23 fit on page 1 (50)
    plain = client.get(path, params={"per_page": 3}).json()["contents"]
    full = client.get(path, params={"per_page": 3, "full": "true"}).json()
    assert validate(full, f"{path.rsplit('/', 1)[1][:-1]}_list") == []
    if path.endswith("/services"):  # nested terms and places
        assert not any("attributes" in s for s in plain)
        assert all("attributes" in s and "service_at_locations" in s for s in full["contents"])
    else:  # the location with its address
        assert not any("addresses" in s["location"] for s in plain)
        assert all("addresses" in s["location"] for s in full["contents"])


def test_postcode_and_proximity_on_both_asset_lists(client):
    # around Hackney Museum (E8 1GQ): the same 9 assets either way; far from Northampton
    for path in ASSET_LISTS:
        assert total(client, path, postcode="E8 1GQ", proximity=150) == 9
        assert total(client, path, postcode="NN1 1DE", proximity=1000) == 3
        nearest = client.get(path, params={"postcode": "E8 1GQ"}).json()
        assert nearest["total_items"] == ALL  # without proximity: all, nearest first


def test_minimal_gives_every_service_id_and_last_modified_at_once(client):
    response = client.get("/oruk/services", params={"minimal": "true"})
    assert response.status_code == 200
    services = response.json()
    assert isinstance(services, list) and len(services) == ALL
    assert all(set(s) == {"id", "last_modified"} for s in services)
    assert len({s["id"] for s in services}) == ALL
    pubs = client.get(
        "/oruk/services",
        params={"minimal": "true", "taxonomy_term_id": taxonomy_term_id("gla:Pubs")},
    ).json()
    assert len(pubs) == 912
    page = client.get("/oruk/services", params={"minimal": "true", "per_page": 10, "page": 2})
    assert len(page.json()) == 10
    lines = every(client, "/oruk/services", minimal="true", search="crown")
    assert len(lines) == 23 and all(set(s) == {"id", "last_modified"} for s in lines)


# -- /organizations --------------------------------------------------------------------------


def test_organization_filters(client):
    organisations = every(client, "/oruk/organizations")
    assert len(organisations) == total(client, "/oruk/organizations") > 0
    library = [o for o in organisations if "library" in (o["name"] + o["description"]).lower()]
    # at least the 13 community library groups of Northamptonshire and UCL Library Services
    # named in the public libraries file (its operating organisation)
    assert len(library) >= 13
    assert total(client, "/oruk/organizations", search="Library") == len(library)
    plain = client.get("/oruk/organizations", params={"per_page": 5}).json()
    assert not any("services" in o for o in plain["contents"])
    with_services = client.get("/oruk/organizations", params={"per_page": 5, "full": "true"}).json()
    nested = client.get(
        "/oruk/organizations", params={"per_page": 5, "full_service": "true"}
    ).json()
    for document in (with_services, nested):
        assert validate(document, "organization_list") == []
        assert all(o["services"] for o in document["contents"])
    assert not any("attributes" in s for o in with_services["contents"] for s in o["services"])
    assert all("attributes" in s for o in nested["contents"] for s in o["services"])
    assert len(every(client, "/oruk/organizations", per_page=2)) == 2


def test_one_organization_with_simple_or_full_services(client):
    organisation = client.get("/oruk/organizations", params={"per_page": 1}).json()["contents"][0]
    path = f"/oruk/organizations/{organisation['id']}"
    simple, full = client.get(path).json(), client.get(path, params={"full_service": "true"}).json()
    assert validate(simple, "organization") == [] and validate(full, "organization") == []
    assert [s["id"] for s in simple["services"]] == [s["id"] for s in full["services"]]
    assert not any("attributes" in s for s in simple["services"])
    assert all("attributes" in s for s in full["services"])


# -- /taxonomies and /taxonomy_terms ---------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # mobilise's categories and target groups, and the demo's sources' vocabularies:
        # gla, osm, mapping_museums, public_libraries_2023_target_areas
        ({}, 6),
        ({"search": "OpenStreetMap"}, 1),
        ({"search": "cultural infrastructure"}, 1),  # GLA Cultural Infrastructure Map types
        ({"search": "nothing like it"}, 0),
        ({"per_page": 4, "page": 2}, 6),
    ],
)
def test_taxonomy_filters(client, params, expected):
    assert total(client, "/oruk/taxonomies", **params) == expected


def test_taxonomies_as_ndjson_and_paged(client):
    assert len(every(client, "/oruk/taxonomies")) == 6
    assert client.get("/oruk/taxonomies", params={"per_page": 4, "page": 2}).json()["size"] == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # 11 categories + 9 target groups + 30 GLA types + 22 OpenStreetMap tags + 16 Mapping
        # Museums subjects + 2 public library types
        ({}, 90),
        # "Library" (the category), amenity=library, Static Library, Static Local History
        # Library; the GLA's "Libraries" does not contain the word
        ({"search": "library"}, 4),
        ({"taxonomy_id": OSM}, 22),
        ({"taxonomy_id": taxonomy_id("mobilise")}, 11),
        ({"taxonomy_id": taxonomy_id("mobilise-target-group")}, 9),
        ({"taxonomy_id": taxonomy_id("gla")}, 30),
        ({"taxonomy_id": OSM, "search": "pofw:christian"}, 8),  # christian and its 7 kinds
        # the vocabularies are flat: every term is a top-level one, none has children
        ({"top_only": "true"}, 90),
        ({"top_only": "false"}, 90),
        ({"parent_id": LIBRARY}, 0),
    ],
)
def test_taxonomy_term_filters(client, params, expected):
    assert total(client, "/oruk/taxonomy_terms", **params) == expected


def test_taxonomy_terms_as_ndjson_and_paged(client):
    terms = every(client, "/oruk/taxonomy_terms")
    assert len(terms) == 90 and all(validate(t, "taxonomy_term") == [] for t in terms[::10])
    osm = every(client, "/oruk/taxonomy_terms", taxonomy_id=OSM)
    assert {t["taxonomy"] for t in osm} == {"osm"} and len(osm) == 22
    assert client.get("/oruk/taxonomy_terms", params={"page": 2}).json()["size"] == 40


# -- modified_after: on or after -------------------------------------------------------------


def test_modified_after_is_on_or_after(writable_client):
    workspace = writable_client.app.state.workspace
    workspace.assets.import_file(FIXTURES / "workspace" / "assets_small.geojson")
    choir = workspace.assets.search(text="choir").items[0]
    changed = workspace.assets.update(
        choir.id, version=choir.version, changes={"description": "Sings"}
    )
    at = changed.updated_at.isoformat()
    found = writable_client.get("/oruk/services", params={"modified_after": at}).json()
    assert [s["name"] for s in found["contents"]] == ["Otherby Choir"]  # changed at that moment
    later = changed.updated_at + timedelta(microseconds=1)
    none = writable_client.get("/oruk/services", params={"modified_after": later.isoformat()})
    assert none.json()["total_items"] == 0

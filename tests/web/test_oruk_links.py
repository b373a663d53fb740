"""Every link of the demo feed answers (issue 21, item 1).

The walk reads every page of every list of the ORUK 3.0 feed, gathers every link its documents
give, and follows them, and the links of what it reaches: the addresses (an organisation's
``uri``, a taxonomy's ``uri``, a term's ``term_uri``) and the ids that name another document
(an item's own ``id``, ``organization_id``, ``service_id``, ``taxonomy_term_id``,
``taxonomy_id``, an attribute's ``link_id``). Before issue 21, ``/taxonomy_terms/{id}`` and
``/service_at_locations/{id}`` were 404 for every id the lists gave.

Every kind of link is followed; of a kind with more than :data:`FOLLOWED` links (the 3,502
services and their services at locations) an even sample across the walk, so that every list
page's links are among those followed and the walk stays within seconds. Every document
followed must validate against its ORUK schema and be the one the link names.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from mobilise.formats.oruk import validate

from .test_oruk_feed import has_null

BASE = "http://127.0.0.1:8765/oruk"
FOLLOWED = 100  # links of one kind followed at most (every term: the demo has 90)
PER_PAGE = 500

# kind of document -> its list's and items' path under the feed, and its schema
ENDPOINTS = {
    "service": "services",
    "service_at_location": "service_at_locations",
    "organization": "organizations",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
}
# a nested object's key -> what it is
NESTED = {
    "organization": "organization",
    "services": "service",
    "service": "service",
    "service_at_locations": "service_at_location",
    "taxonomy_term": "taxonomy_term",
    "taxonomy_terms": "taxonomy_term",
}
# a field that names another document by its id -> what it names
REFERENCES = {
    "organization_id": "organization",
    "service_id": "service",
    "taxonomy_term_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
}
ADDRESSES = ("uri", "term_uri")


def links(document: Any, kind: str | None) -> Iterator[str]:
    """Every link a document of ``kind`` gives, its nested documents' too, as feed addresses."""
    if isinstance(document, list):
        for item in document:
            yield from links(item, kind)
        return
    if not isinstance(document, dict):
        return
    if kind in ENDPOINTS and "id" in document:
        yield f"{BASE}/{ENDPOINTS[kind]}/{document['id']}"
    for key, value in document.items():
        if key in REFERENCES and isinstance(value, str):
            yield f"{BASE}/{ENDPOINTS[REFERENCES[key]]}/{value}"
        elif key in ADDRESSES and isinstance(value, str):
            yield value
        elif key == "link_id" and document.get("link_entity") == "service":
            yield f"{BASE}/services/{value}"
        elif isinstance(value, dict | list):
            yield from links(value, NESTED.get(key))


def kind_of(link: str) -> str:
    assert link.startswith(f"{BASE}/"), f"a link outside the feed: {link}"
    path = link.removeprefix(f"{BASE}/").split("/")
    assert len(path) == 2 and path[1], f"not an item's address: {link}"
    kinds = {endpoint: kind for kind, endpoint in ENDPOINTS.items()}
    assert path[0] in kinds, f"a link to no endpoint of the feed: {link}"
    return kinds[path[0]]


def walk_list(client, endpoint: str, kind: str, **params: Any) -> tuple[list[str], list[dict]]:
    """Every page of a list: the links of its items, and the items. Checks the pages' fields and
    validates each page with a sample of its items (every item is checked where followed)."""
    found: list[str] = []
    items: list[dict] = []
    page, total_pages = 1, 1
    while page <= total_pages:
        response = client.get(
            f"/oruk/{endpoint}", params={**params, "page": page, "per_page": PER_PAGE}
        )
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == "*"
        document = response.json()
        total_pages = document["total_pages"]
        assert document["page_number"] == page and document["size"] == len(document["contents"])
        assert document["first_page"] is (page == 1)
        assert document["last_page"] is (page == max(total_pages, 1))
        assert document["empty"] is (not document["contents"])
        sample = {**document, "contents": document["contents"][:: max(1, PER_PAGE // 25)]}
        assert validate(sample, f"{kind}_list") == [], f"/oruk/{endpoint} page {page}"
        items += document["contents"]
        found += links(document["contents"], kind)
        page += 1
    assert len(items) == document["total_items"] == len({item["id"] for item in items})
    assert total_pages == math.ceil(len(items) / PER_PAGE)
    after = client.get(f"/oruk/{endpoint}", params={**params, "page": page, "per_page": PER_PAGE})
    assert after.status_code == 200 and after.json()["empty"] is True  # past the last page
    return found, items


def sample(links_of_kind: list[str]) -> list[str]:
    """At most FOLLOWED links, evenly spread over the order they were found in."""
    unique = list(dict.fromkeys(links_of_kind))
    step = max(1, math.ceil(len(unique) / FOLLOWED))
    return sorted({*unique[::step], unique[-1]}, key=unique.index)


def follow(client, link: str, kind: str) -> Iterator[str]:
    """Follow a link: it answers with a valid document of its kind, the one it names; its
    own links."""
    response = client.get(link)
    assert response.status_code == 200, f"{link}: {response.status_code} {response.text}"
    assert response.headers["access-control-allow-origin"] == "*"
    document = response.json()
    assert document["id"] == link.rsplit("/", 1)[1]
    assert validate(document, kind) == [], link
    assert not has_null(document)
    return links(document, kind)


def test_every_link_of_the_demo_feed_answers(client):
    details = client.get("/oruk/")
    assert details.status_code == 200 and validate(details.json(), "api_details") == []
    # the two links of / are the ORUK documents themselves, outside the feed
    assert (
        details.json()["openapi_url"]
        == "https://openreferraluk.org/specifications/3.0/openapi.json"
    )
    assert details.json()["profile"].startswith("https://github.com/OpenReferralUK/")

    pending: dict[str, list[str]] = {kind: [] for kind in ENDPOINTS}
    lists = {kind: walk_list(client, endpoint, kind) for kind, endpoint in ENDPOINTS.items()}
    full_services, _ = walk_list(client, "services", "service", full="true")
    for found in [full_services, *(found for found, _ in lists.values())]:
        for link in found:
            pending[kind_of(link)].append(link)
    assert all(pending.values()), "every kind of link is in the lists"

    followed: dict[str, set[str]] = {kind: set() for kind in ENDPOINTS}
    while any(pending.values()):
        kind = next(kind for kind, found in pending.items() if found)
        chosen = [link for link in sample(pending[kind]) if link not in followed[kind]]
        pending[kind] = []
        for link in chosen[: max(FOLLOWED - len(followed[kind]), 0)]:
            followed[kind].add(link)
            for more in follow(client, link, kind):
                pending[kind_of(more)].append(more)

    # every kind of link was followed, and every id the small lists give
    assert all(followed.values())
    for kind in ("organization", "taxonomy", "taxonomy_term"):
        ids = {f"{BASE}/{ENDPOINTS[kind]}/{item['id']}" for item in lists[kind][1]}
        assert ids <= followed[kind], kind

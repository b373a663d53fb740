"""Open Referral UK (ORUK) 3.0 feed documents: mobilise's own feed, built from stored assets.

The documents answer a feed's endpoints (``/``, ``/services``, ``/service_at_locations``,
``/organizations``, ``/taxonomies``, ``/taxonomy_terms``, each item and each list page). Empty
optional fields are omitted (never ``null``), ids are UUIDs (derived ids are stable uuid5s), and
every document validates against the ORUK 3.0 schemas (:func:`mobilise.formats.oruk.validate`).
Reading feeds is :mod:`mobilise.formats.oruk`.

:func:`service_json`, :func:`service_at_location_json`, :func:`organization_json`
    An asset as a service or a service at its place; an organisation with its services.
:func:`taxonomy_json`, :func:`taxonomy_term_json`
    mobilise's categories and target groups (:data:`CATEGORY_VOCABULARY`,
    :data:`TARGET_GROUP_VOCABULARY`) and other vocabularies as taxonomies and their terms.
:func:`api_details_json`, :func:`page_wrapper`
    The answer of ``GET /`` and one page of a list.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from mobilise.errors import Problem, ValidationError
from mobilise.formats._oruk_checks import (
    as_number,
    as_text,
    is_date,
    is_email,
    is_empty,
    is_uri,
)
from mobilise.formats._web_address import web_address
from mobilise.model.asset_vocab import CATEGORIES

__all__ = [
    "CATEGORY_VOCABULARY",
    "OPENAPI_URL",
    "ORUK_VERSION",
    "PROFILE_URL",
    "TARGET_GROUP_VOCABULARY",
    "api_details_json",
    "organization_json",
    "page_wrapper",
    "page_wrapper_text",
    "service_at_location_id",
    "service_at_location_json",
    "service_json",
    "taxonomy_id",
    "taxonomy_json",
    "taxonomy_term_id",
    "taxonomy_term_json",
]

SEP = (",", ":")
"""JSON separators of the feed's text: compact, as the web framework writes it."""

ORUK_VERSION = "HSDS-UK-3.0"
"""The ``version`` a feed's ``GET /`` gives."""

PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
"""The ORUK profile document, as the ORUK validator's own examples name it."""

OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
"""The OpenAPI description of ORUK 3.0 feeds."""

CATEGORY_VOCABULARY = "mobilise"
"""The ``taxonomy`` of the taxonomy terms that carry mobilise's own categories in a feed."""

TARGET_GROUP_VOCABULARY = "mobilise-target-group"
"""The ``taxonomy`` of the taxonomy terms that carry an asset's target groups."""

# uuid5 namespace of every id mobilise derives for ORUK (taxonomy terms, schedules ...).
_NAMESPACE = uuid.UUID("5b0d6f5e-3f0c-5d7e-9a51-0a6f1c2b9e41")
_VOCABULARY_NAMES = {
    CATEGORY_VOCABULARY: "mobilise community asset categories",
    TARGET_GROUP_VOCABULARY: "mobilise target groups",
    "osm": "OpenStreetMap tags",
    "gla": "GLA Cultural Infrastructure Map types",
    "oruk": "Terms of an imported Open Referral UK feed",
}


def _derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def _uuid(value: Any, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValidationError(
            f"{what} {value!r} is not a UUID; the feed's ids are UUIDs.",
            problems=[Problem(f"{value!r} is not a UUID", field=what)],
        ) from None


def _split_term(term: str) -> tuple[str, str]:
    """``"osm:amenity=library"`` -> (``"osm"``, ``"amenity=library"``); a bare category id is ours."""
    vocabulary, sep, code = term.partition(":")
    return (vocabulary, code) if sep and vocabulary and code else (CATEGORY_VOCABULARY, term)


def taxonomy_id(vocabulary: str) -> str:
    """The stable UUID of the taxonomy of a vocabulary (``"mobilise"``, ``"osm"`` ...)."""
    return _derived_id("taxonomy", vocabulary)


def taxonomy_term_id(term: str) -> str:
    """The stable UUID of a taxonomy term ``"vocabulary:term"`` (a bare category id is ours)."""
    return _derived_id("taxonomy_term", *_split_term(term))


def _location_id(asset: Mapping[str, Any]) -> str:
    given = asset.get("location_id")
    return _uuid(given, "location_id") if given else _derived_id("location", str(asset["id"]))


def service_at_location_id(asset: Mapping[str, Any]) -> str:
    """The stable UUID of the service-at-location of an asset (its service at its place)."""
    return _derived_id("service_at_location", _uuid(asset["id"], "id"), _location_id(asset))


def _compact(required: Iterable[str] = (), **fields: Any) -> dict[str, Any]:
    """The fields that have a value; ``required`` ones are kept even when empty text."""
    keep = set(required)
    return {k: v for k, v in fields.items() if k in keep or not is_empty(v)}


def _base(base_url: str) -> str:
    base = base_url.rstrip("/")
    if urlsplit(base).scheme not in ("http", "https") or not is_uri(base):
        raise ValidationError(
            f"base_url must be an absolute http(s) URL, not {base_url!r}.",
            problems=[Problem("give the feed's address as http(s)://host/path", field="base_url")],
        )
    return base


def _url(text: Any) -> str:
    """A web address fit for a ``uri`` field: an absolute http(s) URL ("www.x.org" gets
    https://, as the asset readers write it), else ""."""
    return web_address(text)[0] if isinstance(text, str) and text else ""


def _email(text: Any) -> str:
    return _checked_email(as_text(text)) if isinstance(text, str) and text else ""


@lru_cache(maxsize=1 << 16)
def _checked_email(value: str) -> str:
    return value if value and is_email(value) else ""


def _timestamp(value: Any) -> str:
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, datetime):
        return ""
    stamp = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _whole(value: Any) -> int | None:
    number = as_number(value)
    return int(number) if number is not None and number.is_integer() and number >= 0 else None


def _day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = as_text(value)
    return text if is_date(text) else ""


_STATUS_OUT = {
    "active": "active",
    "temporarily_closed": "temporarily closed",
    "closed": "defunct",
    "developing": "inactive",  # not running yet
}
_COST_OUT = {"free": ("Free", 0), "low": ("Low cost", None), "paid": ("Paid", None)}
_FLAG_TEXT = {
    "step_free": ("Step-free access", "No step-free access"),
    "accessible_toilet": ("Accessible toilet", "No accessible toilet"),
    "hearing_loop": ("Hearing loop", "No hearing loop"),
}


def _check_public(asset: Mapping[str, Any]) -> None:
    if asset.get("visibility", "public") != "public":
        raise ValidationError(
            f"Asset {asset.get('id')} is private; private assets are never published.",
            problems=[Problem("private assets are never published", field="visibility")],
        )


def _organisation_of(asset: Mapping[str, Any]) -> dict[str, Any] | None:
    name = as_text(asset.get("organisation"))
    if not name:
        return None
    given = asset.get("organisation_id")
    org_id = _uuid(given, "organisation_id") if given else _derived_id("organisation", name)
    return {"id": org_id, "name": name}


def _address(asset: Mapping[str, Any], location_id: str) -> dict[str, Any] | None:
    postcode = as_text(asset.get("postcode"))
    parts = [p.strip() for p in as_text(asset.get("address")).split(",") if p.strip()]
    if postcode:  # the postcode has its own field
        key = postcode.replace(" ", "").upper()
        parts = [p for p in parts if p.replace(" ", "").upper() != key]
        if parts and parts[-1].upper().endswith(postcode.upper()):
            parts[-1] = parts[-1][: -len(postcode)].strip()
        parts = [p for p in parts if p]
    if not parts and not postcode:
        return None
    return {
        "id": _derived_id("address", location_id),
        "location_id": location_id,
        "address_1": ", ".join(parts[:-1]) if len(parts) > 1 else (parts[0] if parts else ""),
        "city": parts[-1] if len(parts) > 1 else "",
        "state_province": "",  # required by the schema; UK addresses have no state
        "postal_code": postcode,
        "country": "GB",
        "address_type": "physical",
    }


def _location(asset: Mapping[str, Any], *, full: bool) -> dict[str, Any] | None:
    location_id = _location_id(asset)
    address = _address(asset, location_id)
    lat, lon = as_number(asset.get("lat")), as_number(asset.get("lon"))
    if address is None and (lat is None or lon is None):
        return None
    access = [
        {"id": _derived_id("accessibility", location_id, flag), "location_id": location_id,
         "description": _FLAG_TEXT[flag][0 if asset.get(flag) else 1]}
        for flag in _FLAG_TEXT
        if isinstance(asset.get(flag), bool)
    ]  # fmt: skip
    return _compact(
        id=location_id,
        location_type="physical",
        name=as_text(asset.get("name")),
        latitude=lat if lon is not None else None,
        longitude=lon if lat is not None else None,
        addresses=[address] if full and address else [],
        accessibility=access if full else [],
    )


def service_json(asset: Mapping[str, Any], *, base_url: str, full: bool = True) -> dict[str, Any]:
    """An asset as an ORUK 3.0 service (``GET /services/{id}``, or an item of ``/services``).

    Parameters
    ----------
    asset
        The asset's fields (:class:`~mobilise.formats.assets.AssetRecord` names) with ``id``
        (a UUID), and optionally ``organisation_id`` (UUID), ``location_id`` (UUID) and
        ``updated_at`` (a datetime, UTC when naive). Private assets are refused.
    base_url
        The address of the feed (``https://host/oruk``), for the links in the document.
    full
        Nest schedules, location, languages, costs, phone and taxonomy terms; otherwise only the
        one-to-one fields and the organisation, as ``/services`` lists them.

    Returns
    -------
    dict
        A document valid against the ORUK ``service`` schema, with no empty or null fields.
        Phones (``phones[].number``) and language names (``languages[].name``) are written the
        HSDS 3.0 way; the ORUK profile has no field for them.
    """
    _check_public(asset)
    base = _base(base_url)
    service_id = _uuid(asset["id"], "id")
    organisation = _organisation_of(asset)
    document = _compact(
        required=("name",),
        id=service_id,
        organization_id=organisation["id"] if organisation else None,
        name=as_text(asset.get("name")),
        description=as_text(asset.get("description")),
        url=_url(asset.get("url")),
        email=_email(asset.get("email")),
        status=_STATUS_OUT.get(str(asset.get("status", "active")), "active"),
        minimum_age=_whole(asset.get("age_min")),
        maximum_age=_whole(asset.get("age_max")),
        assured_date=_day(asset.get("assured_date")),
        last_modified=_timestamp(asset.get("updated_at")),
        organization=(
            organization_json(organisation, base_url=base, full=False) if organisation else None
        ),
    )
    if full:
        document |= _nested(asset, service_id, base)
    return document


def _nested(asset: Mapping[str, Any], service_id: str, base: str) -> dict[str, Any]:
    """The nested parts of a full service: schedules, its place, languages, costs, phone and
    taxonomy terms (those that are there)."""
    cost = _COST_OUT.get(str(asset.get("cost")))
    location = _location(asset, full=True)
    phone = as_text(asset.get("phone"))
    return _compact(
        schedules=_schedules(asset, service_id),
        service_at_locations=(
            [
                {
                    "id": service_at_location_id(asset),
                    "service_id": service_id,
                    "location_id": location["id"],
                    "location": location,
                }
            ]
            if location
            else []
        ),
        languages=[
            {"id": _derived_id("language", service_id, str(name)), "service_id": service_id,
             "name": str(name)}
            for name in dict.fromkeys(asset.get("languages") or ())
            if str(name).strip()
        ],
        cost_options=(
            [_compact(id=_derived_id("cost_option", service_id), service_id=service_id,
                      option=cost[0], amount=cost[1])]
            if cost
            else []
        ),
        phones=(
            [{"id": _derived_id("phone", service_id, phone), "service_id": service_id,
              "number": phone}]
            if phone
            else []
        ),
        attributes=_attributes(asset, service_id, base),
    )  # fmt: skip


def _schedules(asset: Mapping[str, Any], service_id: str) -> list[dict[str, Any]]:
    return [
        _compact(
            id=_derived_id("schedule", service_id, str(number)),
            service_id=service_id,
            freq="WEEKLY" if as_text(row.get("byday")) else None,
            byday=as_text(row.get("byday")),
            opens_at=as_text(row.get("opens_at")),
            closes_at=as_text(row.get("closes_at")),
            description=as_text(row.get("description")),
        )
        for number, row in enumerate(asset.get("schedule") or ())
        if isinstance(row, Mapping) and any(as_text(v) for v in row.values())
    ]


def _attributes(asset: Mapping[str, Any], service_id: str, base: str) -> list[dict[str, Any]]:
    """The asset's category, taxonomy terms and target groups as attributes of the service."""
    terms = [
        f"{CATEGORY_VOCABULARY}:{asset['category']}" if asset.get("category") else "",
        *(str(t) for t in asset.get("taxonomy_terms") or ()),
        *(f"{TARGET_GROUP_VOCABULARY}:{g}" for g in asset.get("target_groups") or ()),
    ]
    return [
        {
            "id": _derived_id("attribute", service_id, term),
            "link_id": service_id,
            "link_entity": "service",
            "taxonomy_term_id": taxonomy_term_id(term),
            "taxonomy_term": taxonomy_term_json(term, base_url=base),
        }
        for term in dict.fromkeys(terms)
        if term
    ]


def service_at_location_json(
    asset: Mapping[str, Any], *, base_url: str, full: bool = True
) -> dict[str, Any]:
    """An asset's service at its place (``GET /service_at_locations/{id}`` or a list item).

    The location is the asset's position and address; ``full`` adds the address and
    accessibility to the location. The service's one-to-one fields are nested. An asset with
    neither a position nor an address has no ``location`` (nor ``location_id``): list only
    assets that have a place.
    """
    _check_public(asset)
    service_id = _uuid(asset["id"], "id")
    location = _location(asset, full=full)
    return _compact(
        id=service_at_location_id(asset),
        service_id=service_id,
        location_id=location["id"] if location else None,
        location=location,
        service=service_json(asset, base_url=base_url, full=False),
    )


def organization_json(
    organisation: Mapping[str, Any],
    *,
    base_url: str,
    services: Sequence[Mapping[str, Any]] = (),
    full: bool = True,
) -> dict[str, Any]:
    """An organisation as an ORUK 3.0 organization.

    Parameters
    ----------
    organisation
        ``id`` (UUID) and ``name``; optionally ``description``, ``email``, ``url``.
    base_url
        The address of the feed; the organization's ``uri`` is
        ``{base_url}/organizations/{id}``.
    services
        The organisation's assets (as for :func:`service_json`), nested in full when ``full``.
    full
        Nest ``services``.
    """
    base = _base(base_url)
    org_id = _uuid(organisation["id"], "organisation id")
    document = _compact(
        required=("description",),
        id=org_id,
        name=as_text(organisation.get("name")),
        description=as_text(organisation.get("description")),
        email=_email(organisation.get("email")),
        website=_url(organisation.get("url") or organisation.get("website")),
        uri=f"{base}/organizations/{org_id}",
    )
    if full and services:
        nested = [service_json(s, base_url=base, full=True) for s in services]
        document["services"] = [{k: v for k, v in s.items() if k != "organization"} for s in nested]
    return document


def taxonomy_term_json(term: str, *, base_url: str) -> dict[str, Any]:
    """A taxonomy term ``"vocabulary:term"`` (a category id alone is a mobilise category).

    Categories are written with the ``taxonomy`` :data:`CATEGORY_VOCABULARY`, their id as
    ``term`` and their label as ``name``; target groups with :data:`TARGET_GROUP_VOCABULARY`.
    """
    base = _base(base_url)
    vocabulary, code = _split_term(term)
    if vocabulary == CATEGORY_VOCABULARY:
        name = CATEGORIES.get(code, code)
        description = f"Community asset category: {name}"
    elif vocabulary == TARGET_GROUP_VOCABULARY:
        name = code.replace("_", " ").capitalize()
        description = f"For: {name.lower()}"
    else:
        name = code
        description = f"{code} ({_VOCABULARY_NAMES.get(vocabulary, vocabulary)})"
    term_id = taxonomy_term_id(f"{vocabulary}:{code}")
    return {
        "id": term_id,
        "name": name,
        "description": description,
        "taxonomy": vocabulary,
        "taxonomy_id": taxonomy_id(vocabulary),
        "term": code,
        "term_uri": f"{base}/taxonomy_terms/{term_id}",
    }


def taxonomy_json(
    vocabulary: str, *, base_url: str, terms: Iterable[str] = (), full: bool = True
) -> dict[str, Any]:
    """A vocabulary as an ORUK 3.0 taxonomy, with its ``terms`` when ``full``.

    ``terms`` are the vocabulary's terms, with or without the ``"vocabulary:"`` prefix; for
    :data:`CATEGORY_VOCABULARY` they default to every category.
    """
    base = _base(base_url)
    found = [t.removeprefix(f"{vocabulary}:") for t in terms]
    if vocabulary == CATEGORY_VOCABULARY and not found:
        found = list(CATEGORIES)
    taxonomy = taxonomy_id(vocabulary)
    name = _VOCABULARY_NAMES.get(vocabulary, vocabulary)
    return _compact(
        id=taxonomy,
        name=name,
        description=f"{name}, as used by mobilise",
        uri=f"{base}/taxonomies/{taxonomy}",
        taxonomy_terms=(
            [taxonomy_term_json(f"{vocabulary}:{t}", base_url=base) for t in found] if full else []
        ),
    )


def api_details_json(base_url: str, *, openapi_url: str = OPENAPI_URL) -> dict[str, Any]:
    """The answer of a feed's ``GET /``: ORUK version, profile and OpenAPI description.

    ``base_url`` is the feed's own address; it is checked to be an absolute http(s) URL.
    """
    _base(base_url)
    return {"version": ORUK_VERSION, "profile": PROFILE_URL, "openapi_url": openapi_url}


def page_wrapper(
    items: Iterable[Mapping[str, Any]], *, total_items: int, page: int, per_page: int
) -> dict[str, Any]:
    """One page of an ORUK list: the items with ``total_items`` ... ``empty`` around them.

    Parameters
    ----------
    items
        The documents of this page.
    total_items
        How many documents all pages hold.
    page
        This page's number, from 1.
    per_page
        The page size asked for.
    """
    contents = [dict(item) for item in items]
    return {**_page_fields(len(contents), total_items, page, per_page), "contents": contents}


def page_wrapper_text(
    item_texts: Sequence[str], *, total_items: int, page: int, per_page: int
) -> str:
    """:func:`page_wrapper` as JSON text, around items that are JSON text already (a feed that
    keeps each item's text writes a page without encoding them again)."""
    head = json.dumps(_page_fields(len(item_texts), total_items, page, per_page), separators=SEP)
    return f'{head[:-1]},"contents":[{",".join(item_texts)}]}}'


def _page_fields(size: int, total_items: int, page: int, per_page: int) -> dict[str, Any]:
    problems = [
        Problem(f"must be 1 or more, not {value}", field=name)
        for name, value in (("page", page), ("per_page", per_page))
        if value < 1
    ]
    if total_items < 0:
        problems.append(Problem(f"must be 0 or more, not {total_items}", field="total_items"))
    if problems:
        raise ValidationError(
            "page and per_page must be 1 or more, total_items 0 or more.", problems=problems
        )
    total_pages = math.ceil(total_items / per_page)
    return {
        "total_items": total_items,
        "total_pages": total_pages,
        "page_number": page,
        "size": size,
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not size,
    }

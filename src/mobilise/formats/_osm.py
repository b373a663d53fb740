"""OpenStreetMap for the asset readers (private; the public names are in ``formats.assets``).

Overpass JSON (``{"elements": [...]}``) and ``.osm`` XML are read into :class:`OsmElement` s with
a position each: a node's own, a way's or relation's ``center`` from Overpass, else the centroid
of the nodes it refers to. :func:`osm_cells` turns an element's tags into the cells of an asset
row; ``formats.assets`` validates them like any other row.
"""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import shapely
from shapely.geometry import LineString, Polygon, mapping

from mobilise.errors import ConfigurationError, Problem, ValidationError
from mobilise.formats._asset_rows import Cells, parse_opening_hours, place
from mobilise.formats._limits import parse_xml
from mobilise.geo import is_postcode
from mobilise.model.asset_vocab import (
    OSM_TAGS,
    category_from_osm,
    cost_from_text,
    osm_matches,
    target_group_from_text,
)
from mobilise.settings import Limits

OVERPASS_URL = "https://overpass-api.de/api/interpreter"
USER_AGENT = "mobilise (community asset mapping; https://github.com/mobilise/mobilise)"


@dataclass
class OsmElement:
    """One tagged OpenStreetMap element, placed."""

    type: str  # node, way, relation
    id: str
    tags: dict[str, str]
    lon: Any  # as given; the asset reader checks it is a number
    lat: Any
    geometry: dict[str, Any] | None  # a closed way's polygon (WGS84 GeoJSON)
    index: int  # 1-based position in the file
    raw: dict[str, Any]


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _shape(points: Sequence[tuple[float, float]]) -> tuple[float, float, dict[str, Any] | None]:
    """A way's position (centroid, inside the shape) and polygon from its nodes' positions."""
    if len(points) >= 4 and points[0] == points[-1]:
        polygon = shapely.make_valid(Polygon(points))
        if not polygon.is_empty:
            centre = polygon.centroid
            if not polygon.contains(centre):
                centre = polygon.representative_point()
            kept = None
            if polygon.geom_type in ("Polygon", "MultiPolygon"):
                kept = json.loads(json.dumps(mapping(polygon)))
            return round(centre.x, 7), round(centre.y, 7), kept
    if len(set(points)) >= 2:
        middle = LineString(points).interpolate(0.5, normalized=True)
        return round(middle.x, 7), round(middle.y, 7), None
    return points[0][0], points[0][1], None


def _place(
    raw: Mapping[str, Any], nodes: Mapping[str, tuple[float, float]], ways: Mapping[str, Any]
) -> tuple[Any, Any, dict[str, Any] | None]:
    """An element's position as given (node, ``center``) or from its nodes, and its polygon."""
    kind = raw.get("type")
    if kind == "node" or ("lat" in raw and "lon" in raw):
        return raw.get("lon"), raw.get("lat"), None
    center = raw.get("center")
    if isinstance(center, Mapping):
        return center.get("lon"), center.get("lat"), None
    points: list[tuple[float, float]] = []
    geometry = raw.get("geometry")
    if kind == "way" and isinstance(geometry, list):
        for point in geometry:
            if isinstance(point, Mapping):
                lon, lat = _number(point.get("lon")), _number(point.get("lat"))
                if lon is not None and lat is not None:
                    points.append((lon, lat))
    elif kind == "way" and isinstance(raw.get("nodes"), list):
        points = [nodes[str(ref)] for ref in raw["nodes"] if str(ref) in nodes]
    elif kind == "relation" and isinstance(raw.get("members"), list):
        for member in raw["members"]:
            if not isinstance(member, Mapping):
                continue
            ref = str(member.get("ref"))
            if member.get("type") == "node" and ref in nodes:
                points.append(nodes[ref])
            elif member.get("type") == "way" and isinstance(ways.get(ref), list):
                points += [nodes[str(n)] for n in ways[ref] if str(n) in nodes]
        if points:
            centre = shapely.MultiPoint(points).centroid
            return round(centre.x, 7), round(centre.y, 7), None
    if not points:
        return None, None, None
    return _shape(points)


def elements_from_overpass(data: Any, *, file: str) -> list[OsmElement]:
    """The tagged elements of an Overpass JSON answer (``{"elements": [...]}``), placed."""
    elements = data.get("elements") if isinstance(data, Mapping) else None
    if not isinstance(elements, list):
        raise ValidationError(
            f"File {file} is not an Overpass answer.",
            problems=[Problem('expected a JSON object with an "elements" list', file=file)],
        )
    nodes: dict[str, tuple[float, float]] = {}
    ways: dict[str, Any] = {}
    for raw in elements:
        if not isinstance(raw, Mapping):
            continue
        if raw.get("type") == "node":
            lon, lat = _number(raw.get("lon")), _number(raw.get("lat"))
            if lon is not None and lat is not None:
                nodes[str(raw.get("id"))] = (lon, lat)
        elif raw.get("type") == "way":
            ways[str(raw.get("id"))] = raw.get("nodes")
    found = []
    for index, raw in enumerate(elements, start=1):
        tags = raw.get("tags") if isinstance(raw, Mapping) else None
        if not isinstance(tags, Mapping) or not tags:
            continue  # untagged nodes only give ways their shape
        lon, lat, geometry = _place(raw, nodes, ways)
        found.append(
            OsmElement(
                type=str(raw.get("type", "")),
                id=str(raw.get("id", "")),
                tags={str(k): str(v) for k, v in tags.items()},
                lon=lon,
                lat=lat,
                geometry=geometry,
                index=index,
                raw=dict(raw),
            )
        )
    return found


def elements_from_xml(data: bytes, *, file: str, limits: Limits | None = None) -> list[OsmElement]:
    """The tagged elements of an ``.osm`` XML file, placed (ways at the centroid of their nodes)."""
    try:
        root = parse_xml(data, name=file, limits=limits)
    except ET.ParseError as exc:
        raise ValidationError(
            f"File {file} is not OSM XML.",
            problems=[Problem(f"cannot parse the XML: {exc}", file=file)],
        ) from exc
    if root.tag != "osm":
        raise ValidationError(
            f"File {file} is not OSM XML.",
            problems=[Problem(f"the root element is <{root.tag}>, not <osm>", file=file)],
        )
    elements: list[dict[str, Any]] = []
    for child in root:
        if child.tag not in ("node", "way", "relation"):
            continue
        element: dict[str, Any] = {"type": child.tag, "id": child.get("id", "")}
        tags = {t.get("k", ""): t.get("v", "") for t in child.iter("tag")}
        if tags:
            element["tags"] = tags
        if child.tag == "node":
            element["lat"], element["lon"] = child.get("lat"), child.get("lon")
        elif child.tag == "way":
            element["nodes"] = [nd.get("ref") for nd in child.iter("nd")]
        else:
            element["members"] = [dict(m.attrib) for m in child.iter("member")]
        elements.append(element)
    return elements_from_overpass({"elements": elements}, file=file)


_OSM_ID_RE = re.compile(r"^(node|way|relation)/(\d+)$")
_OSM_KEYS = {spec.split("=", 1)[0] for spec in OSM_TAGS}
_CATEGORY_FIELDS = {"category", "source_category", "type", "asset_category", "taxonomy_terms"}


def looks_like_osm(rows: Sequence[Any]) -> bool:
    """Whether GeoJSON rows are OSM elements with their tags as properties (overpass-turbo).

    True when no property names a category and some feature has an ``@id`` like ``node/1`` or
    an OSM key of :data:`~.asset_vocab.OSM_TAGS`.
    """
    keys = {str(k).casefold() for row in rows for k in row.values}
    if keys & _CATEGORY_FIELDS:
        return False
    return "@id" in keys or bool(keys & _OSM_KEYS)


def elements_from_features(rows: Sequence[Any]) -> list[OsmElement]:
    """OSM elements from GeoJSON rows whose properties are tags (``formats.assets`` rows)."""
    found = []
    for row in rows:
        if row.error is not None:
            continue
        lon, lat, geometry, _ = place(row.geometry, row.crs) if row.geometry else (None,) * 4
        ident = _OSM_ID_RE.match(str(row.values.get("@id") or row.feature_id or ""))
        tags = {
            str(k): str(v)
            for k, v in row.values.items()
            if v is not None and not str(k).startswith("@")
        }
        found.append(
            OsmElement(
                type=ident.group(1) if ident else "",
                id=ident.group(2) if ident else "",
                tags=tags,
                lon=lon,
                lat=lat,
                geometry=geometry,
                index=row.number,
                raw=dict(row.values),
            )
        )
    return found


_NAME_TAGS = ("name", "official_name", "short_name", "loc_name")
_ADDRESS_TAGS = ("addr:housename", "addr:housenumber", "addr:street", "addr:place", "addr:city")
_TEXT_TAGS = {
    "description": ("description",),
    "organisation": ("operator",),
    "email": ("email", "contact:email"),
    "phone": ("phone", "contact:phone"),
    "url": ("website", "contact:website", "url"),
}
_BOOL_TAGS = {
    "step_free": ("wheelchair",),
    "accessible_toilet": ("toilets:wheelchair",),
    "hearing_loop": ("audio_loop", "hearing_loop"),
}
_YES = {"yes": True, "designated": True, "no": False}
_FOR_TAGS = ("community_centre:for", "social_facility:for")


def osm_cells(element: OsmElement) -> tuple[Cells | None, dict[str, Any], str]:
    """The cells of an asset row from an element's tags, the unused tags, and why it is skipped.

    Returns ``(None, {}, "osm:unmapped")`` when no tag maps to a category (or the element is
    not public) and ``(None, {}, "osm:unnamed")`` when it has no name.
    """
    tags = element.tags
    if category_from_osm(tags) is None:
        return None, {}, "osm:unmapped"
    name_tag = next((k for k in _NAME_TAGS if tags.get(k, "").strip()), None)
    if name_tag is None:
        return None, {}, "osm:unnamed"
    matches = osm_matches(tags)
    used = {name_tag, *(t.split("=", 1)[0] for t, _ in matches)}
    cells: Cells = {
        "name": [(name_tag, tags[name_tag])],
        "category": [(matches[0][0].split("=", 1)[0], matches[0][1])],
        "taxonomy_terms": [("tags", [f"osm:{t}" for t, _ in matches])],
        "source_id": [("id", f"{element.type}/{element.id}" if element.type else "")],
        "lon": [("lon", element.lon)],
        "lat": [("lat", element.lat)],
    }
    for field, keys in _TEXT_TAGS.items():
        key = next((k for k in keys if tags.get(k, "").strip()), None)
        if key is not None:
            cells[field] = [(key, tags[key])]
            used.add(key)
    address = [(k, tags[k]) for k in _ADDRESS_TAGS if tags.get(k, "").strip()]
    if address:
        number = tags.get("addr:housenumber", "").strip()
        parts = [v for k, v in address if k != "addr:housenumber"]
        if number and tags.get("addr:street", "").strip():
            parts[parts.index(tags["addr:street"])] = f"{number} {tags['addr:street']}"
        cells["address"] = [("addr:*", ", ".join(parts))]
        used.update(k for k, _ in address)
    # OSM postcodes are often partial ("E1"); such a tag is kept in extra, not a row error.
    if tags.get("addr:postcode", "").strip() and is_postcode(tags["addr:postcode"]):
        cells["postcode"] = [("addr:postcode", tags["addr:postcode"])]
        used.add("addr:postcode")
    if tags.get("opening_hours", "").strip():
        cells["schedule"] = [("opening_hours", parse_opening_hours(tags["opening_hours"]))]
        used.add("opening_hours")
    for field, keys in _BOOL_TAGS.items():
        key = next((k for k in keys if tags.get(k, "").strip().lower() in _YES), None)
        if key is not None:
            cells[field] = [(key, _YES[tags[key].strip().lower()])]
            used.add(key)
    cost = cost_from_text(tags.get("fee", "")) if tags.get("fee") else None
    if cost is not None:
        cells["cost"] = [("fee", cost)]
        used.add("fee")
    groups = [
        (k, g)
        for k in _FOR_TAGS
        for g in (target_group_from_text(v) for v in tags.get(k, "").split(";"))
        if g is not None
    ]
    if groups:
        cells["target_groups"] = [(groups[0][0], sorted({g for _, g in groups}))]
        used.update(k for k, _ in groups)
    for field, key in (("age_min", "min_age"), ("age_max", "max_age")):
        if _number(tags.get(key)) is not None:
            cells[field] = [(key, tags[key])]
            used.add(key)
    extra = {k: v for k, v in tags.items() if k not in used}
    return cells, extra, ""


def _check_bbox(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    problem = None
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        problem = "give four numbers: (west, south, east, north) in WGS84 degrees"
    else:
        if not all(math.isfinite(v) for v in (west, south, east, north)):
            problem = "the bounds must be finite numbers"
        elif not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            problem = (
                f"({west}, {south}, {east}, {north}) is not (west, south, east, north) in WGS84 "
                "degrees with west < east and south < north"
            )
    if problem is not None:
        raise ValidationError("Not a bounding box.", problems=[Problem(problem, field="bbox")])
    return west, south, east, north


def overpass_query(bbox: tuple[float, float, float, float], *, timeout: int = 180) -> str:
    """Overpass QL for the named community assets of :data:`~.asset_vocab.OSM_TAGS` in ``bbox``.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in WGS84 degrees, as GeoJSON and shapely order bounds.
    timeout
        The server's time limit for the query, in seconds.

    Returns
    -------
    str
        One query asking for nodes, ways and relations with their tags and centre.
    """
    west, south, east, north = _check_bbox(bbox)
    box = f"{south},{west},{north},{east}"
    values: dict[str, list[str]] = {}
    for spec in OSM_TAGS:
        key, value = spec.split("=", 1)
        values.setdefault(key, []).append(value)
    lines = []
    for key, wanted in values.items():
        if "*" in wanted:
            lines.append(f'  nwr["{key}"]["name"]({box});')
        else:
            lines.append(f'  nwr["{key}"~"^({"|".join(wanted)})$"]["name"]({box});')
    body = "\n".join(lines)
    return f"[out:json][timeout:{int(timeout)}];\n(\n{body}\n);\nout tags center;\n"


def download_overpass(
    bbox: tuple[float, float, float, float],
    *,
    url: str = OVERPASS_URL,
    client: httpx.Client | None = None,
    timeout: float = 180,
) -> dict[str, Any]:
    """Download the community assets in ``bbox`` from an Overpass API server.

    Parameters
    ----------
    bbox
        ``(west, south, east, north)`` in WGS84 degrees.
    url
        The Overpass interpreter endpoint.
    client
        An HTTP client to use (e.g. with a proxy or a mock transport); one is made when None.
    timeout
        Seconds to wait for the answer (also the query's server-side limit).

    Returns
    -------
    dict
        The Overpass JSON answer, ``{"elements": [...], ...}``; read it with
        :func:`mobilise.formats.assets.assets_from_overpass`.

    Raises
    ------
    mobilise.errors.ConfigurationError
        When the server cannot be reached, times out or answers with an HTTP error.
    mobilise.errors.ValidationError
        When the answer is not Overpass JSON or reports a query error.
    """
    query = overpass_query(bbox, timeout=max(1, math.ceil(timeout)))
    http = client or httpx.Client(headers={"User-Agent": USER_AGENT})
    try:
        response = http.post(url, data={"data": query}, timeout=timeout)
    except httpx.TimeoutException as exc:
        raise ConfigurationError(
            f"The Overpass API at {url} did not answer within {timeout:g} s; try a smaller area, "
            "a longer timeout or later."
        ) from exc
    except httpx.HTTPError as exc:
        raise ConfigurationError(
            f"Cannot reach the Overpass API at {url} ({exc}); check the network connection or "
            "proxy, or pass url= for another Overpass server."
        ) from exc
    finally:
        if client is None:
            http.close()
    if response.status_code >= 400:
        busy = ""
        if response.status_code in (429, 503, 504):
            busy = " The server is busy; wait a minute and retry."
        raise ConfigurationError(
            f"The Overpass API at {url} answered HTTP {response.status_code}: "
            f"{response.text.strip()[:200]!r}.{busy}"
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise ValidationError(
            f"The Overpass API at {url} did not answer with JSON.",
            problems=[Problem(f"the answer starts {response.text[:120]!r}", file=url)],
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise ValidationError(
            f"The Overpass API at {url} did not answer with Overpass JSON.",
            problems=[Problem('expected a JSON object with an "elements" list', file=url)],
        )
    remark = str(data.get("remark") or "")
    if "error" in remark.lower():
        raise ValidationError(
            f"The Overpass API at {url} reported an error: {remark}",
            problems=[Problem(remark, file=url)],
        )
    return data

"""Checking one row of an asset file and turning it into record fields (private to ``assets``).

Also the helpers every asset reader shares: feature geometry to a position (:func:`place`) and
opening hours to schedule rows (:func:`parse_opening_hours`).

A reader gives each row as *cells*: asset field -> the (source column, value) pairs mapped to it.
:func:`build_record` checks every cell and returns the keyword arguments of an
:class:`~mobilise.formats.assets.AssetRecord`, or every problem of the row.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import pandas as pd
import shapely
from pyproj import Transformer
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from mobilise.errors import Problem
from mobilise.formats._asset_facts import NORMALISED, describe
from mobilise.formats._web_address import email_address, web_address
from mobilise.geo import GB_BOUNDS, bng_to_wgs84, is_postcode, normalise_postcode
from mobilise.model.asset_vocab import (
    CATEGORIES,
    KINDS,
    STATUSES,
    TARGET_GROUPS,
    VISIBILITIES,
    category_from_bundled,
    category_from_taxonomy,
    cost_from_text,
    source_info,
    status_from_text,
    target_group_from_text,
)

Cells = dict[str, list[tuple[str, Any]]]
"""Asset field -> the (source field, value) pairs a row gives for it."""

TARGETS = frozenset(
    {
        "name", "category", "source", "source_id", "kind", "description", "status",
        "taxonomy_terms", "lon", "lat", "address", "postcode", "organisation", "email", "phone",
        "url", "schedule", "step_free", "accessible_toilet", "hearing_loop", "languages", "cost",
        "age_min", "age_max", "target_groups", "capacity", "capacity_unit", "licence",
        "assured_date", "visibility", "easting", "northing", "source_category", "closed",
    }
)  # fmt: skip
"""The fields a column can be mapped to: AssetRecord fields and a few helpers."""

DAY_COLUMNS = {
    **dict.fromkeys(("monday", "mon"), "Mo"),
    **dict.fromkeys(("tuesday", "tue"), "Tu"),
    **dict.fromkeys(("wednesday", "wed"), "We"),
    **dict.fromkeys(("thursday", "thu"), "Th"),
    **dict.fromkeys(("friday", "fri"), "Fr"),
    **dict.fromkeys(("saturday", "sat"), "Sa"),
    **dict.fromkeys(("sunday", "sun"), "Su"),
}
"""Day column names (normalised) -> OSM day, for files with one opening-times column per day."""

_BLANK = {"", "-", "–", "—"}
_CLOSED_DAY = {"closed", "n/a closed", "n/a", "off", "shut"}
_TRUE = {"yes", "y", "true", "1", "designated"}
_FALSE = {"no", "n", "false", "0"}
_UNKNOWN = {"limited", "partial", "partly", "unknown", "some"}
_NOT_CLOSED = {"no", "false", "0", "open", "n/a", "na", "none"}
_VOCAB_RE = re.compile(r"^[a-z][a-z0-9_.-]*:\S", re.IGNORECASE)
_OSM_TAG_RE = re.compile(r"^[a-z_:]+=[^=\s][^=]*$")
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d")


_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_WORDS = {
    **dict.fromkeys(("mo", "mon", "monday", "mondays"), 0),
    **dict.fromkeys(("tu", "tue", "tues", "tuesday", "tuesdays"), 1),
    **dict.fromkeys(("we", "wed", "weds", "wednesday", "wednesdays"), 2),
    **dict.fromkeys(("th", "thu", "thur", "thurs", "thursday", "thursdays"), 3),
    **dict.fromkeys(("fr", "fri", "friday", "fridays"), 4),
    **dict.fromkeys(("sa", "sat", "saturday", "saturdays"), 5),
    **dict.fromkeys(("su", "sun", "sunday", "sundays"), 6),
}
_DAY = "(?:" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\b"
_DAY_SPEC = rf"{_DAY}(?:\s*[-–]\s*{_DAY})?(?:\s*,\s*{_DAY}(?:\s*[-–]\s*{_DAY})?)*"
_RULE_RE = re.compile(rf"^(?P<days>{_DAY_SPEC})?\s*:?\s*(?P<times>.*)$", re.IGNORECASE)
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
_RANGE_RE = re.compile(rf"^{_TIME}\s*(?:-|–|to)\s*{_TIME}$", re.IGNORECASE)
_CLOSED_WORDS = {"off", "closed", "n/a closed", "shut"}


def _time(hour: str, minute: str | None, half: str | None) -> str | None:
    h, m = int(hour), int(minute or 0)
    if half:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    if h == 24 and m == 0:
        return "23:59"  # HSDS times are clock times; "24:00" is the end of the day
    return f"{h:02d}:{m:02d}" if h < 24 and m < 60 else None


def _days(spec: str | None) -> list[int]:
    if not spec:
        return list(range(7))
    days: list[int] = []
    for part in re.split(r"\s*,\s*", spec.strip()):
        ends = [_DAY_WORDS[d.strip().lower()] for d in re.split(r"\s*[-–]\s*", part)]
        first, last = ends[0], ends[-1]
        span = (last - first) % 7
        days += [(first + k) % 7 for k in range(span + 1)]
    return sorted(set(days))


def _rule(rule: str) -> list[dict[str, str]] | None:
    match = _RULE_RE.match(rule)
    if match is None:
        return None
    days, times = _days(match.group("days")), match.group("times").strip()
    if times.casefold() in _CLOSED_WORDS:
        return []
    if not times:
        return None
    rows = []
    for part in re.split(r"\s*,\s*", times):
        span = _RANGE_RE.match(part)
        if span is None:
            return None
        opens, closes = _time(*span.groups()[:3]), _time(*span.groups()[3:])
        if opens is None or closes is None:
            return None
        byday = ",".join(_DAYS[d] for d in days)
        rows.append({"byday": byday, "opens_at": opens, "closes_at": closes, "description": ""})
    return rows


def parse_opening_hours(text: str) -> list[dict[str, str]]:
    """HSDS-style schedule rows from opening hours such as ``"Mo-Fr 09:00-17:00; Sa 10:00-12:00"``.

    Reads the common part of OSM's ``opening_hours`` syntax and its everyday spellings
    (``"Mon-Fri 9am-5pm"``, ``"24/7"``); public and school holiday rules (``PH``, ``SH``) are
    skipped. Text it cannot read becomes one row whose ``description`` is the whole text.
    """
    text = str(text).strip()
    if not text:
        return []
    if text.casefold() in ("24/7", "24 hours", "open 24 hours"):
        return [
            {"byday": ",".join(_DAYS), "opens_at": "00:00", "closes_at": "23:59", "description": ""}
        ]
    rows: list[dict[str, str]] = []
    rules = re.split(rf";|\n|(?<=\d),\s*(?={_DAY})", text, flags=re.IGNORECASE)
    for rule in (r.strip() for r in rules):
        if not rule or re.match(r"^(PH|SH)\b", rule):
            continue
        parsed = _rule(rule)
        if parsed is None:
            return [{"byday": "", "opens_at": "", "closes_at": "", "description": text}]
        rows += parsed
    return rows


@dataclass
class Row:
    """One row or feature of a file before checking."""

    number: int  # 1-based
    values: dict[str, Any]
    geometry: Any = None  # GeoJSON geometry object or shapely geometry
    crs: str | None = None  # the geometry's CRS when not WGS84
    feature_id: str | None = None  # a GeoJSON feature's "id"
    error: str | None = None  # why the row could not be read at all


def python_value(value: Any) -> Any:
    """A cell from pandas as a plain Python value (missing -> None, numpy -> Python)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "to_pydatetime"):
        try:
            return value.to_pydatetime()
        except ValueError:
            return None  # NaT
    return value


@lru_cache(maxsize=8)
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def place(
    geometry: Any, crs: str | None
) -> tuple[float | None, float | None, dict[str, Any] | None, str | None]:
    """Longitude, latitude, kept polygon and error message for a feature's geometry.

    Points give their coordinates; other shapes their representative point (always inside).
    Polygons and multipolygons are kept as GeoJSON in WGS84.
    """
    try:
        shp = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
        if crs is not None:
            shp = shapely.transform(shp, _to_wgs84(crs).transform, interleaved=False)
        if shp.is_empty:
            return None, None, None, None
        if not shp.is_valid:
            shp = shapely.make_valid(shp)
        point = shp if shp.geom_type == "Point" else shp.representative_point()
        kept = None
        if shp.geom_type in ("Polygon", "MultiPolygon"):
            kept = json.loads(json.dumps(mapping(shp)))
        return float(point.x), float(point.y), kept, None
    except (ShapelyError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return None, None, None, f"the geometry cannot be read ({type(exc).__name__}: {exc})"


def _text(value: Any) -> str:
    if type(value) is str:  # the common case first
        text = value.strip()
        return "" if text in _BLANK else text
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    text = str(value).strip()
    return "" if text in _BLANK else text


class _Cells:
    """Reading the cells of one row, collecting problems."""

    def __init__(self, cells: Cells, *, row: int, file: str) -> None:
        self.cells, self.row, self.file = cells, row, file
        self.problems: list[Problem] = []

    def first(self, field: str) -> tuple[str, Any]:
        """The first non-blank (column, value) of ``field``; (column or field, None) if none."""
        pairs = self.cells.get(field)
        if not pairs:
            return field, None
        for column, value in pairs:
            if _text(value):
                return column, value
        return pairs[0][0], None

    def text(self, field: str) -> tuple[str, str]:
        """Like :meth:`first`, the value as text ("" if none)."""
        pairs = self.cells.get(field)
        if not pairs:
            return field, ""
        for column, value in pairs:
            text = _text(value)
            if text:
                return column, text
        return pairs[0][0], ""

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.file, row=self.row, field=column))

    def number(self, field: str, *, what: str, example: str) -> float | None:
        column, value = self.first(field)
        if value is None:
            return None
        number: float | None = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value.strip().replace(",", ""))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            self.problem(column, f"{_text(value)!r} is not a number; write the {what} as {example}")
            return None
        return number

    def choice(self, field: str, allowed: tuple[str, ...], default: str) -> str:
        column, text = self.text(field)
        if not text:
            return default
        if text.casefold() not in allowed:
            self.problem(column, f"{text!r} is not a {field}; use one of {', '.join(allowed)}")
        return text.casefold()

    def flag(self, field: str) -> bool | None:
        column, value = self.first(field)
        if value is None or isinstance(value, bool):
            return value
        text = _text(value).casefold()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        if text not in _UNKNOWN:
            self.problem(column, f"{_text(value)!r} is not yes or no; write yes, no or leave blank")
        return None

    def items(self, field: str, separators: str) -> list[str]:
        found: list[str] = []
        for _, value in self.cells.get(field, []):
            parts = (
                value if isinstance(value, (list, tuple)) else re.split(separators, _text(value))
            )
            found += [t for t in (_text(p) for p in parts) if t]
        return found


def _term(vocabulary: str, text: str, *, keep_prefix: bool) -> str:
    if keep_prefix and _VOCAB_RE.match(text):
        return text
    if _OSM_TAG_RE.match(text):
        return f"osm:{text}"
    return f"{vocabulary}:{text}"


def _category(r: _Cells, terms: list[str]) -> str | None:
    column, given = r.text("category")
    _, source_category = r.text("source_category")
    found = category_from_bundled(given, source_category) if given or source_category else None
    if found is None and not given:
        found = next((c for c in map(category_from_taxonomy, terms) if c is not None), None)
    if found is None:
        ids = ", ".join(CATEGORIES)
        if given:
            r.problem(column, f"{given!r} is not a category; use one of {ids}")
        else:
            r.problem(
                "category",
                f"no category, and none follows from the type or taxonomy terms; give one of {ids}",
            )
    return found


def _coordinates(r: _Cells) -> tuple[float | None, float | None]:
    lon_column, lon_value = r.first("lon")
    lat_column, lat_value = r.first("lat")
    if lon_value is not None or lat_value is not None:
        lon = r.number("lon", what="longitude", example="decimal degrees, e.g. -0.1276")
        lat = r.number("lat", what="latitude", example="decimal degrees, e.g. 51.5072")
        for column, value, what in (
            (lon_column, lon_value, "longitude"),
            (lat_column, lat_value, "latitude"),
        ):
            if value is None:
                r.problem(column, f"the {what} is missing; give both longitude and latitude")
        if lon is None or lat is None:
            return None, None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            r.problem(
                lat_column,
                f"({lon:g}, {lat:g}) is not longitude/latitude in degrees; British National Grid "
                "metres go in easting and northing columns",
            )
            return None, None
        west, south, east, north = GB_BOUNDS
        if not (west <= lon <= east and south <= lat <= north):
            swapped = west <= lat <= east and south <= lon <= north
            hint = "; longitude and latitude look swapped" if swapped else ""
            r.problem(lat_column, f"({lon:g}, {lat:g}) is outside Great Britain{hint}")
            return None, None
        return lon, lat
    e_column, e_value = r.first("easting")
    n_column, n_value = r.first("northing")
    if e_value is None and n_value is None:
        return None, None
    easting = r.number("easting", what="easting", example="metres, e.g. 475400")
    northing = r.number("northing", what="northing", example="metres, e.g. 260600")
    if easting is None or northing is None:
        if (e_value is None) != (n_value is None):
            r.problem(n_column if n_value is None else e_column, "give both easting and northing")
        return None, None
    if not (0 <= easting <= 700_000 and 0 <= northing <= 1_300_000):
        r.problem(n_column, f"({easting:g}, {northing:g}) is not a British National Grid position")
        return None, None
    lons, lats = bng_to_wgs84([easting], [northing])
    return round(float(lons[0]), 7), round(float(lats[0]), 7)


def _whole(r: _Cells, field: str, *, low: float, high: float) -> int | None:
    value = r.number(field, what=field.replace("_", " "), example=f"a whole number, e.g. {low:g}")
    if value is None:
        return None
    if not value.is_integer() or not low <= value <= high:
        r.problem(r.first(field)[0], f"{value:g} is not a whole number from {low:g} to {high:g}")
        return None
    return int(value)


def _date(r: _Cells, field: str) -> date | None:
    column, value = r.first(field)
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    text = _text(value)
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    r.problem(column, f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-31")
    return None


def _schedule(r: _Cells) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for _, value in r.cells.get("schedule", []):
        if isinstance(value, list):
            rows += [
                {str(k): _text(v) for k, v in s.items()} for s in value if isinstance(s, Mapping)
            ]
        elif _text(value):
            rows += parse_opening_hours(_text(value))
    for field in sorted(f for f in r.cells if f.startswith("day:")):
        day, text = field[4:], r.text(field)[1]
        if not text or text.casefold() in _CLOSED_DAY:
            continue
        parsed = parse_opening_hours(f"{day} {text}")
        if not parsed or not all(p["opens_at"] for p in parsed):
            parsed = [{"byday": day.upper(), "opens_at": "", "closes_at": "", "description": text}]
        rows += parsed
    return rows


def _source(
    r: _Cells, source: str | None, file: str, extra: dict[str, Any]
) -> tuple[str, str, str]:
    if source:
        return source, *source_info(source)[1:]
    _, named = r.text("source")
    if not named:
        return source_info(file)
    key, vocabulary, licence = source_info(named)
    if key != named:
        extra["source_name"] = named  # the publisher's full wording, for attribution
    return key, vocabulary, licence


def _stable_id(
    name: str, lon: float | None, lat: float | None, postcode: str | None, address: str
) -> str:
    where = f"{lon:.5f},{lat:.5f}" if lon is not None and lat is not None else postcode or address
    basis = f"{' '.join(name.casefold().split())}|{where.casefold()}"
    return "h:" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _status(r: _Cells) -> str | None:
    """The status column's status, else closed when a ``closed`` column says so, else active."""
    status_column, status_text = r.text("status")
    if status_text:
        status = status_from_text(status_text)
        if status is None:
            r.problem(
                status_column, f"{status_text!r} is not a status; use one of {', '.join(STATUSES)}"
            )
        return status
    closed = r.text("closed")[1]
    return "closed" if closed and closed.casefold() not in _NOT_CLOSED else "active"


def _postcode(r: _Cells) -> str | None:
    postcode_column, postcode_text = r.text("postcode")
    if postcode_text and is_postcode(postcode_text):
        return normalise_postcode(postcode_text)
    if postcode_text:
        r.problem(postcode_column, f"{postcode_text!r} is not a UK postcode; write it like NN1 1DE")
    return None


def _target_groups(r: _Cells) -> list[str]:
    groups = []
    for text in r.items("target_groups", r"[,;|]"):
        group = target_group_from_text(text)
        if group is None:
            r.problem(
                r.first("target_groups")[0], f"{text!r} is not one of {', '.join(TARGET_GROUPS)}"
            )
        else:
            groups.append(group)
    return list(dict.fromkeys(groups))


def _web(r: _Cells, extra: dict[str, Any]) -> tuple[str, str]:
    """The row's website as an absolute http(s) URL, and its email (an email address in the
    website column is taken when there is no other); each change is noted in ``extra``."""
    given, email = r.text("url")[1], r.text("email")[1]
    url, note = web_address(given)
    if note:
        extra.setdefault(NORMALISED, {})["url"] = {"given": given, "note": note}
    if not url and not email and email_address(given):
        email = email_address(given)
        extra[NORMALISED]["email"] = {"given": given, "note": "taken from the website column"}
    return url, email


def build_record(
    cells: Cells,
    *,
    row: int,
    file: str,
    source: str | None,
    licence: str,
    extra: dict[str, Any],
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The keyword arguments of an AssetRecord for one row, or None and every problem found."""
    r = _Cells(cells, row=row, file=file)
    name_column, name = r.text("name")
    if not name:
        r.problem(name_column, "the name is blank; every asset needs a name")
    source_key, vocabulary, known_licence = _source(r, source, file, extra)
    terms = [_term(vocabulary, t, keep_prefix=True) for t in r.items("taxonomy_terms", r"[;|]")]
    source_category = r.text("source_category")[1]
    if source_category:
        terms.append(_term(vocabulary, source_category, keep_prefix=False))
    category = _category(r, terms)
    status = _status(r)
    cost_column, cost_text = r.text("cost")
    cost = cost_from_text(cost_text) if cost_text else None
    if cost_text and cost is None:
        r.problem(cost_column, f"{cost_text!r} is not a cost; use free, low or paid")
    lon, lat = _coordinates(r)
    postcode = _postcode(r)
    groups = _target_groups(r)
    capacity = r.number("capacity", what="capacity", example="a number, e.g. 120")
    if capacity is not None and capacity < 0:
        r.problem(r.first("capacity")[0], "the capacity cannot be negative")
    address = ", ".join(t for t in (_text(v) for _, v in cells.get("address", [])) if t)
    url, email = _web(r, extra)
    values: dict[str, Any] = {
        "name": name,
        "category": category or "",
        "source": source_key,
        "source_id": r.text("source_id")[1],
        "kind": r.choice("kind", KINDS, "place"),
        "description": r.text("description")[1],
        "status": status or "",
        "taxonomy_terms": list(dict.fromkeys(terms)),
        "lon": lon,
        "lat": lat,
        "address": address,
        "postcode": postcode,
        "organisation": r.text("organisation")[1],
        "email": email,
        "phone": r.text("phone")[1],
        "url": url,
        "schedule": _schedule(r),
        "step_free": r.flag("step_free"),
        "accessible_toilet": r.flag("accessible_toilet"),
        "hearing_loop": r.flag("hearing_loop"),
        "languages": list(dict.fromkeys(r.items("languages", r"[,;|/]"))),
        "cost": cost,
        "age_min": _whole(r, "age_min", low=0, high=130),
        "age_max": _whole(r, "age_max", low=0, high=130),
        "target_groups": groups,
        "capacity": capacity,
        "capacity_unit": r.text("capacity_unit")[1],
        "licence": licence or r.text("licence")[1] or known_licence,
        "assured_date": _date(r, "assured_date"),
        "visibility": r.choice("visibility", VISIBILITIES, "public"),
        "source_row": row,
        "extra": extra,
    }
    if r.problems:
        return None, r.problems
    if source_key == "osm" and values["source_id"].startswith("osm:"):
        values["source_id"] = values["source_id"][4:]
    if not values["source_id"]:
        values["source_id"] = _stable_id(name, lon, lat, postcode, address)
    describe(values, source_category=source_category)
    return values, []

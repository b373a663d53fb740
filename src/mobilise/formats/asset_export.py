"""Community assets written out: a spreadsheet, GeoJSON, a GeoPackage or an HSDS 3.0 data package.

Every writer takes the assets as mappings (``dataclasses.asdict`` of
:class:`mobilise.workspace.assets.Asset`, or its ``to_dict()``) and a path, checks them all before
writing anything, and returns how many assets it wrote.

:func:`write_csv`
    One row per asset: lists joined with ``"; "``, opening times as text, ``lon``/``lat``.
:func:`write_geojson`
    A FeatureCollection of points (WGS84, RFC 7946); properties without ``null`` values.
:func:`write_geopackage`
    One point layer in EPSG:4326, columns as in the CSV.
:func:`write_hsds_package`
    The Open Referral HSDS 3.0 tables (``services.csv``, ``locations.csv`` ...) with a Frictionless
    ``datapackage.json``, in a folder or a ``.zip``. Ids are those of mobilise's ORUK feed
    (:mod:`mobilise.formats.oruk_feed`), so a consumer of both sees the same records.

Private assets are never published: the HSDS package refuses them, and the other writers refuse
them unless ``include_private=True`` (an analyst's own copy). Unlocated assets are kept, with
empty coordinates (a ``null`` geometry in GeoJSON and the GeoPackage), so every format holds the
same assets.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mobilise.errors import Problem, ValidationError
from mobilise.formats.oruk_feed import service_json, taxonomy_json
from mobilise.formats.safe_cells import csv_writer
from mobilise.model.asset_vocab import CATEGORIES

__all__ = [
    "ASSET_COLUMNS",
    "HSDS_TABLES",
    "opening_times",
    "write_csv",
    "write_geojson",
    "write_geopackage",
    "write_hsds_package",
]

ASSET_COLUMNS = (
    "id",
    "name",
    "description",
    "kind",
    "category",
    "category_label",
    "status",
    "organisation",
    "address",
    "postcode",
    "lsoa11_code",
    "lon",
    "lat",
    "geocode_precision",
    "url",
    "email",
    "phone",
    "opening_times",
    "cost",
    "age_min",
    "age_max",
    "step_free",
    "accessible_toilet",
    "hearing_loop",
    "languages",
    "target_groups",
    "taxonomy_terms",
    "capacity",
    "capacity_unit",
    "visibility",
    "source",
    "source_id",
    "licence",
    "assured_date",
    "updated_at",
)
"""The columns of the CSV and the GeoPackage, in order (the GeoJSON's properties, less lon/lat).
Who last edited an asset, its audit trail and free-form ``extra`` stay in the workspace."""

_LIST_COLUMNS = ("languages", "target_groups", "taxonomy_terms")
_FLAG_COLUMNS = ("step_free", "accessible_toilet", "hearing_loop")

# HSDS 3.0 tabular layout, as its datapackage.json (github.com/openreferral/specification, branch
# 3.0) defines it: table -> (file, columns in order, the columns that are not strings).
HSDS_TABLES: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "organization": (
        "organizations.csv",
        ("id", "name", "alternate_name", "description", "email", "website", "tax_status",
         "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id"),
        {"year_incorporated": "number"},
    ),
    "service": (
        "services.csv",
        ("id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
         "email", "status", "interpretation_services", "application_process",
         "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
         "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
         "last_modified"),
        {"minimum_age": "number", "maximum_age": "number", "assured_date": "date",
         "last_modified": "datetime"},
    ),
    "location": (
        "locations.csv",
        ("id", "location_type", "url", "organization_id", "name", "alternate_name",
         "description", "transportation", "latitude", "longitude", "external_identifier",
         "external_identifier_type"),
        {"latitude": "number", "longitude": "number"},
    ),
    "service_at_location": (
        "service_at_location.csv", ("id", "service_id", "location_id", "description"), {}
    ),
    "address": (
        "addresses.csv",
        ("id", "location_id", "attention", "address_1", "address_2", "city", "region",
         "state_province", "postal_code", "country", "address_type"),
        {},
    ),
    "accessibility": (
        "accessibility.csv", ("id", "location_id", "description", "details", "url"), {}
    ),
    "phone": (
        "phones.csv",
        ("id", "location_id", "service_id", "organization_id", "contact_id",
         "service_at_location_id", "number", "extension", "type", "description"),
        {"extension": "number"},
    ),
    "schedule": (
        "schedules.csv",
        ("id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
         "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
         "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
         "schedule_link", "attending_type", "notes"),
        {"valid_from": "date", "valid_to": "date", "dtstart": "date", "timezone": "number",
         "until": "date", "count": "number", "interval": "number", "opens_at": "time",
         "closes_at": "time"},
    ),
    "language": (
        "languages.csv", ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
        {},
    ),
    "cost_option": (
        "cost_options.csv",
        ("id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
         "amount_description"),
        {"valid_from": "date", "valid_to": "date", "amount": "number"},
    ),
    "attribute": (
        "attributes.csv",
        ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
        {},
    ),
    "taxonomy": ("taxonomies.csv", ("id", "name", "description", "uri", "version"), {}),
    "taxonomy_term": (
        "taxonomy_terms.csv",
        ("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
         "term_uri"),
        {},
    ),
}  # fmt: skip
"""HSDS 3.0 table -> (file name, column names, column types other than string)."""

_DAY_NAMES = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat",
              "SU": "Sun"}  # fmt: skip
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
# The feed's links need an address; without one the package leaves its uri columns empty.
_NO_BASE = "https://mobilise.invalid/oruk"


# -- checks and plain values ------------------------------------------------------------------------
def _checked(
    assets: Iterable[Mapping[str, Any]], *, include_private: bool
) -> list[Mapping[str, Any]]:
    """All the assets, after refusing private ones (all named at once) unless allowed."""
    found = list(assets)
    if include_private:
        return found
    private = {
        number: str(asset.get("id"))
        for number, asset in enumerate(found, start=1)
        if asset.get("visibility", "public") != "public"
    }
    if private:
        ids = list(private.values())
        raise ValidationError(
            f"{len(ids)} private asset(s) ({', '.join(ids[:5])}) would be published; private "
            "assets are exported only to an analyst's own copy (include_private=True)",
            problems=[
                Problem(f"asset {asset_id} is private", row=number, field="visibility")
                for number, asset_id in private.items()
            ],
        )
    return found


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def opening_times(schedule: Iterable[Mapping[str, Any]] | None) -> str:
    """A weekly schedule as people read it: ``"Mon, Tue 09:00-17:00; Sat 10:00-12:00"``."""
    slots = []
    for slot in schedule or ():
        days = [d.strip().upper()[:2] for d in str(slot.get("byday") or "").split(",")]
        day_text = ", ".join(_DAY_NAMES.get(d, d) for d in days if d)
        opens, closes = str(slot.get("opens_at") or ""), str(slot.get("closes_at") or "")
        hours = f"{opens}-{closes}" if opens and closes else opens or closes
        note = str(slot.get("description") or "").strip()
        text = " ".join(part for part in (day_text, hours) if part)
        if note:
            text = f"{text} ({note})" if text else note
        if text:
            slots.append(text)
    return "; ".join(slots)


def _flat(asset: Mapping[str, Any]) -> dict[str, Any]:
    """An asset's export columns with plain values (lists and schedule as text, dates ISO)."""
    row: dict[str, Any] = {}
    for column in ASSET_COLUMNS:
        if column == "category_label":
            value: Any = CATEGORIES.get(str(asset.get("category")), "")
        elif column == "opening_times":
            value = opening_times(asset.get("schedule"))
        elif column in _LIST_COLUMNS:
            value = "; ".join(str(v) for v in asset.get(column) or ())
        else:
            value = _iso(asset.get(column))
        row[column] = value
    return row


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_iso(value))


# -- spreadsheet and GIS files --------------------------------------------------------------------
def write_csv(
    assets: Iterable[Mapping[str, Any]], path: Path, *, include_private: bool = False
) -> int:
    """Write one row per asset, columns :data:`ASSET_COLUMNS`, UTF-8.

    Lists are joined with ``"; "``, the schedule is :func:`opening_times`, flags are
    ``true``/``false`` (empty when unknown). Text that a spreadsheet would run as a formula gets a
    leading ``'`` (:mod:`mobilise.formats.safe_cells`).

    Returns
    -------
    int
        How many assets were written.
    """
    found = _checked(assets, include_private=include_private)
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = csv_writer(out)
        writer.writerow(ASSET_COLUMNS)
        for asset in found:
            row = _flat(asset)
            writer.writerow(_csv_text(row[c]) for c in ASSET_COLUMNS)
    return len(found)


def _point(asset: Mapping[str, Any]) -> tuple[float, float] | None:
    lon, lat = asset.get("lon"), asset.get("lat")
    if isinstance(lon, int | float) and isinstance(lat, int | float):
        return float(lon), float(lat)
    return None


def write_geojson(
    assets: Iterable[Mapping[str, Any]], path: Path, *, include_private: bool = False
) -> int:
    """Write a GeoJSON FeatureCollection of points (lon, lat in WGS84), one feature per asset.

    Properties are :data:`ASSET_COLUMNS` less ``lon``/``lat``, with lists kept as lists and the
    structured ``schedule`` beside ``opening_times``; ``null`` values are left out. An asset
    without a location has a ``null`` geometry.
    """
    found = _checked(assets, include_private=include_private)
    features = []
    for asset in found:
        row = _flat(asset)
        for column in _LIST_COLUMNS:
            row[column] = list(asset.get(column) or ())
        row["schedule"] = list(asset.get("schedule") or ())
        point = _point(asset)
        features.append(
            {
                "type": "Feature",
                "id": str(asset["id"]),
                "geometry": {"type": "Point", "coordinates": list(point)} if point else None,
                "properties": {
                    k: v for k, v in row.items() if v is not None and k not in ("lon", "lat")
                },
            }
        )
    document = {"type": "FeatureCollection", "features": features}
    Path(path).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return len(found)


def write_geopackage(
    assets: Iterable[Mapping[str, Any]],
    path: Path,
    *,
    layer: str = "assets",
    include_private: bool = False,
) -> int:
    """Write the assets as one point layer (EPSG:4326) of a GeoPackage, columns as the CSV's.

    An existing layer of that name is replaced.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    found = _checked(assets, include_private=include_private)
    rows = [_flat(a) for a in found]
    frame = pd.DataFrame(rows, columns=list(ASSET_COLUMNS))
    for column in _FLAG_COLUMNS:
        frame[column] = frame[column].astype("boolean")
    for column in ("lon", "lat", "capacity"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    for column in ("age_min", "age_max"):
        frame[column] = frame[column].astype("Int64")
    points = [_point(a) for a in found]
    geometry = [shapely.Point(p) if p else None for p in points]
    layer_frame = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    layer_frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", geometry_type="Point")
    return len(found)


# -- HSDS 3.0 data package -------------------------------------------------------------------------
def _hsds_time(value: Any) -> tuple[str, str]:
    """An opening time as HSDS writes it (``HH:MM:SS``), or ("", the text) when it is none."""
    text = str(value or "").strip()
    match = _TIME.fullmatch(text)
    if not match:
        return "", text
    hours, minutes, seconds = match.groups()
    return f"{int(hours):02d}:{minutes}:{seconds or '00'}", ""


def _hsds_rows(
    found: Sequence[Mapping[str, Any]], *, base_url: str | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each HSDS table's rows by id, built from the assets' ORUK service documents."""
    base = base_url or _NO_BASE
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in HSDS_TABLES}

    def add(table: str, row: Mapping[str, Any]) -> None:
        tables[table].setdefault(str(row["id"]), dict(row))

    for asset in found:
        service = service_json(asset, base_url=base, full=True)
        organisation = service.get("organization")
        if organisation:
            add("organization", organisation)
        add("service", service)
        for schedule in service.get("schedules", ()):
            opens, opens_note = _hsds_time(schedule.get("opens_at"))
            closes, closes_note = _hsds_time(schedule.get("closes_at"))
            notes = "; ".join(
                f"{label} {text}"
                for label, text in (("opens", opens_note), ("closes", closes_note))
                if text
            )
            add("schedule", {**schedule, "opens_at": opens, "closes_at": closes, "notes": notes})
        for at_location in service.get("service_at_locations", ()):
            location = at_location["location"]
            add("service_at_location", at_location)
            add("location", location)
            for address in location.get("addresses", ()):
                add("address", address)
            for access in location.get("accessibility", ()):
                add("accessibility", access)
        for table, key in (("language", "languages"), ("cost_option", "cost_options"),
                           ("phone", "phones")):  # fmt: skip
            for row in service.get(key, ()):
                add(table, row)
        for attribute in service.get("attributes", ()):
            term = attribute["taxonomy_term"]
            add("attribute", attribute)
            add("taxonomy_term", {**term, "code": term["term"]})
            add(
                "taxonomy",
                taxonomy_json(term["taxonomy"], base_url=base, full=False),
            )
    if base_url is None:
        for table, column in (("organization", "uri"), ("taxonomy", "uri"),
                              ("taxonomy_term", "term_uri")):  # fmt: skip
            for row in tables[table].values():
                row[column] = ""
    return tables


def _table_csv(table: str, rows: Iterable[Mapping[str, Any]]) -> str:
    _, columns, _ = HSDS_TABLES[table]
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(_csv_text(row.get(c)) for c in columns)
    return out.getvalue()


def _datapackage(found: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    licences = sorted({str(a.get("licence")) for a in found if a.get("licence")})
    sources = sorted({str(a.get("source")) for a in found if a.get("source")})
    resources = []
    for table, (file_name, columns, types) in HSDS_TABLES.items():
        resources.append(
            {
                "name": table,
                "path": file_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": c, "type": types.get(c, "string")} for c in columns],
                    "primaryKey": "id",
                },
            }
        )
    package: dict[str, Any] = {
        "name": "mobilise-community-assets",
        "title": "Community assets (Open Referral HSDS 3.0)",
        "description": "Community assets exported by mobilise as the tables of the Human "
        "Services Data Specification 3.0 (https://docs.openreferral.org/). Each asset keeps "
        "the licence of the source it came from.",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    }
    if licences:
        package["licenses"] = [{"name": name, "title": name} for name in licences]
    if sources:
        package["sources"] = [{"title": name} for name in sources]
    return package


def write_hsds_package(
    assets: Iterable[Mapping[str, Any]],
    folder_or_zip: Path,
    *,
    base_url: str | None = None,
    as_zip: bool | None = None,
) -> int:
    """Write the assets as an HSDS 3.0 tabular data package.

    Parameters
    ----------
    assets
        Public assets (a private one is refused with a ValidationError).
    folder_or_zip
        A folder (created if needed; files of the same names are replaced) or a path ending in
        ``.zip``, which gets the same files at its top level.
    base_url
        The address of the workspace's ORUK feed (``https://host/oruk``), for the ``uri`` of
        organisations and taxonomies and the ``term_uri`` of terms; without it they are empty.
    as_zip
        Write a ``.zip`` file (True) or a folder (False) whatever the path's suffix; by default
        a zip when the path ends in ``.zip``.

    Returns
    -------
    int
        How many assets (HSDS services) were written.

    Notes
    -----
    Every table of :data:`HSDS_TABLES` is written, with only its header when no asset fills it;
    ``datapackage.json`` describes each one (Frictionless Data Package, tabular profile).
    Services are linked to their schedules (not to the service at location), as in the feed.
    Text a spreadsheet would run as a formula gets a leading ``'``, as in :func:`write_csv`.
    """
    found = _checked(assets, include_private=False)
    tables = _hsds_rows(found, base_url=base_url)
    files = {
        HSDS_TABLES[table][0]: _table_csv(table, rows.values()) for table, rows in tables.items()
    }
    files["datapackage.json"] = json.dumps(_datapackage(found), indent=2, ensure_ascii=False)
    target = Path(folder_or_zip)
    if target.suffix.lower() == ".zip" if as_zip is None else as_zip:
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                archive.writestr(name, text)
    else:
        target.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8", newline="")
    return len(found)

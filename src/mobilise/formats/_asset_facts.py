"""Descriptions and organisations written from a source's own facts (private to the readers).

Open sources rarely describe a place in words, but their columns say what it is: the public
libraries dataset names the library authority and how each library is run, Mapping Museums gives
a museum's governance and subject, the GLA Cultural Infrastructure Map the kind of venue, and
OpenStreetMap the amenity, the religion and the operator. :func:`describe` writes a short
description from those facts (and the organisation, where the source names it only indirectly)
for a row that has none, and marks what it wrote in the record's ``extra`` under
:data:`DERIVED`, so mobilise can say so: ORUK has no field for "derived".

Only the schemas below are recognised, each by the columns it has; a row of any other file is
left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["DERIVED", "NORMALISED", "council_name", "describe", "mark_derived"]

DERIVED = "mobilise:derived"
"""Key of ``AssetRecord.extra``: field -> ``{"value": what mobilise wrote}`` for each field written
from the source's own facts (with ``"from"`` naming another dataset when the facts came from
one)."""

NORMALISED = "mobilise:normalised"
"""Key of ``AssetRecord.extra``: field -> ``{"given": source text, "note": what was changed}``."""

_LONDON_BOROUGHS = frozenset(
    {
        "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon",
        "Ealing", "Enfield", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow",
        "Havering", "Hillingdon", "Hounslow", "Islington", "Lambeth", "Lewisham", "Merton",
        "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets",
        "Waltham Forest", "Wandsworth",
    }
)  # fmt: skip
_ROYAL_BOROUGHS = frozenset({"Greenwich", "Kensington and Chelsea", "Kingston upon Thames"})
_OTHER_NAMES = {
    "City of London": "City of London Corporation",
    "Westminster": "Westminster City Council",
}
_COUNTIES = frozenset(
    {
        "Cambridgeshire", "Derbyshire", "Devon", "East Sussex", "Essex", "Gloucestershire",
        "Hampshire", "Hertfordshire", "Kent", "Lancashire", "Leicestershire", "Lincolnshire",
        "Norfolk", "Nottinghamshire", "Oxfordshire", "Staffordshire", "Suffolk", "Surrey",
        "Warwickshire", "West Sussex", "Worcestershire",
    }
)  # fmt: skip
_OPERATION_RE = re.compile(r"^operation_(\d{2})$")
_HERITAGE_BODIES = frozenset(
    {"National Trust", "English Heritage", "National Trust for Scotland", "Cadw"}
)
_UNKNOWN = {"", "unknown", "na", "n/a", "none", "other"}


def council_name(authority: str) -> str:
    """The usual name of an English council from the short name sources give
    (``"Hackney"`` -> ``"London Borough of Hackney"``, ``"Kent"`` -> ``"Kent County Council"``,
    ``"West Northamptonshire"`` -> ``"West Northamptonshire Council"``)."""
    name = " ".join(authority.split())
    if name in _LONDON_BOROUGHS:
        return f"London Borough of {name}"
    if name in _ROYAL_BOROUGHS:
        return f"Royal Borough of {name}"
    if name in _OTHER_NAMES:
        return _OTHER_NAMES[name]
    if name in _COUNTIES:
        return f"{name} County Council"
    return name if "council" in name.casefold() else f"{name} Council"


def _text(value: Any) -> str:
    text = " ".join(str(value).split()) if value is not None else ""
    return "" if text in ("-", "nan", "None") else text


def mark_derived(extra: dict[str, Any], field: str, value: str, *, facts_from: str = "") -> None:
    """Note in a record's ``extra`` that mobilise wrote ``value`` into ``field`` (from the facts
    of the record's own source, or of the dataset ``facts_from`` names)."""
    extra.setdefault(DERIVED, {})[field] = {"value": value} | (
        {"from": facts_from} if facts_from else {}
    )


def describe(values: dict[str, Any], *, source_category: str = "") -> None:
    """Write a description (and an organisation) from the row's own facts where it has none.

    ``values`` are the keyword arguments of an ``AssetRecord`` (its ``extra`` holds the source's
    unmapped columns or tags); ``source_category`` is the row's type as the source wrote it.
    """
    extra: Mapping[str, Any] = values["extra"]
    for facts in (_library, _museum, _gla_venue, _osm_place):
        found = facts(values, extra, source_category)
        if found is None:
            continue
        description, organisation = found
        for field, value in (("organisation", organisation), ("description", description)):
            if value and not values[field]:
                values[field] = value
                mark_derived(values["extra"], field, value)
        return


Facts = tuple[str, str] | None
"""(description, organisation) written from a row's facts, or None when the schema is not
the row's."""


# The public libraries dataset (DCMS / Arts Council England, compiled by Libraries Hacked): the
# latest ``operation_YY`` column says how the library was run that year (LA, LAU: by the council;
# CR: community-run within the council's service; CM: commissioned; ICL: independent).
def _the(council: str) -> str:
    return f"the {council}" if council.startswith(("London Borough", "Royal Borough")) else council


def _library(values: dict[str, Any], extra: Mapping[str, Any], source_category: str) -> Facts:
    authority = _text(extra.get("authority") or extra.get("reporting"))
    years = sorted(m.group(1) for m in map(_OPERATION_RE.match, extra) if m is not None)
    if not authority or not years:
        return None
    operation = _text(extra.get(f"operation_{years[-1]}")).upper()
    council = _the(council_name(authority))
    service = f"{council}'s library service"
    kind = "Public library"
    if "local history" in source_category.casefold():
        kind = "Local history library"
    elif "mobile" in source_category.casefold():
        kind = "Mobile library"
    operator = values["organisation"]
    if operation in ("LA", "LAU"):
        return f"{kind} run by {council}.", council_name(authority)
    if operation == "CR":
        run_by = f" (run by {operator})" if operator else ""
        return f"Community-run {kind.lower()}{run_by}, part of {service}.", council_name(authority)
    if operation == "CM":
        return f"{kind} run{f' by {operator}' if operator else ''} for {service}.", ""
    if operation == "ICL":
        return f"Independent community library{f' run by {operator}' if operator else ''}.", ""
    state = operation.lower() or "status unknown"
    return f"{kind} in {service} ({state} in 20{years[-1]}).", ""


# Mapping Museums: governance (type and subtype), subject, accreditation, years.
def _museum(values: dict[str, Any], extra: Mapping[str, Any], source_category: str) -> Facts:
    if "governance_type" not in extra or "subject_matter" not in extra:
        return None
    kind = _text(extra.get("governance_type"))
    subtype = _text(extra.get("governance_subtype"))
    organisation = subtype if subtype in _HERITAGE_BODIES else ""
    if organisation:
        governance = organisation
    elif kind.casefold() == "government" and subtype.casefold() not in _UNKNOWN:
        governance = subtype.lower()
    elif kind.casefold() in _UNKNOWN:
        governance = ""
    elif subtype.casefold() not in _UNKNOWN:
        governance = f"{kind} {subtype}".lower().replace("not for profit", "not-for-profit")
    else:
        governance = kind.lower()
    subject = _text(extra.get("subject_matter"))
    detail = _text(extra.get("subject_matter_subtype_1"))
    detail = "" if detail.casefold() in _UNKNOWN else detail
    facts = [f"{governance} governance" if governance else ""]
    if subject.casefold() not in _UNKNOWN:
        facts.append(f"subject: {subject.lower()}" + (f", {detail.lower()}" if detail else ""))
    if _text(extra.get("accreditation")).casefold() == "accredited":
        facts.append("accredited")
    opened, closed = _text(extra.get("year_opened")), _text(extra.get("year_closed"))
    if opened.isdigit():
        facts.append(f"opened {opened}" + (f", closed {closed}" if closed.isdigit() else ""))
    shown = [f for f in facts if f]
    return "Museum" + (f" ({'; '.join(shown)})." if shown else "."), organisation


# The GLA Cultural Infrastructure Map: the map's category of the venue and the map's release.
def _gla_venue(values: dict[str, Any], extra: Mapping[str, Any], source_category: str) -> Facts:
    if values["source"] != "gla_cim" or not source_category:
        return None
    year = _text(extra.get("cim_year_label"))
    release = f" ({year})" if year.isdigit() else ""
    return f"Listed in the GLA Cultural Infrastructure Map{release} under {source_category}.", ""


# OpenStreetMap: the amenity (or other main tag), religion and denomination, operator.
_OSM_TERM_RE = re.compile(r"^(?:osm:)?([a-z_:]+)=([^=;]+)$")


def _osm_place(values: dict[str, Any], extra: Mapping[str, Any], source_category: str) -> Facts:
    if values["source"] != "osm":
        return None
    pofw = source_category.startswith("pofw:")
    terms = [source_category, *values["taxonomy_terms"]]
    found = next((m for m in map(_OSM_TERM_RE.match, terms) if m is not None), None)
    religion = _text(extra.get("religion"))
    denomination = _text(extra.get("denomination"))
    if pofw:
        religion, _, denomination = source_category[5:].partition("_")
        label = "Place of worship"
    elif found is not None:
        label = found.group(2).replace("_", " ").strip().capitalize()
    else:
        return None
    faith = ", ".join(w.replace("_", " ").capitalize() for w in (religion, denomination) if w)
    if faith and (pofw or label == "Place of worship"):
        label = f"{label} ({faith})"
    operator = values["organisation"]
    audience = _text(extra.get("community_centre_for") or extra.get("community_centre:for"))
    sentence = label + (f" run by {operator}" if operator else "")
    sentence += f", for {audience.replace(';', ', ')}" if audience else ""
    return f"{sentence}, as mapped in OpenStreetMap.", ""

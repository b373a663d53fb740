"""A programme's synthesis shaped for reading: what the programme pages and the programme
evidence pack show, as plain lists and dicts of text and numbers (no frames), so a template only
lays them out.

Each function takes a :class:`~mobilise.analysis.programme.ProgrammeSynthesis` (``ws.programme
.synthesis()``; with ``public_only=True`` for the public) and returns one page's content:

- :func:`projects_view`: the table of projects and the points of their places for the map;
- :func:`methods_view`: the project x method matrix (methods any project used, as columns) and,
  per method, what each project said of it;
- :func:`partnership_view`: sectors per project; each project's latest round side by side
  (density, centralisation); keeping collaborations: ties kept, faded and new, and retention,
  round by round;
- :func:`reach_view`: pooled representation per dimension, a suppressed figure shown as
  "fewer than k" (never the number);
- :func:`themes_view`: themes matched across projects: shared and distinct, enablers and barriers;
- :func:`outcomes_view`: actions and "you said, we did" closure per project.

Each page also names the projects whose package holds none of its figures
(:func:`not_published`): a metadata-only project "published no figures"; another has not
shared that part (or not publicly).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.analysis.programme import ProgrammeSynthesis
    from mobilise.workspace._programme_store import ProgrammeProject

__all__ = [
    "DIMENSIONS",
    "PAGES",
    "RESOURCE_NAMES",
    "methods_view",
    "not_published",
    "outcomes_view",
    "overview",
    "partnership_view",
    "project_detail",
    "projects_view",
    "reach_view",
    "themes_view",
]

DIMENSIONS = {
    "imd_decile": "Deprivation (IMD decile of where people live; 1 = most deprived 10%)",
    "age_band": "Age band",
    "ethnicity": "Ethnic group",
    "ethnic_group": "Ethnic group",
    "disability": "Disability",
    "gender": "Gender",
    "sex": "Sex",
}
"""Plain names of the reach dimensions a package may hold (others are shown as named)."""

PAGES = {
    "projects": ("Projects", "/programme/projects"),
    "methods": ("Methods", "/programme/methods"),
    "partnership": ("Partnership", "/programme/partnership"),
    "reach": ("Who was reached", "/programme/reach"),
    "themes": ("Themes", "/programme/themes"),
    "outcomes": ("Outcomes", "/programme/outcomes"),
}
"""The programme's pages: their titles and addresses, in the order they are listed."""

RESOURCE_NAMES = {
    "assets": "assets by category",
    "partners": "partners by sector",
    "network_rounds": "partnership survey rounds",
    "events": "events",
    "reach": "who was reached",
    "themes": "themes",
    "actions": "actions and closure",
    "access": "access to assets",
}
"""Plain names of a package's resources holding figures (a metadata-only project has none)."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _plain(value: Any) -> Any:
    """A frame's cell as plain Python: missing values (NaN, NA, NaT) become None."""
    if isinstance(value, list | dict | str | bool) or value is None:
        return value
    try:
        if value != value:  # NaN and NaT
            return None
    except (TypeError, ValueError):  # pd.NA refuses a truth value
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _number(value: Any) -> float | None:
    """A frame's number as a float (None when missing; the packages' tables are typed)."""
    value = _plain(value)
    return None if value is None or isinstance(value, bool) else float(value)


def _share(numerator: float, denominator: float) -> float:
    return 0.0 if denominator <= 0 else round(100 * numerator / denominator, 1)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _resources(project: ProgrammeProject, public_only: bool) -> list[str]:
    """The resources of a project's current release (those it marked public, if asked)."""
    current = next((r for r in project.releases if r.status == "current"), None)
    if current is None:
        return []
    return [name for name, public in current.public.items() if public or not public_only]


def not_published(
    s: ProgrammeSynthesis, projects: Sequence[ProgrammeProject], *resources: str
) -> dict[str, list[str]]:
    """The projects whose current package holds none of ``resources`` (package resource names;
    only those marked public when ``s`` is ``public_only``): ``{"bare": [...]}`` (metadata
    only: no figures published) and ``{"missing": [...]}`` (the others)."""
    bare: list[str] = []
    missing: list[str] = []
    for project in projects:
        if set(resources) & set(_resources(project, s.public_only)):
            continue
        (bare if project.metadata_only else missing).append(project.title)
    return {"bare": bare, "missing": missing}


def overview(s: ProgrammeSynthesis) -> dict[str, Any]:
    """The overview: counts, each page with its sentence, and the projects without figures."""
    projects = _records(s.projects)
    bare = [p["title"] for p in projects if p["metadata_only"]]
    sections = []
    for key, (title, href) in PAGES.items():
        words = s.words.get("sectors" if key == "partnership" and not len(s.partnership) else key)
        sections.append({"key": key, "title": title, "href": href, "words": words or ""})
    return {
        "projects": len(projects),
        "with_figures": len(projects) - len(bare),
        "bare": bare,
        "places": sum(len(p["places"] or []) for p in projects),
        "sections": sections,
        "access_words": s.words.get("access", ""),
        "k": s.k,
        "public_only": s.public_only,
    }


def projects_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """The projects' table and the points of every place with a position, for the map."""
    rows, points = [], []
    for row in _records(s.projects):
        rows.append(
            {
                "key": row["project"],
                "title": row["title"],
                "lead_organisation": row["lead_organisation"],
                "places": row["place_names"],
                "focus": row["focus"],
                "metadata_only": bool(row["metadata_only"]),
                "methods_used": int(row["methods_used"] or 0),
            }
        )
        for place in row["places"] or []:
            lat, lon = _number(place.get("lat")), _number(place.get("lon"))
            if lat is None or lon is None:
                continue
            points.append(
                {
                    "key": row["project"],
                    "title": row["title"],
                    "place": str(place.get("name", "")),
                    "lat": lat,
                    "lon": lon,
                    "metadata_only": bool(row["metadata_only"]),
                }
            )
    return {"rows": rows, "points": points, "words": s.words.get("projects", "")}


def project_detail(s: ProgrammeSynthesis, project: ProgrammeProject) -> dict[str, Any] | None:
    """One project as the synthesis holds it, with the methods it named and the resources it
    shared (None when the synthesis holds no such project)."""
    found = [r for r in _records(s.projects) if r["project"] == project.key]
    if not found:
        return None
    methods = [
        {"label": m["method_label"], "said": m["said"] or ""}
        for m in _records(s.methods)
        if m["project"] == project.key and m["used"]
    ]
    shared = [
        RESOURCE_NAMES.get(name, name)
        for name in _resources(project, s.public_only)
        if name != "methods"
    ]
    return {**found[0], "key": project.key, "methods": methods, "shared": shared}


def methods_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """The project x method matrix: methods any project used (most used first) as columns,
    one row per project; and per method, what each project said of it."""
    from mobilise.model.methods_vocab import METHODS

    records = _records(s.methods)
    used = [r for r in records if r["used"]]
    counts: dict[str, int] = {}
    for r in used:
        counts[r["method"]] = counts.get(r["method"], 0) + 1
    order = sorted(
        counts, key=lambda m: (-counts[m], list(METHODS).index(m) if m in METHODS else 99)
    )
    labels = {r["method"]: r["method_label"] for r in records}
    columns = [
        {
            "method": m,
            "label": labels.get(m, m),
            "definition": METHODS[m].definition if m in METHODS else "",
            "projects": counts[m],
        }
        for m in order
    ]
    said = {(r["project"], r["method"]): r["said"] or "" for r in used}
    rows = []
    for project in _records(s.projects):
        key = project["project"]
        cells: list[dict[str, Any]] = [
            {"used": (key, m) in said, "said": said.get((key, m), "")} for m in order
        ]
        rows.append(
            {
                "key": key,
                "title": project["title"],
                "metadata_only": bool(project["metadata_only"]),
                "cells": cells,
                "count": sum(1 for c in cells if c["used"]),
            }
        )
    by_method = [
        {
            **column,
            "said": [
                {"key": r["project"], "title": r["title"], "said": r["said"] or ""}
                for r in used
                if r["method"] == column["method"]
            ],
        }
        for column in columns
    ]
    unused = [
        {"label": m.label, "definition": m.definition}
        for i, m in METHODS.items()
        if i not in counts
    ]
    return {
        "columns": columns,
        "rows": rows,
        "by_method": by_method,
        "unused": unused,
        "words": s.words.get("methods", ""),
    }


def partnership_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """Sectors per project, the latest round of each project side by side, and keeping
    collaborations round by round."""
    rounds = _records(s.partnership)
    by_project: dict[str, list[dict[str, Any]]] = {}
    for r in rounds:
        by_project.setdefault(r["project"], []).append(r)
    latest, keeping = [], []
    for key, found in by_project.items():
        found.sort(key=lambda r: (str(r["date"] or ""), str(r["round"])))
        last = found[-1]
        density, central = _number(last["density"]), _number(last["centralisation"])
        latest.append(
            {
                "key": key,
                "title": last["title"],
                "round": last["round"],
                "partners": int(_number(last["partners"]) or 0),
                "ties": int(_number(last["ties"]) or 0),
                "density": _decimal(density),
                "density_width": _share(density or 0, 1),
                "centralisation": _decimal(central),
                "centralisation_width": _share(central or 0, 1),
            }
        )
        keeping.append({"key": key, "title": last["title"], "steps": _steps(found)})
    return {
        "sectors": _sectors(s),
        "latest": latest,
        "keeping": keeping,
        "words": s.words.get("partnership", ""),
        "sector_words": s.words.get("sectors", ""),
    }


def _steps(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A project's rounds after its first: ties kept, faded and new, and retention."""
    steps = []
    for before, after in pairwise(found):
        retention = _number(after["retention"])
        kept, faded = _number(after["ties_kept"]), _number(after["ties_faded"])
        new = _number(after["ties_new"])
        steps.append(
            {
                "from": before["round"],
                "to": after["round"],
                "kept": None if kept is None else int(kept),
                "faded": None if faded is None else int(faded),
                "new": None if new is None else int(new),
                "retention": _percent(retention),
                "width": _share(retention or 0, 1),
            }
        )
    return steps


def _sectors(s: ProgrammeSynthesis) -> dict[str, Any]:
    from mobilise.model.partner_vocab import sector_label

    rows = [{**r, "sector": sector_label(str(r["sector"]))} for r in _records(s.sectors)]
    sectors = sorted({str(r["sector"]) for r in rows})
    projects: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = projects.setdefault(
            r["project"], {"key": r["project"], "title": r["title"], "counts": {}}
        )
        entry["counts"][str(r["sector"])] = int(_number(r["count"]) or 0)
    table = [
        {**p, "cells": [p["counts"].get(sector) for sector in sectors]} for p in projects.values()
    ]
    totals = {
        sector: sum(p["counts"].get(sector, 0) for p in projects.values()) for sector in sectors
    }
    top = max(totals.values(), default=0)
    bars = [
        {"sector": sector, "count": totals[sector], "width": _share(totals[sector], top)}
        for sector in sorted(sectors, key=lambda x: -totals[x])
    ]
    return {"columns": sectors, "rows": table, "bars": bars}


def reach_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """Pooled reach per dimension: each group's count or "fewer than k", with a bar of its
    share of the dimension's total (none for a hidden figure)."""
    dimensions: dict[str, dict[str, Any]] = {}
    for r in _records(s.reach):
        name = str(r["dimension"])
        entry = dimensions.setdefault(
            name,
            {"dimension": name, "label": DIMENSIONS.get(name, name), "groups": [], "total": None},
        )
        count = _number(r["count"])
        hidden = bool(r["suppressed"]) or count is None
        shown = f"fewer than {s.k}" if hidden else f"{int(count or 0):,}"
        item = {
            "group": str(r["group"]),
            "count": None if hidden else int(count or 0),
            "shown": shown,
            "hidden": hidden,
            "projects": int(_number(r["projects"]) or 0),
        }
        if str(r["group"]).strip().casefold() == "total":
            entry["total"] = item
        else:
            entry["groups"].append(item)
    for entry in dimensions.values():
        total = entry["total"]["count"] if entry["total"] and entry["total"]["count"] else 0
        biggest = max((g["count"] or 0 for g in entry["groups"]), default=0) or 1
        for g in entry["groups"]:
            g["share"] = "" if g["hidden"] or not total else f"{(g['count'] or 0) / total:.0%}"
            g["width"] = 0 if g["hidden"] else _share(g["count"] or 0, biggest)
    return {"dimensions": list(dimensions.values()), "k": s.k, "words": s.words.get("reach", "")}


def themes_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """Themes matched across projects: shared (two or more projects) and distinct, each kind
    (enabler, barrier, other) apart; contributors below k shown as "fewer than k"."""
    themes = []
    for r in _records(s.themes):
        contributors = _number(r["contributors"])
        hidden = contributors is None or bool(r.get("contributors_hidden"))
        themes.append(
            {
                "theme": r["theme"],
                "definition": r["definition"] or "",
                "kind": r["kind"] or "other",
                "projects": int(_number(r["projects"]) or 0),
                "titles": list(r["project_titles"] or []),
                "labels": list(r["labels"] or []),
                "segments": int(_number(r["segments"]) or 0),
                "contributors": f"fewer than {s.k}" if hidden else f"{int(contributors or 0):,}",
                "shared": bool(r["shared"]),
            }
        )
    themes.sort(key=lambda t: (-t["projects"], -t["segments"], str(t["theme"])))
    return {
        "shared": [t for t in themes if t["shared"]],
        "distinct": [t for t in themes if not t["shared"]],
        "kinds": {
            kind: [t for t in themes if t["kind"] == kind] for kind in ("enabler", "barrier")
        },
        "words": s.words.get("themes", ""),
    }


def outcomes_view(s: ProgrammeSynthesis) -> dict[str, Any]:
    """Actions per project, how many are done, and how many were closed with a "you said, we
    did" reply, side by side (bars: the share closed with feedback)."""
    rows = []
    for r in _records(s.outcomes):
        share = _number(r["closure_share"])
        rows.append(
            {
                "key": r["project"],
                "title": r["title"],
                "actions": int(_number(r["actions"]) or 0),
                "done": int(_number(r["done"]) or 0),
                "closed": int(_number(r["closed_with_feedback"]) or 0),
                "share": _percent(share),
                "width": _share(share or 0, 1),
            }
        )
    return {"rows": rows, "words": s.words.get("outcomes", "")}

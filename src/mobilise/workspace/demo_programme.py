"""The demo's programme: ten real projects' public facts and the demo's two places as full,
illustrative projects, gathered by ``ws.programme`` as a programme team would gather them.

- **Ten real projects, metadata only.** ``mobilise/data/programme/mca_phase2_projects.json``
  holds the public facts of ten Phase 2 consortia of the *Mobilising Community Assets* programme
  (title, lead organisation, places, focus, the methods their sources name mapped to the methods
  vocabulary, partner types, sources). Each becomes a metadata-only project package (its only
  resource is ``methods``) and is added to the programme. No figure is given or invented for
  them: the pages say "no figures published".
- **Two illustrative projects.** The demo workspace's own project is exported once per demo
  place (``ws.project.export(..., places=[slug])``), each as a project of its own (its own key,
  its title saying the place and "illustrative"), so the programme pages have figures to compare.
  Everything in them comes from the demo's illustrative people, events and words.

Re-running adds nothing already there: a project the programme already holds is left as it is.
"""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["ILLUSTRATIVE", "PROGRAMME_DATA", "build_programme", "real_projects"]

PROGRAMME_DATA = Path(__file__).resolve().parents[1] / "data" / "programme"
PROJECTS_FILE = "mca_phase2_projects.json"
ILLUSTRATIVE = "illustrative"
_NAMESPACE = uuid.UUID("6f0c7d1e-3b1a-5c55-9d0e-6d6f62696c69")  # the demo's own project keys
_NOTE = (
    "Public facts only, from the pages listed as sources: this project published no figures "
    "to the programme. Methods are those the sources name."
)


def real_projects(data_dir: Path = PROGRAMME_DATA) -> list[dict[str, Any]]:
    """The ten real projects' public facts, as shipped."""
    document = json.loads((data_dir / PROJECTS_FILE).read_text(encoding="utf-8"))
    projects: list[dict[str, Any]] = document["projects"]
    return projects


_PROFILE: dict[str, Any] = {
    "title": "The demo consortium",
    "lead_organisation": "The demo consortium (illustrative)",
    "focus": "Community assets, access and co-production in two contrasting places "
    "(illustrative: made up for the demo).",
    "partner_types": [
        "NHS and ICS",
        "Local authority",
        "Voluntary and community sector",
        "Arts and culture",
        "People with lived experience",
    ],
    "methods": [
        {
            "method": "asset_mapping",
            "said": "The places' assets from open data, checked by partners.",
        },
        {
            "method": "world_cafe",
            "said": "World Cafés with residents, tables harvested on the night.",
        },
        {
            "method": "participatory_systems_mapping",
            "said": "A systems map of each place, drawn in workshops.",
        },
        {
            "method": "social_network_analysis",
            "said": "Partnership survey rounds: who works with whom.",
        },
        {
            "method": "photovoice",
            "said": "Residents' photographs of what helps, shown in an exhibition.",
        },
        {"method": "spatial_analysis", "said": "Access to assets and its deprivation gradient."},
    ],
    "note": "Illustrative: the demo's people, events and words are made up (a fixed seed).",
}


def _ensure_profile(workspace: Workspace) -> None:
    """Give the demo workspace a project profile (every resource public) when it has none."""
    from mobilise.formats.project_package import RESOURCES

    if workspace.project.get().title:
        return
    workspace.project.update({**_PROFILE, "public": dict.fromkeys(RESOURCES, True)})


def build_programme(workspace: Workspace, *, data_dir: Path = PROGRAMME_DATA) -> int:
    """Add the demo's programme to ``workspace``: the ten real projects (metadata only) and one
    illustrative project per demo place. Returns how many projects were added now."""
    held = {project.key for project in workspace.programme.list()}
    added = 0
    for project in real_projects(data_dir):
        if project["key"] in held:
            continue
        workspace.programme.add(metadata_package(project), name=f"{project['key']}.zip")
        added += 1
    for slug, name in workspace.places.names().items():
        key = str(uuid.uuid5(_NAMESPACE, slug))
        if key in held:
            continue
        _ensure_profile(workspace)
        workspace.programme.add(_place_package(workspace, slug, name, key), name=f"{slug}.zip")
        added += 1
    return added


def metadata_package(project: dict[str, Any], *, release: int = 1) -> bytes:
    """A metadata-only package of one real project: its public facts and the methods its
    sources name (with what they said), nothing else."""
    import pandas as pd

    from mobilise import __version__
    from mobilise.formats.project_package import write_package

    other = project.get("other_methods") or ""
    meta = {
        "key": project["key"],
        "title": project["title"],
        "lead_organisation": project["lead_organisation"],
        "places": project["places"],
        "focus": project["focus"],
        "partner_types": project["partner_types"],
        "metadata_only": True,
        "note": f"{_NOTE} {f'Also named: {other}' if other else ''}".strip(),
        "sources": project["sources"],
        "release": release,
        "released_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat(),
        "software": f"mobilise {__version__}",
    }
    methods = pd.DataFrame(
        [{"method": m["method"], "used": True, "said": m["said"]} for m in project["methods"]],
        columns=["method", "used", "said"],
    )
    buffer = io.BytesIO()
    write_package(meta, {"methods": methods}, buffer, public={"methods": True})
    return buffer.getvalue()


def _place_package(workspace: Workspace, slug: str, name: str, key: str) -> bytes:
    """The demo project's package for one place, as a project of its own (its own key and a
    title naming the place, labelled illustrative)."""
    from mobilise.formats.project_package import read_package, write_package

    exported = io.BytesIO()
    workspace.project.export(exported, places=[slug])
    package = read_package(exported.getvalue(), name=f"{slug}.zip")
    title = str(package.meta.get("title") or "Demo project")
    meta = {
        **package.meta,
        "key": key,
        "title": f"{title}: {name} ({ILLUSTRATIVE})",
        "note": "Illustrative: built from the demo's made-up people, events and words "
        "(a fixed seed); not a real project's figures.",
    }
    buffer = io.BytesIO()
    write_package(meta, package.tables, buffer, public=package.public)
    return buffer.getvalue()

"""The programme evidence pack's sections (private to :mod:`mobilise.workspace.packs`).

A programme pack is about the programme, not a place: its sections (:data:`SECTIONS`: overview,
methods, partnership, reach, themes, outcomes) are made from one synthesis of the projects'
current packages (``ws.programme.synthesis()``), shaped by :mod:`~mobilise.workspace.
programme_views` as the programme pages shape it, so the pack says what the pages say. A pack is
a document for the programme team: it uses every resource the programme holds (a share link
sends it further; the packages hold only disclosure-controlled summaries, and pooled reach is
controlled again). The manifest records each project's release and package hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mobilise.formats.pack_svg import bars
from mobilise.workspace import programme_views as views
from mobilise.workspace._pack_parts import Figure, Section, Source, Table

if TYPE_CHECKING:
    from mobilise.workspace.core import Workspace

__all__ = ["AUDIENCE", "PROGRAMME", "sections"]

PROGRAMME = "programme"
SECTIONS = ("overview", "methods", "partnership", "reach", "themes", "outcomes")
AUDIENCE: dict[str, Any] = {"label": "Programme", "for": "a programme team", "sections": SECTIONS}
"""The programme pack's audience entry, shaped as :data:`~mobilise.workspace._pack_parts.
AUDIENCES`' (a programme pack is made by :meth:`PackService.submit_programme`, never for a
place)."""

_LICENCE = "each project's own summaries, shared with the programme"


@dataclass(frozen=True)
class _Programme:
    """What every section reads: the synthesis, the projects and the source they share."""

    synthesis: Any
    projects: list[Any]
    source: Source

    def absent(self, *resources: str) -> str:
        """The projects with none of ``resources``, in words (empty when there are none)."""

        absent = views.not_published(self.synthesis, self.projects, *resources)
        words = []
        if absent["bare"]:
            words.append(f"No figures published by: {'; '.join(absent['bare'])}.")
        if absent["missing"]:
            words.append(f"Not shared by: {'; '.join(absent['missing'])}.")
        return " ".join(words)


def sections(
    workspace: Workspace,
    keys: tuple[str, ...],
    progress: Callable[[str, int, int], None],
    total: int,
) -> list[Section]:
    """The pack's sections, from one synthesis of the projects' current packages."""
    synthesis = workspace.programme.synthesis()
    programme = _Programme(synthesis, workspace.programme.list(), _source(synthesis))
    made = []
    for done, key in enumerate(keys):
        progress(f"Section: {key}", done, total)
        made.append(_PROVIDERS[key](programme))
    made[0].inputs["projects"] = {
        str(r["project"]): {"release": r["release"], "released_at": r["released_at"]}
        for r in synthesis.projects.to_dict("records")
    }
    return made


def _source(synthesis: Any) -> Source:
    released = [str(d) for d in synthesis.projects["released_at"] if isinstance(d, str) and d]
    return Source(
        name=f"Project packages received by the programme ({len(synthesis.projects)} projects)",
        date=max(released)[:10] if released else "",
        licence=_LICENCE,
        method="Each project's own disclosure-controlled summaries (a Frictionless Data "
        "Package per project), gathered and compared by mobilise's programme synthesis; "
        f"pooled counts of people from 1 to {synthesis.k - 1} are not shown.",
    )


def _said(*sentences: str) -> list[str]:
    return [s for s in sentences if s]


def _overview(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view, projects = views.overview(synthesis), views.projects_view(synthesis)
    section = Section("overview", "The programme")
    if not view["projects"]:
        section.available, section.note = False, "No project has shared a package yet."
        return section
    section.key_fact = synthesis.words.get("projects", "")
    section.sentences = _said(*(s["words"] for s in view["sections"][1:]))
    rows = [
        [p["title"], p["lead_organisation"], p["places"],
         "no figures published" if p["metadata_only"] else "shared"]
        for p in projects["rows"]
    ]  # fmt: skip
    section.tables.append(
        Table("The projects", ["Project", "Lead organisation", "Places", "Figures"], rows, source)
    )
    return section


def _methods(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view = views.methods_view(synthesis)
    section = Section("methods", "Methods: who used what")
    if not view["columns"]:
        section.available, section.note = False, "No project has said which methods it used."
        return section
    section.key_fact = view["words"]
    counts = [(c["label"], float(c["projects"])) for c in view["columns"]]
    section.figures.append(
        Figure(
            bars(counts, title="Projects using each method", desc=view["words"]),
            "How many projects named each method",
            source,
        )
    )
    rows = [
        [m["label"], said["title"], said["said"] or "(named, no words given)"]
        for m in view["by_method"]
        for said in m["said"]
    ]
    section.tables.append(
        Table("What each project said of each method", ["Method", "Project", "Said"], rows, source)
    )
    return section


def _partnership(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view = views.partnership_view(synthesis)
    section = Section("partnership", "Partnership across projects")
    if not view["latest"] and not view["sectors"]["bars"]:
        section.available = False
        section.note = "No project has shared its partnership. " + programme.absent(
            "partners", "network_rounds"
        )
        return section
    section.key_fact = view["words"]
    section.sentences = _said(view["sector_words"], programme.absent("partners", "network_rounds"))
    section.tables.append(
        Table(
            "The latest round of each project, side by side",
            ["Project", "Round", "Partners", "Ties", "Density", "Centralisation"],
            [[r["title"], str(r["round"]), f"{r['partners']:,}", f"{r['ties']:,}",
              r["density"] or "–", r["centralisation"] or "–"] for r in view["latest"]],
            source,
        )
    )  # fmt: skip
    steps = [
        [p["title"], f"{s['from']} to {s['to']}", _count(s["kept"]), _count(s["faded"]),
         _count(s["new"]), s["retention"] or "–"]
        for p in view["keeping"] for s in p["steps"]
    ]  # fmt: skip
    if steps:
        section.tables.append(
            Table(
                "Keeping collaborations: ties kept, faded and new between rounds",
                ["Project", "Between", "Kept", "Faded", "New", "Retention"],
                steps,
                source,
            )
        )
    return section


def _count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def _reach(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view = views.reach_view(synthesis)
    section = Section("reach", "Who the projects reached")
    if not view["dimensions"]:
        section.available = False
        section.note = "No project has shared who it reached. " + programme.absent("reach")
        return section
    section.key_fact = view["words"]
    section.sentences = _said(
        f"Counts from 1 to {view['k'] - 1} read 'fewer than {view['k']}', with any others that "
        "would reveal them; a project's figures move only when they change by "
        f"{view['k']} or more, so releases cannot be compared to find one person.",
        programme.absent("reach"),
    )
    for d in view["dimensions"]:
        rows = [[g["group"], g["shown"], g["share"] or "–"] for g in d["groups"]]
        if d["total"]:
            rows.append(["All", d["total"]["shown"], ""])
        section.tables.append(Table(d["label"], ["Group", "People", "Share"], rows, source))
    return section


def _themes(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view = views.themes_view(synthesis)
    section = Section("themes", "Themes across projects")
    every = view["shared"] + view["distinct"]
    if not every:
        section.available = False
        section.note = "No project has shared its themes. " + programme.absent("themes")
        return section
    section.key_fact = view["words"]
    section.sentences = _said(programme.absent("themes"))
    rows = [
        [t["theme"], t["kind"], "shared" if t["shared"] else "one project",
         "; ".join(t["titles"]), f"{t['segments']:,}", t["contributors"]]
        for t in every
    ]  # fmt: skip
    section.tables.append(
        Table(
            "Themes matched across projects by label and definition",
            ["Theme", "Kind", "Shared", "Projects", "Coded passages", "People"],
            rows,
            source,
        )
    )
    return section


def _outcomes(programme: _Programme) -> Section:
    synthesis, source = programme.synthesis, programme.source
    view = views.outcomes_view(synthesis)
    section = Section("outcomes", "Outcomes: you said, we did")
    if not view["rows"]:
        section.available = False
        section.note = "No project has shared its actions. " + programme.absent("actions")
        return section
    section.key_fact = view["words"]
    section.sentences = _said(programme.absent("actions"))
    section.figures.append(
        Figure(
            bars(
                [(r["title"], float(r["width"])) for r in view["rows"]],
                title="Share of actions closed with feedback",
                desc=view["words"],
                unit="%",
            ),
            "The share of each project's actions closed with a 'you said, we did' reply",
            source,
        )
    )
    rows = [
        [r["title"], f"{r['actions']:,}", f"{r['done']:,}", f"{r['closed']:,}", r["share"] or "–"]
        for r in view["rows"]
    ]
    section.tables.append(
        Table(
            "Actions and closure by project",
            ["Project", "Actions", "Done", "Closed with feedback", "Share closed"],
            rows,
            source,
        )
    )
    return section


_PROVIDERS: dict[str, Callable[[_Programme], Section]] = {
    "overview": _overview,
    "methods": _methods,
    "partnership": _partnership,
    "reach": _reach,
    "themes": _themes,
    "outcomes": _outcomes,
}

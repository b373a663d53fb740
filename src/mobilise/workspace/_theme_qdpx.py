"""REFI-QDA (.qdpx) export and import of the codebook and its coding (private to
:mod:`mobilise.workspace.themes`; the file format is :mod:`mobilise.formats.refi_qda`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mobilise.errors import Conflict
from mobilise.workspace._theme_codes import MAX_CODER, MAX_MEMO
from mobilise.workspace._theme_codes import code_row as _code_row
from mobilise.workspace._theme_rows import Scope, coding_rows, visible_contributions

if TYPE_CHECKING:
    from mobilise.formats.refi_qda import QdaCode, QdaSelection, QdaSource
    from mobilise.workspace._files import FileSource, FileTarget
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.themes import ThemeService

__all__ = ["export_qdpx", "import_qdpx"]

_HEX = re.compile(r"#[0-9a-fA-F]{6}")


def export_qdpx(
    service: ThemeService, workspace: Workspace, target: FileTarget, **scope: Any
) -> int:
    """Write the codebook (of the scope's place, or the project's) and the codings of the
    contributions consent lets be used, as a .qdpx file; returns the sources written."""
    from mobilise.formats.refi_qda import (
        QdaCode,
        QdaProject,
        QdaSelection,
        QdaSource,
        user_guid,
        write_qdpx,
    )
    from mobilise.workspace._files import write_bytes

    rows = [row for row in visible_contributions(workspace, Scope(**scope)) if row.text]
    codebook = service.list(scope.get("place"))
    nodes = {t.id: QdaCode(t.id, t.name, t.definition, t.colour) for t in codebook}
    top: list[QdaCode] = []
    for theme in codebook:
        siblings = nodes[theme.parent_id].children if theme.parent_id in nodes else top
        siblings.append(nodes[theme.id])
    project = QdaProject(name=scope.get("place") or "mobilise", codes=top)
    sources = {
        row.id: QdaSource(row.id, f"{row.title}: {row.kind} {i + 1}", row.text)
        for i, row in enumerate(rows)
    }
    for coding in coding_rows(workspace, sources.keys()):
        if coding.theme_id not in nodes:
            continue  # a theme of another place's codebook
        user = user_guid(coding.coder)
        project.users[user] = coding.coder
        sources[coding.contribution_id].selections.append(
            QdaSelection(
                coding.id, coding.theme_id, user, coding.span_start, coding.span_end, coding.memo
            )
        )
    project.sources = list(sources.values())
    write_bytes(target, write_qdpx(project), name="themes.qdpx")
    return len(project.sources)


def _coding_values(
    source: QdaSource, chosen: QdaSelection, coder: str, theme_id: str
) -> dict[str, Any] | None:
    """A selection as a coding's values; None when its span is not within the text."""
    length = len(source.text)
    if chosen.start is not None and not (0 <= chosen.start < (chosen.end or 0) <= length):
        return None
    return {
        "contribution_id": source.guid,
        "theme_id": theme_id,
        "coder": coder,
        "span_start": chosen.start,
        "span_end": chosen.end if chosen.start is not None else None,
        "memo": chosen.description[:MAX_MEMO],
    }


def _live_themes(workspace: Workspace) -> dict[tuple[str | None, str], str]:
    """Every live theme (of the project and of every place) by parent and lower-case name."""
    import sqlalchemy as sa

    from mobilise.store.tables import themes

    query = sa.select(themes.c.id, themes.c.parent_id, themes.c.name).where(
        themes.c.deleted_at.is_(None)
    )
    with workspace.read() as connection:
        return {(r.parent_id, r.name.lower()): r.id for r in connection.execute(query)}


def _themes_of(
    service: ThemeService,
    workspace: Workspace,
    codes: list[QdaCode],
    parent: str | None,
    found: dict[str, str],
) -> int:
    """Match each code to a theme by name under the same parent, adding those missing; fills
    ``found`` (code GUID -> theme id); returns how many were added."""
    added = 0
    existing = _live_themes(workspace)
    for code in codes:
        theme_id = existing.get((parent, code.name.lower()))
        if theme_id is None and code.name:
            theme_id = service.add(
                code.name[:200],
                definition=code.description[:5000],
                parent=parent,
                colour=code.color if _HEX.fullmatch(code.color) else "",
            ).id
            added += 1
        if theme_id is None:
            continue
        found[code.guid] = theme_id
        added += _themes_of(service, workspace, code.children, theme_id, found)
    return added


def import_qdpx(
    service: ThemeService, workspace: Workspace, source: FileSource, *, name: str | None
) -> dict[str, int]:
    """Add a .qdpx project's codes as themes and its codings of this workspace's contributions
    (sources whose GUID is a contribution consent lets be used and whose text is unchanged);
    returns ``themes`` and ``codings`` added and what was ``skipped`` (other sources, codings
    already there)."""
    from mobilise.formats.refi_qda import read_qdpx
    from mobilise.workspace._files import read_bytes, source_name

    file_name = source_name(source, name)
    project = read_qdpx(
        read_bytes(source, name=file_name, limits=workspace.limits),
        name=file_name,
        limits=workspace.limits,
    )
    counts = {
        "themes": 0,
        "codings": 0,
        "skipped_sources": project.skipped_sources,
        "skipped_codings": 0,
    }
    with workspace.write() as connection:
        code_themes: dict[str, str] = {}
        counts["themes"] = _themes_of(service, workspace, project.codes, None, code_themes)
        known = {
            row.id: row.text
            for row in visible_contributions(
                workspace, Scope(contributions=[s.guid for s in project.sources])
            )
        }
        present = {
            (c.contribution_id, c.theme_id, c.coder, c.span_start, c.span_end)
            for c in coding_rows(workspace, known.keys())
        }
        for qda_source in project.sources:
            if known.get(qda_source.guid) != qda_source.text:
                counts["skipped_sources"] += 1
                continue
            for chosen in qda_source.selections:
                theme_id = code_themes.get(chosen.code)
                coder = " ".join(project.users.get(chosen.user or "", "").split())[:MAX_CODER]
                coder = coder or "imported"
                key = (qda_source.guid, theme_id, coder, chosen.start, chosen.end)
                if theme_id is None or key in present:
                    counts["skipped_codings"] += 1
                    continue
                values = _coding_values(qda_source, chosen, coder, theme_id)
                if values is None:
                    counts["skipped_codings"] += 1
                    continue
                try:
                    _code_row(connection, values, actor=workspace.actor)
                except Conflict:
                    counts["skipped_codings"] += 1
                    continue
                present.add(key)
                counts["codings"] += 1
    return counts

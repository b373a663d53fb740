"""A theme becomes a systems-map factor, and the factor shows its evidence (private to
:mod:`mobilise.workspace.themes`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mobilise.errors import NotFound
from mobilise.store.records import insert_record
from mobilise.store.tables import map_factors, theme_factors, themes
from mobilise.workspace._theme_rows import Scope, coding_rows, visible_contributions

if TYPE_CHECKING:
    from mobilise.model.visibility import Viewer
    from mobilise.workspace.core import Workspace

__all__ = ["ThemeFactors"]

MAX_QUOTES = 50
_LABEL_CHARS = 300
_GROUP_CHARS = 120


class ThemeFactors:
    """The factor methods of :class:`~mobilise.workspace.themes.ThemeService`."""

    _ws: Workspace

    def to_factor(
        self, theme: str, map_id: str, *, x: float | None = None, y: float | None = None
    ) -> dict[str, Any]:
        """Add the theme to a systems map as a factor (its label the theme's name, its
        description the definition, its group the parent theme's name) and link the two, in
        one change; returns the factor as stored."""
        found = self._ws.themes.get(theme)
        parent = self._ws.themes.get(found.parent_id).name if found.parent_id else found.name
        fields: dict[str, Any] = {
            "label": found.name[:_LABEL_CHARS],
            "description": found.definition,
            "theme": parent[:_GROUP_CHARS],
        }
        if x is not None and y is not None:
            fields |= {"x": x, "y": y}
        with self._ws.write() as connection:
            factor = self._ws.maps.add_factor(map_id, fields)
            insert_record(
                connection,
                theme_factors,
                {"theme_id": found.id, "factor_id": factor["id"]},
                actor=self._ws.actor,
                entity_type="theme factor",
            )
        return factor

    def factors(self, theme: str) -> list[dict[str, Any]]:
        """The live map factors a theme became: ``map_id``, ``factor_id``, ``label``."""
        theme_id = self._ws.themes.get(theme).id
        with self._ws.read() as connection:
            rows = connection.execute(
                sa.select(map_factors.c.map_id, map_factors.c.id, map_factors.c.label)
                .join(theme_factors, theme_factors.c.factor_id == map_factors.c.id)
                .where(
                    theme_factors.c.theme_id == theme_id,
                    theme_factors.c.deleted_at.is_(None),
                    map_factors.c.deleted_at.is_(None),
                )
                .order_by(map_factors.c.label)
            ).all()
        return [{"map_id": r.map_id, "factor_id": r.id, "label": r.label} for r in rows]

    def evidence(
        self, map_id: str, factor_id: str, *, viewer: Viewer | None = None
    ) -> dict[str, Any]:
        """What people said behind a factor made from themes: the themes, and the coded words
        (the span, or the whole contribution) of every contribution consent lets be shown, with
        the event's title; no names and no pseudonyms. NotFound when ``viewer`` may not see the
        map or the factor is not on it."""
        self._ws.maps.get(map_id, viewer=viewer)
        with self._ws.read() as connection:
            on_map = connection.execute(
                sa.select(map_factors.c.id).where(
                    map_factors.c.id == factor_id,
                    map_factors.c.map_id == map_id,
                    map_factors.c.deleted_at.is_(None),
                )
            ).first()
            if on_map is None:
                raise NotFound(f"The map has no factor {factor_id!r}.")
            linked = connection.execute(
                sa.select(themes)
                .join(theme_factors, theme_factors.c.theme_id == themes.c.id)
                .where(
                    theme_factors.c.factor_id == factor_id,
                    theme_factors.c.deleted_at.is_(None),
                    themes.c.deleted_at.is_(None),
                )
            ).all()
        theme_ids = {row.id for row in linked}
        quotes: list[dict[str, Any]] = []
        if theme_ids:
            rows = {row.id: row for row in visible_contributions(self._ws, Scope())}
            for coding in coding_rows(self._ws, rows.keys()):
                if coding.theme_id not in theme_ids or len(quotes) >= MAX_QUOTES:
                    continue
                row = rows[coding.contribution_id]
                text = row.text or ""
                if coding.span_start is not None:
                    text = text[coding.span_start : coding.span_end]
                if text.strip():
                    quotes.append(
                        {
                            "contribution_id": row.id,
                            "event": row.title,
                            "kind": row.kind,
                            "theme": coding.theme_name,
                            "text": text,
                        }
                    )
        return {
            "factor_id": factor_id,
            "themes": [
                {"id": row.id, "name": row.name, "definition": row.definition} for row in linked
            ],
            "quotes": _unique(quotes),
        }


def _unique(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One quote per contribution and text (two coders' identical spans count once)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for quote in quotes:
        key = (quote["contribution_id"], quote["text"])
        if key not in seen:
            seen.add(key)
            out.append(quote)
    return out

"""Themes: the codebook, coding what people said, agreement between coders, theme counts and
co-occurrence, suggested themes, themes as systems-map factors, and REFI-QDA exchange.

The codebook holds themes and sub-themes (a theme's ``parent``) with definitions, for the
whole project (``place`` None) or one place. A *coding* is one coder's theme on a contribution
(:mod:`mobilise.workspace.event_contributions`): the whole of it, or characters ``[start,
end)`` of its text, with a memo.

**Consent decides every read**: a contribution is used (listed for coding, counted, compared,
exported, quoted as evidence) only when it is a table's or group's, or its participant is in
:meth:`ConsentService.permitted <mobilise.workspace.consent.ConsentService.permitted>` of
``take_part`` and of the scope its kind needs (``CONTRIBUTION_SCOPE``). A withdrawal takes the
person's codings out of every figure from that moment (the codings stay, unused).

Counts shown to anyone but an admin (or the operator) go through the one disclosure control,
:func:`mobilise.analysis.engagement.disclose`, with the project's ``disclosure_k``. The analysis
itself is :mod:`mobilise.analysis.themes`.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.store.records import (
    insert_record,
    soft_delete_record,
    update_record,
)
from mobilise.store.tables import codings, themes
from mobilise.workspace._theme_analysis import ThemeAnalysis
from mobilise.workspace._theme_codes import MAX_CODER, MAX_MEMO, code_row
from mobilise.workspace._theme_factors import ThemeFactors
from mobilise.workspace._theme_rows import Scope, coding_rows, visible_contributions

if TYPE_CHECKING:
    from mobilise.workspace._files import FileSource, FileTarget
    from mobilise.workspace.core import Workspace

__all__ = ["Coding", "Theme", "ThemeService"]

MAX_NAME = 200
MAX_DEFINITION = 5_000
_THEME_FIELDS = ("name", "definition", "parent_id", "place_slug", "colour", "position")


@dataclass(frozen=True)
class Theme:
    """A theme of the codebook; ``parent_id`` is set on a sub-theme."""

    id: str
    name: str
    definition: str
    parent_id: str | None
    place_slug: str | None
    colour: str
    position: int
    illustrative: bool
    version: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Coding:
    """One coder's theme on a contribution (``span_start`` None: the whole of it)."""

    id: str
    contribution_id: str
    theme_id: str
    theme: str
    coder: str
    span_start: int | None
    span_end: int | None
    memo: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"created_at": self.created_at.isoformat()}


def _theme_of(row: Any) -> Theme:
    return Theme(
        id=row.id,
        name=row.name,
        definition=row.definition,
        parent_id=row.parent_id,
        place_slug=row.place_slug,
        colour=row.colour,
        position=int(row.position),
        illustrative=bool(row.illustrative),
        version=int(row.version),
    )


def _coding_of(row: Any) -> Coding:
    return Coding(
        id=row.id,
        contribution_id=row.contribution_id,
        theme_id=row.theme_id,
        theme=row.theme_name,
        coder=row.coder,
        span_start=row.span_start,
        span_end=row.span_end,
        memo=row.memo,
        created_at=row.created_at,
    )


def _text(value: Any, field: str, limit: int, problems: list[Problem], *, needed: bool) -> str:
    text = " ".join(str(value or "").split()) if field != "definition" else str(value or "")
    text = text.strip()
    if needed and not text:
        problems.append(Problem("must not be empty", field=field))
    if len(text) > limit:
        problems.append(Problem(f"at most {limit:,} characters", field=field))
    return text


class ThemeService(ThemeAnalysis, ThemeFactors):
    """The codebook and its coding; agreement, counts, suggestions (:class:`ThemeAnalysis`)
    and themes as map factors (:class:`ThemeFactors`), all under consent."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    # -- the codebook -----------------------------------------------------------------------
    def add(
        self,
        name: str,
        *,
        definition: str = "",
        parent: str | None = None,
        place: str | None = None,
        colour: str = "",
        position: int | None = None,
        illustrative: bool = False,
    ) -> Theme:
        """Add a theme (a sub-theme when ``parent`` names a theme, by id or name)."""
        values = self._fields(
            {"name": name, "definition": definition, "colour": colour}, partial=False
        )
        with self._ws.write() as connection:
            if place is not None:
                self._ws.places.get(place)
            parent_id = self._id_of(connection, parent) if parent else None
            if position is None:
                position = 1 + int(
                    connection.execute(
                        sa.select(sa.func.count()).where(
                            themes.c.deleted_at.is_(None),
                            themes.c.parent_id.is_(parent_id)
                            if parent_id is None
                            else themes.c.parent_id == parent_id,
                        )
                    ).scalar_one()
                )
            row = insert_record(
                connection,
                themes,
                {
                    **values,
                    "parent_id": parent_id,
                    "place_slug": place,
                    "position": position,
                    "illustrative": illustrative,
                },
                actor=self._ws.actor,
                entity_type="theme",
            )
        return self.get(row["id"])

    def update(
        self, theme: str, changes: Mapping[str, Any], *, expected_version: int | None = None
    ) -> Theme:
        """Change a theme's name, definition, parent, colour or position."""
        values = self._fields(changes, partial=True)
        with self._ws.write() as connection:
            theme_id = self._id_of(connection, theme)
            if values.get("parent_id"):
                values["parent_id"] = self._id_of(connection, values["parent_id"])
                if values["parent_id"] == theme_id:
                    raise ValidationError(
                        "A theme cannot be its own parent.",
                        problems=[Problem("another theme", field="parent_id")],
                    )
            update_record(
                connection,
                themes,
                theme_id,
                values,
                expected_version=expected_version,
                actor=self._ws.actor,
                entity_type="theme",
            )
        return self.get(theme_id)

    def remove(self, theme: str) -> None:
        """Take a theme out of the codebook (its codings are no longer used)."""
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                themes,
                self._id_of(connection, theme),
                expected_version=None,
                actor=self._ws.actor,
                entity_type="theme",
            )

    def get(self, theme: str) -> Theme:
        """One theme, by id or (unique) name; NotFound when there is none."""
        with self._ws.read() as connection:
            theme_id = self._id_of(connection, theme)
            row = connection.execute(sa.select(themes).where(themes.c.id == theme_id)).one()
        return _theme_of(row)

    def list(self, place: str | None = None, *, every_place: bool = False) -> builtins.list[Theme]:
        """The codebook: the project-wide themes and, with ``place``, that place's (with
        ``every_place``, every place's); parents before their sub-themes, each level by
        position then name."""
        query = sa.select(themes).where(themes.c.deleted_at.is_(None))
        if not every_place:
            project = themes.c.place_slug.is_(None)
            query = query.where(
                project if place is None else project | (themes.c.place_slug == place)
            )
        with self._ws.read() as connection:
            found = [_theme_of(row) for row in connection.execute(query)]
        ordered = sorted(found, key=lambda t: (t.position, t.name.lower()))
        children: dict[str | None, builtins.list[Theme]] = {}
        known = {t.id for t in ordered}
        for theme in ordered:
            children.setdefault(theme.parent_id if theme.parent_id in known else None, []).append(
                theme
            )
        out: builtins.list[Theme] = []

        def walk(parent: str | None) -> None:
            for child in children.get(parent, []):
                out.append(child)
                walk(child.id)

        walk(None)
        return out

    def _fields(self, fields: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
        problems = [
            Problem(f"a theme has no field {k!r}", field=k)
            for k in fields
            if k not in _THEME_FIELDS
        ]
        values: dict[str, Any] = {}
        for field, limit in (("name", MAX_NAME), ("definition", MAX_DEFINITION)):
            if field in fields or not partial:
                values[field] = _text(
                    fields.get(field), field, limit, problems, needed=field == "name"
                )
        if "colour" in fields:
            colour = str(fields["colour"] or "").strip()
            if colour and not (
                len(colour) == 7
                and colour[0] == "#"
                and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
            ):
                problems.append(Problem("a colour like #1b7837", field="colour"))
            values["colour"] = colour
        if "position" in fields:
            position = fields["position"]
            if isinstance(position, bool) or not isinstance(position, int) or position < 1:
                problems.append(Problem("a whole number >= 1", field="position"))
            values["position"] = position
        if "parent_id" in fields:
            values["parent_id"] = fields["parent_id"] or None
        if problems:
            raise ValidationError("Cannot save the theme.", problems=problems)
        return values

    @staticmethod
    def _id_of(connection: sa.Connection, theme: str) -> str:
        live = themes.c.deleted_at.is_(None)
        found = connection.execute(
            sa.select(themes.c.id).where(live, themes.c.id == theme)
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
        named = connection.execute(
            sa.select(themes.c.id).where(live, sa.func.lower(themes.c.name) == str(theme).lower())
        ).all()
        if len(named) == 1:
            return str(named[0].id)
        if len(named) > 1:
            raise ValidationError(
                f"Several themes are called {theme!r}: use the theme's id.",
                problems=[Problem("several themes have this name", field="theme")],
            )
        raise NotFound(f"No theme {theme!r}.")

    # -- coding -----------------------------------------------------------------------------
    def code(
        self,
        contribution: str,
        theme: str,
        *,
        coder: str,
        span: tuple[int, int] | None = None,
        memo: str = "",
    ) -> Coding:
        """Put a theme on a contribution (the whole of it, or ``span``: characters
        ``[start, end)`` of its text) for ``coder``, with a memo. Coding the same theme on the
        same span twice by the same coder is refused (409)."""
        problems: list[Problem] = []
        coder = _text(coder, "coder", MAX_CODER, problems, needed=True)
        memo = _text(memo, "memo", MAX_MEMO, problems, needed=False)
        rows = visible_contributions(self._ws, Scope(contributions=[contribution]))
        if not rows:
            raise NotFound(f"No event contribution {contribution!r}.")
        start, end = span if span is not None else (None, None)
        if span is not None:
            length = len(rows[0].text or "")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in span) or not (
                0 <= span[0] < span[1] <= length
            ):
                problems.append(
                    Problem(
                        f"a span is start < end within the text's {length} characters",
                        field="span",
                    )
                )
        if problems:
            raise ValidationError("Cannot code the contribution.", problems=problems)
        with self._ws.write() as connection:
            theme_id = self._id_of(connection, theme)
            coding_id = code_row(
                connection,
                {
                    "contribution_id": contribution,
                    "theme_id": theme_id,
                    "coder": coder,
                    "span_start": start,
                    "span_end": end,
                    "memo": memo,
                },
                actor=self._ws.actor,
            )
        return self._coding(coding_id)

    def uncode(self, coding_id: str) -> None:
        """Take a coding away."""
        self._coding(coding_id)
        with self._ws.write() as connection:
            soft_delete_record(
                connection,
                codings,
                coding_id,
                expected_version=None,
                actor=self._ws.actor,
                entity_type="coding",
            )

    def _coding(self, coding_id: str) -> Coding:
        with self._ws.read() as connection:
            contribution = connection.execute(
                sa.select(codings.c.contribution_id).where(
                    codings.c.id == coding_id, codings.c.deleted_at.is_(None)
                )
            ).scalar_one_or_none()
        if contribution is None:
            raise NotFound(f"No coding {coding_id!r}.")
        found = [row for row in coding_rows(self._ws, [contribution]) if row.id == coding_id]
        if not found or not visible_contributions(self._ws, Scope(contributions=[contribution])):
            raise NotFound(f"No coding {coding_id!r}.")
        return _coding_of(found[0])

    def codings(
        self,
        *,
        event: str | None = None,
        place: str | None = None,
        contributions: Collection[str] | None = None,
        theme: str | None = None,
        coder: str | None = None,
    ) -> builtins.list[Coding]:
        """The codings of the contributions consent lets be used (of one event, place or set)."""
        shown = visible_contributions(
            self._ws, Scope(event=event, place=place, contributions=contributions), text=False
        )
        theme_id = None
        if theme is not None:
            with self._ws.read() as connection:
                theme_id = self._id_of(connection, theme)
        rows = coding_rows(self._ws, [row.id for row in shown], theme=theme_id, coder=coder)
        return [_coding_of(row) for row in rows]

    def usable(self, *, event: str | None = None, place: str | None = None) -> builtins.list[str]:
        """The ids of the contributions (of an event or a place) consent lets be coded now:
        a table's or group's, or a person's who granted ``take_part`` and the kind's scope."""
        scope = Scope(event=event, place=place)
        return [row.id for row in visible_contributions(self._ws, scope, text=False)]

    def coders(self, **scope: Any) -> builtins.list[str]:
        """The coders who coded the contributions of a scope (event, place or contributions)."""
        return sorted({c.coder for c in self.codings(**scope)})

    # -- exchange ---------------------------------------------------------------------------
    def export_qdpx(self, target: FileTarget, **scope: Any) -> int:
        """Write the codebook and the coding of a scope (event, place or contributions) as a
        REFI-QDA project (.qdpx) to a path or binary stream; returns the sources written."""
        from mobilise.workspace._theme_qdpx import export_qdpx

        return export_qdpx(self, self._ws, target, **scope)

    def import_qdpx(self, source: FileSource, *, name: str | None = None) -> dict[str, int]:
        """Read a REFI-QDA project's codes and codings back: codes become themes (matched by
        name), selections of sources that are this workspace's contributions become codings
        (the others are counted and left out). Returns what was added and skipped."""
        from mobilise.workspace._theme_qdpx import import_qdpx

        return import_qdpx(self, self._ws, source, name=name)

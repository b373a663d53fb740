"""Agreement, counts, co-occurrence and suggestions of the themes service (private to
:mod:`mobilise.workspace.themes`; the computation is :mod:`mobilise.analysis.themes`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from mobilise.errors import Problem, ValidationError
from mobilise.store.tables import themes
from mobilise.workspace._theme_rows import Scope, coding_rows, visible_contributions

if TYPE_CHECKING:
    import pandas as pd

    from mobilise.model.visibility import Viewer
    from mobilise.workspace.core import Workspace

__all__ = ["ThemeAnalysis"]

EXCERPT_CHARS = 240


def _voice(row: Any) -> str:
    return (
        f"p:{row.participant_id}" if row.participant_id else f"g:{row.event_id}:{row.group_label}"
    )


class ThemeAnalysis:
    """The analysis methods of :class:`~mobilise.workspace.themes.ThemeService`."""

    _ws: Workspace

    def _frames(
        self, scope: Scope, *, by: str | None = None, text: bool = False
    ) -> tuple[pd.DataFrame, pd.DataFrame, list[Any]]:
        """The codings (``unit``, ``coder``, ``theme``, spans) and contributions (``unit``,
        ``voice``, [``by``]) consent lets be used, and the contribution rows."""
        import pandas as pd

        rows = visible_contributions(self._ws, scope, by=by, text=text)
        found = coding_rows(self._ws, [row.id for row in rows])
        coded = pd.DataFrame(
            {
                "unit": [c.contribution_id for c in found],
                "coder": [c.coder for c in found],
                "theme": [c.theme_id for c in found],
                "span_start": pd.array([c.span_start for c in found], dtype="Float64"),
                "span_end": pd.array([c.span_end for c in found], dtype="Float64"),
            }
        ).astype({"span_start": float, "span_end": float})
        people = pd.DataFrame(
            {
                "unit": [row.id for row in rows],
                "voice": [_voice(row) for row in rows],
                **({by: [row.by_value for row in rows]} if by else {}),
            }
        )
        return coded, people, rows

    def _names(self) -> dict[str, str]:
        import sqlalchemy as sa

        with self._ws.read() as connection:
            return {
                row.id: row.name
                for row in connection.execute(sa.select(themes.c.id, themes.c.name))
            }

    def agreement(
        self,
        *,
        event: str | None = None,
        place: str | None = None,
        contributions: Collection[str] | None = None,
        coders: Sequence[str] | None = None,
        unit: str = "contribution",
    ) -> dict[str, Any]:
        """Agreement between the coders of a set of contributions (one event, one place's, or
        given ids), per theme and pooled: percent agreement, Cohen's kappa (two coders) and
        Krippendorff's alpha (any number, missing codes allowed); see
        :func:`mobilise.analysis.themes.agreement`."""
        from mobilise.analysis._checks import json_records
        from mobilise.analysis.themes import agreement

        scope = Scope(event=event, place=place, contributions=contributions)
        coded, _, rows = self._frames(scope, text=unit == "span")
        lengths = {row.id: len(row.text or "") for row in rows} if unit == "span" else None
        table = agreement(coded, unit=unit, lengths=lengths, coders=coders)
        names = self._names()
        table.insert(1, "name", [names.get(t, t) for t in table["theme"]])
        return {**{str(k): v for k, v in table.attrs.items()}, "themes": json_records(table)}

    def counts(
        self,
        *,
        by: str | None = None,
        event: str | None = None,
        place: str | None = None,
        viewer: Viewer | None = None,
    ) -> dict[str, Any]:
        """How many contributions carry each theme and how many voices gave them (overall or
        ``by`` event_kind, place, event, imd_decile or an equality answer); for anyone but an
        admin, disclosure-controlled (``k``: the smallest count shown)."""
        from mobilise.analysis._checks import json_records
        from mobilise.analysis.engagement import disclose
        from mobilise.analysis.themes import theme_counts

        coded, people, _ = self._frames(Scope(event=event, place=place), by=by)
        table = theme_counts(coded, people, by=by)
        names = self._names()
        table.insert(1, "name", [names.get(t, t) for t in table["theme"]])
        k = self._ws.engagement.disclosure_k(viewer)
        if k is not None:
            # split by a group, a theme's rows add up to its overall count (which the viewer
            # may also read): secondary suppression within each theme, or a hidden cell comes
            # back by subtraction; overall, the themes overlap and add up to nothing shown
            table = disclose(
                table,
                k=k,
                counts=("voices", "contributions"),
                within=("theme",) if by else (),
                additive=by is not None,
            )
        return {"by": by, "k": k, "rows": json_records(table)}

    def co_occurrence(
        self, *, event: str | None = None, place: str | None = None, viewer: Viewer | None = None
    ) -> dict[str, Any]:
        """Pairs of themes on the same contributions, with the voices behind them and the
        Jaccard index; disclosure-controlled like :meth:`counts` (a hidden pair's Jaccard too)."""
        from mobilise.analysis._checks import json_records
        from mobilise.analysis.engagement import disclose
        from mobilise.analysis.themes import co_occurrence

        coded, people, _ = self._frames(Scope(event=event, place=place))
        table = co_occurrence(coded, people)
        names = self._names()
        table.insert(2, "name_a", [names.get(t, t) for t in table["theme_a"]])
        table.insert(3, "name_b", [names.get(t, t) for t in table["theme_b"]])
        k = self._ws.engagement.disclosure_k(viewer)
        if k is not None:
            table = disclose(table, k=k, counts=("voices", "contributions"), additive=False)
            table["jaccard"] = table["jaccard"].where(~table["suppressed"])
        return {"k": k, "pairs": json_records(table)}

    def suggest(
        self,
        *,
        event: str | None = None,
        place: str | None = None,
        top: int = 3,
        clusters: int | None = None,
        seed: int = 0,
    ) -> dict[str, Any]:
        """Suggested themes for the contributions no one has coded (the nearest themes of the
        codebook by TF-IDF, from their definitions and the text already coded with them), and
        groups of those contributions with their keywords as candidate new themes. Suggestions
        only: a person decides."""
        from mobilise.analysis._checks import json_records
        from mobilise.analysis.themes import keyword_clusters, suggest_themes

        if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 10:
            raise ValidationError(
                "Cannot suggest themes.", problems=[Problem("1 to 10", field="top")]
            )
        rows = visible_contributions(self._ws, Scope(event=event, place=place))
        found = coding_rows(self._ws, [row.id for row in rows])
        coded_ids = {c.contribution_id for c in found}
        text_of = {row.id: row.text or "" for row in rows}
        uncoded = {row.id: row.text for row in rows if row.id not in coded_ids and row.text}
        evidence: dict[str, list[str]] = {}
        for codebook_theme in self._ws.themes.list(place):
            evidence[codebook_theme.id] = [codebook_theme.name, codebook_theme.definition]
        for c in found:
            if c.theme_id in evidence:
                text = text_of.get(c.contribution_id, "")
                evidence[c.theme_id].append(
                    text[c.span_start : c.span_end] if c.span_start is not None else text
                )
        matches = suggest_themes(uncoded, {t: " ".join(v) for t, v in evidence.items()}, top=top)
        groups = keyword_clusters(uncoded, clusters=clusters, seed=seed)
        names = self._names()
        matches["name"] = [names.get(t) if t else None for t in matches["theme"]]
        out: dict[str, dict[str, Any]] = {}
        for match in json_records(matches):
            entry = out.setdefault(
                match["unit"],
                {
                    "contribution_id": match["unit"],
                    "excerpt": uncoded[match["unit"]][:EXCERPT_CHARS],
                    "keywords": match["keywords"].split(";") if match["keywords"] else [],
                    "themes": [],
                },
            )
            if match["theme"]:
                entry["themes"].append(
                    {"theme_id": match["theme"], "name": match["name"], "score": match["score"]}
                )
        return {
            "uncoded": len(uncoded),
            "suggestions": list(out.values()),
            "clusters": [
                {**group, "keywords": group["keywords"].split(";")}
                for group in json_records(groups)
            ],
        }

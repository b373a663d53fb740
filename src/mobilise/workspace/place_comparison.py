"""Place comparison: two or more places side by side on the same measures (``ws.comparison``).

:meth:`ComparisonService.compare` gathers, for each place, in a stable order of sections
(:data:`SECTION_ORDER`):

1. **population**: residents, and the Census 2021 age and ethnic-group profile;
2. **deprivation**: residents by national IMD 2019 decile, the Core20 share, the mean IMD score;
3. **health**: each health indicator's place figure with its interval (computed indicators
   pooled from their counts by :mod:`mobilise.analysis.rates`, directly standardised ones kept
   age-standardised and said so; imported ones as a residents-weighted mean of the areas), and
   the share of residents in England's worst fifth of areas on it;
4. **gradient**: the slope and relative index of inequality (PHE) of each indicator;
5. **access**: the latest finished access run per place, its SII of access and priority
   neighbourhoods;
6. **assets**: assets per 1,000 residents, by category, and in the most deprived fifth;
7. **partnership**: the partners serving each place by sector and the ties among them;
8. **engagement**: who the place's events reached (disclosure-controlled);
9. **transfer**: what could transfer: asset categories and partner sectors present in one place
   and thin in another, and the loops of one place's systems maps the other's lack.

Each section carries its source, date, licence and method, the places' figures, the pairs'
differences with their intervals where the statistics allow (MOVER, see
:mod:`mobilise.analysis.place_comparison`), and sentences that say which differences are not
distinguishable from chance. ``viewer`` is who will see it: anyone but an admin gets the
engagement counts disclosure-controlled and only the maps and rounds they may see; ``None``
(the command line, Python) sees everything whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from mobilise.errors import NotFound, Problem, ValidationError
from mobilise.workspace._comparison_records import SECTION_ORDER, Comparison, Section

if TYPE_CHECKING:
    from mobilise.model.visibility import Viewer
    from mobilise.workspace.core import Workspace

__all__ = ["MAX_PLACES", "SECTION_ORDER", "Comparison", "ComparisonService", "Section"]

MAX_PLACES = 6
"""The most places one comparison sets side by side (every pair is compared)."""


def parse_places(given: str | Iterable[str]) -> list[str]:
    """Place slugs from ``a,b`` or a list (each item may hold commas), blanks dropped, each
    once, in the order given."""
    items = [given] if isinstance(given, str) else list(given)
    words = [w.strip() for item in items for w in str(item).split(",")]
    return list(dict.fromkeys(w for w in words if w))


class ComparisonService:
    """Set places side by side (see the module docstring)."""

    def __init__(self, workspace: Workspace) -> None:
        self._ws = workspace

    def compare(
        self,
        places: str | Sequence[str],
        *,
        indicators: Sequence[str] | None = None,
        viewer: Viewer | None = None,
        confidence: float = 0.95,
    ) -> Comparison:
        """Compare two or more places (slugs, or one text ``"a,b"``).

        ``indicators``: the indicators of the health and gradient sections (default: every
        computed indicator and the health ones). ``confidence``: the level of every interval.

        Raises
        ------
        ValidationError
            Fewer than two different places, more than :data:`MAX_PLACES`, a place without
            areas, a confidence outside [0.8, 1).
        NotFound
            An unknown place (every one named) or indicator.
        """
        from mobilise.workspace import _comparison_people as people
        from mobilise.workspace import _comparison_reach as reach

        slugs = self._checked(places, confidence)
        found = [self._ws.places.get(slug) for slug in slugs]
        empty = [p for p in found if not p.n_areas]
        if empty:
            raise ValidationError(
                "Cannot compare places without areas.",
                problems=[
                    Problem(
                        f"{p.slug!r} has no areas yet: add some with `mobilise places "
                        "add-areas` (or the place's page)",
                        field="places",
                    )
                    for p in empty
                ],
            )
        inputs = people.Inputs(
            ws=self._ws,
            places=found,
            viewer=viewer,
            k=self._ws.engagement.disclosure_k(viewer),
            confidence=confidence,
            indicators=people.health_indicators(self._ws, list(indicators or [])),
        )
        builders = {**people.SECTIONS, **reach.SECTIONS}
        done: dict[str, Section] = {}
        for key, _title in SECTION_ORDER:
            if key == "transfer":
                done[key] = reach.transfer_section(inputs, done)
            else:
                done[key] = builders[key](inputs)
        return Comparison(
            places=[
                {
                    "slug": p.slug,
                    "name": p.name,
                    "areas": p.n_areas,
                    "population": p.population,
                    "population_period": p.population_period,
                }
                for p in found
            ],
            sections=[done[key] for key, _title in SECTION_ORDER],
            made_at=datetime.now(UTC),
            confidence=confidence,
            viewer_k=inputs.k,
        )

    def _checked(self, places: str | Sequence[str], confidence: float) -> list[str]:
        slugs = parse_places(places)
        problems = []
        if len(slugs) < 2:
            problems.append(
                Problem(
                    "name at least two different places, e.g. northamptonshire,"
                    "inner-north-east-london",
                    field="places",
                )
            )
        if len(slugs) > MAX_PLACES:
            problems.append(
                Problem(f"at most {MAX_PLACES} places at once, not {len(slugs)}", field="places")
            )
        if not 0.8 <= confidence < 1:
            problems.append(Problem(f"{confidence!r} is not between 0.8 and 1", field="confidence"))
        if problems:
            raise ValidationError("Cannot compare those places.", problems=problems)
        known = self._ws.places.names()
        unknown = [s for s in slugs if s not in known]
        if unknown:
            listed = ", ".join(known) or "none yet: create one with `mobilise places create`"
            raise NotFound(f"No place {', '.join(repr(s) for s in unknown)}. Places: {listed}.")
        return slugs

"""The sections of a place comparison about people and health: population and its age and
ethnic profile, deprivation, health indicators against England, and the deprivation gradient
(private helpers of :mod:`mobilise.workspace.place_comparison`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mobilise.analysis import place_comparison as pc
from mobilise.analysis.slope_index import by_quantile, slope_index_of_inequality
from mobilise.errors import NotFound
from mobilise.model.presentation import theme_of
from mobilise.model.reach_words import group_label
from mobilise.workspace._comparison_records import Section
from mobilise.workspace._comparison_records import section as _section

if TYPE_CHECKING:
    from mobilise.model.visibility import Viewer
    from mobilise.workspace._indicator_rows import Indicator
    from mobilise.workspace.core import Workspace
    from mobilise.workspace.places import Place

__all__ = [
    "Inputs",
    "deprivation_section",
    "gradient_section",
    "health_indicators",
    "health_section",
    "population_section",
]

IMD_DECILE = "imd2019_decile"
IMD_SCORE = "imd2019_score"
SII_SEED = 20261207  # the same intervals every time a comparison is made
MIN_DECILES = 5  # deciles with residents, as the access runs ask for an SII
_CENSUS = "ons_census2021_lsoa21_residents"
_DENOMINATORS = "mhclg_iod2019_file6"
_AGE_STANDARDISED = {
    "dsr": "age-standardised (directly, to the standard population of its computation)",
    "isr": "age-standardised (indirectly, against reference rates)",
    "isr_rate": "age-standardised (indirectly, against reference rates)",
}


@dataclass
class Inputs:
    """What every section reads, gathered once per comparison."""

    ws: Workspace
    places: list[Place]
    viewer: Viewer | None
    k: int | None
    confidence: float
    indicators: list[Indicator]
    _residents: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def names(self) -> dict[str, str]:
        return {p.slug: p.name for p in self.places}

    def residents(self, slug: str) -> pd.DataFrame:
        """The place's areas with their residents and IMD 2019 decile (``area_code``, ``decile``,
        ``population``): the IoD 2019 denominators (mid-2015)."""
        if slug not in self._residents:
            frame = self.ws.engagement.population(slug, "imd_decile")
            self._residents[slug] = pd.DataFrame(
                {
                    "area_code": frame["area_code"].astype(str),
                    "decile": pd.to_numeric(frame["group"], errors="coerce"),
                    "population": pd.to_numeric(frame["count"], errors="coerce"),
                }
            ).set_index("area_code")
        return self._residents[slug]

    def dataset(self, dataset_id: str | None) -> tuple[str, str]:
        """A dataset's title and publisher, and its licence ("" when not stored)."""
        if not dataset_id:
            return "", ""
        try:
            found = self.ws.datasets.get(dataset_id)
        except NotFound:
            return dataset_id, ""
        return f"{found.title} ({found.publisher})", found.licence

    def differences(
        self, estimates: dict[str, pc.Estimate], measure: str
    ) -> tuple[list[dict[str, Any]], list[str]]:
        found = pc.differences(estimates)
        words = [pc.difference_words(d, self.names, measure) for d in found]
        return [{**d.to_dict(), "measure": measure} for d in found], words


def _joined(*parts: tuple[str, str]) -> tuple[str, str]:
    sources = list(dict.fromkeys(s for s, _ in parts if s))
    licences = list(dict.fromkeys(lic for _, lic in parts if lic))
    return "; ".join(sources), "; ".join(licences)


def _profile(inputs: Inputs, slug: str, dimension: str) -> dict[str, Any] | None:
    frame = inputs.ws.engagement.population(slug, dimension)
    if frame.empty:
        return None
    counts = frame.groupby("group", sort=False)["count"].sum()
    total = float(counts.sum())
    return {
        "total": total,
        "groups": [
            {"group": str(g), "label": group_label(dimension, g), "count": int(c), "share": s}
            for (g, c), s in zip(
                counts.items(),
                pc.shares({str(g): c for g, c in counts.items()}).values(),
                strict=True,
            )
        ],
    }


def population_section(inputs: Inputs) -> Section:
    """Residents (IoD 2019 denominators) and the Census 2021 age and ethnic-group profile."""
    places: dict[str, Any] = {}
    sentences = []
    for place in inputs.places:
        age = _profile(inputs, place.slug, "age_band")
        ethnic = _profile(inputs, place.slug, "ethnic_group")
        places[place.slug] = {
            "population": place.population,
            "population_period": place.population_period,
            "areas": place.n_areas,
            "age": age,
            "ethnic_group": ethnic,
        }
        older = next((g for g in (age or {}).get("groups", []) if g["group"] == "65_plus"), None)
        if place.population is not None:
            sentences.append(
                f"{place.name}: {place.population:,} residents in {place.n_areas:,} areas"
                + (f"; {older['share']:.0%} are 65 or over (Census 2021)." if older else ".")
            )
    census = any(p["age"] or p["ethnic_group"] for p in places.values())
    source, licence = _joined(inputs.dataset(_DENOMINATORS), inputs.dataset(_CENSUS))
    return _section(
        "population",
        source=source,
        date="Census 2021 (21 March 2021); residents mid-2015 (IoD 2019 denominators)",
        licence=licence,
        method=(
            "Whole counts of usual residents by LSOA 2021, summed over the successors of the "
            "place's LSOA 2011s; shares of the place's total. Counts of the whole population "
            "have no sampling interval: differences are what was counted."
        ),
        places=places,
        sentences=sentences,
        note="" if census else "The bundled Census 2021 tables do not cover these places.",
    )


def deprivation_section(inputs: Inputs) -> Section:
    """Residents by national IMD decile, the Core20 share, and the mean IMD score."""
    places: dict[str, Any] = {}
    estimates: dict[str, pc.Estimate] = {}
    score = _indicator(inputs.ws, IMD_SCORE)
    for place in inputs.places:
        residents = inputs.residents(place.slug)
        by_decile = residents.groupby("decile")["population"].sum()
        share = pc.shares({f"{d:.0f}": float(n) for d, n in by_decile.items()})
        core20 = float(by_decile[by_decile.index <= 2].sum())
        total = float(by_decile.sum())
        places[place.slug] = {
            "by_decile": share,
            "core20_areas": place.core20_areas,
            "core20_area_share": place.core20_share,
            "core20_residents": core20 if total else None,
            "core20_resident_share": core20 / total if total else None,
        }
        if score is not None:
            values = inputs.ws.indicators.values(IMD_SCORE, codes=list(residents.index))
            joined = residents.join(values["value"], how="inner")
            estimates[place.slug] = pc.area_mean(
                joined["value"], joined["population"], confidence=inputs.confidence
            )
            places[place.slug]["imd_score"] = estimates[place.slug].to_dict()
    differences, words = inputs.differences(estimates, "The mean IMD 2019 score")
    sentences = [
        f"{inputs.names[slug]}: {fig['core20_resident_share']:.0%} of residents live in "
        "England's most deprived fifth of areas (Core20)."
        for slug, fig in places.items()
        if fig["core20_resident_share"] is not None
    ]
    source, licence = _joined(
        inputs.dataset("mhclg_iod2019_file1"),
        inputs.dataset(score.dataset_id if score else None),
        inputs.dataset(_DENOMINATORS),
    )
    return _section(
        "deprivation",
        source=source,
        date="IMD 2019 (indicators mostly of 2015-16); residents mid-2015",
        licence=licence,
        method=(
            "Residents by their area's national IMD 2019 decile (1 = England's most deprived "
            "tenth); Core20 = deciles 1 and 2. The mean IMD score is weighted by residents, its "
            "interval taking the areas as a sample; differences by MOVER."
        ),
        places=places,
        differences=differences,
        sentences=sentences + words,
        present=any(p["by_decile"] for p in places.values()),
        missing="No IMD deciles stored.",
    )


def _indicator(ws: Workspace, indicator_id: str) -> Indicator | None:
    try:
        return ws.indicators.get(indicator_id)
    except NotFound:
        return None


def health_indicators(ws: Workspace, chosen: list[str] | None) -> list[Indicator]:
    """The indicators compared: those chosen (each must exist), else every computed indicator
    and the health ones (the IoD 2019 Health domain's), without ranks and deciles."""
    if chosen:
        return [ws.indicators.get(i) for i in dict.fromkeys(chosen)]
    return [
        i
        for i in ws.indicators.list()
        if i.unit not in ("rank", "decile")
        and (i.method or (theme_of(i.id) == "health" and not i.id.startswith("health2019")))
    ]


def _estimate(inputs: Inputs, indicator: Indicator, slug: str) -> tuple[pc.Estimate, Any]:
    residents = inputs.residents(slug)
    codes = inputs.ws.places.area_codes(slug)
    values = inputs.ws.indicators.values(indicator.id, codes=codes)
    joined = values.join(residents["population"], how="left")
    method, level = indicator.method, inputs.confidence
    if method == "dsr":
        weights = joined["denominator"].fillna(joined["population"])
        found = pc.combined_rate(
            joined["value"],
            joined["lower_ci"],
            joined["upper_ci"],
            weights,
            limits_confidence=(indicator.confidence or 95.0) / 100,
            confidence=level,
        )
    elif method in pc.POOLED_METHODS and joined["numerator"].notna().any():
        scale = indicator.multiplier or 1.0
        if method == "isr_rate":
            scale = indicator.benchmark_value or scale
        found = pc.pooled_rate(
            joined["numerator"],
            joined["denominator"],
            method=method,
            multiplier=scale,
            confidence=level,
        )
    else:
        found = pc.area_mean(joined["value"], joined["population"], confidence=level)
    return found, joined


def _worst_fifth(joined: pd.DataFrame) -> float | None:
    kept = joined.dropna(subset=["national_decile", "population"])
    total = float(kept["population"].sum())
    if not total:
        return None
    return float(kept.loc[kept["national_decile"] <= 2, "population"].sum()) / total


def health_section(inputs: Inputs) -> Section:
    """Each indicator's place figure with its interval, the share of residents in England's
    worst fifth of areas on it, and the places' differences."""
    places: dict[str, Any] = {p.slug: {"indicators": {}} for p in inputs.places}
    differences: list[dict[str, Any]] = []
    sentences: list[str] = []
    parts = []
    for indicator in inputs.indicators:
        estimates = {}
        for place in inputs.places:
            found, joined = _estimate(inputs, indicator, place.slug)
            estimates[place.slug] = found
            places[place.slug]["indicators"][indicator.id] = {
                **found.to_dict(),
                "name": indicator.name,
                "unit": indicator.unit,
                "polarity": indicator.polarity,
                "standardised": _AGE_STANDARDISED.get(indicator.method, ""),
                "worst_fifth_share": _worst_fifth(joined),
            }
        found_differences, words = inputs.differences(estimates, indicator.name)
        differences += [{**d, "indicator": indicator.id} for d in found_differences]
        sentences += words
        parts.append(inputs.dataset(indicator.dataset_id))
    standardised = [i.name for i in inputs.indicators if i.method in _AGE_STANDARDISED]
    source, licence = _joined(*parts)
    return _section(
        "health",
        source=source,
        date="; ".join(
            dict.fromkeys(f"{i.name}: {i.period}" for i in inputs.indicators if i.period)
        ),
        licence=licence,
        method=(
            "Computed indicators: counts pooled over the areas (mobilise.analysis.rates: Byar, "
            "Wilson) or, for directly standardised rates, the areas' DSRs weighted by residents; "
            "imported indicators: the residents-weighted mean of the areas' values, the areas "
            "taken as a sample. 'Worst fifth' is the share of residents in areas in England's "
            "worst two national deciles. Differences by MOVER."
            + (f" Age-standardised: {', '.join(standardised)}." if standardised else "")
        ),
        places=places,
        differences=differences,
        sentences=sentences,
        present=bool(inputs.indicators),
        missing="No health indicators stored.",
    )


def _sii(inputs: Inputs, indicator: Indicator, slug: str) -> tuple[dict[str, Any] | None, str]:
    residents = inputs.residents(slug)
    values = inputs.ws.indicators.values(indicator.id, codes=list(residents.index))
    frame = residents.join(values["value"], how="inner").dropna()
    frame = frame[frame["population"] > 0]
    if frame["decile"].nunique() < MIN_DECILES:
        return None, (
            f"the areas fall in {frame['decile'].nunique()} national IMD deciles; the slope "
            f"index needs {MIN_DECILES}"
        )
    groups = by_quantile(frame, value="value", population="population", quantile="decile")
    found = slope_index_of_inequality(
        groups["value"],
        groups["population"],
        quantile=groups["quantile"],
        se=groups["se"],
        confidence=inputs.confidence,
        seed=SII_SEED,
        higher_is_better={"higher_is_better": True, "higher_is_worse": False}.get(
            indicator.polarity
        ),
    )
    return found.to_dict(), ""


def gradient_section(inputs: Inputs) -> Section:
    """The slope and relative index of inequality of each indicator in each place."""
    places: dict[str, Any] = {p.slug: {"indicators": {}} for p in inputs.places}
    differences: list[dict[str, Any]] = []
    sentences: list[str] = []
    for indicator in inputs.indicators:
        estimates = {}
        for place in inputs.places:
            sii, why = _sii(inputs, indicator, place.slug)
            places[place.slug]["indicators"][indicator.id] = {"name": indicator.name, "sii": sii}
            if sii is None:
                sentences.append(f"{place.name}, {indicator.name}: no slope index ({why}).")
                continue
            estimates[place.slug] = pc.Estimate(
                sii["sii"],
                sii["sii_lower"],
                sii["sii_upper"],
                "SII",
                sii["groups"],
                inputs.confidence,
            )
        found, words = inputs.differences(
            estimates, f"The slope index of inequality of {indicator.name}"
        )
        differences += [{**d, "indicator": indicator.id} for d in found]
        sentences += words
    return _section(
        "gradient",
        source="The health indicators above, by the areas' national IMD 2019 decile",
        date="IMD 2019; the indicators' own periods",
        licence="as the indicators",
        method=(
            "PHE's slope index of inequality (mobilise.analysis.slope_index): residents-"
            "weighted decile means regressed on the midpoint of each decile's share of the "
            "place's residents; SII = least deprived end minus most deprived end, RII their "
            f"ratio; intervals by simulation (seed {SII_SEED}). Differences of SII by MOVER."
        ),
        places=places,
        differences=differences,
        sentences=sentences,
        present=bool(inputs.indicators),
        missing="No health indicators stored.",
    )


SECTIONS: dict[str, Callable[[Inputs], Section]] = {
    "population": population_section,
    "deprivation": deprivation_section,
    "health": health_section,
    "gradient": gradient_section,
}
